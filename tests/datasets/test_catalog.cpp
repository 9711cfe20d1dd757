// The catalog through its interface, on the SQLite backend: round trips, constraints, filters,
// transactions, concurrent readers and writers, migrations, damaged and foreign files.

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "stance/datasets/catalog.hpp"
#include "stance/datasets/sqlite_catalog.hpp"

using namespace stance::datasets;
using namespace std::chrono;

#include "support/scratch.hpp"

namespace {

using TempDir = stance::test::ScratchDir;

sys_seconds at(int y, unsigned m, unsigned d, int hh = 9) {
    return sys_days(year_month_day{year{y}, month{m}, day{d}}) + hours(hh);
}

Patient alice() {
    Patient p;
    p.subject_code = "MRN-0001";
    p.given_name = "Alice";
    p.family_name = "Martin";
    p.birth_date = year_month_day{year{1961}, month{4}, day{2}};
    p.sex = Sex::kFemale;
    p.height_m = 1.62;
    p.mass_kg = 58.5;
    p.phone = "+33 1 23 45 67 89";
    p.email = "alice@example.org";
    p.address = "1 rue de la Paix";
    p.notes = "BPPV right";
    return p;
}

/// The message of the CatalogError that `f` throws, or "no error".
template <class F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const CatalogError& e) {
        return e.what();
    }
    return "no error";
}

/// Runs SQL on a file with SQLite directly (to build foreign or old files).
void rawSql(const std::filesystem::path& file, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    INFO((err != nullptr ? err : ""));
    sqlite3_free(err);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

std::string rawText(const std::filesystem::path& file, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW)
        out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

}  // namespace

TEST_CASE("a new catalog is WAL, foreign-keyed and at the latest schema version",
          "[datasets][catalog]") {
    TempDir dir("new");
    const auto file = dir.path / "clinic.db";
    {
        auto cat = openSqliteCatalog(file);
        CHECK(cat->schemaVersion() == sqliteCatalogSchemaVersion());
        CHECK(cat->location() == file.string());
    }
    CHECK(rawText(file, "PRAGMA journal_mode") == "wal");
    CHECK(rawText(file, "PRAGMA application_id") == std::to_string(kCatalogApplicationId));
    CHECK(rawText(file, "SELECT max(version) FROM schema_version") ==
          std::to_string(sqliteCatalogSchemaVersion()));
    CHECK_FALSE(rawText(file, "SELECT applied_utc FROM schema_version").empty());
    // Reopening applies nothing twice.
    auto again = openSqliteCatalog(file);
    CHECK(rawText(file, "SELECT count(*) FROM schema_version") ==
          std::to_string(sqliteCatalogSchemaVersion()));
    CHECK(errorOf([&] {
              (void)openSqliteCatalog(dir.path / "absent.db", {.create = false});
          }).find("absent.db: no such catalog file") != std::string::npos);
}

