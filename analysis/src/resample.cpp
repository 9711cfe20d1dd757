#include "stance/analysis/resample.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace stance::analysis {

namespace {

Expected<bool> checkIncreasing(const Eigen::Ref<const Eigen::VectorXd>& t) {
    for (Eigen::Index i = 1; i < t.size(); ++i) {
        if (!(t(i) > t(i - 1))) {
            return fail(ErrorCode::kNonUniform, "timestamps must increase strictly: sample " +
                                                    std::to_string(i) +
                                                    " (t = " + std::to_string(t(i)) +
                                                    " s) is not after " + "the previous one");
        }
    }
    return true;
}

double l1(const Eigen::Ref<const Signal2>& xy, Eigen::Index i, const Eigen::Vector2d& p) {
    return std::abs(xy(i, 0) - p(0)) + std::abs(xy(i, 1) - p(1));
}

}  // namespace

Expected<SwariiResult> swarii(const Eigen::Ref<const Eigen::VectorXd>& t_s,
                              const Eigen::Ref<const Signal2>& xy_m, const SwariiOptions& options) {
    const Eigen::Index n = t_s.size();
    if (n != xy_m.rows()) {
        return fail(ErrorCode::kInvalidArgument, "SWARII: time and COP have different lengths");
    }
    if (n < 4) {
        return fail(ErrorCode::kTooShort,
                    "SWARII needs at least 4 samples, got " + std::to_string(n));
    }
    if (!(options.target_fs_hz > 0.0) || !(options.window_s > 0.0)) {
        return fail(ErrorCode::kInvalidArgument, "SWARII: rate and window must be positive");
    }
    if (auto ok = checkIncreasing(t_s); !ok) {
        return ok.error();
    }

    SwariiResult result;
    // Artefact purge (reference purge_artefact): the first and last samples are never kept,
    // samples before skip_before_s are dropped, and so is an isolated spike: a jump larger than
    // spike_jump from the last kept sample that returns within spike_return one or two samples
    // later.
    std::vector<double> kt;
    std::vector<Eigen::Vector2d> kp;
    kt.reserve(static_cast<std::size_t>(n));
    kp.reserve(static_cast<std::size_t>(n));
    for (Eigen::Index i = 1; i < n - 1; ++i) {
        if (t_s(i) < options.skip_before_s) {
            continue;
        }
        if (!kp.empty()) {
            const Eigen::Vector2d& last = kp.back();
            const bool jump = l1(xy_m, i, last) > options.spike_jump_m;
            if (jump && l1(xy_m, i + 1, last) < options.spike_return_m) {
                ++result.n_artefacts;
                continue;
            }
            if (jump && i > 1 && i < n - 2 && l1(xy_m, i + 2, last) < options.spike_return_m) {
                ++result.n_artefacts;
                continue;
            }
        }
        kt.push_back(t_s(i));
        kp.emplace_back(xy_m(i, 0), xy_m(i, 1));
    }
    const auto m = static_cast<Eigen::Index>(kt.size());
    if (m < 2) {
        return fail(ErrorCode::kTooShort, "SWARII: fewer than 2 samples left after t >= " +
                                              std::to_string(options.skip_before_s) + " s");
    }

    // Sliding windows. The grid advances by repeated addition of 1/fs, as the reference does;
    // whether the last grid point exists depends on that rounding.
    const double half = options.window_s * 0.5;
    const double step = 1.0 / options.target_fs_hz;
    const double t_first = kt.front();
    const double t_last = kt.back();
    std::vector<double> out_t;
    std::vector<Eigen::Vector2d> out_p;
    const auto expected = static_cast<std::size_t>((t_last - t_first) / step) + 2;
    out_t.reserve(expected);
    out_p.reserve(expected);
    Eigen::Index lo = 0;  // first kept sample with t > current - half
    for (double current = std::max(0.0, t_first); current < t_last; current += step) {
        while (lo < m && !(std::abs(kt[static_cast<std::size_t>(lo)] - current) < half) &&
               kt[static_cast<std::size_t>(lo)] < current) {
            ++lo;
        }
        Eigen::Index hi = lo;  // one past the last sample inside the window
        while (hi < m && std::abs(kt[static_cast<std::size_t>(hi)] - current) < half) {
            ++hi;
        }
        if (hi == lo) {
            ++result.n_empty_windows;
            continue;
        }
        Eigen::Vector2d value;
        if (hi - lo == 1) {
            value = kp[static_cast<std::size_t>(lo)];
        } else {
            value.setZero();
            double weight = 0.0;
            for (Eigen::Index k = lo; k < hi; ++k) {
                const auto ku = static_cast<std::size_t>(k);
                // Voronoi cell of sample k, clipped to the window (and to the data at the ends).
                const double left = (k == lo || k == 0) ? std::max(t_first, current - half)
                                                        : 0.5 * (kt[ku] + kt[ku - 1]);
                const double right =
                    (k == hi - 1) ? std::min(t_last, current + half) : 0.5 * (kt[ku + 1] + kt[ku]);
                const double w = right - left;
                value += kp[ku] * w;
                weight += w;
            }
            value /= weight;
        }
        out_t.push_back(current);
        out_p.push_back(value);
    }
    if (out_t.size() < 2) {
        return fail(ErrorCode::kTooShort, "SWARII: fewer than 2 output samples");
    }

    result.fs_hz = options.target_fs_hz;
    result.t0_s = out_t.front();
    if (result.n_empty_windows == 0) {
        result.xy_m.resize(static_cast<Eigen::Index>(out_p.size()), 2);
        for (std::size_t i = 0; i < out_p.size(); ++i) {
            result.xy_m.row(static_cast<Eigen::Index>(i)) = out_p[i].transpose();
        }
        return result;
    }
    // Empty windows: numpy.arange(first, last, step) and linear interpolation of the windows
    // that had samples.
    const double span = out_t.back() - out_t.front();
    const auto count = static_cast<Eigen::Index>(std::ceil(span / step));
    result.xy_m.resize(count, 2);
    std::size_t j = 0;
    for (Eigen::Index i = 0; i < count; ++i) {
        const double t = out_t.front() + static_cast<double>(i) * step;
        while (j + 2 < out_t.size() && out_t[j + 1] < t) {
            ++j;
        }
        const double f = (t - out_t[j]) / (out_t[j + 1] - out_t[j]);
        result.xy_m.row(i) = (out_p[j] + f * (out_p[j + 1] - out_p[j])).transpose();
    }
    return result;
}

