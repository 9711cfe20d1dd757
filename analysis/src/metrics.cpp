#include "stance/analysis/metrics.hpp"

#include "stance/analysis/sway_metrics.hpp"

namespace stance::analysis {

MetricTable computeAllMetrics(const UniformTrace& trace, const MetricOptions& options) {
    MetricTable table;
    table.reserve(128);
    appendQuijouxFeatures(trace, table, options.quijoux);
    appendBdsMetrics(trace, table);
    appendPrietoMetrics(trace, table);
    appendAreaMetrics(trace, table);
    appendCollinsDeLucaMetrics(trace, table);
    if (options.include_complexity) {
        appendComplexityMetrics(trace, table);
    }
    return table;
}

}  // namespace stance::analysis
