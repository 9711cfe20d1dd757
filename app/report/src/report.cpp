// The session report as a PDF: QPdfWriter + QPainter, A4 portrait, vector charts. What each number
// is and where it comes from: docs/report.md.

#include "stance/report/report.hpp"

#include <unistd.h>

#include <QBuffer>
#include <QFont>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <algorithm>
#include <cmath>
#include <functional>
#include <system_error>

#include "stance/analysis/norms.hpp"

namespace stance::report {

namespace {

using app::ConditionResult;
using app::NormResult;
using app::PlotPoint;
using app::ProgressSeries;
using app::ReportModel;
namespace an = stance::analysis;

constexpr int kDpi = 300;
constexpr double kPageWidthMm = 210.0;
constexpr double kPageHeightMm = 297.0;
constexpr double kMarginMm = 14.0;
constexpr int kChartsPerProgressPage = 8;

// Colours: inside the normative band, above it, below it; chart inks.
const QColor kInsideInk(0x1b, 0x5e, 0x20);
const QColor kInsideFill(0xe3, 0xf2, 0xe4);
const QColor kAboveInk(0xb7, 0x1c, 0x1c);
const QColor kAboveFill(0xfd, 0xe2, 0xe2);
const QColor kBelowInk(0x0d, 0x47, 0xa1);
const QColor kBelowFill(0xe1, 0xec, 0xfa);
const QColor kHeaderFill(0x26, 0x3f, 0x5b);
const QColor kRule(0xb0, 0xb8, 0xc0);
const QColor kGrid(0xe2, 0xe6, 0xea);
const QColor kPathInk(0x2b, 0x4c, 0x7e);
const QColor kEllipseInk(0xd8, 0x5a, 0x12);
const QColor kBandFill(0xd6, 0xe9, 0xd8);
const QColor kMuted(0x55, 0x5f, 0x69);
const QColor kDemoFill(0xff, 0xf3, 0xc4);

QString q(const std::string& s) {
    return QString::fromStdString(app::readableUnits(s));
}

QString num(double v, int significant = 3) {
    return QString::fromStdString(app::formatNumber(v, significant));
}

std::string monthDay(const std::string& iso_date) {
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (iso_date.size() < 10)
        return iso_date;
    const int month = std::stoi(iso_date.substr(5, 2));
    const int day = std::stoi(iso_date.substr(8, 2));
    return std::to_string(day) + " " + (month >= 1 && month <= 12 ? kMonths[month - 1] : "?");
}

// A "nice" step (1, 2, 2.5 or 5 x 10^k) giving about `ticks` intervals over `span`.
double niceStep(double span, int ticks) {
    if (!(span > 0.0))
        return 1.0;
    const double raw = span / ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double f : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (f * mag >= raw)
            return f * mag;
    }
    return 10.0 * mag;
}

/// Draws pages in millimetres; counts them; adds the footer to each.
class Document {
public:
    Document(QPdfWriter& writer, const ReportModel& model, int total_pages)
        : writer_(writer), model_(model), total_(total_pages) {}

    bool begin() {
        if (!painter_.begin(&writer_))
            return false;
        painter_.setRenderHint(QPainter::Antialiasing, true);
        painter_.setRenderHint(QPainter::TextAntialiasing, true);
        // Millimetres from the page's top-left corner (the writer's margins are 0).
        const double s = kDpi / 25.4;
        painter_.scale(s, s);
        page_ = 1;
        startPage();
        return true;
    }
    void end() {
        finishPage();
        painter_.end();
    }
    void newPage() {
        finishPage();
        writer_.newPage();
        ++page_;
        startPage();
    }
    int pages() const { return page_; }
    QPainter& p() { return painter_; }
    double y = kMarginMm;  ///< next free line, mm
    double bottom() const { return kPageHeightMm - kMarginMm - 8.0; }
    double left() const { return kMarginMm; }
    double right() const { return kPageWidthMm - kMarginMm; }
    double width() const { return right() - left(); }

