// Santos & Duarte 2016 (BDS) trials and dos Santos et al. 2017 (PDS) GRF files.

#include <array>
#include <cmath>

#include "import_common.hpp"
#include "import_trials.hpp"

namespace stance::datasets::import_detail {

namespace {

// Rows of a tab-separated numeric table with a fixed number of columns.
struct NumericTable {
    std::vector<std::string_view> header;
    std::vector<std::vector<double>> columns;  // column-major
    std::size_t rows = 0;
};

NumericTable readNumericTable(const std::string& text, const std::string& file,
                              std::size_t expected_cols) {
    NumericTable t;
    const auto lines = splitLines(text);
    if (lines.empty())
        throw DatasetError(file, 0, "the file is empty");
    t.header = splitCells(lines[0].text, '\t');
    t.columns.assign(expected_cols, {});
    for (auto& c : t.columns)
        c.reserve(lines.size());
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const Line& line = lines[i];
        if (trimView(line.text).empty())
            continue;
        const auto cells = splitCells(line.text, '\t');
        if (cells.size() != expected_cols) {
            throw DatasetError(file, line.number,
                               "row has " + std::to_string(cells.size()) + " columns, expected " +
                                   std::to_string(expected_cols));
        }
        for (std::size_t c = 0; c < expected_cols; ++c) {
            t.columns[c].push_back(parseNumber(cells[c], file, line.number, trimView(t.header[c])));
        }
        const auto& time = t.columns[0];
        if (time.size() >= 2 && !(time.back() > time[time.size() - 2])) {
            throw DatasetError(file, line.number,
                               "time " + std::string(trimView(cells[0])) + " does not increase");
        }
    }
    t.rows = t.columns[0].size();
    if (t.rows == 0)
        throw DatasetError(file, 1, "the file has a header but no data rows");
    return t;
}

Eigen::VectorXd column(const NumericTable& t, std::size_t c, double scale = 1.0) {
    Eigen::VectorXd v(static_cast<Eigen::Index>(t.rows));
    for (std::size_t i = 0; i < t.rows; ++i)
        v[static_cast<Eigen::Index>(i)] = t.columns[c][i] * scale;
    return v;
}

void applyMetadata(ImportedTrial& out, const std::string& lookup_id,
                   const std::filesystem::path& file, const ImportOptions& options,
                   const MetadataTable* info) {
    if (info != nullptr) {
        const auto it = info->by_trial.find(lookup_id);
        if (it == info->by_trial.end()) {
            throw DatasetError(
                info->file, 0,
                "has no row for trial '" + lookup_id + "' (needed by " + file.string() + ")");
        }
        out.subject = it->second.subject;
        out.session = it->second.session;
        const TrialInfo& meta = it->second.trial;
        out.trial.info.condition = meta.condition;
        out.trial.info.planned_duration_s = meta.planned_duration_s;
        for (const auto& [k, v] : meta.extra)
            out.trial.info.extra[k] = v;
    }
    if (!options.condition.empty())
        out.trial.info.condition = options.condition;
}

}  // namespace

