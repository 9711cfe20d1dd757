#include "text_util.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "stance/app/report_model.hpp"

namespace stance::app::detail {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0)
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0)
        s.remove_suffix(1);
    return s;
}

std::optional<double> parseNumber(std::string_view s) {
    std::string t(trim(s));
    // A decimal comma, as typed on European keyboards.
    if (t.find(',') != std::string::npos && t.find('.') == std::string::npos) {
        for (char& c : t)
            if (c == ',')
                c = '.';
    }
    if (t.empty())
        return std::nullopt;
    double v = 0.0;
    const char* first = t.data();
    if (*first == '+')
        ++first;
    const auto [end, ec] = std::from_chars(first, t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace stance::app::detail

namespace stance::app {

std::string readableUnits(std::string text) {
    for (auto at = text.find("^2"); at != std::string::npos; at = text.find("^2", at))
        text.replace(at, 2, "\u00b2");
    return text;
}

std::string formatNumber(double value, int significant) {
    if (!std::isfinite(value))
        return "n/a";
    if (value == 0.0)
        return "0";
    if (std::abs(value - std::round(value)) < 1e-9 && std::abs(value) < 1e9)
        return detail::fixed(value, 0);
    const int digits = static_cast<int>(std::floor(std::log10(std::abs(value)))) + 1;
    int decimals = significant - digits;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 4)
        decimals = 4;
    std::string t = detail::fixed(value, decimals);
    // "6.50" -> "6.5", "1.10" -> "1.1": sentences and tables read better without them.
    if (t.find('.') != std::string::npos) {
        while (t.back() == '0')
            t.pop_back();
        if (t.back() == '.')
            t.pop_back();
    }
    return t;
}

}  // namespace stance::app
