// Progress over sessions: baseline bands, change classes and sentences (app/core progress.hpp).

#include <algorithm>
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/progress.hpp"
#include "stance/app/report_model.hpp"

using namespace stance;
using analysis::ChangeClass;

namespace {

std::vector<app::ProgressPoint> points(std::initializer_list<double> values) {
    std::vector<app::ProgressPoint> p;
    int k = 0;
    for (double v : values) {
        app::ProgressPoint x;
        x.session_id = ++k;
        x.value = v;
        x.days_since_baseline = 14.0 * (k - 1);
        p.push_back(x);
    }
    return p;
}

}  // namespace

TEST_CASE("DHI series: detectable-change band around the baseline and each change classified",
          "[appcore]") {
    const app::ProgressMetric* m = app::findProgressMetric("dhi_total");
    REQUIRE(m != nullptr);
    const auto s = app::makeProgressSeries(*m, points({54, 40, 36, 28}));
    REQUIRE(s.band);
    CHECK(s.band->baseline == 54.0);
    CHECK(s.band->lower == 36.0);
    CHECK(s.band->upper == 72.0);
    // Jacobson & Newman's 18 points: the test-retest 95 % interval, a detectable change.
    CHECK(s.band->kind == analysis::ThresholdKind::kMdc);
    CHECK(s.band->source.find("Jacobson") != std::string::npos);
    CHECK(s.band->caveat.empty());
    CHECK_FALSE(s.points[0].change);
    CHECK(s.points[1].change == ChangeClass::kUnchanged);  // 14 < 18
    CHECK(s.points[2].change == ChangeClass::kImproved);   // 18: reaching it is enough
    CHECK(s.points[3].change == ChangeClass::kImproved);
    CHECK(s.points[3].difference == -26.0);
    REQUIRE(s.latest_change);
    CHECK(s.latest_change->difference == -26.0);
    CHECK(s.summary ==
          "DHI improved by 26 points since the baseline, more than its minimal detectable "
          "change of 18 points.");

    const auto worse = app::makeProgressSeries(*m, points({20, 46}));
    CHECK(worse.points[1].change == ChangeClass::kWorse);
    CHECK(worse.summary.rfind("DHI worsened by 26 points", 0) == 0);
    const auto same = app::makeProgressSeries(*m, points({20, 30}));
    CHECK(same.summary ==
          "DHI changed by 10 points since the baseline (20 to 30), within its minimal detectable "
          "change of 18 points: unchanged.");
    const auto one = app::makeProgressSeries(*m, points({20}));
    CHECK(one.summary.empty());
    CHECK_FALSE(one.latest_change);
    REQUIRE(one.band);
}

TEST_CASE("higher-is-better, SI-scaled and unclassified measures", "[appcore]") {
    const auto abc =
        app::makeProgressSeries(*app::findProgressMetric("abc_total"), points({48, 60, 70}));
    CHECK(abc.points[1].change == ChangeClass::kUnchanged);  // +12 < 18.1
    CHECK(abc.points[2].change == ChangeClass::kImproved);   // +22
    // The ML velocity is stored in m/s and charted in mm/s; its MDC is 1.1 mm/s.
    const app::ProgressMetric* ml = app::findProgressMetric("mctsib.ec_firm.mean_velocity_ML");
    REQUIRE(ml != nullptr);
    CHECK(ml->scale == 1e3);
    const auto mls = app::makeProgressSeries(*ml, points({6.3, 5.3, 5.1}));
    REQUIRE(mls.band);
    CHECK(mls.band->threshold == Approx(1.1));
    CHECK(mls.band->kind == analysis::ThresholdKind::kMdc);
    CHECK(mls.points[1].change == ChangeClass::kUnchanged);
    CHECK(mls.points[2].change == ChangeClass::kImproved);
    CHECK(mls.summary.find("minimal detectable change of 1.1 mm/s") != std::string::npos);
    // Measured in comfortable stance, applied to feet-together trials: the sentence says so.
    CHECK(mls.band->caveat.find("comfortable stance") != std::string::npos);
    CHECK(mls.summary.find("The threshold was measured in comfortable stance") !=
          std::string::npos);
    CHECK(mls.summary.find("indicative only.") != std::string::npos);

    const auto comp = app::makeProgressSeries(
        *app::findProgressMetric("mctsib.composite_sway_velocity"), points({0.9, 0.6}));
    CHECK_FALSE(comp.band);
    CHECK_FALSE(comp.points[1].change);
    CHECK(comp.summary ==
          "Composite sway velocity went from 0.9 to 0.6 deg/s since the baseline (better; no "
          "published threshold classifies this change).");
    // One helper for every page, sentence and the report: each "^2" becomes "²".
    CHECK(app::readableUnits("mm^2") == "mm\u00b2");
    CHECK(app::readableUnits("Norm P5 - P95, mm^2; acc m/s^2") ==
          "Norm P5 - P95, mm\u00b2; acc m/s\u00b2");
    CHECK(app::readableUnits("mm/s") == "mm/s");
    // Areas read as a reader writes them: "mm²", not the column header's "mm^2".
    const auto area = app::makeProgressSeries(*app::findProgressMetric("mctsib.ec_foam.cop_area"),
                                              points({4886, 1816}));
    CHECK(area.summary.find("to 1816 mm\u00b2 since the baseline") != std::string::npos);
    CHECK(area.summary.find("^2") == std::string::npos);
    const auto sot =
        app::makeProgressSeries(*app::findProgressMetric("sot.composite"), points({60, 68, 69}));
    CHECK(sot.points[1].change == ChangeClass::kUnchanged);  // MDC is "more than 8"
    CHECK(sot.points[2].change == ChangeClass::kImproved);
    CHECK(app::defaultProgressKeys().size() == 8);
    for (const auto& k : app::defaultProgressKeys())
        CHECK(app::findProgressMetric(k) != nullptr);
}

