#pragma once
// Private: a fast test that every sample is finite, for the checks each metric family repeats.

#include <Eigen/Core>

namespace stance::analysis::detail {

/// True when x[0 .. n) holds no NaN and no infinity: x * 0 is 0 for a finite x and NaN
/// otherwise, and a NaN survives every sum. Four partial sums, no branch per sample (Eigen's
/// allFinite compares and branches and is about three times slower on a 6000 x 2 trace).
inline bool allFinite(const double* x, Eigen::Index n) {
    double acc[4] = {};
    Eigen::Index i = 0;
    for (; i + 4 <= n; i += 4) {
        for (int k = 0; k < 4; ++k)
            acc[k] += x[i + k] * 0.0;
    }
    for (; i < n; ++i)
        acc[0] += x[i] * 0.0;
    return (acc[0] + acc[1]) + (acc[2] + acc[3]) == 0.0;
}

/// The same for every column of a column-major matrix or vector (Eigen's test when the columns
/// are not contiguous).
template <class M>
bool allFinite(const M& m) {
    if (m.innerStride() != 1)
        return m.allFinite();
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
        if (!allFinite(m.col(c).data(), m.rows()))
            return false;
    }
    return true;
}

}  // namespace stance::analysis::detail
