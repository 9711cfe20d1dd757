#include "stance/analysis/metrics.hpp"

#include <algorithm>

#include "finite.hpp"
#include "shared_terms.hpp"
#include "stance/analysis/diffusion.hpp"
#include "stance/analysis/geometry.hpp"
#include "stance/analysis/sway_metrics.hpp"

namespace stance::analysis {

Eigen::Index detail::sharedMsdMaxLag(Eigen::Index n, double fs_hz, const QuijouxOptions& options) {
    return std::max(quijouxMaxLag(n, options), collinsDeLucaMaxLag(n, fs_hz));
}

MetricTable computeAllMetrics(const UniformTrace& trace, const MetricOptions& options) {
    MetricTable table;
    table.reserve(128);
    // The MSD curves and the hull serve several families: computed once here. On a trace the
    // families reject (empty, NaN, no rate) nothing is precomputed and each reports its error.
    const Signal2& p = trace.xy_m;
    const Eigen::Index n = p.rows();
    detail::SharedTerms shared;
    Signal2 msd;
    std::vector<Eigen::Vector2d> hull;
    if (n >= 3 && trace.fs_hz > 0.0 && detail::allFinite(p)) {
        const Eigen::Index max_lag = detail::sharedMsdMaxLag(n, trace.fs_hz, options.quijoux);
        if (max_lag >= 1 && max_lag < n) {
            msd = msdCurves(p, max_lag);
            shared.msd = &msd;
        }
        hull = convexHull(p);
        shared.hull = &hull;
    }
    detail::appendQuijouxFeatures(trace, table, options.quijoux, shared);
    appendBdsMetrics(trace, table);
    detail::appendPrietoMetrics(trace, table, shared);
    detail::appendAreaMetrics(trace, table, shared);
    detail::appendCollinsDeLucaMetrics(trace, table, shared);
    if (options.include_complexity) {
        appendComplexityMetrics(trace, table);
    }
    return table;
}

}  // namespace stance::analysis