ImportedTrial importBds(const std::filesystem::path& file, const ImportOptions& options,
                        const MetadataTable* info) {
    const std::string name = file.string();
    const std::string text = readWholeFile(file);
    static const std::array<std::string_view, 9> kHeader = {
        "Time[s]", "Fx[N]", "Fy[N]", "Fz[N]", "Mx[Nm]", "My[Nm]", "Mz[Nm]", "COPx[cm]", "COPy[cm]"};
    const auto first = splitLines(std::string_view(text).substr(0, text.find('\n') + 1));
    const auto cells = splitCells(first.empty() ? std::string_view() : first[0].text, '\t');
    bool ok = cells.size() == kHeader.size();
    for (std::size_t i = 0; ok && i < cells.size(); ++i)
        ok = trimView(cells[i]) == kHeader[i];
    if (!ok) {
        throw DatasetError(name, 1,
                           "not a Santos & Duarte 2016 trial: the header must be the 9 "
                           "tab-separated columns Time[s] Fx[N] Fy[N] Fz[N] Mx[Nm] My[Nm] Mz[Nm] "
                           "COPx[cm] COPy[cm]");
    }
    const NumericTable t = readNumericTable(text, name, kHeader.size());
    const auto n = static_cast<Eigen::Index>(t.rows);

    ImportedTrial out = defaultTrial(file, options, "bds");
    applyMetadata(out, fileStem(file), file, options, info);

    DeviceInfo device;
    device.id = "bds_forceplate";
    device.kind = "forceplate";
    device.make = "AMTI";
    device.rate_hz = 100.0;
    device.extra["source"] = std::string("Santos & Duarte 2016, PeerJ 4:e2648 (BMClab, UFABC)");
    out.devices.push_back(device);

    RawSignal raw;
    raw.device = device.id;
    raw.frame = "device (x = AP, y = ML by the authors)";
    raw.time_s = column(t, 0);
    raw.counter = CounterVector::LinSpaced(n, 0, n - 1);
    raw.values.resize(n, 8);
    static const std::array<const char*, 8> kNames = {"Fx", "Fy", "Fz",   "Mx",
                                                      "My", "Mz", "COPx", "COPy"};
    for (std::size_t c = 0; c < 8; ++c) {
        raw.values.col(static_cast<Eigen::Index>(c)) = column(t, c + 1);
        const bool cop = c >= 6;
        raw.channels.push_back(
            Channel{kNames[c], cop ? "m" : (c < 3 ? "N" : "N.m"), cop ? 0.01 : 1.0, 0.0});
    }
    packDecimalText(raw);  // the file's 6 decimals as int32 counts of 10^-6
    out.trial.raw.push_back(std::move(raw));

    // Device x = AP, device y = ML (the authors' assignment, signs unchanged). Plate x = device
    // y, plate y = device x: a reflection, so moments (axial vectors) change sign.
    ForcePlateSignals fp;
    fp.time_s = column(t, 0);
    fp.force_n.resize(n, 3);
    fp.force_n.col(0) = column(t, 2);
    fp.force_n.col(1) = column(t, 1);
    fp.force_n.col(2) = column(t, 3);
    fp.moment_nm.resize(n, 3);
    fp.moment_nm.col(0) = column(t, 5, -1.0);
    fp.moment_nm.col(1) = column(t, 4, -1.0);
    fp.moment_nm.col(2) = column(t, 6, -1.0);
    fp.cop_m.resize(n, 2);
    fp.cop_m.col(0) = column(t, 8, 0.01);  // COPy, cm -> m (as readTrialText)
    fp.cop_m.col(1) = column(t, 7, 0.01);  // COPx
    fp.cop_origin = "source plate origin (not centred)";
    fp.source = "COPx/COPy columns of the source file";
    out.trial.forceplate = std::move(fp);
    return out;
}

