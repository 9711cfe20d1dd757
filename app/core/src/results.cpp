#include "stance/app/results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <numbers>
#include <optional>
#include <vector>

#include "session_data.hpp"
#include "stance/analysis/change.hpp"
#include "stance/analysis/metrics.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/app/catalog_access.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/questionnaire_form.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "text_util.hpp"

namespace stance::app {

namespace an = stance::analysis;
namespace ds = stance::datasets;

namespace {

// Regular times for a recording whose intervals only jitter: every interval within 5 % of the
// median (a dropped sample would be 100 % off). Nothing when there is a real irregularity.
std::optional<Eigen::VectorXd> regularizedTiming(const an::CopRecording& rec) {
    const Eigen::Index n = rec.t_s.size();
    if (n < 3)
        return std::nullopt;
    std::vector<double> d(static_cast<std::size_t>(n - 1));
    for (Eigen::Index i = 1; i < n; ++i)
        d[static_cast<std::size_t>(i - 1)] = rec.t_s(i) - rec.t_s(i - 1);
    std::vector<double> sorted = d;
    std::nth_element(sorted.begin(),
                     sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
    const double dt = sorted[sorted.size() / 2];
    if (!(dt > 0.0))
        return std::nullopt;
    for (double x : d) {
        if (!(std::abs(x - dt) <= 0.05 * dt))
            return std::nullopt;
    }
    // The grid keeps the recording's start and mean rate.
    const double step = (rec.t_s(n - 1) - rec.t_s(0)) / static_cast<double>(n - 1);
    Eigen::VectorXd t(n);
    for (Eigen::Index i = 0; i < n; ++i)
        t(i) = rec.t_s(0) + step * static_cast<double>(i);
    return t;
}

constexpr double kMm = 1e3;
constexpr double kMm2 = 1e6;

an::TrialStatus toAnalysisStatus(ds::TrialStatus s) {
    switch (s) {
        case ds::TrialStatus::kComplete:
            return an::TrialStatus::kComplete;
        case ds::TrialStatus::kFall:
            return an::TrialStatus::kFall;
        case ds::TrialStatus::kAborted:
        case ds::TrialStatus::kRecording:
            break;
    }
    return an::TrialStatus::kAborted;
}

std::optional<ds::TrialRef> parseGroup(const std::string& g) {
    // "/subjects/<id>/sessions/<start>/trials/<nnn>"
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i < g.size()) {
        if (g[i] == '/') {
            ++i;
            continue;
        }
        const std::size_t j = g.find('/', i);
        parts.push_back(g.substr(i, j == std::string::npos ? std::string::npos : j - i));
        i = j == std::string::npos ? g.size() : j;
    }
    if (parts.size() != 6 || parts[0] != "subjects" || parts[2] != "sessions" ||
        parts[4] != "trials")
        return std::nullopt;
    return ds::TrialRef{parts[1], parts[3], parts[5]};
}

std::optional<double> opt(const an::Expected<double>& e, double scale) {
    if (e && std::isfinite(*e))
        return *e * scale;
    return std::nullopt;
}

std::string normTableKey(an::NormTableKind k) {
    return std::string(an::normTableName(k));
}

NormResult toNormResult(const an::NormComparison& c) {
    NormResult r;
    r.metric = c.metric;
    const double scale = c.row.metric == an::NormMetric::kCopArea
                             ? kMm2
                             : (c.row.metric == an::NormMetric::kCopVelocity ? kMm : 1.0);
    switch (c.row.metric) {
        case an::NormMetric::kCopArea:
            r.label = "Sway area (95 % ellipse)";
            r.unit = "mm^2";
            break;
        case an::NormMetric::kCopVelocity:
            r.label = "COP velocity";
            r.unit = "mm/s";
            break;
        case an::NormMetric::kCopMeanFrequency:
            r.label = "Mean frequency";
            r.unit = "Hz";
            break;
    }
    r.value = c.value * scale;
    r.p5 = c.row.p5 * scale;
    r.p50 = c.row.p50 * scale;
    r.p95 = c.row.p95 * scale;
    r.band = c.band;
    r.percentile = c.percentile;
    r.group = normGroupLabel(c.row);
    r.table = normTableKey(c.row.table);
    r.n_subjects = c.row.n_subjects;
    r.source = "Santos & Duarte 2016";
    r.caveats = c.caveats;
    return r;
}

Stabilogram makeStabilogram(const std::string& condition, int repetition,
                            const an::UniformTrace& trace, const ResultsOptions& o) {
    Stabilogram s;
    s.condition = condition;
    s.repetition = repetition;
    const Eigen::Index n = trace.xy_m.rows();
    s.duration_s = trace.fs_hz > 0.0 ? static_cast<double>(n) / trace.fs_hz : 0.0;
    const std::size_t cap = std::max<std::size_t>(o.max_path_points, 2);
    const auto count = static_cast<std::size_t>(n);
    const std::size_t take = std::min(count, cap);
    s.path_m.reserve(take);
    for (std::size_t k = 0; k < take; ++k) {
        // Evenly spaced indices from the first to the last sample.
        const auto idx = static_cast<Eigen::Index>(take == 1 ? 0 : (k * (count - 1)) / (take - 1));
        s.path_m.push_back({trace.xy_m(idx, 0), trace.xy_m(idx, 1)});
    }
    if (auto e = an::predictionEllipse95(trace.xy_m)) {
        s.ellipse = *e;
        const Eigen::Vector2d mean = trace.xy_m.colwise().mean();
        s.ellipse_m = ellipseOutline(*e, {mean.x(), mean.y()}, o.ellipse_points);
    }
    return s;
}

const an::QuietTrialScore* findQuiet(const std::vector<an::QuietTrialScore>& v,
                                     const std::string& condition, int rep) {
    for (const auto& q : v) {
        if (q.outcome.condition == condition && q.outcome.repetition == rep)
            return &q;
    }
    return nullptr;
}

const an::ConditionSummary* findCondition(const std::vector<an::ConditionSummary>& v,
                                          const std::string& condition) {
    for (const auto& c : v) {
        if (c.condition == condition)
            return &c;
    }
    return nullptr;
}

void addOnce(std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end())
        v.push_back(s);
}

struct ScoreLabel {
    std::string_view name;
    std::string_view label;
};
constexpr ScoreLabel kScoreLabels[] = {
    {"mctsib.composite_sway_velocity", "Composite sway velocity (COM)"},
    {"mctsib.composite_cop_velocity", "Composite COP velocity"},
    {"mctsib.somatosensory_ratio", "Somatosensory ratio (EO firm / EC firm)"},
    {"mctsib.visual_ratio", "Visual ratio (EO firm / EO foam)"},
    {"mctsib.vestibular_ratio", "Vestibular ratio (EO firm / EC foam)"},
    {"mctsib.romberg_quotient_velocity", "Romberg quotient, COP velocity"},
    {"mctsib.romberg_quotient_area", "Romberg quotient, sway area"},
    {"romberg.quotient_velocity", "Romberg quotient, COP velocity"},
    {"romberg.quotient_area", "Romberg quotient, sway area"},
    {"romberg.quotient_sway_velocity", "Romberg quotient, sway velocity"},
    {"sot.composite", "SOT composite equilibrium score"},
    {"sot.somatosensory_ratio", "SOT somatosensory ratio"},
    {"sot.visual_ratio", "SOT visual ratio"},
    {"sot.vestibular_ratio", "SOT vestibular ratio"},
    {"sot.visual_preference_ratio", "SOT visual preference ratio"},
    {"los.reaction_time", "LOS reaction time"},
    {"los.movement_velocity", "LOS movement velocity"},
    {"los.endpoint_excursion", "LOS endpoint excursion"},
    {"los.maximum_excursion", "LOS maximum excursion"},
    {"los.directional_control", "LOS directional control"},
    {"weight_bearing.left_percent", "Weight on the left foot"},
    {"weight_bearing.right_percent", "Weight on the right foot"},
    {"weight_bearing.symmetry_ratio", "Symmetry ratio"},
    {"weight_bearing.asymmetry_index", "Asymmetry index"},
};

std::string scoreLabel(const std::string& name) {
    for (const auto& l : kScoreLabels) {
        if (l.name == name)
            return std::string(l.label);
    }
    if (name.rfind("sot.condition_", 0) == 0)
        return "SOT condition " + name.substr(14) + " equilibrium score";
    std::string s = name.substr(name.find('.') + 1);
    std::replace(s.begin(), s.end(), '_', ' ');
    std::replace(s.begin(), s.end(), '.', ' ');
    if (!s.empty())
        s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

// Display unit and factor for an SI unit label.
std::pair<std::string, double> displayUnit(const std::string& si) {
    if (si == "m/s")
        return {"mm/s", kMm};
    if (si == "m^2")
        return {"mm^2", kMm2};
    if (si == "m")
        return {"mm", kMm};
    if (si == "1")
        return {"", 1.0};
    return {si, 1.0};
}

// Protocol-level scores: "<prefix>.<name>" without a condition part (and single-leg times).
bool isProtocolScore(const std::string& name, const an::Protocol& p) {
    const auto dot = name.find('.');
    if (dot == std::string::npos || name.rfind("norms.", 0) == 0)
        return false;
    const std::string rest = name.substr(dot + 1);
    if (p.scoring == an::ScoringMethod::kSingleLegStance)
        return name.rfind("single_leg.", 0) == 0;
    return rest.find('.') == std::string::npos;
}

}  // namespace

std::vector<PlotPoint> ellipseOutline(const an::PredictionEllipse& e, PlotPoint centre, int n) {
    std::vector<PlotPoint> out;
    if (n < 3)
        n = 3;
    out.reserve(static_cast<std::size_t>(n) + 1);
    const double phi = e.major_axis_angle_deg * std::numbers::pi / 180.0;
    const double c = std::cos(phi), s = std::sin(phi);
    for (int k = 0; k <= n; ++k) {
        const double t = 2.0 * std::numbers::pi * static_cast<double>(k % n) / n;
        const double a = e.semi_major_m * std::cos(t), b = e.semi_minor_m * std::sin(t);
        out.push_back({centre.x + a * c - b * s, centre.y + a * s + b * c});
    }
    return out;
}

std::string conditionLabel(std::string_view condition_id) {
    for (const an::Protocol& p : an::builtinProtocols()) {
        if (const an::Condition* c = p.findCondition(condition_id)) {
            std::string l = c->label;
            if (!l.empty())
                l[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(l[0])));
            return l;
        }
    }
    return std::string(condition_id);
}

