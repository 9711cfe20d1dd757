#pragma once
/// \file
/// Exporters: a selection of trials (by subject, condition, session date) of a stance-hdf5
/// bundle or of the catalog, written as a new bundle, a tidy metrics CSV, or signal CSVs.
/// De-identified by default (pseudonym.hpp): subject ids become keyed-hash pseudonyms, birth
/// dates become age at the session, names, contact fields, notes, operators, source file ids and
/// free subject attributes are dropped. IdentityMode::kIdentified keeps them, and every export
/// says which it is in its metadata. The exact rules and layouts: docs/exports.md.
///
/// Every export is all or nothing: it is built under a temporary name and renamed into place;
/// a selected trial whose data cannot be read stops the export with a DatasetError naming the
/// file and the trial, and nothing is written. Analysis failures of one trial (too short, NaN)
/// are not errors: its row says why in the `error` column.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "stance/analysis/metrics.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/datasets/catalog.hpp"
#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/pseudonym.hpp"

namespace stance::datasets {

/// Which trials to export. For a bundle, `subject_codes` holds subject ids (the group names);
/// sessions without a date are left out when a date bound is given.
using ExportFilter = CatalogFilter;

struct ExportOptions {
    IdentityMode identity = IdentityMode::kPseudonymised;
    /// Required unless identity is kIdentified (throws std::invalid_argument otherwise).
    std::optional<SiteSecret> secret;
    /// Metrics computed from signals (bundle trials, catalog trials without stored metrics of
    /// this pipeline).
    analysis::Pipeline pipeline = analysis::Pipeline::kClinical;
    analysis::MetricOptions metrics;
    /// Length unit of CSV values (metrics and COP): its name and the factor from SI for a
    /// length power; empty length_factor = SI ("m"). Bundles are always SI.
    std::string length_unit = "m";
    std::function<double(int length_power)> length_factor;
    bool overwrite = false;  ///< replace an existing output (still atomically)
    unsigned jobs = 0;       ///< threads computing metrics; 0 = one per core
};

struct ExportResult {
    std::vector<std::filesystem::path> files;  ///< what was written (output, metadata)
    std::size_t subjects = 0;
    std::size_t sessions = 0;
    std::size_t trials = 0;
    std::size_t composite_rows = 0;  ///< metrics CSV: condition means and Romberg quotients
    /// Trials whose metrics could not be computed ("<where>: <why>"); their rows are kept.
    std::vector<std::string> analysis_failures;
};

/// Tidy metrics CSV, one row per trial, then per subject and session the composites clinical
/// protocols use: `condition_mean` rows (the mean of a condition's complete repetitions) and
/// `romberg_quotient` rows (ec_<surface> mean / eo_<surface> mean, per metric). Columns and
/// rules: docs/exports.md. Metadata (identity, pseudonym key id, pipeline, algorithm version,
/// every column with its unit) goes to `<out>.json` beside it.
ExportResult exportMetricsCsv(const BundleReader& source, const ExportFilter& filter,
                              const ExportOptions& options, const std::filesystem::path& out);
/// From the catalog: stored metrics of options.pipeline where the trial has them, else computed
/// from the trial's HDF5 data.
ExportResult exportMetricsCsv(const Catalog& source, const ExportFilter& filter,
                              const ExportOptions& options, const std::filesystem::path& out);

/// A folder of one CSV per trial (time_s, cop_ml_<unit>, cop_ap_<unit>, then fx_N ... mz_Nm
/// when the trial has forces) and `manifest.json` (identity metadata, and per file its subject,
/// session, condition, repetition, status). The folder must not exist (unless overwrite).
ExportResult exportSignalsCsv(const BundleReader& source, const ExportFilter& filter,
                              const ExportOptions& options, const std::filesystem::path& out_dir);
ExportResult exportSignalsCsv(const Catalog& source, const ExportFilter& filter,
                              const ExportOptions& options, const std::filesystem::path& out_dir);

/// A new stance-hdf5 bundle holding the selected trials with all their signals, subjects and
/// sessions rewritten as the identity mode says. Each subject carries attributes `identity`
/// ("pseudonymised" or "identified") and, when pseudonymised, `pseudonym_key_id`.
ExportResult exportBundle(const BundleReader& source, const ExportFilter& filter,
                          const ExportOptions& options, const std::filesystem::path& out);
ExportResult exportBundle(const Catalog& source, const ExportFilter& filter,
                          const ExportOptions& options, const std::filesystem::path& out);

}  // namespace stance::datasets
