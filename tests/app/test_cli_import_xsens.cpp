// `stance import --format xsens`: raw Xsens MTi captures into stance-hdf5, run as a user runs it,
// checked against what devices::XsensDecoder gives for the same bytes.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "devices/support.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/keyed_hash.hpp"
#include "stance/devices/mtdata2.hpp"
#include "stance/devices/xbus.hpp"
#include "stance/devices/xsens.hpp"
#include "support/scratch.hpp"

namespace {

namespace dev = stance::devices;
namespace ds = stance::datasets;
using Bytes = std::vector<std::uint8_t>;
using Run = stance::test::CliRun;
using nlohmann::json;

struct Scratch : stance::test::ScratchDir {
    Scratch() : ScratchDir("cli_import_xsens") {}
    Run stance(const std::string& args) const { return stance::test::runStance(args); }
    std::string write(const std::string& name, const Bytes& bytes) const {
        const std::string p = *this / name;
        std::ofstream(p, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
        return p;
    }
};

/// The real captures of tests/data/devices, one Xbus message per element.
std::vector<Bytes> capture(const std::string& which) {
    return stance::test::hexLines(stance::test::deviceData("xsens_mti_gnss_" + which + ".hex"));
}

/// The reference: every sample the decoder delivers for `bytes`, and its counters.
struct Decoded {
    std::vector<dev::ImuSample> inertial;  ///< samples with acc, gyro, quat or free acc
    std::size_t non_inertial = 0;
    dev::DecoderCounters counters;
};
Decoded decode(const Bytes& bytes) {
    dev::XsensDecoder d;
    Decoded out;
    dev::XsensEvent e;
    const auto drain = [&] {
        while (d.next(e)) {
            if (const auto* s = std::get_if<dev::ImuSample>(&e)) {
                if (s->has(dev::ImuField::kAcc) || s->has(dev::ImuField::kGyro) ||
                    s->has(dev::ImuField::kQuat) || s->has(dev::ImuField::kFreeAcc))
                    out.inertial.push_back(*s);
                else
                    ++out.non_inertial;
            }
        }
    };
    d.feed(bytes, 0);
    drain();
    d.finish();
    drain();
    out.counters = d.counters();
    return out;
}

ds::TrialData onlyTrial(const std::string& file) {
    const ds::BundleReader reader(file);
    const auto refs = reader.trials();
    REQUIRE(refs.size() == 1);
    return reader.readTrial(refs[0]);
}

ds::DeviceInfo device(const std::string& file, const std::string& id) {
    for (const auto& d : ds::BundleReader(file).devices()) {
        if (d.id == id)
            return d;
    }
    FAIL("no device " << id);
    return {};
}

std::int64_t intExtra(const ds::DeviceInfo& d, const std::string& key) {
    const auto it = d.extra.find(key);
    REQUIRE(it != d.extra.end());
    return std::get<std::int64_t>(it->second);
}
std::string textExtra(const ds::Attributes& a, const std::string& key) {
    const auto it = a.find(key);
    REQUIRE(it != a.end());
    return std::get<std::string>(it->second);
}

Bytes xbus(dev::XbusMid mid, const Bytes& payload = {}) {
    Bytes out;
    dev::appendXbusMessage(out, mid, payload);
    return out;
}

/// One MTData2 message holding the packets `ids` with the values of `contents`.
Bytes mtData2(const dev::MtData2Contents& contents, const std::vector<std::uint16_t>& ids) {
    Bytes payload;
    dev::appendMtData2Payload(payload, contents, ids);
    return xbus(dev::XbusMid::kMtData2, payload);
}

void append(Bytes& to, const Bytes& more) {
    to.insert(to.end(), more.begin(), more.end());
}

/// A deterministic IMU sample with acc, gyro and (optionally) a unit quaternion.
dev::MtData2Contents synthetic(int i, std::optional<std::uint16_t> counter,
                               std::optional<std::uint32_t> ticks, bool quat,
                               bool inertial = true) {
    dev::MtData2Contents c;
    c.packet_counter = counter;
    c.sample_time_fine = ticks;
    if (inertial) {
        c.imu.acc_m_s2 = {0.125 * i, -9.75, 0.0625 * i - 1.0};
        c.imu.gyro_rad_s = {0.001953125 * i, -0.5, 0.25};
        c.imu.set(dev::ImuField::kAcc);
        c.imu.set(dev::ImuField::kGyro);
    }
    if (quat) {
        const double a = 0.01 * i;
        c.imu.quat_wxyz = {std::cos(a), 0.0, std::sin(a) * 0.6, std::sin(a) * 0.8};
        c.imu.set(dev::ImuField::kQuat);
    }
    return c;
}

const std::vector<std::uint16_t> kCounterTimeAccGyro{
    dev::xdi::kPacketCounter, dev::xdi::kSampleTimeFine, dev::xdi::kAcceleration,
    dev::xdi::kRateOfTurn};

}  // namespace

TEST_CASE("stance import --format xsens: a real capture gives the decoder's values, validated",
          "[cli][import][xsens]") {
    Scratch s;
    const Bytes bytes = stance::test::concat(capture("float32"));
    const std::string trunk = s.write("trunk.bin", bytes);
    const Run r = s.stance("import --format xsens --out " + s / "rec.h5 " + trunk);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    const Decoded ref = decode(bytes);
    REQUIRE(ref.inertial.size() == 19);  // 20 messages, one of them a GNSS PVT message

    const json j = json::parse(r.out);
    CHECK(j["format"] == "xsens");
    const json& trial = j["trials"][0];
    CHECK(trial["path"] == "/subjects/unknown/sessions/undated/trials/001");
    const json& sj = trial["sensors"][0];
    CHECK(sj["sensor"] == "trunk");
    CHECK(sj["imu"] == "/subjects/unknown/sessions/undated/trials/001/imu/trunk");
    CHECK(sj["samples"] == 19);
    CHECK(sj["gaps"] == 0);
    CHECK(sj["fields"] == json::array({"acc", "gyro", "status"}));
    CHECK(sj["time_source"] == "SampleTimeFine");
    CHECK(sj["rate_hz"] == 100.0);
    const json& p = sj["provenance"];
    CHECK(p["capture_bytes"] == bytes.size());
    CHECK(p["xbus_messages"] == 20);
    CHECK(p["mtdata2_messages"] == 20);
    CHECK(p["non_inertial_messages"] == 1);
    CHECK(p["bytes_dropped"] == 0);
    CHECK(p["bad_checksum"] == 0);
    CHECK(p["truncated"] == 0);
    CHECK(p["resyncs"] == 0);
    CHECK(p["sequence_gaps"] == 0);
    CHECK(p["unknown_packets"] == ref.counters.unknown);

    const ds::TrialData t = onlyTrial(s / "rec.h5");
    CHECK(t.info.source_format == "xsens");
    CHECK(t.info.source_id == "trunk");
    CHECK(t.info.condition == "unspecified");
    REQUIRE(t.imu.size() == 1);
    const ds::ImuSignals& imu = t.imu[0];
    CHECK(imu.sensor == "trunk");
    CHECK(imu.frame == "sensor");
    REQUIRE(imu.time_s.size() == 19);
    REQUIRE(imu.acc_mps2.rows() == 19);
    REQUIRE(imu.gyro_radps.rows() == 19);
    CHECK(imu.quat_wxyz.rows() == 0);  // the capture has no Quaternion: no dataset, no zeros
    CHECK(imu.gaps.empty());
    REQUIRE(t.raw.size() == 1);
    const ds::RawSignal& raw = t.raw[0];
    REQUIRE(raw.channels.size() == 7);
    CHECK(raw.channels[0].name == "acc_x");
    CHECK(raw.channels[3].unit == "rad/s");
    CHECK(raw.channels[6].name == "status_word");
    const double t0 = ref.inertial[0].stamp.device_time_s;
    for (Eigen::Index i = 0; i < 19; ++i) {
        const dev::ImuSample& e = ref.inertial[static_cast<std::size_t>(i)];
        for (Eigen::Index k = 0; k < 3; ++k) {
            CHECK(imu.acc_mps2(i, k) == e.acc_m_s2[static_cast<std::size_t>(k)]);
            CHECK(imu.gyro_radps(i, k) == e.gyro_rad_s[static_cast<std::size_t>(k)]);
        }
        CHECK(imu.time_s[i] == Approx(e.stamp.device_time_s - t0).margin(1e-9));
        CHECK(raw.counter[i] == static_cast<std::int64_t>(e.stamp.counter));
        CHECK(raw.values(i, 6) == static_cast<double>(e.status_word));
    }
    // 100 Hz; the GNSS message took PacketCounter 43416 but holds no sample.
    CHECK(imu.time_s[18] == Approx(0.18).margin(1e-12));
    CHECK(raw.counter[0] == 43398);
    CHECK(raw.counter[17] == 43415);
    CHECK(raw.counter[18] == 43417);
    CHECK(raw.time_s == imu.time_s);

    const ds::DeviceInfo d = device(s / "rec.h5", "trunk");
    CHECK(d.kind == "imu");
    CHECK(d.make == "Xsens");
    CHECK(d.rate_hz == 100.0);
    CHECK(textExtra(d.extra, "capture_file") == "trunk.bin");
    CHECK(textExtra(d.extra, "capture_sha256") == ds::toHex(ds::Sha256::hash(bytes)));
    CHECK(intExtra(d, "xbus_messages") == 20);
    CHECK(intExtra(d, "samples") == 19);
    CHECK(intExtra(d, "bytes_dropped") == 0);

    const Run v = s.stance("validate " + s / "rec.h5");
    INFO(v.out);
    CHECK(v.status == 0);
    CHECK(v.out.find("valid stance-hdf5 version 1") != std::string::npos);
}

TEST_CASE("stance import --format xsens: several captures are several sensors of one trial",
          "[cli][import][xsens]") {
    Scratch s;
    const Bytes a = stance::test::concat(capture("float32"));
    const Bytes b = stance::test::concat(capture("fp1220"));
    const std::string fa = s.write("a.bin", a), fb = s.write("b.bin", b);
    const Run r = s.stance(
        "import --format xsens --sensor trunk,shank --subject s01 --condition "
        "eo_firm --session-start 2024-03-05T10:15:00Z --output text --out " +
        s / "rec.h5 " + fa + " " + fb);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("wrote " + s / "rec.h5" + ": 1 trial, 2 sensor(s)") != std::string::npos);
    CHECK(r.out.find("imu/trunk  <- " + fa + "  (19 samples") != std::string::npos);
    CHECK(r.out.find("imu/shank  <- " + fb + "  (11 samples") != std::string::npos);

