#include "stance/analysis/norms.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "norm_tables_data.hpp"
#include "stance/analysis/metric_table.hpp"
#include "stance/analysis/sway_metrics.hpp"

namespace stance::analysis {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string fmt(double v, const char* spec = "%.4g") {
    char buf[32];
    std::snprintf(buf, sizeof buf, spec, v);
    return buf;
}

std::vector<std::string_view> splitCsv(std::string_view line) {
    std::vector<std::string_view> cells;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        cells.push_back(line.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (comma == std::string_view::npos)
            break;
        start = comma + 1;
    }
    return cells;
}

std::optional<double> number(std::string_view s) {
    const std::string t(s);
    if (t.empty())
        return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

// Age interval of an age-band label: "18-39" -> [18, 40), "80+" -> [80, inf).
std::optional<std::pair<double, double>> bandInterval(std::string_view label) {
    if (!label.empty() && label.back() == '+') {
        auto lo = number(label.substr(0, label.size() - 1));
        if (!lo)
            return std::nullopt;
        return std::pair{*lo, kInf};
    }
    const std::size_t dash = label.find('-');
    if (dash == std::string_view::npos)
        return std::nullopt;
    auto lo = number(label.substr(0, dash));
    auto hi = number(label.substr(dash + 1));
    if (!lo || !hi || *hi < *lo)
        return std::nullopt;
    return std::pair{*lo, *hi + 1.0};
}

}  // namespace

std::string_view normTableName(NormTableKind k) noexcept {
    return k == NormTableKind::kByAgeBand ? "bds2016_norms_by_age_band.csv"
                                          : "bds2016_norms_by_age_group_sex.csv";
}

std::string_view normMetricName(NormMetric m) noexcept {
    switch (m) {
        case NormMetric::kCopArea:
            return "bds_cop_area";
        case NormMetric::kCopVelocity:
            return "bds_cop_velocity";
        case NormMetric::kCopMeanFrequency:
            return "bds_cop_mean_frequency";
    }
    return "unknown";
}

std::string_view normMetricUnit(NormMetric m) noexcept {
    switch (m) {
        case NormMetric::kCopArea:
            return "m^2";
        case NormMetric::kCopVelocity:
            return "m/s";
        case NormMetric::kCopMeanFrequency:
            return "Hz";
    }
    return "";
}

std::string_view normBandName(NormBand b) noexcept {
    switch (b) {
        case NormBand::kBelowP5:
            return "below_p5";
        case NormBand::kWithinP5P95:
            return "within_p5_p95";
        case NormBand::kAboveP95:
            return "above_p95";
    }
    return "unknown";
}

Expected<std::vector<NormRow>> parseNormTable(std::string_view csv, NormTableKind kind) {
    const std::string name(normTableName(kind));
    const bool by_band = kind == NormTableKind::kByAgeBand;
    const std::string expected_header =
        by_band ? "age_band,vision,surface,metric,unit,n_trials,n_subjects,mean,sd,p5,p25,p50,"
                  "p75,p95"
                : "age_group,age_min,age_max,sex,vision,surface,metric,unit,n_trials,n_subjects,"
                  "mean,sd,p5,p25,p50,p75,p95";
    const std::size_t n_cells = by_band ? 14 : 17;
    std::vector<NormRow> rows;
    std::size_t line_no = 0, pos = 0;
    const auto bad = [&](const std::string& what) {
        return fail(ErrorCode::kInvalidArgument,
                    name + ":" + std::to_string(line_no) + ": " + what);
    };
    while (pos < csv.size()) {
        std::size_t eol = csv.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = csv.size();
        std::string_view line = csv.substr(pos, eol - pos);
        pos = eol + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty())
            continue;
        if (line_no == 1) {
            if (line != expected_header)
                return bad("header is not '" + expected_header + "'");
            continue;
        }
        const auto c = splitCsv(line);
        if (c.size() != n_cells)
            return bad(std::to_string(c.size()) + " cells, expected " + std::to_string(n_cells));
        NormRow r;
        r.table = kind;
        r.group = std::string(c[0]);
        std::size_t k = 1;
        if (by_band) {
            auto iv = bandInterval(c[0]);
            if (!iv)
                return bad("age band '" + r.group + "' is not 'a-b' or 'a+'");
            r.age_from_years = iv->first;
            r.age_to_years = iv->second;
            r.observed_age_min_years = iv->first;
            r.observed_age_max_years = iv->second;
        } else {
            // The authors' groups (README): young 18-59, old 60 and over.
            if (r.group == "young") {
                r.age_from_years = 18.0;
                r.age_to_years = 60.0;
            } else if (r.group == "old") {
                r.age_from_years = 60.0;
                r.age_to_years = kInf;
            } else {
                return bad("age group '" + r.group + "' is not young or old");
            }
            auto lo = number(c[1]), hi = number(c[2]);
            if (!lo || !hi)
                return bad("age_min / age_max are not numbers");
            r.observed_age_min_years = *lo;
            r.observed_age_max_years = *hi;
            if (c[3] != "F" && c[3] != "M")
                return bad("sex '" + std::string(c[3]) + "' is not F or M");
            r.sex = c[3][0];
            k = 4;
        }
        const std::string_view vision = c[k], surface = c[k + 1], metric = c[k + 2],
                               unit = c[k + 3];
        if (vision == "open") {
            r.vision = Vision::kOpen;
        } else if (vision == "closed") {
            r.vision = Vision::kClosed;
        } else {
            return bad("vision '" + std::string(vision) + "' is not open or closed");
        }
        if (surface == "firm") {
            r.support = Support::kFirm;
        } else if (surface == "foam") {
            r.support = Support::kFoam;
        } else {
            return bad("surface '" + std::string(surface) + "' is not firm or foam");
        }
        double scale = 1.0;
        if (metric == "COParea" && unit == "cm2") {
            r.metric = NormMetric::kCopArea;
            scale = 1e-4;
        } else if (metric == "COPvelo" && unit == "cm/s") {
            r.metric = NormMetric::kCopVelocity;
            scale = 1e-2;
        } else if (metric == "COPmfreq" && unit == "Hz") {
            r.metric = NormMetric::kCopMeanFrequency;
        } else {
            return bad("metric '" + std::string(metric) + "' in '" + std::string(unit) +
                       "' is not COParea cm2, COPvelo cm/s or COPmfreq Hz");
        }
        std::array<double, 9> v{};
        for (std::size_t j = 0; j < 9; ++j) {
            auto x = number(c[k + 4 + j]);
            if (!x)
                return bad("'" + std::string(c[k + 4 + j]) + "' is not a number");
            v[j] = *x;
        }
        r.n_trials = static_cast<int>(v[0]);
        r.n_subjects = static_cast<int>(v[1]);
        r.mean = v[2] * scale;
        r.sd = v[3] * scale;
        r.p5 = v[4] * scale;
        r.p25 = v[5] * scale;
        r.p50 = v[6] * scale;
        r.p75 = v[7] * scale;
        r.p95 = v[8] * scale;
        if (!(r.p5 <= r.p25 && r.p25 <= r.p50 && r.p50 <= r.p75 && r.p75 <= r.p95))
            return bad("percentiles are not ascending");
        if (r.n_trials <= 0 || r.n_subjects <= 0)
            return bad("n_trials and n_subjects must be positive");
        rows.push_back(std::move(r));
    }
    if (rows.empty())
        return fail(ErrorCode::kInvalidArgument, name + ": no rows");
    return rows;
}

