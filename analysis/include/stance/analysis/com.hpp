#pragma once
/// \file
/// Centre of mass (COM) and sway angle from force-plate signals, with the body as an inverted
/// pendulum pivoting at the ankles.
///
/// Frame: the plate frame of DESIGN.md (x ML, subject's right +; y AP, anterior +), metres.
/// Column 0 of every Signal2 is ML, column 1 is AP. Angles are radians inside; a sway angle is
/// positive when the body leans to the right (ML) or forwards (AP).
/// Formulas, constants and where the sources disagree: docs/clinical.md, "Centre of mass".

#include <Eigen/Core>
#include <array>

#include "stance/analysis/expected.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::analysis {

/// Standard gravity (m/s^2), the value every module uses.
inline constexpr double kStandardGravity = 9.80665;

/// COM height as a fraction of standing height when it is not measured (after Winter's
/// anthropometry, "Biomechanics and Motor Control of Human Movement"). The ankle height is not
/// subtracted; see docs/clinical.md.
inline constexpr double kComHeightRatio = 0.5527;

/// Squared radius of gyration of the whole body about its COM as a fraction of height^2, in
/// the sagittal (AP) and frontal (ML) planes (Breniere Y, 1996, "Why we walk the way we do",
/// J Mot Behav 28(4):291-298; as used by Duarte's BMC `cogve`).
inline constexpr double kGyrationSqRatioAp = 0.0533;
inline constexpr double kGyrationSqRatioMl = 0.0572;

/// What the COM and sway-angle estimates need to know about the subject.
struct BodyParameters {
    double height_m = 0.0;      ///< standing height; 0 = unknown
    double mass_kg = 0.0;       ///< body mass; 0 = unknown (taken from the vertical force)
    double com_height_m = 0.0;  ///< measured COM height above the ankle axis; 0 = not measured
};

/// COM height used by every estimate: the measured one, else kComHeightRatio * height.
/// Errors (kInvalidArgument): neither known, or a value outside (0.3, 2.5) m for a height or
/// (0.2, 1.5) m for a COM height.
Expected<double> comHeight(const BodyParameters& body);

/// The inverted pendulum of one subject: pendulum length and natural frequencies
/// omega0^2 = m g L / I_ankle = g L / (rho^2 + L^2) per plane (parallel-axis theorem with the
/// Breniere radius of gyration rho; a measured COM height keeps rho from the standing height
/// when known, else rho^2 = ratio * (L / kComHeightRatio)^2).
struct PendulumModel {
    double com_height_m = 0.0;
    double omega0_ml_rad_s = 0.0;
    double omega0_ap_rad_s = 0.0;
};
Expected<PendulumModel> pendulumModel(const BodyParameters& body);

/// COM horizontal position from the COP alone, any plate (Caron O, Faure B, Breniere Y, 1997,
/// "Estimating the centre of gravity of the body on the basis of the centre of pressure in
/// standing posture", J Biomech 30(11-12):1169-1171). Each axis obeys the linearised pendulum
///   p = x - x'' / omega0^2,
/// i.e. x = p filtered by omega0^2 / (omega0^2 + omega^2), a zero-phase second-order low-pass.
/// Stance solves the discretised equation (x[n] - (x[n+1] - 2 x[n] + x[n-1]) / (omega0 dt)^2 =
/// p[n]) exactly with a tridiagonal (Thomas) solve instead of an FFT: no periodic wrap-around;
/// the ends are pinned to the COP (x = p where x'' is unknown), an error that decays as
/// exp(-omega0 t) (see comEdgeSamples). O(N).
/// `cop_m` is absolute or centred (the filter is linear). Errors: fewer than 3 samples,
/// non-finite samples, fs <= 0.
Expected<Signal2> comFromCopLowPass(const Eigen::Ref<const Signal2>& cop_m, double fs_hz,
                                    const PendulumModel& model);

/// Samples at each end of a comFromCopLowPass result that still carry the end-pinning transient:
/// 4 time constants 1 / omega0 (the slower plane), residual below 2 % of the end COP-COM gap.
/// COM-based measures (sway velocity, SOT peak-to-peak, LOS) skip them.
Eigen::Index comEdgeSamples(const PendulumModel& model, double fs_hz);

/// Result of the zero-point-to-zero-point integration.
struct ZeroPointResult {
    Signal2 com_m;                        ///< N x 2, plate frame
    std::array<int, 2> zero_points{};     ///< zero crossings of the horizontal force, per axis
    std::array<Eigen::Index, 2> first{};  ///< first sample at or after the first zero point
    std::array<Eigen::Index, 2> last{};   ///< last sample at or before the last zero point
};

/// Gravity-line projection by double integration of the horizontal force between its zero
/// crossings (Zatsiorsky VM, King DL, 1998, "An algorithm for determining gravity line
/// location from posturographic recordings", J Biomech 31(2):161-164). Where the horizontal
/// force is zero the COM acceleration is zero and the COM lies over the COP; between two such
/// zero points the COM is x(t) = x_i + v_i (t - t_i) + double integral of F/m, with v_i chosen so
/// that x reaches the COP at the next zero point. Zero points are located by linear interpolation
/// between samples; the force is integrated exactly as piecewise linear. Samples before the first
/// / after the last zero point are extrapolated with the neighbouring segment's velocity
/// (`first`/`last` mark the covered range). `force_n` is the horizontal ground reaction force on
/// the subject (col 0 Fx ML, col 1 Fy AP); its mean is removed first when `remove_force_mean`
/// (a plate offset; over a quiet-stance trial the mean COM acceleration is ~0).
/// Errors: fewer than 2 zero points on an axis, mass <= 0, sizes differ, non-finite samples.
Expected<ZeroPointResult> comFromZeroPointIntegration(const Eigen::Ref<const Signal2>& cop_m,
                                                      const Eigen::Ref<const Signal2>& force_n,
                                                      double fs_hz, double mass_kg,
                                                      bool remove_force_mean = true);

/// Sway angles (rad) of the pendulum: theta = asin((x_com - pivot) / L) per axis, col 0 ML
/// (right +), col 1 AP (forward +). `pivot_m` is the ankle axis position in the plate frame (the
/// centre of the base of support); use the mean COM when it is not known (angles about the mean
/// lean). Errors: |x_com - pivot| > L (not a pendulum any more), L <= 0.
Expected<Signal2> swayAngleFromCom(const Eigen::Ref<const Signal2>& com_m, double com_height_m,
                                   const Eigen::Vector2d& pivot_m);

}  // namespace stance::analysis
