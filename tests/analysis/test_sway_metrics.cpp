// Santos & Duarte 2016, Prieto 1996, ellipses, hull, Collins & De Luca, complexity:
// golden values on real trials, closed forms, invariances and bad input.

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "fixtures.hpp"
#include "stance/analysis/geometry.hpp"
#include "stance/analysis/metrics.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/analysis/sway_metrics.hpp"

using namespace stance::analysis;
using stance::test::bdsTrials;
using stance::test::loadBdsTrial;
using stance::test::loadPdsTrial;
using stance::test::loadReference;
using stance::test::publicData;
using stance::test::relDiff;

namespace {

struct AuthorValues {
    double area_cm2, velocity_cm_s, mfreq_hz;
};

// Last three columns of an authors' BDSinfoCOP / PDSinfoCOP row.
AuthorValues authorValues(const std::string& file, const std::string& trial) {
    std::ifstream in(publicData(file));
    REQUIRE(in);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.rfind(trial + "\t", 0) != 0)
            continue;
        std::vector<std::string> cells;
        std::stringstream ss(line);
        std::string c;
        while (std::getline(ss, c, '\t'))
            cells.push_back(c);
        const auto k = cells.size();
        return {std::stod(cells[k - 3]), std::stod(cells[k - 2]), std::stod(cells[k - 1])};
    }
    FAIL("no row for " << trial << " in " << file);
    return {};
}

UniformTrace rawTrace(const CopRecording& rec) {
    auto t = preprocess(rec, Pipeline::kRaw);
    REQUIRE(t);
    return *t;
}

double value(const MetricTable& t, const std::string& name) {
    const Metric* m = t.find(name);
    INFO(name);
    REQUIRE(m != nullptr);
    INFO(m->error);
    REQUIRE(m->ok());
    return m->value;
}

UniformTrace syntheticTrace(Eigen::Index n, double fs, unsigned seed) {
    // A smooth random walk in the plane: two AR(1)-filtered noises, anisotropic and correlated.
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, 1.0);
    UniformTrace t;
    t.fs_hz = fs;
    t.xy_m.resize(n, 2);
    double a = 0.0, b = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        a = 0.98 * a + 1e-4 * g(rng);
        b = 0.97 * b + 2e-4 * g(rng);
        t.xy_m(i, 0) = a + 0.3 * b;
        t.xy_m(i, 1) = b;
    }
    t.xy_m.rowwise() -= t.xy_m.colwise().mean();
    return t;
}

}  // namespace

TEST_CASE("Santos & Duarte values equal the authors' published ones on their trials",
          "[analysis][bds][golden]") {
    double worst = 0.0;
    for (const auto& trial : bdsTrials()) {
        MetricTable t;
        appendBdsMetrics(rawTrace(loadBdsTrial(trial)), t);
        const auto ref = authorValues("bds_santos_duarte_2016/BDSinfoCOP_shared_subset.txt", trial);
        const double d_area = relDiff(value(t, "bds_cop_area") * 1e4, ref.area_cm2);
        const double d_velo = relDiff(value(t, "bds_cop_velocity") * 1e2, ref.velocity_cm_s);
        const double d_freq = relDiff(value(t, "bds_cop_mean_frequency"), ref.mfreq_hz);
        INFO(trial << " area " << d_area << " velocity " << d_velo << " mfreq " << d_freq);
        CHECK(d_area <= 1e-9);
        CHECK(d_velo <= 1e-9);
        CHECK(d_freq <= 1e-9);
        worst = std::max({worst, d_area, d_velo, d_freq});
    }
    CHECK(worst <= 1e-9);
}

TEST_CASE("Santos & Duarte definitions reproduce the dos Santos 2017 values",
          "[analysis][bds][golden]") {
    for (const std::string trial : {"PDS13OR1", "PDS13CF1"}) {
        MetricTable t;
        appendBdsMetrics(rawTrace(loadPdsTrial(trial)), t);
        const auto ref = authorValues("pds_dos_santos_2017/PDSinfoCOP_shared_subset.txt", trial);
        CHECK(relDiff(value(t, "bds_cop_area") * 1e4, ref.area_cm2) <= 1e-9);
        CHECK(relDiff(value(t, "bds_cop_velocity") * 1e2, ref.velocity_cm_s) <= 1e-9);
        CHECK(relDiff(value(t, "bds_cop_mean_frequency"), ref.mfreq_hz) <= 1e-6);
    }
}

