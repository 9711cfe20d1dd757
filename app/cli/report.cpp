// `stance report`: the PDF report of a catalog session, or of the demo patient's latest session
// (app/report; what it shows: docs/report.md).

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <system_error>

#include "command.hpp"
#include "report_module.hpp"
#include "stance/app/catalog_access.hpp"
#include "stance/app/demo.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/report_model.hpp"
#include "stance/datasets/sqlite_catalog.hpp"

namespace stance::cli {

namespace {

namespace fs = std::filesystem;

struct ReportState {
    long long session = 0;
    std::string catalog;
    bool demo = false;
    std::string out;
};

/// A fresh private folder for the demo catalog, removed when the command ends.
struct TempFolder {
    fs::path path;
    TempFolder() {
        std::string tmpl = (fs::temp_directory_path() / "stance-report-demo-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw app::AppError(tmpl, "cannot create a temporary folder for the demo catalog");
        path = tmpl;
    }
    ~TempFolder() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
};

int runReport(const ReportState& s, Io io) {
    if (s.demo == (s.session != 0)) {
        io.err << "stance report: give either --session ID or --demo\n";
        return kExitUsage;
    }
    if (s.demo && !s.catalog.empty()) {
        io.err << "stance report: --demo builds its own catalog; leave out --catalog\n";
        return kExitUsage;
    }
    if (fs::path(s.out).extension() != ".pdf") {
        io.err << "stance report: --out " << s.out << ": name it .pdf\n";
        return kExitUsage;
    }
    try {
        loadReportModule();  // before the catalog work, which takes seconds for --demo
        std::unique_ptr<TempFolder> temp;
        std::unique_ptr<datasets::Catalog> catalog;
        datasets::CatalogId session = s.session;
        fs::path catalog_file;
        if (s.demo) {
            temp = std::make_unique<TempFolder>();
            const app::DemoCatalog demo = app::buildDemoCatalog(temp->path / "demo.db");
            catalog_file = demo.catalog;
            catalog = datasets::openSqliteCatalog(demo.catalog);
            session = demo.session_ids.back();
        } else {
            catalog_file = s.catalog.empty() ? app::defaultCatalogPath() : fs::path(s.catalog);
            catalog = app::openExistingCatalog(catalog_file, true);
        }
        const app::ReportModel model = app::buildReportModel(*catalog, session);
        const WrittenReport pdf = writeReportPdf(model, s.out);
        nlohmann::ordered_json j;
        j["out"] = pdf.file.string();
        j["pages"] = pdf.pages;
        j["catalog"] = s.demo ? std::string("(demo, temporary)") : catalog_file.string();
        j["session"] = session;
        j["patient"] = model.header.subject_code;
        j["session_date"] = model.header.session_date;
        j["demo"] = model.header.demo;
        j["interpretation"] = model.interpretation;
        io.out << j.dump(1) << '\n';
        return kExitOk;
    } catch (const app::AppError& e) {
        io.err << "stance report: " << e.what() << '\n';
    } catch (const datasets::DatasetError& e) {
        io.err << "stance report: " << e.what() << '\n';
    } catch (const ReportModuleError& e) {
        io.err << "stance report: " << e.what() << '\n';
    } catch (const fs::filesystem_error& e) {
        io.err << "stance report: " << e.what() << '\n';
    }
    return kExitFailure;
}

}  // namespace

void addReportCommands(CLI::App& app, Io io, Commands& commands) {
    auto s = std::make_shared<ReportState>();
    auto* cmd = app.add_subcommand(
        "report",
        "Write the PDF report of a session: patient header, results against the norms, "
        "stabilograms, questionnaires, progress over sessions with change bands (MCID or MDC), and "
        "plain-language interpretation (docs/report.md). Prints JSON (file, pages, "
        "interpretation). Runs without a display.");
    cmd->add_option("--session", s->session, "Catalog session id (see `stance catalog list`)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--catalog", s->catalog,
                    "Catalog file (default: $STANCE_CATALOG, else "
                    "$XDG_DATA_HOME/stance/clinic.db, else ~/.local/share/stance/clinic.db)");
    cmd->add_flag("--demo", s->demo,
                  "Report the demo patient's latest session (the demo catalog is built in a "
                  "temporary folder and removed)");
    cmd->add_option("--out", s->out, "The PDF to write (replaced atomically)")->required();
    commands.push_back({cmd, [s, io] { return runReport(*s, io); }});
}

}  // namespace stance::cli
