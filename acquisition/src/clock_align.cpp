#include "stance/acquisition/clock_align.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace stance::acquisition {

ClockAligner::ClockAligner(ClockAlignOptions options) : options_(options) {}

void ClockAligner::reset() {
    *this = ClockAligner(options_);
}

void ClockAligner::observe(double device_s, std::int64_t host_ns) {
    if (!have_origin_) {
        have_origin_ = true;
        d0_ = device_s;
        h0_ = host_ns;
    }
    const double d = device_s - d0_;
    const double h = static_cast<double>(host_ns - h0_) * 1e-9;
    const double residual = h - slope_ * d;
    if (window_open_ && d - window_start_ >= options_.window_s)
        closeWindow();
    if (!window_open_) {
        window_open_ = true;
        window_start_ = d;
        window_best_ = {d, h};
        window_best_residual_ = residual;
    } else if (residual < window_best_residual_) {
        window_best_ = {d, h};
        window_best_residual_ = residual;
    }
    // Until the first window closes, the best residual so far is the offset.
    if (minima_.empty()) {
        slope_ = 1.0;
        intercept_ = window_best_residual_;
    }
}

void ClockAligner::closeWindow() {
    minima_.push_back(window_best_);
    while (static_cast<int>(minima_.size()) > options_.max_points)
        minima_.pop_front();
    window_open_ = false;
    fit();
}

void ClockAligner::fit() {
    const auto n = minima_.size();
    std::vector<char> keep(n, 1);
    const auto lineFit = [&](double& slope, double& intercept, bool with_slope) {
        double sd = 0.0, sh = 0.0, m = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            if (keep[i] == 0)
                continue;
            sd += minima_[i].d;
            sh += minima_[i].h;
            m += 1.0;
        }
        const double md = sd / m, mh = sh / m;
        if (!with_slope) {
            slope = 1.0;
            intercept = mh - md;
            return;
        }
        double sdd = 0.0, sdh = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            if (keep[i] == 0)
                continue;
            sdd += (minima_[i].d - md) * (minima_[i].d - md);
            sdh += (minima_[i].d - md) * (minima_[i].h - mh);
        }
        slope = sdd > 0.0 ? sdh / sdd : 1.0;
        intercept = mh - slope * md;
    };
    const bool with_slope = static_cast<int>(n) >= options_.min_points_drift;
    double slope = 1.0, intercept = 0.0;
    lineFit(slope, intercept, with_slope);
    // Second pass without the minima far above the line: windows in which every sample was late.
    std::vector<double> res(n);
    for (std::size_t i = 0; i < n; ++i)
        res[i] = minima_[i].h - (intercept + slope * minima_[i].d);
    std::vector<double> sorted = res;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n / 2),
                     sorted.end());
    const double median = sorted[n / 2];
    for (double& r : sorted)
        r = std::abs(r - median);
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n / 2),
                     sorted.end());
    const double mad = sorted[n / 2];
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
        keep[i] = res[i] <= median + 3.0 * 1.4826 * mad + 1e-9 ? 1 : 0;
        kept += keep[i];
    }
    if (kept >= 2 && kept < n)
        lineFit(slope, intercept, with_slope);
    if (std::abs(slope - 1.0) * 1e6 > options_.max_drift_ppm)
        lineFit(slope, intercept, false);
    slope_ = slope;
    intercept_ = intercept;
}

std::int64_t ClockAligner::mapNs(double device_s, double max_slew) {
    double h = hostNs(device_s);
    if (have_mapped_ && device_s > mapped_device_s_) {
        const double slowest = mapped_ns_ + (device_s - mapped_device_s_) * 1e9 * (1.0 - max_slew);
        h = std::max(h, slowest);
    }
    have_mapped_ = true;
    mapped_device_s_ = device_s;
    mapped_ns_ = h;
    return static_cast<std::int64_t>(std::llround(h));
}

double ClockAligner::hostNs(double device_s) const {
    const double d = device_s - d0_;
    return static_cast<double>(h0_) + (intercept_ + slope_ * d) * 1e9;
}

}  // namespace stance::acquisition
