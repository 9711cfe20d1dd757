#include "import_common.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>

namespace stance::datasets::import_detail {

std::string readWholeFile(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw DatasetError(name, 0, "cannot open the file (it does not exist)");
    if (std::filesystem::is_directory(path, ec))
        throw DatasetError(name, 0, "is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DatasetError(name, 0, "cannot open the file (not readable)");
    std::string text;
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0)
        throw DatasetError(name, 0, "cannot read the file");
    text.resize(static_cast<std::size_t>(size));
    in.seekg(0);
    in.read(text.data(), size);
    if (!in)
        throw DatasetError(name, 0, "cannot read the file");
    if (text.empty())
        throw DatasetError(name, 0, "the file is empty");
    return text;
}

std::vector<Line> splitLines(std::string_view text) {
    std::vector<Line> lines;
    std::size_t start = 0, number = 1;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        lines.push_back(Line{line, number++});
        start = end + 1;
    }
    return lines;
}

std::vector<std::string_view> splitCells(std::string_view line, char sep) {
    std::vector<std::string_view> cells;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = line.find(sep, start);
        cells.push_back(line.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    return cells;
}

std::string_view trimView(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

std::string toLower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<double> parseOptionalNumber(std::string_view cell, const std::string& file,
                                          std::size_t line, std::string_view column) {
    std::string_view s = trimView(cell);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        s = trimView(s.substr(1, s.size() - 2));
    if (s.empty())
        return std::nullopt;
    if (s.front() == '+')
        s.remove_prefix(1);
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
        throw DatasetError(file, line,
                           "column '" + std::string(column) + "': '" + std::string(trimView(cell)) +
                               "' is not a number");
    }
    return v;
}

double parseNumber(std::string_view cell, const std::string& file, std::size_t line,
                   std::string_view column) {
    const auto v = parseOptionalNumber(cell, file, line, column);
    if (!v)
        throw DatasetError(file, line, "column '" + std::string(column) + "' is empty");
    return *v;
}

std::vector<std::size_t> findColumns(const std::vector<std::string_view>& cells,
                                     const std::vector<std::string>& wanted,
                                     const std::string& file, std::size_t line) {
    std::vector<std::size_t> idx;
    for (const auto& w : wanted) {
        std::size_t found = cells.size();
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (trimView(cells[i]) == w) {
                found = i;
                break;
            }
        }
        if (found == cells.size())
            throw DatasetError(file, line, "missing column '" + w + "' in the header");
        idx.push_back(found);
    }
    return idx;
}

std::optional<std::string> conditionFrom(std::string_view vision, std::string_view surface) {
    const std::string v = toLower(trimView(vision));
    const std::string s = toLower(trimView(surface));
    std::string out;
    if (v == "open")
        out = "eo_";
    else if (v == "closed")
        out = "ec_";
    else
        return std::nullopt;
    if (s == "firm" || s == "rigid")
        out += "firm";
    else if (s == "foam")
        out += "foam";
    else
        return std::nullopt;
    return out;
}

long long daysFromCivil(int y, unsigned m, unsigned d) {
    // Shift the year to start in March so that the leap day is last.
    y -= m <= 2 ? 1 : 0;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

namespace {
void civilFromDays(long long z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(static_cast<long long>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}
}  // namespace

std::string isoFromDays(long long days, long long seconds_of_day, bool utc) {
    while (seconds_of_day < 0) {
        seconds_of_day += 86400;
        --days;
    }
    days += seconds_of_day / 86400;
    seconds_of_day %= 86400;
    int y = 0;
    unsigned m = 0, d = 0;
    civilFromDays(days, y, m, d);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld%s", y, m, d,
                  seconds_of_day / 3600, (seconds_of_day / 60) % 60, seconds_of_day % 60,
                  utc ? "Z" : "");
    return buf;
}

std::optional<std::string> isoFromSpaceSeparated(std::string_view s) {
    s = trimView(s);
    if (s.size() < 19 || s[10] != ' ')
        return std::nullopt;
    std::string out(s);
    out[10] = 'T';
    const auto dot = out.find('.');
    if (dot != std::string::npos && out.find_first_not_of('0', dot + 1) == std::string::npos)
        out.erase(dot);
    if (!isIsoTimestamp(out))
        return std::nullopt;
    return out;
}

std::string fileStem(const std::filesystem::path& path) {
    return path.stem().string();
}

std::vector<Gap> gapsFromDropped(const std::vector<double>& all_times,
                                 const std::vector<bool>& dropped, double period_s) {
    std::vector<Gap> gaps;
    const std::size_t n = all_times.size();
    std::size_t i = 0;
    while (i < n) {
        if (!dropped[i]) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j + 1 < n && dropped[j + 1])
            ++j;
        const double end = j + 1 < n ? all_times[j + 1] : all_times[j] + period_s;
        gaps.push_back(Gap{all_times[i], end});
        i = j + 1;
    }
    return gaps;
}

bool packDecimalText(RawSignal& raw) {
    // A value parsed from text with d decimals is the decimal q / 10^d to within half an ulp, and
    // scaling by the exact power of ten adds another half ulp: value * 10^d lies within
    // 2^-52 * |value * 10^d| of the integer q. Checked with a margin of 4; a wider distance
    // means more decimals than d.
    constexpr double kTolerance = 4.0 * 0x1p-52;
    constexpr double kMax = 2147483647.0;
    const Eigen::Index rows = raw.values.rows();
    const Eigen::Index cols = raw.values.cols();
    if (raw.stored_type != RawType::kFloat64 || rows == 0 ||
        raw.channels.size() != static_cast<std::size_t>(cols))
        return false;
    // The power of ten of each column: 10^d for the fewest decimals d its values all have.
    std::vector<double> powers(static_cast<std::size_t>(cols), 0.0);
    for (Eigen::Index c = 0; c < cols; ++c) {
        double power = 1.0;
        for (int d = 0; d <= 9; ++d, power *= 10.0) {
            bool fits = true;
            for (Eigen::Index r = 0; fits && r < rows; ++r) {
                const double x = raw.values(r, c) * power;
                fits = std::isfinite(x) && std::abs(x) <= kMax &&
                       std::abs(x - std::nearbyint(x)) <= kTolerance * std::max(1.0, std::abs(x));
            }
            if (fits) {
                powers[static_cast<std::size_t>(c)] = power;
                break;
            }
        }
        if (powers[static_cast<std::size_t>(c)] == 0.0)
            return false;
    }
    for (Eigen::Index c = 0; c < cols; ++c) {
        const double power = powers[static_cast<std::size_t>(c)];
        raw.values.col(c) = (raw.values.col(c) * power).array().round().matrix();
        raw.channels[static_cast<std::size_t>(c)].scale /= power;
    }
    raw.stored_type = RawType::kInt32;
    return true;
}

}  // namespace stance::datasets::import_detail
