// Change that matters: published thresholds classify a change as improved, unchanged or worse.

#include <catch2/catch.hpp>
#include <cmath>

#include "stance/analysis/change.hpp"

using namespace stance::analysis;

TEST_CASE("DHI: 18 points is a real change, in either direction", "[change]") {
    const auto better = classifyChange("dhi_total", 54.0, 36.0);
    REQUIRE(better);
    CHECK(better->classification == ChangeClass::kImproved);
    CHECK(better->difference == -18.0);
    CHECK(better->threshold.threshold == 18.0);
    CHECK(better->threshold.source.find("Jacobson") != std::string::npos);
    CHECK(classifyChange("dhi_total", 54.0, 38.0)->classification == ChangeClass::kUnchanged);
    CHECK(classifyChange("dhi_total", 30.0, 48.0)->classification == ChangeClass::kWorse);
    CHECK(classifyChange("dhi_total", 30.0, 46.0)->classification == ChangeClass::kUnchanged);
}

TEST_CASE("higher-is-better scores and strict thresholds", "[change]") {
    // ABC: confidence going up is better; the MCID is 18.1 %.
    CHECK(classifyChange("abc_total", 50.0, 68.125)->classification == ChangeClass::kImproved);
    CHECK(classifyChange("abc_total", 50.0, 68.0)->classification == ChangeClass::kUnchanged);
    CHECK(classifyChange("abc_total", 70.0, 50.0)->classification == ChangeClass::kWorse);
    // SOT composite: more than 8 points (Wrisley 2007), so exactly 8 is not enough.
    CHECK(classifyChange("sot_composite", 70.0, 78.0)->classification == ChangeClass::kUnchanged);
    CHECK(classifyChange("sot_composite", 70.0, 78.5)->classification == ChangeClass::kImproved);
    CHECK(classifyChange("sot_composite", 70.0, 61.0)->classification == ChangeClass::kWorse);
    // Sway in metres: less ML RMS is better.
    CHECK(classifyChange("rms_ML", 0.004, 0.0031)->classification == ChangeClass::kImproved);
    CHECK(classifyChange("rms_ML", 0.004, 0.0035)->classification == ChangeClass::kUnchanged);
}

TEST_CASE("every threshold has a source and population; unknown scores are refused", "[change]") {
    for (const ChangeThreshold& t : changeThresholds()) {
        CHECK(t.threshold > 0.0);
        CHECK_FALSE(t.source.empty());
        CHECK_FALSE(t.population.empty());
        CHECK(findChangeThreshold(t.score) == &t);
    }
    const auto r = classifyChange("tug_time", 12.0, 9.0);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("no published change threshold for 'tug_time'") !=
          std::string::npos);
    CHECK(r.error().message.find("dhi_total") != std::string::npos);
    CHECK(classifyChange("dhi_total", std::nan(""), 3.0).error().code == ErrorCode::kNonFinite);
    CHECK(changeClassName(ChangeClass::kWorse) == "worse");
    CHECK(thresholdKindName(ThresholdKind::kMdc) == "mdc");
}
