#pragma once
/// \file
/// Patients for the front ends: the searchable list, a patient's page (demographics and every
/// session with its key results) and the new / edit form with the validation the analysis needs.
/// Identifying fields stay in the catalog (datasets::Catalog); nothing here copies them anywhere
/// else. Plain C++, no Qt: the GUI binds widgets to these structs, tests drive them directly.
///
/// Thread rules: every function reads or writes the catalog it is given, on the calling thread
/// (one Catalog object per thread, datasets/catalog.hpp).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/datasets/catalog.hpp"

namespace stance::app {

/// One line of the patient list.
struct PatientRow {
    datasets::CatalogId id = 0;
    std::string subject_code;
    std::string name;        ///< "Family, Given" (either part may be empty)
    std::string birth_date;  ///< "YYYY-MM-DD", or "" when unknown
    std::string sex;         ///< "female", "male", "other", "unknown"
    int session_count = 0;
    std::string last_session_date;  ///< "YYYY-MM-DD" of the latest session, or ""
};

/// Patients whose subject code, given name, family name, "Given Family", "Family, Given" or ISO
/// birth date contains `query` (case-insensitive; surrounding spaces ignored; several words must
/// all match). An empty query lists everyone. Ordered by family name, given name, subject code.
std::vector<PatientRow> searchPatients(const datasets::Catalog& catalog, std::string_view query);

/// The list as a screen keeps it: rows read once, filtered as the user types without touching
/// the catalog again.
class PatientListModel {
public:
    /// Reads every patient (one query per patient for the session counts).
    void reload(const datasets::Catalog& catalog);
    /// Filters the rows read by reload() (same matching as searchPatients).
    void setQuery(std::string query);
    const std::string& query() const noexcept { return query_; }
    const std::vector<PatientRow>& rows() const noexcept { return rows_; }
    std::size_t totalCount() const noexcept { return all_.size(); }

private:
    std::vector<PatientRow> all_;
    std::vector<PatientRow> rows_;
    std::string query_;
};

/// True when `row` matches `query` as searchPatients defines it.
bool patientMatches(const PatientRow& row, std::string_view query);

/// A headline value of a session shown on the patient page, in display units.
struct KeyResult {
    std::string name;   ///< summary value name ("mctsib.composite_sway_velocity", "dhi_total")
    std::string label;  ///< "mCTSIB composite sway velocity"
    double value = 0.0;
    std::string unit;  ///< display unit ("deg/s", "mm/s", "points", "%")
    std::string text;  ///< value and unit formatted for a table cell
};

/// One session on the patient page.
struct SessionRow {
    datasets::CatalogId id = 0;
    std::chrono::sys_seconds start_utc{};
    std::string date;           ///< "YYYY-MM-DD"
    std::string protocol;       ///< protocol id ("mctsib")
    std::string protocol_name;  ///< its name, or the id when it is not a built-in protocol
    std::string operator_name;
    std::string site;
    int trials_expected = 0;  ///< from the protocol's schedule (0 when unknown)
    int trials_complete = 0;  ///< trials with status complete
    int trials_recorded = 0;  ///< every trial row, whatever its status
    /// "complete", "incomplete (10 of 12 trials)", "no trials recorded", "questionnaires only"
    std::string status;
    std::vector<KeyResult> key_results;  ///< composites, SOT, Romberg, DHI, ABC, VAS when present
    std::vector<std::string> questionnaires;  ///< instruments filled in ("DHI", "ABC", "VAS")
};

/// A patient's page.
struct PatientPage {
    datasets::Patient patient;
    std::optional<int> age_years;      ///< today (UTC)
    std::vector<SessionRow> sessions;  ///< oldest first
};

/// Throws AppError ("patient 7: no such patient in <catalog>") for an unknown id.
PatientPage loadPatientPage(const datasets::Catalog& catalog, datasets::CatalogId patient_id);

/// The new / edit patient form as the user typed it: every field is text, checked by
/// validatePatientForm. Height in metres and mass in kilograms (the screen may convert).
struct PatientForm {
    datasets::CatalogId id = 0;  ///< 0: a new patient; else the patient being edited
    std::string subject_code;
    std::string given_name;
    std::string family_name;
    std::string birth_date;  ///< "YYYY-MM-DD"
    std::string sex;         ///< "female" / "male" / "other" (also "F", "M", "X")
    std::string height_m;    ///< "1.68" (a decimal comma is accepted)
    std::string mass_kg;     ///< "64.5"
    std::string phone;
    std::string email;
    std::string address;
    std::string notes;

    static PatientForm fromPatient(const datasets::Patient& p);
};

/// Field names used in FieldError::field (the PatientForm member names).
inline constexpr std::string_view kFieldSubjectCode = "subject_code";
inline constexpr std::string_view kFieldBirthDate = "birth_date";
inline constexpr std::string_view kFieldSex = "sex";
inline constexpr std::string_view kFieldHeight = "height_m";
inline constexpr std::string_view kFieldMass = "mass_kg";
inline constexpr std::string_view kFieldEmail = "email";

/// A field that does not pass, and why ("height_m: 1850 is not between 0.5 and 2.5 m").
struct FieldError {
    std::string field;
    std::string message;
};

/// Limits the analysis relies on (BodySwayModel and the COM model accept these ranges).
inline constexpr double kMinHeightM = 0.5;
inline constexpr double kMaxHeightM = 2.5;
inline constexpr double kMinMassKg = 10.0;
inline constexpr double kMaxMassKg = 300.0;
inline constexpr int kMaxAgeYears = 120;

struct PatientValidation {
    std::vector<FieldError> errors;            ///< in form order; empty when the form is valid
    std::optional<datasets::Patient> patient;  ///< the record to store, when valid
    bool ok() const noexcept { return errors.empty(); }
    /// The error of one field, or nullptr.
    const FieldError* error(std::string_view field) const noexcept;
};

/// Checks the form as the user types (call it on every change): subject code required (and
/// unique in `catalog` when one is given); birth date required, a real date, not in the future,
/// at most 120 years before `today`; sex required (female, male or other); height required,
/// 0.5-2.5 m; mass required, 10-300 kg; email, when given, of the form a@b. Every failing field is
/// reported, each message naming the field and the value.
PatientValidation validatePatientForm(const PatientForm& form, std::chrono::year_month_day today,
                                      const datasets::Catalog* catalog = nullptr);

/// Validates and stores (adds when form.id == 0, else updates). Returns the patient's id. Throws
/// AppError listing every bad field ("patient form: birth_date: ...; height_m: ...") and stores
/// nothing when the form is invalid; catalog failures throw datasets::CatalogError.
datasets::CatalogId savePatient(datasets::Catalog& catalog, const PatientForm& form,
                                std::chrono::year_month_day today);

}  // namespace stance::app
