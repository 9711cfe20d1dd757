#pragma once
/// \file
/// Named preprocessing pipelines: what happens to a COP recording before any metric.

#include <optional>
#include <string>
#include <string_view>

#include "stance/analysis/expected.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis {

enum class Pipeline {
    /// Mean removed, nothing else; native rate (the recording must be uniformly sampled).
    kRaw,
    /// Exactly the default of the Quijoux et al. 2021 code (Physiol Rep 9(22):e15067, commit
    /// c66a0e4): time regenerated as n/fs, mean removed, SWARII to 25 Hz, 4th-order Butterworth
    /// low-pass 10 Hz with filtfilt; not re-centred afterwards.
    kQuijoux2021,
    /// Stance's clinical default (docs/metrics.md): mean removed, resampled to 100 Hz
    /// (linear for uniform input at another rate, SWARII for irregular input), 4th-order
    /// zero-phase Butterworth low-pass at 10 Hz, mean removed again.
    kClinical,
};

std::string_view pipelineName(Pipeline p) noexcept;
std::optional<Pipeline> parsePipeline(std::string_view name) noexcept;

/// What the pipeline did, for provenance in outputs.
struct PipelineReport {
    Pipeline pipeline = Pipeline::kRaw;
    double input_fs_hz = 0.0;
    Eigen::Index input_samples = 0;
    Eigen::Index artefacts_removed = 0;
    Eigen::Index empty_windows = 0;
};

/// Relative tolerance on sample intervals for a recording to count as uniformly sampled.
inline constexpr double kUniformTolerance = 1e-3;

/// Sampling rate of a uniformly sampled recording: nominal_fs_hz when set and consistent with
/// the timestamps, else 1 / median interval rounded to 1e-6 Hz. Errors: fewer than 2 samples,
/// non-increasing or non-uniform timestamps (the message names the first offending sample).
Expected<double> uniformRate(const CopRecording& rec);

/// Run a pipeline. Errors: empty input, NaN/inf samples (the first one is named), non-uniform
/// timestamps for kRaw and kQuijoux2021, too few samples for the filter.
Expected<UniformTrace> preprocess(const CopRecording& rec, Pipeline pipeline,
                                  PipelineReport* report = nullptr);

}  // namespace stance::analysis
