#pragma once
/// \file
/// A quiet-stance body: one inverted pendulum per plane (AP and ML) pivoting at the ankles,
/// stabilised by delayed proportional-derivative feedback plus intrinsic ankle stiffness and
/// damping, and disturbed by low-pass motor noise; the structure of Peterka's independent-channel
/// model of quiet stance (Peterka RJ 2002, J Neurophysiol 88:1097-1118; Maurer C, Peterka RJ 2005,
/// J Neurophysiol 93:189-200). From this one sway the simulated plate, load-cell board and trunk
/// IMU are derived (simulated_devices.hpp), so their outputs agree with each other.
///
/// Per plane, with theta the lean angle (COM towards +x or +y), m body mass, h ankle-to-COM
/// height, J moment of inertia about the ankle axis:
///   J theta'' = m g h sin(theta) - T
///   T = m g h sin(theta0) + Kp (theta(t - tau) - theta0) + Kd theta'(t - tau)
///       + Kpas (theta - theta0) + Bpas theta' + n(t)
/// T, the ankle torque, is limited to what the feet can transmit (COP inside the foot support).
/// n is unit-variance Ornstein-Uhlenbeck noise passed through a second first-order low-pass with
/// the same time constant, scaled by noise x m g h. Gains are given relative to m g h, so one
/// parameter set suits any body size.
///
/// Anthropometry, after Winter DA, "Biomechanics and Motor Control of Human Movement" (4th ed.
/// 2009, ch. 4, segment lengths as fractions of height): whole-body COM 0.5527 x height above the
/// floor, ankle axis 0.039 x height above the floor, so h = (0.5527 - 0.039) x height. J = 1.15 m
/// h^2, the ratio of Peterka 2002's body (66 kg m^2 for 76 kg at h = 0.87 m).
///
/// Conditions: eyes closed and foam both remove or degrade a sensory channel; in the model they
/// lower the effective stiffness slightly and raise and speed up the noise, which enlarges and
/// quickens the sway as in real subjects. The presets (SwayParameters::forCondition) were tuned so
/// that the COP of a 60 s trial analysed with analysis::appendBdsMetrics lies near the median of
/// the young adults (18-39 y) of Santos & Duarte 2016 (datasets/norms) in every condition; tests
/// hold them inside the p5-p95 band and ordered EO firm < EC firm, EO foam < EC foam.
///
/// Deterministic: the same BodyOptions (seed included) give the same sway on every platform.
/// Not thread-safe; stateAt() must be called with non-decreasing times.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "stance/devices/random.hpp"

namespace stance::devices {

enum class Vision : std::uint8_t { kEyesOpen, kEyesClosed };
enum class Surface : std::uint8_t { kFirm, kFoam };

struct StanceCondition {
    Vision vision = Vision::kEyesOpen;
    Surface surface = Surface::kFirm;
    friend bool operator==(const StanceCondition&, const StanceCondition&) = default;
};

/// "eo_firm", "ec_firm", "eo_foam", "ec_foam" (the trial condition names of DESIGN.md).
std::string_view conditionName(StanceCondition condition) noexcept;
std::optional<StanceCondition> parseCondition(std::string_view name) noexcept;

/// Feedback and noise of one plane; gains relative to m g h (N m / rad).
struct AxisControl {
    double stiffness = 1.25;          ///< active Kp / (m g h)
    double damping_s = 0.30;          ///< active Kd / (m g h), s
    double delay_s = 0.17;            ///< feedback time delay, s
    double passive_stiffness = 0.10;  ///< intrinsic Kpas / (m g h)
    double passive_damping_s = 0.03;  ///< intrinsic Bpas / (m g h), s
    double noise = 2.4e-3;            ///< motor-noise scale / (m g h)
    double noise_time_constant_s = 0.9;
};

struct SwayParameters {
    AxisControl ap;  ///< sagittal plane (forward lean +)
    AxisControl ml;  ///< frontal plane (lean to the subject's right +)

