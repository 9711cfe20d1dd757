#pragma once
/// \file
/// What the session report says, without drawing it: the patient header, date and operator,
/// the protocol results against the norms, the stabilograms, the questionnaire scores, the
/// progress series and the plain-language interpretation lines. The PDF (app/report) draws this
/// model; tests check it directly. Sources of every number: docs/report.md.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "stance/app/progress.hpp"
#include "stance/app/results.hpp"
#include "stance/datasets/catalog.hpp"

namespace stance::app {

/// The header a clinician reads first (identified: the report stays in the clinic).
struct ReportHeader {
    std::string patient_name;  ///< "Given Family"
    std::string subject_code;
    std::string birth_date;    ///< "YYYY-MM-DD" or "unknown"
    std::string age;           ///< "46 years" at the session, or "unknown"
    std::string sex;           ///< "Female", "Male", "Other", "Unknown"
    std::string height;        ///< "1.65 m" or "unknown"
    std::string mass;          ///< "62.0 kg" or "unknown"
    std::string session_date;  ///< "2024-03-04 09:00 UTC"
    std::string operator_name;
    std::string site;
    std::string protocol;   ///< protocol name and version
    std::string generated;  ///< "2024-03-05 10:12 UTC" (ReportOptions::generated_utc)
    bool demo = false;      ///< the demo patient: every page says so
};

struct ReportOptions {
    /// Measures charted on the progress page (sway and dizziness groups); default as the app.
    std::vector<std::string> progress_keys = defaultProgressKeys();
    /// The time printed as "generated"; default now.
    std::optional<std::chrono::sys_seconds> generated_utc;
    ResultsOptions results;
};

struct ReportModel {
    ReportHeader header;
    SessionResults results;
    std::vector<ProgressSeries> progress;  ///< series with at least one point, sway first
    std::vector<std::string> interpretation;
    std::string norm_source;                     ///< full citation of the normative tables
    std::vector<std::string> threshold_sources;  ///< the MCID / MDC sources the progress cites
};

/// Builds the model of a session's report. Throws AppError for an unknown session;
/// datasets::DatasetError when a recording cannot be read.
ReportModel buildReportModel(const datasets::Catalog& catalog, datasets::CatalogId session_id,
                             const ReportOptions& options = {});

/// The interpretation lines: for each condition whose mean sway lies outside the normative band
/// ("Sway with eyes closed on foam is above the 95th percentile for women aged 18-59 (Santos &
/// Duarte 2016)."), one line for the conditions within it, one per fall, and one per progress
/// series with at least two sessions (its summary sentence).
std::vector<std::string> interpretationLines(const SessionResults& results,
                                             const std::vector<ProgressSeries>& progress);

/// Number formatting shared by the pages: fixed decimals chosen for the magnitude ("0.92",
/// "12.4", "812").
std::string formatNumber(double value, int significant = 3);
/// Units as a reader writes them: every "^2" of text becomes "²" ("mm^2" -> "mm²"). Unit tables,
/// CSV headers and JSON keep "mm^2"; pages, sentences and the report show this.
std::string readableUnits(std::string text);

}  // namespace stance::app
