// Sway metrics beyond the Quijoux set: Santos & Duarte 2016, Prieto et al. 1996, the ellipse
// family and the hull, Collins & De Luca 1993. Each block names its source, the exact variant and
// its unit; the same list is in docs/metrics-extra.md. Sample entropy and DFA are in
// complexity.cpp. Lengths are metres, times seconds (SI in, SI out).

#include "stance/analysis/sway_metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>

#include "finite.hpp"
#include "scratch.hpp"
#include "shared_terms.hpp"
#include "stance/analysis/diffusion.hpp"
#include "stance/analysis/geometry.hpp"
#include "stance/analysis/spectral.hpp"

namespace stance::analysis {

namespace {

constexpr double kPi = std::numbers::pi;
/// chi-square 0.95 quantile with 2 degrees of freedom: -2 ln(0.05).
constexpr double kChi2_95_2 = 5.991464547107979;

using NameList = std::initializer_list<std::pair<const char*, MetricUnit>>;

double sq(double v) {
    return v * v;
}

/// Data preconditions shared by every metric here; the message names the metric family.
Expected<bool> checkTrace(const UniformTrace& t, Eigen::Index min_samples, const char* what) {
    const Eigen::Index n = t.xy_m.rows();
    if (n == 0)
        return fail(ErrorCode::kEmpty, std::string(what) + ": the trace is empty");
    if (n < min_samples) {
        return fail(ErrorCode::kTooShort, std::string(what) + " need at least " +
                                              std::to_string(min_samples) + " samples, got " +
                                              std::to_string(n));
    }
    if (!detail::allFinite(t.xy_m)) {
        return fail(ErrorCode::kNonFinite,
                    std::string(what) + ": the trace has a NaN or infinite sample");
    }
    if (!(t.fs_hz > 0.0) || !std::isfinite(t.fs_hz)) {
        return fail(ErrorCode::kInvalidArgument,
                    std::string(what) + ": the sampling rate is not a positive number");
    }
    return true;
}

void addErrors(MetricTable& out, NameList names, const Error& e) {
    for (const auto& [name, unit] : names)
        out.addError(name, unit, e);
}

/// Means and second central moments (sums, not yet divided) of the two columns. Two passes.
struct Moments {
    double mean_x = 0.0, mean_y = 0.0;
    double sxx = 0.0, syy = 0.0, sxy = 0.0;  ///< sums of centred products
};

Moments moments(const Eigen::Ref<const Signal2>& xy) {
    Moments m;
    const Eigen::Index n = xy.rows();
    m.mean_x = xy.col(0).mean();
    m.mean_y = xy.col(1).mean();
    for (Eigen::Index i = 0; i < n; ++i) {
        const double dx = xy(i, 0) - m.mean_x, dy = xy(i, 1) - m.mean_y;
        m.sxx += dx * dx;
        m.syy += dy * dy;
        m.sxy += dx * dy;
    }
    return m;
}

/// Sum of the Euclidean steps |p[i+1] - p[i]| (Prieto's TOTEX), metres.
double pathLength(const Eigen::Ref<const Signal2>& xy) {
    double s = 0.0;
    for (Eigen::Index i = 1; i < xy.rows(); ++i)
        s += std::sqrt(sq(xy(i, 0) - xy(i - 1, 0)) + sq(xy(i, 1) - xy(i - 1, 1)));
    return s;
}

/// numpy.trapz(y, x).
double trapz(const Eigen::VectorXd& y, const Eigen::VectorXd& x) {
    double s = 0.0;
    for (Eigen::Index i = 1; i < y.size(); ++i)
        s += (x(i) - x(i - 1)) * (y(i) + y(i - 1)) / 2.0;
    return s;
}

struct Line {
    double slope = 0.0, intercept = 0.0;
};

/// Ordinary least squares y = slope x + intercept over the points i0 .. i1 (inclusive).
Line fitLine(const Eigen::VectorXd& x, const Eigen::VectorXd& y, Eigen::Index i0, Eigen::Index i1) {
    const Eigen::Index n = i1 - i0 + 1;
    const double mx = x.segment(i0, n).mean(), my = y.segment(i0, n).mean();
    double sxx = 0.0, sxy = 0.0;
    for (Eigen::Index i = i0; i <= i1; ++i) {
        sxx += (x(i) - mx) * (x(i) - mx);
        sxy += (x(i) - mx) * (y(i) - my);
    }
    Line l;
    l.slope = sxy / sxx;
    l.intercept = my - l.slope * mx;
    return l;
}

/// k of the 95 % prediction ellipse: F_0.95(2, N-2) * 2 (N-1)(N+1) / (N (N-2)).
double predictionFactor(double n) {
    return fQuantile2(0.95, n - 2.0) * 2.0 * (n - 1.0) * (n + 1.0) / (n * (n - 2.0));
}

}  // namespace

// F_q(2, d): the F(2, d) CDF is 1 - (1 + 2x/d)^(-d/2), inverted in closed form. Equals
// scipy.stats.f.ppf(q, 2, d) to rounding.
double fQuantile2(double q, double d) {
    return d / 2.0 * (std::pow(1.0 - q, -2.0 / d) - 1.0);
}

// Duarte M, BMC notebooks, functions/hyperellipsoid.py (95 % prediction hyperellipsoid, p = 2);
// Schubert P, Kirchner M (2014) Gait Posture 39:518-522. S = np.cov(ddof=1); semi-axes
// sqrt(lambda_i k), k = F_0.95(2, N-2) 2(N-1)(N+1)/(N(N-2)); area pi a b (m^2); angle of the
// major axis from +x (ML) towards +y (AP), degrees in (-90, 90]. The 2x2 eigenproblem is solved
// in closed form (lambda_min = det / lambda_max, no cancellation); angle = atan2(2 s_xy,
// s_xx - s_yy) / 2.
Expected<PredictionEllipse> predictionEllipse95(const Eigen::Ref<const Signal2>& xy) {
    const Eigen::Index n = xy.rows();
    if (n == 0)
        return fail(ErrorCode::kEmpty, "the 95 % prediction ellipse: the trace is empty");
    if (n < 3) {
        return fail(ErrorCode::kTooShort, "the 95 % prediction ellipse needs at least 3 samples");
    }
    if (!detail::allFinite(xy)) {
        return fail(ErrorCode::kNonFinite,
                    "the 95 % prediction ellipse: the trace has a NaN or infinite sample");
    }
    const auto nd = static_cast<double>(n);
    const Moments m = moments(xy);
    const double a = m.sxx / (nd - 1.0), c = m.syy / (nd - 1.0), b = m.sxy / (nd - 1.0);
    const double det = a * c - b * b;
    const double half_gap = std::hypot((a - c) / 2.0, b);
    const double lambda_max = (a + c) / 2.0 + half_gap;
    if (!(det > 0.0) || !(lambda_max > 0.0)) {
        return fail(ErrorCode::kZeroVariance,
                    "the 95 % prediction ellipse is degenerate: the COP moves along a line or not "
                    "at all");
    }
    const double lambda_min = det / lambda_max;
    const double k = predictionFactor(nd);
    PredictionEllipse e;
    e.semi_major_m = std::sqrt(lambda_max * k);
    e.semi_minor_m = std::sqrt(lambda_min * k);
    e.area_m2 = kPi * e.semi_major_m * e.semi_minor_m;
    double angle = 0.5 * std::atan2(2.0 * b, a - c) * 180.0 / kPi;
    if (angle <= -90.0)
        angle += 180.0;
    e.major_axis_angle_deg = angle;
    return e;
}

// Santos DA, Duarte M (2016) PeerJ 4:e2648, per-trial values (BDSinfoCOP) exactly as the authors
// computed them (datasets/norms/README.md), on the trace as given (they used the raw, uncentred,
// unfiltered COP; every value here is translation invariant, so centring does not matter):
// - bds_cop_area (m^2): 95 % prediction ellipse, pi k sqrt(det S), S the sample covariance
//   (divisor N-1), k = F_0.95(2, N-2) 2(N-1)(N+1)/(N(N-2)).
// - bds_cop_velocity (m/s): sum |dCOP| / (N / fs), i.e. divided by N / fs, not (N-1) / fs.
// - bds_cop_mean_frequency (Hz): per axis scipy-style Welch (periodic Hann, nperseg = N/2,
//   noverlap = N/4, nfft = N/2, constant detrend, one-sided density), mpf = trapz(f P) /
//   trapz(P); the axes combined as (mpf_AP sum P_AP + mpf_ML sum P_ML) / (sum P_AP + sum P_ML).
// Cost: two Welch estimates dominate; the rest is O(N).
void appendBdsMetrics(const UniformTrace& trace, MetricTable& out) {
    using namespace units;
    const NameList names{{"bds_cop_area", kArea},
                         {"bds_cop_velocity", kVelocity},
                         {"bds_cop_mean_frequency", kFrequency}};
    if (auto ok = checkTrace(trace, 8, "the Santos & Duarte 2016 metrics"); !ok) {
        addErrors(out, names, ok.error());
        return;
    }
    const Signal2& p = trace.xy_m;
    const Eigen::Index n = p.rows();
    const auto nd = static_cast<double>(n);

    const Moments m = moments(p);
    const double det =
        (m.sxx / (nd - 1.0)) * (m.syy / (nd - 1.0)) - (m.sxy / (nd - 1.0)) * (m.sxy / (nd - 1.0));
    if (det > 0.0) {
        out.add("bds_cop_area", kArea, kPi * predictionFactor(nd) * std::sqrt(det));
    } else {
        out.addError("bds_cop_area", kArea,
                     fail(ErrorCode::kZeroVariance,
                          "bds_cop_area: the COP covariance is singular (no sway, or sway along "
                          "a line)"));
    }

    out.add("bds_cop_velocity", kVelocity, pathLength(p) / (nd / trace.fs_hz));

    WelchOptions wo;
    wo.nperseg = n / 2;
    wo.noverlap = n / 4;
    wo.nfft = n / 2;
    wo.detrend = Detrend::kConstant;
    const auto psds = welch2(p, trace.fs_hz, wo);
    if (!psds) {
        out.addError("bds_cop_mean_frequency", kFrequency, psds.error());
        return;
    }
    std::array<double, 2> mpf{}, sum_p{};
    for (std::size_t a = 0; a < 2; ++a) {
        const Psd& psd = (*psds)[a];
        const double tp = trapz(psd.density, psd.f_hz);
        if (!(tp > 0.0)) {
            out.addError("bds_cop_mean_frequency", kFrequency,
                         fail(ErrorCode::kZeroVariance,
                              std::string("bds_cop_mean_frequency: no power in the ") +
                                  (a == 0 ? "ML" : "AP") + " COP"));
            return;
        }
        mpf[a] = trapz(psd.f_hz.cwiseProduct(psd.density), psd.f_hz) / tp;
        sum_p[a] = psd.density.sum();
    }
    // Index 1 = AP, 0 = ML; AP first as the authors wrote it.
    out.add("bds_cop_mean_frequency", kFrequency,
            (mpf[1] * sum_p[1] + mpf[0] * sum_p[0]) / (sum_p[1] + sum_p[0]));
}

// Prieto TE, Myklebust JB, Hoffmann RG, Lovett EG, Myklebust BM (1996) Measures of postural
// steadiness: differences between healthy young and elderly adults. IEEE TBME 43(9):956-966.
// On the COP centred here; RD[n] = |p[n] - mean|, MDIST = mean RD, RDIST = sqrt(mean RD^2),
// s_RD = sqrt(RDIST^2 - MDIST^2) (computed as the equal two-pass population SD of RD, which does
// not cancel), TOTEX = sum |p[n+1] - p[n]|, s^2 moments with divisor N.
// - prieto_area_ce (m^2): 95 % confidence ellipse 2 pi F sqrt(s_AP^2 s_ML^2 - s_APML^2) with
//   F = F.05[2, N-2] = 3.00 when N > 120 (the paper's large-sample value), exact otherwise.
// - prieto_area_cc (m^2): 95 % confidence circle pi (MDIST + z.05 s_RD)^2, z.05 = 1.645.
// - prieto_fd_pd / _cc / _ce (1): FD = log N / log(N d / TOTEX), d = the path's planar range
//   (diameter), 2 (MDIST + 1.645 s_RD), sqrt(4 AREA-CE / pi) = sqrt((2a)(2b)) respectively.
// - prieto_mean_velocity (m/s): MVELO = TOTEX / T with T = N / fs (the paper's T is the record
//   duration; N / fs is the convention of the Santos & Duarte and Quijoux values).
// Not verified against the paper itself (no copy at hand): the constants 3.00 and 1.645 and the
// AREA-CC / FD formulas are as summarised in tests/data/reference/README.md; the AREA-CE and
// AREA-CC formulas agree with an independent public R implementation that cites the paper's
// equations (14)-(18). The FD-PD/CC/CE diameters are unverified beyond that summary.
void appendPrietoMetrics(const UniformTrace& trace, MetricTable& out) {
    detail::appendPrietoMetrics(trace, out, {});
}

void detail::appendPrietoMetrics(const UniformTrace& trace, MetricTable& out,
                                 const SharedTerms& shared) {
    using namespace units;
    const NameList names{{"prieto_area_ce", kArea},        {"prieto_area_cc", kArea},
                         {"prieto_fd_pd", kDimensionless}, {"prieto_fd_cc", kDimensionless},
                         {"prieto_fd_ce", kDimensionless}, {"prieto_mean_velocity", kVelocity}};
    if (auto ok = checkTrace(trace, 3, "the Prieto 1996 metrics"); !ok) {
        addErrors(out, names, ok.error());
        return;
    }
    const Signal2& p = trace.xy_m;
    const Eigen::Index n = p.rows();
    const auto nd = static_cast<double>(n);
    const Moments m = moments(p);
    detail::ScratchFrame frame;
    double* rd = frame.take<double>(static_cast<std::size_t>(n));
    double sum_rd = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        rd[i] = std::sqrt(sq(p(i, 0) - m.mean_x) + sq(p(i, 1) - m.mean_y));
        sum_rd += rd[i];
    }
    const double mdist = sum_rd / nd;
    double ss_rd = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double d = rd[i] - mdist;
        ss_rd += d * d;
    }
    const double s_rd = std::sqrt(ss_rd / nd);
    const double totex = pathLength(p);

    const double f = n > 120 ? 3.00 : fQuantile2(0.95, nd - 2.0);
    const double det = (m.sxx / nd) * (m.syy / nd) - (m.sxy / nd) * (m.sxy / nd);
    const double area_ce = 2.0 * kPi * f * std::sqrt(std::max(0.0, det));
    const double radius_cc = mdist + 1.645 * s_rd;
    const Error still =
        fail(ErrorCode::kZeroVariance, "the COP does not sway in the plane (no spread or no path)");
    if (det > 0.0) {
        out.add("prieto_area_ce", kArea, area_ce);
    } else {
        out.addError("prieto_area_ce", kArea, still);
    }
    out.add("prieto_area_cc", kArea, kPi * radius_cc * radius_cc);

    const auto fd = [&](const char* name, double d) {
        const double ratio = nd * d / totex;
        if (!(totex > 0.0) || !(d > 0.0)) {
            out.addError(name, kDimensionless, still);
        } else if (!(ratio > 1.0)) {
            out.addError(name, kDimensionless,
                         fail(ErrorCode::kUndefined,
                              std::string(name) + ": N d / TOTEX <= 1, log N / log(N d / TOTEX) "
                                                  "is undefined"));
        } else {
            out.add(name, kDimensionless, std::log(nd) / std::log(ratio));
        }
    };
    fd("prieto_fd_pd", shared.hull ? hullDiameter(*shared.hull) : planarRange(p));
    fd("prieto_fd_cc", 2.0 * radius_cc);
    if (det > 0.0) {
        fd("prieto_fd_ce", std::sqrt(4.0 * area_ce / kPi));
    } else {
        out.addError("prieto_fd_ce", kDimensionless, still);
    }
    out.add("prieto_mean_velocity", kVelocity, totex / (nd / trace.fs_hz));
}

