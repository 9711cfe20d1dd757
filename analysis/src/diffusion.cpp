// STUB — to be replaced by the real implementation (diffusion.hpp).
#include "stance/analysis/diffusion.hpp"

namespace stance::analysis {
Eigen::VectorXd msdCurve(const Eigen::Ref<const Eigen::VectorXd>&, Eigen::Index max_lag) {
    return Eigen::VectorXd::Zero(max_lag + 1);
}
}  // namespace stance::analysis
