// STUB — to be replaced by the real implementation (sway_metrics.hpp).
#include "stance/analysis/sway_metrics.hpp"

namespace stance::analysis {
double fQuantile2(double, double) { return 0.0; }
Expected<PredictionEllipse> predictionEllipse95(const Eigen::Ref<const Signal2>&) {
    return fail(ErrorCode::kUndefined, "predictionEllipse95: not implemented");
}
void appendBdsMetrics(const UniformTrace&, MetricTable&) {}
void appendPrietoMetrics(const UniformTrace&, MetricTable&) {}
void appendAreaMetrics(const UniformTrace&, MetricTable&) {}
void appendCollinsDeLucaMetrics(const UniformTrace&, MetricTable&) {}
Expected<double> sampleEntropy(const Eigen::Ref<const Eigen::VectorXd>&, int, double) {
    return fail(ErrorCode::kUndefined, "sampleEntropy: not implemented");
}
Expected<double> dfaAlpha(const Eigen::Ref<const Eigen::VectorXd>&) {
    return fail(ErrorCode::kUndefined, "dfaAlpha: not implemented");
}
void appendComplexityMetrics(const UniformTrace&, MetricTable&) {}
}  // namespace stance::analysis
