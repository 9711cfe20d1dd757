#pragma once
// Helpers shared by the protocol scoring files (private to analysis/).

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "stance/analysis/protocol.hpp"
#include "stance/analysis/scoring.hpp"

namespace stance::analysis::detail {

inline constexpr double kRadToDeg = 57.295779513082320876798;

inline std::string fmt(double v, const char* spec = "%.4g") {
    char buf[48];
    std::snprintf(buf, sizeof buf, spec, v);
    return buf;
}

/// "ec_foam #2"
inline std::string trialName(const std::string& condition, int repetition) {
    return condition + " #" + std::to_string(repetition);
}

/// The recorded trials matched to a protocol's schedule: one record (or none) per scheduled
/// step; records for unknown conditions or repeated (condition, repetition) pairs are noted and
/// ignored.
struct MatchedTrials {
    std::vector<ProtocolStep> steps;
    std::vector<const TrialRecord*> records;  ///< parallel to steps; nullptr when missing
    std::vector<std::string> notes;
};
MatchedTrials matchTrials(const Protocol& protocol, const std::vector<TrialRecord>& trials);

/// The outcome of a scheduled step with no record.
TrialOutcome missingOutcome(const ProtocolStep& step);

/// Mean of the values of a set of Expected; an error naming the failures when `require_all`
/// and any failed, or when none has a value.
Expected<double> meanOf(const std::vector<std::pair<std::string, const Expected<double>*>>& items,
                        bool require_all, const std::string& what);

/// a / b with errors propagated and a zero denominator reported.
Expected<double> ratio(const Expected<double>& a, const Expected<double>& b,
                       const std::string& what);

}  // namespace stance::analysis::detail
