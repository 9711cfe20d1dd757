#pragma once
/// \file
/// The clinic catalog: patients, sessions, trials, questionnaires, metrics and per-session
/// summaries, behind an interface with no database types or SQL in it, so that a server backend
/// (PostgreSQL for clinics with several stations) can implement it without touching callers.
/// The embedded SQLite backend is opened with openSqliteCatalog() (sqlite_catalog.hpp).
/// Schema, migrations and concurrency: docs/catalog.md.
///
/// Identifying fields (names, birth date, contact) live here and nowhere else; exporters drop
/// them unless asked (pseudonym.hpp, export.hpp).
///
/// Thread rules: a Catalog object is used by one thread at a time; open one per thread (or per
/// process) on the same database. Readers are never blocked by a writer; a second writer waits
/// up to the backend's busy timeout, then gets a CatalogError.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_format.hpp"

namespace stance::datasets {

/// Thrown by the catalog for anything that stops an operation: a file that is not a catalog or
/// is damaged, a schema newer than this build, a missing row, a constraint (duplicate subject
/// code, a session for a patient that does not exist), a lock held too long. what() names the
/// catalog ("<file>: <problem>").
class CatalogError : public DatasetError {
public:
    CatalogError(std::string location, const std::string& problem)
        : DatasetError(std::move(location), 0, problem) {}
};

/// Row identifier assigned by the catalog; 0 means "not stored yet".
using CatalogId = std::int64_t;

// Sex and TrialStatus (with their name/parse functions) are the stance-hdf5 model's
// (h5_format.hpp), so a catalog row and a bundle group say the same thing. The catalog stores
// kRecording for a trial whose recording has not been finalised.

/// ISO 8601 helpers used by the catalog and the exporters. Times are UTC with a trailing Z.
std::string formatIsoDate(std::chrono::year_month_day d);  ///< "2024-03-05"
std::optional<std::chrono::year_month_day> parseIsoDate(std::string_view s) noexcept;
std::string formatIsoUtc(std::chrono::sys_seconds t);  ///< "2024-03-05T10:15:00Z"
/// Accepts "YYYY-MM-DDTHH:MM:SSZ", "YYYY-MM-DD HH:MM:SS" (taken as UTC) and "YYYY-MM-DD".
std::optional<std::chrono::sys_seconds> parseIsoUtc(std::string_view s) noexcept;

/// A session start read from ISO 8601 text, as precise as the text is and in the clock it names.
struct IsoStart {
    /// UTC when `utc`; otherwise the clock reading as written (a local time whose offset is not
    /// known), held in the same type without any conversion. 00:00:00 when `date_only`.
    std::chrono::sys_seconds time{};
    std::chrono::milliseconds ms{0};  ///< fraction of the second, 0-999 (finer digits dropped)
    bool utc = false;                 ///< the text ended in Z or an offset (then converted to UTC)
    bool date_only = false;           ///< "YYYY-MM-DD": no time of day
};
/// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.f...]" followed by nothing (local time), "Z" or
/// "+HH:MM"/"-HH:MM" (converted to UTC). The 'T' may be a space. nullopt for anything else.
std::optional<IsoStart> parseIsoStart(std::string_view s) noexcept;

/// A patient. Everything but id, sex, height and mass identifies the person.
struct Patient {
    CatalogId id = 0;
    std::string subject_code;  ///< the clinic's identifier (record number); unique, required
    std::string given_name;
    std::string family_name;
    std::optional<std::chrono::year_month_day> birth_date;
    Sex sex = Sex::kUnknown;
    std::optional<double> height_m;
    std::optional<double> mass_kg;
    std::string phone;
    std::string email;
    std::string address;
    std::string notes;
    friend bool operator==(const Patient&, const Patient&) = default;
};

/// One visit: a protocol run at a site by an operator.
///
/// The start is UTC when `time_zone` is empty, which is the case for every session Stance
/// records. A source that gives only the site's local time, without its offset from UTC (the
/// BDS and PDS metadata), gives a session whose `time_zone` says so: `start_utc` then holds that
/// local clock reading unconverted, so its date is the site's calendar date, and it must not be
/// shown, exported or compared as a UTC time (no offset is invented).
struct Session {
    CatalogId id = 0;
    CatalogId patient_id = 0;
    /// The start to the second: UTC, or the site's local clock reading when `time_zone` is set.
    std::chrono::sys_seconds start_utc{};
    std::string site;
    std::string operator_name;
    std::string protocol;          ///< e.g. "mctsib", "romberg", "sot"
    std::string protocol_version;  ///< version of the protocol definition used
    std::string notes;
    /// Milliseconds of the start past `start_utc` (0-999), when the source gives them (PDS).
    std::chrono::milliseconds start_ms{0};
    /// Empty: the start is UTC. Otherwise the start is local time with an unknown UTC offset, and
    /// this says whose clock, as the source described it (a bundle session's `time_zone`
    /// attribute, e.g. "local time of the laboratory (not UTC)", or "unknown").
    std::string time_zone;
    /// Only the date of the start is known (`start_utc` is 00:00:00 of it, `start_ms` 0).
    bool start_date_only = false;
    friend bool operator==(const Session&, const Session&) = default;
};

/// Session::time_zone of a local start whose source does not say whose clock it is.
inline constexpr std::string_view kUnknownTimeZone = "local time, zone not given";

/// The start as ISO 8601 text, as the catalog stores it and exports write it: with "Z" when UTC
/// ("2024-03-05T10:15:00Z"), without when local ("2015-10-08T08:30:00"), with milliseconds when
/// start_ms is not 0 ("2016-08-01T11:00:17.753"), the date alone when start_date_only.
std::string formatSessionStart(const Session& s);

/// One recorded trial and where its signals are: a stance-hdf5 file and the trial's group in it
/// ("/subjects/<id>/sessions/<start>/trials/<nnn>").
struct Trial {
    CatalogId id = 0;
    CatalogId session_id = 0;
    std::string condition;  ///< eo_firm, ec_firm, eo_foam, ec_foam, ...
    int repetition = 1;     ///< 1-based within the session and condition
    TrialStatus status = TrialStatus::kComplete;
    double duration_s = 0.0;  ///< recorded duration
    std::string data_path;    ///< HDF5 file; empty when the signals are not kept
    std::string data_group;   ///< group inside data_path
    friend bool operator==(const Trial&, const Trial&) = default;
};

/// One answered item of a questionnaire: a numeric value, a text, or both.
struct QuestionnaireAnswer {
    std::string item;  ///< item identifier as the instrument numbers it ("P1", "E3", "q12")
    std::optional<double> value;
    std::string text;
    friend bool operator==(const QuestionnaireAnswer&, const QuestionnaireAnswer&) = default;
};

struct NamedScore {
    std::string name;
    double value = 0.0;
    friend bool operator==(const NamedScore&, const NamedScore&) = default;
};

/// A questionnaire filled in during a session (DHI, ABC, VSS...), answers in item order.
struct Questionnaire {
    CatalogId id = 0;
    CatalogId session_id = 0;
    std::string instrument;  ///< "DHI", "ABC-16", ...
    std::string instrument_version;
    std::vector<QuestionnaireAnswer> answers;
    std::optional<double> total_score;
    std::vector<NamedScore> subscales;  ///< e.g. DHI physical, emotional, functional
    friend bool operator==(const Questionnaire&, const Questionnaire&) = default;
};

/// A computed metric with the version of the algorithm that produced it. Values are SI
/// (analysis::Metric); `unit` is the SI label ("m^2", "m/s", "Hz"). A metric that could not be
/// computed has no value and says why.
struct MetricRecord {
    std::string name;
    std::optional<double> value;
    std::string unit;
    std::string pipeline;           ///< preprocessing (analysis::pipelineName), or "" if none
    std::string algorithm_version;  ///< analysis::kAlgorithmVersion or the producer's version
    std::string error;              ///< why value is missing; empty otherwise
    friend bool operator==(const MetricRecord&, const MetricRecord&) = default;
};

/// A named value of a session that a front end charts over time (a protocol score, a
/// questionnaire total, a Romberg quotient), with its unit and what produced it.
struct SummaryValue {
    std::string name;
    double value = 0.0;
    std::string unit;    ///< "" for dimensionless
    std::string source;  ///< producer and version, e.g. "mctsib 1.0", "DHI"
    friend bool operator==(const SummaryValue&, const SummaryValue&) = default;
};

/// One point of a summary value's history for a patient.
struct SummaryPoint {
    CatalogId session_id = 0;
    std::chrono::sys_seconds start_utc{};  ///< the session's (local when it has a time_zone)
    SummaryValue value;
};

/// Which trials to select. Empty lists select all; dates are inclusive and compare the date of
/// the session start as stored: the UTC date, or the site's local date for a local start.
struct CatalogFilter {
    std::vector<std::string> subject_codes;
    std::vector<std::string> conditions;
    std::optional<std::chrono::year_month_day> from_date;
    std::optional<std::chrono::year_month_day> to_date;
};

/// A trial with its session and patient, as a query returns it.
struct TrialRecord {
    Patient patient;
    Session session;
    Trial trial;
};

/// The catalog interface. Every method throws CatalogError on failure; nothing is half-written
/// (each write is one transaction, or part of the caller's Transaction).
class Catalog {
public:
    Catalog() = default;
    Catalog(const Catalog&) = delete;
    Catalog& operator=(const Catalog&) = delete;
    virtual ~Catalog() = default;

