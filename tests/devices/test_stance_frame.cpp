// Stance serial frame v1: CRC, the worked example of docs/stance-frame-v1.md byte for byte in both
// directions, every frame type, counters and clocks, resynchronisation.

#include <catch2/catch.hpp>
#include <cmath>

#include "devices/support.hpp"
#include "stance/devices/crc16.hpp"
#include "stance/devices/errors.hpp"
#include "stance/devices/stance_frame.hpp"

using namespace stance::devices;
using stance::test::hexBytes;

namespace {

// The worked example of docs/stance-frame-v1.md: a PLATE frame, sequence 0x0102, device time
// 1 000 000 us, Fx 1.5 N, Fy -2.25 N, Fz 700 N, Mx 10.5 N m, My -3.75 N m, Mz 0.5 N m.
//   A5 5A | 01 | 11 (PLATE) | 18 (24 bytes) | 00 (flags) | 02 01 (seq) | 40 42 0F 00 (1e6 us)
//   00 00 C0 3F (1.5f) 00 00 10 C0 (-2.25f) 00 00 2F 44 (700f) 00 00 28 41 (10.5f)
//   00 00 70 C0 (-3.75f) 00 00 00 3F (0.5f) | 88 86 (CRC 0x8688 over bytes 2..35)
const std::vector<std::uint8_t> kWorkedExample = hexBytes(
    "A5 5A 01 11 18 00 02 01 40 42 0F 00"
    "00 00 C0 3F 00 00 10 C0 00 00 2F 44 00 00 28 41 00 00 70 C0 00 00 00 3F"
    "88 86");

std::vector<StanceEvent> decodeAll(StanceDecoder& d, std::span<const std::uint8_t> bytes,
                                   std::int64_t t = 0) {
    d.feed(bytes, t);
    std::vector<StanceEvent> out;
    StanceEvent e;
    while (d.next(e))
        out.push_back(e);
    return out;
}

}  // namespace

TEST_CASE("CRC-16/CCITT-FALSE has the catalogue check value", "[devices][stance_frame]") {
    const std::string check = "123456789";
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(check.data()),
                                              check.size());
    CHECK(crc16CcittFalse(bytes) == 0x29B1);
    CHECK(crc16CcittFalse({}) == 0xFFFF);
    // Incremental over any split equals one pass.
    const std::uint16_t first = crc16CcittFalse(bytes.first(4));
    CHECK(crc16CcittFalse(bytes.subspan(4), first) == 0x29B1);
    // "A" alone: the catalogue's value for CRC-16/CCITT-FALSE is 0xB915.
    const std::uint8_t a = 'A';
    CHECK(crc16CcittFalse(std::span<const std::uint8_t>(&a, 1)) == 0xB915);
}

TEST_CASE("The worked example encodes and decodes byte for byte", "[devices][stance_frame]") {
    std::vector<std::uint8_t> out;
    StanceFrameHeader h;
    h.type = static_cast<std::uint8_t>(StanceFrameType::kPlate);
    h.sequence = 0x0102;
    h.device_time_us = 1000000;
    std::vector<std::uint8_t> payload(kWorkedExample.begin() + 12, kWorkedExample.end() - 2);
    appendStanceFrame(out, h, payload);
    CHECK(out == kWorkedExample);

    // The encoder produces the same bytes once its restart flag has been spent.
    std::vector<std::uint8_t> first;
    StanceEncoder enc2(0x0101);
    enc2.plate(first, {0, 0, 0}, {0, 0, 0}, 0);  // carries RESTART, sequence 0x0101
    std::vector<std::uint8_t> second;
    enc2.plate(second, {1.5, -2.25, 700.0}, {10.5, -3.75, 0.5}, 1000000);
    CHECK(second == kWorkedExample);
    CHECK(first[5] == 0x01);  // RESTART flag on the first frame

    StanceFrameDecoder dec;
    dec.feed(kWorkedExample, 42);
    StanceFrameView f;
    REQUIRE(dec.next(f));
    CHECK(f.header.type == 0x11);
    CHECK(f.header.sequence == 0x0102);
    CHECK(f.header.device_time_us == 1000000u);
    CHECK(f.header.flags == 0);
    CHECK(f.payload.size() == 24);
    CHECK(f.host_time_ns == 42);
    CHECK_FALSE(dec.next(f));
    CHECK(dec.counters().frames == 1);
    CHECK(dec.counters().bytes_dropped == 0);

    StanceDecoder sd;
    const auto events = decodeAll(sd, kWorkedExample);
    REQUIRE(events.size() == 1);
    const auto& s = std::get<ForcePlateSample>(events[0]);
    CHECK(s.force_n == std::array<double, 3>{1.5, -2.25, 700.0});
    CHECK(s.moment_nm == std::array<double, 3>{10.5, -3.75, 0.5});
    CHECK(s.stamp.device_time_s == 1.0);
    CHECK(s.stamp.counter == 0x0102);
    CHECK(sd.needsInfo());  // data without INFO
}

