#pragma once
/// \file
/// Resampling of irregularly or differently sampled COP onto a uniform grid.

#include <Eigen/Core>

#include "stance/analysis/expected.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis {

/// SWARII parameters. Defaults are those of the reference code of Audiffren & Contal 2016
/// ("Preprocessed and resampled data from the Wii Balance Board", Sensors 16(9):1465) as used by
/// Quijoux et al. 2021: window 0.08 s (minus 1e-6), 25 Hz, artefact purge thresholds 2 cm / 0.5 cm.
struct SwariiOptions {
    double target_fs_hz = 25.0;
    double window_s = 0.08 - 1e-6;
    double spike_jump_m = 0.02;     ///< L1 jump from the last kept sample that marks a spike
    double spike_return_m = 0.005;  ///< L1 distance within which the signal must come back
    double skip_before_s = 0.1;     ///< samples with t < this are dropped by the purge
};

struct SwariiResult {
    Signal2 xy_m;                      ///< resampled COP, metres
    double fs_hz = 0.0;                ///< = options.target_fs_hz
    double t0_s = 0.0;                 ///< time of the first output sample (first kept input time)
    Eigen::Index n_artefacts = 0;      ///< isolated spikes dropped by the purge
    Eigen::Index n_empty_windows = 0;  ///< grid points with no input sample (linearly interpolated)
};

/// Sliding Windows Weighted Averaged Interpolation (Audiffren & Contal 2016), exactly as the
/// reference code does it: purge_artefact (drops the first and last samples, samples with
/// t < skip_before_s and isolated spikes), grid from the first kept time stepping 1/fs by
/// repeated addition while t < last kept time, Voronoi-weighted window averages, linear
/// interpolation of empty windows. Errors: fewer than 4 samples, non-increasing time.
Expected<SwariiResult> swarii(const Eigen::Ref<const Eigen::VectorXd>& t_s,
                              const Eigen::Ref<const Signal2>& xy_m,
                              const SwariiOptions& options = {});

/// Linear interpolation onto t0 + k / target_fs for t0 + k / target_fs <= t_last.
/// Errors: fewer than 2 samples, non-increasing time, target_fs <= 0.
Expected<Signal2> resampleLinear(const Eigen::Ref<const Eigen::VectorXd>& t_s,
                                 const Eigen::Ref<const Signal2>& xy_m, double target_fs_hz);

}  // namespace stance::analysis
