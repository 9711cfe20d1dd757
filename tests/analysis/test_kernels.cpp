// The fast kernels under the metrics (FFT-based Welch, chirp-z band bins, FFT MSD, block-pair
// sway density) against direct O(N^2) evaluations of the same definitions, at sizes the golden
// trials do not reach: odd lengths, transform sizes with large prime factors, lengths that are
// not multiples of the block size, very long and very short sway-density runs.

#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "stance/analysis/diffusion.hpp"
#include "stance/analysis/filter.hpp"
#include "stance/analysis/quijoux.hpp"
#include "stance/analysis/spectral.hpp"

using namespace stance::analysis;

namespace {

constexpr double kPi = std::numbers::pi;

Eigen::VectorXd randomWalk(Eigen::Index n, double step, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, step);
    Eigen::VectorXd x(n);
    double v = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        v += g(rng);
        x(i) = v;
    }
    return x;
}

/// scipy.signal.welch written out directly: every segment detrended, windowed, and its DFT
/// summed term by term at every bin.
Psd naiveWelch(const Eigen::VectorXd& x, double fs, const WelchOptions& o) {
    const Eigen::Index len = o.nperseg, step = len - o.noverlap;
    const Eigen::Index segments = (x.size() - len) / step + 1, bins = o.nfft / 2 + 1;
    std::vector<double> w(static_cast<std::size_t>(len));
    double wss = 0.0;
    for (Eigen::Index i = 0; i < len; ++i) {
        w[static_cast<std::size_t>(i)] =
            0.5 - 0.5 * std::cos(2.0 * kPi * static_cast<double>(i) / static_cast<double>(len));
        wss += w[static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(i)];
    }
    Psd p;
    p.f_hz.resize(bins);
    p.density = Eigen::VectorXd::Zero(bins);
    for (Eigen::Index s = 0; s < segments; ++s) {
        Eigen::VectorXd seg = x.segment(s * step, len);
        const double mean = seg.mean();
        double slope = 0.0;
        if (o.detrend == Detrend::kLinear) {
            const double tm = 0.5 * static_cast<double>(len - 1);
            double num = 0.0, den = 0.0;
            for (Eigen::Index i = 0; i < len; ++i) {
                num += (static_cast<double>(i) - tm) * seg(i);
                den += (static_cast<double>(i) - tm) * (static_cast<double>(i) - tm);
            }
            slope = num / den;
            for (Eigen::Index i = 0; i < len; ++i)
                seg(i) -= mean + slope * (static_cast<double>(i) - tm);
        } else if (o.detrend == Detrend::kConstant) {
            seg.array() -= mean;
        }
        for (Eigen::Index k = 0; k < bins; ++k) {
            double re = 0.0, im = 0.0;
            for (Eigen::Index i = 0; i < len; ++i) {
                const double a = -2.0 * kPi * static_cast<double>((k * i) % o.nfft) /
                                 static_cast<double>(o.nfft);
                re += w[static_cast<std::size_t>(i)] * seg(i) * std::cos(a);
                im += w[static_cast<std::size_t>(i)] * seg(i) * std::sin(a);
            }
            p.density(k) += re * re + im * im;
        }
    }
    for (Eigen::Index k = 0; k < bins; ++k) {
        const bool edge = k == 0 || (o.nfft % 2 == 0 && k == o.nfft / 2);
        p.density(k) *= (edge ? 1.0 : 2.0) / (fs * wss * static_cast<double>(segments));
        p.f_hz(k) = static_cast<double>(k) * fs / static_cast<double>(o.nfft);
    }
    return p;
}

double worstRelative(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    REQUIRE(a.size() == b.size());
    const double scale = b.cwiseAbs().maxCoeff();
    return (a - b).cwiseAbs().maxCoeff() / scale;
}

}  // namespace

TEST_CASE("Welch equals the direct DFT at smooth and prime-factor transform sizes",
          "[analysis][spectral]") {
    const double fs = 50.0;
    // nfft 240 = 2^4 3 5 goes through the direct transforms; 241 (prime) and 254 = 2 127
    // through the autocorrelation and chirp-z path.
    for (const Eigen::Index nfft : {240, 241, 254}) {
        for (const Detrend d : {Detrend::kConstant, Detrend::kLinear}) {
            const Eigen::VectorXd x = randomWalk(1001, 0.01, static_cast<unsigned>(nfft));
            WelchOptions o;
            o.nperseg = 200;
            o.noverlap = 100;
            o.nfft = nfft;
            o.detrend = d;
            auto fast = welch(x, fs, o);
            REQUIRE(fast);
            const Psd ref = naiveWelch(x, fs, o);
            INFO("nfft " << nfft << " detrend " << static_cast<int>(d));
            CHECK(worstRelative(fast->density, ref.density) < 1e-10);
            CHECK(worstRelative(fast->f_hz, ref.f_hz) < 1e-14);
        }
    }
}

