// Limits of stability: NeuroCom's five measures from the COM sway-angle path of each direction.

#include <cmath>

#include "scoring_common.hpp"
#include "stance/analysis/scoring.hpp"

namespace stance::analysis {

using namespace detail;

namespace {

constexpr double kDegToRad = 1.0 / kRadToDeg;

LosDirectionScore scoreDirection(const TrialRecord& trial, const ProtocolStep& step,
                                 double direction_deg, const Expected<PendulumModel>& model,
                                 const LosOptions& o, const TrialCheckOptions& check) {
    LosDirectionScore s;
    s.direction_deg = direction_deg;
    s.target_deg = losLimitDeg(direction_deg, o) * o.target_fraction;
    if (model)
        s.target_distance_m = model->com_height_m * std::tan(s.target_deg * kDegToRad);
    s.outcome = checkTrial(trial, step.duration_s, check);
    const auto fail_all = [&s](const Error& e) {
        s.reaction_time_s = e;
        s.movement_velocity_deg_per_s = e;
        s.endpoint_excursion_percent = e;
        s.maximum_excursion_percent = e;
        s.directional_control_percent = e;
    };
    if (!s.outcome.usable) {
        fail_all(fail(ErrorCode::kUndefined, s.outcome.note));
        return s;
    }
    if (!model) {
        fail_all(model.error());
        return s;
    }
    const double fs = trial.cop.fs_hz;
    auto com = comFromCopLowPass(absoluteCop(trial), fs, *model);
    if (!com) {
        fail_all(com.error());
        return s;
    }
    const Eigen::Index n = com->rows();
    // Analysis window: the COM without its end transients (comEdgeSamples).
    const Eigen::Index lo = comEdgeSamples(*model, fs), hi = n - lo;
    const auto cue = static_cast<Eigen::Index>(std::llround(trial.cue_time_s * fs));
    if (trial.cue_time_s < 0.0 || cue < lo || cue >= hi - 2) {
        fail_all(fail(ErrorCode::kInvalidArgument,
                      "the cue at " + fmt(trial.cue_time_s, "%.2f") + " s must fall between " +
                          fmt(static_cast<double>(lo) / fs, "%.2f") + " and " +
                          fmt(static_cast<double>(hi - 2) / fs, "%.2f") +
                          " s of this trial (the COM estimate's end transients are skipped)"));
        return s;
    }
    // Centre: mean COM over the baseline window before the cue.
    const Eigen::Index b0 =
        std::max(lo, cue - static_cast<Eigen::Index>(std::llround(o.baseline_s * fs)));
    const Eigen::Index nb = std::max<Eigen::Index>(1, cue - b0);
    const Eigen::Vector2d centre = com->middleRows(b0, nb).colwise().mean().transpose();
    auto theta = swayAngleFromCom(*com, model->com_height_m, centre);
    if (!theta) {
        fail_all(theta.error());
        return s;
    }
    const Signal2 deg = *theta * kRadToDeg;
    const double phi = direction_deg * kDegToRad;
    const Eigen::Vector2d d(std::sin(phi), std::cos(phi));  // towards the target (ML, AP)
    const Eigen::Vector2d perp(std::cos(phi), -std::sin(phi));
    const Eigen::VectorXd along = deg * d;
    const Eigen::VectorXd across = deg * perp;
    Eigen::VectorXd speed(n);  // deg/s towards the target, central differences
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Index a = std::max<Eigen::Index>(0, i - 1);
        const Eigen::Index b = std::min<Eigen::Index>(n - 1, i + 1);
        speed(i) = (along(b) - along(a)) * fs / static_cast<double>(b - a);
    }
    Eigen::Index i_peak = cue;
    for (Eigen::Index i = cue; i < hi; ++i) {
        if (speed(i) > speed(i_peak))
            i_peak = i;
    }
    const double peak = speed(i_peak);
    if (!(peak >= o.min_peak_velocity_deg_per_s)) {
        fail_all(fail(ErrorCode::kUndefined, "no movement towards the target (peak speed " +
                                                 fmt(peak, "%.2f") + " deg/s)"));
        return s;
    }
    const double threshold = o.onset_fraction * peak;
    Eigen::Index onset = cue;
    while (onset < i_peak && speed(onset) < threshold)
        ++onset;
    Eigen::Index end = i_peak;
    while (end < hi - 1 && speed(end) > threshold)
        ++end;
    s.reaction_time_s = static_cast<double>(onset - cue) / fs;
    s.endpoint_excursion_percent = along(end) / s.target_deg * 100.0;
    s.maximum_excursion_percent = along.segment(cue, hi - cue).maxCoeff() / s.target_deg * 100.0;

