#include "stance/analysis/com.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace stance::analysis {

namespace {

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

bool allFinite(const Eigen::Ref<const Signal2>& x) {
    return x.allFinite();
}

// Thomas algorithm for (1 + 2c) x[n] - c x[n-1] - c x[n+1] = p[n], x[0] = p[0], x[N-1] = p[N-1].
// The matrix is strictly diagonally dominant, so no pivoting is needed.
Eigen::VectorXd solvePendulum(const Eigen::Ref<const Eigen::VectorXd>& p, double c) {
    const Eigen::Index n = p.size();
    Eigen::VectorXd x(n);
    x(0) = p(0);
    x(n - 1) = p(n - 1);
    if (n == 3) {
        x(1) = (p(1) + c * (p(0) + p(2))) / (1.0 + 2.0 * c);
        return x;
    }
    // Unknowns 1 .. n-2; sub- and super-diagonal -c, diagonal 1 + 2c.
    const Eigen::Index m = n - 2;
    std::vector<double> cp(static_cast<std::size_t>(m)), dp(static_cast<std::size_t>(m));
    const double diag = 1.0 + 2.0 * c;
    for (Eigen::Index i = 0; i < m; ++i) {
        double rhs = p(i + 1);
        if (i == 0)
            rhs += c * p(0);
        if (i == m - 1)
            rhs += c * p(n - 1);
        const auto k = static_cast<std::size_t>(i);
        if (i == 0) {
            cp[k] = -c / diag;
            dp[k] = rhs / diag;
        } else {
            const double denom = diag + c * cp[k - 1];
            cp[k] = -c / denom;
            dp[k] = (rhs + c * dp[k - 1]) / denom;
        }
    }
    x(m) = dp[static_cast<std::size_t>(m - 1)];
    for (Eigen::Index i = m - 2; i >= 0; --i) {
        const auto k = static_cast<std::size_t>(i);
        x(i + 1) = dp[k] - cp[k] * x(i + 2);
    }
    return x;
}

// One axis of the Zatsiorsky & King integration. a: acceleration samples (m/s^2), p: COP (m).
struct AxisResult {
    Eigen::VectorXd x;
    int zero_points = 0;
    Eigen::Index first = 0, last = 0;
};

Expected<AxisResult> integrateAxis(const Eigen::VectorXd& a, const Eigen::VectorXd& p, double dt,
                                   const char* axis) {
    const Eigen::Index n = a.size();
    // Zero points as fractional sample indices: exact zeros, and sign changes interpolated.
    std::vector<double> zeros;
    for (Eigen::Index i = 0; i < n; ++i) {
        if (a(i) == 0.0) {
            if (zeros.empty() || zeros.back() != static_cast<double>(i))
                zeros.push_back(static_cast<double>(i));
            continue;
        }
        if (i + 1 < n && a(i + 1) != 0.0 && (a(i) > 0.0) != (a(i + 1) > 0.0))
            zeros.push_back(static_cast<double>(i) + a(i) / (a(i) - a(i + 1)));
    }
    if (zeros.size() < 2) {
        return fail(ErrorCode::kUndefined, std::string("zero-point integration: the ") + axis +
                                               " horizontal force crosses zero " +
                                               std::to_string(zeros.size()) +
                                               " time(s); at least 2 zero points are needed");
    }
    const auto value_at = [n](const Eigen::VectorXd& s, double idx) {
        const auto i = static_cast<Eigen::Index>(std::floor(idx));
        if (i >= n - 1)
            return s(n - 1);
        const double f = idx - static_cast<double>(i);
        return s(i) + f * (s(i + 1) - s(i));
    };

    AxisResult r;
    r.x = Eigen::VectorXd::Zero(n);
    r.zero_points = static_cast<int>(zeros.size());

    // Exact double integral of the piecewise-linear acceleration over [lo, hi] (fractional
    // indices), starting with velocity v0 and displacement 0; returns end velocity and
    // displacement, and writes displacements at the integer samples inside (lo, hi] via `emit`.
    const auto integrate = [&](double lo, double hi, double v0, auto&& emit) {
        double v = v0, d = 0.0, t = lo;
        double a0 = value_at(a, lo);
        while (t < hi) {
            const double next = std::min(hi, std::floor(t) + 1.0);
            const double a1 = value_at(a, next);
            const double h = (next - t) * dt;
            d += v * h + h * h * (2.0 * a0 + a1) / 6.0;
            v += 0.5 * (a0 + a1) * h;
            t = next;
            a0 = a1;
            if (t == std::floor(t))
                emit(static_cast<Eigen::Index>(t), d);
        }
        return std::pair<double, double>{v, d};
    };

    double v_first = 0.0, v_last = 0.0;
    for (std::size_t z = 0; z + 1 < zeros.size(); ++z) {
        const double lo = zeros[z], hi = zeros[z + 1];
        const double x_lo = value_at(p, lo), x_hi = value_at(p, hi);
        // Displacement of the integral from rest; then choose v so that x(hi) = COP(hi).
        const auto [v_end0, d_end] = integrate(lo, hi, 0.0, [](Eigen::Index, double) {});
        const double span = (hi - lo) * dt;
        const double v0 = (x_hi - x_lo - d_end) / span;
        integrate(lo, hi, v0, [&](Eigen::Index i, double d) {
            r.x(i) = x_lo + d;  // d includes v0 * elapsed
        });
        if (z == 0) {
            v_first = v0;
            // The sample exactly at lo (an exact zero) is not emitted by `integrate`.
            if (lo == std::floor(lo))
                r.x(static_cast<Eigen::Index>(lo)) = x_lo;
        }
        v_last = v0 + v_end0;
    }
    // Extrapolate before the first zero point backwards, after the last forwards.
    const double z0 = zeros.front(), z1 = zeros.back();
    r.first = static_cast<Eigen::Index>(std::ceil(z0));
    r.last = static_cast<Eigen::Index>(std::floor(z1));
    {
        const double x0 = value_at(p, z0);
        double v = v_first, d = 0.0, t = z0;
        double a0 = 0.0;
        while (t > 0.0) {
            const double prev = std::max(0.0, std::ceil(t) - 1.0);
            const double a1 = value_at(a, prev);
            const double h = (prev - t) * dt;  // negative step
            d += v * h + h * h * (2.0 * a0 + a1) / 6.0;
            v += 0.5 * (a0 + a1) * h;
            t = prev;
            a0 = a1;
            r.x(static_cast<Eigen::Index>(t)) = x0 + d;
        }
    }
    {
        const double x1 = value_at(p, z1);
        integrate(z1, static_cast<double>(n - 1), v_last,
                  [&](Eigen::Index i, double d) { r.x(i) = x1 + d; });
    }
    return r;
}

}  // namespace

