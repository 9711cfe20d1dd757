#include "stance/gui/progress_page.hpp"

#include <QAreaSeries>
#include <QChart>
#include <QCheckBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QScrollArea>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "stance/app/report_model.hpp"
#include "stance/gui/ui_support.hpp"

namespace stance::gui {

namespace {

const QString kBaseline = QStringLiteral("baseline");

qreal dateMs(const std::string& iso_date) {
    const QDate d = QDate::fromString(qs(iso_date), Qt::ISODate);
    return static_cast<qreal>(QDateTime(d, QTime(12, 0), Qt::UTC).toMSecsSinceEpoch());
}

QString displayUnit(const std::string& unit) {
    return qs(app::readableUnits(unit));
}

QString kindWord(analysis::ThresholdKind k) {
    return k == analysis::ThresholdKind::kMcid ? QStringLiteral("MCID") : QStringLiteral("MDC");
}

QString signedValue(const app::ProgressMetric& m, double v) {
    const QString text = qs(app::formatProgressValue(m, std::abs(v)));
    if (v > 0)
        return QStringLiteral("+") + text;
    if (v < 0)
        return QStringLiteral("−") + text;
    return text;
}

QColor markerColour(const QString& klass) {
    if (klass == QStringLiteral("improved"))
        return colours::kImproved;
    if (klass == QStringLiteral("worse"))
        return colours::kWorse;
    if (klass == QStringLiteral("unchanged"))
        return colours::kUnchanged;
    return QColor(0x22, 0x22, 0x22);
}

}  // namespace

QString changeWord(analysis::ChangeClass c) {
    return qs(analysis::changeClassName(c));
}

QColor changeColour(analysis::ChangeClass c) {
    switch (c) {
        case analysis::ChangeClass::kImproved:
            return colours::kImproved;
        case analysis::ChangeClass::kWorse:
            return colours::kWorse;
        case analysis::ChangeClass::kUnchanged:
            return colours::kUnchanged;
    }
    return colours::kUnchanged;
}

// ---- ProgressChart ----------------------------------------------------------------------------

ProgressChart::ProgressChart(app::ProgressSeries series, QWidget* parent)
    : QWidget(parent), series_(std::move(series)) {
    setObjectName(QStringLiteral("progress-") + qs(series_.metric.key));
    const app::ProgressMetric& m = series_.metric;
    const QString unit = displayUnit(m.unit);
    auto* chart = new QChart();
    styleChart(*chart,
               unit.isEmpty() ? qs(m.label) : QStringLiteral("%1 (%2)").arg(qs(m.label), unit));

    // x: the session dates, padded so the first and last points sit inside the plot.
    qreal x_lo = 0.0;
    qreal x_hi = 0.0;
    double y_lo = std::numeric_limits<double>::infinity();
    double y_hi = -y_lo;
    if (!series_.points.empty()) {
        x_lo = dateMs(series_.points.front().date);
        x_hi = dateMs(series_.points.back().date);
        for (const app::ProgressPoint& p : series_.points) {
            y_lo = std::min(y_lo, p.value);
            y_hi = std::max(y_hi, p.value);
        }
    }
    const qreal day = 86400000.0;
    const qreal pad = std::max<qreal>(3.0 * day, (x_hi - x_lo) * 0.06);
    x_lo -= pad;
    x_hi += pad;

    if (series_.band) {
        const app::ChangeBand& b = *series_.band;
        y_lo = std::min(y_lo, b.lower);
        y_hi = std::max(y_hi, b.upper);
        auto* upper = new QLineSeries(chart);
        auto* lower = new QLineSeries(chart);
        upper->append({QPointF(x_lo, b.upper), QPointF(x_hi, b.upper)});
        lower->append({QPointF(x_lo, b.lower), QPointF(x_hi, b.lower)});
        band_ = new QAreaSeries(upper, lower);
        band_->setName(
            QStringLiteral("Baseline ± %1 (%2 %3)")
                .arg(kindWord(b.kind), qs(app::formatProgressValue(m, b.threshold)), unit));
        band_->setBrush(colours::kBand);
        QPen edge(colours::kBandEdge);
        edge.setStyle(Qt::DashLine);
        edge.setWidthF(1.0);
        band_->setPen(edge);
        chart->addSeries(band_);
    }

    line_ = new QLineSeries(chart);
    line_->setName(qs(m.short_label));
    QPen pen(colours::kPath);
    pen.setWidthF(2.0);
    line_->setPen(pen);
    for (const app::ProgressPoint& p : series_.points)
        line_->append(dateMs(p.date), p.value);
    chart->addSeries(line_);

    // Markers by change class: the baseline, then each later session as classified.
    for (std::size_t i = 0; i < series_.points.size(); ++i) {
        const app::ProgressPoint& p = series_.points[i];
        const QString klass = i == 0     ? kBaseline
                              : p.change ? changeWord(*p.change)
                                         : QStringLiteral("not classified");
        QScatterSeries*& s = markers_[klass];
        if (s == nullptr) {
            s = new QScatterSeries(chart);
            s->setName(klass);
            s->setMarkerSize(11.0);
            s->setColor(markerColour(klass));
            s->setBorderColor(Qt::white);
            connect(s, &QScatterSeries::hovered, this, &ProgressChart::onHovered);
        }
        s->append(dateMs(p.date), p.value);
    }
    for (const QString& klass : {kBaseline, QStringLiteral("improved"), QStringLiteral("unchanged"),
                                 QStringLiteral("worse"), QStringLiteral("not classified")}) {
        auto it = markers_.find(klass);
        if (it != markers_.end())
            chart->addSeries(it->second);
    }
    connect(line_, &QLineSeries::hovered, this, &ProgressChart::onHovered);

    auto* x = new QDateTimeAxis(chart);
    x->setFormat(QStringLiteral("d MMM yy"));
    x->setTitleText(QStringLiteral("session date"));
    x->setTitleFont(axisTitleFont());
    x->setLabelsFont(axisLabelFont());
    x->setRange(QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(x_lo), Qt::UTC),
                QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(x_hi), Qt::UTC));
    x->setTickCount(std::clamp(static_cast<int>(series_.points.size()), 2, 6));
    x->setGridLineColor(QColor(0xe0, 0xe0, 0xe0));
    auto* y = new QValueAxis(chart);
    // The chart title names the measure; the axis gives the unit and which way is better
    // ("mm/s, \u2193 better": lower is better), short enough for a chart a few centimetres high.
    const QString better =
        m.lower_is_better ? QStringLiteral("\u2193 better") : QStringLiteral("\u2191 better");
    styleAxis(
        *y, QStringLiteral("%1, %2").arg(unit.isEmpty() ? QStringLiteral("ratio") : unit, better));
    if (!std::isfinite(y_lo)) {
        y_lo = 0.0;
        y_hi = 1.0;
    }
    const double span = std::max(y_hi - y_lo, std::max(std::abs(y_hi), 1.0) * 0.1);
    double lo = y_lo - 0.12 * span;
    const double hi = y_hi + 0.12 * span;
    if (y_lo >= 0.0 && lo < 0.0)
        lo = 0.0;  // scores and areas are never negative: no axis below zero
    y->setRange(lo, hi);
    y->applyNiceNumbers();
    y->setLabelFormat(m.unit == "mm^2" || m.unit == "points" || m.unit == "%"
                          ? QStringLiteral("%.0f")
                          : QStringLiteral("%.2g"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries* s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    // The band's two edge lines are not legend entries of their own.
    chart->legend()->setShowToolTips(true);

    view_ = new QChartView(chart, this);
    view_->setRenderHint(QPainter::Antialiasing, true);
    view_->setMinimumSize(380, 270);

    change_ = new QLabel(this);
    change_->setObjectName(QStringLiteral("change"));
    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("summary"));
    summary_->setWordWrap(true);
    hover_ = new QLabel(this);
    hover_->setObjectName(QStringLiteral("hover"));
    hover_->setStyleSheet(QStringLiteral("QLabel { color: #555; }"));
    hover_->setText(QStringLiteral("Point at a session to see its value."));

    if (series_.latest_change) {
        const analysis::ChangeResult& c = *series_.latest_change;
        setStatusLabel(
            *change_,
            QStringLiteral("Latest vs baseline: %1 (%2 %3)")
                .arg(changeWord(c.classification), signedValue(m, c.difference * m.scale), unit),
            changeColour(c.classification));
    } else if (series_.points.size() >= 2) {
        setStatusLabel(*change_,
                       QStringLiteral("No minimal important difference is tabulated for this "
                                      "measure: change not classified"),
                       colours::kUnchanged);
    } else {
        setStatusLabel(*change_, QStringLiteral("One session only: no change yet"),
                       colours::kUnchanged);
    }
    QString summary = qs(series_.summary);
    if (series_.band && !series_.band->source.empty())
        summary += QStringLiteral(" %1 from %2.")
                       .arg(kindWord(series_.band->kind), qs(series_.band->source));
    summary_->setText(summary.trimmed());

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 6);
    layout->addWidget(view_, 1);
    layout->addWidget(change_);
    layout->addWidget(summary_);
    layout->addWidget(hover_);
}

