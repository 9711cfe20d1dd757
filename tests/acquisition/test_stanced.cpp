// stanced as a clinic runs it: the real binary with simulated devices behind real
// pseudo-terminals, driven over a real WebSocket on loopback, its files read back.

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "acquisition/stanced_process.hpp"
#include "stance/acquisition/client.hpp"
#include "stance/acquisition/errors.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "support/scratch.hpp"

using namespace stance;
using acquisition::StancedClient;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// Waits until every device of the station says it is connected and streaming.
void waitConnected(StancedClient& c, std::size_t devices) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        const Json r = c.request("list_devices");
        REQUIRE(r["ok"] == true);
        std::size_t ready = 0;
        for (const auto& d : r["devices"])
            ready += d["connected"] == true && !d["kind"].is_null() ? 1 : 0;
        if (ready == devices && r["devices"].size() == devices)
            return;
        (void)c.nextEvent(100ms);  // let time pass while reading what the server says
    }
    FAIL("the devices did not connect within 10 s");
}

Json subjectAndSession(const std::string& session) {
    return {{"subject",
             {{"id", "P001"},
              {"sex", "F"},
              {"birth_year", 1980},
              {"height_m", 1.68},
              {"mass_kg", 70.0}}},
            {"session", {{"id", session}, {"operator", "op7"}, {"protocol", "mctsib"}}}};
}

}  // namespace

TEST_CASE("stanced records a trial of a simulated plate and IMU and streams it live",
          "[acquisition][stanced]") {
    test::ScratchDir dir("stanced_trial");
    test::StancedProcess stanced({"--listen", "127.0.0.1:0", "--data-dir", dir / "data", "--device",
                                  "sim:plate", "--device", "sim:imu"},
                                 dir / "stderr.txt");
    REQUIRE(stanced.listening());
    StancedClient c(stanced.url());
    CHECK(c.hello()["protocol"] == 1);
    REQUIRE(c.hello()["devices"].size() == 2);
    waitConnected(c, 2);

    // Tare: the simulated subject steps off the plate, the empty plate is zeroed.
    const Json tare = c.request("tare", {{"device", "plate"}, {"seconds", 0.5}}, 10s);
    INFO(tare.dump());
    REQUIRE(tare["ok"] == true);
    REQUIRE(tare["offsets"].size() == 6);
    CHECK(std::abs(tare["offsets"][2].get<double>()) < 5.0);  // no one on it while taring
    const Json refused = c.request("tare", {{"device", "imu"}});
    CHECK(refused["ok"] == false);

    REQUIRE(c.request("subscribe", {{"rate_hz", 20}})["ok"] == true);
    Json start = subjectAndSession("S1");
    start["condition"] = "ec_foam";
    start["duration_s"] = 2.0;
    const Json started = c.request("start_trial", start);
    INFO(started.dump());
    REQUIRE(started["ok"] == true);
    const Json again = c.request("start_trial", start);
    CHECK(again["ok"] == false);  // one trial at a time
    CHECK(again["error"].get<std::string>().find("already running") != std::string::npos);

    const auto done = c.waitEvent("trial_done", 10s);
    REQUIRE(done);
    CHECK((*done)["status"] == "complete");
    const std::string file = (*done)["file"];
    CHECK(std::filesystem::exists(file));
    CHECK(std::filesystem::path(file).filename() == "S1.h5");

    // Live samples of both devices arrived, at about the requested rate, in time order.
    std::map<std::string, std::vector<double>> times;
    for (const Json& e : c.pendingEvents()) {
        if (e.value("event", "") != "samples")
            continue;
        for (const auto& t : e["t"])
            times[e["device"]].push_back(t.get<double>());
        CHECK(e["v"][0].size() == e["channels"].size());
    }
    for (const char* d : {"plate", "imu"}) {
        INFO(d);
        REQUIRE(times[d].size() > 30);
        CHECK(std::is_sorted(times[d].begin(), times[d].end()));
        const double span = times[d].back() - times[d].front();
        CHECK(static_cast<double>(times[d].size() - 1) / span == Approx(20.0).epsilon(0.15));
    }

    // The file: 2 s at 100 Hz of plate and IMU, in the plate frame, with the trial's metadata.
    const datasets::BundleReader reader(file);
    const auto trials = reader.trials();
    REQUIRE(trials.size() == 1);
    const auto info = reader.trialInfo(trials[0]);
    CHECK(info.condition == "ec_foam");
    CHECK(info.status == datasets::TrialStatus::kComplete);
    CHECK(trials[0].subject_id == "P001");
    const auto fp = reader.readForcePlate(trials[0]);
    REQUIRE(fp);
    const auto n = fp->time_s.size();
    CHECK(n >= 195);
    CHECK(n <= 200);
    CHECK(fp->time_s(0) >= 0.0);
    CHECK(fp->time_s(n - 1) < 2.0);
    CHECK(fp->force_n.col(2).mean() == Approx(70.0 * 9.81).epsilon(0.02));  // tared plate
    CHECK(fp->cop_m.allFinite());
    CHECK(fp->cop_m.col(1).maxCoeff() - fp->cop_m.col(1).minCoeff() > 0.002);  // it sways
    const auto data = reader.readTrial(trials[0]);
    REQUIRE(data.imu.size() == 1);
    CHECK(data.imu[0].time_s.size() >= 195);
    CHECK(data.raw.size() == 2);
    CHECK(stanced.terminate() == 0);
}

