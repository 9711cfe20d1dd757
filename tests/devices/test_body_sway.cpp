// The quiet-stance body model: its sway analysed with the project's real metrics against the
// normative band of 80 young adults, condition effects, determinism, mechanics, falls.

#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "devices/sim_support.hpp"
#include "stance/devices/body_sway.hpp"
#include "stance/devices/errors.hpp"

using namespace stance::devices;
using stance::test::BdsValues;

namespace {

BdsValues simulateCondition(StanceCondition condition, std::uint64_t seed) {
    BodyOptions body;
    body.condition = condition;
    body.seed = seed;
    PlateSimOptions plate;  // 100 Hz, as the norms' recordings
    const auto trial = stance::test::simulatePlate(body, 60.0, plate);
    const auto cop = stance::analysis::copFromForcePlate(trial.force, trial.moment,
                                                         stance::test::plateGeometry(plate));
    REQUIRE(cop.n_invalid == 0);
    return stance::test::bdsMetrics(cop.xy_m, plate.rate_hz);
}

}  // namespace

TEST_CASE(
    "Simulated sway lies in the young-adult band of every condition and grows without "
    "vision and on foam",
    "[devices][body]") {
    const StanceCondition eo_firm{Vision::kEyesOpen, Surface::kFirm};
    const StanceCondition ec_firm{Vision::kEyesClosed, Surface::kFirm};
    const StanceCondition eo_foam{Vision::kEyesOpen, Surface::kFoam};
    const StanceCondition ec_foam{Vision::kEyesClosed, Surface::kFoam};
    for (const std::uint64_t seed : {7ull, 8ull}) {
        std::map<std::string, BdsValues> v;
        for (const auto c : {eo_firm, ec_firm, eo_foam, ec_foam}) {
            const std::string name(conditionName(c));
            v[name] = simulateCondition(c, seed);
            const std::string vision = c.vision == Vision::kEyesOpen ? "open" : "closed";
            const std::string surface = c.surface == Surface::kFirm ? "firm" : "foam";
            const auto area = stance::test::youngAdultBand(vision, surface, "COParea");
            const auto velocity = stance::test::youngAdultBand(vision, surface, "COPvelo");
            INFO(name << " seed " << seed << ": area " << v[name].area_cm2 << " cm2 (p5-p95 "
                      << area.p5 << "-" << area.p95 << "), velocity " << v[name].velocity_cm_s
                      << " cm/s (" << velocity.p5 << "-" << velocity.p95 << "), mean frequency "
                      << v[name].mean_frequency_hz << " Hz");
            CHECK(v[name].area_cm2 > area.p5);
            CHECK(v[name].area_cm2 < area.p95);
            CHECK(v[name].velocity_cm_s > velocity.p5);
            CHECK(v[name].velocity_cm_s < velocity.p95);
            CHECK(v[name].mean_frequency_hz > 0.1);
            CHECK(v[name].mean_frequency_hz < 0.6);
        }
        // Same subject, same noise: removing vision or standing on foam enlarges and speeds sway.
        for (const char* harder : {"ec_firm", "eo_foam", "ec_foam"}) {
            INFO(harder << " vs eo_firm, seed " << seed);
            CHECK(v[harder].area_cm2 > v["eo_firm"].area_cm2);
            CHECK(v[harder].velocity_cm_s > v["eo_firm"].velocity_cm_s);
        }
        CHECK(v["ec_foam"].area_cm2 > v["eo_foam"].area_cm2);
        CHECK(v["ec_foam"].velocity_cm_s > v["eo_foam"].velocity_cm_s);
        CHECK(v["eo_foam"].area_cm2 > 2.5 * v["ec_firm"].area_cm2);  // foam is the big effect
    }
}

