#include "stance/gui/live_view_widget.hpp"

#include <QChart>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "stance/gui/charts.hpp"
#include "stance/gui/ui_support.hpp"

namespace stance::gui {

namespace {

constexpr std::size_t kKeptFrames = 2000;
// The live stabilogram shows at least +-15 mm about the path's mean: quiet stance fits, and the
// axes stay put while the subject stands still.
constexpr double kLiveHalfRangeMm = 15.0;

app::LiveViewOptions defaultOptions() {
    app::LiveViewOptions o;
    o.window_s = 10.0;
    o.stabilogram_window_s = 10.0;
    o.max_stabilogram_points = 1000;
    o.series = {app::LiveSeriesSpec{0, 6, "COP ML", 1000.0},
                app::LiveSeriesSpec{0, 7, "COP AP", 1000.0}};
    return o;
}

}  // namespace

double FrameTimes::median() const {
    return percentile(50.0);
}

double FrameTimes::percentile(double p) const {
    if (ms.empty())
        return std::nan("");
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    const double rank = std::ceil(p / 100.0 * static_cast<double>(v.size()));
    const auto i = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(v.size())));
    return v[i - 1];
}

LiveViewWidget::LiveViewWidget(QWidget* parent) : QWidget(parent), live_(defaultOptions()) {
    stabilogram_ = new StabilogramView(QStringLiteral("Live stabilogram (last 10 s)"), this);
    stabilogram_->setObjectName(QStringLiteral("live-stabilogram"));
    series_ = new TimeSeriesView(
        QStringLiteral("Centre of pressure"),
        {QStringLiteral("COP ML (right +)"), QStringLiteral("COP AP (anterior +)")},
        QStringLiteral("COP (mm)"), live_.options().window_s, this);
    series_->setObjectName(QStringLiteral("live-series"));
    info_ = new QLabel(this);
    info_->setObjectName(QStringLiteral("live-info"));
    info_->setText(QStringLiteral("Waiting for samples"));
    auto* charts = new QHBoxLayout();
    charts->addWidget(stabilogram_, 2);
    charts->addWidget(series_, 3);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(charts, 1);
    layout->addWidget(info_);
    timer_.setInterval(30);
    connect(&timer_, &QTimer::timeout, this, [this] { refresh(false); });
    rate_clock_.start();
}

void LiveViewWidget::setCopSource(std::uint16_t device, int cop_x_channel, int cop_y_channel) {
    app::LiveViewOptions o = live_.options();
    o.cop_device = device;
    o.cop_x_channel = cop_x_channel;
    o.cop_y_channel = cop_y_channel;
    o.series = {app::LiveSeriesSpec{device, cop_x_channel, "COP ML", 1000.0},
                app::LiveSeriesSpec{device, cop_y_channel, "COP AP", 1000.0}};
    live_.setOptions(std::move(o));
}

void LiveViewWidget::startUpdates(int interval_ms) {
    timer_.start(interval_ms);
}

void LiveViewWidget::stopUpdates() {
    timer_.stop();
}

void LiveViewWidget::clear() {
    live_.clear();
    stabilogram_->clearPath();
    for (int i = 0; i < series_->seriesCount(); ++i)
        series_->setSeries(i, {});
}

void LiveViewWidget::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    followPlotWidth();
}

void LiveViewWidget::followPlotWidth() {
    // The chart lays its plot area out after the widget's resize: checked on every frame too.
    const int width = series_->plotWidthPx();
    if (width != live_.options().width_px) {
        app::LiveViewOptions o = live_.options();
        o.width_px = width;
        live_.setOptions(std::move(o));
    }
}

double LiveViewWidget::refresh(bool repaint) {
    QElapsedTimer t;
    t.start();
    followPlotWidth();
    const app::LiveFrame& frame = live_.update();
    for (std::size_t i = 0; i < frame.series.size(); ++i)
        series_->setSeries(static_cast<int>(i), frame.series[i].points);
    series_->fitY();
    app::PlotPoint centre;
    if (!frame.stabilogram_m.empty()) {
        for (const app::PlotPoint& p : frame.stabilogram_m) {
            centre.x += p.x;
            centre.y += p.y;
        }
        centre.x /= static_cast<double>(frame.stabilogram_m.size());
        centre.y /= static_cast<double>(frame.stabilogram_m.size());
    }
    stabilogram_->setPath(frame.stabilogram_m, frame.ellipse_m, centre, kLiveHalfRangeMm);
    if (frame.ellipse) {
        stabilogram_->setCaption(QStringLiteral("95 % ellipse %1 mm², centre %2 / %3 mm")
                                     .arg(formatNumber(frame.ellipse->area_m2 * 1e6, 0),
                                          formatNumber(centre.x * 1000.0, 1),
                                          formatNumber(centre.y * 1000.0, 1)));
    }
    if (repaint) {
        stabilogram_->viewport()->repaint();
        series_->viewport()->repaint();
    }
    const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
    if (times_.ms.size() >= kKeptFrames)
        times_.ms.erase(times_.ms.begin(), times_.ms.begin() + kKeptFrames / 2);
    times_.ms.push_back(ms);

    ++frames_since_info_;
    if (rate_clock_.elapsed() >= 1000) {
        const double secs = static_cast<double>(rate_clock_.restart()) / 1000.0;
        const std::uint64_t received = live_.received();
        const double rate = static_cast<double>(received - received_at_last_info_) / secs;
        received_at_last_info_ = received;
        info_->setText(QStringLiteral("%1 samples/s received, %2 dropped by the view, %3 frames/s, "
                                      "frame %4 ms")
                           .arg(formatNumber(rate, 0))
                           .arg(live_.dropped())
                           .arg(formatNumber(frames_since_info_ / secs, 0), formatNumber(ms, 1)));
        frames_since_info_ = 0;
    }
    return ms;
}

}  // namespace stance::gui
