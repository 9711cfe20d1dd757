// Sway metrics beyond the Quijoux set. Each block names its source and the exact variant; the
// same list with units is in docs/metrics-extra.md.

#include "stance/analysis/sway_metrics.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include "stance/analysis/diffusion.hpp"
#include "stance/analysis/geometry.hpp"
#include "stance/analysis/spectral.hpp"

namespace stance::analysis {

namespace {

constexpr double kPi = std::numbers::pi;
/// chi-square 0.95 quantile with 2 degrees of freedom: -2 ln(0.05).
constexpr double kChi2_95_2 = 5.991464547107979;

Expected<bool> checkTrace(const UniformTrace& t, Eigen::Index min_samples, const char* what) {
    const Eigen::Index n = t.xy_m.rows();
    if (n == 0)
        return fail(ErrorCode::kEmpty, std::string(what) + ": the trace is empty");
    if (n < min_samples) {
        return fail(ErrorCode::kTooShort, std::string(what) + " needs at least " +
                                              std::to_string(min_samples) + " samples, got " +
                                              std::to_string(n));
    }
    if (!t.xy_m.allFinite()) {
        return fail(ErrorCode::kNonFinite, std::string(what) + ": the trace has a NaN sample");
    }
    if (!(t.fs_hz > 0.0)) {
        return fail(ErrorCode::kInvalidArgument, std::string(what) + ": no sampling rate");
    }
    return true;
}

/// Sample covariance (divisor N - 1) of the rows.
Eigen::Matrix2d sampleCovariance(const Eigen::Ref<const Signal2>& xy) {
    const Signal2 c = xy.rowwise() - xy.colwise().mean();
    return (c.transpose() * c) / static_cast<double>(xy.rows() - 1);
}

double pathLength(const Eigen::Ref<const Signal2>& xy) {
    const Eigen::Index n = xy.rows();
    if (n < 2)
        return 0.0;
    return (xy.bottomRows(n - 1) - xy.topRows(n - 1)).rowwise().norm().sum();
}

double trapz(const Eigen::VectorXd& y, const Eigen::VectorXd& x) {
    double s = 0.0;
    for (Eigen::Index i = 1; i < y.size(); ++i)
        s += 0.5 * (y(i) + y(i - 1)) * (x(i) - x(i - 1));
    return s;
}

void addErrors(MetricTable& out, std::initializer_list<std::pair<const char*, MetricUnit>> names,
               const Error& e) {
    for (const auto& [name, unit] : names)
        out.addError(name, unit, e);
}

struct Line {
    double slope = 0.0, intercept = 0.0;
};

/// Ordinary least squares y = a x + b over points [i0, i1].
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

}  // namespace

double fQuantile2(double q, double d) {
    return d / 2.0 * (std::pow(1.0 - q, -2.0 / d) - 1.0);
}

Expected<PredictionEllipse> predictionEllipse95(const Eigen::Ref<const Signal2>& xy) {
    const Eigen::Index n = xy.rows();
    if (n < 3) {
        return fail(ErrorCode::kTooShort, "the 95 % prediction ellipse needs at least 3 samples");
    }
    if (!xy.allFinite())
        return fail(ErrorCode::kNonFinite, "the trace has a NaN sample");
    const auto nd = static_cast<double>(n);
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(sampleCovariance(xy));
    const Eigen::Vector2d lambda = es.eigenvalues();  // ascending
    if (!(lambda(0) > 0.0)) {
        return fail(ErrorCode::kZeroVariance,
                    "the 95 % prediction ellipse is degenerate: the COP moves along a line or not "
                    "at all");
    }
    const double k = fQuantile2(0.95, nd - 2.0) * (nd - 1.0) * 2.0 * (nd + 1.0) / (nd * (nd - 2.0));
    PredictionEllipse e;
    e.semi_major_m = std::sqrt(lambda(1) * k);
    e.semi_minor_m = std::sqrt(lambda(0) * k);
    e.area_m2 = kPi * e.semi_major_m * e.semi_minor_m;
    const Eigen::Vector2d v = es.eigenvectors().col(1);
    double angle = std::atan2(v(1), v(0)) * 180.0 / kPi;
    if (angle <= -90.0)
        angle += 180.0;
    if (angle > 90.0)
        angle -= 180.0;
    e.major_axis_angle_deg = angle;
    return e;
}

void appendBdsMetrics(const UniformTrace& trace, MetricTable& out) {
    // Santos & Duarte 2016 (PeerJ 4:e2648), per-trial values exactly as the authors published
    // them: raw COP (no filtering beyond the pipeline), sample covariance, n / fs as duration.
    using namespace units;
    if (auto ok = checkTrace(trace, 8, "the Santos & Duarte 2016 metrics"); !ok) {
        addErrors(out,
                  {{"bds_cop_area", kArea},
                   {"bds_cop_velocity", kVelocity},
                   {"bds_cop_mean_frequency", kFrequency}},
                  ok.error());
        return;
    }
    const Signal2& p = trace.xy_m;
    const auto n = static_cast<double>(p.rows());
    // COParea: 95 % prediction ellipse, area = pi k sqrt(det S), k = F.95(2,n-2)
    // 2(n-1)(n+1)/(n(n-2)).
    const double det = sampleCovariance(p).determinant();
    const double k = fQuantile2(0.95, n - 2.0) * 2.0 * (n - 1.0) * (n + 1.0) / (n * (n - 2.0));
    if (det > 0.0) {
        out.add("bds_cop_area", kArea, kPi * k * std::sqrt(det));
    } else {
        out.addError(
            "bds_cop_area", kArea,
            fail(ErrorCode::kZeroVariance, "bds_cop_area: the COP covariance is singular"));
    }
    // COPvelo: path length / (n / fs).
    out.add("bds_cop_velocity", kVelocity, pathLength(p) / (n / trace.fs_hz));
    // COPmfreq: per axis Welch (periodic Hann, nperseg = n/2, noverlap = n/4, nfft = n/2,
    // constant detrend, one-sided density), mpf = trapz(f P) / trapz(P); axes combined by power.
    WelchOptions wo;
    wo.nperseg = p.rows() / 2;
    wo.noverlap = p.rows() / 4;
    wo.nfft = wo.nperseg;
    wo.detrend = Detrend::kConstant;
    double num = 0.0, den = 0.0;
    for (int a = 0; a < 2; ++a) {
        auto psd = welch(p.col(a), trace.fs_hz, wo);
        if (!psd) {
            out.addError("bds_cop_mean_frequency", kFrequency, psd.error());
            return;
        }
        const double tp = trapz(psd->density, psd->f_hz);
        const double sum_p = psd->density.sum();
        if (!(tp > 0.0)) {
            out.addError("bds_cop_mean_frequency", kFrequency,
                         fail(ErrorCode::kZeroVariance, "bds_cop_mean_frequency: no power"));
            return;
        }
        const double mpf = trapz(psd->f_hz.cwiseProduct(psd->density), psd->f_hz) / tp;
        num += mpf * sum_p;
        den += sum_p;
    }
    out.add("bds_cop_mean_frequency", kFrequency, num / den);
}

void appendPrietoMetrics(const UniformTrace& trace, MetricTable& out) {
    // Prieto TE, Myklebust JB, Hoffmann RG, Lovett EG, Myklebust BM (1996) IEEE TBME
    // 43(9):956-966. Time-domain distance, area and hybrid measures on the centred COP.
    using namespace units;
    if (auto ok = checkTrace(trace, 3, "the Prieto 1996 metrics"); !ok) {
        addErrors(out,
                  {{"prieto_area_ce", kArea},
                   {"prieto_area_cc", kArea},
                   {"prieto_fd_pd", kDimensionless},
                   {"prieto_fd_cc", kDimensionless},
                   {"prieto_fd_ce", kDimensionless},
                   {"prieto_mean_velocity", kVelocity}},
                  ok.error());
        return;
    }
    const Signal2 c = trace.xy_m.rowwise() - trace.xy_m.colwise().mean();
    const Eigen::Index n = c.rows();
    const auto nd = static_cast<double>(n);
    const Eigen::ArrayXd rd = c.rowwise().norm().array();
    const double mdist = rd.mean();
    const double rdist = std::sqrt(rd.square().mean());
    const double s_rd = std::sqrt(std::max(0.0, rdist * rdist - mdist * mdist));
    // AREA-CE: 95 % confidence ellipse, 2 pi F.05[2,n-2] sqrt(s_AP^2 s_ML^2 - s_APML^2), moments
    // with 1/N; Prieto use F = 3.00 for large samples (n > 120), the exact quantile otherwise.
    const double s_ml2 = c.col(0).squaredNorm() / nd, s_ap2 = c.col(1).squaredNorm() / nd;
    const double s_mlap = c.col(0).dot(c.col(1)) / nd;
    const double f = n > 120 ? 3.00 : fQuantile2(0.95, nd - 2.0);
    const double det = s_ml2 * s_ap2 - s_mlap * s_mlap;
    const double area_ce = 2.0 * kPi * f * std::sqrt(std::max(0.0, det));
    // AREA-CC: 95 % confidence circle, radius MDIST + z.05 s_RD with z.05 = 1.645.
    const double radius_cc = mdist + 1.645 * s_rd;
    const double totex = pathLength(c);
    const bool moves = det > 0.0 && totex > 0.0;
    const Error still = fail(ErrorCode::kZeroVariance, "the COP does not move in the plane");
    if (det > 0.0) {
        out.add("prieto_area_ce", kArea, area_ce);
    } else {
        out.addError("prieto_area_ce", kArea, still);
    }
    out.add("prieto_area_cc", kArea, kPi * radius_cc * radius_cc);
    // Fractal dimension FD = log N / log(N d / TOTEX) with d the diameter of the path (PD), of the
    // confidence circle (CC: 2 (MDIST + 1.645 s_RD)) or of the ellipse (CE: sqrt(2a * 2b)).
    const auto fd = [&](double d) { return std::log(nd) / std::log(nd * d / totex); };
    if (moves) {
        out.add("prieto_fd_pd", kDimensionless, fd(planarRange(c)));
        out.add("prieto_fd_cc", kDimensionless, fd(2.0 * radius_cc));
        out.add("prieto_fd_ce", kDimensionless, fd(std::sqrt(4.0 * area_ce / kPi)));
    } else {
        addErrors(out,
                  {{"prieto_fd_pd", kDimensionless},
                   {"prieto_fd_cc", kDimensionless},
                   {"prieto_fd_ce", kDimensionless}},
                  still);
    }
    // MVELO = TOTEX / T with T the trial duration taken as N / fs.
    out.add("prieto_mean_velocity", kVelocity, totex / (nd / trace.fs_hz));
}

void appendAreaMetrics(const UniformTrace& trace, MetricTable& out) {
    using namespace units;
    const std::initializer_list<std::pair<const char*, MetricUnit>> names{
        {"prediction_ellipse_area_95", kArea},
        {"prediction_ellipse_semi_major", kLength},
        {"prediction_ellipse_semi_minor", kLength},
        {"prediction_ellipse_angle", kAngle},
        {"chi2_ellipse_area_95", kArea},
        {"convex_hull_area", kArea}};
    if (auto ok = checkTrace(trace, 3, "the area metrics"); !ok) {
        addErrors(out, names, ok.error());
        return;
    }
    auto e = predictionEllipse95(trace.xy_m);
    if (e) {
        out.add("prediction_ellipse_area_95", kArea, e->area_m2);
        out.add("prediction_ellipse_semi_major", kLength, e->semi_major_m);
        out.add("prediction_ellipse_semi_minor", kLength, e->semi_minor_m);
        out.add("prediction_ellipse_angle", kAngle, e->major_axis_angle_deg);
        // Chi-square ellipse: pi chi2_.95,2 sqrt(det S), S with divisor N-1 (a large-sample
        // approximation of the prediction ellipse; vaila, CRAN stabilo).
        out.add("chi2_ellipse_area_95", kArea,
                kPi * kChi2_95_2 * std::sqrt(sampleCovariance(trace.xy_m).determinant()));
    } else {
        addErrors(out,
                  {{"prediction_ellipse_area_95", kArea},
                   {"prediction_ellipse_semi_major", kLength},
                   {"prediction_ellipse_semi_minor", kLength},
                   {"prediction_ellipse_angle", kAngle},
                   {"chi2_ellipse_area_95", kArea}},
                  e.error());
    }
    out.add("convex_hull_area", kArea, polygonArea(convexHull(trace.xy_m)));
}

void appendCollinsDeLucaMetrics(const UniformTrace& trace, MetricTable& out) {
    // Collins JJ, De Luca CJ (1993) Exp Brain Res 95:308-318. Linear fits of the MSD against the
    // time interval, <dx^2> = 2 D dt per axis and <dr^2> = <dx^2> + <dy^2> = 2 D_r dt in the
    // plane. Regions (stated here, as the paper fixes them per subject by eye): short-term
    // 0 < dt <= 1 s, long-term 2.5 s <= dt <= 10 s (capped at a third of the trial).
    using namespace units;
    constexpr double kShortEnd = 1.0, kLongStart = 2.5, kLongEnd = 10.0;
    const std::initializer_list<std::pair<const char*, MetricUnit>> names{
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
    const Eigen::Index max_lag =
        std::min<Eigen::Index>(n / 3, static_cast<Eigen::Index>(std::floor(kLongEnd * fs)));
    const auto i_short = static_cast<Eigen::Index>(std::floor(kShortEnd * fs));
    const auto i_long = static_cast<Eigen::Index>(std::ceil(kLongStart * fs));
    if (max_lag < i_long + static_cast<Eigen::Index>(fs) || i_short < 2) {
        addErrors(
            out, names,
            fail(ErrorCode::kTooShort,
                 "Collins & De Luca diffusion needs MSD lags up to at least 3.5 s (a trial of "
                 "10.5 s or more) and a rate of at least 2 Hz"));
        return;
    }
    const Eigen::VectorXd mx = msdCurve(trace.xy_m.col(0), max_lag);
    const Eigen::VectorXd my = msdCurve(trace.xy_m.col(1), max_lag);
    const Eigen::VectorXd mr = mx + my;
    Eigen::VectorXd dt(max_lag + 1);
    for (Eigen::Index k = 0; k <= max_lag; ++k)
        dt(k) = static_cast<double>(k) / fs;
    const Eigen::VectorXd* curves[3] = {&mx, &my, &mr};
    const char* suffix[3] = {"ML", "AP", "planar"};
    Line s_line[3], l_line[3];
    for (int c = 0; c < 3; ++c) {
        s_line[c] = fitLine(dt, *curves[c], 1, i_short);
        l_line[c] = fitLine(dt, *curves[c], i_long, max_lag);
    }
    for (int c = 0; c < 3; ++c) {
        out.add(std::string("cdl_diffusion_short_") + suffix[c], kAreaRate, s_line[c].slope / 2.0);
    }
    for (int c = 0; c < 3; ++c) {
        out.add(std::string("cdl_diffusion_long_") + suffix[c], kAreaRate, l_line[c].slope / 2.0);
    }
    const double slope_gap = s_line[2].slope - l_line[2].slope;
    if (slope_gap > 0.0) {
        out.add("cdl_critical_time_planar", kTime,
                (l_line[2].intercept - s_line[2].intercept) / slope_gap);
    } else {
        out.addError("cdl_critical_time_planar", kTime,
                     fail(ErrorCode::kUndefined,
                          "the long-term diffusion is not slower than the short-term one: no "
                          "critical point"));
    }
}

Expected<double> sampleEntropy(const Eigen::Ref<const Eigen::VectorXd>& x, int m, double r) {
    const Eigen::Index n = x.size();
    if (m < 1)
        return fail(ErrorCode::kInvalidArgument, "sample entropy: m must be >= 1");
    if (!x.allFinite())
        return fail(ErrorCode::kNonFinite, "sample entropy: NaN in the series");
    if (n < m + 10) {
        return fail(ErrorCode::kTooShort,
                    "sample entropy needs at least " + std::to_string(m + 10) + " samples");
    }
    if (!(r > 0.0)) {
        return fail(ErrorCode::kZeroVariance,
                    "sample entropy: the tolerance r is 0 (a constant series?)");
    }
    // Richman & Moorman 2000: templates start at 0 .. N-m-1 for both lengths; B counts pairs
    // (i < j) matching on m points, A on m + 1 points, Chebyshev distance <= r. Templates are
    // visited in order of their first value, so only pairs within r on that value are compared.
    const Eigen::Index count = n - m;
    std::vector<Eigen::Index> order(static_cast<std::size_t>(count));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::sort(order.begin(), order.end(),
              [&](Eigen::Index a, Eigen::Index b) { return x(a) < x(b); });
    long long b_matches = 0, a_matches = 0;
    for (std::size_t oi = 0; oi < order.size(); ++oi) {
        const Eigen::Index i = order[oi];
        const double xi = x(i);
        for (std::size_t oj = oi + 1; oj < order.size(); ++oj) {
            const Eigen::Index j = order[oj];
            if (x(j) - xi > r)
                break;
            int k = 1;
            while (k < m && std::abs(x(i + k) - x(j + k)) <= r)
                ++k;
            if (k < m)
                continue;
            ++b_matches;
            if (std::abs(x(i + m) - x(j + m)) <= r)
                ++a_matches;
        }
    }
    if (b_matches == 0 || a_matches == 0) {
        return fail(ErrorCode::kUndefined,
                    "sample entropy is undefined: no template matches (series too short or r too "
                    "small)");
    }
    return -std::log(static_cast<double>(a_matches) / static_cast<double>(b_matches));
}

Expected<double> dfaAlpha(const Eigen::Ref<const Eigen::VectorXd>& x) {
    // Peng CK et al. (1994) Phys Rev E 49:1685. Profile y = cumsum(x - mean); box sizes
    // log-spaced from 4 to N/4 (up to 24 distinct sizes); non-overlapping boxes from the start;
    // least-squares line removed in each box; F(n) = RMS of the residuals; alpha = OLS slope of
    // log F(n) against log n.
    const Eigen::Index n = x.size();
    if (!x.allFinite())
        return fail(ErrorCode::kNonFinite, "DFA: NaN in the series");
    if (n < 64)
        return fail(ErrorCode::kTooShort, "DFA needs at least 64 samples");
    const double mean = x.mean();
    Eigen::VectorXd profile(n);
    double acc = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        acc += x(i) - mean;
        profile(i) = acc;
    }
    std::vector<Eigen::Index> sizes;
    const double lo = std::log(4.0), hi = std::log(static_cast<double>(n) / 4.0);
    constexpr int kSizes = 24;
    for (int s = 0; s < kSizes; ++s) {
        const auto box =
            static_cast<Eigen::Index>(std::lround(std::exp(lo + (hi - lo) * s / (kSizes - 1))));
        if (sizes.empty() || box != sizes.back())
            sizes.push_back(box);
    }
    Eigen::VectorXd log_n(static_cast<Eigen::Index>(sizes.size()));
    Eigen::VectorXd log_f(static_cast<Eigen::Index>(sizes.size()));
    for (std::size_t si = 0; si < sizes.size(); ++si) {
        const Eigen::Index box = sizes[si];
        const Eigen::Index boxes = n / box;
        // Residual sum of squares of a line fit on t = 0..box-1, from the box's sums.
        const double bt = static_cast<double>(box);
        const double st = bt * (bt - 1.0) / 2.0, stt = (bt - 1.0) * bt * (2.0 * bt - 1.0) / 6.0;
        const double cxx = stt - st * st / bt;
        double ssr = 0.0;
        for (Eigen::Index b = 0; b < boxes; ++b) {
            double sy = 0.0, sty = 0.0, syy = 0.0;
            for (Eigen::Index t = 0; t < box; ++t) {
                const double v = profile(b * box + t);
                sy += v;
                sty += static_cast<double>(t) * v;
                syy += v * v;
            }
            const double cxy = sty - st * sy / bt, cyy = syy - sy * sy / bt;
            ssr += std::max(0.0, cyy - cxy * cxy / cxx);
        }
        const double f = std::sqrt(ssr / static_cast<double>(boxes * box));
        if (!(f > 0.0)) {
            return fail(ErrorCode::kZeroVariance,
                        "DFA: the fluctuation is 0 (a constant or linear series)");
        }
        log_n(static_cast<Eigen::Index>(si)) = std::log(bt);
        log_f(static_cast<Eigen::Index>(si)) = std::log(f);
    }
    return fitLine(log_n, log_f, 0, log_n.size() - 1).slope;
}

void appendComplexityMetrics(const UniformTrace& trace, MetricTable& out) {
    // On the COP position of each axis (not its increments): SampEn(m = 2, r = 0.2 SD, SD with
    // divisor N) and the DFA exponent.
    using namespace units;
    const char* axis[2] = {"ML", "AP"};
    for (int a = 0; a < 2; ++a) {
        const Eigen::VectorXd v = trace.xy_m.col(a);
        const double sd = v.size() > 0 ? std::sqrt((v.array() - v.mean()).square().mean()) : 0.0;
        out.add(std::string("sample_entropy_") + axis[a], kDimensionless,
                sampleEntropy(v, 2, 0.2 * sd));
    }
    for (int a = 0; a < 2; ++a) {
        out.add(std::string("dfa_alpha_") + axis[a], kDimensionless, dfaAlpha(trace.xy_m.col(a)));
    }
}

}  // namespace stance::analysis