TEST_CASE("The same options give the same sway; another seed another one", "[devices][body]") {
    BodyOptions options;
    options.seed = 42;
    BodySwayModel a(options), b(options);
    options.seed = 43;
    BodySwayModel c(options);
    double max_diff = 0.0;
    for (int k = 0; k <= 1000; ++k) {
        const double t = 0.0137 * k;
        const BodyState sa = a.stateAt(t), sb = b.stateAt(t), sc = c.stateAt(t);
        CHECK(sa.cop_m == sb.cop_m);
        CHECK(sa.force_n == sb.force_n);
        max_diff = std::max(max_diff, std::abs(sa.cop_m[1] - sc.cop_m[1]));
    }
    CHECK(max_diff > 1e-3);
}

TEST_CASE("The model's mechanics hold on average", "[devices][body]") {
    BodyOptions options;
    options.mass_kg = 82.0;
    options.height_m = 1.83;
    options.seed = 3;
    BodySwayModel body(options);
    const int n = 6000;
    double fz = 0.0, fx = 0.0, fy = 0.0;
    std::array<double, 2> cop{}, com{}, cop2{}, com2{};
    for (int k = 0; k < n; ++k) {
        const BodyState s = body.stateAt(0.01 * k);
        fx += s.force_n[0];
        fy += s.force_n[1];
        fz += s.force_n[2];
        for (std::size_t i = 0; i < 2; ++i) {
            cop[i] += s.cop_m[i];
            com[i] += s.com_m[i];
            cop2[i] += s.cop_m[i] * s.cop_m[i];
            com2[i] += s.com_m[i] * s.com_m[i];
        }
    }
    const double mg = 82.0 * BodySwayModel::kGravity_m_s2;
    CHECK(fz / n == Approx(mg).epsilon(1e-3));
    CHECK(std::abs(fx / n) < 0.05);
    CHECK(std::abs(fy / n) < 0.05);
    // COM height from Winter's ratios.
    CHECK(body.comHeightAboveAnkle_m() + body.ankleHeight_m() == Approx(0.5527 * 1.83));
    for (std::size_t i = 0; i < 2; ++i) {
        const double cop_mean = cop[i] / n, com_mean = com[i] / n;
        // No mean horizontal force: the COP oscillates about the COM's ground projection ...
        CHECK(std::abs(cop_mean - com_mean) < 2e-3);
        // ... with the larger amplitude (the COP must overshoot the COM to move it back).
        const double cop_sd = std::sqrt(cop2[i] / n - cop_mean * cop_mean);
        const double com_sd = std::sqrt(com2[i] / n - com_mean * com_mean);
        CHECK(cop_sd > com_sd);
    }
    // The forward lean puts the mean COM (and COP) 3 cm ahead of the ankles, near the centre.
    CHECK(com[1] / n ==
          Approx(-0.03 + body.comHeightAboveAnkle_m() * std::sin(0.035)).margin(0.01));
}

TEST_CASE("A fall ends with the subject off the plate", "[devices][body]") {
    BodyOptions options;
    options.fall_at_s = 5.0;
    options.seed = 9;
    PlateSimOptions plate;
    const auto trial = stance::test::simulatePlate(options, 30.0, plate);
    const double mg = options.mass_kg * BodySwayModel::kGravity_m_s2;
    for (Eigen::Index i = 0; i < 500; ++i)
        REQUIRE(trial.force(i, 2) > 0.97 * mg);
    Eigen::Index off = -1;
    for (Eigen::Index i = 500; i < trial.force.rows(); ++i) {
        if (trial.force(i, 2) < 20.0) {
            off = i;
            break;
        }
    }
    REQUIRE(off > 0);
    INFO("off the plate at " << 0.01 * static_cast<double>(off) << " s");
    CHECK(off < 1500);  // toppling from quiet stance takes seconds, not tens of seconds
    const auto cop = stance::analysis::copFromForcePlate(trial.force, trial.moment,
                                                         stance::test::plateGeometry(plate));
    CHECK(cop.valid[static_cast<std::size_t>(off - 60)]);
    CHECK_FALSE(cop.valid[static_cast<std::size_t>(off + 10)]);
    CHECK(cop.n_invalid >= trial.force.rows() - off - 1);
    BodySwayModel body(options);
    const BodyState end = body.stateAt(29.0);
    CHECK(end.load_fraction == 0.0);
    CHECK(std::abs(end.angle_rad[1] - options.lean_rad) > options.fall_angle_rad);
}