TEST_CASE("REQUEST_INFO is a 14-byte frame", "[devices][stance_frame]") {
    // A5 5A 01 80 00 00 | 00 00 | 00 00 00 00 | CRC over 01 80 00 00 00 00 00 00 00 00 = 0x31CE
    std::vector<std::uint8_t> out;
    appendStanceRequestInfo(out);
    CHECK(out == hexBytes("A5 5A 01 80 00 00 00 00 00 00 00 00 CE 31"));
}

TEST_CASE("Every frame type round-trips through encoder and decoder", "[devices][stance_frame]") {
    StanceEncoder enc;
    std::vector<std::uint8_t> bytes;
    DeviceInfo info;
    info.kind = DeviceKind::kLoadCellBoard;
    info.channels = 4;
    info.firmware_major = 2;
    info.firmware_minor = 7;
    info.firmware_patch = 513;
    info.serial_number = 0xDEADBEEF;
    info.nominal_rate_hz = 80.0;
    info.setModelName("board-17-with-a-long-name");
    LoadCellCalibration cal{
        {100, -200, 300, -400}, {0.01, 0.02, 0.03, 0.04}, kWiiBoardCellPositions_m};
    enc.info(bytes, info, 10);
    enc.loadCellCalibration(bytes, cal, 10);
    enc.plateGeometry(bytes, PlateGeometry{0.0405, {0.001, -0.002}}, 10);
    enc.loadCells(bytes, {1100, -1200, 300, 8388607}, 20,
                  static_cast<std::uint8_t>(StanceFrameFlag::kSaturated));
    enc.imu(bytes, {0.1, -0.2, 9.81}, {0.01, 0.02, -0.03}, std::nullopt, 30);
    enc.imu(bytes, {0.1, -0.2, 9.81}, {0.01, 0.02, -0.03}, std::array<double, 4>{1, 0, 0, 0}, 40);

    StanceDecoder dec;
    const auto events = decodeAll(dec, bytes);
    REQUIRE(events.size() == 6);
    const auto& got = std::get<DeviceInfo>(events[0]);
    CHECK(got.kind == DeviceKind::kLoadCellBoard);
    CHECK(got.channels == 4);
    CHECK(got.firmware_major == 2);
    CHECK(got.firmware_minor == 7);
    CHECK(got.firmware_patch == 513);
    CHECK(got.serial_number == 0xDEADBEEF);
    CHECK(got.nominal_rate_hz == 80.0);
    CHECK(got.modelName() == "board-17-with-a-");  // 16 characters on the wire
    const auto& gc = std::get<LoadCellCalibration>(events[1]);
    CHECK(gc.offset_counts == cal.offset_counts);
    CHECK(gc.scale_n_per_count[1] == static_cast<double>(0.02f));
    CHECK(gc.position_m[2][0] == static_cast<double>(-0.2165f));
    const auto& gg = std::get<PlateGeometry>(events[2]);
    CHECK(gg.origin_depth_m == static_cast<double>(0.0405f));
    CHECK(gg.origin_offset_m[1] == static_cast<double>(-0.002f));
    const auto& lc = std::get<LoadCellSample>(events[3]);
    CHECK(lc.raw_counts == std::array<std::int32_t, 4>{1100, -1200, 300, 8388607});
    CHECK(lc.force_n[0] == Approx((1100 - 100) * static_cast<double>(0.01f)));
    CHECK(lc.force_n[1] == Approx((-1200 + 200) * static_cast<double>(0.02f)));
    CHECK(hasFlag(lc.stamp.flags, SampleFlag::kSaturated));
    // The power-up RESTART came on the INFO frame; the first sample carries it.
    CHECK(hasFlag(lc.stamp.flags, SampleFlag::kDeviceRestart));
    CHECK_FALSE(hasFlag(std::get<ImuSample>(events[4]).stamp.flags, SampleFlag::kDeviceRestart));
    CHECK_FALSE(hasFlag(lc.stamp.flags, SampleFlag::kUncalibrated));
    const auto& imu = std::get<ImuSample>(events[4]);
    CHECK(imu.acc_m_s2[2] == static_cast<double>(9.81f));
    CHECK(imu.gyro_rad_s[2] == static_cast<double>(-0.03f));
    CHECK_FALSE(imu.has(ImuField::kQuat));
    CHECK(imu.orientation_frame == OrientationFrame::kDevice);
    CHECK(std::get<ImuSample>(events[5]).has(ImuField::kQuat));
    CHECK_FALSE(dec.needsInfo());
    CHECK(dec.counters().frames == 6);
    CHECK(dec.counters().sequence_gaps == 0);
}

