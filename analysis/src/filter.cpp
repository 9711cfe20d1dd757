// STUB — to be replaced by the real implementation (filter.hpp).
#include "stance/analysis/filter.hpp"

namespace stance::analysis {
Expected<IirCoefficients> butterworthLowpass(int, double, double) {
    return fail(ErrorCode::kUndefined, "butterworthLowpass: not implemented");
}
Eigen::VectorXd lfilterZi(const IirCoefficients&) { return {}; }
void lfilter(const IirCoefficients&, const double*, double*, Eigen::Index, double*) {}
Expected<Eigen::MatrixXd> filtfilt(const IirCoefficients&, const Eigen::Ref<const Eigen::MatrixXd>&) {
    return fail(ErrorCode::kUndefined, "filtfilt: not implemented");
}
void removeMean(Eigen::Ref<Eigen::MatrixXd>) {}
void detrendLinear(Eigen::Ref<Eigen::MatrixXd>) {}
}  // namespace stance::analysis