    const ds::TrialData t = onlyTrial(s / "rec.h5");
    CHECK(t.info.condition == "eo_firm");
    CHECK(t.info.source_id == "a+b");
    REQUIRE(t.imu.size() == 2);
    const ds::ImuSignals& shank = t.imu[0].sensor == "shank" ? t.imu[0] : t.imu[1];
    // Fixed point 12.20 values exactly as the decoder gives them.
    const Decoded ref = decode(b);
    REQUIRE(shank.acc_mps2.rows() == 11);
    for (Eigen::Index i = 0; i < 11; ++i) {
        CHECK(shank.acc_mps2(i, 1) == ref.inertial[static_cast<std::size_t>(i)].acc_m_s2[1]);
        CHECK(shank.gyro_radps(i, 2) == ref.inertial[static_cast<std::size_t>(i)].gyro_rad_s[2]);
    }
    CHECK(shank.time_s[0] == 0.0);  // each sensor starts at its own first sample
    CHECK(textExtra(t.info.extra, "time_alignment").find("per sensor") == 0);
    CHECK(s.stance("validate " + s / "rec.h5").status == 0);

    // On one shared clock the later capture starts 5171.4266 - 5170.3123 s after the first.
    const Run shared = s.stance("import --format xsens --shared-clock --sensor trunk,shank --out " +
                                s / "shared.h5 " + fa + " " + fb);
    INFO(shared.err);
    REQUIRE(shared.status == 0);
    const ds::TrialData u = onlyTrial(s / "shared.h5");
    for (const auto& imu : u.imu)
        CHECK(imu.time_s[0] == Approx(imu.sensor == "shank" ? 1.1143 : 0.0).margin(1e-9));
    CHECK(textExtra(u.info.extra, "time_alignment").find("shared device clock") == 0);
}

