#include "stance/app/catalog_access.hpp"

#include <cstdlib>

#include "stance/app/errors.hpp"
#include "stance/datasets/pseudonym.hpp"
#include "stance/datasets/sqlite_catalog.hpp"

namespace stance::app {

namespace {

const char* env(const char* name) {
    const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up only
    return (v != nullptr && *v != '\0') ? v : nullptr;
}

}  // namespace

std::filesystem::path defaultCatalogPath() {
    if (const char* c = env("STANCE_CATALOG"))
        return c;
    if (const char* x = env("XDG_DATA_HOME"))
        return std::filesystem::path(x) / "stance" / "clinic.db";
    if (const char* h = env("HOME"))
        return std::filesystem::path(h) / ".local" / "share" / "stance" / "clinic.db";
    throw AppError("catalog",
                   "no catalog named and none of STANCE_CATALOG, XDG_DATA_HOME, HOME is set: "
                   "name one with --catalog");
}

std::unique_ptr<datasets::Catalog> openExistingCatalog(const std::filesystem::path& file,
                                                       bool read_only) {
    if (!std::filesystem::exists(file))
        throw datasets::CatalogError(file.string(), "no such catalog file");
    datasets::SqliteCatalogOptions o;
    o.create = false;
    o.read_only = read_only;
    return datasets::openSqliteCatalog(file, o);
}

std::filesystem::path resolveDataPath(const datasets::Catalog& catalog,
                                      const std::string& data_path) {
    const std::filesystem::path p(data_path);
    if (p.is_absolute())
        return p;
    return std::filesystem::path(catalog.location()).parent_path() / p;
}

std::chrono::year_month_day todayUtc() {
    return std::chrono::year_month_day(
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
}

std::optional<int> ageOn(const std::optional<std::chrono::year_month_day>& birth,
                         std::chrono::year_month_day on) {
    if (!birth)
        return std::nullopt;
    return datasets::ageInYears(*birth, on);
}

}  // namespace stance::app
