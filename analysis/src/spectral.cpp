// STUB — to be replaced by the real implementation (spectral.hpp).
#include "stance/analysis/spectral.hpp"

namespace stance::analysis {
Expected<Psd> welch(const Eigen::Ref<const Eigen::VectorXd>&, double, const WelchOptions&) {
    return fail(ErrorCode::kUndefined, "welch: not implemented");
}
Expected<Psd> welchBand(const Eigen::Ref<const Eigen::VectorXd>&, double, const WelchOptions&, double,
                        double) {
    return fail(ErrorCode::kUndefined, "welchBand: not implemented");
}
}  // namespace stance::analysis
