// Stockham autosort FFT (see fft.hpp). A stage of radix R on sub-transforms of length l = R m at
// stride s reads x[q + s (p + m t)] and writes
//   y[q + s (R p + r)] = W_l^(p r) sum_t x[q + s (p + m t)] W_R^(t r),   W_N = exp(-2 pi i / N),
// for q < s, p < m, r < R (decimation in frequency). The next stage works on length m at stride
// s R; after the last stage the result is in natural order, no bit reversal.

#include "fft.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <numbers>
#include <utility>

namespace stance::analysis::detail {

namespace {

constexpr double kPi = std::numbers::pi;

// One radix-R stage over every (p, q). The butterfly gets the R inputs and writes the R outputs,
// the twiddles already applied by the caller below.
template <int R>
struct Butterfly;

template <>
struct Butterfly<2> {
    static void run(const double (&ar)[2], const double (&ai)[2], double (&yr)[2],
                    double (&yi)[2]) {
        yr[0] = ar[0] + ar[1];
        yi[0] = ai[0] + ai[1];
        yr[1] = ar[0] - ar[1];
        yi[1] = ai[0] - ai[1];
    }
};

template <>
struct Butterfly<3> {
    static void run(const double (&ar)[3], const double (&ai)[3], double (&yr)[3],
                    double (&yi)[3]) {
        constexpr double kS3 = 0.86602540378443864676;  // sin(2 pi / 3)
        const double sr = ar[1] + ar[2], si = ai[1] + ai[2];
        const double dr = ar[1] - ar[2], di = ai[1] - ai[2];
        const double tr = ar[0] - 0.5 * sr, ti = ai[0] - 0.5 * si;
        yr[0] = ar[0] + sr;
        yi[0] = ai[0] + si;
        // -i sin(2pi/3) (b - c) = sin * (di, -dr)
        yr[1] = tr + kS3 * di;
        yi[1] = ti - kS3 * dr;
        yr[2] = tr - kS3 * di;
        yi[2] = ti + kS3 * dr;
    }
};

template <>
struct Butterfly<4> {
    static void run(const double (&ar)[4], const double (&ai)[4], double (&yr)[4],
                    double (&yi)[4]) {
        const double apc_r = ar[0] + ar[2], apc_i = ai[0] + ai[2];
        const double amc_r = ar[0] - ar[2], amc_i = ai[0] - ai[2];
        const double bpd_r = ar[1] + ar[3], bpd_i = ai[1] + ai[3];
        // -i (b - d)
        const double jbmd_r = ai[1] - ai[3], jbmd_i = ar[3] - ar[1];
        yr[0] = apc_r + bpd_r;
        yi[0] = apc_i + bpd_i;
        yr[1] = amc_r + jbmd_r;
        yi[1] = amc_i + jbmd_i;
        yr[2] = apc_r - bpd_r;
        yi[2] = apc_i - bpd_i;
        yr[3] = amc_r - jbmd_r;
        yi[3] = amc_i - jbmd_i;
    }
};

template <>
struct Butterfly<5> {
    static void run(const double (&ar)[5], const double (&ai)[5], double (&yr)[5],
                    double (&yi)[5]) {
        constexpr double kC1 = 0.30901699437494742410;   // cos(2 pi / 5)
        constexpr double kC2 = -0.80901699437494742410;  // cos(4 pi / 5)
        constexpr double kS1 = 0.95105651629515357212;   // sin(2 pi / 5)
        constexpr double kS2 = 0.58778525229247312917;   // sin(4 pi / 5)
        const double b1r = ar[1] + ar[4], b1i = ai[1] + ai[4];
        const double b2r = ar[2] + ar[3], b2i = ai[2] + ai[3];
        const double d1r = ar[1] - ar[4], d1i = ai[1] - ai[4];
        const double d2r = ar[2] - ar[3], d2i = ai[2] - ai[3];
        const double t1r = ar[0] + kC1 * b1r + kC2 * b2r, t1i = ai[0] + kC1 * b1i + kC2 * b2i;
        const double t2r = ar[0] + kC2 * b1r + kC1 * b2r, t2i = ai[0] + kC2 * b1i + kC1 * b2i;
        const double u1r = kS1 * d1r + kS2 * d2r, u1i = kS1 * d1i + kS2 * d2i;
        const double u2r = kS2 * d1r - kS1 * d2r, u2i = kS2 * d1i - kS1 * d2i;
        yr[0] = ar[0] + b1r + b2r;
        yi[0] = ai[0] + b1i + b2i;
        // y1 = t1 - i u1, y4 = t1 + i u1, y2 = t2 - i u2, y3 = t2 + i u2; -i (a + ib) = b - ia
        yr[1] = t1r + u1i;
        yi[1] = t1i - u1r;
        yr[4] = t1r - u1i;
        yi[4] = t1i + u1r;
        yr[2] = t2r + u2i;
        yi[2] = t2i - u2r;
        yr[3] = t2r - u2i;
        yi[3] = t2i + u2r;
    }
};

template <int R>
[[gnu::always_inline]] inline void runStage(Eigen::Index m, Eigen::Index s,
                                            const double* __restrict wr,
                                            const double* __restrict wi,
                                            const double* __restrict xr,
                                            const double* __restrict xi, double* __restrict yr,
                                            double* __restrict yi) {
    const Eigen::Index sm = s * m;
    if (s == 1) {
        // First stage: one butterfly per p; inputs contiguous in p.
        for (Eigen::Index p = 0; p < m; ++p) {
            double ar[R], ai[R], br[R], bi[R];
            for (int t = 0; t < R; ++t) {
                ar[t] = xr[p + t * m];
                ai[t] = xi[p + t * m];
            }
            Butterfly<R>::run(ar, ai, br, bi);
            yr[R * p] = br[0];
            yi[R * p] = bi[0];
            for (int r = 1; r < R; ++r) {
                const double w_r = wr[(r - 1) * m + p], w_i = wi[(r - 1) * m + p];
                yr[R * p + r] = br[r] * w_r - bi[r] * w_i;
                yi[R * p + r] = br[r] * w_i + bi[r] * w_r;
            }
        }
        return;
    }
    for (Eigen::Index p = 0; p < m; ++p) {
        double twr[R], twi[R];
        twr[0] = 1.0;
        twi[0] = 0.0;
        for (int r = 1; r < R; ++r) {
            twr[r] = wr[(r - 1) * m + p];
            twi[r] = wi[(r - 1) * m + p];
        }
        const double* __restrict x0r = xr + s * p;
        const double* __restrict x0i = xi + s * p;
        double* __restrict y0r = yr + s * R * p;
        double* __restrict y0i = yi + s * R * p;
        for (Eigen::Index q = 0; q < s; ++q) {
            double ar[R], ai[R], br[R], bi[R];
            for (int t = 0; t < R; ++t) {
                ar[t] = x0r[t * sm + q];
                ai[t] = x0i[t * sm + q];
            }
            Butterfly<R>::run(ar, ai, br, bi);
            y0r[q] = br[0];
            y0i[q] = bi[0];
            for (int r = 1; r < R; ++r) {
                y0r[r * s + q] = br[r] * twr[r] - bi[r] * twi[r];
                y0i[r * s + q] = br[r] * twi[r] + bi[r] * twr[r];
            }
        }
    }
}

}  // namespace

bool fftSizeSupported(Eigen::Index n) noexcept {
    if (n < 1)
        return false;
    for (const Eigen::Index p : {2, 3, 5}) {
        while (n % p == 0)
            n /= p;
    }
    return n == 1;
}

namespace {

Eigen::Index niceSizeUncached(Eigen::Index n) noexcept {
    // Relative cost per element of a stage, measured here (bench/bench_metrics sizes 1728 to
    // 9216): radix 3 is the cheapest per stage, radix 4 a little dearer, radix 5 about three
    // times radix 3, and power-of-two sizes from 2048 up thrash the L1 sets (the butterfly inputs
    // lie a power of two apart): 2187 = 3^7 runs in 7.2 us where 2048 takes 8.1 us. The cheapest
    // supported size within 25 % above n wins.
    const auto cost = [](Eigen::Index m) {
        double c = 0.0;
        Eigen::Index rest = m;
        while (rest % 4 == 0) {
            c += 0.75;
            rest /= 4;
        }
        for (const auto& [radix, stage] :
             {std::pair{2, 0.6}, std::pair{3, 0.45}, std::pair{5, 1.6}}) {
            while (rest % radix == 0) {
                c += stage;
                rest /= radix;
            }
        }
        if (m >= 4096 && (m & (m - 1)) == 0)
            c *= 1.6;
        else if (m >= 2048 && (m & (m - 1)) == 0)
            c *= 1.25;
        return c * static_cast<double>(m);
    };
    Eigen::Index m = std::max<Eigen::Index>(n, 1);
    while (!fftSizeSupported(m))
        ++m;
    Eigen::Index best = m;
    double best_cost = cost(m);
    for (Eigen::Index k = m + 1; static_cast<double>(k) <= 1.25 * static_cast<double>(m) + 1.0;
         ++k) {
        if (fftSizeSupported(k) && cost(k) < best_cost) {
            best = k;
            best_cost = cost(k);
        }
    }
    return best;
}

}  // namespace

Eigen::Index fftNiceSize(Eigen::Index n) noexcept {
    // The same few sizes are asked for on every trace: remember the last answers.
    thread_local std::array<std::pair<Eigen::Index, Eigen::Index>, 8> memo{};
    thread_local std::size_t next = 0;
    for (const auto& [key, value] : memo) {
        if (key == n && value != 0)
            return value;
    }
    const Eigen::Index m = niceSizeUncached(n);
    memo[next] = {n, m};
    next = (next + 1) % memo.size();
    return m;
}

FftPlan::FftPlan(Eigen::Index n) : n_(n) {
    assert(fftSizeSupported(n));
    // Radix 4 while it divides, then 2, 3, 5: fewer passes over the data.
    std::vector<int> radices;
    Eigen::Index rest = n;
    while (rest % 4 == 0) {
        radices.push_back(4);
        rest /= 4;
    }
    for (const int r : {2, 3, 5}) {
        while (rest % r == 0) {
            radices.push_back(r);
            rest /= r;
        }
    }
    Eigen::Index l = n, s = 1;
    for (const int r : radices) {
        Stage st;
        st.radix = r;
        st.m = l / r;
        st.s = s;
        st.wr.resize(static_cast<std::size_t>((r - 1) * st.m));
        st.wi.resize(st.wr.size());
        for (int k = 1; k < r; ++k) {
            for (Eigen::Index p = 0; p < st.m; ++p) {
                // Exact angle of W_l^(p k), reduced mod l so the argument stays small.
                const Eigen::Index e = (p * k) % l;
                const double angle = -2.0 * kPi * static_cast<double>(e) / static_cast<double>(l);
                const auto i = static_cast<std::size_t>((k - 1) * st.m + p);
                st.wr[i] = std::cos(angle);
                st.wi[i] = std::sin(angle);
            }
        }
        stages_.push_back(std::move(st));
        l /= r;
        s *= r;
    }
    for (const Stage& st : stages_) {
        radix_.push_back(st.radix);
        m_.push_back(st.m);
        s_.push_back(st.s);
        wr_.push_back(st.wr.data());
        wi_.push_back(st.wi.data());
    }
    work_re_.resize(static_cast<std::size_t>(n));
    work_im_.resize(static_cast<std::size_t>(n));
}

namespace {

// The stage loops vectorise; on x86-64 they are compiled twice, for the baseline (SSE2) and for
// AVX2, and the loader picks the one the CPU runs (GCC function multiversioning). Both clones
// perform the same operations in the same order (no FMA contraction under -std=c++20), so they
// give identical results.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define STANCE_FFT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define STANCE_FFT_CLONES
#endif

STANCE_FFT_CLONES
void runStages(const int* radix, const Eigen::Index* m, const Eigen::Index* s,
               const double* const* wr, const double* const* wi, std::size_t count, double*& xr,
               double*& xi, double*& yr, double*& yi) {
    for (std::size_t k = 0; k < count; ++k) {
        switch (radix[k]) {
            case 2:
                runStage<2>(m[k], s[k], wr[k], wi[k], xr, xi, yr, yi);
                break;
            case 3:
                runStage<3>(m[k], s[k], wr[k], wi[k], xr, xi, yr, yi);
                break;
            case 4:
                runStage<4>(m[k], s[k], wr[k], wi[k], xr, xi, yr, yi);
                break;
            default:
                runStage<5>(m[k], s[k], wr[k], wi[k], xr, xi, yr, yi);
                break;
        }
        std::swap(xr, yr);
        std::swap(xi, yi);
    }
}

}  // namespace

void FftPlan::forwardAnywhere(double* re, double* im, const double*& out_re,
                              const double*& out_im) {
    double* xr = re;
    double* xi = im;
    double* yr = work_re_.data();
    double* yi = work_im_.data();
    runStages(radix_.data(), m_.data(), s_.data(), wr_.data(), wi_.data(), radix_.size(), xr, xi,
              yr, yi);
    out_re = xr;
    out_im = xi;
}

void FftPlan::forward(double* re, double* im) {
    const double* xr = nullptr;
    const double* xi = nullptr;
    forwardAnywhere(re, im, xr, xi);
    if (xr != re) {
        std::copy(xr, xr + n_, re);
        std::copy(xi, xi + n_, im);
    }
}

void FftPlan::inverse(double* re, double* im) {
    // conj(FFT(conj(X))) = n * IDFT(X)
    for (Eigen::Index i = 0; i < n_; ++i)
        im[i] = -im[i];
    forward(re, im);
    for (Eigen::Index i = 0; i < n_; ++i)
        im[i] = -im[i];
}

FftPlan& fftPlan(Eigen::Index n) {
    // A handful of sizes per thread: the metric set uses three or four. Oldest evicted first.
    constexpr std::size_t kKept = 8;
    thread_local std::vector<std::unique_ptr<FftPlan>> plans;
    for (auto& p : plans) {
        if (p->size() == n)
            return *p;
    }
    if (plans.size() == kKept)
        plans.erase(plans.begin());
    plans.push_back(std::make_unique<FftPlan>(n));
    return *plans.back();
}

}  // namespace stance::analysis::detail
