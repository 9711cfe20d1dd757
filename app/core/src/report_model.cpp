#include "stance/app/report_model.hpp"

#include <algorithm>

#include "stance/app/catalog_access.hpp"
#include "stance/app/demo.hpp"
#include "stance/app/errors.hpp"
#include "text_util.hpp"

namespace stance::app {

namespace an = stance::analysis;
namespace ds = stance::datasets;

namespace {

std::string utcMinutes(std::chrono::sys_seconds t) {
    const std::string iso = ds::formatIsoUtc(t);  // YYYY-MM-DDTHH:MM:SSZ
    return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string capitalised(std::string s) {
    if (!s.empty())
        s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

// "a, b and c"
std::string listed(const std::vector<std::string>& items) {
    std::string s;
    for (std::size_t k = 0; k < items.size(); ++k) {
        if (k > 0)
            s += k + 1 == items.size() ? " and " : ", ";
        s += items[k];
    }
    return s;
}

std::string withoutWith(const std::string& phrase) {
    return phrase.rfind("with ", 0) == 0 ? phrase.substr(5) : phrase;
}

std::string valueText(const NormResult& n) {
    return detail::lower(n.label.substr(0, n.label.find(" ("))) + " " + formatNumber(n.value) +
           " " + n.unit;
}

}  // namespace

std::vector<std::string> interpretationLines(const SessionResults& results,
                                             const std::vector<ProgressSeries>& progress) {
    std::vector<std::string> lines;
    std::vector<std::string> within;
    std::string within_group;
    for (const ConditionResult& c : results.conditions) {
        const std::string phrase = conditionPhrase(c.condition);
        if (c.norms.empty()) {
            if (c.n_usable == 0 && c.n_expected > 0) {
                lines.push_back("No usable trial " + phrase +
                                (c.missing_reason.empty() ? "." : ": " + c.missing_reason + "."));
            }
            continue;
        }
        std::vector<std::string> above, below;
        for (const NormResult& n : c.norms) {
            const std::string v = valueText(n) + " (95th percentile " + formatNumber(n.p95) + ")";
            if (n.band == an::NormBand::kAboveP95)
                above.push_back(v);
            else if (n.band == an::NormBand::kBelowP5)
                below.push_back(valueText(n) + " (5th percentile " + formatNumber(n.p5) + ")");
        }
        const std::string who = c.norms.front().group;
        const std::string src = c.norms.front().source;
        if (!above.empty()) {
            lines.push_back("Sway " + phrase + " is above the 95th percentile for " + who + " (" +
                            src + "): " + listed(above) + ".");
        } else if (!below.empty()) {
            lines.push_back("Sway " + phrase + " is below the 5th percentile for " + who + " (" +
                            src + "): " + listed(below) + ".");
        } else {
            within.push_back(withoutWith(phrase));
            within_group = who + " (" + src + ")";
        }
    }
    if (!within.empty()) {
        lines.push_back("Sway with " + listed(within) +
                        " lies within the 5th-95th percentile band for " + within_group + ".");
    }
    for (const ConditionResult& c : results.conditions) {
        for (const TrialResult& t : c.trials) {
            if (t.status == "fall") {
                lines.push_back("A fall was recorded in trial " + std::to_string(t.repetition) +
                                " " + conditionPhrase(c.condition) +
                                (t.note.empty() ? "." : " (" + t.note + ")."));
            }
        }
    }
    for (const ProgressSeries& s : progress) {
        if (!s.summary.empty())
            lines.push_back(s.summary);
    }
    return lines;
}

ReportModel buildReportModel(const ds::Catalog& catalog, ds::CatalogId session_id,
                             const ReportOptions& options) {
    ReportModel m;
    m.results = loadSessionResults(catalog, session_id, options.results);
    const SessionResults& r = m.results;
    const ds::Patient& p = r.patient;
    ReportHeader& h = m.header;
    h.patient_name =
        p.given_name.empty()
            ? p.family_name
            : (p.family_name.empty() ? p.given_name : p.given_name + " " + p.family_name);
    if (h.patient_name.empty())
        h.patient_name = "(no name in the catalog)";
    h.subject_code = p.subject_code;
    h.birth_date = p.birth_date ? ds::formatIsoDate(*p.birth_date) : "unknown";
    h.age = r.age_years ? std::to_string(*r.age_years) + " years" : "unknown";
    h.sex = capitalised(std::string(ds::sexName(p.sex)));
    h.height = p.height_m ? formatNumber(*p.height_m, 3) + " m" : "unknown";
    h.mass = p.mass_kg ? detail::fixed(*p.mass_kg, 1) + " kg" : "unknown";
    h.session_date = sessionStartLabel(r.session);
    h.operator_name = r.session.operator_name.empty() ? "not recorded" : r.session.operator_name;
    h.site = r.session.site;
    h.protocol =
        r.protocol_name + " (" + r.session.protocol + " v" + r.session.protocol_version + ")";
    h.generated = utcMinutes(options.generated_utc ? *options.generated_utc
                                                   : std::chrono::floor<std::chrono::seconds>(
                                                         std::chrono::system_clock::now()));
    h.demo = p.subject_code == kDemoSubjectCode || p.notes.rfind("DEMO", 0) == 0;

    for (ProgressSeries& s : loadProgress(catalog, p.id, options.progress_keys, session_id)) {
        if (s.points.empty())
            continue;
        if (s.band && std::find(m.threshold_sources.begin(), m.threshold_sources.end(),
                                s.band->source) == m.threshold_sources.end())
            m.threshold_sources.push_back(s.band->source);
        m.progress.push_back(std::move(s));
    }
    std::stable_sort(m.progress.begin(), m.progress.end(),
                     [](const ProgressSeries& a, const ProgressSeries& b) {
                         return a.metric.group == ProgressGroup::kSway &&
                                b.metric.group == ProgressGroup::kDizziness;
                     });
    m.interpretation = interpretationLines(r, m.progress);
    m.norm_source = r.norm_source;
    return m;
}

}  // namespace stance::app
