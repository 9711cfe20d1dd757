#pragma once
/// \file
/// The session wizard as a state machine, without a socket or a timer of its own: it walks a
/// protocol's schedule (analysis::Protocol::schedule()) trial by trial with the instruction, a
/// countdown and the trial's progress; handles redo, abort, "fall" marking, a device lost mid-trial
/// (the trial is marked and the operator asked to redo it) and stanced going away. It emits the
/// command texts to send to stanced (docs/stanced-protocol.md) and consumes stanced's messages.
///
/// The owner (the GUI with its QWebSocket and QTimer, a headless runner, a test feeding scripted
/// messages) calls onConnected / onMessage / onDisconnected as the connection reports, the
/// operator actions as buttons are pressed, and advance(now) from a timer (every 50-200 ms); after
/// each call it sends takeCommands() in order and redraws from the accessors. Times are the
/// owner's steady clock in seconds. Not thread-safe: one thread (the UI's) uses it.
///
/// States:
///   kDisconnected -> onConnected -> kConnecting -> hello -> kReady
///   kReady -> start() -> kCountdown -> (countdown over) start_trial -> kStarting -> reply ok ->
///   kRecording -> trial_done complete -> kRest (rest_after_s) -> kReady (next trial) ... ->
///   kFinished
///   kRecording -> markFall() / stopTrial() / device_lost -> stop_trial -> kStopping ->
///   trial_done -> kReview -> redo() -> kReady (same trial) | accept() (falls) / skip() -> next
///   any -> onDisconnected -> kDisconnected (a trial under way is marked "connection lost" and
///   offered for redo after reconnecting); any -> abortSession() -> kAborted.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/protocol.hpp"
#include "stance/app/stanced_messages.hpp"
#include "stance/datasets/catalog.hpp"

namespace stance::app {

enum class WizardState {
    kDisconnected,  ///< no connection to stanced: the owner retries connecting
    kConnecting,    ///< connected, waiting for stanced's hello
    kReady,         ///< the current trial's instruction is shown; start() when canStart()
    kTaring,        ///< tare sent, waiting for its reply
    kCountdown,     ///< counting down to the trial start
    kStarting,      ///< start_trial sent, waiting for its reply
    kRecording,     ///< the trial runs
    kStopping,      ///< stop_trial sent (fall / abort / device lost), waiting for trial_done
    kReview,        ///< the last attempt did not complete: redo(), or accept() / skip()
    kRest,          ///< rest after a complete trial, then kReady for the next
    kFinished,      ///< every trial of the schedule is done
    kAborted,       ///< the session was abandoned
};
std::string_view wizardStateName(WizardState s) noexcept;  ///< "disconnected", "ready", ...

/// How an attempt at a trial ended.
enum class AttemptOutcome {
    kComplete,        ///< ran its full duration
    kFall,            ///< the operator marked a fall
    kAborted,         ///< stopped by the operator, or by stanced (shut down, recorder behind)
    kDeviceLost,      ///< a device of the trial was lost while it ran
    kConnectionLost,  ///< stanced went away while it ran
};
std::string_view attemptOutcomeName(AttemptOutcome o) noexcept;  ///< "complete", "fall", ...

/// One attempt at one step of the schedule.
struct TrialAttempt {
    int step = 0;  ///< index in the schedule
    std::string condition;
    int repetition = 1;
    AttemptOutcome outcome = AttemptOutcome::kComplete;
    std::string status;      ///< as recorded by stanced: "complete", "fall", "aborted" ("" unknown)
    std::string trial_name;  ///< stanced's trial name ("003")
    std::string file;        ///< the finished stance-hdf5 file (trial_done), "" when none
    std::string group;       ///< the trial's HDF5 group
    double duration_s = 0.0;  ///< planned
    double elapsed_s = 0.0;   ///< last reported elapsed time
    std::string note;         ///< what happened, for the operator ("plate lost: no bytes for 1 s")
    bool kept = false;        ///< the attempt that stands for its step (complete, or accepted)
};

struct WizardOptions {
    double countdown_s = 3.0;
    /// Tare the balance device (plate or board) before the first trial.
    bool require_tare = true;
    double tare_s = 1.0;
    /// The balance device's name; "" = the first connected force plate or load-cell board.
    std::string balance_device;
    /// Live data: subscribe after hello at this rate (0 = do not subscribe).
    double subscribe_rate_hz = 100.0;
    bool binary_samples = true;
    /// Honour the protocol's rests (false: kReady right after a complete trial).
    bool rests = true;
};

/// What the trials are recorded for (pseudonymous; names stay in the catalog).
struct WizardSetup {
    StancedSubject subject;
    StancedSession session;  ///< protocol and protocol_version are filled from the protocol
};

class SessionWizard {
public:
    SessionWizard(analysis::Protocol protocol, WizardSetup setup, WizardOptions options = {});

    // ---- the connection ----
    void onConnected(double now_s);
    /// The socket closed or failed; `reason` is shown ("connection refused").
    void onDisconnected(double now_s, std::string_view reason);
    /// A text message from stanced. A malformed one is counted (malformedMessages()) and shown
    /// as lastError(); it never throws. `samples` events are ignored here (they go to LiveView).
    void onMessage(std::string_view text, double now_s);

