// The SQLite backend of the catalog (docs/catalog.md). SQLite C API documentation:
// https://www.sqlite.org/c3ref/intro.html; WAL: https://www.sqlite.org/wal.html.

#include "stance/datasets/sqlite_catalog.hpp"

#include <sqlite3.h>

#include <cassert>
#include <cmath>
#include <cstdio>
#include <system_error>
#include <utility>

namespace stance::datasets {

namespace {

/// One schema step. Each runs in its own transaction together with its schema_version row, so a
/// failure leaves the catalog at the previous version. Append new steps; never edit old ones.
struct Migration {
    int version;
    const char* description;
    const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, "patients, sessions, trials, questionnaires, metrics, session summaries",
     R"sql(
CREATE TABLE patients (
    id           INTEGER PRIMARY KEY,
    subject_code TEXT NOT NULL UNIQUE CHECK (subject_code <> ''),
    given_name   TEXT NOT NULL DEFAULT '',
    family_name  TEXT NOT NULL DEFAULT '',
    birth_date   TEXT CHECK (birth_date IS NULL OR
                             birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    sex          TEXT NOT NULL DEFAULT 'unknown'
                      CHECK (sex IN ('unknown', 'female', 'male', 'other')),
    height_m     REAL CHECK (height_m IS NULL OR height_m > 0),
    mass_kg      REAL CHECK (mass_kg IS NULL OR mass_kg > 0),
    phone        TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT ''
);
CREATE TABLE sessions (
    id               INTEGER PRIMARY KEY,
    patient_id       INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    start_utc        TEXT NOT NULL,
    site             TEXT NOT NULL DEFAULT '',
    operator_name    TEXT NOT NULL DEFAULT '',
    protocol         TEXT NOT NULL DEFAULT '',
    protocol_version TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_patient ON sessions(patient_id, start_utc);
CREATE TABLE trials (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    condition  TEXT NOT NULL CHECK (condition <> ''),
    repetition INTEGER NOT NULL CHECK (repetition >= 1),
    status     TEXT NOT NULL CHECK (status IN ('complete', 'aborted', 'fall', 'recording')),
    duration_s REAL NOT NULL DEFAULT 0 CHECK (duration_s >= 0),
    data_path  TEXT NOT NULL DEFAULT '',
    data_group TEXT NOT NULL DEFAULT '',
    UNIQUE (session_id, condition, repetition)
);
CREATE TABLE questionnaires (
    id                 INTEGER PRIMARY KEY,
    session_id         INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    instrument         TEXT NOT NULL CHECK (instrument <> ''),
    instrument_version TEXT NOT NULL DEFAULT '',
    total_score        REAL
);
CREATE INDEX questionnaires_by_session ON questionnaires(session_id);
CREATE TABLE questionnaire_answers (
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    item             TEXT NOT NULL,
    value            REAL,
    text             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (questionnaire_id, position)
);
CREATE TABLE questionnaire_scores (
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    name             TEXT NOT NULL,
    value            REAL NOT NULL,
    PRIMARY KEY (questionnaire_id, position)
);
CREATE TABLE trial_metrics (
    trial_id          INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    pipeline          TEXT NOT NULL DEFAULT '',
    value             REAL,
    unit              TEXT NOT NULL DEFAULT '',
    algorithm_version TEXT NOT NULL,
    error             TEXT NOT NULL DEFAULT '',
    UNIQUE (trial_id, pipeline, name)
);
CREATE TABLE session_metrics (
    session_id        INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    pipeline          TEXT NOT NULL DEFAULT '',
    value             REAL,
    unit              TEXT NOT NULL DEFAULT '',
    algorithm_version TEXT NOT NULL,
    error             TEXT NOT NULL DEFAULT '',
    UNIQUE (session_id, pipeline, name)
);
CREATE TABLE session_summary (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (name <> ''),
    value      REAL NOT NULL,
    unit       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',
    UNIQUE (session_id, name)
);
)sql"},
    // Sessions whose start is the site's local time with an unknown offset (BDS and PDS give
    // such times): start_utc then holds that time without a 'Z', time_zone says whose clock.
    //
    // Schema 1 had no way to say so, and `stance catalog import` cut a bundle session's start
    // to "YYYY-MM-DDTHH:MM:SS" and stored it as UTC: a local time became a false UTC time
    // ("2015-10-08T08:30:00" -> "2015-10-08T08:30:00Z"), a start with an offset lost it
    // ("10:47:06+01:00" -> "10:47:06Z"), milliseconds and a date alone were not kept. Each
    // session's trials still name the bundle group, whose name is the start as the source gave
    // it: a session whose trials name one start, and whose stored start is exactly what that
    // cutting made of it, gets the start back (local, with kUnknownTimeZone's text, since the
    // zone's description stayed in the bundle; or converted to UTC with its offset).
    {2, "sessions.time_zone: starts in local time with an unknown UTC offset",
     R"sql(
ALTER TABLE sessions ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
CREATE TEMP TABLE stance_group_starts AS
SELECT id, start,
       CASE WHEN length(start) = 10 THEN start || 'T00:00:00Z'
            ELSE substr(start, 1, 19) || 'Z' END AS cut,
       CASE WHEN substr(start, 20, 1) = '.'
            THEN substr(substr(start, 21, length(start) - 20 - zone_length) || '000', 1, 3)
            ELSE '000' END AS ms,
       zone_length
FROM (SELECT id, start,
             CASE WHEN start GLOB '*Z' THEN 1
                  WHEN substr(start, -6, 1) IN ('+', '-') AND length(start) >= 25 THEN 6
                  ELSE 0 END AS zone_length
      FROM (SELECT session_id AS id, min(start) AS start
            FROM (SELECT DISTINCT session_id,
                         substr(data_group, instr(data_group, '/sessions/') + 10,
                                instr(data_group, '/trials/') - instr(data_group, '/sessions/')
                                    - 10) AS start
                  FROM trials
                  WHERE instr(data_group, '/sessions/') > 0
                    AND instr(data_group, '/trials/') > instr(data_group, '/sessions/'))
            GROUP BY session_id HAVING count(*) = 1))
WHERE start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
   OR (substr(start, 1, 19) GLOB
           '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'
       AND (length(start) - zone_length = 19
            OR (substr(start, 20, 1) = '.' AND length(start) - zone_length > 20
                AND substr(start, 21, length(start) - 20 - zone_length) NOT GLOB '*[^0-9]*')));
UPDATE sessions
SET start_utc = (SELECT start FROM stance_group_starts g WHERE g.id = sessions.id),
    time_zone = 'local time, zone not given'
WHERE start_utc = (SELECT cut FROM stance_group_starts g
                   WHERE g.id = sessions.id AND g.zone_length = 0);
UPDATE sessions
SET start_utc = (SELECT strftime('%Y-%m-%dT%H:%M:%S', substr(start, 1, 19),
                                 (CASE substr(start, -6, 1) WHEN '+' THEN '-' ELSE '+' END) ||
                                     substr(start, -5)) ||
                        (CASE ms WHEN '000' THEN '' ELSE '.' || ms END) || 'Z'
                 FROM stance_group_starts g WHERE g.id = sessions.id)
WHERE start_utc = (SELECT cut FROM stance_group_starts g
                   WHERE g.id = sessions.id AND g.zone_length = 6);
UPDATE sessions
SET start_utc = (SELECT substr(start, 1, 19) || '.' || ms || 'Z'
                 FROM stance_group_starts g WHERE g.id = sessions.id)
WHERE start_utc = (SELECT cut FROM stance_group_starts g
                   WHERE g.id = sessions.id AND g.zone_length = 1 AND g.ms <> '000');
DROP TABLE stance_group_starts;
)sql"},
};

constexpr int kLatestVersion = kMigrations[std::size(kMigrations) - 1].version;

class Statement;

/// An open connection; every failure becomes a CatalogError naming the file.
class Connection {
public:
    Connection(std::string location, sqlite3* db) : location_(std::move(location)), db_(db) {}
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() { sqlite3_close_v2(db_); }

