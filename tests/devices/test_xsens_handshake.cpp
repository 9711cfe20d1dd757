// The host's configuration handshake as a state machine, run against the device emulator (and
// against silence and errors), and the emulator's own documented behaviour.

#include <catch2/catch.hpp>

#include "devices/support.hpp"
#include "stance/devices/xsens.hpp"

using namespace stance::devices;
using stance::test::hexBytes;

namespace {

ImuSample restSample(std::uint64_t counter, double t) {
    ImuSample s;
    s.acc_m_s2 = {0.0, 0.0, 9.81};
    s.fields = 0x1F;
    s.status_word = 3;
    s.stamp.counter = counter;
    s.stamp.device_time_s = t;
    return s;
}

// Runs the handshake against the emulator: every host write goes to the device, every device
// reply comes back through a real decoder. Returns the message ids the host wrote, in order.
std::vector<std::uint8_t> converse(XsensHandshake& hs, XsensDeviceEmulator& device,
                                   std::vector<std::uint8_t> pending_device_bytes = {}) {
    std::vector<std::uint8_t> host_mids;
    XbusFrameDecoder host_writes;
    XsensDecoder host_reads;
    std::vector<std::uint8_t> to_device = hs.start();
    double t = 1.0;
    for (int round = 0; round < 20 && !hs.done() && !hs.failed(); ++round) {
        host_writes.feed(to_device, 0);
        XbusMessageView m;
        while (host_writes.next(m))
            host_mids.push_back(m.mid);
        std::vector<std::uint8_t> from_device = std::move(pending_device_bytes);
        pending_device_bytes.clear();
        device.onHostBytes(to_device, t, from_device);
        t += 0.01;
        host_reads.feed(from_device, 0);
        to_device.clear();
        XsensEvent e;
        while (host_reads.next(e)) {
            if (const auto* msg = std::get_if<XsensMessage>(&e)) {
                const auto reply = hs.onMessage(*msg);
                to_device.insert(to_device.end(), reply.begin(), reply.end());
            }
        }
    }
    return host_mids;
}

}  // namespace

TEST_CASE("The handshake configures a streaming device", "[devices][xsens]") {
    XsensDeviceEmulator device({});
    std::vector<std::uint8_t> boot;
    device.powerOn(0.0, boot);
    CHECK(boot == hexBytes("FA FF 3E 00 C3"));
    device.advance(0.6);  // nobody acknowledged the WakeUp: the device measures
    REQUIRE(device.mode() == XsensDeviceEmulator::Mode::kMeasurement);
    // The device is streaming when the host starts: those messages precede the ack.
    std::vector<std::uint8_t> streaming;
    for (std::uint64_t i = 0; i < 5; ++i)
        device.measurement(restSample(i, 0.6 + 0.01 * static_cast<double>(i)), i, streaming);
    CHECK(streaming.size() > 100);

    const std::vector<XsensOutput> wanted{
        {xdi::kPacketCounter, kXsensEveryMessage},
        {xdi::kSampleTimeFine, kXsensEveryMessage},
        {xsensDataId(xdi::kAcceleration, XsensPrecision::kFp1220), 200},
        {xsensDataId(xdi::kRateOfTurn, XsensPrecision::kFp1632), 200},
        {xsensDataId(xdi::kQuaternion, XsensPrecision::kFloat32, OrientationFrame::kNed), 100}};
    XsensHandshake hs({wanted, true, 3});
    const auto mids = converse(hs, device, streaming);
    CHECK(hs.done());
    CHECK(hs.failure().empty());
    CHECK(mids == std::vector<std::uint8_t>{0x30, 0x00, 0xC0, 0x10});
    CHECK(hs.deviceId() == 0x03701234u);
    CHECK(hs.acknowledgedOutputs() == wanted);
    CHECK(hs.warnings().empty());
    CHECK(device.mode() == XsensDeviceEmulator::Mode::kMeasurement);
    CHECK(device.outputs() == wanted);
    CHECK(device.messageRateHz() == 200.0);
}

TEST_CASE("Without a device the handshake retries, then fails naming the step",
          "[devices][xsens]") {
    XsensHandshake hs({{{xdi::kAcceleration, 100}}, true, 3});
    const auto first = hs.start();
    CHECK(first == hexBytes("FA FF 30 00 D1"));
    CHECK(hs.onTimeout() == first);
    CHECK(hs.onTimeout() == first);
    CHECK(hs.state() == XsensHandshake::State::kEnteringConfig);
    CHECK(hs.onTimeout().empty());
    CHECK(hs.failed());
    CHECK(hs.failure() == "no GoToConfigAck after 3 attempts");
    // Once failed, nothing more is sent.
    CHECK(hs.onMessage(0x31, {}).empty());
}

