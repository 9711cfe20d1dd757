#pragma once
/// \file
/// Running an assessment. Page 1 picks the protocol (app's built-in protocols with their
/// schedule, duration and source), the operator and the site. Page 2 runs it against stanced
/// through app::SessionWizard, the state machine that decides everything: this dialog forwards
/// the connection's messages and the operator's buttons to it, sends the commands it queues and
/// shows its state: device status (connected, rate, samples, gaps, tared), tare, the current
/// trial with its instruction, a countdown and its progress, redo / accept / skip after a fall,
/// an abort or a device lost mid-trial (the reason in red, the redo offered), abort session, and
/// the live view (app::LiveView fed by the connection's sample sink, drained on a 30 ms timer).
/// When the schedule is done, Save stores the session (app::storeWizardSession) and emits
/// sessionStored().
///
/// Thread rules: UI thread only. Nothing blocks: a 100 ms timer drives the wizard's countdowns.

#include <QDialog>
#include <QElapsedTimer>
#include <QTimer>
#include <chrono>
#include <memory>
#include <optional>

#include "stance/app/session_wizard.hpp"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableWidget;
class QTextBrowser;

namespace stance::gui {

class LiveViewWidget;
class StancedConnection;

class SessionWizardDialog : public QDialog {
    Q_OBJECT
public:
    /// The patient must exist in `catalog` (its sex, birth year, height and mass go to stanced
    /// with its pseudonymous id). `connection` is the main window's link to stanced; the dialog
    /// listens to it and sends through it while it lives.
    SessionWizardDialog(datasets::Catalog& catalog, datasets::CatalogId patient_id,
                        StancedConnection& connection, QWidget* parent = nullptr);
    ~SessionWizardDialog() override;

    // ---- page 1 ----
    void setProtocol(const QString& protocol_id);
    void setOperator(const QString& name);
    void setSite(const QString& site);
    /// Countdown before each trial and the protocol's rests (tests shorten them).
    void setTimings(double countdown_s, bool rests);
    /// Leaves page 1 and starts running the protocol; false (reason shown) when it cannot.
    bool beginSession();

    // ---- page 2: the operator's buttons ----
    bool tare();
    bool startTrial();
    bool markFall();
    bool stopTrial();
    bool redo();
    bool keepFall();  ///< keep a fall as the trial's result (the wizard's accept())
    bool skip();
    void abortSession();
    /// Stores the finished (or aborted) session; false with the reason shown when it cannot.
    bool saveSession();

    /// The state machine (tests read it), nullptr on page 1.
    const app::SessionWizard* wizard() const noexcept { return wizard_.get(); }
    LiveViewWidget* liveView() const noexcept { return live_; }
    QString statusLine() const;
    QString reviewText() const;
    QString trialTitle() const;
    QString countdownText() const;
    QTableWidget* deviceTable() const noexcept { return devices_; }
    QTableWidget* attemptTable() const noexcept { return attempts_; }
    datasets::CatalogId storedSession() const noexcept { return stored_session_; }
    /// One tick of the 100 ms timer (tests call it instead of waiting).
    void tick();

    void reject() override;

signals:
    void sessionStored(stance::datasets::CatalogId session_id);

private:
    double now() const;
    void flush();
    void refresh();
    void refreshDevices();
    void refreshAttempts();
    void updateLiveSource();
    void describeProtocol();
    template <class Action>
    bool act(Action action);

    datasets::Catalog& catalog_;
    datasets::CatalogId patient_id_;
    StancedConnection& connection_;
    std::unique_ptr<app::SessionWizard> wizard_;
    std::optional<std::chrono::sys_seconds> started_utc_;
    datasets::CatalogId stored_session_ = 0;
    QElapsedTimer clock_;
    QTimer timer_;
    std::uint64_t shown_revision_ = ~std::uint64_t{0};
    app::WizardState shown_state_ = app::WizardState::kDisconnected;
    double countdown_s_ = 3.0;
    bool rests_ = true;
    std::string live_device_;

    QStackedWidget* pages_ = nullptr;
    // page 1
    QComboBox* protocol_ = nullptr;
    QTextBrowser* protocol_info_ = nullptr;
    QLineEdit* operator_ = nullptr;
    QLineEdit* site_ = nullptr;
    QLabel* setup_status_ = nullptr;
    // page 2
    QLabel* status_ = nullptr;
    QTableWidget* devices_ = nullptr;
    QLabel* trial_title_ = nullptr;
    QLabel* instruction_ = nullptr;
    QLabel* countdown_ = nullptr;
    QLabel* review_ = nullptr;
    QProgressBar* trial_progress_ = nullptr;
    QProgressBar* session_progress_ = nullptr;
    QPushButton* tare_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* cancel_countdown_ = nullptr;
    QPushButton* fall_ = nullptr;
    QPushButton* stop_ = nullptr;
    QPushButton* redo_ = nullptr;
    QPushButton* accept_ = nullptr;
    QPushButton* skip_ = nullptr;
    QPushButton* skip_rest_ = nullptr;
    QPushButton* abort_ = nullptr;
    QPushButton* save_ = nullptr;
    QTableWidget* attempts_ = nullptr;
    LiveViewWidget* live_ = nullptr;
};

}  // namespace stance::gui
