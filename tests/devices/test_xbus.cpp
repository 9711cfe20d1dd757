// Xsens Xbus and MTData2: hand-built vectors from the MT Low Level Communication Protocol
// document (MT0101P 2019.A) checked byte for byte in both directions, and two real captures.

#include <catch2/catch.hpp>
#include <cmath>

#include "devices/support.hpp"
#include "stance/devices/errors.hpp"
#include "stance/devices/mtdata2.hpp"
#include "stance/devices/xbus.hpp"
#include "stance/devices/xsens.hpp"

using namespace stance::devices;
using stance::test::hexBytes;

namespace {

std::vector<std::uint8_t> message(XbusMid mid, std::span<const std::uint8_t> payload = {}) {
    std::vector<std::uint8_t> out;
    appendXbusMessage(out, mid, payload);
    return out;
}

struct Decoded {
    std::vector<ImuSample> samples;
    std::vector<XsensMessage> messages;
};

Decoded decodeAll(XsensDecoder& d, std::span<const std::uint8_t> bytes) {
    d.feed(bytes, 0);
    Decoded out;
    XsensEvent e;
    while (d.next(e)) {
        if (const auto* s = std::get_if<ImuSample>(&e))
            out.samples.push_back(*s);
        else
            out.messages.push_back(std::get<XsensMessage>(e));
    }
    return out;
}

// MTData2 of the tests below, in float32. Checksum: sum(FF 36 44 ... 03) = 0x?41, CS = 0xBF.
//   10 20 02 12 34                 PacketCounter 0x1234
//   10 60 04 00 01 86 A0           SampleTimeFine 100000 ticks = 10.0 s
//   20 10 10 3F800000 0 0 0        Quaternion (1, 0, 0, 0)
//   40 20 0C 3F800000 C0000000 411C0000   Acceleration (1, -2, 9.75) m/s^2
//   80 20 0C 3F000000 3E800000 BE000000   RateOfTurn (0.5, 0.25, -0.125) rad/s
//   E0 20 04 00000003              StatusWord 3
const std::vector<std::uint8_t> kMtData2Float32 = hexBytes(
    "FA FF 36 44"
    "10 20 02 12 34"
    "10 60 04 00 01 86 A0"
    "20 10 10 3F 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "40 20 0C 3F 80 00 00 C0 00 00 00 41 1C 00 00"
    "80 20 0C 3F 00 00 00 3E 80 00 00 BE 00 00 00"
    "E0 20 04 00 00 00 03"
    "BF");

}  // namespace

TEST_CASE("Control messages have the documented bytes in both directions", "[devices][xbus]") {
    // CS = 0x100 - (BID + MID + LEN) mod 256: GoToConfig 0x100 - 0x2F = 0xD1, ...
    CHECK(message(XbusMid::kGoToConfig) == hexBytes("FA FF 30 00 D1"));
    CHECK(message(XbusMid::kGoToConfigAck) == hexBytes("FA FF 31 00 D0"));
    CHECK(message(XbusMid::kGoToMeasurement) == hexBytes("FA FF 10 00 F1"));
    CHECK(message(XbusMid::kGoToMeasurementAck) == hexBytes("FA FF 11 00 F0"));
    CHECK(message(XbusMid::kReqDeviceId) == hexBytes("FA FF 00 00 01"));
    CHECK(message(XbusMid::kWakeUp) == hexBytes("FA FF 3E 00 C3"));
    CHECK(message(XbusMid::kWakeUpAck) == hexBytes("FA FF 3F 00 C2"));
    CHECK(message(XbusMid::kMtData2) == hexBytes("FA FF 36 00 CB"));
    // Error 0x21: FF + 42 + 01 + 21 = 0x163 -> CS 0x9D.
    const std::uint8_t code = 0x21;
    CHECK(message(XbusMid::kError, std::span(&code, 1)) == hexBytes("FA FF 42 01 21 9D"));
    // SetOutputConfiguration: PacketCounter and SampleTimeFine every message, quaternion,
    // acceleration and rate of turn at 100 Hz (0x0064).
    const std::vector<XsensOutput> config{{xdi::kPacketCounter, kXsensEveryMessage},
                                          {xdi::kSampleTimeFine, kXsensEveryMessage},
                                          {xdi::kQuaternion, 100},
                                          {xdi::kAcceleration, 100},
                                          {xdi::kRateOfTurn, 100}};
    const auto cfg =
        hexBytes("FA FF C0 14 10 20 FF FF 10 60 FF FF 20 10 00 64 40 20 00 64 80 20 00 64 35");
    CHECK(message(XbusMid::kSetOutputConfiguration, encodeOutputConfiguration(config)) == cfg);
    const auto parsed = parseOutputConfiguration(std::span(cfg).subspan(4, 20));
    REQUIRE(parsed);
    CHECK(*parsed == config);

    // And back: every one decodes as one message with nothing dropped.
    XbusFrameDecoder dec;
    std::vector<std::uint8_t> all = hexBytes(
        "FA FF 30 00 D1 FA FF 31 00 D0 FA FF 10 00 F1 FA FF 11 00 F0 FA FF 00 00 01"
        "FA FF 3E 00 C3 FA FF 3F 00 C2 FA FF 36 00 CB FA FF 42 01 21 9D");
    all.insert(all.end(), cfg.begin(), cfg.end());
    dec.feed(all, 0);
    std::vector<std::uint8_t> mids;
    XbusMessageView m;
    while (dec.next(m))
        mids.push_back(m.mid);
    CHECK(mids ==
          std::vector<std::uint8_t>{0x30, 0x31, 0x10, 0x11, 0x00, 0x3E, 0x3F, 0x36, 0x42, 0xC0});
    CHECK(dec.counters().bytes_dropped == 0);
    CHECK(xbusErrorText(0x21) == "invalid parameter");
    CHECK(xbusMidName(0x31) == "GoToConfigAck");
}

