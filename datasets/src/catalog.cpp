// Backend-independent parts of the catalog interface: ISO 8601 dates and times.

#include "stance/datasets/catalog.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace stance::datasets {

namespace {

/// Parses exactly `width` decimal digits at s[pos...]; -1 when they are not all digits.
int digits(std::string_view s, std::size_t pos, std::size_t width) noexcept {
    if (pos + width > s.size())
        return -1;
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + width, v);
    if (ec != std::errc() || end != s.data() + pos + width)
        return -1;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
    }
    return v;
}

}  // namespace

std::string formatIsoDate(std::chrono::year_month_day d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return buf;
}

std::optional<std::chrono::year_month_day> parseIsoDate(std::string_view s) noexcept {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-')
        return std::nullopt;
    const int y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
    if (y < 0 || m < 0 || d < 0)
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y},
                                          std::chrono::month{static_cast<unsigned>(m)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok())
        return std::nullopt;
    return ymd;
}

std::string formatIsoUtc(std::chrono::sys_seconds t) {
    using namespace std::chrono;
    const sys_days day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss<seconds> hms{t - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", formatIsoDate(ymd).c_str(),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

std::optional<std::chrono::sys_seconds> parseIsoUtc(std::string_view s) noexcept {
    using namespace std::chrono;
    const auto date = parseIsoDate(s.substr(0, std::min<std::size_t>(s.size(), 10)));
    if (!date)
        return std::nullopt;
    if (s.size() == 10)
        return sys_seconds(sys_days(*date));
    if (s.size() < 19 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return std::nullopt;
    const int hh = digits(s, 11, 2), mm = digits(s, 14, 2), ss = digits(s, 17, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return std::nullopt;
    const std::string_view rest = s.substr(19);
    if (!(rest.empty() || rest == "Z"))
        return std::nullopt;
    return sys_seconds(sys_days(*date)) + hours(hh) + minutes(mm) + seconds(ss);
}

std::optional<IsoStart> parseIsoStart(std::string_view s) noexcept {
    using namespace std::chrono;
    IsoStart out;
    const auto date = parseIsoDate(s.substr(0, std::min<std::size_t>(s.size(), 10)));
    if (!date)
        return std::nullopt;
    out.time = sys_days(*date);
    if (s.size() == 10) {
        out.date_only = true;
        return out;
    }
    if (s.size() < 19 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return std::nullopt;
    const int hh = digits(s, 11, 2), mm = digits(s, 14, 2), ss = digits(s, 17, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return std::nullopt;
    out.time += hours(hh) + minutes(mm) + seconds(ss);
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        const std::size_t first = ++i;
        int ms = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (i - first < 3)
                ms = ms * 10 + (s[i] - '0');
            ++i;
        }
        if (i == first)
            return std::nullopt;
        for (std::size_t k = i - first; k < 3; ++k)
            ms *= 10;
        out.ms = milliseconds(ms);
    }
    const std::string_view zone = s.substr(i);
    if (zone.empty())
        return out;
    out.utc = true;
    if (zone == "Z")
        return out;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':')
        return std::nullopt;
    const int oh = digits(zone, 1, 2), om = digits(zone, 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59)
        return std::nullopt;
    // Local = UTC + offset, so UTC = local - offset.
    const minutes offset = hours(oh) + minutes(om);
    out.time -= zone[0] == '+' ? offset : -offset;
    return out;
}

std::string formatSessionStart(const Session& s) {
    using namespace std::chrono;
    if (s.start_date_only)
        return formatIsoDate(year_month_day{floor<days>(s.start_utc)});
    std::string text = formatIsoUtc(s.start_utc);
    text.pop_back();  // the 'Z'
    const auto ms = s.start_ms.count();
    if (ms != 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms % 1000));
        text += buf;
    }
    if (s.time_zone.empty())
        text += 'Z';
    return text;
}

}  // namespace stance::datasets
