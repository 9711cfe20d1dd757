// Preprocessing against scipy and against the reference code's own intermediate signals
// (tests/data/reference/signals: BDS trials after SWARII, after SWARII + filter, after the filter
// alone; cm, mean removed).

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "fixtures.hpp"
#include "stance/analysis/filter.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/analysis/resample.hpp"

using namespace stance::analysis;
using stance::test::loadBdsTrial;
using stance::test::readNumericTable;
using stance::test::testData;

namespace {

// Largest |ours - reference| over a signal CSV (time,ml_cm,ap_cm), in cm.
double maxAbsDiffCm(const Eigen::Ref<const Eigen::MatrixXd>& ours_m, const std::string& csv) {
    const auto ref = readNumericTable(testData("reference/signals/" + csv), ',');
    REQUIRE(static_cast<Eigen::Index>(ref.size()) == ours_m.rows());
    double worst = 0.0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const auto r = static_cast<Eigen::Index>(i);
        worst = std::max(worst, std::abs(ours_m(r, 0) * 100.0 - ref[i][1]));
        worst = std::max(worst, std::abs(ours_m(r, 1) * 100.0 - ref[i][2]));
    }
    return worst;
}

Signal2 centredRegeneratedTime(const CopRecording& rec, Eigen::VectorXd& t) {
    t.resize(rec.xy_m.rows());
    for (Eigen::Index i = 0; i < t.size(); ++i)
        t(i) = static_cast<double>(i) / 100.0;
    return rec.xy_m.rowwise() - rec.xy_m.colwise().mean();
}

}  // namespace

TEST_CASE("Butterworth design and lfilter_zi equal scipy's", "[analysis][filter]") {
    // scipy 1.10: butter(4, 10/12.5) and lfilter_zi of it.
    auto c = butterworthLowpass(4, 10.0, 25.0);
    REQUIRE(c);
    const double b[] = {0.43284664499029185, 1.7313865799611674, 2.597079869941751,
                        1.7313865799611674, 0.43284664499029185};
    const double a[] = {1.0, 2.3695130071820372, 2.3139884144158791, 1.0546654058785672,
                        0.18737949236818482};
    for (int i = 0; i < 5; ++i) {
        CHECK(c->b(i) == Approx(b[i]).epsilon(1e-13));
        CHECK(c->a(i) == Approx(a[i]).epsilon(1e-13));
    }
    const Eigen::VectorXd zi = lfilterZi(*c);
    const double zi_ref[] = {0.56715336, 1.20527978, 0.92218833, 0.24546715};
    for (int i = 0; i < 4; ++i)
        CHECK(zi(i) == Approx(zi_ref[i]).epsilon(1e-7));

    // scipy 1.10: butter(2, 2.5/12.5).
    auto c2 = butterworthLowpass(2, 2.5, 25.0);
    REQUIRE(c2);
    CHECK(c2->b(0) == Approx(0.067455273889071923).epsilon(1e-13));
    CHECK(c2->a(1) == Approx(-1.1429805025399011).epsilon(1e-13));
    CHECK(c2->a(2) == Approx(0.41280159809618877).epsilon(1e-13));
}

TEST_CASE("filtfilt equals scipy on a short signal and keeps a constant", "[analysis][filter]") {
    Eigen::MatrixXd x(40, 1);
    for (int i = 0; i < 40; ++i)
        x(i, 0) = std::sin(0.3 * i) + 0.1 * ((i * i) % 7);
    auto c = butterworthLowpass(4, 10.0, 25.0);
    auto y = filtfilt(*c, x);
    REQUIRE(y);
    // scipy 1.10: filtfilt(*butter(4, 0.8), x)[[0, 1, 20, 39]]
    CHECK((*y)(0, 0) == Approx(9.7850579218100586e-05).margin(1e-12));
    CHECK((*y)(1, 0) == Approx(0.4079963814620422).epsilon(1e-12));
    CHECK((*y)(20, 0) == Approx(-0.12345583977373004).epsilon(1e-12));
    CHECK((*y)(39, 0) == Approx(-0.56236626793461808).epsilon(1e-12));

    Eigen::MatrixXd k = Eigen::MatrixXd::Constant(100, 2, 3.25);
    auto yk = filtfilt(*c, k);
    REQUIRE(yk);
    CHECK((yk->array() - 3.25).abs().maxCoeff() < 1e-12);
}

TEST_CASE("filter design and filtfilt refuse bad arguments with a reason", "[analysis][filter]") {
    CHECK_FALSE(butterworthLowpass(0, 10.0, 100.0));
    CHECK_FALSE(butterworthLowpass(4, 60.0, 100.0));
    CHECK_FALSE(butterworthLowpass(4, 10.0, -1.0));
    auto c = butterworthLowpass(4, 10.0, 100.0);
    auto y = filtfilt(*c, Eigen::MatrixXd::Ones(15, 1));
    REQUIRE_FALSE(y);
    CHECK(y.error().code == ErrorCode::kTooShort);
    CHECK(y.error().message.find("15") != std::string::npos);
}

