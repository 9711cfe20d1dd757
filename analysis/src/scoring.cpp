#include "stance/analysis/scoring.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "scoring_common.hpp"
#include "stance/analysis/metric_table.hpp"
#include "stance/analysis/sway_metrics.hpp"

namespace stance::analysis {

namespace detail {

MatchedTrials matchTrials(const Protocol& protocol, const std::vector<TrialRecord>& trials) {
    MatchedTrials m;
    m.steps = protocol.schedule();
    m.records.assign(m.steps.size(), nullptr);
    for (const TrialRecord& t : trials) {
        bool placed = false;
        for (std::size_t i = 0; i < m.steps.size(); ++i) {
            if (m.steps[i].condition != t.condition || m.steps[i].repetition != t.repetition)
                continue;
            if (m.records[i] != nullptr) {
                m.notes.push_back(trialName(t.condition, t.repetition) +
                                  ": recorded twice; the first record is scored");
            } else {
                m.records[i] = &t;
            }
            placed = true;
            break;
        }
        if (placed)
            continue;
        if (protocol.findCondition(t.condition) == nullptr) {
            m.notes.push_back(trialName(t.condition, t.repetition) + ": '" + t.condition +
                              "' is not a condition of " + protocol.name + "; ignored");
        } else {
            m.notes.push_back(trialName(t.condition, t.repetition) + ": repetition " +
                              std::to_string(t.repetition) + " is outside the protocol's " +
                              std::to_string(protocol.repetitions) + "; ignored");
        }
    }
    return m;
}

TrialOutcome missingOutcome(const ProtocolStep& step) {
    TrialOutcome o;
    o.condition = step.condition;
    o.repetition = step.repetition;
    o.note = "no trial recorded";
    return o;
}

Expected<double> meanOf(const std::vector<std::pair<std::string, const Expected<double>*>>& items,
                        bool require_all, const std::string& what) {
    double sum = 0.0;
    int n = 0;
    std::string failures;
    for (const auto& [name, value] : items) {
        if (value->hasValue()) {
            sum += value->value();
            ++n;
        } else {
            failures += (failures.empty() ? "" : "; ") + name + ": " + value->error().message;
        }
    }
    if (n == 0)
        return fail(ErrorCode::kUndefined, what + ": no value (" + failures + ")");
    if (require_all && !failures.empty())
        return fail(ErrorCode::kUndefined,
                    what + " needs all " + std::to_string(items.size()) + " trials; " +
                        std::to_string(items.size() - static_cast<std::size_t>(n)) +
                        " without a value: " + failures);
    return sum / static_cast<double>(n);
}

Expected<double> ratio(const Expected<double>& a, const Expected<double>& b,
                       const std::string& what) {
    if (!a)
        return fail(a.error().code, what + ": " + a.error().message);
    if (!b)
        return fail(b.error().code, what + ": " + b.error().message);
    if (*b == 0.0)
        return fail(ErrorCode::kUndefined, what + ": the denominator is 0");
    return *a / *b;
}

}  // namespace detail

using namespace detail;

namespace {

double median(Eigen::VectorXd v) {
    const auto n = static_cast<std::size_t>(v.size());
    std::nth_element(v.data(), v.data() + n / 2, v.data() + n);
    double m = v(static_cast<Eigen::Index>(n / 2));
    if (n % 2 == 0) {
        const double lo = *std::max_element(v.data(), v.data() + n / 2);
        m = 0.5 * (m + lo);
    }
    return m;
}

// First index from which `cond(i)` holds for `run` consecutive samples, or -1.
template <class F>
Eigen::Index firstSustained(Eigen::Index n, Eigen::Index run, F&& cond) {
    Eigen::Index count = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        count = cond(i) ? count + 1 : 0;
        if (count >= run)
            return i - run + 1;
    }
    return -1;
}

// Condition means of the quiet-stance values over usable trials.
ConditionSummary summarize(const std::string& condition, const std::vector<QuietTrialScore>& all) {
    ConditionSummary s;
    s.condition = condition;
    std::vector<std::pair<std::string, const Expected<double>*>> v, a, w;
    std::vector<Expected<double>> unusable;
    unusable.reserve(all.size());
    for (const QuietTrialScore& t : all) {
        if (t.outcome.condition != condition)
            continue;
        ++s.n_expected;
        const std::string name = trialName(t.outcome.condition, t.outcome.repetition);
        if (!t.outcome.usable) {
            unusable.push_back(fail(ErrorCode::kUndefined, t.outcome.note));
            v.emplace_back(name, &unusable.back());
            a.emplace_back(name, &unusable.back());
            w.emplace_back(name, &unusable.back());
            continue;
        }
        ++s.n_usable;
        v.emplace_back(name, &t.cop_velocity_mps);
        a.emplace_back(name, &t.cop_area_m2);
        w.emplace_back(name, &t.sway_velocity_deg_per_s);
    }
    if (s.n_expected == 0)
        return s;
    s.cop_velocity_mps = meanOf(v, false, condition + " mean COP velocity");
    s.cop_area_m2 = meanOf(a, false, condition + " mean COP area");
    s.sway_velocity_deg_per_s = meanOf(w, false, condition + " mean sway velocity");
    return s;
}

const ConditionSummary* findSummary(const std::vector<ConditionSummary>& all,
                                    const std::string& condition) {
    for (const ConditionSummary& c : all) {
        if (c.condition == condition)
            return &c;
    }
    return nullptr;
}

// Quiet-stance protocols: match, check and score every scheduled trial.
std::vector<QuietTrialScore> scoreSchedule(const MatchedTrials& m,
                                           const Expected<PendulumModel>& model,
                                           double body_mass_kg, const TrialCheckOptions& check) {
    std::vector<QuietTrialScore> scores;
    for (std::size_t i = 0; i < m.steps.size(); ++i) {
        const ProtocolStep& step = m.steps[i];
        QuietTrialScore s;
        if (m.records[i] == nullptr) {
            s.outcome = missingOutcome(step);
        } else {
            s.outcome = checkTrial(*m.records[i], step.duration_s, check);
            if (s.outcome.usable) {
                const TrialOutcome o = s.outcome;
                s = scoreQuietTrial(*m.records[i], model, body_mass_kg);
                s.outcome = o;
            }
        }
        if (!s.outcome.usable) {
            const Error e = fail(ErrorCode::kUndefined, s.outcome.note);
            s.cop_velocity_mps = e;
            s.cop_area_m2 = e;
            s.sway_velocity_deg_per_s = e;
            s.ap_sway_peak_to_peak_deg = e;
        }
        scores.push_back(std::move(s));
    }
    return scores;
}

// A trial's COM, which estimator gave it, and the rows whose COM is trusted for path measures.
struct ComEstimate {
    Signal2 com_m;
    ComEstimator estimator = ComEstimator::kNone;
    Eigen::Index first = 0;  // first trusted row
    Eigen::Index count = 0;  // number of trusted rows
    std::string note;        // why the horizontal forces were not used
};

// Body mass for the zero-point integration: the trial's, the body's, else mean Fz / g; 0 = none.
double integrationMass(const TrialRecord& trial, double body_mass_kg) {
    if (trial.body_mass_kg > 0.0)
        return trial.body_mass_kg;
    if (body_mass_kg > 0.0)
        return body_mass_kg;
    const Eigen::VectorXd& fz = trial.vertical_force_n;
    if (fz.size() == trial.cop.xy_m.rows() && fz.size() > 0 && fz.allFinite() && fz.mean() > 0.0)
        return fz.mean() / kStandardGravity;
    return 0.0;
}

// The zero-point integration when the trial has horizontal forces and it succeeds, else the
// COP low-pass (with the reason in `note` when forces were given).
Expected<ComEstimate> estimateCom(const TrialRecord& trial, const PendulumModel& model,
                                  double body_mass_kg) {
    const Signal2 cop = absoluteCop(trial);
    const double fs = trial.cop.fs_hz;
    ComEstimate e;
    const Signal2& force = trial.horizontal_force_n;
    if (force.rows() != 0) {
        const double mass = integrationMass(trial, body_mass_kg);
        if (force.rows() != cop.rows()) {
            e.note = std::to_string(force.rows()) + " horizontal force samples for " +
                     std::to_string(cop.rows()) + " COP samples";
        } else if (!(mass > 0.0)) {
            e.note = "no body mass (none given, no vertical force to weigh the subject)";
        } else if (auto zp = comFromZeroPointIntegration(cop, force, fs, mass, true)) {
            // Outside the first and last zero points the COM is extrapolated: path measures
            // use the range both axes cover.
            const Eigen::Index a = std::max(zp->first[0], zp->first[1]);
            const Eigen::Index b = std::min(zp->last[0], zp->last[1]);
            if (b - a + 1 >= 2) {
                e.com_m = std::move(zp->com_m);
                e.estimator = ComEstimator::kZeroPointIntegration;
                e.first = a;
                e.count = b - a + 1;
                return e;
            }
            e.note =
                "the ranges between the first and last zero points of the ML and AP forces "
                "do not overlap";
        } else {
            e.note = zp.error().message;
        }
        e.note = "horizontal forces not used (" + e.note + "); COM from the COP low-pass";
    }
    auto com = comFromCopLowPass(cop, fs, model);
    if (!com)
        return com.error();
    // The low-pass COM's end transients are left out of path measures (comEdgeSamples).
    const Eigen::Index edge = comEdgeSamples(model, fs);
    e.com_m = std::move(*com);
    e.estimator = ComEstimator::kCopLowPass;
    e.first = edge;
    e.count = std::max<Eigen::Index>(0, e.com_m.rows() - 2 * edge);
    return e;
}

// Notes on the COM estimators of a protocol's trials: one per trial whose horizontal forces
// were not used, and which estimator served when any trial had them.
template <class Score>
void addComNotes(const std::vector<Score>& trials, std::vector<std::string>& notes) {
    int integrated = 0, low_pass = 0;
    bool forces = false;
    for (const Score& t : trials) {
        integrated += t.com_estimator == ComEstimator::kZeroPointIntegration ? 1 : 0;
        low_pass += t.com_estimator == ComEstimator::kCopLowPass ? 1 : 0;
        if (!t.com_note.empty()) {
            forces = true;
            notes.push_back(trialName(t.outcome.condition, t.outcome.repetition) + ": " +
                            t.com_note);
        }
    }
    if (integrated == 0 && !forces)
        return;
    notes.push_back(
        "COM and sway angles: zero-point integration of the horizontal forces "
        "(Zatsiorsky & King 1998) for " +
        std::to_string(integrated) + " trial(s), COP low-pass (Caron et al. 1997) for " +
        std::to_string(low_pass));
}

}  // namespace

