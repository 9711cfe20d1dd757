#pragma once
/// \file
/// The full metric set of a trial, in one call.

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
/// complexity. Reentrant; no global state.
MetricTable computeAllMetrics(const UniformTrace& trace, const MetricOptions& options = {});

}  // namespace stance::analysis
