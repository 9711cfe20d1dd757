// `stance export metrics|signals|bundle`: a selection of a bundle or of the catalog, written
// de-identified unless --identified (datasets/export.hpp; docs/exports.md).

#include "stance/datasets/export.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "analyze.hpp"
#include "command.hpp"
#include "stance/datasets/sqlite_catalog.hpp"

namespace stance::cli {

namespace {

struct ExportState {
    std::string from;
    std::string out;
    std::vector<std::string> subjects;
    std::vector<std::string> conditions;
    std::string since, until;
    bool identified = false;
    std::string secret;
    std::string pipeline = "clinical";
    std::string units = "mm";
    std::string complexity = "on";
    bool overwrite = false;
    unsigned jobs = 0;
};

enum class Kind { kMetrics, kSignals, kBundle };

bool isBundle(const std::string& path) {
    const auto ext = std::filesystem::path(path).extension();
    return ext == ".h5" || ext == ".hdf5";
}

int runExport(const ExportState& s, Kind kind, Io io) {
    datasets::ExportFilter filter;
    filter.subject_codes = s.subjects;
    filter.conditions = s.conditions;
    for (const auto& [text, target, name] : {std::tuple{&s.since, &filter.from_date, "--since"},
                                             std::tuple{&s.until, &filter.to_date, "--until"}}) {
        if (text->empty())
            continue;
        const auto d = datasets::parseIsoDate(*text);
        if (!d) {
            io.err << "stance export: " << name << " '" << *text
                   << "' is not a date (YYYY-MM-DD)\n";
            return kExitUsage;
        }
        *target = *d;
    }
    const std::string ext = std::filesystem::path(s.out).extension().string();
    if (kind == Kind::kMetrics && ext != ".csv") {
        io.err << "stance export metrics: --out " << s.out << ": name it .csv\n";
        return kExitUsage;
    }
    if (kind == Kind::kBundle && !isBundle(s.out)) {
        io.err << "stance export bundle: --out " << s.out << ": name it .h5\n";
        return kExitUsage;
    }

    datasets::ExportOptions o;
    o.identity =
        s.identified ? datasets::IdentityMode::kIdentified : datasets::IdentityMode::kPseudonymised;
    o.pipeline = *analysis::parsePipeline(s.pipeline);
    o.metrics.include_complexity = s.complexity == "on";
    o.overwrite = s.overwrite;
    o.jobs = s.jobs;
    const std::string unit = s.units;
    o.length_unit = unit;
    o.length_factor = [unit](int power) { return unitFactor(unit, power); };

    try {
        if (!s.identified) {
            const auto file = s.secret.empty() ? datasets::defaultSiteSecretPath()
                                               : std::filesystem::path(s.secret);
            o.secret = datasets::SiteSecret::loadOrCreate(file);
        }
        datasets::ExportResult r;
        const auto run = [&](const auto& source) {
            switch (kind) {
                case Kind::kMetrics:
                    return datasets::exportMetricsCsv(source, filter, o, s.out);
                case Kind::kSignals:
                    return datasets::exportSignalsCsv(source, filter, o, s.out);
                case Kind::kBundle:
                    break;
            }
            return datasets::exportBundle(source, filter, o, s.out);
        };
        if (isBundle(s.from)) {
            const datasets::BundleReader reader(s.from);
            r = run(reader);
        } else {
            datasets::SqliteCatalogOptions co;
            co.create = false;
            co.read_only = true;
            const auto catalog = datasets::openSqliteCatalog(s.from, co);
            r = run(*catalog);
        }
        for (const auto& f : r.analysis_failures)
            io.err << "stance export: no metrics for " << f << '\n';
        nlohmann::ordered_json j;
        j["out"] = s.out;
        j["identity"] = std::string(datasets::identityModeName(o.identity));
        if (o.secret)
            j["pseudonym_key_id"] = o.secret->keyId();
        j["subjects"] = r.subjects;
        j["sessions"] = r.sessions;
        j["trials"] = r.trials;
        if (kind == Kind::kMetrics) {
            j["composite_rows"] = r.composite_rows;
            j["trials_without_metrics"] = r.analysis_failures.size();
        }
        nlohmann::ordered_json files = nlohmann::ordered_json::array();
        for (const auto& f : r.files)
            files.push_back(f.string());
        j["files"] = files;
        io.out << j.dump() << '\n';
        if (r.trials == 0)
            io.err << "stance export: the selection is empty: nothing but metadata was written\n";
        return kExitOk;
    } catch (const datasets::DatasetError& e) {
        io.err << "stance export: " << e.what() << '\n';
        return kExitFailure;
    }
}

void addCommonOptions(CLI::App* cmd, ExportState& s) {
    cmd->add_option("--from", s.from, "A stance-hdf5 bundle (.h5) or a catalog (.db)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--subject", s.subjects,
                    "Only this subject (bundle subject id or catalog subject code); repeatable");
    cmd->add_option("--condition", s.conditions, "Only this condition (eo_firm...); repeatable");
    cmd->add_option("--since", s.since,
                    "Sessions on or after this date (YYYY-MM-DD: the start's UTC date, or the "
                    "site's date for a start in local time)");
    cmd->add_option("--until", s.until, "Sessions on or before this date (YYYY-MM-DD, as --since)");
    cmd->add_flag("--identified", s.identified,
                  "Keep identity (subject codes, names, birth dates, operators): only for uses "
                  "that are allowed to see it; the metadata says so");
    cmd->add_option("--secret", s.secret,
                    "Site secret file for pseudonyms (default: $STANCE_SITE_SECRET, else "
                    "~/.config/stance/site_secret; created 0600 on first use)");
    cmd->add_flag("--overwrite", s.overwrite, "Replace an existing output (atomically)");
}

void addMetricOptions(CLI::App* cmd, ExportState& s) {
    cmd->add_option("--pipeline", s.pipeline, "Preprocessing: raw, quijoux2021 or clinical")
        ->check(CLI::IsMember({"raw", "quijoux2021", "clinical"}))
        ->capture_default_str();
    cmd->add_option("--complexity", s.complexity, "Sample entropy and DFA: on or off")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    cmd->add_option("--jobs", s.jobs, "Threads computing metrics (default: one per core)");
}

}  // namespace

void addExportCommands(CLI::App& app, Io io, Commands& commands) {
    auto* exp = app.add_subcommand(
        "export",
        "Export a selection (by subject, condition, session date) of a bundle or of the catalog "
        "as a metrics CSV, signal CSVs or a new bundle. De-identified by default: subject ids "
        "become keyed-hash pseudonyms, birth dates become age, names and contact fields are "
        "dropped. See docs/exports.md.");
    exp->require_subcommand(1);

    auto m = std::make_shared<ExportState>();
    auto* metrics = exp->add_subcommand(
        "metrics",
        "Tidy metrics CSV: one row per trial, then per session the mean of each condition's "
        "complete repetitions and the Romberg quotients (ec/eo); metadata in <out>.json");
    addCommonOptions(metrics, *m);
    addMetricOptions(metrics, *m);
    metrics->add_option("--units", m->units, "Length unit: mm, cm or m")
        ->check(CLI::IsMember({"mm", "cm", "m"}))
        ->capture_default_str();
    metrics->add_option("--out", m->out, "metrics.csv")->required();
    commands.push_back({metrics, [m, io] { return runExport(*m, Kind::kMetrics, io); }});

    auto sg = std::make_shared<ExportState>();
    auto* signals = exp->add_subcommand(
        "signals", "One CSV per trial (time, COP, forces, IMU) and manifest.json, in a new folder");
    addCommonOptions(signals, *sg);
    signals->add_option("--units", sg->units, "Length unit of the COP: mm, cm or m")
        ->check(CLI::IsMember({"mm", "cm", "m"}))
        ->capture_default_str();
    signals->add_option("--out", sg->out, "Folder to create")->required();
    commands.push_back({signals, [sg, io] { return runExport(*sg, Kind::kSignals, io); }});

    auto b = std::make_shared<ExportState>();
    auto* bundle = exp->add_subcommand(
        "bundle", "A new stance-hdf5 bundle with the selected trials and all their signals");
    addCommonOptions(bundle, *b);
    bundle->add_option("--out", b->out, "subset.h5")->required();
    commands.push_back({bundle, [b, io] { return runExport(*b, Kind::kBundle, io); }});
}

}  // namespace stance::cli