std::string conditionPhrase(std::string_view condition_id) {
    for (const an::Protocol& p : an::builtinProtocols()) {
        const an::Condition* c = p.findCondition(condition_id);
        if (c == nullptr)
            continue;
        if (c->direction_deg || c->stance != an::Stance::kFeetTogether)
            return detail::lower(c->label);
        const std::string eyes =
            c->vision == an::Vision::kOpen
                ? "eyes open"
                : (c->vision == an::Vision::kClosed ? "eyes closed" : "a sway-referenced surround");
        const std::string ground =
            c->support == an::Support::kFirm
                ? "on a firm surface"
                : (c->support == an::Support::kFoam ? "on foam" : "on a sway-referenced platform");
        return "with " + eyes + " " + ground;
    }
    return "in condition " + std::string(condition_id);
}

std::string normGroupLabel(const an::NormRow& row) {
    const std::string who = row.sex == 'F' ? "women" : (row.sex == 'M' ? "men" : "adults");
    const int from = static_cast<int>(std::lround(row.age_from_years));
    if (std::isinf(row.age_to_years))
        return who + " aged " + std::to_string(from) + " and over";
    const int to = static_cast<int>(std::lround(row.age_to_years)) - 1;
    return who + " aged " + std::to_string(from) + "-" + std::to_string(to);
}