Expected<double> comHeight(const BodyParameters& body) {
    if (body.com_height_m != 0.0) {
        if (!(body.com_height_m > 0.2 && body.com_height_m < 1.5))
            return fail(ErrorCode::kInvalidArgument,
                        "COM height " + fmt(body.com_height_m) +
                            " m is outside 0.2-1.5 m (is it in metres?)");
        return body.com_height_m;
    }
    if (body.height_m == 0.0)
        return fail(ErrorCode::kInvalidArgument,
                    "the subject's height (or a measured COM height) is needed for the COM "
                    "height and sway angle");
    if (!(body.height_m > 0.3 && body.height_m < 2.5))
        return fail(ErrorCode::kInvalidArgument,
                    "height " + fmt(body.height_m) + " m is outside 0.3-2.5 m (is it in metres?)");
    return kComHeightRatio * body.height_m;
}

Expected<PendulumModel> pendulumModel(const BodyParameters& body) {
    auto l = comHeight(body);
    if (!l)
        return l.error();
    const double h =
        (body.height_m > 0.3 && body.height_m < 2.5) ? body.height_m : *l / kComHeightRatio;
    PendulumModel m;
    m.com_height_m = *l;
    const double l2 = *l * *l;
    m.omega0_ap_rad_s = std::sqrt(kStandardGravity * *l / (kGyrationSqRatioAp * h * h + l2));
    m.omega0_ml_rad_s = std::sqrt(kStandardGravity * *l / (kGyrationSqRatioMl * h * h + l2));
    return m;
}

Eigen::Index comEdgeSamples(const PendulumModel& model, double fs_hz) {
    const double w = std::min(model.omega0_ml_rad_s, model.omega0_ap_rad_s);
    if (!(w > 0.0) || !(fs_hz > 0.0))
        return 0;
    return static_cast<Eigen::Index>(std::ceil(4.0 / w * fs_hz));
}

