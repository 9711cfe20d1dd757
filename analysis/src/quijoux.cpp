// STUB — to be replaced by the real implementation (quijoux.hpp).
#include "stance/analysis/quijoux.hpp"

namespace stance::analysis {
void appendQuijouxFeatures(const UniformTrace&, MetricTable&, const QuijouxOptions&) {}
const std::vector<std::string>& quijouxFeatureNames() {
    static const std::vector<std::string> names;
    return names;
}
}  // namespace stance::analysis
