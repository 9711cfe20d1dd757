#pragma once
/// \file
/// Welch power spectral density, reproducing scipy.signal.welch (average='mean').

#include <Eigen/Core>
#include <array>

#include "stance/analysis/expected.hpp"
#include "stance/analysis/trace.hpp"

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
/// O(S nfft log nfft) for S segments when nfft has no prime factor above 5 (one complex
/// transform per segment); otherwise through the autocorrelation path of welchBand().
Expected<Psd> welch(const Eigen::Ref<const Eigen::VectorXd>& x, double fs_hz,
                    const WelchOptions& options);

/// Welch PSDs of both columns of xy (ML, AP): the same numbers as welch() on each column, for
/// the cost of one column (each complex transform carries a segment of both).
Expected<std::array<Psd, 2>> welch2(const Eigen::Ref<const Signal2>& xy, double fs_hz,
                                    const WelchOptions& options);

/// Welch PSD restricted to the bins with f_lo <= f_k <= f_hi (inclusive, comparing the bin
/// frequencies computed as scipy does: k * (1 / (nfft * (1 / fs)))). Same numbers as welch()
/// on those bins, computed without a transform of size nfft: the sum of the segments'
/// autocorrelations R(d), |d| < L, comes from transforms of about 2L points, and the band bins
/// P(k) = sum_d R(d) exp(-2 pi i k d / nfft) from one chirp-z transform (Bluestein 1970,
/// Rabiner, Schafer & Rader 1969) of about L + 2 k_hi points. An nfft with large prime factors
/// costs nothing extra. O(S L log L + (L + K) log(L + K)) for S segments of length L.
Expected<Psd> welchBand(const Eigen::Ref<const Eigen::VectorXd>& x, double fs_hz,
                        const WelchOptions& options, double f_lo_hz, double f_hi_hz);

/// welchBand() of both columns of xy (ML, AP) for the cost of one.
Expected<std::array<Psd, 2>> welchBand2(const Eigen::Ref<const Signal2>& xy, double fs_hz,
                                        const WelchOptions& options, double f_lo_hz,
                                        double f_hi_hz);

}  // namespace stance::analysis
