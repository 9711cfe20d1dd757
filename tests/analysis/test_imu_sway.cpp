// IMU sway: orientation filter on synthetic motions with closed forms, ISway measures on signals
// with known values, and one simulated body sway seen by a force plate and a trunk IMU giving the
// same sway angle.

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "stance/analysis/com.hpp"
#include "stance/analysis/imu_sway.hpp"

using namespace stance::analysis;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;

// theta(t) = c + sum a_k sin(2 pi f_k t + p_k), and its first two derivatives.
struct Angle {
    double c = 0.0;
    std::vector<double> a, f, p;
    double at(double t, int d = 0) const {
        double v = d == 0 ? c : 0.0;
        for (std::size_t k = 0; k < a.size(); ++k) {
            const double w = 2 * kPi * f[k], ph = w * t + p[k];
            v += d == 0 ? a[k] * std::sin(ph)
                        : (d == 1 ? a[k] * w * std::cos(ph) : -a[k] * w * w * std::sin(ph));
        }
        return v;
    }
};

// The body: a rigid inverted pendulum pivoting at the ankle (plate origin), orientation
// R = Ry(beta) Rx(alpha) with alpha = -theta_AP (forward lean tilts the up axis towards +y) and
// beta = theta_ML. World and heading frames coincide (no yaw).
struct Body {
    Angle ap, ml;
    double height_m = 1.75;
    double mass_kg = 70.0;

    Eigen::Matrix3d rotation(double t) const {
        return (Eigen::AngleAxisd(ml.at(t), Eigen::Vector3d::UnitY()) *
                Eigen::AngleAxisd(-ap.at(t), Eigen::Vector3d::UnitX()))
            .toRotationMatrix();
    }
    // World angular velocity and acceleration of the rigid body.
    void rates(double t, Eigen::Vector3d& w, Eigen::Vector3d& wd) const {
        const double al = -ap.at(t), ald = -ap.at(t, 1), aldd = -ap.at(t, 2);
        const double be = ml.at(t), bed = ml.at(t, 1), bedd = ml.at(t, 2);
        const Eigen::Vector3d ex_r =
            Eigen::AngleAxisd(be, Eigen::Vector3d::UnitY()) * Eigen::Vector3d::UnitX();
        w = bed * Eigen::Vector3d::UnitY() + ald * ex_r;
        wd = bedd * Eigen::Vector3d::UnitY() + aldd * ex_r +
             ald * bed * Eigen::Vector3d::UnitY().cross(ex_r);
        (void)al;
    }
    // Acceleration of the body point at distance h along the body's up axis.
    Eigen::Vector3d acceleration(double t, double h) const {
        Eigen::Vector3d w, wd;
        rates(t, w, wd);
        const Eigen::Vector3d r = h * (rotation(t) * Eigen::Vector3d::UnitZ());
        return wd.cross(r) + w.cross(w.cross(r));
    }
    // The IMU's readings at height h: specific force and body rate, body frame.
    void imu(double t, double h, Eigen::Vector3d& f, Eigen::Vector3d& g) const {
        Eigen::Vector3d w, wd;
        rates(t, w, wd);
        const Eigen::Matrix3d r = rotation(t);
        f = r.transpose() * (acceleration(t, h) + Eigen::Vector3d(0, 0, kStandardGravity));
        g = r.transpose() * w;
    }
};

// The IMU's view of a body: samples at fs with optional white noise.
ImuRecording record(const Body& body, double imu_height_m, double fs, double seconds,
                    double acc_noise = 0.0, double gyro_noise = 0.0,
                    Eigen::Vector3d gyro_bias = Eigen::Vector3d::Zero()) {
    const auto n = static_cast<Eigen::Index>(seconds * fs);
    ImuRecording r;
    r.fs_hz = fs;
    r.acc_mps2.resize(n, 3);
    r.gyro_radps.resize(n, 3);
    std::mt19937 rng(7);
    std::normal_distribution<double> na(0.0, acc_noise > 0 ? acc_noise : 1.0),
        ng(0.0, gyro_noise > 0 ? gyro_noise : 1.0);
    for (Eigen::Index i = 0; i < n; ++i) {
        Eigen::Vector3d f, g;
        body.imu(static_cast<double>(i) / fs, imu_height_m, f, g);
        for (int k = 0; k < 3; ++k) {
            r.acc_mps2(i, k) = f(k) + (acc_noise > 0 ? na(rng) : 0.0);
            r.gyro_radps(i, k) = g(k) + gyro_bias(k) + (gyro_noise > 0 ? ng(rng) : 0.0);
        }
    }
    return r;
}

