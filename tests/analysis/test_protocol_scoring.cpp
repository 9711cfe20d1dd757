// Protocol scoring on synthetic trials whose sway is prescribed in closed form: SOT equilibrium
// scores and ratios, mCTSIB composite and ratios, Romberg quotients, limits of stability,
// single-leg stance, weight-bearing symmetry, and every bad-input case named.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "stance/analysis/scoring.hpp"
#include "stance/analysis/summary.hpp"

using namespace stance::analysis;

namespace {

// A trial of the given COP path (metres, plate frame), its mean removed as preprocessing does.
TrialRecord trialFromCop(const std::string& condition, int rep, double fs, const Signal2& cop) {
    TrialRecord t;
    t.condition = condition;
    t.repetition = rep;
    t.cop.fs_hz = fs;
    t.cop.removed_mean_m = cop.colwise().mean().transpose();
    t.cop.xy_m = cop.rowwise() - t.cop.removed_mean_m.transpose();
    return t;
}

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;

BodyParameters adult() {
    BodyParameters b;
    b.height_m = 1.70;
    b.mass_kg = 65.0;
    return b;
}

const PendulumModel& model() {
    static const PendulumModel m = *pendulumModel(adult());
    return m;
}

// A trial whose COM sway angles (rad) are given with their derivatives; the COP is what the
// linearised pendulum puts under it: p = x - x'' / w0^2, x = L sin(theta) about the ankle at
// `ankle` (plate frame).
template <class F>
TrialRecord pendulumTrial(const std::string& condition, int rep, double seconds, F&& angles,
                          Eigen::Vector2d ankle = Eigen::Vector2d(0.0, 0.04)) {
    const double fs = 100.0, L = model().com_height_m;
    const double w0[2] = {model().omega0_ml_rad_s, model().omega0_ap_rad_s};
    const auto n = static_cast<Eigen::Index>(std::llround(seconds * fs));
    Signal2 cop(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        double th[2], thd[2], thdd[2];
        angles(static_cast<double>(i) / fs, th, thd, thdd);
        for (int a = 0; a < 2; ++a) {
            const double x = L * std::sin(th[a]);
            const double xdd = L * (thdd[a] * std::cos(th[a]) - thd[a] * thd[a] * std::sin(th[a]));
            cop(i, a) = ankle(a) + x - xdd / (w0[a] * w0[a]);
        }
    }
    TrialRecord t = trialFromCop(condition, rep, fs, cop);
    return t;
}

// AP sine sway of a given peak-to-peak (deg) at f Hz, plus a smaller ML sine.
TrialRecord sineTrial(const std::string& condition, int rep, double seconds, double p2p_deg,
                      double f_hz = 0.25) {
    return pendulumTrial(condition, rep, seconds, [&](double t, double* th, double* d, double* dd) {
        const double w = 2 * kPi * f_hz, a = 0.5 * p2p_deg * kDeg, b = 0.2 * a;
        th[1] = a * std::sin(w * t);
        d[1] = a * w * std::cos(w * t);
        dd[1] = -a * w * w * std::sin(w * t);
        th[0] = b * std::sin(w * t + 1.0);
        d[0] = b * w * std::cos(w * t + 1.0);
        dd[0] = -b * w * w * std::sin(w * t + 1.0);
    });
}

// What the sway velocity should be: the true angles' path over the scored (interior) samples.
double expectedSwayVelocity(double seconds, double p2p_deg, double f_hz = 0.25) {
    const double fs = 100.0;
    const auto n = static_cast<Eigen::Index>(std::llround(seconds * fs));
    const Eigen::Index edge = comEdgeSamples(model(), fs);
    const double w = 2 * kPi * f_hz, a = 0.5 * p2p_deg, b = 0.2 * a;
    double path = 0.0;
    for (Eigen::Index i = edge + 1; i < n - edge; ++i) {
        const double t1 = static_cast<double>(i) / fs, t0 = t1 - 1.0 / fs;
        const double dap = a * (std::sin(w * t1) - std::sin(w * t0));
        const double dml = b * (std::sin(w * t1 + 1.0) - std::sin(w * t0 + 1.0));
        path += std::hypot(dap, dml);
    }
    return path / (static_cast<double>(n - 2 * edge - 1) / fs);
}

double copVelocity(const TrialRecord& t) {
    double path = 0.0;
    for (Eigen::Index i = 1; i < t.cop.xy_m.rows(); ++i)
        path += (t.cop.xy_m.row(i) - t.cop.xy_m.row(i - 1)).norm();
    return path / (static_cast<double>(t.cop.xy_m.rows()) / t.cop.fs_hz);
}

std::vector<TrialRecord> sotSession(const double p2p[6]) {
    std::vector<TrialRecord> trials;
    for (int c = 0; c < 6; ++c)
        for (int r = 1; r <= 3; ++r)
            trials.push_back(sineTrial("sot" + std::to_string(c + 1), r, 20.0, p2p[c]));
    return trials;
}

double es(double p2p) {
    return (12.5 - p2p) / 12.5 * 100.0;
}

// A sine sway (AP p2p_deg at f_hz, ML a fifth of it) of a subject whose pendulum is stiffer than
// the model's: omega_true^2 = stiffness x omega0^2. The COP is what that pendulum puts under the
// COM (p = x - x'' / omega_true^2) and the horizontal force is what accelerates it (F = m x''):
// a low-pass with the model's omega0 misjudges the COM, the zero-point integration does not.
// Returns the trial and the true AP peak-to-peak sway angle over its samples (deg).
std::pair<TrialRecord, double> stiffTrial(const std::string& condition, int rep, double seconds,
                                          double p2p_deg, double f_hz, double stiffness) {
    const double fs = 100.0, L = model().com_height_m, mass = adult().mass_kg;
    const double w0sq[2] = {stiffness * model().omega0_ml_rad_s * model().omega0_ml_rad_s,
                            stiffness * model().omega0_ap_rad_s * model().omega0_ap_rad_s};
    const double w = 2 * kPi * f_hz, amp[2] = {0.1 * p2p_deg * kDeg, 0.5 * p2p_deg * kDeg};
    const double phase[2] = {1.0, 0.0};
    const auto n = static_cast<Eigen::Index>(std::llround(seconds * fs));
    Signal2 cop(n, 2), force(n, 2);
    double lo = 1e9, hi = -1e9;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        for (int a = 0; a < 2; ++a) {
            const double th = amp[a] * std::sin(w * t + phase[a]);
            const double thd = amp[a] * w * std::cos(w * t + phase[a]);
            const double thdd = -w * w * th;
            const double x = L * std::sin(th);
            const double xdd = L * (thdd * std::cos(th) - thd * thd * std::sin(th));
            cop(i, a) = x - xdd / w0sq[a] + (a == 1 ? 0.04 : 0.0);
            force(i, a) = mass * xdd;
            if (a == 1) {
                lo = std::min(lo, th);
                hi = std::max(hi, th);
            }
        }
    }
    TrialRecord t = trialFromCop(condition, rep, fs, cop);
    t.horizontal_force_n = force;
    return {t, (hi - lo) / kDeg};
}

