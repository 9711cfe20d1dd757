// Registering a bundle's trials in the catalog.

#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "stance/analysis/metrics.hpp"
#include "stance/datasets/catalog_import.hpp"
#include "stance/datasets/export.hpp"
#include "stance/datasets/h5_validate.hpp"
#include "stance/datasets/h5_writer.hpp"
#include "stance/datasets/importers.hpp"
#include "stance/datasets/keyed_hash.hpp"
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

TEST_CASE("a local start (PDS) stays local in the catalog, to the millisecond, and in exports",
          "[datasets][catalog]") {
    TempDir dir("local");
    const auto bundle = dir.path / "pds.h5";
    const fs::path pds = fs::path(STANCE_PUBLIC_DATA_DIR) / "pds_dos_santos_2017";
    ImportOptions io;
    io.format = ImportFormat::kPds;
    io.info = pds / "PDSinfo.txt";
    // PDSinfo.txt: "PDS13OR1 ... 2016-08-24 10:50:33.248", the laboratory's clock, no zone.
    importFiles({pds / "data" / "PDS13OR1grf.txt", pds / "data" / "PDS13CF1grf.txt"}, bundle, io);
    const BundleReader reader(bundle);
    REQUIRE(reader.sessions("pds_s13").size() == 1);
    REQUIRE(reader.sessions("pds_s13")[0].start_utc == "2016-08-24T10:50:33.248");

    const auto db = dir.path / "clinic.db";
    auto cat = openSqliteCatalog(db);
    RegisterOptions o;
    o.data_path = "pds.h5";
    const auto r = registerBundle(*cat, reader, o);
    CHECK(r.sessions_added == 1);
    CHECK(r.trials_added == 2);
    const auto sessions = cat->sessions(cat->patientByCode("pds_s13")->id);
    REQUIRE(sessions.size() == 1);
    const Session& s = sessions[0];
    // Not "2016-08-24T10:50:33Z": neither made UTC nor cut to the second.
    CHECK(formatSessionStart(s) == "2016-08-24T10:50:33.248");
    CHECK(s.time_zone == "local time of the laboratory (not UTC)");
    CHECK(s.start_ms == std::chrono::milliseconds(248));
    CHECK_FALSE(s.start_date_only);
    // Registering again finds the same session. One that migration 2 repaired (zone not
    // given) gets the bundle's description of the clock.
    Session repaired = s;
    repaired.time_zone = std::string(kUnknownTimeZone);
    cat->updateSession(repaired);
    const auto again = registerBundle(*cat, reader, o);
    CHECK(again.sessions_added == 0);
    CHECK(again.trials_already_there == 2);
    REQUIRE(cat->sessions(s.patient_id).size() == 1);
    CHECK(cat->sessions(s.patient_id)[0] == s);

    // Exported from the catalog, pseudonymised: the session keeps its local start and says
    // whose clock it is; the trial's free attributes and source ids are gone.
    ExportOptions eo;
    std::array<std::uint8_t, SiteSecret::kKeyBytes> key{};
    key.fill(0x5A);
    eo.secret = SiteSecret::fromBytes(key);
    const auto out = dir.path / "subset.h5";
    exportBundle(*cat, ExportFilter{}, eo, out);
    CHECK(validateBundle(out).ok());
    const BundleReader exported(out);
    const auto subjects = exported.subjects();
    REQUIRE(subjects.size() == 1);
    const auto ex_sessions = exported.sessions(subjects[0].id);
    REQUIRE(ex_sessions.size() == 1);
    CHECK(ex_sessions[0].start_utc == "2016-08-24T10:50:33.248");
    REQUIRE(ex_sessions[0].extra.count("time_zone") == 1);
    CHECK(std::get<std::string>(ex_sessions[0].extra.at("time_zone")) ==
          "local time of the laboratory (not UTC)");
    CHECK(exported.trialInfo(exported.trials()[0]).source_id.empty());

    // Signal CSVs: the manifest says which sessions are in local time.
    exportSignalsCsv(*cat, ExportFilter{}, eo, dir.path / "signals");
    const auto manifest =
        nlohmann::json::parse(stance::test::slurp(dir.path / "signals" / "manifest.json"));
    REQUIRE(manifest["trials"].size() == 2);
    CHECK(manifest["trials"][0]["session_date"] == "2016-08-24");
    CHECK(manifest["trials"][0]["session_time_zone"] == "local time of the laboratory (not UTC)");

    // And from the bundle itself: the same.
    const auto out2 = dir.path / "subset2.h5";
    exportBundle(reader, ExportFilter{}, eo, out2);
    const BundleReader exported2(out2);
    const auto s2 = exported2.sessions(exported2.subjects()[0].id);
    REQUIRE(s2.size() == 1);
    CHECK(s2[0].start_utc == "2016-08-24T10:50:33.248");
    CHECK(std::get<std::string>(s2[0].extra.at("time_zone")) ==
          "local time of the laboratory (not UTC)");

    // A date filter takes the laboratory's date.
    ExportFilter f;
    f.from_date = std::chrono::year_month_day{std::chrono::year{2016}, std::chrono::month{8},
                                              std::chrono::day{24}};
    f.to_date = f.from_date;
    CHECK(exportBundle(*cat, f, eo, dir.path / "day.h5").trials == 2);
}

TEST_CASE("a start without a zone and without a time_zone attribute is local, zone unknown",
          "[datasets][catalog]") {
    TempDir dir("nozone");
    const auto bundle = dir.path / "cohort.h5";
    makeBundle(bundle, "2015-10-12T11:10:59");
    auto cat = openSqliteCatalog(dir.path / "clinic.db");
    RegisterOptions o;
    o.data_path = "cohort.h5";
    (void)registerBundle(*cat, BundleReader(bundle), o);
    const auto s04 = cat->sessions(cat->patientByCode("s04")->id);
    REQUIRE(s04.size() == 1);
    CHECK(formatSessionStart(s04[0]) == "2015-10-12T11:10:59");
    CHECK(s04[0].time_zone == kUnknownTimeZone);
    const auto s01 = cat->sessions(cat->patientByCode("s01")->id);
    REQUIRE(s01.size() == 1);
    CHECK(s01[0].time_zone.empty());  // "...Z": UTC
}
