#pragma once
/// \file
/// Planar geometry of a COP path: convex hull, its area, and the planar range.

#include <Eigen/Core>
#include <vector>

#include "stance/analysis/trace.hpp"

namespace stance::analysis {

/// Convex hull of the points (rows of xy), counter-clockwise, no repeated first point,
/// collinear points dropped. Andrew's monotone chain after an Akl-Toussaint octagon filter,
/// O(N) filter + O(H log H) on the survivors; fewer than 3 distinct points give a degenerate
/// hull of 1 or 2 points.
std::vector<Eigen::Vector2d> convexHull(const Eigen::Ref<const Signal2>& xy);

/// Area of a simple polygon given counter-clockwise (shoelace formula); 0 for < 3 points.
double polygonArea(const std::vector<Eigen::Vector2d>& polygon);

/// Largest Euclidean distance between two points of the set (the diameter), via the hull
/// (exact; equals the reference code's O(N^2) max pairwise distance).
double planarRange(const Eigen::Ref<const Signal2>& xy);

/// Diameter of a point set given its convex hull (as convexHull returns it): the largest
/// distance between two hull vertices, O(H^2) over the H vertices.
double hullDiameter(const std::vector<Eigen::Vector2d>& hull);

}  // namespace stance::analysis
