// Live view: the SPSC ring, the decimation to the screen, and the stanced sample messages
// (app/core live_view.hpp, stanced_messages.hpp).

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <numbers>
#include <thread>

#include "stance/analysis/sway_metrics.hpp"
#include "stance/app/live_view.hpp"
#include "stance/app/stanced_messages.hpp"

using namespace stance;
using app::LiveSample;

namespace {

// A force-plate sample at time t: COP on an ellipse-ish path, Fz 700 N.
LiveSample plateSample(double t) {
    LiveSample s;
    s.t_s = t;
    s.device = 0;
    s.channels = 8;
    s.v[2] = 700.0f;
    s.v[6] = static_cast<float>(0.004 * std::sin(2.0 * std::numbers::pi * 0.4 * t));
    s.v[7] = static_cast<float>(0.007 * std::sin(2.0 * std::numbers::pi * 0.25 * t + 0.3) +
                                0.001 * std::sin(2.0 * std::numbers::pi * 3.0 * t));
    return s;
}

std::vector<LiveSample> stream(double seconds, double rate) {
    std::vector<LiveSample> v;
    const auto n = static_cast<std::size_t>(seconds * rate);
    for (std::size_t k = 0; k < n; ++k)
        v.push_back(plateSample(100.0 + static_cast<double>(k) / rate));
    return v;
}

}  // namespace

TEST_CASE("SPSC ring: keeps order, drops and counts when full", "[appcore]") {
    app::SpscRing<int> r(5);
    CHECK(r.capacity() == 8);
    for (int k = 0; k < 10; ++k)
        r.push(k);
    CHECK(r.dropped() == 2);
    std::vector<int> out;
    CHECK(r.drain(out) == 8);
    CHECK(out == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(r.drain(out) == 0);
    CHECK(r.push(42));
    out.clear();
    r.drain(out);
    CHECK(out == std::vector<int>{42});
}

TEST_CASE("SPSC ring across two threads: nothing lost but what is counted, in order", "[appcore]") {
    app::SpscRing<std::uint64_t> r(256);
    constexpr std::uint64_t kN = 200000;
    std::thread producer([&] {
        for (std::uint64_t k = 0; k < kN; ++k)
            r.push(k);
    });
    std::vector<std::uint64_t> got;
    // The consumer drains until the producer is done and the ring is empty: no sleeps, the join
    // below is the synchronisation.
    bool done = false;
    while (!done) {
        done = got.size() + r.dropped() >= kN;
        r.drain(got);
    }
    producer.join();
    r.drain(got);
    CHECK(got.size() + r.dropped() == kN);
    CHECK(std::is_sorted(got.begin(), got.end()));
    CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());
}

TEST_CASE("live frame: min/max per pixel column keeps every peak of a 1 kHz stream", "[appcore]") {
    const auto s = stream(12.0, 1000.0);  // 12 000 samples, the last 10 s are shown
    app::LiveViewOptions o;
    o.width_px = 200;
    o.window_s = 10.0;
    o.max_stabilogram_points = 500;
    o.stabilogram_window_s = 5.0;
    const app::LiveFrame f = app::buildLiveFrame(s, o);
    REQUIRE(f.series.size() == 2);
    CHECK(f.t_end_s == Approx(s.back().t_s));
    CHECK(f.samples == 10001);
    for (const auto& series : f.series) {
        CHECK(series.points.size() <= 400);
        CHECK(series.points.size() >= 390);
        CHECK(series.points.front().x >= -10.0);
        CHECK(series.points.back().x <= 0.0);
    }
    // The extremes of the drawn AP series are those of the window's samples (mm).
    double lo = 1e9, hi = -1e9;
    for (const auto& x : s) {
        if (x.t_s >= f.t_end_s - 10.0) {
            lo = std::min(lo, 1000.0 * x.v[7]);
            hi = std::max(hi, 1000.0 * x.v[7]);
        }
    }
    double dlo = 1e9, dhi = -1e9;
    for (const auto& p : f.series[1].points) {
        dlo = std::min(dlo, p.y);
        dhi = std::max(dhi, p.y);
    }
    CHECK(dlo == Approx(lo).epsilon(1e-6));
    CHECK(dhi == Approx(hi).epsilon(1e-6));
    CHECK(f.series[1].latest == Approx(1000.0 * s.back().v[7]).epsilon(1e-6));

    // Stabilogram: capped, ellipse of the whole 5 s window at full rate.
    CHECK(f.stabilogram_m.size() <= 501);
    CHECK(f.stabilogram_m.size() >= 450);
    analysis::Signal2 xy(5001, 2);
    Eigen::Index i = 0;
    for (const auto& x : s) {
        if (x.t_s >= f.t_end_s - 5.0) {
            xy(i, 0) = x.v[6];
            xy(i, 1) = x.v[7];
            ++i;
        }
    }
    REQUIRE(i == 5001);
    const auto e = analysis::predictionEllipse95(xy);
    REQUIRE(f.ellipse);
    CHECK(f.ellipse->area_m2 == Approx(e->area_m2).epsilon(1e-9));
    CHECK(f.ellipse_m.size() == 73);
}