Expected<Signal2> comFromCopLowPass(const Eigen::Ref<const Signal2>& cop_m, double fs_hz,
                                    const PendulumModel& model) {
    if (!(fs_hz > 0.0))
        return fail(ErrorCode::kInvalidArgument, "COM low-pass: sampling rate must be positive");
    if (cop_m.rows() < 3)
        return fail(ErrorCode::kTooShort, "COM low-pass: needs at least 3 COP samples, got " +
                                              std::to_string(cop_m.rows()));
    if (!allFinite(cop_m))
        return fail(ErrorCode::kNonFinite, "COM low-pass: the COP has NaN or infinite samples");
    if (!(model.omega0_ml_rad_s > 0.0 && model.omega0_ap_rad_s > 0.0))
        return fail(ErrorCode::kInvalidArgument, "COM low-pass: pendulum frequency must be > 0");
    Signal2 com(cop_m.rows(), 2);
    const double dt = 1.0 / fs_hz;
    const std::array<double, 2> w{model.omega0_ml_rad_s, model.omega0_ap_rad_s};
    for (int axis = 0; axis < 2; ++axis) {
        const double c =
            1.0 / (w[static_cast<std::size_t>(axis)] * dt * w[static_cast<std::size_t>(axis)] * dt);
        com.col(axis) = solvePendulum(cop_m.col(axis), c);
    }
    return com;
}

Expected<ZeroPointResult> comFromZeroPointIntegration(const Eigen::Ref<const Signal2>& cop_m,
                                                      const Eigen::Ref<const Signal2>& force_n,
                                                      double fs_hz, double mass_kg,
                                                      bool remove_force_mean) {
    if (cop_m.rows() != force_n.rows())
        return fail(ErrorCode::kInvalidArgument,
                    "zero-point integration: COP has " + std::to_string(cop_m.rows()) +
                        " samples but the horizontal force " + std::to_string(force_n.rows()));
    if (!(mass_kg > 0.0))
        return fail(ErrorCode::kInvalidArgument,
                    "zero-point integration: body mass must be positive, got " + fmt(mass_kg));
    if (!(fs_hz > 0.0))
        return fail(ErrorCode::kInvalidArgument,
                    "zero-point integration: sampling rate must be positive");
    if (cop_m.rows() < 3)
        return fail(ErrorCode::kTooShort, "zero-point integration: needs at least 3 samples");
    if (!allFinite(cop_m) || !allFinite(force_n))
        return fail(ErrorCode::kNonFinite,
                    "zero-point integration: NaN or infinite COP or force samples");
    ZeroPointResult out;
    out.com_m.resize(cop_m.rows(), 2);
    const char* names[2] = {"ML", "AP"};
    for (int axis = 0; axis < 2; ++axis) {
        Eigen::VectorXd f = force_n.col(axis);
        if (remove_force_mean)
            f.array() -= f.mean();
        const Eigen::VectorXd a = f / mass_kg;
        const Eigen::VectorXd p = cop_m.col(axis);
        auto r = integrateAxis(a, p, 1.0 / fs_hz, names[axis]);
        if (!r)
            return r.error();
        out.com_m.col(axis) = r->x;
        const auto k = static_cast<std::size_t>(axis);
        out.zero_points[k] = r->zero_points;
        out.first[k] = r->first;
        out.last[k] = r->last;
    }
    return out;
}

Expected<Signal2> swayAngleFromCom(const Eigen::Ref<const Signal2>& com_m, double com_height_m,
                                   const Eigen::Vector2d& pivot_m) {
    if (!(com_height_m > 0.0))
        return fail(ErrorCode::kInvalidArgument, "sway angle: COM height must be positive");
    if (!com_m.allFinite())
        return fail(ErrorCode::kNonFinite, "sway angle: the COM has NaN or infinite samples");
    Signal2 theta(com_m.rows(), 2);
    for (Eigen::Index i = 0; i < com_m.rows(); ++i) {
        for (int a = 0; a < 2; ++a) {
            const double s = (com_m(i, a) - pivot_m(a)) / com_height_m;
            if (std::abs(s) > 1.0)
                return fail(ErrorCode::kUndefined,
                            "sway angle: at sample " + std::to_string(i) + " the COM is " +
                                fmt(com_m(i, a) - pivot_m(a)) +
                                " m from the pivot, more than the COM height " + fmt(com_height_m) +
                                " m");
            theta(i, a) = std::asin(s);
        }
    }
    return theta;
}

}  // namespace stance::analysis
