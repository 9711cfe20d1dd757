#pragma once
/// \file
/// Export from the app: a patient's (or one session's) trials from the catalog as a stance-hdf5
/// bundle, a metrics CSV or signal CSVs, through the datasets exporters (datasets/export.hpp;
/// docs/exports.md). De-identified by default: pseudonyms from the site secret, age instead of
/// birth date, no names or contact fields; identified only when the request says so explicitly.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "stance/datasets/catalog.hpp"
#include "stance/datasets/export.hpp"

namespace stance::app {

enum class ExportKind {
    kBundle,      ///< one .h5 file
    kMetricsCsv,  ///< one .csv (+ .json metadata)
    kSignalsCsv,  ///< a new folder of CSVs + manifest.json
};

struct ExportRequest {
    ExportKind kind = ExportKind::kBundle;
    std::filesystem::path out;
    /// Patients to export (catalog ids); empty = every patient.
    std::vector<datasets::CatalogId> patients;
    /// Only this session (its patient and date); 0 = every session of the patients.
    datasets::CatalogId session_id = 0;
    /// Keep names, subject codes and birth dates. Off unless the user ticks it explicitly.
    bool identified = false;
    /// Site secret for pseudonyms; empty = datasets::defaultSiteSecretPath().
    std::filesystem::path secret_file;
    bool overwrite = false;
    std::string length_unit = "mm";  ///< CSV lengths: "mm", "cm" or "m"
};

/// Runs the export. Throws AppError for a bad request (wrong extension: .h5 for bundles, .csv
/// for metrics; unknown patient or session; nothing selected), datasets::DatasetError for the
/// exporter's problems (unwritable output, unreadable recordings); nothing is half-written.
datasets::ExportResult exportFromCatalog(const datasets::Catalog& catalog,
                                         const ExportRequest& request);

}  // namespace stance::app
