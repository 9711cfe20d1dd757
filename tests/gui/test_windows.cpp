// Smoke tests of every main window on the demo history, offscreen: constructed, shown, the key
// actions triggered, and the rows, series and colours the user would see checked.

#include <QAreaSeries>
#include <QCheckBox>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <catch2/catch.hpp>
#include <fstream>

#include "gui_fixture.hpp"
#include "stance/app/catalog_access.hpp"
#include "stance/app/progress.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "stance/gui/charts.hpp"
#include "stance/gui/export_dialog.hpp"
#include "stance/gui/main_window.hpp"
#include "stance/gui/patient_widgets.hpp"
#include "stance/gui/progress_page.hpp"
#include "stance/gui/questionnaire_dialog.hpp"
#include "stance/gui/results_page.hpp"
#include "stance/gui/ui_support.hpp"

using stance::gui::MainWindow;
using stance::test::DemoFixture;
using stance::test::settle;
using stance::test::waitFor;

namespace {

std::unique_ptr<MainWindow> demoWindow(const DemoFixture& f) {
    stance::gui::MainWindowOptions o;
    o.connect = false;
    o.demo = true;
    auto w = std::make_unique<MainWindow>(stance::app::openExistingCatalog(f.demo.catalog),
                                          f.demo.catalog, o);
    w->show();
    settle();
    return w;
}

/// The error boxes currently open (showError's), with their texts.
QStringList errorBoxes() {
    QStringList texts;
    for (QWidget* w : QApplication::topLevelWidgets()) {
        if (auto* box = qobject_cast<QMessageBox*>(w);
            box != nullptr && box->objectName() == QStringLiteral("stance-error") &&
            box->isVisible())
            texts << box->text();
    }
    return texts;
}

bool fileContains(const std::filesystem::path& p, const std::string& needle) {
    return stance::test::slurp(p).find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("main window: patient list with search, patient page with every session",
          "[gui][window]") {
    DemoFixture f(4);
    auto w = demoWindow(f);
    auto* list = w->patientList();
    CHECK(list->visibleRows() == 1);
    list->setQuery(QStringLiteral("nobody like that"));
    CHECK(list->visibleRows() == 0);
    list->setQuery(QStringLiteral("jordan"));
    CHECK(list->visibleRows() == 1);
    list->setQuery(QStringLiteral("1978"));  // the birth year
    CHECK(list->visibleRows() == 1);
    list->setQuery(QString());

    REQUIRE(w->openPatient(f.demo.patient_id));
    CHECK(list->selectedPatient() == f.demo.patient_id);
    CHECK(w->patientPage()->sessionRows() == 4);
    // Newest first, selected.
    CHECK(w->patientPage()->selectedSession() == f.demo.session_ids.back());
    CHECK(w->patientPage()->page()->patient.subject_code == stance::app::kDemoSubjectCode);
    CHECK(w->windowTitle().contains(QStringLiteral("DEMO")));
    CHECK_FALSE(w->openPatient(987654));
    CHECK(errorBoxes().size() == 1);
}

TEST_CASE(
    "results page: conditions, norms coloured inside / outside with the source, "
    "stabilograms side by side on one scale",
    "[gui][window]") {
    DemoFixture f(3);
    auto w = demoWindow(f);
    REQUIRE(w->openPatient(f.demo.patient_id));
    REQUIRE(w->showResults(f.demo.session_ids.front()));
    CHECK(w->currentPage() == MainWindow::Page::kResults);
    auto* page = w->resultsPage();
    REQUIRE(page->results().has_value());
    const auto& r = *page->results();
    CHECK(page->conditionTable()->rowCount() == 4);
    CHECK(page->conditionTable()->item(3, 0)->text() ==
          QString::fromStdString(r.conditions[3].label));

    int norm_rows = 0;
    int outside = 0;
    for (const auto& c : r.conditions)
        norm_rows += static_cast<int>(c.norms.size());
    REQUIRE(norm_rows > 0);
    auto* norms = page->normTable();
    REQUIRE(norms->rowCount() == norm_rows);
    int row = 0;
    for (const auto& c : r.conditions) {
        for (const auto& n : c.norms) {
            const bool inside = n.band == stance::analysis::NormBand::kWithinP5P95;
            outside += inside ? 0 : 1;
            const QTableWidgetItem* band = norms->item(row, 6);
            CHECK(band->background().color() == (inside ? stance::gui::colours::kInsideFill
                                                        : stance::gui::colours::kOutsideFill));
            CHECK(band->text().startsWith(inside ? QStringLiteral("within")
                                                 : (n.band == stance::analysis::NormBand::kAboveP95
                                                        ? QStringLiteral("above")
                                                        : QStringLiteral("below"))));
            CHECK(norms->item(row, 7)->text().contains(QStringLiteral("Santos & Duarte")));
            ++row;
        }
    }
    // The baseline of the demo patient sways beyond the norms with the eyes closed on foam.
    CHECK(outside > 0);
    const QString source = page->findChild<QLabel*>(QStringLiteral("norm-source"))->text();
    CHECK(source.contains(QStringLiteral("PeerJ 4:e2648")));
    CHECK(source.contains(QStringLiteral("%1 of %2 values outside").arg(outside).arg(norm_rows)));

    REQUIRE(page->stabilograms().size() == 4);
    const double scale = page->stabilograms().front()->halfRangeMm();
    for (const auto* s : page->stabilograms()) {
        CHECK(s->pathPointCount() > 100);
        CHECK(s->ellipsePointCount() > 50);
        CHECK(s->halfRangeMm() == scale);
    }
    CHECK(page->scoreTable()->rowCount() == static_cast<int>(r.scores.size()));
    CHECK(page->questionnaireTable()->rowCount() == static_cast<int>(r.questionnaires.size()));
    CHECK(page->questionnaireTable()->rowCount() >= 3);  // DHI, VAS, ABC in the demo
}

TEST_CASE(
    "progress page: a chart per measure with values, the change band (MCID or MDC), change "
    "classes and hover values",
    "[gui][window]") {
    DemoFixture f(4);
    auto w = demoWindow(f);
    REQUIRE(w->openPatient(f.demo.patient_id));
    w->showPage(MainWindow::Page::kProgress);
    settle();
    auto* progress = w->progressPage();
    REQUIRE(progress->charts().size() >= 4);
    // The demo patient has mCTSIB sessions only: the page opens on the default measures they have
    // values for, without an empty SOT chart or a "no values" line.
    CHECK(progress->chart("sot.composite") == nullptr);
    CHECK(progress->chart("mctsib.composite_sway_velocity") != nullptr);
    CHECK(progress->charts().size() == stance::app::defaultProgressKeys().size() - 1);
    CHECK(progress->findChild<QLabel*>(QStringLiteral("progress-empty-note"))->isHidden());
    auto* dhi = progress->chart("dhi_total");
    REQUIRE(dhi != nullptr);
    const auto& s = dhi->series();
    REQUIRE(s.points.size() == 4);
    REQUIRE(s.band.has_value());
    REQUIRE(dhi->band() != nullptr);
    CHECK(dhi->band()->upperSeries()->at(0).y() == Approx(s.band->upper));
    CHECK(dhi->band()->lowerSeries()->at(0).y() == Approx(s.band->lower));
    CHECK(dhi->valueLine()->count() == 4);
    CHECK(dhi->pointsIn(QStringLiteral("baseline")) == 1);
    CHECK(dhi->pointsIn(QStringLiteral("improved")) + dhi->pointsIn(QStringLiteral("unchanged")) +
              dhi->pointsIn(QStringLiteral("worse")) ==
          3);
    REQUIRE(s.latest_change.has_value());
    CHECK(dhi->changeText() == QString::fromStdString(std::string(stance::analysis::changeClassName(
                                   s.latest_change->classification))));
    // The demo patient's dizziness handicap falls by more than the DHI's MCID over the weeks.
    CHECK(dhi->changeText() == QStringLiteral("improved"));
    dhi->hoverPoint(2);
    CHECK(dhi->hoverLine().startsWith(QString::fromStdString(s.points[2].date)));
    CHECK(dhi->hoverLine().contains(QStringLiteral("from the baseline")));
    dhi->hoverPoint(0);
    CHECK(dhi->hoverLine().endsWith(QStringLiteral("baseline")));

    // The measure list shows the short labels (they fit its column), the full ones as tooltips.
    for (const stance::app::ProgressMetric& m : stance::app::progressMetrics()) {
        auto* box = progress->findChild<QCheckBox*>(QStringLiteral("measure-") +
                                                    QString::fromStdString(m.key));
        REQUIRE(box != nullptr);
        CHECK(box->text() == QString::fromStdString(m.short_label));
        CHECK(box->toolTip() == QString::fromStdString(m.label));
        CHECK(box->fontMetrics().horizontalAdvance(box->text()) < 200);
    }

    // Choosing measures rebuilds the grid.
    progress->setSelectedKeys({"dhi_total", "vas_total"});
    settle();
    CHECK(progress->charts().size() == 2);
    CHECK(progress->chart("vas_total") != nullptr);
    CHECK(progress->chart("mctsib.composite_sway_velocity") == nullptr);
    // A measure the user picks stays picked from patient to patient, and one without values is
    // named.
    progress->setSelectedKeys({"dhi_total", "sot.composite"});
    REQUIRE(w->openPatient(f.demo.patient_id));
    w->showPage(MainWindow::Page::kProgress);
    settle();
    CHECK(progress->charts().size() == 1);
    const auto* note = progress->findChild<QLabel*>(QStringLiteral("progress-empty-note"));
    CHECK_FALSE(note->isHidden());
    CHECK(note->text().contains(QStringLiteral("SOT")));
}

TEST_CASE("progress screenshot: the demo patient's progress view as a PNG", "[gui][window]") {
    DemoFixture f(4);
    auto w = demoWindow(f);
    REQUIRE(w->openPatient(f.demo.patient_id));
    const auto png = f.dir.path / "progress.png";
    QString error;
    REQUIRE(stance::gui::renderProgressScreenshot(*w, QString::fromStdString(png.string()), error));
    QImage image(QString::fromStdString(png.string()));
    REQUIRE(!image.isNull());
    CHECK(image.width() >= 1200);
    CHECK(image.height() >= 900);
    // Charts, not a blank page: a good share of the pixels is not background, and the MCID
    // band's fill colour is there.
    int non_white = 0;
    int band = 0;
    // The band's translucent fill as it shows over the white plot background.
    const QColor fill = stance::gui::colours::kBand;
    const auto mix = [a = static_cast<double>(fill.alphaF())](int c) {
        return static_cast<int>(std::lround(255.0 - a * (255 - c)));
    };
    const QColor band_on_white(mix(fill.red()), mix(fill.green()), mix(fill.blue()));
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3) {
            const QColor c = image.pixelColor(x, y);
            non_white += (c.red() < 235 || c.green() < 235 || c.blue() < 235) ? 1 : 0;
            band += (std::abs(c.red() - band_on_white.red()) <= 3 &&
                     std::abs(c.green() - band_on_white.green()) <= 3 &&
                     std::abs(c.blue() - band_on_white.blue()) <= 3)
                        ? 1
                        : 0;
        }
    }
    const int samples = (image.height() / 3) * (image.width() / 3);
    CHECK(non_white > samples / 20);
    CHECK(band > 500);
    // As many columns as fit, and no chart cut off at the right edge.
    CHECK(w->progressPage()->columns() >= 2);
    for (const auto* c : w->progressPage()->charts()) {
        const QRect seen = c->visibleRegion().boundingRect();
        if (!seen.isEmpty())
            CHECK(seen.width() == c->width());
    }

