// Protocols as data: the built-in schedules, conditions and statuses.

#include <catch2/catch.hpp>
#include <set>

#include "stance/analysis/protocol.hpp"

using namespace stance::analysis;

TEST_CASE("built-in protocols have the stated conditions, repetitions and durations",
          "[protocol]") {
    std::set<std::string> ids;
    for (const Protocol& p : builtinProtocols()) {
        CHECK(ids.insert(p.id).second);
        CHECK_FALSE(p.source.empty());
        CHECK_FALSE(p.conditions.empty());
        for (const Condition& c : p.conditions)
            CHECK_FALSE(c.instructions.empty());
    }
    CHECK(ids == std::set<std::string>{"mctsib", "romberg", "sot", "single_leg_stance",
                                       "limits_of_stability", "weight_bearing"});

    const Protocol* m = findProtocol("mctsib");
    REQUIRE(m != nullptr);
    CHECK(m->scoring == ScoringMethod::kMctsib);
    const auto steps = m->schedule();
    REQUIRE(steps.size() == 12);
    const char* order[] = {"eo_firm", "ec_firm", "eo_foam", "ec_foam"};
    for (std::size_t i = 0; i < steps.size(); ++i) {
        CHECK(steps[i].index == static_cast<int>(i));
        CHECK(steps[i].condition == order[i / 3]);
        CHECK(steps[i].repetition == static_cast<int>(i % 3) + 1);
        CHECK(steps[i].duration_s == 30.0);
        CHECK(steps[i].rest_after_s == (i + 1 < steps.size() ? 15.0 : 0.0));
    }
    CHECK(m->totalDurationS() == Approx(12 * 30.0 + 11 * 15.0));
    const Condition* ec_foam = m->findCondition("ec_foam");
    REQUIRE(ec_foam != nullptr);
    CHECK(ec_foam->vision == Vision::kClosed);
    CHECK(ec_foam->support == Support::kFoam);
    CHECK(m->findCondition("sot1") == nullptr);

    const Protocol* sot = findProtocol("sot");
    REQUIRE(sot != nullptr);
    CHECK(sot->schedule().size() == 18);
    CHECK(sot->trial_duration_s == 20.0);
    CHECK(sot->findCondition("sot6")->vision == Vision::kSwayReferenced);
    CHECK(sot->findCondition("sot6")->support == Support::kSwayReferenced);
    CHECK(sot->findCondition("sot3")->support == Support::kFirm);

    const Protocol* los = findProtocol("limits_of_stability");
    REQUIRE(los != nullptr);
    REQUIRE(los->conditions.size() == 8);
    for (std::size_t k = 0; k < 8; ++k) {
        REQUIRE(los->conditions[k].direction_deg.has_value());
        CHECK(*los->conditions[k].direction_deg == Approx(45.0 * static_cast<double>(k)));
    }

    // Single-leg stance alternates legs round by round.
    const auto sls = findProtocol("single_leg_stance")->schedule();
    REQUIRE(sls.size() == 12);
    CHECK(sls[0].condition == "sls_left_eo");
    CHECK(sls[1].condition == "sls_right_eo");
    CHECK(sls[4].condition == "sls_left_eo");
    CHECK(sls[4].repetition == 2);

    CHECK(findProtocol("nope") == nullptr);
}

TEST_CASE("trial status names round-trip and absolute COP restores the mean", "[protocol]") {
    for (TrialStatus s : {TrialStatus::kComplete, TrialStatus::kAborted, TrialStatus::kFall})
        CHECK(parseTrialStatus(trialStatusName(s)) == s);
    CHECK_FALSE(parseTrialStatus("fell"));
    CHECK(trialStatusName(TrialStatus::kFall) == "fall");

    TrialRecord t;
    t.cop.fs_hz = 50.0;
    t.cop.xy_m = Signal2::Zero(100, 2);
    t.cop.xy_m(3, 1) = 0.01;
    t.cop.removed_mean_m = Eigen::Vector2d(0.02, -0.05);
    const Signal2 abs = absoluteCop(t);
    CHECK(abs(3, 1) == Approx(-0.04));
    CHECK(abs(0, 0) == Approx(0.02));
    CHECK(trialDurationS(t) == Approx(2.0));
}