TEST_CASE("stance import --format xsens: a capture cut mid-message counts what it skipped",
          "[cli][import][xsens]") {
    Scratch s;
    const std::vector<Bytes> m = capture("float32");
    REQUIRE(m.size() == 20);
    // Starts 7 bytes into message 0, loses the last 10 bytes of message 4 (PacketCounter
    // 43402), ends 30 bytes into message 19.
    Bytes bytes(m[0].begin() + 7, m[0].end());
    for (std::size_t i = 1; i < 19; ++i) {
        if (i == 4)
            bytes.insert(bytes.end(), m[4].begin(), m[4].end() - 10);
        else
            append(bytes, m[i]);
    }
    bytes.insert(bytes.end(), m[19].begin(), m[19].begin() + 30);
    const Run r =
        s.stance("import --format xsens --out " + s / "cut.h5 " + s.write("cut.bin", bytes));
    INFO(r.err);
    REQUIRE(r.status == 0);
    const json parsed_sj = json::parse(r.out);
    const json& sj = parsed_sj["trials"][0]["sensors"][0];
    const json& p = sj["provenance"];
    CHECK(p["xbus_messages"] == 17);  // messages 1-3 and 5-18
    CHECK(p["bytes_dropped"] == (m[0].size() - 7) + (m[4].size() - 10) + 30);
    CHECK(p["truncated"] == 2);  // message 4 (message 5 starts inside it) and message 19
    CHECK(p["resyncs"] == 2);    // at message 1 and at message 5
    CHECK(p["bad_checksum"] == 0);
    CHECK(p["bad_header"] == 0);
    CHECK(p["sequence_gaps"] == 1);
    CHECK(p["samples_missing"] == 1);
    CHECK(p["non_inertial_messages"] == 1);
    CHECK(sj["samples"] == 16);
    CHECK(sj["gaps"] == 1);
    // The same counts as the decoder on its own.
    const Decoded ref = decode(bytes);
    CHECK(p["bytes_dropped"] == ref.counters.bytes_dropped);
    CHECK(p["truncated"] == ref.counters.truncated);

    const ds::TrialData t = onlyTrial(s / "cut.h5");
    REQUIRE(t.imu.size() == 1);
    // Rows 43399, 43400, 43401, then 43403: the 10 ms without a sample is one gap row.
    REQUIRE(t.imu[0].gaps.size() == 1);
    CHECK(t.imu[0].gaps[0].start_s == Approx(0.03).margin(1e-12));
    CHECK(t.imu[0].gaps[0].end_s == Approx(0.04).margin(1e-12));
    CHECK(t.raw[0].gaps == t.imu[0].gaps);
    CHECK(t.raw[0].counter[2] == 43401);
    CHECK(t.raw[0].counter[3] == 43403);
    CHECK(t.imu[0].time_s[3] == Approx(0.04).margin(1e-12));
    CHECK(s.stance("validate " + s / "cut.h5").status == 0);
}