TEST_CASE("the 95 % prediction ellipse equals Duarte's hyperellipsoid",
          "[analysis][ellipse][golden]") {
    for (const auto& trial : bdsTrials()) {
        const auto ref = loadReference(trial, "raw100")["bmc_duarte"];
        auto e = predictionEllipse95(rawTrace(loadBdsTrial(trial)).xy_m);
        REQUIRE(e);
        INFO(trial);
        CHECK(relDiff(e->area_m2 * 1e6, ref["prediction_ellipse_area_95"].get<double>()) <= 1e-6);
        const double a = ref["ellipse_semi_axes"][0].get<double>();
        const double b = ref["ellipse_semi_axes"][1].get<double>();
        CHECK(relDiff(e->semi_major_m * 1e3, std::max(a, b)) <= 1e-6);
        CHECK(relDiff(e->semi_minor_m * 1e3, std::min(a, b)) <= 1e-6);
        double angle = ref["ellipse_angles_deg"][0].get<double>();
        if (angle > 90.0)
            angle -= 180.0;
        if (angle <= -90.0)
            angle += 180.0;
        CHECK(e->major_axis_angle_deg == Approx(angle).margin(1e-6));
    }
}

TEST_CASE("ellipse areas have their closed forms on a known covariance", "[analysis][ellipse]") {
    // Points (+-a, 0), (0, +-b) repeated: covariance diag(a^2, b^2) * 2k/(4k-1) exactly.
    const double a = 0.01, b = 0.004;
    const int k = 250;
    UniformTrace t;
    t.fs_hz = 100.0;
    t.xy_m.resize(4 * k, 2);
    for (int i = 0; i < k; ++i) {
        t.xy_m.row(4 * i) << a, 0.0;
        t.xy_m.row(4 * i + 1) << -a, 0.0;
        t.xy_m.row(4 * i + 2) << 0.0, b;
        t.xy_m.row(4 * i + 3) << 0.0, -b;
    }
    const double n = 4.0 * k;
    const double sxx = 2.0 * k * a * a / (n - 1.0), syy = 2.0 * k * b * b / (n - 1.0);
    auto e = predictionEllipse95(t.xy_m);
    REQUIRE(e);
    const double kf = fQuantile2(0.95, n - 2.0) * 2.0 * (n - 1.0) * (n + 1.0) / (n * (n - 2.0));
    CHECK(e->semi_major_m == Approx(std::sqrt(sxx * kf)).epsilon(1e-12));
    CHECK(e->semi_minor_m == Approx(std::sqrt(syy * kf)).epsilon(1e-12));
    CHECK(e->major_axis_angle_deg == Approx(0.0).margin(1e-9));
    MetricTable m;
    appendAreaMetrics(t, m);
    CHECK(value(m, "chi2_ellipse_area_95") ==
          Approx(M_PI * 5.991464547107979 * std::sqrt(sxx * syy)).epsilon(1e-12));
    CHECK(value(m, "convex_hull_area") == Approx(2.0 * a * b).epsilon(1e-12));  // a rhombus
    // F quantile closed form against scipy 1.10: f.ppf(0.95, 2, 10) = 4.102821015130402.
    CHECK(fQuantile2(0.95, 10.0) == Approx(4.102821015130402).epsilon(1e-13));
}

TEST_CASE("convex hull and planar range are exact", "[analysis][geometry]") {
    Signal2 sq(9, 2);
    sq << 0, 0, 1, 0, 1, 1, 0, 1, 0.5, 0.5, 0.2, 0.7, 0.9, 0.1, 0.5, 0.0, 1.0, 0.5;
    const auto hull = convexHull(sq);
    CHECK(hull.size() == 4);  // collinear edge points dropped
    CHECK(polygonArea(hull) == Approx(1.0).epsilon(1e-15));
    CHECK(planarRange(sq) == Approx(std::sqrt(2.0)).epsilon(1e-15));

    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    Signal2 pts(500, 2);
    for (Eigen::Index i = 0; i < 500; ++i)
        pts.row(i) << u(rng), 0.3 * u(rng);
    double brute = 0.0;
    for (Eigen::Index i = 0; i < 500; ++i) {
        for (Eigen::Index j = i + 1; j < 500; ++j)
            brute = std::max(brute, (pts.row(i) - pts.row(j)).norm());
    }
    CHECK(planarRange(pts) == brute);
    // Every point lies inside or on the hull.
    const auto h = convexHull(pts);
    for (Eigen::Index i = 0; i < 500; ++i) {
        for (std::size_t k = 0; k < h.size(); ++k) {
            const auto& p0 = h[k];
            const auto& p1 = h[(k + 1) % h.size()];
            const double cr =
                (p1.x() - p0.x()) * (pts(i, 1) - p0.y()) - (p1.y() - p0.y()) * (pts(i, 0) - p0.x());
            CHECK(cr >= -1e-15);
        }
    }
}

