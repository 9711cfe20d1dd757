#include "stance/analysis/cop.hpp"

#include <cmath>
#include <limits>

namespace stance::analysis {

namespace {

Eigen::Vector3d toPlate(const Eigen::Vector3d& device, const ForcePlateGeometry& g) {
    Eigen::Vector3d p = Eigen::Vector3d::Zero();
    for (int i = 0; i < 3; ++i) {
        p(g.axis_map[static_cast<std::size_t>(i)]) =
            g.axis_sign[static_cast<std::size_t>(i)] * device(i);
    }
    return p;
}

}  // namespace

CopResult copFromForcePlate(const Eigen::Ref<const Signal3>& force_n,
                            const Eigen::Ref<const Signal3>& moment_nm,
                            const ForcePlateGeometry& geometry) {
    const Eigen::Index n = force_n.rows();
    CopResult out;
    out.xy_m.resize(n, 2);
    out.valid.assign(static_cast<std::size_t>(n), false);
    const double h = geometry.origin_below_surface_m;
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Vector3d f = toPlate(force_n.row(i).transpose(), geometry);
        const Eigen::Vector3d m = toPlate(moment_nm.row(i).transpose(), geometry);
        // No COP without load: the threshold keeps the division far from zero.
        if (!f.allFinite() || !m.allFinite() || !(f.z() >= geometry.min_vertical_force_n)) {
            out.xy_m.row(i).setConstant(std::numeric_limits<double>::quiet_NaN());
            ++out.n_invalid;
            continue;
        }
        out.xy_m(i, 0) = (h * f.x() - m.y()) / f.z() + geometry.origin_offset_m.x();
        out.xy_m(i, 1) = (h * f.y() + m.x()) / f.z() + geometry.origin_offset_m.y();
        out.valid[static_cast<std::size_t>(i)] = true;
    }
    return out;
}

LoadCellGeometry LoadCellGeometry::wiiBalanceBoard() {
    // 433 mm (left-right) x 238 mm (front-back) between sensor centres: Bartlett HL, Ting LH,
    // Bingham JT (2014) Gait Posture 39:224-228; Clark RA et al. (2010) Gait Posture 31:307-310.
    LoadCellGeometry g;
    const double hx = 0.433 / 2.0, hy = 0.238 / 2.0;
    g.position_m = {Eigen::Vector2d(hx, hy), Eigen::Vector2d(hx, -hy), Eigen::Vector2d(-hx, hy),
                    Eigen::Vector2d(-hx, -hy)};
    return g;
}

CopResult copFromLoadCells(
    const Eigen::Ref<const Eigen::Matrix<double, Eigen::Dynamic, 4>>& cells_n,
    const LoadCellGeometry& geometry) {
    const Eigen::Index n = cells_n.rows();
    CopResult out;
    out.xy_m.resize(n, 2);
    out.valid.assign(static_cast<std::size_t>(n), false);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double total = cells_n.row(i).sum();
        if (!cells_n.row(i).allFinite() || !(total >= geometry.min_vertical_force_n)) {
            out.xy_m.row(i).setConstant(std::numeric_limits<double>::quiet_NaN());
            ++out.n_invalid;
            continue;
        }
        Eigen::Vector2d c = Eigen::Vector2d::Zero();
        for (int k = 0; k < 4; ++k)
            c += cells_n(i, k) * geometry.position_m[static_cast<std::size_t>(k)];
        out.xy_m.row(i) = (c / total).transpose();
        out.valid[static_cast<std::size_t>(i)] = true;
    }
    return out;
}

}  // namespace stance::analysis
