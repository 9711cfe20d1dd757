#include "stance/analysis/metric_table.hpp"

#include <cmath>
#include <string>

namespace stance::analysis {

std::string MetricUnit::label(std::string_view length_unit) const {
    std::string out;
    if (length_power != 0) {
        out = length_power < 0 ? "1/" : "";
        out += length_unit;
        const int p = length_power < 0 ? -length_power : length_power;
        if (p > 1) {
            out += "^" + std::to_string(p);
        }
    }
    if (!per.empty()) {
        // "/s" and "/Hz" attach to a length; "Hz", "s", "deg", "count" stand alone.
        if (out.empty() && per.front() == '/') {
            out = "1";
        }
        out += per;
    }
    return out.empty() ? "1" : out;
}

void MetricTable::add(std::string name, MetricUnit unit, double value) {
    if (!std::isfinite(value)) {
        std::string why = name + " is not finite for this input";
        entries_.push_back(
            Metric{std::move(name), unit, 0.0, ErrorCode::kUndefined, std::move(why)});
        return;
    }
    entries_.push_back(Metric{std::move(name), unit, value, ErrorCode::kUndefined, {}});
}

void MetricTable::add(std::string name, MetricUnit unit, const Expected<double>& value) {
    if (value) {
        add(std::move(name), unit, *value);
    } else {
        addError(std::move(name), unit, value.error());
    }
}

void MetricTable::addError(std::string name, MetricUnit unit, const Error& error) {
    std::string why =
        error.message.empty() ? std::string(errorCodeName(error.code)) : error.message;
    entries_.push_back(Metric{std::move(name), unit, 0.0, error.code, std::move(why)});
}

const Metric* MetricTable::find(std::string_view name) const noexcept {
    for (const auto& m : entries_) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

}  // namespace stance::analysis
