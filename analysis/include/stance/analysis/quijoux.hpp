#pragma once
/// \file
/// The 72 features of the open-access code of Quijoux et al. 2021, under exactly its names.
///
/// Source: Quijoux F, Nicolaï A, Chairi I, et al. "A review of center of pressure (COP)
/// variables to quantify standing balance in elderly people: algorithms and open-access code",
/// Physiological Reports 9(22):e15067 (2021); code github Jythen/code_descriptors_postural_control
/// commit c66a0e4 (MIT). Definitions as in docs/metrics.md; each function's comment gives the
/// exact variant (N vs N-1 divisors, band edges, fits).

#include <string>
#include <vector>

#include "stance/analysis/expected.hpp"
#include "stance/analysis/metric_table.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis {

struct QuijouxOptions {
    double sway_density_radius_m = 0.003;  ///< the code's default 0.3 cm
    double psd_band_lo_hz = 0.15;
    double psd_band_hi_hz = 5.0;
    double welch_segment_s = 10.0;  ///< nperseg = segment * fs, 50 % overlap, nfft = N
    double sda_breakpoint_min_s = 0.3;
    double sda_breakpoint_max_s = 2.5;
    double msd_max_lag_fraction = 1.0 / 3.0;
};

/// Appends the 72 Quijoux features of `trace` (already preprocessed; trace.removed_mean_m is
/// reported as mean_value_*). Metrics whose input is too short or degenerate are added as
/// errors with the reason. Order: positional, dynamic, frequency, stochastic, as the code
/// lists them.
void appendQuijouxFeatures(const UniformTrace& trace, MetricTable& out,
                           const QuijouxOptions& options = {});

/// Names of the 72 features, in output order (for CSV headers and tests).
const std::vector<std::string>& quijouxFeatureNames();

}  // namespace stance::analysis
