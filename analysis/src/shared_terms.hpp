#pragma once
// Private: quantities several metric families need (the MSD curves of both axes, the convex hull
// of the path). computeAllMetrics computes each once per trace and hands them to every family; a
// family called on its own (the public append* functions) computes what it needs itself.

#include <Eigen/Core>
#include <vector>

#include "stance/analysis/metric_table.hpp"
#include "stance/analysis/quijoux.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis::detail {

struct SharedTerms {
    /// MSD of both axes for lags 0 .. rows-1 (msdCurves); null when not precomputed.
    const Signal2* msd = nullptr;
    /// Convex hull of the path (convexHull); null when not precomputed.
    const std::vector<Eigen::Vector2d>* hull = nullptr;
};

void appendQuijouxFeatures(const UniformTrace& trace, MetricTable& out,
                           const QuijouxOptions& options, const SharedTerms& shared);
void appendPrietoMetrics(const UniformTrace& trace, MetricTable& out, const SharedTerms& shared);
void appendAreaMetrics(const UniformTrace& trace, MetricTable& out, const SharedTerms& shared);
void appendCollinsDeLucaMetrics(const UniformTrace& trace, MetricTable& out,
                                const SharedTerms& shared);

/// The largest MSD lag any family asks for on an n-sample trace at fs_hz.
Eigen::Index sharedMsdMaxLag(Eigen::Index n, double fs_hz, const QuijouxOptions& options);

/// Largest MSD lag Collins & De Luca use: min(n / 3, floor(10 s * fs)).
Eigen::Index collinsDeLucaMaxLag(Eigen::Index n, double fs_hz);

/// Largest MSD lag the Quijoux stabilogram diffusion uses: int(n * msd_max_lag_fraction).
Eigen::Index quijouxMaxLag(Eigen::Index n, const QuijouxOptions& options);

}  // namespace stance::analysis::detail
