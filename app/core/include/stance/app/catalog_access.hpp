#pragma once
/// \file
/// Where the front ends find the clinic catalog and the recordings it names.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "stance/datasets/catalog.hpp"

namespace stance::app {

/// The catalog used when the user names none: $STANCE_CATALOG if set, else
/// $XDG_DATA_HOME/stance/clinic.db, else $HOME/.local/share/stance/clinic.db. Throws AppError
/// when none of these variables is set.
std::filesystem::path defaultCatalogPath();

/// Opens an existing SQLite catalog (never creates one). Throws datasets::CatalogError naming the
/// file when it is missing, damaged, not a catalog or of a newer schema.
std::unique_ptr<datasets::Catalog> openExistingCatalog(const std::filesystem::path& file,
                                                       bool read_only = false);

/// The HDF5 file of a trial as the catalog stores it: absolute paths as they are, relative ones
/// against the folder of the catalog file (Catalog::location()), as the exporters do.
std::filesystem::path resolveDataPath(const datasets::Catalog& catalog,
                                      const std::string& data_path);

/// Today's date in UTC (the reference for ages on screen and in forms).
std::chrono::year_month_day todayUtc();

/// Completed years at `on`; nothing when the birth date is unknown or after `on`.
std::optional<int> ageOn(const std::optional<std::chrono::year_month_day>& birth,
                         std::chrono::year_month_day on);

}  // namespace stance::app
