#include "stance/gui/session_wizard_dialog.hpp"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <cmath>

#include "stance/app/errors.hpp"
#include "stance/app/results.hpp"
#include "stance/datasets/pseudonym.hpp"
#include "stance/gui/live_view_widget.hpp"
#include "stance/gui/stanced_connection.hpp"
#include "stance/gui/ui_support.hpp"

namespace stance::gui {

namespace {

QTableWidgetItem* cell(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled);
    return item;
}

QTableWidget* makeTable(QWidget* parent, const QStringList& headers, const QString& name) {
    auto* t = new QTableWidget(parent);
    t->setObjectName(name);
    t->setColumnCount(static_cast<int>(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionMode(QAbstractItemView::NoSelection);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

std::string stancedSex(datasets::Sex s) {
    switch (s) {
        case datasets::Sex::kFemale:
            return "F";
        case datasets::Sex::kMale:
            return "M";
        default:
            return "X";
    }
}

/// The id stanced records the trials under: the site's keyed-hash pseudonym of the patient
/// (datasets/pseudonym.hpp), never the record number or a name. Without a usable site secret
/// the catalog's row number stands in (it identifies nobody outside this catalog).
std::string pseudonymousId(const datasets::Patient& p) {
    try {
        return datasets::SiteSecret::loadOrCreate(datasets::defaultSiteSecretPath())
            .pseudonym(p.subject_code);
    } catch (const std::exception&) {
        return "patient-" + std::to_string(p.id);
    }
}

QString compactUtc(std::chrono::sys_seconds t) {
    QString s = qs(datasets::formatIsoUtc(t));
    s.remove(QLatin1Char('-'));
    s.remove(QLatin1Char(':'));
    return s;
}

}  // namespace

SessionWizardDialog::SessionWizardDialog(datasets::Catalog& catalog, datasets::CatalogId patient_id,
                                         StancedConnection& connection, QWidget* parent)
    : QDialog(parent), catalog_(catalog), patient_id_(patient_id), connection_(connection) {
    setObjectName(QStringLiteral("session-wizard"));
    setWindowTitle(QStringLiteral("New assessment"));
    clock_.start();
    pages_ = new QStackedWidget(this);

    // ---- page 1: protocol, operator, site ----
    auto* setup = new QWidget(pages_);
    protocol_ = new QComboBox(setup);
    protocol_->setObjectName(QStringLiteral("protocol"));
    for (const analysis::Protocol& p : analysis::builtinProtocols())
        protocol_->addItem(qs(p.name), qs(p.id));
    protocol_info_ = new QTextBrowser(setup);
    operator_ = new QLineEdit(setup);
    operator_->setObjectName(QStringLiteral("operator"));
    operator_->setPlaceholderText(QStringLiteral("who runs the test"));
    site_ = new QLineEdit(setup);
    site_->setObjectName(QStringLiteral("site"));
    site_->setPlaceholderText(QStringLiteral("clinic or room"));
    setup_status_ = new QLabel(setup);
    setup_status_->setWordWrap(true);
    auto* begin = new QPushButton(QStringLiteral("Begin the session"), setup);
    begin->setObjectName(QStringLiteral("begin-session"));
    begin->setDefault(true);
    auto* form = new QFormLayout();
    form->addRow(QStringLiteral("Protocol"), protocol_);
    form->addRow(QStringLiteral("Operator"), operator_);
    form->addRow(QStringLiteral("Site"), site_);
    auto* setup_layout = new QVBoxLayout(setup);
    setup_layout->addLayout(form);
    setup_layout->addWidget(protocol_info_, 1);
    setup_layout->addWidget(setup_status_);
    setup_layout->addWidget(begin, 0, Qt::AlignRight);
    connect(protocol_, &QComboBox::currentIndexChanged, this, [this] { describeProtocol(); });
    connect(begin, &QPushButton::clicked, this, [this] { beginSession(); });
    pages_->addWidget(setup);

    // ---- page 2: running ----
    auto* run = new QWidget(pages_);
    status_ = new QLabel(run);
    status_->setObjectName(QStringLiteral("wizard-status"));
    status_->setWordWrap(true);
    devices_ =
        makeTable(run,
                  {QStringLiteral("Device"), QStringLiteral("Kind"), QStringLiteral("Status"),
                   QStringLiteral("Rate (Hz)"), QStringLiteral("Samples"), QStringLiteral("Gaps"),
                   QStringLiteral("Tared")},
                  QStringLiteral("device-table"));
    devices_->setMaximumHeight(120);
    trial_title_ = new QLabel(run);
    trial_title_->setObjectName(QStringLiteral("trial-title"));
    trial_title_->setStyleSheet(QStringLiteral("QLabel { font-size: 14pt; font-weight: bold; }"));
    instruction_ = new QLabel(run);
    instruction_->setObjectName(QStringLiteral("instruction"));
    instruction_->setWordWrap(true);
    instruction_->setStyleSheet(QStringLiteral("QLabel { font-size: 12pt; }"));
    countdown_ = new QLabel(run);
    countdown_->setObjectName(QStringLiteral("countdown"));
    countdown_->setAlignment(Qt::AlignCenter);
    countdown_->setStyleSheet(QStringLiteral("QLabel { font-size: 28pt; font-weight: bold; }"));
    review_ = new QLabel(run);
    review_->setObjectName(QStringLiteral("review"));
    review_->setWordWrap(true);
    trial_progress_ = new QProgressBar(run);
    trial_progress_->setRange(0, 1000);
    trial_progress_->setFormat(QStringLiteral("trial %p%"));
    session_progress_ = new QProgressBar(run);
    session_progress_->setRange(0, 1000);
    session_progress_->setFormat(QStringLiteral("session %p%"));

    auto button = [run](const QString& text, const QString& name) {
        auto* b = new QPushButton(text, run);
        b->setObjectName(name);
        return b;
    };
    tare_ = button(QStringLiteral("Tare"), QStringLiteral("tare"));
    tare_->setToolTip(QStringLiteral("Zero the plate with nobody on it"));
    start_ = button(QStringLiteral("Start trial"), QStringLiteral("start-trial"));
    cancel_countdown_ =
        button(QStringLiteral("Cancel countdown"), QStringLiteral("cancel-countdown"));
    fall_ = button(QStringLiteral("Mark fall"), QStringLiteral("mark-fall"));
    fall_->setStyleSheet(QStringLiteral("QPushButton { color: %1; font-weight: bold; }")
                             .arg(colours::kWorse.name()));
    stop_ = button(QStringLiteral("Stop trial"), QStringLiteral("stop-trial"));
    redo_ = button(QStringLiteral("Redo trial"), QStringLiteral("redo-trial"));
    accept_ = button(QStringLiteral("Keep as fall"), QStringLiteral("accept-trial"));
    skip_ = button(QStringLiteral("Skip trial"), QStringLiteral("skip-trial"));
    skip_rest_ = button(QStringLiteral("Skip rest"), QStringLiteral("skip-rest"));
    abort_ = button(QStringLiteral("Abort session"), QStringLiteral("abort-session"));
    save_ = button(QStringLiteral("Save session"), QStringLiteral("save-session"));
    attempts_ =
        makeTable(run,
                  {QStringLiteral("Trial"), QStringLiteral("Condition"), QStringLiteral("Outcome"),
                   QStringLiteral("Kept"), QStringLiteral("Note")},
                  QStringLiteral("attempt-table"));
    live_ = new LiveViewWidget(run);

    auto* buttons1 = new QHBoxLayout();
    for (QPushButton* b : {tare_, start_, cancel_countdown_, fall_, stop_})
        buttons1->addWidget(b);
    auto* buttons2 = new QHBoxLayout();
    for (QPushButton* b : {redo_, accept_, skip_, skip_rest_, abort_, save_})
        buttons2->addWidget(b);
    auto* trial_box = new QGroupBox(QStringLiteral("Current trial"), run);
    auto* trial_layout = new QVBoxLayout(trial_box);
    trial_layout->addWidget(trial_title_);
    trial_layout->addWidget(instruction_);
    trial_layout->addWidget(countdown_);
    trial_layout->addWidget(trial_progress_);
    trial_layout->addWidget(session_progress_);
    trial_layout->addWidget(review_);
    trial_layout->addLayout(buttons1);
    trial_layout->addLayout(buttons2);
    auto* left = new QWidget(run);
    auto* left_layout = new QVBoxLayout(left);
    left_layout->setContentsMargins(0, 0, 0, 0);
    left_layout->addWidget(new QLabel(QStringLiteral("<b>Devices</b>"), left));
    left_layout->addWidget(devices_);
    left_layout->addWidget(trial_box);
    left_layout->addWidget(new QLabel(QStringLiteral("<b>Trials so far</b>"), left));
    left_layout->addWidget(attempts_, 1);
    auto* split = new QSplitter(Qt::Horizontal, run);
    split->addWidget(left);
    split->addWidget(live_);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto* run_layout = new QVBoxLayout(run);
    run_layout->addWidget(status_);
    run_layout->addWidget(split, 1);
    pages_->addWidget(run);

    connect(tare_, &QPushButton::clicked, this, [this] { tare(); });
    connect(start_, &QPushButton::clicked, this, [this] { startTrial(); });
    connect(cancel_countdown_, &QPushButton::clicked, this,
            [this] { act([](app::SessionWizard& w) { return w.cancelCountdown(); }); });
    connect(fall_, &QPushButton::clicked, this, [this] { markFall(); });
    connect(stop_, &QPushButton::clicked, this, [this] { stopTrial(); });
    connect(redo_, &QPushButton::clicked, this, [this] { redo(); });
    connect(accept_, &QPushButton::clicked, this, [this] { keepFall(); });
    connect(skip_, &QPushButton::clicked, this, [this] { skip(); });
    connect(skip_rest_, &QPushButton::clicked, this,
            [this] { act([](app::SessionWizard& w) { return w.skipRest(); }); });
    connect(abort_, &QPushButton::clicked, this, [this] { abortSession(); });
    connect(save_, &QPushButton::clicked, this, [this] { saveSession(); });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(pages_);
    resize(1280, 800);
    timer_.setInterval(100);
    connect(&timer_, &QTimer::timeout, this, [this] { tick(); });
    describeProtocol();
}

SessionWizardDialog::~SessionWizardDialog() {
    connection_.setSampleSink({});
    if (wizard_ && wizard_->state() != app::WizardState::kFinished &&
        wizard_->state() != app::WizardState::kAborted) {
        // Closing mid-session: stop any running trial properly rather than leave it recording.
        wizard_->abortSession();
        flush();
    }
}

double SessionWizardDialog::now() const {
    return static_cast<double>(clock_.nsecsElapsed()) / 1e9;
}

void SessionWizardDialog::describeProtocol() {
    const analysis::Protocol* p = analysis::findProtocol(ss(protocol_->currentData().toString()));
    if (p == nullptr)
        return;
    const auto schedule = p->schedule();
    QString html = QStringLiteral(
                       "<h3>%1 <small>(version %2)</small></h3><p>%3 trials, about %4 "
                       "minutes with rests.</p><p>%5</p><p><b>Conditions</b></p><ul>")
                       .arg(qs(p->name).toHtmlEscaped(), qs(p->version).toHtmlEscaped())
                       .arg(schedule.size())
                       .arg(std::ceil(p->totalDurationS() / 60.0))
                       .arg(qs(p->instructions).toHtmlEscaped());
    for (const analysis::Condition& c : p->conditions)
        html += QStringLiteral("<li>%1: %2 × %3 s</li>")
                    .arg(qs(c.label).toHtmlEscaped())
                    .arg(p->repetitions)
                    .arg(p->trial_duration_s);
    html += QStringLiteral("</ul><p><i>Source: %1</i></p>").arg(qs(p->source).toHtmlEscaped());
    protocol_info_->setHtml(html);
}

void SessionWizardDialog::setProtocol(const QString& protocol_id) {
    const int at = protocol_->findData(protocol_id);
    if (at >= 0)
        protocol_->setCurrentIndex(at);
}

void SessionWizardDialog::setOperator(const QString& name) {
    operator_->setText(name);
}
void SessionWizardDialog::setSite(const QString& site) {
    site_->setText(site);
}

void SessionWizardDialog::setTimings(double countdown_s, bool rests) {
    countdown_s_ = countdown_s;
    rests_ = rests;
}

bool SessionWizardDialog::beginSession() {
    if (wizard_)
        return false;
    const analysis::Protocol* protocol =
        analysis::findProtocol(ss(protocol_->currentData().toString()));
    std::optional<datasets::Patient> patient;
    try {
        patient = catalog_.patient(patient_id_);
    } catch (const std::exception& e) {
        setStatusLabel(*setup_status_, qs(e.what()), colours::kProblem);
        return false;
    }
    if (protocol == nullptr || !patient) {
        setStatusLabel(*setup_status_,
                       protocol == nullptr ? QStringLiteral("Choose a protocol.")
                                           : QStringLiteral("The patient is no longer in the "
                                                            "catalog."),
                       colours::kProblem);
        return false;
    }
    if (!patient->height_m || !patient->mass_kg || !patient->birth_date) {
        setStatusLabel(*setup_status_,
                       QStringLiteral("The patient's birth date, height and mass are needed for "
                                      "the analysis: complete them with Edit patient first."),
                       colours::kProblem);
        return false;
    }
    started_utc_ = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    app::WizardSetup setup;
    setup.subject.id = pseudonymousId(*patient);
    setup.subject.sex = stancedSex(patient->sex);
    setup.subject.birth_year = static_cast<int>(patient->birth_date->year());
    setup.subject.height_m = patient->height_m;
    setup.subject.mass_kg = patient->mass_kg;
    setup.session.id = ss(compactUtc(*started_utc_)) + "-" + setup.subject.id;
    setup.session.operator_id = ss(operator_->text().trimmed());
    setup.session.site = ss(site_->text().trimmed());
    app::WizardOptions options;
    options.countdown_s = countdown_s_;
    options.rests = rests_;
    options.subscribe_rate_hz = 100.0;
    options.binary_samples = true;
    wizard_ = std::make_unique<app::SessionWizard>(*protocol, std::move(setup), options);
    setWindowTitle(QStringLiteral("Assessment: %1").arg(qs(protocol->name)));

    connect(&connection_, &StancedConnection::stateChanged, this,
            [this](LinkState state, const QString& text) {
                if (state == LinkState::kConnected) {
                    wizard_->onConnected(now());
                } else if (wizard_->state() != app::WizardState::kDisconnected) {
                    wizard_->onDisconnected(now(), ss(text));
                }
                flush();
                refresh();
            });
    connect(&connection_, &StancedConnection::textReceived, this, [this](const QString& text) {
        wizard_->onMessage(ss(text), now());
        flush();
        refresh();
    });
    LiveViewWidget* live = live_;
    connection_.setSampleSink([live](std::span<const app::LiveSample> samples) {
        for (const app::LiveSample& s : samples)
            live->model().push(s);
    });
    if (connection_.isConnected()) {
        wizard_->onConnected(now());
        // The hello of this connection came before the wizard existed: replay it.
        if (!connection_.hello().isEmpty()) {
            wizard_->onMessage(
                QJsonDocument(connection_.hello()).toJson(QJsonDocument::Compact).toStdString(),
                now());
        }
    } else {
        connection_.start();
    }
    pages_->setCurrentIndex(1);
    live_->startUpdates(30);
    timer_.start();
    flush();
    refresh();
    return true;
}

template <class Action>
bool SessionWizardDialog::act(Action action) {
    if (!wizard_)
        return false;
    const bool ok = action(*wizard_);
    flush();
    refresh();
    return ok;
}

bool SessionWizardDialog::tare() {
    return act([](app::SessionWizard& w) { return w.tare(); });
}
bool SessionWizardDialog::startTrial() {
    const double t = now();
    return act([t](app::SessionWizard& w) { return w.start(t); });
}
bool SessionWizardDialog::markFall() {
    return act([](app::SessionWizard& w) { return w.markFall(); });
}
bool SessionWizardDialog::stopTrial() {
    return act([](app::SessionWizard& w) { return w.stopTrial(); });
}
bool SessionWizardDialog::redo() {
    return act([](app::SessionWizard& w) { return w.redo(); });
}
bool SessionWizardDialog::keepFall() {
    return act([](app::SessionWizard& w) { return w.accept(); });
}
bool SessionWizardDialog::skip() {
    return act([](app::SessionWizard& w) { return w.skip(); });
}
void SessionWizardDialog::abortSession() {
    act([](app::SessionWizard& w) {
        w.abortSession();
        return true;
    });
}

bool SessionWizardDialog::saveSession() {
    if (!wizard_ || stored_session_ != 0)
        return false;
    try {
        stored_session_ = app::storeWizardSession(catalog_, patient_id_, *wizard_, *started_utc_);
    } catch (const std::exception& e) {
        setStatusLabel(*review_, QStringLiteral("Not saved: %1").arg(qs(e.what())),
                       colours::kProblem);
        return false;
    }
    setStatusLabel(*review_, QStringLiteral("Session saved and analysed."), colours::kOk);
    refresh();
    emit sessionStored(stored_session_);
    return true;
}

void SessionWizardDialog::flush() {
    if (!wizard_)
        return;
    for (const std::string& command : wizard_->takeCommands()) {
        // Refused only while disconnected; the wizard knows (onDisconnected) and re-sends what
        // it needs after the next hello.
        connection_.sendText(qs(command));
    }
}

void SessionWizardDialog::tick() {
    if (!wizard_)
        return;
    wizard_->advance(now());
    flush();
    refresh();
}

void SessionWizardDialog::updateLiveSource() {
    const std::string device = wizard_->balanceDevice();
    if (device.empty() || device == live_device_)
        return;
    for (const app::StancedDevice& d : wizard_->devices()) {
        if (d.name != device)
            continue;
        const bool board = d.kind == "load_cell_board";
        live_->setCopSource(static_cast<std::uint16_t>(d.index), board ? 5 : 6, board ? 6 : 7);
        live_device_ = device;
    }
}

void SessionWizardDialog::refresh() {
    if (!wizard_)
        return;
    const app::SessionWizard& w = *wizard_;
    const double t = now();
    const app::WizardState state = w.state();
    QString link = connection_.isConnected() ? QString() : connection_.statusText();
    status_->setText(qs(w.statusText(t)) +
                     (link.isEmpty() ? QString() : QStringLiteral("  —  ") + link));
    status_->setStyleSheet(connection_.isConnected()
                               ? QString()
                               : QStringLiteral("QLabel { color: %1; font-weight: bold; }")
                                     .arg(colours::kProblem.name()));

    if (const analysis::ProtocolStep* step = w.currentTrial()) {
        trial_title_->setText(QStringLiteral("Trial %1 of %2: %3, repetition %4")
                                  .arg(step->index + 1)
                                  .arg(w.schedule().size())
                                  .arg(qs(app::conditionLabel(step->condition)))
                                  .arg(step->repetition));
        instruction_->setText(qs(w.instruction()));
    } else {
        trial_title_->setText(state == app::WizardState::kAborted
                                  ? QStringLiteral("Session aborted")
                                  : QStringLiteral("All trials done"));
        instruction_->setText(stored_session_ != 0
                                  ? QStringLiteral("The session is saved.")
                                  : QStringLiteral("Save the session to analyse and keep it."));
    }
    switch (state) {
        case app::WizardState::kCountdown:
            countdown_->setText(QString::number(std::ceil(w.countdownRemainingS(t))));
            break;
        case app::WizardState::kRecording:
            countdown_->setText(QStringLiteral("%1 s").arg(std::floor(w.trialElapsedS())));
            break;
        case app::WizardState::kRest:
            countdown_->setText(QStringLiteral("rest %1 s").arg(std::ceil(w.restRemainingS(t))));
            break;
        default:
            countdown_->setText(QString());
            break;
    }
    trial_progress_->setValue(static_cast<int>(std::lround(w.trialProgress() * 1000.0)));
    session_progress_->setValue(static_cast<int>(std::lround(w.sessionProgress() * 1000.0)));
    if (state == app::WizardState::kReview) {
        setStatusLabel(*review_, qs(w.reviewMessage()), colours::kProblem);
    } else if (stored_session_ == 0) {
        review_->setText(w.lastError().empty() ? QString() : qs(w.lastError()));
        review_->setStyleSheet(
            QStringLiteral("QLabel { color: %1; }").arg(colours::kWaiting.name()));
    }

    const bool review = state == app::WizardState::kReview;
    const bool recording = state == app::WizardState::kRecording;
    const bool last_fall =
        !w.attempts().empty() && w.attempts().back().outcome == app::AttemptOutcome::kFall;
    const bool ended = state == app::WizardState::kFinished || state == app::WizardState::kAborted;
    bool any_kept = false;
    for (const app::TrialAttempt& a : w.attempts())
        any_kept = any_kept || a.kept;
    tare_->setEnabled(w.canTare());
    start_->setEnabled(w.canStart());
    cancel_countdown_->setEnabled(state == app::WizardState::kCountdown);
    fall_->setEnabled(recording);
    stop_->setEnabled(recording);
    redo_->setEnabled(review);
    accept_->setEnabled(review && last_fall);
    skip_->setEnabled(review);
    skip_rest_->setEnabled(state == app::WizardState::kRest);
    abort_->setEnabled(!ended);
    save_->setEnabled(ended && any_kept && stored_session_ == 0);

    if (state == app::WizardState::kCountdown && shown_state_ != state)
        live_->clear();  // a new trial: the live view starts empty
    shown_state_ = state;
    if (w.revision() != shown_revision_) {
        shown_revision_ = w.revision();
        refreshDevices();
        refreshAttempts();
        updateLiveSource();
    }
}

void SessionWizardDialog::refreshDevices() {
    const auto& devices = wizard_->devices();
    devices_->setRowCount(static_cast<int>(devices.size()));
    int row = 0;
    for (const app::StancedDevice& d : devices) {
        devices_->setItem(row, 0, cell(qs(d.name)));
        devices_->setItem(row, 1,
                          cell(d.kind.empty() ? QStringLiteral("(no data yet)") : qs(d.kind)));
        auto* st = cell(d.connected ? QStringLiteral("connected")
                                    : QStringLiteral("lost: ") + qs(d.state));
        st->setForeground(d.connected ? colours::kOk : colours::kProblem);
        devices_->setItem(row, 2, st);
        devices_->setItem(row, 3, cell(formatNumber(d.rate_hz, 1)));
        devices_->setItem(row, 4, cell(QString::number(d.samples)));
        auto* gaps = cell(QString::number(d.gaps));
        if (d.gaps > 0)
            gaps->setForeground(colours::kWaiting);
        devices_->setItem(row, 5, gaps);
        devices_->setItem(row, 6, cell(d.tared ? QStringLiteral("yes") : QStringLiteral("no")));
        ++row;
    }
    devices_->resizeColumnsToContents();
}

void SessionWizardDialog::refreshAttempts() {
    const auto& attempts = wizard_->attempts();
    attempts_->setRowCount(static_cast<int>(attempts.size()));
    int row = 0;
    for (const app::TrialAttempt& a : attempts) {
        attempts_->setItem(row, 0, cell(QString::number(a.step + 1)));
        attempts_->setItem(row, 1,
                           cell(QStringLiteral("%1 #%2")
                                    .arg(qs(app::conditionLabel(a.condition)))
                                    .arg(a.repetition)));
        auto* outcome = cell(qs(app::attemptOutcomeName(a.outcome)));
        outcome->setForeground(a.outcome == app::AttemptOutcome::kComplete ? colours::kOk
                                                                           : colours::kProblem);
        attempts_->setItem(row, 2, outcome);
        attempts_->setItem(row, 3, cell(a.kept ? QStringLiteral("yes") : QStringLiteral("no")));
        attempts_->setItem(row, 4, cell(qs(a.note)));
        ++row;
    }
    attempts_->resizeColumnsToContents();
    attempts_->scrollToBottom();
}

QString SessionWizardDialog::statusLine() const {
    return status_->text();
}
QString SessionWizardDialog::reviewText() const {
    return review_->text();
}
QString SessionWizardDialog::trialTitle() const {
    return trial_title_->text();
}
QString SessionWizardDialog::countdownText() const {
    return countdown_->text();
}

void SessionWizardDialog::reject() {
    if (wizard_) {
        const app::WizardState s = wizard_->state();
        if (s == app::WizardState::kCountdown || s == app::WizardState::kStarting ||
            s == app::WizardState::kRecording || s == app::WizardState::kStopping) {
            setStatusLabel(*review_,
                           QStringLiteral("A trial is under way: stop it or abort the session "
                                          "before closing."),
                           colours::kProblem);
            return;
        }
    }
    QDialog::reject();
}

}  // namespace stance::gui