    // Without a patient there is nothing to show: an error naming the file.
    stance::gui::MainWindowOptions o;
    o.connect = false;
    MainWindow empty(stance::app::openExistingCatalog(f.demo.catalog), f.demo.catalog, o);
    CHECK_FALSE(stance::gui::renderProgressScreenshot(empty, QStringLiteral("/tmp/x.png"), error));
    CHECK(error.contains(QStringLiteral("no patient")));
}

TEST_CASE("new patient dialog: validated as the user types, the bad field named, then saved",
          "[gui][window]") {
    DemoFixture f(2);
    auto w = demoWindow(f);
    auto* d = w->openNewPatientDialog();
    REQUIRE(d != nullptr);
    CHECK(d->isVisible());
    CHECK_FALSE(d->canSave());
    CHECK_FALSE(d->fieldMessage("subject_code").isEmpty());

    d->setField("subject_code", QString::fromLatin1(stance::app::kDemoSubjectCode));
    CHECK_FALSE(d->fieldMessage("subject_code").isEmpty());  // taken
    d->setField("subject_code", QStringLiteral("P-0100"));
    CHECK(d->fieldMessage("subject_code").isEmpty());
    d->setField("given_name", QStringLiteral("Ana"));
    d->setField("family_name", QStringLiteral("Example"));
    d->setField("birth_date", QStringLiteral("1990-02-30"));
    CHECK(d->fieldMessage("birth_date").contains(QStringLiteral("1990-02-30")));
    d->setField("birth_date", QStringLiteral("1990-02-28"));
    CHECK(d->fieldMessage("birth_date").isEmpty());
    d->setField("sex", QStringLiteral("female"));
    d->setField("height_m", QStringLiteral("168"));  // centimetres typed by mistake
    CHECK(d->fieldMessage("height_m").contains(QStringLiteral("168")));
    d->setField("mass_kg", QStringLiteral("64,5"));
    CHECK_FALSE(d->canSave());
    const auto* summary = d->findChild<QLabel*>(QStringLiteral("form-summary"));
    CHECK(summary->text().contains(QStringLiteral("Height (m)")));
    d->setField("height_m", QStringLiteral("1.68"));
    CHECK(d->fieldMessage("height_m").isEmpty());
    REQUIRE(d->canSave());
    REQUIRE(d->save());
    settle();
    CHECK(w->patientList()->visibleRows() == 2);
    const auto saved = w->catalog()->patientByCode("P-0100");
    REQUIRE(saved.has_value());
    CHECK(saved->height_m == Approx(1.68));
    CHECK(saved->mass_kg == Approx(64.5));
    CHECK(w->patientPage()->patientId() == saved->id);
    CHECK(w->patientPage()->sessionRows() == 0);
}