TEST_CASE("The empty MTData2 FA FF 36 00 CB", "[devices][xbus]") {
    XsensDecoder dec;
    const auto out = decodeAll(dec, hexBytes("FA FF 36 00 CB"));
    REQUIRE(out.samples.size() == 1);
    CHECK(out.samples[0].fields == 0);
    CHECK(hasFlag(out.samples[0].stamp.flags, SampleFlag::kNoDeviceCounter));
    CHECK(hasFlag(out.samples[0].stamp.flags, SampleFlag::kNoDeviceClock));
    CHECK(dec.counters().frames == 1);
    std::vector<std::uint8_t> payload;
    appendMtData2Payload(payload, MtData2Contents{}, {});
    CHECK(message(XbusMid::kMtData2, payload) == hexBytes("FA FF 36 00 CB"));
}

TEST_CASE("MTData2 float32 packets, both directions", "[devices][xbus]") {
    XsensDecoder dec;
    const auto out = decodeAll(dec, kMtData2Float32);
    REQUIRE(out.samples.size() == 1);
    const ImuSample& s = out.samples[0];
    CHECK(s.stamp.counter == 0x1234);
    CHECK(s.stamp.device_time_s == 10.0);
    CHECK(s.quat_wxyz == std::array<double, 4>{1, 0, 0, 0});
    CHECK(s.acc_m_s2 == std::array<double, 3>{1.0, -2.0, 9.75});
    CHECK(s.gyro_rad_s == std::array<double, 3>{0.5, 0.25, -0.125});
    CHECK(s.status_word == 3);
    CHECK(s.orientation_frame == OrientationFrame::kEnu);
    CHECK(s.has(ImuField::kAcc));
    CHECK_FALSE(s.has(ImuField::kFreeAcc));

    MtData2Contents c;
    c.imu = s;
    c.packet_counter = 0x1234;
    c.sample_time_fine = 100000;
    const std::vector<std::uint16_t> ids{xdi::kPacketCounter, xdi::kSampleTimeFine,
                                         xdi::kQuaternion,    xdi::kAcceleration,
                                         xdi::kRateOfTurn,    xdi::kStatusWord};
    std::vector<std::uint8_t> payload;
    appendMtData2Payload(payload, c, ids);
    CHECK(message(XbusMid::kMtData2, payload) == kMtData2Float32);
}

