// Simulated devices: the plate, the board and the IMU agree with the body model and with the
// analysis functions that will read them; the byte-producing devices go through the real codecs.

#include <catch2/catch.hpp>
#include <cmath>

#include "devices/sim_support.hpp"
#include "stance/devices/errors.hpp"
#include "stance/devices/simulated_devices.hpp"
#include "stance/devices/stance_frame.hpp"
#include "stance/devices/xsens.hpp"

using namespace stance::devices;
namespace an = stance::analysis;

namespace {

BodyOptions swayingBody(std::uint64_t seed) {
    BodyOptions b;
    b.seed = seed;
    b.condition = {Vision::kEyesClosed, Surface::kFoam};  // large, fast sway
    return b;
}

std::array<double, 3> rotate(const std::array<double, 4>& q, const std::array<double, 3>& v) {
    // v' = q v q*, expanded.
    const double w = q[0], x = q[1], y = q[2], z = q[3];
    return {
        (1 - 2 * (y * y + z * z)) * v[0] + 2 * (x * y - w * z) * v[1] + 2 * (x * z + w * y) * v[2],
        2 * (x * y + w * z) * v[0] + (1 - 2 * (x * x + z * z)) * v[1] + 2 * (y * z - w * x) * v[2],
        2 * (x * z - w * y) * v[0] + 2 * (y * z + w * x) * v[1] + (1 - 2 * (x * x + y * y)) * v[2]};
}

}  // namespace

TEST_CASE("The plate's forces and moments give back the body's COP through the analysis",
          "[devices][sim]") {
    const BodyOptions body = swayingBody(5);
    PlateSimOptions options;
    options.rate_hz = 1000.0;
    options.force_noise_n = 0.0;
    options.moment_noise_nm = 0.0;
    options.geometry = {0.043, {0.012, -0.021}};
    const auto trial = stance::test::simulatePlate(body, 5.0, options);
    const auto cop =
        an::copFromForcePlate(trial.force, trial.moment, stance::test::plateGeometry(options));
    REQUIRE(cop.n_invalid == 0);
    BodySwayModel reference(body);
    double worst = 0.0, range = 0.0;
    for (Eigen::Index i = 0; i < cop.xy_m.rows(); ++i) {
        const BodyState s = reference.stateAt(static_cast<double>(i) / 1000.0);
        worst = std::max(
            {worst, std::abs(cop.xy_m(i, 0) - s.cop_m[0]), std::abs(cop.xy_m(i, 1) - s.cop_m[1])});
        range = std::max(range, std::abs(s.cop_m[1] - cop.xy_m(0, 1)));
    }
    INFO("worst " << worst << " m over an AP range of " << range << " m");
    CHECK(worst < 1e-12);
    CHECK(range > 5e-3);  // the COP did move
    // Weight and its noise: the mean vertical force is m g.
    CHECK(trial.force.col(2).mean() == Approx(body.mass_kg * 9.81).epsilon(2e-3));
}

TEST_CASE("The board's cells give back the body's COP through the analysis", "[devices][sim]") {
    const BodyOptions body = swayingBody(6);
    LoadCellSimOptions options;
    options.count_noise = 0.0;
    SimulatedLoadCellBoard board(body, options);
    BodySwayModel reference(body);
    const Eigen::Index n = 500;
    Eigen::Matrix<double, Eigen::Dynamic, 4> cells(n, 4);
    for (Eigen::Index i = 0; i < n; ++i) {
        const LoadCellSample s = board.next();
        for (Eigen::Index c = 0; c < 4; ++c)
            cells(i, c) = s.force_n[static_cast<std::size_t>(c)];
    }
    const auto cop = an::copFromLoadCells(cells, an::LoadCellGeometry::wiiBalanceBoard());
    REQUIRE(cop.n_invalid == 0);
    double worst = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const BodyState s = reference.stateAt(static_cast<double>(i) / options.rate_hz);
        worst = std::max(
            {worst, std::abs(cop.xy_m(i, 0) - s.cop_m[0]), std::abs(cop.xy_m(i, 1) - s.cop_m[1])});
        CHECK(cells.row(i).sum() == Approx(s.force_n[2]).margin(0.02));  // 0.005 N counts
    }
    CHECK(worst < 2e-5);  // whole counts of 5 mN on ~700 N
    // The devices' Wii geometry is the analysis module's.
    const auto wii = an::LoadCellGeometry::wiiBalanceBoard();
    for (std::size_t c = 0; c < 4; ++c) {
        CHECK(kWiiBoardCellPositions_m[c][0] == wii.position_m[c].x());
        CHECK(kWiiBoardCellPositions_m[c][1] == wii.position_m[c].y());
    }
}

