// STUB — to be replaced by the real implementation (geometry.hpp).
#include "stance/analysis/geometry.hpp"

namespace stance::analysis {
std::vector<Eigen::Vector2d> convexHull(const Eigen::Ref<const Signal2>&) { return {}; }
double polygonArea(const std::vector<Eigen::Vector2d>&) { return 0.0; }
double planarRange(const Eigen::Ref<const Signal2>&) { return 0.0; }
}  // namespace stance::analysis