TEST_CASE("stance import --format xsens: corrupted, empty and foreign captures",
          "[cli][import][xsens]") {
    Scratch s;
    const std::vector<Bytes> m = capture("float32");

    SECTION("one damaged byte: a bad checksum, the message's bytes dropped, a gap") {
        std::vector<Bytes> damaged = m;
        damaged[7][20] ^= 0x01;  // inside message 7's Acceleration (PacketCounter 43405)
        const Bytes bytes = stance::test::concat(damaged);
        const Run r =
            s.stance("import --format xsens --out " + s / "bad.h5 " + s.write("bad.bin", bytes));
        INFO(r.err);
        REQUIRE(r.status == 0);
        const json parsed_sj = json::parse(r.out);
        const json& sj = parsed_sj["trials"][0]["sensors"][0];
        CHECK(sj["provenance"]["bad_checksum"] == 1);
        CHECK(sj["provenance"]["bytes_dropped"] == m[7].size());
        CHECK(sj["provenance"]["resyncs"] == 1);
        CHECK(sj["provenance"]["xbus_messages"] == 19);
        CHECK(sj["samples"] == 18);
        const ds::TrialData t = onlyTrial(s / "bad.h5");
        REQUIRE(t.imu[0].gaps.size() == 1);
        CHECK(t.imu[0].gaps[0].start_s == Approx(0.07).margin(1e-12));
        CHECK(t.imu[0].gaps[0].end_s == Approx(0.08).margin(1e-12));
        CHECK(s.stance("validate " + s / "bad.h5").status == 0);
    }
    SECTION("garbage: exit 1 naming the file, nothing written") {
        Bytes noise(4096);
        std::uint32_t x = 12345;
        for (auto& b : noise) {
            x = x * 1664525u + 1013904223u;
            b = static_cast<std::uint8_t>(x >> 24);
        }
        const std::string f = s.write("noise.bin", noise);
        const Run r = s.stance("import --format xsens --out " + s / "o.h5 " + f);
        CHECK(r.status == 1);
        CHECK(r.err.find(f + ": no Xbus message decodes from its 4096 bytes") != std::string::npos);
        CHECK(r.err.find("nothing written to " + s / "o.h5") != std::string::npos);
        CHECK(s.files() == std::vector<std::string>{"noise.bin"});
    }
    SECTION("empty, hex text, missing: each named, exit 1") {
        const Run empty =
            s.stance("import --format xsens --out " + s / "o.h5 " + s.write("e.bin", {}));
        CHECK(empty.status == 1);
        CHECK(empty.err.find("e.bin: the capture is empty") != std::string::npos);
        const Run hex = s.stance("import --format xsens --out " + s / "o.h5 " +
                                 stance::test::deviceData("xsens_mti_gnss_float32.hex"));
        CHECK(hex.status == 1);
        CHECK(hex.err.find("it looks like hex text") != std::string::npos);
        const Run missing = s.stance("import --format xsens --out " + s / "o.h5 " + s / "no.bin");
        CHECK(missing.status == 1);
        CHECK(missing.err.find(s / "no.bin" + ": cannot be opened") != std::string::npos);
        CHECK(s.files() == std::vector<std::string>{"e.bin"});
    }
    SECTION("all or nothing: one bad capture among good ones leaves the old file as it was") {
        const std::string good = s.write("good.bin", stance::test::concat(m));
        REQUIRE(s.stance("import --format xsens --out " + s / "o.h5 " + good).status == 0);
        const std::string before = stance::test::slurp(s / "o.h5");
        Bytes config_only = xbus(dev::XbusMid::kGoToConfigAck);
        append(config_only, xbus(dev::XbusMid::kDeviceId, {0x03, 0x70, 0x12, 0x34}));
        const std::string cfg = s.write("config.bin", config_only);
        const Run r =
            s.stance("import --format xsens --force --out " + s / "o.h5 " + good + " " + cfg);
        CHECK(r.status == 1);
        CHECK(r.err.find(cfg + ": 2 Xbus messages decode but none is MTData2") !=
              std::string::npos);
        CHECK(stance::test::slurp(s / "o.h5") == before);
        CHECK(s.files() == std::vector<std::string>{"config.bin", "good.bin", "o.h5"});
    }
}