TEST_CASE("patients, sessions, trials, questionnaires, metrics and summaries round-trip",
          "[datasets][catalog]") {
    TempDir dir("roundtrip");
    auto cat = openSqliteCatalog(dir.path / "clinic.db");
    Patient p = alice();
    p.id = cat->addPatient(p);
    CHECK(p.id > 0);
    CHECK(cat->patient(p.id) == p);
    CHECK(cat->patientByCode("MRN-0001") == p);
    CHECK_FALSE(cat->patientByCode("MRN-9999").has_value());

    Session s;
    s.patient_id = p.id;
    s.start_utc = at(2024, 3, 5, 10);
    s.site = "Lyon ENT";
    s.operator_name = "op-17";
    s.protocol = "mctsib";
    s.protocol_version = "1.0";
    s.notes = "first visit";
    s.id = cat->addSession(s);
    CHECK(cat->session(s.id) == s);

    Trial t;
    t.session_id = s.id;
    t.condition = "ec_foam";
    t.repetition = 2;
    t.status = TrialStatus::kFall;
    t.duration_s = 12.5;
    t.data_path = "recordings/2024-03-05.h5";
    t.data_group = "/subjects/sub-1/sessions/2024-03-05T10:00:00Z/trials/002";
    t.id = cat->addTrial(t);
    CHECK(cat->trial(t.id) == t);
    Trial t1 = t;
    t1.condition = "eo_firm";
    t1.repetition = 1;
    t1.status = TrialStatus::kComplete;
    t1.id = cat->addTrial(t1);
    const auto ts = cat->trials(s.id);
    REQUIRE(ts.size() == 2);
    CHECK(ts[0].condition == "ec_foam");  // by condition, then repetition
    CHECK(ts[1] == t1);

    Questionnaire q;
    q.session_id = s.id;
    q.instrument = "DHI";
    q.instrument_version = "Jacobson 1990";
    q.answers = {{"P1", 4.0, "yes"}, {"E2", 2.0, "sometimes"}, {"F3", std::nullopt, "refused"}};
    q.total_score = 6.0;
    q.subscales = {{"physical", 4.0}, {"emotional", 2.0}, {"functional", 0.0}};
    q.id = cat->addQuestionnaire(q);
    const auto qs = cat->questionnaires(s.id);
    REQUIRE(qs.size() == 1);
    CHECK(qs[0] == q);

    const std::vector<MetricRecord> m = {
        {"rms_ML", 0.0031, "m", "clinical", "1.0.0", ""},
        {"sample_entropy_ML", std::nullopt, "", "clinical", "1.0.0", "too_short: needs 200"},
        {"rms_ML", 0.0029, "m", "raw", "1.0.0", ""}};
    cat->putTrialMetrics(t.id, m);
    CHECK(cat->trialMetrics(t.id) == m);
    // Same name and pipeline replaces the value and keeps the order.
    cat->putTrialMetrics(t.id, {{"rms_ML", 0.0040, "m", "clinical", "1.0.1", ""}});
    const auto m2 = cat->trialMetrics(t.id);
    REQUIRE(m2.size() == 3);
    CHECK(m2[0].value == 0.0040);
    CHECK(m2[0].algorithm_version == "1.0.1");
    CHECK(m2[2].value == 0.0029);
    CHECK(cat->trialMetrics(t1.id).empty());

    cat->putSessionMetrics(s.id, {{"romberg_quotient_rms_ML", 1.8, "", "clinical", "1.0.0", ""}});
    CHECK(cat->sessionMetrics(s.id).at(0).value == 1.8);

    cat->putSessionSummary(
        s.id, {{"mctsib_total", 97.5, "s", "mctsib 1.0"}, {"dhi_total", 6.0, "", "DHI"}});
    cat->putSessionSummary(s.id, {{"dhi_total", 8.0, "", "DHI"}});
    const auto sum = cat->sessionSummary(s.id);
    REQUIRE(sum.size() == 2);
    CHECK(sum[0] == SummaryValue{"mctsib_total", 97.5, "s", "mctsib 1.0"});
    CHECK(sum[1].value == 8.0);

    // Updates.
    p.notes = "BPPV right, treated";
    p.birth_date.reset();
    p.height_m.reset();
    cat->updatePatient(p);
    CHECK(cat->patient(p.id) == p);
    t.status = TrialStatus::kAborted;
    cat->updateTrial(t);
    CHECK(cat->trial(t.id)->status == TrialStatus::kAborted);
}

TEST_CASE("constraints are errors that name the catalog and the problem", "[datasets][catalog]") {
    TempDir dir("constraints");
    const auto file = dir.path / "clinic.db";
    auto cat = openSqliteCatalog(file);
    const CatalogId pid = cat->addPatient(alice());
    const std::string dup = errorOf([&] { cat->addPatient(alice()); });
    CHECK(dup.find(file.string()) == 0);
    CHECK(dup.find("MRN-0001") != std::string::npos);
    CHECK(dup.find("exists") != std::string::npos);

    Patient nameless;
    CHECK(errorOf([&] { cat->addPatient(nameless); }).find("subject code is empty") !=
          std::string::npos);
    Patient bad_height = alice();
    bad_height.subject_code = "MRN-0002";
    bad_height.height_m = -1.0;
    CHECK(errorOf([&] { cat->addPatient(bad_height); }).find("CHECK constraint") !=
          std::string::npos);

    Session s;
    s.patient_id = 999;
    s.start_utc = at(2024, 1, 1);
    CHECK(errorOf([&] { cat->addSession(s); }).find("no such patient") != std::string::npos);
    s.patient_id = pid;
    const CatalogId sid = cat->addSession(s);
    Trial t;
    t.session_id = sid;
    t.condition = "eo_firm";
    cat->addTrial(t);
    CHECK(errorOf([&] { cat->addTrial(t); }).find("has this trial already") != std::string::npos);
    t.repetition = 0;
    CHECK(errorOf([&] { cat->addTrial(t); }).find("repetition") != std::string::npos);
    t.repetition = 1;
    t.session_id = 12345;
    CHECK(errorOf([&] { cat->addTrial(t); }).find("no such session") != std::string::npos);

    Patient ghost = alice();
    ghost.id = 777;
    CHECK(errorOf([&] { cat->updatePatient(ghost); }).find("no such patient") != std::string::npos);
    CHECK(errorOf([&] { cat->putTrialMetrics(4242, {}); }).find("no such trial") !=
          std::string::npos);
    CHECK(
        errorOf([&] {
            cat->putSessionSummary(sid, {{"x", std::numeric_limits<double>::quiet_NaN(), "", ""}});
        }).find("not a finite number") != std::string::npos);
    // Nothing of a failed write stays behind.
    CHECK(cat->patients().size() == 1);
    CHECK(cat->trials(sid).size() == 1);
    CHECK(cat->sessionSummary(sid).empty());
}

