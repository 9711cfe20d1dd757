#include "stance/datasets/trial_text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "import_common.hpp"

namespace stance::datasets {

namespace {

struct Layout {
    TrialFormat format;
    char sep;
    std::size_t n_cols;  // columns in the header
    std::size_t col_time, col_ml, col_ap;
    double time_scale, ml_scale, ap_scale;  // to s and m
    double nominal_fs_hz;
};

std::string trim(std::string_view s) {
    std::size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a])))
        ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])))
        --b;
    return std::string(s.substr(a, b - a));
}

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Splits "ml_cm", "COP ML [mm]", "time (s)" into a lower-case name and a unit ("" if none).
std::pair<std::string, std::string> nameAndUnit(std::string_view cell) {
    std::string s = lower(trim(cell));
    for (auto [open, close] : {std::pair{'[', ']'}, std::pair{'(', ')'}}) {
        const auto a = s.find(open);
        const auto b = s.find(close);
        if (a != std::string::npos && b != std::string::npos && b > a) {
            return {trim(s.substr(0, a)), trim(s.substr(a + 1, b - a - 1))};
        }
    }
    const auto u = s.find_last_of("_ ");
    if (u != std::string::npos) {
        const std::string unit = s.substr(u + 1);
        if (unit == "s" || unit == "ms" || unit == "m" || unit == "cm" || unit == "mm") {
            return {trim(s.substr(0, u)), unit};
        }
    }
    return {s, ""};
}

std::vector<std::string> tokens(const std::string& name) {
    std::vector<std::string> t;
    std::string cur;
    for (char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            cur += c;
        } else if (!cur.empty()) {
            t.push_back(cur);
            cur.clear();
        }
    }
    if (!cur.empty())
        t.push_back(cur);
    return t;
}

std::optional<double> lengthScale(const std::string& unit) {
    if (unit == "m")
        return 1.0;
    if (unit == "cm")
        return 0.01;
    if (unit == "mm")
        return 0.001;
    return std::nullopt;
}

Layout detect(std::string_view header, const std::string& name) {
    // Santos & Duarte 2016.
    static constexpr std::array<std::string_view, 9> kBds = {
        "Time[s]", "Fx[N]", "Fy[N]", "Fz[N]", "Mx[Nm]", "My[Nm]", "Mz[Nm]", "COPx[cm]", "COPy[cm]"};
    const auto tab = import_detail::splitCells(header, '\t');
    if (tab.size() == kBds.size() && std::equal(tab.begin(), tab.end(), kBds.begin())) {
        return {TrialFormat::kBds2016, '\t', 9, 0, 8, 7, 1.0, 0.01, 0.01, 100.0};
    }
    // dos Santos 2017 GRF.
    if (tab.size() > 3 && trim(tab[0]) == "Time") {
        std::size_t x = 0, z = 0;
        for (std::size_t i = 0; i < tab.size(); ++i) {
            if (trim(tab[i]) == "COPNET_X")
                x = i;
            if (trim(tab[i]) == "COPNET_Z")
                z = i;
        }
        if (x > 0 && z > 0)
            return {TrialFormat::kPds2017, '\t', tab.size(), 0, z, x, 1.0, 1.0, 1.0, 100.0};
    }
    // Plain CSV: the separator that splits the header into the most cells.
    char sep = ',';
    std::size_t best = 0;
    for (char c : {',', ';', '\t'}) {
        const auto n = import_detail::splitCells(header, c).size();
        if (n > best) {
            best = n;
            sep = c;
        }
    }
    const auto cells = import_detail::splitCells(header, sep);
    const std::string expected =
        "expected a Santos & Duarte 2016 trial header, a dos Santos 2017 GRF header, or a CSV "
        "header "
        "naming time and the two COP axes with their unit (e.g. time,ml_cm,ap_cm)";
    if (cells.size() < 3)
        throw DatasetError(name, 1, "unrecognised header; " + expected);
    Layout l{TrialFormat::kCsv, sep, cells.size(), 0, 0, 0, 1.0, 0.0, 0.0, 0.0};
    int n_time = 0, n_ml = 0, n_ap = 0;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const auto [base, unit] = nameAndUnit(cells[i]);
        const auto t = tokens(base);
        const auto has = [&](std::string_view w) {
            return std::find(t.begin(), t.end(), w) != t.end();
        };
        if (has("time") || base == "t") {
            ++n_time;
            l.col_time = i;
            if (unit == "ms") {
                l.time_scale = 1e-3;
            } else if (unit.empty() || unit == "s") {
                l.time_scale = 1.0;
            } else {
                throw DatasetError(name, 1,
                                   "time column '" + trim(cells[i]) + "' has unit '" + unit +
                                       "'; expected s or ms");
            }
        } else if (has("ml") || has("ap")) {
            if (has("ml") && has("ap")) {
                throw DatasetError(name, 1, "column '" + trim(cells[i]) + "' names both ML and AP");
            }
            const auto scale = lengthScale(unit);
            if (!scale) {
                throw DatasetError(name, 1,
                                   "COP column '" + trim(cells[i]) +
                                       "' does not state its unit (mm, cm or m), e.g. ml_mm "
                                       "or 'ML [mm]'");
            }
            if (has("ml")) {
                ++n_ml;
                l.col_ml = i;
                l.ml_scale = *scale;
            } else {
                ++n_ap;
                l.col_ap = i;
                l.ap_scale = *scale;
            }
        }
    }
    if (n_time != 1 || n_ml != 1 || n_ap != 1) {
        throw DatasetError(name, 1,
                           "header has " + std::to_string(n_time) + " time, " +
                               std::to_string(n_ml) + " ML and " + std::to_string(n_ap) +
                               " AP columns, needs exactly one of each; " + expected);
    }
    return l;
}