std::string_view comEstimatorName(ComEstimator e) noexcept {
    switch (e) {
        case ComEstimator::kNone:
            return "none";
        case ComEstimator::kCopLowPass:
            return "cop_low_pass";
        case ComEstimator::kZeroPointIntegration:
            return "zero_point_integration";
    }
    return "unknown";
}

std::optional<double> detectFall(const TrialRecord& trial, const TrialCheckOptions& options) {
    const Eigen::VectorXd& fz = trial.vertical_force_n;
    const double fs = trial.cop.fs_hz;
    if (fz.size() < 2 || !(fs > 0.0))
        return std::nullopt;
    Eigen::VectorXd finite(fz.size());
    Eigen::Index k = 0;
    for (Eigen::Index i = 0; i < fz.size(); ++i) {
        if (std::isfinite(fz(i)))
            finite(k++) = fz(i);
    }
    if (k == 0)
        return 0.0;
    // Reference load: the 90th percentile, the standing weight as long as the subject stood
    // for at least a tenth of the trial (a median would sink with an early fall).
    std::nth_element(finite.data(), finite.data() + (k * 9) / 10, finite.data() + k);
    const double ref = finite((k * 9) / 10);
    const double limit = options.fall_force_fraction * ref;
    const auto run = std::max<Eigen::Index>(
        1, static_cast<Eigen::Index>(std::ceil(options.fall_min_duration_s * fs)));
    const Eigen::Index first =
        firstSustained(fz.size(), run, [&](Eigen::Index i) { return !(fz(i) >= limit); });
    if (first < 0)
        return std::nullopt;
    return static_cast<double>(first) / fs;
}

