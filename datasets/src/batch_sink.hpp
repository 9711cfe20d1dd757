#pragma once
// Outputs of the batch engine: metrics.csv and metrics.h5. Private to datasets/.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stance/analysis/metric_table.hpp"
#include "stance/datasets/batch.hpp"

namespace stance::datasets::detail {

/// The metric set for given options: names and units in output order (the analysis order).
/// It does not depend on the data: a metric that cannot be computed is still listed.
std::vector<std::pair<std::string, analysis::MetricUnit>> metricColumns(
    const analysis::MetricOptions& options);

/// What a worker hands back for one trial.
struct TrialOutcome {
    std::string error;  ///< empty on success
    double fs_hz = 0.0;
    long long n_samples = 0;
    analysis::MetricTable metrics;
};

/// An output being resumed and extended. Used from the batch's calling thread only.
class BatchSink {
public:
    BatchSink() = default;
    BatchSink(const BatchSink&) = delete;
    BatchSink& operator=(const BatchSink&) = delete;
    virtual ~BatchSink() = default;

    /// True when the output already holds this trial (with the same pipeline, version, unit).
    virtual bool contains(const std::string& input, const std::string& trial) const = 0;
    /// Queues a trial's results for the next checkpoint. Returns "" or why it cannot be written
    /// (a metric set that differs from the output's columns).
    virtual std::string add(const BatchTrial& t, const TrialOutcome& r) = 0;
    virtual bool hasPending() const = 0;
    /// Publishes everything queued, atomically. Throws DatasetError naming the output.
    virtual void checkpoint() = 0;
};

/// Opens the output named by options.out (created at the first checkpoint when missing),
/// validating an existing one. `metric_names` are the columns this run writes.
std::unique_ptr<BatchSink> openBatchSink(const BatchOptions& options,
                                         std::vector<std::string> metric_names);

}  // namespace stance::datasets::detail
