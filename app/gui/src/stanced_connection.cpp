#include "stance/gui/stanced_connection.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QWebSocket>
#include <algorithm>
#include <cstring>

#include "stance/app/stanced_messages.hpp"

namespace stance::gui {

namespace {

constexpr int kHeartbeatMs = 2000;
constexpr int kPongTimeoutMs = 6000;
constexpr auto kIdPrefix = "gui-";

QString seconds(int ms) {
    return ms % 1000 == 0 ? QString::number(ms / 1000) : QString::number(ms / 1000.0, 'f', 1);
}

}  // namespace

QString linkStateName(LinkState state) {
    switch (state) {
        case LinkState::kIdle:
            return QStringLiteral("not connected");
        case LinkState::kConnecting:
            return QStringLiteral("connecting");
        case LinkState::kConnected:
            return QStringLiteral("connected");
        case LinkState::kRetrying:
            return QStringLiteral("retrying");
    }
    return {};
}

StancedConnection::StancedConnection(QObject* parent) : QObject(parent) {
    clock_.start();
    retry_timer_.setSingleShot(true);
    connect(&retry_timer_, &QTimer::timeout, this, [this] {
        if (wanted_)
            openSocket();
    });
    heartbeat_timer_.setInterval(kHeartbeatMs);
    connect(&heartbeat_timer_, &QTimer::timeout, this, &StancedConnection::onHeartbeat);
    status_text_ = QStringLiteral("Not connected to stanced");
}

StancedConnection::~StancedConnection() {
    wanted_ = false;
    // Handlers may capture widgets that are going away too: drop them unanswered.
    pending_.clear();
    dropSocket();
}

void StancedConnection::setServer(const QUrl& url, const QString& token) {
    url_ = url;
    token_ = token;
}

void StancedConnection::setRetryDelaysMs(int first_ms, int max_ms) {
    first_retry_ms_ = std::max(1, first_ms);
    max_retry_ms_ = std::max(first_retry_ms_, max_ms);
    next_retry_ms_ = first_retry_ms_;
}

void StancedConnection::start() {
    wanted_ = true;
    next_retry_ms_ = first_retry_ms_;
    if (state_ == LinkState::kConnected || state_ == LinkState::kConnecting)
        return;
    retry_timer_.stop();
    openSocket();
}

void StancedConnection::stop() {
    wanted_ = false;
    retry_timer_.stop();
    heartbeat_timer_.stop();
    dropSocket();
    failPending(QStringLiteral("the connection to stanced was closed"));
    hello_ = {};
    setState(LinkState::kIdle, QStringLiteral("Not connected to stanced"));
}

void StancedConnection::dropSocket() {
    if (socket_.isNull())
        return;
    QWebSocket* s = socket_.data();
    socket_.clear();
    s->disconnect(this);
    s->abort();
    s->deleteLater();
}

void StancedConnection::openSocket() {
    dropSocket();
    if (!url_.isValid() ||
        (url_.scheme() != QStringLiteral("ws") && url_.scheme() != QStringLiteral("wss"))) {
        wanted_ = false;
        setState(
            LinkState::kIdle,
            QStringLiteral("stanced address '%1' is not a ws:// URL (e.g. ws://127.0.0.1:8765)")
                .arg(url_.toString()));
        return;
    }
    auto* s = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    socket_ = s;
    last_error_.clear();
    connect(s, &QWebSocket::connected, this, &StancedConnection::onOpened);
    connect(s, &QWebSocket::disconnected, this, &StancedConnection::onClosed);
    connect(s, &QWebSocket::textMessageReceived, this, &StancedConnection::onText);
    connect(s, &QWebSocket::binaryMessageReceived, this, &StancedConnection::onBinary);
    connect(s, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, s](QAbstractSocket::SocketError) {
                if (s == socket_.data())
                    last_error_ = s->errorString();
            });
    connect(s, &QWebSocket::pong, this,
            [this](quint64, const QByteArray&) { last_pong_ms_ = clock_.elapsed(); });
    setState(LinkState::kConnecting,
             QStringLiteral("Connecting to stanced at %1 ...").arg(url_.toString()));
    QNetworkRequest req(url_);
    if (!token_.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + token_.toUtf8());
    s->open(req);
}

void StancedConnection::onOpened() {
    next_retry_ms_ = first_retry_ms_;
    scheduled_delay_ms_ = 0;
    last_pong_ms_ = clock_.elapsed();
    heartbeat_timer_.start();
    hello_ = {};
    setState(LinkState::kConnected,
             QStringLiteral("Connected to stanced at %1").arg(url_.toString()));
}

void StancedConnection::onClosed() {
    heartbeat_timer_.stop();
    const bool was_connected = state_ == LinkState::kConnected;
    QString reason = last_error_;
    if (reason.isEmpty() && !socket_.isNull() && !socket_->closeReason().isEmpty())
        reason = socket_->closeReason();
    dropSocket();
    hello_ = {};
    failPending(was_connected ? QStringLiteral("the connection to stanced was lost")
                              : QStringLiteral("stanced is not connected"));
    if (!wanted_) {
        setState(LinkState::kIdle, QStringLiteral("Not connected to stanced"));
        return;
    }
    scheduleRetry(was_connected
                      ? QStringLiteral("Lost the connection to stanced at %1%2")
                            .arg(url_.toString(),
                                 reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason))
                      : QStringLiteral("stanced is not reachable at %1%2")
                            .arg(url_.toString(), reason.isEmpty()
                                                      ? QString()
                                                      : QStringLiteral(" (%1)").arg(reason)));
}

