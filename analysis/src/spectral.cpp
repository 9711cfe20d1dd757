#include "stance/analysis/spectral.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <string>
#include <vector>

#include "fft_cache.hpp"

namespace stance::analysis {

namespace {

using Complex = std::complex<double>;

Expected<bool> checkOptions(const Eigen::Ref<const Eigen::VectorXd>& x, double fs_hz,
                            const WelchOptions& o) {
    if (!(fs_hz > 0.0)) {
        return fail(ErrorCode::kInvalidArgument, "Welch: sampling rate must be positive");
    }
    if (o.nperseg < 2 || o.noverlap < 0 || o.noverlap >= o.nperseg || o.nfft < o.nperseg) {
        return fail(ErrorCode::kInvalidArgument,
                    "Welch: need 2 <= nperseg, 0 <= noverlap < nperseg, nfft >= nperseg");
    }
    if (x.size() < o.nperseg) {
        return fail(ErrorCode::kTooShort, "Welch: the signal has " + std::to_string(x.size()) +
                                              " samples, fewer than one segment of " +
                                              std::to_string(o.nperseg));
    }
    if (!x.allFinite()) {
        return fail(ErrorCode::kNonFinite, "Welch: the signal has a NaN or infinite sample");
    }
    return true;
}

// Periodic Hann window (scipy.signal.get_window('hann', L), fftbins=True).
Eigen::VectorXd hann(Eigen::Index len) {
    Eigen::VectorXd w(len);
    for (Eigen::Index i = 0; i < len; ++i) {
        w(i) = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) /
                                    static_cast<double>(len));
    }
    return w;
}

// Detrended, windowed segment s of x into out.
void prepareSegment(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Index start,
                    const Eigen::VectorXd& w, Detrend detrend, Eigen::VectorXd& out) {
    const Eigen::Index len = w.size();
    out = x.segment(start, len);
    if (detrend == Detrend::kConstant) {
        out.array() -= out.mean();
    } else if (detrend == Detrend::kLinear) {
        const double t_mean = 0.5 * static_cast<double>(len - 1);
        double stt = 0.0;
        double sty = 0.0;
        const double mean = out.mean();
        for (Eigen::Index i = 0; i < len; ++i) {
            const double d = static_cast<double>(i) - t_mean;
            stt += d * d;
            sty += d * out(i);
        }
        const double slope = sty / stt;
        for (Eigen::Index i = 0; i < len; ++i) {
            out(i) -= mean + slope * (static_cast<double>(i) - t_mean);
        }
    }
    out.array() *= w.array();
}

Eigen::Index largestPrimeFactor(Eigen::Index n) {
    Eigen::Index largest = 1;
    for (Eigen::Index p = 2; p * p <= n; ++p) {
        while (n % p == 0) {
            largest = p;
            n /= p;
        }
    }
    return n > 1 ? std::max(largest, n) : largest;
}

Eigen::Index segmentCount(Eigen::Index n, const WelchOptions& o) {
    return (n - o.nperseg) / (o.nperseg - o.noverlap) + 1;
}

// Bin frequencies as numpy.fft.rfftfreq computes them: k * (1 / (nfft * (1 / fs))).
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

}  // namespace

Expected<Psd> welch(const Eigen::Ref<const Eigen::VectorXd>& x, double fs_hz,
                    const WelchOptions& options) {
    if (auto ok = checkOptions(x, fs_hz, options); !ok)
        return ok.error();
    // kissfft handles the factors 2, 3, 4 and 5 fast and others in O(n p); an nfft with a larger
    // prime factor goes through the autocorrelation path instead (same numbers, every bin).
    if (largestPrimeFactor(options.nfft) > 5) {
        return welchBand(x, fs_hz, options, 0.0, fs_hz);
    }
    const Eigen::Index nfft = options.nfft;
    const Eigen::Index bins = nfft / 2 + 1;
    const Eigen::VectorXd w = hann(options.nperseg);
    const double scale = 1.0 / (fs_hz * w.squaredNorm());
    const Eigen::Index segments = segmentCount(x.size(), options);
    const Eigen::Index step = options.nperseg - options.noverlap;

    Eigen::FFT<double>& fft = detail::threadFft();
    std::vector<double> padded(static_cast<std::size_t>(nfft), 0.0);
    std::vector<Complex> spectrum;
    Eigen::VectorXd seg;
    Eigen::VectorXd acc = Eigen::VectorXd::Zero(bins);
    for (Eigen::Index s = 0; s < segments; ++s) {
        prepareSegment(x, s * step, w, options.detrend, seg);
        std::copy(seg.data(), seg.data() + seg.size(), padded.begin());
        fft.fwd(spectrum, padded);
        for (Eigen::Index k = 0; k < bins; ++k)
            acc(k) += std::norm(spectrum[static_cast<std::size_t>(k)]);
    }
    Psd psd;
    psd.f_hz.resize(bins);
    psd.density.resize(bins);
    for (Eigen::Index k = 0; k < bins; ++k) {
        psd.f_hz(k) = binFrequency(k, nfft, fs_hz);
        psd.density(k) = acc(k) * scale * oneSidedFactor(k, nfft) / static_cast<double>(segments);
    }
    return psd;
}

