#include "stance/app/progress.hpp"

#include <algorithm>
#include <cmath>

#include "stance/app/errors.hpp"
#include "stance/app/report_model.hpp"

namespace stance::app {

namespace an = stance::analysis;
namespace ds = stance::datasets;

namespace {

std::vector<ProgressMetric> buildMetrics() {
    std::vector<ProgressMetric> m;
    const auto sway = [&](std::string key, std::string label, std::string short_label,
                          std::string unit, double scale, bool lower_is_better = true,
                          std::string threshold = {}) {
        m.push_back({std::move(key), std::move(label), std::move(short_label), std::move(unit),
                     scale, ProgressGroup::kSway, lower_is_better, std::move(threshold)});
    };
    sway("mctsib.composite_sway_velocity", "mCTSIB composite sway velocity (COM)",
         "Composite sway velocity", "deg/s", 1.0);
    sway("mctsib.composite_cop_velocity", "mCTSIB composite COP velocity", "Composite COP velocity",
         "mm/s", 1e3);
    const std::pair<const char*, const char*> conditions[] = {{"eo_firm", "EO firm"},
                                                              {"ec_firm", "EC firm"},
                                                              {"eo_foam", "EO foam"},
                                                              {"ec_foam", "EC foam"}};
    for (const auto& [id, tag] : conditions) {
        sway(std::string("mctsib.") + id + ".cop_velocity",
             std::string("COP velocity, ") + conditionLabel(id), std::string("COP velocity ") + tag,
             "mm/s", 1e3);
    }
    for (const auto& [id, tag] : conditions) {
        sway(std::string("mctsib.") + id + ".cop_area",
             std::string("Sway area (95 % prediction ellipse), ") + conditionLabel(id),
             std::string("Sway area ") + tag, "mm^2", 1e6);
    }
    sway("mctsib.ec_firm.mean_velocity_ML", "ML COP velocity, eyes closed, firm (mean of trials)",
         "ML COP velocity EC firm", "mm/s", 1e3, true, "mean_velocity_ML");
    sway("mctsib.ec_firm.rms_ML", "ML COP RMS, eyes closed, firm (mean of trials)",
         "ML COP RMS EC firm", "mm", 1e3, true, "rms_ML");
    sway("romberg.quotient_velocity", "Romberg quotient, COP velocity", "Romberg quotient", "",
         1.0);
    sway("sot.composite", "SOT composite equilibrium score", "SOT composite", "points", 1.0, false,
         "sot_composite");
    for (int c = 1; c <= 6; ++c) {
        sway("sot.condition_" + std::to_string(c),
             "SOT condition " + std::to_string(c) + " equilibrium score",
             "SOT " + std::to_string(c), "points", 1.0, false);
    }
    const auto dizzy = [&](std::string key, std::string label, std::string short_label,
                           std::string unit, bool lower_is_better, std::string threshold = {}) {
        m.push_back({std::move(key), std::move(label), std::move(short_label), std::move(unit), 1.0,
                     ProgressGroup::kDizziness, lower_is_better, std::move(threshold)});
    };
    dizzy("dhi_total", "Dizziness Handicap Inventory, total", "DHI", "points", true, "dhi_total");
    dizzy("dhi_physical", "DHI physical subscale", "DHI physical", "points", true);
    dizzy("dhi_emotional", "DHI emotional subscale", "DHI emotional", "points", true);
    dizzy("dhi_functional", "DHI functional subscale", "DHI functional", "points", true);
    dizzy("abc_total", "Activities-specific Balance Confidence", "ABC", "%", false, "abc_total");
    dizzy("vas_total", "Dizziness VAS (0-10)", "Dizziness VAS", "points", true);
    dizzy("vss_sf_total", "Vertigo Symptom Scale, short form", "VSS-SF", "points", true);
    return m;
}

/// "1816 mm²": units as a reader writes them in a sentence.
std::string withUnit(const std::string& number, const std::string& unit) {
    if (unit.empty())
        return number;
    return number + " " + readableUnits(unit);
}

std::string kindPhrase(an::ThresholdKind k) {
    return k == an::ThresholdKind::kMcid ? "minimal clinically important difference"
                                         : "minimal detectable change";
}

}  // namespace

const std::vector<ProgressMetric>& progressMetrics() {
    static const std::vector<ProgressMetric> all = buildMetrics();
    return all;
}

const ProgressMetric* findProgressMetric(std::string_view key) noexcept {
    for (const ProgressMetric& m : progressMetrics()) {
        if (m.key == key)
            return &m;
    }
    return nullptr;
}

std::vector<std::string> defaultProgressKeys() {
    return {"mctsib.composite_sway_velocity",
            "mctsib.ec_foam.cop_velocity",
            "mctsib.ec_foam.cop_area",
            "sot.composite",
            "mctsib.ec_firm.mean_velocity_ML",
            "dhi_total",
            "abc_total",
            "vas_total"};
}

std::vector<std::string> defaultProgressKeys(const std::vector<ProgressSeries>& loaded) {
    const auto has_values = [&](std::string_view key) {
        return std::any_of(loaded.begin(), loaded.end(), [&](const ProgressSeries& s) {
            return s.metric.key == key && !s.points.empty();
        });
    };
    std::vector<std::string> keys;
    for (std::string& k : defaultProgressKeys()) {
        if (has_values(k))
            keys.push_back(std::move(k));
    }
    if (!keys.empty())
        return keys;
    for (const ProgressMetric& m : progressMetrics()) {
        if (keys.size() < kMaxFallbackKeys && has_values(m.key))
            keys.push_back(m.key);
    }
    return keys;
}

std::string formatProgressValue(const ProgressMetric& metric, double value) {
    (void)metric;
    return formatNumber(value, 3);
}

ProgressSeries makeProgressSeries(const ProgressMetric& metric, std::vector<ProgressPoint> points) {
    ProgressSeries s;
    s.metric = metric;
    s.points = std::move(points);
    if (s.points.empty())
        return s;
    const double base = s.points.front().value;
    const an::ChangeThreshold* th =
        metric.threshold_score.empty() ? nullptr : an::findChangeThreshold(metric.threshold_score);
    if (th != nullptr) {
        ChangeBand b;
        b.baseline = base;
        b.threshold = th->threshold * metric.scale;
        b.lower = base - b.threshold;
        b.upper = base + b.threshold;
        b.kind = th->kind;
        b.population = th->population;
        b.source = th->source;
        b.caveat = th->caveat;
        s.band = b;
    }
    for (std::size_t k = 0; k < s.points.size(); ++k) {
        ProgressPoint& p = s.points[k];
        p.difference = p.value - base;
        if (k == 0 || th == nullptr)
            continue;
        // Classified in the threshold's own (SI) units.
        if (auto c = an::classifyChange(*th, base / metric.scale, p.value / metric.scale))
            p.change = c->classification;
    }
    if (s.points.size() < 2)
        return s;
    const ProgressPoint& last = s.points.back();
    const std::string from = formatProgressValue(metric, base);
    const std::string to = formatProgressValue(metric, last.value);
    const std::string by =
        withUnit(formatProgressValue(metric, std::abs(last.difference)), metric.unit);
    if (th != nullptr) {
        if (auto c = an::classifyChange(*th, base / metric.scale, last.value / metric.scale)) {
            s.latest_change = *c;
            const std::string t =
                withUnit(formatProgressValue(metric, th->threshold * metric.scale), metric.unit);
            const bool beyond =
                std::abs(last.difference) > th->threshold * metric.scale * (1 + 1e-12);
            switch (c->classification) {
                case an::ChangeClass::kImproved:
                    s.summary = metric.short_label + " improved by " + by +
                                " since the baseline, " + (beyond ? "more than" : "as much as") +
                                " its " + kindPhrase(th->kind) + " of " + t + ".";
                    break;
                case an::ChangeClass::kWorse:
                    s.summary = metric.short_label + " worsened by " + by +
                                " since the baseline, " + (beyond ? "more than" : "as much as") +
                                " its " + kindPhrase(th->kind) + " of " + t + ".";
                    break;
                case an::ChangeClass::kUnchanged:
                    s.summary = metric.short_label + " changed by " + by + " since the baseline (" +
                                from + " to " + to + "), within its " + kindPhrase(th->kind) +
                                " of " + t + ": unchanged.";
                    break;
            }
            if (!th->caveat.empty())
                s.summary += " The threshold was " + th->caveat + ".";
            return s;
        }
    }
    const bool better = metric.lower_is_better ? last.value < base : last.value > base;
    s.summary = metric.short_label + " went from " + from + " to " + withUnit(to, metric.unit) +
                " since the baseline (" +
                (last.value == base ? "no change" : (better ? "better" : "worse")) +
                "; no published threshold classifies this change).";
    return s;
}

std::vector<ProgressSeries> loadProgress(const ds::Catalog& catalog, ds::CatalogId patient_id,
                                         const std::vector<std::string>& keys,
                                         ds::CatalogId up_to_session) {
    if (!catalog.patient(patient_id))
        throw AppError("patient " + std::to_string(patient_id),
                       "no such patient in " + catalog.location());
    std::optional<std::chrono::sys_seconds> until;
    if (up_to_session != 0) {
        const auto s = catalog.session(up_to_session);
        if (!s)
            throw AppError("session " + std::to_string(up_to_session),
                           "no such session in " + catalog.location());
        until = s->start_utc;
    }
    std::vector<ProgressSeries> out;
    for (const std::string& key : keys) {
        const ProgressMetric* m = findProgressMetric(key);
        if (m == nullptr)
            throw AppError("progress measure '" + key + "'",
                           "not a measure the progress page knows");
        std::vector<ProgressPoint> points;
        std::optional<std::chrono::sys_seconds> first;
        for (const ds::SummaryPoint& sp : catalog.summaryHistory(patient_id, key)) {
            if (until && sp.start_utc > *until)
                continue;
            if (!std::isfinite(sp.value.value))
                continue;
            if (!first)
                first = sp.start_utc;
            ProgressPoint p;
            p.session_id = sp.session_id;
            p.date = ds::formatIsoDate(
                std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(sp.start_utc)));
            p.days_since_baseline =
                std::chrono::duration<double>(sp.start_utc - *first).count() / 86400.0;
            p.value = sp.value.value * m->scale;
            points.push_back(std::move(p));
        }
        out.push_back(makeProgressSeries(*m, std::move(points)));
    }
    return out;
}

}  // namespace stance::app
