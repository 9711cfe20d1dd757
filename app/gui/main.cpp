// stance-gui: the clinic's window onto Stance (docs/gui.md).
//
//   stance-gui                             the default catalog, stanced at ws://127.0.0.1:8765/
//   stance-gui --catalog FILE --server ws://HOST:PORT [--token SECRET]
//   stance-gui --demo                      the invented demo patient with weeks of history
//   stance-gui --demo --screenshot FILE.png   renders the demo patient's progress view and exits
//
// Exit status: 0 on success, 1 when something failed (no display, catalog, screenshot), 2 on a
// usage error.

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "stance/app/catalog_access.hpp"
#include "stance/app/demo.hpp"
#include "stance/gui/main_window.hpp"
#include "stance/gui/ui_support.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

bool hasArgument(int argc, char** argv, const char* name) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0 || std::strncmp(argv[i], name, std::strlen(name)) == 0)
            return true;
    }
    return false;
}

bool haveDisplay() {
    const char* platform = std::getenv("QT_QPA_PLATFORM");
    if (platform != nullptr && *platform != '\0')
        return true;  // the user chose a platform (offscreen, vnc, ...)
    return std::getenv("DISPLAY") != nullptr || std::getenv("WAYLAND_DISPLAY") != nullptr;
}

void fail(const QString& message) {
    std::fprintf(stderr, "stance-gui: %s\n", message.toLocal8Bit().constData());
}

}  // namespace

