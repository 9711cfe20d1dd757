#pragma once
/// \file
/// One per-session summary: the protocol's scores, the questionnaires and the normative
/// comparisons of a session, and a flat list of named values (name, value, unit, source) for the
/// catalog and the progress charts. Names are stable identifiers (docs/clinical.md lists them).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stance/analysis/com.hpp"
#include "stance/analysis/expected.hpp"
#include "stance/analysis/norms.hpp"
#include "stance/analysis/protocol.hpp"
#include "stance/analysis/questionnaire.hpp"
#include "stance/analysis/scoring.hpp"

namespace stance::analysis {

/// Version of the clinical scoring algorithms (protocol scores, COM, IMU sway, norms); bumped
/// whenever a summary value may change.
/// 1.1.0: SOT peak-to-peak over the whole trial; COM by zero-point integration when a trial has
/// horizontal forces; single-leg stance and one-plate weight bearing matched to the schedule.
inline constexpr const char* kClinicalAlgorithmVersion = "1.1.0";

/// Everything a session summary is computed from.
struct SessionInputs {
    std::string protocol_id;  ///< a built-in protocol (builtinProtocols)
    BodyParameters body;
    /// Age and sex for the normative comparison of quiet-stance trials; none = no comparison.
    std::optional<NormSubject> norm_subject;
    std::vector<TrialRecord> trials;
    std::vector<QuestionnaireScore> questionnaires;
    /// Weight bearing on one plate: the feet's x positions (left, right), plate frame, m.
    std::optional<std::pair<double, double>> foot_x_m;
    /// Weight bearing on two plates: the mean-load split measured by the caller.
    std::optional<WeightBearingResult> weight_bearing_measured;
    TrialCheckOptions check;
    SingleLegOptions single_leg;
    LosOptions los;
};

/// Normative comparison of one trial.
struct TrialNorms {
    std::string condition;
    int repetition = 1;
    Expected<std::vector<NormComparison>> comparisons = fail(ErrorCode::kUndefined, "");
};

/// The structured summary (what the app shows in detail).
struct SessionSummary {
    std::string protocol_id;
    std::string algorithm_version = kClinicalAlgorithmVersion;
    std::optional<MctsibResult> mctsib;
    std::optional<RombergResult> romberg;
    std::optional<SotResult> sot;
    std::optional<LosResult> los;
    /// Single-leg stance: one per scheduled trial, in schedule order; a trial without a record
    /// has a time_s error naming it ("sls_right_ec #3: no trial recorded").
    std::vector<SingleLegResult> single_leg;
    /// Weight bearing: on one plate from the scheduled `wbs` trial, refused with the reason when
    /// checkTrial does not pass it (aborted, fall, too short) or it is missing.
    std::optional<Expected<WeightBearingResult>> weight_bearing;
    std::vector<QuestionnaireScore> questionnaires;
    std::vector<TrialNorms> norms;
    std::vector<std::string> notes;
};

/// Scores a session. Errors: an unknown protocol id (the message lists the built-in ones). Data
/// problems (missing conditions, short trials, falls) are inside the summary with their reasons.
Expected<SessionSummary> summarizeSession(const SessionInputs& inputs);

/// A value the catalog stores and the app charts.
struct NamedValue {
    std::string name;    ///< dotted identifier: "mctsib.composite_sway_velocity", "dhi_total"
    double value = 0.0;  ///< finite
    std::string unit;    ///< "m/s", "deg/s", "m^2", "s", "%", "points", "1", "band"
    std::string source;  ///< where the definition comes from
};
/// A value the session should have had, and why it has none.
struct MissingValue {
    std::string name;
    std::string reason;
};
struct FlatSummary {
    std::string protocol_id;
    std::string algorithm_version;
    std::vector<NamedValue> values;
    std::vector<MissingValue> missing;
    std::vector<std::string> notes;
};

/// Flattens a summary. Every Expected becomes a NamedValue or a MissingValue; nothing is dropped.
/// Normative bands are coded -1 (below p5), 0 (within p5-p95), +1 (above p95), unit "band".
FlatSummary flattenSummary(const SessionSummary& summary);

}  // namespace stance::analysis