TEST_CASE(
    "questionnaire dialog: every answer checked as entered, the score stored with the "
    "session",
    "[gui][window]") {
    DemoFixture f(2);
    auto w = demoWindow(f);
    REQUIRE(w->openPatient(f.demo.patient_id));
    const auto session = f.demo.session_ids.back();
    const std::size_t before = w->catalog()->questionnaires(session).size();
    auto* d = w->openQuestionnaire(session);
    REQUIRE(d != nullptr);

    d->setInstrument(stance::analysis::Instrument::kDhi);
    CHECK(d->form().itemCount() == 25);
    d->setAnswer(6, QStringLiteral("maybe"));
    CHECK(d->itemMessage(6).contains(QStringLiteral("maybe")));
    for (std::size_t i = 0; i < 24; ++i)
        d->setAnswer(i, i % 3 == 0 ? QStringLiteral("yes") : QStringLiteral("no"));
    CHECK(d->itemMessage(6).isEmpty());
    CHECK_FALSE(d->canSave());
    CHECK(d->summaryText().contains(QStringLiteral("25")));
    d->setAnswer(24, QStringLiteral("sometimes"));
    REQUIRE(d->canSave());
    // Items 1, 4, ..., 22 (8 items) yes = 32 points, item 25 sometimes = 2.
    CHECK(d->scoreText().startsWith(QStringLiteral("Score: 34 of 100")));

    d->setInstrument(stance::analysis::Instrument::kDizzinessVas);
    CHECK_FALSE(d->canSave());
    d->setAnswer(0, QStringLiteral("11"));
    CHECK_FALSE(d->itemMessage(0).isEmpty());
    d->setAnswer(0, QStringLiteral("3.5"));
    REQUIRE(d->canSave());
    REQUIRE(d->save());
    settle();
    CHECK(w->catalog()->questionnaires(session).size() == before + 1);
    double vas = -1.0;
    for (const auto& v : w->catalog()->sessionSummary(session)) {
        if (v.name == "vas_total")
            vas = v.value;
    }
    CHECK(vas == Approx(3.5));
}

