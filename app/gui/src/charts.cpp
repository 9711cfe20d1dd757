#include "stance/gui/charts.hpp"

#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

#include "stance/gui/ui_support.hpp"

namespace stance::gui {

namespace {

// Room for the tick labels and axis titles around the square plot area, px.
constexpr qreal kLeftRoom = 62.0;
constexpr qreal kBottomRoom = 48.0;
constexpr qreal kTopRoom = 44.0;
constexpr qreal kRightRoom = 14.0;

}  // namespace

QList<QPointF> toMillimetres(const std::vector<app::PlotPoint>& points_m) {
    QList<QPointF> out;
    out.reserve(static_cast<qsizetype>(points_m.size()));
    for (const app::PlotPoint& p : points_m) {
        if (std::isfinite(p.x) && std::isfinite(p.y))
            out.append(QPointF(p.x * 1000.0, p.y * 1000.0));
    }
    return out;
}

StabilogramView::StabilogramView(const QString& title, QWidget* parent)
    : QChartView(parent), title_(title) {
    auto* chart = new QChart();
    styleChart(*chart, title);
    chart->legend()->hide();
    path_ = new QLineSeries(chart);
    path_->setName(QStringLiteral("COP path"));
    QPen pen(colours::kPath);
    pen.setWidthF(1.0);
    path_->setPen(pen);
    ellipse_ = new QLineSeries(chart);
    ellipse_->setName(QStringLiteral("95 % prediction ellipse"));
    QPen epen(colours::kEllipse);
    epen.setWidthF(2.0);
    ellipse_->setPen(epen);
    chart->addSeries(path_);
    chart->addSeries(ellipse_);
    x_ = new QValueAxis(chart);
    y_ = new QValueAxis(chart);
    styleAxis(*x_, QStringLiteral("ML, right + (mm)"));
    styleAxis(*y_, QStringLiteral("AP, anterior + (mm)"));
    x_->setLabelFormat(QStringLiteral("%.0f"));
    y_->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    for (QLineSeries* s : {path_, ellipse_}) {
        s->attachAxis(x_);
        s->attachAxis(y_);
    }
    x_->setRange(-half_range_mm_, half_range_mm_);
    y_->setRange(-half_range_mm_, half_range_mm_);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing, true);
    setMinimumSize(220, 240);
}

void StabilogramView::setPath(const std::vector<app::PlotPoint>& path_m,
                              const std::vector<app::PlotPoint>& ellipse_m, app::PlotPoint centre_m,
                              double half_range_mm) {
    const QList<QPointF> path = toMillimetres(path_m);
    const QList<QPointF> ellipse = toMillimetres(ellipse_m);
    const double cx = centre_m.x * 1000.0;
    const double cy = centre_m.y * 1000.0;
    double need = half_range_mm;
    for (const QList<QPointF>* pts : {&path, &ellipse}) {
        for (const QPointF& p : *pts)
            need = std::max({need, std::abs(p.x() - cx), std::abs(p.y() - cy)});
    }
    // Whole 5 mm steps so that the axes only move when the sway outgrows them.
    half_range_mm_ = std::ceil(need / 5.0) * 5.0;
    x_->setRange(cx - half_range_mm_, cx + half_range_mm_);
    y_->setRange(cy - half_range_mm_, cy + half_range_mm_);
    x_->setTickCount(5);
    y_->setTickCount(5);
    path_->replace(path);
    ellipse_->replace(ellipse);
}

void StabilogramView::clearPath(const QString& message) {
    path_->clear();
    ellipse_->clear();
    if (!message.isEmpty())
        setCaption(message);
}

void StabilogramView::setTitleText(const QString& title) {
    title_ = title;
    updateTitle();
}

void StabilogramView::setCaption(const QString& caption) {
    caption_ = caption;
    updateTitle();
}

void StabilogramView::updateTitle() {
    chart()->setTitle(caption_.isEmpty()
                          ? title_
                          : QStringLiteral("%1<br><span style=\"font-weight:normal; "
                                           "font-size:9pt\">%2</span>")
                                .arg(title_.toHtmlEscaped(), caption_.toHtmlEscaped()));
}