const Expected<std::vector<NormRow>>& builtinNormRows() {
    static const Expected<std::vector<NormRow>> rows = []() -> Expected<std::vector<NormRow>> {
        auto a = parseNormTable(detail::normTableAgeBandCsv(), NormTableKind::kByAgeBand);
        if (!a)
            return a;
        auto b = parseNormTable(detail::normTableAgeGroupSexCsv(), NormTableKind::kByAgeGroupSex);
        if (!b)
            return b;
        std::vector<NormRow> all = std::move(*a);
        all.insert(all.end(), b->begin(), b->end());
        return all;
    }();
    return rows;
}

Expected<NormComparison> compareValueWithNorms(NormMetric metric, double value,
                                               const NormSubject& subject, Vision vision,
                                               Support support, NormTableKind table) {
    const std::string mname(normMetricName(metric));
    if (!std::isfinite(value))
        return fail(ErrorCode::kNonFinite, mname + ": the value is not a finite number");
    if (vision == Vision::kSwayReferenced || support == Support::kSwayReferenced)
        return fail(ErrorCode::kUndefined,
                    mname +
                        ": the normative tables have eyes open/closed on firm/foam only, no "
                        "sway-referenced condition");
    if (table == NormTableKind::kByAgeGroupSex && !subject.sex)
        return fail(ErrorCode::kInvalidArgument,
                    mname + ": the age-group x sex table needs the subject's sex");
    const auto& rows = builtinNormRows();
    if (!rows)
        return rows.error();
    const NormRow* match = nullptr;
    for (const NormRow& r : *rows) {
        if (r.table != table || r.metric != metric || r.vision != vision || r.support != support)
            continue;
        if (table == NormTableKind::kByAgeGroupSex && r.sex != *subject.sex)
            continue;
        if (subject.age_years >= r.age_from_years && subject.age_years < r.age_to_years) {
            match = &r;
            break;
        }
    }
    if (match == nullptr)
        return fail(ErrorCode::kUndefined,
                    mname + ": no row in " + std::string(normTableName(table)) + " for age " +
                        fmt(subject.age_years, "%.1f") +
                        (subject.sex ? std::string(", sex ") + *subject.sex : std::string()) +
                        ", eyes " + std::string(visionName(vision)) + ", " +
                        std::string(supportName(support)) +
                        " surface (the tables cover adults of 18 years and over)");
    NormComparison c;
    c.metric = mname;
    c.unit = std::string(normMetricUnit(metric));
    c.value = value;
    c.row = *match;
    c.source = std::string(kNormSource) + "; table " + std::string(normTableName(table));
    const NormRow& r = *match;
    if (value < r.p5) {
        c.band = NormBand::kBelowP5;
    } else if (value > r.p95) {
        c.band = NormBand::kAboveP95;
    } else {
        c.band = NormBand::kWithinP5P95;
        const std::array<double, 5> q{r.p5, r.p25, r.p50, r.p75, r.p95};
        const std::array<double, 5> pct{5.0, 25.0, 50.0, 75.0, 95.0};
        for (std::size_t k = 0; k + 1 < q.size(); ++k) {
            if (value <= q[k + 1]) {
                const double span = q[k + 1] - q[k];
                c.percentile =
                    span > 0.0 ? pct[k] + (value - q[k]) / span * (pct[k + 1] - pct[k]) : pct[k];
                break;
            }
        }
    }
    if (r.n_subjects < 10)
        c.caveats.push_back("the " + r.group + " group has only " + std::to_string(r.n_subjects) +
                            " subjects");
    if (table == NormTableKind::kByAgeGroupSex && (subject.age_years < r.observed_age_min_years ||
                                                   subject.age_years > r.observed_age_max_years))
        c.caveats.push_back(
            "age " + fmt(subject.age_years, "%.1f") + " is outside the group's observed ages " +
            fmt(r.observed_age_min_years, "%.1f") + "-" + fmt(r.observed_age_max_years, "%.1f"));
    return c;
}