Expected<Psd> welchBand(const Eigen::Ref<const Eigen::VectorXd>& x, double fs_hz,
                        const WelchOptions& options, double f_lo_hz, double f_hi_hz) {
    if (auto ok = checkOptions(x, fs_hz, options); !ok)
        return ok.error();
    const Eigen::Index nfft = options.nfft;
    const Eigen::Index len = options.nperseg;
    const Eigen::Index bins = nfft / 2 + 1;
    Eigen::Index k_lo = 0;
    while (k_lo < bins && binFrequency(k_lo, nfft, fs_hz) < f_lo_hz)
        ++k_lo;
    Eigen::Index k_hi = k_lo;
    while (k_hi < bins && binFrequency(k_hi, nfft, fs_hz) <= f_hi_hz)
        ++k_hi;
    const Eigen::Index nk = k_hi - k_lo;

    const Eigen::VectorXd w = hann(len);
    const double scale = 1.0 / (fs_hz * w.squaredNorm());
    const Eigen::Index segments = segmentCount(x.size(), options);
    const Eigen::Index step = len - options.noverlap;

    // Sum over segments of each segment's autocorrelation R(d), d = 0 .. len-1, through
    // power-of-two FFTs of size >= 2 len - 1 (no wrap-around). Two real segments share one
    // complex transform: z = a + i b gives |A|^2 + |B|^2 = (|Z_k|^2 + |Z_{M-k}|^2) / 2.
    Eigen::Index m = 1;
    while (m < 2 * len - 1)
        m *= 2;
    Eigen::FFT<double>& fft = detail::threadFft();
    std::vector<Complex> z(static_cast<std::size_t>(m));
    std::vector<Complex> spec;
    std::vector<double> power(static_cast<std::size_t>(m), 0.0);
    Eigen::VectorXd seg_a;
    Eigen::VectorXd seg_b;
    for (Eigen::Index s = 0; s < segments; s += 2) {
        std::fill(z.begin(), z.end(), Complex(0.0, 0.0));
        prepareSegment(x, s * step, w, options.detrend, seg_a);
        const bool pair = s + 1 < segments;
        if (pair)
            prepareSegment(x, (s + 1) * step, w, options.detrend, seg_b);
        for (Eigen::Index i = 0; i < len; ++i) {
            z[static_cast<std::size_t>(i)] = Complex(seg_a(i), pair ? seg_b(i) : 0.0);
        }
        fft.fwd(spec, z);
        for (Eigen::Index k = 0; k < m; ++k) {
            const Complex zk = spec[static_cast<std::size_t>(k)];
            const Complex zm = spec[static_cast<std::size_t>((m - k) % m)];
            power[static_cast<std::size_t>(k)] += 0.5 * (std::norm(zk) + std::norm(zm));
        }
    }
    std::vector<Complex> pc(power.begin(), power.end());
    std::vector<Complex> r;
    fft.inv(r, pc);
    // PSD(k) = R(0) + 2 sum_{d>=1} R(d) cos(2 pi k d / nfft): evaluated with the Chebyshev
    // recurrence cos((d+1)t) = 2 cos(t) cos(dt) - cos((d-1)t), four bins at a time.
    Psd psd;
    psd.f_hz.resize(nk);
    psd.density.resize(nk);
    const double two_pi_over_n = 2.0 * std::numbers::pi / static_cast<double>(nfft);
    constexpr int kLanes = 4;
    for (Eigen::Index b0 = 0; b0 < nk; b0 += kLanes) {
        double c_prev[kLanes], c_cur[kLanes], two_c1[kLanes], sum[kLanes];
        for (int l = 0; l < kLanes; ++l) {
            const Eigen::Index k = k_lo + std::min<Eigen::Index>(b0 + l, nk - 1);
            const double theta = two_pi_over_n * static_cast<double>(k);
            c_prev[l] = 1.0;
            c_cur[l] = std::cos(theta);
            two_c1[l] = 2.0 * c_cur[l];
            sum[l] = 0.0;
        }
        for (Eigen::Index d = 1; d < len; ++d) {
            const double rd = r[static_cast<std::size_t>(d)].real();
            for (int l = 0; l < kLanes; ++l) {
                sum[l] += rd * c_cur[l];
                const double next = two_c1[l] * c_cur[l] - c_prev[l];
                c_prev[l] = c_cur[l];
                c_cur[l] = next;
            }
        }
        for (int l = 0; l < kLanes && b0 + l < nk; ++l) {
            const Eigen::Index k = k_lo + b0 + l;
            const double p = r[0].real() + 2.0 * sum[l];
            psd.f_hz(b0 + l) = binFrequency(k, nfft, fs_hz);
            psd.density(b0 + l) =
                p * scale * oneSidedFactor(k, nfft) / static_cast<double>(segments);
        }
    }
    return psd;
}

}  // namespace stance::analysis