ImportedTrial importPds(const std::filesystem::path& file, const ImportOptions& options,
                        const MetadataTable* info) {
    const std::string name = file.string();
    const std::string text = readWholeFile(file);
    const auto first = splitLines(std::string_view(text).substr(0, text.find('\n') + 1));
    const auto header = splitCells(first.empty() ? std::string_view() : first[0].text, '\t');
    static const std::vector<std::string> kColumns = {
        "Time",     "RGRF_X",        "RGRF_Y",       "RGRF_Z",   "LGRF_X",   "LGRF_Y",
        "LGRF_Z",   "GRFNET_X",      "GRFNET_Y",     "GRFNET_Z", "RCOP_X",   "RCOP_Y",
        "RCOP_Z",   "LCOP_X",        "LCOP_Y",       "LCOP_Z",   "COPNET_X", "COPNET_Y",
        "COPNET_Z", "RFREEMOMENT_Y", "LFREEMOMENT_Y"};
    const auto idx = findColumns(header, kColumns, name, 1);
    const NumericTable t = readNumericTable(text, name, header.size());
    const auto n = static_cast<Eigen::Index>(t.rows);
    const auto col = [&](const char* c, double scale = 1.0) {
        const auto it = std::find(kColumns.begin(), kColumns.end(), c);
        return column(t, idx[static_cast<std::size_t>(it - kColumns.begin())], scale);
    };

    ImportedTrial out = defaultTrial(file, options, "pds");
    // PDS<SS><V><S><R>grf: the trial id is the stem without "grf".
    std::string trial_id = fileStem(file);
    if (trial_id.size() > 3 && trial_id.substr(trial_id.size() - 3) == "grf")
        trial_id.erase(trial_id.size() - 3);
    out.trial.info.extra["source_trial"] = trial_id;
    if (info == nullptr && trial_id.size() == 8 && trial_id.rfind("PDS", 0) == 0) {
        // Without PDSinfo, the name still says subject, vision, surface and repetition.
        const std::string ss = trial_id.substr(3, 2);
        const char v = trial_id[5], s = trial_id[6], r = trial_id[7];
        if (std::isdigit(static_cast<unsigned char>(ss[0])) &&
            std::isdigit(static_cast<unsigned char>(ss[1])) && (v == 'O' || v == 'C') &&
            (s == 'R' || s == 'F') && std::isdigit(static_cast<unsigned char>(r))) {
            if (options.subject_id == "unknown")
                out.subject.id = "pds_s" + ss;
            out.trial.info.condition =
                std::string(v == 'O' ? "eo_" : "ec_") + (s == 'R' ? "firm" : "foam");
            out.trial.info.extra["repetition"] = static_cast<std::int64_t>(r - '0');
        }
    }
    applyMetadata(out, trial_id, file, options, info);

    // Raw: each plate's columns as acquired, in the lab frame.
    for (const char side : {'R', 'L'}) {
        DeviceInfo device;
        device.id = side == 'R' ? "pds_right_plate" : "pds_left_plate";
        device.kind = "forceplate";
        device.rate_hz = 100.0;
        device.extra["source"] =
            std::string("dos Santos et al. 2017, PeerJ 5:e3626 (BMClab, UFABC); plate under the ") +
            (side == 'R' ? "right" : "left") + " foot";
        out.devices.push_back(device);
        RawSignal raw;
        raw.device = device.id;
        raw.frame = "lab (X = AP, Y = up, Z = ML, +Z subject's right)";
        raw.time_s = col("Time");
        raw.counter = CounterVector::LinSpaced(n, 0, n - 1);
        const std::string p(1, side);
        const std::vector<std::pair<std::string, std::string>> chans = {
            {p + "GRF_X", "N"}, {p + "GRF_Y", "N"}, {p + "GRF_Z", "N"},         {p + "COP_X", "m"},
            {p + "COP_Y", "m"}, {p + "COP_Z", "m"}, {p + "FREEMOMENT_Y", "N.m"}};
        raw.values.resize(n, static_cast<Eigen::Index>(chans.size()));
        for (std::size_t c = 0; c < chans.size(); ++c) {
            raw.values.col(static_cast<Eigen::Index>(c)) = col(chans[c].first.c_str());
            raw.channels.push_back(Channel{chans[c].first, chans[c].second, 1.0, 0.0});
        }
        packDecimalText(raw);  // the file's 6 decimals as int32 counts of 10^-6
        out.trial.raw.push_back(std::move(raw));
    }

    // Plate (x, y, z) = lab (Z, X, Y): a cyclic permutation, a proper rotation.
    ForcePlateSignals fp;
    fp.time_s = col("Time");
    fp.force_n.resize(n, 3);
    fp.force_n.col(0) = col("GRFNET_Z");
    fp.force_n.col(1) = col("GRFNET_X");
    fp.force_n.col(2) = col("GRFNET_Y");
    fp.cop_m.resize(n, 2);
    fp.cop_m.col(0) = col("COPNET_Z");
    fp.cop_m.col(1) = col("COPNET_X");
    // Net moment about the lab origin (on the plates' surface): sum over the plates of
    // COP_i x F_i plus the free moment about the vertical.
    fp.moment_nm = analysis::Signal3::Zero(n, 3);
    for (const char side : {'R', 'L'}) {
        const std::string p(1, side);
        const Eigen::VectorXd x = col((p + "COP_Z").c_str()), y = col((p + "COP_X").c_str()),
                              z = col((p + "COP_Y").c_str());
        const Eigen::VectorXd fx = col((p + "GRF_Z").c_str()), fy = col((p + "GRF_X").c_str()),
                              fz = col((p + "GRF_Y").c_str());
        const Eigen::VectorXd tz = col((p + "FREEMOMENT_Y").c_str());
        fp.moment_nm.col(0) += (y.array() * fz.array() - z.array() * fy.array()).matrix();
        fp.moment_nm.col(1) += (z.array() * fx.array() - x.array() * fz.array()).matrix();
        fp.moment_nm.col(2) +=
            (x.array() * fy.array() - y.array() * fx.array() + tz.array()).matrix();
    }
    fp.cop_origin = "lab origin (not centred)";
    fp.source = "GRFNET and COPNET columns of the source file; moment from both plates";
    out.trial.forceplate = std::move(fp);
    return out;
}

}  // namespace stance::datasets::import_detail
