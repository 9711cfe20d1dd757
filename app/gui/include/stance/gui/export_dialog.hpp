#pragma once
/// \file
/// Export from the app (app::exportFromCatalog): a stance-hdf5 bundle, a metrics CSV or a folder
/// of signal CSVs, of this patient, this session only or every patient. De-identified by
/// default (pseudonyms, age instead of birth date, no names); the identified export needs a tick
/// and says in red what it keeps. The export runs on a worker thread with its own read-only
/// catalog connection, so the window stays responsive; the result (files, counts, identity mode)
/// or the error is shown in the dialog.
///
/// Thread rules: UI thread only (the worker is BackgroundTask's).

#include <QDialog>
#include <filesystem>

#include "stance/app/app_export.hpp"

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace stance::gui {

class BackgroundTask;

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    /// `catalog_file` is opened again (read-only) by the worker; `patient_id` and `session_id`
    /// (0: none selected) set the scope choices.
    ExportDialog(std::filesystem::path catalog_file, datasets::CatalogId patient_id,
                 datasets::CatalogId session_id, const QString& patient_label,
                 QWidget* parent = nullptr);
    ~ExportDialog() override;

    enum class Scope { kPatient, kSession, kAllPatients };

    void setKind(app::ExportKind kind);
    void setScope(Scope scope);
    void setIdentified(bool identified);
    void setOutput(const QString& path);
    /// The request the dialog would run now.
    app::ExportRequest request() const;
    bool identified() const;
    /// Starts the export (the Export button); false with the reason shown when the request is
    /// incomplete or one is running.
    bool startExport();
    bool running() const;
    QString statusText() const;

    /// Close: refused (with a note) while the export runs.
    void reject() override;

signals:
    /// The export ended: ok and what was written, or the error.
    void exportFinished(bool ok, const QString& message);

private:
    void updateState();
    void chooseOutput();

    std::filesystem::path catalog_file_;
    datasets::CatalogId patient_id_;
    datasets::CatalogId session_id_;
    QButtonGroup* kind_ = nullptr;
    QButtonGroup* scope_ = nullptr;
    QCheckBox* identified_ = nullptr;
    QLabel* identity_note_ = nullptr;
    QComboBox* unit_ = nullptr;
    QLineEdit* output_ = nullptr;
    QCheckBox* overwrite_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton* export_ = nullptr;
    BackgroundTask* task_ = nullptr;
};

}  // namespace stance::gui