TEST_CASE("Sequence and clock unwrap across their wrap points", "[devices][stance_frame]") {
    StanceEncoder enc(65534);
    std::vector<std::uint8_t> bytes;
    const std::uint32_t t0 = 0xFFFFFFFFu - 15000;  // 15 ms before the 32-bit clock wraps
    for (std::uint32_t k = 0; k < 4; ++k)
        enc.plate(bytes, {0, 0, 700}, {0, 0, 0}, t0 + k * 10000u);  // wraps on the third
    StanceDecoder dec;
    const auto events = decodeAll(dec, bytes);
    REQUIRE(events.size() == 4);
    for (std::size_t k = 0; k < 4; ++k) {
        const auto& s = std::get<ForcePlateSample>(events[k]);
        CHECK(s.stamp.counter == 65534u + k);
        CHECK(s.stamp.device_time_s ==
              Approx(static_cast<double>(t0) * 1e-6 + 0.01 * static_cast<double>(k)));
        CHECK_FALSE(hasFlag(s.stamp.flags, SampleFlag::kGapBefore));
    }
    CHECK(dec.counters().sequence_gaps == 0);
}

TEST_CASE("Lost frames, restarts and overruns are flagged and counted", "[devices][stance_frame]") {
    StanceEncoder enc;
    std::vector<std::uint8_t> bytes;
    enc.plate(bytes, {0, 0, 1}, {0, 0, 0}, 0);
    enc.skip(3);  // three frames never sent
    enc.plate(bytes, {0, 0, 2}, {0, 0, 0}, 40000,
              static_cast<std::uint8_t>(StanceFrameFlag::kOverrun));
    enc.restart();
    enc.plate(bytes, {0, 0, 3}, {0, 0, 0}, 5);
    StanceDecoder dec;
    const auto events = decodeAll(dec, bytes);
    REQUIRE(events.size() == 3);
    const auto& a = std::get<ForcePlateSample>(events[0]);
    const auto& b = std::get<ForcePlateSample>(events[1]);
    const auto& c = std::get<ForcePlateSample>(events[2]);
    CHECK(hasFlag(a.stamp.flags, SampleFlag::kDeviceRestart));  // power-up frame
    CHECK(hasFlag(b.stamp.flags, SampleFlag::kGapBefore));
    CHECK(hasFlag(b.stamp.flags, SampleFlag::kDeviceOverrun));
    CHECK(b.stamp.counter == 4);
    CHECK(hasFlag(c.stamp.flags, SampleFlag::kDeviceRestart));
    CHECK(c.stamp.counter == 5);  // the restarted device's sequence
    CHECK(c.stamp.device_time_s == Approx(5e-6));
    const DecoderCounters k = dec.counters();
    CHECK(k.sequence_gaps == 1);
    CHECK(k.samples_missing == 3);
    CHECK(k.device_restarts == 1);  // the power-up restart is not counted
}

TEST_CASE("Load cells before their calibration are raw only", "[devices][stance_frame]") {
    StanceEncoder enc;
    std::vector<std::uint8_t> bytes;
    enc.loadCells(bytes, {10, 20, 30, 40}, 0);
    StanceDecoder dec;
    auto events = decodeAll(dec, bytes);
    REQUIRE(events.size() == 1);
    const auto& s = std::get<LoadCellSample>(events[0]);
    CHECK(std::isnan(s.force_n[0]));
    CHECK(hasFlag(s.stamp.flags, SampleFlag::kUncalibrated));
    CHECK(dec.needsInfo());
    CHECK(dec.counters().uncalibrated == 1);
}

