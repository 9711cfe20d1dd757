#pragma once
// Shared set-up of the GUI tests: one QApplication per test process on the "offscreen" platform
// (no display needed), a demo catalog built in a scratch folder, a site secret of the test's own
// (so that exports and pseudonyms never touch the user's), and a scripted stanced peer on
// loopback for the connection and wizard tests.

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtEndian>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "stance/app/demo.hpp"
#include "support/scratch.hpp"

namespace stance::test {

/// The process's QApplication, created on first use with the offscreen platform. It is never
/// destroyed: Catch's main owns the process and a QApplication destroyed during static
/// destruction crashes in Qt's own teardown; the pointer keeps it reachable (not a leak).
inline QApplication& guiApp() {
    static QApplication* app = [] {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        // The offscreen platform's notice about size hints says nothing about the code under
        // test; every other message is kept.
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString& m) {
            if (!m.contains(QStringLiteral("propagateSizeHints")))
                std::fprintf(stderr, "%s\n", m.toLocal8Bit().constData());
        });
        static int argc = 1;
        static char name[] = "test_gui";
        static char* argv[] = {name, nullptr};
        return new QApplication(argc, argv);
    }();
    return *app;
}

/// Runs the event loop until `done()` holds or `timeout_ms` passed; true when it holds. Waits on
/// events (a 20 ms wake-up timer bounds each wait), never sleeps.
template <class Pred>
bool waitFor(Pred done, int timeout_ms = 10000) {
    QElapsedTimer clock;
    clock.start();
    QTimer wake;
    wake.start(20);
    while (!done()) {
        if (clock.elapsed() > timeout_ms)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

/// Processes what is pending now (layouts, queued signals) without waiting.
inline void settle() {
    for (int i = 0; i < 3; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
}

/// A scratch folder holding the demo catalog (a few sessions, built in a few seconds) and a
/// site secret file that STANCE_SITE_SECRET points at.
struct DemoFixture {
    ScratchDir dir{"gui"};
    app::DemoCatalog demo;

    explicit DemoFixture(int sessions = 4) {
        guiApp();
        const auto secret = dir.path / "site_secret";
        ::setenv("STANCE_SITE_SECRET", secret.c_str(), 1);
        app::DemoOptions o;
        o.sessions = sessions;
        demo = app::buildDemoCatalog(dir.path / "clinic.db", o);
    }
};

/// A free loopback port: bound by a listening socket that is then closed.
inline quint16 freePort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

/// A stanced peer that speaks protocol 1 from a script: it greets with `hello`, answers each
/// command with the reply `on_command` builds (default: ok with the id echoed), records what it
/// received, and sends events and binary blocks when the test says.
class FakeStanced : public QObject {
public:
    explicit FakeStanced(quint16 port = 0)
        : server_(QStringLiteral("fake-stanced"), QWebSocketServer::NonSecureMode) {
        listen(port);
        QObject::connect(&server_, &QWebSocketServer::newConnection, this, [this] {
            QWebSocket* s = server_.nextPendingConnection();
            client_ = s;
            ++connections;
            QObject::connect(s, &QWebSocket::textMessageReceived, this,
                             [this](const QString& t) { onText(t); });
            QObject::connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
            send(hello());
        });
    }

    bool listen(quint16 port) { return server_.listen(QHostAddress::LocalHost, port); }
    quint16 port() const { return server_.serverPort(); }
    QString url() const { return QStringLiteral("ws://127.0.0.1:%1/").arg(port()); }

    /// Closes every connection and stops listening (stanced going away).
    void shutDown() {
        if (client_ != nullptr)
            client_->abort();
        server_.close();
    }

    void send(const QJsonObject& o) {
        if (client_ != nullptr)
            client_->sendTextMessage(
                QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    }
    void sendRaw(const QString& text) {
        if (client_ != nullptr)
            client_->sendTextMessage(text);
    }
    void sendBinary(const QByteArray& b) {
        if (client_ != nullptr)
            client_->sendBinaryMessage(b);
    }

    static QJsonObject plate(bool connected = true, bool tared = false) {
        QJsonArray channels;
        for (const char* c : {"fx", "fy", "fz", "mx", "my", "mz", "cop_x", "cop_y"})
            channels.append(QString::fromLatin1(c));
        return QJsonObject{{"index", 0},
                           {"name", "plate"},
                           {"protocol", "stance-frame"},
                           {"port", "/dev/pts/9"},
                           {"connected", connected},
                           {"state", connected ? "opened /dev/pts/9" : "no bytes for 1 s"},
                           {"kind", "force_plate"},
                           {"channels", channels},
                           {"model", "SimPlate-6"},
                           {"nominal_rate_hz", 100},
                           {"rate_hz", 100.0},
                           {"samples", 1234},
                           {"gaps", 0},
                           {"reconnects", 0},
                           {"tared", tared}};
    }

    QJsonObject hello() const {
        return QJsonObject{
            {"event", "hello"},     {"protocol", 1}, {"server", "stanced"},
            {"version", "0.1.0"},   {"t", 10.0},     {"devices", QJsonArray{plate()}},
            {"trial", QJsonValue()}};
    }

    /// Binary block (STB1) of one force plate: n samples at 100 Hz from t0, COP on a circle.
    static QByteArray plateBlock(int n, double t0, double radius_m = 0.01) {
        QByteArray b(16 + n * (8 + 4 * 8), '\0');
        char* p = b.data();
        std::memcpy(p, "STB1", 4);
        qToLittleEndian<quint16>(1, p + 4);
        qToLittleEndian<quint16>(0, p + 6);
        p[8] = 1;
        p[9] = 8;
        qToLittleEndian<quint32>(static_cast<quint32>(n), p + 12);
        char* s = p + 16;
        for (int i = 0; i < n; ++i, s += 40) {
            const double t = t0 + i * 0.01;
            qToLittleEndian<double>(t, s);
            const float v[8] = {0.f,
                                0.f,
                                700.f,
                                0.f,
                                0.f,
                                0.f,
                                static_cast<float>(radius_m * std::cos(t)),
                                static_cast<float>(radius_m * std::sin(t))};
            for (int c = 0; c < 8; ++c)
                qToLittleEndian<float>(v[c], s + 8 + 4 * c);
        }
        return b;
    }

    /// Builds the reply to a command; default: {"reply": cmd, "id": id, "ok": true};
    /// {"_noreply": true} sends nothing.
    std::function<QJsonObject(const QJsonObject& request)> on_command;
    std::vector<QJsonObject> received;
    int connections = 0;

private:
    void onText(const QString& text) {
        const QJsonObject req = QJsonDocument::fromJson(text.toUtf8()).object();
        received.push_back(req);
        QJsonObject reply;
        if (on_command)
            reply = on_command(req);
        if (reply.value("_noreply").toBool())
            return;  // stanced busy or hung: this command gets no answer
        if (reply.isEmpty())
            reply = QJsonObject{{"reply", req.value("cmd")}, {"ok", true}};
        reply.insert("id", req.value("id"));
        if (!reply.contains("reply"))
            reply.insert("reply", req.value("cmd"));
        send(reply);
    }

    QWebSocketServer server_;
    QWebSocket* client_ = nullptr;
};

}  // namespace stance::test
