#include "stance/devices/simulated_devices.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "stance/devices/errors.hpp"

namespace stance::devices {

namespace {

constexpr std::int32_t kHx711Min = -(1 << 23);  // 24-bit two's complement range
constexpr std::int32_t kHx711Max = (1 << 23) - 1;

void requireRate(const char* device, double rate, double max_rate) {
    if (!(rate >= 1.0 && rate <= max_rate)) {
        throw DeviceError(device, "rate " + std::to_string(rate) + " Hz is outside 1-" +
                                      std::to_string(static_cast<int>(max_rate)) + " Hz");
    }
}

void requireNonNegative(const char* device, double v, const char* what) {
    if (!(v >= 0.0) || !std::isfinite(v))
        throw DeviceError(device, std::string(what) + " must be finite and not negative");
}

// The device clock as the 32-bit microsecond counter of the Stance frame (wraps).
std::uint32_t toDeviceMicros(double device_time_s) {
    const auto us = static_cast<std::int64_t>(std::llround(device_time_s * 1e6));
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(us) & 0xFFFFFFFFu);
}

DeviceInfo makeInfo(DeviceKind kind, std::uint8_t channels, std::uint32_t serial, double rate,
                    std::string_view model) {
    DeviceInfo info;
    info.kind = kind;
    info.channels = channels;
    info.firmware_major = 1;
    info.firmware_minor = 0;
    info.firmware_patch = 0;
    info.serial_number = serial;
    info.nominal_rate_hz = rate;
    info.setModelName(model);
    return info;
}

std::uint8_t frameFlags(const SampleStamp& stamp) {
    std::uint8_t flags = 0;
    if (hasFlag(stamp.flags, SampleFlag::kSaturated))
        flags |= static_cast<std::uint8_t>(StanceFrameFlag::kSaturated);
    if (hasFlag(stamp.flags, SampleFlag::kDeviceOverrun))
        flags |= static_cast<std::uint8_t>(StanceFrameFlag::kOverrun);
    return flags;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Plate

SimulatedPlate::SimulatedPlate(const BodyOptions& body, PlateSimOptions options)
    : body_(body), options_(options), rng_(mixSeed(options.noise_seed, 11)) {
    requireRate("simulated plate", options_.rate_hz, 2000.0);
    requireNonNegative("simulated plate", options_.force_noise_n, "force noise");
    requireNonNegative("simulated plate", options_.moment_noise_nm, "moment noise");
    requireNonNegative("simulated plate", options_.geometry.origin_depth_m, "origin depth");
}

ForcePlateSample SimulatedPlate::next() {
    const double t = nextTime();
    const BodyState b = body_.stateAt(t);
    const PlateGeometry& g = options_.geometry;
    // Moment of the ground reaction, applied at the COP on the surface, about the device origin
    // O = (offset, -depth): M = (P - O) x F, plus the free moment about z.
    const std::array<double, 3> r{b.cop_m[0] - g.origin_offset_m[0],
                                  b.cop_m[1] - g.origin_offset_m[1], g.origin_depth_m};
    const std::array<double, 3>& f = b.force_n;
    ForcePlateSample s;
    s.force_n = f;
    s.moment_nm = {r[1] * f[2] - r[2] * f[1], r[2] * f[0] - r[0] * f[2],
                   r[0] * f[1] - r[1] * f[0] + b.free_moment_nm * b.load_fraction};
    for (std::size_t c = 0; c < 3; ++c) {
        s.force_n[c] += options_.force_noise_n * rng_.gaussian();
        s.moment_nm[c] += options_.moment_noise_nm * rng_.gaussian();
    }
    s.stamp.counter = index_;
    s.stamp.device_time_s = options_.clock.at(t);
    ++index_;
    return s;
}

DeviceInfo SimulatedPlate::info() const {
    return makeInfo(DeviceKind::kForcePlate, 6, options_.serial_number, options_.rate_hz,
                    "stance-sim-plate");
}

// ---------------------------------------------------------------------------------------------
// Load-cell board

SimulatedLoadCellBoard::SimulatedLoadCellBoard(const BodyOptions& body, LoadCellSimOptions options)
    : body_(body), options_(options), rng_(mixSeed(options.noise_seed, 12)) {
    requireRate("simulated load-cell board", options_.rate_hz, 1000.0);
    requireNonNegative("simulated load-cell board", options_.count_noise, "count noise");
    const auto& p = options_.calibration.position_m;
    for (std::size_t c = 0; c < 4; ++c) {
        const double scale = options_.calibration.scale_n_per_count[c];
        if (!(scale > 0.0) || !std::isfinite(scale)) {
            throw DeviceError("simulated load-cell board",
                              "cell " + std::to_string(c) + " scale must be positive");
        }
        // The bilinear split below needs a rectangle centred on the origin.
        if (std::abs(std::abs(p[c][0]) - std::abs(p[0][0])) > 1e-9 ||
            std::abs(std::abs(p[c][1]) - std::abs(p[0][1])) > 1e-9 || p[c][0] == 0.0 ||
            p[c][1] == 0.0) {
            throw DeviceError("simulated load-cell board",
                              "cell positions must form a rectangle centred on the plate centre");
        }
    }
}

LoadCellSample SimulatedLoadCellBoard::next() {
    const double t = nextTime();
    const BodyState b = body_.stateAt(t);
    const LoadCellCalibration& cal = options_.calibration;
    LoadCellSample s;
    for (std::size_t c = 0; c < 4; ++c) {
        // Bilinear shares (1 + x/xc)(1 + y/yc)/4 sum to 1 and put the weighted mean at the COP.
        const double share = 0.25 * (1.0 + b.cop_m[0] / cal.position_m[c][0]) *
                             (1.0 + b.cop_m[1] / cal.position_m[c][1]);
        const double counts = std::round(b.force_n[2] * share / cal.scale_n_per_count[c] +
                                         options_.count_noise * rng_.gaussian()) +
                              static_cast<double>(cal.offset_counts[c]);
        const double clamped =
            std::clamp(counts, static_cast<double>(kHx711Min), static_cast<double>(kHx711Max));
        if (clamped != counts)
            setFlag(s.stamp.flags, SampleFlag::kSaturated);
        s.raw_counts[c] = static_cast<std::int32_t>(clamped);
    }
    s.force_n = cal.forces(s.raw_counts);
    s.stamp.counter = index_;
    s.stamp.device_time_s = options_.clock.at(t);
    ++index_;
    return s;
}

DeviceInfo SimulatedLoadCellBoard::info() const {
    return makeInfo(DeviceKind::kLoadCellBoard, 4, options_.serial_number, options_.rate_hz,
                    "stance-sim-board");
}

// ---------------------------------------------------------------------------------------------
// IMU

SimulatedImu::SimulatedImu(const BodyOptions& body, ImuSimOptions options)
    : body_(body), options_(options), rng_(mixSeed(options.noise_seed, 13)) {
    requireRate("simulated IMU", options_.rate_hz, 400.0);
    requireNonNegative("simulated IMU", options_.acc_noise_m_s2, "accelerometer noise");
    requireNonNegative("simulated IMU", options_.gyro_noise_rad_s, "gyroscope noise");
    height_m_ = options_.height_m > 0.0 ? options_.height_m : 0.56 * body.height_m;
    if (height_m_ <= body_.ankleHeight_m() || height_m_ > body.height_m) {
        throw DeviceError("simulated IMU", "height " + std::to_string(height_m_) +
                                               " m is not on the body above the ankles");
    }
}

ImuSample SimulatedImu::sampleAt(double t_s, std::uint64_t counter) {
    const BodyState b = body_.stateAt(t_s);
    const BodyPointKinematics k = body_.pointAt(b, height_m_);
    ImuSample s;
    for (std::size_t c = 0; c < 3; ++c) {
        s.acc_m_s2[c] = k.specific_force_sensor_m_s2[c] + options_.acc_noise_m_s2 * rng_.gaussian();
        s.gyro_rad_s[c] =
            k.angular_rate_sensor_rad_s[c] + options_.gyro_noise_rad_s * rng_.gaussian();
    }
    s.quat_wxyz = k.orientation_wxyz;
    s.free_acc_m_s2 = k.acc_m_s2;
    s.status_word = 0x3;  // self-test passed, filter valid
    s.orientation_frame = OrientationFrame::kDevice;
    s.set(ImuField::kAcc);
    s.set(ImuField::kGyro);
    s.set(ImuField::kQuat);
    s.set(ImuField::kFreeAcc);
    s.set(ImuField::kStatus);
    s.stamp.counter = counter;
    s.stamp.device_time_s = options_.clock.at(t_s);
    return s;
}

ImuSample SimulatedImu::next() {
    const double t = nextTime();
    ImuSample s = sampleAt(t, index_);
    ++index_;
    return s;
}

DeviceInfo SimulatedImu::info() const {
    return makeInfo(DeviceKind::kImu, 10, options_.serial_number, options_.rate_hz,
                    "stance-sim-imu");
}

// ---------------------------------------------------------------------------------------------
// Stance-frame device

SimulatedStanceDevice::SimulatedStanceDevice(Source source, DeviceInfo info)
    : source_(std::move(source)), info_(info) {}

SimulatedStanceDevice SimulatedStanceDevice::plate(const BodyOptions& body,
                                                   PlateSimOptions options) {
    SimulatedPlate p(body, options);
    const DeviceInfo info = p.info();
    SimulatedStanceDevice d(std::move(p), info);
    d.geometry_ = options.geometry;
    d.clock_ = options.clock;
    return d;
}

SimulatedStanceDevice SimulatedStanceDevice::loadCellBoard(const BodyOptions& body,
                                                           LoadCellSimOptions options) {
    SimulatedLoadCellBoard b(body, options);
    const DeviceInfo info = b.info();
    SimulatedStanceDevice d(std::move(b), info);
    d.calibration_ = options.calibration;
    d.clock_ = options.clock;
    return d;
}

SimulatedStanceDevice SimulatedStanceDevice::imu(const BodyOptions& body, ImuSimOptions options) {
    SimulatedImu i(body, options);
    const DeviceInfo info = i.info();
    SimulatedStanceDevice d(std::move(i), info);
    d.clock_ = options.clock;
    return d;
}

SimulatedStanceDevice SimulatedStanceDevice::replayPlate(ReplayDevice<ForcePlateSample> replay,
                                                         PlateGeometry geometry,
                                                         std::uint32_t serial) {
    const DeviceInfo info =
        makeInfo(DeviceKind::kForcePlate, 6, serial, replay.rateHz(), "stance-replay-plate");
    SimulatedStanceDevice d(std::move(replay), info);
    d.geometry_ = geometry;
    return d;
}

SimulatedStanceDevice SimulatedStanceDevice::replayLoadCells(ReplayDevice<LoadCellSample> replay,
                                                             LoadCellCalibration calibration,
                                                             std::uint32_t serial) {
    const DeviceInfo info =
        makeInfo(DeviceKind::kLoadCellBoard, 4, serial, replay.rateHz(), "stance-replay-board");
    SimulatedStanceDevice d(std::move(replay), info);
    d.calibration_ = calibration;
    return d;
}

SimulatedStanceDevice SimulatedStanceDevice::replayImu(ReplayDevice<ImuSample> replay,
                                                       std::uint32_t serial) {
    const DeviceInfo info =
        makeInfo(DeviceKind::kImu, 10, serial, replay.rateHz(), "stance-replay-imu");
    return SimulatedStanceDevice(std::move(replay), info);
}

BodySwayModel* SimulatedStanceDevice::body() noexcept {
    return std::visit(
        [](auto& source) -> BodySwayModel* {
            using T = std::decay_t<decltype(source)>;
            if constexpr (std::is_same_v<T, SimulatedPlate> ||
                          std::is_same_v<T, SimulatedLoadCellBoard> ||
                          std::is_same_v<T, SimulatedImu>) {
                return &source.body();
            } else {
                return nullptr;
            }
        },
        source_);
}

double SimulatedStanceDevice::nextTime() const noexcept {
    return std::visit([](const auto& s) { return s.nextTime(); }, source_);
}

void SimulatedStanceDevice::sendInfo(std::vector<std::uint8_t>& out, double t_s) {
    const std::uint32_t us = toDeviceMicros(clock_.at(t_s));
    encoder_.info(out, info_, us);
    if (calibration_)
        encoder_.loadCellCalibration(out, *calibration_, us);
    if (geometry_)
        encoder_.plateGeometry(out, *geometry_, us);
}

void SimulatedStanceDevice::produceUntil(double t_s, std::vector<std::uint8_t>& out) {
    if (!started_) {
        const double t0 = std::min(nextTime(), t_s);
        sendInfo(out, std::isfinite(t0) ? t0 : 0.0);
        started_ = true;
    }
    while (nextTime() <= t_s) {
        std::visit(
            [&](auto& source) {
                const auto sample = source.next();
                using S = std::decay_t<decltype(sample)>;
                const std::uint32_t us = toDeviceMicros(sample.stamp.device_time_s);
                const std::uint8_t flags = frameFlags(sample.stamp);
                if constexpr (std::is_same_v<S, ForcePlateSample>) {
                    encoder_.plate(out, sample.force_n, sample.moment_nm, us, flags);
                } else if constexpr (std::is_same_v<S, LoadCellSample>) {
                    encoder_.loadCells(out, sample.raw_counts, us, flags);
                } else {
                    std::optional<std::array<double, 4>> quat;
                    if (sample.has(ImuField::kQuat))
                        quat = sample.quat_wxyz;
                    encoder_.imu(out, sample.acc_m_s2, sample.gyro_rad_s, quat, us, flags);
                }
            },
            source_);
    }
    last_t_s_ = t_s;
}

void SimulatedStanceDevice::onHostBytes(std::span<const std::uint8_t> bytes,
                                        std::vector<std::uint8_t>& out) {
    host_.feed(bytes, 0);
    StanceFrameView frame;
    while (host_.next(frame)) {
        if (frame.header.type == static_cast<std::uint8_t>(StanceFrameType::kRequestInfo))
            sendInfo(out, last_t_s_);
    }
}

// ---------------------------------------------------------------------------------------------
// Xsens device

SimulatedXsensDevice::SimulatedXsensDevice(const BodyOptions& body, ImuSimOptions imu,
                                           XsensDeviceEmulator::Options emulator)
    : imu_(body, imu), emulator_(std::move(emulator)) {
    // A real MTi's packet counter starts wherever its last session left it.
    Rng rng(mixSeed(imu.noise_seed, 14));
    counter_base_ = static_cast<std::uint16_t>(rng.nextU64() & 0xFFFFu);
}

void SimulatedXsensDevice::track(double t_s) {
    emulator_.advance(t_s);
    const bool measuring = emulator_.mode() == XsensDeviceEmulator::Mode::kMeasurement;
    if (measuring && (!measuring_ || emulator_.measuringSince_s() != start_s_)) {
        // A new Measurement state: messages at since + k / rate.
        start_s_ = emulator_.measuringSince_s();
        rate_hz_ = emulator_.messageRateHz();
        index_ = 0;
    }
    measuring_ = measuring;
}

void SimulatedXsensDevice::powerOn(double t_s, std::vector<std::uint8_t>& out) {
    emulator_.powerOn(t_s, out);
    track(t_s);
}

void SimulatedXsensDevice::onHostBytes(std::span<const std::uint8_t> bytes, double t_s,
                                       std::vector<std::uint8_t>& out) {
    emulator_.onHostBytes(bytes, t_s, out);
    track(t_s);
}

void SimulatedXsensDevice::produceUntil(double t_s, std::vector<std::uint8_t>& out) {
    track(t_s);
    if (!measuring_ || !(rate_hz_ > 0.0))
        return;
    for (;;) {
        const double tk = start_s_ + static_cast<double>(index_) / rate_hz_;
        if (tk > t_s)
            break;
        const ImuSample sample = imu_.sampleAt(tk, counter_base_ + messages_);
        emulator_.measurement(sample, index_, out);
        ++index_;
        ++messages_;
    }
}

}  // namespace stance::devices