    QFont font(double pt, bool bold = false, bool italic = false) const {
        QFont f("DejaVu Sans");
        // The painter is scaled to millimetres, which scales fonts too: undo it so that `pt`
        // is the printed size in points.
        f.setPointSizeF(pt * 25.4 / kDpi);
        f.setBold(bold);
        f.setItalic(italic);
        // No ligatures: text copied or extracted from the PDF must read "fi", not U+FB01.
        f.setStyleStrategy(QFont::PreferNoShaping);
        return f;
    }
    /// Text in a rectangle, wrapped; returns the height used (mm).
    double text(const QRectF& r, const QString& s, const QFont& f, const QColor& ink = Qt::black,
                int flags = Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap) {
        painter_.setFont(f);
        painter_.setPen(ink);
        QRectF used;
        painter_.drawText(r, flags, s, &used);
        return used.height();
    }
    double measure(double width, const QString& s, const QFont& f) {
        painter_.setFont(f);
        return painter_.boundingRect(QRectF(0, 0, width, 1000), Qt::AlignLeft | Qt::TextWordWrap, s)
            .height();
    }
    /// A section title with a rule under it.
    void section(const QString& title, double keep_with_next_mm = 20.0) {
        need(12.0 + keep_with_next_mm);
        y += 3.0;
        text(QRectF(left(), y, width(), 8), title, font(12.5, true), kHeaderFill);
        y += 6.5;
        painter_.setPen(QPen(kRule, 0.3));
        painter_.drawLine(QPointF(left(), y), QPointF(right(), y));
        y += 2.5;
    }
    /// Starts a new page when fewer than `mm` remain.
    void need(double mm) {
        if (y + mm > bottom())
            newPage();
    }

private:
    void startPage() {
        y = kMarginMm;
        if (model_.header.demo) {
            painter_.fillRect(QRectF(0, 0, kPageWidthMm, 7.5), kDemoFill);
            text(QRectF(left(), 1.6, width(), 5),
                 "DEMO DATA: invented patient, simulated recordings. Not for clinical use.",
                 font(8.5, true), QColor(0x7a, 0x5a, 0x00), Qt::AlignHCenter | Qt::AlignTop);
            y = kMarginMm + 2.0;
        }
    }
    void finishPage() {
        const ReportModel& m = model_;
        const double fy = kPageHeightMm - kMarginMm - 3.0;
        painter_.setPen(QPen(kRule, 0.3));
        painter_.drawLine(QPointF(left(), fy - 1.5), QPointF(right(), fy - 1.5));
        const QString footer = q(m.header.patient_name + " (" + m.header.subject_code +
                                 "), session " + m.header.session_date + ". Stance " +
                                 STANCE_VERSION + ", generated " + m.header.generated + ".");
        text(QRectF(left(), fy, width() - 30, 5), footer, font(7), kMuted, Qt::AlignLeft);
        text(QRectF(right() - 30, fy, 30, 5),
             QString("Page %1 of %2").arg(page_).arg(std::max(total_, page_)), font(7), kMuted,
             Qt::AlignRight);
    }