TEST_CASE("A refused configuration fails the handshake with the device's error",
          "[devices][xsens]") {
    XsensDeviceEmulator device({});
    std::vector<std::uint8_t> ignored;
    device.powerOn(0.0, ignored);
    XsensHandshake hs({{{xdi::kAcceleration, 1000}}, false, 3});  // above the 400 Hz limit
    const auto mids = converse(hs, device);
    CHECK(mids == std::vector<std::uint8_t>{0x30, 0xC0});
    REQUIRE(hs.failed());
    CHECK(hs.failure() ==
          "the device answered SetOutputConfiguration with Error 0x21 (invalid parameter)");
    CHECK(device.mode() == XsensDeviceEmulator::Mode::kConfig);
}

TEST_CASE("A device that restarts mid-handshake is acknowledged and configured",
          "[devices][xsens]") {
    XsensHandshake hs({{{xdi::kAcceleration, 100}}, true, 3});
    hs.start();
    CHECK(hs.onMessage(0x31, {}) == hexBytes("FA FF 00 00 01"));  // GoToConfigAck -> ReqDID
    CHECK(hs.state() == XsensHandshake::State::kRequestingDeviceId);
    // WakeUp: answer WakeUpAck (stay in Config) and ask again.
    CHECK(hs.onMessage(0x3E, {}) == hexBytes("FA FF 3F 00 C2 FA FF 00 00 01"));
    // MTData2 while waiting is ignored.
    CHECK(hs.onMessage(0x36, hexBytes("10 20 02 00 01")).empty());
    // DeviceID -> SetOutputConfiguration with the requested list.
    CHECK(hs.onMessage(0x01, hexBytes("03 70 12 34")) == hexBytes("FA FF C0 04 40 20 00 64 79"));
    // The device sets 50 Hz instead: accepted with a warning.
    CHECK(hs.onMessage(0xC1, hexBytes("40 20 00 32")) == hexBytes("FA FF 10 00 F1"));
    REQUIRE(hs.warnings().size() == 1);
    CHECK(hs.warnings()[0] == "output 0x4020 set to 50 Hz instead of 100 Hz");
    hs.onMessage(0x11, {});
    CHECK(hs.done());
}

TEST_CASE("The emulator keeps Config state when its WakeUp is acknowledged", "[devices][xsens]") {
    XsensDeviceEmulator device({});
    std::vector<std::uint8_t> out;
    device.powerOn(10.0, out);
    device.onHostBytes(hexBytes("FA FF 3F 00 C2"), 10.2, out);
    device.advance(11.0);
    CHECK(device.mode() == XsensDeviceEmulator::Mode::kConfig);
    // In Config state it does not stream.
    out.clear();
    device.measurement(restSample(0, 11.0), 0, out);
    CHECK(out.empty());
    // A message it does not know: Error 0x04 (invalid message).
    device.onHostBytes(hexBytes("FA FF 12 00 EF"), 11.1, out);
    CHECK(out == hexBytes("FA FF 42 01 04 BA"));
}

TEST_CASE("The emulator refuses configuration outside Config state", "[devices][xsens]") {
    XsensDeviceEmulator device({});
    std::vector<std::uint8_t> out;
    device.powerOn(0.0, out);
    device.advance(1.0);
    out.clear();
    device.onHostBytes(hexBytes("FA FF C0 04 40 20 00 64 79"), 1.0, out);
    CHECK(out == hexBytes("FA FF 42 01 04 BA"));
    CHECK(device.outputs().size() == 6);  // unchanged power-up configuration
}

TEST_CASE("The emulator includes each output at its own rate", "[devices][xsens]") {
    XsensDeviceEmulator::Options options;
    options.outputs = {{xdi::kPacketCounter, kXsensEveryMessage},
                       {xdi::kAcceleration, 100},
                       {xdi::kQuaternion, 50},
                       {xdi::kStatusWord, 25}};
    XsensDeviceEmulator device(options);
    std::vector<std::uint8_t> out;
    device.powerOn(0.0, out);
    device.advance(1.0);
    out.clear();
    for (std::uint64_t i = 0; i < 8; ++i)
        device.measurement(restSample(100 + i, 1.0 + 0.01 * static_cast<double>(i)), i, out);
    XsensDecoder dec;
    dec.feed(out, 0);
    std::vector<ImuSample> samples;
    XsensEvent e;
    while (dec.next(e))
        samples.push_back(std::get<ImuSample>(e));
    REQUIRE(samples.size() == 8);
    std::string quat, status;
    for (const auto& s : samples) {
        CHECK(s.has(ImuField::kAcc));
        quat += s.has(ImuField::kQuat) ? 'q' : '.';
        status += s.has(ImuField::kStatus) ? 's' : '.';
    }
    CHECK(quat == "q.q.q.q.");
    CHECK(status == "s...s...");
    CHECK(samples[7].stamp.counter == 107);
    CHECK(dec.counters().sequence_gaps == 0);
}
