#include "stance/gui/patient_widgets.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTextEdit>
#include <QVBoxLayout>
#include <array>

#include "stance/app/catalog_access.hpp"
#include "stance/gui/ui_support.hpp"

namespace stance::gui {

namespace {

struct FieldSpec {
    const char* field;
    const char* label;
    const char* placeholder;
};

// Form order; the fields the analysis needs are marked with an asterisk.
constexpr std::array<FieldSpec, 9> kFields{{
    {"subject_code", "Patient ID *", "the clinic's record number"},
    {"given_name", "Given name", ""},
    {"family_name", "Family name", ""},
    {"birth_date", "Birth date *", "YYYY-MM-DD"},
    {"height_m", "Height (m) *", "e.g. 1.68"},
    {"mass_kg", "Mass (kg) *", "e.g. 64.5"},
    {"phone", "Phone", ""},
    {"email", "Email", ""},
    {"address", "Address", ""},
}};

QString fieldLabel(std::string_view field) {
    if (field == app::kFieldSex)
        return QStringLiteral("Sex");
    for (const FieldSpec& f : kFields) {
        if (field == f.field) {
            QString l = QString::fromLatin1(f.label);
            l.remove(QStringLiteral(" *"));
            return l;
        }
    }
    return qs(field);
}

/// The message without its leading "field: " (the field is named by the label beside it).
QString withoutFieldPrefix(const app::FieldError& e) {
    const std::string prefix = e.field + ": ";
    if (e.message.rfind(prefix, 0) == 0)
        return qs(std::string_view(e.message).substr(prefix.size()));
    return qs(e.message);
}

const char* kSessionHeaders[] = {"Date",        "Protocol",       "Status",
                                 "Key results", "Questionnaires", "Operator"};
const char* kPatientHeaders[] = {"Patient ID", "Name",     "Birth date",
                                 "Sex",        "Sessions", "Last session"};

}  // namespace

// ---- PatientTableModel ------------------------------------------------------------------------

void PatientTableModel::setRows(std::vector<app::PatientRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

const app::PatientRow* PatientTableModel::row(int index) const {
    if (index < 0 || index >= static_cast<int>(rows_.size()))
        return nullptr;
    return &rows_[static_cast<std::size_t>(index)];
}

int PatientTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int PatientTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : 6;
}

QVariant PatientTableModel::data(const QModelIndex& index, int role) const {
    const app::PatientRow* r = row(index.row());
    if (r == nullptr || role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
        case 0:
            return qs(r->subject_code);
        case 1:
            return qs(r->name);
        case 2:
            return qs(r->birth_date);
        case 3:
            return qs(r->sex);
        case 4:
            return r->session_count;
        case 5:
            return qs(r->last_session_date);
        default:
            return {};
    }
}

QVariant PatientTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section > 5)
        return {};
    return QString::fromLatin1(kPatientHeaders[section]);
}

// ---- PatientListPanel -------------------------------------------------------------------------

PatientListPanel::PatientListPanel(QWidget* parent) : QWidget(parent) {
    search_ = new QLineEdit(this);
    search_->setObjectName(QStringLiteral("patient-search"));
    search_->setPlaceholderText(QStringLiteral("Search name, ID or birth date"));
    search_->setClearButtonEnabled(true);
    model_ = new PatientTableModel(this);
    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("patient-table"));
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setAlternatingRowColors(true);
    count_ = new QLabel(this);
    new_patient_ = new QPushButton(QStringLiteral("New patient..."), this);
    new_patient_->setObjectName(QStringLiteral("new-patient"));

    auto* title = new QLabel(QStringLiteral("<b>Patients</b>"), this);
    auto* bottom = new QHBoxLayout();
    bottom->addWidget(count_, 1);
    bottom->addWidget(new_patient_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(search_);
    layout->addWidget(table_, 1);
    layout->addLayout(bottom);

    connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
        const datasets::CatalogId keep = selectedPatient();
        list_.setQuery(ss(text));
        refill();
        if (keep != 0)
            selectPatient(keep);
    });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current, const QModelIndex&) {
                if (const app::PatientRow* r = model_->row(current.row()))
                    emit patientSelected(r->id);
            });
    connect(new_patient_, &QPushButton::clicked, this, &PatientListPanel::newPatientRequested);
}