TEST_CASE("the two-column Welch forms equal the one-column ones", "[analysis][spectral]") {
    const Eigen::Index n = 1500;
    Signal2 xy(n, 2);
    xy.col(0) = randomWalk(n, 0.002, 1);
    xy.col(1) = randomWalk(n, 0.003, 2);
    WelchOptions o;
    o.nperseg = 250;
    o.noverlap = 125;
    o.nfft = n;  // 1500 = 2^2 3 5^3
    o.detrend = Detrend::kLinear;
    auto both = welch2(xy, 25.0, o);
    auto band = welchBand2(xy, 25.0, o, 0.15, 5.0);
    REQUIRE(both);
    REQUIRE(band);
    for (int a = 0; a < 2; ++a) {
        auto one = welch(xy.col(a), 25.0, o);
        auto one_band = welchBand(xy.col(a), 25.0, o, 0.15, 5.0);
        REQUIRE(one);
        REQUIRE(one_band);
        CHECK(worstRelative((*both)[static_cast<std::size_t>(a)].density, one->density) < 1e-12);
        CHECK(worstRelative((*band)[static_cast<std::size_t>(a)].density, one_band->density) <
              1e-12);
        // The band bins are the full spectrum's bins between 0.15 and 5 Hz.
        const Psd& b = (*band)[static_cast<std::size_t>(a)];
        REQUIRE(b.f_hz.size() > 0);
        CHECK(b.f_hz(0) >= 0.15);
        CHECK(b.f_hz(b.f_hz.size() - 1) <= 5.0);
        const auto k0 = static_cast<Eigen::Index>(std::lround(b.f_hz(0) * 1500.0 / 25.0));
        CHECK(worstRelative(b.density, one->density.segment(k0, b.density.size())) < 1e-10);
    }
}

TEST_CASE("MSD through the FFT equals the direct lagged sum", "[analysis][diffusion]") {
    for (const Eigen::Index n : {2, 17, 997, 3001}) {
        Signal2 xy(n, 2);
        xy.col(0) = randomWalk(n, 0.001, 3).array() + 0.5;  // an offset far from zero
        xy.col(1) = randomWalk(n, 0.002, 4);
        const Eigen::Index max_lag = n / 3;
        const Signal2 both = msdCurves(xy, max_lag);
        for (int a = 0; a < 2; ++a) {
            const Eigen::VectorXd one = msdCurve(xy.col(a), max_lag);
            Eigen::VectorXd direct = Eigen::VectorXd::Zero(max_lag + 1);
            for (Eigen::Index k = 1; k <= max_lag; ++k) {
                double s = 0.0;
                for (Eigen::Index i = 0; i + k < n; ++i)
                    s += (xy(i + k, a) - xy(i, a)) * (xy(i + k, a) - xy(i, a));
                direct(k) = s / static_cast<double>(n - k);
            }
            INFO("n " << n << " axis " << a);
            CHECK(both(0, a) == 0.0);
            if (max_lag > 0) {
                CHECK(worstRelative(one, direct) < 1e-9);
                CHECK(worstRelative(both.col(a), direct) < 1e-9);
            }
        }
    }
}

namespace {

/// The sway-density run counts by their definition: walk out from each sample.
Eigen::VectorXd naiveRuns(const Signal2& p, double r) {
    const Eigen::Index n = p.rows();
    const double r2 = r * r;
    Eigen::VectorXd c(n - 1);
    for (Eigen::Index t = 0; t + 1 < n; ++t) {
        const auto close = [&](Eigen::Index k) {
            const double dx = p(k, 0) - p(t, 0), dy = p(k, 1) - p(t, 1);
            return dx * dx + dy * dy <= r2;
        };
        Eigen::Index last = t, first = t;
        while (last + 1 < n && close(last + 1))
            ++last;
        while (first > 0 && close(first - 1))
            --first;
        c(t) = static_cast<double>(last - first);
    }
    return c;
}

/// mean_peak_Sway_Density and mean_distance_peak_Sway_Density from naive run counts.
std::pair<double, double> naiveSwayDensityPeaks(const Signal2& p, double fs, double r) {
    const Eigen::VectorXd runs = naiveRuns(p, r) / fs;
    auto c = butterworthLowpass(4, 2.5, fs);
    REQUIRE(c);
    auto f = filtfilt(*c, runs);
    REQUIRE(f);
    const Eigen::VectorXd sd = f->col(0);
    double sum_peak = 0.0, sum_dist = 0.0;
    Eigen::Index n_peak = 0, last = -1;
    for (Eigen::Index i = 1; i + 1 < sd.size(); ++i) {
        if (sd(i) > sd(i - 1) && sd(i) > sd(i + 1)) {
            sum_peak += sd(i);
            if (last >= 0)
                sum_dist += (p.row(i) - p.row(last)).norm();
            last = i;
            ++n_peak;
        }
    }
    return {sum_peak / static_cast<double>(n_peak),
            sum_dist / static_cast<double>(std::max<Eigen::Index>(n_peak - 1, 1))};
}

}  // namespace

TEST_CASE("sway density by block pairs equals the sample-by-sample definition",
          "[analysis][quijoux]") {
    const double fs = 100.0;
    // Step sizes from nearly still (runs of hundreds of samples, superblocks skipped) to jumpy
    // (runs of a few samples); lengths not multiples of the block sizes.
    struct Case {
        Eigen::Index n;
        double step;
    };
    for (const Case c :
         {Case{1003, 0.0002}, Case{2050, 0.0005}, Case{777, 0.002}, Case{4099, 0.0001}}) {
        Signal2 p(c.n, 2);
        p.col(0) = randomWalk(c.n, c.step, 10 + static_cast<unsigned>(c.n));
        p.col(1) = randomWalk(c.n, c.step, 20 + static_cast<unsigned>(c.n));
        UniformTrace t;
        t.xy_m = p.rowwise() - p.colwise().mean();
        t.fs_hz = fs;
        MetricTable out;
        appendQuijouxFeatures(t, out);
        const auto [peak, dist] = naiveSwayDensityPeaks(t.xy_m, fs, 0.003);
        INFO("n " << c.n << " step " << c.step);
        const Metric* mp = out.find("mean_peak_Sway_Density");
        const Metric* md = out.find("mean_distance_peak_Sway_Density");
        REQUIRE(mp != nullptr);
        REQUIRE(md != nullptr);
        REQUIRE(mp->ok());
        REQUIRE(md->ok());
        CHECK(mp->value == Approx(peak).epsilon(1e-12));
        CHECK(md->value == Approx(dist).epsilon(1e-12));
    }
}