TEST_CASE("A still body leaning forward: the IMU reads gravity tilted by the lean",
          "[devices][sim]") {
    BodyOptions body;
    SwayParameters quiet = SwayParameters::forCondition({});
    quiet.ap.noise = 0.0;
    quiet.ml.noise = 0.0;
    body.parameters = quiet;
    ImuSimOptions options;
    options.acc_noise_m_s2 = 0.0;
    options.gyro_noise_rad_s = 0.0;
    SimulatedImu imu(body, options);
    const ImuSample s = imu.next();
    const double g = BodySwayModel::kGravity_m_s2, lean = body.lean_rad;
    CHECK(s.acc_m_s2[0] == Approx(0.0).margin(1e-9));
    CHECK(s.acc_m_s2[1] == Approx(-g * std::sin(lean)).margin(1e-9));  // y axis tips down
    CHECK(s.acc_m_s2[2] == Approx(g * std::cos(lean)).margin(1e-9));
    for (const double w : s.gyro_rad_s)
        CHECK(w == Approx(0.0).margin(1e-9));
    const auto up = rotate(s.quat_wxyz, {0, 0, 1});
    CHECK(up[1] == Approx(std::sin(lean)).margin(1e-12));  // the body axis leans anterior
    CHECK(imu.height_m() == Approx(0.56 * body.height_m));
}

TEST_CASE("The swaying IMU's signals are consistent with its motion", "[devices][sim]") {
    const BodyOptions body = swayingBody(8);
    ImuSimOptions options;
    options.rate_hz = 400.0;
    options.acc_noise_m_s2 = 0.0;
    options.gyro_noise_rad_s = 0.0;
    SimulatedImu imu(body, options);
    BodySwayModel reference(body);
    const double dt = 1.0 / options.rate_hz;
    std::array<double, 2> integrated{};
    double first_ap = 0.0, first_ml = 0.0, worst_acc = 0.0, worst_quat = 0.0;
    std::array<double, 3> previous_w{};
    const int n = 4000;  // 10 s
    std::vector<std::array<double, 3>> position(n);
    std::vector<ImuSample> samples(n);
    for (int k = 0; k < n; ++k) {
        samples[static_cast<std::size_t>(k)] = imu.next();
        const BodyState s = reference.stateAt(k * dt);
        position[static_cast<std::size_t>(k)] = reference.pointAt(s, imu.height_m()).position_m;
        if (k == 0) {
            first_ml = s.angle_rad[0];
            first_ap = s.angle_rad[1];
        }
        const ImuSample& m = samples[static_cast<std::size_t>(k)];
        // Specific force rotated to the plate frame, minus gravity, is the free acceleration.
        const auto world = rotate(m.quat_wxyz, m.acc_m_s2);
        for (std::size_t i = 0; i < 3; ++i) {
            const double free = world[i] - (i == 2 ? BodySwayModel::kGravity_m_s2 : 0.0);
            worst_acc = std::max(worst_acc, std::abs(free - m.free_acc_m_s2[i]));
        }
        // The quaternion carries the body axis where the model puts the point.
        const auto axis = rotate(m.quat_wxyz, {0, 0, 1});
        const double len = imu.height_m() - reference.ankleHeight_m();
        worst_quat = std::max(worst_quat,
                              std::abs(axis[1] * len - (position[static_cast<std::size_t>(k)][1] -
                                                        body.ankle_position_m[1])));
        if (k > 0) {
            // Trapezoid: gyro x is minus the forward lean rate, gyro y the rightward lean rate.
            integrated[0] += 0.5 * dt * (previous_w[0] + m.gyro_rad_s[0]);
            integrated[1] += 0.5 * dt * (previous_w[1] + m.gyro_rad_s[1]);
        }
        previous_w = m.gyro_rad_s;
    }
    CHECK(worst_acc < 1e-9);
    CHECK(worst_quat < 1e-12);
    const BodyState last = reference.stateAt((n - 1) * dt);
    CHECK(-integrated[0] == Approx(last.angle_rad[1] - first_ap).margin(2e-4));
    CHECK(integrated[1] == Approx(last.angle_rad[0] - first_ml).margin(2e-4));
    CHECK(std::abs(last.angle_rad[1] - first_ap) + std::abs(last.angle_rad[0] - first_ml) > 1e-4);
    // Second differences of the position give the free acceleration.
    double worst_fd = 0.0, scale = 0.0;
    for (std::size_t k = 1; k + 1 < position.size(); ++k) {
        for (std::size_t i = 0; i < 3; ++i) {
            const double fd =
                (position[k + 1][i] - 2 * position[k][i] + position[k - 1][i]) / (dt * dt);
            worst_fd = std::max(worst_fd, std::abs(fd - samples[k].free_acc_m_s2[i]));
            scale = std::max(scale, std::abs(samples[k].free_acc_m_s2[i]));
        }
    }
    INFO("finite-difference error " << worst_fd << " m/s2, largest acceleration " << scale);
    CHECK(worst_fd < 0.05 * scale);
}

