#pragma once
/// \file
/// The full metric set of a trial, in one call.

#include <cstddef>

#include "stance/analysis/metric_table.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/analysis/quijoux.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis {

/// Version of the metric algorithms; bumped whenever any value may change.
inline constexpr const char* kAlgorithmVersion = "1.0.0";

struct MetricOptions {
    QuijouxOptions quijoux;
    bool include_complexity = true;  ///< sample entropy is O(N^2); batch jobs may skip it
};

/// Every metric of the set on an already preprocessed trace, in a stable order: the 72 Quijoux
/// features, then the Santos & Duarte 2016 values, Prieto variants, areas, Collins & De Luca,
/// complexity. Reentrant; no global state beyond the calling thread's scratch memory (below).
MetricTable computeAllMetrics(const UniformTrace& trace, const MetricOptions& options = {});

/// Scratch memory. The metric set's working arrays (FFT and Welch buffers, MSD prefix sums,
/// sway-density runs, filter extensions: about 85 bytes per sample) come from a per-thread arena
/// that keeps them between calls, so a thread analysing trial after trial does not hand them
/// back to the allocator and fault them in again each time. At most 32 MiB is kept; a longer
/// trial's arena is released when its call ends.
/// Bytes the calling thread's arena holds now.
std::size_t threadScratchBytes() noexcept;
/// Returns the calling thread's arena to the allocator (e.g. a long-lived thread going idle).
void releaseThreadScratch() noexcept;

}  // namespace stance::analysis