TEST_CASE("Prieto measures follow their definitions", "[analysis][prieto]") {
    // A circle of radius R traversed once: MDIST = RDIST = R, s_RD = 0, AREA-CC = pi R^2.
    const double radius = 0.005;
    UniformTrace t;
    t.fs_hz = 100.0;
    const Eigen::Index n = 2000;
    t.xy_m.resize(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double th = 2.0 * M_PI * static_cast<double>(i) / static_cast<double>(n);
        t.xy_m.row(i) << radius * std::cos(th), radius * std::sin(th);
    }
    MetricTable m;
    appendPrietoMetrics(t, m);
    // s_RD = sqrt(RDIST^2 - MDIST^2) is a difference of nearly equal sums: ~1e-9 m of rounding.
    CHECK(value(m, "prieto_area_cc") == Approx(M_PI * radius * radius).epsilon(1e-5));
    // s_ML^2 = s_AP^2 = R^2/2, F = 3.00 for N > 120: AREA-CE = 2 pi 3 R^2 / 2.
    CHECK(value(m, "prieto_area_ce") == Approx(3.0 * M_PI * radius * radius).epsilon(1e-9));
    // n - 1 chords of the open path
    const double totex =
        2.0 * static_cast<double>(n - 1) * radius * std::sin(M_PI / static_cast<double>(n));
    CHECK(value(m, "prieto_mean_velocity") ==
          Approx(totex / (static_cast<double>(n) / 100.0)).epsilon(1e-9));
    const double nd = static_cast<double>(n);
    CHECK(value(m, "prieto_fd_cc") ==
          Approx(std::log(nd) / std::log(nd * 2.0 * radius / totex)).epsilon(1e-6));
}

TEST_CASE("Collins & De Luca coefficients recover a known diffusion", "[analysis][cdl]") {
    // Brownian motion with D = 1e-6 m^2/s per axis: MSD = 2 D dt, so D is the slope / 2.
    std::mt19937 rng(11);
    std::normal_distribution<double> g(0.0, 1.0);
    const double fs = 100.0, d = 1e-6;
    UniformTrace t;
    t.fs_hz = fs;
    const Eigen::Index n = 60000;
    t.xy_m.resize(n, 2);
    double x = 0.0, y = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        x += std::sqrt(2.0 * d / fs) * g(rng);
        y += std::sqrt(2.0 * d / fs) * g(rng);
        t.xy_m.row(i) << x, y;
    }
    MetricTable m;
    appendCollinsDeLucaMetrics(t, m);
    CHECK(value(m, "cdl_diffusion_short_ML") == Approx(d).epsilon(0.1));
    CHECK(value(m, "cdl_diffusion_short_AP") == Approx(d).epsilon(0.1));
    CHECK(value(m, "cdl_diffusion_short_planar") == Approx(2.0 * d).epsilon(0.1));
}

TEST_CASE("sample entropy equals a brute-force count and behaves as expected",
          "[analysis][complexity]") {
    std::mt19937 rng(3);
    std::normal_distribution<double> g(0.0, 1.0);
    Eigen::VectorXd noise(1000);
    for (auto& v : noise)
        v = g(rng);
    const double sd = std::sqrt((noise.array() - noise.mean()).square().mean());
    const double r = 0.2 * sd;
    long long bm = 0, am = 0;
    for (Eigen::Index i = 0; i < 998; ++i) {
        for (Eigen::Index j = i + 1; j < 998; ++j) {
            if (std::abs(noise(i) - noise(j)) <= r && std::abs(noise(i + 1) - noise(j + 1)) <= r) {
                ++bm;
                if (std::abs(noise(i + 2) - noise(j + 2)) <= r)
                    ++am;
            }
        }
    }
    auto se = sampleEntropy(noise, 2, r);
    REQUIRE(se);
    CHECK(*se ==
          Approx(-std::log(static_cast<double>(am) / static_cast<double>(bm))).epsilon(1e-14));
    CHECK(*se > 1.8);
    CHECK(*se < 2.7);

    Eigen::VectorXd sine(2000);
    for (Eigen::Index i = 0; i < 2000; ++i)
        sine(i) = std::sin(0.05 * static_cast<double>(i));
    auto ss = sampleEntropy(sine, 2, 0.2 * std::sqrt(0.5));
    REQUIRE(ss);
    CHECK(*ss < 0.2);

    auto flat = sampleEntropy(Eigen::VectorXd::Constant(100, 1.0), 2, 0.0);
    REQUIRE_FALSE(flat);
    CHECK(flat.error().code == ErrorCode::kZeroVariance);
}