TEST_CASE("stance import --format xsens: quaternions at a lower rate, wrapping clocks, identity",
          "[cli][import][xsens]") {
    Scratch s;
    Bytes bytes;
    // What a logger records from power-up: WakeUp, then a host's handshake replies.
    append(bytes, xbus(dev::XbusMid::kWakeUp));
    append(bytes, xbus(dev::XbusMid::kDeviceId, {0x03, 0x70, 0x12, 0x34}));
    append(bytes, xbus(dev::XbusMid::kFirmwareRevision, {1, 2, 3}));
    const std::uint16_t quat_id = dev::xsensDataId(
        dev::xdi::kQuaternion, dev::XsensPrecision::kFp1632, dev::OrientationFrame::kNed);
    const std::vector<dev::XsensOutput> config{{dev::xdi::kPacketCounter, dev::kXsensEveryMessage},
                                               {dev::xdi::kSampleTimeFine, dev::kXsensEveryMessage},
                                               {quat_id, 100},
                                               {dev::xdi::kAcceleration, 400},
                                               {dev::xdi::kRateOfTurn, 400}};
    append(bytes, xbus(dev::XbusMid::kOutputConfiguration, dev::encodeOutputConfiguration(config)));
    // 40 messages at 400 Hz (25 ticks); PacketCounter wraps after 6, SampleTimeFine after 4;
    // the quaternion in every 4th; message 21 lost.
    for (int i = 0; i < 40; ++i) {
        if (i == 21)
            continue;
        const auto counter = static_cast<std::uint16_t>(65530 + i);
        const auto ticks = static_cast<std::uint32_t>(4294967196u + 25u * static_cast<unsigned>(i));
        const bool quat = i % 4 == 0;
        std::vector<std::uint16_t> ids = kCounterTimeAccGyro;
        if (quat)
            ids.push_back(quat_id);
        append(bytes, mtData2(synthetic(i, counter, ticks, quat), ids));
    }
    const Run r = s.stance("import --format xsens --sensor imu1 --out " + s / "q.h5 " +
                           s.write("q.bin", bytes));
    INFO(r.err);
    REQUIRE(r.status == 0);
    const json parsed_sj = json::parse(r.out);
    const json& sj = parsed_sj["trials"][0]["sensors"][0];
    CHECK(sj["fields"] == json::array({"acc", "gyro", "quat"}));
    CHECK(sj["samples"] == 39);
    CHECK(sj["rate_hz"] == 400.0);
    CHECK(sj["provenance"]["other_messages"] == 4);
    CHECK(sj["provenance"]["device_restarts"] == 1);  // the WakeUp before any sample
    CHECK(sj["provenance"]["sequence_gaps"] == 1);

    const Decoded ref = decode(bytes);
    REQUIRE(ref.inertial.size() == 39);
    const ds::TrialData t = onlyTrial(s / "q.h5");
    const ds::ImuSignals& imu = t.imu.at(0);
    REQUIRE(imu.quat_wxyz.rows() == 39);
    for (Eigen::Index row = 0; row < 39; ++row) {
        const int i = row < 21 ? static_cast<int>(row) : static_cast<int>(row) + 1;
        const dev::ImuSample& e = ref.inertial[static_cast<std::size_t>(row)];
        CHECK(imu.time_s[row] == Approx(0.0025 * i).margin(1e-12));
        CHECK(t.raw[0].counter[row] == 65530 + i);  // unwrapped past 65535
        CHECK(imu.acc_mps2(row, 0) == 0.125 * i);
        if (i % 4 == 0) {
            for (Eigen::Index k = 0; k < 4; ++k)
                CHECK(imu.quat_wxyz(row, k) == e.quat_wxyz[static_cast<std::size_t>(k)]);
            CHECK(imu.quat_wxyz(row, 3) == Approx(std::sin(0.01 * i) * 0.8).margin(1e-9));
        } else {
            CHECK(std::isnan(imu.quat_wxyz(row, 0)));  // not sent in this message: NaN, never 0
        }
    }
    REQUIRE(imu.gaps.size() == 1);
    CHECK(imu.gaps[0].start_s == Approx(0.0525).margin(1e-12));
    CHECK(imu.gaps[0].end_s == Approx(0.055).margin(1e-12));

    const ds::DeviceInfo d = device(s / "q.h5", "imu1");
    CHECK(d.serial == "03701234");
    CHECK(d.firmware == "1.2.3");
    CHECK(d.rate_hz == 400.0);
    CHECK(textExtra(d.extra, "rate_source") == "OutputConfiguration");
    CHECK(textExtra(d.extra, "orientation_frame") == "NED");
    CHECK(textExtra(d.extra, "output_configuration") ==
          "1020:every,1060:every,2016:100,4020:400,"
          "8020:400");
    CHECK(s.stance("validate " + s / "q.h5").status == 0);
}