TrialOutcome checkTrial(const TrialRecord& trial, double protocol_duration_s,
                        const TrialCheckOptions& options) {
    const double planned_duration_s =
        trial.planned_duration_s > 0.0 ? trial.planned_duration_s : protocol_duration_s;
    TrialOutcome o;
    o.condition = trial.condition;
    o.repetition = trial.repetition;
    o.recorded = true;
    const auto add = [&o](const std::string& s) { o.note += (o.note.empty() ? "" : "; ") + s; };
    const Eigen::Index n = trial.cop.xy_m.rows();
    bool ok = true;
    if (n == 0 || !(trial.cop.fs_hz > 0.0)) {
        add(n == 0 ? "has no COP samples" : "has no sampling rate");
        return o;
    }
    if (!trial.cop.xy_m.allFinite()) {
        add("has NaN or infinite COP samples (subject off the plate?)");
        ok = false;
    }
    if (trial.vertical_force_n.size() != 0 && trial.vertical_force_n.size() != n) {
        add("has " + std::to_string(trial.vertical_force_n.size()) +
            " vertical force samples for " + std::to_string(n) + " COP samples");
        ok = false;
    }
    if (trial.horizontal_force_n.rows() != 0 && trial.horizontal_force_n.rows() != n) {
        add("has " + std::to_string(trial.horizontal_force_n.rows()) +
            " horizontal force samples for " + std::to_string(n) + " COP samples");
        ok = false;
    }
    if (trial.status == TrialStatus::kAborted) {
        add("aborted" +
            (trial.event_time_s >= 0.0 ? " at " + fmt(trial.event_time_s, "%.1f") + " s" : "") +
            " (recorded)");
        ok = false;
    }
    if (trial.status == TrialStatus::kFall) {
        o.fall = true;
        o.fall_time_s = trial.event_time_s;
        add("fall recorded" +
            (trial.event_time_s >= 0.0 ? " at " + fmt(trial.event_time_s, "%.1f") + " s" : ""));
    }
    if (ok && trial.vertical_force_n.size() == n) {
        if (auto t = detectFall(trial, options)) {
            if (!o.fall) {
                o.fall = true;
                o.fall_time_s = *t;
                add("fall detected at " + fmt(*t, "%.1f") + " s: vertical force below " +
                    fmt(100.0 * options.fall_force_fraction, "%.0f") +
                    " % of the standing load for " + fmt(options.fall_min_duration_s, "%.2g") +
                    " s");
            }
        }
    }
    const double duration = trialDurationS(trial);
    if (!o.fall && planned_duration_s > 0.0 &&
        duration < options.min_duration_fraction * planned_duration_s) {
        add("too short: lasts " + fmt(duration, "%.1f") + " s, " +
            (trial.planned_duration_s > 0.0 ? "planned " : "the protocol plans ") +
            fmt(planned_duration_s, "%.0f") + " s");
        ok = false;
    }
    o.usable = ok && !o.fall;
    return o;
}