void PatientListPanel::reload(const datasets::Catalog& catalog) {
    const datasets::CatalogId keep = selectedPatient();
    list_.reload(catalog);
    list_.setQuery(ss(search_->text()));
    refill();
    if (keep != 0)
        selectPatient(keep);
}

void PatientListPanel::refill() {
    {
        // The rows change under the selection: no selection signal for the reset itself.
        const QSignalBlocker block(table_->selectionModel());
        model_->setRows(list_.rows());
    }
    table_->resizeColumnsToContents();
    count_->setText(list_.query().empty() ? QStringLiteral("%1 patients").arg(list_.totalCount())
                                          : QStringLiteral("%1 of %2 patients match")
                                                .arg(list_.rows().size())
                                                .arg(list_.totalCount()));
}

void PatientListPanel::setQuery(const QString& query) {
    search_->setText(query);
}
QString PatientListPanel::query() const {
    return search_->text();
}
int PatientListPanel::visibleRows() const {
    return model_->rowCount();
}

bool PatientListPanel::selectPatient(datasets::CatalogId id) {
    for (int i = 0; i < model_->rowCount(); ++i) {
        if (model_->row(i)->id == id) {
            table_->selectRow(i);
            table_->setCurrentIndex(model_->index(i, 0));
            return true;
        }
    }
    return false;
}

datasets::CatalogId PatientListPanel::selectedPatient() const {
    const app::PatientRow* r = model_->row(table_->currentIndex().row());
    return r == nullptr ? 0 : r->id;
}

// ---- SessionTableModel ------------------------------------------------------------------------

void SessionTableModel::setRows(std::vector<app::SessionRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

const app::SessionRow* SessionTableModel::row(int index) const {
    if (index < 0 || index >= static_cast<int>(rows_.size()))
        return nullptr;
    return &rows_[static_cast<std::size_t>(index)];
}

int SessionTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int SessionTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : 6;
}

QVariant SessionTableModel::data(const QModelIndex& index, int role) const {
    const app::SessionRow* r = row(index.row());
    if (r == nullptr)
        return {};
    if (role == Qt::ForegroundRole && index.column() == 2 && r->status != "complete")
        return colours::kWaiting;
    if (role == Qt::ToolTipRole && index.column() == 3) {
        QStringList lines;
        for (const app::KeyResult& k : r->key_results)
            lines << QStringLiteral("%1: %2").arg(qs(k.label), qs(k.text));
        return lines.join(QLatin1Char('\n'));
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
        case 0:
            return qs(r->date);
        case 1:
            return qs(r->protocol_name);
        case 2:
            return qs(r->status);
        case 3: {
            QStringList parts;
            for (const app::KeyResult& k : r->key_results)
                parts << QStringLiteral("%1 %2").arg(qs(k.label), qs(k.text));
            return parts.join(QStringLiteral("; "));
        }
        case 4: {
            QStringList q;
            for (const std::string& s : r->questionnaires)
                q << qs(s);
            return q.join(QStringLiteral(", "));
        }
        case 5:
            return qs(r->operator_name);
        default:
            return {};
    }
}

QVariant SessionTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section > 5)
        return {};
    return QString::fromLatin1(kSessionHeaders[section]);
}

// ---- PatientPageWidget ------------------------------------------------------------------------