TEST_CASE("removing a patient removes their sessions, trials and results", "[datasets][catalog]") {
    TempDir dir("cascade");
    auto cat = openSqliteCatalog(dir.path / "clinic.db");
    const CatalogId pid = cat->addPatient(alice());
    Session s;
    s.patient_id = pid;
    s.start_utc = at(2024, 2, 2);
    const CatalogId sid = cat->addSession(s);
    Trial t;
    t.session_id = sid;
    t.condition = "eo_firm";
    const CatalogId tid = cat->addTrial(t);
    cat->putTrialMetrics(tid, {{"rms_ML", 0.003, "m", "raw", "1.0.0", ""}});
    cat->addQuestionnaire({0, sid, "DHI", "", {{"P1", 4.0, ""}}, 4.0, {}});
    cat->putSessionSummary(sid, {{"dhi_total", 4.0, "", "DHI"}});
    cat->removePatient(pid);
    CHECK(cat->patients().empty());
    CHECK_FALSE(cat->session(sid).has_value());
    CHECK_FALSE(cat->trial(tid).has_value());
    CHECK(cat->trialMetrics(tid).empty());
    CHECK(cat->questionnaires(sid).empty());
    CHECK(cat->sessionSummary(sid).empty());
    CHECK(errorOf([&] { cat->removePatient(pid); }).find("no such patient") != std::string::npos);
}

TEST_CASE("findTrials selects by subject, condition and session date", "[datasets][catalog]") {
    TempDir dir("filter");
    auto cat = openSqliteCatalog(dir.path / "clinic.db");
    for (int k = 1; k <= 3; ++k) {
        Patient p;
        p.subject_code = "S" + std::to_string(k);
        const CatalogId pid = cat->addPatient(p);
        for (unsigned month_no = 1; month_no <= 3; ++month_no) {
            Session s;
            s.patient_id = pid;
            s.start_utc = at(2024, month_no, 10, 23);  // late evening: the UTC date counts
            const CatalogId sid = cat->addSession(s);
            for (const char* c : {"eo_firm", "ec_firm", "eo_foam"}) {
                for (int rep = 1; rep <= 2; ++rep) {
                    Trial t;
                    t.session_id = sid;
                    t.condition = c;
                    t.repetition = rep;
                    cat->addTrial(t);
                }
            }
        }
    }
    CHECK(cat->findTrials({}).size() == 3 * 3 * 3 * 2);
    CatalogFilter f;
    f.subject_codes = {"S2", "S3"};
    f.conditions = {"ec_firm"};
    auto r = cat->findTrials(f);
    REQUIRE(r.size() == 2 * 3 * 2);
    CHECK(r.front().patient.subject_code == "S2");
    CHECK(r.back().patient.subject_code == "S3");
    for (const auto& x : r)
        CHECK(x.trial.condition == "ec_firm");
    CHECK(r[0].session.start_utc < r[2].session.start_utc);
    CHECK(r[0].trial.repetition == 1);
    CHECK(r[1].trial.repetition == 2);

    f = {};
    f.from_date = year_month_day{year{2024}, month{2}, day{10}};
    f.to_date = year_month_day{year{2024}, month{2}, day{10}};
    r = cat->findTrials(f);
    CHECK(r.size() == 3 * 3 * 2);
    for (const auto& x : r)
        CHECK(x.session.start_utc == at(2024, 2, 10, 23));
    f.from_date = year_month_day{year{2024}, month{2}, day{11}};
    f.to_date.reset();
    CHECK(cat->findTrials(f).size() == 3 * 3 * 2);
    f.subject_codes = {"nobody"};
    CHECK(cat->findTrials(f).empty());
}

