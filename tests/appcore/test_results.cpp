// Session results from recordings (app/core results.hpp): values recomputed here from the same
// synthetic samples, norms against the analysis core, stabilograms and their ellipses.

#include <catch2/catch.hpp>
#include <fstream>

#include "fixtures.hpp"
#include "stance/analysis/norms.hpp"
#include "stance/analysis/sway_metrics.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/results.hpp"

using namespace stance;

namespace {

// Santos & Duarte's COP velocity: path length / (N / fs), on the centred COP.
double pathVelocity(const analysis::Signal2& xy, double fs) {
    double path = 0.0;
    for (Eigen::Index i = 1; i < xy.rows(); ++i)
        path += (xy.row(i) - xy.row(i - 1)).norm();
    return path / (static_cast<double>(xy.rows()) / fs);
}

analysis::Signal2 centred(analysis::Signal2 xy) {
    const Eigen::RowVector2d m = xy.colwise().mean();
    xy.rowwise() -= m;
    return xy;
}

}  // namespace

TEST_CASE("session results: condition means, norms and stabilograms from the recordings",
          "[appcore]") {
    const test::ScratchDir dir("results");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto pid = c->addPatient(test::testPatient());
    const auto sid = test::addSyntheticSession(*c, pid, dir.path, "s.h5", test::day(2024, 5, 6),
                                               1.0, {"ec_foam#3"});
    app::ResultsOptions o;
    o.max_path_points = 500;
    const app::SessionResults r = app::loadSessionResults(*c, sid, o);
    CHECK(r.patient.subject_code == "MRN-7");
    REQUIRE(r.age_years);
    CHECK(*r.age_years == 44);
    CHECK(r.norm_group == "women aged 18-59");
    REQUIRE(r.conditions.size() == 4);

    const app::ConditionResult& eo = r.conditions[0];
    CHECK(eo.condition == "eo_firm");
    CHECK(eo.label == "Eyes open, firm");
    CHECK(eo.n_usable == 3);
    REQUIRE(eo.trials.size() == 3);
    // The mean COP velocity of the three repetitions, recomputed from the samples, in mm/s.
    double v = 0.0;
    for (int rep = 1; rep <= 3; ++rep)
        v += pathVelocity(test::syntheticCop(0.003 * (1.0 + 0.05 * rep), 30.0), 100.0);
    REQUIRE(eo.cop_velocity_mm_s);
    CHECK(*eo.cop_velocity_mm_s == Approx(v / 3.0 * 1e3).epsilon(1e-9));
    REQUIRE(eo.trials[1].cop_velocity_mm_s);
    CHECK(*eo.trials[1].cop_velocity_mm_s ==
          Approx(pathVelocity(test::syntheticCop(0.003 * 1.1, 30.0), 100.0) * 1e3).epsilon(1e-9));

    // Norms of the condition mean: the analysis core's comparison of the same value.
    REQUIRE(eo.norms.size() == 2);
    const app::NormResult* vel = nullptr;
    for (const auto& n : eo.norms)
        if (n.metric == "bds_cop_velocity")
            vel = &n;
    REQUIRE(vel != nullptr);
    const auto direct = analysis::compareValueWithNorms(
        analysis::NormMetric::kCopVelocity, *eo.cop_velocity_mm_s / 1e3, {44.0, 'F'},
        analysis::Vision::kOpen, analysis::Support::kFirm, analysis::NormTableKind::kByAgeGroupSex);
    REQUIRE(direct);
    CHECK(vel->band == direct->band);
    CHECK(vel->p95 == Approx(direct->row.p95 * 1e3));
    CHECK(vel->percentile.has_value() == direct->percentile.has_value());
    CHECK(vel->unit == "mm/s");
    CHECK(vel->group == "women aged 18-59");
    CHECK(vel->source == "Santos & Duarte 2016");
    CHECK_FALSE(vel->caveats.empty());  // 30 s trials against 60 s tables

    // Stabilogram: decimated to the cap, centred, ellipse of the full-rate COP.
    const app::TrialResult& t2 = eo.trials[1];
    REQUIRE(t2.stabilogram);
    CHECK(t2.stabilogram->path_m.size() == 500);
    CHECK(t2.stabilogram->duration_s == Approx(30.0));
    const analysis::Signal2 xy = centred(test::syntheticCop(0.003 * 1.1, 30.0));
    CHECK(t2.stabilogram->path_m.front().x == Approx(xy(0, 0)).margin(1e-12));
    CHECK(t2.stabilogram->path_m.back().y == Approx(xy(xy.rows() - 1, 1)).margin(1e-12));
    const auto e = analysis::predictionEllipse95(xy);
    REQUIRE(e);
    REQUIRE(t2.stabilogram->ellipse);
    CHECK(t2.stabilogram->ellipse->area_m2 == Approx(e->area_m2).epsilon(1e-9));
    CHECK(t2.stabilogram->ellipse_m.size() == 73);
    CHECK(t2.stabilogram->ellipse_m.front() == t2.stabilogram->ellipse_m.back());
    // The representative trial has the median area: repetition 2 (amplitudes grow with it).
    CHECK(eo.representative == 1);

    // Eyes closed on foam: trial 3 missing, named, the means come from the two others.
    const app::ConditionResult& ecf = r.conditions[3];
    CHECK(ecf.trials[2].status == "missing");
    CHECK_FALSE(ecf.trials[2].stabilogram);
    CHECK(ecf.n_usable == 2);
    CHECK(ecf.cop_velocity_mm_s);
    // ... and the composite, which needs all 12 trials, says which one is missing.
    bool composite_missing = false;
    for (const auto& s : r.scores) {
        if (s.name == "mctsib.composite_cop_velocity") {
            composite_missing = !s.value;
            CHECK(s.missing_reason.find("ec_foam #3") != std::string::npos);
        }
    }
    CHECK(composite_missing);
    bool ratio = false;
    for (const auto& s : r.scores) {
        if (s.name == "mctsib.romberg_quotient_velocity") {
            ratio = true;
            REQUIRE(s.value);
            CHECK(*s.value ==
                  Approx(*r.conditions[1].cop_velocity_mm_s / *r.conditions[0].cop_velocity_mm_s));
            CHECK(s.unit.empty());
        }
    }
    CHECK(ratio);
    // Each caveat once.
    int duration_notes = 0;
    for (const auto& n : r.notes)
        duration_notes += n.find("the trial lasts 30.0 s") != std::string::npos ? 1 : 0;
    CHECK(duration_notes == 1);
}

