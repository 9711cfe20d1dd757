#include "stance/analysis/change.hpp"

#include <cmath>

namespace stance::analysis {

std::string_view thresholdKindName(ThresholdKind k) noexcept {
    return k == ThresholdKind::kMcid ? "mcid" : "mdc";
}

std::string_view changeClassName(ChangeClass c) noexcept {
    switch (c) {
        case ChangeClass::kImproved:
            return "improved";
        case ChangeClass::kUnchanged:
            return "unchanged";
        case ChangeClass::kWorse:
            return "worse";
    }
    return "unknown";
}

namespace {

constexpr const char* kWorthenStanceCaveat =
    "measured in comfortable stance (mean of 4 x 30 s trials); Stance applies it to its "
    "eyes-closed firm trials in feet-together stance (mean of the session's usable trials, at "
    "most 3 x 30 s): a different stance and trial count, so it is indicative only";

}  // namespace

const std::vector<ChangeThreshold>& changeThresholds() {
    static const std::vector<ChangeThreshold> table{
        // 18 points is the 95 % confidence interval of the test-retest difference: a change
        // beyond measurement error (MDC-type), not an anchor-based clinically important one.
        {"dhi_total", "points", 18.0, ThresholdKind::kMdc, true, false,
         "patients with dizziness (test-retest of the DHI's development study)",
         "Jacobson GP, Newman CW (1990) Arch Otolaryngol Head Neck Surg 116(4):424-427: 18 "
         "points is the 95 % confidence interval of the test-retest difference, the smallest "
         "true (detectable) change; not an anchor-based MCID",
         ""},
        {"abc_total", "%", 18.1, ThresholdKind::kMcid, false, false,
         "adults with vestibular disorders after vestibular rehabilitation (anchor: DHI)",
         "Wellons RD, Duhe SE, MacDowell SG, Hodge A, Oxborough S, Levitzky EE (2022) J Vestib "
         "Res 32(3):223-233, anchor-based MCID",
         ""},
        {"sot_composite", "points", 8.0, ThresholdKind::kMdc, false, true,
         "healthy young adults, repeated SOT (learning effect plateau)",
         "Wrisley DM, Stephens MJ, Mosley S, Wojnowski A, Duffy J, Burkard R (2007) Arch Phys "
         "Med Rehabil 88(8):1049-1054: a composite change of more than 8 points indicates "
         "change due to rehabilitation",
         ""},
        // Worthen-Chaudhari et al. report these for comfortable stance; Stance applies them to
        // its mCTSIB eyes-closed firm trials (feet together, 3 x 30 s), and says so (caveat).
        {"rms_ML", "m", 0.0008, ThresholdKind::kMdc, true, false,
         "healthy middle-aged adults (n = 13), eyes closed, comfortable stance, mean of 4 x 30 s "
         "trials",
         "Worthen-Chaudhari LC, Monfort SM, Bland C, Pan X, Chaudhari AMW (2018) Gait Posture "
         "64:141-146: within-subject variability at 95 % (WSV95) of ML COP RMS, 0.8 mm, in "
         "comfortable stance with eyes closed (mean of 4 x 30 s trials)",
         kWorthenStanceCaveat},
        {"mean_velocity_ML", "m/s", 0.0011, ThresholdKind::kMdc, true, false,
         "healthy middle-aged adults (n = 13), eyes closed, comfortable stance, mean of 4 x 30 s "
         "trials",
         "Worthen-Chaudhari LC et al. (2018) Gait Posture 64:141-146: WSV95 of mean ML COP "
         "velocity, 1.1 mm/s, in comfortable stance with eyes closed (mean of 4 x 30 s trials)",
         kWorthenStanceCaveat},
    };
    return table;
}

const ChangeThreshold* findChangeThreshold(std::string_view score) noexcept {
    for (const ChangeThreshold& t : changeThresholds()) {
        if (t.score == score)
            return &t;
    }
    return nullptr;
}

Expected<ChangeResult> classifyChange(const ChangeThreshold& threshold, double before,
                                      double after) {
    if (!std::isfinite(before) || !std::isfinite(after))
        return fail(ErrorCode::kNonFinite,
                    threshold.score + ": the before and after values must be finite numbers");
    ChangeResult r;
    r.score = threshold.score;
    r.before = before;
    r.after = after;
    r.difference = after - before;
    r.threshold = threshold;
    const double better = threshold.lower_is_better ? -r.difference : r.difference;
    // Scores are often whole numbers and thresholds decimals: compare with a relative margin so
    // that 18 - 0 is "at least 18" despite rounding in the inputs.
    const double eps = 1e-9 * std::max(1.0, std::abs(threshold.threshold));
    const auto reaches = [&](double magnitude) {
        return threshold.strictly_greater ? magnitude > threshold.threshold + eps
                                          : magnitude >= threshold.threshold - eps;
    };
    if (reaches(better)) {
        r.classification = ChangeClass::kImproved;
    } else if (reaches(-better)) {
        r.classification = ChangeClass::kWorse;
    } else {
        r.classification = ChangeClass::kUnchanged;
    }
    return r;
}

Expected<ChangeResult> classifyChange(std::string_view score, double before, double after) {
    const ChangeThreshold* t = findChangeThreshold(score);
    if (t == nullptr) {
        std::string known;
        for (const ChangeThreshold& row : changeThresholds())
            known += (known.empty() ? "" : ", ") + row.score;
        return fail(ErrorCode::kInvalidArgument, "no published change threshold for '" +
                                                     std::string(score) +
                                                     "' in Stance's table (it has: " + known + ")");
    }
    return classifyChange(*t, before, after);
}

}  // namespace stance::analysis
