#pragma once
// Test fixtures: the real trials shipped in datasets/public and the reference values in
// tests/data/reference (provenance in their READMEs). Parsing here is deliberately minimal and
// independent of the datasets/ readers, so analysis tests do not depend on that module.

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "stance/analysis/trace.hpp"

namespace stance::test {

inline std::string publicData(const std::string& rel) {
    return std::string(STANCE_PUBLIC_DATA_DIR) + "/" + rel;
}
inline std::string testData(const std::string& rel) {
    return std::string(STANCE_TEST_DATA_DIR) + "/" + rel;
}

/// The ten Santos & Duarte 2016 trials shipped in datasets/public.
inline const std::vector<std::string>& bdsTrials() {
    static const std::vector<std::string> t{"BDS00001", "BDS00002", "BDS00003", "BDS00004",
                                            "BDS00007", "BDS00010", "BDS00037", "BDS00040",
                                            "BDS00043", "BDS00046"};
    return t;
}

/// Reads a whitespace-separated numeric table with one header line (CRLF tolerated).
inline std::vector<std::vector<double>> readNumericTable(const std::string& path, char sep = '\t') {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open fixture " + path);
    std::string line;
    std::getline(in, line);  // header
    std::vector<std::vector<double>> rows;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty())
            continue;
        std::vector<double> row;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, sep))
            row.push_back(std::stod(cell));
        rows.push_back(std::move(row));
    }
    return rows;
}

/// COP columns of a tab-separated trial file: time, ML and AP column indices, COP scale to metres.
inline analysis::CopRecording loadColumns(const std::string& rel, std::size_t col_t,
                                          std::size_t col_ml, std::size_t col_ap, double to_m) {
    const auto rows = readNumericTable(publicData(rel));
    analysis::CopRecording rec;
    const auto n = static_cast<Eigen::Index>(rows.size());
    rec.t_s.resize(n);
    rec.xy_m.resize(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto& r = rows[static_cast<std::size_t>(i)];
        rec.t_s(i) = r.at(col_t);
        rec.xy_m(i, 0) = r.at(col_ml) * to_m;
        rec.xy_m(i, 1) = r.at(col_ap) * to_m;
    }
    rec.nominal_fs_hz = 100.0;
    return rec;
}

/// A BDS trial as the reference values were made from it: ML = COPy, AP = COPx (signs as in the
/// file), cm -> m, timestamps from the file (0.01 .. 60.00 s), nominal 100 Hz.
inline analysis::CopRecording loadBdsTrial(const std::string& trial) {
    return loadColumns("bds_santos_duarte_2016/data/" + trial + ".txt", 0, 8, 7, 0.01);
}

/// A PDS GRF trial: ML = COPNET_Z, AP = COPNET_X (columns 19 and 17, 1-based), metres.
inline analysis::CopRecording loadPdsTrial(const std::string& trial) {
    return loadColumns("pds_dos_santos_2017/data/" + trial + "grf.txt", 0, 18, 16, 1.0);
}

/// tests/data/reference/quijoux/<trial>.<kind>.json with kind "quijoux" or "raw100".
inline nlohmann::json loadReference(const std::string& trial, const std::string& kind) {
    std::ifstream in(testData("reference/quijoux/" + trial + "." + kind + ".json"));
    if (!in)
        throw std::runtime_error("cannot open reference for " + trial);
    return nlohmann::json::parse(in);
}

/// Relative difference |a - b| / max(|a|, |b|), 0 when both are 0.
inline double relDiff(double a, double b) {
    const double m = std::max(std::abs(a), std::abs(b));
    return m == 0.0 ? 0.0 : std::abs(a - b) / m;
}

}  // namespace stance::test
