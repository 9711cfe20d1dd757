#pragma once
/// \file
/// Mean squared displacement (stabilogram diffusion) curves.

#include <Eigen/Core>

#include "stance/analysis/expected.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis {

/// MSD(k) = mean over n of (x[n+k] - x[n])^2 for k = 0 .. max_lag (MSD(0) = 0), computed
/// through an FFT autocorrelation and prefix sums of squares: O(N log N), not O(N * max_lag).
/// Relative error against the direct sum is below 1e-10 for COP-like signals.
/// Precondition: 0 <= max_lag < len(x).
Eigen::VectorXd msdCurve(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Index max_lag);

/// msdCurve() of both columns (ML, AP) for the cost of one: (max_lag + 1) x 2.
/// Precondition: 0 <= max_lag < xy.rows().
Signal2 msdCurves(const Eigen::Ref<const Signal2>& xy, Eigen::Index max_lag);

}  // namespace stance::analysis
