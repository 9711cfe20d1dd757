#include "stance/app/app_export.hpp"

#include <algorithm>
#include <cmath>

#include "stance/app/errors.hpp"
#include "stance/datasets/pseudonym.hpp"

namespace stance::app {

namespace ds = stance::datasets;

ds::ExportResult exportFromCatalog(const ds::Catalog& catalog, const ExportRequest& request) {
    const std::string ext = request.out.extension().string();
    if (request.out.empty())
        throw AppError("export", "no output named");
    if (request.kind == ExportKind::kBundle && ext != ".h5" && ext != ".hdf5")
        throw AppError(request.out.string(), "a bundle export must be named .h5");
    if (request.kind == ExportKind::kMetricsCsv && ext != ".csv")
        throw AppError(request.out.string(), "a metrics export must be named .csv");
    if (request.length_unit != "mm" && request.length_unit != "cm" && request.length_unit != "m")
        throw AppError("export", "length unit '" + request.length_unit + "' is not mm, cm or m");

    ds::ExportFilter filter;
    for (ds::CatalogId id : request.patients) {
        const auto p = catalog.patient(id);
        if (!p)
            throw AppError("patient " + std::to_string(id),
                           "no such patient in " + catalog.location());
        filter.subject_codes.push_back(p->subject_code);
    }
    if (request.session_id != 0) {
        const auto s = catalog.session(request.session_id);
        if (!s)
            throw AppError("session " + std::to_string(request.session_id),
                           "no such session in " + catalog.location());
        const auto p = catalog.patient(s->patient_id);
        if (!p)
            throw AppError("session " + std::to_string(request.session_id),
                           "its patient is missing from " + catalog.location());
        if (!filter.subject_codes.empty() &&
            std::find(filter.subject_codes.begin(), filter.subject_codes.end(), p->subject_code) ==
                filter.subject_codes.end())
            throw AppError("session " + std::to_string(request.session_id),
                           "belongs to none of the selected patients");
        filter.subject_codes = {p->subject_code};
        // The exporters select by session date: this session's day (a second session of the
        // same patient on the same day is exported with it).
        const std::chrono::year_month_day day(std::chrono::floor<std::chrono::days>(s->start_utc));
        filter.from_date = day;
        filter.to_date = day;
    }
    if (catalog.patients().empty())
        throw AppError(catalog.location(), "the catalog has no patients: nothing to export");

    ds::ExportOptions o;
    o.identity =
        request.identified ? ds::IdentityMode::kIdentified : ds::IdentityMode::kPseudonymised;
    if (!request.identified) {
        const auto file =
            request.secret_file.empty() ? ds::defaultSiteSecretPath() : request.secret_file;
        o.secret = ds::SiteSecret::loadOrCreate(file);
    }
    o.pipeline = analysis::Pipeline::kClinical;
    // Sample entropy is O(N^2): the app's exports leave the complexity metrics to `stance export`.
    o.metrics.include_complexity = false;
    o.overwrite = request.overwrite;
    o.length_unit = request.length_unit;
    const double per_metre =
        request.length_unit == "mm" ? 1000.0 : (request.length_unit == "cm" ? 100.0 : 1.0);
    o.length_factor = [per_metre](int power) { return std::pow(per_metre, power); };
    switch (request.kind) {
        case ExportKind::kBundle:
            return ds::exportBundle(catalog, filter, o, request.out);
        case ExportKind::kMetricsCsv:
            return ds::exportMetricsCsv(catalog, filter, o, request.out);
        case ExportKind::kSignalsCsv:
            break;
    }
    return ds::exportSignalsCsv(catalog, filter, o, request.out);
}

}  // namespace stance::app
