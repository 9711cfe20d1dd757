#pragma once
// Helpers shared by the devices tests: hex literals, the captures in tests/data/devices, and
// decoding a whole byte stream in one call.

#include <cctype>
#include <cstdint>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace stance::test {

/// "FA FF 30 00 D1" or "faff3000d1" -> bytes.
inline std::vector<std::uint8_t> hexBytes(std::string_view hex) {
    std::vector<std::uint8_t> out;
    int high = -1;
    for (const char c : hex) {
        if (std::isspace(static_cast<unsigned char>(c)))
            continue;
        const int v = std::isdigit(static_cast<unsigned char>(c))
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
        if (v < 0 || v > 15)
            throw std::runtime_error(std::string("not a hex digit: ") + c);
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high * 16 + v));
            high = -1;
        }
    }
    if (high >= 0)
        throw std::runtime_error("odd number of hex digits");
    return out;
}

inline std::string deviceData(const std::string& name) {
    return std::string(STANCE_TEST_DATA_DIR) + "/devices/" + name;
}

/// One message per line.
inline std::vector<std::vector<std::uint8_t>> hexLines(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    std::vector<std::vector<std::uint8_t>> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty())
            lines.push_back(hexBytes(line));
    }
    return lines;
}

inline std::vector<std::uint8_t> concat(const std::vector<std::vector<std::uint8_t>>& parts) {
    std::vector<std::uint8_t> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace stance::test
