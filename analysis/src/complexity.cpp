// Complexity of the COP series: sample entropy (Richman & Moorman 2000) and the DFA exponent
// (Peng et al. 1994), and their per-axis table entries.

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "stance/analysis/sway_metrics.hpp"

namespace stance::analysis {

namespace {

/// Counts of template pairs (i < j) within r: b on the first m points, a on all m + 1.
struct MatchCounts {
    long long b = 0, a = 0;
};

/// Templates sorted by their first value, one contiguous column per template position:
/// cols[k * count + p] = x[start_p + k] for the p-th template in that order, k = 0 .. m.
/// For the p-th template, every partner within r on the first value lies in the contiguous band
/// p+1 .. end_p - 1, and end_p never decreases with p (both follow from the sort and from
/// monotone rounding of a - b), so each pair is visited once and the rest of the pair loop is
/// branch-free over contiguous memory.
/// Compiled for the baseline and for AVX2, the loader picking what the CPU runs (as the FFT's
/// stages; the counts are integers, so both clones give the same answer).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
MatchCounts
countMatches(const std::vector<double>& cols, Eigen::Index count, int m, double r) {
    MatchCounts mc;
    const auto col = [&](int k) { return cols.data() + static_cast<std::ptrdiff_t>(k) * count; };
    const double* t0 = col(0);
    Eigen::Index end = 0;
    for (Eigen::Index p = 0; p < count; ++p) {
        end = std::max(end, p + 1);
        while (end < count && t0[end] - t0[p] <= r)
            ++end;
        long long b = 0, a = 0;
        if (m == 2) {
            const double* t1 = col(1);
            const double* t2 = col(2);
            const double v1 = t1[p], v2 = t2[p];
            for (Eigen::Index j = p + 1; j < end; ++j) {
                const bool m1 = std::abs(t1[j] - v1) <= r;
                const bool m2 = std::abs(t2[j] - v2) <= r;
                b += static_cast<long long>(m1);
                a += static_cast<long long>(m1 && m2);
            }
        } else {
            for (Eigen::Index j = p + 1; j < end; ++j) {
                bool ok = true;
                for (int k = 1; k < m && ok; ++k)
                    ok = std::abs(col(k)[j] - col(k)[p]) <= r;
                if (!ok)
                    continue;
                ++b;
                a += static_cast<long long>(std::abs(col(m)[j] - col(m)[p]) <= r);
            }
        }
        mc.b += b;
        mc.a += a;
    }
    return mc;
}

/// Residual sum of squares of the least-squares line through the profile values
/// y[start .. start+len-1] against t = 0 .. len-1. Values are taken relative to the box's first
/// one and t is centred, which keeps the sums small for a drifting profile.
double boxResidual(const Eigen::VectorXd& y, Eigen::Index start, Eigen::Index len, double stt) {
    const double origin = y(start);
    const double t_mid = 0.5 * static_cast<double>(len - 1);
    double sy = 0.0, sty = 0.0, syy = 0.0;
    for (Eigen::Index t = 0; t < len; ++t) {
        const double v = y(start + t) - origin;
        const double tc = static_cast<double>(t) - t_mid;
        sy += v;
        sty += tc * v;
        syy += v * v;
    }
    const double cyy = syy - sy * sy / static_cast<double>(len);
    return std::max(0.0, cyy - sty * sty / stt);
}

}  // namespace

// Richman JS, Moorman JR (2000) Physiological time-series analysis using approximate entropy and
// sample entropy. Am J Physiol Heart Circ Physiol 278:H2039-H2049. Templates of length m and
// m + 1 start at the same N - m indices 0 .. N-m-1; B = pairs i < j (self-matches excluded)
// within r on all m points (Chebyshev distance <= r), A = those also within r on point m + 1;
// SampEn = -ln(A / B) (dimensionless). Errors: r <= 0 (a constant series gives r = 0.2 SD = 0),
// B = 0 or A = 0 (undefined), fewer than m + 10 samples, NaN.
// Cost: O(N log N) sort + O(P) for the P pairs within r on the first value (about 0.11 N^2 / 2
// for Gaussian noise with r = 0.2 SD); no allocation inside the loops.
Expected<double> sampleEntropy(const Eigen::Ref<const Eigen::VectorXd>& x, int m, double r) {
    const Eigen::Index n = x.size();
    if (m < 1)
        return fail(ErrorCode::kInvalidArgument, "sample entropy: m must be at least 1");
    if (n == 0)
        return fail(ErrorCode::kEmpty, "sample entropy: the series is empty");
    if (!x.allFinite())
        return fail(ErrorCode::kNonFinite,
                    "sample entropy: the series has a NaN or infinite value");
    if (n < m + 10) {
        return fail(ErrorCode::kTooShort, "sample entropy needs at least " +
                                              std::to_string(m + 10) + " samples, got " +
                                              std::to_string(n));
    }
    if (!std::isfinite(r) || r < 0.0) {
        return fail(ErrorCode::kInvalidArgument, "sample entropy: the tolerance r must be >= 0");
    }
    if (r == 0.0) {
        return fail(ErrorCode::kZeroVariance,
                    "sample entropy: the tolerance r is 0 (a constant series has no spread)");
    }
    const Eigen::Index count = n - m;
    std::vector<std::pair<double, Eigen::Index>> order(static_cast<std::size_t>(count));
    for (Eigen::Index i = 0; i < count; ++i)
        order[static_cast<std::size_t>(i)] = {x(i), i};
    std::sort(order.begin(), order.end());
    std::vector<double> cols(static_cast<std::size_t>((m + 1) * count));
    for (int k = 0; k <= m; ++k) {
        double* c = cols.data() + static_cast<std::ptrdiff_t>(k) * count;
        for (Eigen::Index p = 0; p < count; ++p)
            c[p] = x(order[static_cast<std::size_t>(p)].second + k);
    }
    const MatchCounts mc = countMatches(cols, count, m, r);
    if (mc.b == 0 || mc.a == 0) {
        return fail(ErrorCode::kUndefined,
                    std::string("sample entropy is undefined: no template pairs match on ") +
                        (mc.b == 0 ? "m" : "m + 1") + " points (series too short or r too small)");
    }
    return -std::log(static_cast<double>(mc.a) / static_cast<double>(mc.b));
}

// Peng C-K, Buldyrev SV, Havlin S, Simons M, Stanley HE, Goldberger AL (1994) Mosaic organization
// of DNA nucleotides. Phys Rev E 49:1685-1689. Profile y = cumsum(x - mean(x)); 24 box sizes
// log-spaced from 4 to floor(N/4) samples, rounded to integers, duplicates dropped; for each size
// n, floor(N/n) non-overlapping boxes from the start (the tail is left out); least-squares line
// removed in each box; F(n) = sqrt(mean of the squared residuals over all boxed samples);
// alpha = OLS slope of ln F(n) on ln n (dimensionless). Errors: N < 64, NaN, F(n) = 0.
// Cost: O(24 N).
Expected<double> dfaAlpha(const Eigen::Ref<const Eigen::VectorXd>& x) {
    const Eigen::Index n = x.size();
    if (n == 0)
        return fail(ErrorCode::kEmpty, "DFA: the series is empty");
    if (!x.allFinite())
        return fail(ErrorCode::kNonFinite, "DFA: the series has a NaN or infinite value");
    if (n < 64) {
        return fail(ErrorCode::kTooShort,
                    "DFA needs at least 64 samples (box sizes 4 .. N/4), got " + std::to_string(n));
    }
    const double mean = x.mean();
    Eigen::VectorXd profile(n);
    double acc = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        acc += x(i) - mean;
        profile(i) = acc;
    }
    constexpr int kSizes = 24;
    std::array<Eigen::Index, kSizes> sizes{};
    int n_sizes = 0;
    const double lo = std::log(4.0), hi = std::log(static_cast<double>(n / 4));
    for (int s = 0; s < kSizes; ++s) {
        const auto box = static_cast<Eigen::Index>(
            std::lround(std::exp(lo + (hi - lo) * static_cast<double>(s) / (kSizes - 1))));
        if (n_sizes == 0 || box != sizes[static_cast<std::size_t>(n_sizes - 1)])
            sizes[static_cast<std::size_t>(n_sizes++)] = box;
    }
    double mx = 0.0, my = 0.0;
    std::array<double, kSizes> log_n{}, log_f{};
    for (int si = 0; si < n_sizes; ++si) {
        const Eigen::Index box = sizes[static_cast<std::size_t>(si)];
        const Eigen::Index boxes = n / box;
        const auto bt = static_cast<double>(box);
        const double stt = (bt - 1.0) * bt * (bt + 1.0) / 12.0;  // sum of (t - mean t)^2
        double ssr = 0.0;
        for (Eigen::Index b = 0; b < boxes; ++b)
            ssr += boxResidual(profile, b * box, box, stt);
        const double f = std::sqrt(ssr / static_cast<double>(boxes * box));
        if (!(f > 0.0)) {
            return fail(ErrorCode::kZeroVariance,
                        "DFA: the fluctuation F(n) is 0 (a constant or linear series)");
        }
        log_n[static_cast<std::size_t>(si)] = std::log(bt);
        log_f[static_cast<std::size_t>(si)] = std::log(f);
        mx += log_n[static_cast<std::size_t>(si)];
        my += log_f[static_cast<std::size_t>(si)];
    }
    mx /= n_sizes;
    my /= n_sizes;
    double sxx = 0.0, sxy = 0.0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n_sizes); ++i) {
        sxx += (log_n[i] - mx) * (log_n[i] - mx);
        sxy += (log_n[i] - mx) * (log_f[i] - my);
    }
    return sxy / sxx;
}

// On the COP position of each axis (not its velocity): sample_entropy_{ML,AP} with m = 2,
// r = 0.2 population SD (divisor N) of that axis; dfa_alpha_{ML,AP}. All dimensionless.
void appendComplexityMetrics(const UniformTrace& trace, MetricTable& out) {
    using namespace units;
    const std::array<const char*, 2> axis{"ML", "AP"};
    for (Eigen::Index a = 0; a < 2; ++a) {
        const auto v = trace.xy_m.col(a);
        const double sd = v.size() > 0 ? std::sqrt((v.array() - v.mean()).square().mean()) : 0.0;
        out.add(std::string("sample_entropy_") + axis[static_cast<std::size_t>(a)], kDimensionless,
                sampleEntropy(v, 2, 0.2 * sd));
    }
    for (Eigen::Index a = 0; a < 2; ++a) {
        out.add(std::string("dfa_alpha_") + axis[static_cast<std::size_t>(a)], kDimensionless,
                dfaAlpha(trace.xy_m.col(a)));
    }
}

}  // namespace stance::analysis