TEST_CASE("MTData2 precision bits: 12.20, 16.32 and float64", "[devices][xbus]") {
    // Acceleration (1, -2, 9.75) in each precision:
    //  12.20: 0x4021, 1.0 * 2^20 = 0x00100000, -2.0 -> 0xFFE00000, 9.75 -> 0x009C0000
    //  16.32: 0x4022, fraction u32 then integer i16: 1.0 -> 00000000 0001, -2.0 -> 00000000 FFFE,
    //         9.75 -> C0000000 0009
    //  float64: 0x4023, 3FF0000000000000, C000000000000000, 4023800000000000
    const auto fp1220 = hexBytes("FA FF 36 0F 40 21 0C 00 10 00 00 FF E0 00 00 00 9C 00 00 C4");
    const auto fp1632 =
        hexBytes("FA FF 36 15 40 22 12 00 00 00 00 00 01 00 00 00 00 FF FE C0 00 00 00 00 09 7B");
    const auto f64 = hexBytes(
        "FA FF 36 1B 40 23 18 3F F0 00 00 00 00 00 00 C0 00 00 00 00 00 00 00 40 23 80 00 00 00 "
        "00 00 63");
    const std::array<std::pair<XsensPrecision, std::vector<std::uint8_t>>, 3> cases{
        {{XsensPrecision::kFp1220, fp1220},
         {XsensPrecision::kFp1632, fp1632},
         {XsensPrecision::kFloat64, f64}}};
    for (const auto& [precision, bytes] : cases) {
        XsensDecoder dec;
        const auto out = decodeAll(dec, bytes);
        REQUIRE(out.samples.size() == 1);
        CHECK(out.samples[0].acc_m_s2 == std::array<double, 3>{1.0, -2.0, 9.75});
        MtData2Contents c;
        c.imu.acc_m_s2 = {1.0, -2.0, 9.75};
        c.imu.set(ImuField::kAcc);
        const std::uint16_t id = xsensDataId(xdi::kAcceleration, precision);
        std::vector<std::uint8_t> payload;
        appendMtData2Payload(payload, c, std::span(&id, 1));
        CHECK(message(XbusMid::kMtData2, payload) == bytes);
    }

    // Values that are not exact steps: 16.32 keeps 2^-32, 12.20 rounds to 2^-20.
    MtData2Contents c;
    c.imu.gyro_rad_s = {0.1234567891234, -1e-7, -1234.5678};
    c.imu.set(ImuField::kGyro);
    for (const auto precision : {XsensPrecision::kFp1220, XsensPrecision::kFp1632}) {
        const std::uint16_t id = xsensDataId(xdi::kRateOfTurn, precision);
        std::vector<std::uint8_t> payload;
        appendMtData2Payload(payload, c, std::span(&id, 1));
        MtData2Contents back;
        REQUIRE(parseMtData2(payload, back));
        const double step = precision == XsensPrecision::kFp1220 ? 0x1.0p-20 : 0x1.0p-32;
        for (std::size_t i = 0; i < 3; ++i)
            CHECK(std::abs(back.imu.gyro_rad_s[i] - c.imu.gyro_rad_s[i]) <= step / 2);
    }
    // 12.20 saturates at its range (+-2048).
    c.imu.gyro_rad_s = {5000.0, -5000.0, 0.0};
    const std::uint16_t id = xsensDataId(xdi::kRateOfTurn, XsensPrecision::kFp1220);
    std::vector<std::uint8_t> payload;
    appendMtData2Payload(payload, c, std::span(&id, 1));
    MtData2Contents back;
    REQUIRE(parseMtData2(payload, back));
    CHECK(back.imu.gyro_rad_s[0] == Approx(2048.0).epsilon(1e-6));
    CHECK(back.imu.gyro_rad_s[1] == -2048.0);
}

TEST_CASE("Coordinate bits select the orientation frame", "[devices][xbus]") {
    MtData2Contents c;
    c.imu.quat_wxyz = {0.5, 0.5, 0.5, 0.5};
    c.imu.set(ImuField::kQuat);
    for (const auto frame :
         {OrientationFrame::kEnu, OrientationFrame::kNed, OrientationFrame::kNwu}) {
        const std::uint16_t id = xsensDataId(xdi::kQuaternion, XsensPrecision::kFloat32, frame);
        std::vector<std::uint8_t> payload;
        appendMtData2Payload(payload, c, std::span(&id, 1));
        MtData2Contents back;
        REQUIRE(parseMtData2(payload, back));
        CHECK(back.imu.orientation_frame == frame);
    }
    // Coordinate code 0xC does not exist: the message is malformed.
    const auto bad = hexBytes("20 1C 10 3F 00 00 00 3F 00 00 00 3F 00 00 00 3F 00 00 00");
    MtData2Contents back;
    CHECK_FALSE(parseMtData2(bad, back));
    // A size that contradicts the precision is malformed too (float64 quaternion needs 32 bytes).
    CHECK_FALSE(
        parseMtData2(hexBytes("20 13 10 3F 00 00 00 3F 00 00 00 3F 00 00 00 3F 00 00 00"), back));
    CHECK_THROWS_AS(appendMtData2Payload(*std::make_unique<std::vector<std::uint8_t>>(),
                                         MtData2Contents{}, std::vector<std::uint16_t>{0x5040}),
                    DeviceError);
}