QuietTrialScore scoreQuietTrial(const TrialRecord& trial, const Expected<PendulumModel>& model,
                                double body_mass_kg) {
    QuietTrialScore s;
    s.outcome.condition = trial.condition;
    s.outcome.repetition = trial.repetition;
    s.outcome.recorded = true;
    s.outcome.usable = true;
    MetricTable t;
    appendBdsMetrics(trial.cop, t);
    const auto take = [&t](const char* name) -> Expected<double> {
        const Metric* m = t.find(name);
        if (m == nullptr)
            return fail(ErrorCode::kUndefined, std::string(name) + " was not computed");
        if (!m->ok())
            return fail(m->error_code, m->error);
        return m->value;
    };
    s.cop_velocity_mps = take("bds_cop_velocity");
    s.cop_area_m2 = take("bds_cop_area");
    if (!model) {
        s.sway_velocity_deg_per_s = model.error();
        s.ap_sway_peak_to_peak_deg = model.error();
        return s;
    }
    auto com = estimateCom(trial, *model, body_mass_kg);
    if (!com) {
        s.sway_velocity_deg_per_s = com.error();
        s.ap_sway_peak_to_peak_deg = com.error();
        return s;
    }
    s.com_estimator = com->estimator;
    s.com_note = com->note;
    const Signal2& xy = com->com_m;
    const Eigen::Index n = com->count;
    // Angles about the mean lean over the trusted rows (the ankle axis is not known).
    const Eigen::Vector2d pivot =
        n > 0 ? Eigen::Vector2d(xy.middleRows(com->first, n).colwise().mean().transpose())
              : Eigen::Vector2d(xy.colwise().mean().transpose());
    auto theta = swayAngleFromCom(xy, model->com_height_m, pivot);
    if (!theta) {
        s.sway_velocity_deg_per_s = theta.error();
        s.ap_sway_peak_to_peak_deg = theta.error();
        return s;
    }
    const Signal2 deg = *theta * kRadToDeg;
    // NeuroCom scores the peak-to-peak sway over the whole trial: no end samples dropped.
    s.ap_sway_peak_to_peak_deg = deg.col(1).maxCoeff() - deg.col(1).minCoeff();
    if (n < 2) {
        const double edge_s = static_cast<double>(com->first) / trial.cop.fs_hz;
        s.sway_velocity_deg_per_s = fail(
            ErrorCode::kTooShort, "the COM estimate needs more than " + fmt(2.0 * edge_s, "%.1f") +
                                      " s (its end transients are skipped)");
        return s;
    }
    double path = 0.0;
    for (Eigen::Index i = com->first + 1; i < com->first + n; ++i)
        path += (deg.row(i) - deg.row(i - 1)).norm();
    s.sway_velocity_deg_per_s = path / (static_cast<double>(n - 1) / trial.cop.fs_hz);
    return s;
}

