#include "stance/app/patients.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "stance/analysis/protocol.hpp"
#include "stance/app/catalog_access.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/progress.hpp"
#include "stance/app/questionnaire_form.hpp"
#include "stance/app/report_model.hpp"
#include "stance/datasets/pseudonym.hpp"
#include "text_util.hpp"

namespace stance::app {

namespace {

namespace ds = stance::datasets;
using detail::lower;
using detail::trim;

std::string displayName(const ds::Patient& p) {
    if (p.family_name.empty())
        return p.given_name;
    if (p.given_name.empty())
        return p.family_name;
    return p.family_name + ", " + p.given_name;
}

PatientRow makeRow(const ds::Catalog& c, const ds::Patient& p) {
    PatientRow r;
    r.id = p.id;
    r.subject_code = p.subject_code;
    r.name = displayName(p);
    r.birth_date = p.birth_date ? ds::formatIsoDate(*p.birth_date) : std::string();
    r.sex = std::string(ds::sexName(p.sex));
    const auto sessions = c.sessions(p.id);
    r.session_count = static_cast<int>(sessions.size());
    if (!sessions.empty()) {
        r.last_session_date = ds::formatIsoDate(std::chrono::year_month_day(
            std::chrono::floor<std::chrono::days>(sessions.back().start_utc)));
    }
    return r;
}

std::string haystack(const PatientRow& r, std::string_view given, std::string_view family) {
    std::string h = r.subject_code;
    h += '\n';
    h += given;
    h += ' ';
    h += family;
    h += '\n';
    h += r.name;
    h += '\n';
    h += r.birth_date;
    return lower(h);
}

bool matchesWords(const std::string& hay, std::string_view query) {
    std::istringstream words{std::string(query)};
    std::string w;
    while (words >> w) {
        if (hay.find(lower(w)) == std::string::npos)
            return false;
    }
    return true;
}

void sortRows(std::vector<PatientRow>& rows) {
    std::sort(rows.begin(), rows.end(), [](const PatientRow& a, const PatientRow& b) {
        const std::string la = lower(a.name), lb = lower(b.name);
        if (la != lb)
            return la < lb;
        return a.subject_code < b.subject_code;
    });
}

// Headline values of a session on the patient page, in this order.
constexpr std::string_view kKeyResults[] = {
    "mctsib.composite_sway_velocity",
    "mctsib.composite_cop_velocity",
    "sot.composite",
    "romberg.quotient_velocity",
    "dhi_total",
    "abc_total",
    "vas_total",
};

}  // namespace

bool patientMatches(const PatientRow& row, std::string_view query) {
    // The row's name is "Family, Given": its parts are enough for every order of the words.
    return matchesWords(haystack(row, "", ""), trim(query));
}

std::vector<PatientRow> searchPatients(const ds::Catalog& catalog, std::string_view query) {
    std::vector<PatientRow> rows;
    for (const ds::Patient& p : catalog.patients()) {
        PatientRow r = makeRow(catalog, p);
        if (matchesWords(haystack(r, p.given_name, p.family_name), trim(query)))
            rows.push_back(std::move(r));
    }
    sortRows(rows);
    return rows;
}

void PatientListModel::reload(const ds::Catalog& catalog) {
    all_.clear();
    for (const ds::Patient& p : catalog.patients())
        all_.push_back(makeRow(catalog, p));
    sortRows(all_);
    setQuery(query_);
}

void PatientListModel::setQuery(std::string query) {
    query_ = std::move(query);
    rows_.clear();
    for (const PatientRow& r : all_) {
        if (patientMatches(r, query_))
            rows_.push_back(r);
    }
}

PatientPage loadPatientPage(const ds::Catalog& catalog, ds::CatalogId patient_id) {
    const auto p = catalog.patient(patient_id);
    if (!p) {
        throw AppError("patient " + std::to_string(patient_id),
                       "no such patient in " + catalog.location());
    }
    PatientPage page;
    page.patient = *p;
    page.age_years = ageOn(p->birth_date, todayUtc());
    for (const ds::Session& s : catalog.sessions(patient_id)) {
        SessionRow row;
        row.id = s.id;
        row.start_utc = s.start_utc;
        row.date = ds::formatIsoDate(
            std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(s.start_utc)));
        row.protocol = s.protocol;
        const analysis::Protocol* proto = analysis::findProtocol(s.protocol);
        row.protocol_name = proto != nullptr ? proto->name : s.protocol;
        row.operator_name = s.operator_name;
        row.site = s.site;
        row.trials_expected = proto != nullptr ? static_cast<int>(proto->schedule().size()) : 0;
        int falls = 0;
        for (const ds::Trial& t : catalog.trials(s.id)) {
            ++row.trials_recorded;
            if (t.status == ds::TrialStatus::kComplete)
                ++row.trials_complete;
            if (t.status == ds::TrialStatus::kFall)
                ++falls;
        }
        for (const ds::Questionnaire& q : catalog.questionnaires(s.id)) {
            const auto id = analysis::parseInstrument(lower(q.instrument));
            row.questionnaires.push_back(id ? instrumentShortName(*id) : q.instrument);
        }
        if (row.trials_recorded == 0) {
            row.status = row.questionnaires.empty() ? "no trials recorded" : "questionnaires only";
        } else if (row.trials_expected > 0 && row.trials_complete >= row.trials_expected) {
            row.status = "complete";
        } else {
            row.status =
                "incomplete (" + std::to_string(row.trials_complete) + " of " +
                std::to_string(row.trials_expected > 0 ? row.trials_expected
                                                       : row.trials_recorded) +
                " trials complete" +
                (falls > 0 ? ", " + std::to_string(falls) + (falls == 1 ? " fall" : " falls")
                           : std::string()) +
                ")";
        }
        const auto summary = catalog.sessionSummary(s.id);
        for (std::string_view key : kKeyResults) {
            const auto it = std::find_if(summary.begin(), summary.end(),
                                         [&](const ds::SummaryValue& v) { return v.name == key; });
            if (it == summary.end())
                continue;
            KeyResult k;
            k.name = it->name;
            if (const ProgressMetric* m = findProgressMetric(key)) {
                k.label = m->label;
                k.unit = m->unit;
                k.value = it->value * m->scale;
            } else {
                k.label = it->name;
                k.unit = it->unit;
                k.value = it->value;
            }
            k.text = formatNumber(k.value) + (k.unit.empty() || k.unit == "1" ? "" : " " + k.unit);
            row.key_results.push_back(std::move(k));
        }
        page.sessions.push_back(std::move(row));
    }
    return page;
}

