#include "stance/gui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QPixmap>
#include <QSaveFile>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "stance/app/catalog_access.hpp"
#include "stance/app/report_model.hpp"
#include "stance/datasets/sqlite_catalog.hpp"
#include "stance/gui/background_task.hpp"
#include "stance/gui/export_dialog.hpp"
#include "stance/gui/patient_widgets.hpp"
#include "stance/gui/progress_page.hpp"
#include "stance/gui/questionnaire_dialog.hpp"
#include "stance/gui/results_page.hpp"
#include "stance/gui/session_wizard_dialog.hpp"
#include "stance/gui/ui_support.hpp"
#include "stance/report/report.hpp"

namespace stance::gui {

std::unique_ptr<datasets::Catalog> openCatalogOrExplain(const std::filesystem::path& file,
                                                        QString& error) {
    try {
        std::error_code ec;
        if (!std::filesystem::exists(file, ec)) {
            // First use: an empty catalog (schema created by the backend's migrations).
            if (file.has_parent_path())
                std::filesystem::create_directories(file.parent_path());
            return datasets::openSqliteCatalog(file);
        }
        return app::openExistingCatalog(file);
    } catch (const std::exception& e) {
        error = QStringLiteral("The catalog cannot be opened: %1").arg(qs(e.what()));
        return nullptr;
    }
}

bool renderProgressScreenshot(MainWindow& window, const QString& png_file, QString& error) {
    if (window.patientPage()->patientId() == 0) {
        error = QStringLiteral("%1: no patient is open to show").arg(png_file);
        return false;
    }
    // Wide enough for three columns of charts (the page uses fewer when narrower).
    window.resize(2040, 1240);
    window.progressPage()->setColumns(3);
    window.showPage(MainWindow::Page::kProgress);
    window.show();
    QApplication::processEvents();
    const QPixmap shot = window.progressPage()->grab();
    // Under a temporary name, then renamed: never a half-written PNG.
    QSaveFile out(png_file);
    if (shot.isNull() || !out.open(QIODevice::WriteOnly) || !shot.save(&out, "PNG") ||
        !out.commit()) {
        error =
            QStringLiteral("%1: cannot write the screenshot (%2)").arg(png_file, out.errorString());
        return false;
    }
    return true;
}

MainWindow::MainWindow(std::unique_ptr<datasets::Catalog> catalog,
                       std::filesystem::path catalog_file, MainWindowOptions options,
                       const QString& problem)
    : catalog_(std::move(catalog)),
      catalog_file_(std::move(catalog_file)),
      options_(std::move(options)) {
    setObjectName(QStringLiteral("stance-main-window"));
    setWindowTitle(options_.demo ? QStringLiteral("Stance — balance assessment (DEMO data)")
                                 : QStringLiteral("Stance — balance assessment"));
    task_ = new BackgroundTask(this);

    list_ = new PatientListPanel(this);
    patient_page_ = new PatientPageWidget(this);
    results_ = new ResultsPage(this);
    progress_ = new ProgressPage(this);
    tabs_ = new QTabWidget(this);
    tabs_->addTab(patient_page_, QStringLiteral("Patient"));
    tabs_->addTab(results_, QStringLiteral("Results"));
    tabs_->addTab(progress_, QStringLiteral("Progress"));
    problem_ = new QLabel(this);
    problem_->setObjectName(QStringLiteral("problem-banner"));
    problem_->setWordWrap(true);
    problem_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    problem_->setStyleSheet(QStringLiteral("QLabel { background: %1; color: %2; padding: 6px; "
                                           "font-weight: bold; }")
                                .arg(colours::kOutsideFill.name(), colours::kProblem.name()));
    problem_->hide();

    auto* right = new QWidget(this);
    auto* right_layout = new QVBoxLayout(right);
    right_layout->setContentsMargins(0, 0, 0, 0);
    right_layout->addWidget(problem_);
    right_layout->addWidget(tabs_, 1);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(list_);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    setCentralWidget(split);

    link_ = new QLabel(this);
    link_->setObjectName(QStringLiteral("link-status"));
    catalog_label_ = new QLabel(this);
    statusBar()->addWidget(link_, 1);
    statusBar()->addPermanentWidget(catalog_label_);
    buildMenus();

    connect(list_, &PatientListPanel::patientSelected, this,
            [this](datasets::CatalogId id) { openPatient(id); });
    connect(list_, &PatientListPanel::newPatientRequested, this,
            [this] { openNewPatientDialog(); });
    connect(patient_page_, &PatientPageWidget::editPatientRequested, this,
            [this] { openEditPatientDialog(); });
    connect(patient_page_, &PatientPageWidget::newAssessmentRequested, this,
            [this] { openAssessment(); });
    connect(patient_page_, &PatientPageWidget::questionnaireRequested, this,
            [this](datasets::CatalogId s) { openQuestionnaire(s); });
    connect(patient_page_, &PatientPageWidget::resultsRequested, this,
            [this](datasets::CatalogId s) { showResults(s); });
    connect(patient_page_, &PatientPageWidget::reportRequested, this,
            [this](datasets::CatalogId s) { chooseReportFile(s); });
    connect(patient_page_, &PatientPageWidget::exportRequested, this, [this] { openExport(); });
    connect(&connection_, &StancedConnection::stateChanged, this, &MainWindow::onLinkState);
    connect(task_, &BackgroundTask::finished, this, [this](bool ok, const QString& message) {
        job_message_ = message;
        statusBar()->showMessage(message, 15000);
        if (!ok)
            showError(this, QStringLiteral("Report"), message);
    });

    connection_.setServer(options_.server, options_.token);
    onLinkState(connection_.state(), connection_.statusText());
    if (options_.connect)
        connection_.start();

    if (!problem.isEmpty())
        setProblem(problem);
    reloadAll(0);
    resize(1440, 900);
}

MainWindow::~MainWindow() {
    // Child windows go first: a session wizard still open uses connection_ (a member, which
    // dies before QObject deletes the children) to close a running trial properly.
    qDeleteAll(findChildren<QDialog*>(Qt::FindDirectChildrenOnly));
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
    QAction* open = file->addAction(QStringLiteral("&Open catalog..."));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, [this] { chooseCatalogFile(); });
    QAction* exp = file->addAction(QStringLiteral("&Export..."));
    connect(exp, &QAction::triggered, this, [this] { openExport(); });
    file->addSeparator();
    QAction* quit = file->addAction(QStringLiteral("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu* patient = menuBar()->addMenu(QStringLiteral("&Patient"));
    QAction* add = patient->addAction(QStringLiteral("&New patient..."));
    add->setShortcut(QKeySequence::New);
    connect(add, &QAction::triggered, this, [this] { openNewPatientDialog(); });
    QAction* edit = patient->addAction(QStringLiteral("&Edit patient..."));
    connect(edit, &QAction::triggered, this, [this] { openEditPatientDialog(); });
    QAction* assess = patient->addAction(QStringLiteral("New &assessment..."));
    assess->setShortcut(QKeySequence(QStringLiteral("Ctrl+R")));
    connect(assess, &QAction::triggered, this, [this] { openAssessment(); });
    QAction* q = patient->addAction(QStringLiteral("&Questionnaire for the selected session..."));
    connect(q, &QAction::triggered, this,
            [this] { openQuestionnaire(patient_page_->selectedSession()); });

    QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
    const std::pair<Page, const char*> pages[] = {
        {Page::kPatient, "&Patient"}, {Page::kResults, "&Results"}, {Page::kProgress, "P&rogress"}};
    int n = 1;
    for (const auto& [page, name] : pages) {
        QAction* a = view->addAction(QString::fromUtf8(name));
        a->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(n++)));
        connect(a, &QAction::triggered, this, [this, p = page] { showPage(p); });
    }
    QAction* reconnect = view->addAction(QStringLiteral("Reconnect to stanced"));
    connect(reconnect, &QAction::triggered, this, [this] {
        connection_.stop();
        connection_.start();
    });
}