QString ProgressChart::hoverText(std::size_t index) const {
    if (index >= series_.points.size())
        return {};
    const app::ProgressMetric& m = series_.metric;
    const app::ProgressPoint& p = series_.points[index];
    QString text = QStringLiteral("%1 · %2 %3 %4")
                       .arg(qs(p.date), qs(m.short_label), qs(app::formatProgressValue(m, p.value)),
                            displayUnit(m.unit));
    if (index == 0) {
        text += QStringLiteral(" · baseline");
    } else {
        text += QStringLiteral(" · %1 from the baseline").arg(signedValue(m, p.difference));
        if (p.change)
            text += QStringLiteral(" · %1").arg(changeWord(*p.change));
    }
    return text;
}

void ProgressChart::hoverPoint(std::size_t index) {
    hover_->setText(hoverText(index));
}

QString ProgressChart::changeText() const {
    return series_.latest_change ? changeWord(series_.latest_change->classification) : QString();
}

QString ProgressChart::hoverLine() const {
    return hover_->text();
}

int ProgressChart::pointsIn(const QString& klass) const {
    auto it = markers_.find(klass);
    return it == markers_.end() ? 0 : static_cast<int>(it->second->count());
}

void ProgressChart::onHovered(const QPointF& point, bool state) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    // The nearest session in time (the line reports points between sessions too).
    std::size_t best = 0;
    qreal best_d = std::numeric_limits<qreal>::infinity();
    for (std::size_t i = 0; i < series_.points.size(); ++i) {
        const qreal d = std::abs(dateMs(series_.points[i].date) - point.x());
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    hoverPoint(best);
    QToolTip::showText(QCursor::pos(), hoverText(best), view_);
}