MctsibResult scoreMctsib(const std::vector<TrialRecord>& trials, const BodyParameters& body,
                         const TrialCheckOptions& check) {
    const Protocol& p = *findProtocol("mctsib");
    const MatchedTrials m = matchTrials(p, trials);
    MctsibResult r;
    r.notes = m.notes;
    r.trials = scoreSchedule(m, pendulumModel(body), body.mass_kg, check);
    addComNotes(r.trials, r.notes);
    for (const Condition& c : p.conditions)
        r.conditions.push_back(summarize(c.id, r.trials));
    std::vector<std::pair<std::string, const Expected<double>*>> w, v;
    for (const QuietTrialScore& t : r.trials) {
        const std::string name = trialName(t.outcome.condition, t.outcome.repetition);
        w.emplace_back(name, &t.sway_velocity_deg_per_s);
        v.emplace_back(name, &t.cop_velocity_mps);
    }
    r.composite_sway_velocity_deg_per_s = meanOf(w, true, "mCTSIB composite sway velocity");
    r.composite_cop_velocity_mps = meanOf(v, true, "mCTSIB composite COP velocity");
    const auto& base = findSummary(r.conditions, "eo_firm")->sway_velocity_deg_per_s;
    r.somatosensory_ratio =
        ratio(base, findSummary(r.conditions, "ec_firm")->sway_velocity_deg_per_s,
              "mCTSIB somatosensory ratio");
    r.visual_ratio = ratio(base, findSummary(r.conditions, "eo_foam")->sway_velocity_deg_per_s,
                           "mCTSIB visual ratio");
    r.vestibular_ratio = ratio(base, findSummary(r.conditions, "ec_foam")->sway_velocity_deg_per_s,
                               "mCTSIB vestibular ratio");
    const ConditionSummary& eo = *findSummary(r.conditions, "eo_firm");
    const ConditionSummary& ec = *findSummary(r.conditions, "ec_firm");
    r.romberg_quotient_velocity =
        ratio(ec.cop_velocity_mps, eo.cop_velocity_mps, "Romberg quotient (COP velocity)");
    r.romberg_quotient_area = ratio(ec.cop_area_m2, eo.cop_area_m2, "Romberg quotient (COP area)");
    return r;
}

RombergResult scoreRomberg(const std::vector<TrialRecord>& trials, const BodyParameters& body,
                           const TrialCheckOptions& check) {
    const Protocol& p = *findProtocol("romberg");
    const MatchedTrials m = matchTrials(p, trials);
    RombergResult r;
    r.notes = m.notes;
    r.trials = scoreSchedule(m, pendulumModel(body), body.mass_kg, check);
    addComNotes(r.trials, r.notes);
    for (const Condition& c : p.conditions)
        r.conditions.push_back(summarize(c.id, r.trials));
    const ConditionSummary& eo = *findSummary(r.conditions, "eo_firm");
    const ConditionSummary& ec = *findSummary(r.conditions, "ec_firm");
    r.quotient_velocity =
        ratio(ec.cop_velocity_mps, eo.cop_velocity_mps, "Romberg quotient (COP velocity)");
    r.quotient_area = ratio(ec.cop_area_m2, eo.cop_area_m2, "Romberg quotient (COP area)");
    r.quotient_sway_velocity = ratio(ec.sway_velocity_deg_per_s, eo.sway_velocity_deg_per_s,
                                     "Romberg quotient (sway velocity)");
    return r;
}

