// Replayed devices: a real recorded trial (Santos & Duarte 2016, BDS00001, shipped in
// datasets/public) played out through the Stance frame as a device would send it.

#include <catch2/catch.hpp>
#include <cmath>

#include "analysis/fixtures.hpp"
#include "stance/devices/errors.hpp"
#include "stance/devices/replay.hpp"
#include "stance/devices/simulated_devices.hpp"
#include "stance/devices/stance_frame.hpp"

using namespace stance::devices;

namespace {

std::vector<ForcePlateSample> bdsTrial(const std::string& trial) {
    const auto rows = stance::test::readNumericTable(
        stance::test::publicData("bds_santos_duarte_2016/data/" + trial + ".txt"));
    std::vector<double> t;
    std::vector<std::array<double, 6>> channels;
    for (const auto& r : rows) {
        t.push_back(r[0]);
        channels.push_back({r[1], r[2], r[3], r[4], r[5], r[6]});
    }
    return plateSamplesFrom(t, channels);
}

}  // namespace

TEST_CASE("A recorded trial replays through the Stance frame at its own timestamps",
          "[devices][replay]") {
    const auto samples = bdsTrial("BDS00001");
    REQUIRE(samples.size() == 6000);
    ReplayDevice<ForcePlateSample> replay(samples);
    CHECK(replay.rateHz() == Approx(100.0));
    CHECK(replay.nextTime() == 0.0);  // times relative to the first sample (0.010 s in the file)
    auto device = SimulatedStanceDevice::replayPlate(replay, PlateGeometry{0.0, {0.0, 0.0}});
    CHECK(device.info().nominal_rate_hz == Approx(100.0));

    // The caller paces: 0.25 s of trial per call, as a real-time loop would.
    StanceDecoder dec;
    std::vector<ForcePlateSample> got;
    std::vector<std::uint8_t> bytes;
    for (double t = 0.0; t < 61.0; t += 0.25) {
        bytes.clear();
        device.produceUntil(t, bytes);
        dec.feed(bytes, static_cast<std::int64_t>(t * 1e9));
        StanceEvent e;
        while (dec.next(e)) {
            if (const auto* s = std::get_if<ForcePlateSample>(&e)) {
                // Nothing is sent before its time.
                CHECK(s->stamp.device_time_s <= t + 1e-9);
                CHECK(s->stamp.host_time_ns == static_cast<std::int64_t>(t * 1e9));
                got.push_back(*s);
            }
        }
    }
    CHECK(device.nextTime() == std::numeric_limits<double>::infinity());
    REQUIRE(got.size() == samples.size());
    for (std::size_t i = 0; i < got.size(); i += 37) {
        CHECK(got[i].force_n[2] == static_cast<double>(static_cast<float>(samples[i].force_n[2])));
        CHECK(got[i].moment_nm[1] ==
              static_cast<double>(static_cast<float>(samples[i].moment_nm[1])));
        CHECK(got[i].stamp.device_time_s ==
              Approx(samples[i].stamp.device_time_s - samples[0].stamp.device_time_s).margin(1e-6));
    }
    CHECK(dec.counters().sequence_gaps == 0);
    CHECK(dec.counters().bytes_dropped == 0);
}

TEST_CASE("A looping replay keeps its clock going forward", "[devices][replay]") {
    std::vector<double> t{0.0, 0.1, 0.2};
    std::vector<std::array<double, 4>> f{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}};
    LoadCellCalibration cal;
    cal.scale_n_per_count = {0.01, 0.01, 0.01, 0.01};
    cal.offset_counts = {1000, 0, 0, -1000};
    const auto samples = loadCellSamplesFrom(t, f, cal);
    CHECK(samples[1].raw_counts == std::array<std::int32_t, 4>{1500, 600, 700, -200});
    ReplayDevice<LoadCellSample> replay(samples, true);
    std::vector<double> times;
    for (int k = 0; k < 7; ++k) {
        CHECK_FALSE(replay.done());
        times.push_back(replay.next().stamp.device_time_s);
    }
    CHECK(times ==
          std::vector<double>{0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001});
    ReplayDevice<LoadCellSample> once(samples);
    for (int k = 0; k < 3; ++k)
        once.next();
    CHECK(once.done());
}

TEST_CASE("A replay refuses a trial it cannot play", "[devices][replay]") {
    CHECK_THROWS_WITH(ReplayDevice<ImuSample>(std::vector<ImuSample>{}),
                      "replay: the trial holds no samples");
    std::vector<ImuSample> s(3);
    s[0].stamp.device_time_s = 0.0;
    s[1].stamp.device_time_s = 0.01;
    s[2].stamp.device_time_s = 0.01;
    CHECK_THROWS_WITH(ReplayDevice<ImuSample>(s),
                      "replay: sample 2 at 0.010000 s does not come after the one before it");
    std::vector<double> t{0.0, 0.1};
    std::vector<std::array<double, 6>> one_row{{0, 0, 0, 0, 0, 0}};
    CHECK_THROWS_AS(plateSamplesFrom(t, one_row), DeviceError);
}