    /// What to name in messages: the file, or the server and database.
    virtual std::string location() const = 0;
    /// The schema version the database is at (after migrations).
    virtual int schemaVersion() const = 0;

    // Patients. addPatient requires a non-empty, unique subject_code.
    virtual CatalogId addPatient(const Patient& p) = 0;
    virtual void updatePatient(const Patient& p) = 0;  ///< by p.id
    /// Removes the patient and, with them, their sessions, trials, questionnaires and metrics.
    virtual void removePatient(CatalogId id) = 0;
    virtual std::optional<Patient> patient(CatalogId id) const = 0;
    virtual std::optional<Patient> patientByCode(std::string_view subject_code) const = 0;
    virtual std::vector<Patient> patients() const = 0;  ///< by subject code

    // Sessions.
    virtual CatalogId addSession(const Session& s) = 0;
    virtual void updateSession(const Session& s) = 0;
    virtual std::optional<Session> session(CatalogId id) const = 0;
    /// By start time (a local start is ordered by its clock reading: among sessions of one
    /// site this is their order; against a UTC start of the same day it may be off by the unknown
    /// offset).
    virtual std::vector<Session> sessions(CatalogId patient_id) const = 0;

    // Trials.
    virtual CatalogId addTrial(const Trial& t) = 0;
    virtual void updateTrial(const Trial& t) = 0;
    virtual std::optional<Trial> trial(CatalogId id) const = 0;
    /// By condition, then repetition.
    virtual std::vector<Trial> trials(CatalogId session_id) const = 0;
    /// Trials matching a filter, ordered by subject code, session start, condition, repetition.
    virtual std::vector<TrialRecord> findTrials(const CatalogFilter& filter) const = 0;