// ---- ProgressPage -----------------------------------------------------------------------------

ProgressPage::ProgressPage(QWidget* parent) : QWidget(parent) {
    header_ = new QLabel(this);
    header_->setObjectName(QStringLiteral("progress-header"));
    header_->setWordWrap(true);
    header_->setTextFormat(Qt::RichText);

    auto* choose = new QWidget(this);
    auto* choose_layout = new QVBoxLayout(choose);
    choose_layout->setContentsMargins(0, 0, 0, 0);
    const std::vector<std::string> defaults = app::defaultProgressKeys();
    for (app::ProgressGroup g : {app::ProgressGroup::kSway, app::ProgressGroup::kDizziness}) {
        auto* box = new QGroupBox(
            g == app::ProgressGroup::kSway ? QStringLiteral("Sway") : QStringLiteral("Dizziness"),
            choose);
        auto* l = new QVBoxLayout(box);
        for (const app::ProgressMetric& m : app::progressMetrics()) {
            if (m.group != g)
                continue;
            // The short label fits the column; the full one is the tooltip.
            auto* cb = new QCheckBox(qs(m.short_label), box);
            cb->setToolTip(qs(m.label));
            cb->setObjectName(QStringLiteral("measure-") + qs(m.key));
            cb->setChecked(std::find(defaults.begin(), defaults.end(), m.key) != defaults.end());
            connect(cb, &QCheckBox::toggled, this, [this] {
                user_chose_ = true;
                rebuild();
            });
            l->addWidget(cb);
            boxes_[m.key] = cb;
        }
        choose_layout->addWidget(box);
    }
    choose_layout->addStretch(1);
    auto* choose_scroll = new QScrollArea(this);
    choose_scroll->setWidgetResizable(true);
    choose_scroll->setWidget(choose);
    choose_scroll->setMaximumWidth(280);
    choose_scroll->setMinimumWidth(200);

    empty_note_ = new QLabel(this);
    empty_note_->setObjectName(QStringLiteral("progress-empty-note"));
    empty_note_->setWordWrap(true);
    empty_note_->setStyleSheet(QStringLiteral("QLabel { color: #555; }"));
    grid_host_ = new QWidget();
    grid_host_->setObjectName(QStringLiteral("progress-charts"));
    grid_ = new QGridLayout(grid_host_);
    grid_->setContentsMargins(0, 0, 0, 0);
    grid_->setSpacing(8);
    auto* charts_scroll = new QScrollArea(this);
    charts_scroll->setWidgetResizable(true);
    charts_scroll->setWidget(grid_host_);
    charts_scroll->setFrameShape(QFrame::NoFrame);
    charts_scroll_ = charts_scroll;
    charts_scroll->viewport()->installEventFilter(this);

    auto* right = new QVBoxLayout();
    right->addWidget(header_);
    right->addWidget(empty_note_);
    right->addWidget(charts_scroll, 1);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(choose_scroll);
    layout->addLayout(right, 1);
    clearPage();
}

