// The demo history (app/core demo.hpp): five visits of simulated mCTSIB and questionnaires,
// improving plausibly, deterministic.

#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "stance/app/demo.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/progress.hpp"
#include "stance/app/results.hpp"

using namespace stance;

TEST_CASE("demo catalog: five mCTSIB visits recorded, analysed and improving", "[appcore][demo]") {
    const test::ScratchDir dir("demo");
    const app::DemoCatalog d = app::buildDemoCatalog(dir.path / "demo.db");
    CHECK(d.data_dir == dir.path / "demo-data");
    REQUIRE(d.session_ids.size() == 5);
    auto c = datasets::openSqliteCatalog(d.catalog);
    const auto p = c->patient(d.patient_id);
    REQUIRE(p);
    CHECK(p->subject_code == app::kDemoSubjectCode);
    CHECK(p->notes.rfind("DEMO", 0) == 0);
    const auto sessions = c->sessions(d.patient_id);
    REQUIRE(sessions.size() == 5);
    CHECK(sessions[1].start_utc - sessions[0].start_utc >= std::chrono::days(14));
    for (const auto& s : sessions) {
        const auto trials = c->trials(s.id);
        REQUIRE(trials.size() == 12);
        for (const auto& t : trials) {
            CHECK(t.status == datasets::TrialStatus::kComplete);
            CHECK(std::filesystem::exists(dir.path / t.data_path));
        }
        CHECK(c->questionnaires(s.id).size() == 3);  // DHI, ABC, VAS
    }
    // Nothing else beside the catalog (and its WAL files while open) and the recordings.
    for (const auto& f : dir.files())
        CHECK(f.rfind("demo", 0) == 0);
    std::size_t recordings = 0;
    for (const auto& e : std::filesystem::directory_iterator(d.data_dir))
        recordings += e.path().extension() == ".h5" ? 1 : 0;
    CHECK(recordings == 5);

    const auto progress =
        app::loadProgress(*c, d.patient_id,
                          {"dhi_total", "abc_total", "vas_total", "mctsib.composite_sway_velocity",
                           "mctsib.ec_foam.cop_area"});
    for (const auto& s : progress)
        REQUIRE(s.points.size() == 5);
    // Questionnaires improve monotonically, beyond their change thresholds by the end.
    for (std::size_t k = 1; k < 5; ++k) {
        CHECK(progress[0].points[k].value < progress[0].points[k - 1].value);
        CHECK(progress[1].points[k].value > progress[1].points[k - 1].value);
        CHECK(progress[2].points[k].value < progress[2].points[k - 1].value);
    }
    CHECK(progress[0].points.front().value >= 50.0);
    CHECK(progress[0].latest_change->classification == analysis::ChangeClass::kImproved);
    CHECK(progress[1].latest_change->classification == analysis::ChangeClass::kImproved);
    // Sway shrinks: the composite and the eyes-closed-on-foam area end well below the baseline.
    CHECK(progress[3].points.back().value < 0.85 * progress[3].points.front().value);
    CHECK(progress[4].points.back().value < 0.6 * progress[4].points.front().value);

    // Baseline: eyes closed on foam above the 95th percentile; last visit inside the band.
    const auto first = app::loadSessionResults(*c, d.session_ids.front());
    const auto last = app::loadSessionResults(*c, d.session_ids.back());
    const auto area_band = [](const app::SessionResults& r, const std::string& cond) {
        for (const auto& cr : r.conditions)
            if (cr.condition == cond)
                for (const auto& n : cr.norms)
                    if (n.metric == "bds_cop_area")
                        return n.band;
        FAIL("no area norm for " << cond);
        return analysis::NormBand::kBelowP5;
    };
    CHECK(area_band(first, "ec_foam") == analysis::NormBand::kAboveP95);
    CHECK(area_band(last, "ec_foam") == analysis::NormBand::kWithinP5P95);
    CHECK(area_band(first, "eo_firm") == analysis::NormBand::kWithinP5P95);
    CHECK(first.norm_group == "women aged 18-59");
}

TEST_CASE("demo catalog is deterministic and refuses to overwrite", "[appcore][demo]") {
    const test::ScratchDir dir("demo_det");
    app::DemoOptions o;
    o.sessions = 2;
    const auto a = app::buildDemoCatalog(dir.path / "a" / "demo.db", o);
    const auto b = app::buildDemoCatalog(dir.path / "b" / "demo.db", o);
    auto ca = datasets::openSqliteCatalog(a.catalog);
    auto cb = datasets::openSqliteCatalog(b.catalog);
    for (std::size_t k = 0; k < 2; ++k) {
        const auto sa = ca->sessionSummary(a.session_ids[k]);
        const auto sb = cb->sessionSummary(b.session_ids[k]);
        REQUIRE(sa.size() == sb.size());
        REQUIRE(sa.size() > 40);
        for (std::size_t i = 0; i < sa.size(); ++i)
            CHECK(sa[i] == sb[i]);  // bit for bit
    }
    CHECK_THROWS_WITH(app::buildDemoCatalog(a.catalog, o), Catch::Contains("exists already"));
    o.sessions = 1;
    CHECK_THROWS_AS(app::buildDemoCatalog(dir.path / "c" / "demo.db", o), app::AppError);
    CHECK_FALSE(std::filesystem::exists(dir.path / "c" / "demo.db"));
}
