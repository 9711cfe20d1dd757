#pragma once
/// \file
/// Postural sway from one inertial sensor on the trunk: orientation from accelerometer and
/// gyroscope, sway angle, horizontal trunk acceleration, and the ISway measures of Mancini et
/// al. 2012.
///
/// Frames. Sensor frame: the device's own axes. Body frame: x to the subject's right, y
/// anterior, z up along the trunk, i.e. the plate frame of DESIGN.md when the subject stands
/// upright; `ImuMounting::body_from_sensor` maps sensor vectors into it (v_body = R v_sensor).
/// World frame: z up (against gravity), x/y horizontal; angles and accelerations are reported in
/// the *heading frame*, the world frame turned about z with the subject's heading, so that its
/// x is ML and its y is AP whatever the gyro's yaw drift.
/// Units: specific force m/s^2 (what an accelerometer reads: +g upwards at rest), rad/s, rad.

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <vector>

#include "stance/analysis/cop.hpp"
#include "stance/analysis/expected.hpp"
#include "stance/analysis/metric_table.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis {

/// One IMU recording, uniformly sampled.
struct ImuRecording {
    Signal3 acc_mps2;    ///< N x 3 specific force, sensor frame
    Signal3 gyro_radps;  ///< N x 3 angular rate, sensor frame
    double fs_hz = 0.0;
};

/// How the sensor sits on the body: v_body = body_from_sensor * v_sensor. Identity when the
/// sensor's x points right, y forwards and z up (e.g. a lumbar sensor with its x to the right).
/// Must be a rotation (orthonormal, det +1).
struct ImuMounting {
    Eigen::Matrix3d body_from_sensor = Eigen::Matrix3d::Identity();
};

/// Mahony nonlinear complementary filter, IMU (no magnetometer) variant (Mahony R, Hamel T,
/// Pflimlin J-M, 2008, "Nonlinear complementary filters on the special orthogonal group", IEEE
/// Trans Autom Control 53(5):1203-1218, the explicit complementary filter with bias estimation):
///   e = a_meas/|a_meas| x v_est,   omega = gyro - b + kp e,   db/dt = -ki e,
///   q' = q (x) (0, omega) / 2,
/// v_est the up direction predicted in the body frame. The gain kp (1/s) is the crossover
/// angular frequency between gyro and accelerometer: with kp = 0.2 s^-1 (0.03 Hz) sway above
/// ~0.05 Hz comes from the gyro, so the trunk's own acceleration (which tilts the measured
/// gravity by L theta''/g, ~36 % of the sway at 0.3 Hz) is attenuated to ~4 %; below it the
/// accelerometer removes gyro drift. ki (1/s^2) estimates a constant gyro bias; 0 disables it and
/// leaves a constant tilt offset of bias/kp (harmless for measures about the mean).
struct OrientationOptions {
    double kp_per_s = 0.2;
    double ki_per_s2 = 0.0;
    /// The initial tilt is taken from the mean specific force over this window (the sway's own
    /// accelerations average out), with zero heading.
    double init_window_s = 1.0;
};

/// Orientation of the body frame in the world frame, one unit quaternion per sample
/// (v_world = q * v_body), and the final gyro bias estimate (rad/s, body frame).
struct Orientation {
    std::vector<Eigen::Quaterniond> body_to_world;
    Eigen::Vector3d gyro_bias_radps = Eigen::Vector3d::Zero();
};

/// Runs the filter over the recording. Gyro increments use the mean of consecutive samples and
/// the exact quaternion exponential. Errors: fewer than 2 samples, fs <= 0, non-finite samples,
/// a mounting matrix that is not a rotation, a mean specific force in the initial window that
/// is not near 1 g (0.5 .. 1.5 g: the sensor is not in m/s^2 or was moving).
Expected<Orientation> estimateOrientation(const ImuRecording& imu, const ImuMounting& mounting,
                                          const OrientationOptions& options = {});

/// Trunk sway angles (rad), col 0 ML (right +), col 1 AP (forward +): the body's up axis u
/// expressed in the heading frame, theta_ML = atan2(u_x, u_z), theta_AP = atan2(u_y, u_z). For an
/// inverted pendulum these are the same angles as swayAngleFromCom gives from a plate.
Signal2 swayAngleFromOrientation(const Orientation& orientation);

/// Horizontal trunk acceleration (m/s^2) in the heading frame, col 0 ML, col 1 AP: the specific
/// force rotated into the world frame minus gravity, z dropped. Errors: sizes differ.
Expected<Signal2> horizontalAcceleration(const ImuRecording& imu, const ImuMounting& mounting,
                                         const Orientation& orientation);

/// ISway processing (Mancini M, Salarian A, Carlson-Kuhta P, et al., 2012, "ISway: a sensitive,
/// valid and reliable measure of postural control", J Neuroeng Rehabil 9:59, Table 2).
/// The horizontal acceleration is low-pass filtered (zero-phase Butterworth) and its mean removed
/// before the measures; the spectral ones use a Welch PSD (Hann, nperseg = N/2, 50 % overlap)
/// restricted to [band_lo_hz, band_hi_hz] (Prieto et al. 1996's band).
struct ISwayOptions {
    double lowpass_hz = 3.5;  ///< Stance default; 0 disables the filter (docs/clinical.md)
    int lowpass_order = 4;
    double band_lo_hz = 0.15;
    double band_hi_hz = 5.0;
};

/// Appends the 13 ISway measures (names `isway_*`, docs/clinical.md gives each formula):
/// jerk (m^2/s^5), dist, rms, path, range (m/s^2; rms and range also per axis), mv (m/s), mf
/// (Hz), area (m^2/s^5), pwr (m^2/s^4), f50, f95, cf (Hz), fd (1). Measures that the data leave
/// undefined are added as errors with the reason.
void appendISwayMeasures(const Eigen::Ref<const Signal2>& acc_h_mps2, double fs_hz,
                         MetricTable& out, const ISwayOptions& options = {});

}  // namespace stance::analysis