int main(int argc, char** argv) {
    const bool screenshot = hasArgument(argc, argv, "--screenshot");
    const bool help = hasArgument(argc, argv, "--help") || hasArgument(argc, argv, "-h");
    if (!haveDisplay()) {
        if (screenshot || help) {
            // Rendering to a file needs no screen.
            qputenv("QT_QPA_PLATFORM", "offscreen");
        } else {
            fail(
                QStringLiteral("no display (DISPLAY and WAYLAND_DISPLAY are not set): run it in a "
                               "desktop session, or render a view with --screenshot FILE.png"));
            return kExitFailure;
        }
    }
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("stance-gui"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setOrganizationName(QStringLiteral("Stance"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Stance: balance assessment with force plates and IMUs. Patients, "
                       "assessments against stanced, results against norms, questionnaires, "
                       "progress over sessions, reports and exports."));
    const QCommandLineOption help_option = parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption catalog_option(
        QStringLiteral("catalog"),
        QStringLiteral("The clinic catalog (SQLite); created when it does not exist. Default: "
                       "$STANCE_CATALOG, else $XDG_DATA_HOME/stance/clinic.db."),
        QStringLiteral("FILE"));
    const QCommandLineOption server_option(
        QStringLiteral("server"),
        QStringLiteral("stanced's WebSocket address. Default: $STANCE_SERVER, else "
                       "ws://127.0.0.1:8765/."),
        QStringLiteral("URL"));
    const QCommandLineOption token_option(
        QStringLiteral("token"), QStringLiteral("stanced's access token, when it requires one."),
        QStringLiteral("SECRET"));
    const QCommandLineOption demo_option(
        QStringLiteral("demo"),
        QStringLiteral("Open on the invented demo patient with several weeks of sessions (built "
                       "in a temporary folder, removed on exit)."));
    const QCommandLineOption screenshot_option(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the patient's progress view to this PNG and exit (with --demo: "
                       "the demo patient; else the first patient of the catalog)."),
        QStringLiteral("FILE.png"));
    parser.addOptions(
        {catalog_option, server_option, token_option, demo_option, screenshot_option});
    if (!parser.parse(QApplication::arguments())) {
        fail(parser.errorText() + QStringLiteral(" (see --help)"));
        return kExitUsage;
    }
    if (parser.isSet(help_option)) {
        std::fputs(parser.helpText().toLocal8Bit().constData(), stdout);
        return kExitOk;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("stance-gui 0.1.0\n");
        return kExitOk;
    }
    if (!parser.positionalArguments().isEmpty()) {
        fail(QStringLiteral("unexpected argument '%1' (see --help)")
                 .arg(parser.positionalArguments().front()));
        return kExitUsage;
    }
    if (parser.isSet(demo_option) && parser.isSet(catalog_option)) {
        fail(QStringLiteral("--demo builds its own catalog: leave out --catalog"));
        return kExitUsage;
    }
    QString server = parser.value(server_option);
    if (server.isEmpty())
        server = qEnvironmentVariable("STANCE_SERVER", QStringLiteral("ws://127.0.0.1:8765/"));
    const QUrl server_url(server, QUrl::StrictMode);
    if (!server_url.isValid() ||
        (server_url.scheme() != QStringLiteral("ws") &&
         server_url.scheme() != QStringLiteral("wss")) ||
        server_url.host().isEmpty()) {
        fail(QStringLiteral("--server '%1' is not a WebSocket address like ws://127.0.0.1:8765/")
                 .arg(server));
        return kExitUsage;
    }
    const QString screenshot_file = parser.value(screenshot_option);
    if (parser.isSet(screenshot_option) &&
        !screenshot_file.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive)) {
        fail(QStringLiteral("--screenshot '%1': name the file .png").arg(screenshot_file));
        return kExitUsage;
    }

    // The catalog: the demo's, the one named, or the default.
    std::optional<QTemporaryDir> demo_dir;
    std::filesystem::path catalog_file;
    stance::datasets::CatalogId open_patient = 0;
    if (parser.isSet(demo_option)) {
        demo_dir.emplace(QDir::tempPath() + QStringLiteral("/stance-gui-demo-XXXXXX"));
        if (!demo_dir->isValid()) {
            fail(QStringLiteral("cannot create a temporary folder for the demo: %1")
                     .arg(demo_dir->errorString()));
            return kExitFailure;
        }
        catalog_file = std::filesystem::path(demo_dir->path().toStdString()) / "demo-clinic.db";
        std::fprintf(stderr, "stance-gui: building the demo history in %s ...\n",
                     demo_dir->path().toLocal8Bit().constData());
        try {
            const stance::app::DemoCatalog demo = stance::app::buildDemoCatalog(catalog_file);
            open_patient = demo.patient_id;
        } catch (const std::exception& e) {
            fail(QStringLiteral("the demo history could not be built: %1").arg(e.what()));
            return kExitFailure;
        }
    } else if (parser.isSet(catalog_option)) {
        catalog_file = std::filesystem::path(parser.value(catalog_option).toStdString());
    } else {
        try {
            catalog_file = stance::app::defaultCatalogPath();
        } catch (const std::exception& e) {
            fail(QStringLiteral("no catalog named and no default: %1 (use --catalog FILE)")
                     .arg(e.what()));
            return kExitUsage;
        }
    }

    QString problem;
    auto catalog = stance::gui::openCatalogOrExplain(catalog_file, problem);
    if (!catalog && parser.isSet(screenshot_option)) {
        fail(problem);
        return kExitFailure;
    }
    stance::gui::MainWindowOptions options;
    options.server = server_url;
    options.token = parser.value(token_option);
    options.demo = parser.isSet(demo_option);
    options.connect = !parser.isSet(screenshot_option);
    stance::gui::MainWindow window(std::move(catalog), catalog_file, options, problem);
    if (open_patient == 0 && window.catalog() != nullptr) {
        try {
            const auto patients = window.catalog()->patients();
            if (!patients.empty())
                open_patient = patients.front().id;
        } catch (const std::exception& e) {
            fail(QString::fromUtf8(e.what()));
        }
    }
    if (open_patient != 0)
        window.openPatient(open_patient);

    if (parser.isSet(screenshot_option)) {
        if (open_patient == 0) {
            fail(QStringLiteral("--screenshot: the catalog has no patient to show"));
            return kExitFailure;
        }
        QString error;
        if (!stance::gui::renderProgressScreenshot(window, screenshot_file, error)) {
            fail(error);
            return kExitFailure;
        }
        std::printf("%s\n", screenshot_file.toLocal8Bit().constData());
        return kExitOk;
    }
    window.showPage(stance::gui::MainWindow::Page::kPatient);
    window.show();
    return QApplication::exec();
}
