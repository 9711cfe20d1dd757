#pragma once
/// \file
/// The sample types every part exchanges: trivially copyable, SI units (N, N m, m/s^2, rad/s, m,
/// s). Plate frame (DESIGN.md): x medio-lateral (subject's right +), y antero-posterior (anterior
/// +), z up, origin at the centre of the plate's top surface.
///
/// Time: every sample carries the device's own clock and counter, unwrapped by the decoder, and
/// the host receive time of the bytes that completed it (the value the caller passed to the
/// decoder's feed()). Aligning the clocks is the caller's job (acquisition/).

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

namespace stance::devices {

/// Per-sample conditions, as bits of SampleStamp::flags.
enum class SampleFlag : std::uint32_t {
    kGapBefore = 1u << 0,        ///< the device counter skipped: samples were lost before this one
    kDeviceRestart = 1u << 1,    ///< the device restarted: its counter and clock restart here
    kDeviceOverrun = 1u << 2,    ///< the device reports it dropped samples before this one
    kSaturated = 1u << 3,        ///< a channel of this sample is at its measurement limit
    kUncalibrated = 1u << 4,     ///< raw values only; the SI fields are NaN (no calibration yet)
    kNoDeviceClock = 1u << 5,    ///< the device sent no clock value: device_time_s is NaN
    kNoDeviceCounter = 1u << 6,  ///< the device sent no counter: counter is the decoder's count
};

constexpr bool hasFlag(std::uint32_t flags, SampleFlag flag) noexcept {
    return (flags & static_cast<std::uint32_t>(flag)) != 0;
}
constexpr void setFlag(std::uint32_t& flags, SampleFlag flag) noexcept {
    flags |= static_cast<std::uint32_t>(flag);
}

/// Where and when a sample comes from.
struct SampleStamp {
    /// Device sample counter, unwrapped to 64 bits (a 16-bit counter that wraps keeps counting).
    /// It restarts when the device restarts (flag kDeviceRestart).
    std::uint64_t counter = 0;
    /// Device clock, unwrapped, seconds since the device's own epoch (its power-up for the
    /// Stance frame, the MTi's SampleTimeFine origin for Xsens); NaN when the device sends none.
    double device_time_s = std::numeric_limits<double>::quiet_NaN();
    /// Host steady-clock time (ns) at which the bytes completing this sample were received, as
    /// passed to the decoder's feed(); 0 for generated samples not yet sent anywhere.
    std::int64_t host_time_ns = 0;
    std::uint32_t flags = 0;  ///< SampleFlag bits
};

enum class DeviceKind : std::uint8_t {
    kUnknown = 0,
    kLoadCellBoard = 1,  ///< 4 vertical load cells (Wii-board class, HX711-style amplifiers)
    kForcePlate = 2,     ///< 6-channel plate: Fx Fy Fz Mx My Mz
    kImu = 3,            ///< accelerometer + gyroscope (+ orientation)
};

/// "load_cell_board", "force_plate", "imu", "unknown".
std::string_view deviceKindName(DeviceKind kind) noexcept;

/// Identity a device reports about itself (Stance frame INFO, Xsens DeviceID).
struct DeviceInfo {
    DeviceKind kind = DeviceKind::kUnknown;
    std::uint8_t channels = 0;
    std::uint8_t firmware_major = 0;
    std::uint8_t firmware_minor = 0;
    std::uint16_t firmware_patch = 0;
    std::uint32_t serial_number = 0;
    double nominal_rate_hz = 0.0;
    std::array<char, 17> model{};  ///< printable ASCII, NUL-terminated, at most 16 characters

