#pragma once
/// \file
/// Normative comparison of a trial against the tables shipped in datasets/norms (Santos & Duarte
/// 2016, PeerJ 4:e2648, data CC BY 4.0 / ODC-By 1.0; aggregation described in
/// datasets/norms/README.md). The CSV text is compiled into the library at build time, so
/// nothing is read from disk at run time. The metric definitions are the tables' own
/// (bds_cop_area, bds_cop_velocity, bds_cop_mean_frequency of sway_metrics.hpp) on the raw COP.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/expected.hpp"
#include "stance/analysis/protocol.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis {

enum class NormTableKind {
    kByAgeBand,      ///< bds2016_norms_by_age_band.csv: 18-39, 40-59, 60-69, 70-79, 80+
    kByAgeGroupSex,  ///< bds2016_norms_by_age_group_sex.csv: young (18-59) / old (60+) x F / M
};
std::string_view normTableName(NormTableKind k) noexcept;  ///< the CSV's file name

enum class NormMetric { kCopArea, kCopVelocity, kCopMeanFrequency };
/// Stance's name of the metric ("bds_cop_area", ...) and its SI unit ("m^2", "m/s", "Hz").
std::string_view normMetricName(NormMetric m) noexcept;
std::string_view normMetricUnit(NormMetric m) noexcept;

/// The source every normative output cites.
inline constexpr std::string_view kNormSource =
    "Santos DA, Duarte M (2016) A public data set of human balance evaluations. PeerJ 4:e2648, "
    "doi:10.7717/peerj.2648 (data CC BY 4.0 / ODC-By 1.0); tables aggregated by Stance "
    "(datasets/norms/README.md)";

/// One row of a table, converted to SI (cm^2 -> m^2, cm/s -> m/s).
struct NormRow {
    NormTableKind table = NormTableKind::kByAgeBand;
    std::string group;            ///< "18-39", "80+", "young", "old"
    double age_from_years = 0.0;  ///< membership: age_from <= age < age_to
    double age_to_years = 0.0;    ///< infinity for open bands
    /// Observed age range of the subjects (age-group table only; else the band limits).
    double observed_age_min_years = 0.0;
    double observed_age_max_years = 0.0;
    char sex = 0;  ///< 'F', 'M', or 0 when the table does not split by sex
    Vision vision = Vision::kOpen;
    Support support = Support::kFirm;
    NormMetric metric = NormMetric::kCopArea;
    int n_trials = 0;
    int n_subjects = 0;
    double mean = 0.0, sd = 0.0, p5 = 0.0, p25 = 0.0, p50 = 0.0, p75 = 0.0, p95 = 0.0;
};

/// Parses one table's CSV text. Errors (kInvalidArgument) name the table, the line and the
/// problem: wrong header, a short row, a non-numeric cell, an unknown metric, vision or
/// surface, percentiles not ascending.
Expected<std::vector<NormRow>> parseNormTable(std::string_view csv, NormTableKind kind);

/// Both tables as compiled into the library, parsed once (function-local static).
const Expected<std::vector<NormRow>>& builtinNormRows();

/// Who the patient is, for choosing rows.
struct NormSubject {
    double age_years = 0.0;
    std::optional<char> sex;  ///< 'F' or 'M'; the age-group x sex table is used only when known
};

enum class NormBand { kBelowP5, kWithinP5P95, kAboveP95 };
std::string_view normBandName(NormBand b) noexcept;  ///< "below_p5", "within_p5_p95", "above_p95"

/// A value compared with one row.
struct NormComparison {
    std::string metric;  ///< normMetricName
    std::string unit;    ///< SI unit
    double value = 0.0;  ///< the patient's value, SI
    NormRow row;
    /// Percentile by linear interpolation between the tabulated p5, p25, p50, p75, p95; none
    /// outside p5-p95 (the tables do not resolve the tails).
    std::optional<double> percentile;
    NormBand band = NormBand::kWithinP5P95;
    std::string source;                ///< kNormSource plus the table's file
    std::vector<std::string> caveats;  ///< e.g. a trial shorter than the tables' 60 s
};

/// Compares one value (SI) with the matching row of a table. Errors: no row for the age, sex or
/// condition (sway-referenced conditions have none), a non-finite value.
Expected<NormComparison> compareValueWithNorms(NormMetric metric, double value,
                                               const NormSubject& subject, Vision vision,
                                               Support support, NormTableKind table);

/// Computes the three metrics on a raw (Pipeline::kRaw) trace and compares each with the
/// age-band table and, when the sex is known, the age-group x sex table. A metric the trace
/// leaves undefined, or a table without a row, is an Error naming it. Caveats note a duration or
/// rate that differs from the tables' 60 s at 100 Hz (area and velocity depend on both).
Expected<std::vector<NormComparison>> compareTraceWithNorms(const UniformTrace& raw_trace,
                                                            const NormSubject& subject,
                                                            Vision vision, Support support);

}  // namespace stance::analysis