TEST_CASE("after kill -9 mid-trial the file holds every sample up to the last flush",
          "[acquisition][stanced][crash]") {
    test::ScratchDir dir("stanced_crash");
    const std::string data = dir / "data";
    std::filesystem::path live;
    {
        test::StancedProcess stanced(
            {"--listen", "127.0.0.1:0", "--data-dir", data, "--device", "sim:plate"},
            dir / "stderr1.txt");
        REQUIRE(stanced.listening());
        StancedClient c(stanced.url());
        waitConnected(c, 1);
        Json start = subjectAndSession("crash");
        start["condition"] = "eo_firm";
        start["duration_s"] = 30.0;
        const Json r = c.request("start_trial", start);
        REQUIRE(r["ok"] == true);
        live = r["trial"]["live_file"].get<std::string>();
        // At least 1.5 s of recording: the writer has flushed at least up to 1 s.
        double elapsed = 0.0;
        while (elapsed < 1.5) {
            const auto p = c.waitEvent("trial_progress", 5s);
            REQUIRE(p);
            elapsed = (*p)["elapsed_s"];
        }
        stanced.kill9();
    }
    REQUIRE(std::filesystem::exists(live));
    Eigen::Index kept = 0;
    {
        const datasets::BundleReader reader(live);
        const auto trials = reader.trials();
        REQUIRE(trials.size() == 1);
        const auto fp = reader.readForcePlate(trials[0]);
        REQUIRE(fp);
        kept = fp->time_s.size();
        INFO("samples kept after kill -9 at " << 1.5 << "+ s: " << kept);
        CHECK(kept >= 100);  // every sample of the first second at 100 Hz
        CHECK(fp->time_s(kept - 1) >= 0.99);
        // Continuous: no sample lost inside what was kept.
        for (Eigen::Index i = 1; i < kept; ++i)
            REQUIRE(fp->time_s(i) - fp->time_s(i - 1) < 0.015);
    }
    // The next start finalizes the crashed trial into its session file, status aborted.
    {
        test::StancedProcess stanced(
            {"--listen", "127.0.0.1:0", "--data-dir", data, "--device", "sim:plate"},
            dir / "stderr2.txt");
        REQUIRE(stanced.listening());
        CHECK(stanced.terminate() == 0);
    }
    CHECK_FALSE(std::filesystem::exists(live));
    const datasets::BundleReader reader(std::filesystem::path(data) / "crash.h5");
    const auto trials = reader.trials();
    REQUIRE(trials.size() == 1);
    CHECK(reader.trialInfo(trials[0]).status == datasets::TrialStatus::kAborted);
    CHECK(reader.readForcePlate(trials[0])->time_s.size() == kept);
}

