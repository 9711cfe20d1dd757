// The simulated devices over a real pseudo-terminal, as stanced will run them: the device writes
// its frames to the master side, the host reads the slave side (a tty in raw mode, like a USB
// serial port) with the real decoders, and the host's requests travel back the same way.
// No sleeps: every wait is poll() on the descriptors, with a timeout that only fails the test.

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <functional>

#include "stance/devices/simulated_devices.hpp"
#include "stance/devices/stance_frame.hpp"
#include "stance/devices/xsens.hpp"

using namespace stance::devices;

namespace {

class Pty {
public:
    Pty() {
        master_ = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
        REQUIRE(master_ >= 0);
        REQUIRE(grantpt(master_) == 0);
        REQUIRE(unlockpt(master_) == 0);
        const char* name = ptsname(master_);
        REQUIRE(name != nullptr);
        slave_ = open(name, O_RDWR | O_NOCTTY | O_NONBLOCK);
        REQUIRE(slave_ >= 0);
        termios t{};
        REQUIRE(tcgetattr(slave_, &t) == 0);
        cfmakeraw(&t);  // no echo, no line editing, no CR/LF translation: bytes as they are
        REQUIRE(tcsetattr(slave_, TCSANOW, &t) == 0);
    }
    ~Pty() {
        close(slave_);
        close(master_);
    }
    Pty(const Pty&) = delete;
    Pty& operator=(const Pty&) = delete;

    /// Moves `device_out` (device -> host) and `host_out` (host -> device) through the terminal
    /// until `done()` or 5 s without progress. Bytes arriving at either end are handed to the
    /// callbacks, which may append more to the outgoing buffers.
    void pump(std::vector<std::uint8_t>& device_out, std::vector<std::uint8_t>& host_out,
              const std::function<void(std::span<const std::uint8_t>)>& at_host,
              const std::function<void(std::span<const std::uint8_t>)>& at_device,
              const std::function<bool()>& done) {
        std::array<std::uint8_t, 4096> buf{};
        while (!done()) {
            pollfd fds[2] = {
                {master_, static_cast<short>(POLLIN | (device_out.empty() ? 0 : POLLOUT)), 0},
                {slave_, static_cast<short>(POLLIN | (host_out.empty() ? 0 : POLLOUT)), 0}};
            const int ready = poll(fds, 2, 5000);
            REQUIRE(ready > 0);  // a stall is a failure, not something to wait out
            if ((fds[0].revents & POLLOUT) != 0)
                writeSome(master_, device_out);
            if ((fds[1].revents & POLLOUT) != 0)
                writeSome(slave_, host_out);
            if ((fds[1].revents & POLLIN) != 0) {
                const ssize_t n = read(slave_, buf.data(), buf.size());
                if (n > 0)
                    at_host(std::span(buf.data(), static_cast<std::size_t>(n)));
            }
            if ((fds[0].revents & POLLIN) != 0) {
                const ssize_t n = read(master_, buf.data(), buf.size());
                if (n > 0)
                    at_device(std::span(buf.data(), static_cast<std::size_t>(n)));
            }
        }
    }

private:
    static void writeSome(int fd, std::vector<std::uint8_t>& out) {
        const ssize_t n = write(fd, out.data(), out.size());
        if (n > 0)
            out.erase(out.begin(), out.begin() + n);
        else
            REQUIRE((n < 0 && errno == EAGAIN));
    }

    int master_ = -1;
    int slave_ = -1;
};

}  // namespace

TEST_CASE("A simulated plate over a pseudo-terminal", "[devices][pty]") {
    BodyOptions body;
    body.seed = 31;
    PlateSimOptions options;
    options.rate_hz = 1000.0;
    auto device = SimulatedStanceDevice::plate(body, options);
    std::vector<std::uint8_t> device_out, host_out;
    device.produceUntil(3.0, device_out);  // 3001 frames, 114 kB: many times the tty buffer
    StanceDecoder host;
    std::size_t samples = 0, infos = 0;
    std::int64_t reads = 0;
    bool asked = false;
    Pty pty;
    pty.pump(
        device_out, host_out,
        [&](std::span<const std::uint8_t> bytes) {
            host.feed(bytes, ++reads);
            StanceEvent e;
            while (host.next(e)) {
                samples += std::holds_alternative<ForcePlateSample>(e);
                infos += std::holds_alternative<DeviceInfo>(e);
            }
            if (samples >= 3001 && !asked) {
                appendStanceRequestInfo(host_out);
                asked = true;
            }
        },
        [&](std::span<const std::uint8_t> bytes) { device.onHostBytes(bytes, device_out); },
        [&] { return infos == 2; });
    CHECK(samples == 3001);
    CHECK(reads > 1);  // it did arrive in pieces
    const DecoderCounters c = host.counters();
    CHECK(c.bytes_dropped == 0);
    CHECK(c.sequence_gaps == 0);
    CHECK(host.geometry().has_value());
}

TEST_CASE("A simulated MTi configured over a pseudo-terminal", "[devices][pty][xsens]") {
    BodyOptions body;
    body.seed = 32;
    SimulatedXsensDevice device(body);
    std::vector<std::uint8_t> device_out, host_out;
    device.powerOn(0.0, device_out);
    XsensDecoder host;
    const std::vector<XsensOutput> outputs{
        {xdi::kPacketCounter, kXsensEveryMessage},
        {xdi::kSampleTimeFine, kXsensEveryMessage},
        {xsensDataId(xdi::kQuaternion, XsensPrecision::kFp1632), 100},
        {xdi::kAcceleration, 100},
        {xdi::kRateOfTurn, 100}};
    XsensHandshake hs({outputs, true, 3});
    bool started = false;
    double device_time = 0.0;
    std::size_t samples = 0;
    Pty pty;
    pty.pump(
        device_out, host_out,
        [&](std::span<const std::uint8_t> bytes) {
            host.feed(bytes, 0);
            XsensEvent e;
            while (host.next(e)) {
                if (const auto* m = std::get_if<XsensMessage>(&e)) {
                    if (m->mid == static_cast<std::uint8_t>(XbusMid::kWakeUp) && !started) {
                        const auto first = hs.start();  // the host starts on the device's WakeUp
                        host_out.insert(host_out.end(), first.begin(), first.end());
                        started = true;
                        continue;
                    }
                    const auto reply = hs.onMessage(*m);
                    host_out.insert(host_out.end(), reply.begin(), reply.end());
                } else if (hs.done()) {
                    const auto& s = std::get<ImuSample>(e);
                    CHECK(s.has(ImuField::kQuat));
                    CHECK(std::abs(s.quat_wxyz[0] - 1.0) < 0.01);  // nearly upright
                    ++samples;
                }
            }
        },
        [&](std::span<const std::uint8_t> bytes) {
            device_time += 0.01;
            device.onHostBytes(bytes, device_time, device_out);
            if (device.emulator().mode() == XsensDeviceEmulator::Mode::kMeasurement)
                device.produceUntil(device_time + 2.0, device_out);  // two seconds of data
        },
        [&] { return hs.failed() || samples >= 200; });
    CHECK(hs.done());
    CHECK(samples >= 200);
    CHECK(host.counters().bytes_dropped == 0);
    CHECK(host.counters().sequence_gaps == 0);
}
