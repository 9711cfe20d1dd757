// BDSinfo.txt and PDSinfo.txt: per-trial subject, session and condition metadata.

#include <cmath>
#include <cstdio>
#include <map>

#include "import_common.hpp"

namespace stance::datasets {

using namespace import_detail;

namespace {

struct Table {
    std::string file;
    std::vector<std::string_view> header;
    std::size_t header_line = 0;
    std::vector<Line> rows;
};

Table readTable(const std::filesystem::path& path, const std::string& text) {
    Table t;
    t.file = path.string();
    auto lines = splitLines(text);
    std::size_t i = 0;
    while (i < lines.size() && trimView(lines[i].text).empty())
        ++i;
    if (i == lines.size())
        throw DatasetError(t.file, 0, "the file has no header line");
    t.header = splitCells(lines[i].text, '\t');
    t.header_line = lines[i].number;
    for (++i; i < lines.size(); ++i) {
        if (!trimView(lines[i].text).empty())
            t.rows.push_back(lines[i]);
    }
    return t;
}

std::string subjectId(const char* prefix, long long number, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s_s%0*lld", prefix, width, number);
    return buf;
}

Sex sexFrom(std::string_view g, const std::string& file, std::size_t line) {
    const std::string s = toLower(trimView(g));
    if (s == "f")
        return Sex::kFemale;
    if (s == "m")
        return Sex::kMale;
    if (s.empty())
        return Sex::kUnknown;
    throw DatasetError(file, line, "column 'Gender': '" + std::string(g) + "' is not F or M");
}

long long integerCell(std::string_view cell, const std::string& file, std::size_t line,
                      std::string_view column) {
    const double v = parseNumber(cell, file, line, column);
    if (v != std::floor(v))
        throw DatasetError(file, line,
                           "column '" + std::string(column) + "': '" + std::string(cell) +
                               "' is not a whole number");
    return static_cast<long long>(v);
}

// Reads the columns both tables share; `height_to_m` converts the Height column.
MetadataTable readInfo(const std::filesystem::path& path, const char* prefix, int id_width,
                       const char* mass_column, double height_to_m, const char* protocol,
                       double duration_s, bool has_rep) {
    const std::string text = readWholeFile(path);
    const Table t = readTable(path, text);
    std::vector<std::string> wanted = {"Trial",  "Subject", "Vision",    "Surface", "Age",
                                       "Gender", "Height",  mass_column, "Date"};
    const auto idx = findColumns(t.header, wanted, t.file, t.header_line);
    if (t.rows.empty())
        throw DatasetError(t.file, t.header_line, "the file has a header but no rows");
    const auto optional = [&](const char* name) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < t.header.size(); ++i) {
            if (trimView(t.header[i]) == name)
                return i;
        }
        return std::nullopt;
    };
    const auto age_group = optional("AgeGroup");
    const auto falls = optional("Falls12m");
    const auto illness = optional("Illness2");
    const auto bmi = optional("BMI");
    const auto best = optional("Best_T");
    const auto rep = has_rep ? optional("Rep") : std::nullopt;

