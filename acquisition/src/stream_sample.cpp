#include "stance/acquisition/stream_sample.hpp"

namespace stance::acquisition {

std::array<std::string_view, 10> channelNames(StreamKind kind) noexcept {
    switch (kind) {
        case StreamKind::kForcePlate:
            return {"fx", "fy", "fz", "mx", "my", "mz", "cop_x", "cop_y", "", ""};
        case StreamKind::kLoadCells:
            return {"f1", "f2", "f3", "f4", "fz", "cop_x", "cop_y", "", "", ""};
        case StreamKind::kImu:
            return {"ax", "ay", "az", "gx", "gy", "gz", "qw", "qx", "qy", "qz"};
    }
    return {};
}

std::string_view streamKindName(StreamKind kind) noexcept {
    switch (kind) {
        case StreamKind::kForcePlate:
            return "force_plate";
        case StreamKind::kLoadCells:
            return "load_cell_board";
        case StreamKind::kImu:
            return "imu";
    }
    return "unknown";
}

}  // namespace stance::acquisition