// The same angles as swayAngleFromOrientation computes, from the true orientation: the up axis
// in the heading frame (the horizontal projection of the forward axis turned onto +y).
Eigen::Vector2d trueAngles(const Body& body, double t) {
    const Eigen::Matrix3d r = body.rotation(t);
    const Eigen::Vector3d f = r * Eigen::Vector3d::UnitY();
    const Eigen::Vector3d u =
        Eigen::AngleAxisd(-std::atan2(-f.x(), f.y()), Eigen::Vector3d::UnitZ()) *
        (r * Eigen::Vector3d::UnitZ());
    return {std::atan2(u.x(), u.z()), std::atan2(u.y(), u.z())};
}

Body quietSway() {
    Body b;
    b.ap.c = 1.5 * kDeg;  // a slight forward lean
    b.ap.a = {0.6 * kDeg, 0.4 * kDeg, 0.25 * kDeg, 0.1 * kDeg};
    b.ap.f = {0.07, 0.19, 0.41, 0.83};
    b.ap.p = {0.0, 1.3, 2.1, 0.4};
    b.ml.a = {0.3 * kDeg, 0.15 * kDeg, 0.08 * kDeg};
    b.ml.f = {0.11, 0.29, 0.63};
    b.ml.p = {0.5, 2.5, 1.0};
    return b;
}

double value(const MetricTable& t, const char* name) {
    const Metric* m = t.find(name);
    REQUIRE(m != nullptr);
    INFO(name << ": " << m->error);
    REQUIRE(m->ok());
    return m->value;
}

}  // namespace

TEST_CASE("a still, tilted sensor: sway angle is the tilt, horizontal acceleration is zero",
          "[imu]") {
    Body b;
    b.ap.c = 3.0 * kDeg;
    b.ml.c = -2.0 * kDeg;
    const ImuRecording imu = record(b, 1.0, 100.0, 5.0);
    const auto o = estimateOrientation(imu, ImuMounting{});
    REQUIRE(o);
    const Signal2 th = swayAngleFromOrientation(*o);
    const Eigen::Vector2d want = trueAngles(b, 0.0);
    CHECK(th(th.rows() - 1, 0) == Approx(want(0)).margin(1e-9));
    CHECK(th(th.rows() - 1, 1) == Approx(want(1)).margin(1e-9));
    CHECK(std::abs(want(1) - 3.0 * kDeg) < 1e-3);  // the decomposition reads the AP tilt back
    const auto acc = horizontalAcceleration(imu, ImuMounting{}, *o);
    REQUIRE(acc);
    CHECK(acc->cwiseAbs().maxCoeff() < 1e-9);
}

