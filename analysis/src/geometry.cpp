#include "stance/analysis/geometry.hpp"

#include <algorithm>
#include <cmath>

namespace stance::analysis {

namespace {

double cross(const Eigen::Vector2d& o, const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
}

}  // namespace

std::vector<Eigen::Vector2d> convexHull(const Eigen::Ref<const Signal2>& xy) {
    const Eigen::Index n = xy.rows();
    std::vector<Eigen::Vector2d> pts;
    if (n == 0)
        return pts;
    // Akl-Toussaint: the extreme points in x, y, x+y and x-y span an octagon; points strictly
    // inside it cannot be on the hull. For a COP path this discards most samples in O(N).
    Eigen::Index ext[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (Eigen::Index i = 1; i < n; ++i) {
        const double x = xy(i, 0), y = xy(i, 1);
        if (x < xy(ext[0], 0))
            ext[0] = i;
        if (x + y < xy(ext[1], 0) + xy(ext[1], 1))
            ext[1] = i;
        if (y < xy(ext[2], 1))
            ext[2] = i;
        if (x - y > xy(ext[3], 0) - xy(ext[3], 1))
            ext[3] = i;
        if (x > xy(ext[4], 0))
            ext[4] = i;
        if (x + y > xy(ext[5], 0) + xy(ext[5], 1))
            ext[5] = i;
        if (y > xy(ext[6], 1))
            ext[6] = i;
        if (x - y < xy(ext[7], 0) - xy(ext[7], 1))
            ext[7] = i;
    }
    // The octagon's vertices in counter-clockwise order (left, lower-left, bottom, ...).
    std::vector<Eigen::Vector2d> oct;
    for (Eigen::Index e : ext) {
        const Eigen::Vector2d p = xy.row(e).transpose();
        if (oct.empty() || (oct.back() - p).squaredNorm() > 0.0)
            oct.push_back(p);
    }
    while (oct.size() > 1 && (oct.front() - oct.back()).squaredNorm() == 0.0)
        oct.pop_back();
    const bool filter = oct.size() >= 3;
    pts.reserve(static_cast<std::size_t>(std::min<Eigen::Index>(n, 1024)));
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Vector2d p = xy.row(i).transpose();
        bool inside = filter;
        for (std::size_t k = 0; inside && k < oct.size(); ++k) {
            inside = cross(oct[k], oct[(k + 1) % oct.size()], p) > 0.0;
        }
        if (!inside)
            pts.push_back(p);
    }
    // Andrew's monotone chain on the survivors.
    std::sort(pts.begin(), pts.end(), [](const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
        return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
    });
    pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
    if (pts.size() < 3)
        return pts;
    std::vector<Eigen::Vector2d> hull(2 * pts.size());
    std::size_t k = 0;
    for (const auto& p : pts) {
        while (k >= 2 && cross(hull[k - 2], hull[k - 1], p) <= 0.0)
            --k;
        hull[k++] = p;
    }
    for (std::size_t i = pts.size() - 1, lower = k + 1; i-- > 0;) {
        const auto& p = pts[i];
        while (k >= lower && cross(hull[k - 2], hull[k - 1], p) <= 0.0)
            --k;
        hull[k++] = p;
    }
    hull.resize(k - 1);
    return hull;
}

double polygonArea(const std::vector<Eigen::Vector2d>& polygon) {
    if (polygon.size() < 3)
        return 0.0;
    double twice = 0.0;
    for (std::size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
        twice += polygon[j].x() * polygon[i].y() - polygon[i].x() * polygon[j].y();
    }
    return std::abs(twice) * 0.5;
}

double planarRange(const Eigen::Ref<const Signal2>& xy) {
    const auto hull = convexHull(xy);
    // The diameter of a point set is attained by two hull vertices; hulls of COP paths have a few
    // dozen vertices, so the exact pairwise scan over them is cheap.
    double best = 0.0;
    for (std::size_t i = 0; i < hull.size(); ++i) {
        for (std::size_t j = i + 1; j < hull.size(); ++j) {
            best = std::max(best, (hull[i] - hull[j]).squaredNorm());
        }
    }
    return std::sqrt(best);
}

}  // namespace stance::analysis
