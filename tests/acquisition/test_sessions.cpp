// Device sessions over real pseudo-terminals: a simulated device writes its real byte stream into
// the master end, the session reads the slave end as it would read /dev/ttyUSB0. Cable pulls,
// the Xsens handshake and corrupted streams.

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "stance/acquisition/device_session.hpp"
#include "stance/acquisition/pty.hpp"
#include "stance/acquisition/sim_port.hpp"
#include "support/scratch.hpp"

using namespace stance;
using namespace stance::acquisition;
using namespace std::chrono_literals;

namespace {

/// Runs an io_context on a thread for the duration of a test; what the handlers record is read
/// back under the mutex.
struct Loop {
    boost::asio::io_context io;
    std::thread thread;
    std::mutex mutex;
    std::vector<StreamSample> samples;
    std::vector<DeviceEvent> events;
    std::vector<std::int64_t> arrival_ns;

    DeviceSession::SampleHandler onSample() {
        return [this](const StreamSample& s) {
            std::lock_guard lock(mutex);
            samples.push_back(s);
            arrival_ns.push_back(steadyNowNs());
        };
    }
    DeviceSession::EventHandler onEvent() {
        return [this](const DeviceEvent& e) {
            std::lock_guard lock(mutex);
            events.push_back(e);
        };
    }
    void run() {
        thread = std::thread([this] {
            auto guard = boost::asio::make_work_guard(io);
            io.run();
        });
    }
    void stop() {
        io.stop();
        if (thread.joinable())
            thread.join();
    }
    ~Loop() { stop(); }
    std::size_t count() {
        std::lock_guard lock(mutex);
        return samples.size();
    }
    /// Polls (not sleeping as synchronisation: bounded waiting for a condition) up to `limit`.
    template <class F>
    bool waitFor(F&& condition, std::chrono::milliseconds limit) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            {
                std::lock_guard lock(mutex);
                if (condition())
                    return true;
            }
            std::this_thread::sleep_for(5ms);
        }
        std::lock_guard lock(mutex);
        return condition();
    }
    bool hasEvent(DeviceEventKind k) {
        for (const auto& e : events) {
            if (e.kind == k)
                return true;
        }
        return false;
    }
};

devices::BodyOptions body() {
    devices::BodyOptions b;
    b.seed = 5;
    b.settle_s = 2.0;
    return b;
}

/// A plate session on `path` that calls the port lost after 0.5 s without bytes.
DeviceConfig plateAt(const std::string& path) {
    DeviceConfig cfg;
    cfg.name = "plate";
    cfg.link.path = path;
    cfg.stream_timeout_s = 0.5;
    return cfg;
}

}  // namespace

TEST_CASE("a session reads a simulated plate over a real pseudo-terminal, nothing lost",
          "[acquisition][session]") {
    Loop loop;
    devices::PlateSimOptions po;
    po.rate_hz = 500.0;
    SimulatedPort sim(loop.io,
                      {devices::SimulatedStanceDevice::plate(body(), po), "", 0.002, 1u << 18});
    sim.start();
    DeviceConfig cfg;
    cfg.name = "plate";
    cfg.link.path = sim.path();
    DeviceSession session(loop.io, 0, cfg, loop.onSample(), loop.onEvent());
    session.start();
    loop.run();
    REQUIRE(loop.waitFor([&] { return loop.samples.size() >= 500; }, 5s));
    const DeviceStatus st = session.status();
    loop.stop();
    CHECK(st.connected);
    REQUIRE(st.info);
    CHECK(st.info->kind == devices::DeviceKind::kForcePlate);
    CHECK(st.counters.bad_checksum == 0);
    CHECK(st.counters.samples_missing == 0);
    // No gap flagged (the frame counter also counts INFO frames, so data counters may step by
    // more than one without a loss), increasing aligned times ~2 ms apart, a COP on the plate.
    for (std::size_t i = 1; i < loop.samples.size(); ++i) {
        REQUIRE_FALSE(devices::hasFlag(loop.samples[i].flags, devices::SampleFlag::kGapBefore));
        const double dt =
            static_cast<double>(loop.samples[i].host_ns - loop.samples[i - 1].host_ns);
        REQUIRE(dt == Approx(2e6).margin(0.2e6));
    }
    const StreamSample& s = loop.samples.back();
    CHECK(s.kind == StreamKind::kForcePlate);
    CHECK(s.v[2] == Approx(70.0 * 9.81).epsilon(0.03));
    CHECK(std::abs(s.v[6]) < 0.1);
    CHECK(std::abs(s.v[7]) < 0.15);
    sim.stop();
}