TEST_CASE("a summary value's history follows the patient's sessions", "[datasets][catalog]") {
    TempDir dir("history");
    auto cat = openSqliteCatalog(dir.path / "clinic.db");
    const CatalogId pid = cat->addPatient(alice());
    const double dhi[] = {54, 40, 22};
    // Added out of order: history comes back by session start.
    for (int k : {2, 0, 1}) {
        Session s;
        s.patient_id = pid;
        s.start_utc = at(2024, 1, 1) + days(14 * k);
        const CatalogId sid = cat->addSession(s);
        cat->putSessionSummary(sid, {{"dhi_total", dhi[k], "", "DHI"}, {"other", 1.0, "", ""}});
    }
    const auto h = cat->summaryHistory(pid, "dhi_total");
    REQUIRE(h.size() == 3);
    CHECK(h[0].value.value == 54);
    CHECK(h[1].value.value == 40);
    CHECK(h[2].value.value == 22);
    CHECK(h[2].start_utc == at(2024, 1, 29));
    CHECK(cat->summaryHistory(pid, "missing").empty());
}

TEST_CASE("an uncommitted transaction is invisible to readers and rolled back",
          "[datasets][catalog]") {
    TempDir dir("tx");
    const auto file = dir.path / "clinic.db";
    auto writer = openSqliteCatalog(file);
    writer->addPatient(alice());
    // busy_timeout 0: if the reader were blocked by the writer, it would fail at once.
    auto reader = openSqliteCatalog(file, {.busy_timeout_ms = 0});
    {
        Catalog::Transaction tx(*writer);
        Patient b;
        b.subject_code = "MRN-0002";
        const CatalogId id = writer->addPatient(b);
        Session s;
        s.patient_id = id;
        s.start_utc = at(2024, 5, 1);
        writer->addSession(s);
        // The writer sees its own work; the reader, on another connection, reads the last
        // committed state without waiting.
        CHECK(writer->patients().size() == 2);
        CHECK(reader->patients().size() == 1);
        CHECK_FALSE(reader->patientByCode("MRN-0002").has_value());
        // A second writer cannot start while the first holds the write lock.
        Patient c;
        c.subject_code = "MRN-0003";
        const std::string locked = errorOf([&] { reader->addPatient(c); });
        CHECK(locked.find(file.string()) == 0);
        CHECK(locked.find("locked") != std::string::npos);
        tx.commit();
    }
    CHECK(reader->patients().size() == 2);
    {
        Catalog::Transaction tx(*writer);
        Patient d;
        d.subject_code = "MRN-0004";
        writer->addPatient(d);
        // A failing write inside the transaction undoes only itself.
        CHECK(errorOf([&] { writer->addPatient(d); }).find("exists") != std::string::npos);
        CHECK(writer->patients().size() == 3);
    }  // destroyed without commit: rolled back
    CHECK(writer->patients().size() == 2);
    CHECK(reader->patients().size() == 2);
}

TEST_CASE("a read-only catalog reads and refuses writes", "[datasets][catalog]") {
    TempDir dir("ro");
    const auto file = dir.path / "clinic.db";
    openSqliteCatalog(file)->addPatient(alice());
    auto ro = openSqliteCatalog(file, {.read_only = true});
    CHECK(ro->patients().size() == 1);
    Patient b = alice();
    b.subject_code = "MRN-0002";
    CHECK(errorOf([&] { ro->addPatient(b); }).find("read-only") != std::string::npos);
    CHECK(ro->patients().size() == 1);
}