template <class F>
bool MainWindow::guarded(const QString& what, F&& f) {
    try {
        f();
        return true;
    } catch (const std::exception& e) {
        showError(this, what, qs(e.what()));
        statusBar()->showMessage(QStringLiteral("%1: %2").arg(what, qs(e.what())), 15000);
        return false;
    }
}

void MainWindow::setProblem(const QString& problem) {
    problem_->setText(problem);
    problem_->setVisible(!problem.isEmpty());
}

QString MainWindow::problemText() const {
    return problem_->isVisible() ? problem_->text() : QString();
}

void MainWindow::reloadAll(datasets::CatalogId keep_patient) {
    catalog_label_->setText(catalog_ ? QStringLiteral("Catalog: %1").arg(qs(catalog_file_.string()))
                                     : QStringLiteral("No catalog open"));
    if (!catalog_) {
        list_->setEnabled(false);
        patient_page_->clearPage();
        results_->clearPage();
        progress_->clearPage();
        return;
    }
    list_->setEnabled(true);
    guarded(QStringLiteral("Patients"), [&] { list_->reload(*catalog_); });
    if (keep_patient != 0)
        openPatient(keep_patient);
}

bool MainWindow::openCatalogFile(const std::filesystem::path& file) {
    QString error;
    auto c = openCatalogOrExplain(file, error);
    if (!c) {
        showError(this, QStringLiteral("Open catalog"), error);
        return false;
    }
    catalog_ = std::move(c);
    catalog_file_ = file;
    setProblem({});
    patient_page_->clearPage();
    results_->clearPage();
    progress_->clearPage();
    reloadAll(0);
    return true;
}

