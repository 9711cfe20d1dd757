// Welch power spectral density as scipy.signal.welch computes it (periodic Hann window, detrend
// per segment, one-sided 'density' scaling, average 'mean'), for one signal or for the two COP
// axes at once. Two real signals share each complex transform: with z = a + i b,
// A_k = (Z_k + conj(Z_{n-k})) / 2 and B_k = (Z_k - conj(Z_{n-k})) / (2 i).

#include "stance/analysis/spectral.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "fft.hpp"
#include "finite.hpp"
#include "scratch.hpp"

namespace stance::analysis {

namespace {

constexpr double kPi = std::numbers::pi;

Expected<bool> checkOptions(Eigen::Index n, bool finite, double fs_hz, const WelchOptions& o) {
    if (!(fs_hz > 0.0)) {
        return fail(ErrorCode::kInvalidArgument, "Welch: sampling rate must be positive");
    }
    if (o.nperseg < 2 || o.noverlap < 0 || o.noverlap >= o.nperseg || o.nfft < o.nperseg) {
        return fail(ErrorCode::kInvalidArgument,
                    "Welch: need 2 <= nperseg, 0 <= noverlap < nperseg, nfft >= nperseg");
    }
    if (n < o.nperseg) {
        return fail(ErrorCode::kTooShort, "Welch: the signal has " + std::to_string(n) +
                                              " samples, fewer than one segment of " +
                                              std::to_string(o.nperseg));
    }
    if (!finite) {
        return fail(ErrorCode::kNonFinite, "Welch: the signal has a NaN or infinite sample");
    }
    return true;
}

/// Periodic Hann window (scipy.signal.get_window('hann', L), fftbins=True): 0.5 - 0.5 cos(2 pi i
/// / L). The cosines come from a rotation recurrence re-anchored on an exact cosine every 32
/// samples (error below 1e-14), and the symmetry w(i) = w(L - i) halves them.
void hann(Eigen::Index len, double* w) {
    const double step = 2.0 * kPi / static_cast<double>(len);
    const double cs = std::cos(step), sn = std::sin(step);
    double c = 1.0, s = 0.0;
    for (Eigen::Index i = 0; 2 * i <= len; ++i) {
        if (i % 32 == 0) {
            c = std::cos(step * static_cast<double>(i));
            s = std::sin(step * static_cast<double>(i));
        }
        const double v = 0.5 - 0.5 * c;
        w[i] = v;
        if (i > 0)
            w[len - i] = v;
        const double c_next = c * cs - s * sn;
        s = s * cs + c * sn;
        c = c_next;
    }
}

/// A periodic Hann window of nperseg samples and its power, in scratch memory.
struct Window {
    const double* w;
    Eigen::Index len;
    double power;  ///< sum of w^2
};

Window hannWindow(detail::ScratchFrame& frame, Eigen::Index len) {
    double* w = frame.take<double>(static_cast<std::size_t>(len));
    hann(len, w);
    double s = 0.0;
    for (Eigen::Index i = 0; i < len; ++i)
        s += w[i] * w[i];
    return {w, len, s};
}

/// Segment x[0 .. L) detrended as scipy does ('constant': mean; 'linear': least-squares line)
/// and multiplied by the window, into out.
void prepareSegment(const double* __restrict x, const Window& window, Detrend detrend,
                    double* __restrict out) {
    const Eigen::Index len = window.len;
    const double* __restrict w = window.w;
    double mean = 0.0;
    double slope = 0.0;
    const double t_mean = 0.5 * static_cast<double>(len - 1);
    if (detrend == Detrend::kLinear) {
        // sum x and sum (i - t_mean) x in one pass, four partial sums each (independent chains;
        // a single running sum waits on the adder's latency at every sample).
        // sum (i - t_mean)^2 = L (L^2 - 1) / 12
        const auto l = static_cast<double>(len);
        double sx[4] = {}, st[4] = {};
        Eigen::Index i = 0;
        for (; i + 4 <= len; i += 4) {
            for (int k = 0; k < 4; ++k) {
                sx[k] += x[i + k];
                st[k] += (static_cast<double>(i + k) - t_mean) * x[i + k];
            }
        }
        for (; i < len; ++i) {
            sx[0] += x[i];
            st[0] += (static_cast<double>(i) - t_mean) * x[i];
        }
        mean = ((sx[0] + sx[1]) + (sx[2] + sx[3])) / l;
        slope = ((st[0] + st[1]) + (st[2] + st[3])) / (l * (l * l - 1.0) / 12.0);
    } else if (detrend == Detrend::kConstant) {
        double sx[4] = {};
        Eigen::Index i = 0;
        for (; i + 4 <= len; i += 4) {
            for (int k = 0; k < 4; ++k)
                sx[k] += x[i + k];
        }
        for (; i < len; ++i)
            sx[0] += x[i];
        mean = ((sx[0] + sx[1]) + (sx[2] + sx[3])) / static_cast<double>(len);
    }
    if (slope == 0.0) {  // constant detrend, or none: one subtraction per sample
        for (Eigen::Index i = 0; i < len; ++i)
            out[i] = (x[i] - mean) * w[i];
        return;
    }
    for (Eigen::Index i = 0; i < len; ++i) {
        const double trend = mean + slope * (static_cast<double>(i) - t_mean);
        out[i] = (x[i] - trend) * w[i];
    }
}

Eigen::Index segmentCount(Eigen::Index n, const WelchOptions& o) {
    return (n - o.nperseg) / (o.nperseg - o.noverlap) + 1;
}

/// Bin frequencies as numpy.fft.rfftfreq computes them: k * (1 / (nfft * (1 / fs))).
double binFrequency(Eigen::Index k, Eigen::Index nfft, double fs_hz) {
    const double val = 1.0 / (static_cast<double>(nfft) * (1.0 / fs_hz));
    return static_cast<double>(k) * val;
}

double oneSidedFactor(Eigen::Index k, Eigen::Index nfft) {
    if (k == 0)
        return 1.0;
    if (nfft % 2 == 0 && k == nfft / 2)
        return 1.0;
    return 2.0;
}

/// Two columns of samples (b may be null: a zero signal), each of length n.
struct Pair {
    const double* a;
    const double* b;
    Eigen::Index n;
    bool finite;
};

Pair pairOf(const Eigen::Ref<const Signal2>& xy) {
    return {xy.col(0).data(), xy.col(1).data(), xy.rows(), detail::allFinite(xy)};
}

Pair pairOf(const Eigen::Ref<const Eigen::VectorXd>& x) {
    return {x.data(), nullptr, x.size(), detail::allFinite(x)};
}

/// Adds |A_k|^2 and |B_k|^2 of the transform z = a + i b (length m, bins 0 .. last) to pa, pb.
void accumulateSplitPower(const double* __restrict zr, const double* __restrict zi, Eigen::Index m,
                          Eigen::Index last, double* __restrict pa, double* __restrict pb) {
    for (Eigen::Index i = 0; i <= last; ++i) {
        const Eigen::Index j = i == 0 ? 0 : m - i;
        const double sr = zr[i] + zr[j], di = zi[i] - zi[j];
        const double dr = zr[i] - zr[j], si = zi[i] + zi[j];
        pa[i] += 0.25 * (sr * sr + di * di);
        pb[i] += 0.25 * (dr * dr + si * si);
    }
}

/// Sum over segments of |FFT_size(segment)|^2 at bins 0 .. last, both channels: each prepared
/// segment zero-padded to `size` (FFT-friendly, >= nperseg). pa and pb hold last + 1 zeros.
void segmentPowers(const Pair& x, const WelchOptions& o, const Window& w, Eigen::Index size,
                   Eigen::Index last, double* pa, double* pb) {
    const Eigen::Index len = o.nperseg;
    const Eigen::Index segments = segmentCount(x.n, o), step = len - o.noverlap;
    detail::ScratchFrame frame;
    detail::FftPlan& plan = detail::fftPlan(size);
    double* zr = frame.take<double>(static_cast<std::size_t>(size));
    double* zi = frame.take<double>(static_cast<std::size_t>(size));
    for (Eigen::Index s = 0; s < segments; ++s) {
        std::fill(zr + len, zr + size, 0.0);
        std::fill(zi, zi + size, 0.0);
        prepareSegment(x.a + s * step, w, o.detrend, zr);
        if (x.b != nullptr)
            prepareSegment(x.b + s * step, w, o.detrend, zi);
        const double* fr = nullptr;
        const double* fi = nullptr;
        plan.forwardAnywhere(zr, zi, fr, fi);
        accumulateSplitPower(fr, fi, size, last, pa, pb);
    }
}

/// Sum over segments of the autocorrelation R(d), d = 0 .. L-1, of each channel's prepared
/// segments: the power spectra at size m >= 2L - 1 (no wrap-around), then one inverse transform
/// carrying both channels (both spectra are real and even, so R_a + i R_b comes out).
/// ra and rb receive nperseg values each.
void summedAutocorrelation(const Pair& x, const WelchOptions& o, const Window& w, double* ra,
                           double* rb) {
    const Eigen::Index len = o.nperseg;
    const Eigen::Index m = detail::fftNiceSize(2 * len - 1);
    detail::ScratchFrame frame;
    double* pa = frame.zeros(static_cast<std::size_t>(m));
    double* pb = frame.zeros(static_cast<std::size_t>(m));
    segmentPowers(x, o, w, m, m / 2, pa, pb);
    for (Eigen::Index k = m / 2 + 1; k < m; ++k) {  // even spectra: mirror the upper half
        pa[k] = pa[m - k];
        pb[k] = pb[m - k];
    }
    detail::fftPlan(m).inverse(pa, pb);
    const double inv_m = 1.0 / static_cast<double>(m);
    for (Eigen::Index d = 0; d < len; ++d) {
        ra[d] = pa[d] * inv_m;
        rb[d] = pb[d] * inv_m;
    }
}

/// The chirp w(j) = exp(-i pi j^2 / nfft) for j = j0, j0 + 1, ...: w(j + 1) = w(j) r(j) with
/// r(j) = exp(-i pi (2j + 1) / nfft) and r(j + 1) = r(j) exp(-2 pi i / nfft). Every 32 steps
/// both are re-anchored on exact values, with j^2 and 2j + 1 reduced modulo 2 nfft in integers so
/// the angle stays small; in between the recurrence adds a few ulps.
class Chirp {
public:
    Chirp(std::int64_t j0, std::int64_t nfft) : j_(j0), nfft_(nfft) {
        unit(2, cstep_, sstep_);
        anchor();
    }
    double re() const { return wr_; }
    double im() const { return wi_; }
    void next() {
        ++j_;
        if ((j_ & 31) == 0) {
            anchor();
            return;
        }
        const double wr = wr_ * rr_ - wi_ * ri_;
        wi_ = wr_ * ri_ + wi_ * rr_;
        wr_ = wr;
        const double rr = rr_ * cstep_ - ri_ * sstep_;
        ri_ = rr_ * sstep_ + ri_ * cstep_;
        rr_ = rr;
    }

private:
    /// exp(-i pi e / nfft) for an integer e, reduced modulo 2 nfft.
    void unit(std::int64_t e, double& c, double& s) const {
        const std::int64_t period = 2 * nfft_;
        e %= period;
        if (e < 0)
            e += period;
        const double angle = -kPi * static_cast<double>(e) / static_cast<double>(nfft_);
        c = std::cos(angle);
        s = std::sin(angle);
    }
    void anchor() {
        const std::int64_t period = 2 * nfft_;
        const std::int64_t jm = j_ % period;
        unit(jm * jm % period, wr_, wi_);
        unit(2 * jm + 1, rr_, ri_);
    }
    std::int64_t j_, nfft_;
    double wr_ = 1.0, wi_ = 0.0, rr_ = 1.0, ri_ = 0.0, cstep_ = 1.0, sstep_ = 0.0;
};

/// P_a(k) = R_a(0) + 2 sum_{d>=1} R_a(d) cos(2 pi k d / nfft) and the same for b, for
/// k = k_lo .. k_hi, by one chirp-z transform of g = g_a + i g_b (g(0) = R(0), g(d) = 2 R(d))
/// over the bins -k_hi .. k_hi: with T(k) = sum_d g(d) W^(k d), W = exp(-2 pi i / nfft),
/// P_a(k) = Re(T(k) + T(-k)) / 2 and P_b(k) = Im(T(k) + T(-k)) / 2.
/// Bluestein: k d = (k^2 + d^2 - (k - d)^2) / 2, so T(k) = w(k) sum_d [g(d) w(d)] conj(w(k - d))
/// with w(j) = W^(j^2 / 2): a linear convolution, done circularly at size >= L + K - 1.
/// What bandBins needs that depends only on (L, k_hi, nfft): the input chirp w(d), d < L, the
/// transformed filter conj(w(k0 - (L - 1) + i)), and the output chirp w(k0 + j). The same trace
/// length asks for the same tables every time; a thread keeps the last few.
struct BluesteinTables {
    Eigen::Index len = 0, k_hi = 0, nfft = 0, m = 0;
    std::vector<double> in_r, in_i, filt_r, filt_i, out_r, out_i;
};

const BluesteinTables& bluesteinTables(Eigen::Index len, Eigen::Index k_hi, Eigen::Index nfft) {
    constexpr std::size_t kKept = 4;
    thread_local std::vector<std::unique_ptr<BluesteinTables>> kept;
    for (const auto& t : kept) {
        if (t->len == len && t->k_hi == k_hi && t->nfft == nfft)
            return *t;
    }
    auto t = std::make_unique<BluesteinTables>();
    const Eigen::Index k0 = -k_hi, bins = 2 * k_hi + 1;
    t->len = len;
    t->k_hi = k_hi;
    t->nfft = nfft;
    t->m = detail::fftNiceSize(len + bins - 1);
    const auto m = static_cast<std::size_t>(t->m);
    t->in_r.resize(static_cast<std::size_t>(len));
    t->in_i.resize(t->in_r.size());
    {
        Chirp w(0, nfft);
        for (std::size_t d = 0; d < t->in_r.size(); ++d, w.next()) {
            t->in_r[d] = w.re();
            t->in_i[d] = w.im();
        }
    }
    t->filt_r.assign(m, 0.0);
    t->filt_i.assign(m, 0.0);
    {
        Chirp w(k0 - (len - 1), nfft);
        for (Eigen::Index i = 0; i < len + bins - 1; ++i, w.next()) {
            t->filt_r[static_cast<std::size_t>(i)] = w.re();
            t->filt_i[static_cast<std::size_t>(i)] = -w.im();
        }
    }
    detail::fftPlan(t->m).forward(t->filt_r.data(), t->filt_i.data());
    t->out_r.resize(static_cast<std::size_t>(bins));
    t->out_i.resize(t->out_r.size());
    {
        Chirp w(k0, nfft);
        for (std::size_t j = 0; j < t->out_r.size(); ++j, w.next()) {
            t->out_r[j] = w.re();
            t->out_i[j] = w.im();
        }
    }
    if (kept.size() == kKept)
        kept.erase(kept.begin());
    kept.push_back(std::move(t));
    return *kept.back();
}

/// pa and pb receive k_hi - k_lo + 1 values each.
void bandBins(const double* ra, const double* rb, Eigen::Index len, Eigen::Index nfft,
              Eigen::Index k_lo, Eigen::Index k_hi, double* pa, double* pb) {
    const Eigen::Index k0 = -k_hi, bins = 2 * k_hi + 1;
    const BluesteinTables& tab = bluesteinTables(len, k_hi, nfft);
    const Eigen::Index m = tab.m;
    detail::ScratchFrame frame;
    detail::FftPlan& plan = detail::fftPlan(m);
    double* ar = frame.zeros(static_cast<std::size_t>(m));
    double* ai = frame.zeros(static_cast<std::size_t>(m));
    for (Eigen::Index d = 0; d < len; ++d) {
        const auto i = static_cast<std::size_t>(d);
        const double f = d == 0 ? 1.0 : 2.0;
        const double gr = f * ra[i];
        const double gi = f * rb[i];
        ar[i] = gr * tab.in_r[i] - gi * tab.in_i[i];
        ai[i] = gr * tab.in_i[i] + gi * tab.in_r[i];
    }
    plan.forward(ar, ai);
    const std::vector<double>& vr = tab.filt_r;
    const std::vector<double>& vi = tab.filt_i;
    for (Eigen::Index k = 0; k < m; ++k) {
        const auto i = static_cast<std::size_t>(k);
        const double r = ar[i] * vr[i] - ai[i] * vi[i];
        ai[i] = ar[i] * vi[i] + ai[i] * vr[i];
        ar[i] = r;
    }
    plan.inverse(ar, ai);
    // T(k0 + j) = w(k0 + j) conv(j + L - 1) / m, for j = 0 .. bins - 1
    const double inv_m = 1.0 / static_cast<double>(m);
    double* tr = frame.take<double>(static_cast<std::size_t>(bins));
    double* ti = frame.take<double>(static_cast<std::size_t>(bins));
    for (Eigen::Index j = 0; j < bins; ++j) {
        const auto i = static_cast<std::size_t>(j + len - 1);
        const auto o = static_cast<std::size_t>(j);
        tr[o] = (ar[i] * tab.out_r[o] - ai[i] * tab.out_i[o]) * inv_m;
        ti[o] = (ar[i] * tab.out_i[o] + ai[i] * tab.out_r[o]) * inv_m;
    }
    const auto at = [&](Eigen::Index k) { return k - k0; };
    for (Eigen::Index k = k_lo; k <= k_hi; ++k) {
        pa[k - k_lo] = 0.5 * (tr[at(k)] + tr[at(-k)]);
        pb[k - k_lo] = 0.5 * (ti[at(k)] + ti[at(-k)]);
    }
}

/// Fills psd from summed per-bin powers p (bins k_lo .. k_lo + nk - 1).
Psd makePsd(const double* p, Eigen::Index nk, Eigen::Index k_lo, const WelchOptions& o,
            double fs_hz, double window_power, Eigen::Index segments) {
    Psd psd;
    psd.f_hz.resize(nk);
    psd.density.resize(nk);
    const double scale = 1.0 / (fs_hz * window_power * static_cast<double>(segments));
    const double bin_step = binFrequency(1, o.nfft, fs_hz);  // k * bin_step, as rfftfreq
    for (Eigen::Index i = 0; i < nk; ++i) {
        const Eigen::Index k = k_lo + i;
        psd.f_hz(i) = static_cast<double>(k) * bin_step;
        psd.density(i) = p[i] * scale * oneSidedFactor(k, o.nfft);
    }
    return psd;
}

/// Both channels' band PSDs (the b result is meaningless when x.b is null).
Expected<std::array<Psd, 2>> bandPsd(const Pair& x, double fs_hz, const WelchOptions& o,
                                     double f_lo_hz, double f_hi_hz) {
    if (auto ok = checkOptions(x.n, x.finite, fs_hz, o); !ok)
        return ok.error();
    const Eigen::Index bins = o.nfft / 2 + 1;
    Eigen::Index k_lo = 0;
    while (k_lo < bins && binFrequency(k_lo, o.nfft, fs_hz) < f_lo_hz)
        ++k_lo;
    Eigen::Index k_hi = k_lo - 1;
    while (k_hi + 1 < bins && binFrequency(k_hi + 1, o.nfft, fs_hz) <= f_hi_hz)
        ++k_hi;
    detail::ScratchFrame frame;
    const Window w = hannWindow(frame, o.nperseg);
    const Eigen::Index segments = segmentCount(x.n, o);
    const Eigen::Index nk = std::max<Eigen::Index>(0, k_hi - k_lo + 1);
    double* pa = frame.take<double>(static_cast<std::size_t>(nk));
    double* pb = frame.take<double>(static_cast<std::size_t>(nk));
    if (nk > 0) {
        double* ra = frame.take<double>(static_cast<std::size_t>(o.nperseg));
        double* rb = frame.take<double>(static_cast<std::size_t>(o.nperseg));
        summedAutocorrelation(x, o, w, ra, rb);
        bandBins(ra, rb, o.nperseg, o.nfft, k_lo, k_hi, pa, pb);
    }
    return std::array<Psd, 2>{makePsd(pa, nk, k_lo, o, fs_hz, w.power, segments),
                              makePsd(pb, nk, k_lo, o, fs_hz, w.power, segments)};
}

Expected<std::array<Psd, 2>> fullPsd(const Pair& x, double fs_hz, const WelchOptions& o) {
    if (auto ok = checkOptions(x.n, x.finite, fs_hz, o); !ok)
        return ok.error();
    if (!detail::fftSizeSupported(o.nfft))
        return bandPsd(x, fs_hz, o, 0.0, fs_hz);
    detail::ScratchFrame frame;
    const Window w = hannWindow(frame, o.nperseg);
    const Eigen::Index bins = o.nfft / 2 + 1;
    double* pa = frame.zeros(static_cast<std::size_t>(bins));
    double* pb = frame.zeros(static_cast<std::size_t>(bins));
    segmentPowers(x, o, w, o.nfft, bins - 1, pa, pb);
    const Eigen::Index segments = segmentCount(x.n, o);
    return std::array<Psd, 2>{makePsd(pa, bins, 0, o, fs_hz, w.power, segments),
                              makePsd(pb, bins, 0, o, fs_hz, w.power, segments)};
}

}  // namespace

Expected<Psd> welch(const Eigen::Ref<const Eigen::VectorXd>& x, double fs_hz,
                    const WelchOptions& options) {
    auto both = fullPsd(pairOf(x), fs_hz, options);
    if (!both)
        return both.error();
    return std::move((*both)[0]);
}

Expected<std::array<Psd, 2>> welch2(const Eigen::Ref<const Signal2>& xy, double fs_hz,
                                    const WelchOptions& options) {
    return fullPsd(pairOf(xy), fs_hz, options);
}

Expected<Psd> welchBand(const Eigen::Ref<const Eigen::VectorXd>& x, double fs_hz,
                        const WelchOptions& options, double f_lo_hz, double f_hi_hz) {
    auto both = bandPsd(pairOf(x), fs_hz, options, f_lo_hz, f_hi_hz);
    if (!both)
        return both.error();
    return std::move((*both)[0]);
}

Expected<std::array<Psd, 2>> welchBand2(const Eigen::Ref<const Signal2>& xy, double fs_hz,
                                        const WelchOptions& options, double f_lo_hz,
                                        double f_hi_hz) {
    return bandPsd(pairOf(xy), fs_hz, options, f_lo_hz, f_hi_hz);
}

}  // namespace stance::analysis
