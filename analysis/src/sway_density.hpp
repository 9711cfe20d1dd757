#pragma once
// Private: the sway-density run counts (Baratto et al. 2002, as coded by Quijoux et al. 2021).

#include <Eigen/Core>

#include "stance/analysis/trace.hpp"

namespace stance::analysis::detail {

/// For each sample t < N - 1 of the path p: (last - first), where [first, last] is the longest
/// run of consecutive samples around t that all lie within `radius` of p[t] (squared distance
/// dx^2 + dy^2 <= radius^2, computed as written). Precondition: N >= 2, finite samples.
///
/// Equivalently last - first = f(t) - b(t) - 2, with f(t) the first sample after t and b(t) the
/// last sample before t farther than the radius. Both are found block by block: samples are
/// grouped in blocks of 8, and a pair of blocks whose bounding boxes lie entirely within the
/// radius of each other, or entirely beyond it, settles all 64 pairs at once, so one scan serves
/// the 8 centres of a block; the centres' box shrinks to those still unsettled, and a block that
/// straddles the radius is tested point by point for each of them (8 distances at once). The
/// box bounds are exact classifiers of the per-pair test: floating-point rounding is monotone,
/// so a bound computed from the box corners bounds every pair's computed distance.
/// O(N run / 64 + pairs near the radius) instead of O(N run).
Eigen::VectorXd swayDensityRuns(const Signal2& p, double radius);

}  // namespace stance::analysis::detail