TEST_CASE("analyzeAndStoreSession stores the summary, trial metrics and the EC firm means",
          "[appcore]") {
    const test::ScratchDir dir("results_store");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto pid = c->addPatient(test::testPatient());
    const auto sid = test::addSyntheticSession(*c, pid, dir.path, "s.h5", test::day(2024, 5, 6));
    const auto stored = app::analyzeAndStoreSession(*c, sid);
    const auto summary = c->sessionSummary(sid);
    CHECK(summary.size() == stored.size());
    const auto value = [&](const std::string& n) -> std::optional<double> {
        for (const auto& v : summary)
            if (v.name == n)
                return v.value;
        return std::nullopt;
    };
    REQUIRE(value("mctsib.composite_cop_velocity"));
    const app::SessionResults r = app::loadSessionResults(*c, sid);
    double mean_v = 0.0;
    for (const auto& cond : r.conditions)
        mean_v += *cond.cop_velocity_mm_s;
    CHECK(*value("mctsib.composite_cop_velocity") * 1e3 == Approx(mean_v / 4.0));
    REQUIRE(value("mctsib.ec_firm.mean_velocity_ML"));
    REQUIRE(value("mctsib.ec_firm.rms_ML"));
    // The mean of the three EC firm trials' stored metric.
    double ml = 0.0;
    for (const auto& t : c->trials(sid)) {
        if (t.condition != "ec_firm")
            continue;
        for (const auto& m : c->trialMetrics(t.id))
            if (m.name == "mean_velocity_ML" && m.pipeline == "clinical")
                ml += *m.value;
    }
    CHECK(*value("mctsib.ec_firm.mean_velocity_ML") == Approx(ml / 3.0));
    // Its stored source names the MDC and says it was measured in another stance.
    for (const auto& v : summary) {
        if (v.name != "mctsib.ec_firm.mean_velocity_ML" && v.name != "mctsib.ec_firm.rms_ML")
            continue;
        CHECK(v.source.find("MDC: Worthen-Chaudhari") != std::string::npos);
        CHECK(v.source.find("measured in comfortable stance") != std::string::npos);
    }
    CHECK(c->trialMetrics(c->trials(sid).front().id).size() > 80);
    CHECK(value("norms.eo_firm.1.age_group_sex.bds_cop_velocity.band"));
}

