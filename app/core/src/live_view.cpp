#include "stance/app/live_view.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stance::app {

namespace {

std::vector<LiveSeriesSpec> defaultSeries(const LiveViewOptions& o) {
    return {{o.cop_device, o.cop_x_channel, "COP ML (mm)", 1000.0},
            {o.cop_device, o.cop_y_channel, "COP AP (mm)", 1000.0}};
}

bool has(const LiveSample& s, std::uint16_t device, int channel) {
    return s.device == device && channel >= 0 && channel < s.channels;
}

}  // namespace

LiveFrame buildLiveFrame(std::span<const LiveSample> samples, const LiveViewOptions& options) {
    LiveFrame f;
    const std::vector<LiveSeriesSpec> specs =
        options.series.empty() ? defaultSeries(options) : options.series;
    // The newest time among the devices drawn.
    double t_end = -std::numeric_limits<double>::infinity();
    for (const LiveSample& s : samples) {
        bool used = s.device == options.cop_device;
        for (const LiveSeriesSpec& sp : specs)
            used = used || s.device == sp.device;
        if (used)
            t_end = std::max(t_end, s.t_s);
    }
    for (const LiveSeriesSpec& sp : specs)
        f.series.push_back({sp.label, {}, std::nullopt});
    if (!std::isfinite(t_end))
        return f;
    f.t_end_s = t_end;
    const double window = std::max(options.window_s, 1e-3);
    const double t0 = t_end - window;
    const int width = std::max(options.width_px, 1);

    // Min / max per pixel column, with the times they occurred at.
    struct Column {
        float lo = 0.0f, hi = 0.0f;
        double t_lo = 0.0, t_hi = 0.0;
        bool used = false;
    };
    std::vector<Column> cols(static_cast<std::size_t>(width));
    for (std::size_t k = 0; k < specs.size(); ++k) {
        const LiveSeriesSpec& sp = specs[k];
        std::fill(cols.begin(), cols.end(), Column{});
        std::optional<double> latest;
        double latest_t = -std::numeric_limits<double>::infinity();
        for (const LiveSample& s : samples) {
            if (s.t_s < t0 || !has(s, sp.device, sp.channel))
                continue;
            const float v = s.v[static_cast<std::size_t>(sp.channel)];
            if (!std::isfinite(v))
                continue;
            if (s.t_s >= latest_t) {
                latest_t = s.t_s;
                latest = static_cast<double>(v) * sp.scale;
            }
            auto c = static_cast<long>((s.t_s - t0) / window * width);
            c = std::clamp(c, 0L, static_cast<long>(width - 1));
            Column& col = cols[static_cast<std::size_t>(c)];
            if (!col.used) {
                col = {v, v, s.t_s, s.t_s, true};
                continue;
            }
            if (v < col.lo) {
                col.lo = v;
                col.t_lo = s.t_s;
            }
            if (v > col.hi) {
                col.hi = v;
                col.t_hi = s.t_s;
            }
        }
        auto& pts = f.series[k].points;
        pts.reserve(2 * cols.size());
        for (const Column& col : cols) {
            if (!col.used)
                continue;
            const PlotPoint lo{col.t_lo - t_end, static_cast<double>(col.lo) * sp.scale};
            const PlotPoint hi{col.t_hi - t_end, static_cast<double>(col.hi) * sp.scale};
            if (col.lo == col.hi) {
                pts.push_back(lo);
            } else if (col.t_lo <= col.t_hi) {
                pts.push_back(lo);
                pts.push_back(hi);
            } else {
                pts.push_back(hi);
                pts.push_back(lo);
            }
        }
        f.series[k].latest = latest;
    }
    for (const LiveSample& s : samples) {
        bool used = s.device == options.cop_device;
        for (const LiveSeriesSpec& sp : specs)
            used = used || s.device == sp.device;
        if (used && s.t_s >= t0)
            ++f.samples;
    }

    // Stabilogram: the COP of the latest stabilogram window, evenly decimated.
    const double ts0 = t_end - std::max(options.stabilogram_window_s, 1e-3);
    std::size_t valid = 0;
    for (const LiveSample& s : samples) {
        if (s.t_s >= ts0 && has(s, options.cop_device, options.cop_x_channel) &&
            has(s, options.cop_device, options.cop_y_channel) &&
            std::isfinite(s.v[static_cast<std::size_t>(options.cop_x_channel)]) &&
            std::isfinite(s.v[static_cast<std::size_t>(options.cop_y_channel)]))
            ++valid;
    }
    if (valid == 0)
        return f;
    const std::size_t cap = std::max<std::size_t>(options.max_stabilogram_points, 2);
    const std::size_t stride = (valid + cap - 1) / cap;
    analysis::Signal2 xy(static_cast<Eigen::Index>(valid), 2);
    std::size_t i = 0;
    f.stabilogram_m.reserve(valid / stride + 1);
    for (const LiveSample& s : samples) {
        if (s.t_s < ts0 || !has(s, options.cop_device, options.cop_x_channel) ||
            !has(s, options.cop_device, options.cop_y_channel))
            continue;
        const float x = s.v[static_cast<std::size_t>(options.cop_x_channel)];
        const float y = s.v[static_cast<std::size_t>(options.cop_y_channel)];
        if (!std::isfinite(x) || !std::isfinite(y))
            continue;
        xy(static_cast<Eigen::Index>(i), 0) = x;
        xy(static_cast<Eigen::Index>(i), 1) = y;
        if (i % stride == 0 || i + 1 == valid)
            f.stabilogram_m.push_back({x, y});
        ++i;
    }
    if (auto e = analysis::predictionEllipse95(xy)) {
        f.ellipse = *e;
        const Eigen::Vector2d mean = xy.colwise().mean();
        f.ellipse_m = ellipseOutline(*e, {mean.x(), mean.y()}, options.ellipse_points);
    }
    return f;
}

LiveView::LiveView(LiveViewOptions options, std::size_t ring_capacity)
    : options_(std::move(options)), ring_(ring_capacity) {}

const LiveFrame& LiveView::update() {
    drained_.clear();
    received_ += ring_.drain(drained_);
    history_.insert(history_.end(), drained_.begin(), drained_.end());
    if (history_.size() > history_begin_) {
        double newest = -std::numeric_limits<double>::infinity();
        for (std::size_t k = history_begin_; k < history_.size(); ++k)
            newest = std::max(newest, history_[k].t_s);
        const double keep = std::max(options_.window_s, options_.stabilogram_window_s);
        while (history_begin_ < history_.size() && history_[history_begin_].t_s < newest - keep)
            ++history_begin_;
        // Compact once the dropped head is as large as the window, so memory stays bounded
        // and the copy is amortised O(1) per sample.
        if (history_begin_ > 0 && history_begin_ >= history_.size() - history_begin_) {
            history_.erase(history_.begin(),
                           history_.begin() + static_cast<std::ptrdiff_t>(history_begin_));
            history_begin_ = 0;
        }
    }
    frame_ = buildLiveFrame(std::span<const LiveSample>(history_.data() + history_begin_,
                                                        history_.size() - history_begin_),
                            options_);
    return frame_;
}

void LiveView::clear() {
    drained_.clear();
    ring_.drain(drained_);
    drained_.clear();
    history_.clear();
    history_begin_ = 0;
    frame_ = LiveFrame{};
}

void LiveView::setOptions(LiveViewOptions options) {
    options_ = std::move(options);
}

}  // namespace stance::app