    QPdfWriter& writer_;
    const ReportModel& model_;
    int total_;
    QPainter painter_;
    int page_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Page 1: header, interpretation, results against the norms, protocol scores

void drawHeader(Document& d, const ReportModel& m) {
    const app::ReportHeader& h = m.header;
    d.text(QRectF(d.left(), d.y, d.width(), 10), "Balance assessment report", d.font(18, true),
           kHeaderFill);
    d.y += 9.0;
    d.text(QRectF(d.left(), d.y, d.width(), 6), q(h.protocol), d.font(9.5), kMuted);
    d.y += 6.5;
    // Two columns of label: value.
    const std::vector<std::pair<std::string, std::string>> left = {
        {"Patient", h.patient_name},
        {"Patient ID", h.subject_code},
        {"Birth date", h.birth_date},
        {"Age at session", h.age},
        {"Sex", h.sex},
    };
    const std::vector<std::pair<std::string, std::string>> right = {
        {"Height", h.height},          {"Mass", h.mass}, {"Session", h.session_date},
        {"Operator", h.operator_name}, {"Site", h.site},
    };
    const double box_h = 5.2 * static_cast<double>(left.size()) + 4.0;
    d.p().setPen(QPen(kRule, 0.3));
    d.p().setBrush(QColor(0xf6, 0xf8, 0xfa));
    d.p().drawRoundedRect(QRectF(d.left(), d.y, d.width(), box_h), 1.5, 1.5);
    d.p().setBrush(Qt::NoBrush);
    const double col = d.width() / 2.0;
    for (std::size_t k = 0; k < left.size(); ++k) {
        const double yy = d.y + 2.0 + 5.2 * static_cast<double>(k);
        for (int c = 0; c < 2; ++c) {
            const auto& item = c == 0 ? left[k] : right[k];
            const double x = d.left() + 3.0 + col * c;
            d.text(QRectF(x, yy, 30, 5), q(item.first), d.font(8.5), kMuted);
            d.text(QRectF(x + 30, yy, col - 36, 5), q(item.second),
                   d.font(9.5, item.first == "Patient"), Qt::black, Qt::AlignLeft | Qt::AlignTop);
        }
    }
    d.y += box_h + 1.0;
}

void drawInterpretation(Document& d, const ReportModel& m) {
    d.section("Interpretation");
    const QFont f = d.font(9.5);
    for (const std::string& line : m.interpretation) {
        const QString s = q(line);
        const double h = d.measure(d.width() - 6, s, f);
        d.need(h + 1.5);
        d.p().setPen(Qt::NoPen);
        d.p().setBrush(kHeaderFill);
        d.p().drawEllipse(QPointF(d.left() + 1.6, d.y + 2.1), 0.7, 0.7);
        d.p().setBrush(Qt::NoBrush);
        d.text(QRectF(d.left() + 5, d.y, d.width() - 6, h + 1), s, f);
        d.y += h + 1.4;
    }
    if (m.interpretation.empty()) {
        d.text(QRectF(d.left(), d.y, d.width(), 6), "No interpretation: the session has no scores.",
               f, kMuted);
        d.y += 6;
    }
}

struct Cell {
    QString text;
    QColor fill = Qt::transparent;
    QColor ink = Qt::black;
    bool bold = false;
    bool small = false;  ///< sources and definitions
};

Cell smallCell(const std::string& text) {
    Cell c;
    c.text = q(text);
    c.ink = kMuted;
    c.small = true;
    return c;
}

/// A table with a header row; column widths in mm. Returns nothing; advances d.y.
void drawTable(Document& d, const QString& title, const std::vector<double>& widths,
               const std::vector<QString>& head, const std::vector<std::vector<Cell>>& rows,
               double row_h = 6.2) {
    const QFont hf = d.font(8, true);
    double head_h = 0.0;
    for (std::size_t c = 0; c < head.size(); ++c)
        head_h = std::max(head_h, d.measure(widths[c] - 2.0, head[c], hf));
    head_h += 2.4;
    std::vector<double> heights;
    double total = head_h;
    for (const auto& row : rows) {
        double h = row_h;
        for (std::size_t c = 0; c < row.size(); ++c)
            h = std::max(h, d.measure(widths[c] - 2.0, row[c].text,
                                      row[c].small ? d.font(7.0) : d.font(8.5, row[c].bold)) +
                                2.2);
        heights.push_back(h);
        total += h;
    }
    // A table that fits on one page is never split; a longer one starts with a few rows.
    const double title_h = title.isEmpty() ? 0.0 : 12.0;
    d.need(title_h + (total <= d.bottom() - kMarginMm - 20.0
                          ? total
                          : head_h + (heights.empty() ? 0.0 : heights[0])));
    if (!title.isEmpty())
        d.section(title, 0.0);
    double x = d.left();
    d.p().fillRect(QRectF(d.left(), d.y, d.width(), head_h), QColor(0xea, 0xee, 0xf2));
    for (std::size_t c = 0; c < head.size(); ++c) {
        d.text(QRectF(x + 1.0, d.y + 1.2, widths[c] - 2.0, head_h), head[c], hf, kHeaderFill);
        x += widths[c];
    }
    d.y += head_h;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const double h = heights[r];
        d.need(h);
        x = d.left();
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (row[c].fill != Qt::transparent)
                d.p().fillRect(QRectF(x + 0.3, d.y + 0.3, widths[c] - 0.6, h - 0.6), row[c].fill);
            d.text(QRectF(x + 1.0, d.y + (row[c].small ? 1.4 : 1.1), widths[c] - 2.0, h),
                   row[c].text, row[c].small ? d.font(7.0) : d.font(8.5, row[c].bold), row[c].ink);
            x += widths[c];
        }
        d.y += h;
        d.p().setPen(QPen(kRule, 0.2));
        d.p().drawLine(QPointF(d.left(), d.y), QPointF(d.right(), d.y));
    }
    d.y += 1.5;
}

Cell normCell(const std::optional<double>& value, const NormResult* n) {
    Cell c;
    if (!value) {
        c.text = "n/a";
        c.ink = kMuted;
        return c;
    }
    c.text = num(*value);
    if (n == nullptr)
        return c;
    switch (n->band) {
        case an::NormBand::kWithinP5P95:
            c.fill = kInsideFill;
            c.ink = kInsideInk;
            c.text += n->percentile ? QString("  (P%1)").arg(std::lround(*n->percentile))
                                    : QString("  (P5-P95)");
            break;
        case an::NormBand::kAboveP95:
            c.fill = kAboveFill;
            c.ink = kAboveInk;
            c.bold = true;
            c.text += "  (> P95)";
            break;
        case an::NormBand::kBelowP5:
            c.fill = kBelowFill;
            c.ink = kBelowInk;
            c.bold = true;
            c.text += "  (< P5)";
            break;
    }
    return c;
}