TEST_CASE("A simulated plate through the Stance frame arrives as it left", "[devices][sim]") {
    const BodyOptions body = swayingBody(12);
    PlateSimOptions options;
    options.rate_hz = 500.0;
    options.clock = {100.0, 50.0};  // 100 s after power-up, 50 ppm fast
    auto device = SimulatedStanceDevice::plate(body, options);
    SimulatedPlate reference(body, options);
    std::vector<std::uint8_t> bytes;
    device.produceUntil(2.0, bytes);
    StanceDecoder dec;
    dec.feed(bytes, 0);
    std::vector<ForcePlateSample> samples;
    int infos = 0, geometries = 0;
    StanceEvent e;
    while (dec.next(e)) {
        if (std::holds_alternative<DeviceInfo>(e))
            ++infos;
        if (std::holds_alternative<PlateGeometry>(e))
            ++geometries;
        if (const auto* s = std::get_if<ForcePlateSample>(&e))
            samples.push_back(*s);
    }
    CHECK(infos == 1);
    CHECK(geometries == 1);
    REQUIRE(samples.size() == 1001);  // t = 0, 0.002, ..., 2.0
    REQUIRE(dec.info());
    CHECK(dec.info()->kind == DeviceKind::kForcePlate);
    CHECK(dec.info()->nominal_rate_hz == 500.0);
    CHECK(dec.info()->modelName() == "stance-sim-plate");
    CHECK(dec.geometry()->origin_depth_m == static_cast<double>(0.040f));
    CHECK_FALSE(dec.needsInfo());
    for (const auto& s : samples) {
        const ForcePlateSample r = reference.next();
        for (std::size_t c = 0; c < 3; ++c) {
            CHECK(s.force_n[c] == static_cast<double>(static_cast<float>(r.force_n[c])));
            CHECK(s.moment_nm[c] == static_cast<double>(static_cast<float>(r.moment_nm[c])));
        }
        CHECK(s.stamp.device_time_s == Approx(r.stamp.device_time_s).margin(1e-6));
    }
    // 2 s of trial time last 2 s x (1 + 50 ppm) on the device clock.
    CHECK(samples.back().stamp.device_time_s - samples.front().stamp.device_time_s ==
          Approx(2.0 * (1 + 50e-6)).margin(2e-6));
    CHECK(samples.front().stamp.device_time_s == Approx(100.0).margin(1e-6));
    CHECK(dec.counters().sequence_gaps == 0);

    // The host asks again: INFO and geometry come back.
    std::vector<std::uint8_t> request, reply;
    appendStanceRequestInfo(request);
    device.onHostBytes(request, reply);
    dec.feed(reply, 0);
    infos = 0;
    while (dec.next(e))
        infos += std::holds_alternative<DeviceInfo>(e) || std::holds_alternative<PlateGeometry>(e);
    CHECK(infos == 2);
}

