#pragma once
/// \file
/// The two chart widgets the assessment screens share:
///  - StabilogramView: a COP path (top view of the plate, x medio-lateral right +, y
///    antero-posterior anterior +) with its 95 % prediction ellipse, in millimetres, drawn on a
///    square plot area so that one millimetre is as long on both axes.
///  - TimeSeriesView: a few channels against time (the live view's COP ML / AP).
/// Both take whole point arrays and replace their series data in one call (QXYSeries::replace),
/// so a redraw costs one repaint whatever the sample rate.
///
/// Thread rules: UI thread only.

#include <QChartView>
#include <QList>
#include <QPointF>
#include <optional>
#include <string>
#include <vector>

#include "stance/analysis/sway_metrics.hpp"
#include "stance/app/results.hpp"

class QLineSeries;
class QValueAxis;

namespace stance::gui {

/// Converts points in metres to millimetres for a series, keeping the order; NaN points are
/// dropped.
QList<QPointF> toMillimetres(const std::vector<app::PlotPoint>& points_m);

class StabilogramView : public QChartView {
    Q_OBJECT
public:
    explicit StabilogramView(const QString& title, QWidget* parent = nullptr);

    /// Shows a COP path and its ellipse outline (both in metres, same frame). `centre_m` is the
    /// middle of the axes: the path's mean for a centred results trace, the running mean for the
    /// live view. The axes span at least `half_range_mm` either side of the centre and grow (in
    /// 5 mm steps) to hold the path.
    void setPath(const std::vector<app::PlotPoint>& path_m,
                 const std::vector<app::PlotPoint>& ellipse_m, app::PlotPoint centre_m,
                 double half_range_mm);
    /// Removes the path (no data).
    void clearPath(const QString& message = {});
    /// The title line and the caption under it ("95 % ellipse 123 mm^2").
    void setTitleText(const QString& title);
    void setCaption(const QString& caption);

    int pathPointCount() const;
    int ellipsePointCount() const;
    /// Half of the axis span currently shown, mm.
    double halfRangeMm() const noexcept { return half_range_mm_; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateTitle();
    void layoutSquare();

    QLineSeries* path_ = nullptr;
    QLineSeries* ellipse_ = nullptr;
    QValueAxis* x_ = nullptr;
    QValueAxis* y_ = nullptr;
    QString title_;
    QString caption_;
    double half_range_mm_ = 10.0;
};

class TimeSeriesView : public QChartView {
    Q_OBJECT
public:
    /// `labels` names each series ("COP ML", "COP AP"); `unit` is the y unit ("mm").
    TimeSeriesView(const QString& title, const QStringList& labels, const QString& unit,
                   double window_s, QWidget* parent = nullptr);

    /// Replaces series `index` with `points` (x = s relative to the newest sample, y = display
    /// value), then widens the y range when a point falls outside it. Call fitY() once after all
    /// series of a frame.
    void setSeries(int index, const std::vector<app::PlotPoint>& points);
    /// Sets the y range to the data of every series with 10 % headroom; the range shrinks only
    /// when the data use less than a third of it, so the axis does not twitch every frame.
    void fitY();
    int seriesCount() const noexcept { return static_cast<int>(series_.size()); }
    int pointCount(int index) const;
    /// Width of the plot area in pixels (the live view decimates to one min/max pair per pixel).
    int plotWidthPx() const;

private:
    std::vector<QLineSeries*> series_;
    QValueAxis* x_ = nullptr;
    QValueAxis* y_ = nullptr;
    double y_lo_ = -1.0;
    double y_hi_ = 1.0;
};

}  // namespace stance::gui