TEST_CASE("DFA gives 0.5 for white noise and 1.5 for its integral", "[analysis][complexity]") {
    std::mt19937 rng(5);
    std::normal_distribution<double> g(0.0, 1.0);
    Eigen::VectorXd w(10000), walk(10000);
    double acc = 0.0;
    for (Eigen::Index i = 0; i < 10000; ++i) {
        w(i) = g(rng);
        acc += w(i);
        walk(i) = acc;
    }
    auto a = dfaAlpha(w);
    auto b = dfaAlpha(walk);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a == Approx(0.5).margin(0.1));
    CHECK(*b == Approx(1.5).margin(0.1));
    CHECK_FALSE(dfaAlpha(Eigen::VectorXd::Constant(500, 2.0)));
}

TEST_CASE("metrics transform as they must under translation, rotation, scaling and reversal",
          "[analysis][invariance]") {
    const UniformTrace base = syntheticTrace(3000, 100.0, 42);
    MetricOptions opt;
    const MetricTable m0 = computeAllMetrics(base, opt);

    // Translation: the pipeline centres, so only mean_value changes.
    UniformTrace shifted = base;
    shifted.xy_m.rowwise() += Eigen::RowVector2d(0.03, -0.05);
    {
        auto again = preprocess(
            CopRecording{Eigen::VectorXd::LinSpaced(3000, 0.0, 29.99), shifted.xy_m, 100.0},
            Pipeline::kRaw);
        REQUIRE(again);
        const MetricTable m1 = computeAllMetrics(*again, opt);
        for (const auto& m : m0.entries()) {
            if (m.name.rfind("mean_value", 0) == 0 || !m.ok())
                continue;
            INFO(m.name);
            CHECK(relDiff(value(m1, m.name), m.value) < 1e-9);
        }
    }

    // Scaling by s: each metric scales by s^length_power.
    const double s = 3.7;
    UniformTrace scaled = base;
    scaled.xy_m *= s;
    const MetricTable ms = computeAllMetrics(scaled, opt);
    for (const auto& m : m0.entries()) {
        // Sway density counts samples within a fixed 3 mm radius: not scale-covariant by design.
        if (!m.ok() || m.name.find("Sway_Density") != std::string::npos)
            continue;
        INFO(m.name);
        CHECK(relDiff(value(ms, m.name), m.value * std::pow(s, m.unit.length_power)) < 1e-9);
    }

    // Rotation: planar, rotation-invariant metrics are unchanged.
    const double th = 0.7;
    Eigen::Matrix2d rot;
    rot << std::cos(th), -std::sin(th), std::sin(th), std::cos(th);
    UniformTrace rotated = base;
    rotated.xy_m = (base.xy_m * rot.transpose()).eval();
    const MetricTable mr = computeAllMetrics(rotated, opt);
    for (const char* name : {"rms_Radius",
                             "mean_distance_Radius",
                             "maximal_distance_Radius",
                             "range_ML_AND_AP",
                             "planar_deviation_ML_AND_AP",
                             "confidence_ellipse_area_ML_AND_AP",
                             "mean_velocity_ML_AND_AP",
                             "sway_area_per_second_ML_AND_AP",
                             "LFS_ML_AND_AP",
                             "fractal_dimension_ML_AND_AP",
                             "mean_frequency_ML_AND_AP",
                             "mean_peak_Sway_Density",
                             "mean_distance_peak_Sway_Density",
                             "bds_cop_area",
                             "bds_cop_velocity",
                             "prediction_ellipse_area_95",
                             "prediction_ellipse_semi_major",
                             "prediction_ellipse_semi_minor",
                             "chi2_ellipse_area_95",
                             "convex_hull_area",
                             "prieto_area_ce",
                             "prieto_area_cc",
                             "prieto_fd_pd",
                             "prieto_fd_cc",
                             "prieto_fd_ce",
                             "prieto_mean_velocity",
                             "cdl_diffusion_short_planar",
                             "cdl_diffusion_long_planar",
                             "cdl_critical_time_planar"}) {
        INFO(name);
        CHECK(relDiff(value(mr, name), value(m0, name)) < 1e-9);
    }
    // The major axis turns with the data (angles are defined modulo 180 degrees).
    const double turned =
        std::remainder(value(mr, "prediction_ellipse_angle") -
                           value(m0, "prediction_ellipse_angle") - th * 180.0 / M_PI,
                       180.0);
    CHECK(std::abs(turned) < 1e-7);

    // Time reversal: positional and area measures are unchanged, and so is the path. (Welch and
    // DFA segments are anchored at the start, so spectral and DFA values are not invariant.)
    UniformTrace reversed = base;
    reversed.xy_m = base.xy_m.colwise().reverse().eval();
    const MetricTable mt = computeAllMetrics(reversed, opt);
    for (const char* name :
         {"rms_ML", "rms_AP", "range_ML_AND_AP", "mean_distance_Radius",
          "confidence_ellipse_area_ML_AND_AP", "principal_sway_direction_ML_AND_AP",
          "mean_velocity_ML_AND_AP", "sway_area_per_second_ML_AND_AP", "bds_cop_area",
          "bds_cop_velocity", "convex_hull_area", "prediction_ellipse_area_95", "prieto_area_cc"}) {
        INFO(name);
        CHECK(relDiff(value(mt, name), value(m0, name)) < 1e-9);
    }
}