/// Plain decimals ("-12.3456", "0.01"), the whole of a trial file's numbers, without the general
/// parser: when the digits fit in 15 significant digits m and there are k <= 22 after the
/// point, m and 10^k are exact doubles and m / 10^k is one correctly rounded division, the
/// same double std::from_chars returns (Clinger's fast path). Anything else returns false.
bool parsePlainDecimal(std::string_view cell, double& out) {
    static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    std::size_t i = 0;
    const bool negative = !cell.empty() && cell[0] == '-';
    if (negative)
        i = 1;
    std::uint64_t m = 0;
    int digits = 0, fraction = 0;
    bool point = false, any_before = false, any_after = false;
    for (; i < cell.size(); ++i) {
        const char c = cell[i];
        if (c >= '0' && c <= '9') {
            if (m != 0 || c != '0')
                ++digits;  // significant digits only: leading zeros cost nothing
            m = m * 10 + static_cast<std::uint64_t>(c - '0');
            if (point) {
                ++fraction;
                any_after = true;
            } else {
                any_before = true;
            }
            if (digits > 15)
                return false;
        } else if (c == '.' && !point) {
            point = true;
        } else {
            return false;  // exponent, inf, nan, stray characters: the general parser decides
        }
    }
    if (!any_before || (point && !any_after) || fraction > 22)
        return false;
    const double v = static_cast<double>(m) / kPow10[fraction];
    out = negative ? -v : v;
    return true;
}

double parseCell(std::string_view cell, const std::string& name, std::size_t line_no,
                 std::string_view column) {
    while (!cell.empty() && (cell.front() == ' ' || cell.front() == '"'))
        cell.remove_prefix(1);
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '"' || cell.back() == '\r'))
        cell.remove_suffix(1);
    if (!cell.empty() && cell.front() == '+')
        cell.remove_prefix(1);
    double v = 0.0;
    if (parsePlainDecimal(cell, v))
        return v;
    const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    if (ec != std::errc() || ptr != cell.data() + cell.size() || cell.empty()) {
        throw DatasetError(
            name, line_no,
            "column '" + std::string(column) + "': '" + std::string(cell) + "' is not a number");
    }
    return v;
}

// The fast path of a row: cells that are exactly plain decimals between separators. Whatever it
// does not accept (spaces, quotes, a plus sign, exponents, blank or short rows, more than 15
// digits, a stray CR) goes to the general path, which either reads the row the same way or
// names the fault; where both accept a cell they return the same double (tested).

/// Reads the whole of [b, e) as `[-]digits[.digits]`, at most 15 digits in all (so that the
/// digits and the power of ten are exact doubles and one division rounds correctly).
bool parseBoundedCell(const char* b, const char* e, double& out) noexcept {
    static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const bool negative = b < e && *b == '-';
    b += negative ? 1 : 0;
    if (e - b > 16)
        return false;  // more than 15 digits and a point: the general parser decides
    std::uint64_t m = 0;
    const char* q = b;
    for (; q < e && static_cast<unsigned>(*q - '0') <= 9; ++q)
        m = m * 10 + static_cast<std::uint64_t>(*q - '0');
    const auto whole = q - b;
    std::ptrdiff_t fraction = 0;
    if (q < e && *q == '.') {
        const char* f = ++q;
        for (; q < e && static_cast<unsigned>(*q - '0') <= 9; ++q)
            m = m * 10 + static_cast<std::uint64_t>(*q - '0');
        fraction = q - f;
        if (fraction == 0)
            return false;
    }
    if (q != e || whole == 0 || whole + fraction > 15)
        return false;
    const double v = static_cast<double>(m) / kPow10[fraction];
    out = negative ? -v : v;
    return true;
}

