// The link to stanced over a real WebSocket on loopback: a refused connection says why and
// retries on its own; requests always get one answer; replies are routed by id; sample
// messages are decoded into the sink; stanced going away is noticed and the link comes back.

#include <catch2/catch.hpp>

#include "gui_fixture.hpp"
#include "stance/gui/stanced_connection.hpp"

using stance::gui::LinkState;
using stance::gui::StancedConnection;
using stance::test::FakeStanced;
using stance::test::waitFor;

TEST_CASE("stanced link: not running -> clear status and retries until it appears", "[gui][link]") {
    stance::test::guiApp();
    const quint16 port = stance::test::freePort();
    StancedConnection link;
    link.setServer(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
    link.setRetryDelaysMs(40, 160);
    int state_changes = 0;
    QObject::connect(&link, &StancedConnection::stateChanged, [&] { ++state_changes; });
    link.start();
    REQUIRE(waitFor([&] { return link.state() == LinkState::kRetrying; }));
    CHECK(link.statusText().contains(QStringLiteral("stanced is not reachable at ws://127.0.0.1")));
    CHECK(link.statusText().contains(QStringLiteral("retrying in")));
    // The delay doubles up to its cap.
    REQUIRE(waitFor([&] { return link.retryDelayMs() == 160; }));

    // A request while down is answered (never inside the call) with the reason.
    bool answered = false;
    QJsonObject reply;
    link.request(QStringLiteral("status"), {}, [&](const QJsonObject& r) {
        answered = true;
        reply = r;
    });
    CHECK_FALSE(answered);
    REQUIRE(waitFor([&] { return answered; }));
    CHECK_FALSE(reply.value("ok").toBool(true));
    CHECK(reply.value("error").toString().startsWith(QStringLiteral("not connected to stanced")));

    // stanced starts: the next attempt connects by itself and hello arrives.
    FakeStanced server(port);
    REQUIRE(server.port() == port);
    REQUIRE(waitFor([&] { return link.isConnected() && !link.hello().isEmpty(); }));
    CHECK(link.hello().value("protocol").toInt() == 1);
    CHECK(link.statusText().startsWith(QStringLiteral("Connected to stanced")));
    CHECK(state_changes >= 3);
}

TEST_CASE("stanced link: replies by id, wizard texts passed through, samples into the sink",
          "[gui][link]") {
    stance::test::guiApp();
    FakeStanced server;
    server.on_command = [](const QJsonObject& req) {
        QJsonObject r{{"ok", true}};
        if (req.value("cmd") == "status")
            r.insert("data_dir", "/srv/stance");
        return r;
    };
    StancedConnection link;
    link.setServer(QUrl(server.url()));
    std::vector<stance::app::LiveSample> samples;
    link.setSampleSink([&](std::span<const stance::app::LiveSample> s) {
        samples.insert(samples.end(), s.begin(), s.end());
    });
    std::vector<QString> texts;
    QObject::connect(&link, &StancedConnection::textReceived,
                     [&](const QString& t) { texts.push_back(t); });
    link.start();
    REQUIRE(waitFor([&] { return link.isConnected() && !link.hello().isEmpty(); }));

    QJsonObject reply;
    link.request(QStringLiteral("status"), {}, [&](const QJsonObject& r) { reply = r; });
    REQUIRE(waitFor([&] { return !reply.isEmpty(); }));
    CHECK(reply.value("ok").toBool());
    CHECK(reply.value("data_dir").toString() == QStringLiteral("/srv/stance"));
    REQUIRE(!server.received.empty());
    CHECK(server.received.back().value("id").toString().startsWith(QStringLiteral("gui-")));
    CHECK(link.pendingRequests() == 0);
    // Our own replies are not passed on as texts; the hello was.
    const auto hellos = std::count_if(texts.begin(), texts.end(), [](const QString& t) {
        return t.contains(QStringLiteral("\"hello\""));
    });
    CHECK(hellos == 1);
    const std::size_t texts_before = texts.size();

    // A command of the wizard (numeric id) goes out as it is; its reply comes back as a text.
    REQUIRE(link.sendText(QStringLiteral("{\"cmd\":\"list_devices\",\"id\":7}")));
    REQUIRE(waitFor([&] { return texts.size() == texts_before + 1; }));
    CHECK(texts.back().contains(QStringLiteral("\"reply\":\"list_devices\"")));
    CHECK(texts.back().contains(QStringLiteral("\"id\":7")));

    // Binary blocks are decoded into the sink; a damaged one is counted, not delivered.
    server.sendBinary(FakeStanced::plateBlock(50, 20.0, 0.012));
    REQUIRE(waitFor([&] { return samples.size() == 50; }));
    CHECK(samples[10].t_s == Approx(20.1));
    CHECK(samples[10].channels == 8);
    CHECK(samples[10].v[2] == Approx(700.0f));
    CHECK(samples[10].v[6] == Approx(0.012 * std::cos(20.1)).margin(1e-6));
    CHECK(samples[10].v[7] == Approx(0.012 * std::sin(20.1)).margin(1e-6));
    QByteArray cut = FakeStanced::plateBlock(5, 0.0);
    cut.chop(3);
    server.sendBinary(cut);
    REQUIRE(waitFor([&] { return link.badSampleMessages() == 1; }));
    CHECK(samples.size() == 50);
    CHECK(link.sampleMessages() == 2);

    // A text that is not JSON is reported and the link stays up.
    QString problem;
    QObject::connect(&link, &StancedConnection::protocolProblem,
                     [&](const QString& p) { problem = p; });
    server.sendRaw(QStringLiteral("{not json"));
    REQUIRE(waitFor([&] { return !problem.isEmpty(); }));
    CHECK(problem.contains(QStringLiteral("not a JSON object")));
    CHECK(link.isConnected());
}

TEST_CASE("stanced link: stanced going away -> pending requests answered, status, reconnect",
          "[gui][link]") {
    stance::test::guiApp();
    auto server = std::make_unique<FakeStanced>();
    const quint16 port = server->port();
    // stanced never answers the tare: it is pending when the link drops.
    server->on_command = [](const QJsonObject&) { return QJsonObject{{"_noreply", true}}; };
    StancedConnection link;
    link.setServer(QUrl(server->url()));
    link.setRetryDelaysMs(30, 100);
    link.start();
    REQUIRE(waitFor([&] { return link.isConnected(); }));

    QJsonObject reply;
    bool got = false;
    link.request(QStringLiteral("tare"), {{"device", "plate"}}, [&](const QJsonObject& r) {
        got = true;
        reply = r;
    });
    REQUIRE(waitFor([&] { return server->received.size() == 1; }));
    CHECK(link.pendingRequests() == 1);
    CHECK_FALSE(got);
    server->shutDown();
    REQUIRE(waitFor([&] { return link.state() == LinkState::kRetrying; }));
    REQUIRE(waitFor([&] { return got; }));
    CHECK_FALSE(reply.value("ok").toBool(true));
    CHECK(reply.value("error").toString() == QStringLiteral("the connection to stanced was lost"));
    CHECK(link.statusText().startsWith(QStringLiteral("Lost the connection to stanced")));
    CHECK(link.statusText().contains(QStringLiteral("retrying in")));
    CHECK(link.pendingRequests() == 0);

    server = std::make_unique<FakeStanced>(port);
    REQUIRE(server->port() == port);
    REQUIRE(waitFor([&] { return link.isConnected() && !link.hello().isEmpty(); }));
    link.stop();
    CHECK(link.state() == LinkState::kIdle);
    CHECK(link.statusText() == QStringLiteral("Not connected to stanced"));
}

TEST_CASE("stanced link: a URL that is not ws:// is refused with the reason", "[gui][link]") {
    stance::test::guiApp();
    StancedConnection link;
    link.setServer(QUrl(QStringLiteral("http://127.0.0.1:8765/")));
    link.start();
    CHECK(link.state() == LinkState::kIdle);
    CHECK(link.statusText().contains(QStringLiteral("is not a ws:// URL")));
}
