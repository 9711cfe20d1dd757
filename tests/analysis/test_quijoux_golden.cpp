// Golden tests: the 72 Quijoux features against the reference code's output on ten real trials
// (tests/data/reference/quijoux/*.json, values in mm-based units), on the raw 100 Hz signal and
// through the reference default pipeline. Agreement required: 1e-6 relative, counts equal.

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <sstream>

#include "fixtures.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/analysis/quijoux.hpp"

using namespace stance::analysis;
using stance::test::bdsTrials;
using stance::test::loadBdsTrial;
using stance::test::loadReference;
using stance::test::relDiff;

namespace {

// SI value -> the reference's mm-based unit.
double toMillimetreUnits(const Metric& m) {
    return m.value * std::pow(1000.0, m.unit.length_power);
}

// Compares every feature; returns the worst relative difference and appends failures to `report`.
double compareAll(const MetricTable& table, const nlohmann::json& ref, std::ostringstream& report,
                  std::map<std::string, double>& worst_by_name) {
    double worst = 0.0;
    for (const auto& [name, value] : ref.items()) {
        const Metric* m = table.find(name);
        if (m == nullptr) {
            report << "missing " << name << "\n";
            worst = 1.0;
            continue;
        }
        if (!m->ok()) {
            report << name << ": error " << m->error << "\n";
            worst = 1.0;
            continue;
        }
        const double ours = toMillimetreUnits(*m);
        const double theirs = value.get<double>();
        const double d = m->unit == units::kCount ? std::abs(ours - theirs) : relDiff(ours, theirs);
        worst_by_name[name] = std::max(worst_by_name[name], d);
        if (d > 1e-6)
            report << name << ": ours " << ours << " reference " << theirs << "\n";
        worst = std::max(worst, d);
    }
    return worst;
}

}  // namespace

TEST_CASE("the feature list has the reference code's 72 names", "[analysis][quijoux]") {
    const auto& names = quijouxFeatureNames();
    REQUIRE(names.size() == 72);
    const auto ref = loadReference("BDS00001", "raw100")["quijoux"];
    for (const auto& name : names) {
        CHECK(ref.contains(name));
    }
}

TEST_CASE("Quijoux features equal the reference on the raw 100 Hz trials",
          "[analysis][quijoux][golden]") {
    std::map<std::string, double> worst_by_name;
    for (const auto& trial : bdsTrials()) {
        CopRecording rec = loadBdsTrial(trial);
        auto trace = preprocess(rec, Pipeline::kRaw);
        REQUIRE(trace);
        MetricTable table;
        appendQuijouxFeatures(*trace, table);
        CHECK(table.size() == 72);
        std::ostringstream report;
        const double worst =
            compareAll(table, loadReference(trial, "raw100")["quijoux"], report, worst_by_name);
        INFO(trial << "\n" << report.str());
        CHECK(worst <= 1e-6);
    }
}

TEST_CASE("Quijoux features equal the reference through its default pipeline",
          "[analysis][quijoux][golden]") {
    std::map<std::string, double> worst_by_name;
    for (const auto& trial : bdsTrials()) {
        auto trace = preprocess(loadBdsTrial(trial), Pipeline::kQuijoux2021);
        REQUIRE(trace);
        REQUIRE(trace->xy_m.rows() == 1498);
        MetricTable table;
        appendQuijouxFeatures(*trace, table);
        std::ostringstream report;
        const double worst =
            compareAll(table, loadReference(trial, "quijoux")["quijoux"], report, worst_by_name);
        INFO(trial << "\n" << report.str());
        CHECK(worst <= 1e-6);
    }
}
