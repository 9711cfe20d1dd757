// Mean squared displacement through the autocorrelation:
// sum_{i<n-k} (x[i+k] - x[i])^2 = sum_{i>=k} x_i^2 + sum_{i<n-k} x_i^2 - 2 ac(k),
// ac(k) = sum_i x_i x_{i+k} from one transform of length >= n + max_lag (no wrap-around for the
// lags kept). Both COP axes share the transform: z = x + i y gives |X_k|^2 and |Y_k|^2 apart, and
// one inverse of |X|^2 + i |Y|^2 gives ac_x + i ac_y (both spectra are real and even).

#include "stance/analysis/diffusion.hpp"

#include <algorithm>
#include <cassert>

#include "fft.hpp"
#include "scratch.hpp"

namespace stance::analysis {

namespace {

/// MSD of the centred samples c (length n) from their autocorrelation ac, into out(0..max_lag).
template <class Out>
void msdFromAutocorrelation(const double* c, Eigen::Index n, const double* ac, Eigen::Index max_lag,
                            Out&& out) {
    detail::ScratchFrame frame;
    // prefix[i] = sum_{j<i} c_j^2
    double* prefix = frame.take<double>(static_cast<std::size_t>(n + 1));
    prefix[0] = 0.0;
    for (Eigen::Index i = 0; i < n; ++i)
        prefix[i + 1] = prefix[i] + c[i] * c[i];
    const double total = prefix[n];
    out(0) = 0.0;
    for (Eigen::Index k = 1; k <= max_lag; ++k) {
        const double tail = total - prefix[k];
        const double head = prefix[n - k];
        const double s = tail + head - 2.0 * ac[k];
        out(k) = std::max(0.0, s) / static_cast<double>(n - k);
    }
}

/// zr and zi (length m) hold the centred a and b padded with zeros; on return they hold the
/// autocorrelations of a and b.
void autocorrelations(double* zr, double* zi, Eigen::Index m) {
    detail::ScratchFrame frame;
    detail::FftPlan& plan = detail::fftPlan(m);
    const double* fr = nullptr;
    const double* fi = nullptr;
    plan.forwardAnywhere(zr, zi, fr, fi);
    double* pa = frame.take<double>(static_cast<std::size_t>(m));
    double* pb = frame.take<double>(static_cast<std::size_t>(m));
    for (Eigen::Index k = 0; k < m; ++k) {
        const Eigen::Index j = k == 0 ? 0 : m - k;
        const double sr = fr[k] + fr[j], di = fi[k] - fi[j];
        const double dr = fr[k] - fr[j], si = fi[k] + fi[j];
        pa[k] = 0.25 * (sr * sr + di * di);
        pb[k] = 0.25 * (dr * dr + si * si);
    }
    plan.inverse(pa, pb);
    const double inv_m = 1.0 / static_cast<double>(m);
    for (Eigen::Index k = 0; k < m; ++k) {
        zr[k] = pa[k] * inv_m;
        zi[k] = pb[k] * inv_m;
    }
}

}  // namespace

Eigen::VectorXd msdCurve(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Index max_lag) {
    const Eigen::Index n = x.size();
    assert(max_lag >= 0 && max_lag < n);
    detail::ScratchFrame frame;
    // The mean is removed first: MSD does not depend on it and the cancellation is smaller.
    const double mean = x.mean();
    const Eigen::Index m = detail::fftNiceSize(n + max_lag);
    double* zr = frame.zeros(static_cast<std::size_t>(m));
    double* zi = frame.zeros(static_cast<std::size_t>(m));
    double* c = frame.take<double>(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i)
        c[i] = zr[i] = x(i) - mean;
    autocorrelations(zr, zi, m);
    Eigen::VectorXd msd(max_lag + 1);
    msdFromAutocorrelation(c, n, zr, max_lag, [&](Eigen::Index k) -> double& { return msd(k); });
    return msd;
}

Signal2 msdCurves(const Eigen::Ref<const Signal2>& xy, Eigen::Index max_lag) {
    const Eigen::Index n = xy.rows();
    assert(max_lag >= 0 && max_lag < n);
    detail::ScratchFrame frame;
    const Eigen::Index m = detail::fftNiceSize(n + max_lag);
    double* zr = frame.zeros(static_cast<std::size_t>(m));
    double* zi = frame.zeros(static_cast<std::size_t>(m));
    double* cx = frame.take<double>(static_cast<std::size_t>(n));
    double* cy = frame.take<double>(static_cast<std::size_t>(n));
    const double mx = xy.col(0).mean(), my = xy.col(1).mean();
    for (Eigen::Index i = 0; i < n; ++i) {
        cx[i] = zr[i] = xy(i, 0) - mx;
        cy[i] = zi[i] = xy(i, 1) - my;
    }
    autocorrelations(zr, zi, m);
    Signal2 msd(max_lag + 1, 2);
    msdFromAutocorrelation(cx, n, zr, max_lag,
                           [&](Eigen::Index k) -> double& { return msd(k, 0); });
    msdFromAutocorrelation(cy, n, zi, max_lag,
                           [&](Eigen::Index k) -> double& { return msd(k, 1); });
    return msd;
}

}  // namespace stance::analysis