TEST_CASE("a swaying trunk: horizontal acceleration is the body point's exact acceleration",
          "[imu]") {
    // The sensor's true acceleration (Body::acceleration, world frame) turned into the heading
    // frame, against horizontalAcceleration on the orientation the filter estimated. Budget: the
    // estimate errs only through the orientation, a tilt error d puts g sin(d) of gravity into
    // the horizontal plane; the filter's acceleration leak is <= 0.04 deg here (see the plate
    // vs IMU case), i.e. <= 0.007 m/s^2, against a trunk acceleration of ~0.09 m/s^2 peak.
    const Body body = quietSway();
    const double fs = 100.0, seconds = 60.0, h = 1.05;
    const ImuRecording imu = record(body, h, fs, seconds);
    const auto o = estimateOrientation(imu, ImuMounting{});
    REQUIRE(o);
    const auto acc = horizontalAcceleration(imu, ImuMounting{}, *o);
    REQUIRE(acc);
    REQUIRE(acc->rows() == imu.acc_mps2.rows());
    const auto from = static_cast<Eigen::Index>(25.0 * fs);  // 5 time constants 1/kp
    double err_max = 0.0, err_ss = 0.0, true_ss = 0.0, true_max = 0.0;
    for (Eigen::Index i = from; i < acc->rows(); ++i) {
        const double t = static_cast<double>(i) / fs;
        // The heading frame: the world turned about vertical so that the horizontal projection
        // of the body's forward axis is +y (a second-order yaw here, as in trueAngles).
        const Eigen::Vector3d fwd = body.rotation(t) * Eigen::Vector3d::UnitY();
        const Eigen::Vector3d a =
            Eigen::AngleAxisd(-std::atan2(-fwd.x(), fwd.y()), Eigen::Vector3d::UnitZ()) *
            body.acceleration(t, h);
        for (int k = 0; k < 2; ++k) {
            const double e = std::abs((*acc)(i, k) - a(k));
            err_max = std::max(err_max, e);
            err_ss += e * e;
            true_ss += a(k) * a(k);
            true_max = std::max(true_max, std::abs(a(k)));
        }
    }
    const double m = 2.0 * static_cast<double>(acc->rows() - from);
    INFO("error max " << err_max << " m/s^2, rms " << std::sqrt(err_ss / m) << "; true max "
                      << true_max << ", rms " << std::sqrt(true_ss / m));
    CHECK(err_max < 0.01);
    CHECK(std::sqrt(err_ss / m) < 0.1 * std::sqrt(true_ss / m));
    // The acceleration is well above the tolerance: a zero or axis-swapped output fails.
    CHECK(true_max > 0.04);
}

TEST_CASE("the mounting matrix maps any sensor orientation onto the body frame", "[imu]") {
    const Body b = quietSway();
    const ImuRecording body_frame = record(b, 1.0, 100.0, 20.0);
    // A sensor strapped with its x up, y to the subject's left, z backwards.
    Eigen::Matrix3d body_from_sensor;
    body_from_sensor << 0, -1, 0,  //
        0, 0, -1,                  //
        1, 0, 0;
    REQUIRE(std::abs(body_from_sensor.determinant() - 1.0) < 1e-12);
    ImuRecording sensor = body_frame;
    sensor.acc_mps2 = body_frame.acc_mps2 * body_from_sensor;  // rows: v_s^T = v_b^T R
    sensor.gyro_radps = body_frame.gyro_radps * body_from_sensor;
    const auto a = estimateOrientation(body_frame, ImuMounting{});
    const auto c = estimateOrientation(sensor, ImuMounting{body_from_sensor});
    REQUIRE(a);
    REQUIRE(c);
    const Signal2 ta = swayAngleFromOrientation(*a), tc = swayAngleFromOrientation(*c);
    CHECK((ta - tc).cwiseAbs().maxCoeff() < 1e-9);

    Eigen::Matrix3d not_rotation = Eigen::Matrix3d::Identity();
    not_rotation(2, 2) = -1.0;  // a reflection
    const auto bad = estimateOrientation(sensor, ImuMounting{not_rotation});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("not a rotation") != std::string::npos);
}

TEST_CASE("orientation input errors name the problem", "[imu]") {
    ImuRecording in_g = record(quietSway(), 1.0, 100.0, 3.0);
    in_g.acc_mps2 /= kStandardGravity;  // accelerometer in g, not m/s^2
    const auto e = estimateOrientation(in_g, ImuMounting{});
    REQUIRE_FALSE(e);
    CHECK(e.error().message.find("m/s^2") != std::string::npos);
    ImuRecording short_gyro = record(quietSway(), 1.0, 100.0, 3.0);
    short_gyro.gyro_radps.conservativeResize(100, 3);
    CHECK_FALSE(estimateOrientation(short_gyro, ImuMounting{}));
    ImuRecording nan = record(quietSway(), 1.0, 100.0, 3.0);
    nan.gyro_radps(10, 2) = std::nan("");
    CHECK(estimateOrientation(nan, ImuMounting{}).error().code == ErrorCode::kNonFinite);
}