    sqlite3* get() const { return db_; }
    const std::string& location() const { return location_; }

    [[noreturn]] void fail(const std::string& action) const { fail(action, sqlite3_errcode(db_)); }
    [[noreturn]] void fail(const std::string& action, int code) const {
        std::string problem = action + ": " + sqlite3_errmsg(db_);
        const int primary = code & 0xff;
        if (primary == SQLITE_NOTADB)
            problem = "not an SQLite database (damaged, encrypted or another kind of file)";
        else if (primary == SQLITE_CORRUPT)
            problem = action + ": the catalog is damaged (" + sqlite3_errmsg(db_) +
                      "); restore it from a backup";
        else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
            problem =
                action + ": the catalog is locked by another writer (" + sqlite3_errmsg(db_) + ")";
        else if (primary == SQLITE_READONLY)
            problem = action + ": the catalog is open read-only";
        throw CatalogError(location_, problem);
    }

    /// Runs statements that return no rows.
    void exec(const char* sql, const std::string& action) const {
        char* message = nullptr;
        const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
        if (rc != SQLITE_OK) {
            sqlite3_free(message);
            fail(action, rc);
        }
    }

private:
    std::string location_;
    sqlite3* db_;
};

/// A prepared statement. Bound text must outlive step(): callers bind strings they own.
class Statement {
public:
    Statement(const Connection& c, const std::string& sql, std::string action)
        : c_(c), action_(std::move(action)) {
        const int rc =
            sqlite3_prepare_v2(c.get(), sql.c_str(), static_cast<int>(sql.size()), &s_, nullptr);
        if (rc != SQLITE_OK)
            c.fail(action_, rc);
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { sqlite3_finalize(s_); }

    Statement& bind(int i, std::int64_t v) {
        check(sqlite3_bind_int64(s_, i, v));
        return *this;
    }
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v) {
        check(sqlite3_bind_double(s_, i, v));
        return *this;
    }
    Statement& bind(int i, const std::optional<double>& v) {
        check(v ? sqlite3_bind_double(s_, i, *v) : sqlite3_bind_null(s_, i));
        return *this;
    }
    Statement& bind(int i, std::string_view v) {
        // SQLITE_STATIC (0): the caller keeps the text alive until the statement is reset.
        check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), nullptr));
        return *this;
    }
    Statement& bindNull(int i) {
        check(sqlite3_bind_null(s_, i));
        return *this;
    }

    /// True when a row is available.
    bool step() {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        c_.fail(action_, sqlite3_extended_errcode(c_.get()));
    }
    void run() {
        while (step()) {
        }
    }
    void reset() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }

    std::int64_t int64(int col) const { return sqlite3_column_int64(s_, col); }
    double real(int col) const { return sqlite3_column_double(s_, col); }
    bool isNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
    std::optional<double> optReal(int col) const {
        return isNull(col) ? std::nullopt : std::optional<double>(real(col));
    }
    std::string text(int col) const {
        const auto* p = sqlite3_column_text(s_, col);
        const int n = sqlite3_column_bytes(s_, col);
        return p == nullptr
                   ? std::string()
                   : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    }

