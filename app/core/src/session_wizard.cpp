#include "stance/app/session_wizard.hpp"

#include <algorithm>
#include <cmath>

#include "stance/app/errors.hpp"
#include "stance/app/results.hpp"
#include "text_util.hpp"

namespace stance::app {

namespace an = stance::analysis;
namespace ds = stance::datasets;

std::string_view wizardStateName(WizardState s) noexcept {
    switch (s) {
        case WizardState::kDisconnected:
            return "disconnected";
        case WizardState::kConnecting:
            return "connecting";
        case WizardState::kReady:
            return "ready";
        case WizardState::kTaring:
            return "taring";
        case WizardState::kCountdown:
            return "countdown";
        case WizardState::kStarting:
            return "starting";
        case WizardState::kRecording:
            return "recording";
        case WizardState::kStopping:
            return "stopping";
        case WizardState::kReview:
            return "review";
        case WizardState::kRest:
            return "rest";
        case WizardState::kFinished:
            return "finished";
        case WizardState::kAborted:
            return "aborted";
    }
    return "unknown";
}

std::string_view attemptOutcomeName(AttemptOutcome o) noexcept {
    switch (o) {
        case AttemptOutcome::kComplete:
            return "complete";
        case AttemptOutcome::kFall:
            return "fall";
        case AttemptOutcome::kAborted:
            return "aborted";
        case AttemptOutcome::kDeviceLost:
            return "device_lost";
        case AttemptOutcome::kConnectionLost:
            return "connection_lost";
    }
    return "unknown";
}

namespace {

// "Eyes open #1" with the protocol's own label of the condition.
std::string trialTag(const an::Protocol& p, const an::ProtocolStep& s) {
    std::string label = conditionLabel(s.condition);
    if (const an::Condition* c = p.findCondition(s.condition); c != nullptr && !c->label.empty()) {
        label = c->label;
        label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    }
    return label + " #" + std::to_string(s.repetition);
}

std::string seconds(double s) {
    return std::to_string(static_cast<long>(std::lround(std::max(s, 0.0)))) + " s";
}

}  // namespace

SessionWizard::SessionWizard(an::Protocol protocol, WizardSetup setup, WizardOptions options)
    : protocol_(std::move(protocol)), setup_(std::move(setup)), options_(std::move(options)) {
    schedule_ = protocol_.schedule();
    setup_.session.protocol = protocol_.id;
    setup_.session.protocol_version = protocol_.version;
}

std::int64_t SessionWizard::send(std::string command_name, std::string text) {
    // The id is the one the text was built with: next_id_ was taken by the caller.
    const std::int64_t id = next_id_ - 1;
    pending_[id] = std::move(command_name);
    outbox_.push_back(std::move(text));
    ++revision_;
    return id;
}

void SessionWizard::setState(WizardState s) {
    if (state_ != s) {
        state_ = s;
        ++revision_;
    }
}

bool SessionWizard::fail(std::string message) {
    last_error_ = std::move(message);
    ++revision_;
    return false;
}

const an::ProtocolStep* SessionWizard::currentTrial() const noexcept {
    return step_ < schedule_.size() ? &schedule_[step_] : nullptr;
}

std::string SessionWizard::instruction() const {
    const an::ProtocolStep* s = currentTrial();
    if (s == nullptr)
        return {};
    if (const an::Condition* c = protocol_.findCondition(s->condition);
        c != nullptr && !c->instructions.empty())
        return c->instructions;
    return s->instructions.empty() ? protocol_.instructions : s->instructions;
}

double SessionWizard::countdownRemainingS(double now_s) const noexcept {
    return state_ == WizardState::kCountdown ? std::max(0.0, countdown_end_s_ - now_s) : 0.0;
}

double SessionWizard::restRemainingS(double now_s) const noexcept {
    return state_ == WizardState::kRest ? std::max(0.0, rest_end_s_ - now_s) : 0.0;
}

double SessionWizard::trialProgress() const noexcept {
    const an::ProtocolStep* s = currentTrial();
    if (s == nullptr || s->duration_s <= 0.0)
        return 0.0;
    if (state_ != WizardState::kRecording && state_ != WizardState::kStopping)
        return 0.0;
    return std::clamp(elapsed_s_ / s->duration_s, 0.0, 1.0);
}

double SessionWizard::sessionProgress() const noexcept {
    if (schedule_.empty())
        return 1.0;
    return static_cast<double>(std::min(step_, schedule_.size())) /
           static_cast<double>(schedule_.size());
}

std::string SessionWizard::balanceDevice() const {
    for (const StancedDevice& d : devices_) {
        if (!d.connected)
            continue;
        if (!options_.balance_device.empty()) {
            if (d.name == options_.balance_device)
                return d.name;
        } else if (d.kind == "force_plate" || d.kind == "load_cell_board") {
            return d.name;
        }
    }
    return {};
}

bool SessionWizard::balanceConnected() const {
    return !balanceDevice().empty();
}

bool SessionWizard::canTare() const noexcept {
    return state_ == WizardState::kReady && balanceConnected();
}

bool SessionWizard::canStart() const noexcept {
    return state_ == WizardState::kReady && step_ < schedule_.size() && balanceConnected() &&
           (tared_ || !options_.require_tare);
}

void SessionWizard::updateDevices(const std::vector<StancedDevice>& d) {
    devices_ = d;
    const std::string b = balanceDevice();
    for (const StancedDevice& x : devices_) {
        if (x.name == b && x.tared)
            tared_ = true;
    }
    ++revision_;
}

void SessionWizard::onConnected(double /*now_s*/) {
    if (state_ == WizardState::kFinished || state_ == WizardState::kAborted)
        return;
    pending_.clear();
    setState(WizardState::kConnecting);
}

void SessionWizard::onDisconnected(double /*now_s*/, std::string_view reason) {
    disconnect_reason_ = std::string(reason);
    pending_.clear();
    for (StancedDevice& d : devices_)
        d.connected = false;
    const bool under_way = state_ == WizardState::kStarting || state_ == WizardState::kRecording ||
                           state_ == WizardState::kStopping;
    if (state_ == WizardState::kReview)
        review_after_reconnect_ = true;  // the operator still has to decide after reconnecting
    if (under_way && step_ < schedule_.size()) {
        const std::string note = "stanced went away during " +
                                 trialTag(protocol_, schedule_[step_]) +
                                 (reason.empty() ? "" : " (" + std::string(reason) + ")");
        finishAttempt(AttemptOutcome::kConnectionLost, nullptr, note);
        review_after_reconnect_ = true;
    }
    if (state_ == WizardState::kFinished || state_ == WizardState::kAborted) {
        ++revision_;
        return;
    }
    setState(WizardState::kDisconnected);
}

void SessionWizard::onMessage(std::string_view text, double now_s) {
    std::string error;
    const auto m = parseStancedMessage(text, &error);
    if (!m) {
        ++malformed_;
        fail("stanced sent a malformed message: " + error);
        return;
    }
    if (m->t > 0.0)
        station_t_ = m->t;
    if (m->kind == StancedMessageKind::kReply)
        handleReply(*m, now_s);
    else if (m->name != "samples")
        handleEvent(*m, now_s);
}

void SessionWizard::handleReply(const StancedMessage& m, double now_s) {
    (void)now_s;
    std::string command = m.name;
    if (m.id) {
        const auto it = pending_.find(*m.id);
        if (it != pending_.end()) {
            command = it->second;
            pending_.erase(it);
        }
    }
    if (m.has_devices)
        updateDevices(m.devices);
    if (command == "tare") {
        if (m.ok) {
            tared_ = true;
            last_error_.clear();
        } else {
            last_error_ = "tare refused: " + m.error;
        }
        if (state_ == WizardState::kTaring)
            setState(WizardState::kReady);
        ++revision_;
    } else if (command == "start_trial") {
        if (state_ != WizardState::kStarting)
            return;
        if (m.ok) {
            if (m.trial)
                running_ = m.trial;
            elapsed_s_ = 0.0;
            last_error_.clear();
            setState(WizardState::kRecording);
        } else {
            last_error_ = "stanced did not start the trial: " + m.error;
            setState(WizardState::kReady);
        }
    } else if (command == "stop_trial") {
        if (!m.ok)
            fail("stanced did not stop the trial: " + m.error);
    } else if (!m.ok) {
        fail("stanced refused '" + command + "': " + m.error);
    }
}

void SessionWizard::handleEvent(const StancedMessage& m, double now_s) {
    const auto deviceNamed = [&](const std::string& name) -> StancedDevice* {
        for (StancedDevice& d : devices_)
            if (d.name == name)
                return &d;
        return nullptr;
    };
    if (m.name == "hello") {
        if (m.protocol != kStancedProtocolVersion) {
            fail("stanced speaks protocol " + std::to_string(m.protocol) + "; this app speaks " +
                 std::to_string(kStancedProtocolVersion) + ": update one of them");
            return;
        }
        updateDevices(m.devices);
        disconnect_reason_.clear();
        if (options_.subscribe_rate_hz > 0.0) {
            const std::int64_t id = next_id_++;
            send("subscribe",
                 subscribeCommand(id, options_.subscribe_rate_hz, options_.binary_samples));
        }
        // A trial of this session still running on the server was interrupted on our side.
        if (m.trial && m.trial->session == setup_.session.id) {
            const std::int64_t id = next_id_++;
            send("stop_trial", stopTrialCommand(id, "aborted"));
        }
        if (state_ == WizardState::kConnecting || state_ == WizardState::kDisconnected)
            setState(review_after_reconnect_ ? WizardState::kReview : WizardState::kReady);
        review_after_reconnect_ = false;
        return;
    }
    if (m.name == "device_connected" || m.name == "device_restarted") {
        if (StancedDevice* d = deviceNamed(m.device))
            d->connected = true;
        const std::int64_t id = next_id_++;
        send("list_devices", listDevicesCommand(id));
        ++revision_;
        return;
    }
    if (m.name == "device_lost") {
        if (StancedDevice* d = deviceNamed(m.device))
            d->connected = false;
        ++revision_;
        const bool under_way =
            state_ == WizardState::kStarting || state_ == WizardState::kRecording;
        if (under_way && step_ < schedule_.size()) {
            stop_reason_ = AttemptOutcome::kDeviceLost;
            stop_note_ = m.device + " lost during " + trialTag(protocol_, schedule_[step_]) +
                         (m.reason.empty() ? "" : " (" + m.reason + ")");
            const std::int64_t id = next_id_++;
            send("stop_trial", stopTrialCommand(id, "aborted"));
            setState(WizardState::kStopping);
        } else if (state_ == WizardState::kCountdown && !balanceConnected()) {
            last_error_ = m.device + " lost before the trial started (" + m.reason + ")";
            setState(WizardState::kReady);
        }
        return;
    }
    if (m.name == "trial_started") {
        if (state_ == WizardState::kStarting) {
            running_ = m.trial;
            elapsed_s_ = 0.0;
            setState(WizardState::kRecording);
        }
        return;
    }
    if (m.name == "trial_progress") {
        if (state_ == WizardState::kRecording || state_ == WizardState::kStopping) {
            elapsed_s_ = m.elapsed_s;
            ++revision_;
        }
        return;
    }
    if (m.name == "trial_done") {
        const bool ours = running_.has_value() || state_ == WizardState::kStarting ||
                          state_ == WizardState::kRecording || state_ == WizardState::kStopping;
        if (!ours || step_ >= schedule_.size())
            return;
        if (running_ && m.trial && !running_->name.empty() && m.trial->name != running_->name)
            return;  // another client's trial
        if (stop_reason_) {
            finishAttempt(*stop_reason_, &m, stop_note_);
        } else if (m.status == "complete") {
            finishAttempt(AttemptOutcome::kComplete, &m, "");
            if (state_ != WizardState::kAborted)
                nextStep(now_s, true);
        } else {
            finishAttempt(AttemptOutcome::kAborted, &m,
                          "stanced ended " + trialTag(protocol_, schedule_[step_]) + " as " +
                              (m.status.empty() ? std::string("aborted") : m.status) +
                              (m.reason.empty() ? "" : " (" + m.reason + ")"));
        }
        return;
    }
    if (m.name == "error") {
        fail("stanced: " + m.reason);
        return;
    }
    if (m.name == "gap" || m.name == "device_error" || m.name == "identity_mismatch") {
        if (m.name != "gap")
            fail(m.device + ": " + m.reason);
        return;
    }
}

void SessionWizard::finishAttempt(AttemptOutcome outcome, const StancedMessage* done,
                                  std::string note) {
    const an::ProtocolStep& s = schedule_[step_];
    TrialAttempt a;
    a.step = static_cast<int>(step_);
    a.condition = s.condition;
    a.repetition = s.repetition;
    a.outcome = outcome;
    a.duration_s = s.duration_s;
    a.elapsed_s = elapsed_s_;
    a.note = note;
    if (running_)
        a.trial_name = running_->name;
    if (done != nullptr) {
        a.status = done->status;
        a.file = done->file;
        a.group = done->group;
        if (done->trial && !done->trial->name.empty())
            a.trial_name = done->trial->name;
        if (outcome == AttemptOutcome::kComplete)
            a.elapsed_s = s.duration_s;
    }
    a.kept = outcome == AttemptOutcome::kComplete;
    attempts_.push_back(std::move(a));
    running_.reset();
    stop_reason_.reset();
    stop_note_.clear();
    ++revision_;
    if (outcome != AttemptOutcome::kComplete && state_ != WizardState::kAborted) {
        review_message_ = note;
        setState(WizardState::kReview);
    }
}

void SessionWizard::nextStep(double now_s, bool rest) {
    const double rest_s = step_ < schedule_.size() ? schedule_[step_].rest_after_s : 0.0;
    ++step_;
    review_message_.clear();
    elapsed_s_ = 0.0;
    ++revision_;
    if (step_ >= schedule_.size()) {
        setState(WizardState::kFinished);
    } else if (rest && options_.rests && rest_s > 0.0) {
        rest_end_s_ = now_s + rest_s;
        setState(WizardState::kRest);
    } else {
        setState(WizardState::kReady);
    }
}

bool SessionWizard::tare() {
    if (state_ != WizardState::kReady)
        return fail("tare only between trials");
    const std::string b = balanceDevice();
    if (b.empty())
        return fail("no force plate or balance board is connected");
    const std::int64_t id = next_id_++;
    send("tare", tareCommand(id, b, options_.tare_s));
    setState(WizardState::kTaring);
    return true;
}

bool SessionWizard::start(double now_s) {
    if (state_ != WizardState::kReady)
        return fail(std::string("cannot start a trial now (") +
                    std::string(wizardStateName(state_)) + ")");
    if (step_ >= schedule_.size())
        return fail("every trial is done");
    if (!balanceConnected())
        return fail("no force plate or balance board is connected");
    if (options_.require_tare && !tared_)
        return fail("tare the plate first, with nobody on it");
    last_error_.clear();
    countdown_end_s_ = now_s + options_.countdown_s;
    setState(WizardState::kCountdown);
    advance(now_s);
    return true;
}

bool SessionWizard::cancelCountdown() {
    if (state_ != WizardState::kCountdown)
        return fail("no countdown is running");
    setState(WizardState::kReady);
    return true;
}

void SessionWizard::advance(double now_s) {
    if (state_ == WizardState::kCountdown && now_s >= countdown_end_s_) {
        const an::ProtocolStep& s = schedule_[step_];
        StartTrialRequest r;
        r.condition = s.condition;
        r.duration_s = s.duration_s;
        r.repetition = s.repetition;
        r.instruction = instruction();
        r.subject = setup_.subject;
        r.session = setup_.session;
        const std::int64_t id = next_id_++;
        send("start_trial", startTrialCommand(id, r));
        elapsed_s_ = 0.0;
        stop_reason_.reset();
        setState(WizardState::kStarting);
    } else if (state_ == WizardState::kRest && now_s >= rest_end_s_) {
        setState(WizardState::kReady);
    }
}

bool SessionWizard::markFall() {
    if (state_ != WizardState::kRecording)
        return fail("no trial is running");
    const std::int64_t mark = next_id_++;
    send("mark_event", markEventCommand(mark, "fall"));
    stop_reason_ = AttemptOutcome::kFall;
    stop_note_ =
        "fall during " + trialTag(protocol_, schedule_[step_]) + " at " + seconds(elapsed_s_);
    const std::int64_t id = next_id_++;
    send("stop_trial", stopTrialCommand(id, "fall"));
    setState(WizardState::kStopping);
    return true;
}

bool SessionWizard::stopTrial() {
    if (state_ != WizardState::kRecording && state_ != WizardState::kStarting)
        return fail("no trial is running");
    stop_reason_ = AttemptOutcome::kAborted;
    stop_note_ = trialTag(protocol_, schedule_[step_]) + " stopped by the operator at " +
                 seconds(elapsed_s_);
    const std::int64_t id = next_id_++;
    send("stop_trial", stopTrialCommand(id, "aborted"));
    setState(WizardState::kStopping);
    return true;
}

bool SessionWizard::redo() {
    if (state_ != WizardState::kReview)
        return fail("nothing to redo");
    review_message_.clear();
    elapsed_s_ = 0.0;
    setState(WizardState::kReady);
    return true;
}

bool SessionWizard::accept() {
    if (state_ != WizardState::kReview)
        return fail("nothing to accept");
    if (attempts_.empty() || attempts_.back().outcome != AttemptOutcome::kFall ||
        attempts_.back().step != static_cast<int>(step_))
        return fail("only a fall can stand as the trial's result: redo the trial or skip it");
    attempts_.back().kept = true;
    nextStep(0.0, false);
    return true;
}

bool SessionWizard::skip() {
    if (state_ != WizardState::kReview)
        return fail("nothing to skip");
    nextStep(0.0, false);
    return true;
}

bool SessionWizard::skipRest() {
    if (state_ != WizardState::kRest)
        return fail("no rest is running");
    setState(WizardState::kReady);
    return true;
}

void SessionWizard::abortSession() {
    if (state_ == WizardState::kStarting || state_ == WizardState::kRecording) {
        stop_reason_ = AttemptOutcome::kAborted;
        stop_note_ = "session aborted by the operator";
        const std::int64_t id = next_id_++;
        send("stop_trial", stopTrialCommand(id, "aborted"));
    }
    setState(WizardState::kAborted);
}

std::vector<std::string> SessionWizard::takeCommands() {
    std::vector<std::string> out;
    out.swap(outbox_);
    return out;
}

std::string SessionWizard::statusText(double now_s) const {
    const an::ProtocolStep* s = currentTrial();
    const std::string tag = s != nullptr ? trialTag(protocol_, *s) : std::string();
    const std::string position = s != nullptr ? " (trial " + std::to_string(step_ + 1) + " of " +
                                                    std::to_string(schedule_.size()) + ")"
                                              : std::string();
    switch (state_) {
        case WizardState::kDisconnected:
            return "stanced is not reachable" +
                   (disconnect_reason_.empty() ? std::string() : " (" + disconnect_reason_ + ")") +
                   ": retrying";
        case WizardState::kConnecting:
            return "Connected to stanced, waiting for its greeting";
        case WizardState::kReady:
            if (!balanceConnected())
                return "No force plate or balance board connected: check the device and its cable";
            if (options_.require_tare && !tared_)
                return "Ready: tare " + balanceDevice() + " with nobody on it, then start " + tag;
            return "Ready for " + tag + position;
        case WizardState::kTaring:
            return "Taring " + balanceDevice() + "...";
        case WizardState::kCountdown:
            return tag + " starts in " + seconds(std::ceil(countdownRemainingS(now_s)));
        case WizardState::kStarting:
            return "Starting " + tag + "...";
        case WizardState::kRecording:
            return "Recording " + tag + ": " + seconds(elapsed_s_) + " of " +
                   seconds(s != nullptr ? s->duration_s : 0.0);
        case WizardState::kStopping:
            return "Stopping " + tag + "...";
        case WizardState::kReview: {
            const bool fall =
                !attempts_.empty() && attempts_.back().outcome == AttemptOutcome::kFall;
            return review_message_ +
                   (fall ? ": redo the trial, or keep the fall as its result" : ": redo the trial");
        }
        case WizardState::kRest:
            return "Rest " + seconds(std::ceil(restRemainingS(now_s))) + ", then " + tag;
        case WizardState::kFinished: {
            const auto kept = std::count_if(attempts_.begin(), attempts_.end(),
                                            [](const TrialAttempt& a) { return a.kept; });
            return "Session complete: " + std::to_string(kept) + " of " +
                   std::to_string(schedule_.size()) + " trials recorded";
        }
        case WizardState::kAborted:
            return "Session aborted";
    }
    return {};
}

ds::CatalogId storeWizardSession(ds::Catalog& catalog, ds::CatalogId patient_id,
                                 const SessionWizard& wizard, std::chrono::sys_seconds start_utc) {
    std::vector<const TrialAttempt*> kept;
    for (const TrialAttempt& a : wizard.attempts()) {
        if (a.kept)
            kept.push_back(&a);
    }
    if (kept.empty())
        throw AppError("session wizard", "no trial was recorded: nothing to store");
    if (!catalog.patient(patient_id))
        throw AppError("patient " + std::to_string(patient_id),
                       "no such patient in " + catalog.location());
    ds::Session s;
    s.patient_id = patient_id;
    s.start_utc = start_utc;
    s.site = wizard.setup().session.site;
    s.operator_name = wizard.setup().session.operator_id;
    s.protocol = wizard.protocol().id;
    s.protocol_version = wizard.protocol().version;
    ds::CatalogId sid = 0;
    {
        ds::Catalog::Transaction tx(catalog);
        sid = catalog.addSession(s);
        for (const TrialAttempt* a : kept) {
            ds::Trial t;
            t.session_id = sid;
            t.condition = a->condition;
            t.repetition = a->repetition;
            t.status = a->outcome == AttemptOutcome::kFall ? ds::TrialStatus::kFall
                                                           : ds::TrialStatus::kComplete;
            t.duration_s = a->elapsed_s > 0.0 ? a->elapsed_s : a->duration_s;
            t.data_path = a->file;
            t.data_group = a->group;
            catalog.addTrial(t);
        }
        tx.commit();
    }
    analyzeAndStoreSession(catalog, sid);
    return sid;
}

}  // namespace stance::app