TEST_CASE("a gyro bias leaves a tilt of bias/kp without, and none with the integral gain",
          "[imu]") {
    Body still;
    const Eigen::Vector3d bias(0.01, 0.0, 0.0);  // rad/s about the ML axis
    const ImuRecording imu = record(still, 1.0, 100.0, 120.0, 0.0, 0.0, bias);
    OrientationOptions p_only;
    const auto a = estimateOrientation(imu, ImuMounting{}, p_only);
    REQUIRE(a);
    const Signal2 ta = swayAngleFromOrientation(*a);
    // Closed form of the first-order loop: the correction kp sin(tilt) balances the bias, so the
    // steady tilt is asin(bias / kp) about the biased axis; a rate about +x tilts the up axis
    // towards -y, i.e. backwards.
    CHECK(ta(ta.rows() - 1, 1) == Approx(-std::asin(0.01 / 0.2)).epsilon(1e-3));
    OrientationOptions pi;
    pi.ki_per_s2 = 0.01;  // critically damped with kp = 0.2 s^-1
    const auto b = estimateOrientation(imu, ImuMounting{}, pi);
    REQUIRE(b);
    const Signal2 tb = swayAngleFromOrientation(*b);
    CHECK(std::abs(tb(tb.rows() - 1, 1)) < 0.05 * kDeg);
    CHECK(b->gyro_bias_radps.x() == Approx(0.01).epsilon(0.02));
}

TEST_CASE("ISway measures of a sine and a circle match their closed forms", "[imu][isway]") {
    const double fs = 100.0, f = 0.5, A = 0.2, T = 60.0, w = 2 * kPi * f;
    const auto n = static_cast<Eigen::Index>(T * fs);
    Signal2 sine(n, 2), circle(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        sine(i, 0) = 0.0;
        sine(i, 1) = A * std::sin(w * t);
        circle(i, 0) = A * std::cos(w * t);
        circle(i, 1) = A * std::sin(w * t);
    }
    ISwayOptions raw;
    raw.lowpass_hz = 0.0;
    MetricTable s;
    appendISwayMeasures(sine, fs, s, raw);
    CHECK(value(s, "isway_rms") == Approx(A / std::sqrt(2.0)).epsilon(1e-9));
    CHECK(value(s, "isway_rms_AP") == Approx(A / std::sqrt(2.0)).epsilon(1e-9));
    CHECK(value(s, "isway_rms_ML") == Approx(0.0).margin(1e-15));
    CHECK(value(s, "isway_dist") == Approx(2 * A / kPi).epsilon(1e-4));
    CHECK(value(s, "isway_range") == Approx(2 * A).epsilon(1e-9));
    CHECK(value(s, "isway_range_AP") == Approx(2 * A).epsilon(1e-9));
    CHECK(value(s, "isway_path") == Approx(4 * A * f * T).epsilon(1e-3));
    CHECK(value(s, "isway_mf") == Approx(f).epsilon(1e-3));  // PATH / (2 pi DIST T) = f
    // JERK = 1/2 int (A w cos)^2 dt = A^2 w^2 T / 4 (central value; differences lose (w dt)^2/12).
    CHECK(value(s, "isway_jerk") == Approx(A * A * w * w * T / 4).epsilon(1e-3));
    // MV: velocity -A/w cos(w t), mean magnitude (A/w)(2/pi).
    CHECK(value(s, "isway_mv") == Approx(A / w * 2 / kPi).epsilon(2e-3));
    CHECK(value(s, "isway_area") == Approx(0.0).margin(1e-15));
    // Spectrum: all the power A^2/2 at f (bin 15 of 1/30 Hz).
    CHECK(value(s, "isway_pwr") == Approx(A * A / 2).epsilon(0.02));
    CHECK(value(s, "isway_cf") == Approx(f).epsilon(0.01));
    CHECK(value(s, "isway_f50") == Approx(f).margin(1.0 / 30.0));
    CHECK(value(s, "isway_f95") == Approx(f).margin(2.0 / 30.0));
    CHECK(value(s, "isway_fd") < 0.1);

    MetricTable c;
    appendISwayMeasures(circle, fs, c, raw);
    CHECK(value(c, "isway_dist") == Approx(A).epsilon(1e-12));
    CHECK(value(c, "isway_rms") == Approx(A).epsilon(1e-12));
    // Sway area per second: (1/2T) sum |cross| = A^2 sin(w dt) (N-1) / (2T) ~ pi f A^2.
    CHECK(value(c, "isway_area") == Approx(kPi * f * A * A).epsilon(1e-3));
    CHECK(value(c, "isway_mf") == Approx(f).epsilon(1e-3));

    // The default 3.5 Hz low-pass leaves a 0.5 Hz sway alone.
    MetricTable filtered;
    appendISwayMeasures(sine, fs, filtered);
    CHECK(value(filtered, "isway_rms") == Approx(A / std::sqrt(2.0)).epsilon(1e-3));
}