private:
    void check(int rc) const {
        if (rc != SQLITE_OK)
            c_.fail(action_, rc);
    }
    const Connection& c_;
    std::string action_;
    sqlite3_stmt* s_ = nullptr;
};

std::string inQuotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

/// Columns of the patients table, in the order rowToPatient reads them.
constexpr const char* kPatientColumns =
    "p.id, p.subject_code, p.given_name, p.family_name, p.birth_date, p.sex, p.height_m, "
    "p.mass_kg, p.phone, p.email, p.address, p.notes";
constexpr int kPatientColumnCount = 12;
constexpr const char* kSessionColumns =
    "s.id, s.patient_id, s.start_utc, s.site, s.operator_name, s.protocol, s.protocol_version, "
    "s.notes, s.time_zone";
constexpr int kSessionColumnCount = 9;
/// Sessions in start order. The text sorts as the time does, except that "...:17Z" would sort
/// after "...:17.753Z" ('Z' > '.'): without the 'Z' a start sorts before its own milliseconds.
/// A local start (no 'Z') sorts by its clock reading.
constexpr const char* kSessionOrder = "rtrim(s.start_utc, 'Z'), s.id";
constexpr const char* kTrialColumns =
    "t.id, t.session_id, t.condition, t.repetition, t.status, t.duration_s, t.data_path, "
    "t.data_group";

class SqliteCatalog final : public Catalog {
public:
    SqliteCatalog(std::string location, sqlite3* db, bool read_only)
        : c_(std::move(location), db), read_only_(read_only) {}

    std::string location() const override { return c_.location(); }
    int schemaVersion() const override { return version_; }
    const Connection& connection() const { return c_; }
    void setVersion(int v) { version_ = v; }

    // ---- patients -------------------------------------------------------------------------
    CatalogId addPatient(const Patient& p) override {
        const std::string action = "cannot add patient " + inQuotes(p.subject_code);
        if (p.subject_code.empty())
            throw CatalogError(location(), action + ": the subject code is empty");
        WriteScope w(*this, action);
        if (patientByCode(p.subject_code))
            throw CatalogError(location(), action + ": a patient with this subject code exists");
        Statement s(c_,
                    "INSERT INTO patients (subject_code, given_name, family_name, birth_date, "
                    "sex, height_m, mass_kg, phone, email, address, notes) VALUES "
                    "(?,?,?,?,?,?,?,?,?,?,?)",
                    action);
        const std::string birth = p.birth_date ? formatIsoDate(*p.birth_date) : std::string();
        bindPatient(s, p, birth);
        s.run();
        const CatalogId id = sqlite3_last_insert_rowid(c_.get());
        w.commit();
        return id;
    }

    void updatePatient(const Patient& p) override {
        const std::string action = "cannot update patient " + std::to_string(p.id);
        WriteScope w(*this, action);
        Statement s(c_,
                    "UPDATE patients SET subject_code=?, given_name=?, family_name=?, "
                    "birth_date=?, sex=?, height_m=?, mass_kg=?, phone=?, email=?, address=?, "
                    "notes=? WHERE id=?",
                    action);
        const std::string birth = p.birth_date ? formatIsoDate(*p.birth_date) : std::string();
        bindPatient(s, p, birth);
        s.bind(12, p.id);
        s.run();
        requireChanged(action, "no such patient");
        w.commit();
    }

    void removePatient(CatalogId id) override {
        const std::string action = "cannot remove patient " + std::to_string(id);
        WriteScope w(*this, action);
        Statement s(c_, "DELETE FROM patients WHERE id=?", action);
        s.bind(1, id).run();
        requireChanged(action, "no such patient");
        w.commit();
    }

    std::optional<Patient> patient(CatalogId id) const override {
        Statement s(c_, std::string("SELECT ") + kPatientColumns + " FROM patients p WHERE id=?",
                    "cannot read patient " + std::to_string(id));
        s.bind(1, id);
        if (!s.step())
            return std::nullopt;
        return rowToPatient(s, 0);
    }

    std::optional<Patient> patientByCode(std::string_view code) const override {
        Statement s(
            c_, std::string("SELECT ") + kPatientColumns + " FROM patients p WHERE subject_code=?",
            "cannot read patient " + inQuotes(code));
        s.bind(1, code);
        if (!s.step())
            return std::nullopt;
        return rowToPatient(s, 0);
    }

    std::vector<Patient> patients() const override {
        Statement s(
            c_, std::string("SELECT ") + kPatientColumns + " FROM patients p ORDER BY subject_code",
            "cannot list patients");
        std::vector<Patient> out;
        while (s.step())
            out.push_back(rowToPatient(s, 0));
        return out;
    }

    // ---- sessions -------------------------------------------------------------------------
    CatalogId addSession(const Session& x) override {
        const std::string action = "cannot add session for patient " + std::to_string(x.patient_id);
        WriteScope w(*this, action);
        if (!patient(x.patient_id))
            throw CatalogError(location(), action + ": no such patient");
        checkSession(x, action);
        Statement s(c_,
                    "INSERT INTO sessions (patient_id, start_utc, site, operator_name, protocol, "
                    "protocol_version, notes, time_zone) VALUES (?,?,?,?,?,?,?,?)",
                    action);
        const std::string start = formatSessionStart(x);
        bindSession(s, x, start);
        s.run();
        const CatalogId id = sqlite3_last_insert_rowid(c_.get());
        w.commit();
        return id;
    }