PatientPageWidget::PatientPageWidget(QWidget* parent) : QWidget(parent) {
    header_ = new QLabel(this);
    header_->setObjectName(QStringLiteral("patient-header"));
    header_->setTextFormat(Qt::RichText);
    details_ = new QLabel(this);
    details_->setWordWrap(true);
    model_ = new SessionTableModel(this);
    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("session-table"));
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setWordWrap(false);

    edit_ = new QPushButton(QStringLiteral("Edit patient..."), this);
    assess_ = new QPushButton(QStringLiteral("New assessment..."), this);
    assess_->setObjectName(QStringLiteral("new-assessment"));
    questionnaire_ = new QPushButton(QStringLiteral("Questionnaire..."), this);
    questionnaire_->setObjectName(QStringLiteral("add-questionnaire"));
    questionnaire_->setToolTip(
        QStringLiteral("Enter DHI, VSS-SF, ABC or VAS answers for the "
                       "selected session"));
    results_ = new QPushButton(QStringLiteral("Results"), this);
    results_->setObjectName(QStringLiteral("show-results"));
    report_ = new QPushButton(QStringLiteral("Report (PDF)..."), this);
    export_ = new QPushButton(QStringLiteral("Export..."), this);
    export_->setObjectName(QStringLiteral("export"));

    auto* buttons = new QHBoxLayout();
    for (QPushButton* b : {edit_, assess_, questionnaire_, results_, report_, export_})
        buttons->addWidget(b);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(header_);
    layout->addWidget(details_);
    layout->addLayout(buttons);
    layout->addWidget(new QLabel(QStringLiteral("<b>Sessions</b> (newest first; double-click to "
                                                "open the results)"),
                                 this));
    layout->addWidget(table_, 1);

    connect(edit_, &QPushButton::clicked, this, &PatientPageWidget::editPatientRequested);
    connect(assess_, &QPushButton::clicked, this, &PatientPageWidget::newAssessmentRequested);
    connect(export_, &QPushButton::clicked, this, &PatientPageWidget::exportRequested);
    connect(questionnaire_, &QPushButton::clicked, this,
            [this] { emit questionnaireRequested(selectedSession()); });
    connect(results_, &QPushButton::clicked, this,
            [this] { emit resultsRequested(selectedSession()); });
    connect(report_, &QPushButton::clicked, this,
            [this] { emit reportRequested(selectedSession()); });
    connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (const app::SessionRow* r = model_->row(index.row()))
            emit resultsRequested(r->id);
    });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { updateButtons(); });
    clearPage();
}

void PatientPageWidget::load(const datasets::Catalog& catalog, datasets::CatalogId patient_id) {
    app::PatientPage page = app::loadPatientPage(catalog, patient_id);
    const datasets::Patient& p = page.patient;
    QString name = qs(p.given_name + (p.given_name.empty() ? "" : " ") + p.family_name);
    if (name.trimmed().isEmpty())
        name = QStringLiteral("(no name)");
    header_->setText(QStringLiteral("<span style=\"font-size:15pt; font-weight:bold\">%1</span>"
                                    "&nbsp;&nbsp;<span style=\"font-size:11pt\">%2</span>")
                         .arg(name.toHtmlEscaped(), qs(p.subject_code).toHtmlEscaped()));
    QStringList facts;
    facts << (p.birth_date
                  ? QStringLiteral("born %1").arg(qs(datasets::formatIsoDate(*p.birth_date)))
                  : QStringLiteral("birth date unknown"));
    if (page.age_years)
        facts << QStringLiteral("%1 years").arg(*page.age_years);
    facts << qs(datasets::sexName(p.sex));
    facts << (p.height_m ? QStringLiteral("%1 m").arg(formatNumber(*p.height_m, 2))
                         : QStringLiteral("height unknown"));
    facts << (p.mass_kg ? QStringLiteral("%1 kg").arg(formatNumber(*p.mass_kg, 1))
                        : QStringLiteral("mass unknown"));
    facts << QStringLiteral("%1 sessions").arg(page.sessions.size());
    details_->setText(facts.join(QStringLiteral("  ·  ")));

    std::vector<app::SessionRow> rows(page.sessions.rbegin(), page.sessions.rend());
    {
        const QSignalBlocker block(table_->selectionModel());
        model_->setRows(std::move(rows));
    }
    table_->resizeColumnsToContents();
    page_ = std::move(page);
    if (model_->rowCount() > 0)
        table_->selectRow(0);
    updateButtons();
}