TEST_CASE("Extended length above 254 data bytes", "[devices][xbus]") {
    std::vector<std::uint8_t> payload(300);
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<std::uint8_t>((i * 7) & 0xFF);
    std::vector<std::uint8_t> out;
    appendXbusMessage(out, 0x91, payload);
    REQUIRE(out.size() == 307);
    // FA FF 91 FF 01 2C (300 big-endian) ... CS: the sum from BID through CS is 0 mod 256.
    CHECK(std::vector<std::uint8_t>(out.begin(), out.begin() + 6) == hexBytes("FA FF 91 FF 01 2C"));
    CHECK(out.back() == 0xE6);
    XbusFrameDecoder dec;
    dec.feed(out, 0);
    XbusMessageView m;
    REQUIRE(dec.next(m));
    CHECK(m.mid == 0x91);
    CHECK(std::vector<std::uint8_t>(m.payload.begin(), m.payload.end()) == payload);
    CHECK_THROWS_AS(appendXbusMessage(out, 0x36, std::vector<std::uint8_t>(2049)), DeviceError);
}

TEST_CASE("A real float32 capture decodes exactly", "[devices][xbus][capture]") {
    const auto lines =
        stance::test::hexLines(stance::test::deviceData("xsens_mti_gnss_float32.hex"));
    REQUIRE(lines.size() == 20);
    for (const auto& l : lines) {
        unsigned sum = 0;
        for (std::size_t i = 1; i < l.size(); ++i)
            sum += l[i];
        CHECK(sum % 256 == 0);
    }
    const auto bytes = stance::test::concat(lines);
    XsensDecoder dec;
    const auto out = decodeAll(dec, bytes);
    dec.finish();
    REQUIRE(out.samples.size() == 20);
    const DecoderCounters c = dec.counters();
    CHECK(c.bytes_dropped == 0);
    CHECK(c.frames == 20);
    CHECK(c.sequence_gaps == 0);
    // Values the einride/xsens-go golden file gives for the same bytes (tests/data/devices).
    const ImuSample& a = out.samples[0];
    CHECK(a.stamp.counter == 43398);
    CHECK(a.stamp.device_time_s == 51703123 / 1e4);
    CHECK(a.status_word == 0x01800007);
    CHECK(a.acc_m_s2 ==
          std::array<double, 3>{-0.017374228686094284, -7.255744934082031, -1.209552526473999});
    CHECK(a.gyro_rad_s == std::array<double, 3>{-0.002965700812637806, 0.0022035164292901754,
                                                0.0017225710907950997});
    const ImuSample& b = out.samples[1];
    CHECK(b.stamp.counter == 43399);
    CHECK(b.stamp.device_time_s == 51703223 / 1e4);
    CHECK(b.acc_m_s2 ==
          std::array<double, 3>{0.028309723362326622, -9.659712791442871, -1.6273512840270996});
    // Line 19 is the GNSS message: counter 43416 between its neighbours, no inertial data, its
    // SampleTimeFine (51704404) a little behind the inertial ones.
    const ImuSample& g = out.samples[18];
    CHECK(g.stamp.counter == 43416);
    CHECK_FALSE(g.has(ImuField::kAcc));
    CHECK(g.stamp.device_time_s == 51704404 / 1e4);
    CHECK(out.samples[19].stamp.counter == 43417);
    // Packets this decoder leaves alone are counted, not silently lost: UtcTime, DeltaV and
    // DeltaQ in the first message, the same plus EulerAngles in the 18 other inertial ones, GNSS
    // PVT and UtcTime in the GNSS message.
    CHECK(c.unknown == 3 + 18 * 4 + 2);
}

TEST_CASE("A real fixed point 12.20 capture decodes exactly", "[devices][xbus][capture]") {
    const auto bytes = stance::test::concat(
        stance::test::hexLines(stance::test::deviceData("xsens_mti_gnss_fp1220.hex")));
    XsensDecoder dec;
    const auto out = decodeAll(dec, bytes);
    REQUIRE(out.samples.size() == 12);
    CHECK(dec.counters().bytes_dropped == 0);
    const ImuSample& a = out.samples[0];
    CHECK(a.stamp.counter == 43498);
    CHECK(a.stamp.device_time_s == 51714266 / 1e4);
    CHECK(a.status_word == 0x05);  // StatusByte 00000101
    CHECK(a.acc_m_s2 ==
          std::array<double, 3>{0.03061389923095703, -7.268850326538086, -1.2509326934814453});
    CHECK(a.gyro_rad_s == std::array<double, 3>{-0.0011949539184570312, 0.000896453857421875,
                                                -8.58306884765625e-05});
    CHECK(out.samples[1].acc_m_s2 ==
          std::array<double, 3>{0.045752525329589844, -9.687026977539062, -1.6282892227172852});
    CHECK(out.samples[7].stamp.counter == 43505);  // the GNSS message
    CHECK(out.samples[11].stamp.counter == 43509);
}

