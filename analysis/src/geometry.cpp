// Planar geometry of a COP path: convex hull (Akl-Toussaint filter + Andrew's monotone chain),
// polygon area (shoelace) and planar range (diameter over the hull vertices).

#include "stance/analysis/geometry.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace stance::analysis {

namespace {

/// Twice the signed area of the triangle (o, a, b): > 0 when b lies left of o -> a.
double cross(const Eigen::Vector2d& o, const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
}

bool lexLess(const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
}

/// Keys whose maxima give the extreme points in 8 directions, counter-clockwise from -x.
std::array<double, 8> directionKeys(double x, double y) {
    return {-x, -(x + y), -y, x - y, x, x + y, y, y - x};
}

/// An edge of the Akl-Toussaint polygon as a half-plane: a point p is safely inside when
/// nx * p.x + ny * p.y > c + tol (tol absorbs the rounding of this form, so a discarded point is
/// strictly inside the polygon of extreme points and cannot be a hull vertex).
struct HalfPlane {
    double nx, ny, c, tol;
};

}  // namespace

std::vector<Eigen::Vector2d> convexHull(const Eigen::Ref<const Signal2>& xy) {
    const Eigen::Index n = xy.rows();
    std::vector<Eigen::Vector2d> pts;
    if (n == 0)
        return pts;
    const double* px = xy.col(0).data();
    const double* py = xy.col(1).data();

    // Akl-Toussaint: the points extreme in the directions -x, -(x+y), -y, x-y, x, x+y, y, y-x
    // (counter-clockwise order) span a convex polygon inside the hull; points strictly inside it
    // cannot be hull vertices. Extremes are found block by block: a vectorisable max over each
    // block, and a rescan with indices only for the few blocks that improve on the best so far.
    std::array<double, 8> best = directionKeys(px[0], py[0]);
    std::array<Eigen::Index, 8> ext{};
    constexpr Eigen::Index kBlock = 64;
    for (Eigen::Index b0 = 0; b0 < n; b0 += kBlock) {
        const Eigen::Index b1 = std::min(n, b0 + kBlock);
        std::array<double, 8> m = best;
        for (Eigen::Index i = b0; i < b1; ++i) {
            const auto k = directionKeys(px[i], py[i]);
            for (std::size_t d = 0; d < 8; ++d)
                m[d] = k[d] > m[d] ? k[d] : m[d];
        }
        if (m == best)
            continue;
        for (Eigen::Index i = b0; i < b1; ++i) {
            const auto k = directionKeys(px[i], py[i]);
            for (std::size_t d = 0; d < 8; ++d) {
                if (k[d] > best[d]) {
                    best[d] = k[d];
                    ext[d] = i;
                }
            }
        }
    }
    std::vector<Eigen::Vector2d> poly;
    poly.reserve(8);
    for (const Eigen::Index e : ext) {
        const Eigen::Vector2d p(px[e], py[e]);
        if (poly.empty() || poly.back() != p)
            poly.push_back(p);
    }
    while (poly.size() > 1 && poly.front() == poly.back())
        poly.pop_back();

    pts.reserve(static_cast<std::size_t>(std::min<Eigen::Index>(n, 256)));
    if (poly.size() < 3) {
        // All points on a segment (or one point): no filter.
        for (Eigen::Index i = 0; i < n; ++i)
            pts.emplace_back(px[i], py[i]);
    } else {
        const double extent =
            std::max({std::abs(best[0]), std::abs(best[2]), std::abs(best[4]), std::abs(best[6])});
        std::vector<HalfPlane> planes;
        planes.reserve(poly.size());
        for (std::size_t k = 0; k < poly.size(); ++k) {
            const Eigen::Vector2d& a = poly[k];
            const Eigen::Vector2d& b = poly[(k + 1) % poly.size()];
            // Left of a -> b: (b - a) x (p - a) > 0  <=>  -(by - ay) px + (bx - ax) py > c.
            const double nx = -(b.y() - a.y()), ny = b.x() - a.x();
            const double c = nx * a.x() + ny * a.y();
            const double tol = 1e-12 * (std::abs(nx) + std::abs(ny)) * extent;
            planes.push_back({nx, ny, c, tol});
        }
        const auto inside = [&](double x, double y) {
            for (const HalfPlane& h : planes) {
                if (!(h.nx * x + h.ny * y > h.c + h.tol))
                    return false;
            }
            return true;
        };
        // A rectangle around the polygon's centroid with the bounding box's aspect, grown by
        // bisection while its corners are inside: by convexity everything in it is inside, and
        // four comparisons settle most samples.
        Eigen::Vector2d centre = Eigen::Vector2d::Zero();
        for (const auto& v : poly)
            centre += v;
        centre /= static_cast<double>(poly.size());
        const double hx = 0.5 * (best[4] + best[0]), hy = 0.5 * (best[6] + best[2]);
        double lo = 0.0, hi = 1.0;
        for (int it = 0; it < 30; ++it) {
            const double s = 0.5 * (lo + hi);
            const bool ok = inside(centre.x() - s * hx, centre.y() - s * hy) &&
                            inside(centre.x() + s * hx, centre.y() - s * hy) &&
                            inside(centre.x() + s * hx, centre.y() + s * hy) &&
                            inside(centre.x() - s * hx, centre.y() + s * hy);
            (ok ? lo : hi) = s;
        }
        const double x_lo = centre.x() - lo * hx, x_hi = centre.x() + lo * hx;
        const double y_lo = centre.y() - lo * hy, y_hi = centre.y() + lo * hy;
        for (Eigen::Index i = 0; i < n; ++i) {
            const double x = px[i], y = py[i];
            if (x > x_lo && x < x_hi && y > y_lo && y < y_hi)
                continue;
            if (!inside(x, y))
                pts.emplace_back(x, y);
        }
    }

    // Andrew's monotone chain on the survivors; `<= 0` pops collinear points.
    std::sort(pts.begin(), pts.end(), lexLess);
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
    hull.resize(k - 1);  // the last point repeats the first
    return hull;
}

double polygonArea(const std::vector<Eigen::Vector2d>& polygon) {
    if (polygon.size() < 3)
        return 0.0;
    // Shoelace on coordinates relative to the first vertex (less cancellation far from 0).
    const Eigen::Vector2d o = polygon.front();
    double twice = 0.0;
    for (std::size_t i = 1; i + 1 < polygon.size(); ++i) {
        twice += cross(o, polygon[i], polygon[i + 1]);
    }
    return std::abs(twice) * 0.5;
}

double planarRange(const Eigen::Ref<const Signal2>& xy) {
    return hullDiameter(convexHull(xy));
}

double hullDiameter(const std::vector<Eigen::Vector2d>& hull) {
    // The diameter of a point set is attained by two hull vertices. Hulls of COP paths have a few
    // dozen vertices, so the exact pairwise scan (O(H^2)) is cheaper and simpler than rotating
    // calipers, and it returns exactly the maximum of the pairwise distances.
    double best = 0.0;
    for (std::size_t i = 0; i < hull.size(); ++i) {
        for (std::size_t j = i + 1; j < hull.size(); ++j)
            best = std::max(best, (hull[i] - hull[j]).squaredNorm());
    }
    return std::sqrt(best);
}

}  // namespace stance::analysis