TEST_CASE("ISway on white noise: broadband spectrum, dispersion near its upper range",
          "[imu][isway]") {
    std::mt19937 rng(3);
    std::normal_distribution<double> nd(0.0, 0.05);
    Signal2 noise(6000, 2);
    for (Eigen::Index i = 0; i < noise.rows(); ++i)
        noise.row(i) << nd(rng), nd(rng);
    ISwayOptions raw;
    raw.lowpass_hz = 0.0;
    MetricTable t;
    appendISwayMeasures(noise, 100.0, t, raw);
    // Flat spectrum on [0.15, 5] Hz: median at the band's middle, centroid sqrt(mean f^2).
    CHECK(value(t, "isway_f50") == Approx(2.575).margin(0.25));
    const double cf = std::sqrt((std::pow(5.0, 3) - std::pow(0.15, 3)) / 3.0 / (5.0 - 0.15));
    CHECK(value(t, "isway_cf") == Approx(cf).epsilon(0.05));
    CHECK(value(t, "isway_fd") > 0.4);
}

TEST_CASE("ISway reports why it has no value", "[imu][isway]") {
    MetricTable t;
    appendISwayMeasures(Signal2::Zero(10, 2), 100.0, t);
    REQUIRE(t.find("isway_jerk") != nullptr);
    CHECK_FALSE(t.find("isway_jerk")->ok());
    CHECK(t.find("isway_fd")->error.find("at least 16") != std::string::npos);
    MetricTable z;
    ISwayOptions raw;
    raw.lowpass_hz = 0.0;
    appendISwayMeasures(Signal2::Zero(200, 2), 100.0, z, raw);
    CHECK_FALSE(z.find("isway_mf")->ok());
    CHECK_FALSE(z.find("isway_cf")->ok());
    CHECK(z.find("isway_rms")->ok());
}