TEST_CASE("stance import --format xsens: no SampleTimeFine, restarts, time going back, no acc",
          "[cli][import][xsens]") {
    Scratch s;
    SECTION("PacketCounter only") {
        // PacketCounter 100-102, 103 taken by a message without inertial data, 104-106, 107
        // lost, 108-110; no SampleTimeFine anywhere.
        Bytes bytes;
        std::uint16_t counter = 100;
        for (int i = 0; i < 10; ++i) {
            if (i == 6) {
                ++counter;  // lost
                continue;
            }
            append(bytes, mtData2(synthetic(i, counter++, std::nullopt, false),
                                  {dev::xdi::kPacketCounter, dev::xdi::kAcceleration,
                                   dev::xdi::kRateOfTurn}));
            if (i == 2) {
                append(bytes, mtData2(synthetic(0, counter++, std::nullopt, false, false),
                                      {dev::xdi::kPacketCounter}));
            }
        }
        const std::string f = s.write("pc.bin", bytes);
        const Run refused = s.stance("import --format xsens --out " + s / "pc.h5 " + f);
        CHECK(refused.status == 1);
        CHECK(refused.err.find(f + ": 9 of 9 samples carry no SampleTimeFine: give --rate-hz") !=
              std::string::npos);
        CHECK(!std::filesystem::exists(s / "pc.h5"));

        const Run r = s.stance("import --format xsens --rate-hz 100 --out " + s / "pc.h5 " + f);
        INFO(r.err);
        REQUIRE(r.status == 0);
        CHECK(json::parse(r.out)["trials"][0]["sensors"][0]["time_source"] == "PacketCounter");
        const ds::TrialData t = onlyTrial(s / "pc.h5");
        const ds::ImuSignals& imu = t.imu.at(0);
        REQUIRE(imu.time_s.size() == 9);
        // Sample i at i / 100 s: the non-inertial message's counter value is not a sample time.
        CHECK(imu.time_s[3] == Approx(0.03).margin(1e-12));
        CHECK(imu.time_s[6] == Approx(0.07).margin(1e-12));
        CHECK(t.raw[0].counter[3] == 104);
        REQUIRE(imu.gaps.size() == 1);
        CHECK(imu.gaps[0].start_s == Approx(0.06).margin(1e-12));
        CHECK(imu.gaps[0].end_s == Approx(0.07).margin(1e-12));
        CHECK(s.stance("validate " + s / "pc.h5").status == 0);
    }
    SECTION("a restart after samples: exit 1, nothing written") {
        Bytes bytes;
        for (int i = 0; i < 3; ++i)
            append(bytes, mtData2(synthetic(i, static_cast<std::uint16_t>(i),
                                            1000u + 100u * static_cast<unsigned>(i), false),
                                  kCounterTimeAccGyro));
        append(bytes, xbus(dev::XbusMid::kWakeUp));
        append(bytes, mtData2(synthetic(3, 0, 5u, false), kCounterTimeAccGyro));
        const std::string f = s.write("restart.bin", bytes);
        const Run r = s.stance("import --format xsens --out " + s / "r.h5 " + f);
        CHECK(r.status == 1);
        CHECK(r.err.find(f + ": the device restarted (WakeUp) after 3 samples") !=
              std::string::npos);
        CHECK(!std::filesystem::exists(s / "r.h5"));
    }
    SECTION("a sample whose time goes back is dropped and counted; device errors warned") {
        Bytes bytes;
        const std::uint32_t ticks[6] = {1000, 1100, 1200, 1150, 1300, 1400};
        for (int i = 0; i < 6; ++i) {
            append(bytes, mtData2(synthetic(i, static_cast<std::uint16_t>(i), ticks[i], false),
                                  kCounterTimeAccGyro));
            if (i == 4)
                append(bytes, xbus(dev::XbusMid::kError, {0x29}));
        }
        const std::string f = s.write("back.bin", bytes);
        const Run r = s.stance("import --format xsens --out " + s / "b.h5 " + f);
        INFO(r.err);
        REQUIRE(r.status == 0);
        CHECK(r.err.find(f + ": the device sent Error 0x29 (data overflow) 1 time(s)") !=
              std::string::npos);
        CHECK(r.err.find(f + ": 1 sample(s) dropped: their time is not after the sample before") !=
              std::string::npos);
        const json parsed = json::parse(r.out);
        const json& p = parsed["trials"][0]["sensors"][0]["provenance"];
        CHECK(p["samples_out_of_order"] == 1);
        CHECK(p["device_errors"] == 1);
        CHECK(p["other_messages"] == 1);
        const ds::TrialData t = onlyTrial(s / "b.h5");
        REQUIRE(t.imu.at(0).time_s.size() == 5);
        CHECK(t.raw[0].counter[3] == 4);  // the sample with counter 3 went
        CHECK(t.imu[0].time_s[3] == Approx(0.03).margin(1e-12));
        CHECK(t.imu[0].gaps.empty());
        CHECK(s.stance("validate " + s / "b.h5").status == 0);
    }
    SECTION("orientation only: raw/<sensor> alone, with a warning") {
        Bytes bytes;
        for (int i = 0; i < 5; ++i) {
            append(bytes, mtData2(synthetic(i, static_cast<std::uint16_t>(i),
                                            100u * static_cast<unsigned>(i), true, false),
                                  {dev::xdi::kPacketCounter, dev::xdi::kSampleTimeFine,
                                   dev::xdi::kQuaternion}));
        }
        const Run r =
            s.stance("import --format xsens --out " + s / "o.h5 " + s.write("ori.bin", bytes));
        INFO(r.err);
        REQUIRE(r.status == 0);
        CHECK(r.err.find("warning: " + s / "ori.bin" +
                         ": the capture has no Acceleration or RateOfTurn: imu/ori needs both") !=
              std::string::npos);
        const json parsed_sj = json::parse(r.out);
        const json& sj = parsed_sj["trials"][0]["sensors"][0];
        CHECK(sj["imu"].is_null());
        CHECK(sj["fields"] == json::array({"quat"}));
        const ds::TrialData t = onlyTrial(s / "o.h5");
        CHECK(t.imu.empty());
        REQUIRE(t.raw.size() == 1);
        CHECK(t.raw[0].values.cols() == 4);
        CHECK(t.raw[0].channels[0].name == "quat_w");
        CHECK(t.raw[0].time_s[4] == Approx(0.04).margin(1e-12));
        CHECK(s.stance("validate " + s / "o.h5").status == 0);
    }
}

