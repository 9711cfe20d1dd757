#pragma once
/// \file
/// Clinical balance protocols as data: an ordered list of conditions x repetitions x durations
/// with instructions and rests, and the recorded trials that scoring functions take.
///
/// Condition identifiers are the `condition` attribute of stance-hdf5 trials (DESIGN.md):
/// `eo_firm`, `ec_foam`, `sot1` .. `sot6`, `los_f`, `sls_left_eo`, ... Protocol definitions,
/// durations and their sources: docs/clinical.md, "Protocols".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/trace.hpp"

namespace stance::analysis {

/// What the eyes see.
enum class Vision {
    kOpen,
    kClosed,
    kSwayReferenced,  ///< eyes open, the visual surround follows the body's sway (SOT 3, 6)
};

/// What the feet stand on.
enum class Support {
    kFirm,
    kFoam,
    kSwayReferenced,  ///< the platform follows the body's AP sway (SOT 4, 5, 6)
};

enum class Stance {
    kFeetTogether,    ///< feet side by side, touching (Romberg, mCTSIB)
    kComfortable,     ///< the device's standard foot placement (SOT, LOS, weight bearing)
    kSingleLegLeft,   ///< standing on the left leg
    kSingleLegRight,  ///< standing on the right leg
};

std::string_view visionName(Vision v) noexcept;    ///< "open", "closed", "sway_referenced"
std::string_view supportName(Support s) noexcept;  ///< "firm", "foam", "sway_referenced"
std::string_view stanceName(Stance s) noexcept;    ///< "feet_together", "comfortable", ...

/// How a protocol's trials are scored (the functions of scoring.hpp).
enum class ScoringMethod {
    kMctsib,             ///< scoreMctsib
    kRomberg,            ///< scoreRomberg
    kSot,                ///< scoreSot
    kSingleLegStance,    ///< scoreSingleLegStance per trial
    kLimitsOfStability,  ///< scoreLimitsOfStability
    kWeightBearing,      ///< weightBearingFromForces / weightBearingFromCop per trial
};
std::string_view scoringMethodName(ScoringMethod m) noexcept;

/// One test condition.
struct Condition {
    std::string id;     ///< stable identifier stored with each trial
    std::string label;  ///< short human-readable name
    Vision vision = Vision::kOpen;
    Support support = Support::kFirm;
    Stance stance = Stance::kFeetTogether;
    /// Limits of stability only: target direction in degrees, clockwise seen from above, 0 =
    /// forwards (+y), 90 = to the right (+x).
    std::optional<double> direction_deg;
    std::string instructions;  ///< what the operator tells the subject
};

/// One trial of the schedule.
struct ProtocolStep {
    int index = 0;  ///< 0-based position in the schedule
    std::string condition;
    int repetition = 1;  ///< 1-based within its condition
    double duration_s = 0.0;
    double rest_after_s = 0.0;  ///< rest before the next trial (0 after the last)
    std::string instructions;
};

/// Trial order: each condition's repetitions one after the other, or rounds through all
/// conditions.
enum class TrialOrder { kBlocked, kRounds };

struct Protocol {
    std::string id;  ///< `mctsib`, `romberg`, `sot`, `single_leg_stance`, `limits_of_stability`,
                     ///< `weight_bearing`
    std::string name;
    std::string version;
    ScoringMethod scoring = ScoringMethod::kMctsib;
    std::vector<Condition> conditions;  ///< in presentation order
    int repetitions = 1;
    double trial_duration_s = 0.0;  ///< planned (for single-leg stance: the maximum)
    double rest_s = 0.0;            ///< between trials
    TrialOrder order = TrialOrder::kBlocked;
    std::string instructions;  ///< general instructions for the session
    std::string source;        ///< where the protocol is defined

    /// The ordered list of trials (conditions x repetitions), with durations and rests.
    std::vector<ProtocolStep> schedule() const;
    /// The condition with this id, or nullptr.
    const Condition* findCondition(std::string_view condition_id) const noexcept;
    /// Planned session length: trials plus rests, seconds.
    double totalDurationS() const;
};

/// The built-in protocols, in a stable order. Function-local static, built once, read-only.
const std::vector<Protocol>& builtinProtocols();
/// A built-in protocol by id, or nullptr.
const Protocol* findProtocol(std::string_view id) noexcept;

/// A trial's status as the recorder stores it (stance-hdf5 `status`).
enum class TrialStatus { kComplete, kAborted, kFall };
std::string_view trialStatusName(TrialStatus s) noexcept;  ///< "complete", "aborted", "fall"
std::optional<TrialStatus> parseTrialStatus(std::string_view name) noexcept;

/// A recorded trial as the scoring functions take it.
struct TrialRecord {
    std::string condition;  ///< Condition::id
    int repetition = 1;
    TrialStatus status = TrialStatus::kComplete;
    double event_time_s = -1.0;  ///< time of the fall or abort from the trial start; < 0 unknown
    /// COP in the plate frame, uniformly sampled, *not filtered* (preprocess with Pipeline::kRaw):
    /// the scores apply their own COM filter and the norms need the raw COP. removed_mean_m
    /// restores absolute positions.
    UniformTrace cop;
    /// Optional vertical force (N), one sample per COP sample: enables signal-based detection of
    /// falls, stepping off and (single-leg stance) touch-down of the lifted foot.
    Eigen::VectorXd vertical_force_n;
    /// Optional horizontal ground-reaction force on the subject (N), plate frame, one row per COP
    /// sample: col 0 Fx (ML, right +), col 1 Fy (AP, anterior +); empty = not measured. With it
    /// the quiet-stance scores take the COM from comFromZeroPointIntegration (Zatsiorsky & King
    /// 1998) instead of comFromCopLowPass, and say so (QuietTrialScore::com_estimator). The
    /// integration needs the body mass: body_mass_kg, else BodyParameters::mass_kg, else the
    /// mean vertical force / g. The force should be free of noise that crosses zero (filter it
    /// first): every zero crossing pins the COM to the COP.
    Signal2 horizontal_force_n;
    /// Body mass for that integration, kg; 0 = from the body parameters or the vertical force.
    double body_mass_kg = 0.0;
    double cue_time_s = 0.0;  ///< limits of stability: when the target was shown
    /// The duration this trial was planned for when it was recorded, s; 0 = the protocol's.
    /// A clinic may run a protocol with shorter trials; the trial is then judged complete
    /// against its own plan (the caller notes that its values are not comparable with the
    /// protocol's standard duration).
    double planned_duration_s = 0.0;
};

/// The absolute COP of a trial (xy_m + removed_mean_m).
Signal2 absoluteCop(const TrialRecord& trial);

/// Duration of a trial: samples / rate.
double trialDurationS(const TrialRecord& trial);

}  // namespace stance::analysis