void MainWindow::chooseCatalogFile() {
    auto* dialog = new QFileDialog(this, QStringLiteral("Open catalog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setNameFilter(QStringLiteral("Stance catalog (*.db *.sqlite);;All files (*)"));
    connect(dialog, &QFileDialog::fileSelected, this,
            [this](const QString& f) { openCatalogFile(std::filesystem::path(ss(f))); });
    dialog->open();
}

bool MainWindow::openPatient(datasets::CatalogId id) {
    if (!catalog_ || id == 0)
        return false;
    const bool ok = guarded(QStringLiteral("Patient"), [&] {
        patient_page_->load(*catalog_, id);
        progress_->load(*catalog_, id);
    });
    if (!ok)
        return false;
    if (list_->selectedPatient() != id) {
        const QSignalBlocker block(list_);
        if (!list_->selectPatient(id)) {
            // Hidden by the search: clear it so that the list shows who is open.
            list_->setQuery(QString());
            list_->selectPatient(id);
        }
    }
    results_->clearPage();
    return true;
}

bool MainWindow::showResults(datasets::CatalogId session_id) {
    if (!catalog_ || session_id == 0)
        return false;
    const bool ok =
        guarded(QStringLiteral("Results"), [&] { results_->load(*catalog_, session_id); });
    if (ok)
        showPage(Page::kResults);
    return ok;
}

void MainWindow::showPage(Page page) {
    tabs_->setCurrentIndex(static_cast<int>(page));
}

MainWindow::Page MainWindow::currentPage() const {
    return static_cast<Page>(tabs_->currentIndex());
}

PatientDialog* MainWindow::openNewPatientDialog() {
    if (!catalog_)
        return nullptr;
    auto* d = new PatientDialog(*catalog_, app::PatientForm{}, this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    connect(d, &PatientDialog::saved, this, [this](datasets::CatalogId id) {
        reloadAll(id);
        statusBar()->showMessage(QStringLiteral("Patient saved."), 5000);
    });
    d->open();
    return d;
}

PatientDialog* MainWindow::openEditPatientDialog() {
    if (!catalog_ || !patient_page_->page())
        return nullptr;
    auto* d = new PatientDialog(
        *catalog_, app::PatientForm::fromPatient(patient_page_->page()->patient), this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    connect(d, &PatientDialog::saved, this, [this](datasets::CatalogId id) { reloadAll(id); });
    d->open();
    return d;
}

SessionWizardDialog* MainWindow::openAssessment() {
    if (!catalog_ || patient_page_->patientId() == 0)
        return nullptr;
    auto* d = new SessionWizardDialog(*catalog_, patient_page_->patientId(), connection_, this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    connect(d, &SessionWizardDialog::sessionStored, this, [this](datasets::CatalogId session) {
        reloadAll(patient_page_->patientId());
        patient_page_->selectSession(session);
        showResults(session);
    });
    d->show();
    return d;
}

QuestionnaireDialog* MainWindow::openQuestionnaire(datasets::CatalogId session_id) {
    if (!catalog_ || session_id == 0)
        return nullptr;
    QString label = QString::number(session_id);
    guarded(QStringLiteral("Questionnaire"), [&] {
        if (auto s = catalog_->session(session_id))
            label = qs(datasets::formatIsoDate(
                std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(s->start_utc)}));
    });
    auto* d = new QuestionnaireDialog(*catalog_, session_id, label, this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    connect(d, &QuestionnaireDialog::saved, this, [this](datasets::CatalogId session) {
        reloadAll(patient_page_->patientId());
        patient_page_->selectSession(session);
        statusBar()->showMessage(QStringLiteral("Questionnaire saved with the session."), 5000);
    });
    d->open();
    return d;
}

ExportDialog* MainWindow::openExport() {
    if (!catalog_)
        return nullptr;
    QString label;
    if (const auto& page = patient_page_->page())
        label = qs(page->patient.subject_code);
    auto* d = new ExportDialog(catalog_file_, patient_page_->patientId(),
                               patient_page_->selectedSession(), label, this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    d->open();
    return d;
}

void MainWindow::chooseReportFile(datasets::CatalogId session_id) {
    auto* dialog = new QFileDialog(this, QStringLiteral("Save the report"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("pdf"));
    dialog->setNameFilter(QStringLiteral("PDF (*.pdf)"));
    connect(dialog, &QFileDialog::fileSelected, this, [this, session_id](const QString& f) {
        writeReport(session_id, std::filesystem::path(ss(f)));
    });
    dialog->open();
}

bool MainWindow::writeReport(datasets::CatalogId session_id, const std::filesystem::path& out) {
    if (!catalog_ || session_id == 0 || task_->running())
        return false;
    const std::filesystem::path catalog_file = catalog_file_;
    statusBar()->showMessage(QStringLiteral("Writing the report to %1 ...").arg(qs(out.string())));
    return task_->start([catalog_file, session_id, out]() -> QString {
        const auto catalog = app::openExistingCatalog(catalog_file, /*read_only=*/true);
        const app::ReportModel model = app::buildReportModel(*catalog, session_id);
        const report::PdfResult r = report::writeReportPdf(model, out);
        return QStringLiteral("Report written: %1 (%2 pages).")
            .arg(qs(r.file.string()))
            .arg(r.pages);
    });
}

void MainWindow::onLinkState(LinkState state, const QString& text) {
    const QColor c = state == LinkState::kConnected ? colours::kOk
                     : state == LinkState::kIdle    ? colours::kUnchanged
                                                    : colours::kWaiting;
    link_->setText(
        QStringLiteral("<span style=\"color:%1\">●</span> %2").arg(c.name(), text.toHtmlEscaped()));
    link_->setToolTip(
        QStringLiteral("stanced, the acquisition service: %1").arg(linkStateName(state)));
}

QString MainWindow::linkStatusText() const {
    return connection_.statusText();
}

}  // namespace stance::gui
