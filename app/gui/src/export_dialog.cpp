#include "stance/gui/export_dialog.hpp"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include "stance/app/catalog_access.hpp"
#include "stance/gui/background_task.hpp"
#include "stance/gui/ui_support.hpp"

namespace stance::gui {

namespace {

QString suffixFor(app::ExportKind kind) {
    switch (kind) {
        case app::ExportKind::kBundle:
            return QStringLiteral(".h5");
        case app::ExportKind::kMetricsCsv:
            return QStringLiteral(".csv");
        case app::ExportKind::kSignalsCsv:
            return QString();
    }
    return {};
}

}  // namespace

ExportDialog::ExportDialog(std::filesystem::path catalog_file, datasets::CatalogId patient_id,
                           datasets::CatalogId session_id, const QString& patient_label,
                           QWidget* parent)
    : QDialog(parent),
      catalog_file_(std::move(catalog_file)),
      patient_id_(patient_id),
      session_id_(session_id) {
    setObjectName(QStringLiteral("export-dialog"));
    setWindowTitle(QStringLiteral("Export"));
    task_ = new BackgroundTask(this);

    auto* kind_box = new QGroupBox(QStringLiteral("What"), this);
    auto* kind_layout = new QVBoxLayout(kind_box);
    kind_ = new QButtonGroup(this);
    const std::pair<app::ExportKind, const char*> kinds[] = {
        {app::ExportKind::kBundle, "stance-hdf5 bundle (.h5): every signal, subjects and sessions"},
        {app::ExportKind::kMetricsCsv, "Metrics table (.csv): one row per trial, condition means"},
        {app::ExportKind::kSignalsCsv, "Signals (a new folder of CSV files, one per trial)"}};
    for (const auto& [kind, text] : kinds) {
        auto* b = new QRadioButton(QString::fromUtf8(text), kind_box);
        kind_->addButton(b, static_cast<int>(kind));
        kind_layout->addWidget(b);
    }
    kind_->button(static_cast<int>(app::ExportKind::kBundle))->setChecked(true);

    auto* scope_box = new QGroupBox(QStringLiteral("Whose"), this);
    auto* scope_layout = new QVBoxLayout(scope_box);
    scope_ = new QButtonGroup(this);
    auto* patient = new QRadioButton(
        QStringLiteral("This patient (%1): every session").arg(patient_label), scope_box);
    auto* session = new QRadioButton(QStringLiteral("The selected session only"), scope_box);
    auto* all = new QRadioButton(QStringLiteral("Every patient of the catalog"), scope_box);
    scope_->addButton(patient, static_cast<int>(Scope::kPatient));
    scope_->addButton(session, static_cast<int>(Scope::kSession));
    scope_->addButton(all, static_cast<int>(Scope::kAllPatients));
    session->setEnabled(session_id_ != 0);
    patient->setEnabled(patient_id_ != 0);
    (patient_id_ != 0 ? patient : all)->setChecked(true);
    scope_layout->addWidget(patient);
    scope_layout->addWidget(session);
    scope_layout->addWidget(all);

    identified_ = new QCheckBox(QStringLiteral("Identified export: keep names, patient IDs and "
                                               "birth dates"),
                                this);
    identified_->setObjectName(QStringLiteral("identified"));
    identified_->setChecked(false);
    identity_note_ = new QLabel(this);
    identity_note_->setWordWrap(true);
    unit_ = new QComboBox(this);
    unit_->addItems({QStringLiteral("mm"), QStringLiteral("cm"), QStringLiteral("m")});
    output_ = new QLineEdit(this);
    output_->setObjectName(QStringLiteral("output"));
    output_->setPlaceholderText(QStringLiteral("where to write"));
    auto* browse = new QPushButton(QStringLiteral("Choose..."), this);
    overwrite_ = new QCheckBox(QStringLiteral("Replace an existing output"), this);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("export-status"));
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* out_row = new QHBoxLayout();
    out_row->addWidget(output_, 1);
    out_row->addWidget(browse);
    auto* form = new QFormLayout();
    form->addRow(QStringLiteral("CSV length unit"), unit_);
    form->addRow(QStringLiteral("Output"), out_row);
    form->addRow(QString(), overwrite_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    export_ = buttons->addButton(QStringLiteral("Export"), QDialogButtonBox::AcceptRole);
    export_->setObjectName(QStringLiteral("run-export"));
    connect(export_, &QPushButton::clicked, this, [this] { startExport(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(kind_box);
    layout->addWidget(scope_box);
    layout->addWidget(identified_);
    layout->addWidget(identity_note_);
    layout->addLayout(form);
    layout->addWidget(status_);
    layout->addWidget(buttons);
    setMinimumWidth(560);

    connect(kind_, &QButtonGroup::idToggled, this, [this](int, bool on) {
        if (on)
            updateState();
    });
    connect(identified_, &QCheckBox::toggled, this, [this] { updateState(); });
    connect(output_, &QLineEdit::textChanged, this, [this] { updateState(); });
    connect(browse, &QPushButton::clicked, this, [this] { chooseOutput(); });
    connect(task_, &BackgroundTask::finished, this, [this](bool ok, const QString& message) {
        setStatusLabel(*status_, ok ? message : QStringLiteral("Export failed: %1").arg(message),
                       ok ? colours::kOk : colours::kProblem);
        updateState();
        emit exportFinished(ok, message);
    });
    updateState();
}

ExportDialog::~ExportDialog() = default;

void ExportDialog::reject() {
    // Closing would have to wait for the worker: say so instead and keep the dialog.
    if (task_->running()) {
        setStatusLabel(*status_,
                       QStringLiteral("The export is still running; close when it has finished."),
                       colours::kWaiting);
        return;
    }
    QDialog::reject();
}

void ExportDialog::updateState() {
    if (identified_->isChecked()) {
        setStatusLabel(*identity_note_,
                       QStringLiteral("Identified: the export carries names, patient IDs and "
                                      "birth dates. Share it only where the patient's consent "
                                      "and your data protection rules allow."),
                       colours::kProblem);
    } else {
        identity_note_->setStyleSheet(QString());
        identity_note_->setText(
            QStringLiteral("De-identified (default): subjects become keyed "
                           "pseudonyms of this site, birth dates become ages, "
                           "names and contact details are left out."));
    }
    const auto kind = static_cast<app::ExportKind>(kind_->checkedId());
    unit_->setEnabled(kind != app::ExportKind::kBundle);
    const bool busy = task_->running();
    export_->setEnabled(!busy && !output_->text().trimmed().isEmpty());
    export_->setText(busy ? QStringLiteral("Exporting...") : QStringLiteral("Export"));
}

void ExportDialog::chooseOutput() {
    const auto kind = static_cast<app::ExportKind>(kind_->checkedId());
    auto* dialog = new QFileDialog(this, QStringLiteral("Export to"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    if (kind == app::ExportKind::kSignalsCsv) {
        dialog->setFileMode(QFileDialog::AnyFile);
        dialog->setNameFilter(QStringLiteral("Folder to create (*)"));
    } else {
        dialog->setDefaultSuffix(suffixFor(kind).mid(1));
        dialog->setNameFilter(kind == app::ExportKind::kBundle
                                  ? QStringLiteral("stance-hdf5 (*.h5)")
                                  : QStringLiteral("CSV (*.csv)"));
    }
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& f) { setOutput(f); });
    dialog->open();
}

void ExportDialog::setKind(app::ExportKind kind) {
    kind_->button(static_cast<int>(kind))->setChecked(true);
}

void ExportDialog::setScope(Scope scope) {
    if (QAbstractButton* b = scope_->button(static_cast<int>(scope));
        b != nullptr && b->isEnabled())
        b->setChecked(true);
}

void ExportDialog::setIdentified(bool identified) {
    identified_->setChecked(identified);
}
void ExportDialog::setOutput(const QString& path) {
    output_->setText(path);
}
bool ExportDialog::identified() const {
    return identified_->isChecked();
}
bool ExportDialog::running() const {
    return task_->running();
}
QString ExportDialog::statusText() const {
    return status_->text();
}

app::ExportRequest ExportDialog::request() const {
    app::ExportRequest r;
    r.kind = static_cast<app::ExportKind>(kind_->checkedId());
    r.out = std::filesystem::path(ss(output_->text().trimmed()));
    const auto scope = static_cast<Scope>(scope_->checkedId());
    if (scope == Scope::kPatient || scope == Scope::kSession)
        r.patients = {patient_id_};
    if (scope == Scope::kSession)
        r.session_id = session_id_;
    r.identified = identified_->isChecked();
    r.overwrite = overwrite_->isChecked();
    r.length_unit = ss(unit_->currentText());
    return r;
}

bool ExportDialog::startExport() {
    if (task_->running())
        return false;
    const app::ExportRequest r = request();
    if (r.out.empty()) {
        setStatusLabel(*status_, QStringLiteral("Choose where to write the export first."),
                       colours::kProblem);
        return false;
    }
    setStatusLabel(*status_, QStringLiteral("Exporting to %1 ...").arg(qs(r.out.string())),
                   colours::kWaiting);
    const std::filesystem::path catalog_file = catalog_file_;
    task_->start([catalog_file, r]() -> QString {
        // The worker's own connection: catalogs are used by one thread at a time.
        const auto catalog = app::openExistingCatalog(catalog_file, /*read_only=*/true);
        const datasets::ExportResult res = app::exportFromCatalog(*catalog, r);
        QStringList files;
        for (const auto& f : res.files)
            files << qs(f.string());
        QString text =
            QStringLiteral("Exported %1 trials of %2 sessions (%3 subjects), %4, to %5.")
                .arg(res.trials)
                .arg(res.sessions)
                .arg(res.subjects)
                .arg(r.identified ? QStringLiteral("identified") : QStringLiteral("de-identified"),
                     files.join(QStringLiteral(", ")));
        if (!res.analysis_failures.empty())
            text += QStringLiteral(" %1 trials without metrics (their rows say why).")
                        .arg(res.analysis_failures.size());
        return text;
    });
    updateState();
    return true;
}

}  // namespace stance::gui