// The ellipse family and the hull, on the trace as given:
// - prediction_ellipse_area_95 (m^2), _semi_major, _semi_minor (m), _angle (deg): see
//   predictionEllipse95 (Duarte BMC hyperellipsoid; Schubert & Kirchner 2014).
// - chi2_ellipse_area_95 (m^2): pi chi2_0.95,2 sqrt(det S), chi2_0.95,2 = -2 ln 0.05 =
//   5.991464547107979, S with divisor N-1 (the large-sample limit of the prediction ellipse, as
//   vaila ellipse.py and CRAN stabilo compute it). Ratio to the prediction ellipse: chi2 / k.
// - convex_hull_area (m^2): shoelace area of the convex hull of all samples.
void appendAreaMetrics(const UniformTrace& trace, MetricTable& out) {
    detail::appendAreaMetrics(trace, out, {});
}

void detail::appendAreaMetrics(const UniformTrace& trace, MetricTable& out,
                               const SharedTerms& shared) {
    using namespace units;
    const NameList ellipse_names{{"prediction_ellipse_area_95", kArea},
                                 {"prediction_ellipse_semi_major", kLength},
                                 {"prediction_ellipse_semi_minor", kLength},
                                 {"prediction_ellipse_angle", kAngle},
                                 {"chi2_ellipse_area_95", kArea}};
    if (auto ok = checkTrace(trace, 3, "the area metrics"); !ok) {
        addErrors(out, ellipse_names, ok.error());
        out.addError("convex_hull_area", kArea, ok.error());
        return;
    }
    if (auto e = predictionEllipse95(trace.xy_m); e) {
        out.add("prediction_ellipse_area_95", kArea, e->area_m2);
        out.add("prediction_ellipse_semi_major", kLength, e->semi_major_m);
        out.add("prediction_ellipse_semi_minor", kLength, e->semi_minor_m);
        out.add("prediction_ellipse_angle", kAngle, e->major_axis_angle_deg);
        // a b = k sqrt(det S), so the chi-square area is the prediction area times chi2 / k.
        const double k = predictionFactor(static_cast<double>(trace.xy_m.rows()));
        out.add("chi2_ellipse_area_95", kArea, e->area_m2 * (kChi2_95_2 / k));
    } else {
        addErrors(out, ellipse_names, e.error());
    }
    out.add("convex_hull_area", kArea,
            polygonArea(shared.hull ? *shared.hull : convexHull(trace.xy_m)));
}

