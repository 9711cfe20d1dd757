#pragma once
// Small text helpers shared by the app core's sources (private).

#include <optional>
#include <string>
#include <string_view>

namespace stance::app::detail {

/// ASCII lower case.
std::string lower(std::string_view s);
/// Without leading and trailing white space.
std::string_view trim(std::string_view s);
/// A finite decimal number, the whole text ("1.65", "1,65", " 62 "); nothing otherwise.
std::optional<double> parseNumber(std::string_view s);
/// printf-style "%.*f".
std::string fixed(double v, int decimals);

}  // namespace stance::app::detail