    std::string_view modelName() const noexcept;
    /// Copies at most 16 characters of `name`; non-printable characters become '?'.
    void setModelName(std::string_view name) noexcept;
};

/// Nintendo Wii Balance Board sensor positions (plate frame, m), in the order top-right,
/// bottom-right, top-left, bottom-left: 433 mm x 238 mm between sensor centres (Bartlett HL, Ting
/// LH, Bingham JT 2014, Gait Posture 39:224-228; Clark RA et al. 2010, Gait Posture 31:307-310).
/// The same geometry as analysis::LoadCellGeometry::wiiBalanceBoard() (a test holds them equal).
inline constexpr std::array<std::array<double, 2>, 4> kWiiBoardCellPositions_m{
    {{0.2165, 0.119}, {0.2165, -0.119}, {-0.2165, 0.119}, {-0.2165, -0.119}}};

/// Calibration of a 4-load-cell board: force_n[i] = (raw_counts[i] - offset_counts[i]) *
/// scale_n_per_count[i]; cells at position_m[i] in the plate frame.
struct LoadCellCalibration {
    std::array<std::int32_t, 4> offset_counts{};
    std::array<double, 4> scale_n_per_count{};
    std::array<std::array<double, 2>, 4> position_m = kWiiBoardCellPositions_m;

    std::array<double, 4> forces(const std::array<std::int32_t, 4>& raw_counts) const noexcept;
};

/// Where a 6-channel plate measures its moments: the device origin lies origin_depth_m below the
/// top surface, shifted by origin_offset_m (plate frame) from the surface centre. Same meaning as
/// analysis::ForcePlateGeometry's origin_below_surface_m and origin_offset_m.
struct PlateGeometry {
    double origin_depth_m = 0.0;
    std::array<double, 2> origin_offset_m{};
};

/// One sample of a 6-channel plate, already in the plate frame: force_n is the ground reaction on
/// the subject (Fz > 0 while standing), moment_nm its moment about the device origin.
struct ForcePlateSample {
    SampleStamp stamp;
    std::array<double, 3> force_n{};
    std::array<double, 3> moment_nm{};
};

/// One sample of a 4-load-cell board: the raw amplifier counts as acquired and the vertical forces
/// they calibrate to (NaN with kUncalibrated until a calibration is known). Cell order as in
/// kWiiBoardCellPositions_m.
struct LoadCellSample {
    SampleStamp stamp;
    std::array<std::int32_t, 4> raw_counts{};
    std::array<double, 4> force_n{};
};

/// Which fields of an ImuSample the device sent, as bits of ImuSample::fields.
enum class ImuField : std::uint8_t {
    kAcc = 1u << 0,
    kGyro = 1u << 1,
    kQuat = 1u << 2,
    kFreeAcc = 1u << 3,
    kStatus = 1u << 4,
};

/// The reference frame of an orientation (and of free acceleration).
enum class OrientationFrame : std::uint8_t {
    kEnu = 0,     ///< east-north-up (Xsens default)
    kNed = 1,     ///< north-east-down
    kNwu = 2,     ///< north-west-up
    kDevice = 3,  ///< the device's own fusion frame, z up (Stance IMU bridges; simulated IMU: the
                  ///< plate frame)
};

/// One IMU sample in the sensor frame: acc_m_s2 is the specific force (gravity included: +9.81 on
/// the up axis at rest), gyro_rad_s the angular rate, quat_wxyz the orientation of the sensor
/// frame in orientation_frame (v_ref = q v_sensor q*), free_acc_m_s2 the acceleration without
/// gravity in orientation_frame.
struct ImuSample {
    SampleStamp stamp;
    std::array<double, 3> acc_m_s2{};
    std::array<double, 3> gyro_rad_s{};
    std::array<double, 4> quat_wxyz{1.0, 0.0, 0.0, 0.0};
    std::array<double, 3> free_acc_m_s2{};
    std::uint32_t status_word = 0;  ///< Xsens StatusWord (or StatusByte in its low 8 bits)
    std::uint8_t fields = 0;        ///< ImuField bits
    OrientationFrame orientation_frame = OrientationFrame::kEnu;

    bool has(ImuField field) const noexcept {
        return (fields & static_cast<std::uint8_t>(field)) != 0;
    }
    void set(ImuField field) noexcept { fields |= static_cast<std::uint8_t>(field); }
};

static_assert(std::is_trivially_copyable_v<SampleStamp>);
static_assert(std::is_trivially_copyable_v<ForcePlateSample>);
static_assert(std::is_trivially_copyable_v<LoadCellSample>);
static_assert(std::is_trivially_copyable_v<ImuSample>);
static_assert(std::is_trivially_copyable_v<DeviceInfo>);

}  // namespace stance::devices