SotResult scoreSot(const std::vector<TrialRecord>& trials, const BodyParameters& body,
                   const TrialCheckOptions& check) {
    constexpr double kLimitDeg = 12.5;  // NeuroCom's theoretical AP limit of sway
    const Protocol& p = *findProtocol("sot");
    const MatchedTrials m = matchTrials(p, trials);
    const Expected<PendulumModel> model = pendulumModel(body);
    SotResult r;
    r.notes = m.notes;
    for (std::size_t i = 0; i < m.steps.size(); ++i) {
        const ProtocolStep& step = m.steps[i];
        SotTrialScore s;
        if (m.records[i] == nullptr) {
            s.outcome = missingOutcome(step);
        } else {
            s.outcome = checkTrial(*m.records[i], step.duration_s, check);
            if (s.outcome.usable) {
                const QuietTrialScore q = scoreQuietTrial(*m.records[i], model, body.mass_kg);
                s.ap_sway_peak_to_peak_deg = q.ap_sway_peak_to_peak_deg;
                s.com_estimator = q.com_estimator;
                s.com_note = q.com_note;
                if (q.ap_sway_peak_to_peak_deg) {
                    const double p2p = *q.ap_sway_peak_to_peak_deg;
                    double es = (kLimitDeg - p2p) / kLimitDeg * 100.0;
                    if (es < 0.0) {
                        es = 0.0;
                        s.outcome.note = "peak-to-peak AP sway " + fmt(p2p, "%.1f") +
                                         " deg exceeds the 12.5 deg limit: scored 0 as a fall";
                    }
                    s.equilibrium_score = es;
                } else {
                    s.equilibrium_score = q.ap_sway_peak_to_peak_deg.error();
                }
            }
        }
        if (s.outcome.fall) {
            s.equilibrium_score = 0.0;  // NeuroCom: a fall scores 0
            s.ap_sway_peak_to_peak_deg = fail(ErrorCode::kUndefined, s.outcome.note);
        } else if (!s.outcome.usable) {
            s.equilibrium_score = fail(ErrorCode::kUndefined, s.outcome.note);
            s.ap_sway_peak_to_peak_deg = fail(ErrorCode::kUndefined, s.outcome.note);
        }
        r.trials.push_back(std::move(s));
    }
    addComNotes(r.trials, r.notes);
    std::vector<std::pair<std::string, const Expected<double>*>> composite_items;
    for (int c = 0; c < 6; ++c) {
        const std::string id = "sot" + std::to_string(c + 1);
        std::vector<std::pair<std::string, const Expected<double>*>> items;
        for (const SotTrialScore& t : r.trials) {
            if (t.outcome.condition == id)
                items.emplace_back(trialName(id, t.outcome.repetition), &t.equilibrium_score);
        }
        auto& score = r.condition_scores[static_cast<std::size_t>(c)];
        score = meanOf(items, false, "SOT condition " + std::to_string(c + 1));
        const auto n_ok = std::count_if(items.begin(), items.end(),
                                        [](const auto& it) { return it.second->hasValue(); });
        if (score && static_cast<std::size_t>(n_ok) < items.size())
            r.notes.push_back("SOT condition " + std::to_string(c + 1) + ": mean of " +
                              std::to_string(n_ok) + " of " + std::to_string(items.size()) +
                              " trials");
        if (c < 2) {
            composite_items.emplace_back("SOT condition " + std::to_string(c + 1) + " mean",
                                         &score);
        } else {
            composite_items.insert(composite_items.end(), items.begin(), items.end());
        }
    }
    {
        auto sum = meanOf(composite_items, true, "SOT composite");
        r.composite =
            sum ? Expected<double>(*sum * static_cast<double>(composite_items.size()) / 14.0) : sum;
    }
    const auto& cs = r.condition_scores;
    r.somatosensory_ratio = ratio(cs[1], cs[0], "SOT somatosensory ratio (C2/C1)");
    r.visual_ratio = ratio(cs[3], cs[0], "SOT visual ratio (C4/C1)");
    r.vestibular_ratio = ratio(cs[4], cs[0], "SOT vestibular ratio (C5/C1)");
    {
        const auto sum = [](const Expected<double>& a,
                            const Expected<double>& b) -> Expected<double> {
            if (!a)
                return a;
            if (!b)
                return b;
            return *a + *b;
        };
        r.visual_preference_ratio =
            ratio(sum(cs[2], cs[5]), sum(cs[1], cs[4]), "SOT visual preference ratio");
    }
    return r;
}