TEST_CASE("SIGTERM during a trial closes it properly", "[acquisition][stanced]") {
    test::ScratchDir dir("stanced_term");
    test::StancedProcess stanced(
        {"--listen", "127.0.0.1:0", "--data-dir", dir / "data", "--device", "sim:board"},
        dir / "stderr.txt");
    REQUIRE(stanced.listening());
    {
        StancedClient c(stanced.url());
        waitConnected(c, 1);
        Json start = subjectAndSession("term");
        start["condition"] = "eo_firm";
        start["duration_s"] = 60.0;
        REQUIRE(c.request("start_trial", start)["ok"] == true);
        REQUIRE(c.waitEvent("trial_progress", 5s));
        REQUIRE(c.waitEvent("trial_progress", 5s));
    }
    CHECK(stanced.terminate() == 0);
    const datasets::BundleReader reader(std::filesystem::path(dir / "data") / "term.h5");
    const auto trials = reader.trials();
    REQUIRE(trials.size() == 1);
    CHECK(reader.trialInfo(trials[0]).status == datasets::TrialStatus::kAborted);
    const auto fp = reader.readForcePlate(trials[0]);
    REQUIRE(fp);
    CHECK(fp->time_s.size() >= 90);  // about a second of a 100 Hz board
    CHECK(std::filesystem::is_empty(std::filesystem::path(dir / "data") / "live"));
}

TEST_CASE("beyond loopback stanced needs a token, and a client without it gets nothing",
          "[acquisition][stanced][security]") {
    test::ScratchDir dir("stanced_token");
    {
        test::StancedProcess refused(
            {"--listen", "0.0.0.0:0", "--data-dir", dir / "d1", "--device", "sim:plate"},
            dir / "stderr1.txt");
        CHECK_FALSE(refused.listening());
        CHECK(refused.wait() != 0);
        CHECK(test::slurp(dir / "stderr1.txt").find("--token") != std::string::npos);
    }
    test::StancedProcess stanced({"--listen", "0.0.0.0:0", "--data-dir", dir / "d2", "--token",
                                  "s3cret-token", "--device", "sim:plate"},
                                 dir / "stderr2.txt");
    REQUIRE(stanced.listening());
    try {
        StancedClient nope(stanced.url());
        FAIL("a client without the token was let in");
    } catch (const acquisition::AcquisitionError& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find("access refused") != std::string::npos);
    }
    CHECK_THROWS_AS(StancedClient(stanced.url(), "wrong-token"), acquisition::AcquisitionError);
    StancedClient ok(stanced.url(), "s3cret-token");
    CHECK(ok.hello()["devices"].size() == 1);
}

TEST_CASE("wrong commands get their reason and the connection stays usable",
          "[acquisition][stanced]") {
    test::ScratchDir dir("stanced_bad");
    test::StancedProcess stanced(
        {"--listen", "127.0.0.1:0", "--data-dir", dir / "data", "--device", "sim:plate"},
        dir / "stderr.txt");
    REQUIRE(stanced.listening());
    StancedClient c(stanced.url());
    const auto error = [&](const std::string& cmd, Json params) {
        const Json r = c.request(cmd, std::move(params));
        CHECK(r["ok"] == false);
        return r.value("error", std::string());
    };
    CHECK(error("fly", {}).find("unknown command 'fly'") != std::string::npos);
    CHECK(error("start_trial", {{"duration_s", 5}}).find("condition") != std::string::npos);
    CHECK(error("start_trial", {{"condition", "eo_firm"}}).find("duration_s") != std::string::npos);
    CHECK(error("start_trial", {{"condition", "eo_firm"}, {"duration_s", -1}}).find("0-3600") !=
          std::string::npos);
    CHECK(error("start_trial", {{"condition", "../etc"}, {"duration_s", 5}})
              .find("not a valid condition") != std::string::npos);
    CHECK(error("stop_trial", {}).find("no trial") != std::string::npos);
    CHECK(error("stop_trial", {{"status", "maybe"}}).find("complete, aborted or fall") !=
          std::string::npos);
    CHECK(error("tare", {{"device", "nothing"}}).find("no device named") != std::string::npos);
    CHECK(error("subscribe", {{"rate_hz", -3}}).find("rate_hz") != std::string::npos);
    CHECK(error("subscribe", {{"format", "xml"}}).find("json or binary") != std::string::npos);
    CHECK(error("mark_event", {{"label", "x"}}).find("no trial") != std::string::npos);
    // Still talking after all that.
    CHECK(c.request("status")["ok"] == true);
    CHECK(stanced.terminate() == 0);
}