TEST_CASE("one body sway seen by a force plate and a trunk IMU gives the same sway angle",
          "[imu][com]") {
    // Stated tolerance: 0.05 deg RMS and 0.15 deg peak, over the trial once the filters have
    // settled (IMU from 25 s, 5 time constants 1/kp; plate without comEdgeSamples), for a sway of
    // about 2.3 deg peak-to-peak AP. The budget (measured: IMU 0.034 deg RMS, 0.11 deg peak;
    // plate 0.0004 deg RMS, 0.006 deg peak):
    //  - the complementary filter lets the trunk's own acceleration through at kp / |j w + kp|,
    //    <= 2.4 % of each sway component here: 0.04 deg peak without noise;
    //  - gyro white noise of 0.003 rad/s per sample random-walks against the kp loop, a tilt
    //    noise of sqrt(sigma^2 dt / (2 kp)) ~ 0.027 deg RMS, ~4 sigma peaks (0.11 deg);
    //  - accelerometer noise of 0.02 m/s^2 is filtered to ~0.003 deg;
    //  - the plate is exact up to the pendulum linearisation (theta^2 ~ 1e-3 relative) and the
    //    second difference's discretisation.
    const Body body = quietSway();
    const double fs = 100.0, seconds = 60.0, imu_height = 1.05;  // sensor at L5 level
    const auto model = pendulumModel(BodyParameters{body.height_m, body.mass_kg, 0.0});
    REQUIRE(model);
    const double L = model->com_height_m;
    const double h2 = body.height_m * body.height_m;
    const double rho2[2] = {0.0572 * h2, 0.0533 * h2};  // ML, AP

    // The plate: exact rigid-pendulum COP per axis, p = (m g L sin th - I th'') / Fz with
    // Fz = m (g + z''), about the ankle at the plate origin.
    const auto n = static_cast<Eigen::Index>(seconds * fs);
    Signal2 cop(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        const Angle* ang[2] = {&body.ml, &body.ap};
        for (int a = 0; a < 2; ++a) {
            const double th = ang[a]->at(t), thd = ang[a]->at(t, 1), thdd = ang[a]->at(t, 2);
            const double zdd = -L * (thdd * std::sin(th) + thd * thd * std::cos(th));
            const double inertia = rho2[a] + L * L;  // per unit mass
            cop(i, a) =
                (kStandardGravity * L * std::sin(th) - inertia * thdd) / (kStandardGravity + zdd);
        }
    }
    const auto com = comFromCopLowPass(cop, fs, *model);
    REQUIRE(com);
    const auto plate = swayAngleFromCom(*com, L, Eigen::Vector2d::Zero());  // ankle at the origin
    REQUIRE(plate);

    const ImuRecording imu = record(body, imu_height, fs, seconds, 0.02, 0.003);
    const auto o = estimateOrientation(imu, ImuMounting{});
    REQUIRE(o);
    const Signal2 trunk = swayAngleFromOrientation(*o);

    const Eigen::Index from = static_cast<Eigen::Index>(25.0 * fs);
    const Eigen::Index to = n - comEdgeSamples(*model, fs);
    double plate_max = 0.0, imu_max = 0.0, plate_ss = 0.0, imu_ss = 0.0, both_max = 0.0;
    for (Eigen::Index i = from; i < to; ++i) {
        const double t = static_cast<double>(i) / fs;
        // Ground truth per plane: the pendulum angle (the plate's view) and the tilt
        // decomposition (the IMU's); they differ at second order only.
        for (int a = 0; a < 2; ++a) {
            const double th = a == 0 ? body.ml.at(t) : body.ap.at(t);
            const double ep = std::abs((*plate)(i, a) - th) / kDeg;
            const double ei = std::abs(trunk(i, a) - trueAngles(body, t)(a)) / kDeg;
            plate_max = std::max(plate_max, ep);
            imu_max = std::max(imu_max, ei);
            plate_ss += ep * ep;
            imu_ss += ei * ei;
            both_max = std::max(both_max, std::abs((*plate)(i, a) - trunk(i, a)) / kDeg);
        }
    }
    const double m = 2.0 * static_cast<double>(to - from);
    INFO("plate max " << plate_max << " deg, rms " << std::sqrt(plate_ss / m) << " deg; IMU max "
                      << imu_max << " deg, rms " << std::sqrt(imu_ss / m)
                      << " deg; plate vs IMU max " << both_max << " deg");
    CHECK(std::sqrt(plate_ss / m) < 0.01);
    CHECK(plate_max < 0.03);
    CHECK(std::sqrt(imu_ss / m) < 0.05);
    CHECK(imu_max < 0.15);
    CHECK(both_max < 0.15);
    // The AP sway itself is much larger than the tolerance (the test could fail).
    CHECK(((*plate).col(1).maxCoeff() - (*plate).col(1).minCoeff()) / kDeg > 2.0);
}