TEST_CASE("stance import --format xsens: usage errors exit 2 and name the problem",
          "[cli][import][xsens]") {
    Scratch s;
    const std::string f = s.write("a.bin", stance::test::concat(capture("float32")));
    const std::string spaced = s.write("my capture.bin", stance::test::concat(capture("fp1220")));
    const auto run = [&](const std::string& args) { return s.stance("import " + args); };

    const Run count = run("--format xsens --sensor x,y --out " + s / "o.h5 " + f);
    CHECK(count.status == 2);
    CHECK(count.err.find("--sensor names 2 sensor(s) for 1 capture(s)") != std::string::npos);
    const Run twice = run("--format xsens --out " + s / "o.h5 " + f + " " + f);
    CHECK(twice.status == 2);
    CHECK(twice.err.find("sensor name 'a' is given to both") != std::string::npos);
    const Run name = run("--format xsens --out " + s / "o.h5" + " '" + spaced + "'");
    CHECK(name.status == 2);
    CHECK(name.err.find("sensor name 'my capture' has the character ' '") != std::string::npos);
    CHECK(name.err.find("name it with --sensor") != std::string::npos);
    const Run axes = run("--format xsens --plate-axes x,y,z --out " + s / "o.h5 " + f);
    CHECK(axes.status == 2);
    CHECK(axes.err.find("--plate-axes does not apply to xsens") != std::string::npos);
    const Run columns = run("--format xsens --columns t:s --out " + s / "o.h5 " + f);
    CHECK(columns.status == 2);
    const Run sensor_elsewhere = run("--format bds --sensor x --out " + s / "o.h5 " + f);
    CHECK(sensor_elsewhere.status == 2);
    CHECK(sensor_elsewhere.err.find("--sensor and --shared-clock are for --format xsens") !=
          std::string::npos);
    CHECK(s.files() == std::vector<std::string>{"a.bin", "my capture.bin"});
    // The same file named with --sensor imports.
    const Run ok = run("--format xsens --out " + s / "o.h5" + " --sensor leg '" + spaced + "'");
    INFO(ok.err);
    CHECK(ok.status == 0);
    const Run help = run("--help");
    CHECK(help.status == 0);
    CHECK(help.out.find("xsens") != std::string::npos);
}