/// One bit per byte (its high bit) where the eight bytes of `w` equal those of `pattern`; exact,
/// with no borrow between bytes.
constexpr std::uint64_t bytesEqual(std::uint64_t w, std::uint64_t pattern) noexcept {
    constexpr std::uint64_t k7f = 0x7F7F7F7F7F7F7F7FULL;
    const std::uint64_t x = w ^ pattern;
    return ~(((x & k7f) + k7f) | x | k7f);
}

/// Reads the row starting at `p`: the first `need` cells, those with a role (0 time, 1 ML, 2 AP)
/// into `v`. Separators are found eight bytes at a time (a row is mostly cells the reader
/// skips, and a byte loop costs two branches per byte). On success `line_end` is the row's
/// newline, or null at the end of the text.
bool parseFastRow(const char* p, const char* end, char sep, const signed char* role,
                  std::size_t need, std::array<double, 3>& v, const char*& line_end) noexcept {
    std::size_t col = 0;
    const char* cell = p;
    // Closes the cell [cell, e); false if its value cannot be read here.
    const auto close = [&](const char* e) {
        const int r = role[col];
        if (r >= 0 && !parseBoundedCell(cell, e, v[static_cast<std::size_t>(r)]))
            return false;
        ++col;
        cell = e + 1;
        return true;
    };
    const char* q = p;
    const char* nl = nullptr;
    if constexpr (std::endian::native == std::endian::little) {
        constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
        const std::uint64_t seps = kOnes * static_cast<unsigned char>(sep);
        constexpr std::uint64_t kNewlines = kOnes * static_cast<unsigned char>('\n');
        for (; end - q >= 8 && nl == nullptr; q += 8) {
            std::uint64_t w;
            std::memcpy(&w, q, 8);
            std::uint64_t at_sep = bytesEqual(w, seps);
            const std::uint64_t at_nl = bytesEqual(w, kNewlines);
            if (at_nl != 0) {
                const int k = std::countr_zero(at_nl) >> 3;
                nl = q + k;
                at_sep &= (std::uint64_t{1} << (8 * k)) - 1;  // separators before the newline
            }
            for (; at_sep != 0; at_sep &= at_sep - 1) {
                if (!close(q + (std::countr_zero(at_sep) >> 3)))
                    return false;
                if (col == need) {
                    if (nl == nullptr) {
                        const void* f =
                            std::memchr(q + 8, '\n', static_cast<std::size_t>(end - q - 8));
                        nl = static_cast<const char*>(f);
                    }
                    line_end = nl;
                    return true;
                }
            }
        }
    }
    if (nl == nullptr) {
        for (; q < end && *q != '\n'; ++q) {
            if (*q == sep) {
                if (!close(q))
                    return false;
                if (col == need) {
                    line_end = static_cast<const char*>(
                        std::memchr(q, '\n', static_cast<std::size_t>(end - q)));
                    return true;
                }
            }
        }
        nl = q < end ? q : nullptr;
    }
    // The last cell ends at the newline (or the end of the text), less one CR.
    const char* e = nl != nullptr ? nl : end;
    if (e > cell && e[-1] == '\r')
        --e;
    if (!close(e) || col != need)
        return false;  // a short row: the general path names it
    line_end = nl;
    return true;
}

}  // namespace

std::string_view trialFormatName(TrialFormat f) noexcept {
    switch (f) {
        case TrialFormat::kBds2016:
            return "bds";
        case TrialFormat::kPds2017:
            return "pds";
        case TrialFormat::kCsv:
            return "csv";
    }
    return "unknown";
}

