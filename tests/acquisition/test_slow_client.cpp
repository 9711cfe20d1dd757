// A client that stops reading loses its own sample messages and is then disconnected; the other
// clients and the recording do not notice.

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "stance/acquisition/client.hpp"
#include "stance/acquisition/server.hpp"
#include "stance/acquisition/station.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "support/scratch.hpp"

using namespace stance;
using namespace stance::acquisition;
using Json = nlohmann::json;
using namespace std::chrono_literals;

TEST_CASE("a slow client is dropped on its own without slowing the others or the recorder",
          "[acquisition][server][faults]") {
    test::ScratchDir dir("slow_client");
    boost::asio::io_context io;
    StationOptions so;
    so.data_dir = dir.path / "data";
    so.devices = {parseDeviceSpec("sim:plate@1000"), parseDeviceSpec("sim:imu@400")};
    Station station(io, so);
    ServerOptions sv;
    sv.port = 0;
    sv.max_queue_bytes = 256 * 1024;
    sv.slow_client_close_s = 1.0;
    sv.socket_send_buffer = 8 * 1024;
    Server server(io, station, sv);
    station.start();
    server.start();
    std::thread loop([&] { io.run(); });
    const std::string url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/";

    StancedClient slow(url);
    slow.setReceiveBuffer(4096);
    StancedClient fast(url);
    // Both subscribe to everything at full rate; the slow one then never reads again.
    REQUIRE(slow.request("subscribe", {{"rate_hz", 10000}})["ok"] == true);
    REQUIRE(fast.request("subscribe", {{"rate_hz", 10000}, {"devices", {"plate"}}})["ok"] == true);
    // A trial runs meanwhile.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    Json start{{"condition", "eo_firm"}, {"duration_s", 4.0}, {"session", {{"id", "slow"}}}};
    Json started;
    while (std::chrono::steady_clock::now() < deadline) {
        started = fast.request("start_trial", start);
        if (started["ok"] == true)
            break;
        (void)fast.nextEvent(100ms);  // devices still connecting
    }
    REQUIRE(started["ok"] == true);

    // The fast client keeps receiving every plate sample while the slow one backs up.
    std::vector<double> t;
    std::optional<Json> done;
    while (!done && std::chrono::steady_clock::now() < deadline) {
        auto e = fast.nextEvent(200ms);
        if (!e)
            continue;
        if ((*e)["event"] == "samples" && (*e)["device"] == "plate") {
            for (const auto& x : (*e)["t"])
                t.push_back(x.get<double>());
        }
        if ((*e)["event"] == "trial_done")
            done = e;
    }
    REQUIRE(done);
    CHECK((*done)["status"] == "complete");
    REQUIRE(t.size() > 2000);
    // No hole in what the fast client got: about every millisecond.
    double worst = 0.0;
    for (std::size_t i = 1; i < t.size(); ++i)
        worst = std::max(worst, t[i] - t[i - 1]);
    CHECK(worst < 0.01);
    CHECK(static_cast<double>(t.size() - 1) / (t.back() - t.front()) ==
          Approx(1000.0).epsilon(0.05));

    // The slow client is disconnected by the server once its queue has stayed over the limit for
    // a second (kernel socket buffers first absorb a few hundred kilobytes).
    const auto drop_deadline = std::chrono::steady_clock::now() + 10s;
    while (server.connections() > 1 && std::chrono::steady_clock::now() < drop_deadline)
        (void)fast.nextEvent(100ms);
    CHECK(server.connections() == 1);
    // The recording has every sample of both devices for 4 s.
    const datasets::BundleReader reader(dir.path / "data" / "slow.h5");
    const auto trials = reader.trials();
    REQUIRE(trials.size() == 1);
    const auto data = reader.readTrial(trials[0]);
    REQUIRE(data.forceplate);
    CHECK(data.forceplate->time_s.size() >= 3990);
    REQUIRE(data.imu.size() == 1);
    CHECK(data.imu[0].time_s.size() >= 1596);
    CHECK(data.forceplate->gaps.empty());

    slow.close();
    fast.close();
    boost::asio::post(io, [&] {
        server.stop();
        station.stop([&] { io.stop(); });
    });
    loop.join();
}