    void updateSession(const Session& x) override {
        const std::string action = "cannot update session " + std::to_string(x.id);
        WriteScope w(*this, action);
        if (!patient(x.patient_id))
            throw CatalogError(location(), action + ": no patient " + std::to_string(x.patient_id));
        checkSession(x, action);
        Statement s(c_,
                    "UPDATE sessions SET patient_id=?, start_utc=?, site=?, operator_name=?, "
                    "protocol=?, protocol_version=?, notes=?, time_zone=? WHERE id=?",
                    action);
        const std::string start = formatSessionStart(x);
        bindSession(s, x, start);
        s.bind(9, x.id).run();
        requireChanged(action, "no such session");
        w.commit();
    }

    std::optional<Session> session(CatalogId id) const override {
        Statement s(c_, std::string("SELECT ") + kSessionColumns + " FROM sessions s WHERE id=?",
                    "cannot read session " + std::to_string(id));
        s.bind(1, id);
        if (!s.step())
            return std::nullopt;
        return rowToSession(s, 0);
    }

    std::vector<Session> sessions(CatalogId patient_id) const override {
        Statement s(c_,
                    std::string("SELECT ") + kSessionColumns +
                        " FROM sessions s WHERE patient_id=? ORDER BY " + kSessionOrder,
                    "cannot list sessions of patient " + std::to_string(patient_id));
        s.bind(1, patient_id);
        std::vector<Session> out;
        while (s.step())
            out.push_back(rowToSession(s, 0));
        return out;
    }

    // ---- trials ---------------------------------------------------------------------------
    CatalogId addTrial(const Trial& t) override {
        const std::string action = "cannot add trial " + inQuotes(t.condition) + " repetition " +
                                   std::to_string(t.repetition) + " to session " +
                                   std::to_string(t.session_id);
        checkTrial(t, action);
        WriteScope w(*this, action);
        if (!session(t.session_id))
            throw CatalogError(location(), action + ": no such session");
        if (hasTrial(t.session_id, t.condition, t.repetition, 0))
            throw CatalogError(location(), action + ": the session has this trial already");
        Statement s(c_,
                    "INSERT INTO trials (session_id, condition, repetition, status, duration_s, "
                    "data_path, data_group) VALUES (?,?,?,?,?,?,?)",
                    action);
        bindTrial(s, t);
        s.run();
        const CatalogId id = sqlite3_last_insert_rowid(c_.get());
        w.commit();
        return id;
    }

    void updateTrial(const Trial& t) override {
        const std::string action = "cannot update trial " + std::to_string(t.id);
        checkTrial(t, action);
        WriteScope w(*this, action);
        if (!session(t.session_id))
            throw CatalogError(location(), action + ": no session " + std::to_string(t.session_id));
        if (hasTrial(t.session_id, t.condition, t.repetition, t.id))
            throw CatalogError(location(), action + ": the session has another trial " +
                                               inQuotes(t.condition) + " repetition " +
                                               std::to_string(t.repetition));
        Statement s(c_,
                    "UPDATE trials SET session_id=?, condition=?, repetition=?, status=?, "
                    "duration_s=?, data_path=?, data_group=? WHERE id=?",
                    action);
        bindTrial(s, t);
        s.bind(8, t.id).run();
        requireChanged(action, "no such trial");
        w.commit();
    }

    std::optional<Trial> trial(CatalogId id) const override {
        Statement s(c_, std::string("SELECT ") + kTrialColumns + " FROM trials t WHERE id=?",
                    "cannot read trial " + std::to_string(id));
        s.bind(1, id);
        if (!s.step())
            return std::nullopt;
        return rowToTrial(s, 0);
    }

    std::vector<Trial> trials(CatalogId session_id) const override {
        Statement s(c_,
                    std::string("SELECT ") + kTrialColumns +
                        " FROM trials t WHERE session_id=? ORDER BY condition, repetition",
                    "cannot list trials of session " + std::to_string(session_id));
        s.bind(1, session_id);
        std::vector<Trial> out;
        while (s.step())
            out.push_back(rowToTrial(s, 0));
        return out;
    }

    std::vector<TrialRecord> findTrials(const CatalogFilter& f) const override {
        std::string sql = std::string("SELECT ") + kPatientColumns + ", " + kSessionColumns + ", " +
                          kTrialColumns +
                          " FROM trials t JOIN sessions s ON t.session_id = s.id"
                          " JOIN patients p ON s.patient_id = p.id WHERE 1";
        const auto placeholders = [](std::size_t n) {
            std::string q;
            for (std::size_t i = 0; i < n; ++i)
                q += i == 0 ? "?" : ",?";
            return q;
        };
        if (!f.subject_codes.empty())
            sql += " AND p.subject_code IN (" + placeholders(f.subject_codes.size()) + ")";
        if (!f.conditions.empty())
            sql += " AND t.condition IN (" + placeholders(f.conditions.size()) + ")";
        if (f.from_date)
            sql += " AND substr(s.start_utc, 1, 10) >= ?";
        if (f.to_date)
            sql += " AND substr(s.start_utc, 1, 10) <= ?";
        sql += std::string(" ORDER BY p.subject_code, ") + kSessionOrder +
               ", t.condition, t.repetition";
        Statement s(c_, sql, "cannot select trials");
        int i = 1;
        for (const auto& code : f.subject_codes)
            s.bind(i++, code);
        for (const auto& cond : f.conditions)
            s.bind(i++, cond);
        const std::string from = f.from_date ? formatIsoDate(*f.from_date) : std::string();
        const std::string to = f.to_date ? formatIsoDate(*f.to_date) : std::string();
        if (f.from_date)
            s.bind(i++, from);
        if (f.to_date)
            s.bind(i++, to);
        std::vector<TrialRecord> out;
        while (s.step()) {
            TrialRecord r;
            r.patient = rowToPatient(s, 0);
            r.session = rowToSession(s, kPatientColumnCount);
            r.trial = rowToTrial(s, kPatientColumnCount + kSessionColumnCount);
            out.push_back(std::move(r));
        }
        return out;
    }

