#pragma once
/// \file
/// IIR design and zero-phase filtering, reproducing scipy.signal exactly
/// (butter, lfilter, lfilter_zi, filtfilt with its default odd padding).

#include <Eigen/Core>

#include "stance/analysis/expected.hpp"

namespace stance::analysis {

/// Transfer function coefficients b (numerator) and a (denominator), a[0] == 1.
struct IirCoefficients {
    Eigen::VectorXd b;
    Eigen::VectorXd a;
};

/// Digital Butterworth low-pass of `order` with -3 dB cut-off `cutoff_hz` at `fs_hz`.
/// Same algorithm as scipy.signal.butter(order, cutoff/(fs/2), 'low'): analog prototype poles,
/// pre-warped lp2lp, bilinear transform, zpk -> tf.
/// Errors: order < 1, fs <= 0, cutoff outside (0, fs/2).
Expected<IirCoefficients> butterworthLowpass(int order, double cutoff_hz, double fs_hz);

/// Initial state of lfilter for a unit step input (scipy.signal.lfilter_zi).
Eigen::VectorXd lfilterZi(const IirCoefficients& c);

/// Direct-form II transposed filter of x into y (scipy.signal.lfilter with zi).
/// `state` has max(len a, len b) - 1 entries, is the initial state on entry and the final
/// state on return. x and y may alias. O(N * order), no allocation.
void lfilter(const IirCoefficients& c, const double* x, double* y, Eigen::Index n, double* state);

/// Zero-phase filtering of each column (scipy.signal.filtfilt defaults: padtype 'odd',
/// padlen = 3 * max(len a, len b), initial states lfilter_zi scaled by the first sample of
/// each pass). Errors: fewer samples than padlen + 1 (scipy raises there too).
Expected<Eigen::MatrixXd> filtfilt(const IirCoefficients& c,
                                   const Eigen::Ref<const Eigen::MatrixXd>& x);

/// Subtract each column's mean.
void removeMean(Eigen::Ref<Eigen::MatrixXd> x);

/// Subtract each column's least-squares line against the sample index
/// (scipy.signal.detrend(type='linear')).
void detrendLinear(Eigen::Ref<Eigen::MatrixXd> x);

}  // namespace stance::analysis
