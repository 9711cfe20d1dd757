// STUB — to be replaced by the real implementation (cop.hpp).
#include "stance/analysis/cop.hpp"

namespace stance::analysis {
CopResult copFromForcePlate(const Eigen::Ref<const Signal3>&, const Eigen::Ref<const Signal3>&,
                            const ForcePlateGeometry&) {
    return {};
}
LoadCellGeometry LoadCellGeometry::wiiBalanceBoard() { return {}; }
CopResult copFromLoadCells(const Eigen::Ref<const Eigen::Matrix<double, Eigen::Dynamic, 4>>&,
                           const LoadCellGeometry&) {
    return {};
}
}  // namespace stance::analysis
