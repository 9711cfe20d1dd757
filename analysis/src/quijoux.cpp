// The 72 features of Quijoux et al. 2021 (Physiol Rep 9(22):e15067), computed as the authors'
// open-access code does (github Jythen/code_descriptors_postural_control, commit c66a0e4, MIT).
// Definitions and every variant choice: docs/metrics-quijoux.md and
// tests/data/reference/README.md. Lengths are SI (m); the code's cm-based defaults (sway-density
// radius 0.3 cm) are converted in QuijouxOptions.

#include "stance/analysis/quijoux.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "finite.hpp"
#include "scratch.hpp"
#include "shared_terms.hpp"
#include "stance/analysis/diffusion.hpp"
#include "stance/analysis/filter.hpp"
#include "stance/analysis/geometry.hpp"
#include "stance/analysis/spectral.hpp"
#include "sway_density.hpp"

namespace stance::analysis {

namespace {

constexpr double kPi = std::numbers::pi;
const char* const kAxis[2] = {"ML", "AP"};

/// F_0.95(2, d) in closed form: d/2 ((0.05)^(-2/d) - 1).
double f95Dof2(double d) {
    return d / 2.0 * (std::pow(0.05, -2.0 / d) - 1.0);
}

/// Savitzky-Golay first derivative, window 5, polynomial order 3, scipy mode 'interp':
/// interior (x[n-2] - 8 x[n-1] + 8 x[n+1] - x[n+2]) / (12 dt); the two samples at each end are
/// the derivative of the cubic least-squares fit to the first / last five samples.
void savgolDerivative(const Eigen::Ref<const Eigen::VectorXd>& x, double dt,
                      Eigen::Ref<Eigen::VectorXd> v) {
    const Eigen::Index n = x.size();
    for (Eigen::Index i = 2; i + 2 < n; ++i) {
        v(i) = (x(i - 2) - 8.0 * x(i - 1) + 8.0 * x(i + 1) - x(i + 2)) / (12.0 * dt);
    }
    // Edge rows: d/dt of the cubic fitted to t = 0..4 (least squares, exact for 5 points and 4
    // parameters), evaluated at t = 0, 1 (start) and 3, 4 (end).
    static const Eigen::Matrix<double, 4, 5> edge = [] {
        Eigen::Matrix<double, 5, 4> a;
        for (int t = 0; t < 5; ++t) {
            for (int p = 0; p < 4; ++p)
                a(t, p) = std::pow(static_cast<double>(t), p);
        }
        const Eigen::Matrix<double, 4, 5> pinv = (a.transpose() * a).inverse() * a.transpose();
        Eigen::Matrix<double, 4, 5> rows;
        const int at[4] = {0, 1, 3, 4};
        for (int r = 0; r < 4; ++r) {
            const double t = at[r];
            const Eigen::RowVector4d d(0.0, 1.0, 2.0 * t, 3.0 * t * t);
            rows.row(r) = d * pinv;
        }
        return rows;
    }();
    if (n < 5) {
        v.setZero();
        return;
    }
    const Eigen::Matrix<double, 5, 1> head = x.head(5);
    const Eigen::Matrix<double, 5, 1> tail = x.tail(5);
    v(0) = edge.row(0).dot(head) / dt;
    v(1) = edge.row(1).dot(head) / dt;
    v(n - 2) = edge.row(2).dot(tail) / dt;
    v(n - 1) = edge.row(3).dot(tail) / dt;
}

struct VelocityPeaks {
    Eigen::Index zero_crossings = 0;
    double pos = std::numeric_limits<double>::quiet_NaN();
    double neg = std::numeric_limits<double>::quiet_NaN();
    double all = std::numeric_limits<double>::quiet_NaN();
};

/// Zero crossings of the velocity and the mean of the largest |v| of each lobe between
/// crossings, exactly as the reference loop: a lobe's peak is recorded when the lobe closes,
/// the lobe before the first crossing is not counted, nor the last (still open) one.
///
/// The reference loop's crossing test (v * past <= 0, v != 0, sign(v) differs from the side of the
/// last crossing) reduces to: v(i) is non-zero and of the opposite sign to the last non-zero value
/// before it (the side always equals that sign, since every change of sign is a crossing). So the
/// crossings are found in one pass, and each closed lobe's peak (the first index of its largest
/// |v|, the reference keeps the first on ties) by a vectorised maximum and a short search.
VelocityPeaks velocityPeaks(const Eigen::Ref<const Eigen::VectorXd>& v) {
    VelocityPeaks out;
    const Eigen::Index n = v.size();
    std::vector<Eigen::Index> crossings;
    double last_sign = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double value = v(i);
        if (value == 0.0)
            continue;
        const double s = value > 0.0 ? 1.0 : -1.0;
        if (s != last_sign && last_sign != 0.0)
            crossings.push_back(i);
        last_sign = s;
    }
    out.zero_crossings = static_cast<Eigen::Index>(crossings.size());
    double sum_pos = 0.0, sum_neg = 0.0;
    Eigen::Index n_pos = 0, n_neg = 0;
    for (std::size_t k = 0; k + 1 < crossings.size(); ++k) {
        const Eigen::Index a = crossings[k], b = crossings[k + 1];
        const double largest = v.segment(a, b - a).cwiseAbs().maxCoeff();
        Eigen::Index peak_index = a;
        while (std::abs(v(peak_index)) != largest)
            ++peak_index;
        if (v(b) < 0.0) {  // a positive lobe closes
            sum_pos += v(peak_index);
            ++n_pos;
        } else {
            sum_neg += std::abs(v(peak_index));
            ++n_neg;
        }
    }
    if (n_pos > 0)
        out.pos = sum_pos / static_cast<double>(n_pos);
    if (n_neg > 0)
        out.neg = sum_neg / static_cast<double>(n_neg);
    if (n_pos + n_neg > 0)
        out.all = (sum_pos + sum_neg) / static_cast<double>(n_pos + n_neg);
    return out;
}

/// Sway density (Baratto et al. 2002, Motor Control 6:246; as coded by Quijoux at c66a0e4): for
/// each sample t < N-1, the run of consecutive samples before and after t that stay within
/// `radius` of p[t]; value = (last - first) / fs, i.e. (count - 1) / fs (the paper's Fig. 3
/// caption says count / fs); then a 4th-order 2.5 Hz Butterworth low-pass (filtfilt). The runs
/// come from detail::swayDensityRuns (block-pair classification, see sway_density.hpp).
/// The filtered curve is the one column of the result.
Expected<Eigen::MatrixXd> swayDensity(const Signal2& p, double fs_hz, double radius) {
    Eigen::VectorXd density = detail::swayDensityRuns(p, radius);
    density /= fs_hz;
    auto c = butterworthLowpass(4, 2.5, fs_hz);
    if (!c)
        return c.error();
    return filtfilt(*c, density);
}

struct LineFit {
    double slope = 0.0, intercept = 0.0, rmse = 0.0;
};

/// OLS line through points [a, b) using prefix sums of x, y, x^2, xy, y^2 (of data already
/// shifted near zero for conditioning).
class PrefixFits {
public:
    /// The prefix sums live in the caller's scratch frame.
    PrefixFits(const Eigen::Ref<const Eigen::VectorXd>& x,
               const Eigen::Ref<const Eigen::VectorXd>& y, detail::ScratchFrame& frame)
        : x0_(x.mean()),
          y0_(y.mean()),
          s_(frame.take<double>(static_cast<std::size_t>(5 * (x.size() + 1))), x.size() + 1, 5),
          syy_(frame.take<double>(static_cast<std::size_t>(x.size()))) {
        const Eigen::Index n = x.size();
        s_.row(0).setZero();
        for (Eigen::Index i = 0; i < n; ++i) {
            const double u = x(i) - x0_, v = y(i) - y0_;
            s_.row(i + 1) = s_.row(i) + Eigen::Matrix<double, 1, 5>(1.0, u, v, u * u, u * v);
            syy_[i] = (i == 0 ? 0.0 : syy_[i - 1]) + v * v;
        }
    }
    LineFit fit(Eigen::Index a, Eigen::Index b) const {
        const Eigen::Matrix<double, 1, 5> d = s_.row(b) - s_.row(a);
        const double n = d(0), sx = d(1), sy = d(2), sxx = d(3), sxy = d(4);
        const double syy = syy_[b - 1] - (a == 0 ? 0.0 : syy_[a - 1]);
        const double cxx = sxx - sx * sx / n, cxy = sxy - sx * sy / n, cyy = syy - sy * sy / n;
        LineFit f;
        f.slope = cxy / cxx;
        const double ssr = std::max(0.0, cyy - f.slope * cxy);
        f.rmse = std::sqrt(ssr / n);
        f.intercept = (sy / n + y0_) - f.slope * (sx / n + x0_);
        return f;
    }

private:
    double x0_, y0_;
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, 5, Eigen::RowMajor>> s_;  ///< row per prefix
    double* syy_;
};

struct SdaResult {
    double short_diffusion, long_diffusion, critical_time, critical_displacement, short_scaling,
        long_scaling;
};

/// Stabilogram diffusion analysis as coded by Quijoux (after Collins & De Luca 1993): log-log
/// OLS fits of MSD; short region = points [0, i), long region = [i-1, end) of the lags 1..maxlag;
/// candidates i in [int(0.3 F) + 1, int(2.5 F)] with F = fs; for each region the last
/// minimum-RMSE candidate wins; *_diffusion = exp(intercept) (MSD at 1 s, L^2), scaling = slope/2.
/// log_lag(k - 1) = log(k / fs) for k = 1 .. m, shared by both axes.
Expected<SdaResult> sda(const Eigen::Ref<const Eigen::VectorXd>& msd,
                        const Eigen::Ref<const Eigen::VectorXd>& log_lag, double fs_hz,
                        const QuijouxOptions& o) {
    const Eigen::Index m = msd.size() - 1;  // lags 1..m
    const auto i0 = static_cast<Eigen::Index>(o.sda_breakpoint_min_s * fs_hz) + 1;
    const auto i1 = static_cast<Eigen::Index>(o.sda_breakpoint_max_s * fs_hz);
    if (m <= i1 + 1) {
        return fail(ErrorCode::kTooShort, "stabilogram diffusion needs MSD lags beyond " +
                                              std::to_string(o.sda_breakpoint_max_s) +
                                              " s (the trial must be longer than " +
                                              std::to_string(3.0 * o.sda_breakpoint_max_s) + " s)");
    }
    const auto& lx = log_lag;
    detail::ScratchFrame frame;
    Eigen::Map<Eigen::VectorXd> ly(frame.take<double>(static_cast<std::size_t>(m)), m);
    for (Eigen::Index k = 1; k <= m; ++k) {
        if (!(msd(k) > 0.0)) {
            return fail(ErrorCode::kZeroVariance,
                        "stabilogram diffusion: the signal does not move (MSD = 0)");
        }
        ly(k - 1) = std::log(msd(k));
    }
    const PrefixFits fits(lx, ly, frame);
    Eigen::Index best_s = i0, best_l = i0;
    double rmse_s = std::numeric_limits<double>::infinity(), rmse_l = rmse_s;
    for (Eigen::Index i = i0; i <= i1; ++i) {
        const double rs = fits.fit(0, i).rmse;
        if (rs <= rmse_s) {
            rmse_s = rs;
            best_s = i;
        }
        const double rl = fits.fit(i - 1, m).rmse;
        if (rl <= rmse_l) {
            rmse_l = rl;
            best_l = i;
        }
    }
    const LineFit s = fits.fit(0, best_s);
    const LineFit l = fits.fit(best_l - 1, m);
    double log_tc = (l.intercept - s.intercept) / (s.slope - l.slope);
    if (log_tc > lx(m - 1))
        log_tc = lx(m - 1);
    SdaResult r;
    r.critical_time = std::exp(log_tc);
    r.critical_displacement = std::exp(s.intercept + s.slope * log_tc);
    r.short_diffusion = std::exp(s.intercept);
    r.long_diffusion = std::exp(l.intercept);
    r.short_scaling = s.slope / 2.0;
    r.long_scaling = l.slope / 2.0;
    return r;
}

std::string suffixed(const char* base, const char* suffix) {
    return std::string(base) + "_" + suffix;
}

void addAll(MetricTable& out, const std::vector<std::pair<std::string, MetricUnit>>& names,
            const Error& e) {
    for (const auto& [name, unit] : names)
        out.addError(name, unit, e);
}

}  // namespace