    /// The tuned presets described above. ML is stiffer than AP (1.45 x Kp, 1.3 x Kd, double the
    /// passive terms), as stance width makes frontal sway smaller.
    static SwayParameters forCondition(StanceCondition condition);
};

struct BodyOptions {
    double height_m = 1.75;
    double mass_kg = 70.0;
    StanceCondition condition;
    std::optional<SwayParameters> parameters;  ///< overrides forCondition(condition)
    std::uint64_t seed = 1;
    double integration_rate_hz = 2000.0;
    /// Simulated before t = 0 so that the sway is in its steady state when the trial starts.
    double settle_s = 20.0;
    /// Ankle axis position in the plate frame (m): the subject stands with the ankles 3 cm
    /// behind the plate centre, leaning 0.035 rad forward, so the mean COP lies near the centre.
    std::array<double, 2> ankle_position_m{0.0, -0.03};
    double lean_rad = 0.035;
    /// Foot support relative to the ankle axis (m): heel, toe (AP) and half stance width (ML).
    double heel_m = -0.06;
    double toe_m = 0.18;
    double half_width_m = 0.14;
    /// Feedback switched off at this time: the body topples and the subject steps off the plate
    /// once the lean exceeds fall_angle_rad.
    std::optional<double> fall_at_s;
    double fall_angle_rad = 0.15;
    /// The subject steps off the plate at this time.
    std::optional<double> step_off_at_s;
    /// Time for the load on the plate to fall from full to zero when stepping off.
    double step_off_duration_s = 0.3;
};

/// The body at one instant. Index 0 is ML (x), 1 is AP (y) for the two-element arrays.
struct BodyState {
    double t_s = 0.0;
    std::array<double, 2> angle_rad{};  ///< ML lean (to the right +), AP lean (forward +)
    std::array<double, 2> rate_rad_s{};
    std::array<double, 2> accel_rad_s2{};
    std::array<double, 2> ankle_torque_nm{};  ///< restoring torque T of each plane
    std::array<double, 3> com_m{};            ///< plate frame
    std::array<double, 3> com_acc_m_s2{};
    std::array<double, 2> cop_m{};    ///< plate frame, top surface
    std::array<double, 3> force_n{};  ///< ground reaction on the subject, scaled by load
    double free_moment_nm = 0.0;      ///< vertical free moment (0 in this model)
    /// Share of the body weight on the plate: 1 standing, falls to 0 when stepping off.
    double load_fraction = 1.0;
    /// Rotation of the trunk (rigid body) from upright: R = Ry(ML angle) Rx(-AP angle).
    std::array<double, 4> orientation_wxyz{1.0, 0.0, 0.0, 0.0};
};

/// Kinematics of a point of the rigid body at `height_m` above the floor (on the pendulum axis).
struct BodyPointKinematics {
    std::array<double, 3> position_m{};                          ///< plate frame
    std::array<double, 3> acc_m_s2{};                            ///< plate frame, without gravity
    std::array<double, 3> specific_force_sensor_m_s2{};          ///< what an accelerometer reads
    std::array<double, 3> angular_rate_sensor_rad_s{};           ///< what a gyroscope reads
    std::array<double, 4> orientation_wxyz{1.0, 0.0, 0.0, 0.0};  ///< sensor -> plate frame
};

class BodySwayModel {
public:
    /// Throws DeviceError for a non-physical option (height outside 0.5-2.5 m, mass outside
    /// 10-300 kg, integration rate below 500 Hz, negative delay...).
    explicit BodySwayModel(const BodyOptions& options);

    /// State at trial time t (s, >= 0). Integrates forward as needed; t may not move backwards by
    /// more than one integration step (throws DeviceError).
    BodyState stateAt(double t_s);
    /// Sensor kinematics at height_m above the floor, at the time of `state`; the sensor axes are
    /// the plate axes when the body is upright.
    BodyPointKinematics pointAt(const BodyState& state, double height_m) const;

    /// From now on the subject stands under `condition` (a clinician's instruction: "close your
    /// eyes", a foam pad put under the feet): the feedback and noise take that condition's preset
    /// while the sway carries on from its present state. No effect when BodyOptions::parameters
    /// overrides the presets.
    void setCondition(StanceCondition condition);
    /// The subject steps onto (true) or off (false) the plate at trial time t_s: the load on the
    /// plate ramps over step_off_duration_s. The body keeps swaying either way (a trunk IMU still
    /// moves). Models a subject who leaves the plate between trials, so an empty plate can be
    /// tared as on real hardware.
    void setOnPlate(bool on, double t_s);

    double comHeightAboveAnkle_m() const noexcept { return h_; }
    double ankleHeight_m() const noexcept { return ankle_height_; }
    double mass_kg() const noexcept { return options_.mass_kg; }
    const BodyOptions& options() const noexcept { return options_; }
    const SwayParameters& parameters() const noexcept { return params_; }

    static constexpr double kGravity_m_s2 = 9.81;

private:
    struct Axis {
        AxisControl control;
        double theta0 = 0.0;
        double theta = 0.0;
        double omega = 0.0;
        double alpha = 0.0;
        double torque = 0.0;
        double n1 = 0.0;
        double n2 = 0.0;
        double min_torque = 0.0;
        double max_torque = 0.0;
        std::size_t delay_steps = 0;
        Rng rng{0};
    };
    struct Snapshot {
        std::array<double, 2> theta{}, omega{}, alpha{}, torque{};
    };

    void step();
    void computeAccelerations();
    const Snapshot& history(std::size_t steps_ago) const;
    BodyState derive(double t_s, const Snapshot& s) const;

    BodyOptions options_;
    SwayParameters params_;
    double h_ = 0.0;
    double ankle_height_ = 0.0;
    double mgh_ = 0.0;
    double inertia_ = 0.0;
    double dt_ = 0.0;
    std::array<Axis, 2> axes_;
    std::vector<Snapshot> ring_;  ///< last ring_.size() snapshots, newest at ring_head_
    std::size_t ring_head_ = 0;
    std::int64_t step_ = 0;  ///< index of the newest snapshot; time = step_ * dt_ - settle
    std::int64_t settle_steps_ = 0;
    std::optional<double> step_off_start_s_;
    bool frozen_ = false;
    bool on_plate_ = true;             ///< setOnPlate()
    double presence_change_s_ = -1e9;  ///< when on_plate_ last changed
};

}  // namespace stance::devices