const NormResult* findNorm(const ConditionResult& c, const std::string& metric) {
    for (const NormResult& n : c.norms)
        if (n.metric == metric)
            return &n;
    return nullptr;
}

void drawResults(Document& d, const ReportModel& m) {
    const app::SessionResults& r = m.results;
    std::vector<std::vector<Cell>> rows;
    for (const ConditionResult& c : r.conditions) {
        const NormResult* area = findNorm(c, "bds_cop_area");
        const NormResult* vel = findNorm(c, "bds_cop_velocity");
        std::vector<Cell> row;
        row.push_back({q(c.label), Qt::transparent, Qt::black, true});
        row.push_back({QString("%1 of %2").arg(c.n_usable).arg(c.n_expected)});
        row.push_back(normCell(c.cop_velocity_mm_s, vel));
        row.push_back({vel ? num(vel->p5) + " - " + num(vel->p95) : QString("none")});
        row.push_back(normCell(c.cop_area_mm2, area));
        row.push_back({area ? num(area->p5) + " - " + num(area->p95) : QString("none")});
        row.push_back({c.sway_velocity_deg_s ? num(*c.sway_velocity_deg_s) : QString("n/a")});
        rows.push_back(std::move(row));
    }
    drawTable(
        d, "Protocol results against the norms", {34, 17, 29, 25, 30, 27, 20},
        {"Condition", "Usable trials", "COP velocity, mm/s (percentile)", "Norm P5 - P95, mm/s",
         q("Sway area, mm^2 (percentile)"), q("Norm P5 - P95, mm^2"), "Sway velocity, deg/s"},
        rows);
    // Legend and source.
    const double ly = d.y;
    double x = d.left();
    for (auto [fill, ink, label] :
         {std::tuple{kInsideFill, kInsideInk, "inside the 5th-95th percentile band"},
          std::tuple{kAboveFill, kAboveInk, "above the 95th percentile"},
          std::tuple{kBelowFill, kBelowInk, "below the 5th percentile"}}) {
        d.p().fillRect(QRectF(x, ly + 0.6, 3.2, 3.2), fill);
        d.p().setPen(QPen(ink, 0.3));
        d.p().drawRect(QRectF(x, ly + 0.6, 3.2, 3.2));
        d.text(QRectF(x + 4.5, ly, 60, 5), label, d.font(7.5), ink);
        x += 60;
    }
    d.y += 5.5;
    const QString src =
        q("Values are means of the condition's usable trials (COP velocity and 95 % prediction-"
          "ellipse area as Santos & Duarte 2016 define them, on the unfiltered COP). Norms: " +
          (r.norm_group.empty() ? std::string("none for this patient") : r.norm_group) +
          ", per-trial distribution of " + m.norm_source +
          ". Sway velocity: centre-of-mass sway angle path per second (docs/clinical.md).");
    const double h = d.measure(d.width(), src, d.font(7.2));
    d.need(h);
    d.text(QRectF(d.left(), d.y, d.width(), h + 1), src, d.font(7.2), kMuted);
    d.y += h + 1.0;

    if (!r.scores.empty()) {
        std::vector<std::vector<Cell>> srows;
        for (const app::ScoreResult& s : r.scores) {
            std::vector<Cell> row;
            row.push_back({q(s.label)});
            if (s.value) {
                row.push_back({num(*s.value) + (s.unit.empty() ? "" : " " + q(s.unit)),
                               Qt::transparent, Qt::black, true});
                row.push_back(smallCell(s.source));
            } else {
                // The reason is the useful part: it gets the wide column, the source follows it.
                row.push_back({q("not available"), Qt::transparent, kMuted});
                row.push_back(
                    {q(s.missing_reason + " (" + s.source + ")"), Qt::transparent, kMuted});
            }
            srows.push_back(std::move(row));
        }
        drawTable(d, "Protocol scores", {60, 24, 98}, {"Score", "Value", "Definition"}, srows, 5.4);
    }
}

// ---------------------------------------------------------------------------------------------
// Page 2: stabilograms, questionnaires, notes