TEST_CASE("A simulated board and IMU through the Stance frame", "[devices][sim]") {
    const BodyOptions body = swayingBody(13);
    auto board = SimulatedStanceDevice::loadCellBoard(body);
    SimulatedLoadCellBoard board_ref(body);
    auto imu = SimulatedStanceDevice::imu(body);
    SimulatedImu imu_ref(body);
    std::vector<std::uint8_t> board_bytes, imu_bytes;
    board.produceUntil(1.0, board_bytes);
    imu.produceUntil(1.0, imu_bytes);
    StanceDecoder board_dec, imu_dec;
    board_dec.feed(board_bytes, 0);
    imu_dec.feed(imu_bytes, 0);
    StanceEvent e;
    std::size_t boards = 0, imus = 0;
    while (board_dec.next(e)) {
        if (const auto* s = std::get_if<LoadCellSample>(&e)) {
            const LoadCellSample r = board_ref.next();
            CHECK(s->raw_counts == r.raw_counts);
            CHECK(s->force_n[0] == Approx(r.force_n[0]).epsilon(1e-6));  // float32 scale
            CHECK_FALSE(hasFlag(s->stamp.flags, SampleFlag::kUncalibrated));
            ++boards;
        }
    }
    while (imu_dec.next(e)) {
        if (const auto* s = std::get_if<ImuSample>(&e)) {
            const ImuSample r = imu_ref.next();
            CHECK(s->acc_m_s2[2] == static_cast<double>(static_cast<float>(r.acc_m_s2[2])));
            CHECK(s->quat_wxyz[1] == static_cast<double>(static_cast<float>(r.quat_wxyz[1])));
            CHECK(s->has(ImuField::kQuat));
            ++imus;
        }
    }
    CHECK(boards == 101);
    CHECK(imus == 101);
    CHECK(board_dec.calibration().has_value());
    CHECK(board_dec.counters().uncalibrated == 0);
}

TEST_CASE("A simulated MTi is configured by the real handshake and streams as configured",
          "[devices][sim][xsens]") {
    const BodyOptions body = swayingBody(21);
    ImuSimOptions imu_options;
    imu_options.acc_noise_m_s2 = 0.0;
    SimulatedXsensDevice device(body, imu_options);
    std::vector<std::uint8_t> wire;
    device.powerOn(0.0, wire);
    device.produceUntil(1.0, wire);  // WakeUp unanswered: default output at 100 Hz from 0.5 s
    XsensDecoder host;
    host.feed(wire, 0);
    wire.clear();
    std::size_t before = 0;
    XsensEvent e;
    while (host.next(e))
        before += std::holds_alternative<ImuSample>(e);
    CHECK(before == 51);

    const std::vector<XsensOutput> outputs{
        {xdi::kPacketCounter, kXsensEveryMessage},
        {xdi::kSampleTimeFine, kXsensEveryMessage},
        {xsensDataId(xdi::kAcceleration, XsensPrecision::kFp1220), 200},
        {xsensDataId(xdi::kRateOfTurn, XsensPrecision::kFloat64), 200}};
    XsensHandshake hs({outputs, true, 3});
    std::vector<std::uint8_t> to_device = hs.start();
    double t = 1.0;
    std::vector<ImuSample> samples;
    while (t < 3.0) {
        device.onHostBytes(to_device, t, wire);
        to_device.clear();
        device.produceUntil(t, wire);
        host.feed(wire, 0);
        wire.clear();
        while (host.next(e)) {
            if (const auto* m = std::get_if<XsensMessage>(&e)) {
                const auto reply = hs.onMessage(*m);
                to_device.insert(to_device.end(), reply.begin(), reply.end());
            } else if (hs.done()) {
                samples.push_back(std::get<ImuSample>(e));
            }
        }
        t += 0.005;
    }
    REQUIRE(hs.done());
    CHECK(device.emulator().messageRateHz() == 200.0);
    REQUIRE(samples.size() > 350);
    CHECK(host.counters().sequence_gaps == 0);
    CHECK(host.counters().bytes_dropped == 0);
    for (std::size_t k = 1; k < samples.size(); ++k) {
        CHECK(samples[k].has(ImuField::kAcc));
        CHECK_FALSE(samples[k].has(ImuField::kQuat));
        CHECK(samples[k].stamp.device_time_s - samples[k - 1].stamp.device_time_s ==
              Approx(0.005).margin(1e-4));
        // 12.20 fixed point: within half a step of a plausible specific force.
        CHECK(std::abs(samples[k].acc_m_s2[2] - 9.81) < 0.5);
        const double steps = samples[k].acc_m_s2[0] * 1048576.0;
        CHECK(steps == std::round(steps));
    }
}

TEST_CASE("Simulated devices refuse rates they cannot have", "[devices][sim]") {
    ImuSimOptions imu;
    imu.rate_hz = 1000.0;
    CHECK_THROWS_WITH(SimulatedImu(BodyOptions{}, imu),
                      "simulated IMU: rate 1000.000000 Hz is outside 1-400 Hz");
    PlateSimOptions plate;
    plate.rate_hz = 0.0;
    CHECK_THROWS_AS(SimulatedPlate(BodyOptions{}, plate), DeviceError);
    LoadCellSimOptions board;
    board.calibration.position_m[1] = {0.3, -0.1};
    CHECK_THROWS_AS(SimulatedLoadCellBoard(BodyOptions{}, board), DeviceError);
}