std::string_view stanceEndName(StanceEnd e) noexcept {
    switch (e) {
        case StanceEnd::kHeld:
            return "held";
        case StanceEnd::kForceDrop:
            return "force_drop";
        case StanceEnd::kCopExcursion:
            return "cop_excursion";
        case StanceEnd::kRecordedFall:
            return "recorded_fall";
        case StanceEnd::kRecordingEnded:
            return "recording_ended";
    }
    return "unknown";
}

SingleLegResult scoreSingleLegStance(const TrialRecord& trial, const SingleLegOptions& o) {
    SingleLegResult r;
    r.condition = trial.condition;
    r.repetition = trial.repetition;
    const std::string who = trialName(trial.condition, trial.repetition);
    const Eigen::Index n = trial.cop.xy_m.rows();
    const double fs = trial.cop.fs_hz;
    if (n < 2 || !(fs > 0.0)) {
        r.time_s = fail(ErrorCode::kEmpty, who + ": no COP samples or no sampling rate");
        return r;
    }
    if (trial.status == TrialStatus::kAborted) {
        r.time_s = fail(ErrorCode::kUndefined, who + ": aborted (recorded), not scored");
        return r;
    }
    const bool has_force = trial.vertical_force_n.size() == n;
    if (trial.vertical_force_n.size() != 0 && !has_force) {
        r.time_s = fail(ErrorCode::kInvalidArgument,
                        who + ": " + std::to_string(trial.vertical_force_n.size()) +
                            " vertical force samples for " + std::to_string(n) + " COP samples");
        return r;
    }
    const Signal2 cop = absoluteCop(trial);
    const Eigen::Index n_ref = std::clamp<Eigen::Index>(
        static_cast<Eigen::Index>(std::llround(o.reference_window_s * fs)), 1, n);
    // References over the first window, ignoring non-finite samples.
    std::vector<double> rx, ry, rf;
    for (Eigen::Index i = 0; i < n_ref; ++i) {
        if (std::isfinite(cop(i, 0)) && std::isfinite(cop(i, 1))) {
            rx.push_back(cop(i, 0));
            ry.push_back(cop(i, 1));
        }
        if (has_force && std::isfinite(trial.vertical_force_n(i)))
            rf.push_back(trial.vertical_force_n(i));
    }
    if (rx.empty()) {
        r.time_s = fail(ErrorCode::kNonFinite, who + ": no finite COP sample in the first " +
                                                   fmt(o.reference_window_s, "%.2g") +
                                                   " s (no stance to reference)");
        return r;
    }
    const auto med = [](std::vector<double> v) {
        return median(Eigen::Map<Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())));
    };
    const double x0 = med(rx), y0 = med(ry);
    const double f0 = rf.empty() ? 0.0 : med(rf);
    const auto run =
        std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::ceil(o.sustain_s * fs)));

    double best = std::numeric_limits<double>::infinity();
    StanceEnd end = StanceEnd::kHeld;
    std::string reason;
    if (has_force && f0 > 0.0) {
        const double limit = (1.0 - o.force_drop_fraction) * f0;
        const Eigen::Index i = firstSustained(
            n, run, [&](Eigen::Index k) { return !(trial.vertical_force_n(k) >= limit); });
        if (i >= 0) {
            best = static_cast<double>(i) / fs;
            end = StanceEnd::kForceDrop;
            reason = "vertical force below " + fmt(100.0 * (1.0 - o.force_drop_fraction), "%.0f") +
                     " % of its initial " + fmt(f0, "%.0f") + " N from " + fmt(best, "%.2f") + " s";
        }
    }
    {
        const Eigen::Index i = firstSustained(n, run, [&](Eigen::Index k) {
            const double dx = cop(k, 0) - x0, dy = cop(k, 1) - y0;
            return !(std::abs(dx) <= o.cop_ml_limit_m && std::abs(dy) <= o.cop_ap_limit_m);
        });
        if (i >= 0 && static_cast<double>(i) / fs < best) {
            best = static_cast<double>(i) / fs;
            end = StanceEnd::kCopExcursion;
            reason = "COP left the stance foot (more than " + fmt(o.cop_ml_limit_m * 1000, "%.0f") +
                     " mm ML or " + fmt(o.cop_ap_limit_m * 1000, "%.0f") +
                     " mm AP from its initial position) at " + fmt(best, "%.2f") + " s";
        }
    }
    if (trial.status == TrialStatus::kFall && trial.event_time_s >= 0.0 &&
        trial.event_time_s < best) {
        best = trial.event_time_s;
        end = StanceEnd::kRecordedFall;
        reason = "loss of stance recorded by the operator at " + fmt(best, "%.2f") + " s";
    }
    const double duration = static_cast<double>(n) / fs;
    if ((std::isfinite(best) && best >= o.max_time_s) ||
        (!std::isfinite(best) && duration >= o.max_time_s)) {
        r.time_s = o.max_time_s;
        r.end = StanceEnd::kHeld;
        r.reason = "held for the full " + fmt(o.max_time_s, "%.0f") + " s";
        return r;
    }
    if (!std::isfinite(best)) {
        if (trial.status == TrialStatus::kFall) {
            r.time_s = fail(ErrorCode::kUndefined,
                            who +
                                ": a fall is recorded without its time and none is visible "
                                "in the signals");
            return r;
        }
        r.time_s = duration;
        r.end = StanceEnd::kRecordingEnded;
        r.reason = "no loss of stance detected; the recording ends at " + fmt(duration, "%.2f") +
                   " s, before the " + fmt(o.max_time_s, "%.0f") + " s maximum (operator stop)";
        return r;
    }
    r.time_s = best;
    r.end = end;
    r.reason = reason;
    return r;
}

