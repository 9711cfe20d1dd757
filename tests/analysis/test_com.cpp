// Centre of mass and sway angle: the inverted-pendulum low-pass (Caron 1997) and the
// zero-point-to-zero-point integration (Zatsiorsky & King 1998) on signals with closed forms.

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "stance/analysis/com.hpp"

using namespace stance::analysis;

namespace {

constexpr double kPi = 3.14159265358979323846;

// x(t) = sum a_k sin(w_k t + p_k) with its second derivative.
struct Sines {
    std::vector<double> a, f_hz, phase;
    double x(double t) const {
        double v = 0.0;
        for (std::size_t k = 0; k < a.size(); ++k)
            v += a[k] * std::sin(2 * kPi * f_hz[k] * t + phase[k]);
        return v;
    }
    double xdd(double t) const {
        double v = 0.0;
        for (std::size_t k = 0; k < a.size(); ++k) {
            const double w = 2 * kPi * f_hz[k];
            v -= a[k] * w * w * std::sin(w * t + phase[k]);
        }
        return v;
    }
};

BodyParameters adult() {
    BodyParameters b;
    b.height_m = 1.75;
    b.mass_kg = 70.0;
    return b;
}

}  // namespace

TEST_CASE("COM height and pendulum frequencies follow the anthropometric rules", "[com]") {
    const auto l = comHeight(adult());
    REQUIRE(l);
    CHECK(*l == Approx(0.5527 * 1.75));
    const auto m = pendulumModel(adult());
    REQUIRE(m);
    const double L = 0.5527 * 1.75, h2 = 1.75 * 1.75;
    CHECK(m->omega0_ap_rad_s == Approx(std::sqrt(9.80665 * L / (0.0533 * h2 + L * L))));
    CHECK(m->omega0_ml_rad_s == Approx(std::sqrt(9.80665 * L / (0.0572 * h2 + L * L))));
    // A larger radius of gyration (ML) means a lower natural frequency.
    CHECK(m->omega0_ml_rad_s < m->omega0_ap_rad_s);

    BodyParameters measured = adult();
    measured.com_height_m = 1.0;
    CHECK(*comHeight(measured) == 1.0);

    const auto none = comHeight(BodyParameters{});
    REQUIRE_FALSE(none);
    CHECK(none.error().message.find("height") != std::string::npos);
    BodyParameters cm;
    cm.height_m = 175.0;  // centimetres by mistake
    const auto bad = comHeight(cm);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("metres") != std::string::npos);
}

TEST_CASE("the low-pass COM inverts the pendulum equation for a sum of sines", "[com]") {
    const auto model = pendulumModel(adult());
    REQUIRE(model);
    const double fs = 100.0, w0_ml = model->omega0_ml_rad_s, w0_ap = model->omega0_ap_rad_s;
    const Sines ml{{0.004, 0.002}, {0.11, 0.47}, {0.3, 1.1}};
    const Sines ap{{0.006, 0.003, 0.001}, {0.07, 0.23, 0.9}, {0.0, 2.0, 0.7}};
    const Eigen::Index n = 3000;
    Signal2 cop(n, 2), com_true(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        com_true(i, 0) = ml.x(t) + 0.01;  // offsets: the filter is linear
        com_true(i, 1) = ap.x(t) - 0.03;
        cop(i, 0) = com_true(i, 0) - ml.xdd(t) / (w0_ml * w0_ml);
        cop(i, 1) = com_true(i, 1) - ap.xdd(t) / (w0_ap * w0_ap);
    }
    const auto com = comFromCopLowPass(cop, fs, *model);
    REQUIRE(com);
    const Eigen::Index edge = comEdgeSamples(*model, fs);
    CHECK(edge == static_cast<Eigen::Index>(std::ceil(4.0 / w0_ml * fs)));
    // Away from the ends only the discretisation error of the second difference is left:
    // (w dt)^2 / 12 of the x''/w0^2 term, below 1e-6 m here.
    CHECK((*com - com_true).middleRows(n / 4, n / 2).cwiseAbs().maxCoeff() < 2e-6);
    // Past the edge samples, the end transient is below 2 % of the COP-COM gap at the ends.
    const double gap = std::max((cop - com_true).row(0).cwiseAbs().maxCoeff(),
                                (cop - com_true).row(n - 1).cwiseAbs().maxCoeff());
    const Signal2 err = (*com - com_true).middleRows(edge, n - 2 * edge);
    CHECK(err.cwiseAbs().maxCoeff() < 0.02 * gap + 2e-6);
    // The COP itself is a much worse COM estimate at these frequencies.
    CHECK((cop - com_true).middleRows(edge, n - 2 * edge).cwiseAbs().maxCoeff() > 1e-3);
    // At the very ends the estimate is pinned to the COP.
    CHECK((*com)(0, 1) == cop(0, 1));
}