void StancedConnection::scheduleRetry(const QString& reason) {
    scheduled_delay_ms_ = next_retry_ms_;
    next_retry_ms_ = std::min(max_retry_ms_, next_retry_ms_ * 2);
    retry_timer_.start(scheduled_delay_ms_);
    setState(LinkState::kRetrying,
             QStringLiteral("%1; retrying in %2 s").arg(reason, seconds(scheduled_delay_ms_)));
}

void StancedConnection::onHeartbeat() {
    if (socket_.isNull() || state_ != LinkState::kConnected)
        return;
    if (clock_.elapsed() - last_pong_ms_ > kPongTimeoutMs) {
        // A link that died without a close (cable, sleep): give up on it and retry.
        last_error_ = QStringLiteral("no answer to pings for %1 s").arg(kPongTimeoutMs / 1000);
        socket_->abort();
        return;
    }
    socket_->ping();
    expireRequests();
}

void StancedConnection::expireRequests() {
    const qint64 now = clock_.elapsed();
    std::vector<std::int64_t> expired;
    for (const auto& [id, p] : pending_) {
        if (p.deadline_ms <= now)
            expired.push_back(id);
    }
    for (const std::int64_t id : expired) {
        Pending p = std::move(pending_[id]);
        pending_.erase(id);
        if (p.handler) {
            QJsonObject reply{
                {QStringLiteral("reply"), p.cmd},
                {QStringLiteral("ok"), false},
                {QStringLiteral("error"), QStringLiteral("stanced did not answer '%1' within %2 s")
                                              .arg(p.cmd, seconds(request_timeout_ms_))}};
            p.handler(reply);
        }
    }
}

void StancedConnection::setState(LinkState state, QString text) {
    const bool changed = state != state_ || text != status_text_;
    state_ = state;
    status_text_ = std::move(text);
    if (changed)
        emit stateChanged(state_, status_text_);
}

void StancedConnection::answerLater(ReplyHandler handler, const QString& cmd,
                                    const QString& error) {
    if (!handler)
        return;
    QJsonObject reply{{QStringLiteral("reply"), cmd},
                      {QStringLiteral("ok"), false},
                      {QStringLiteral("error"), error}};
    QTimer::singleShot(0, this, [handler = std::move(handler), reply] { handler(reply); });
}

void StancedConnection::failPending(const QString& reason) {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, p] : pending)
        answerLater(std::move(p.handler), p.cmd, reason);
}

void StancedConnection::request(const QString& cmd, const QJsonObject& params,
                                ReplyHandler handler) {
    if (state_ != LinkState::kConnected || socket_.isNull()) {
        answerLater(std::move(handler), cmd,
                    QStringLiteral("not connected to stanced (%1)").arg(status_text_));
        return;
    }
    QJsonObject r = params;
    const std::int64_t id = next_id_++;
    r.insert(QStringLiteral("cmd"), cmd);
    r.insert(QStringLiteral("id"), QStringLiteral("%1%2").arg(QLatin1String(kIdPrefix)).arg(id));
    pending_[id] = Pending{cmd, std::move(handler), clock_.elapsed() + request_timeout_ms_};
    socket_->sendTextMessage(QString::fromUtf8(QJsonDocument(r).toJson(QJsonDocument::Compact)));
}

bool StancedConnection::sendText(const QString& text) {
    if (state_ != LinkState::kConnected || socket_.isNull())
        return false;
    socket_->sendTextMessage(text);
    return true;
}

void StancedConnection::onText(const QString& text) {
    const QByteArray utf8 = text.toUtf8();
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(utf8, &perr);
    if (!doc.isObject()) {
        emit protocolProblem(QStringLiteral("stanced sent a text message that is not a JSON "
                                            "object (%1)")
                                 .arg(perr.errorString()));
        return;
    }
    const QJsonObject msg = doc.object();
    const QString event = msg.value(QStringLiteral("event")).toString();
    if (event == QStringLiteral("samples")) {
        ++sample_messages_;
        scratch_.clear();
        std::string err;
        if (!app::parseJsonSamples(std::string_view(utf8.constData(), utf8.size()), scratch_,
                                   &err)) {
            ++bad_samples_;
            return;
        }
        if (sink_)
            sink_(scratch_);
        return;
    }
    if (msg.contains(QStringLiteral("reply"))) {
        const QString id = msg.value(QStringLiteral("id")).toString();
        if (id.startsWith(QLatin1String(kIdPrefix))) {
            bool ok = false;
            const std::int64_t key =
                id.mid(static_cast<qsizetype>(std::strlen(kIdPrefix))).toLongLong(&ok);
            auto it = ok ? pending_.find(key) : pending_.end();
            if (it == pending_.end())
                return;  // answered already (timed out): a late reply is dropped
            Pending p = std::move(it->second);
            pending_.erase(it);
            if (p.handler)
                p.handler(msg);
            return;
        }
    }
    if (event == QStringLiteral("hello")) {
        hello_ = msg;
        emit helloReceived(msg);
    }
    emit textReceived(text);
    if (!event.isEmpty())
        emit eventReceived(msg);
}

void StancedConnection::onBinary(const QByteArray& bytes) {
    ++sample_messages_;
    scratch_.clear();
    std::string err;
    const std::span<const std::uint8_t> block(
        reinterpret_cast<const std::uint8_t*>(bytes.constData()),
        static_cast<std::size_t>(bytes.size()));
    if (!app::parseBinarySamples(block, scratch_, &err)) {
        ++bad_samples_;
        return;
    }
    if (sink_)
        sink_(scratch_);
}

}  // namespace stance::gui
