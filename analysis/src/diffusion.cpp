// Mean squared displacement through the autocorrelation:
// sum_{i<n-k} (x[i+k] - x[i])^2 = sum_{i>=k} x_i^2 + sum_{i<n-k} x_i^2 - 2 ac(k),
// ac(k) = sum_i x_i x_{i+k} from one transform of length >= n + max_lag (no wrap-around for the
// lags kept). Both COP axes share the transform: z = x + i y gives |X_k|^2 and |Y_k|^2 apart, and
// one inverse of |X|^2 + i |Y|^2 gives ac_x + i ac_y (both spectra are real and even).

#include "stance/analysis/diffusion.hpp"

#include <algorithm>
#include <cassert>
#include <vector>

#include "fft.hpp"

namespace stance::analysis {

namespace {

/// MSD of the centred samples c (length n) from their autocorrelation ac, into out(0..max_lag).
template <class Out>
void msdFromAutocorrelation(const double* c, Eigen::Index n, const double* ac, Eigen::Index max_lag,
                            Out&& out) {
    // prefix[i] = sum_{j<i} c_j^2
    std::vector<double> prefix(static_cast<std::size_t>(n + 1), 0.0);
    for (Eigen::Index i = 0; i < n; ++i)
        prefix[static_cast<std::size_t>(i + 1)] = prefix[static_cast<std::size_t>(i)] + c[i] * c[i];
    const double total = prefix[static_cast<std::size_t>(n)];
    out(0) = 0.0;
    for (Eigen::Index k = 1; k <= max_lag; ++k) {
        const double tail = total - prefix[static_cast<std::size_t>(k)];
        const double head = prefix[static_cast<std::size_t>(n - k)];
        const double s = tail + head - 2.0 * ac[k];
        out(k) = std::max(0.0, s) / static_cast<double>(n - k);
    }
}

/// Centred copies of a and (optionally) b in zr / zi, padded to the transform size; returns the
/// autocorrelations in zr (a) and zi (b).
void autocorrelations(std::vector<double>& zr, std::vector<double>& zi) {
    const auto m = static_cast<Eigen::Index>(zr.size());
    detail::FftPlan& plan = detail::fftPlan(m);
    plan.forward(zr.data(), zi.data());
    std::vector<double> pa(static_cast<std::size_t>(m)), pb(static_cast<std::size_t>(m));
    for (Eigen::Index k = 0; k < m; ++k) {
        const auto i = static_cast<std::size_t>(k);
        const auto j = static_cast<std::size_t>(k == 0 ? 0 : m - k);
        const double sr = zr[i] + zr[j], di = zi[i] - zi[j];
        const double dr = zr[i] - zr[j], si = zi[i] + zi[j];
        pa[i] = 0.25 * (sr * sr + di * di);
        pb[i] = 0.25 * (dr * dr + si * si);
    }
    plan.inverse(pa.data(), pb.data());
    const double inv_m = 1.0 / static_cast<double>(m);
    for (Eigen::Index k = 0; k < m; ++k) {
        zr[static_cast<std::size_t>(k)] = pa[static_cast<std::size_t>(k)] * inv_m;
        zi[static_cast<std::size_t>(k)] = pb[static_cast<std::size_t>(k)] * inv_m;
    }
}

}  // namespace

Eigen::VectorXd msdCurve(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Index max_lag) {
    const Eigen::Index n = x.size();
    assert(max_lag >= 0 && max_lag < n);
    // The mean is removed first: MSD does not depend on it and the cancellation is smaller.
    const double mean = x.mean();
    const Eigen::Index m = detail::fftNiceSize(n + max_lag);
    std::vector<double> zr(static_cast<std::size_t>(m), 0.0), zi(static_cast<std::size_t>(m), 0.0);
    std::vector<double> c(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i)
        c[static_cast<std::size_t>(i)] = zr[static_cast<std::size_t>(i)] = x(i) - mean;
    autocorrelations(zr, zi);
    Eigen::VectorXd msd(max_lag + 1);
    msdFromAutocorrelation(c.data(), n, zr.data(), max_lag,
                           [&](Eigen::Index k) -> double& { return msd(k); });
    return msd;
}

Signal2 msdCurves(const Eigen::Ref<const Signal2>& xy, Eigen::Index max_lag) {
    const Eigen::Index n = xy.rows();
    assert(max_lag >= 0 && max_lag < n);
    const Eigen::Index m = detail::fftNiceSize(n + max_lag);
    std::vector<double> zr(static_cast<std::size_t>(m), 0.0), zi(static_cast<std::size_t>(m), 0.0);
    std::vector<double> cx(static_cast<std::size_t>(n)), cy(static_cast<std::size_t>(n));
    const double mx = xy.col(0).mean(), my = xy.col(1).mean();
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto s = static_cast<std::size_t>(i);
        cx[s] = zr[s] = xy(i, 0) - mx;
        cy[s] = zi[s] = xy(i, 1) - my;
    }
    autocorrelations(zr, zi);
    Signal2 msd(max_lag + 1, 2);
    msdFromAutocorrelation(cx.data(), n, zr.data(), max_lag,
                           [&](Eigen::Index k) -> double& { return msd(k, 0); });
    msdFromAutocorrelation(cy.data(), n, zi.data(), max_lag,
                           [&](Eigen::Index k) -> double& { return msd(k, 1); });
    return msd;
}

}  // namespace stance::analysis