const std::vector<std::string>& quijouxFeatureNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const char* a : kAxis)
            v.push_back(suffixed("mean_value", a));
        for (const char* a : {"ML", "AP", "Radius"})
            v.push_back(suffixed("mean_distance", a));
        for (const char* a : {"ML", "AP", "Radius"})
            v.push_back(suffixed("maximal_distance", a));
        for (const char* a : {"ML", "AP", "Radius"})
            v.push_back(suffixed("rms", a));
        for (const char* a : {"ML", "AP", "ML_AND_AP"})
            v.push_back(suffixed("range", a));
        for (const char* b : {"range_ratio", "planar_deviation", "coefficient_sway_direction",
                              "confidence_ellipse_area", "principal_sway_direction"}) {
            v.push_back(suffixed(b, "ML_AND_AP"));
        }
        for (const char* a : {"ML", "AP", "ML_AND_AP"})
            v.push_back(suffixed("mean_velocity", a));
        v.push_back("sway_area_per_second_ML_AND_AP");
        for (const char* a : kAxis)
            v.push_back(suffixed("phase_plane_parameter", a));
        v.push_back("LFS_ML_AND_AP");
        v.push_back("fractal_dimension_ML_AND_AP");
        for (const char* a : kAxis) {
            for (const char* b :
                 {"zero_crossing", "peak_velocity_pos", "peak_velocity_neg", "peak_velocity_all"}) {
                v.push_back(std::string(b) + "_SPD_" + a);
            }
        }
        v.push_back("mean_peak_Sway_Density");
        v.push_back("mean_distance_peak_Sway_Density");
        for (const char* a : {"ML", "AP", "ML_AND_AP"})
            v.push_back(suffixed("mean_frequency", a));
        for (const char* a : kAxis) {
            for (const char* b :
                 {"total_power", "power_frequency_50", "power_frequency_95", "frequency_mode",
                  "centroid_frequency", "frequency_dispersion", "energy_content_below_05",
                  "energy_content_05_2", "energy_content_above_2", "frequency_quotient"}) {
                v.push_back(std::string(b) + "_Power_Spectrum_Density_" + a);
            }
        }
        for (const char* a : kAxis) {
            for (const char* b :
                 {"short_time_diffusion", "long_time_diffusion", "critical_time",
                  "critical_displacement", "short_time_scaling", "long_time_scaling"}) {
                v.push_back(std::string(b) + "_Diffusion_" + a);
            }
        }
        return v;
    }();
    return names;
}

