#pragma once
// Private: one Eigen FFT object per thread. Eigen's kissfft backend builds a plan (twiddle table)
// per transform size and keeps it in the object; constructing a fresh object per call costs more
// than the transforms themselves (~330 us for 8192 points). The cache is per thread, so every
// analysis function stays reentrant and callable from any thread; it holds only plans.

#include <unsupported/Eigen/FFT>

namespace stance::analysis::detail {

inline Eigen::FFT<double>& threadFft() {
    thread_local Eigen::FFT<double> fft;
    return fft;
}

}  // namespace stance::analysis::detail
