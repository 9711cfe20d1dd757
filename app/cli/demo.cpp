// `stance demo`, the main job: a complete mCTSIB assessment of the demo patient on simulated
// devices, end to end. stanced runs as a child process with a simulated force plate and trunk
// IMU on pseudo-terminals (the real codecs and serial path); the session wizard of the app core
// drives it over the WebSocket protocol exactly as stance-gui does; the trials are recorded by
// stanced as stance-hdf5, registered in a catalog that already holds the patient's weeks of
// history, scored against the norms, and written up as the PDF report.

#include "stance/app/demo.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "command.hpp"
#include "report_module.hpp"
#include "stance/acquisition/client.hpp"
#include "stance/acquisition/errors.hpp"
#include "stance/analysis/norms.hpp"
#include "stance/analysis/protocol.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/report_model.hpp"
#include "stance/app/results.hpp"
#include "stance/app/session_wizard.hpp"
#include "stance/datasets/errors.hpp"
#include "stance/datasets/sqlite_catalog.hpp"
#include "stanced_child.hpp"

namespace stance::cli {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Marks a folder as this command's output, so a later run may replace it (and nothing else).
constexpr const char* kMarker = ".stance-demo";

struct DemoCommandOptions {
    std::string out = "stance-demo";
    double trial_s = 30.0;
    int history = 4;
    std::string stanced;
    std::uint64_t seed = 7;
    int max_redos = 2;
};

/// Replaces a previous demo output, refuses any other existing folder.
void prepareOutput(const fs::path& out) {
    std::error_code ec;
    if (fs::exists(out, ec)) {
        if (!fs::is_directory(out, ec))
            throw app::AppError(out.string(), "exists and is not a folder");
        if (!fs::exists(out / kMarker, ec) && !fs::is_empty(out, ec))
            throw app::AppError(out.string(),
                                "exists and is not the output of an earlier `stance demo`: "
                                "choose another --out");
        fs::remove_all(out, ec);
        if (ec)
            throw app::AppError(out.string(), "cannot remove the earlier demo: " + ec.message());
    }
    fs::create_directories(out, ec);
    if (ec)
        throw app::AppError(out.string(), "cannot create the folder: " + ec.message());
    std::ofstream(out / kMarker) << "Output of `stance demo`; the next run replaces this folder.\n";
}

std::string fixed(double v, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string bandText(const app::NormResult& n) {
    switch (n.band) {
        case analysis::NormBand::kBelowP5:
            return "below p5";
        case analysis::NormBand::kAboveP95:
            return "ABOVE p95";
        case analysis::NormBand::kWithinP5P95:
            break;
    }
    return n.percentile ? "P" + fixed(*n.percentile, 0) : "within p5-p95";
}

const app::NormResult* findNorm(const app::ConditionResult& c, std::string_view metric) {
    for (const app::NormResult& n : c.norms) {
        if (n.metric == metric)
            return &n;
    }
    return nullptr;
}

/// Runs the wizard over an open client until the session is finished. Trials that do not
/// complete are redone up to max_redos times (a fall is then kept, anything else skipped).
/// Progress lines go to `log`. Throws AcquisitionError when stanced goes away.
void runWizard(acquisition::StancedClient& client, app::SessionWizard& wizard, int max_redos,
               std::ostream& log) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto now = [t0] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    const auto flush = [&] {
        for (const std::string& c : wizard.takeCommands())
            client.sendText(c);
    };
    wizard.onConnected(now());
    wizard.onMessage(client.hello().dump(), now());
    flush();
    const std::size_t n = wizard.schedule().size();
    std::size_t attempts_seen = 0;
    std::size_t announced = n;  // the step whose start was printed
    int redos = 0;
    double waiting_since = now();
    while (wizard.state() != app::WizardState::kFinished &&
           wizard.state() != app::WizardState::kAborted) {
        switch (wizard.state()) {
            case app::WizardState::kReady:
                if (!wizard.tared() && wizard.canTare()) {
                    log << "stance demo: taring " << wizard.balanceDevice()
                        << " (the subject steps off)\n";
                    wizard.tare();
                } else if (wizard.canStart()) {
                    wizard.start(now());
                } else if (now() - waiting_since > 20.0) {
                    throw app::AppError("stance demo", "stanced shows no force plate after 20 s (" +
                                                           wizard.statusText(now()) + ")");
                }
                break;
            case app::WizardState::kReview:
                if (redos < max_redos) {
                    ++redos;
                    log << "stance demo: " << wizard.reviewMessage() << ": redoing it\n";
                    wizard.redo();
                } else if (!wizard.accept()) {
                    wizard.skip();
                }
                break;
            case app::WizardState::kRest:
                wizard.skipRest();
                break;
            case app::WizardState::kDisconnected:
                throw acquisition::AcquisitionError("stanced went away: " +
                                                    wizard.statusText(now()));
            default:
                waiting_since = now();
                break;
        }
        flush();
        if (const auto m = client.nextMessage(100ms))
            wizard.onMessage(m->dump(), now());
        (void)client.takeBinary();
        wizard.advance(now());
        flush();
        if (wizard.state() == app::WizardState::kRecording && announced != wizard.currentStep()) {
            announced = wizard.currentStep();
            const analysis::ProtocolStep& s = *wizard.currentTrial();
            log << "stance demo: trial " << (announced + 1) << " of " << n << ": "
                << app::conditionLabel(s.condition) << " #" << s.repetition << ", "
                << fixed(s.duration_s, 0) << " s\n";
        }
        while (attempts_seen < wizard.attempts().size()) {
            const app::TrialAttempt& a = wizard.attempts()[attempts_seen++];
            log << "stance demo:   " << app::attemptOutcomeName(a.outcome) << " -> " << a.file
                << ' ' << a.group << (a.note.empty() ? "" : " (" + a.note + ")") << '\n';
            if (a.outcome == app::AttemptOutcome::kComplete)
                redos = 0;
            announced = n;
        }
    }
}

void printResults(const app::SessionResults& r, std::ostream& out) {
    out << "\n"
        << r.protocol_name << ", " << r.patient.subject_code << " ("
        << (r.age_years ? std::to_string(*r.age_years) + " y" : std::string("age unknown"))
        << "), norms: " << (r.norm_group.empty() ? "none" : r.norm_group) << "\n\n";
    out << "condition            trials  COP velocity mm/s (p5-p95)    ellipse area mm^2 "
           "(p5-p95)    sway deg/s\n";
    for (const app::ConditionResult& c : r.conditions) {
        std::string line = c.label;
        line.resize(21, ' ');
        line += std::to_string(c.n_usable) + "/" + std::to_string(c.n_expected);
        line.resize(29, ' ');
        const auto cell = [&](const std::optional<double>& v, std::string_view metric, int dec) {
            if (!v)
                return std::string("n/a");
            std::string s = fixed(*v, dec);
            if (const app::NormResult* nr = findNorm(c, metric))
                s += " " + bandText(*nr) + " (" + fixed(nr->p5, dec) + "-" + fixed(nr->p95, dec) +
                     ")";
            return s;
        };
        std::string v = cell(c.cop_velocity_mm_s, "bds_cop_velocity", 1);
        v.resize(30, ' ');
        std::string a = cell(c.cop_area_mm2, "bds_cop_area", 0);
        a.resize(30, ' ');
        out << line << v << a
            << (c.sway_velocity_deg_s ? fixed(*c.sway_velocity_deg_s, 3) : std::string("n/a"));
        if (!c.missing_reason.empty())
            out << "  (" << c.missing_reason << ")";
        out << '\n';
    }
    out << "norms: " << r.norm_source << "\n\nscores\n";
    for (const app::ScoreResult& s : r.scores) {
        out << "  " << s.label << ": "
            << (s.value ? app::formatNumber(*s.value) + (s.unit.empty() ? "" : " " + s.unit)
                        : "not available (" + s.missing_reason + ")");
        if (!s.source.empty())
            out << "  [" << s.source << "]";
        out << '\n';
    }
    out << "\nquestionnaires\n";
    for (const app::QuestionnaireResult& q : r.questionnaires) {
        out << "  " << q.name << ": " << app::formatNumber(q.total) << " " << q.unit;
        if (!q.subscales.empty()) {
            out << " (";
            for (std::size_t i = 0; i < q.subscales.size(); ++i)
                out << (i ? ", " : "") << q.subscales[i].name << " "
                    << fixed(q.subscales[i].value, 0);
            out << ")";
        }
        if (!q.band.empty())
            out << ", " << q.band << " [" << q.band_source << "]";
        out << '\n';
    }
}

int runDemo(const DemoCommandOptions& o, Io io) {
    const fs::path out = fs::absolute(o.out);
    try {
        const fs::path stanced_path = findStanced(o.stanced);
        loadReportModule();  // the report is written last: a missing module is said first
        prepareOutput(out);
        io.err << "stance demo: a complete mCTSIB of the demo patient (invented) on simulated "
                  "devices; output in "
               << out.string() << "\n";

        // The patient's history: earlier visits two weeks apart, the last one two weeks ago.
        const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
        app::DemoOptions history;
        history.sessions = o.history;
        history.first_visit = today - std::chrono::days(14L * o.history);
        io.err << "stance demo: building " << o.history << " earlier visits of history\n";
        const app::DemoCatalog demo = app::buildDemoCatalog(out / "clinic.db", history);
        auto catalog = datasets::openSqliteCatalog(demo.catalog);
        const auto patient = catalog->patient(demo.patient_id);

        // Today's visit, through stanced.
        StancedChild stanced(
            stanced_path,
            {"--listen", "127.0.0.1:0", "--data-dir", (out / "recordings").string(), "--device",
             "sim:plate", "--device", "sim:imu", "--sim-seed", std::to_string(o.seed)},
            out / "stanced.log");
        io.err << "stance demo: " << stanced.banner() << '\n';

        analysis::Protocol protocol = *analysis::findProtocol("mctsib");
        protocol.trial_duration_s = o.trial_s;
        app::WizardSetup setup;
        setup.subject.id = patient->subject_code;
        setup.subject.sex = patient->sex == datasets::Sex::kFemale
                                ? "F"
                                : (patient->sex == datasets::Sex::kMale ? "M" : "X");
        if (patient->birth_date)
            setup.subject.birth_year = static_cast<int>(patient->birth_date->year());
        setup.subject.height_m = patient->height_m;
        setup.subject.mass_kg = patient->mass_kg;
        const auto start_utc =
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        setup.session.id = "demo-" + datasets::formatIsoDate(std::chrono::year_month_day(today));
        setup.session.operator_id = "demo-operator";
        setup.session.site = "Stance demo clinic";
        app::WizardOptions wo;
        wo.countdown_s = 1.0;
        wo.rests = false;            // a simulated subject needs no rest
        wo.subscribe_rate_hz = 0.0;  // no live view here
        app::SessionWizard wizard(protocol, setup, wo);
        {
            acquisition::StancedClient client(stanced.url());
            runWizard(client, wizard, o.max_redos, io.err);
        }
        const int stanced_status = stanced.stop();
        if (stanced_status != 0)
            io.err << "stance demo: stanced exited with status " << stanced_status << " (see "
                   << (out / "stanced.log").string() << ")\n";

        const datasets::CatalogId sid =
            app::storeWizardSession(*catalog, demo.patient_id, wizard, start_utc);
        app::addDemoQuestionnaires(*catalog, sid, 1.0);
        app::analyzeAndStoreSession(*catalog, sid);

        const app::ReportModel model = app::buildReportModel(*catalog, sid);
        printResults(model.results, io.out);
        io.out << "\ninterpretation\n";
        for (const std::string& l : model.interpretation)
            io.out << "  " << l << '\n';
        for (const std::string& note : model.results.notes)
            io.out << "  note: " << note << '\n';
        const WrittenReport pdf = writeReportPdf(model, out / "report.pdf");
        io.out << "\nreport: " << pdf.file.string() << " (" << pdf.pages << " pages)\n"
               << "catalog: " << demo.catalog.string() << " (session " << sid << "; `stance report "
               << "--catalog " << demo.catalog.string() << " --session " << sid << "`)\n";
        return kExitOk;
    } catch (const std::exception& e) {
        // AppError, AcquisitionError, DatasetError, CatalogError, ReportError: each names what.
        io.err << "stance demo: " << e.what() << '\n';
        return kExitFailure;
    }
}

}  // namespace