void appendQuijouxFeatures(const UniformTrace& trace, MetricTable& out,
                           const QuijouxOptions& options) {
    detail::appendQuijouxFeatures(trace, out, options, {});
}

Eigen::Index detail::quijouxMaxLag(Eigen::Index n, const QuijouxOptions& options) {
    return static_cast<Eigen::Index>(static_cast<double>(n) * options.msd_max_lag_fraction);
}

void detail::appendQuijouxFeatures(const UniformTrace& trace, MetricTable& out,
                                   const QuijouxOptions& options, const SharedTerms& shared) {
    const Signal2& p = trace.xy_m;
    const Eigen::Index n = p.rows();
    const double fs = trace.fs_hz;
    const auto nd = static_cast<double>(n);
    using namespace units;

    if (n < 5 || !(fs > 0.0) || !detail::allFinite(p)) {
        const Error e =
            n < 5 ? fail(ErrorCode::kTooShort,
                         "the Quijoux features need at least 5 "
                         "samples, the trace has " +
                             std::to_string(n))
                  : (!(fs > 0.0)
                         ? fail(ErrorCode::kInvalidArgument, "the trace has no sampling rate")
                         : fail(ErrorCode::kNonFinite, "the trace has a NaN or infinite sample"));
        for (const auto& name : quijouxFeatureNames())
            out.addError(name, kDimensionless, e);
        return;
    }

    // Working arrays (radius, steps, velocities, log lags) in this thread's scratch memory.
    detail::ScratchFrame frame;
    const auto scratch = [&](Eigen::Index count) {
        return frame.take<double>(static_cast<std::size_t>(std::max<Eigen::Index>(count, 0)));
    };

    // ---- positional -------------------------------------------------------------------------
    const auto x = p.col(0);
    const auto y = p.col(1);
    Eigen::Map<Eigen::ArrayXd> r(scratch(n), n);
    r = p.rowwise().norm().array();
    const double rms_x = std::sqrt(x.squaredNorm() / nd), rms_y = std::sqrt(y.squaredNorm() / nd);
    const double rms_r = std::sqrt(r.square().mean());
    const double range_x = x.maxCoeff() - x.minCoeff(), range_y = y.maxCoeff() - y.minCoeff();
    const double cov_xy = x.dot(y) / nd;
    const double det = rms_x * rms_x * rms_y * rms_y - cov_xy * cov_xy;
    const double ellipse = 2.0 * kPi * f95Dof2(nd - 2.0) * std::sqrt(std::max(0.0, det)) *
                           ((nd + 1.0) * (nd - 1.0)) / (nd * (nd - 2.0));
    const bool degenerate = !(rms_x > 0.0) || !(rms_y > 0.0);
    const Error zero_var = fail(ErrorCode::kZeroVariance, "the COP does not move along both axes");

    out.add("mean_value_ML", kLength, trace.removed_mean_m(0));
    out.add("mean_value_AP", kLength, trace.removed_mean_m(1));
    out.add("mean_distance_ML", kLength, x.cwiseAbs().mean());
    out.add("mean_distance_AP", kLength, y.cwiseAbs().mean());
    out.add("mean_distance_Radius", kLength, r.mean());
    out.add("maximal_distance_ML", kLength, x.cwiseAbs().maxCoeff());
    out.add("maximal_distance_AP", kLength, y.cwiseAbs().maxCoeff());
    out.add("maximal_distance_Radius", kLength, r.maxCoeff());
    out.add("rms_ML", kLength, rms_x);
    out.add("rms_AP", kLength, rms_y);
    out.add("rms_Radius", kLength, rms_r);
    out.add("range_ML", kLength, range_x);
    out.add("range_AP", kLength, range_y);
    {
        std::vector<Eigen::Vector2d> own_hull;
        if (shared.hull == nullptr)
            own_hull = convexHull(p);
        out.add("range_ML_AND_AP", kLength, hullDiameter(shared.hull ? *shared.hull : own_hull));
    }
    if (range_y > 0.0) {
        out.add("range_ratio_ML_AND_AP", kDimensionless, range_x / range_y);
    } else {
        out.addError("range_ratio_ML_AND_AP", kDimensionless, zero_var);
    }
    out.add("planar_deviation_ML_AND_AP", kLength, std::sqrt(rms_x * rms_x + rms_y * rms_y));
    if (degenerate) {
        out.addError("coefficient_sway_direction_ML_AND_AP", kDimensionless, zero_var);
        out.addError("confidence_ellipse_area_ML_AND_AP", kArea, zero_var);
    } else {
        out.add("coefficient_sway_direction_ML_AND_AP", kDimensionless, cov_xy / (rms_x * rms_y));
        out.add("confidence_ellipse_area_ML_AND_AP", kArea, ellipse);
    }
    {
        // First principal component of the re-centred data (sklearn PCA centres again): the
        // scatter matrix about the mean in one pass, no centred copy.
        const double mx = x.mean(), my = y.mean();
        double sxx = 0.0, syy = 0.0, sxy = 0.0;
        for (Eigen::Index i = 0; i < n; ++i) {
            const double dx = x(i) - mx, dy = y(i) - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        Eigen::Matrix2d cov;
        cov << sxx, sxy, sxy, syy;
        Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(cov);
        const Eigen::Vector2d v = es.eigenvectors().col(1);
        if (es.eigenvalues()(1) > 0.0) {
            out.add("principal_sway_direction_ML_AND_AP", kAngle,
                    std::acos(std::min(1.0, std::abs(v(1)) / v.norm())) * 180.0 / kPi);
        } else {
            out.addError("principal_sway_direction_ML_AND_AP", kAngle, zero_var);
        }
    }

    // ---- dynamic ----------------------------------------------------------------------------
    Eigen::Map<Signal2> dp(scratch(2 * (n - 1)), n - 1, 2);
    dp = p.bottomRows(n - 1) - p.topRows(n - 1);
    Eigen::Map<Eigen::ArrayXd> step(scratch(n - 1), n - 1);
    step = dp.rowwise().norm().array();
    const double path = step.sum();
    out.add("mean_velocity_ML", kVelocity, dp.col(0).cwiseAbs().sum() * fs / nd);
    out.add("mean_velocity_AP", kVelocity, dp.col(1).cwiseAbs().sum() * fs / nd);
    out.add("mean_velocity_ML_AND_AP", kVelocity, path * fs / nd);
    {
        double tri = 0.0;
        for (Eigen::Index i = 0; i + 1 < n; ++i) {
            tri += std::abs(p(i + 1, 0) * p(i, 1) - p(i + 1, 1) * p(i, 0));
        }
        out.add("sway_area_per_second_ML_AND_AP", kAreaRate, tri / (2.0 * (nd - 1.0) / fs));
    }
    Eigen::Map<Eigen::VectorXd> vx(scratch(n), n), vy(scratch(n), n);
    savgolDerivative(x, 1.0 / fs, vx);
    savgolDerivative(y, 1.0 / fs, vy);
    const auto variance = [](const Eigen::Ref<const Eigen::VectorXd>& v) {
        return (v.array() - v.mean()).square().mean();
    };
    out.add("phase_plane_parameter_ML", kLength, std::sqrt(rms_x * rms_x + variance(vx)));
    out.add("phase_plane_parameter_AP", kLength, std::sqrt(rms_y * rms_y + variance(vy)));
    if (degenerate) {
        out.addError("LFS_ML_AND_AP", kInverseLength, zero_var);
        out.addError("fractal_dimension_ML_AND_AP", kDimensionless, zero_var);
    } else {
        out.add("LFS_ML_AND_AP", kInverseLength, path / ellipse);
        const double d = std::sqrt(ellipse * 4.0 / kPi);
        out.add("fractal_dimension_ML_AND_AP", kDimensionless,
                std::log(nd) / (std::log(nd) + std::log(d) - std::log(path)));
    }
    for (int a = 0; a < 2; ++a) {
        const VelocityPeaks vp = velocityPeaks(a == 0 ? vx : vy);
        const std::string s = std::string("_SPD_") + kAxis[a];
        out.add("zero_crossing" + s, kCount, static_cast<double>(vp.zero_crossings));
        const Error none = fail(ErrorCode::kUndefined,
                                "the velocity has too few zero crossings to define lobe peaks");
        for (auto [name, value] :
             {std::pair{"peak_velocity_pos", vp.pos}, std::pair{"peak_velocity_neg", vp.neg},
              std::pair{"peak_velocity_all", vp.all}}) {
            if (std::isfinite(value)) {
                out.add(name + s, kVelocity, value);
            } else {
                out.addError(name + s, kVelocity, none);
            }
        }
    }
    {
        auto density = swayDensity(p, fs, options.sway_density_radius_m);
        if (!density) {
            addAll(
                out,
                {{"mean_peak_Sway_Density", kTime}, {"mean_distance_peak_Sway_Density", kLength}},
                density.error());
        } else {
            const auto sd = density->col(0);
            double sum_peak = 0.0, sum_dist = 0.0;
            Eigen::Index n_peak = 0, last = -1;
            for (Eigen::Index i = 1; i + 1 < sd.size(); ++i) {
                if (sd(i) > sd(i - 1) && sd(i) > sd(i + 1)) {
                    sum_peak += sd(i);
                    if (last >= 0)
                        sum_dist += (p.row(i) - p.row(last)).norm();
                    last = i;
                    ++n_peak;
                }
            }
            const Error few =
                fail(ErrorCode::kUndefined, "the sway-density curve has fewer than 2 peaks");
            if (n_peak >= 1) {
                out.add("mean_peak_Sway_Density", kTime, sum_peak / static_cast<double>(n_peak));
            } else {
                out.addError("mean_peak_Sway_Density", kTime, few);
            }
            if (n_peak >= 2) {
                out.add("mean_distance_peak_Sway_Density", kLength,
                        sum_dist / static_cast<double>(n_peak - 1));
            } else {
                out.addError("mean_distance_peak_Sway_Density", kLength, few);
            }
        }
    }
    {
        const double mean_abs_x = x.cwiseAbs().mean(), mean_abs_y = y.cwiseAbs().mean();
        const double k4 = 1.0 / (4.0 * std::sqrt(2.0));
        const auto nd1 = nd - 1.0;
        const double mv_x = dp.col(0).cwiseAbs().sum() * fs / nd1;
        const double mv_y = dp.col(1).cwiseAbs().sum() * fs / nd1;
        out.add("mean_frequency_ML", kFrequency, k4 * mv_x / mean_abs_x);
        out.add("mean_frequency_AP", kFrequency, k4 * mv_y / mean_abs_y);
        out.add("mean_frequency_ML_AND_AP", kFrequency, (path * fs / nd1) / (2.0 * kPi * r.mean()));
    }

    // ---- frequency --------------------------------------------------------------------------
    WelchOptions wo;
    wo.nperseg = static_cast<Eigen::Index>(options.welch_segment_s * fs);
    wo.noverlap = wo.nperseg / 2;
    wo.nfft = n;
    wo.detrend = Detrend::kLinear;
    const auto psds = welchBand2(p, fs, wo, options.psd_band_lo_hz, options.psd_band_hi_hz);
    for (int a = 0; a < 2; ++a) {
        const std::string s = std::string("_Power_Spectrum_Density_") + kAxis[a];
        const std::vector<std::pair<std::string, MetricUnit>> names{
            {"total_power" + s, kPsd},
            {"power_frequency_50" + s, kFrequency},
            {"power_frequency_95" + s, kFrequency},
            {"frequency_mode" + s, kFrequency},
            {"centroid_frequency" + s, kFrequency},
            {"frequency_dispersion" + s, kDimensionless},
            {"energy_content_below_05" + s, kPsd},
            {"energy_content_05_2" + s, kPsd},
            {"energy_content_above_2" + s, kPsd},
            {"frequency_quotient" + s, kDimensionless}};
        if (!psds) {
            addAll(out, names, psds.error());
            continue;
        }
        const Psd* psd = &(*psds)[static_cast<std::size_t>(a)];
        const Eigen::VectorXd& f = psd->f_hz;
        const Eigen::VectorXd& g = psd->density;
        const double m0 = g.sum();
        if (f.size() == 0 || !(m0 > 0.0)) {
            addAll(out, names, fail(ErrorCode::kZeroVariance, "no power in the 0.15-5 Hz band"));
            continue;
        }
        const double m1 = f.dot(g), m2 = f.cwiseProduct(f).dot(g);
        const auto percentile = [&](double frac) {
            double cum = 0.0;
            for (Eigen::Index k = 0; k < g.size(); ++k) {
                cum += g(k);
                if (cum >= frac * m0)
                    return f(k);
            }
            return f(f.size() - 1);
        };
        Eigen::Index mode = 0;
        g.maxCoeff(&mode);
        double e_lo = 0.0, e_mid = 0.0, e_hi = 0.0;
        for (Eigen::Index k = 0; k < g.size(); ++k) {
            if (f(k) <= 0.5) {
                e_lo += g(k);
            } else if (f(k) <= 2.0) {
                e_mid += g(k);
            } else {
                e_hi += g(k);
            }
        }
        out.add(names[0].first, kPsd, m0);
        out.add(names[1].first, kFrequency, percentile(0.5));
        out.add(names[2].first, kFrequency, percentile(0.95));
        out.add(names[3].first, kFrequency, f(mode));
        out.add(names[4].first, kFrequency, std::sqrt(m2 / m0));
        out.add(names[5].first, kDimensionless,
                std::sqrt(std::max(0.0, 1.0 - m1 * m1 / (m0 * m2))));
        out.add(names[6].first, kPsd, e_lo);
        out.add(names[7].first, kPsd, e_mid);
        out.add(names[8].first, kPsd, e_hi);
        out.add(names[9].first, kDimensionless, e_hi / (e_lo + e_mid));
    }

    // ---- stochastic -------------------------------------------------------------------------
    const Eigen::Index max_lag = detail::quijouxMaxLag(n, options);
    Signal2 own_msd;
    const Signal2* msd = shared.msd;
    if (max_lag >= 2 && (msd == nullptr || msd->rows() <= max_lag)) {
        own_msd = msdCurves(p, max_lag);
        msd = &own_msd;
    }
    Eigen::Map<Eigen::VectorXd> log_lag(scratch(max_lag), std::max<Eigen::Index>(max_lag, 0));
    for (Eigen::Index k = 1; k <= max_lag; ++k)
        log_lag(k - 1) = std::log(static_cast<double>(k) / fs);
    for (int a = 0; a < 2; ++a) {
        const std::string s = std::string("_Diffusion_") + kAxis[a];
        const std::vector<std::pair<std::string, MetricUnit>> names{
            {"short_time_diffusion" + s, kArea},
            {"long_time_diffusion" + s, kArea},
            {"critical_time" + s, kTime},
            {"critical_displacement" + s, kArea},
            {"short_time_scaling" + s, kDimensionless},
            {"long_time_scaling" + s, kDimensionless}};
        if (max_lag < 2) {
            addAll(out, names, fail(ErrorCode::kTooShort, "too few samples for an MSD curve"));
            continue;
        }
        auto res = sda(msd->col(a).head(max_lag + 1), log_lag, fs, options);
        if (!res) {
            addAll(out, names, res.error());
            continue;
        }
        out.add(names[0].first, kArea, res->short_diffusion);
        out.add(names[1].first, kArea, res->long_diffusion);
        out.add(names[2].first, kTime, res->critical_time);
        out.add(names[3].first, kArea, res->critical_displacement);
        out.add(names[4].first, kDimensionless, res->short_scaling);
        out.add(names[5].first, kDimensionless, res->long_scaling);
    }
}

}  // namespace stance::analysis