Expected<std::vector<NormComparison>> compareTraceWithNorms(const UniformTrace& raw_trace,
                                                            const NormSubject& subject,
                                                            Vision vision, Support support) {
    MetricTable t;
    appendBdsMetrics(raw_trace, t);
    std::vector<NormTableKind> tables{NormTableKind::kByAgeBand};
    if (subject.sex)
        tables.push_back(NormTableKind::kByAgeGroupSex);
    std::vector<std::string> caveats;
    const double duration =
        raw_trace.fs_hz > 0.0 ? static_cast<double>(raw_trace.xy_m.rows()) / raw_trace.fs_hz : 0.0;
    if (std::abs(duration - 60.0) > 0.5)
        caveats.push_back("the trial lasts " + fmt(duration, "%.1f") +
                          " s; the tables come from 60 s trials (area and velocity depend on "
                          "the duration)");
    // Path length grows with the rate; a device clock a few hundred ppm off 100 Hz is 100 Hz.
    if (std::abs(raw_trace.fs_hz - 100.0) > 0.1)
        caveats.push_back("the trial is sampled at " + fmt(raw_trace.fs_hz) +
                          " Hz; the tables come from 100 Hz data (the path length depends on "
                          "the rate)");
    std::vector<NormComparison> out;
    for (NormMetric m :
         {NormMetric::kCopArea, NormMetric::kCopVelocity, NormMetric::kCopMeanFrequency}) {
        const Metric* v = t.find(normMetricName(m));
        if (v == nullptr || !v->ok())
            return fail(v == nullptr ? ErrorCode::kUndefined : v->error_code,
                        std::string(normMetricName(m)) + ": " +
                            (v == nullptr ? std::string("not computed") : v->error));
        for (NormTableKind k : tables) {
            auto c = compareValueWithNorms(m, v->value, subject, vision, support, k);
            if (!c)
                return c.error();
            c->caveats.insert(c->caveats.begin(), caveats.begin(), caveats.end());
            out.push_back(std::move(*c));
        }
    }
    return out;
}

}  // namespace stance::analysis