TEST_CASE("foreign, damaged and newer files are refused with the file named",
          "[datasets][catalog]") {
    TempDir dir("bad");
    const auto expectRefused = [](const std::filesystem::path& f, const std::string& what) {
        const std::string e = errorOf([&] { (void)openSqliteCatalog(f); });
        INFO(e);
        CHECK(e.find(f.string()) == 0);
        CHECK(e.find(what) != std::string::npos);
    };

    const auto text = dir.path / "notes.txt";
    std::ofstream(text) << "patient list\nAlice, Bob\n" << std::string(2000, 'x');
    expectRefused(text, "not an SQLite database");

    const auto other_app = dir.path / "other_app.db";
    rawSql(other_app, "PRAGMA application_id = 1234; CREATE TABLE t(x);");
    expectRefused(other_app, "another application");

    const auto foreign = dir.path / "foreign.db";
    rawSql(foreign, "CREATE TABLE patients(name TEXT); INSERT INTO patients VALUES ('x');");
    expectRefused(foreign, "not a Stance catalog");

    const auto newer = dir.path / "newer.db";
    openSqliteCatalog(newer).reset();
    rawSql(newer, "INSERT INTO schema_version VALUES (99, '2030-01-01T00:00:00Z', 'future')");
    expectRefused(newer, "schema version 99 is newer");

    // A real catalog with enough rows for several pages, then damaged two ways.
    const auto make = [](const std::filesystem::path& f) {
        auto cat = openSqliteCatalog(f);
        Catalog::Transaction tx(*cat);
        for (int i = 0; i < 300; ++i) {
            Patient p;
            p.subject_code = "P" + std::to_string(i);
            p.notes = std::string(200, static_cast<char>('a' + i % 26));
            cat->addPatient(p);
        }
        tx.commit();
    };
    const auto truncated = dir.path / "truncated.db";
    make(truncated);
    std::filesystem::resize_file(truncated, std::filesystem::file_size(truncated) / 2);
    expectRefused(truncated, "damaged");

    const auto scribbled = dir.path / "scribbled.db";
    make(scribbled);
    {
        std::fstream f(scribbled, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(4096 * 3 + 100);
        const std::string junk(3000, '\xA5');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    expectRefused(scribbled, "damaged");

    const auto header = dir.path / "header.db";
    make(header);
    {
        std::fstream f(header, std::ios::in | std::ios::out | std::ios::binary);
        f.write("garbage garbage!", 16);
    }
    expectRefused(header, "not an SQLite database");

    expectRefused(dir.path, "not a regular file");
}

TEST_CASE("a migration that fails leaves the catalog at its previous version",
          "[datasets][catalog]") {
    TempDir dir("migrate");
    const auto file = dir.path / "half.db";
    // A catalog at version 0 whose `trials` table is in the way of migration 1.
    rawSql(file,
           "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_utc TEXT NOT NULL, "
           "description TEXT NOT NULL); CREATE TABLE trials (x);");
    const std::string e = errorOf([&] { (void)openSqliteCatalog(file); });
    CHECK(e.find(file.string()) == 0);
    CHECK(e.find("migration to schema version 1") != std::string::npos);
    CHECK(e.find("trials") != std::string::npos);
    // Migration 1 created `patients` before failing: the rollback removed it.
    CHECK(rawText(file, "SELECT count(*) FROM sqlite_master WHERE name='patients'") == "0");
    CHECK(rawText(file, "SELECT count(*) FROM schema_version") == "0");
}

TEST_CASE("ISO dates and times format and parse", "[datasets][catalog]") {
    CHECK(formatIsoUtc(at(2024, 3, 5, 10) + minutes(7) + seconds(9)) == "2024-03-05T10:07:09Z");
    CHECK(parseIsoUtc("2024-03-05T10:07:09Z") == at(2024, 3, 5, 10) + minutes(7) + seconds(9));
    CHECK(parseIsoUtc("2024-03-05 10:07:09") == at(2024, 3, 5, 10) + minutes(7) + seconds(9));
    CHECK(parseIsoUtc("2024-03-05") == at(2024, 3, 5, 0));
    CHECK_FALSE(parseIsoUtc("2024-02-30").has_value());
    CHECK_FALSE(parseIsoUtc("2024-03-05T25:00:00Z").has_value());
    CHECK_FALSE(parseIsoUtc("2024-03-05T10:07:09+02:00").has_value());
    CHECK(formatIsoDate(year_month_day{year{987}, month{1}, day{2}}) == "0987-01-02");
    CHECK_FALSE(parseIsoDate("2024-1-02").has_value());
}

TEST_CASE("session starts parse with their precision and clock", "[datasets][catalog]") {
    const auto local = parseIsoStart("2016-08-01T11:00:17.753");
    REQUIRE(local);
    CHECK_FALSE(local->utc);
    CHECK_FALSE(local->date_only);
    CHECK(local->time == at(2016, 8, 1, 11) + seconds(17));
    CHECK(local->ms == milliseconds(753));
    const auto utc = parseIsoStart("2015-10-08T08:30:00Z");
    REQUIRE(utc);
    CHECK(utc->utc);
    CHECK(utc->ms == milliseconds(0));
    // An offset is converted to UTC: 10:47:06 at UTC+1 is 09:47:06 UTC.
    const auto offset = parseIsoStart("2021-01-05T10:47:06.5+01:00");
    REQUIRE(offset);
    CHECK(offset->utc);
    CHECK(offset->time == at(2021, 1, 5, 9) + minutes(47) + seconds(6));
    CHECK(offset->ms == milliseconds(500));
    CHECK(parseIsoStart("2021-01-05T10:47:06-03:30")->time ==
          at(2021, 1, 5, 14) + minutes(17) + seconds(6));
    const auto date = parseIsoStart("2015-08-11");
    REQUIRE(date);
    CHECK(date->date_only);
    CHECK_FALSE(date->utc);
    CHECK(parseIsoStart("2016-08-01T11:00:17.7539")->ms == milliseconds(753));
    CHECK_FALSE(parseIsoStart("2016-08-01T11:00:17.").has_value());
    CHECK_FALSE(parseIsoStart("2016-08-01T11:00:17+1").has_value());
    CHECK_FALSE(parseIsoStart("2016-08-01T11:00:17ZZ").has_value());
    CHECK_FALSE(parseIsoStart("").has_value());

    Session s;
    s.start_utc = local->time;
    s.start_ms = local->ms;
    s.time_zone = "local time of the laboratory (not UTC)";
    CHECK(formatSessionStart(s) == "2016-08-01T11:00:17.753");
    s.time_zone.clear();
    CHECK(formatSessionStart(s) == "2016-08-01T11:00:17.753Z");
    s.start_ms = milliseconds(0);
    CHECK(formatSessionStart(s) == "2016-08-01T11:00:17Z");
    s.start_utc = date->time;
    s.start_date_only = true;
    CHECK(formatSessionStart(s) == "2015-08-11");
}

TEST_CASE("a local start is stored as local time, never as UTC, and sorts and filters by it",
          "[datasets][catalog]") {
    TempDir dir("local");
    const auto file = dir.path / "clinic.db";
    auto cat = openSqliteCatalog(file);
    const CatalogId pid = cat->addPatient(alice());
    Session lab;
    lab.patient_id = pid;
    lab.start_utc = at(2016, 8, 1, 23) + seconds(17);
    lab.start_ms = milliseconds(753);
    lab.time_zone = "local time of the laboratory (not UTC)";
    const CatalogId local_id = cat->addSession(lab);
    Session utc;  // the same second as a UTC time, without milliseconds
    utc.patient_id = pid;
    utc.start_utc = at(2016, 8, 1, 23) + seconds(17);
    const CatalogId utc_id = cat->addSession(utc);
    Session date_only;
    date_only.patient_id = pid;
    date_only.start_utc = at(2016, 8, 1, 0);
    date_only.start_date_only = true;
    date_only.time_zone = std::string(kUnknownTimeZone);
    const CatalogId date_id = cat->addSession(date_only);
    for (const CatalogId sid : {local_id, utc_id, date_id}) {
        Trial t;
        t.session_id = sid;
        t.condition = "eo_firm";
        cat->addTrial(t);
    }

    // What the database holds: no 'Z' on a local start, its zone beside it.
    CHECK(rawText(file, ("SELECT start_utc || '|' || time_zone FROM sessions WHERE id=" +
                         std::to_string(local_id))
                            .c_str()) ==
          "2016-08-01T23:00:17.753|local time of the laboratory (not UTC)");
    CHECK(rawText(file, ("SELECT start_utc || '|' || time_zone FROM sessions WHERE id=" +
                         std::to_string(utc_id))
                            .c_str()) == "2016-08-01T23:00:17Z|");
    CHECK(rawText(file,
                  ("SELECT start_utc FROM sessions WHERE id=" + std::to_string(date_id)).c_str()) ==
          "2016-08-01");

    // Read back as written.
    const auto back = cat->session(local_id);
    REQUIRE(back);
    lab.id = local_id;
    CHECK(*back == lab);
    date_only.id = date_id;
    CHECK(*cat->session(date_id) == date_only);
    CHECK(cat->session(utc_id)->time_zone.empty());

    // In start order: the date alone, the UTC second, then the same second's 753 ms.
    const auto sessions = cat->sessions(pid);
    REQUIRE(sessions.size() == 3);
    CHECK(sessions[0].id == date_id);
    CHECK(sessions[1].id == utc_id);
    CHECK(sessions[2].id == local_id);
    const auto trials = cat->findTrials({});
    REQUIRE(trials.size() == 3);
    CHECK(trials[2].session.id == local_id);

    // The date filter takes the local start's own date (the site's calendar day), not a UTC
    // date made up with a guessed offset.
    CatalogFilter f;
    f.from_date = year_month_day{year{2016}, month{8}, day{1}};
    f.to_date = f.from_date;
    CHECK(cat->findTrials(f).size() == 3);
    f.from_date = year_month_day{year{2016}, month{8}, day{2}};
    f.to_date = f.from_date;
    CHECK(cat->findTrials(f).empty());

    Session bad = lab;
    bad.id = 0;
    bad.start_ms = milliseconds(1000);
    CHECK(errorOf([&] { cat->addSession(bad); }).find("start_ms") != std::string::npos);
    bad.start_ms = milliseconds(5);
    bad.start_date_only = true;
    CHECK(errorOf([&] { cat->addSession(bad); }).find("only the date") != std::string::npos);
}

TEST_CASE("migration 2 gives back the starts schema 1 stored as false UTC times",
          "[datasets][catalog]") {
    TempDir dir("migrate2");
    const auto file = dir.path / "old.db";
    struct Case {
        std::string stored;  // what `catalog import` of schema 1 made of the bundle's start
        std::string group;   // the bundle session's name, as the source gave the start
        std::string start;   // what migration 2 gives back
        std::string zone;
    };
    const std::vector<Case> cases = {
        {"2015-10-08T08:30:00Z", "2015-10-08T08:30:00", "2015-10-08T08:30:00",
         std::string(kUnknownTimeZone)},
        {"2016-08-01T11:00:17Z", "2016-08-01T11:00:17.753", "2016-08-01T11:00:17.753",
         std::string(kUnknownTimeZone)},
        {"2015-08-11T00:00:00Z", "2015-08-11", "2015-08-11", std::string(kUnknownTimeZone)},
        {"2021-01-05T10:47:06Z", "2021-01-05T10:47:06+01:00", "2021-01-05T09:47:06Z", ""},
        {"2024-03-05T10:15:07Z", "2024-03-05T10:15:07.25Z", "2024-03-05T10:15:07.250Z", ""},
        {"2024-03-05T10:15:00Z", "2024-03-05T10:15:00Z", "2024-03-05T10:15:00Z", ""},
        // Stored start that is not what schema 1 made of the group's: left alone.
        {"2024-03-05T11:15:00Z", "2024-03-05T10:15:00", "2024-03-05T11:15:00Z", ""},
    };
    {
        auto cat = openSqliteCatalog(file);
        Patient p;
        p.subject_code = "s1";
        const CatalogId pid = cat->addPatient(p);
        for (const auto& c : cases) {
            Session s;
            s.patient_id = pid;
            s.start_utc = *parseIsoUtc(c.stored);
            Trial t;
            t.session_id = cat->addSession(s);
            t.condition = "eo_firm";
            t.data_path = "cohort.h5";
            t.data_group = "/subjects/s1/sessions/" + c.group + "/trials/001";
            cat->addTrial(t);
        }
    }
    // Back to schema 1 as it was: the column gone, the version row too.
    rawSql(file,
           "ALTER TABLE sessions DROP COLUMN time_zone; DELETE FROM schema_version WHERE "
           "version >= 2");
    REQUIRE(rawText(file, "SELECT max(version) FROM schema_version") == "1");
    auto cat = openSqliteCatalog(file);
    CHECK(cat->schemaVersion() == 2);
    const auto sessions = cat->sessions(cat->patientByCode("s1")->id);
    REQUIRE(sessions.size() == cases.size());
    std::vector<std::pair<std::string, std::string>> got, want;
    for (const auto& s : sessions)
        got.emplace_back(formatSessionStart(s), s.time_zone);
    for (const auto& c : cases)
        want.emplace_back(c.start, c.zone);
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    CHECK(got == want);
}