TEST_CASE("export dialog: de-identified by default, identified only when ticked", "[gui][window]") {
    DemoFixture f(2);
    auto w = demoWindow(f);
    REQUIRE(w->openPatient(f.demo.patient_id));
    auto* d = w->openExport();
    REQUIRE(d != nullptr);
    CHECK_FALSE(d->identified());
    CHECK_FALSE(d->request().identified);
    CHECK(d->request().patients == std::vector<stance::datasets::CatalogId>{f.demo.patient_id});

    const auto out = f.dir.path / "export.h5";
    d->setKind(stance::app::ExportKind::kBundle);
    d->setOutput(QString::fromStdString(out.string()));
    bool done = false, ok = false;
    QObject::connect(d, &stance::gui::ExportDialog::exportFinished,
                     [&](bool success, const QString&) {
                         done = true;
                         ok = success;
                     });
    REQUIRE(d->startExport());
    CHECK(d->running());  // on the worker: the window keeps running meanwhile
    REQUIRE(waitFor([&] { return done; }, 120000));
    INFO(d->statusText().toStdString());
    REQUIRE(ok);
    CHECK(d->statusText().contains(QStringLiteral("de-identified")));
    {
        const stance::datasets::BundleReader bundle(out);
        const auto subjects = bundle.subjects();
        REQUIRE(subjects.size() == 1);
        CHECK(subjects[0].id.rfind("sub-", 0) == 0);
        CHECK_FALSE(subjects[0].birth_year.has_value());
    }
    CHECK_FALSE(fileContains(out, stance::app::kDemoSubjectCode));
    CHECK_FALSE(fileContains(out, "Jordan"));

    const auto named = f.dir.path / "identified.h5";
    d->setIdentified(true);
    d->setOutput(QString::fromStdString(named.string()));
    done = false;
    REQUIRE(d->startExport());
    REQUIRE(waitFor([&] { return done; }, 120000));
    REQUIRE(ok);
    CHECK(fileContains(named, stance::app::kDemoSubjectCode));

    // A wrong extension is refused with the reason, nothing written.
    const auto wrong = f.dir.path / "bundle.txt";
    d->setIdentified(false);
    d->setOutput(QString::fromStdString(wrong.string()));
    done = false;
    REQUIRE(d->startExport());
    REQUIRE(waitFor([&] { return done; }, 30000));
    CHECK_FALSE(ok);
    CHECK(d->statusText().startsWith(QStringLiteral("Export failed")));
    CHECK_FALSE(std::filesystem::exists(wrong));
}