TEST_CASE("10 Hz filtfilt at 100 Hz reproduces the reference code's signal", "[analysis][filter]") {
    for (const std::string trial : {"BDS00001", "BDS00046"}) {
        const auto rec = loadBdsTrial(trial);
        Eigen::VectorXd t;
        const Signal2 centred = centredRegeneratedTime(rec, t);
        auto c = butterworthLowpass(4, 10.0, 100.0);
        auto y = filtfilt(*c, centred);
        REQUIRE(y);
        CHECK(maxAbsDiffCm(*y, trial + ".filter10_100hz.csv") < 1e-12);
    }
}

TEST_CASE("SWARII reproduces the reference code's 25 Hz signal exactly", "[analysis][swarii]") {
    for (const std::string trial : {"BDS00001", "BDS00046"}) {
        const auto rec = loadBdsTrial(trial);
        Eigen::VectorXd t;
        const Signal2 centred = centredRegeneratedTime(rec, t);
        auto r = swarii(t, centred);
        REQUIRE(r);
        CHECK(r->xy_m.rows() == 1498);  // grid from 0.10 s while t < 59.98 s, by repeated addition
        CHECK(r->t0_s == 0.1);
        CHECK(maxAbsDiffCm(r->xy_m, trial + ".swarii25.csv") < 1e-12);
    }
}

TEST_CASE("the quijoux2021 pipeline is the reference code's preprocessing",
          "[analysis][pipeline]") {
    for (const std::string trial : {"BDS00001", "BDS00046"}) {
        PipelineReport report;
        auto trace = preprocess(loadBdsTrial(trial), Pipeline::kQuijoux2021, &report);
        REQUIRE(trace);
        CHECK(trace->fs_hz == 25.0);
        CHECK(report.input_fs_hz == 100.0);
        CHECK(report.input_samples == 6000);
        CHECK(maxAbsDiffCm(trace->xy_m, trial + ".swarii25_filter10.csv") < 1e-12);
    }
}

TEST_CASE("SWARII removes an isolated spike and interpolates empty windows", "[analysis][swarii]") {
    const Eigen::Index n = 200;
    Eigen::VectorXd t(n);
    Signal2 xy = Signal2::Zero(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        t(i) = 0.01 * static_cast<double>(i);
        xy(i, 0) = 0.001 * std::sin(0.05 * static_cast<double>(i));
    }
    xy(100, 1) = 0.05;  // a 5 cm one-sample spike
    auto r = swarii(t, xy);
    REQUIRE(r);
    CHECK(r->n_artefacts == 1);
    CHECK(r->xy_m.col(1).cwiseAbs().maxCoeff() < 1e-15);

    // Remove every sample between 0.50 and 0.70 s: the windows centred there are empty.
    std::vector<Eigen::Index> keep;
    for (Eigen::Index i = 0; i < n; ++i) {
        if (t(i) < 0.495 || t(i) > 0.705)
            keep.push_back(i);
    }
    Eigen::VectorXd tg(static_cast<Eigen::Index>(keep.size()));
    Signal2 g(static_cast<Eigen::Index>(keep.size()), 2);
    for (std::size_t k = 0; k < keep.size(); ++k) {
        tg(static_cast<Eigen::Index>(k)) = t(keep[k]);
        g(static_cast<Eigen::Index>(k), 0) = t(keep[k]);  // a ramp: interpolation must be exact
        g(static_cast<Eigen::Index>(k), 1) = 0.0;
    }
    auto rg = swarii(tg, g);
    REQUIRE(rg);
    // Grid 0.10 + 0.04 k: the windows at 0.54, 0.58, 0.62 and 0.66 s hold no sample.
    CHECK(rg->n_empty_windows == 4);
    CHECK(rg->t0_s == Approx(0.1));
    const auto at = [&](double time) { return rg->xy_m(std::lround((time - 0.1) / 0.04), 0); };
    // A full, symmetric window over a ramp returns the ramp's value at its centre.
    CHECK(at(0.30) == Approx(0.30).margin(1e-12));
    CHECK(at(1.02) == Approx(1.02).margin(1e-12));
    // Empty windows are interpolated linearly between the neighbouring windows (0.50 and 0.70 s).
    for (int k = 1; k <= 4; ++k) {
        const double expected = at(0.50) + (at(0.70) - at(0.50)) * k / 5.0;
        CHECK(at(0.50 + 0.04 * k) == Approx(expected).margin(1e-12));
    }
}