void drawStabilograms(Document& d, const ReportModel& m) {
    const app::SessionResults& r = m.results;
    {
        const std::size_t per =
            std::min<std::size_t>(std::max<std::size_t>(r.conditions.size(), 1), 4);
        const double c =
            (d.width() - 4.0 * static_cast<double>(per - 1)) / static_cast<double>(per);
        d.section("Stabilograms (COP path with its 95 % prediction ellipse)", c + 10.0);
    }
    std::vector<const app::TrialResult*> shown;
    std::vector<const ConditionResult*> conds;
    double extent = 0.0;
    for (const ConditionResult& c : r.conditions) {
        const app::TrialResult* t =
            c.representative >= 0 ? &c.trials[static_cast<std::size_t>(c.representative)] : nullptr;
        shown.push_back(t);
        conds.push_back(&c);
        if (t == nullptr || !t->stabilogram)
            continue;
        for (const PlotPoint& p : t->stabilogram->path_m)
            extent = std::max({extent, std::abs(p.x), std::abs(p.y)});
        for (const PlotPoint& p : t->stabilogram->ellipse_m)
            extent = std::max({extent, std::abs(p.x), std::abs(p.y)});
    }
    // One scale for every condition, so the plots compare at a glance.
    const double step = niceStep(extent * 2e3, 4);
    const double half = std::max(step, std::ceil(extent * 1e3 / step) * step);  // mm
    const std::size_t n = std::max<std::size_t>(conds.size(), 1);
    const std::size_t per_row = std::min<std::size_t>(n, 4);
    const double gap = 4.0;
    const double cell =
        (d.width() - gap * static_cast<double>(per_row - 1)) / static_cast<double>(per_row);
    const double plot = cell - 9.0;
    for (std::size_t k = 0; k < conds.size(); ++k) {
        if (k % per_row == 0) {
            if (k > 0)
                d.y += plot + 18.0;
            d.need(plot + 18.0);
        }
        const double x0 = d.left() + static_cast<double>(k % per_row) * (cell + gap);
        const ConditionResult& c = *conds[k];
        d.text(QRectF(x0, d.y, cell, 5), q(c.label), d.font(9, true), kHeaderFill,
               Qt::AlignHCenter | Qt::AlignTop);
        const QRectF box(x0 + 7.0, d.y + 5.5, plot, plot);
        d.p().setPen(QPen(kRule, 0.25));
        d.p().setBrush(Qt::white);
        d.p().drawRect(box);
        const auto mapx = [&](double mm) { return box.center().x() + mm / half * plot / 2.0; };
        const auto mapy = [&](double mm) { return box.center().y() - mm / half * plot / 2.0; };
        for (double t = -half; t <= half + 1e-9; t += step) {
            d.p().setPen(QPen(kGrid, 0.2));
            d.p().drawLine(QPointF(mapx(t), box.top()), QPointF(mapx(t), box.bottom()));
            d.p().drawLine(QPointF(box.left(), mapy(t)), QPointF(box.right(), mapy(t)));
            d.text(QRectF(mapx(t) - 6, box.bottom() + 0.4, 12, 3.5), num(t), d.font(5.5), kMuted,
                   Qt::AlignHCenter | Qt::AlignTop);
            d.text(QRectF(box.left() - 7.2, mapy(t) - 1.7, 6.8, 3.5), num(t), d.font(5.5), kMuted,
                   Qt::AlignRight | Qt::AlignVCenter);
        }
        d.p().setPen(QPen(kRule, 0.3));
        d.p().drawLine(QPointF(mapx(0), box.top()), QPointF(mapx(0), box.bottom()));
        d.p().drawLine(QPointF(box.left(), mapy(0)), QPointF(box.right(), mapy(0)));
        const app::TrialResult* t = shown[k];
        if (t != nullptr && t->stabilogram) {
            const app::Stabilogram& s = *t->stabilogram;
            QPainterPath path;
            for (std::size_t i = 0; i < s.path_m.size(); ++i) {
                const QPointF pt(mapx(s.path_m[i].x * 1e3), mapy(s.path_m[i].y * 1e3));
                if (i == 0)
                    path.moveTo(pt);
                else
                    path.lineTo(pt);
            }
            d.p().setClipRect(box);
            d.p().setPen(QPen(kPathInk, 0.18));
            d.p().setBrush(Qt::NoBrush);
            d.p().drawPath(path);
            QPainterPath ell;
            for (std::size_t i = 0; i < s.ellipse_m.size(); ++i) {
                const QPointF pt(mapx(s.ellipse_m[i].x * 1e3), mapy(s.ellipse_m[i].y * 1e3));
                if (i == 0)
                    ell.moveTo(pt);
                else
                    ell.lineTo(pt);
            }
            d.p().setPen(QPen(kEllipseInk, 0.45));
            d.p().drawPath(ell);
            d.p().setClipping(false);
            QString sub = QString("trial %1").arg(t->repetition);
            if (s.ellipse)
                sub += q(", ellipse " + app::formatNumber(s.ellipse->area_m2 * 1e6) + " mm^2");
            d.text(QRectF(x0, box.bottom() + 4.0, cell, 4), sub, d.font(7), kMuted,
                   Qt::AlignHCenter | Qt::AlignTop);
        } else {
            d.text(box, "no recording", d.font(8), kMuted, Qt::AlignCenter);
        }
        // Axis names.
        d.text(QRectF(box.left(), box.bottom() + 7.3, plot, 4), "ML, mm (right +)", d.font(5.5),
               kMuted, Qt::AlignHCenter | Qt::AlignTop);
        d.p().save();
        d.p().translate(x0 + 0.6, box.center().y());
        d.p().rotate(-90);
        d.text(QRectF(-plot / 2, -0.2, plot, 3), "AP, mm (anterior +)", d.font(5.5), kMuted,
               Qt::AlignHCenter | Qt::AlignTop);
        d.p().restore();
    }
    d.y += plot + 18.0;
    d.text(QRectF(d.left(), d.y - 2.0, d.width(), 8),
           q("Each plot shows the trial with the median ellipse area of its condition, about its "
             "mean position, on a common scale. Ellipse: 95 % prediction ellipse (Schubert & "
             "Kirchner 2014)."),
           d.font(7.2), kMuted);
    d.y += 6.0;
}

