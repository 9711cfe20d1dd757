#pragma once
/// \file
/// The results of one session as the results page and the report show them: each condition's
/// sway values with their normative comparison (inside p5-p95 or outside, percentile, source),
/// the protocol scores, the questionnaires, and each trial's COP path with its 95 % prediction
/// ellipse for side-by-side stabilograms.
///
/// Everything is computed from the session's recordings (the stance-hdf5 files the catalog
/// names) with the analysis core: analysis::summarizeSession (protocol scoring and
/// compareTraceWithNorms per trial), analysis::compareValueWithNorms (condition means),
/// analysis::predictionEllipse95 (ellipses). Display units: mm, mm/s, mm^2, deg/s, points, %.
///
/// Thread rules: pure functions of the catalog passed in, on the calling thread. Loading a
/// 12-trial mCTSIB session reads 12 trials and takes a few tens of milliseconds.

#include <optional>
#include <string>
#include <vector>

#include "stance/analysis/norms.hpp"
#include "stance/analysis/protocol.hpp"
#include "stance/analysis/questionnaire.hpp"
#include "stance/analysis/summary.hpp"
#include "stance/analysis/sway_metrics.hpp"
#include "stance/datasets/catalog.hpp"

namespace stance::app {

/// A point of a chart in the chart's own units (metres for stabilograms, session index or
/// seconds against a value for time charts).
struct PlotPoint {
    double x = 0.0;
    double y = 0.0;
    friend bool operator==(const PlotPoint&, const PlotPoint&) = default;
};

/// Outline of a prediction ellipse centred on `centre`: `n` points, closed (the first point is
/// repeated at the end), in the ellipse's units. The major axis makes major_axis_angle_deg with
/// +x (towards +y).
std::vector<PlotPoint> ellipseOutline(const analysis::PredictionEllipse& ellipse, PlotPoint centre,
                                      int n = 72);

/// One trial's COP path for a stabilogram.
struct Stabilogram {
    std::string condition;
    int repetition = 1;
    double duration_s = 0.0;
    /// COP about its mean (m), plate frame: x medio-lateral (right +), y antero-posterior
    /// (anterior +). Evenly decimated to at most ResultsOptions::max_path_points.
    std::vector<PlotPoint> path_m;
    /// 95 % prediction ellipse of the full-rate COP (Schubert & Kirchner 2014 as in
    /// analysis::predictionEllipse95) and its outline about the mean.
    std::optional<analysis::PredictionEllipse> ellipse;
    std::vector<PlotPoint> ellipse_m;
};

/// A value compared with the normative table (display units).
struct NormResult {
    std::string metric;  ///< "bds_cop_area", "bds_cop_velocity", "bds_cop_mean_frequency"
    std::string label;   ///< "Sway area (95 % ellipse)", "COP velocity", "Mean frequency"
    std::string unit;    ///< "mm^2", "mm/s", "Hz"
    double value = 0.0;
    double p5 = 0.0, p50 = 0.0, p95 = 0.0;  ///< the row's percentiles
    analysis::NormBand band = analysis::NormBand::kWithinP5P95;
    std::optional<double> percentile;  ///< interpolated; none outside p5-p95
    std::string group;                 ///< "women aged 18-59", "adults aged 40-59"
    std::string table;                 ///< analysis::normTableName of the row's table
    int n_subjects = 0;
    std::string source;  ///< "Santos & Duarte 2016" (the full citation: SessionResults)
    std::vector<std::string> caveats;
};

/// One recorded (or expected but missing) trial.
struct TrialResult {
    int repetition = 1;
    std::string status;   ///< "complete", "fall", "aborted", "missing"
    bool usable = false;  ///< scored (long enough, no fall, not aborted)
    std::string note;     ///< why not usable / how a fall was found; "" when clean
    std::optional<double> cop_velocity_mm_s;
    std::optional<double> cop_area_mm2;
    std::optional<double> sway_velocity_deg_s;
    /// Band of this trial's area and velocity against the norms (Santos & Duarte 2016 rows).
    std::vector<NormResult> norms;
    std::optional<Stabilogram> stabilogram;  ///< when the trial has a COP
    datasets::CatalogId trial_id = 0;        ///< 0 when missing
};

/// One condition of the protocol.
struct ConditionResult {
    std::string condition;  ///< "ec_foam"
    std::string label;      ///< "Eyes closed, foam"
    analysis::Vision vision = analysis::Vision::kOpen;
    analysis::Support support = analysis::Support::kFirm;
    int n_usable = 0;
    int n_expected = 0;
    /// Means over the usable trials (analysis::ConditionSummary), display units.
    std::optional<double> cop_velocity_mm_s;
    std::optional<double> cop_area_mm2;
    std::optional<double> sway_velocity_deg_s;
    std::string missing_reason;  ///< why the means are missing; "" otherwise
    /// The condition means compared with the patient's row (age group x sex when the sex is
    /// known, else age band): COP area and velocity. Empty when the patient has no norm row
    /// (unknown age, sway-referenced condition) or no mean exists.
    std::vector<NormResult> norms;
    std::vector<TrialResult> trials;  ///< in repetition order
    /// Index in `trials` of the trial to draw (the usable one with the median ellipse area, else
    /// the first with a path); -1 when none has a path.
    int representative = -1;
};

/// A protocol score (composite, ratio, quotient...).
struct ScoreResult {
    std::string name;             ///< flat summary name ("mctsib.composite_sway_velocity")
    std::string label;            ///< "Composite sway velocity"
    std::optional<double> value;  ///< display unit
    std::string unit;             ///< display unit
    std::string source;
    std::string missing_reason;  ///< when no value
};

/// A scored questionnaire of the session.
struct QuestionnaireResult {
    std::string key;   ///< "dhi", "abc", "vas", "vss_sf"
    std::string name;  ///< "Dizziness Handicap Inventory"
    double total = 0.0;
    double max_total = 0.0;
    std::string unit;  ///< "points" or "%"
    std::vector<analysis::Subscore> subscales;
    std::string band;  ///< severity band, "" when the instrument defines none
    std::string band_source;
    std::string source;
};

/// Everything the results page and the report show about a session.
struct SessionResults {
    datasets::Patient patient;
    datasets::Session session;
    std::optional<int> age_years;  ///< at the session
    std::string protocol_name;
    std::string protocol_source;
    std::vector<ConditionResult> conditions;  ///< protocol order
    std::vector<ScoreResult> scores;
    std::vector<QuestionnaireResult> questionnaires;
    /// Who the norms were chosen for; none when age or protocol do not allow a comparison.
    std::optional<analysis::NormSubject> norm_subject;
    std::string norm_group;          ///< "women aged 18-59" (the table used for condition means)
    std::string norm_source;         ///< analysis::kNormSource
    std::vector<std::string> notes;  ///< scoring notes and caveats, each once
    /// The flat summary (names of docs/clinical.md), as analyzeAndStoreSession stores it.
    analysis::FlatSummary flat;
};

struct ResultsOptions {
    std::size_t max_path_points = 1500;  ///< per stabilogram
    int ellipse_points = 72;
};

/// Loads and scores a session. Throws AppError for an unknown session id or a session whose
/// protocol is not built in; datasets::DatasetError when a recording named by the catalog is
/// missing or damaged (the message names the file and the trial). Trials without a recording
/// appear as "missing".
SessionResults loadSessionResults(const datasets::Catalog& catalog, datasets::CatalogId session_id,
                                  const ResultsOptions& options = {});

/// Scores a session (as loadSessionResults) and stores its flat summary (putSessionSummary),
/// each trial's full metric set with the clinical pipeline (putTrialMetrics, complexity metrics
/// left out) and the session's eyes-closed firm means of `mean_velocity_ML` and `rms_ML`
/// (summary names `mctsib.ec_firm.mean_velocity_ML`, `mctsib.ec_firm.rms_ML`, the scores that
/// have a minimal detectable change in analysis::changeThresholds), all in one transaction.
/// Returns the stored summary values.
std::vector<datasets::SummaryValue> analyzeAndStoreSession(datasets::Catalog& catalog,
                                                           datasets::CatalogId session_id);

/// Display helpers shared by the pages and the report.
/// A session's start for people to read: "2024-01-08 09:00 UTC"; a start the source gave in the
/// site's local time without its UTC offset, "2015-10-08 08:30, local time of the laboratory (not
/// UTC)" (Session::time_zone, never labelled UTC); a start known only by its date, "2015-10-08".
std::string sessionStartLabel(const datasets::Session& s);
std::string conditionLabel(std::string_view condition_id);  ///< "Eyes closed, foam"
/// "eyes closed on foam" (for sentences).
std::string conditionPhrase(std::string_view condition_id);
/// "women aged 18-59", "men aged 60 and over", "adults aged 40-59".
std::string normGroupLabel(const analysis::NormRow& row);

}  // namespace stance::app
