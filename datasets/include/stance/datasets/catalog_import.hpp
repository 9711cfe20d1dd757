#pragma once
/// \file
/// Registering the trials of a stance-hdf5 bundle in the catalog (`stance catalog import`), so
/// that recordings made or imported elsewhere can be selected, exported and charted like the
/// clinic's own.

#include <cstddef>
#include <optional>
#include <string>

#include "stance/analysis/metrics.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/datasets/catalog.hpp"
#include "stance/datasets/h5_reader.hpp"

namespace stance::datasets {

struct RegisterOptions {
    /// What trials.data_path will hold: the bundle's path as the catalog should find it
    /// (relative paths are resolved against the catalog file's folder by the exporters).
    std::string data_path;
    /// When set, compute the full metric set of each new trial with this pipeline and store it.
    std::optional<analysis::Pipeline> compute_metrics;
    analysis::MetricOptions metrics;
};

struct RegisterSummary {
    std::size_t patients_added = 0;
    std::size_t sessions_added = 0;
    std::size_t trials_added = 0;
    std::size_t trials_already_there = 0;  ///< same data_path and group: left as they were
    std::size_t metrics_failed = 0;        ///< trials whose metrics could not be computed
};

/// Adds the bundle's subjects as patients (subject code = subject id; sex, height, mass; no
/// identity is invented), its sessions (matched by patient and start time) and its trials (with
/// data_path and their group; repetitions numbered per session and condition), all in one
/// transaction: on any error nothing is added. Running it twice adds nothing the second time.
/// Throws CatalogError (the catalog's problems, an undated session: the catalog needs a start
/// time) or DatasetError (the bundle's).
RegisterSummary registerBundle(Catalog& catalog, const BundleReader& bundle,
                               const RegisterOptions& options);

}  // namespace stance::datasets