namespace detail {

ScoredSession scoreSession(const ds::Catalog& catalog, ds::CatalogId session_id,
                           const ResultsOptions& options, bool keep_recordings) {
    ScoredSession out;
    SessionResults& r = out.results;
    const auto session = catalog.session(session_id);
    if (!session)
        throw AppError("session " + std::to_string(session_id),
                       "no such session in " + catalog.location());
    r.session = *session;
    const auto patient = catalog.patient(session->patient_id);
    if (!patient)
        throw AppError("session " + std::to_string(session_id),
                       "its patient " + std::to_string(session->patient_id) + " is missing from " +
                           catalog.location());
    r.patient = *patient;
    const an::Protocol* proto = an::findProtocol(session->protocol);
    if (proto == nullptr)
        throw AppError("session " + std::to_string(session_id),
                       "protocol '" + session->protocol + "' is not a built-in protocol");
    r.protocol_name = proto->name;
    r.protocol_source = proto->source;
    r.norm_source = std::string(an::kNormSource);
    const std::chrono::year_month_day on(std::chrono::floor<std::chrono::days>(session->start_utc));
    r.age_years = ageOn(patient->birth_date, on);

    // Recordings.
    std::map<std::string, std::unique_ptr<ds::BundleReader>> readers;
    an::SessionInputs in;
    in.protocol_id = proto->id;
    in.body.height_m = patient->height_m.value_or(0.0);
    in.body.mass_kg = patient->mass_kg.value_or(0.0);
    if (r.age_years) {
        an::NormSubject ns;
        ns.age_years = *r.age_years;
        if (patient->sex == ds::Sex::kFemale)
            ns.sex = 'F';
        else if (patient->sex == ds::Sex::kMale)
            ns.sex = 'M';
        r.norm_subject = ns;
        in.norm_subject = ns;
    }
    for (const ds::Trial& t : catalog.trials(session_id)) {
        LoadedTrial lt;
        lt.trial = t;
        if (t.data_path.empty()) {
            out.trials.push_back(std::move(lt));
            continue;
        }
        const std::filesystem::path file = resolveDataPath(catalog, t.data_path);
        const auto ref = parseGroup(t.data_group);
        const std::string where = catalog.location() + ": trial " + std::to_string(t.id) + " (" +
                                  t.condition + " #" + std::to_string(t.repetition) + ")";
        if (!ref)
            throw ds::DatasetError(file.string(), 0,
                                   "data group '" + t.data_group + "' of " + where +
                                       " is not /subjects/<id>/sessions/<start>/trials/<n>");
        auto it = readers.find(file.string());
        if (it == readers.end()) {
            try {
                it = readers.emplace(file.string(), std::make_unique<ds::BundleReader>(file)).first;
            } catch (const ds::DatasetError& e) {
                throw ds::DatasetError(e.file(), e.line(),
                                       e.problem() + " (recording of " + where + ")");
            }
        }
        std::optional<ds::ForcePlateSignals> fp;
        double event_time = -1.0;
        double planned_s = 0.0;
        try {
            fp = it->second->readForcePlate(*ref);
            planned_s = it->second->trialInfo(*ref).planned_duration_s.value_or(0.0);
            if (t.status == ds::TrialStatus::kFall) {
                for (const ds::Event& e : it->second->readTrial(*ref).events) {
                    if (detail::lower(e.label).find("fall") != std::string::npos) {
                        event_time = e.time_s;
                        break;
                    }
                }
            }
        } catch (const ds::DatasetError& e) {
            throw ds::DatasetError(e.file(), e.line(),
                                   e.problem() + " (recording of " + where + ")");
        }
        if (!fp || fp->cop_m.rows() == 0) {
            lt.problem = "no force-plate COP in " + file.string() + ":" + t.data_group;
            out.trials.push_back(std::move(lt));
            continue;
        }
        an::CopRecording rec = fp->copRecording();
        auto trace = an::preprocess(rec, an::Pipeline::kRaw);
        if (!trace && trace.error().code == an::ErrorCode::kNonUniform) {
            // Live recordings carry host time mapped from the device clock; the mapping is
            // refined (slewed) as the trial runs, so intervals jitter by microseconds while the
            // device sampled uniformly. Jitter is not a gap: analyse on the regular grid.
            if (auto regular = regularizedTiming(rec)) {
                rec.t_s = std::move(*regular);
                trace = an::preprocess(rec, an::Pipeline::kRaw);
            }
        }
        if (!trace) {
            lt.problem = trace.error().message;
            out.trials.push_back(std::move(lt));
            continue;
        }
        an::TrialRecord tr;
        tr.condition = t.condition;
        tr.repetition = t.repetition;
        tr.status = toAnalysisStatus(t.status);
        tr.event_time_s = event_time;
        tr.planned_duration_s = planned_s;
        if (planned_s > 0.0 && proto->trial_duration_s > 0.0 &&
            std::abs(planned_s - proto->trial_duration_s) > 0.5) {
            char buf[200];
            std::snprintf(buf, sizeof buf,
                          "trials planned for %.0f s where the protocol specifies %.0f s: sway "
                          "area and velocity are not comparable with standard trials",
                          planned_s, proto->trial_duration_s);
            addOnce(r.notes, buf);
        }
        tr.cop = std::move(*trace);
        if (fp->force_n.rows() == tr.cop.xy_m.rows())
            tr.vertical_force_n = fp->force_n.col(2);
        lt.record = tr;
        if (keep_recordings)
            lt.recording = std::move(rec);
        in.trials.push_back(std::move(tr));
        out.trials.push_back(std::move(lt));
    }
    std::vector<std::string> problems;
    in.questionnaires = sessionQuestionnaireScores(catalog, session_id, &problems);
    for (const auto& p : problems)
        addOnce(r.notes, p);
    for (const auto& lt : out.trials) {
        if (!lt.problem.empty())
            addOnce(r.notes, lt.trial.condition + " #" + std::to_string(lt.trial.repetition) +
                                 ": " + lt.problem);
    }

    auto summary = an::summarizeSession(in);
    if (!summary)
        throw AppError("session " + std::to_string(session_id), summary.error().message);
    out.summary = *summary;
    r.flat = an::flattenSummary(*summary);
    for (const auto& n : r.flat.notes) {
        // Norm caveats come once per trial ("norms.ec_foam.2.*: the trial lasts 30.0 s; ...");
        // the page shows each once.
        const auto star = n.find(".*: ");
        if (n.rfind("norms.", 0) == 0 && star != std::string::npos)
            addOnce(r.notes, "Norms: " + n.substr(star + 4));
        else
            addOnce(r.notes, n);
    }

    // Conditions and trials.
    const std::vector<an::QuietTrialScore>* quiet = nullptr;
    const std::vector<an::ConditionSummary>* conds = nullptr;
    if (summary->mctsib) {
        quiet = &summary->mctsib->trials;
        conds = &summary->mctsib->conditions;
    } else if (summary->romberg) {
        quiet = &summary->romberg->trials;
        conds = &summary->romberg->conditions;
    }
    const an::NormTableKind table = (r.norm_subject && r.norm_subject->sex)
                                        ? an::NormTableKind::kByAgeGroupSex
                                        : an::NormTableKind::kByAgeBand;
    for (const an::Condition& c : proto->conditions) {
        ConditionResult cr;
        cr.condition = c.id;
        cr.label = conditionLabel(c.id);
        cr.vision = c.vision;
        cr.support = c.support;
        cr.n_expected = proto->repetitions;
        for (int rep = 1; rep <= proto->repetitions; ++rep) {
            TrialResult tres;
            tres.repetition = rep;
            tres.status = "missing";
            const LoadedTrial* lt = nullptr;
            for (const auto& x : out.trials) {
                if (x.trial.condition == c.id && x.trial.repetition == rep)
                    lt = &x;
            }
            if (lt != nullptr) {
                tres.trial_id = lt->trial.id;
                tres.status = std::string(ds::trialStatusName(lt->trial.status));
                tres.note = lt->problem;
                if (lt->record)
                    tres.stabilogram = makeStabilogram(c.id, rep, lt->record->cop, options);
            }
            if (quiet != nullptr) {
                if (const an::QuietTrialScore* q = findQuiet(*quiet, c.id, rep)) {
                    tres.usable = q->outcome.usable;
                    if (!q->outcome.note.empty())
                        tres.note = q->outcome.note;
                    if (q->outcome.fall)
                        tres.status = "fall";
                    tres.cop_velocity_mm_s = opt(q->cop_velocity_mps, kMm);
                    tres.cop_area_mm2 = opt(q->cop_area_m2, kMm2);
                    tres.sway_velocity_deg_s = opt(q->sway_velocity_deg_per_s, 1.0);
                }
            } else if (lt != nullptr && lt->record) {
                const an::TrialOutcome o =
                    an::checkTrial(*lt->record, proto->trial_duration_s, in.check);
                tres.usable = o.usable;
                if (!o.note.empty())
                    tres.note = o.note;
                if (o.fall)
                    tres.status = "fall";
            }
            for (const an::TrialNorms& tn : summary->norms) {
                if (tn.condition != c.id || tn.repetition != rep || !tn.comparisons)
                    continue;
                for (const an::NormComparison& nc : *tn.comparisons) {
                    if (nc.row.table == table && nc.row.metric != an::NormMetric::kCopMeanFrequency)
                        tres.norms.push_back(toNormResult(nc));
                }
            }
            cr.trials.push_back(std::move(tres));
        }
        if (conds != nullptr) {
            if (const an::ConditionSummary* cs = findCondition(*conds, c.id)) {
                cr.n_usable = cs->n_usable;
                cr.n_expected = cs->n_expected;
                cr.cop_velocity_mm_s = opt(cs->cop_velocity_mps, kMm);
                cr.cop_area_mm2 = opt(cs->cop_area_m2, kMm2);
                cr.sway_velocity_deg_s = opt(cs->sway_velocity_deg_per_s, 1.0);
                if (!cs->cop_velocity_mps)
                    cr.missing_reason = cs->cop_velocity_mps.error().message;
                // The condition means against the patient's row (the tables describe single
                // trials; a mean of 3 trials varies less, see docs/report.md).
                if (r.norm_subject) {
                    for (auto [metric, value] :
                         {std::pair{an::NormMetric::kCopArea, cs->cop_area_m2},
                          std::pair{an::NormMetric::kCopVelocity, cs->cop_velocity_mps}}) {
                        if (!value)
                            continue;
                        auto cmp = an::compareValueWithNorms(metric, *value, *r.norm_subject,
                                                             c.vision, c.support, table);
                        if (!cmp) {
                            addOnce(r.notes, cr.label + ": " + cmp.error().message);
                            continue;
                        }
                        NormResult nr = toNormResult(*cmp);
                        for (const TrialResult& tres : cr.trials) {
                            for (const NormResult& tn : tres.norms)
                                for (const std::string& cav : tn.caveats)
                                    addOnce(nr.caveats, cav);
                        }
                        cr.norms.push_back(std::move(nr));
                    }
                }
            }
        } else {
            cr.n_usable = static_cast<int>(std::count_if(
                cr.trials.begin(), cr.trials.end(), [](const TrialResult& t) { return t.usable; }));
        }
        // The trial to draw: the usable one with the median ellipse area.
        std::vector<std::pair<double, int>> areas;
        for (std::size_t k = 0; k < cr.trials.size(); ++k) {
            const auto& st = cr.trials[k].stabilogram;
            if (cr.trials[k].usable && st && st->ellipse)
                areas.emplace_back(st->ellipse->area_m2, static_cast<int>(k));
        }
        if (!areas.empty()) {
            std::sort(areas.begin(), areas.end());
            cr.representative = areas[(areas.size() - 1) / 2].second;
        } else {
            for (std::size_t k = 0; k < cr.trials.size(); ++k) {
                if (cr.trials[k].stabilogram) {
                    cr.representative = static_cast<int>(k);
                    break;
                }
            }
        }
        r.conditions.push_back(std::move(cr));
    }
    if (!r.conditions.empty() && !r.conditions.front().norms.empty())
        r.norm_group = r.conditions.front().norms.front().group;
    for (const auto& c : r.conditions) {
        if (r.norm_group.empty() && !c.norms.empty())
            r.norm_group = c.norms.front().group;
    }

    // Protocol scores.
    for (const an::NamedValue& v : r.flat.values) {
        if (!isProtocolScore(v.name, *proto))
            continue;
        ScoreResult s;
        s.name = v.name;
        s.label = scoreLabel(v.name);
        const auto [unit, factor] = displayUnit(v.unit);
        s.unit = unit;
        s.value = v.value * factor;
        s.source = v.source;
        r.scores.push_back(std::move(s));
    }
    for (const an::MissingValue& m : r.flat.missing) {
        if (!isProtocolScore(m.name, *proto))
            continue;
        ScoreResult s;
        s.name = m.name;
        s.label = scoreLabel(m.name);
        s.missing_reason = m.reason;
        r.scores.push_back(std::move(s));
    }

    for (const an::QuestionnaireScore& q : summary->questionnaires) {
        const an::InstrumentInfo& info = an::instrumentInfo(q.instrument);
        QuestionnaireResult qr;
        qr.key = std::string(info.key);
        qr.name = std::string(info.name);
        qr.total = q.total;
        qr.max_total = q.max_total;
        qr.unit = q.instrument == an::Instrument::kAbc ? "%" : "points";
        qr.subscales = q.subscales;
        qr.band = q.band;
        qr.band_source = q.band_source;
        qr.source = q.source;
        r.questionnaires.push_back(std::move(qr));
    }
    return out;
}

}  // namespace detail

