#include "stance/analysis/filter.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <string>
#include <vector>

#include "scratch.hpp"

namespace stance::analysis {

namespace {

using Complex = std::complex<double>;

// Coefficients of prod (z - r_i), highest power first, built by successive convolution in the
// order the roots are given (numpy.poly).
std::vector<Complex> polyFromRoots(const std::vector<Complex>& roots) {
    std::vector<Complex> c{Complex(1.0, 0.0)};
    for (const Complex& r : roots) {
        std::vector<Complex> next(c.size() + 1, Complex(0.0, 0.0));
        for (std::size_t i = 0; i < c.size(); ++i) {
            next[i] += c[i];
            next[i + 1] -= c[i] * r;
        }
        c = std::move(next);
    }
    return c;
}

}  // namespace

Expected<IirCoefficients> butterworthLowpass(int order, double cutoff_hz, double fs_hz) {
    if (order < 1 || order > 20) {
        return fail(ErrorCode::kInvalidArgument,
                    "Butterworth order must be 1..20, got " + std::to_string(order));
    }
    if (!(fs_hz > 0.0) || !std::isfinite(fs_hz)) {
        return fail(ErrorCode::kInvalidArgument, "sampling rate must be positive");
    }
    const double wn = cutoff_hz / (fs_hz / 2.0);
    if (!(wn > 0.0 && wn < 1.0)) {
        return fail(ErrorCode::kInvalidArgument,
                    "cut-off " + std::to_string(cutoff_hz) + " Hz must lie in (0, " +
                        std::to_string(fs_hz / 2.0) + ") Hz for fs = " + std::to_string(fs_hz) +
                        " Hz");
    }
    // scipy.signal.butter: analog prototype poles -exp(j*pi*m/(2N)), m = -N+1, -N+3, ..., N-1;
    // pre-warped cut-off with the internal fs = 2; lp2lp; bilinear; zpk -> tf.
    const double pi = std::numbers::pi;
    const double fs_internal = 2.0;
    const double warped = 2.0 * fs_internal * std::tan(pi * wn / fs_internal);
    std::vector<Complex> poles;
    poles.reserve(static_cast<std::size_t>(order));
    for (int m = -order + 1; m < order; m += 2) {
        poles.push_back(-std::exp(Complex(0.0, pi * m / (2.0 * order))) * warped);
    }
    double gain = std::pow(warped, order);  // prototype gain 1, lp2lp scales by wo^degree
    const double fs2 = 2.0 * fs_internal;
    std::vector<Complex> z_poles;
    Complex denom(1.0, 0.0);
    for (const Complex& p : poles) {
        z_poles.push_back((fs2 + p) / (fs2 - p));
        denom *= (fs2 - p);
    }
    gain *= (Complex(1.0, 0.0) / denom).real();
    const std::vector<Complex> z_zeros(static_cast<std::size_t>(order), Complex(-1.0, 0.0));
    const auto bz = polyFromRoots(z_zeros);
    const auto az = polyFromRoots(z_poles);
    IirCoefficients c;
    c.b.resize(order + 1);
    c.a.resize(order + 1);
    for (int i = 0; i <= order; ++i) {
        c.b(i) = gain * bz[static_cast<std::size_t>(i)].real();
        c.a(i) = az[static_cast<std::size_t>(i)].real();
    }
    return c;
}

Eigen::VectorXd lfilterZi(const IirCoefficients& c) {
    // scipy.signal.lfilter_zi: solve (I - companion(a)^T) zi = b[1:] - a[1:] * b[0], a normalised.
    const Eigen::Index n = std::max(c.a.size(), c.b.size());
    Eigen::VectorXd a = Eigen::VectorXd::Zero(n);
    Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
    a.head(c.a.size()) = c.a / c.a(0);
    b.head(c.b.size()) = c.b / c.a(0);
    const Eigen::Index m = n - 1;
    if (m == 0) {
        return Eigen::VectorXd();
    }
    // companion(a): first row -a[1:]/a[0], ones on the sub-diagonal.
    Eigen::MatrixXd companion = Eigen::MatrixXd::Zero(m, m);
    companion.row(0) = -a.tail(m).transpose();
    for (Eigen::Index i = 1; i < m; ++i) {
        companion(i, i - 1) = 1.0;
    }
    const Eigen::MatrixXd i_minus_a = Eigen::MatrixXd::Identity(m, m) - companion.transpose();
    const Eigen::VectorXd rhs = b.tail(m) - a.tail(m) * b(0);
    return i_minus_a.partialPivLu().solve(rhs);
}

namespace {

/// The transposed direct form II recursion with the order fixed at compile time, so the state
/// lives in registers (x and y may be the same buffer, which otherwise forces every state update
/// through memory). Same operations in the same order as the general loop below.
template <int Order>
void lfilterFixed(const double* b, const double* a, const double* x, double* y, Eigen::Index n,
                  double* state) {
    double z[Order];
    for (int i = 0; i < Order; ++i)
        z[i] = state[i];
    for (Eigen::Index k = 0; k < n; ++k) {
        const double xk = x[k];
        const double yk = b[0] * xk + z[0];
        for (int i = 0; i + 1 < Order; ++i)
            z[i] = b[i + 1] * xk + z[i + 1] - a[i + 1] * yk;
        z[Order - 1] = b[Order] * xk - a[Order] * yk;
        y[k] = yk;
    }
    for (int i = 0; i < Order; ++i)
        state[i] = z[i];
}

}  // namespace

void lfilter(const IirCoefficients& c, const double* x, double* y, Eigen::Index n, double* state) {
    const Eigen::Index order = std::max(c.a.size(), c.b.size()) - 1;
    const double a0 = c.a(0);
    // Normalised coefficients on the stack for the usual orders; the filter runs in place.
    constexpr Eigen::Index kMaxOrder = 21;
    double b[kMaxOrder + 1] = {};
    double a[kMaxOrder + 1] = {};
    for (Eigen::Index i = 0; i < c.b.size(); ++i)
        b[i] = c.b(i) / a0;
    for (Eigen::Index i = 0; i < c.a.size(); ++i)
        a[i] = c.a(i) / a0;
    switch (order) {
        case 1:
            return lfilterFixed<1>(b, a, x, y, n, state);
        case 2:
            return lfilterFixed<2>(b, a, x, y, n, state);
        case 3:
            return lfilterFixed<3>(b, a, x, y, n, state);
        case 4:
            return lfilterFixed<4>(b, a, x, y, n, state);
        case 6:
            return lfilterFixed<6>(b, a, x, y, n, state);
        case 8:
            return lfilterFixed<8>(b, a, x, y, n, state);
        default:
            break;
    }
    for (Eigen::Index k = 0; k < n; ++k) {
        const double xk = x[k];
        const double yk = b[0] * xk + (order > 0 ? state[0] : 0.0);
        for (Eigen::Index i = 0; i + 1 < order; ++i) {
            state[i] = b[i + 1] * xk + state[i + 1] - a[i + 1] * yk;
        }
        if (order > 0) {
            state[order - 1] = b[order] * xk - a[order] * yk;
        }
        y[k] = yk;
    }
}

Expected<Eigen::MatrixXd> filtfilt(const IirCoefficients& c,
                                   const Eigen::Ref<const Eigen::MatrixXd>& x) {
    const Eigen::Index ntaps = std::max(c.a.size(), c.b.size());
    const Eigen::Index padlen = 3 * ntaps;
    const Eigen::Index n = x.rows();
    if (n <= padlen) {
        return fail(ErrorCode::kTooShort, "zero-phase filter needs more than " +
                                              std::to_string(padlen) + " samples, got " +
                                              std::to_string(n));
    }
    const Eigen::VectorXd zi = lfilterZi(c);
    const Eigen::Index m = zi.size();
    Eigen::MatrixXd out(n, x.cols());
    detail::ScratchFrame frame;
    double* const ext = frame.take<double>(static_cast<std::size_t>(n + 2 * padlen));
    double* const state = frame.take<double>(static_cast<std::size_t>(m));
    for (Eigen::Index col = 0; col < x.cols(); ++col) {
        // Odd extension: 2*x[0] - x[padlen..1] on the left, 2*x[-1] - x[-2..-padlen-1] on the
        // right.
        const auto xc = x.col(col);
        double* e = ext;
        for (Eigen::Index i = 0; i < padlen; ++i) {
            e[i] = 2.0 * xc(0) - xc(padlen - i);
        }
        for (Eigen::Index i = 0; i < n; ++i) {
            e[padlen + i] = xc(i);
        }
        for (Eigen::Index i = 0; i < padlen; ++i) {
            e[padlen + n + i] = 2.0 * xc(n - 1) - xc(n - 2 - i);
        }
        const Eigen::Index total = n + 2 * padlen;
        for (Eigen::Index i = 0; i < m; ++i)
            state[i] = zi(i) * e[0];
        lfilter(c, e, e, total, state);
        // Backward pass on the reversed output, started from its first (= last) value.
        std::reverse(e, e + total);
        for (Eigen::Index i = 0; i < m; ++i)
            state[i] = zi(i) * e[0];
        lfilter(c, e, e, total, state);
        for (Eigen::Index i = 0; i < n; ++i) {
            out(i, col) = e[total - 1 - padlen - i];
        }
    }
    return out;
}

void removeMean(Eigen::Ref<Eigen::MatrixXd> x) {
    if (x.rows() == 0)
        return;
    x.rowwise() -= x.colwise().mean();
}

void detrendLinear(Eigen::Ref<Eigen::MatrixXd> x) {
    const Eigen::Index n = x.rows();
    if (n < 2) {
        removeMean(x);
        return;
    }
    // Least squares against t = 0..n-1 in closed form (centred abscissa).
    const double t_mean = 0.5 * static_cast<double>(n - 1);
    double stt = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double d = static_cast<double>(i) - t_mean;
        stt += d * d;
    }
    for (Eigen::Index col = 0; col < x.cols(); ++col) {
        const double mean = x.col(col).mean();
        double sty = 0.0;
        for (Eigen::Index i = 0; i < n; ++i)
            sty += (static_cast<double>(i) - t_mean) * x(i, col);
        const double slope = sty / stt;
        for (Eigen::Index i = 0; i < n; ++i) {
            x(i, col) -= mean + slope * (static_cast<double>(i) - t_mean);
        }
    }
}

}  // namespace stance::analysis
