#include "stance/devices/samples.hpp"

#include <algorithm>

namespace stance::devices {

std::string_view deviceKindName(DeviceKind kind) noexcept {
    switch (kind) {
        case DeviceKind::kLoadCellBoard:
            return "load_cell_board";
        case DeviceKind::kForcePlate:
            return "force_plate";
        case DeviceKind::kImu:
            return "imu";
        case DeviceKind::kUnknown:
            break;
    }
    return "unknown";
}

std::string_view DeviceInfo::modelName() const noexcept {
    const auto* end = std::find(model.begin(), model.end(), '\0');
    return {model.data(), static_cast<std::size_t>(end - model.begin())};
}

void DeviceInfo::setModelName(std::string_view name) noexcept {
    model.fill('\0');
    const std::size_t n = std::min(name.size(), model.size() - 1);
    for (std::size_t i = 0; i < n; ++i) {
        const char c = name[i];
        model[i] = (c >= 0x20 && c <= 0x7E) ? c : '?';
    }
}

std::array<double, 4> LoadCellCalibration::forces(
    const std::array<std::int32_t, 4>& raw_counts) const noexcept {
    std::array<double, 4> f{};
    for (std::size_t i = 0; i < 4; ++i) {
        f[i] = (static_cast<double>(raw_counts[i]) - static_cast<double>(offset_counts[i])) *
               scale_n_per_count[i];
    }
    return f;
}

}  // namespace stance::devices
