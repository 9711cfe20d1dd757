#pragma once
/// \file
/// Sway metrics beyond the Quijoux feature set: the Santos & Duarte 2016 definitions, Prieto
/// et al. 1996 variants, the ellipse family, the convex hull, Collins & De Luca diffusion
/// coefficients, sample entropy and DFA. Each function documents its source and exact variant;
/// docs/metrics.md lists them all with their units.

#include <Eigen/Core>

#include "stance/analysis/expected.hpp"
#include "stance/analysis/metric_table.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis {

/// F distribution quantile F_q(2, d) in closed form: d/2 * ((1-q)^(-2/d) - 1).
double fQuantile2(double q, double d);

/// 95 % prediction ellipse (Duarte, BMC `hyperellipsoid`; Schubert & Kirchner 2014): sample
/// covariance S with divisor N-1, semi-axes sqrt(lambda_i * F_0.95(2, N-2) * 2(N-1)(N+1)/(N(N-2))).
struct PredictionEllipse {
    double area_m2 = 0.0;
    double semi_major_m = 0.0;
    double semi_minor_m = 0.0;
    /// Orientation of the major axis from +x (ML) towards +y (AP), degrees in (-90, 90].
    double major_axis_angle_deg = 0.0;
};
Expected<PredictionEllipse> predictionEllipse95(const Eigen::Ref<const Signal2>& xy);

/// Santos & Duarte 2016 (PeerJ 4:e2648) per-trial values as the authors computed them
/// (definitions in datasets/norms/README.md and docs/metrics-extra.md): `bds_cop_area`
/// (95 % prediction ellipse, m^2), `bds_cop_velocity` (path length / (N / fs), m/s),
/// `bds_cop_mean_frequency` (power-weighted Welch mean power frequency, Hz).
void appendBdsMetrics(const UniformTrace& trace, MetricTable& out);

/// Prieto et al. 1996 (IEEE TBME 43(9):956-966) variants not already in the Quijoux set:
/// `prieto_area_ce` (F = 3.00 when N > 120, exact F otherwise), `prieto_area_cc`,
/// `prieto_fd_pd`, `prieto_fd_cc`, `prieto_fd_ce`, plus `prieto_mean_velocity` (TOTEX / T).
void appendPrietoMetrics(const UniformTrace& trace, MetricTable& out);

/// The ellipse family and hull: `prediction_ellipse_area_95`, `prediction_ellipse_semi_major`,
/// `prediction_ellipse_semi_minor`, `prediction_ellipse_angle`, `chi2_ellipse_area_95`
/// (pi * chi2_0.95,2 * sqrt(det S), S with divisor N-1), `convex_hull_area`.
void appendAreaMetrics(const UniformTrace& trace, MetricTable& out);

/// Collins & De Luca 1993 (Exp Brain Res 95:308-318) diffusion coefficients from linear
/// fits of MSD = 2 D dt: `cdl_diffusion_short_{ML,AP,planar}`, `cdl_diffusion_long_{...}`,
/// `cdl_critical_time_planar`. Regions stated in the implementation.
void appendCollinsDeLucaMetrics(const UniformTrace& trace, MetricTable& out);

/// Sample entropy (Richman & Moorman 2000): m = 2, r = 0.2 * SD of the series, per axis.
/// O(N^2) worst case; benchmarked on its own.
Expected<double> sampleEntropy(const Eigen::Ref<const Eigen::VectorXd>& x, int m, double r);

/// Detrended fluctuation analysis exponent (Peng et al. 1994): integrated profile,
/// non-overlapping boxes, linear detrend per box, log-spaced box sizes from 4 to N/4.
Expected<double> dfaAlpha(const Eigen::Ref<const Eigen::VectorXd>& x);

/// `sample_entropy_{ML,AP}` and `dfa_alpha_{ML,AP}`.
void appendComplexityMetrics(const UniformTrace& trace, MetricTable& out);

}  // namespace stance::analysis