void addDemoCommands(CLI::App& app, Io io, Commands& commands) {
    auto o = std::make_shared<DemoCommandOptions>();
    auto* cmd = app.add_subcommand(
        "demo",
        "The main job: a complete mCTSIB (4 conditions x 3 trials) of the invented demo patient "
        "on simulated devices, end to end: stanced with a simulated force plate and trunk IMU on "
        "pseudo-terminals, the session run over its WebSocket protocol, the recordings scored "
        "against the norms with the composite and a DHI, and the PDF report with weeks of "
        "history. Takes about 12 trial lengths (6.5 min with 30 s trials).");
    cmd->add_option("--out", o->out, "Output folder (replaced if it holds an earlier demo)")
        ->capture_default_str();
    cmd->add_option("--trial-seconds", o->trial_s, "Length of each trial, s (the protocol: 30)")
        ->check(CLI::Range(2.0, 120.0))
        ->capture_default_str();
    cmd->add_option("--history", o->history, "Earlier visits in the patient's history")
        ->check(CLI::Range(2, 11))
        ->capture_default_str();
    cmd->add_option("--stanced", o->stanced,
                    "The stanced executable (default: $STANCED, else beside stance)");
    cmd->add_option("--seed", o->seed, "Seed of the simulated subject")->capture_default_str();
    commands.push_back({cmd, [o, io] { return runDemo(*o, io); }});
}

}  // namespace stance::cli
