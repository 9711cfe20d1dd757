#pragma once
/// \file
/// Centre of pressure from force-plate channels or load cells.
///
/// Output frame: the plate frame of DESIGN.md (x ML, subject's right +; y AP, anterior +;
/// z up; origin at the centre of the top surface), metres.

#include <Eigen/Core>
#include <array>
#include <vector>

#include "stance/analysis/trace.hpp"

namespace stance::analysis {

/// N x 3 forces (N) and moments (N m), as the device reports them in its own axes.
using Signal3 = Eigen::Matrix<double, Eigen::Dynamic, 3>;

/// How a 6-channel plate's axes map onto the plate frame, and where its origin is.
///
/// Device axis i (0 = its x, 1 = its y, 2 = its z) becomes plate-frame axis axis_map[i] with
/// sign axis_sign[i]. The device's measurement origin lies `origin_below_surface_m` below the
/// top surface (AMTI and Kistler calibration sheets give it as dz, often ~0.04 m), and is offset
/// in the plate plane by `origin_offset_m` (plate frame) from the surface centre.
struct ForcePlateGeometry {
    std::array<int, 3> axis_map{0, 1, 2};
    std::array<double, 3> axis_sign{1.0, 1.0, 1.0};
    double origin_below_surface_m = 0.0;
    Eigen::Vector2d origin_offset_m = Eigen::Vector2d::Zero();
    /// Below this vertical force (N) a sample has no COP (subject off the plate).
    double min_vertical_force_n = 20.0;
};

/// COP with a validity mask.
struct CopResult {
    Signal2 xy_m;                ///< NaN rows where !valid[i]
    std::vector<bool> valid;     ///< false where |Fz| < threshold or a channel is not finite
    Eigen::Index n_invalid = 0;  ///< samples without a COP; the caller must look at this
};

/// COP from forces and moments about the device origin (after mapping to the plate frame).
/// F is the ground reaction force acting on the subject (upward, Fz > 0 while standing) and M its
/// moment about the device origin O, which lies h = origin_below_surface_m below the surface.
/// For a force applied at P = (x, y, 0), M = (P - O) x F gives
///   x = (h Fx - My) / Fz,  y = (h Fy + Mx) / Fz,
/// then shifted by origin_offset_m. (A device that reports the action of the subject on the plate
/// flips F and M together, which leaves x and y unchanged; map z with sign -1 if its Fz is
/// negative under load.) Samples with Fz below the threshold or non-finite channels are invalid,
/// never divided by.
/// Reference: Winter, "Biomechanics and Motor Control of Human Movement" (4th ed., 2009), 4.2;
/// AMTI/Kistler force-plate formulae.
CopResult copFromForcePlate(const Eigen::Ref<const Signal3>& force_n,
                            const Eigen::Ref<const Signal3>& moment_nm,
                            const ForcePlateGeometry& geometry);

/// Positions (plate frame, m) of 4 vertical load cells: the board's COP is the force-weighted
/// mean of these positions.
struct LoadCellGeometry {
    std::array<Eigen::Vector2d, 4> position_m;
    double min_vertical_force_n = 20.0;

    /// Nintendo Wii Balance Board: sensors at (+-0.2165, +-0.1190) m from the centre
    /// (433 mm x 238 mm between sensor centres; Clark et al. 2010, Gait Posture 31:307;
    /// Bartlett et al. 2014). Order: top-right, bottom-right, top-left, bottom-left as the board
    /// reports them (top = anterior side when the subject faces the board's front).
    static LoadCellGeometry wiiBalanceBoard();
};

/// COP from the 4 vertical forces (N x 4, N, in LoadCellGeometry order).
CopResult copFromLoadCells(
    const Eigen::Ref<const Eigen::Matrix<double, Eigen::Dynamic, 4>>& cells_n,
    const LoadCellGeometry& geometry);

}  // namespace stance::analysis