Expected<Signal2> resampleLinear(const Eigen::Ref<const Eigen::VectorXd>& t_s,
                                 const Eigen::Ref<const Signal2>& xy_m, double target_fs_hz) {
    const Eigen::Index n = t_s.size();
    if (n != xy_m.rows()) {
        return fail(ErrorCode::kInvalidArgument, "resampling: time and COP have different lengths");
    }
    if (n < 2) {
        return fail(ErrorCode::kTooShort, "resampling needs at least 2 samples");
    }
    if (!(target_fs_hz > 0.0) || !std::isfinite(target_fs_hz)) {
        return fail(ErrorCode::kInvalidArgument, "resampling: target rate must be positive");
    }
    if (auto ok = checkIncreasing(t_s); !ok) {
        return ok.error();
    }
    const double t0 = t_s(0);
    const double span = t_s(n - 1) - t0;
    // Small tolerance so that a grid point that lands on the last sample up to rounding is kept.
    const auto count = static_cast<Eigen::Index>(std::floor(span * target_fs_hz + 1e-9)) + 1;
    Signal2 out(count, 2);
    Eigen::Index j = 0;
    for (Eigen::Index i = 0; i < count; ++i) {
        const double t = std::min(t0 + static_cast<double>(i) / target_fs_hz, t_s(n - 1));
        while (j + 2 < n && t_s(j + 1) < t) {
            ++j;
        }
        const double f = (t - t_s(j)) / (t_s(j + 1) - t_s(j));
        out.row(i) = xy_m.row(j) + f * (xy_m.row(j + 1) - xy_m.row(j));
    }
    return out;
}

}  // namespace stance::analysis