    // Movement velocity: mean speed between 5 % and 95 % of the distance to the endpoint.
    const double start = along(onset), dist = along(end) - start;
    if (dist > 0.0) {
        Eigen::Index i5 = onset, i95 = onset;
        while (i5 < end && along(i5) < start + 0.05 * dist)
            ++i5;
        while (i95 < end && along(i95) < start + 0.95 * dist)
            ++i95;
        if (i95 > i5) {
            s.movement_velocity_deg_per_s = 0.9 * dist / (static_cast<double>(i95 - i5) / fs);
        } else {
            s.movement_velocity_deg_per_s =
                fail(ErrorCode::kUndefined, "the primary movement lasts less than one sample");
        }
    } else {
        s.movement_velocity_deg_per_s =
            fail(ErrorCode::kUndefined,
                 "the primary movement ends no further towards the target "
                 "than it started");
    }
    // Directional control over the primary movement: progress towards the target against
    // movement across it and back.
    double on = 0.0, off = 0.0;
    for (Eigen::Index i = onset + 1; i <= end; ++i) {
        const double da = along(i) - along(i - 1);
        (da > 0.0 ? on : off) += std::abs(da);
        off += std::abs(across(i) - across(i - 1));
    }
    if (on > 0.0) {
        s.directional_control_percent = (on - off) / on * 100.0;
    } else {
        s.directional_control_percent =
            fail(ErrorCode::kUndefined, "no progress towards the target in the primary movement");
    }
    return s;
}

}  // namespace

double losLimitDeg(double direction_deg, const LosOptions& o) {
    const double phi = direction_deg * kDegToRad;
    const double c = std::cos(phi), sn = std::sin(phi);
    const double ap = c >= 0.0 ? o.forward_limit_deg : o.backward_limit_deg;
    const double ml = o.lateral_limit_deg;
    return 1.0 / std::sqrt((c / ap) * (c / ap) + (sn / ml) * (sn / ml));
}

LosResult scoreLimitsOfStability(const std::vector<TrialRecord>& trials, const BodyParameters& body,
                                 const LosOptions& options, const TrialCheckOptions& check) {
    const Protocol& p = *findProtocol("limits_of_stability");
    const MatchedTrials m = matchTrials(p, trials);
    const Expected<PendulumModel> model = pendulumModel(body);
    LosResult r;
    r.notes = m.notes;
    for (std::size_t i = 0; i < m.steps.size(); ++i) {
        const ProtocolStep& step = m.steps[i];
        const double dir = *p.findCondition(step.condition)->direction_deg;
        if (m.records[i] == nullptr) {
            LosDirectionScore s;
            s.direction_deg = dir;
            s.target_deg = losLimitDeg(dir, options) * options.target_fraction;
            if (model)
                s.target_distance_m = model->com_height_m * std::tan(s.target_deg * kDegToRad);
            s.outcome = missingOutcome(step);
            const Error e = fail(ErrorCode::kUndefined, s.outcome.note);
            s.reaction_time_s = e;
            s.movement_velocity_deg_per_s = e;
            s.endpoint_excursion_percent = e;
            s.maximum_excursion_percent = e;
            s.directional_control_percent = e;
            r.directions.push_back(std::move(s));
            continue;
        }
        r.directions.push_back(scoreDirection(*m.records[i], step, dir, model, options, check));
    }
    const auto composite = [&r](Expected<double> LosDirectionScore::*field, const char* what) {
        std::vector<std::pair<std::string, const Expected<double>*>> items;
        for (const LosDirectionScore& d : r.directions)
            items.emplace_back(d.outcome.condition, &(d.*field));
        return meanOf(items, true, what);
    };
    r.reaction_time_s = composite(&LosDirectionScore::reaction_time_s, "LOS reaction time");
    r.movement_velocity_deg_per_s =
        composite(&LosDirectionScore::movement_velocity_deg_per_s, "LOS movement velocity");
    r.endpoint_excursion_percent =
        composite(&LosDirectionScore::endpoint_excursion_percent, "LOS endpoint excursion");
    r.maximum_excursion_percent =
        composite(&LosDirectionScore::maximum_excursion_percent, "LOS maximum excursion");
    r.directional_control_percent =
        composite(&LosDirectionScore::directional_control_percent, "LOS directional control");
    return r;
}

}  // namespace stance::analysis