TEST_CASE("live frame: NaN COP (nobody on the plate) and other devices are left out", "[appcore]") {
    auto s = stream(2.0, 100.0);
    for (std::size_t k = 0; k < 50; ++k)
        s[k].v[6] = s[k].v[7] = std::numeric_limits<float>::quiet_NaN();
    LiveSample imu;
    imu.t_s = 500.0;  // a later IMU sample must not move the window of the plate's charts
    imu.device = 1;
    imu.channels = 10;
    s.push_back(imu);
    app::LiveViewOptions o;
    o.stabilogram_window_s = 10.0;
    const app::LiveFrame f = app::buildLiveFrame(s, o);
    CHECK(f.stabilogram_m.size() == 150);
    CHECK(f.t_end_s == Approx(101.99));
    const app::LiveFrame empty = app::buildLiveFrame({}, o);
    CHECK(empty.stabilogram_m.empty());
    CHECK(empty.series.size() == 2);
    CHECK(empty.series[0].points.empty());
}

TEST_CASE("live view: pushed samples drained on update, history trimmed to the window",
          "[appcore]") {
    app::LiveViewOptions o;
    o.window_s = 2.0;
    o.stabilogram_window_s = 2.0;
    app::LiveView v(o, 1024);
    const auto s = stream(5.0, 1000.0);
    std::size_t pushed = 0;
    for (std::size_t k = 0; k < s.size(); ++k) {
        pushed += v.push(s[k]) ? 1 : 0;
        if (k % 500 == 499)
            v.update();  // the UI timer
    }
    v.update();
    CHECK(pushed == s.size());
    CHECK(v.dropped() == 0);
    CHECK(v.received() == s.size());
    CHECK(v.historySize() == 2001);
    CHECK(v.frame().t_end_s == Approx(s.back().t_s));
    // A ring too small for one timer period drops and counts.
    app::LiveView small(o, 64);
    for (std::size_t k = 0; k < 100; ++k)
        small.push(s[k]);
    small.update();
    CHECK(small.dropped() == 36);
    CHECK(small.received() == 64);
    small.clear();
    CHECK(small.historySize() == 0);
}

