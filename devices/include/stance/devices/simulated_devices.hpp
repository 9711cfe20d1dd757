#pragma once
/// \file
/// Simulated devices driven by the body sway model, and the byte-producing devices that send
/// simulated or replayed samples through the real encoders, as hardware would.
///
/// Consistency: every generator owns a BodySwayModel built from the BodyOptions it is given.
/// Generators built from the same BodyOptions (seed included) see the same sway to the last bit,
/// so a plate, a board and an IMU agree without sharing state, and each can live on its own
/// strand. Generators produce samples at trial times k / rate_hz (k = 0, 1, ...) and must be
/// driven forward in time only.
///
/// Device clocks: each device stamps samples with its own clock, device_time = offset_s + (1 +
/// drift_ppm 1e-6) t, so clock alignment downstream has something real to align.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "stance/devices/body_sway.hpp"
#include "stance/devices/random.hpp"
#include "stance/devices/replay.hpp"
#include "stance/devices/samples.hpp"
#include "stance/devices/stance_frame.hpp"
#include "stance/devices/xsens.hpp"

namespace stance::devices {

struct DeviceClock {
    double offset_s = 0.0;
    double drift_ppm = 0.0;
    double at(double t_s) const noexcept { return offset_s + (1.0 + drift_ppm * 1e-6) * t_s; }
};

struct PlateSimOptions {
    double rate_hz = 100.0;  ///< 1-2000 Hz
    /// Measurement origin 40 mm below the surface, as on AMTI OR6-class plates.
    PlateGeometry geometry{0.040, {0.0, 0.0}};
    /// White noise per channel (SD), about what a strain-gauge plate leaves after the 10 Hz
    /// low-pass its data usually get (the normative recordings were filtered so).
    double force_noise_n = 0.1;
    double moment_noise_nm = 0.01;
    std::uint64_t noise_seed = 101;
    DeviceClock clock;
    std::uint32_t serial_number = 1001;
};

/// A 6-channel plate under the simulated subject: forces and moments at the device origin,
/// consistent with analysis::copFromForcePlate (a test recovers the model's COP through it).
class SimulatedPlate {
public:
    /// Throws DeviceError for a rate outside 1-2000 Hz or a negative noise or depth.
    SimulatedPlate(const BodyOptions& body, PlateSimOptions options = {});
    double nextTime() const noexcept { return static_cast<double>(index_) / options_.rate_hz; }
    ForcePlateSample next();
    DeviceInfo info() const;
    const PlateSimOptions& options() const noexcept { return options_; }
    BodySwayModel& body() noexcept { return body_; }

private:
    BodySwayModel body_;
    PlateSimOptions options_;
    Rng rng_;
    std::uint64_t index_ = 0;
};

struct LoadCellSimOptions {
    double rate_hz = 100.0;  ///< 1-1000 Hz (HX711 boards run at 10 or 80 Hz, the Wii board ~100)
    /// HX711-style counts: 200 counts per newton, arbitrary tare offsets, Wii geometry.
    LoadCellCalibration calibration{
        {81234, -40321, 120045, 60210}, {0.005, 0.005, 0.005, 0.005}, kWiiBoardCellPositions_m};
    double count_noise = 3.0;  ///< white noise per cell, counts (SD)
    std::uint64_t noise_seed = 202;
    DeviceClock clock;
    std::uint32_t serial_number = 2001;
};

/// A 4-load-cell board (Wii geometry) under the same subject: the vertical load split over the
/// cells so that their force-weighted mean position is the model's COP (bilinear shares), then
/// turned into 24-bit amplifier counts. Consistent with analysis::copFromLoadCells.
class SimulatedLoadCellBoard {
public:
    SimulatedLoadCellBoard(const BodyOptions& body, LoadCellSimOptions options = {});
    double nextTime() const noexcept { return static_cast<double>(index_) / options_.rate_hz; }
    LoadCellSample next();
    BodySwayModel& body() noexcept { return body_; }
    DeviceInfo info() const;
    const LoadCellSimOptions& options() const noexcept { return options_; }

private:
    BodySwayModel body_;
    LoadCellSimOptions options_;
    Rng rng_;
    std::uint64_t index_ = 0;
};

struct ImuSimOptions {
    double rate_hz = 100.0;  ///< 1-400 Hz
    /// Sensor height above the floor; 0 means 0.56 x body height, about the level of L5 where
    /// sway IMUs are usually worn (Mancini M et al. 2012, J NeuroEng Rehabil 9:59).
    double height_m = 0.0;
    double acc_noise_m_s2 = 0.005;  ///< white noise per axis (SD)
    double gyro_noise_rad_s = 0.001;
    std::uint64_t noise_seed = 303;
    DeviceClock clock;
    std::uint32_t serial_number = 3001;
};

/// A trunk IMU on the simulated body. Sensor axes = plate axes when upright (x right, y anterior,
/// z up). acc is the specific force (gravity included), gyro the body rate, quat_wxyz the
/// orientation in the plate frame (OrientationFrame::kDevice), free_acc the acceleration without
/// gravity in the plate frame; status word 0x3 (self-test passed, filter valid).
class SimulatedImu {
public:
    SimulatedImu(const BodyOptions& body, ImuSimOptions options = {});
    double nextTime() const noexcept { return static_cast<double>(index_) / options_.rate_hz; }
    ImuSample next();
    /// A sample at any (non-decreasing) trial time with the given counter, for devices whose
    /// output rate is set over the wire (the Xsens emulator).
    ImuSample sampleAt(double t_s, std::uint64_t counter);
    DeviceInfo info() const;
    double height_m() const noexcept { return height_m_; }
    BodySwayModel& body() noexcept { return body_; }
    const ImuSimOptions& options() const noexcept { return options_; }

private:
    BodySwayModel body_;
    ImuSimOptions options_;
    Rng rng_;
    double height_m_ = 0.0;
    std::uint64_t index_ = 0;
};

/// A Stance-frame device: a sample source sent through StanceEncoder exactly as the firmware of
/// docs/stance-frame-v1.md would: INFO and its calibration or geometry frame first (the first
/// frame flagged RESTART), then one data frame per sample; REQUEST_INFO from the host is answered
/// with INFO (+ calibration / geometry) again.
class SimulatedStanceDevice {
public:
    using Source = std::variant<SimulatedPlate, SimulatedLoadCellBoard, SimulatedImu,
                                ReplayDevice<ForcePlateSample>, ReplayDevice<LoadCellSample>,
                                ReplayDevice<ImuSample>>;