void PatientPageWidget::clearPage() {
    page_.reset();
    header_->setText(QStringLiteral("<span style=\"font-size:13pt\">No patient selected</span>"));
    details_->setText(
        QStringLiteral("Choose a patient in the list, or create one with New "
                       "patient."));
    model_->setRows({});
    updateButtons();
}

int PatientPageWidget::sessionRows() const {
    return model_->rowCount();
}

bool PatientPageWidget::selectSession(datasets::CatalogId id) {
    for (int i = 0; i < model_->rowCount(); ++i) {
        if (model_->row(i)->id == id) {
            table_->selectRow(i);
            return true;
        }
    }
    return false;
}

datasets::CatalogId PatientPageWidget::selectedSession() const {
    const app::SessionRow* r = model_->row(table_->currentIndex().row());
    return r == nullptr ? 0 : r->id;
}

void PatientPageWidget::updateButtons() {
    const bool patient = page_.has_value();
    const bool session = selectedSession() != 0;
    edit_->setEnabled(patient);
    assess_->setEnabled(patient);
    export_->setEnabled(patient);
    questionnaire_->setEnabled(session);
    results_->setEnabled(session);
    report_->setEnabled(session);
}

// ---- PatientDialog ----------------------------------------------------------------------------

PatientDialog::PatientDialog(datasets::Catalog& catalog, const app::PatientForm& form,
                             QWidget* parent)
    : QDialog(parent), catalog_(catalog), id_(form.id) {
    setWindowTitle(form.id == 0 ? QStringLiteral("New patient") : QStringLiteral("Edit patient"));
    setObjectName(QStringLiteral("patient-dialog"));
    auto* formLayout = new QFormLayout();
    const auto values =
        std::map<std::string, std::string, std::less<>>{{"subject_code", form.subject_code},
                                                        {"given_name", form.given_name},
                                                        {"family_name", form.family_name},
                                                        {"birth_date", form.birth_date},
                                                        {"height_m", form.height_m},
                                                        {"mass_kg", form.mass_kg},
                                                        {"phone", form.phone},
                                                        {"email", form.email},
                                                        {"address", form.address}};
    auto addMessage = [this, formLayout](const std::string& field) {
        auto* msg = new QLabel(this);
        msg->setObjectName(QStringLiteral("error-") + qs(field));
        msg->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(colours::kProblem.name()));
        msg->setWordWrap(true);
        msg->hide();
        formLayout->addRow(QString(), msg);
        messages_[field] = msg;
    };
    for (const FieldSpec& f : kFields) {
        auto* edit = new QLineEdit(this);
        edit->setObjectName(QString::fromLatin1(f.field));
        edit->setPlaceholderText(QString::fromLatin1(f.placeholder));
        edit->setText(qs(values.find(std::string_view(f.field))->second));
        formLayout->addRow(QString::fromLatin1(f.label), edit);
        edits_[f.field] = edit;
        addMessage(f.field);
        connect(edit, &QLineEdit::textChanged, this, [this] { revalidate(); });
        if (std::string_view(f.field) == "birth_date") {
            // Sex goes right after the birth date, with the other fields the analysis needs.
            sex_ = new QComboBox(this);
            sex_->setObjectName(QStringLiteral("sex"));
            sex_->addItem(QStringLiteral("(choose)"), QString());
            sex_->addItem(QStringLiteral("female"), QStringLiteral("female"));
            sex_->addItem(QStringLiteral("male"), QStringLiteral("male"));
            sex_->addItem(QStringLiteral("other"), QStringLiteral("other"));
            const int at = sex_->findData(qs(form.sex));
            sex_->setCurrentIndex(at < 0 ? 0 : at);
            formLayout->addRow(QStringLiteral("Sex *"), sex_);
            addMessage(std::string(app::kFieldSex));
            connect(sex_, &QComboBox::currentIndexChanged, this, [this] { revalidate(); });
        }
    }
    notes_ = new QTextEdit(this);
    notes_->setPlainText(qs(form.notes));
    notes_->setMaximumHeight(70);
    formLayout->addRow(QStringLiteral("Notes"), notes_);

    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("form-summary"));
    summary_->setWordWrap(true);
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons_, &QDialogButtonBox::accepted, this, [this] { save(); });
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* intro = new QLabel(QStringLiteral("Fields marked * are needed by the analysis (norms by "
                                            "age and sex, body model from height and mass). "
                                            "Names and contact details stay in this catalog and "
                                            "are left out of exports unless asked for."),
                             this);
    intro->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(formLayout);
    layout->addWidget(summary_);
    layout->addWidget(buttons_);
    setMinimumWidth(460);
    revalidate();
}

