#pragma once
/// \file
/// Batch analysis: the full metric set (analysis::computeAllMetrics after analysis::preprocess)
/// over every trial of folders of trial text files and of stance-hdf5 bundles, in parallel,
/// resumable, shardable across machines. `stance batch` is its front end; docs/exports.md
/// documents the output and the sharding rule.

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/metrics.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_format.hpp"

namespace stance::datasets {

/// One trial to analyse and its identity. (input, trial) is unique within a batch and is what
/// resuming and sharding key on.
struct BatchTrial {
    /// The input file: its path relative to the folder given on the command line, prefixed by
    /// that folder's name ("data/BDS00001.txt"), or its file name when the file itself was
    /// given ("BDS00001.txt", "cohort.h5"). Independent of where the data are mounted.
    std::string input;
    /// The trial within the input: the file stem for a text trial ("BDS00001"), the trial's
    /// group for a bundle ("/subjects/s01/sessions/2015-10-08T08:30:00/trials/001").
    std::string trial;
    /// The identifier the source gave the trial: a bundle trial's `source_id` attribute (e.g.
    /// "BDS00001", "" when it has none), a text trial's file stem. Not part of the identity.
    std::string source_id;
    std::filesystem::path file;  ///< where to read it
    bool in_bundle = false;
    TrialRef ref;  ///< the trial in the bundle when in_bundle
};

/// Every trial under the inputs, sorted by (input, trial). A file is read as a trial text
/// file (readTrialText) or, with extension .h5 / .hdf5, as a bundle whose trials are listed. In
/// a folder, searched recursively (hidden entries skipped), only names a trial reader claims are
/// taken: `*.csv`, `BDS<digits>.txt`, `PDS*grf.txt`, `*.h5`, `*.hdf5`; other files (READMEs,
/// BDSinfo.txt) are left alone. Throws DatasetError naming the input when it does not exist or a
/// bundle cannot be opened, and when two inputs give the same identity.
std::vector<BatchTrial> discoverTrials(const std::vector<std::filesystem::path>& inputs);

/// `--shard I/N`: this process takes the trials whose shard is I (1 <= I <= N).
struct ShardSpec {
    unsigned index = 1;
    unsigned count = 1;
    /// Parses "I/N". Throws std::invalid_argument with a message naming the problem.
    static ShardSpec parse(std::string_view text);
};

/// The shard (1..count) of a trial: 1 + (the first 8 bytes of SHA-256(input, NUL, trial) read
/// as a big-endian integer) mod count. A function of the identity alone: the same on every
/// machine, whatever the order or the other inputs.
unsigned shardOf(std::string_view input, std::string_view trial, unsigned count) noexcept;

/// Progress as the batch goes: reported from the calling thread.
struct BatchProgress {
    std::size_t total = 0;  ///< trials this run analyses (in the shard, not already done)
    std::size_t done = 0;   ///< analysed so far, failed included
    std::size_t failed = 0;
    std::size_t written = 0;  ///< published to the output (at the last checkpoint)
    double elapsed_s = 0.0;
};

struct BatchFailure {
    std::string input;
    std::string trial;
    std::string reason;  ///< "<file>:<line>: <problem>" or the analysis error
};

struct BatchOptions {
    analysis::Pipeline pipeline = analysis::Pipeline::kClinical;
    analysis::MetricOptions metrics;  ///< include_complexity: see docs/exports.md for the default
    /// CSV only: the length unit's name written in the `length_unit` column and the factor
    /// from SI to it for a metric of a given length power (the CLI passes analyze's unitFactor).
    /// Empty length_factor: SI ("m"). HDF5 results are always SI, each metric with its unit.
    std::string length_unit = "m";
    std::function<double(int length_power)> length_factor;
    unsigned jobs = 0;  ///< worker threads; 0 = one per core
    ShardSpec shard;
    /// metrics.csv or metrics.h5 (by extension: .csv; .h5 or .hdf5).
    std::filesystem::path out;
    /// Least time between two checkpoints of the output; grows to 4x the last checkpoint's
    /// duration so that rewriting a large output never dominates.
    double checkpoint_interval_s = 2.0;
    /// Set (from a signal handler, say) to stop: running trials finish, the rest are left for
    /// the next run, the output is checkpointed.
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const BatchProgress&)> on_progress;  ///< about 10 times a second, and last
    std::function<void(const BatchFailure&)> on_failure;    ///< as failures are found, in order
};

struct BatchSummary {
    std::size_t discovered = 0;    ///< trials given
    std::size_t in_shard = 0;      ///< of those, in this shard
    std::size_t already_done = 0;  ///< in the shard and found in the output: skipped
    std::size_t analysed = 0;      ///< analysed and written by this run
    std::vector<BatchFailure> failures;
    bool cancelled = false;
    double elapsed_s = 0.0;
};

/// Runs the batch. Trials already in the output with the same pipeline, algorithm version and
/// length unit are skipped; failed trials are reported and not written (a later run retries
/// them). The output only ever changes by atomic replacement (write a temporary file, rename),
/// at checkpoints and at the end, so a crash or a kill leaves a valid file holding every trial
/// up to the last checkpoint. Throws DatasetError naming the output (and line) when it exists
/// but is not a batch output of the same kind: an unknown or missing column, a torn row, rows of
/// another pipeline, algorithm version or unit, a metric set that differs (complexity on/off);
/// and when another process holds the output's lock file (`<out>.lock`).
BatchSummary runBatch(const std::vector<BatchTrial>& trials, const BatchOptions& options);

/// The names of the metric columns for given options, in output order (analysis order).
std::vector<std::string> batchMetricNames(const analysis::MetricOptions& options);

}  // namespace stance::datasets
