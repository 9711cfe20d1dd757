#include "stance/analysis/diffusion.hpp"

#include <algorithm>
#include <cassert>
#include <complex>
#include <vector>

#include "fft_cache.hpp"

namespace stance::analysis {

Eigen::VectorXd msdCurve(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Index max_lag) {
    const Eigen::Index n = x.size();
    assert(max_lag >= 0 && max_lag < n);
    // sum_{i<n-k} (x[i+k] - x[i])^2 = sum_{i>=k} x^2 + sum_{i<n-k} x^2 - 2 ac(k); ac(k) from a
    // power-of-two FFT of length >= n + max_lag (no wrap-around for the lags we keep). The mean
    // is removed first: MSD does not depend on it and the cancellation is smaller.
    const double mean = x.mean();
    Eigen::Index m = 1;
    while (m < n + max_lag)
        m *= 2;
    std::vector<double> padded(static_cast<std::size_t>(m), 0.0);
    for (Eigen::Index i = 0; i < n; ++i)
        padded[static_cast<std::size_t>(i)] = x(i) - mean;
    Eigen::FFT<double>& fft = detail::threadFft();
    std::vector<std::complex<double>> spec;
    fft.SetFlag(Eigen::FFT<double>::HalfSpectrum);  // real input: only bins 0..m/2 are needed
    fft.fwd(spec, padded);
    for (auto& c : spec)
        c = std::norm(c);
    std::vector<double> ac;
    fft.inv(ac, spec);  // real output from the half spectrum
    fft.ClearFlag(Eigen::FFT<double>::HalfSpectrum);

    // prefix[i] = sum_{j<i} (x_j - mean)^2
    std::vector<double> prefix(static_cast<std::size_t>(n + 1), 0.0);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double v = padded[static_cast<std::size_t>(i)];
        prefix[static_cast<std::size_t>(i + 1)] = prefix[static_cast<std::size_t>(i)] + v * v;
    }
    const double total = prefix[static_cast<std::size_t>(n)];
    Eigen::VectorXd msd(max_lag + 1);
    msd(0) = 0.0;
    for (Eigen::Index k = 1; k <= max_lag; ++k) {
        const double tail = total - prefix[static_cast<std::size_t>(k)];
        const double head = prefix[static_cast<std::size_t>(n - k)];
        const double s = tail + head - 2.0 * ac[static_cast<std::size_t>(k)];
        msd(k) = std::max(0.0, s) / static_cast<double>(n - k);
    }
    return msd;
}

}  // namespace stance::analysis
