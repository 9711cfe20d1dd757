#pragma once
/// \file
/// Progress over a patient's sessions: series of chosen sway measures and dizziness scores, the
/// baseline's minimal clinically important difference (or minimal detectable change) as a band,
/// and each session's change from the baseline classified improved / unchanged / worse with
/// analysis::classifyChange against analysis::changeThresholds. Values come from the session
/// summaries the catalog stores (Catalog::summaryHistory), written by analyzeAndStoreSession and
/// saveQuestionnaire.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/change.hpp"
#include "stance/app/results.hpp"
#include "stance/datasets/catalog.hpp"

namespace stance::app {

enum class ProgressGroup {
    kSway,       ///< posturography (composite, velocities, areas, equilibrium scores)
    kDizziness,  ///< questionnaires (DHI, ABC, VAS, VSS-SF)
};

/// A measure that can be charted over sessions.
struct ProgressMetric {
    std::string key;          ///< session summary name ("dhi_total", "mctsib.ec_foam.cop_area")
    std::string label;        ///< "DHI total"
    std::string short_label;  ///< for sentences and axis titles: "DHI", "Sway area, EC foam"
    std::string unit;         ///< display unit ("points", "%", "mm/s", "mm^2", "deg/s")
    double scale = 1.0;       ///< display value = stored (SI) value x scale
    ProgressGroup group = ProgressGroup::kSway;
    bool lower_is_better = true;
    /// Name of the analysis::changeThresholds row that classifies it; "" when there is none.
    std::string threshold_score;
};

/// Every measure the progress page offers, sway first, in a stable order.
const std::vector<ProgressMetric>& progressMetrics();
/// The measure with this key, or nullptr.
const ProgressMetric* findProgressMetric(std::string_view key) noexcept;
/// The default selection: mCTSIB composite sway velocity, COP velocity and sway area eyes closed
/// on foam, SOT composite, ML velocity eyes closed (firm), DHI total, ABC, VAS.
std::vector<std::string> defaultProgressKeys();

/// One session's value.
struct ProgressPoint {
    datasets::CatalogId session_id = 0;
    std::string date;  ///< "YYYY-MM-DD"
    double days_since_baseline = 0.0;
    double value = 0.0;       ///< display unit
    double difference = 0.0;  ///< value - baseline value, display unit
    /// Against the baseline, when the measure has a threshold (none for the baseline itself).
    std::optional<analysis::ChangeClass> change;
};

/// The band drawn around the baseline: a change inside it is not a clinically important (or not
/// a detectable) one.
struct ChangeBand {
    double baseline = 0.0;   ///< display unit
    double lower = 0.0;      ///< baseline - threshold
    double upper = 0.0;      ///< baseline + threshold
    double threshold = 0.0;  ///< display unit
    analysis::ThresholdKind kind = analysis::ThresholdKind::kMcid;
    std::string population;
    std::string source;
    /// The threshold was measured in another protocol than the one it is applied to (e.g. a
    /// different stance): the mismatch in words; empty otherwise. The summary repeats it.
    std::string caveat;
};

struct ProgressSeries {
    ProgressMetric metric;
    std::vector<ProgressPoint> points;  ///< oldest first; the first is the baseline
    std::optional<ChangeBand> band;     ///< when a threshold exists and there is a baseline
    /// Baseline -> latest session, when the measure has a threshold and two sessions exist.
    std::optional<analysis::ChangeResult> latest_change;
    /// Plain-language sentence about baseline -> latest ("DHI improved by 26 points since the
    /// baseline, more than its minimal detectable change of 18 points."), followed by the
    /// threshold's caveat when it has one ("The threshold was measured in comfortable
    /// stance ..."); "" with fewer than two points.
    std::string summary;
};

/// The default selection for one patient, from their loaded series: the default measures that
/// have a value in some session, in the default order (a patient tested with the mCTSIB only
/// does not open on an empty SOT chart). When none of them has a value, the first
/// `kMaxFallbackKeys` measures that have one, in progressMetrics() order; none when no measure
/// has a value.
std::vector<std::string> defaultProgressKeys(const std::vector<ProgressSeries>& loaded);
inline constexpr std::size_t kMaxFallbackKeys = 6;

/// The series of `keys` for a patient (unknown keys throw AppError naming the key; a key
/// without values gives a series with no points). `up_to_session`, when not 0, ends every series
/// at that session (a report about an earlier visit does not show later ones).
std::vector<ProgressSeries> loadProgress(
    const datasets::Catalog& catalog, datasets::CatalogId patient_id,
    const std::vector<std::string>& keys = defaultProgressKeys(),
    datasets::CatalogId up_to_session = 0);

/// A series from given points (display units), as loadProgress builds it: baseline band, each
/// point's change class, the latest change and the summary sentence. Exposed for tests and for
/// values not stored in the catalog.
ProgressSeries makeProgressSeries(const ProgressMetric& metric, std::vector<ProgressPoint> points);

/// "12 Mar" style tick labels are the GUI's business; this gives a number formatted for a
/// value of this metric ("26", "18.1", "0.92").
std::string formatProgressValue(const ProgressMetric& metric, double value);

}  // namespace stance::app