SessionResults loadSessionResults(const ds::Catalog& catalog, ds::CatalogId session_id,
                                  const ResultsOptions& options) {
    return detail::scoreSession(catalog, session_id, options, false).results;
}

std::vector<ds::SummaryValue> analyzeAndStoreSession(ds::Catalog& catalog,
                                                     ds::CatalogId session_id) {
    ResultsOptions o;
    o.max_path_points = 2;
    const detail::ScoredSession scored = detail::scoreSession(catalog, session_id, o, true);
    std::vector<ds::SummaryValue> values;
    for (const an::NamedValue& v : scored.results.flat.values)
        values.push_back({v.name, v.value, v.unit, v.source});

    an::MetricOptions mo;
    mo.include_complexity = false;
    const std::string pipeline(an::pipelineName(an::Pipeline::kClinical));
    std::vector<std::pair<ds::CatalogId, std::vector<ds::MetricRecord>>> trial_metrics;
    // Eyes-closed firm means of the two sway measures that have a minimal detectable change
    // (analysis::changeThresholds: Worthen-Chaudhari et al. 2018, eyes closed, but in comfortable
    // stance where these trials stand feet together: the stored source carries that caveat).
    std::map<std::string, std::pair<double, int>> ec_firm;
    for (const detail::LoadedTrial& lt : scored.trials) {
        if (!lt.recording)
            continue;
        std::vector<ds::MetricRecord> recs;
        auto trace = an::preprocess(*lt.recording, an::Pipeline::kClinical);
        if (!trace) {
            recs.push_back({"preprocess", std::nullopt, "", pipeline, an::kAlgorithmVersion,
                            trace.error().message});
        } else {
            const an::MetricTable table = an::computeAllMetrics(*trace, mo);
            for (const an::Metric& m : table.entries()) {
                ds::MetricRecord mr;
                mr.name = m.name;
                mr.unit = m.unit.label("m");
                mr.pipeline = pipeline;
                mr.algorithm_version = an::kAlgorithmVersion;
                if (m.ok())
                    mr.value = m.value;
                else
                    mr.error = m.error;
                recs.push_back(std::move(mr));
            }
            bool usable = false;
            for (const ConditionResult& c : scored.results.conditions)
                for (const TrialResult& t : c.trials)
                    if (t.trial_id == lt.trial.id)
                        usable = t.usable;
            if (usable && lt.trial.condition == "ec_firm") {
                for (const char* name : {"mean_velocity_ML", "rms_ML"}) {
                    const an::Metric* m = table.find(name);
                    if (m != nullptr && m->ok()) {
                        ec_firm[name].first += m->value;
                        ec_firm[name].second += 1;
                    }
                }
            }
        }
        trial_metrics.emplace_back(lt.trial.id, std::move(recs));
    }
    const std::string proto = scored.results.session.protocol;
    for (const auto& [name, acc] : ec_firm) {
        const an::ChangeThreshold* th = an::findChangeThreshold(name);
        values.push_back(
            {proto + ".ec_firm." + name, acc.first / acc.second,
             name == std::string("rms_ML") ? "m" : "m/s",
             "Quijoux et al. 2021 definition, clinical pipeline, mean of " +
                 std::to_string(acc.second) + " eyes-closed firm trials" +
                 (th != nullptr ? "; MDC: " + th->source : std::string()) +
                 (th != nullptr && !th->caveat.empty() ? "; " + th->caveat : std::string())});
    }
    ds::Catalog::Transaction tx(catalog);
    for (const auto& [id, recs] : trial_metrics)
        catalog.putTrialMetrics(id, recs);
    catalog.putSessionSummary(session_id, values);
    tx.commit();
    return values;
}

std::string sessionStartLabel(const datasets::Session& s) {
    const std::string iso = datasets::formatIsoUtc(s.start_utc);  // YYYY-MM-DDTHH:MM:SSZ
    if (s.start_date_only)
        return iso.substr(0, 10);
    const std::string minutes = iso.substr(0, 10) + " " + iso.substr(11, 5);
    return s.time_zone.empty() ? minutes + " UTC" : minutes + ", " + s.time_zone;
}

}  // namespace stance::app