TEST_CASE("A capture that starts mid-message decodes from the first whole one",
          "[devices][xbus][capture]") {
    const auto lines =
        stance::test::hexLines(stance::test::deviceData("xsens_mti_gnss_float32.hex"));
    const auto all = stance::test::concat(lines);
    const std::size_t cut = 37;  // inside the first message (103 bytes)
    XsensDecoder dec;
    const auto out = decodeAll(dec, std::span(all).subspan(cut));
    dec.finish();
    REQUIRE(out.samples.size() == 19);
    CHECK(out.samples[0].stamp.counter == 43399);
    const DecoderCounters c = dec.counters();
    CHECK(c.bytes_dropped == lines[0].size() - cut);
    CHECK(c.resyncs == 1);
    CHECK(c.frames == 19);
    // ... and one that ends mid-message reports it truncated.
    XsensDecoder tail;
    decodeAll(tail, std::span(all).first(all.size() - 10));
    tail.finish();
    CHECK(tail.counters().truncated == 1);
    CHECK(tail.counters().frames == 19);
}

TEST_CASE("Preamble bytes inside data do not break framing", "[devices][xbus]") {
    // StatusWord FA FF FA FF: a preamble + master BID pair inside the payload.
    MtData2Contents c;
    c.imu.status_word = 0xFAFFFAFF;
    c.imu.set(ImuField::kStatus);
    c.packet_counter = 0xFAFF;
    std::vector<std::uint8_t> payload;
    const std::vector<std::uint16_t> ids{xdi::kPacketCounter, xdi::kStatusWord};
    appendMtData2Payload(payload, c, ids);
    std::vector<std::uint8_t> stream;
    for (int i = 0; i < 3; ++i) {
        c.packet_counter = static_cast<std::uint16_t>(0xFAFF + i);
        payload.clear();
        appendMtData2Payload(payload, c, ids);
        appendXbusMessage(stream, XbusMid::kMtData2, payload);
    }
    // Feed one byte at a time: the decoder must never commit to a false preamble.
    XsensDecoder dec;
    std::vector<ImuSample> samples;
    XsensEvent e;
    for (const std::uint8_t b : stream) {
        dec.feed(std::span(&b, 1), 0);
        while (dec.next(e))
            samples.push_back(std::get<ImuSample>(e));
    }
    REQUIRE(samples.size() == 3);
    CHECK(samples[2].status_word == 0xFAFFFAFF);
    CHECK(dec.counters().bytes_dropped == 0);
}

TEST_CASE("Error and WakeUp messages are counted and passed on", "[devices][xbus]") {
    XsensDecoder dec;
    const auto out =
        decodeAll(dec, hexBytes("FA FF 42 01 21 9D FA FF 3E 00 C3 FA FF 36 05 10 20 02 00 07 8D"));
    REQUIRE(out.messages.size() == 2);
    CHECK(out.messages[0].mid == 0x42);
    CHECK(out.messages[0].payload == std::vector<std::uint8_t>{0x21});
    CHECK(out.messages[1].mid == 0x3E);
    REQUIRE(out.samples.size() == 1);
    CHECK(out.samples[0].stamp.counter == 7);
    CHECK(hasFlag(out.samples[0].stamp.flags, SampleFlag::kDeviceRestart));  // after the WakeUp
    const DecoderCounters c = dec.counters();
    CHECK(c.device_errors == 1);
    CHECK(c.device_restarts == 1);
}

TEST_CASE("An MTData2 whose packets do not tile it is rejected", "[devices][xbus]") {
    // Valid checksum, but the packet announces 5 bytes where 2 remain.
    std::vector<std::uint8_t> bytes;
    appendXbusMessage(bytes, XbusMid::kMtData2, hexBytes("10 20 05 00 07"));
    XsensDecoder dec;
    CHECK(decodeAll(dec, bytes).samples.empty());
    CHECK(dec.counters().malformed == 1);
    CHECK(dec.counters().frames == 0);
}