Expected<WeightBearingResult> weightBearingFromForces(
    const Eigen::Ref<const Eigen::VectorXd>& left_n,
    const Eigen::Ref<const Eigen::VectorXd>& right_n) {
    if (left_n.size() != right_n.size())
        return fail(ErrorCode::kInvalidArgument,
                    "weight bearing: " + std::to_string(left_n.size()) + " left and " +
                        std::to_string(right_n.size()) + " right force samples");
    if (left_n.size() == 0)
        return fail(ErrorCode::kEmpty, "weight bearing: no force samples");
    if (!left_n.allFinite() || !right_n.allFinite())
        return fail(ErrorCode::kNonFinite, "weight bearing: NaN or infinite force samples");
    const double l = left_n.mean(), rr = right_n.mean();
    if (l < 0.0 || rr < 0.0 || !(l + rr > 0.0))
        return fail(ErrorCode::kUndefined, "weight bearing: mean vertical forces left " +
                                               fmt(l, "%.1f") + " N, right " + fmt(rr, "%.1f") +
                                               " N (a negative or zero load: plates not tared?)");
    WeightBearingResult w;
    w.left_percent = 100.0 * l / (l + rr);
    w.right_percent = 100.0 * rr / (l + rr);
    w.symmetry_ratio = std::min(l, rr) / std::max(l, rr);
    w.asymmetry_index_percent = (rr - l) / (0.5 * (rr + l)) * 100.0;
    w.method = "dual_plate";
    return w;
}

Expected<WeightBearingResult> weightBearingFromCop(const Eigen::Ref<const Eigen::VectorXd>& cop_x_m,
                                                   double left_foot_x_m, double right_foot_x_m) {
    if (!(right_foot_x_m > left_foot_x_m))
        return fail(ErrorCode::kInvalidArgument,
                    "weight bearing: the right foot (x = " + fmt(right_foot_x_m) +
                        " m) must lie to the right of the left foot (x = " + fmt(left_foot_x_m) +
                        " m)");
    if (cop_x_m.size() == 0)
        return fail(ErrorCode::kEmpty, "weight bearing: no COP samples");
    if (!cop_x_m.allFinite())
        return fail(ErrorCode::kNonFinite, "weight bearing: NaN or infinite COP samples");
    const double x = cop_x_m.mean();
    if (x < left_foot_x_m || x > right_foot_x_m)
        return fail(ErrorCode::kUndefined, "weight bearing: the mean COP (x = " + fmt(x) +
                                               " m) lies outside the two feet");
    const double right = (x - left_foot_x_m) / (right_foot_x_m - left_foot_x_m);
    WeightBearingResult w;
    w.right_percent = 100.0 * right;
    w.left_percent = 100.0 - w.right_percent;
    const double lo = std::min(right, 1.0 - right), hi = std::max(right, 1.0 - right);
    if (!(hi > 0.0))
        return fail(ErrorCode::kUndefined, "weight bearing: no load");
    w.symmetry_ratio = lo / hi;
    w.asymmetry_index_percent = (right - (1.0 - right)) / 0.5 * 100.0;
    w.method = "cop_lever_rule";
    return w;
}

}  // namespace stance::analysis
