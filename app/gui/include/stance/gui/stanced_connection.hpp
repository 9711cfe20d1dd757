#pragma once
/// \file
/// The app's link to `stanced` (docs/stanced-protocol.md, protocol 1): one QWebSocket that
/// connects, says clearly why it is not connected, and retries on its own with a growing delay
/// (0.5 s doubling to 5 s) whenever stanced is not running or goes away. Requests get exactly one
/// answer each: stanced's reply, or a reply with "ok": false made here when the connection drops
/// or nothing comes back in time, so no caller ever waits on a dead socket. A ping every 2 s
/// finds a link that died without closing (a pong missing for 6 s drops it and retries).
///
/// Thread rules: a QObject of the UI thread; every call and every signal on that thread. Nothing
/// blocks: connecting, sending and receiving are QWebSocket's asynchronous operations. Sample
/// messages (binary STB1 blocks or JSON "samples" events) are decoded here and handed to the
/// sample sink without any widget work; the live view drains what the sink stored on its timer.

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "stance/app/live_view.hpp"

class QWebSocket;

namespace stance::gui {

enum class LinkState {
    kIdle,        ///< not asked to connect
    kConnecting,  ///< a connection attempt is under way
    kConnected,   ///< the WebSocket is open
    kRetrying,    ///< the last attempt failed or the link dropped; the next attempt is timed
};

/// "not connected", "connecting", "connected", "retrying".
QString linkStateName(LinkState state);

class StancedConnection : public QObject {
    Q_OBJECT
public:
    /// Called once per request with the reply object: stanced's, or {"ok": false, "error": ...}
    /// made here when the link dropped or no reply came within the request timeout.
    using ReplyHandler = std::function<void(const QJsonObject& reply)>;
    /// Receives the samples of each sample message, decoded by app::parseBinarySamples or
    /// app::parseJsonSamples; runs inside the socket's handler, so it must only store them (push
    /// into app::LiveView's ring), never redraw.
    using SampleSink = std::function<void(std::span<const app::LiveSample> samples)>;

    explicit StancedConnection(QObject* parent = nullptr);
    ~StancedConnection() override;
    StancedConnection(const StancedConnection&) = delete;
    StancedConnection& operator=(const StancedConnection&) = delete;

    /// The server URL (ws://HOST:PORT/) and, when stanced requires one, its access token (sent as
    /// "Authorization: Bearer"). Takes effect at the next connection attempt.
    void setServer(const QUrl& url, const QString& token = {});
    QUrl server() const { return url_; }

    /// Starts connecting; from now on a lost or refused connection is retried until stop().
    void start();
    /// Closes the link and stops retrying; pending requests are answered with an error.
    void stop();

    LinkState state() const noexcept { return state_; }
    bool isConnected() const noexcept { return state_ == LinkState::kConnected; }
    /// One sentence for the status bar: what the link is doing and, when it is down, why and
    /// when the next attempt comes ("stanced is not reachable at ws://127.0.0.1:8765 (Connection
    /// refused); retrying in 2 s").
    QString statusText() const { return status_text_; }
    /// The `hello` event of the current connection (empty before it came).
    QJsonObject hello() const { return hello_; }

    /// Sends {"cmd": cmd, "id": "gui-N", ...params} and routes the reply with that id to
    /// `handler`. String ids keep these requests apart from the numeric ids of the session
    /// wizard's commands (app::SessionWizard), which share the socket. When not connected the
    /// handler is called with "ok": false and the reason, from the event loop (never inside this
    /// call).
    void request(const QString& cmd, const QJsonObject& params = {}, ReplyHandler handler = {});
    /// Sends a command text as it is (the wizard's, with its own id); its reply comes back
    /// through textReceived. False when not connected.
    bool sendText(const QString& text);

    void setSampleSink(SampleSink sink) { sink_ = std::move(sink); }

    /// Timings, for tests and for slow networks.
    void setRequestTimeoutMs(int ms) { request_timeout_ms_ = ms; }
    void setRetryDelaysMs(int first_ms, int max_ms);
    /// Delay before the next attempt when one is scheduled, ms.
    int retryDelayMs() const noexcept { return scheduled_delay_ms_; }
    int pendingRequests() const noexcept { return static_cast<int>(pending_.size()); }

    /// Sample messages decoded and rejected (counted, never thrown: a hot path).
    std::uint64_t sampleMessages() const noexcept { return sample_messages_; }
    std::uint64_t badSampleMessages() const noexcept { return bad_samples_; }

signals:
    void stateChanged(stance::gui::LinkState state, const QString& status_text);
    /// stanced said hello on a new connection: device list and running trial in `hello`.
    void helloReceived(const QJsonObject& hello);
    /// Every text message except `samples` events and the replies to request(): the wizard's
    /// replies and every event (device_lost, trial_progress...), as received.
    void textReceived(const QString& text);
    /// The same messages parsed, for widgets that only look (device status).
    void eventReceived(const QJsonObject& event);
    /// A malformed message from the server; the link stays up.
    void protocolProblem(const QString& message);

private:
    void openSocket();
    void dropSocket();
    void onOpened();
    void onClosed();
    void onText(const QString& text);
    void onBinary(const QByteArray& bytes);
    void onHeartbeat();
    void scheduleRetry(const QString& reason);
    void failPending(const QString& reason);
    void answerLater(ReplyHandler handler, const QString& cmd, const QString& error);
    void expireRequests();
    void setState(LinkState state, QString text);

    struct Pending {
        QString cmd;
        ReplyHandler handler;
        qint64 deadline_ms = 0;
    };

    QUrl url_;
    QString token_;
    QPointer<QWebSocket> socket_;
    QString last_error_;
    QTimer retry_timer_;
    QTimer heartbeat_timer_;
    QElapsedTimer clock_;
    qint64 last_pong_ms_ = 0;
    LinkState state_ = LinkState::kIdle;
    QString status_text_;
    QJsonObject hello_;
    bool wanted_ = false;
    int first_retry_ms_ = 500;
    int max_retry_ms_ = 5000;
    int next_retry_ms_ = 500;
    int scheduled_delay_ms_ = 0;
    int request_timeout_ms_ = 15000;
    std::int64_t next_id_ = 1;
    std::map<std::int64_t, Pending> pending_;
    SampleSink sink_;
    std::vector<app::LiveSample> scratch_;
    std::uint64_t bad_samples_ = 0;
    std::uint64_t sample_messages_ = 0;
};

}  // namespace stance::gui
