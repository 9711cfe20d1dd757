#pragma once
/// \file
/// Welch power spectral density, reproducing scipy.signal.welch (average='mean').

#include <Eigen/Core>

#include "stance/analysis/expected.hpp"

namespace stance::analysis {

enum class Detrend { kNone, kConstant, kLinear };

/// scipy.signal.welch parameters. The window is always the periodic Hann window of length
/// nperseg (scipy's default 'hann'); scaling is 'density', spectrum one-sided.
struct WelchOptions {
    Eigen::Index nperseg = 256;
    Eigen::Index noverlap = 128;
    Eigen::Index nfft = 256;  ///< >= nperseg; segments are zero-padded to nfft
    Detrend detrend = Detrend::kConstant;
};

/// One-sided PSD on bins f_k = k * fs / nfft; only the bins requested are returned.
struct Psd {
    Eigen::VectorXd f_hz;     ///< bin frequencies, ascending
    Eigen::VectorXd density;  ///< PSD, (unit of x)^2 / Hz
};

/// Welch PSD of x at all bins 0 .. nfft/2. Errors: nperseg > len(x), nperseg < 2,
/// noverlap >= nperseg, nfft < nperseg, non-finite input.
Expected<Psd> welch(const Eigen::Ref<const Eigen::VectorXd>& x, double fs_hz,
                    const WelchOptions& options);

/// Welch PSD restricted to the bins with f_lo <= f_k <= f_hi (inclusive, comparing the bin
/// frequencies computed as scipy does: k * (1 / (nfft * (1 / fs)))). Same numbers as welch()
/// on those bins, computed without a transform of size nfft: the segments' autocorrelations
/// come from power-of-two FFTs and the band bins are evaluated from them, so an nfft with large
/// prime factors costs nothing extra. O(S * L log L + K * L) for S segments of length L, K bins.
Expected<Psd> welchBand(const Eigen::Ref<const Eigen::VectorXd>& x, double fs_hz,
                        const WelchOptions& options, double f_lo_hz, double f_hi_hz);

}  // namespace stance::analysis
