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
    // The 18 points are the 95 % confidence interval of the test-retest difference: a
    // detectable ("true") change, not an anchor-based MCID.
    CHECK(better->threshold.kind == ThresholdKind::kMdc);
    CHECK(thresholdKindName(better->threshold.kind) == "mdc");
    CHECK(better->threshold.source.find("not an anchor-based MCID") != std::string::npos);
    CHECK(better->threshold.caveat.empty());
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
    // The ABC's is anchor-based: an MCID.
    CHECK(findChangeThreshold("abc_total")->kind == ThresholdKind::kMcid);
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

TEST_CASE("the sway MDCs say they were measured in another stance than Stance applies them to",
          "[change]") {
    for (const char* score : {"rms_ML", "mean_velocity_ML"}) {
        const ChangeThreshold* t = findChangeThreshold(score);
        REQUIRE(t != nullptr);
        CHECK(t->kind == ThresholdKind::kMdc);
        CHECK(t->population.find("comfortable stance") != std::string::npos);
        CHECK(t->source.find("comfortable stance with eyes closed") != std::string::npos);
        CHECK(t->caveat.find("measured in comfortable stance") != std::string::npos);
        CHECK(t->caveat.find("feet-together stance") != std::string::npos);
    }
}