// A single-leg stance trial held quietly on the left foot for `seconds`.
TrialRecord slsTrial(const std::string& condition, int rep, double seconds) {
    const double fs = 100.0;
    const auto n = static_cast<Eigen::Index>(seconds * fs);
    TrialRecord t;
    t.condition = condition;
    t.repetition = rep;
    t.cop.fs_hz = fs;
    t.cop.xy_m.resize(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double tt = static_cast<double>(i) / fs;
        t.cop.xy_m(i, 0) = 0.01 * std::sin(2 * kPi * 0.8 * tt);
        t.cop.xy_m(i, 1) = 0.02 * std::sin(2 * kPi * 0.5 * tt);
    }
    t.cop.removed_mean_m = Eigen::Vector2d(-0.1, 0.0);
    t.vertical_force_n = Eigen::VectorXd::Constant(n, 700.0);
    return t;
}

const MissingValue* findMissing(const FlatSummary& f, const std::string& name) {
    for (const MissingValue& m : f.missing)
        if (m.name == name)
            return &m;
    return nullptr;
}

bool hasNote(const std::vector<std::string>& notes, const std::string& part) {
    return std::any_of(notes.begin(), notes.end(),
                       [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("SOT: equilibrium scores, composite and sensory ratios from the sway angle",
          "[scoring][sot]") {
    const double p2p[6] = {1.0, 2.0, 3.0, 4.0, 6.0, 7.0};
    const SotResult r = scoreSot(sotSession(p2p), adult());
    REQUIRE(r.trials.size() == 18);
    for (const SotTrialScore& t : r.trials) {
        INFO(t.outcome.condition << " #" << t.outcome.repetition << " " << t.outcome.note);
        REQUIRE(t.equilibrium_score);
        const int c = t.outcome.condition.back() - '1';
        CHECK(*t.ap_sway_peak_to_peak_deg == Approx(p2p[c]).margin(0.01));
        CHECK(*t.equilibrium_score == Approx(es(p2p[c])).margin(0.1));
    }
    const double want = (es(1) + es(2) + 3 * (es(3) + es(4) + es(6) + es(7))) / 14.0;
    REQUIRE(r.composite);
    CHECK(*r.composite == Approx(want).margin(0.1));
    CHECK(*r.somatosensory_ratio == Approx(es(2) / es(1)).margin(1e-3));
    CHECK(*r.visual_ratio == Approx(es(4) / es(1)).margin(1e-3));
    CHECK(*r.vestibular_ratio == Approx(es(6) / es(1)).margin(1e-3));
    CHECK(*r.visual_preference_ratio == Approx((es(3) + es(7)) / (es(2) + es(6))).margin(1e-3));
    CHECK(r.notes.empty());
}

TEST_CASE("SOT: a fall scores 0, excess sway scores 0 with a note, a missing trial is named",
          "[scoring][sot]") {
    const double p2p[6] = {1.0, 2.0, 3.0, 4.0, 6.0, 7.0};
    auto trials = sotSession(p2p);
    // sot5 #2: the subject fell 9.5 s in (recorded by the operator; the trial stopped there).
    for (auto& t : trials) {
        if (t.condition == "sot5" && t.repetition == 2) {
            t = sineTrial("sot5", 2, 9.5, 6.0);
            t.status = TrialStatus::kFall;
            t.event_time_s = 9.5;
        }
    }
    // sot6 #1 swayed 13 deg peak to peak without a recorded fall.
    for (auto& t : trials) {
        if (t.condition == "sot6" && t.repetition == 1)
            t = sineTrial("sot6", 1, 20.0, 13.0);
    }
    const SotResult r = scoreSot(trials, adult());
    const SotTrialScore& fall = r.trials[3 * 4 + 1];
    REQUIRE(fall.outcome.condition == "sot5");
    CHECK(fall.outcome.fall);
    CHECK(*fall.equilibrium_score == 0.0);
    CHECK(fall.outcome.note.find("fall recorded at 9.5 s") != std::string::npos);
    const SotTrialScore& wide = r.trials[3 * 5];
    CHECK(*wide.equilibrium_score == 0.0);
    CHECK(wide.outcome.note.find("exceeds the 12.5 deg limit") != std::string::npos);
    const double want =
        (es(1) + es(2) + 3 * (es(3) + es(4)) + 2 * es(6) + 0.0 + 2 * es(7) + 0.0) / 14.0;
    CHECK(*r.composite == Approx(want).margin(0.1));
    CHECK(*r.condition_scores[4] == Approx(2 * es(6) / 3).margin(0.1));

    // Without sot4 #2 the composite is undefined and says which trial and why.
    trials.erase(std::remove_if(trials.begin(), trials.end(),
                                [](const TrialRecord& t) {
                                    return t.condition == "sot4" && t.repetition == 2;
                                }),
                 trials.end());
    const SotResult m = scoreSot(trials, adult());
    REQUIRE_FALSE(m.composite);
    CHECK(m.composite.error().message.find("sot4 #2: no trial recorded") != std::string::npos);
    // The visual ratio still comes from the other two trials, with a note saying so.
    CHECK(*m.visual_ratio == Approx(es(4) / es(1)).margin(1e-3));
    CHECK(std::find(m.notes.begin(), m.notes.end(), "SOT condition 4: mean of 2 of 3 trials") !=
          m.notes.end());

    // A trial too short and one of an unknown condition.
    trials.push_back(sineTrial("sot4", 2, 8.0, 4.0));
    trials.push_back(sineTrial("sot7", 1, 20.0, 4.0));
    const SotResult s = scoreSot(trials, adult());
    CHECK(s.trials[3 * 3 + 1].outcome.note == "too short: lasts 8.0 s, the protocol plans 20 s");
    CHECK_FALSE(s.trials[3 * 3 + 1].equilibrium_score);
    REQUIRE_FALSE(s.notes.empty());
    CHECK(s.notes.front().find("'sot7' is not a condition of Sensory Organization Test") !=
          std::string::npos);
}

TEST_CASE("SOT: the peak-to-peak sway is taken over the whole trial, its ends included",
          "[scoring][sot]") {
    // A forward lean of 3 deg peaking 0.75 s into the trial (Gaussian, sigma 0.18 s) on top of a
    // 1 deg peak-to-peak sine: the lean lies inside the first comEdgeSamples, which the sway
    // velocity skips and NeuroCom's peak-to-peak does not.
    const double fs = 100.0, seconds = 20.0;
    const double bump = 3.0 * kDeg, mu = 0.75, sigma = 0.18, w = 2 * kPi * 0.25, a = 0.5 * kDeg;
    REQUIRE(mu * fs + 3.0 * sigma * fs < static_cast<double>(comEdgeSamples(model(), fs)));
    const auto lean = [&](double t, double* th, double* d, double* dd) {
        const double z = (t - mu) / sigma, g = bump * std::exp(-0.5 * z * z);
        th[1] = g + a * std::sin(w * t);
        d[1] = -g * z / sigma + a * w * std::cos(w * t);
        dd[1] = g * (z * z - 1.0) / (sigma * sigma) - a * w * w * std::sin(w * t);
        th[0] = 0.2 * a * std::sin(w * t + 1.0);
        d[0] = 0.2 * a * w * std::cos(w * t + 1.0);
        dd[0] = -0.2 * a * w * w * std::sin(w * t + 1.0);
    };
    double lo = 1e9, hi = -1e9;
    for (int i = 0; i < static_cast<int>(seconds * fs); ++i) {
        double th[2], d[2], dd[2];
        lean(i / fs, th, d, dd);
        lo = std::min(lo, th[1]);
        hi = std::max(hi, th[1]);
    }
    const double want = (hi - lo) / kDeg;
    REQUIRE(want > 3.5);  // the sine alone would give 1 deg

    const double p2p[6] = {1.0, 2.0, 3.0, 4.0, 6.0, 7.0};
    auto trials = sotSession(p2p);
    trials[0] = pendulumTrial("sot1", 1, seconds, lean);
    const SotResult r = scoreSot(trials, adult());
    const SotTrialScore& t = r.trials[0];
    REQUIRE(t.ap_sway_peak_to_peak_deg);
    CHECK(*t.ap_sway_peak_to_peak_deg == Approx(want).margin(0.05));
    CHECK(*t.equilibrium_score == Approx(es(want)).margin(0.4));
    CHECK(t.com_estimator == ComEstimator::kCopLowPass);
    // The condition mean carries it: (ES(lean) + 2 ES(1 deg)) / 3.
    CHECK(*r.condition_scores[0] == Approx((es(want) + 2 * es(1.0)) / 3.0).margin(0.25));
}

TEST_CASE("horizontal forces: the COM comes from the zero-point integration, else the low-pass",
          "[scoring][com]") {
    // The subject's pendulum is twice as stiff as the model's (omega^2), swaying at 0.5 Hz: the
    // model's low-pass turns the COP into a COM of (1 + w^2/2w0^2) / (1 + w^2/w0^2) of the true
    // amplitude (~0.74 here); the integration uses only the forces and the COP at their zeros.
    const auto [forced, truth] = stiffTrial("sot1", 1, 20.0, 1.0, 0.5, 2.0);
    const double w2 = std::pow(2 * kPi * 0.5, 2), w02 = std::pow(model().omega0_ap_rad_s, 2);
    const double low_pass_gain = (1 + w2 / (2 * w02)) / (1 + w2 / w02);
    REQUIRE(low_pass_gain < 0.8);

    const QuietTrialScore with = scoreQuietTrial(forced, model(), adult().mass_kg);
    CHECK(with.com_estimator == ComEstimator::kZeroPointIntegration);
    CHECK(with.com_note.empty());
    REQUIRE(with.ap_sway_peak_to_peak_deg);
    CHECK(*with.ap_sway_peak_to_peak_deg == Approx(truth).margin(0.01));

    TrialRecord bare = forced;
    bare.horizontal_force_n.resize(0, 2);
    const QuietTrialScore without = scoreQuietTrial(bare, model(), adult().mass_kg);
    CHECK(without.com_estimator == ComEstimator::kCopLowPass);
    REQUIRE(without.ap_sway_peak_to_peak_deg);
    CHECK(*without.ap_sway_peak_to_peak_deg == Approx(truth * low_pass_gain).margin(0.03));
    // The two paths disagree by far more than either's error: which one ran is visible.
    CHECK(*with.ap_sway_peak_to_peak_deg - *without.ap_sway_peak_to_peak_deg > 0.2);
    REQUIRE(with.sway_velocity_deg_per_s);
    REQUIRE(without.sway_velocity_deg_per_s);
    CHECK(*with.sway_velocity_deg_per_s > 1.2 * *without.sway_velocity_deg_per_s);
    CHECK(comEstimatorName(with.com_estimator) == "zero_point_integration");
    CHECK(comEstimatorName(without.com_estimator) == "cop_low_pass");

    // The mass may come from the vertical force (mean / g) instead of the body parameters.
    TrialRecord weighed = forced;
    weighed.vertical_force_n =
        Eigen::VectorXd::Constant(forced.cop.xy_m.rows(), adult().mass_kg * kStandardGravity);
    const QuietTrialScore by_fz = scoreQuietTrial(weighed, model());
    CHECK(by_fz.com_estimator == ComEstimator::kZeroPointIntegration);
    CHECK(*by_fz.ap_sway_peak_to_peak_deg == Approx(truth).margin(0.01));
    // Without any mass the forces cannot be used: low-pass, and the note says why.
    const QuietTrialScore no_mass = scoreQuietTrial(forced, model());
    CHECK(no_mass.com_estimator == ComEstimator::kCopLowPass);
    CHECK(no_mass.com_note.find("no body mass") != std::string::npos);
    CHECK(*no_mass.ap_sway_peak_to_peak_deg == Approx(*without.ap_sway_peak_to_peak_deg));

    // Through the SOT: the forced trial scores on its true sway, and the notes name the estimator.
    const double p2p[6] = {1.0, 2.0, 3.0, 4.0, 6.0, 7.0};
    auto trials = sotSession(p2p);
    trials[0] = forced;
    const SotResult sot = scoreSot(trials, adult());
    CHECK(sot.trials[0].com_estimator == ComEstimator::kZeroPointIntegration);
    CHECK(sot.trials[1].com_estimator == ComEstimator::kCopLowPass);
    CHECK(*sot.trials[0].equilibrium_score == Approx(es(truth)).margin(0.1));
    CHECK(hasNote(sot.notes,
                  "zero-point integration of the horizontal forces (Zatsiorsky & King "
                  "1998) for 1 trial(s), COP low-pass (Caron et al. 1997) for 17"));

    // A force array of the wrong length makes the trial unusable, as a wrong vertical force does.
    TrialRecord cut = forced;
    cut.horizontal_force_n.conservativeResize(100, 2);
    const TrialOutcome o = checkTrial(cut, 20.0);
    CHECK_FALSE(o.usable);
    CHECK(o.note.find("100 horizontal force samples for 2000 COP samples") != std::string::npos);
}

TEST_CASE("mCTSIB: composite sway velocity, ratios and Romberg quotients", "[scoring][mctsib]") {
    const char* conds[] = {"eo_firm", "ec_firm", "eo_foam", "ec_foam"};
    const double p2p[] = {0.8, 1.2, 2.0, 3.5};
    std::vector<TrialRecord> trials;
    double sum_sway = 0.0, sum_cop = 0.0;
    double cond_cop[4] = {}, cond_sway[4] = {};
    for (int c = 0; c < 4; ++c) {
        for (int r = 1; r <= 3; ++r) {
            // The repetitions differ a little, so that the means are means.
            const double amp = p2p[c] * (1.0 + 0.1 * (r - 2));
            trials.push_back(sineTrial(conds[c], r, 30.0, amp));
            const double v = expectedSwayVelocity(30.0, amp);
            sum_sway += v;
            cond_sway[c] += v / 3.0;
            sum_cop += copVelocity(trials.back());
            cond_cop[c] += copVelocity(trials.back()) / 3.0;
        }
    }
    const MctsibResult m = scoreMctsib(trials, adult());
    REQUIRE(m.composite_sway_velocity_deg_per_s);
    CHECK(*m.composite_sway_velocity_deg_per_s == Approx(sum_sway / 12.0).epsilon(0.005));
    CHECK(*m.composite_cop_velocity_mps == Approx(sum_cop / 12.0).epsilon(1e-9));
    REQUIRE(m.conditions.size() == 4);
    for (int c = 0; c < 4; ++c) {
        CHECK(m.conditions[c].condition == conds[c]);
        CHECK(m.conditions[c].n_usable == 3);
        CHECK(*m.conditions[c].sway_velocity_deg_per_s == Approx(cond_sway[c]).epsilon(0.005));
        CHECK(*m.conditions[c].cop_velocity_mps == Approx(cond_cop[c]).epsilon(1e-9));
    }
    CHECK(*m.somatosensory_ratio == Approx(cond_sway[0] / cond_sway[1]).epsilon(0.01));
    CHECK(*m.visual_ratio == Approx(cond_sway[0] / cond_sway[2]).epsilon(0.01));
    CHECK(*m.vestibular_ratio == Approx(cond_sway[0] / cond_sway[3]).epsilon(0.01));
    CHECK(*m.romberg_quotient_velocity == Approx(cond_cop[1] / cond_cop[0]).epsilon(1e-9));
    REQUIRE(m.romberg_quotient_area);
    CHECK(*m.romberg_quotient_area > 1.5);  // more sway eyes closed: larger ellipse

    // The Romberg protocol gives the same quotient from its own two conditions.
    std::vector<TrialRecord> romberg{trials[0], trials[3]};
    const RombergResult rq = scoreRomberg(romberg, adult());
    CHECK(*rq.quotient_velocity ==
          Approx(copVelocity(trials[3]) / copVelocity(trials[0])).epsilon(1e-9));
    REQUIRE(rq.quotient_sway_velocity);
}

TEST_CASE("mCTSIB: missing, short, fallen and height-less trials are named, never averaged in",
          "[scoring][mctsib]") {
    const char* conds[] = {"eo_firm", "ec_firm", "eo_foam", "ec_foam"};
    std::vector<TrialRecord> trials;
    for (int c = 0; c < 4; ++c)
        for (int r = 1; r <= 3; ++r)
            trials.push_back(sineTrial(conds[c], r, 30.0, 1.0 + c));
    trials.pop_back();  // ec_foam #3 never recorded
    // ec_foam #2: a fall visible only in the vertical force (it drops off the plate at 15 s).
    TrialRecord& fell = trials[10];
    REQUIRE(fell.condition == "ec_foam");
    fell.vertical_force_n = Eigen::VectorXd::Constant(fell.cop.xy_m.rows(), 640.0);
    fell.vertical_force_n.tail(fell.cop.xy_m.rows() - 1500).setConstant(12.0);
    // eo_foam #1 stopped after 12 s.
    trials[6] = sineTrial("eo_foam", 1, 12.0, 3.0);
    trials.push_back(sineTrial("eo_sand", 1, 30.0, 1.0));

    const MctsibResult m = scoreMctsib(trials, adult());
    REQUIRE_FALSE(m.composite_sway_velocity_deg_per_s);
    const std::string& why = m.composite_sway_velocity_deg_per_s.error().message;
    INFO(why);
    CHECK(why.find("needs all 12 trials; 3 without a value") != std::string::npos);
    CHECK(why.find("ec_foam #3: no trial recorded") != std::string::npos);
    CHECK(why.find("ec_foam #2: fall detected at 15.0 s") != std::string::npos);
    CHECK(why.find("eo_foam #1: too short: lasts 12.0 s, the protocol plans 30 s") !=
          std::string::npos);
    CHECK(m.trials[10].outcome.fall);
    CHECK(m.trials[10].outcome.fall_time_s == Approx(15.0));
    // The condition means use what is there, and say how much that is.
    CHECK(m.conditions[3].n_usable == 1);
    CHECK(m.conditions[3].n_expected == 3);
    CHECK(m.conditions[3].sway_velocity_deg_per_s);
    CHECK(m.notes.size() == 1);
    CHECK(m.notes[0].find("'eo_sand' is not a condition") != std::string::npos);

    // No height: COP values still come, sway angles say why not.
    BodyParameters unknown;
    const MctsibResult h = scoreMctsib(trials, unknown);
    CHECK(h.conditions[0].cop_velocity_mps);
    REQUIRE_FALSE(h.conditions[0].sway_velocity_deg_per_s);
    CHECK(h.conditions[0].sway_velocity_deg_per_s.error().message.find("height") !=
          std::string::npos);
}

TEST_CASE("limits of stability: reaction time, excursions, velocity and control of a lean",
          "[scoring][los]") {
    const LosOptions o;
    CHECK(losLimitDeg(0.0) == Approx(8.0));
    CHECK(losLimitDeg(180.0) == Approx(4.5));
    CHECK(losLimitDeg(90.0) == Approx(8.0));
    CHECK(losLimitDeg(270.0) == Approx(8.0));
    // On the ellipse quadrant through 4.5 (back) and 8 (side).
    CHECK(losLimitDeg(135.0) == Approx(1.0 / std::sqrt(0.5 / (4.5 * 4.5) + 0.5 / 64.0)));

    // A minimum-jerk lean to 90 % of the target, starting 0.3 s after the cue, lasting 1.2 s.
    const double cue = 2.0, delay = 0.3, tm = 1.2, share = 0.9;
    const auto lean = [&](double dir_deg) {
        const double target = losLimitDeg(dir_deg) * kDeg, phi = dir_deg * kDeg;
        const double d[2] = {std::sin(phi), std::cos(phi)};
        return pendulumTrial("", 1, 11.0, [=](double t, double* th, double* v, double* a) {
            const double tau = std::clamp((t - cue - delay) / tm, 0.0, 1.0);
            const bool moving = tau > 0.0 && tau < 1.0;
            const double s = share * target *
                             (10 * std::pow(tau, 3) - 15 * std::pow(tau, 4) + 6 * std::pow(tau, 5));
            const double sd =
                moving ? share * target *
                             (30 * tau * tau - 60 * std::pow(tau, 3) + 30 * std::pow(tau, 4)) / tm
                       : 0.0;
            const double sdd = moving ? share * target *
                                            (60 * tau - 180 * tau * tau + 120 * std::pow(tau, 3)) /
                                            (tm * tm)
                                      : 0.0;
            for (int k = 0; k < 2; ++k) {
                th[k] = s * d[k];
                v[k] = sd * d[k];
                a[k] = sdd * d[k];
            }
        });
    };
    const Protocol& p = *findProtocol("limits_of_stability");
    std::vector<TrialRecord> trials;
    for (const Condition& c : p.conditions) {
        TrialRecord t = lean(*c.direction_deg);
        t.condition = c.id;
        t.cue_time_s = cue;
        trials.push_back(std::move(t));
    }
    const LosResult r = scoreLimitsOfStability(trials, adult(), o);
    REQUIRE(r.directions.size() == 8);
    // Closed forms of the minimum-jerk profile: its speed is 10 % of the peak at tau = 0.0848
    // and 0.9152; the position there is 0.56 % and 99.44 % of the way.
    const double tau10 = 0.5 - std::sqrt(0.25 - std::sqrt(0.1 * 1.875 / 30.0));
    const double s_end =
        1.0 - (10 * std::pow(tau10, 3) - 15 * std::pow(tau10, 4) + 6 * std::pow(tau10, 5));
    // 5 % and 95 % of the way to the endpoint, by bisection on the closed form.
    const auto when = [](double frac) {
        double lo = 0.0, hi = 1.0;
        for (int k = 0; k < 60; ++k) {
            const double mid = 0.5 * (lo + hi);
            const double s = 10 * std::pow(mid, 3) - 15 * std::pow(mid, 4) + 6 * std::pow(mid, 5);
            (s < frac ? lo : hi) = mid;
        }
        return lo;
    };
    const double s0 = 1.0 - s_end;  // position at onset (symmetry of the profile)
    for (const LosDirectionScore& d : r.directions) {
        INFO(d.outcome.condition << ": " << d.outcome.note);
        REQUIRE(d.reaction_time_s);
        CHECK(*d.reaction_time_s == Approx(delay + tau10 * tm).margin(0.015));
        CHECK(*d.endpoint_excursion_percent == Approx(100 * share * s_end).margin(0.5));
        CHECK(*d.maximum_excursion_percent == Approx(100 * share).margin(0.3));
        CHECK(*d.directional_control_percent > 99.0);
        const double dist = s_end - s0;
        const double t5 = when(s0 + 0.05 * dist), t95 = when(s0 + 0.95 * dist);
        const double mvl = 0.9 * dist * share * d.target_deg / ((t95 - t5) * tm);
        CHECK(*d.movement_velocity_deg_per_s == Approx(mvl).epsilon(0.02));
        CHECK(d.target_distance_m == Approx(model().com_height_m * std::tan(d.target_deg * kDeg)));
    }
    REQUIRE(r.reaction_time_s);
    CHECK(*r.reaction_time_s == Approx(delay + tau10 * tm).margin(0.015));

    // No movement in one direction, the cue outside the trial in another, one missing.
    trials[2] = pendulumTrial("los_r", 1, 11.0, [](double, double* th, double* v, double* a) {
        th[0] = th[1] = v[0] = v[1] = a[0] = a[1] = 0.0;
    });
    trials[2].cue_time_s = cue;
    trials[5].cue_time_s = 0.5;
    trials.pop_back();
    const LosResult bad = scoreLimitsOfStability(trials, adult(), o);
    CHECK(bad.directions[2].reaction_time_s.error().message.find("no movement") !=
          std::string::npos);
    CHECK(bad.directions[5].endpoint_excursion_percent.error().message.find("cue at 0.50 s") !=
          std::string::npos);
    CHECK(bad.directions[7].outcome.note == "no trial recorded");
    REQUIRE_FALSE(bad.reaction_time_s);
    CHECK(bad.reaction_time_s.error().message.find("los_fl: no trial recorded") !=
          std::string::npos);
}

TEST_CASE("single-leg stance: time until the stance is lost, from the signals", "[scoring][sls]") {
    const double fs = 100.0;
    const auto trial = [&](double seconds) {
        const auto n = static_cast<Eigen::Index>(seconds * fs);
        TrialRecord t;
        t.condition = "sls_left_eo";
        t.cop.fs_hz = fs;
        t.cop.xy_m.resize(n, 2);
        for (Eigen::Index i = 0; i < n; ++i) {
            const double tt = static_cast<double>(i) / fs;
            t.cop.xy_m(i, 0) = 0.012 * std::sin(2 * kPi * 0.8 * tt);
            t.cop.xy_m(i, 1) = 0.02 * std::sin(2 * kPi * 0.5 * tt);
        }
        t.cop.removed_mean_m = Eigen::Vector2d(-0.1, 0.0);  // stance foot 10 cm left of centre
        t.vertical_force_n = Eigen::VectorXd::Constant(n, 700.0);
        return t;
    };
    {
        TrialRecord t = trial(30.0);
        const SingleLegResult r = scoreSingleLegStance(t);
        CHECK(*r.time_s == 30.0);
        CHECK(r.end == StanceEnd::kHeld);
    }
    {
        // The lifted foot touches the floor beside the plate at 12.3 s: the plate loses weight.
        TrialRecord t = trial(20.0);
        t.vertical_force_n.tail(t.vertical_force_n.size() - 1230).setConstant(420.0);
        const SingleLegResult r = scoreSingleLegStance(t);
        CHECK(*r.time_s == Approx(12.3));
        CHECK(r.end == StanceEnd::kForceDrop);
        CHECK(r.reason.find("12.30 s") != std::string::npos);
    }
    {
        // ... or on the plate at 7.5 s: the COP jumps towards the middle of the two feet.
        TrialRecord t = trial(20.0);
        t.cop.xy_m.bottomRows(t.cop.xy_m.rows() - 750).col(0).array() += 0.09;
        const SingleLegResult r = scoreSingleLegStance(t);
        CHECK(*r.time_s == Approx(7.5));
        CHECK(r.end == StanceEnd::kCopExcursion);
    }
    {
        // A brief 50 ms dip is not a loss of stance (it must last 0.1 s).
        TrialRecord t = trial(30.0);
        t.vertical_force_n.segment(500, 5).setConstant(300.0);
        CHECK(scoreSingleLegStance(t).end == StanceEnd::kHeld);
    }
    {
        TrialRecord t = trial(14.0);
        const SingleLegResult r = scoreSingleLegStance(t);
        CHECK(*r.time_s == Approx(14.0));
        CHECK(r.end == StanceEnd::kRecordingEnded);
        CHECK(r.reason.find("operator stop") != std::string::npos);
    }
    {
        TrialRecord t = trial(14.0);
        t.status = TrialStatus::kFall;
        t.event_time_s = 4.2;
        const SingleLegResult r = scoreSingleLegStance(t);
        CHECK(*r.time_s == Approx(4.2));
        CHECK(r.end == StanceEnd::kRecordedFall);
    }
    {
        TrialRecord t = trial(14.0);
        t.status = TrialStatus::kAborted;
        CHECK(scoreSingleLegStance(t).time_s.error().message.find("aborted") != std::string::npos);
    }
}

TEST_CASE("weight-bearing symmetry from two plates and from one plate", "[scoring][wbs]") {
    const Eigen::VectorXd left = Eigen::VectorXd::Constant(100, 400.0);
    const Eigen::VectorXd right = Eigen::VectorXd::Constant(100, 300.0);
    const auto w = weightBearingFromForces(left, right);
    REQUIRE(w);
    CHECK(w->left_percent == Approx(400.0 / 7.0));
    CHECK(w->right_percent == Approx(300.0 / 7.0));
    CHECK(w->symmetry_ratio == Approx(0.75));
    CHECK(w->asymmetry_index_percent == Approx(-100.0 / 350.0 * 100.0));
    CHECK_FALSE(weightBearingFromForces(left, Eigen::VectorXd::Constant(99, 1.0)));
    CHECK_FALSE(weightBearingFromForces(-left, right));

    const auto c = weightBearingFromCop(Eigen::VectorXd::Constant(50, 0.02), -0.1, 0.1);
    REQUIRE(c);
    CHECK(c->right_percent == Approx(60.0));
    CHECK(c->left_percent == Approx(40.0));
    CHECK(c->symmetry_ratio == Approx(40.0 / 60.0));
    CHECK(c->method == "cop_lever_rule");
    CHECK(weightBearingFromCop(Eigen::VectorXd::Constant(5, 0.2), -0.1, 0.1)
              .error()
              .message.find("outside the two feet") != std::string::npos);
    CHECK_FALSE(weightBearingFromCop(Eigen::VectorXd::Constant(5, 0.0), 0.1, -0.1));
}

TEST_CASE("a session summary flattens to named values with units and sources",
          "[scoring][summary]") {
    SessionInputs in;
    in.protocol_id = "mctsib";
    in.body = adult();
    in.norm_subject = NormSubject{33.0, 'F'};
    const char* conds[] = {"eo_firm", "ec_firm", "eo_foam", "ec_foam"};
    for (int c = 0; c < 4; ++c)
        for (int r = 1; r <= 3; ++r)
            in.trials.push_back(sineTrial(conds[c], r, 30.0, 1.0 + c));
    in.trials.pop_back();
    std::vector<std::optional<DhiAnswer>> dhi(25, DhiAnswer::kSometimes);
    in.questionnaires.push_back(*scoreDhi(dhi));

    const auto s = summarizeSession(in);
    REQUIRE(s);
    const FlatSummary f = flattenSummary(*s);
    CHECK(f.protocol_id == "mctsib");
    const auto find = [&f](const std::string& name) -> const NamedValue* {
        for (const NamedValue& v : f.values)
            if (v.name == name)
                return &v;
        return nullptr;
    };
    const NamedValue* v = find("mctsib.eo_firm.sway_velocity");
    REQUIRE(v != nullptr);
    CHECK(v->unit == "deg/s");
    CHECK_FALSE(v->source.empty());
    const NamedValue* dhi_total = find("dhi_total");
    REQUIRE(dhi_total != nullptr);
    CHECK(dhi_total->value == 50.0);
    CHECK(find("dhi_physical")->value == 14.0);
    REQUIRE(find("norms.eo_firm.1.age_band.bds_cop_velocity.band") != nullptr);
    CHECK(find("norms.eo_firm.1.age_band.bds_cop_velocity.band")->source.find("PeerJ 4:e2648") !=
          std::string::npos);
    // The composite cannot be computed: it is listed as missing with the reason.
    CHECK(find("mctsib.composite_sway_velocity") == nullptr);
    bool listed = false;
    for (const MissingValue& m : f.missing)
        listed |= m.name == "mctsib.composite_sway_velocity" &&
                  m.reason.find("ec_foam #3: no trial recorded") != std::string::npos;
    CHECK(listed);
    for (const NamedValue& x : f.values)
        CHECK(std::isfinite(x.value));
    // Norm caveats (30 s trials against 60 s tables) are notes.
    CHECK(std::any_of(f.notes.begin(), f.notes.end(), [](const std::string& n) {
        return n.find("60 s trials") != std::string::npos;
    }));

    in.protocol_id = "tug";
    const auto bad = summarizeSession(in);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("unknown protocol 'tug'") != std::string::npos);
}

TEST_CASE("single-leg stance session: every scheduled trial has a time or a reason",
          "[scoring][sls][summary]") {
    SessionInputs in;
    in.protocol_id = "single_leg_stance";
    const Protocol& p = *findProtocol("single_leg_stance");
    for (const ProtocolStep& step : p.schedule())
        in.trials.push_back(slsTrial(step.condition, step.repetition, 30.0));
    REQUIRE(in.trials.size() == 12);
    // sls_right_ec #3 was never recorded; sls_left_eo #1 twice; one trial of another protocol.
    in.trials.erase(std::remove_if(in.trials.begin(), in.trials.end(),
                                   [](const TrialRecord& t) {
                                       return t.condition == "sls_right_ec" && t.repetition == 3;
                                   }),
                    in.trials.end());
    in.trials.push_back(slsTrial("sls_left_eo", 1, 12.0));
    in.trials.push_back(slsTrial("eo_firm", 1, 30.0));

    const auto s = summarizeSession(in);
    REQUIRE(s);
    REQUIRE(s->single_leg.size() == 12);  // the schedule, not the records
    const SingleLegResult& gone = s->single_leg.back();
    CHECK(gone.condition == "sls_right_ec");
    CHECK(gone.repetition == 3);
    REQUIRE_FALSE(gone.time_s);
    CHECK(gone.time_s.error().message == "sls_right_ec #3: no trial recorded");
    // The first record of the duplicate is the one scored (30 s, held), and the second is noted.
    CHECK(*s->single_leg.front().time_s == 30.0);
    CHECK(hasNote(s->notes, "sls_left_eo #1: recorded twice; the first record is scored"));
    CHECK(hasNote(s->notes, "'eo_firm' is not a condition of Single-leg stance; ignored"));

    const FlatSummary f = flattenSummary(*s);
    const MissingValue* m = findMissing(f, "single_leg.sls_right_ec.3.time");
    REQUIRE(m != nullptr);
    CHECK(m->reason == "sls_right_ec #3: no trial recorded");
    CHECK(f.values.size() == 11);
    CHECK(hasNote(f.notes, "recorded twice"));
}

TEST_CASE("one-plate weight bearing checks its trial first and says why it refuses it",
          "[scoring][wbs][summary]") {
    const auto wbsTrial = [](double seconds) {
        TrialRecord t;
        t.condition = "wbs";
        t.cop.fs_hz = 100.0;
        const auto n = static_cast<Eigen::Index>(seconds * 100.0);
        t.cop.xy_m = Signal2::Zero(n, 2);
        t.cop.removed_mean_m = Eigen::Vector2d(0.02, 0.0);  // 60 % on the right foot
        return t;
    };
    SessionInputs in;
    in.protocol_id = "weight_bearing";
    in.foot_x_m = std::make_pair(-0.1, 0.1);
    const auto score = [&in](const TrialRecord& t) {
        in.trials = {t};
        const auto s = summarizeSession(in);
        REQUIRE(s);
        REQUIRE(s->weight_bearing);
        return *s;
    };
    {
        const SessionSummary s = score(wbsTrial(30.0));
        REQUIRE(*s.weight_bearing);
        CHECK((*s.weight_bearing)->right_percent == Approx(60.0));
    }
    {
        TrialRecord t = wbsTrial(30.0);
        t.status = TrialStatus::kAborted;
        t.event_time_s = 4.0;
        const SessionSummary s = score(t);
        REQUIRE_FALSE(*s.weight_bearing);
        CHECK(s.weight_bearing->error().message ==
              "weight bearing on one plate: wbs #1: aborted at 4.0 s (recorded); not scored");
        const FlatSummary flat = flattenSummary(s);  // findMissing points into it
        const MissingValue* m = findMissing(flat, "weight_bearing");
        REQUIRE(m != nullptr);
        CHECK(m->reason.find("aborted at 4.0 s") != std::string::npos);
    }
    {
        TrialRecord t = wbsTrial(30.0);
        t.status = TrialStatus::kFall;
        t.event_time_s = 21.0;
        const SessionSummary s = score(t);
        REQUIRE_FALSE(*s.weight_bearing);
        CHECK(s.weight_bearing->error().message.find("wbs #1: fall recorded at 21.0 s") !=
              std::string::npos);
    }
    {
        const SessionSummary s = score(wbsTrial(10.0));
        REQUIRE_FALSE(*s.weight_bearing);
        CHECK(s.weight_bearing->error().message.find(
                  "too short: lasts 10.0 s, the protocol plans 30 s") != std::string::npos);
    }
    {
        // A trial of another condition is not the scheduled one.
        TrialRecord t = wbsTrial(30.0);
        t.condition = "eo_firm";
        const SessionSummary s = score(t);
        REQUIRE_FALSE(*s.weight_bearing);
        CHECK(s.weight_bearing->error().message.find("wbs #1: no trial recorded") !=
              std::string::npos);
        CHECK(hasNote(s.notes, "'eo_firm' is not a condition of Weight-bearing symmetry"));
    }
}
