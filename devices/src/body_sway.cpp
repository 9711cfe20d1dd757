#include "stance/devices/body_sway.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "stance/devices/errors.hpp"

namespace stance::devices {

namespace {

constexpr double kComHeightRatio = 0.5527;   // whole-body COM above the floor / height
constexpr double kAnkleHeightRatio = 0.039;  // ankle axis above the floor / height
constexpr double kInertiaRatio = 1.15;       // J / (m h^2), Peterka 2002's body

// A value with its first and second time derivatives: exact kinematics of the rigid body from
// the lean angles and their rates and accelerations.
struct Jet {
    double v = 0.0, d = 0.0, dd = 0.0;
};
Jet operator*(const Jet& a, const Jet& b) {
    return {a.v * b.v, a.d * b.v + a.v * b.d, a.dd * b.v + 2.0 * a.d * b.d + a.v * b.dd};
}
Jet operator*(double k, const Jet& a) {
    return {k * a.v, k * a.d, k * a.dd};
}
Jet sin(const Jet& a) {
    const double s = std::sin(a.v), c = std::cos(a.v);
    return {s, c * a.d, c * a.dd - s * a.d * a.d};
}
Jet cos(const Jet& a) {
    const double s = std::sin(a.v), c = std::cos(a.v);
    return {c, -s * a.d, -s * a.dd - c * a.d * a.d};
}

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>;

// R = Ry(u) Rx(-v): u the ML lean (about +y), v the AP lean (forward, about -x).
Mat3 rotation(double u, double v) {
    const double cu = std::cos(u), su = std::sin(u), cb = std::cos(v), sb = -std::sin(v);
    return {{{cu, su * sb, su * cb}, {0.0, cb, -sb}, {-su, cu * sb, cu * cb}}};
}

Vec3 transposeTimes(const Mat3& r, const Vec3& x) {
    Vec3 y{};
    for (std::size_t j = 0; j < 3; ++j)
        y[j] = r[0][j] * x[0] + r[1][j] * x[1] + r[2][j] * x[2];
    return y;
}

std::array<double, 4> orientation(double u, double v) {
    // q = q_y(u) * q_x(-v)
    const double cy = std::cos(u / 2), sy = std::sin(u / 2);
    const double cx = std::cos(-v / 2), sx = std::sin(-v / 2);
    return {cy * cx, cy * sx, sy * cx, -sy * sx};
}

// Position (relative to the ankle axis) of the body point at distance `len` along the body axis,
// as jets in the plate frame.
std::array<Jet, 3> bodyPoint(const Jet& u, const Jet& v, double len) {
    const Jet cv = cos(v);
    return {len * (cv * sin(u)), len * sin(v), len * (cv * cos(u))};
}

void require(bool ok, const std::string& problem) {
    if (!ok)
        throw DeviceError("body sway model", problem);
}

}  // namespace

std::string_view conditionName(StanceCondition c) noexcept {
    if (c.vision == Vision::kEyesOpen)
        return c.surface == Surface::kFirm ? "eo_firm" : "eo_foam";
    return c.surface == Surface::kFirm ? "ec_firm" : "ec_foam";
}

std::optional<StanceCondition> parseCondition(std::string_view name) noexcept {
    for (const Vision v : {Vision::kEyesOpen, Vision::kEyesClosed}) {
        for (const Surface s : {Surface::kFirm, Surface::kFoam}) {
            if (conditionName({v, s}) == name)
                return StanceCondition{v, s};
        }
    }
    return std::nullopt;
}

SwayParameters SwayParameters::forCondition(StanceCondition condition) {
    // AP presets (stiffness, noise, noise time constant); tuned as described in the header.
    AxisControl ap;
    const bool closed = condition.vision == Vision::kEyesClosed;
    if (condition.surface == Surface::kFirm) {
        ap.stiffness = closed ? 1.24 : 1.25;
        ap.noise = closed ? 2.55e-3 : 2.4e-3;
        ap.noise_time_constant_s = 0.9;
    } else {
        ap.stiffness = 1.20;
        ap.noise = closed ? 3.95e-3 : 4.1e-3;
        ap.noise_time_constant_s = closed ? 0.3 : 0.55;
    }
    AxisControl ml = ap;
    ml.stiffness = ap.stiffness * 1.45;
    ml.damping_s = ap.damping_s * 1.3;
    ml.passive_stiffness = 0.2;
    ml.passive_damping_s = 0.05;
    return {ap, ml};
}

BodySwayModel::BodySwayModel(const BodyOptions& options)
    : options_(options),
      params_(options.parameters.value_or(SwayParameters::forCondition(options.condition))) {
    require(options.height_m >= 0.5 && options.height_m <= 2.5,
            "height " + std::to_string(options.height_m) + " m is outside 0.5-2.5 m");
    require(options.mass_kg >= 10.0 && options.mass_kg <= 300.0,
            "mass " + std::to_string(options.mass_kg) + " kg is outside 10-300 kg");
    require(options.integration_rate_hz >= 500.0 && options.integration_rate_hz <= 100000.0,
            "integration rate " + std::to_string(options.integration_rate_hz) +
                " Hz is outside 500-100000 Hz");
    require(options.settle_s >= 0.0 && options.settle_s <= 600.0,
            "settling time must be within 0-600 s");
    require(options.step_off_duration_s > 0.0, "step-off duration must be positive");
    require(options.heel_m < 0.0 && options.toe_m > 0.0 && options.half_width_m > 0.0,
            "the foot support must surround the ankle axis");
    for (const AxisControl* c : {&params_.ap, &params_.ml}) {
        require(c->delay_s >= 0.0 && c->delay_s <= 1.0, "feedback delay must be within 0-1 s");
        require(c->noise >= 0.0, "noise must not be negative");
        require(c->noise_time_constant_s > 0.0, "noise time constant must be positive");
    }

    ankle_height_ = kAnkleHeightRatio * options.height_m;
    h_ = (kComHeightRatio - kAnkleHeightRatio) * options.height_m;
    const double mg = options.mass_kg * kGravity_m_s2;
    mgh_ = mg * h_;
    inertia_ = kInertiaRatio * options.mass_kg * h_ * h_;
    dt_ = 1.0 / options.integration_rate_hz;

    axes_[0].control = params_.ml;
    axes_[0].theta0 = 0.0;
    axes_[0].min_torque = -options.half_width_m * mg;
    axes_[0].max_torque = options.half_width_m * mg;
    axes_[0].rng = Rng(mixSeed(options.seed, 1));
    axes_[1].control = params_.ap;
    axes_[1].theta0 = options.lean_rad;
    axes_[1].min_torque = options.heel_m * mg;
    axes_[1].max_torque = options.toe_m * mg;
    axes_[1].rng = Rng(mixSeed(options.seed, 2));

    std::size_t max_delay = 0;
    for (Axis& a : axes_) {
        a.delay_steps = static_cast<std::size_t>(std::lround(a.control.delay_s / dt_));
        max_delay = std::max(max_delay, a.delay_steps);
        a.theta = a.theta0;
    }
    Snapshot initial;
    for (std::size_t i = 0; i < 2; ++i)
        initial.theta[i] = axes_[i].theta0;
    ring_.assign(max_delay + 8, initial);
    ring_head_ = 0;
    settle_steps_ = static_cast<std::int64_t>(std::llround(options.settle_s / dt_));
    step_ = -settle_steps_;
    computeAccelerations();
    while (step_ < 0)
        step();
}

void BodySwayModel::setCondition(StanceCondition condition) {
    if (options_.parameters)
        return;
    options_.condition = condition;
    params_ = SwayParameters::forCondition(condition);
    axes_[0].control = params_.ml;
    axes_[1].control = params_.ap;
    for (Axis& a : axes_) {
        // The delay line holds ring_.size() snapshots; a longer delay than it was built for is
        // held at the longest it can serve (the presets share one delay).
        a.delay_steps = std::min<std::size_t>(
            static_cast<std::size_t>(std::lround(a.control.delay_s / dt_)), ring_.size() - 8);
    }
}

void BodySwayModel::setOnPlate(bool on, double t_s) {
    if (on == on_plate_)
        return;
    // Start the ramp from where the load is now, so a quick off-on does not jump.
    const double ramp =
        std::clamp((t_s - presence_change_s_) / options_.step_off_duration_s, 0.0, 1.0);
    const double now = on_plate_ ? ramp : 1.0 - ramp;
    on_plate_ = on;
    presence_change_s_ = t_s - (on ? now : 1.0 - now) * options_.step_off_duration_s;
}

const BodySwayModel::Snapshot& BodySwayModel::history(std::size_t steps_ago) const {
    const std::size_t n = ring_.size();
    return ring_[(ring_head_ + n - (steps_ago % n)) % n];
}

void BodySwayModel::computeAccelerations() {
    const double t = static_cast<double>(step_) * dt_;
    if (!step_off_start_s_) {
        if (options_.step_off_at_s && t >= *options_.step_off_at_s)
            step_off_start_s_ = t;
        if (options_.fall_at_s && t >= *options_.fall_at_s &&
            (std::abs(axes_[1].theta - axes_[1].theta0) > options_.fall_angle_rad ||
             std::abs(axes_[0].theta) > options_.fall_angle_rad))
            step_off_start_s_ = t;
    }
    if (step_off_start_s_ && t >= *step_off_start_s_ + options_.step_off_duration_s)
        frozen_ = true;  // off the plate: the body no longer matters to any device
    const bool feedback_on = !(options_.fall_at_s && t >= *options_.fall_at_s);
    Snapshot& now = ring_[ring_head_];
    for (std::size_t i = 0; i < 2; ++i) {
        Axis& a = axes_[i];
        const AxisControl& c = a.control;
        const Snapshot& delayed = history(a.delay_steps);
        // Noise: exact discretisation of the Ornstein-Uhlenbeck process, then a first-order
        // low-pass with the same time constant.
        const double decay = std::exp(-dt_ / c.noise_time_constant_s);
        a.n1 = decay * a.n1 + std::sqrt(1.0 - decay * decay) * a.rng.gaussian();
        a.n2 = decay * a.n2 + (1.0 - decay) * a.n1;
        double torque =
            mgh_ * std::sin(a.theta0) +
            mgh_ * (c.passive_stiffness * (a.theta - a.theta0) + c.passive_damping_s * a.omega) +
            mgh_ * c.noise * a.n2;
        if (feedback_on) {
            torque += mgh_ * (c.stiffness * (delayed.theta[i] - a.theta0) +
                              c.damping_s * delayed.omega[i]);
        }
        torque = std::clamp(torque, a.min_torque, a.max_torque);
        a.torque = torque;
        a.alpha = frozen_ ? 0.0 : (mgh_ * std::sin(a.theta) - torque) / inertia_;
        if (frozen_)
            a.omega = 0.0;
        now.theta[i] = a.theta;
        now.omega[i] = a.omega;
        now.alpha[i] = a.alpha;
        now.torque[i] = a.torque;
    }
}

void BodySwayModel::step() {
    // Semi-implicit (symplectic) Euler: the velocity first, then the angle with the new velocity.
    for (Axis& a : axes_) {
        a.omega += a.alpha * dt_;
        a.theta += a.omega * dt_;
    }
    ring_head_ = (ring_head_ + 1) % ring_.size();
    ++step_;
    computeAccelerations();
}

BodyState BodySwayModel::stateAt(double t_s) {
    require(std::isfinite(t_s) && t_s >= 0.0,
            "time " + std::to_string(t_s) + " s is not a trial time (>= 0)");
    const double x = t_s / dt_;
    const auto k = static_cast<std::int64_t>(std::floor(x));
    while (step_ < k + 1)
        step();
    const auto oldest = step_ - static_cast<std::int64_t>(ring_.size()) + 1;
    require(k >= oldest, "state at " + std::to_string(t_s) +
                             " s requested after the model advanced to " +
                             std::to_string(static_cast<double>(step_) * dt_) +
                             " s (times must not go backwards)");
    const double f = x - static_cast<double>(k);
    const Snapshot& s0 = history(static_cast<std::size_t>(step_ - k));
    const Snapshot& s1 = history(static_cast<std::size_t>(step_ - k - 1));
    // Cubic Hermite for the angle (it has its rate at both ends), linear for the rest.
    const double h00 = (1 + 2 * f) * (1 - f) * (1 - f), h10 = f * (1 - f) * (1 - f);
    const double h01 = f * f * (3 - 2 * f), h11 = f * f * (f - 1);
    Snapshot s;
    for (std::size_t i = 0; i < 2; ++i) {
        s.theta[i] = h00 * s0.theta[i] + h10 * dt_ * s0.omega[i] + h01 * s1.theta[i] +
                     h11 * dt_ * s1.omega[i];
        s.omega[i] = (1 - f) * s0.omega[i] + f * s1.omega[i];
        s.alpha[i] = (1 - f) * s0.alpha[i] + f * s1.alpha[i];
        s.torque[i] = (1 - f) * s0.torque[i] + f * s1.torque[i];
    }
    return derive(t_s, s);
}

BodyState BodySwayModel::derive(double t_s, const Snapshot& s) const {
    BodyState out;
    out.t_s = t_s;
    for (std::size_t i = 0; i < 2; ++i) {
        out.angle_rad[i] = s.theta[i];
        out.rate_rad_s[i] = s.omega[i];
        out.accel_rad_s2[i] = s.alpha[i];
        out.ankle_torque_nm[i] = s.torque[i];
    }
    const Jet u{s.theta[0], s.omega[0], s.alpha[0]};
    const Jet v{s.theta[1], s.omega[1], s.alpha[1]};
    const std::array<Jet, 3> r = bodyPoint(u, v, h_);
    const double m = options_.mass_kg;
    out.com_m = {options_.ankle_position_m[0] + r[0].v, options_.ankle_position_m[1] + r[1].v,
                 ankle_height_ + r[2].v};
    out.com_acc_m_s2 = {r[0].dd, r[1].dd, r[2].dd};
    // Newton for the whole body (feet massless): the ground reaction force.
    const Vec3 f_full{m * r[0].dd, m * r[1].dd, m * (r[2].dd + kGravity_m_s2)};
    // Moment balance of the massless foot about the ankle axis gives the COP (see the header).
    out.cop_m = {
        options_.ankle_position_m[0] + (s.torque[0] - ankle_height_ * f_full[0]) / f_full[2],
        options_.ankle_position_m[1] + (s.torque[1] - ankle_height_ * f_full[1]) / f_full[2]};
    double load = 1.0;
    if (step_off_start_s_ && t_s >= *step_off_start_s_)
        load = std::max(0.0, 1.0 - (t_s - *step_off_start_s_) / options_.step_off_duration_s);
    {
        const double ramp =
            std::clamp((t_s - presence_change_s_) / options_.step_off_duration_s, 0.0, 1.0);
        load *= on_plate_ ? ramp : 1.0 - ramp;
    }
    out.load_fraction = load;
    out.force_n = {load * f_full[0], load * f_full[1], load * f_full[2]};
    out.free_moment_nm = 0.0;
    out.orientation_wxyz = orientation(s.theta[0], s.theta[1]);
    return out;
}

BodyPointKinematics BodySwayModel::pointAt(const BodyState& state, double height_m) const {
    const Jet u{state.angle_rad[0], state.rate_rad_s[0], state.accel_rad_s2[0]};
    const Jet v{state.angle_rad[1], state.rate_rad_s[1], state.accel_rad_s2[1]};
    const std::array<Jet, 3> p = bodyPoint(u, v, height_m - ankle_height_);
    BodyPointKinematics k;
    k.position_m = {options_.ankle_position_m[0] + p[0].v, options_.ankle_position_m[1] + p[1].v,
                    ankle_height_ + p[2].v};
    k.acc_m_s2 = {p[0].dd, p[1].dd, p[2].dd};
    const Mat3 r = rotation(u.v, v.v);
    k.specific_force_sensor_m_s2 = transposeTimes(r, {p[0].dd, p[1].dd, p[2].dd + kGravity_m_s2});
    // Angular velocity of R = Ry(u) Rx(-v) in the plate frame: u' e_y + Ry(u) (-v' e_x).
    const Vec3 w_world{-v.d * std::cos(u.v), u.d, v.d * std::sin(u.v)};
    k.angular_rate_sensor_rad_s = transposeTimes(r, w_world);
    k.orientation_wxyz = state.orientation_wxyz;
    return k;
}

}  // namespace stance::devices