TEST_CASE("the low-pass COM rejects what it cannot filter", "[com]") {
    const auto model = *pendulumModel(adult());
    Signal2 two(2, 2);
    two.setZero();
    CHECK(comFromCopLowPass(two, 100.0, model).error().code == ErrorCode::kTooShort);
    Signal2 nan = Signal2::Zero(10, 2);
    nan(4, 1) = std::nan("");
    CHECK(comFromCopLowPass(nan, 100.0, model).error().code == ErrorCode::kNonFinite);
    CHECK(comFromCopLowPass(Signal2::Zero(10, 2), 0.0, model).error().code ==
          ErrorCode::kInvalidArgument);
}

TEST_CASE("zero-point integration recovers the COM from horizontal force and COP", "[com]") {
    const auto model = *pendulumModel(adult());
    const double fs = 100.0, mass = 70.0;
    const Sines ml{{0.003, 0.0015}, {0.13, 0.41}, {0.4, 0.2}};
    const Sines ap{{0.005, 0.002}, {0.09, 0.33}, {1.0, 0.5}};
    const Eigen::Index n = 4000;
    Signal2 cop(n, 2), force(n, 2), truth(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        truth(i, 0) = ml.x(t);
        truth(i, 1) = ap.x(t) + 0.02;
        force(i, 0) = mass * ml.xdd(t);
        force(i, 1) = mass * ap.xdd(t);
        cop(i, 0) = truth(i, 0) - ml.xdd(t) / (model.omega0_ml_rad_s * model.omega0_ml_rad_s);
        cop(i, 1) = truth(i, 1) - ap.xdd(t) / (model.omega0_ap_rad_s * model.omega0_ap_rad_s);
    }
    const auto r = comFromZeroPointIntegration(cop, force, fs, mass, false);
    REQUIRE(r);
    CHECK(r->zero_points[0] > 20);
    CHECK(r->zero_points[1] > 20);
    const Eigen::Index a = std::max(r->first[0], r->first[1]);
    const Eigen::Index b = std::min(r->last[0], r->last[1]);
    const Signal2 err = (r->com_m - truth).middleRows(a, b - a + 1);
    // Between zero points: the sampled force integrated as piecewise linear (error ~ dt^2 x'''').
    CHECK(err.cwiseAbs().maxCoeff() < 2e-5);
    // Extrapolated ends stay close for a few tenths of a second.
    CHECK(std::abs(r->com_m(0, 1) - truth(0, 1)) < 2e-3);

    // A force offset (a plate not tared) is removed with the mean: same result as without it.
    Signal2 offset = force;
    offset.col(1).array() += 5.0;
    const auto with = comFromZeroPointIntegration(cop, offset, fs, mass, true);
    const auto without = comFromZeroPointIntegration(cop, force, fs, mass, true);
    REQUIRE(with);
    REQUIRE(without);
    CHECK((with->com_m - without->com_m).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("zero-point integration names what is missing", "[com]") {
    Signal2 cop = Signal2::Zero(100, 2), force = Signal2::Constant(100, 2, 1.0);
    const auto none = comFromZeroPointIntegration(cop, force, 100.0, 70.0, false);
    REQUIRE_FALSE(none);
    CHECK(none.error().message.find("ML horizontal force crosses zero 0 time") !=
          std::string::npos);
    CHECK_FALSE(comFromZeroPointIntegration(cop, force, 100.0, 0.0));
    CHECK_FALSE(comFromZeroPointIntegration(cop, Signal2::Zero(99, 2), 100.0, 70.0));
}

TEST_CASE("sway angle is the asin of the COM offset over its height", "[com]") {
    Signal2 com(3, 2);
    const double L = 0.97;
    com << L * std::sin(0.05), 0.1 + L * std::sin(-0.02),  //
        0.0, 0.1,                                          //
        L * std::sin(-0.1), 0.1 + L * std::sin(0.08);
    const auto th = swayAngleFromCom(com, L, Eigen::Vector2d(0.0, 0.1));
    REQUIRE(th);
    CHECK((*th)(0, 0) == Approx(0.05));
    CHECK((*th)(0, 1) == Approx(-0.02));
    CHECK((*th)(1, 1) == Approx(0.0).margin(1e-15));
    CHECK((*th)(2, 0) == Approx(-0.1));
    CHECK((*th)(2, 1) == Approx(0.08));
    Signal2 far(1, 2);
    far << 1.2, 0.0;
    const auto bad = swayAngleFromCom(far, 1.0, Eigen::Vector2d::Zero());
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("sample 0") != std::string::npos);
}
