#pragma once
/// \file
/// The main window of stance-gui: the patient list on the left; on the right the patient's page,
/// the results of a session and the progress over sessions; the link to stanced in the status
/// bar (connected, or why not and when it retries). Dialogs (new / edit patient, assessment,
/// questionnaire, export) open without a nested event loop; long work (export, PDF report) runs
/// on a worker thread with its own catalog connection; a catalog problem (damaged file, lock held
/// too long) is shown as a message naming the file, never a crash.
///
/// Thread rules: UI thread only. The window owns the catalog connection of the UI thread.

#include <QMainWindow>
#include <QUrl>
#include <filesystem>
#include <memory>

#include "stance/datasets/catalog.hpp"
#include "stance/gui/stanced_connection.hpp"

class QLabel;
class QTabWidget;

namespace stance::gui {

class BackgroundTask;
class ExportDialog;
class PatientDialog;
class PatientListPanel;
class PatientPageWidget;
class ProgressPage;
class QuestionnaireDialog;
class ResultsPage;
class SessionWizardDialog;

struct MainWindowOptions {
    QUrl server{QStringLiteral("ws://127.0.0.1:8765/")};
    QString token;
    /// Connect to stanced at start (and keep retrying). Off for screenshots.
    bool connect = true;
    /// Marks the window as showing the invented demo patient.
    bool demo = false;
};

/// Opens an existing catalog, or creates an empty one when the file does not exist. Nothing,
/// with `error` set to a message naming the file and the problem, when it cannot be opened
/// (damaged, not a Stance catalog, newer schema, locked, unreadable).
std::unique_ptr<datasets::Catalog> openCatalogOrExplain(const std::filesystem::path& file,
                                                        QString& error);

class MainWindow;

/// Renders `window`'s progress view of its current patient to a PNG (QWidget::grab), at a size
/// where every chart of the default selection is readable (three columns). Written under a
/// temporary name and renamed. False, with `error` naming the file and the problem, when there
/// is no patient open or the file cannot be written.
bool renderProgressScreenshot(MainWindow& window, const QString& png_file, QString& error);

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// `catalog` may be null: the window then says why (`problem`) and offers File > Open.
    MainWindow(std::unique_ptr<datasets::Catalog> catalog, std::filesystem::path catalog_file,
               MainWindowOptions options, const QString& problem = {});
    ~MainWindow() override;

    enum class Page { kPatient = 0, kResults = 1, kProgress = 2 };

    /// Opens another catalog; on failure shows the reason and keeps the current one.
    bool openCatalogFile(const std::filesystem::path& file);
    /// Selects a patient and shows their page (and loads their progress). False when unknown.
    bool openPatient(datasets::CatalogId id);
    /// Shows a session's results page. False (message shown) when it cannot be loaded.
    bool showResults(datasets::CatalogId session_id);
    void showPage(Page page);
    Page currentPage() const;

    // Dialogs (shown, non-blocking); nullptr when not possible now (no catalog, no patient).
    PatientDialog* openNewPatientDialog();
    PatientDialog* openEditPatientDialog();
    SessionWizardDialog* openAssessment();
    QuestionnaireDialog* openQuestionnaire(datasets::CatalogId session_id);
    ExportDialog* openExport();
    /// Writes the PDF report of a session on a worker thread; the status bar says when done.
    bool writeReport(datasets::CatalogId session_id, const std::filesystem::path& out);

    datasets::Catalog* catalog() const noexcept { return catalog_.get(); }
    StancedConnection& connection() noexcept { return connection_; }
    PatientListPanel* patientList() const noexcept { return list_; }
    PatientPageWidget* patientPage() const noexcept { return patient_page_; }
    ResultsPage* resultsPage() const noexcept { return results_; }
    ProgressPage* progressPage() const noexcept { return progress_; }
    QString linkStatusText() const;
    QString problemText() const;
    /// The last background job's message (report written / failed).
    QString lastJobMessage() const noexcept { return job_message_; }
    BackgroundTask* backgroundTask() const noexcept { return task_; }

private:
    void buildMenus();
    void reloadAll(datasets::CatalogId keep_patient);
    void setProblem(const QString& problem);
    void onLinkState(LinkState state, const QString& text);
    void chooseReportFile(datasets::CatalogId session_id);
    void chooseCatalogFile();
    /// Runs `f`; a catalog / data / app error is shown as a message naming it. False on error.
    template <class F>
    bool guarded(const QString& what, F&& f);

    std::unique_ptr<datasets::Catalog> catalog_;
    std::filesystem::path catalog_file_;
    MainWindowOptions options_;
    StancedConnection connection_;
    PatientListPanel* list_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    PatientPageWidget* patient_page_ = nullptr;
    ResultsPage* results_ = nullptr;
    ProgressPage* progress_ = nullptr;
    QLabel* link_ = nullptr;
    QLabel* catalog_label_ = nullptr;
    QLabel* problem_ = nullptr;
    BackgroundTask* task_ = nullptr;
    QString job_message_;
};

}  // namespace stance::gui
