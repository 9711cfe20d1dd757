#pragma once
// Fixed-width reads and writes in a stated byte order, independent of the host's order. Floats are
// IEEE 754 bit patterns moved with std::bit_cast.

#include <bit>
#include <cstdint>
#include <vector>

namespace stance::devices::detail {

inline std::uint16_t loadU16le(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t loadU32le(const std::uint8_t* p) noexcept {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
inline std::uint16_t loadU16be(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t loadU32be(const std::uint8_t* p) noexcept {
    return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
           (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
}
inline std::uint64_t loadU64be(const std::uint8_t* p) noexcept {
    return (static_cast<std::uint64_t>(loadU32be(p)) << 32) | loadU32be(p + 4);
}
inline float loadF32le(const std::uint8_t* p) noexcept {
    return std::bit_cast<float>(loadU32le(p));
}
inline float loadF32be(const std::uint8_t* p) noexcept {
    return std::bit_cast<float>(loadU32be(p));
}
inline double loadF64be(const std::uint8_t* p) noexcept {
    return std::bit_cast<double>(loadU64be(p));
}

inline void storeU16le(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}
inline void storeU32le(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8)
        out.push_back(static_cast<std::uint8_t>((v >> shift) & 0xFF));
}
inline void storeF32le(std::vector<std::uint8_t>& out, float v) {
    storeU32le(out, std::bit_cast<std::uint32_t>(v));
}
inline void storeU16be(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}
inline void storeU32be(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>((v >> shift) & 0xFF));
}
inline void storeU64be(std::vector<std::uint8_t>& out, std::uint64_t v) {
    storeU32be(out, static_cast<std::uint32_t>(v >> 32));
    storeU32be(out, static_cast<std::uint32_t>(v & 0xFFFFFFFFu));
}
inline void storeF32be(std::vector<std::uint8_t>& out, float v) {
    storeU32be(out, std::bit_cast<std::uint32_t>(v));
}
inline void storeF64be(std::vector<std::uint8_t>& out, double v) {
    storeU64be(out, std::bit_cast<std::uint64_t>(v));
}

}  // namespace stance::devices::detail
