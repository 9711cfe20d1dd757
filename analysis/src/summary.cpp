#include "stance/analysis/summary.hpp"

#include <algorithm>
#include <cmath>

#include "scoring_common.hpp"

namespace stance::analysis {

namespace {

constexpr const char* kMctsibSource =
    "mCTSIB (Shumway-Cook & Horak 1986; Cohen et al. 1993) scored as docs/clinical.md";
constexpr const char* kRombergSource =
    "Romberg quotient, Van Parys & Njiokiktjien 1976; COP metrics Santos & Duarte 2016";
constexpr const char* kSotSource = "NeuroCom SOT equilibrium score and ratios (docs/clinical.md)";
constexpr const char* kLosSource = "NeuroCom limits of stability measures (docs/clinical.md)";
constexpr const char* kSlsSource = "single-leg stance time, Stance detection (docs/clinical.md)";
constexpr const char* kWbsSource =
    "weight-bearing share; symmetry index Robinson, Herzog & Nigg 1987";

class Flattener {
public:
    explicit Flattener(FlatSummary& out) : out_(out) {}

    void add(const std::string& name, const Expected<double>& v, const std::string& unit,
             const std::string& source) {
        if (v && std::isfinite(*v)) {
            out_.values.push_back({name, *v, unit, source});
        } else {
            out_.missing.push_back(
                {name, v ? std::string("not a finite number") : v.error().message});
        }
    }
    void add(const std::string& name, double v, const std::string& unit,
             const std::string& source) {
        add(name, Expected<double>(v), unit, source);
    }
    void missing(const std::string& name, const std::string& reason) {
        out_.missing.push_back({name, reason});
    }

private:
    FlatSummary& out_;
};

void flattenConditions(Flattener& f, const std::string& prefix,
                       const std::vector<ConditionSummary>& conditions, const char* source) {
    for (const ConditionSummary& c : conditions) {
        const std::string p = prefix + "." + c.condition + ".";
        f.add(p + "cop_velocity", c.cop_velocity_mps, "m/s", source);
        f.add(p + "cop_area", c.cop_area_m2, "m^2", source);
        f.add(p + "sway_velocity", c.sway_velocity_deg_per_s, "deg/s", source);
    }
}

}  // namespace

Expected<SessionSummary> summarizeSession(const SessionInputs& in) {
    const Protocol* p = findProtocol(in.protocol_id);
    if (p == nullptr) {
        std::string known;
        for (const Protocol& q : builtinProtocols())
            known += (known.empty() ? "" : ", ") + q.id;
        return fail(ErrorCode::kInvalidArgument,
                    "unknown protocol '" + in.protocol_id + "' (built in: " + known + ")");
    }
    SessionSummary s;
    s.protocol_id = p->id;
    s.questionnaires = in.questionnaires;
    switch (p->scoring) {
        case ScoringMethod::kMctsib:
            s.mctsib = scoreMctsib(in.trials, in.body, in.check);
            break;
        case ScoringMethod::kRomberg:
            s.romberg = scoreRomberg(in.trials, in.body, in.check);
            break;
        case ScoringMethod::kSot:
            s.sot = scoreSot(in.trials, in.body, in.check);
            break;
        case ScoringMethod::kLimitsOfStability:
            s.los = scoreLimitsOfStability(in.trials, in.body, in.los, in.check);
            break;
        case ScoringMethod::kSingleLegStance: {
            // Every scheduled (condition, repetition) gets a result: a missing trial is an error
            // that names it, so the flat summary lists it as missing with the reason.
            const detail::MatchedTrials m = detail::matchTrials(*p, in.trials);
            s.notes.insert(s.notes.end(), m.notes.begin(), m.notes.end());
            for (std::size_t i = 0; i < m.steps.size(); ++i) {
                const ProtocolStep& step = m.steps[i];
                if (m.records[i] != nullptr) {
                    s.single_leg.push_back(scoreSingleLegStance(*m.records[i], in.single_leg));
                    continue;
                }
                SingleLegResult r;
                r.condition = step.condition;
                r.repetition = step.repetition;
                r.reason = detail::missingOutcome(step).note;
                r.time_s =
                    fail(ErrorCode::kUndefined,
                         detail::trialName(step.condition, step.repetition) + ": " + r.reason);
                s.single_leg.push_back(std::move(r));
            }
            break;
        }
        case ScoringMethod::kWeightBearing:
            if (in.weight_bearing_measured) {
                s.weight_bearing = *in.weight_bearing_measured;
            } else if (in.foot_x_m && !in.trials.empty()) {
                const detail::MatchedTrials m = detail::matchTrials(*p, in.trials);
                s.notes.insert(s.notes.end(), m.notes.begin(), m.notes.end());
                const ProtocolStep& step = m.steps.front();
                const std::string who = detail::trialName(step.condition, step.repetition);
                if (m.records.front() == nullptr) {
                    s.weight_bearing = Expected<WeightBearingResult>(
                        fail(ErrorCode::kUndefined, "weight bearing on one plate: " + who + ": " +
                                                        detail::missingOutcome(step).note));
                    break;
                }
                const TrialRecord& t = *m.records.front();
                const TrialOutcome o = checkTrial(t, step.duration_s, in.check);
                if (!o.usable) {
                    s.weight_bearing = Expected<WeightBearingResult>(fail(
                        ErrorCode::kUndefined,
                        "weight bearing on one plate: " + who + ": " + o.note + "; not scored"));
                    break;
                }
                const Signal2 cop = absoluteCop(t);
                s.weight_bearing =
                    weightBearingFromCop(cop.col(0), in.foot_x_m->first, in.foot_x_m->second);
            } else {
                s.weight_bearing = Expected<WeightBearingResult>(
                    fail(ErrorCode::kInvalidArgument,
                         "weight bearing needs the two plates' loads or, on one plate, a trial "
                         "and the feet's positions"));
            }
            break;
    }
    // Normative comparison of the quiet-stance trials (eyes open/closed on firm/foam only).
    if (in.norm_subject &&
        (p->scoring == ScoringMethod::kMctsib || p->scoring == ScoringMethod::kRomberg)) {
        for (const TrialRecord& t : in.trials) {
            const Condition* c = p->findCondition(t.condition);
            if (c == nullptr)
                continue;
            TrialNorms n;
            n.condition = t.condition;
            n.repetition = t.repetition;
            const TrialOutcome o = checkTrial(t, p->trial_duration_s, in.check);
            if (!o.usable) {
                n.comparisons = fail(ErrorCode::kUndefined, o.note);
            } else {
                n.comparisons =
                    compareTraceWithNorms(t.cop, *in.norm_subject, c->vision, c->support);
            }
            s.norms.push_back(std::move(n));
        }
    }
    return s;
}

FlatSummary flattenSummary(const SessionSummary& s) {
    FlatSummary out;
    out.protocol_id = s.protocol_id;
    out.algorithm_version = s.algorithm_version;
    out.notes = s.notes;
    Flattener f(out);
    if (s.mctsib) {
        const MctsibResult& m = *s.mctsib;
        f.add("mctsib.composite_sway_velocity", m.composite_sway_velocity_deg_per_s, "deg/s",
              kMctsibSource);
        f.add("mctsib.composite_cop_velocity", m.composite_cop_velocity_mps, "m/s", kMctsibSource);
        flattenConditions(f, "mctsib", m.conditions, kMctsibSource);
        f.add("mctsib.somatosensory_ratio", m.somatosensory_ratio, "1", kMctsibSource);
        f.add("mctsib.visual_ratio", m.visual_ratio, "1", kMctsibSource);
        f.add("mctsib.vestibular_ratio", m.vestibular_ratio, "1", kMctsibSource);
        f.add("mctsib.romberg_quotient_velocity", m.romberg_quotient_velocity, "1", kRombergSource);
        f.add("mctsib.romberg_quotient_area", m.romberg_quotient_area, "1", kRombergSource);
        out.notes.insert(out.notes.end(), m.notes.begin(), m.notes.end());
    }
    if (s.romberg) {
        const RombergResult& r = *s.romberg;
        f.add("romberg.quotient_velocity", r.quotient_velocity, "1", kRombergSource);
        f.add("romberg.quotient_area", r.quotient_area, "1", kRombergSource);
        f.add("romberg.quotient_sway_velocity", r.quotient_sway_velocity, "1", kRombergSource);
        flattenConditions(f, "romberg", r.conditions, kRombergSource);
        out.notes.insert(out.notes.end(), r.notes.begin(), r.notes.end());
    }
    if (s.sot) {
        const SotResult& r = *s.sot;
        f.add("sot.composite", r.composite, "points", kSotSource);
        for (std::size_t c = 0; c < r.condition_scores.size(); ++c)
            f.add("sot.condition_" + std::to_string(c + 1), r.condition_scores[c], "points",
                  kSotSource);
        f.add("sot.somatosensory_ratio", r.somatosensory_ratio, "1", kSotSource);
        f.add("sot.visual_ratio", r.visual_ratio, "1", kSotSource);
        f.add("sot.vestibular_ratio", r.vestibular_ratio, "1", kSotSource);
        f.add("sot.visual_preference_ratio", r.visual_preference_ratio, "1", kSotSource);
        out.notes.insert(out.notes.end(), r.notes.begin(), r.notes.end());
    }
    if (s.los) {
        const LosResult& r = *s.los;
        f.add("los.reaction_time", r.reaction_time_s, "s", kLosSource);
        f.add("los.movement_velocity", r.movement_velocity_deg_per_s, "deg/s", kLosSource);
        f.add("los.endpoint_excursion", r.endpoint_excursion_percent, "%", kLosSource);
        f.add("los.maximum_excursion", r.maximum_excursion_percent, "%", kLosSource);
        f.add("los.directional_control", r.directional_control_percent, "%", kLosSource);
        for (const LosDirectionScore& d : r.directions) {
            const std::string p = "los." + d.outcome.condition + ".";
            f.add(p + "reaction_time", d.reaction_time_s, "s", kLosSource);
            f.add(p + "movement_velocity", d.movement_velocity_deg_per_s, "deg/s", kLosSource);
            f.add(p + "endpoint_excursion", d.endpoint_excursion_percent, "%", kLosSource);
            f.add(p + "maximum_excursion", d.maximum_excursion_percent, "%", kLosSource);
            f.add(p + "directional_control", d.directional_control_percent, "%", kLosSource);
        }
        out.notes.insert(out.notes.end(), r.notes.begin(), r.notes.end());
    }
    for (const SingleLegResult& r : s.single_leg) {
        f.add("single_leg." + r.condition + "." + std::to_string(r.repetition) + ".time", r.time_s,
              "s", std::string(kSlsSource) + "; " + r.reason);
    }
    if (s.weight_bearing) {
        if (*s.weight_bearing) {
            const WeightBearingResult& w = **s.weight_bearing;
            const std::string src = std::string(kWbsSource) + " (" + w.method + ")";
            f.add("weight_bearing.left_percent", w.left_percent, "%", src);
            f.add("weight_bearing.right_percent", w.right_percent, "%", src);
            f.add("weight_bearing.symmetry_ratio", w.symmetry_ratio, "1", src);
            f.add("weight_bearing.asymmetry_index", w.asymmetry_index_percent, "%", src);
        } else {
            f.missing("weight_bearing", s.weight_bearing->error().message);
        }
    }
    for (const QuestionnaireScore& q : s.questionnaires) {
        const InstrumentInfo& info = instrumentInfo(q.instrument);
        const std::string key(info.key);
        const std::string unit = q.instrument == Instrument::kAbc ? "%" : "points";
        f.add(key + "_total", q.total, unit, q.source);
        for (const Subscore& sub : q.subscales)
            f.add(key + "_" + sub.name, sub.value, unit, q.source);
    }
    for (const TrialNorms& n : s.norms) {
        const std::string p = "norms." + n.condition + "." + std::to_string(n.repetition) + ".";
        if (!n.comparisons) {
            f.missing(p + "*", n.comparisons.error().message);
            continue;
        }
        for (const NormComparison& c : *n.comparisons) {
            const std::string table =
                c.row.table == NormTableKind::kByAgeBand ? "age_band" : "age_group_sex";
            const std::string q = p + table + "." + c.metric + ".";
            f.add(q + "band",
                  c.band == NormBand::kBelowP5 ? -1.0 : (c.band == NormBand::kAboveP95 ? 1.0 : 0.0),
                  "band", c.source);
            if (c.percentile) {
                f.add(q + "percentile", *c.percentile, "%", c.source);
            } else {
                f.missing(q + "percentile", "the value lies " + std::string(normBandName(c.band)) +
                                                ", beyond the tabulated percentiles");
            }
            for (const std::string& cav : c.caveats) {
                const std::string note = p + "*: " + cav;
                if (std::find(out.notes.begin(), out.notes.end(), note) == out.notes.end())
                    out.notes.push_back(note);
            }
        }
    }
    return out;
}

}  // namespace stance::analysis
