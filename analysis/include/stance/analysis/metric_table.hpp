#pragma once
/// \file
/// Named metric values with units, as every front end prints them.

#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/expected.hpp"

namespace stance::analysis {

/// Unit of a metric as a power of length times a fixed non-length part. Values are stored in
/// SI (lengths in m); converting to mm multiplies by 1000^length_power.
struct MetricUnit {
    int length_power = 0;       ///< 1 for m, 2 for m^2, -1 for 1/m, 0 for none
    std::string_view per = "";  ///< non-length part: "", "/s", "/Hz", "Hz", "s", "deg", "count"

    /// Printable unit for a given length unit name ("mm", "cm", "m"): "mm^2/Hz", "Hz", "1", ...
    std::string label(std::string_view length_unit) const;
    friend bool operator==(const MetricUnit&, const MetricUnit&) = default;
};

namespace units {
inline constexpr MetricUnit kLength{1, ""};
inline constexpr MetricUnit kArea{2, ""};
inline constexpr MetricUnit kVelocity{1, "/s"};
inline constexpr MetricUnit kAreaRate{2, "/s"};
inline constexpr MetricUnit kPsd{2, "/Hz"};
inline constexpr MetricUnit kInverseLength{-1, ""};
inline constexpr MetricUnit kFrequency{0, "Hz"};
inline constexpr MetricUnit kTime{0, "s"};
inline constexpr MetricUnit kAngle{0, "deg"};
inline constexpr MetricUnit kCount{0, "count"};
inline constexpr MetricUnit kDimensionless{0, ""};
}  // namespace units

/// One metric: a finite value, or the reason it has none.
struct Metric {
    std::string name;
    MetricUnit unit;
    double value = 0.0;  ///< SI; meaningful only when ok()
    ErrorCode error_code = ErrorCode::kUndefined;
    std::string error;  ///< empty when ok()
    bool ok() const noexcept { return error.empty(); }
};

/// Ordered collection of metrics. Insertion order is output order.
class MetricTable {
public:
    /// Adds a value; a non-finite value is turned into an kUndefined error naming the metric,
    /// so no NaN is ever passed on silently.
    void add(std::string name, MetricUnit unit, double value);
    void add(std::string name, MetricUnit unit, const Expected<double>& value);
    void addError(std::string name, MetricUnit unit, const Error& error);

    const Metric* find(std::string_view name) const noexcept;
    const std::vector<Metric>& entries() const noexcept { return entries_; }
    std::size_t size() const noexcept { return entries_.size(); }
    void reserve(std::size_t n) { entries_.reserve(n); }

private:
    std::vector<Metric> entries_;
};

}  // namespace stance::analysis
