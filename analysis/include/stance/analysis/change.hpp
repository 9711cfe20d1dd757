#pragma once
/// \file
/// Change that matters between two sessions: a table of minimal clinically important
/// differences (MCID) and minimal detectable changes (MDC) with their sources, and the
/// classification of a change as improved, unchanged or worse. Values and the populations they
/// were measured in: docs/clinical.md, "Change that matters".

#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/expected.hpp"

namespace stance::analysis {

enum class ThresholdKind {
    kMcid,  ///< minimal clinically important difference (anchor-based)
    /// minimal detectable change / smallest real ("true") difference: a bound of the
    /// measurement error (e.g. a confidence interval of the test-retest difference), not a
    /// judgement of clinical importance
    kMdc,
};
std::string_view thresholdKindName(ThresholdKind k) noexcept;  ///< "mcid", "mdc"

/// One row of the table.
struct ChangeThreshold {
    std::string score;  ///< the score's name as summaries and the catalog use it
    std::string unit;   ///< unit of the score and the threshold ("points", "%", "m", "m/s")
    double threshold = 0.0;
    ThresholdKind kind = ThresholdKind::kMcid;
    bool lower_is_better = true;
    /// true: the change must exceed the threshold; false: reaching it is enough.
    bool strictly_greater = false;
    std::string population;  ///< in whom the value was established
    std::string source;
    /// When Stance applies the value to a protocol other than the one it was measured in: the
    /// mismatch, in words a report can print; empty otherwise.
    std::string caveat;
};

/// The built-in table (function-local static, read-only).
const std::vector<ChangeThreshold>& changeThresholds();
/// The row for a score, or nullptr.
const ChangeThreshold* findChangeThreshold(std::string_view score) noexcept;

enum class ChangeClass { kImproved, kUnchanged, kWorse };
std::string_view changeClassName(ChangeClass c) noexcept;  ///< "improved", "unchanged", "worse"

struct ChangeResult {
    std::string score;
    double before = 0.0;
    double after = 0.0;
    double difference = 0.0;  ///< after - before
    ChangeClass classification = ChangeClass::kUnchanged;
    ChangeThreshold threshold;
};

/// Classifies after - before against a threshold row: a change at least as large as the
/// threshold (larger when strictly_greater) in the better direction is improved, in the other
/// direction worse, else unchanged. Errors: non-finite values.
Expected<ChangeResult> classifyChange(const ChangeThreshold& threshold, double before,
                                      double after);
/// Same with the built-in row for `score`. Errors: no row for the score (the message lists the
/// scores that have one), non-finite values.
Expected<ChangeResult> classifyChange(std::string_view score, double before, double after);

}  // namespace stance::analysis