    // ---- operator actions; each returns false (and sets lastError) when not possible now ----
    bool tare();
    bool start(double now_s);  ///< kReady: begin the countdown of the current trial
    bool cancelCountdown();    ///< kCountdown -> kReady
    bool markFall();           ///< kRecording: mark the event, stop the trial as a fall
    bool stopTrial();          ///< kRecording: stop it as aborted (asks for a redo)
    bool redo();               ///< kReview: the same trial again
    bool accept();             ///< kReview after a fall: keep it as the trial's result, go on
    bool skip();               ///< kReview: leave the trial without a result, go on
    bool skipRest();           ///< kRest -> kReady
    void abortSession();       ///< stops a running trial (aborted) and ends the session

    /// Timer tick: ends the countdown (sending start_trial) and the rest.
    void advance(double now_s);

    /// Commands to send, in order (JSON texts); the queue is emptied.
    std::vector<std::string> takeCommands();

    // ---- what the screen shows ----
    WizardState state() const noexcept { return state_; }
    const analysis::Protocol& protocol() const noexcept { return protocol_; }
    const WizardSetup& setup() const noexcept { return setup_; }
    const std::vector<analysis::ProtocolStep>& schedule() const noexcept { return schedule_; }
    /// Index of the current step (== schedule().size() when finished).
    std::size_t currentStep() const noexcept { return step_; }
    const analysis::ProtocolStep* currentTrial() const noexcept;
    /// The instruction of the current trial (the condition's, else the protocol's).
    std::string instruction() const;
    double countdownRemainingS(double now_s) const noexcept;
    double restRemainingS(double now_s) const noexcept;
    double trialElapsedS() const noexcept { return elapsed_s_; }
    /// Elapsed / planned duration of the running trial, 0-1.
    double trialProgress() const noexcept;
    /// Steps done / steps, 0-1.
    double sessionProgress() const noexcept;
    bool canStart() const noexcept;
    bool canTare() const noexcept;
    bool tared() const noexcept { return tared_; }
    const std::vector<StancedDevice>& devices() const noexcept { return devices_; }
    /// The balance device in use ("" when none is connected).
    std::string balanceDevice() const;
    const std::vector<TrialAttempt>& attempts() const noexcept { return attempts_; }
    /// One line for the status bar: "stanced is not reachable (connection refused): retrying",
    /// "Recording ec_foam #2: 12 s of 30 s", "plate lost during eo_firm #1: redo the trial".
    std::string statusText(double now_s) const;
    /// The reason the last attempt needs review (kReview), "" otherwise.
    const std::string& reviewMessage() const noexcept { return review_message_; }
    const std::string& lastError() const noexcept { return last_error_; }
    std::uint64_t malformedMessages() const noexcept { return malformed_; }
    /// Bumped on every change a screen shows, so the owner redraws only when it moved.
    std::uint64_t revision() const noexcept { return revision_; }
    /// Trial time of stanced's station clock (t of the last message).
    double stationTime() const noexcept { return station_t_; }

private:
    std::int64_t send(std::string command_name, std::string text);
    void setState(WizardState s);
    void handleReply(const StancedMessage& m, double now_s);
    void handleEvent(const StancedMessage& m, double now_s);
    void finishAttempt(AttemptOutcome outcome, const StancedMessage* done, std::string note);
    void nextStep(double now_s, bool rest);
    void updateDevices(const std::vector<StancedDevice>& d);
    bool balanceConnected() const;
    bool fail(std::string message);

    analysis::Protocol protocol_;
    std::vector<analysis::ProtocolStep> schedule_;
    WizardSetup setup_;
    WizardOptions options_;
    WizardState state_ = WizardState::kDisconnected;
    std::size_t step_ = 0;
    std::vector<std::string> outbox_;
    std::map<std::int64_t, std::string> pending_;  ///< request id -> command name
    std::int64_t next_id_ = 1;
    std::vector<StancedDevice> devices_;
    std::vector<TrialAttempt> attempts_;
    std::optional<StancedTrial> running_;
    std::optional<AttemptOutcome> stop_reason_;
    std::string stop_note_;
    bool tared_ = false;
    bool review_after_reconnect_ = false;
    double countdown_end_s_ = 0.0;
    double rest_end_s_ = 0.0;
    double elapsed_s_ = 0.0;
    double station_t_ = 0.0;
    std::string disconnect_reason_;
    std::string review_message_;
    std::string last_error_;
    std::uint64_t malformed_ = 0;
    std::uint64_t revision_ = 0;
};

/// Records a finished (or aborted) wizard session in the catalog: a Session for the patient
/// (start, the setup's site and operator, protocol and its version) and, for every step, the
/// attempt kept for it (complete or accepted fall) as a Trial with its file and group; steps
/// without a kept attempt are left out. Then analyzeAndStoreSession. One transaction for the rows.
/// Returns the session id. Throws AppError when no attempt was kept, datasets::CatalogError for the
/// catalog.
datasets::CatalogId storeWizardSession(datasets::Catalog& catalog, datasets::CatalogId patient_id,
                                       const SessionWizard& wizard,
                                       std::chrono::sys_seconds start_utc);

}  // namespace stance::app
