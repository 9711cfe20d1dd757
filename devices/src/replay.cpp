#include "stance/devices/replay.hpp"

#include <string>

namespace stance::devices {

namespace {

void requireSameLength(std::size_t a, std::size_t b, const char* what) {
    if (a != b) {
        throw DeviceError(
            "replay", std::to_string(a) + " times but " + std::to_string(b) + " " + what + " rows");
    }
}

}  // namespace

std::vector<ForcePlateSample> plateSamplesFrom(std::span<const double> t_s,
                                               std::span<const std::array<double, 6>> channels) {
    requireSameLength(t_s.size(), channels.size(), "force-plate");
    std::vector<ForcePlateSample> out(t_s.size());
    for (std::size_t i = 0; i < t_s.size(); ++i) {
        out[i].stamp.device_time_s = t_s[i];
        out[i].stamp.counter = i;
        for (std::size_t c = 0; c < 3; ++c) {
            out[i].force_n[c] = channels[i][c];
            out[i].moment_nm[c] = channels[i][c + 3];
        }
    }
    return out;
}

std::vector<LoadCellSample> loadCellSamplesFrom(std::span<const double> t_s,
                                                std::span<const std::array<double, 4>> forces_n,
                                                const LoadCellCalibration& calibration) {
    requireSameLength(t_s.size(), forces_n.size(), "load-cell");
    for (std::size_t c = 0; c < 4; ++c) {
        if (!(calibration.scale_n_per_count[c] != 0.0) ||
            !std::isfinite(calibration.scale_n_per_count[c])) {
            throw DeviceError("replay",
                              "load cell " + std::to_string(c) + " has no usable scale (N/count)");
        }
    }
    std::vector<LoadCellSample> out(t_s.size());
    for (std::size_t i = 0; i < t_s.size(); ++i) {
        out[i].stamp.device_time_s = t_s[i];
        out[i].stamp.counter = i;
        for (std::size_t c = 0; c < 4; ++c) {
            const double counts = std::round(forces_n[i][c] / calibration.scale_n_per_count[c]) +
                                  static_cast<double>(calibration.offset_counts[c]);
            out[i].raw_counts[c] =
                static_cast<std::int32_t>(std::clamp(counts, -2147483648.0, 2147483647.0));
        }
        out[i].force_n = calibration.forces(out[i].raw_counts);
    }
    return out;
}

}  // namespace stance::devices