TEST_CASE("linear resampling of a ramp is exact", "[analysis][pipeline]") {
    Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(1001, 0.0, 1.0);  // 1 kHz
    Signal2 xy(1001, 2);
    xy.col(0) = 2.0 * t;
    xy.col(1) = -t.array() + 0.5;
    auto r = resampleLinear(t, xy, 100.0);
    REQUIRE(r);
    REQUIRE(r->rows() == 101);
    for (Eigen::Index i = 0; i < 101; ++i) {
        CHECK((*r)(i, 0) == Approx(0.02 * static_cast<double>(i)).margin(1e-12));
        CHECK((*r)(i, 1) == Approx(0.5 - 0.01 * static_cast<double>(i)).margin(1e-12));
    }
}

TEST_CASE("the clinical pipeline brings a 1 kHz plate to 100 Hz and keeps slow sway",
          "[analysis][pipeline]") {
    const Eigen::Index n = 30000;  // 30 s at 1 kHz
    CopRecording rec;
    rec.t_s.resize(n);
    rec.xy_m.resize(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / 1000.0;
        rec.t_s(i) = t;
        rec.xy_m(i, 0) = 0.01 + 0.004 * std::sin(2.0 * M_PI * 0.5 * t);
        rec.xy_m(i, 1) = -0.02 + 0.002 * std::sin(2.0 * M_PI * 30.0 * t);  // above the cut-off
    }
    rec.nominal_fs_hz = 1000.0;
    auto trace = preprocess(rec, Pipeline::kClinical);
    REQUIRE(trace);
    CHECK(trace->fs_hz == 100.0);
    CHECK(trace->xy_m.rows() == 3000);
    const Eigen::Index mid0 = 500, mid1 = 2500;  // away from the ends
    const double amp_ml = trace->xy_m.col(0).segment(mid0, mid1 - mid0).cwiseAbs().maxCoeff();
    const double amp_ap = trace->xy_m.col(1).segment(mid0, mid1 - mid0).cwiseAbs().maxCoeff();
    CHECK(amp_ml == Approx(0.004).epsilon(0.01));
    CHECK(amp_ap < 0.002 * 0.01);  // 30 Hz attenuated by more than 40 dB
    CHECK(trace->removed_mean_m(0) == Approx(0.01).epsilon(1e-3));
    CHECK(std::abs(trace->xy_m.col(0).mean()) < 1e-15);
}

TEST_CASE("the clinical pipeline accepts an irregular (Wii-board class) clock",
          "[analysis][pipeline]") {
    const Eigen::Index n = 3000;
    CopRecording rec;
    rec.t_s.resize(n);
    rec.xy_m.resize(n, 2);
    double t = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        t += (i % 3 == 0) ? 0.006 : 0.012;  // ~100 Hz on average, jittered
        rec.t_s(i) = t;
        rec.xy_m(i, 0) = 0.003 * std::sin(2.0 * M_PI * 0.3 * t);
        rec.xy_m(i, 1) = 0.0;
    }
    CHECK_FALSE(preprocess(rec, Pipeline::kRaw));  // raw requires uniform sampling
    PipelineReport report;
    auto trace = preprocess(rec, Pipeline::kClinical, &report);
    REQUIRE(trace);
    CHECK(trace->fs_hz == 100.0);
    CHECK(trace->xy_m.rows() ==
          Approx(static_cast<double>((rec.t_s(n - 1) - rec.t_s(0)) * 100.0)).margin(3));
    CHECK(trace->xy_m.col(0).cwiseAbs().maxCoeff() == Approx(0.003).epsilon(0.02));
}

TEST_CASE("preprocessing names what is wrong with bad input", "[analysis][pipeline]") {
    CopRecording empty;
    auto e = preprocess(empty, Pipeline::kRaw);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == ErrorCode::kEmpty);

    CopRecording rec = loadBdsTrial("BDS00001");
    rec.xy_m(1234, 1) = std::numeric_limits<double>::quiet_NaN();
    for (Pipeline p : {Pipeline::kRaw, Pipeline::kQuijoux2021, Pipeline::kClinical}) {
        auto r = preprocess(rec, p);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::kNonFinite);
        CHECK(r.error().message.find("sample 1234") != std::string::npos);
    }

    CopRecording back = loadBdsTrial("BDS00001");
    back.t_s(10) = back.t_s(9);
    auto b = preprocess(back, Pipeline::kRaw);
    REQUIRE_FALSE(b);
    CHECK(b.error().code == ErrorCode::kNonUniform);
    CHECK(b.error().message.find("sample 10") != std::string::npos);

    CopRecording irregular = loadBdsTrial("BDS00001");
    irregular.t_s(3000) += 0.004;
    auto u = preprocess(irregular, Pipeline::kQuijoux2021);
    REQUIRE_FALSE(u);
    CHECK(u.error().code == ErrorCode::kNonUniform);

    CopRecording tiny;
    tiny.t_s = Eigen::VectorXd::LinSpaced(10, 0.0, 0.09);
    tiny.xy_m = Signal2::Random(10, 2);
    auto s = preprocess(tiny, Pipeline::kQuijoux2021);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::kTooShort);
}
