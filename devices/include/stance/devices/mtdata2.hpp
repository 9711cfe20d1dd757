#pragma once
/// \file
/// Xsens MTData2 payloads (MID 0x36), from Xsens "MT Low Level Communication Protocol
/// Documentation" (MT0101P, revision 2019.A; "MTData2" and "Data identifiers"):
///
///   packet = data id (u16, big-endian) | size (u8) | data (size bytes, big-endian values)
///
/// A data id is a type (id & 0xFFF0) plus format bits: bits 0-1 give the precision of real values
/// (0 float32, 1 fixed point 12.20, 2 fixed point 16.32, 3 float64) and bits 2-3 the coordinate
/// system of orientations and free acceleration (0 ENU, 4 NED, 8 NWU). Fixed point 12.20 is a
/// signed 32-bit integer scaled by 2^-20; 16.32 is a signed 48-bit integer scaled by 2^-32, sent
/// as its 32-bit fractional part followed by its 16-bit integer part (Xsens, "An explanation of
/// the MTi fixed point output formats").

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stance/devices/samples.hpp"

namespace stance::devices {

/// Data identifier types (format bits zero) handled here.
namespace xdi {
inline constexpr std::uint16_t kPacketCounter = 0x1020;     ///< u16, wraps at 65536
inline constexpr std::uint16_t kSampleTimeFine = 0x1060;    ///< u32, 10 kHz ticks
inline constexpr std::uint16_t kQuaternion = 0x2010;        ///< q0 q1 q2 q3 (w x y z)
inline constexpr std::uint16_t kAcceleration = 0x4020;      ///< m/s^2, sensor frame, with gravity
inline constexpr std::uint16_t kFreeAcceleration = 0x4030;  ///< m/s^2, local frame, gravity removed
inline constexpr std::uint16_t kRateOfTurn = 0x8020;        ///< rad/s, sensor frame
inline constexpr std::uint16_t kStatusByte = 0xE010;        ///< u8, low byte of the status word
inline constexpr std::uint16_t kStatusWord = 0xE020;        ///< u32
inline constexpr std::uint16_t kTypeMask = 0xFFF0;
inline constexpr std::uint16_t kPrecisionMask = 0x0003;
inline constexpr std::uint16_t kCoordinateMask = 0x000C;
}  // namespace xdi

/// SampleTimeFine ticks per second.
inline constexpr double kXsensSampleTimeFineHz = 10000.0;

enum class XsensPrecision : std::uint8_t { kFloat32 = 0, kFp1220 = 1, kFp1632 = 2, kFloat64 = 3 };

/// Bytes per value: 4, 4, 6, 8.
constexpr std::size_t xsensValueSize(XsensPrecision p) noexcept {
    switch (p) {
        case XsensPrecision::kFloat32:
        case XsensPrecision::kFp1220:
            return 4;
        case XsensPrecision::kFp1632:
            return 6;
        case XsensPrecision::kFloat64:
            return 8;
    }
    return 4;
}

/// A data id from its type, precision and (for orientation / free acceleration) frame; frame
/// kDevice is not an Xsens frame and maps to ENU.
constexpr std::uint16_t xsensDataId(std::uint16_t type,
                                    XsensPrecision precision = XsensPrecision::kFloat32,
                                    OrientationFrame frame = OrientationFrame::kEnu) noexcept {
    const std::uint16_t coordinates = frame == OrientationFrame::kNed   ? 0x4
                                      : frame == OrientationFrame::kNwu ? 0x8
                                                                        : 0x0;
    return static_cast<std::uint16_t>((type & xdi::kTypeMask) | coordinates |
                                      static_cast<std::uint16_t>(precision));
}

/// What one MTData2 message carried. `imu` holds the inertial fields (ImuSample::fields says
/// which); its stamp is left for the caller.
struct MtData2Contents {
    ImuSample imu;
    std::optional<std::uint16_t> packet_counter;
    std::optional<std::uint32_t> sample_time_fine;
    std::size_t unknown_packets = 0;  ///< packets of other types, skipped by their size
};

/// True when the packets tile `payload` exactly (every size byte lands on the next packet).
bool mtData2Tiles(std::span<const std::uint8_t> payload) noexcept;

/// Parses one MTData2 payload. False (and `out` unspecified) when the packets do not tile the
/// payload, a known packet's size contradicts its id and precision, or a coordinate code is not
/// ENU/NED/NWU.
bool parseMtData2(std::span<const std::uint8_t> payload, MtData2Contents& out);

/// Appends one packet per id in `ids`, in that order, encoding the value that `contents` holds
/// for the id's type in the id's precision and frame (fixed point values are rounded to the
/// nearest step and saturate at their range). Throws DeviceError for an id whose type is not
/// among xdi:: above, or whose value `contents` does not hold.
void appendMtData2Payload(std::vector<std::uint8_t>& payload, const MtData2Contents& contents,
                          std::span<const std::uint16_t> ids);

/// One entry of an output configuration: data id (with precision and frame bits) and output
/// frequency in Hz; kXsensEveryMessage puts a time or status item in every message.
struct XsensOutput {
    std::uint16_t data_id = 0;
    std::uint16_t rate_hz = 0;
    friend bool operator==(const XsensOutput&, const XsensOutput&) = default;
};
inline constexpr std::uint16_t kXsensEveryMessage = 0xFFFF;

/// SetOutputConfiguration payload: N x (data id u16, frequency u16), big-endian.
std::vector<std::uint8_t> encodeOutputConfiguration(std::span<const XsensOutput> outputs);
/// Parses an OutputConfiguration (ack) payload; nullopt when its size is not a multiple of 4.
std::optional<std::vector<XsensOutput>> parseOutputConfiguration(
    std::span<const std::uint8_t> payload);

}  // namespace stance::devices