    static SimulatedStanceDevice plate(const BodyOptions& body, PlateSimOptions options = {});
    static SimulatedStanceDevice loadCellBoard(const BodyOptions& body,
                                               LoadCellSimOptions options = {});
    static SimulatedStanceDevice imu(const BodyOptions& body, ImuSimOptions options = {});
    /// Replays a recorded plate trial (samples in the plate frame) with the given geometry.
    static SimulatedStanceDevice replayPlate(ReplayDevice<ForcePlateSample> replay,
                                             PlateGeometry geometry, std::uint32_t serial = 9001);
    /// Replays load-cell samples; raw_counts are sent, with `calibration` in the calibration frame.
    static SimulatedStanceDevice replayLoadCells(ReplayDevice<LoadCellSample> replay,
                                                 LoadCellCalibration calibration,
                                                 std::uint32_t serial = 9002);
    static SimulatedStanceDevice replayImu(ReplayDevice<ImuSample> replay,
                                           std::uint32_t serial = 9003);

    /// Appends every frame due up to trial time t (INFO etc. on the first call).
    void produceUntil(double t_s, std::vector<std::uint8_t>& out);
    /// Bytes the host wrote; answers REQUEST_INFO. Other frames are ignored.
    void onHostBytes(std::span<const std::uint8_t> bytes, std::vector<std::uint8_t>& out);
    /// Trial time of the next data frame (+inf when a non-looping replay has ended).
    double nextTime() const noexcept;
    const DeviceInfo& info() const noexcept { return info_; }
    /// The body behind a simulated source (null for replays), to change its condition or let the
    /// subject step on or off between trials.
    BodySwayModel* body() noexcept;

private:
    SimulatedStanceDevice(Source source, DeviceInfo info);
    void sendInfo(std::vector<std::uint8_t>& out, double t_s);

    Source source_;
    DeviceInfo info_;
    std::optional<LoadCellCalibration> calibration_;
    std::optional<PlateGeometry> geometry_;
    DeviceClock clock_;
    StanceEncoder encoder_;
    StanceFrameDecoder host_;
    bool started_ = false;
    double last_t_s_ = 0.0;
};

/// A simulated Xsens MTi: the IMU generator behind XsensDeviceEmulator, so the host's real
/// handshake (XsensHandshake over a pseudo-terminal) configures it and it then streams MTData2 at
/// the configured rate and precision.
class SimulatedXsensDevice {
public:
    SimulatedXsensDevice(const BodyOptions& body, ImuSimOptions imu = {},
                         XsensDeviceEmulator::Options emulator = {});
    /// Power-up at trial time t: WakeUp.
    void powerOn(double t_s, std::vector<std::uint8_t>& out);
    void onHostBytes(std::span<const std::uint8_t> bytes, double t_s,
                     std::vector<std::uint8_t>& out);
    /// Appends the MTData2 messages due up to trial time t while in Measurement state.
    void produceUntil(double t_s, std::vector<std::uint8_t>& out);
    const XsensDeviceEmulator& emulator() const noexcept { return emulator_; }
    BodySwayModel& body() noexcept { return imu_.body(); }

private:
    void track(double t_s);

    SimulatedImu imu_;
    XsensDeviceEmulator emulator_;
    bool measuring_ = false;
    double start_s_ = 0.0;
    double rate_hz_ = 0.0;
    std::uint64_t index_ = 0;
    std::uint64_t messages_ = 0;
    std::uint16_t counter_base_ = 0;
};

}  // namespace stance::devices
