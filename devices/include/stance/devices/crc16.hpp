#pragma once
/// \file
/// CRC-16/CCITT-FALSE, the checksum of the Stance serial frame v1 (docs/stance-frame-v1.md).
/// Parameters (Williams' Rocksoft model, as catalogued by Greg Cook's "Catalogue of parametrised
/// CRC algorithms"): width 16, poly 0x1021, init 0xFFFF, refin false, refout false, xorout 0x0000,
/// check 0x29B1 (the CRC of the ASCII bytes "123456789").

#include <cstdint>
#include <span>

namespace stance::devices {

inline constexpr std::uint16_t kCrc16Init = 0xFFFF;

/// Continues `crc` over `bytes` (start with kCrc16Init). Table-driven, one lookup per byte.
std::uint16_t crc16CcittFalse(std::span<const std::uint8_t> bytes,
                              std::uint16_t crc = kCrc16Init) noexcept;

}  // namespace stance::devices