TEST_CASE("bad input gives named errors, never a crash or a silent NaN", "[analysis][badinput]") {
    const auto check_table = [](const MetricTable& t) {
        for (const auto& m : t.entries()) {
            INFO(m.name);
            if (m.ok()) {
                CHECK(std::isfinite(m.value));
            } else {
                CHECK_FALSE(m.error.empty());
            }
        }
    };
    // Empty and 2-sample traces.
    for (Eigen::Index n : {0, 2, 40}) {
        UniformTrace t;
        t.fs_hz = 100.0;
        t.xy_m = Signal2::Random(n, 2) * 1e-3;
        const MetricTable m = computeAllMetrics(t);
        CHECK(m.size() >= 72);
        check_table(m);
        if (n <= 2) {
            CHECK_FALSE(m.find("rms_ML")->ok());
        }
    }
    // 2 s of data: the diffusion analysis needs more than 2.5 s of lags.
    {
        const UniformTrace t = syntheticTrace(200, 100.0, 9);
        const MetricTable m = computeAllMetrics(t);
        check_table(m);
        const Metric* d = m.find("short_time_diffusion_Diffusion_AP");
        REQUIRE(d != nullptr);
        CHECK_FALSE(d->ok());
        CHECK(d->error_code == ErrorCode::kTooShort);
        CHECK(d->error.find("2.5") != std::string::npos);
        CHECK(m.find("rms_AP")->ok());
    }
    // Zero variance.
    {
        UniformTrace t;
        t.fs_hz = 100.0;
        t.xy_m = Signal2::Zero(3000, 2);
        const MetricTable m = computeAllMetrics(t);
        check_table(m);
        CHECK(m.find("rms_ML")->ok());
        CHECK(m.find("rms_ML")->value == 0.0);
        CHECK_FALSE(m.find("confidence_ellipse_area_ML_AND_AP")->ok());
        CHECK(m.find("confidence_ellipse_area_ML_AND_AP")->error_code == ErrorCode::kZeroVariance);
        CHECK_FALSE(m.find("sample_entropy_ML")->ok());
        CHECK_FALSE(m.find("bds_cop_area")->ok());
    }
    // A NaN sample.
    {
        UniformTrace t = syntheticTrace(3000, 100.0, 1);
        t.xy_m(100, 0) = std::numeric_limits<double>::quiet_NaN();
        const MetricTable m = computeAllMetrics(t);
        check_table(m);
        CHECK(m.find("rms_ML")->error_code == ErrorCode::kNonFinite);
        CHECK(m.find("bds_cop_area")->error_code == ErrorCode::kNonFinite);
    }
}