    // ---- questionnaires -------------------------------------------------------------------
    CatalogId addQuestionnaire(const Questionnaire& q) override {
        const std::string action = "cannot add questionnaire " + inQuotes(q.instrument) +
                                   " to session " + std::to_string(q.session_id);
        if (q.instrument.empty())
            throw CatalogError(location(), action + ": the instrument name is empty");
        WriteScope w(*this, action);
        if (!session(q.session_id))
            throw CatalogError(location(), action + ": no such session");
        Statement s(c_,
                    "INSERT INTO questionnaires (session_id, instrument, instrument_version, "
                    "total_score) VALUES (?,?,?,?)",
                    action);
        s.bind(1, q.session_id)
            .bind(2, q.instrument)
            .bind(3, q.instrument_version)
            .bind(4, q.total_score)
            .run();
        const CatalogId id = sqlite3_last_insert_rowid(c_.get());
        Statement a(c_,
                    "INSERT INTO questionnaire_answers (questionnaire_id, position, item, value, "
                    "text) VALUES (?,?,?,?,?)",
                    action);
        for (std::size_t k = 0; k < q.answers.size(); ++k) {
            const auto& ans = q.answers[k];
            a.bind(1, id)
                .bind(2, static_cast<std::int64_t>(k))
                .bind(3, ans.item)
                .bind(4, ans.value)
                .bind(5, ans.text)
                .run();
            a.reset();
        }
        Statement sc(c_,
                     "INSERT INTO questionnaire_scores (questionnaire_id, position, name, value) "
                     "VALUES (?,?,?,?)",
                     action);
        for (std::size_t k = 0; k < q.subscales.size(); ++k) {
            sc.bind(1, id)
                .bind(2, static_cast<std::int64_t>(k))
                .bind(3, q.subscales[k].name)
                .bind(4, q.subscales[k].value)
                .run();
            sc.reset();
        }
        w.commit();
        return id;
    }

    std::vector<Questionnaire> questionnaires(CatalogId session_id) const override {
        const std::string action =
            "cannot read questionnaires of session " + std::to_string(session_id);
        Statement s(c_,
                    "SELECT id, session_id, instrument, instrument_version, total_score FROM "
                    "questionnaires WHERE session_id=? ORDER BY id",
                    action);
        s.bind(1, session_id);
        std::vector<Questionnaire> out;
        while (s.step()) {
            Questionnaire q;
            q.id = s.int64(0);
            q.session_id = s.int64(1);
            q.instrument = s.text(2);
            q.instrument_version = s.text(3);
            q.total_score = s.optReal(4);
            out.push_back(std::move(q));
        }
        Statement a(c_,
                    "SELECT item, value, text FROM questionnaire_answers WHERE "
                    "questionnaire_id=? ORDER BY position",
                    action);
        Statement sc(c_,
                     "SELECT name, value FROM questionnaire_scores WHERE questionnaire_id=? "
                     "ORDER BY position",
                     action);
        for (auto& q : out) {
            a.bind(1, q.id);
            while (a.step())
                q.answers.push_back({a.text(0), a.optReal(1), a.text(2)});
            a.reset();
            sc.bind(1, q.id);
            while (sc.step())
                q.subscales.push_back({sc.text(0), sc.real(1)});
            sc.reset();
        }
        return out;
    }

    // ---- metrics and summaries ------------------------------------------------------------
    void putTrialMetrics(CatalogId trial_id, const std::vector<MetricRecord>& m) override {
        const std::string action = "cannot store metrics of trial " + std::to_string(trial_id);
        WriteScope w(*this, action);
        if (!trial(trial_id))
            throw CatalogError(location(), action + ": no such trial");
        putMetrics("trial_metrics", "trial_id", trial_id, m, action);
        w.commit();
    }
    std::vector<MetricRecord> trialMetrics(CatalogId trial_id) const override {
        return readMetrics("trial_metrics", "trial_id", trial_id,
                           "cannot read metrics of trial " + std::to_string(trial_id));
    }
    void putSessionMetrics(CatalogId session_id, const std::vector<MetricRecord>& m) override {
        const std::string action = "cannot store metrics of session " + std::to_string(session_id);
        WriteScope w(*this, action);
        if (!session(session_id))
            throw CatalogError(location(), action + ": no such session");
        putMetrics("session_metrics", "session_id", session_id, m, action);
        w.commit();
    }
    std::vector<MetricRecord> sessionMetrics(CatalogId session_id) const override {
        return readMetrics("session_metrics", "session_id", session_id,
                           "cannot read metrics of session " + std::to_string(session_id));
    }

    void putSessionSummary(CatalogId session_id, const std::vector<SummaryValue>& v) override {
        const std::string action =
            "cannot store the summary of session " + std::to_string(session_id);
        WriteScope w(*this, action);
        if (!session(session_id))
            throw CatalogError(location(), action + ": no such session");
        Statement s(c_,
                    "INSERT INTO session_summary (session_id, name, value, unit, source) VALUES "
                    "(?,?,?,?,?) ON CONFLICT (session_id, name) DO UPDATE SET "
                    "value=excluded.value, unit=excluded.unit, source=excluded.source",
                    action);
        for (const auto& x : v) {
            if (x.name.empty())
                throw CatalogError(location(), action + ": a summary value has no name");
            if (!std::isfinite(x.value))
                throw CatalogError(location(),
                                   action + ": " + inQuotes(x.name) + " is not a finite number");
            s.bind(1, session_id)
                .bind(2, x.name)
                .bind(3, x.value)
                .bind(4, x.unit)
                .bind(5, x.source)
                .run();
            s.reset();
        }
        w.commit();
    }