TrialText parseTrialText(std::string_view text, const std::string& name) {
    if (text.empty())
        throw DatasetError(name, 0, "the file is empty");
    std::size_t pos = text.find('\n');
    std::string_view header = text.substr(0, pos);
    if (!header.empty() && header.back() == '\r')
        header.remove_suffix(1);
    const Layout l = detect(header, name);
    const auto header_cells = import_detail::splitCells(header, l.sep);
    const std::size_t need = std::max({l.col_time, l.col_ml, l.col_ap}) + 1;

    std::vector<double> t, ml, ap;
    const std::size_t guess = text.size() / std::max<std::size_t>(header.size() / 2, 16);
    t.reserve(guess);
    ml.reserve(guess);
    ap.reserve(guess);
    std::size_t line_no = 1;
    std::array<std::string_view, 3> wanted;
    // The columns' names, for messages.
    const std::string time_name = trim(header_cells[l.col_time]);
    const std::string ml_name = trim(header_cells[l.col_ml]);
    const std::string ap_name = trim(header_cells[l.col_ap]);
    // Which value each of the first `need` columns holds: 0 time, 1 ML, 2 AP, -1 none.
    std::vector<signed char> role(need, -1);
    role[l.col_time] = 0;
    role[l.col_ml] = 1;
    role[l.col_ap] = 2;
    const char* const text_end = text.data() + text.size();
    while (pos != std::string_view::npos && pos + 1 < text.size()) {
        const std::size_t start = pos + 1;
        {
            // The fast path: the whole row or nothing.
            std::array<double, 3> v{};
            const char* line_end = nullptr;
            if (parseFastRow(text.data() + start, text_end, l.sep, role.data(), need, v,
                             line_end)) {
                const double tv = v[0] * l.time_scale;
                if (t.empty() || tv > t.back()) {
                    ++line_no;
                    t.push_back(tv);
                    ml.push_back(v[1] * l.ml_scale);
                    ap.push_back(v[2] * l.ap_scale);
                    pos = line_end == nullptr ? std::string_view::npos
                                              : static_cast<std::size_t>(line_end - text.data());
                    continue;
                }
                // Time not increasing: the general path names the row.
            }
        }
        pos = text.find('\n', start);
        std::string_view line = text.substr(
            start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
        ++line_no;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos)
            continue;  // blank line
        // Walk the cells once, keeping only the three wanted ones: one pass over the bytes (a
        // library search per cell costs more than the cell, which is a few characters).
        std::size_t col = 0, cell_start = 0;
        const std::size_t size = line.size();
        for (std::size_t k = 0; col < need; ++k) {
            if (k < size && line[k] != l.sep)
                continue;
            const std::string_view cell = line.substr(cell_start, k - cell_start);
            if (col == l.col_time)
                wanted[0] = cell;
            if (col == l.col_ml)
                wanted[1] = cell;
            if (col == l.col_ap)
                wanted[2] = cell;
            ++col;
            if (k >= size)
                break;
            cell_start = k + 1;
        }
        if (col < need) {
            throw DatasetError(name, line_no,
                               "row has " + std::to_string(col) + " columns, expected " +
                                   std::to_string(header_cells.size()));
        }
        const double tv = parseCell(wanted[0], name, line_no, time_name) * l.time_scale;
        if (!t.empty() && !(tv > t.back())) {
            throw DatasetError(name, line_no,
                               "time " + std::string(wanted[0]) + " does not increase");
        }
        t.push_back(tv);
        ml.push_back(parseCell(wanted[1], name, line_no, ml_name) * l.ml_scale);
        ap.push_back(parseCell(wanted[2], name, line_no, ap_name) * l.ap_scale);
    }
    if (t.empty())
        throw DatasetError(name, 1, "the file has a header but no data rows");

    TrialText out;
    out.path = name;
    out.format = l.format;
    const auto n = static_cast<Eigen::Index>(t.size());
    out.recording.t_s = Eigen::Map<const Eigen::VectorXd>(t.data(), n);
    out.recording.xy_m.resize(n, 2);
    out.recording.xy_m.col(0) = Eigen::Map<const Eigen::VectorXd>(ml.data(), n);
    out.recording.xy_m.col(1) = Eigen::Map<const Eigen::VectorXd>(ap.data(), n);
    out.recording.nominal_fs_hz = l.nominal_fs_hz;
    return out;
}

TrialText readTrialText(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DatasetError(name, 0, "cannot open the file (missing or not readable)");
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0)
        throw DatasetError(name, 0, "cannot read the file");
    // One buffer per thread, reused from file to file: a batch reads thousands of trials, and a
    // fresh buffer each time is half a megabyte of new pages for the kernel to fault in. A buffer
    // grown by an unusually large file is released after it.
    thread_local std::string text;
    constexpr std::size_t kKeep = std::size_t{16} << 20;
    struct Release {
        std::string& buffer;
        ~Release() {
            if (buffer.capacity() > kKeep)
                std::string().swap(buffer);
        }
    } release{text};
    text.resize(static_cast<std::size_t>(size));
    in.seekg(0);
    in.read(text.data(), size);
    if (!in)
        throw DatasetError(name, 0, "cannot read the file");
    return parseTrialText(text, name);
}

}  // namespace stance::datasets
