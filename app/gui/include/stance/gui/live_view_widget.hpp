#pragma once
/// \file
/// The live view of a running assessment: the stabilogram (COP path of the last seconds with its
/// 95 % prediction ellipse) and the COP time series. Samples reach app::LiveView's ring from the
/// stanced connection's handler; a QTimer (30 ms) drains the ring, builds one app::LiveFrame
/// (decimated to the screen: one min/max pair per pixel column, at most 1000 stabilogram points)
/// and replaces each series' data once. Nothing here runs per sample.
///
/// Thread rules: UI thread only. The connection's sample sink, also on the UI thread, calls
/// model().push().

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "stance/app/live_view.hpp"

class QLabel;

namespace stance::gui {

class StabilogramView;
class TimeSeriesView;

/// Frame-time statistics of the live view (drain + frame building + series replacement +
/// repaint), milliseconds.
struct FrameTimes {
    std::vector<double> ms;  ///< the last 2000 frames
    double median() const;
    double percentile(double p) const;  ///< p in [0, 100], nearest rank
};

class LiveViewWidget : public QWidget {
    Q_OBJECT
public:
    explicit LiveViewWidget(QWidget* parent = nullptr);

    /// The data path: push samples into model() (the connection's sink does).
    app::LiveView& model() noexcept { return live_; }

    /// Which device carries the COP (the balance device's index and channels).
    void setCopSource(std::uint16_t device, int cop_x_channel, int cop_y_channel);
    /// Starts / stops the redraw timer (interval in ms, default 30).
    void startUpdates(int interval_ms = 30);
    void stopUpdates();
    bool updating() const { return timer_.isActive(); }
    /// Forgets the samples shown (a new trial).
    void clear();

    /// One timer tick: drains the ring, builds the frame, replaces the series. With `repaint`
    /// the charts are painted before returning (the benchmark measures that way; the timer lets
    /// Qt paint in its own time). Returns the time it took, ms.
    double refresh(bool repaint = false);

    const FrameTimes& frameTimes() const noexcept { return times_; }
    StabilogramView* stabilogram() const noexcept { return stabilogram_; }
    TimeSeriesView* timeSeries() const noexcept { return series_; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void followPlotWidth();

    app::LiveView live_;
    QTimer timer_;
    StabilogramView* stabilogram_ = nullptr;
    TimeSeriesView* series_ = nullptr;
    QLabel* info_ = nullptr;
    FrameTimes times_;
    QElapsedTimer rate_clock_;
    std::uint64_t received_at_last_info_ = 0;
    int frames_since_info_ = 0;
};

}  // namespace stance::gui
