// STUB — to be replaced by the real implementation (resample.hpp).
#include "stance/analysis/resample.hpp"

namespace stance::analysis {
Expected<SwariiResult> swarii(const Eigen::Ref<const Eigen::VectorXd>&, const Eigen::Ref<const Signal2>&,
                              const SwariiOptions&) {
    return fail(ErrorCode::kUndefined, "swarii: not implemented");
}
Expected<Signal2> resampleLinear(const Eigen::Ref<const Eigen::VectorXd>&, const Eigen::Ref<const Signal2>&,
                                 double) {
    return fail(ErrorCode::kUndefined, "resampleLinear: not implemented");
}
}  // namespace stance::analysis