int StabilogramView::pathPointCount() const {
    return static_cast<int>(path_->count());
}
int StabilogramView::ellipsePointCount() const {
    return static_cast<int>(ellipse_->count());
}

void StabilogramView::resizeEvent(QResizeEvent* event) {
    QChartView::resizeEvent(event);
    layoutSquare();
}

void StabilogramView::layoutSquare() {
    // One millimetre is as long on both axes: the plot area is the largest square that leaves
    // room for the labels, centred horizontally.
    const QRectF all = chart()->rect();
    const qreal avail_w = all.width() - kLeftRoom - kRightRoom;
    const qreal avail_h = all.height() - kTopRoom - kBottomRoom;
    const qreal side = std::max<qreal>(40.0, std::min(avail_w, avail_h));
    const qreal left = kLeftRoom + std::max<qreal>(0.0, (avail_w - side) / 2.0);
    chart()->setPlotArea(QRectF(left, kTopRoom, side, side));
}

TimeSeriesView::TimeSeriesView(const QString& title, const QStringList& labels, const QString& unit,
                               double window_s, QWidget* parent)
    : QChartView(parent) {
    auto* chart = new QChart();
    styleChart(*chart, title);
    x_ = new QValueAxis(chart);
    y_ = new QValueAxis(chart);
    styleAxis(*x_, QStringLiteral("time (s)"));
    styleAxis(*y_, unit);
    x_->setRange(-window_s, 0.0);
    x_->setLabelFormat(QStringLiteral("%.0f"));
    x_->setTickCount(static_cast<int>(std::min(11.0, window_s + 1.0)));
    y_->setLabelFormat(QStringLiteral("%.1f"));
    y_->setRange(y_lo_, y_hi_);
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    const QColor palette[] = {colours::kSeriesMl, colours::kSeriesAp, colours::kEllipse,
                              colours::kPath};
    int i = 0;
    for (const QString& label : labels) {
        auto* s = new QLineSeries(chart);
        s->setName(label);
        QPen pen(palette[i % 4]);
        pen.setWidthF(1.2);
        s->setPen(pen);
        chart->addSeries(s);
        s->attachAxis(x_);
        s->attachAxis(y_);
        series_.push_back(s);
        ++i;
    }
    setChart(chart);
    setMinimumSize(320, 200);
}

void TimeSeriesView::setSeries(int index, const std::vector<app::PlotPoint>& points) {
    if (index < 0 || index >= seriesCount())
        return;
    QList<QPointF> pts;
    pts.reserve(static_cast<qsizetype>(points.size()));
    for (const app::PlotPoint& p : points) {
        if (std::isfinite(p.x) && std::isfinite(p.y))
            pts.append(QPointF(p.x, p.y));
    }
    series_[static_cast<std::size_t>(index)]->replace(pts);
}

void TimeSeriesView::fitY() {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (QLineSeries* s : series_) {
        for (const QPointF& p : s->points()) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
    }
    if (!std::isfinite(lo))
        return;
    const double span = std::max(hi - lo, 1e-3);
    const double want_lo = lo - 0.1 * span;
    const double want_hi = hi + 0.1 * span;
    const bool outside = want_lo < y_lo_ || want_hi > y_hi_;
    const bool too_wide = (hi - lo) < (y_hi_ - y_lo_) / 3.0;
    if (outside || too_wide) {
        y_lo_ = want_lo;
        y_hi_ = want_hi;
        y_->setRange(y_lo_, y_hi_);
    }
}

int TimeSeriesView::pointCount(int index) const {
    if (index < 0 || index >= seriesCount())
        return 0;
    return static_cast<int>(series_[static_cast<std::size_t>(index)]->count());
}

int TimeSeriesView::plotWidthPx() const {
    return std::max(50, static_cast<int>(chart()->plotArea().width()));
}

}  // namespace stance::gui
