#pragma once
/// \file
/// One sample of any device on the station's single timeline: what device sessions hand to the
/// recorder and to the live stream. Trivially copyable, so it travels through SpscRing.
///
/// Channel layout of `v` by kind (SI; plate frame x ML right +, y AP anterior +, z up):
///   kForcePlate: Fx Fy Fz (N) Mx My Mz (N m, about the device origin) cop_x cop_y (m) — 8
///   kLoadCells:  F1 F2 F3 F4 (N, Wii order) Fz (N, sum) cop_x cop_y (m) — 7; raw counts in `raw`
///   kImu:        ax ay az (m/s^2, specific force) gx gy gz (rad/s) qw qx qy qz — 10
/// The COP is NaN when the vertical force is below 20 N (nobody on the plate).

#include <array>
#include <cstdint>
#include <string_view>

namespace stance::acquisition {

enum class StreamKind : std::uint8_t { kForcePlate = 1, kLoadCells = 2, kImu = 3 };

inline constexpr int kForcePlateChannels = 8;
inline constexpr int kLoadCellChannels = 7;
inline constexpr int kImuChannels = 10;

inline int channelCount(StreamKind kind) noexcept {
    switch (kind) {
        case StreamKind::kForcePlate:
            return kForcePlateChannels;
        case StreamKind::kLoadCells:
            return kLoadCellChannels;
        case StreamKind::kImu:
            return kImuChannels;
    }
    return 0;
}

/// Channel names in `v` order, for JSON output and file attributes.
std::array<std::string_view, 10> channelNames(StreamKind kind) noexcept;
std::string_view streamKindName(StreamKind kind) noexcept;

struct StreamSample {
    std::int64_t host_ns = 0;  ///< the sample's time on the host steady clock (clock-aligned), ns
    double device_time_s = 0;  ///< the device's own clock (NaN when it has none)
    std::uint64_t counter = 0;
    std::uint32_t flags = 0;   ///< devices::SampleFlag bits
    std::uint16_t device = 0;  ///< index of the device in the station
    StreamKind kind = StreamKind::kForcePlate;
    std::array<double, 10> v{};
    std::array<std::int32_t, 4> raw{};  ///< load cells: amplifier counts as acquired
};

/// Vertical-force threshold below which a COP is not defined (subject off the plate).
inline constexpr double kMinCopForce_n = 20.0;

}  // namespace stance::acquisition