TEST_CASE("Stepping off ramps the vertical force to zero", "[devices][body]") {
    BodyOptions options;
    options.step_off_at_s = 2.0;
    options.step_off_duration_s = 0.3;
    BodySwayModel body(options);
    const double mg = options.mass_kg * BodySwayModel::kGravity_m_s2;
    CHECK(body.stateAt(1.99).force_n[2] == Approx(mg).epsilon(0.02));
    const BodyState mid = body.stateAt(2.15);
    CHECK(mid.load_fraction == Approx(0.5).margin(0.01));
    CHECK(mid.force_n[2] == Approx(0.5 * mg).epsilon(0.03));
    CHECK(body.stateAt(2.31).force_n[2] == 0.0);
}

TEST_CASE("The subject steps off and back onto the plate between trials", "[devices][body]") {
    BodyOptions options;
    options.step_off_duration_s = 0.3;
    BodySwayModel body(options);
    const double mg = options.mass_kg * BodySwayModel::kGravity_m_s2;
    CHECK(body.stateAt(1.0).force_n[2] == Approx(mg).epsilon(0.02));
    body.setOnPlate(false, 1.0);
    CHECK(body.stateAt(1.15).load_fraction == Approx(0.5).margin(0.01));
    const BodyState off = body.stateAt(2.0);
    CHECK(off.force_n[2] == 0.0);
    // The body keeps swaying while off the plate.
    CHECK(off.rate_rad_s[1] != 0.0);
    body.setOnPlate(true, 3.0);
    CHECK(body.stateAt(3.15).load_fraction == Approx(0.5).margin(0.01));
    CHECK(body.stateAt(3.5).force_n[2] == Approx(mg).epsilon(0.02));
}

TEST_CASE("A new condition changes the sway from then on", "[devices][body]") {
    // Same subject and noise: one stays eyes open on firm ground, the other closes the eyes and
    // stands on foam at t = 0, as in the next trial of a protocol.
    BodyOptions options;
    options.seed = 11;
    const auto sway = [&](bool switch_condition) {
        BodySwayModel body(options);
        if (switch_condition)
            body.setCondition({Vision::kEyesClosed, Surface::kFoam});
        double sum = 0.0, sum2 = 0.0;
        for (int k = 0; k < 6000; ++k) {
            const double y = body.stateAt(k * 0.01).cop_m[1];
            sum += y;
            sum2 += y * y;
        }
        const double mean = sum / 6000.0;
        return std::sqrt(sum2 / 6000.0 - mean * mean);
    };
    const double firm = sway(false), foam = sway(true);
    INFO("AP COP SD: eo_firm " << firm << " m, ec_foam " << foam << " m");
    CHECK(foam > 1.5 * firm);
    BodySwayModel body(options);
    body.setCondition({Vision::kEyesClosed, Surface::kFoam});
    CHECK(body.options().condition == StanceCondition{Vision::kEyesClosed, Surface::kFoam});
}

TEST_CASE("Impossible body options are refused with the reason", "[devices][body]") {
    BodyOptions options;
    options.height_m = 3.1;
    CHECK_THROWS_WITH(BodySwayModel(options),
                      "body sway model: height 3.100000 m is outside 0.5-2.5 m");
    options = {};
    options.mass_kg = 0.0;
    CHECK_THROWS_AS(BodySwayModel(options), DeviceError);
    options = {};
    options.integration_rate_hz = 100.0;
    CHECK_THROWS_AS(BodySwayModel(options), DeviceError);
    BodySwayModel body{BodyOptions{}};
    body.stateAt(5.0);
    CHECK_THROWS_AS(body.stateAt(1.0), DeviceError);  // time went backwards
    CHECK_THROWS_AS(body.stateAt(-1.0), DeviceError);
    CHECK(parseCondition("ec_foam") == StanceCondition{Vision::kEyesClosed, Surface::kFoam});
    CHECK_FALSE(parseCondition("eyes_closed"));
}
