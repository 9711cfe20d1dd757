#pragma once
/// \file
/// Scoring of the built-in protocols from recorded trials: mCTSIB, Romberg, SOT, single-leg
/// stance, limits of stability, weight-bearing symmetry. Pure functions; every value that the
/// trials leave undefined (a missing condition, a trial too short, a fall) is an Error that says
/// which trial and why, never a silent number. Formulas and sources: docs/clinical.md.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/com.hpp"
#include "stance/analysis/expected.hpp"
#include "stance/analysis/protocol.hpp"

namespace stance::analysis {

/// When a recorded trial counts.
struct TrialCheckOptions {
    /// A trial shorter than this share of the planned duration is "too short".
    double min_duration_fraction = 0.95;
    /// Fall / step-off detection from the vertical force: below this share of the trial's
    /// standing load (90th percentile of the vertical force) ...
    double fall_force_fraction = 0.5;
    /// ... for at least this long.
    double fall_min_duration_s = 0.1;
};

/// What happened to one expected trial.
struct TrialOutcome {
    std::string condition;
    int repetition = 1;
    bool recorded = false;  ///< a TrialRecord was given for it
    bool usable = false;    ///< long enough, not aborted, no fall: its sway metrics are scored
    bool fall = false;      ///< a fall was recorded by the operator or detected in the signals
    double fall_time_s = -1.0;
    std::string note;  ///< why it is not usable / how the fall was found; empty when clean
};

/// First time (s) the vertical force stays below fall_force_fraction x its standing load for
/// fall_min_duration_s, or nothing (also when the trial has no vertical force).
std::optional<double> detectFall(const TrialRecord& trial, const TrialCheckOptions& options = {});

/// Checks one trial against its planned duration (the trial's own planned_duration_s when set,
/// else `planned_duration_s`, the protocol's): aborted, fall (recorded or detected), too short,
/// no samples, non-finite COP.
TrialOutcome checkTrial(const TrialRecord& trial, double planned_duration_s,
                        const TrialCheckOptions& options = {});

/// How the COM (and so the sway angles) of a trial was estimated.
enum class ComEstimator {
    kNone,                  ///< no COM: the trial was not scored or the model is unknown
    kCopLowPass,            ///< comFromCopLowPass (Caron et al. 1997): the COP alone
    kZeroPointIntegration,  ///< comFromZeroPointIntegration (Zatsiorsky & King 1998)
};
/// "none", "cop_low_pass", "zero_point_integration"
std::string_view comEstimatorName(ComEstimator e) noexcept;

/// Quiet-stance values of one trial.
struct QuietTrialScore {
    TrialOutcome outcome;
    Expected<double> cop_velocity_mps = fail(ErrorCode::kUndefined, "not scored");
    Expected<double> cop_area_m2 = fail(ErrorCode::kUndefined, "not scored");
    /// COM sway-angle path (ML and AP together) / duration, degrees per second, over the samples
    /// whose COM is trusted: the low-pass COM without its end transients (comEdgeSamples), the
    /// integrated COM between the first and the last zero point of its force.
    Expected<double> sway_velocity_deg_per_s = fail(ErrorCode::kUndefined, "not scored");
    /// Peak-to-peak AP COM sway angle over the whole trial (NeuroCom's SOT), degrees.
    Expected<double> ap_sway_peak_to_peak_deg = fail(ErrorCode::kUndefined, "not scored");
    /// Which COM estimate the angle values come from.
    ComEstimator com_estimator = ComEstimator::kNone;
    /// When horizontal forces were given but not used: why (the low-pass COM was used instead).
    std::string com_note;
};

/// Quiet-stance values of one trial (no check against a protocol): COP velocity and area as
/// Santos & Duarte 2016 define them (bds_cop_velocity, bds_cop_area of sway_metrics.hpp), COM
/// sway angles from comFromZeroPointIntegration when the trial has horizontal forces and a body
/// mass is known (trial.body_mass_kg, else `body_mass_kg`, else the mean vertical force / g),
/// otherwise from comFromCopLowPass. `model` may be an error (unknown height): the angle values
/// then carry it.
QuietTrialScore scoreQuietTrial(const TrialRecord& trial, const Expected<PendulumModel>& model,
                                double body_mass_kg = 0.0);

/// Means over the usable trials of one condition.
struct ConditionSummary {
    std::string condition;
    int n_usable = 0;
    int n_expected = 0;
    Expected<double> cop_velocity_mps = fail(ErrorCode::kUndefined, "not scored");
    Expected<double> cop_area_m2 = fail(ErrorCode::kUndefined, "not scored");
    Expected<double> sway_velocity_deg_per_s = fail(ErrorCode::kUndefined, "not scored");
};

/// Modified Clinical Test of Sensory Interaction on Balance (4 conditions x 3 trials).
struct MctsibResult {
    std::vector<QuietTrialScore> trials;       ///< every scheduled trial, in schedule order
    std::vector<ConditionSummary> conditions;  ///< eo_firm, ec_firm, eo_foam, ec_foam
    /// Mean COM sway velocity of the 12 trials (NeuroCom-style composite); an error naming
    /// every trial that is missing, too short or fell.
    Expected<double> composite_sway_velocity_deg_per_s = fail(ErrorCode::kUndefined, "");
    /// Mean COP velocity of the 12 trials.
    Expected<double> composite_cop_velocity_mps = fail(ErrorCode::kUndefined, "");
    /// Stance's sway-velocity analogues of the SOT sensory ratios (foam standing in for the
    /// sway-referenced platform): v(eo_firm) / v(ec_firm), v(eo_firm) / v(eo_foam),
    /// v(eo_firm) / v(ec_foam); 1 = as steady as with all senses, lower = less steady.
    Expected<double> somatosensory_ratio = fail(ErrorCode::kUndefined, "");
    Expected<double> visual_ratio = fail(ErrorCode::kUndefined, "");
    Expected<double> vestibular_ratio = fail(ErrorCode::kUndefined, "");
    /// Romberg quotients (eyes closed / eyes open) on the firm surface.
    Expected<double> romberg_quotient_velocity = fail(ErrorCode::kUndefined, "");
    Expected<double> romberg_quotient_area = fail(ErrorCode::kUndefined, "");
    /// Trials ignored (unknown condition, duplicates); the COM estimator when a trial had
    /// horizontal forces (used, or why not).
    std::vector<std::string> notes;
};
MctsibResult scoreMctsib(const std::vector<TrialRecord>& trials, const BodyParameters& body,
                         const TrialCheckOptions& check = {});

/// Romberg test: eyes open and eyes closed, firm surface.
struct RombergResult {
    std::vector<QuietTrialScore> trials;
    std::vector<ConditionSummary> conditions;  ///< eo_firm, ec_firm
    /// Eyes-closed / eyes-open ratio of the condition means (Van Parys JA, Njiokiktjien CJ,
    /// 1976, "Romberg's sign expressed in a quotient", Agressologie 17:95-99).
    Expected<double> quotient_velocity = fail(ErrorCode::kUndefined, "");
    Expected<double> quotient_area = fail(ErrorCode::kUndefined, "");
    Expected<double> quotient_sway_velocity = fail(ErrorCode::kUndefined, "");
    std::vector<std::string> notes;
};
RombergResult scoreRomberg(const std::vector<TrialRecord>& trials, const BodyParameters& body,
                           const TrialCheckOptions& check = {});

/// Sensory Organization Test, for systems that supply its six conditions (the sway-referenced
/// ones need a moving platform / surround). Equilibrium score of a trial (NeuroCom):
///   ES = (12.5 - (theta_max - theta_min)) / 12.5 x 100,
/// theta the AP COM sway angle in degrees over the whole trial; a fall scores 0, and so does a
/// peak-to-peak sway beyond 12.5 deg (noted).
struct SotTrialScore {
    TrialOutcome outcome;
    Expected<double> equilibrium_score = fail(ErrorCode::kUndefined, "not scored");
    /// Over the whole trial, as NeuroCom scores it (no end samples dropped).
    Expected<double> ap_sway_peak_to_peak_deg = fail(ErrorCode::kUndefined, "not scored");
    ComEstimator com_estimator = ComEstimator::kNone;  ///< as QuietTrialScore
    std::string com_note;                              ///< as QuietTrialScore
};
struct SotResult {
    std::vector<SotTrialScore> trials;  ///< 18, schedule order
    std::array<Expected<double>, 6> condition_scores{
        ///< mean ES of each condition's trials
        fail(ErrorCode::kUndefined, ""), fail(ErrorCode::kUndefined, ""),
        fail(ErrorCode::kUndefined, ""), fail(ErrorCode::kUndefined, ""),
        fail(ErrorCode::kUndefined, ""), fail(ErrorCode::kUndefined, "")};
    /// (mean C1 + mean C2 + each trial of C3..C6) / 14.
    Expected<double> composite = fail(ErrorCode::kUndefined, "");
    /// SOM = C2/C1, VIS = C4/C1, VEST = C5/C1, PREF = (C3 + C6) / (C2 + C5), on condition means.
    Expected<double> somatosensory_ratio = fail(ErrorCode::kUndefined, "");
    Expected<double> visual_ratio = fail(ErrorCode::kUndefined, "");
    Expected<double> vestibular_ratio = fail(ErrorCode::kUndefined, "");
    Expected<double> visual_preference_ratio = fail(ErrorCode::kUndefined, "");
    std::vector<std::string> notes;
};
SotResult scoreSot(const std::vector<TrialRecord>& trials, const BodyParameters& body,
                   const TrialCheckOptions& check = {});

/// How single-leg stance is detected as lost (Stance's rules, docs/clinical.md).
struct SingleLegOptions {
    double max_time_s = 30.0;  ///< the test ends as held at this time
    /// The stance is lost when the vertical force drops by this share of its reference (the
    /// lifted foot or a hand takes weight off the plate) ...
    double force_drop_fraction = 0.25;
    /// ... or the COP leaves the stance foot: further than this from its reference position
    /// (ML / AP), which one foot's support area cannot produce ...
    double cop_ml_limit_m = 0.06;
    double cop_ap_limit_m = 0.12;
    /// ... for at least this long.
    double sustain_s = 0.1;
    /// References: median vertical force and COP over the first window of the trial.
    double reference_window_s = 1.0;
};
enum class StanceEnd { kHeld, kForceDrop, kCopExcursion, kRecordedFall, kRecordingEnded };
std::string_view stanceEndName(StanceEnd e) noexcept;
struct SingleLegResult {
    std::string condition;
    int repetition = 1;
    Expected<double> time_s = fail(ErrorCode::kUndefined, "not scored");  ///< time in stance
    StanceEnd end = StanceEnd::kHeld;
    std::string reason;  ///< how the end was found, with its time
};
SingleLegResult scoreSingleLegStance(const TrialRecord& trial,
                                     const SingleLegOptions& options = {});

/// Limits of stability (NeuroCom definitions, operationalised in docs/clinical.md).
struct LosOptions {
    /// Theoretical limits of stability (deg of COM sway angle): NeuroCom's 12.5 deg AP split as
    /// 8.0 forwards / 4.5 backwards, and 8.0 to each side (16 deg ML). Diagonal limits lie on
    /// the ellipse quadrant through the neighbouring axis limits.
    double forward_limit_deg = 8.0;
    double backward_limit_deg = 4.5;
    double lateral_limit_deg = 8.0;
    double target_fraction = 1.0;  ///< targets at this share of the limit (NeuroCom: 100 %)
    double baseline_s = 1.0;       ///< COM before the cue over this window = the centre
    double onset_fraction = 0.1;   ///< movement onset / end at this share of peak velocity
    double min_peak_velocity_deg_per_s = 1.0;  ///< below it: no movement towards the target
};
/// Limit of stability (deg) in a direction (0 = forwards, clockwise).
double losLimitDeg(double direction_deg, const LosOptions& options = {});
struct LosDirectionScore {
    TrialOutcome outcome;
    double direction_deg = 0.0;
    double target_deg = 0.0;         ///< target sway angle
    double target_distance_m = 0.0;  ///< the same target as a COM excursion: L tan(target)
    Expected<double> reaction_time_s = fail(ErrorCode::kUndefined, "not scored");
    Expected<double> movement_velocity_deg_per_s = fail(ErrorCode::kUndefined, "not scored");
    Expected<double> endpoint_excursion_percent = fail(ErrorCode::kUndefined, "not scored");
    Expected<double> maximum_excursion_percent = fail(ErrorCode::kUndefined, "not scored");
    Expected<double> directional_control_percent = fail(ErrorCode::kUndefined, "not scored");
};
struct LosResult {
    std::vector<LosDirectionScore> directions;  ///< the 8 directions in protocol order
    /// Means over the 8 directions; an error naming the directions without a value.
    Expected<double> reaction_time_s = fail(ErrorCode::kUndefined, "");
    Expected<double> movement_velocity_deg_per_s = fail(ErrorCode::kUndefined, "");
    Expected<double> endpoint_excursion_percent = fail(ErrorCode::kUndefined, "");
    Expected<double> maximum_excursion_percent = fail(ErrorCode::kUndefined, "");
    Expected<double> directional_control_percent = fail(ErrorCode::kUndefined, "");
    std::vector<std::string> notes;
};
LosResult scoreLimitsOfStability(const std::vector<TrialRecord>& trials, const BodyParameters& body,
                                 const LosOptions& options = {},
                                 const TrialCheckOptions& check = {});

/// Weight-bearing symmetry.
struct WeightBearingResult {
    double left_percent = 0.0;   ///< share of the body weight on the left foot, %
    double right_percent = 0.0;  ///< on the right foot, %
    /// smaller / larger share (1 = symmetric).
    double symmetry_ratio = 0.0;
    /// (right - left) / ((right + left) / 2) x 100 (Robinson RO, Herzog W, Nigg BM, 1987, J
    /// Manipulative Physiol Ther 10(4):172-176); + = more weight on the right.
    double asymmetry_index_percent = 0.0;
    std::string method;  ///< "dual_plate" or "cop_lever_rule"
};
/// From the vertical forces under each foot (two plates), time-averaged. Errors: sizes differ,
/// empty, non-finite, mean total force <= 0, a negative mean.
Expected<WeightBearingResult> weightBearingFromForces(
    const Eigen::Ref<const Eigen::VectorXd>& left_n,
    const Eigen::Ref<const Eigen::VectorXd>& right_n);
/// From a single plate: each foot's load acts at its centre (x positions in the plate frame), so
/// the right share is (mean COP x - left x) / (right x - left x) (lever rule, static).
/// Errors: right_x <= left_x, the mean COP outside the two feet, empty or non-finite COP.
Expected<WeightBearingResult> weightBearingFromCop(const Eigen::Ref<const Eigen::VectorXd>& cop_x_m,
                                                   double left_foot_x_m, double right_foot_x_m);

}  // namespace stance::analysis