    MetadataTable out;
    out.file = t.file;
    std::map<std::string, int> repetitions;  // subject/vision/surface -> count so far
    for (const Line& line : t.rows) {
        const auto cells = splitCells(line.text, '\t');
        const std::size_t need = *std::max_element(idx.begin(), idx.end()) + 1;
        if (cells.size() < need) {
            throw DatasetError(t.file, line.number,
                               "row has " + std::to_string(cells.size()) + " columns, expected " +
                                   std::to_string(t.header.size()));
        }
        const auto cell = [&](std::size_t k) { return trimView(cells[idx[k]]); };
        const std::string trial(cell(0));
        if (trial.empty())
            throw DatasetError(t.file, line.number, "column 'Trial' is empty");
        TrialMetadata m;
        const long long subject = integerCell(cell(1), t.file, line.number, "Subject");
        m.subject.id = subjectId(prefix, subject, id_width);
        m.subject.extra["source_subject"] = static_cast<std::int64_t>(subject);
        m.subject.sex = sexFrom(cell(5), t.file, line.number);
        m.subject.age_years = parseOptionalNumber(cell(4), t.file, line.number, "Age");
        if (auto h = parseOptionalNumber(cell(6), t.file, line.number, "Height"))
            m.subject.height_m = *h * height_to_m;
        m.subject.mass_kg = parseOptionalNumber(cell(7), t.file, line.number, mass_column);
        const auto text_cell = [&](std::optional<std::size_t> k) -> std::string {
            return k && *k < cells.size() ? std::string(trimView(cells[*k])) : std::string();
        };
        if (age_group && !text_cell(age_group).empty())
            m.subject.extra["age_group"] = toLower(text_cell(age_group));
        if (falls && !text_cell(falls).empty())
            m.subject.extra["falls_12m"] = static_cast<std::int64_t>(
                integerCell(text_cell(falls), t.file, line.number, "Falls12m"));
        if (illness && !text_cell(illness).empty())
            m.subject.extra["illness"] = text_cell(illness);
        if (bmi && !text_cell(bmi).empty())
            m.subject.extra["bmi_kg_m2"] = parseNumber(text_cell(bmi), t.file, line.number, "BMI");
        if (best && !text_cell(best).empty())
            m.subject.extra["mini_bestest_total"] = static_cast<std::int64_t>(
                integerCell(text_cell(best), t.file, line.number, "Best_T"));

        const auto date = isoFromSpaceSeparated(cell(8));
        if (!date) {
            throw DatasetError(
                t.file, line.number,
                "column 'Date': '" + std::string(cell(8)) + "' is not 'YYYY-MM-DD HH:MM:SS'");
        }
        m.session.start_utc = *date;
        m.session.protocol = protocol;
        m.session.extra["time_zone"] = std::string("local time of the laboratory (not UTC)");

        const auto condition = conditionFrom(cell(2), cell(3));
        if (!condition) {
            throw DatasetError(t.file, line.number,
                               "columns 'Vision'/'Surface': '" + std::string(cell(2)) + "'/'" +
                                   std::string(cell(3)) +
                                   "' is not Open/Closed with Firm/Rigid/Foam");
        }
        m.trial.condition = *condition;
        m.trial.planned_duration_s = duration_s;
        m.trial.source_id = trial;
        m.trial.extra["vision"] = toLower(cell(2));
        m.trial.extra["surface"] = toLower(cell(3));
        if (rep) {
            m.trial.extra["repetition"] =
                static_cast<std::int64_t>(integerCell(text_cell(rep), t.file, line.number, "Rep"));
        }
        if (out.by_trial.count(trial))
            throw DatasetError(t.file, line.number, "trial '" + trial + "' is listed twice");
        out.by_trial.emplace(trial, std::move(m));
    }
    if (!rep) {
        // No repetition column (BDS): count the trials of the same subject and condition in
        // Trial order; by_trial is ordered by the zero-padded trial id.
        for (auto& [id, m] : out.by_trial) {
            m.trial.extra["repetition"] =
                static_cast<std::int64_t>(++repetitions[m.subject.id + "/" + m.trial.condition]);
        }
    }
    return out;
}

}  // namespace

MetadataTable readBdsInfo(const std::filesystem::path& path) {
    return readInfo(path, "bds", 3, "Weight", 0.01,
                    "Santos & Duarte 2016 quiet standing (60 s; eyes open/closed, firm/foam)", 60.0,
                    false);
}

MetadataTable readPdsInfo(const std::filesystem::path& path) {
    return readInfo(path, "pds", 2, "Mass", 1.0,
                    "dos Santos et al. 2017 quiet standing (60 s; eyes open/closed, "
                    "rigid/foam)",
                    60.0, true);
}

}  // namespace stance::datasets