TEST_CASE("each patient's default measures are the defaults they have values for", "[appcore]") {
    // Every measure loaded, none with values yet.
    std::vector<app::ProgressSeries> loaded;
    for (const app::ProgressMetric& m : app::progressMetrics())
        loaded.push_back(app::makeProgressSeries(m, {}));
    CHECK(app::defaultProgressKeys(loaded).empty());
    const auto give = [&](std::string_view key) {
        for (app::ProgressSeries& s : loaded) {
            if (s.metric.key == key)
                s = app::makeProgressSeries(s.metric, points({10, 8}));
        }
    };
    // An mCTSIB patient with a DHI: the defaults without the SOT, in the default order.
    give("dhi_total");
    give("mctsib.ec_foam.cop_area");
    give("mctsib.composite_sway_velocity");
    CHECK(app::defaultProgressKeys(loaded) ==
          std::vector<std::string>{"mctsib.composite_sway_velocity", "mctsib.ec_foam.cop_area",
                                   "dhi_total"});
    // Values only in measures outside the defaults: the first of those that have values.
    for (app::ProgressSeries& s : loaded)
        s = app::makeProgressSeries(s.metric, {});
    std::vector<std::string> others;
    for (const app::ProgressMetric& m : app::progressMetrics()) {
        const auto d = app::defaultProgressKeys();
        if (std::find(d.begin(), d.end(), m.key) == d.end())
            others.push_back(m.key);
    }
    REQUIRE(others.size() > app::kMaxFallbackKeys);
    for (const std::string& k : others)
        give(k);
    const auto fallback = app::defaultProgressKeys(loaded);
    CHECK(fallback ==
          std::vector<std::string>(others.begin(), others.begin() + app::kMaxFallbackKeys));
}

TEST_CASE("progress from the catalog: oldest first, display units, up to a session", "[appcore]") {
    const test::ScratchDir dir("progress");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto pid = c->addPatient(test::testPatient());
    std::vector<datasets::CatalogId> s;
    const double dhi[] = {50, 44, 30};
    const double vel[] = {0.040, 0.035, 0.030};
    for (int k = 0; k < 3; ++k) {
        s.push_back(c->addSession({0,
                                   pid,
                                   test::day(2024, 1, 1) + std::chrono::days(21 * k),
                                   "",
                                   "",
                                   "mctsib",
                                   "1",
                                   "",
                                   {},
                                   "",
                                   false}));
        c->putSessionSummary(s.back(), {{"dhi_total", dhi[k], "points", "DHI"},
                                        {"mctsib.ec_foam.cop_velocity", vel[k], "m/s", "x"}});
    }
    const auto all =
        app::loadProgress(*c, pid, {"dhi_total", "mctsib.ec_foam.cop_velocity", "abc_total"});
    REQUIRE(all.size() == 3);
    REQUIRE(all[0].points.size() == 3);
    CHECK(all[0].points[2].date == "2024-02-12");
    CHECK(all[0].points[2].days_since_baseline == Approx(42.0));
    CHECK(all[0].points[2].change == ChangeClass::kImproved);
    CHECK(all[1].points[1].value == Approx(35.0));  // mm/s
    CHECK(all[1].metric.unit == "mm/s");
    CHECK(all[2].points.empty());

    const auto upto = app::loadProgress(*c, pid, {"dhi_total"}, s[1]);
    REQUIRE(upto[0].points.size() == 2);
    CHECK(upto[0].latest_change->classification == ChangeClass::kUnchanged);
    CHECK_THROWS_WITH(app::loadProgress(*c, pid, {"shoe_size"}), Catch::Contains("shoe_size"));
    CHECK_THROWS_AS(app::loadProgress(*c, 999), app::AppError);
}