PatientForm PatientForm::fromPatient(const ds::Patient& p) {
    PatientForm f;
    f.id = p.id;
    f.subject_code = p.subject_code;
    f.given_name = p.given_name;
    f.family_name = p.family_name;
    f.birth_date = p.birth_date ? ds::formatIsoDate(*p.birth_date) : std::string();
    f.sex = p.sex == ds::Sex::kUnknown ? std::string() : std::string(ds::sexName(p.sex));
    f.height_m = p.height_m ? formatNumber(*p.height_m, 3) : std::string();
    f.mass_kg = p.mass_kg ? formatNumber(*p.mass_kg, 3) : std::string();
    f.phone = p.phone;
    f.email = p.email;
    f.address = p.address;
    f.notes = p.notes;
    return f;
}

const FieldError* PatientValidation::error(std::string_view field) const noexcept {
    for (const FieldError& e : errors) {
        if (e.field == field)
            return &e;
    }
    return nullptr;
}

PatientValidation validatePatientForm(const PatientForm& form, std::chrono::year_month_day today,
                                      const ds::Catalog* catalog) {
    PatientValidation v;
    const auto bad = [&](std::string_view field, std::string message) {
        v.errors.push_back({std::string(field), std::string(field) + ": " + std::move(message)});
    };
    ds::Patient p;
    p.id = form.id;

    p.subject_code = std::string(trim(form.subject_code));
    if (p.subject_code.empty()) {
        bad(kFieldSubjectCode, "required (the clinic's identifier, e.g. the record number)");
    } else if (catalog != nullptr) {
        const auto other = catalog->patientByCode(p.subject_code);
        if (other && other->id != form.id)
            bad(kFieldSubjectCode, "'" + p.subject_code + "' is already used by another patient");
    }
    p.given_name = std::string(trim(form.given_name));
    p.family_name = std::string(trim(form.family_name));

    const std::string bd(trim(form.birth_date));
    if (bd.empty()) {
        bad(kFieldBirthDate, "required (YYYY-MM-DD): the norms depend on age");
    } else if (const auto d = ds::parseIsoDate(bd); !d || !d->ok()) {
        bad(kFieldBirthDate, "'" + bd + "' is not a date (YYYY-MM-DD)");
    } else if (std::chrono::sys_days(*d) > std::chrono::sys_days(today)) {
        bad(kFieldBirthDate, "'" + bd + "' is in the future");
    } else if (const auto age = ds::ageInYears(*d, today); !age || *age > kMaxAgeYears) {
        bad(kFieldBirthDate,
            "'" + bd + "' makes the patient older than " + std::to_string(kMaxAgeYears) + " years");
    } else {
        p.birth_date = *d;
    }

    const std::string sex = lower(trim(form.sex));
    if (sex.empty()) {
        bad(kFieldSex, "required (female, male or other): the norms depend on it");
    } else if (sex == "female" || sex == "f" || sex == "woman") {
        p.sex = ds::Sex::kFemale;
    } else if (sex == "male" || sex == "m" || sex == "man") {
        p.sex = ds::Sex::kMale;
    } else if (sex == "other" || sex == "x") {
        p.sex = ds::Sex::kOther;
    } else {
        bad(kFieldSex, "'" + std::string(trim(form.sex)) + "' is not female, male or other");
    }

    const auto number = [&](std::string_view field, const std::string& text, double lo, double hi,
                            const char* unit, std::optional<double>& target) {
        const std::string t(trim(text));
        if (t.empty()) {
            bad(field, std::string("required, in ") + unit);
            return;
        }
        const auto x = detail::parseNumber(t);
        if (!x) {
            bad(field, "'" + t + "' is not a number");
            return;
        }
        if (*x < lo || *x > hi) {
            std::string m = "'" + t + "' is not between " + formatNumber(lo) + " and " +
                            formatNumber(hi) + " " + unit;
            // A height typed in centimetres is the usual slip.
            if (field == kFieldHeight && *x / 100.0 >= lo && *x / 100.0 <= hi)
                m += " (in metres: " + formatNumber(*x / 100.0) + "?)";
            bad(field, m);
            return;
        }
        target = *x;
    };
    number(kFieldHeight, form.height_m, kMinHeightM, kMaxHeightM, "m", p.height_m);
    number(kFieldMass, form.mass_kg, kMinMassKg, kMaxMassKg, "kg", p.mass_kg);

    p.phone = std::string(trim(form.phone));
    p.email = std::string(trim(form.email));
    if (!p.email.empty()) {
        const auto at = p.email.find('@');
        if (at == std::string::npos || at == 0 || at + 1 == p.email.size() ||
            p.email.find(' ') != std::string::npos ||
            p.email.find('@', at + 1) != std::string::npos)
            bad(kFieldEmail, "'" + p.email + "' is not an e-mail address");
    }
    p.address = std::string(trim(form.address));
    p.notes = form.notes;
    if (v.errors.empty())
        v.patient = std::move(p);
    return v;
}

ds::CatalogId savePatient(ds::Catalog& catalog, const PatientForm& form,
                          std::chrono::year_month_day today) {
    const PatientValidation v = validatePatientForm(form, today, &catalog);
    if (!v.ok()) {
        std::string msg;
        for (const FieldError& e : v.errors)
            msg += (msg.empty() ? "" : "; ") + e.message;
        throw AppError("patient form", msg);
    }
    if (form.id == 0)
        return catalog.addPatient(*v.patient);
    if (!catalog.patient(form.id))
        throw AppError("patient " + std::to_string(form.id),
                       "no such patient in " + catalog.location());
    catalog.updatePatient(*v.patient);
    return form.id;
}

}  // namespace stance::app