TEST_CASE(
    "a pulled cable is reported, its gap recorded, and streaming resumes within 1 s of "
    "its return",
    "[acquisition][session][faults]") {
    test::ScratchDir dir("cable");
    Loop loop;
    SimulatedPort sim(loop.io, {devices::SimulatedStanceDevice::plate(body()), dir / "ttyPLATE",
                                0.002, 1u << 18});
    sim.start();
    // The stable symbolic link, as /dev/serial/by-id.
    DeviceSession session(loop.io, 0, plateAt(sim.path()), loop.onSample(), loop.onEvent());
    session.start();
    loop.run();
    REQUIRE(loop.waitFor([&] { return loop.samples.size() >= 100; }, 5s));

    sim.unplug();
    const auto pulled_ns = steadyNowNs();
    REQUIRE(loop.waitFor([&] { return loop.hasEvent(DeviceEventKind::kLost); }, 3s));
    const std::size_t before = loop.count();
    // Nothing before the pull was lost.
    {
        std::lock_guard lock(loop.mutex);
        for (std::size_t i = 1; i < before; ++i) {
            REQUIRE_FALSE(devices::hasFlag(loop.samples[i].flags, devices::SampleFlag::kGapBefore));
        }
    }
    std::this_thread::sleep_for(300ms);  // the cable stays out a while
    sim.replug();
    const auto back_ns = steadyNowNs();
    REQUIRE(loop.waitFor([&] { return loop.samples.size() > before + 10; }, 3s));
    std::int64_t first_after_ns = 0;
    {
        std::lock_guard lock(loop.mutex);
        first_after_ns = loop.arrival_ns[before];
    }
    const double resume_s = static_cast<double>(first_after_ns - back_ns) * 1e-9;
    INFO("streaming resumed " << resume_s << " s after the cable returned");
    CHECK(resume_s < 1.0);
    REQUIRE(loop.waitFor([&] { return loop.hasEvent(DeviceEventKind::kGap); }, 2s));
    DeviceEvent gap;
    {
        std::lock_guard lock(loop.mutex);
        for (const auto& e : loop.events) {
            if (e.kind == DeviceEventKind::kGap)
                gap = e;
        }
        CHECK(loop.samples[before].counter > loop.samples[before - 1].counter + 10);
    }
    const double gap_s = static_cast<double>(gap.to_ns - gap.from_ns) * 1e-9;
    const double out_s = static_cast<double>(back_ns - pulled_ns) * 1e-9;
    INFO("gap " << gap_s << " s, cable out " << out_s << " s");
    CHECK(gap_s >= out_s - 0.05);
    CHECK(gap_s < out_s + 1.1);
    CHECK(session.status().reconnects >= 1);
    loop.stop();
    sim.stop();
}

TEST_CASE(
    "another device on the port after a reconnection is named and refused until the first "
    "returns",
    "[acquisition][session][faults]") {
    test::ScratchDir dir("identity");
    Loop loop;
    const std::string link = dir / "ttyPLATE";
    SimulatedPort first(loop.io,
                        {devices::SimulatedStanceDevice::plate(body()), link, 0.002, 1u << 18});
    devices::PlateSimOptions other_options;
    other_options.serial_number = 4242;  // the first plate is serial 1001
    SimulatedPort other(loop.io, {devices::SimulatedStanceDevice::plate(body(), other_options),
                                  link, 0.002, 1u << 18});
    first.start();
    DeviceSession session(loop.io, 0, plateAt(link), loop.onSample(), loop.onEvent());
    session.start();
    loop.run();
    REQUIRE(loop.waitFor([&] { return loop.samples.size() >= 100; }, 5s));

    // The first plate's cable is pulled and another plate is plugged in under the same name.
    first.unplug();
    REQUIRE(loop.waitFor([&] { return loop.hasEvent(DeviceEventKind::kLost); }, 3s));
    const std::size_t before = loop.count();
    other.start();
    REQUIRE(loop.waitFor([&] { return loop.hasEvent(DeviceEventKind::kIdentityMismatch); }, 5s));
    std::string reason;
    std::size_t refused_from = 0;
    {
        std::lock_guard lock(loop.mutex);
        refused_from = loop.samples.size();
        for (const auto& e : loop.events) {
            if (e.kind == DeviceEventKind::kIdentityMismatch)
                reason = e.reason;
        }
    }
    INFO(reason);
    CHECK(reason.find("serial 1001") != std::string::npos);
    CHECK(reason.find("serial 4242") != std::string::npos);
    // None of its samples was taken, not even those before it said who it is.
    CHECK(refused_from == before);
    // Its samples stay out of the recording while it streams.
    std::this_thread::sleep_for(500ms);
    CHECK(loop.count() == refused_from);

    // The first plate returns: its samples flow again, after a recorded gap.
    other.stop();
    REQUIRE(loop.waitFor(
        [&] {
            return std::filesystem::symlink_status(link).type() ==
                   std::filesystem::file_type::not_found;
        },
        2s));
    first.replug();
    REQUIRE(loop.waitFor([&] { return loop.samples.size() > refused_from + 10; }, 5s));
    {
        std::lock_guard lock(loop.mutex);
        CHECK(devices::hasFlag(loop.samples[refused_from].flags, devices::SampleFlag::kGapBefore));
    }
    loop.stop();
    first.stop();
}

