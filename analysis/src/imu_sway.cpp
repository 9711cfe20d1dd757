#include "stance/analysis/imu_sway.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "stance/analysis/com.hpp"
#include "stance/analysis/filter.hpp"
#include "stance/analysis/geometry.hpp"
#include "stance/analysis/spectral.hpp"

namespace stance::analysis {

namespace {

constexpr double kPi = 3.14159265358979323846;

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// Rotation of a body-frame rate vector held constant over dt, as a unit quaternion.
Eigen::Quaterniond deltaRotation(const Eigen::Vector3d& omega, double dt) {
    const double angle = omega.norm() * dt;
    if (angle < 1e-12)
        return Eigen::Quaterniond(1.0, 0.5 * omega.x() * dt, 0.5 * omega.y() * dt,
                                  0.5 * omega.z() * dt)
            .normalized();
    return Eigen::Quaterniond(Eigen::AngleAxisd(angle, omega.normalized()));
}

// World -> heading frame: rotation about z by minus the subject's heading, the angle of the
// horizontal projection of the body's forward (y) axis.
Eigen::Matrix3d headingFromWorld(const Eigen::Quaterniond& q) {
    const Eigen::Vector3d f = q * Eigen::Vector3d::UnitY();
    const double psi = std::atan2(-f.x(), f.y());
    return Eigen::AngleAxisd(-psi, Eigen::Vector3d::UnitZ()).toRotationMatrix();
}

}  // namespace

Expected<Orientation> estimateOrientation(const ImuRecording& imu, const ImuMounting& mounting,
                                          const OrientationOptions& options) {
    const Eigen::Index n = imu.acc_mps2.rows();
    if (imu.gyro_radps.rows() != n)
        return fail(ErrorCode::kInvalidArgument,
                    "IMU orientation: " + std::to_string(n) + " accelerometer samples but " +
                        std::to_string(imu.gyro_radps.rows()) + " gyroscope samples");
    if (n < 2)
        return fail(ErrorCode::kTooShort, "IMU orientation: needs at least 2 samples");
    if (!(imu.fs_hz > 0.0))
        return fail(ErrorCode::kInvalidArgument, "IMU orientation: sampling rate must be > 0");
    if (!imu.acc_mps2.allFinite() || !imu.gyro_radps.allFinite())
        return fail(ErrorCode::kNonFinite, "IMU orientation: NaN or infinite IMU samples");
    const Eigen::Matrix3d& r = mounting.body_from_sensor;
    if (!(r.transpose() * r).isIdentity(1e-6) || std::abs(r.determinant() - 1.0) > 1e-6)
        return fail(ErrorCode::kInvalidArgument,
                    "IMU orientation: the mounting matrix is not a rotation (orthonormal, det +1)");
    if (!(options.kp_per_s >= 0.0 && options.ki_per_s2 >= 0.0))
        return fail(ErrorCode::kInvalidArgument, "IMU orientation: gains must be >= 0");

    const Signal3 acc = imu.acc_mps2 * r.transpose();  // rows are body-frame vectors
    const Signal3 gyro = imu.gyro_radps * r.transpose();
    const double dt = 1.0 / imu.fs_hz;

    const Eigen::Index n_init = std::clamp<Eigen::Index>(
        static_cast<Eigen::Index>(std::llround(options.init_window_s * imu.fs_hz)), 1, n);
    const Eigen::Vector3d f0 = acc.topRows(n_init).colwise().mean().transpose();
    const double g0 = f0.norm();
    if (!(g0 > 0.5 * kStandardGravity && g0 < 1.5 * kStandardGravity))
        return fail(ErrorCode::kInvalidArgument,
                    "IMU orientation: the mean specific force over the first " +
                        fmt(options.init_window_s) + " s is " + fmt(g0) +
                        " m/s^2, not about 9.8 m/s^2 (units not m/s^2, or the sensor moved)");

    Orientation out;
    out.body_to_world.resize(static_cast<std::size_t>(n));
    // Initial tilt: the rotation taking the measured up direction onto world z; no heading.
    Eigen::Quaterniond q = Eigen::Quaterniond::FromTwoVectors(f0 / g0, Eigen::Vector3d::UnitZ());
    Eigen::Vector3d bias = Eigen::Vector3d::Zero();
    out.body_to_world[0] = q;
    for (Eigen::Index i = 1; i < n; ++i) {
        // Correction from the accelerometer at the start of the step (Mahony's explicit filter).
        Eigen::Vector3d e = Eigen::Vector3d::Zero();
        const Eigen::Vector3d a = acc.row(i - 1).transpose();
        const double an = a.norm();
        if (an > 1e-9) {
            const Eigen::Vector3d v_est = q.conjugate() * Eigen::Vector3d::UnitZ();
            e = (a / an).cross(v_est);
        }
        bias -= options.ki_per_s2 * e * dt;
        const Eigen::Vector3d w =
            0.5 * (gyro.row(i - 1) + gyro.row(i)).transpose() - bias + options.kp_per_s * e;
        q = (q * deltaRotation(w, dt)).normalized();
        out.body_to_world[static_cast<std::size_t>(i)] = q;
    }
    out.gyro_bias_radps = bias;
    return out;
}

Signal2 swayAngleFromOrientation(const Orientation& orientation) {
    const auto n = static_cast<Eigen::Index>(orientation.body_to_world.size());
    Signal2 theta(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Quaterniond& q = orientation.body_to_world[static_cast<std::size_t>(i)];
        const Eigen::Vector3d u = headingFromWorld(q) * (q * Eigen::Vector3d::UnitZ());
        theta(i, 0) = std::atan2(u.x(), u.z());
        theta(i, 1) = std::atan2(u.y(), u.z());
    }
    return theta;
}

Expected<Signal2> horizontalAcceleration(const ImuRecording& imu, const ImuMounting& mounting,
                                         const Orientation& orientation) {
    const auto n = static_cast<Eigen::Index>(orientation.body_to_world.size());
    if (imu.acc_mps2.rows() != n)
        return fail(ErrorCode::kInvalidArgument,
                    "horizontal acceleration: " + std::to_string(imu.acc_mps2.rows()) +
                        " accelerometer samples but " + std::to_string(n) + " orientations");
    Signal2 out(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Quaterniond& q = orientation.body_to_world[static_cast<std::size_t>(i)];
        const Eigen::Vector3d f_body = mounting.body_from_sensor * imu.acc_mps2.row(i).transpose();
        Eigen::Vector3d a = q * f_body;
        a.z() -= kStandardGravity;
        const Eigen::Vector3d h = headingFromWorld(q) * a;
        out(i, 0) = h.x();
        out(i, 1) = h.y();
    }
    return out;
}

void appendISwayMeasures(const Eigen::Ref<const Signal2>& acc_h_mps2, double fs_hz,
                         MetricTable& out, const ISwayOptions& options) {
    const MetricUnit kAcc{1, "/s^2"};
    const MetricUnit kJerkUnit{2, "/s^5"};
    const MetricUnit kPower{2, "/s^4"};
    const struct {
        const char* name;
        MetricUnit unit;
    } names[] = {{"isway_jerk", kJerkUnit},
                 {"isway_dist", kAcc},
                 {"isway_rms", kAcc},
                 {"isway_rms_ML", kAcc},
                 {"isway_rms_AP", kAcc},
                 {"isway_path", kAcc},
                 {"isway_range", kAcc},
                 {"isway_range_ML", kAcc},
                 {"isway_range_AP", kAcc},
                 {"isway_mv", units::kVelocity},
                 {"isway_mf", units::kFrequency},
                 {"isway_area", kJerkUnit},
                 {"isway_pwr", kPower},
                 {"isway_f50", units::kFrequency},
                 {"isway_f95", units::kFrequency},
                 {"isway_cf", units::kFrequency},
                 {"isway_fd", units::kDimensionless}};
    const auto all_fail = [&](const Error& e) {
        for (const auto& m : names)
            out.addError(m.name, m.unit, e);
    };
    const Eigen::Index n = acc_h_mps2.rows();
    if (!(fs_hz > 0.0)) {
        all_fail(fail(ErrorCode::kInvalidArgument, "ISway: sampling rate must be positive"));
        return;
    }
    if (n < 16) {
        all_fail(fail(ErrorCode::kTooShort,
                      "ISway: needs at least 16 samples, got " + std::to_string(n)));
        return;
    }
    if (!acc_h_mps2.allFinite()) {
        all_fail(fail(ErrorCode::kNonFinite, "ISway: NaN or infinite acceleration samples"));
        return;
    }
    Eigen::MatrixXd acc = acc_h_mps2;
    if (options.lowpass_hz > 0.0) {
        auto c = butterworthLowpass(options.lowpass_order, options.lowpass_hz, fs_hz);
        if (!c) {
            all_fail(c.error());
            return;
        }
        auto f = filtfilt(*c, acc);
        if (!f) {
            all_fail(f.error());
            return;
        }
        acc = std::move(*f);
    }
    removeMean(acc);
    const Eigen::VectorXd ml = acc.col(0), ap = acc.col(1);
    const double dt = 1.0 / fs_hz;
    const double duration = static_cast<double>(n) * dt;

    const Eigen::VectorXd dml = ml.tail(n - 1) - ml.head(n - 1);
    const Eigen::VectorXd dap = ap.tail(n - 1) - ap.head(n - 1);
    // JERK = 1/2 * integral of |d acc / dt|^2 dt (Mancini 2012, Table 2), rectangle rule.
    out.add("isway_jerk", kJerkUnit, 0.5 * (dml.squaredNorm() + dap.squaredNorm()) / dt);
    const Eigen::ArrayXd radius = (ml.array().square() + ap.array().square()).sqrt();
    const double dist = radius.mean();
    out.add("isway_dist", kAcc, dist);
    out.add("isway_rms", kAcc, std::sqrt(radius.square().mean()));
    out.add("isway_rms_ML", kAcc, std::sqrt(ml.squaredNorm() / static_cast<double>(n)));
    out.add("isway_rms_AP", kAcc, std::sqrt(ap.squaredNorm() / static_cast<double>(n)));
    const double path = (dml.array().square() + dap.array().square()).sqrt().sum();
    out.add("isway_path", kAcc, path);
    Signal2 xy(n, 2);
    xy.col(0) = ml;
    xy.col(1) = ap;
    out.add("isway_range", kAcc, planarRange(xy));
    out.add("isway_range_ML", kAcc, ml.maxCoeff() - ml.minCoeff());
    out.add("isway_range_AP", kAcc, ap.maxCoeff() - ap.minCoeff());

    // MV: velocity by trapezoidal integration, linear trend (integration drift) removed, mean of
    // its magnitude.
    Eigen::MatrixXd v = Eigen::MatrixXd::Zero(n, 2);
    for (Eigen::Index i = 1; i < n; ++i)
        v.row(i) = v.row(i - 1) + 0.5 * dt * (acc.row(i - 1) + acc.row(i));
    detrendLinear(v);
    out.add("isway_mv", units::kVelocity, v.rowwise().norm().mean());
    if (dist > 0.0) {
        out.add("isway_mf", units::kFrequency, path / (2.0 * kPi * dist * duration));
    } else {
        out.addError("isway_mf", units::kFrequency,
                     fail(ErrorCode::kZeroVariance, "isway_mf: no sway (DIST is 0)"));
    }
    double area2 = 0.0;
    for (Eigen::Index i = 0; i + 1 < n; ++i)
        area2 += std::abs(ap(i + 1) * ml(i) - ap(i) * ml(i + 1));
    out.add("isway_area", kJerkUnit, area2 / (2.0 * duration));

    // Spectral measures on the sum of the two axes' PSDs (the power of the 2-D vector).
    WelchOptions wo;
    wo.nperseg = n / 2;
    wo.noverlap = n / 4;
    wo.nfft = n / 2;
    wo.detrend = Detrend::kConstant;
    auto pml = welch(ml, fs_hz, wo);
    auto pap = welch(ap, fs_hz, wo);
    const char* spectral[] = {"isway_pwr", "isway_f50", "isway_f95", "isway_cf", "isway_fd"};
    const MetricUnit spectral_units[] = {kPower, units::kFrequency, units::kFrequency,
                                         units::kFrequency, units::kDimensionless};
    const auto spectral_fail = [&](const Error& e) {
        for (int k = 0; k < 5; ++k)
            out.addError(spectral[k], spectral_units[k], e);
    };
    if (!pml || !pap) {
        spectral_fail(!pml ? pml.error() : pap.error());
        return;
    }
    const Eigen::VectorXd& f = pml->f_hz;
    const double df = fs_hz / static_cast<double>(wo.nfft);
    std::vector<double> bf, bp;
    for (Eigen::Index k = 0; k < f.size(); ++k) {
        if (f(k) >= options.band_lo_hz && f(k) <= options.band_hi_hz) {
            bf.push_back(f(k));
            bp.push_back(pml->density(k) + pap->density(k));
        }
    }
    double mu0 = 0.0, mu1 = 0.0, mu2 = 0.0;
    for (std::size_t k = 0; k < bf.size(); ++k) {
        mu0 += bp[k] * df;
        mu1 += bf[k] * bp[k] * df;
        mu2 += bf[k] * bf[k] * bp[k] * df;
    }
    if (bf.size() < 2 || !(mu0 > 0.0)) {
        spectral_fail(fail(ErrorCode::kZeroVariance,
                           "ISway spectral measures: no power between " + fmt(options.band_lo_hz) +
                               " and " + fmt(options.band_hi_hz) +
                               " Hz (or fewer than 2 frequency bins: the trial is too short)"));
        return;
    }
    out.add("isway_pwr", kPower, mu0);
    // Frequency below which a fraction of the band power lies: cumulative power interpolated
    // linearly within the bin that crosses the fraction.
    const auto quantile = [&](double fraction) {
        const double target = fraction * mu0;
        double cum = 0.0;
        for (std::size_t k = 0; k < bf.size(); ++k) {
            const double next = cum + bp[k] * df;
            if (next >= target) {
                const double frac = bp[k] > 0.0 ? (target - cum) / (bp[k] * df) : 0.0;
                return bf[k] - 0.5 * df + frac * df;
            }
            cum = next;
        }
        return bf.back();
    };
    out.add("isway_f50", units::kFrequency, quantile(0.5));
    out.add("isway_f95", units::kFrequency, quantile(0.95));
    out.add("isway_cf", units::kFrequency, std::sqrt(mu2 / mu0));
    out.add("isway_fd", units::kDimensionless,
            std::sqrt(std::max(0.0, 1.0 - mu1 * mu1 / (mu0 * mu2))));
}

}  // namespace stance::analysis
