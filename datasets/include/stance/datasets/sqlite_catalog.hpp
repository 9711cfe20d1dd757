#pragma once
/// \file
/// The embedded catalog backend: one SQLite file in WAL mode with foreign keys on, upgraded by
/// versioned migrations recorded in a schema_version table (docs/catalog.md).

#include <filesystem>
#include <memory>

#include "stance/datasets/catalog.hpp"

namespace stance::datasets {

struct SqliteCatalogOptions {
    /// Create the file (and apply migrations) when it does not exist.
    bool create = true;
    /// Open read-only: no migrations, every write throws CatalogError.
    bool read_only = false;
    /// How long a writer waits for another writer's transaction before giving up, ms. Readers
    /// never wait (WAL).
    int busy_timeout_ms = 5000;
    /// Run SQLite's quick_check when opening (linear in the file size; a few ms for a clinic's
    /// catalog) so that a damaged file is reported at once rather than at some later query.
    bool check_on_open = true;
};

/// SQLite application_id of a Stance catalog ("STNC"), set in the file header so that other
/// programs' SQLite files are recognised as foreign.
inline constexpr std::int32_t kCatalogApplicationId = 0x53544e43;

/// Latest schema version this build knows.
int sqliteCatalogSchemaVersion() noexcept;

/// Opens (or creates) a catalog file and brings its schema up to date, each migration in its own
/// transaction. Throws CatalogError naming the file when it is not an SQLite database, belongs
/// to another application, has tables but no schema_version, has a newer schema than this build,
/// fails its quick check, or cannot be opened or locked.
std::unique_ptr<Catalog> openSqliteCatalog(const std::filesystem::path& file,
                                           const SqliteCatalogOptions& options = {});

}  // namespace stance::datasets