TEST_CASE("the Xsens handshake configures a simulated MTi over a pseudo-terminal",
          "[acquisition][session][xsens]") {
    Loop loop;
    devices::ImuSimOptions io;
    SimulatedPort sim(loop.io, {devices::SimulatedXsensDevice(body(), io), "", 0.002, 1u << 18});
    sim.start();
    DeviceConfig cfg;
    cfg.name = "imu";
    cfg.protocol = DeviceProtocol::kXsens;
    cfg.imu_rate_hz = 100.0;
    cfg.link.path = sim.path();
    DeviceSession session(loop.io, 0, cfg, loop.onSample(), loop.onEvent());
    session.start();
    loop.run();
    REQUIRE(loop.waitFor([&] { return loop.samples.size() >= 150; }, 8s));
    const DeviceStatus st = session.status();
    loop.stop();
    REQUIRE(st.info);
    CHECK(st.info->modelName() == "Xsens MTi");
    CHECK(st.counters.device_errors == 0);
    std::lock_guard lock(loop.mutex);
    const auto& samples = loop.samples;
    // 100 Hz as configured, quaternion, acceleration and rate of turn present.
    const double span =
        static_cast<double>(samples.back().host_ns - samples[samples.size() - 101].host_ns) * 1e-9;
    CHECK(span == Approx(1.0).epsilon(0.05));
    const StreamSample& s = samples.back();
    CHECK(s.kind == StreamKind::kImu);
    CHECK(s.v[2] == Approx(9.81).margin(0.3));  // gravity along the upright sensor's z
    CHECK(s.v[6] * s.v[6] + s.v[7] * s.v[7] + s.v[8] * s.v[8] + s.v[9] * s.v[9] ==
          Approx(1.0).epsilon(1e-3));
    sim.stop();
}

TEST_CASE("1 % corrupted bytes and garbage bursts: every intact frame arrives, losses counted",
          "[acquisition][session][faults]") {
    // The simulated plate's clean stream is decoded into frames on the test side; each frame is
    // forwarded through a second pseudo-terminal with each byte corrupted with probability 1 %
    // and, before one frame in 50, a burst of 40 random bytes (false sync bytes included).
    Loop loop;
    devices::PlateSimOptions po;
    po.rate_hz = 500.0;
    auto device = devices::SimulatedStanceDevice::plate(body(), po);
    PseudoTerminal wire;
    DeviceConfig cfg;
    cfg.name = "plate";
    cfg.link.path = wire.slavePath();
    DeviceSession session(loop.io, 0, cfg, loop.onSample(), loop.onEvent());
    session.start();
    loop.run();

    std::mt19937 rng(42);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::uniform_int_distribution<int> byte(0, 255);
    std::vector<std::uint8_t> clean, sent;
    devices::StanceFrameDecoder framer;
    std::size_t intact_data = 0, damaged = 0, frames_seen = 0;
    const int master = wire.masterFd();
    const double duration = 4.0;
    const auto t0 = std::chrono::steady_clock::now();
    for (double t = 0.002; t <= duration; t += 0.002) {
        std::this_thread::sleep_until(t0 + std::chrono::duration<double>(t));
        clean.clear();
        device.produceUntil(t, clean);
        framer.feed(clean, 0);
        devices::StanceFrameView f;
        sent.clear();
        while (framer.next(f)) {
            // The identity frames that open the stream pass untouched: a session holds samples
            // back until it knows which device speaks.
            const bool identity = frames_seen++ < 3;
            std::vector<std::uint8_t> frame;
            devices::appendStanceFrame(frame, f.header, f.payload);
            if (!identity && u(rng) < 0.02) {
                for (int k = 0; k < 40; ++k)
                    sent.push_back(k % 9 == 0 ? 0xA5 : static_cast<std::uint8_t>(byte(rng)));
            }
            bool hit = false;
            for (auto& b : frame) {
                if (!identity && u(rng) < 0.01) {
                    b = static_cast<std::uint8_t>(b ^ (1 + byte(rng) % 255));
                    hit = true;
                }
            }
            const bool data =
                f.header.type == static_cast<std::uint8_t>(devices::StanceFrameType::kPlate);
            if (hit)
                ++damaged;
            else if (data)
                ++intact_data;
            sent.insert(sent.end(), frame.begin(), frame.end());
        }
        std::size_t off = 0;
        while (off < sent.size()) {
            const ssize_t w = ::write(master, sent.data() + off, sent.size() - off);
            if (w > 0)
                off += static_cast<std::size_t>(w);
        }
    }
    // The last bytes reach the session.
    REQUIRE(loop.waitFor([&] { return loop.samples.size() >= intact_data - 2; }, 3s));
    std::this_thread::sleep_for(100ms);
    const DeviceStatus st = session.status();
    loop.stop();
    INFO("intact data frames " << intact_data << ", damaged frames " << damaged
                               << ", samples received " << loop.samples.size() << ", dropped bytes "
                               << st.counters.bytes_dropped << ", bad checksums "
                               << st.counters.bad_checksum);
    CHECK(damaged > 20);
    // Every intact data frame, and nothing else, became a sample (before the INFO frame arrived
    // a session holds samples back: the first frame of the stream is the INFO frame itself).
    CHECK(loop.samples.size() == intact_data);
    CHECK(st.counters.bytes_dropped > 0);
    CHECK(st.counters.bad_checksum + st.counters.bad_header + st.counters.truncated > 0);
    CHECK(st.counters.samples_missing > 0);
}