app::PatientForm PatientDialog::formFromFields() const {
    app::PatientForm f;
    f.id = id_;
    auto text = [this](const char* field) { return ss(edits_.find(field)->second->text()); };
    f.subject_code = text("subject_code");
    f.given_name = text("given_name");
    f.family_name = text("family_name");
    f.birth_date = text("birth_date");
    f.height_m = text("height_m");
    f.mass_kg = text("mass_kg");
    f.phone = text("phone");
    f.email = text("email");
    f.address = text("address");
    f.sex = ss(sex_->currentData().toString());
    f.notes = ss(notes_->toPlainText());
    return f;
}

void PatientDialog::revalidate() {
    validation_ = app::validatePatientForm(formFromFields(), app::todayUtc(), &catalog_);
    for (auto& [field, label] : messages_) {
        const app::FieldError* e = validation_.error(field);
        QWidget* input = field == app::kFieldSex
                             ? static_cast<QWidget*>(sex_)
                             : static_cast<QWidget*>(edits_.find(field)->second);
        if (e == nullptr) {
            label->hide();
            label->clear();
            input->setStyleSheet(QString());
        } else {
            label->setText(withoutFieldPrefix(*e));
            label->show();
            input->setStyleSheet(
                QStringLiteral("border: 1px solid %1;").arg(colours::kProblem.name()));
        }
    }
    if (validation_.ok()) {
        setStatusLabel(*summary_, QStringLiteral("Ready to save."), colours::kOk);
    } else {
        QStringList problems;
        for (const app::FieldError& e : validation_.errors)
            problems << QStringLiteral("%1: %2").arg(fieldLabel(e.field), withoutFieldPrefix(e));
        setStatusLabel(*summary_,
                       QStringLiteral("%1 to fix before saving: %2")
                           .arg(validation_.errors.size() == 1
                                    ? QStringLiteral("1 field")
                                    : QStringLiteral("%1 fields").arg(validation_.errors.size()),
                                problems.join(QStringLiteral("; "))),
                       colours::kProblem);
    }
    buttons_->button(QDialogButtonBox::Save)->setEnabled(validation_.ok());
}

void PatientDialog::setField(std::string_view field, const QString& text) {
    if (field == app::kFieldSex) {
        const int at = sex_->findData(text);
        sex_->setCurrentIndex(at < 0 ? 0 : at);
        return;
    }
    if (field == "notes") {
        notes_->setPlainText(text);
        return;
    }
    auto it = edits_.find(field);
    if (it != edits_.end())
        it->second->setText(text);
}

QString PatientDialog::fieldMessage(std::string_view field) const {
    auto it = messages_.find(field);
    return it == messages_.end() ? QString() : it->second->text();
}

bool PatientDialog::canSave() const {
    return validation_.ok();
}

bool PatientDialog::save() {
    revalidate();
    if (!validation_.ok())
        return false;
    try {
        const datasets::CatalogId id =
            app::savePatient(catalog_, formFromFields(), app::todayUtc());
        emit saved(id);
        accept();
        return true;
    } catch (const std::exception& e) {
        setStatusLabel(*summary_, QStringLiteral("Not saved: %1").arg(qs(e.what())),
                       colours::kProblem);
        return false;
    }
}

}  // namespace stance::gui