TEST_CASE("report from the app: the PDF is written on a worker thread", "[gui][window]") {
    DemoFixture f(2);
    auto w = demoWindow(f);
    REQUIRE(w->openPatient(f.demo.patient_id));
    const auto pdf = f.dir.path / "report.pdf";
    REQUIRE(w->writeReport(f.demo.session_ids.back(), pdf));
    REQUIRE(waitFor([&] { return !w->lastJobMessage().isEmpty(); }, 120000));
    INFO(w->lastJobMessage().toStdString());
    CHECK(w->lastJobMessage().startsWith(QStringLiteral("Report written")));
    CHECK(stance::test::slurp(pdf).rfind("%PDF", 0) == 0);
}

TEST_CASE("damaged catalog: a clear message naming the file, never a crash", "[gui][window]") {
    DemoFixture f(2);
    const auto bad = f.dir.path / "damaged.db";
    {
        std::ofstream out(bad, std::ios::binary);
        for (int i = 0; i < 200; ++i)
            out << "this is not an SQLite catalog, just text where the header should be\n";
    }
    QString error;
    auto none = stance::gui::openCatalogOrExplain(bad, error);
    CHECK(none == nullptr);
    CHECK(error.contains(QStringLiteral("damaged.db")));

    stance::gui::MainWindowOptions o;
    o.connect = false;
    MainWindow broken(nullptr, bad, o, error);
    broken.show();
    settle();
    CHECK(broken.problemText().contains(QStringLiteral("damaged.db")));
    CHECK_FALSE(broken.patientList()->isEnabled());
    CHECK(broken.openNewPatientDialog() == nullptr);
    CHECK(broken.openExport() == nullptr);

    // A window with a good catalog keeps it when asked to open the damaged one.
    auto w = demoWindow(f);
    CHECK_FALSE(w->openCatalogFile(bad));
    settle();
    const QStringList boxes = errorBoxes();
    REQUIRE(boxes.size() == 1);
    CHECK(boxes.front().contains(QStringLiteral("damaged.db")));
    CHECK(w->patientList()->visibleRows() == 1);
    // And opening the good one again works.
    CHECK(w->openCatalogFile(f.demo.catalog));
}