// Collins JJ, De Luca CJ (1993) Open-loop and closed-loop control of posture: a random-walk
// analysis of center-of-pressure trajectories. Exp Brain Res 95:308-318. Stabilogram diffusion:
// MSD(dt) = <(x[n+k] - x[n])^2> (msdCurve, lags k = dt fs); linear fits of MSD against dt,
// <dx^2> = 2 D dt per axis and, in the plane, <dr^2> = <dx^2> + <dy^2> = 2 D_r dt (the paper's
// planar definition, so D_r = D_x + D_y), D = slope / 2 (m^2/s).
// Regions (the paper places them per subject by inspection; Stance fixes them): short-term
// 0 < dt <= 1 s (lags 1 .. floor(fs)), long-term 2.5 s <= dt <= min(10 s, N/3 lags); the fit is
// ordinary least squares with a free intercept over every lag of the region.
// cdl_critical_time_planar (s): dt where the two planar lines intersect,
// (b_long - b_short) / (a_short - a_long). Needs lags up to at least 3.5 s (trial >= 10.5 s).
void appendCollinsDeLucaMetrics(const UniformTrace& trace, MetricTable& out) {
    detail::appendCollinsDeLucaMetrics(trace, out, {});
}

Eigen::Index detail::collinsDeLucaMaxLag(Eigen::Index n, double fs_hz) {
    constexpr double kLongEnd = 10.0;
    return std::min<Eigen::Index>(n / 3, static_cast<Eigen::Index>(std::floor(kLongEnd * fs_hz)));
}