TEST_CASE("session results: unknown session, foreign protocol and damaged recordings are named",
          "[appcore]") {
    const test::ScratchDir dir("results_bad");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto pid = c->addPatient(test::testPatient());
    CHECK_THROWS_WITH(app::loadSessionResults(*c, 99), Catch::Contains("session 99: no such"));
    const auto other =
        c->addSession({0, pid, test::day(2024, 1, 1), "", "", "treadmill", "1", "", {}, "", false});
    CHECK_THROWS_WITH(app::loadSessionResults(*c, other),
                      Catch::Contains("protocol 'treadmill' is not a built-in protocol"));

    const auto sid = test::addSyntheticSession(*c, pid, dir.path, "s.h5", test::day(2024, 5, 6));
    {
        std::ofstream f(dir.path / "s.h5", std::ios::binary | std::ios::trunc);
        f << "not an HDF5 file at all";
    }
    try {
        (void)app::loadSessionResults(*c, sid);
        FAIL("a damaged recording was read");
    } catch (const datasets::DatasetError& e) {
        const std::string what = e.what();
        CHECK(what.find("s.h5") != std::string::npos);
        CHECK(what.find("recording of") != std::string::npos);
    }
    std::filesystem::remove(dir.path / "s.h5");
    CHECK_THROWS_AS(app::loadSessionResults(*c, sid), datasets::DatasetError);
}

TEST_CASE("ellipse outline and labels", "[appcore]") {
    analysis::PredictionEllipse e;
    e.semi_major_m = 2.0;
    e.semi_minor_m = 1.0;
    e.major_axis_angle_deg = 90.0;
    const auto pts = app::ellipseOutline(e, {1.0, -1.0}, 4);
    REQUIRE(pts.size() == 5);
    // t = 0 lies on the major axis, turned to +y.
    CHECK(pts[0].x == Approx(1.0).margin(1e-12));
    CHECK(pts[0].y == Approx(1.0));
    CHECK(pts[1].x == Approx(0.0).margin(1e-12));  // minor axis end at -x
    CHECK(pts[4] == pts[0]);
    CHECK(app::conditionLabel("ec_foam") == "Eyes closed, foam");
    CHECK(app::conditionPhrase("ec_foam") == "with eyes closed on foam");
    CHECK(app::conditionPhrase("eo_firm") == "with eyes open on a firm surface");
    analysis::NormRow row;
    row.sex = 'M';
    row.age_from_years = 60;
    row.age_to_years = std::numeric_limits<double>::infinity();
    CHECK(app::normGroupLabel(row) == "men aged 60 and over");
    row.sex = 0;
    row.age_from_years = 40;
    row.age_to_years = 60;
    CHECK(app::normGroupLabel(row) == "adults aged 40-59");
}

TEST_CASE("a session's start is labelled UTC only when it is UTC", "[appcore][results]") {
    datasets::Session s;
    s.start_utc = std::chrono::sys_days{std::chrono::year{2015} / 10 / 8} + std::chrono::hours(8) +
                  std::chrono::minutes(30) + std::chrono::seconds(17);
    CHECK(app::sessionStartLabel(s) == "2015-10-08 08:30 UTC");
    // BDS metadata give the laboratory's clock without its offset: shown as such, never as UTC.
    s.time_zone = "local time of the laboratory (not UTC)";
    CHECK(app::sessionStartLabel(s) == "2015-10-08 08:30, local time of the laboratory (not UTC)");
    s.time_zone = std::string(datasets::kUnknownTimeZone);
    CHECK(app::sessionStartLabel(s) == "2015-10-08 08:30, local time, zone not given");
    s.start_date_only = true;
    s.start_utc = std::chrono::sys_days{std::chrono::year{2015} / 10 / 8};
    CHECK(app::sessionStartLabel(s) == "2015-10-08");
}