void drawQuestionnaires(Document& d, const ReportModel& m) {
    const app::SessionResults& r = m.results;
    if (r.questionnaires.empty()) {
        d.section("Questionnaires");
        d.text(QRectF(d.left(), d.y, d.width(), 6),
               "No questionnaire was filled in at this session.", d.font(9), kMuted);
        d.y += 7.0;
        return;
    }
    std::vector<std::vector<Cell>> rows;
    for (const app::QuestionnaireResult& qr : r.questionnaires) {
        std::string subs;
        for (const an::Subscore& s : qr.subscales)
            subs += (subs.empty() ? "" : ", ") + s.name + " " + app::formatNumber(s.value) + "/" +
                    app::formatNumber(s.max);
        std::vector<Cell> row;
        row.push_back({q(qr.name), Qt::transparent, Qt::black, true});
        row.push_back({num(qr.total) + " / " + num(qr.max_total) + " " + q(qr.unit),
                       Qt::transparent, Qt::black, true});
        row.push_back({q(subs.empty() ? "-" : subs)});
        row.push_back({q(qr.band.empty() ? "-" : qr.band)});
        row.push_back(smallCell(qr.source));
        rows.push_back(std::move(row));
    }
    drawTable(d, "Questionnaires", {44, 24, 38, 16, 60},
              {"Instrument", "Score", "Subscales", "Band", "Source"}, rows);
}

void drawNotes(Document& d, const ReportModel& m) {
    const app::SessionResults& r = m.results;
    if (r.notes.empty())
        return;
    d.section("Notes");
    for (const std::string& n : r.notes) {
        const QString s = q(n);
        const double h = d.measure(d.width(), s, d.font(7.5));
        d.need(h + 1);
        d.text(QRectF(d.left(), d.y, d.width(), h + 1), s, d.font(7.5), kMuted);
        d.y += h + 0.8;
    }
}

// ---------------------------------------------------------------------------------------------
// Progress pages

QColor changeColour(const std::optional<an::ChangeClass>& c) {
    if (!c)
        return QColor(0x33, 0x33, 0x33);
    switch (*c) {
        case an::ChangeClass::kImproved:
            return kInsideInk;
        case an::ChangeClass::kWorse:
            return kAboveInk;
        case an::ChangeClass::kUnchanged:
            break;
    }
    return QColor(0x80, 0x80, 0x80);
}

