// COP from 6-channel plates and 4 load cells: real files, a point load in closed form, axis
// mapping, loss of load.

#include <Eigen/Geometry>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "fixtures.hpp"
#include "stance/analysis/cop.hpp"

using namespace stance::analysis;
using stance::test::publicData;

TEST_CASE("COP from forces and moments reproduces the BDS files' own COP", "[analysis][cop]") {
    for (const std::string trial : {"BDS00001", "BDS00046"}) {
        const auto rows = stance::test::readNumericTable(
            publicData("bds_santos_duarte_2016/data/" + trial + ".txt"));
        const auto n = static_cast<Eigen::Index>(rows.size());
        Signal3 f(n, 3), m(n, 3);
        for (Eigen::Index i = 0; i < n; ++i) {
            const auto& r = rows[static_cast<std::size_t>(i)];
            f.row(i) << r[1], r[2], r[3];
            m.row(i) << r[4], r[5], r[6];
        }
        const CopResult cop = copFromForcePlate(f, m, ForcePlateGeometry{});
        CHECK(cop.n_invalid == 0);
        double worst_cm = 0.0;
        for (Eigen::Index i = 0; i < n; ++i) {
            const auto& r = rows[static_cast<std::size_t>(i)];
            worst_cm = std::max(worst_cm, std::abs(cop.xy_m(i, 0) * 100.0 - r[7]));  // COPx
            worst_cm = std::max(worst_cm, std::abs(cop.xy_m(i, 1) * 100.0 - r[8]));  // COPy
        }
        INFO(trial << " worst " << worst_cm << " cm");
        CHECK(worst_cm < 1e-5);  // the file's COP has 6 decimals in cm
    }
}

TEST_CASE("COP from the OptiTrack Motive export marks the dropout frames invalid",
          "[analysis][cop]") {
    std::ifstream in(
        publicData("motive_forceplate_export_sample/sujet1droite_motive_forceplate.csv"));
    REQUIRE(in);
    std::string line;
    int line_no = 0;
    std::vector<std::array<double, 12>> rows;
    while (std::getline(in, line)) {
        ++line_no;
        if (line_no <= 35 || line.empty())
            continue;  // metadata, blank lines, column header
        std::array<double, 12> r{};
        std::stringstream ss(line);
        std::string cell;
        for (auto& v : r) {
            std::getline(ss, cell, ',');
            v = std::stod(cell);
        }
        rows.push_back(r);
    }
    REQUIRE(rows.size() > 15000);
    const auto n = static_cast<Eigen::Index>(rows.size());
    Signal3 f(n, 3), m(n, 3);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto& r = rows[static_cast<std::size_t>(i)];
        f.row(i) << r[3], r[4], r[5];
        m.row(i) << r[6], r[7], r[8];
    }
    const CopResult cop = copFromForcePlate(f, m, ForcePlateGeometry{});
    CHECK(cop.n_invalid == 7);  // the frames with every channel exactly 0
    double worst = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        if (!cop.valid[static_cast<std::size_t>(i)]) {
            CHECK(rows[static_cast<std::size_t>(i)][5] == 0.0);
            CHECK(std::isnan(cop.xy_m(i, 0)));
            continue;
        }
        const auto& r = rows[static_cast<std::size_t>(i)];
        worst =
            std::max({worst, std::abs(cop.xy_m(i, 0) - r[9]), std::abs(cop.xy_m(i, 1) - r[10])});
    }
    CHECK(worst < 1e-6);
}

TEST_CASE("a point load below the plate origin gives the exact COP", "[analysis][cop]") {
    // Force F applied at (px, py, 0) on the surface, plate origin h below it. Moments about the
    // origin (0, 0, -h): M = r x F with r = (px, py, h).
    const double px = 0.031, py = -0.072, h = 0.041;
    const Eigen::Vector3d force(12.0, -7.5, 700.0);
    const Eigen::Vector3d r(px, py, h);
    const Eigen::Vector3d moment = r.cross(force);
    Signal3 f(1, 3), m(1, 3);
    f.row(0) = force.transpose();
    m.row(0) = moment.transpose();
    ForcePlateGeometry g;
    g.origin_below_surface_m = h;
    g.origin_offset_m = Eigen::Vector2d(0.005, -0.002);
    const CopResult cop = copFromForcePlate(f, m, g);
    REQUIRE(cop.valid[0]);
    CHECK(cop.xy_m(0, 0) == Approx(px + 0.005).epsilon(1e-12));
    CHECK(cop.xy_m(0, 1) == Approx(py - 0.002).epsilon(1e-12));

    // The same plate mounted rotated: device x = plate y, device y = -plate x, device z = -up.
    ForcePlateGeometry rot;
    rot.origin_below_surface_m = h;
    rot.axis_map = {1, 0, 2};
    rot.axis_sign = {1.0, -1.0, -1.0};
    Signal3 fd(1, 3), md(1, 3);
    fd.row(0) << force.y(), -force.x(), -force.z();
    md.row(0) << moment.y(), -moment.x(), -moment.z();
    const CopResult c2 = copFromForcePlate(fd, md, rot);
    REQUIRE(c2.valid[0]);
    CHECK(c2.xy_m(0, 0) == Approx(px).epsilon(1e-12));
    CHECK(c2.xy_m(0, 1) == Approx(py).epsilon(1e-12));
}

TEST_CASE("stepping off the plate leaves samples without a COP, counted", "[analysis][cop]") {
    Signal3 f(4, 3), m(4, 3);
    f << 0, 0, 650, 0, 0, 5, 0, 0, 0, 0, 0, std::nan("");
    m << 10, -5, 0, 1e-3, 1e-3, 0, 0, 0, 0, 0, 0, 0;
    const CopResult cop = copFromForcePlate(f, m, ForcePlateGeometry{});
    CHECK(cop.n_invalid == 3);
    CHECK(cop.valid[0]);
    CHECK_FALSE(cop.valid[1]);
    CHECK(std::isnan(cop.xy_m(1, 0)));
    CHECK(cop.xy_m(0, 0) == Approx(5.0 / 650.0));
}

TEST_CASE("Wii Balance Board geometry: centre, corners, linearity", "[analysis][cop]") {
    const auto g = LoadCellGeometry::wiiBalanceBoard();
    Eigen::Matrix<double, Eigen::Dynamic, 4> cells(4, 4);
    cells << 150, 150, 150, 150,  // equal loads: centre
        600, 0, 0, 0,             // all on the top-right cell
        0, 0, 0, 600,             // all on the bottom-left cell
        100, 300, 50, 150;        // a mixture
    const CopResult cop = copFromLoadCells(cells, g);
    CHECK(cop.n_invalid == 0);
    CHECK(cop.xy_m.row(0).norm() < 1e-15);
    CHECK(cop.xy_m(1, 0) == Approx(0.2165));
    CHECK(cop.xy_m(1, 1) == Approx(0.119));
    CHECK(cop.xy_m(2, 0) == Approx(-0.2165));
    CHECK(cop.xy_m(2, 1) == Approx(-0.119));
    CHECK(cop.xy_m(3, 0) == Approx(0.2165 * (400.0 - 200.0) / 600.0));
    CHECK(cop.xy_m(3, 1) == Approx(0.119 * (150.0 - 450.0) / 600.0));
    Eigen::Matrix<double, Eigen::Dynamic, 4> light(1, 4);
    light << 2, 2, 2, 2;  // 8 N: nobody on the board
    CHECK(copFromLoadCells(light, g).n_invalid == 1);
}
