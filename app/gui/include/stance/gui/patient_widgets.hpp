#pragma once
/// \file
/// The patient screens: the searchable list (app::PatientListModel), a patient's page with every
/// session (app::loadPatientPage) and the new / edit patient dialog validated as the user types
/// (app::validatePatientForm, the bad field named under it). The widgets only display the app
/// core's models and forward what the user does; identifying fields are read from and written to
/// the catalog only.
///
/// Thread rules: UI thread only; the catalog is the main window's (one connection, this thread).

#include <QAbstractTableModel>
#include <QDialog>
#include <QWidget>
#include <map>
#include <optional>
#include <string>

#include "stance/app/patients.hpp"

class QLabel;
class QLineEdit;
class QComboBox;
class QTableView;
class QPushButton;
class QDialogButtonBox;
class QTextEdit;

namespace stance::gui {

/// Table model over app::PatientListModel's rows: code, name, birth date, sex, sessions, last
/// session.
class PatientTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;
    void setRows(std::vector<app::PatientRow> rows);
    const app::PatientRow* row(int index) const;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<app::PatientRow> rows_;
};

/// The patient list: a search box filtering as the user types, the table, "New patient".
class PatientListPanel : public QWidget {
    Q_OBJECT
public:
    explicit PatientListPanel(QWidget* parent = nullptr);

    /// Reads the patients again (after a save); keeps the query and the selection when it can.
    void reload(const datasets::Catalog& catalog);
    /// Types into the search box (what the user does).
    void setQuery(const QString& query);
    QString query() const;
    /// Rows shown after filtering.
    int visibleRows() const;
    /// Selects the patient with this id (when shown); true when found.
    bool selectPatient(datasets::CatalogId id);
    datasets::CatalogId selectedPatient() const;
    const app::PatientListModel& listModel() const noexcept { return list_; }

signals:
    void patientSelected(stance::datasets::CatalogId id);
    void newPatientRequested();

private:
    void refill();

    app::PatientListModel list_;
    PatientTableModel* model_ = nullptr;
    QLineEdit* search_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* count_ = nullptr;
    QPushButton* new_patient_ = nullptr;
};

/// Table model of a patient's sessions: date, protocol, operator, status, key results,
/// questionnaires.
class SessionTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;
    void setRows(std::vector<app::SessionRow> rows);
    const app::SessionRow* row(int index) const;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<app::SessionRow> rows_;
};

/// A patient's page: demographics and every session (newest at the top), with the actions on
/// the selected session.
class PatientPageWidget : public QWidget {
    Q_OBJECT
public:
    explicit PatientPageWidget(QWidget* parent = nullptr);

    /// Loads the page (throws what app::loadPatientPage throws).
    void load(const datasets::Catalog& catalog, datasets::CatalogId patient_id);
    void clearPage();
    datasets::CatalogId patientId() const noexcept { return page_ ? page_->patient.id : 0; }
    const std::optional<app::PatientPage>& page() const noexcept { return page_; }
    int sessionRows() const;
    /// Selects a session row by id; true when found.
    bool selectSession(datasets::CatalogId id);
    datasets::CatalogId selectedSession() const;

signals:
    void editPatientRequested();
    void newAssessmentRequested();
    void questionnaireRequested(stance::datasets::CatalogId session_id);
    void resultsRequested(stance::datasets::CatalogId session_id);
    void reportRequested(stance::datasets::CatalogId session_id);
    void exportRequested();

private:
    void updateButtons();

    std::optional<app::PatientPage> page_;
    QLabel* header_ = nullptr;
    QLabel* details_ = nullptr;
    SessionTableModel* model_ = nullptr;
    QTableView* table_ = nullptr;
    QPushButton* edit_ = nullptr;
    QPushButton* assess_ = nullptr;
    QPushButton* questionnaire_ = nullptr;
    QPushButton* results_ = nullptr;
    QPushButton* report_ = nullptr;
    QPushButton* export_ = nullptr;
};

/// New / edit patient. Every change re-runs app::validatePatientForm: a field that does not pass
/// turns red with its message under it, the footer lists every problem, and Save stays disabled
/// until the form is valid. Save stores through app::savePatient and emits saved().
class PatientDialog : public QDialog {
    Q_OBJECT
public:
    /// `catalog` checks the subject code's uniqueness and receives the patient on Save.
    PatientDialog(datasets::Catalog& catalog, const app::PatientForm& form,
                  QWidget* parent = nullptr);

    /// Sets a field as if typed (tests; names are the PatientForm members).
    void setField(std::string_view field, const QString& text);
    /// The current validation (what the dialog shows).
    const app::PatientValidation& validation() const noexcept { return validation_; }
    /// The message shown under a field ("" when it passes).
    QString fieldMessage(std::string_view field) const;
    bool canSave() const;
    /// Saves as the Save button does; false (and the reason shown) when it cannot.
    bool save();

signals:
    void saved(stance::datasets::CatalogId patient_id);

private:
    void revalidate();
    app::PatientForm formFromFields() const;

    datasets::Catalog& catalog_;
    datasets::CatalogId id_ = 0;
    std::map<std::string, QLineEdit*, std::less<>> edits_;
    std::map<std::string, QLabel*, std::less<>> messages_;
    QComboBox* sex_ = nullptr;
    QTextEdit* notes_ = nullptr;
    QLabel* summary_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
    app::PatientValidation validation_;
};

}  // namespace stance::gui
