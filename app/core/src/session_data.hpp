#pragma once
// A session's recordings loaded and scored once, shared by the results page, the stored summary
// and the report (private to the app core).

#include <optional>
#include <string>
#include <vector>

#include "stance/analysis/summary.hpp"
#include "stance/app/results.hpp"
#include "stance/datasets/catalog.hpp"

namespace stance::app::detail {

struct LoadedTrial {
    datasets::Trial trial;
    std::optional<analysis::TrialRecord> record;      ///< raw COP as the scores take it
    std::optional<analysis::CopRecording> recording;  ///< as recorded (keep_recordings)
    std::string problem;                              ///< why there is no record
};

struct ScoredSession {
    SessionResults results;
    analysis::SessionSummary summary;
    std::vector<LoadedTrial> trials;
};

/// Loads every trial of the session from its recording and scores the session. Throws as
/// loadSessionResults.
ScoredSession scoreSession(const datasets::Catalog& catalog, datasets::CatalogId session_id,
                           const ResultsOptions& options, bool keep_recordings);

}  // namespace stance::app::detail