TEST_CASE("binary sample blocks follow the documented layout", "[acquisition][stanced]") {
    test::ScratchDir dir("stanced_binary");
    test::StancedProcess stanced(
        {"--listen", "127.0.0.1:0", "--data-dir", dir / "data", "--device", "sim:imu@200"},
        dir / "stderr.txt");
    REQUIRE(stanced.listening());
    StancedClient c(stanced.url());
    waitConnected(c, 1);
    REQUIRE(c.request("subscribe", {{"rate_hz", 1000}, {"format", "binary"}})["ok"] == true);
    std::vector<std::string> blocks;
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    std::size_t samples = 0;
    std::vector<double> t;
    while (std::chrono::steady_clock::now() < deadline && samples < 200) {
        (void)c.nextEvent(50ms);
        for (auto& b : c.takeBinary()) {
            REQUIRE(b.size() >= 16);
            CHECK(b.substr(0, 4) == "STB1");
            const auto u8 = [&](std::size_t i) { return static_cast<unsigned char>(b[i]); };
            CHECK((u8(4) | u8(5) << 8) == 1);  // protocol version
            CHECK((u8(6) | u8(7) << 8) == 0);  // device index
            CHECK(u8(8) == 3);                 // imu
            const unsigned ch = u8(9);
            CHECK(ch == 10);
            const std::uint32_t n =
                u8(12) | u8(13) << 8 | u8(14) << 16 | static_cast<std::uint32_t>(u8(15)) << 24;
            REQUIRE(b.size() == 16 + n * (8 + 4 * ch));
            for (std::uint32_t k = 0; k < n; ++k) {
                double tk;
                std::memcpy(&tk, b.data() + 16 + k * (8 + 4 * ch), 8);
                t.push_back(tk);
                float az;
                std::memcpy(&az, b.data() + 16 + k * (8 + 4 * ch) + 8 + 2 * 4, 4);
                CHECK(az == Approx(9.81).margin(0.5));  // gravity on the upright sensor's z
            }
            samples += n;
        }
    }
    REQUIRE(samples >= 200);
    CHECK(std::is_sorted(t.begin(), t.end()));
    // Every sample sent (rate above the device's): 200 Hz.
    CHECK(static_cast<double>(t.size() - 1) / (t.back() - t.front()) == Approx(200).epsilon(0.1));
}

TEST_CASE("stance record runs one trial and prints its file", "[acquisition][stanced][cli]") {
    test::ScratchDir dir("stance_record");
    test::StancedProcess stanced(
        {"--listen", "127.0.0.1:0", "--data-dir", dir / "data", "--device", "sim:plate"},
        dir / "stderr.txt");
    REQUIRE(stanced.listening());
    const auto r = test::runStance("record --server " + stanced.url() +
                                   " --condition ec_firm --duration 1.5 --subject P3 --session rec "
                                   "--tare plate");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const std::string file = r.out.substr(0, r.out.find('\n'));
    CHECK(file == (std::filesystem::path(dir / "data") / "rec.h5").string());
    const datasets::BundleReader reader(file);
    const auto trials = reader.trials();
    REQUIRE(trials.size() == 1);
    CHECK(reader.trialInfo(trials[0]).condition == "ec_firm");
    CHECK(reader.readForcePlate(trials[0])->time_s.size() >= 145);
    // Wrong use: no server there, an unknown device to tare.
    CHECK(test::runStance("record --server ws://127.0.0.1:1/ --condition eo_firm --duration 1")
              .status == 1);
    const auto bad = test::runStance("record --server " + stanced.url() +
                                     " --condition eo_firm --duration 1 --tare nothing");
    CHECK(bad.status == 1);
    CHECK(bad.err.find("no device named 'nothing'") != std::string::npos);
    CHECK(test::runStance("record --condition eo_firm --duration 0").status == 2);
}