TEST_CASE("stanced sample messages: JSON and binary blocks, malformed ones refused", "[appcore]") {
    std::vector<LiveSample> out;
    std::string err;
    const auto n = app::parseJsonSamples(
        R"({"event":"samples","device":"plate","index":2,"kind":"force_plate",
            "channels":["fx","fy","fz","mx","my","mz","cop_x","cop_y"],
            "t":[100.01,100.02],"v":[[1,2,700,0,0,0,0.001,-0.002],[1,2,15,0,0,0,null,null]]})",
        out, &err);
    REQUIRE(n);
    CHECK(*n == 2);
    REQUIRE(out.size() == 2);
    CHECK(out[0].device == 2);
    CHECK(out[0].channels == 8);
    CHECK(out[0].t_s == 100.01);
    CHECK(out[0].v[6] == Approx(0.001));
    CHECK(std::isnan(out[1].v[7]));
    CHECK_FALSE(
        app::parseJsonSamples(R"({"event":"samples","index":0,"t":[1,2],"v":[[1]]})", out, &err));
    CHECK(err == "samples message: 2 times but 1 value rows");
    CHECK(out.size() == 2);  // nothing appended

    // Binary: magic, version 1, device 3, kind 1, C = 2, N = 2.
    std::vector<std::uint8_t> b(16 + 2 * (8 + 8));
    std::memcpy(b.data(), "STB1", 4);
    b[4] = 1;
    b[6] = 3;
    b[8] = 1;
    b[9] = 2;
    b[12] = 2;
    const double t0 = 7.25, t1 = 7.26;
    const float v[4] = {0.5f, -0.25f, 1.5f, std::numeric_limits<float>::quiet_NaN()};
    std::memcpy(b.data() + 16, &t0, 8);
    std::memcpy(b.data() + 24, &v[0], 8);
    std::memcpy(b.data() + 32, &t1, 8);
    std::memcpy(b.data() + 40, &v[2], 8);
    out.clear();
    REQUIRE(app::parseBinarySamples(b, out, &err) == std::optional<std::size_t>(2));
    CHECK(out[1].t_s == 7.26);
    CHECK(out[1].device == 3);
    CHECK(out[0].v[1] == -0.25f);
    CHECK(std::isnan(out[1].v[1]));
    auto cut = b;
    cut.pop_back();
    CHECK_FALSE(app::parseBinarySamples(cut, out, &err));
    CHECK(err == "binary sample block: 47 bytes, expected 16 + 2 x 16");
    auto wrong = b;
    wrong[0] = 'X';
    CHECK_FALSE(app::parseBinarySamples(wrong, out, &err));
    CHECK(err == "binary sample block: no STB1 magic");
    wrong = b;
    wrong[4] = 2;
    CHECK_FALSE(app::parseBinarySamples(wrong, out, &err));
    CHECK(out.size() == 2);
}

TEST_CASE("stanced messages: replies, events and device objects", "[appcore]") {
    std::string err;
    const auto hello = app::parseStancedMessage(
        R"({"event":"hello","protocol":1,"t":3.5,"devices":[{"index":0,"name":"plate",
            "connected":true,"kind":"force_plate","rate_hz":100.02,"samples":12345,"tared":true,
            "channels":["fx"]}],"trial":null})",
        &err);
    REQUIRE(hello);
    CHECK(hello->kind == app::StancedMessageKind::kEvent);
    CHECK(hello->protocol == 1);
    CHECK(hello->t == 3.5);
    REQUIRE(hello->devices.size() == 1);
    CHECK(hello->devices[0].rate_hz == 100.02);
    CHECK(hello->devices[0].samples == 12345);
    CHECK(hello->devices[0].tared);
    CHECK_FALSE(hello->trial);
    const auto r = app::parseStancedMessage(
        R"({"reply":"tare","id":7,"ok":false,"error":"someone stands on the plate"})", &err);
    REQUIRE(r);
    CHECK(r->kind == app::StancedMessageKind::kReply);
    CHECK(r->id == 7);
    CHECK_FALSE(r->ok);
    CHECK(r->error == "someone stands on the plate");
    CHECK_FALSE(app::parseStancedMessage("[1,2]", &err));
    CHECK(err == "not a JSON object");
    // Commands are one JSON object each.
    CHECK(app::tareCommand(3, "plate", 1.0) ==
          R"({"cmd":"tare","device":"plate","id":3,"seconds":1.0})");
    CHECK(app::subscribeCommand(4, 50.0, false) ==
          R"({"cmd":"subscribe","format":"json","id":4,"rate_hz":50.0})");
}