TEST_CASE("Valid frames with impossible payloads are counted, not delivered",
          "[devices][stance_frame]") {
    std::vector<std::uint8_t> bytes;
    StanceFrameHeader h;
    h.type = static_cast<std::uint8_t>(StanceFrameType::kPlate);
    const std::vector<std::uint8_t> short_payload(20, 0);  // a plate needs 24
    appendStanceFrame(bytes, h, short_payload);
    h.type = 0x42;  // not defined in v1
    h.sequence = 1;
    appendStanceFrame(bytes, h, short_payload);
    h.type = static_cast<std::uint8_t>(StanceFrameType::kRequestInfo);
    h.sequence = 2;
    appendStanceFrame(bytes, h, {});
    StanceDecoder dec;
    CHECK(decodeAll(dec, bytes).empty());
    const DecoderCounters c = dec.counters();
    CHECK(c.frames == 3);
    CHECK(c.malformed == 1);
    CHECK(c.unknown == 2);
    CHECK(c.bytes_dropped == 0);

    const std::vector<std::uint8_t> too_long(256, 0);
    CHECK_THROWS_AS(appendStanceFrame(bytes, h, too_long), DeviceError);
}

TEST_CASE("The frame decoder resynchronises and counts what it dropped",
          "[devices][stance_frame]") {
    StanceEncoder enc(7);
    std::vector<std::uint8_t> f1, f2, f3, f4;
    enc.plate(f1, {1, 0, 700}, {0, 0, 0}, 100);
    enc.plate(f2, {2, 0, 700}, {0, 0, 0}, 200);
    enc.plate(f3, {3, 0, 700}, {0, 0, 0}, 300);
    enc.plate(f4, {4, 0, 700}, {0, 0, 0}, 400);
    std::vector<std::uint8_t> stream = hexBytes("00 13 A5 77 5A");  // 5 bytes of garbage
    stream.insert(stream.end(), f1.begin(), f1.end());
    // f2 cut after 20 of its 38 bytes (a dropped USB packet): f3 follows immediately.
    stream.insert(stream.end(), f2.begin(), f2.begin() + 20);
    stream.insert(stream.end(), f3.begin(), f3.end());
    // A false sync with a plausible header, then 3 junk bytes, then f4 with one corrupted byte,
    // then f4 intact.
    const std::vector<std::uint8_t> junk = hexBytes("A5 5A 01 11 05 00 00 00");
    stream.insert(stream.end(), junk.begin(), junk.end());
    std::vector<std::uint8_t> bad = f4;
    bad[20] ^= 0x40;
    stream.insert(stream.end(), bad.begin(), bad.end());
    stream.insert(stream.end(), f4.begin(), f4.end());

    StanceFrameDecoder dec;
    dec.feed(stream, 0);
    std::vector<std::uint16_t> sequences;
    StanceFrameView f;
    while (dec.next(f))
        sequences.push_back(f.header.sequence);
    dec.finish();
    CHECK(sequences == std::vector<std::uint16_t>{7, 9, 10});  // f1, f3, the intact f4
    const DecoderCounters& c = dec.counters();
    CHECK(c.frames == 3);
    CHECK(c.bytes_received == stream.size());
    CHECK(c.bytes_dropped == 5 + 20 + junk.size() + bad.size());
    // f2 is cut short by the valid f3 that starts inside it. The false sync runs into the
    // corrupted f4, which is not a valid frame, so it counts as a checksum failure like f4 itself.
    CHECK(c.truncated == 1);
    CHECK(c.bad_checksum == 2);
    CHECK(c.resyncs == 3);  // after the garbage, after f2, before the intact f4
}

TEST_CASE("A frame split across chunks takes the time of its last chunk",
          "[devices][stance_frame]") {
    StanceDecoder dec;
    StanceEvent e;
    dec.feed(std::span(kWorkedExample).first(10), 1000);
    CHECK_FALSE(dec.next(e));
    dec.feed(std::span(kWorkedExample).subspan(10, 27), 2000);
    CHECK_FALSE(dec.next(e));
    dec.feed(std::span(kWorkedExample).subspan(37), 3000);
    REQUIRE(dec.next(e));
    CHECK(std::get<ForcePlateSample>(e).stamp.host_time_ns == 3000);
}

TEST_CASE("A stream that ends inside a frame counts it as truncated", "[devices][stance_frame]") {
    StanceFrameDecoder dec;
    dec.feed(std::span(kWorkedExample).first(30), 0);
    StanceFrameView f;
    CHECK_FALSE(dec.next(f));
    dec.finish();
    CHECK(dec.counters().truncated == 1);
    CHECK(dec.counters().bytes_dropped == 30);
    CHECK(dec.counters().frames == 0);
}
