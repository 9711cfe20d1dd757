// `stance catalog init|import|list`: the clinic catalog from the command line
// (datasets/catalog.hpp; docs/catalog.md).

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "stance/datasets/catalog_import.hpp"
#include "stance/datasets/sqlite_catalog.hpp"

namespace stance::cli {

namespace {

struct CatalogState {
    std::string catalog;
    std::string bundle;
    bool metrics = false;
    std::string pipeline = "clinical";
    std::string complexity = "on";
};

/// How the catalog should name a bundle: relative to the catalog's folder when it lies below it
/// (the pair can then be moved together), else absolute.
std::string dataPathFor(const std::filesystem::path& bundle, const std::filesystem::path& catalog) {
    const auto b = std::filesystem::weakly_canonical(bundle);
    const auto c = std::filesystem::weakly_canonical(catalog).parent_path();
    const auto rel = b.lexically_relative(c);
    if (!rel.empty() && *rel.begin() != "..")
        return rel.generic_string();
    return b.string();
}

int runInit(const CatalogState& s, Io io) {
    try {
        const auto c = datasets::openSqliteCatalog(s.catalog);
        nlohmann::ordered_json j;
        j["catalog"] = s.catalog;
        j["schema_version"] = c->schemaVersion();
        io.out << j.dump() << '\n';
        return kExitOk;
    } catch (const datasets::DatasetError& e) {
        io.err << "stance catalog: " << e.what() << '\n';
        return kExitFailure;
    }
}

int runImport(const CatalogState& s, Io io) {
    try {
        const datasets::BundleReader bundle(s.bundle);
        const auto c = datasets::openSqliteCatalog(s.catalog);
        datasets::RegisterOptions o;
        o.data_path = dataPathFor(s.bundle, s.catalog);
        if (s.metrics)
            o.compute_metrics = *analysis::parsePipeline(s.pipeline);
        o.metrics.include_complexity = s.complexity == "on";
        const auto r = datasets::registerBundle(*c, bundle, o);
        nlohmann::ordered_json j;
        j["catalog"] = s.catalog;
        j["bundle"] = s.bundle;
        j["data_path"] = o.data_path;
        j["patients_added"] = r.patients_added;
        j["sessions_added"] = r.sessions_added;
        j["trials_added"] = r.trials_added;
        j["trials_already_there"] = r.trials_already_there;
        if (s.metrics)
            j["metrics_failed"] = r.metrics_failed;
        io.out << j.dump() << '\n';
        return kExitOk;
    } catch (const datasets::DatasetError& e) {
        io.err << "stance catalog: " << e.what() << '\n';
        return kExitFailure;
    }
}

int runList(const CatalogState& s, Io io) {
    try {
        datasets::SqliteCatalogOptions co;
        co.create = false;
        co.read_only = true;
        const auto c = datasets::openSqliteCatalog(s.catalog, co);
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& p : c->patients()) {
            nlohmann::ordered_json jp;
            jp["subject_code"] = p.subject_code;
            jp["name"] = p.given_name + (p.family_name.empty() ? "" : " " + p.family_name);
            jp["sex"] = std::string(datasets::sexName(p.sex));
            nlohmann::ordered_json sessions = nlohmann::ordered_json::array();
            for (const auto& x : c->sessions(p.id)) {
                nlohmann::ordered_json js;
                // "start" as stored ("Z" when UTC); a local start has no start_utc, only the
                // clock it was read on.
                const std::string start = datasets::formatSessionStart(x);
                js["start"] = start;
                js["start_utc"] = x.time_zone.empty() ? nlohmann::ordered_json(start)
                                                      : nlohmann::ordered_json(nullptr);
                js["time_zone"] = x.time_zone.empty() ? nlohmann::ordered_json(nullptr)
                                                      : nlohmann::ordered_json(x.time_zone);
                js["protocol"] = x.protocol;
                nlohmann::ordered_json conditions = nlohmann::ordered_json::object();
                for (const auto& t : c->trials(x.id)) {
                    if (!conditions.contains(t.condition))
                        conditions[t.condition] = 0;
                    conditions[t.condition] = conditions[t.condition].get<int>() + 1;
                }
                js["trials"] = conditions;
                sessions.push_back(js);
            }
            jp["sessions"] = sessions;
            out.push_back(jp);
        }
        io.out << out.dump(1) << '\n';
        return kExitOk;
    } catch (const datasets::DatasetError& e) {
        io.err << "stance catalog: " << e.what() << '\n';
        return kExitFailure;
    }
}

}  // namespace

void addCatalogCommands(CLI::App& app, Io io, Commands& commands) {
    auto* cat = app.add_subcommand(
        "catalog",
        "The clinic catalog (SQLite): patients, sessions, trials, questionnaires, metrics. It "
        "holds identifying data: keep it on the clinic's machines. See docs/catalog.md.");
    cat->require_subcommand(1);

    auto si = std::make_shared<CatalogState>();
    auto* init = cat->add_subcommand("init", "Create a catalog or bring its schema up to date");
    init->add_option("--catalog", si->catalog, "Catalog file (clinic.db)")->required();
    commands.push_back({init, [si, io] { return runInit(*si, io); }});

    auto sm = std::make_shared<CatalogState>();
    auto* import = cat->add_subcommand(
        "import",
        "Register every subject, session and trial of a stance-hdf5 bundle (again: nothing "
        "twice); optionally compute and store their metrics");
    import->add_option("bundle", sm->bundle, "The bundle (.h5)")
        ->required()
        ->check(CLI::ExistingFile);
    import->add_option("--catalog", sm->catalog, "Catalog file (created if missing)")->required();
    import->add_flag("--metrics", sm->metrics, "Compute the full metric set and store it");
    import->add_option("--pipeline", sm->pipeline, "Preprocessing for --metrics")
        ->check(CLI::IsMember({"raw", "quijoux2021", "clinical"}))
        ->capture_default_str();
    import->add_option("--complexity", sm->complexity, "Sample entropy and DFA: on or off")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    commands.push_back({import, [sm, io] { return runImport(*sm, io); }});

    auto sl = std::make_shared<CatalogState>();
    auto* list = cat->add_subcommand(
        "list", "Patients with their sessions and trial counts per condition, as JSON");
    list->add_option("--catalog", sl->catalog, "Catalog file")
        ->required()
        ->check(CLI::ExistingFile);
    commands.push_back({list, [sl, io] { return runList(*sl, io); }});
}

}  // namespace stance::cli