void detail::appendCollinsDeLucaMetrics(const UniformTrace& trace, MetricTable& out,
                                        const SharedTerms& shared) {
    using namespace units;
    constexpr double kShortEnd = 1.0, kLongStart = 2.5;  // the long region ends at 10 s
    const NameList names{
        {"cdl_diffusion_short_ML", kAreaRate},     {"cdl_diffusion_short_AP", kAreaRate},
        {"cdl_diffusion_short_planar", kAreaRate}, {"cdl_diffusion_long_ML", kAreaRate},
        {"cdl_diffusion_long_AP", kAreaRate},      {"cdl_diffusion_long_planar", kAreaRate},
        {"cdl_critical_time_planar", kTime}};
    if (auto ok = checkTrace(trace, 3, "the Collins & De Luca diffusion coefficients"); !ok) {
        addErrors(out, names, ok.error());
        return;
    }
    const double fs = trace.fs_hz;
    const Eigen::Index n = trace.xy_m.rows();
    const Eigen::Index max_lag = collinsDeLucaMaxLag(n, fs);
    const auto i_short = static_cast<Eigen::Index>(std::floor(kShortEnd * fs));
    const auto i_long = static_cast<Eigen::Index>(std::ceil(kLongStart * fs));
    if (i_short < 2 || max_lag < i_long + static_cast<Eigen::Index>(std::floor(fs))) {
        addErrors(out, names,
                  fail(ErrorCode::kTooShort,
                       "the Collins & De Luca diffusion coefficients need MSD lags up to at least "
                       "3.5 s (a trial of 10.5 s or more, lags capped at a third of it) and a "
                       "rate of at least 2 Hz; got " +
                           std::to_string(n) + " samples at " + std::to_string(fs) + " Hz"));
        return;
    }
    Signal2 own_msd;
    const Signal2* msd = shared.msd;
    if (msd == nullptr || msd->rows() <= max_lag) {
        own_msd = msdCurves(trace.xy_m, max_lag);
        msd = &own_msd;
    }
    const Eigen::VectorXd mx = msd->col(0).head(max_lag + 1);
    const Eigen::VectorXd my = msd->col(1).head(max_lag + 1);
    const Eigen::VectorXd mr = mx + my;
    Eigen::VectorXd dt(max_lag + 1);
    for (Eigen::Index k = 0; k <= max_lag; ++k)
        dt(k) = static_cast<double>(k) / fs;
    const std::array<const Eigen::VectorXd*, 3> curves{&mx, &my, &mr};
    const std::array<const char*, 3> suffix{"ML", "AP", "planar"};
    std::array<Line, 3> s_line, l_line;
    for (std::size_t c = 0; c < 3; ++c) {
        s_line[c] = fitLine(dt, *curves[c], 1, i_short);
        l_line[c] = fitLine(dt, *curves[c], i_long, max_lag);
    }
    for (std::size_t c = 0; c < 3; ++c)
        out.add(std::string("cdl_diffusion_short_") + suffix[c], kAreaRate, s_line[c].slope / 2.0);
    for (std::size_t c = 0; c < 3; ++c)
        out.add(std::string("cdl_diffusion_long_") + suffix[c], kAreaRate, l_line[c].slope / 2.0);
    const double slope_gap = s_line[2].slope - l_line[2].slope;
    const double t_c = (l_line[2].intercept - s_line[2].intercept) / slope_gap;
    if (slope_gap > 0.0 && t_c > 0.0) {
        out.add("cdl_critical_time_planar", kTime, t_c);
    } else {
        out.addError("cdl_critical_time_planar", kTime,
                     fail(ErrorCode::kUndefined,
                          "cdl_critical_time_planar: the short- and long-term lines do not cross "
                          "at a positive time interval"));
    }
}

}  // namespace stance::analysis
