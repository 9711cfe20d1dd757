#pragma once
// Private: complex FFT for sizes whose prime factors are 2, 3 and 5 (the sizes Welch segments,
// MSD padding and chirp-z transforms are chosen from), Stockham autosort with radix-4, 2, 3 and 5
// stages on split real/imaginary arrays. About three times faster than Eigen's kissfft at the
// sizes the metrics use, and accurate to a few ulps times log n (twiddles from std::cos/std::sin
// of exact angles, not from a recurrence).
//
// Threading: a plan holds its scratch buffers, so a plan is used by one thread at a time;
// fftPlan() hands out one plan per size per thread.

#include <Eigen/Core>
#include <memory>
#include <vector>

namespace stance::analysis::detail {

class FftPlan {
public:
    /// Precondition: fftSizeSupported(n).
    explicit FftPlan(Eigen::Index n);

    Eigen::Index size() const noexcept { return n_; }

    /// In place: X_k = sum_j x_j exp(-2 pi i j k / n), k = 0 .. n-1. re and im hold n values.
    void forward(double* re, double* im);
    /// As forward(), without the final copy a transform with an odd number of stages needs: the
    /// result is left where the last stage wrote it (re/im or this plan's work buffers) and
    /// out_re/out_im point at it until the plan is used again; re and im are then scratch.
    void forwardAnywhere(double* re, double* im, const double*& out_re, const double*& out_im);
    /// In place, unscaled: x_j = sum_k X_k exp(+2 pi i j k / n) (n times the inverse DFT).
    void inverse(double* re, double* im);

private:
    struct Stage {
        int radix = 0;
        Eigen::Index m = 0;          ///< sub-transform length after this stage (n_stage / radix)
        Eigen::Index s = 0;          ///< stride (product of the radices before this stage)
        std::vector<double> wr, wi;  ///< twiddles W^(p r), r = 1 .. radix-1, p = 0 .. m-1
    };
    Eigen::Index n_;
    std::vector<Stage> stages_;
    // The stages as flat arrays for the stage runner.
    std::vector<int> radix_;
    std::vector<Eigen::Index> m_, s_;
    std::vector<const double*> wr_, wi_;
    std::vector<double> work_re_, work_im_;
};

/// True when n >= 1 has no prime factor other than 2, 3 and 5.
bool fftSizeSupported(Eigen::Index n) noexcept;

/// Smallest size >= n that fftSizeSupported() accepts.
Eigen::Index fftNiceSize(Eigen::Index n) noexcept;

/// This thread's plan for size n (built on first use; a few sizes are kept).
FftPlan& fftPlan(Eigen::Index n);

}  // namespace stance::analysis::detail