void drawProgressChart(Document& d, const ProgressSeries& s, const QRectF& area) {
    const app::ProgressMetric& metric = s.metric;
    const QString unit = metric.unit.empty() ? QString() : " (" + q(metric.unit) + ")";
    QString title = q(metric.label) + unit;
    d.p().setFont(d.font(8.5, true));
    if (d.p().fontMetrics().horizontalAdvance(title) > area.width() - 1.0)
        title = q(metric.short_label) + unit;  // the long label does not fit the column
    d.text(QRectF(area.left(), area.top(), area.width(), 5), title, d.font(8.5, true), kHeaderFill,
           Qt::AlignLeft | Qt::AlignTop);
    QString sub = metric.lower_is_better ? "lower is better" : "higher is better";
    if (s.band) {
        sub += q(std::string("; band: baseline \u00b1 ") +
                 (s.band->kind == an::ThresholdKind::kMcid ? "MCID " : "MDC ") +
                 app::formatNumber(s.band->threshold) +
                 (metric.unit.empty() ? "" : " " + metric.unit));
    } else {
        sub += "; no published MCID / MDC";
    }
    d.text(QRectF(area.left(), area.top() + 4.3, area.width(), 4), sub, d.font(6.5), kMuted);
    const QRectF plot(area.left() + 11.0, area.top() + 10.0, area.width() - 14.0,
                      area.height() - 17.0);
    double lo = s.points.front().value, hi = lo;
    for (const auto& p : s.points) {
        lo = std::min(lo, p.value);
        hi = std::max(hi, p.value);
    }
    if (s.band) {
        lo = std::min(lo, s.band->lower);
        hi = std::max(hi, s.band->upper);
    }
    if (hi - lo < 1e-12) {
        const double pad = std::abs(hi) > 0 ? std::abs(hi) * 0.1 : 1.0;
        lo -= pad;
        hi += pad;
    }
    const double step = niceStep(hi - lo, 4);
    lo = std::floor(lo / step) * step;
    hi = std::ceil(hi / step) * step;
    if (lo < 0.0 && s.points.front().value >= 0.0 && (!s.band || s.band->lower >= 0.0))
        lo = 0.0;
    const double span_days = std::max(s.points.back().days_since_baseline, 1.0);
    const auto mx = [&](double days) {
        return plot.left() + 4.0 + (plot.width() - 8.0) * days / span_days;
    };
    const auto my = [&](double v) { return plot.bottom() - (v - lo) / (hi - lo) * plot.height(); };
    d.p().setPen(QPen(kRule, 0.25));
    d.p().setBrush(Qt::NoBrush);
    d.p().drawRect(plot);
    for (double t = lo; t <= hi + step * 1e-6; t += step) {
        d.p().setPen(QPen(kGrid, 0.2));
        d.p().drawLine(QPointF(plot.left(), my(t)), QPointF(plot.right(), my(t)));
        d.text(QRectF(plot.left() - 11.0, my(t) - 1.8, 10.2, 3.6), num(t), d.font(5.8), kMuted,
               Qt::AlignRight | Qt::AlignVCenter);
    }
    if (s.band) {
        const double top = my(std::min(s.band->upper, hi));
        const double bot = my(std::max(s.band->lower, lo));
        d.p().fillRect(QRectF(plot.left(), top, plot.width(), bot - top), kBandFill);
        QPen dash(QColor(0x5f, 0x8f, 0x63), 0.3, Qt::DashLine);
        d.p().setPen(dash);
        d.p().drawLine(QPointF(plot.left(), my(s.band->baseline)),
                       QPointF(plot.right(), my(s.band->baseline)));
    }
    QPainterPath line;
    for (std::size_t k = 0; k < s.points.size(); ++k) {
        const QPointF pt(mx(s.points[k].days_since_baseline), my(s.points[k].value));
        if (k == 0)
            line.moveTo(pt);
        else
            line.lineTo(pt);
    }
    d.p().setPen(QPen(kPathInk, 0.45));
    d.p().drawPath(line);
    for (std::size_t k = 0; k < s.points.size(); ++k) {
        const app::ProgressPoint& p = s.points[k];
        const QPointF pt(mx(p.days_since_baseline), my(p.value));
        d.p().setPen(QPen(Qt::white, 0.25));
        d.p().setBrush(changeColour(p.change));
        d.p().drawEllipse(pt, 1.1, 1.1);
        d.p().setBrush(Qt::NoBrush);
        d.text(QRectF(pt.x() - 8, pt.y() - 4.6, 16, 3.4), num(p.value), d.font(5.8), Qt::black,
               Qt::AlignHCenter | Qt::AlignBottom);
        d.text(QRectF(pt.x() - 8, plot.bottom() + 0.6, 16, 3.4), q(monthDay(p.date)), d.font(5.8),
               kMuted, Qt::AlignHCenter | Qt::AlignTop);
    }
}