void ProgressPage::load(const datasets::Catalog& catalog, datasets::CatalogId patient_id) {
    std::vector<std::string> keys;
    for (const app::ProgressMetric& m : app::progressMetrics())
        keys.push_back(m.key);
    all_ = app::loadProgress(catalog, patient_id, keys);
    // Until the user picks measures, each patient opens on the default ones they have values for.
    if (!user_chose_)
        checkOnly(app::defaultProgressKeys(all_));
    const std::optional<datasets::Patient> p = catalog.patient(patient_id);
    std::size_t sessions = 0;
    std::string first, last;
    for (const app::ProgressSeries& s : all_) {
        if (s.points.size() > sessions) {
            sessions = s.points.size();
            first = s.points.front().date;
            last = s.points.back().date;
        }
    }
    QString who = p ? qs(p->given_name + " " + p->family_name).trimmed() : QString();
    header_->setText(
        QStringLiteral("<span style=\"font-size:14pt; font-weight:bold\">Progress over sessions"
                       "</span> &nbsp;<span style=\"font-size:11pt\">%1 %2</span><br>%3. The "
                       "shaded band is the baseline ± the measure's threshold: its minimal "
                       "clinically important difference (MCID) where one is published, else its "
                       "minimal detectable change (MDC). A change inside an MCID band is not a "
                       "clinically important one; inside an MDC band it is within measurement "
                       "error. Points: "
                       "<span style=\"color:%4\"><b>improved</b></span>, "
                       "<span style=\"color:%5\"><b>unchanged</b></span>, "
                       "<span style=\"color:%6\"><b>worse</b></span> than the baseline.")
            .arg(who.toHtmlEscaped(), p ? qs(p->subject_code).toHtmlEscaped() : QString(),
                 sessions == 0 ? QStringLiteral("No session values yet")
                               : QStringLiteral("%1 sessions from %2 to %3")
                                     .arg(sessions)
                                     .arg(qs(first), qs(last)),
                 colours::kImproved.name(), colours::kUnchanged.name(), colours::kWorse.name()));
    rebuild();
}

void ProgressPage::clearPage(const QString& message) {
    all_.clear();
    header_->setText(message.isEmpty() ? QStringLiteral("Choose a patient to see their progress.")
                                       : message.toHtmlEscaped());
    rebuild();
}

void ProgressPage::setSelectedKeys(const std::vector<std::string>& keys) {
    user_chose_ = true;
    checkOnly(keys);
    rebuild();
}

void ProgressPage::checkOnly(const std::vector<std::string>& keys) {
    for (auto& [key, box] : boxes_) {
        const QSignalBlocker block(box);
        box->setChecked(std::find(keys.begin(), keys.end(), key) != keys.end());
    }
}

std::vector<std::string> ProgressPage::selectedKeys() const {
    std::vector<std::string> keys;
    for (const app::ProgressMetric& m : app::progressMetrics()) {
        auto it = boxes_.find(m.key);
        if (it != boxes_.end() && it->second->isChecked())
            keys.push_back(m.key);
    }
    return keys;
}

ProgressChart* ProgressPage::chart(std::string_view key) const {
    for (ProgressChart* c : charts_) {
        if (c->series().metric.key == key)
            return c;
    }
    return nullptr;
}

void ProgressPage::setColumns(int columns) {
    max_columns_ = std::max(1, columns);
    columns_ = fittingColumns();
    rebuild();
}

int ProgressPage::fittingColumns() const {
    // A chart needs its axes, legend and the text under it: the widest minimum of the charts
    // shown (about 440 px before the first is built).
    int chart_width = 440;
    for (const ProgressChart* c : charts_)
        chart_width = std::max(chart_width, c->minimumSizeHint().width());
    const int width = charts_scroll_ != nullptr ? charts_scroll_->viewport()->width() : 0;
    return std::clamp((width + grid_->spacing()) / (chart_width + grid_->spacing()), 1,
                      max_columns_);
}

bool ProgressPage::eventFilter(QObject* watched, QEvent* event) {
    // The charts' viewport is resized by the layout after the page itself: follow it.
    if (charts_scroll_ != nullptr && watched == charts_scroll_->viewport() &&
        event->type() == QEvent::Resize) {
        if (const int fit = fittingColumns(); fit != columns_) {
            columns_ = fit;
            rebuild();
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ProgressPage::rebuild() {
    for (ProgressChart* c : charts_) {
        grid_->removeWidget(c);
        c->hide();
        c->deleteLater();
    }
    charts_.clear();
    QStringList without;
    int i = 0;
    for (const std::string& key : selectedKeys()) {
        auto it = std::find_if(all_.begin(), all_.end(),
                               [&](const app::ProgressSeries& s) { return s.metric.key == key; });
        if (it == all_.end())
            continue;
        if (it->points.empty()) {
            without << qs(it->metric.label);
            continue;
        }
        auto* c = new ProgressChart(*it, grid_host_);
        grid_->addWidget(c, i / columns_, i % columns_);
        charts_.push_back(c);
        ++i;
    }
    empty_note_->setText(without.isEmpty() ? QString()
                                           : QStringLiteral("No values in any session for: %1.")
                                                 .arg(without.join(QStringLiteral(", "))));
    empty_note_->setVisible(!without.isEmpty());
}

}  // namespace stance::gui
