#pragma once
/// \file
/// The demo history: an invented patient, clearly marked as a demo, followed over weeks of
/// vestibular rehabilitation. Each session is an mCTSIB (4 conditions x 3 trials x 30 s) whose
/// trials are simulated in-process by devices::SimulatedPlate (the body sway model; sway shrinking
/// over the weeks through its SwayParameters), recorded as stance-hdf5 files (BundleWriter),
/// registered in a catalog and analysed with the real clinical analysis; plus DHI, VAS and ABC
/// answers whose scores improve plausibly. Deterministic: the same options give the same files
/// and values on every run.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "stance/datasets/catalog.hpp"

namespace stance::app {

struct DemoOptions {
    int sessions = 5;       ///< 2-12 visits
    int days_between = 14;  ///< days from one visit to the next
    /// Day of the first visit (09:00 UTC); default 2024-01-08, so that the same options give
    /// the same catalog on every run.
    std::optional<std::chrono::sys_days> first_visit;
    std::uint64_t seed = 20240108;
    double rate_hz = 100.0;  ///< simulated plate rate
};

/// The demo patient's fixed identity (invented).
inline constexpr const char* kDemoSubjectCode = "DEMO-0001";

struct DemoCatalog {
    std::filesystem::path catalog;   ///< the catalog file
    std::filesystem::path data_dir;  ///< where the session recordings are
    datasets::CatalogId patient_id = 0;
    std::vector<datasets::CatalogId> session_ids;  ///< oldest first
};

/// Builds the demo catalog at `catalog_file` (which must not exist; its folder is created) with
/// the recordings in "<catalog stem>-data/" beside it, one stance-hdf5 file per session. Takes a
/// few seconds. Throws AppError when the catalog file exists or options are out of range;
/// datasets errors pass through. On failure the catalog and data folder are removed.
DemoCatalog buildDemoCatalog(const std::filesystem::path& catalog_file,
                             const DemoOptions& options = {});

/// Adds the demo patient's questionnaires (DHI, ABC, dizziness VAS) to a session, with answers
/// for a stage of the recovery: `recovery` 0 is the baseline (DHI 54, moderate handicap), 1 the
/// end of rehabilitation (DHI 16). The same answers buildDemoCatalog gives its visits.
void addDemoQuestionnaires(datasets::Catalog& catalog, datasets::CatalogId session_id,
                           double recovery);

}  // namespace stance::app