void drawProgress(Document& d, const ReportModel& m, std::size_t first, std::size_t count) {
    d.section(first == 0 ? "Progress over sessions" : "Progress over sessions (continued)");
    if (first == 0) {
        const QString legend =
            q("Points: baseline (black), then each session against the baseline: improved (green), "
              "unchanged (grey), worse (red) by the measure's minimal clinically important "
              "difference (MCID) or minimal detectable change (MDC); measures without one are not "
              "classified (dark). The shaded band is baseline \u00b1 threshold.");
        const double h = d.measure(d.width(), legend, d.font(7.2));
        d.text(QRectF(d.left(), d.y, d.width(), h + 1), legend, d.font(7.2), kMuted);
        d.y += h + 2.0;
    }
    const double gap = 6.0;
    const double w = (d.width() - gap) / 2.0;
    const double h = 52.0;
    for (std::size_t k = 0; k < count; ++k) {
        const ProgressSeries& s = m.progress[first + k];
        const double x = d.left() + static_cast<double>(k % 2) * (w + gap);
        const double y = d.y + static_cast<double>(k / 2) * (h + 4.0);
        drawProgressChart(d, s, QRectF(x, y, w, h));
    }
    d.y += static_cast<double>((count + 1) / 2) * (h + 4.0);
    if (first + count == m.progress.size() && !m.threshold_sources.empty()) {
        std::string src = "Thresholds: ";
        for (std::size_t k = 0; k < m.threshold_sources.size(); ++k)
            src += (k > 0 ? "; " : "") + m.threshold_sources[k];
        src += ".";
        const double th = d.measure(d.width(), q(src), d.font(7));
        d.need(th);
        d.text(QRectF(d.left(), d.y, d.width(), th + 1), q(src), d.font(7), kMuted);
        d.y += th + 1;
    }
}

bool hasProgressPage(const ReportModel& m) {
    for (const ProgressSeries& s : m.progress)
        if (s.points.size() >= 2)
            return true;
    return false;
}

/// Draws the whole report; returns the number of pages.
int render(QPdfWriter& writer, const ReportModel& m, int total_pages, std::string* error) {
    Document d(writer, m, total_pages);
    if (!d.begin()) {
        *error = "cannot open the PDF for painting";
        return 0;
    }
    drawHeader(d, m);
    drawInterpretation(d, m);
    drawResults(d, m);
    drawStabilograms(d, m);
    drawQuestionnaires(d, m);
    drawNotes(d, m);
    if (hasProgressPage(m)) {
        for (std::size_t first = 0; first < m.progress.size(); first += kChartsPerProgressPage) {
            d.newPage();
            drawProgress(d, m, first,
                         std::min<std::size_t>(kChartsPerProgressPage, m.progress.size() - first));
        }
    }
    const int pages = d.pages();
    d.end();
    return pages;
}

void setUp(QPdfWriter& w, const ReportModel& m) {
    w.setResolution(kDpi);
    w.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait,
                                QMarginsF(0, 0, 0, 0), QPageLayout::Millimeter));
    w.setTitle(QString::fromStdString("Balance assessment report: " + m.header.subject_code + ", " +
                                      m.header.session_date));
    w.setCreator(QString("Stance ") + STANCE_VERSION);
}

}  // namespace

int reportPageCount(const app::ReportModel& model) {
    ensureGuiApplication();
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter w(&buffer);
    setUp(w, model);
    std::string error;
    return render(w, model, 0, &error);
}

PdfResult writeReportPdf(const app::ReportModel& model, const std::filesystem::path& out) {
    namespace fs = std::filesystem;
    ensureGuiApplication();
    const fs::path folder = out.has_parent_path() ? out.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw ReportError(out, "the folder " + folder.string() + " does not exist");
    if (fs::is_directory(out, ec))
        throw ReportError(out, "is a folder");
    if (::access(folder.c_str(), W_OK) != 0)
        throw ReportError(out, "the folder " + folder.string() + " is not writable");
    const int pages = reportPageCount(model);
    const fs::path tmp =
        folder / ("." + out.filename().string() + ".tmp-" + std::to_string(::getpid()));
    std::string error;
    int written = 0;
    {
        QPdfWriter w(QString::fromStdString(tmp.string()));
        setUp(w, model);
        written = render(w, model, pages, &error);
    }
    if (written == 0 || !fs::exists(tmp, ec) || fs::file_size(tmp, ec) == 0) {
        fs::remove(tmp, ec);
        throw ReportError(out, error.empty() ? "the PDF could not be written" : error);
    }
    fs::rename(tmp, out, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove(tmp, ec);
        throw ReportError(out, "cannot move the finished PDF into place: " + why);
    }
    return {out, written};
}

}  // namespace stance::report
