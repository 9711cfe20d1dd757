// Registering a bundle's trials in the catalog.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "stance/analysis/metrics.hpp"
#include "stance/datasets/catalog_import.hpp"
#include "stance/datasets/h5_writer.hpp"
#include "stance/datasets/sqlite_catalog.hpp"
#include "stance/datasets/trial_text.hpp"

using namespace stance::datasets;
namespace fs = std::filesystem;

#include "support/scratch.hpp"

namespace {

using TempDir = stance::test::ScratchDir;

fs::path bdsData() {
    return fs::path(STANCE_PUBLIC_DATA_DIR) / "bds_santos_duarte_2016" / "data";
}

/// s01: eo_firm x2 and ec_firm in one session; s04: eo_firm in a session with the given start.
void makeBundle(const fs::path& file, const std::string& s04_start) {
    BundleWriter w(file);
    const auto add = [&](const std::string& subject, const std::string& start) {
        SubjectInfo si;
        si.id = subject;
        si.sex = Sex::kMale;
        si.height_m = 1.8;
        w.addSubject(si);
        SessionInfo se;
        se.start_utc = start;
        se.site = "lab";
        se.protocol = "romberg";
        w.addSession(subject, se);
    };
    add("s01", "2015-10-08T08:30:00Z");
    add("s04", s04_start);
    const auto trial = [&](const std::string& subject, const std::string& start,
                           const std::string& stem, const std::string& condition) {
        const auto rec = readTrialText(bdsData() / (stem + ".txt")).recording;
        TrialData t;
        t.info.condition = condition;
        ForcePlateSignals fp;
        fp.time_s = rec.t_s;
        fp.cop_m = rec.xy_m;
        t.forceplate = fp;
        (void)w.addTrial(subject, start.empty() ? "undated" : start, t);
    };
    trial("s01", "2015-10-08T08:30:00Z", "BDS00001", "eo_firm");
    trial("s01", "2015-10-08T08:30:00Z", "BDS00004", "ec_firm");
    trial("s01", "2015-10-08T08:30:00Z", "BDS00002", "eo_firm");
    trial("s04", s04_start, "BDS00037", "eo_firm");
    w.commit();
}

}  // namespace

TEST_CASE("a bundle registers its subjects, sessions and trials once", "[datasets][catalog]") {
    TempDir dir("ok");
    const auto bundle = dir.path / "cohort.h5";
    makeBundle(bundle, "2015-10-12T11:10:59Z");
    auto cat = openSqliteCatalog(dir.path / "clinic.db");
    const BundleReader reader(bundle);
    RegisterOptions o;
    o.data_path = "cohort.h5";
    o.compute_metrics = stance::analysis::Pipeline::kClinical;
    o.metrics.include_complexity = false;
    const auto r = registerBundle(*cat, reader, o);
    CHECK(r.patients_added == 2);
    CHECK(r.sessions_added == 2);
    CHECK(r.trials_added == 4);
    CHECK(r.metrics_failed == 0);

    const auto p = cat->patientByCode("s01");
    REQUIRE(p);
    CHECK(p->sex == Sex::kMale);
    CHECK(p->height_m == 1.8);
    CHECK(p->given_name.empty());
    CHECK_FALSE(p->birth_date.has_value());
    const auto sessions = cat->sessions(p->id);
    REQUIRE(sessions.size() == 1);
    CHECK(formatIsoUtc(sessions[0].start_utc) == "2015-10-08T08:30:00Z");
    CHECK(sessions[0].protocol == "romberg");
    const auto trials = cat->trials(sessions[0].id);
    REQUIRE(trials.size() == 3);
    // ec_firm 1, eo_firm 1 (trial 001), eo_firm 2 (trial 003): numbered in trial order.
    CHECK(trials[0].condition == "ec_firm");
    CHECK(trials[1].repetition == 1);
    CHECK(trials[1].data_group == "/subjects/s01/sessions/2015-10-08T08:30:00Z/trials/001");
    CHECK(trials[2].repetition == 2);
    CHECK(trials[2].data_group == "/subjects/s01/sessions/2015-10-08T08:30:00Z/trials/003");
    CHECK(trials[2].data_path == "cohort.h5");
    CHECK(trials[1].duration_s == Approx(59.99));

    // Stored metrics are the analysis core's values for that trial, SI.
    const auto m = cat->trialMetrics(trials[1].id);
    REQUIRE(m.size() > 72);
    const auto rec = readTrialText(bdsData() / "BDS00001.txt").recording;
    const auto trace = stance::analysis::preprocess(rec, stance::analysis::Pipeline::kClinical);
    REQUIRE(trace);
    const double rms = stance::analysis::computeAllMetrics(*trace).find("rms_ML")->value;
    bool found = false;
    for (const auto& x : m) {
        if (x.name == "rms_ML") {
            CHECK(x.value == Approx(rms).epsilon(1e-12));
            CHECK(x.unit == "m");
            CHECK(x.pipeline == "clinical");
            CHECK(x.algorithm_version == stance::analysis::kAlgorithmVersion);
            found = true;
        }
    }
    CHECK(found);

    const auto again = registerBundle(*cat, reader, o);
    CHECK(again.trials_added == 0);
    CHECK(again.trials_already_there == 4);
    CHECK(again.patients_added == 0);
    CHECK(cat->findTrials({}).size() == 4);
}

TEST_CASE("an undated session stops the registration and adds nothing", "[datasets][catalog]") {
    TempDir dir("undated");
    const auto bundle = dir.path / "cohort.h5";
    makeBundle(bundle, "");
    auto cat = openSqliteCatalog(dir.path / "clinic.db");
    const BundleReader reader(bundle);
    RegisterOptions o;
    o.data_path = bundle.string();
    try {
        (void)registerBundle(*cat, reader, o);
        FAIL("no error");
    } catch (const CatalogError& e) {
        const std::string what = e.what();
        CHECK(what.find("/subjects/s04/sessions/undated") != std::string::npos);
        CHECK(what.find("start time") != std::string::npos);
    }
    CHECK(cat->patients().empty());
    CHECK(cat->findTrials({}).empty());
}