    // Questionnaires.
    virtual CatalogId addQuestionnaire(const Questionnaire& q) = 0;
    virtual std::vector<Questionnaire> questionnaires(CatalogId session_id) const = 0;

    /// Stores metrics of a trial; a metric with the same name and pipeline replaces the old one.
    virtual void putTrialMetrics(CatalogId trial_id, const std::vector<MetricRecord>& m) = 0;
    virtual std::vector<MetricRecord> trialMetrics(CatalogId trial_id) const = 0;
    /// Metrics of a whole session (composites over trials); same replacement rule.
    virtual void putSessionMetrics(CatalogId session_id, const std::vector<MetricRecord>& m) = 0;
    virtual std::vector<MetricRecord> sessionMetrics(CatalogId session_id) const = 0;

    /// Stores summary values of a session; a value with the same name replaces the old one.
    virtual void putSessionSummary(CatalogId session_id, const std::vector<SummaryValue>& v) = 0;
    virtual std::vector<SummaryValue> sessionSummary(CatalogId session_id) const = 0;
    /// One summary value across a patient's sessions, oldest first (for progress charts).
    virtual std::vector<SummaryPoint> summaryHistory(CatalogId patient_id,
                                                     std::string_view name) const = 0;

    /// Groups writes into one atomic unit. While it is open, other connections keep reading the
    /// state before it; commit() publishes everything at once; destruction without commit()
    /// rolls back. Transactions do not nest (asserted).
    class Transaction {
    public:
        explicit Transaction(Catalog& c) : catalog_(&c) { catalog_->beginWrite(); }
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;
        ~Transaction() {
            if (catalog_ != nullptr) {
                try {
                    catalog_->rollbackWrite();
                } catch (...) {  // NOLINT(bugprone-empty-catch): nothing to do in a destructor
                }
            }
        }
        void commit() {
            Catalog* c = catalog_;
            catalog_ = nullptr;
            c->commitWrite();
        }

    private:
        Catalog* catalog_;
    };

protected:
    virtual void beginWrite() = 0;
    virtual void commitWrite() = 0;
    virtual void rollbackWrite() = 0;
};

}  // namespace stance::datasets