    std::vector<SummaryValue> sessionSummary(CatalogId session_id) const override {
        Statement s(c_,
                    "SELECT name, value, unit, source FROM session_summary WHERE session_id=? "
                    "ORDER BY rowid",
                    "cannot read the summary of session " + std::to_string(session_id));
        s.bind(1, session_id);
        std::vector<SummaryValue> out;
        while (s.step())
            out.push_back({s.text(0), s.real(1), s.text(2), s.text(3)});
        return out;
    }

    std::vector<SummaryPoint> summaryHistory(CatalogId patient_id,
                                             std::string_view name) const override {
        Statement s(c_,
                    std::string("SELECT s.id, s.start_utc, v.name, v.value, v.unit, v.source FROM "
                                "session_summary v JOIN sessions s ON v.session_id = s.id WHERE "
                                "s.patient_id=? AND v.name=? ORDER BY ") +
                        kSessionOrder,
                    "cannot read the history of " + inQuotes(name));
        s.bind(1, patient_id).bind(2, name);
        std::vector<SummaryPoint> out;
        while (s.step()) {
            SummaryPoint p;
            p.session_id = s.int64(0);
            p.start_utc = parseStart(s.text(1), p.session_id).time;
            p.value = {s.text(2), s.real(3), s.text(4), s.text(5)};
            out.push_back(std::move(p));
        }
        return out;
    }

protected:
    void beginWrite() override {
        assert(!in_transaction_ && "catalog transactions do not nest");
        if (read_only_)
            throw CatalogError(location(), "cannot write: the catalog is open read-only");
        c_.exec("BEGIN IMMEDIATE", "cannot start a transaction");
        in_transaction_ = true;
    }
    void commitWrite() override {
        in_transaction_ = false;
        c_.exec("COMMIT", "cannot commit");
    }
    void rollbackWrite() override {
        in_transaction_ = false;
        if (sqlite3_get_autocommit(c_.get()) == 0)
            c_.exec("ROLLBACK", "cannot roll back");
    }

private:
    /// Makes one method's writes atomic: its own IMMEDIATE transaction, or a savepoint inside
    /// the caller's Transaction.
    class WriteScope {
    public:
        WriteScope(SqliteCatalog& cat, const std::string& action)
            : c_(cat.c_), nested_(cat.in_transaction_) {
            if (cat.read_only_)
                throw CatalogError(cat.location(), action + ": the catalog is open read-only");
            c_.exec(nested_ ? "SAVEPOINT stance_write" : "BEGIN IMMEDIATE", action);
        }
        WriteScope(const WriteScope&) = delete;
        WriteScope& operator=(const WriteScope&) = delete;
        ~WriteScope() {
            if (done_)
                return;
            // Undo this method's writes; failures here leave SQLite to roll back on close.
            if (nested_)
                sqlite3_exec(c_.get(), "ROLLBACK TO stance_write; RELEASE stance_write", nullptr,
                             nullptr, nullptr);
            else if (sqlite3_get_autocommit(c_.get()) == 0)
                sqlite3_exec(c_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
        void commit() {
            c_.exec(nested_ ? "RELEASE stance_write" : "COMMIT", "cannot commit");
            done_ = true;
        }

    private:
        const Connection& c_;
        bool nested_;
        bool done_ = false;
    };

    void requireChanged(const std::string& action, const char* problem) const {
        if (sqlite3_changes(c_.get()) == 0)
            throw CatalogError(location(), action + ": " + problem);
    }

    void checkTrial(const Trial& t, const std::string& action) const {
        if (t.condition.empty())
            throw CatalogError(location(), action + ": the condition is empty");
        if (t.repetition < 1)
            throw CatalogError(location(), action + ": repetition must be 1 or more");
        if (!(t.duration_s >= 0.0) || !std::isfinite(t.duration_s))
            throw CatalogError(location(), action + ": duration must be finite and >= 0");
    }

    bool hasTrial(CatalogId session_id, const std::string& condition, int repetition,
                  CatalogId except_id) const {
        Statement s(c_,
                    "SELECT 1 FROM trials WHERE session_id=? AND condition=? AND repetition=? "
                    "AND id<>?",
                    "cannot look up trials");
        s.bind(1, session_id).bind(2, condition).bind(3, repetition).bind(4, except_id);
        return s.step();
    }

    /// `birth` is the formatted birth date, kept alive by the caller.
    static void bindPatient(Statement& s, const Patient& p, const std::string& birth) {
        s.bind(1, p.subject_code).bind(2, p.given_name).bind(3, p.family_name);
        if (p.birth_date)
            s.bind(4, std::string_view(birth));
        else
            s.bindNull(4);
        s.bind(5, sexName(p.sex))
            .bind(6, p.height_m)
            .bind(7, p.mass_kg)
            .bind(8, p.phone)
            .bind(9, p.email)
            .bind(10, p.address)
            .bind(11, p.notes);
    }

    static void bindSession(Statement& s, const Session& x, const std::string& start) {
        s.bind(1, x.patient_id)
            .bind(2, start)
            .bind(3, x.site)
            .bind(4, x.operator_name)
            .bind(5, x.protocol)
            .bind(6, x.protocol_version)
            .bind(7, x.notes)
            .bind(8, x.time_zone);
    }

    void checkSession(const Session& x, const std::string& action) const {
        if (x.start_ms.count() < 0 || x.start_ms.count() > 999)
            throw CatalogError(location(), action + ": start_ms must be 0 to 999");
        if (x.start_date_only &&
            (x.start_ms.count() != 0 ||
             x.start_utc != std::chrono::floor<std::chrono::days>(x.start_utc)))
            throw CatalogError(location(),
                               action + ": a start of which only the date is known has no time");
    }

    static void bindTrial(Statement& s, const Trial& t) {
        s.bind(1, t.session_id)
            .bind(2, t.condition)
            .bind(3, t.repetition)
            .bind(4, trialStatusName(t.status))
            .bind(5, t.duration_s)
            .bind(6, t.data_path)
            .bind(7, t.data_group);
    }

    IsoStart parseStart(const std::string& text, CatalogId session_id) const {
        const auto t = parseIsoStart(text);
        if (!t)
            throw CatalogError(location(), "sessions.start_utc of session " +
                                               std::to_string(session_id) + " holds " +
                                               inQuotes(text) + ", not an ISO 8601 time");
        return *t;
    }

    Patient rowToPatient(const Statement& s, int o) const {
        Patient p;
        p.id = s.int64(o);
        p.subject_code = s.text(o + 1);
        p.given_name = s.text(o + 2);
        p.family_name = s.text(o + 3);
        if (!s.isNull(o + 4)) {
            const std::string text = s.text(o + 4);
            p.birth_date = parseIsoDate(text);
            if (!p.birth_date)
                throw CatalogError(location(), "patients.birth_date of patient " +
                                                   std::to_string(p.id) + " holds " +
                                                   inQuotes(text) + ", not a date");
        }
        const std::string sex = s.text(o + 5);
        const auto parsed_sex = parseSex(sex);
        if (!parsed_sex)
            throw CatalogError(location(), "patients.sex of patient " + std::to_string(p.id) +
                                               " holds " + inQuotes(sex));
        p.sex = *parsed_sex;
        p.height_m = s.optReal(o + 6);
        p.mass_kg = s.optReal(o + 7);
        p.phone = s.text(o + 8);
        p.email = s.text(o + 9);
        p.address = s.text(o + 10);
        p.notes = s.text(o + 11);
        return p;
    }

    Session rowToSession(const Statement& s, int o) const {
        Session x;
        x.id = s.int64(o);
        x.patient_id = s.int64(o + 1);
        const IsoStart start = parseStart(s.text(o + 2), x.id);
        x.start_utc = start.time;
        x.start_ms = start.ms;
        x.start_date_only = start.date_only;
        x.site = s.text(o + 3);
        x.operator_name = s.text(o + 4);
        x.protocol = s.text(o + 5);
        x.protocol_version = s.text(o + 6);
        x.notes = s.text(o + 7);
        // The text says whether the time is UTC ('Z' or an offset); a date alone cannot, and
        // is local when a zone is recorded. A time without a zone is never taken as UTC.
        const std::string zone = s.text(o + 8);
        const bool utc = start.date_only ? zone.empty() : start.utc;
        if (!utc)
            x.time_zone = zone.empty() ? std::string(kUnknownTimeZone) : zone;
        return x;
    }

    Trial rowToTrial(const Statement& s, int o) const {
        Trial t;
        t.id = s.int64(o);
        t.session_id = s.int64(o + 1);
        t.condition = s.text(o + 2);
        t.repetition = static_cast<int>(s.int64(o + 3));
        const std::string status = s.text(o + 4);
        const auto parsed = parseTrialStatus(status);
        if (!parsed)
            throw CatalogError(location(), "trials.status of trial " + std::to_string(t.id) +
                                               " holds " + inQuotes(status));
        t.status = *parsed;
        t.duration_s = s.real(o + 5);
        t.data_path = s.text(o + 6);
        t.data_group = s.text(o + 7);
        return t;
    }

    void putMetrics(const char* table, const char* key, CatalogId id,
                    const std::vector<MetricRecord>& m, const std::string& action) {
        Statement s(c_,
                    std::string("INSERT INTO ") + table + " (" + key +
                        ", name, pipeline, value, unit, algorithm_version, error) VALUES "
                        "(?,?,?,?,?,?,?) ON CONFLICT (" +
                        key +
                        ", pipeline, name) DO UPDATE SET value=excluded.value, "
                        "unit=excluded.unit, algorithm_version=excluded.algorithm_version, "
                        "error=excluded.error",
                    action);
        for (const auto& r : m) {
            if (r.name.empty())
                throw CatalogError(location(), action + ": a metric has no name");
            if (r.value && !std::isfinite(*r.value))
                throw CatalogError(location(), action + ": metric " + inQuotes(r.name) +
                                                   " is not finite; store it without a value "
                                                   "and with the reason");
            s.bind(1, id)
                .bind(2, r.name)
                .bind(3, r.pipeline)
                .bind(4, r.value)
                .bind(5, r.unit)
                .bind(6, r.algorithm_version)
                .bind(7, r.error)
                .run();
            s.reset();
        }
    }

    std::vector<MetricRecord> readMetrics(const char* table, const char* key, CatalogId id,
                                          const std::string& action) const {
        Statement s(c_,
                    std::string("SELECT name, value, unit, pipeline, algorithm_version, error "
                                "FROM ") +
                        table + " WHERE " + key + "=? ORDER BY rowid",
                    action);
        s.bind(1, id);
        std::vector<MetricRecord> out;
        while (s.step())
            out.push_back({s.text(0), s.optReal(1), s.text(2), s.text(3), s.text(4), s.text(5)});
        return out;
    }

    Connection c_;
    bool read_only_;
    bool in_transaction_ = false;
    int version_ = 0;
};

/// A single integer from a one-row query.
std::int64_t queryInt(const Connection& c, const char* sql, const std::string& action) {
    Statement s(c, sql, action);
    if (!s.step())
        throw CatalogError(c.location(), action + ": no result");
    return s.int64(0);
}

std::string queryText(const Connection& c, const char* sql, const std::string& action) {
    Statement s(c, sql, action);
    if (!s.step())
        throw CatalogError(c.location(), action + ": no result");
    return s.text(0);
}

bool hasTable(const Connection& c, const char* name) {
    Statement s(c, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                "cannot read the schema");
    s.bind(1, std::string_view(name));
    return s.step();
}

int currentVersion(const Connection& c) {
    if (!hasTable(c, "schema_version"))
        return 0;
    return static_cast<int>(queryInt(c, "SELECT coalesce(max(version), 0) FROM schema_version",
                                     "cannot read schema_version"));
}

void migrate(SqliteCatalog& cat) {
    const Connection& c = cat.connection();
    for (const Migration& m : kMigrations) {
        const std::string action = "migration to schema version " + std::to_string(m.version) +
                                   " (" + m.description + ") failed";
        c.exec("BEGIN IMMEDIATE", action);
        try {
            // Read the version inside the write lock: another process may have migrated.
            c.exec(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                "applied_utc TEXT NOT NULL, description TEXT NOT NULL)",
                action);
            if (currentVersion(c) >= m.version) {
                c.exec("COMMIT", action);
                continue;
            }
            c.exec(m.sql, action);
            Statement s(c,
                        "INSERT INTO schema_version (version, applied_utc, description) VALUES "
                        "(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?)",
                        action);
            s.bind(1, m.version).bind(2, std::string_view(m.description)).run();
            c.exec(("PRAGMA application_id = " + std::to_string(kCatalogApplicationId)).c_str(),
                   action);
            c.exec("COMMIT", action);
        } catch (...) {
            sqlite3_exec(c.get(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
}

}  // namespace

int sqliteCatalogSchemaVersion() noexcept {
    return kLatestVersion;
}

std::unique_ptr<Catalog> openSqliteCatalog(const std::filesystem::path& file,
                                           const SqliteCatalogOptions& options) {
    const std::string name = file.string();
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    const bool exists = std::filesystem::exists(status);
    if (!exists && (!options.create || options.read_only))
        throw CatalogError(name, "no such catalog file");
    if (exists && !std::filesystem::is_regular_file(status))
        throw CatalogError(name, "not a regular file");

    int flags =
        options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_NOMUTEX;  // one thread per Catalog object (catalog.hpp)
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string why = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        sqlite3_close_v2(raw);
        throw CatalogError(name, "cannot open catalog: " + why);
    }
    auto cat = std::make_unique<SqliteCatalog>(name, raw, options.read_only);
    const Connection& c = cat->connection();
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);

    // The first read of the header tells an SQLite database from anything else.
    const std::int64_t app_id = queryInt(c, "PRAGMA application_id", "cannot read the header");
    if (app_id != 0 && app_id != kCatalogApplicationId) {
        char hex[24];
        std::snprintf(hex, sizeof hex, "0x%08llx", static_cast<unsigned long long>(app_id));
        throw CatalogError(name, std::string("an SQLite database of another application "
                                             "(application_id ") +
                                     hex + "), not a Stance catalog");
    }
    const std::int64_t tables = queryInt(
        c, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'",
        "cannot read the schema");
    if (tables > 0 && !hasTable(c, "schema_version"))
        throw CatalogError(name, "an SQLite database that is not a Stance catalog (it has " +
                                     std::to_string(tables) + " tables but no schema_version)");
    if (options.check_on_open) {
        Statement s(c, "PRAGMA quick_check(5)", "cannot check the catalog");
        std::string problems;
        bool damaged = false;
        while (s.step()) {
            std::string row = s.text(0);
            if (row == "ok")
                continue;
            damaged = true;
            // SQLite prefixes its findings with a "*** in database main ***" line.
            if (row.rfind("*** in database", 0) == 0) {
                const auto eol = row.find('\n');
                row = eol == std::string::npos ? std::string() : row.substr(eol + 1);
            }
            for (char& ch : row) {
                if (ch == '\n')
                    ch = ' ';
            }
            if (!row.empty())
                problems += (problems.empty() ? "" : "; ") + row;
        }
        if (damaged)
            throw CatalogError(
                name, "the catalog is damaged (" + problems + "); restore it from a backup");
    }

    int version = currentVersion(c);
    if (version > kLatestVersion)
        throw CatalogError(name, "schema version " + std::to_string(version) +
                                     " is newer than this Stance supports (" +
                                     std::to_string(kLatestVersion) + "): upgrade Stance");
    if (!options.read_only) {
        const std::string mode =
            queryText(c, "PRAGMA journal_mode=WAL", "cannot switch to WAL mode");
        if (mode != "wal")
            throw CatalogError(name, "cannot switch to WAL mode (journal_mode is " + mode +
                                         "; a network file system?)");
        if (version < kLatestVersion)
            migrate(*cat);
        version = currentVersion(c);
    } else if (version < kLatestVersion) {
        throw CatalogError(name, "schema version " + std::to_string(version) +
                                     " needs upgrading to " + std::to_string(kLatestVersion) +
                                     "; open it once without read-only");
    }
    c.exec("PRAGMA foreign_keys = ON", "cannot enable foreign keys");
    if (queryInt(c, "PRAGMA foreign_keys", "cannot read foreign_keys") != 1)
        throw CatalogError(name, "this SQLite build cannot enforce foreign keys");
    cat->setVersion(version);
    return cat;
}

}  // namespace stance::datasets
