#pragma once
/// \file
/// Small pieces every window of stance-gui shares: the colours that carry meaning (inside /
/// outside the normative band, improved / worse), chart fonts and axes, string conversions, and
/// the way a problem is shown to the user (a window-modal message box opened without a nested
/// event loop, so nothing ever waits inside a handler and offscreen tests can read it).
///
/// Thread rules: UI thread only.

#include <QColor>
#include <QFont>
#include <QString>
#include <string>
#include <string_view>

class QWidget;
class QChart;
class QValueAxis;
class QLabel;

namespace stance::gui {

/// Colours with a meaning, chosen to stay apart for the common colour-vision deficiencies
/// (blue / orange rather than green / red) and on paper.
namespace colours {
inline const QColor kInsideNorm{0x1f, 0x77, 0xb4};   ///< within p5-p95: blue
inline const QColor kOutsideNorm{0xd9, 0x5f, 0x02};  ///< outside p5-p95: orange
inline const QColor kInsideFill{0xd6, 0xe6, 0xf4};   ///< table cell background, inside
inline const QColor kOutsideFill{0xfd, 0xdc, 0xc0};  ///< table cell background, outside
inline const QColor kImproved{0x1a, 0x7f, 0x3c};     ///< change: improved
inline const QColor kWorse{0xb2, 0x18, 0x2b};        ///< change: worse
inline const QColor kUnchanged{0x55, 0x55, 0x55};    ///< change: unchanged
inline const QColor kBand{0x9e, 0xc9, 0xe2, 0x70};  ///< change band fill (MCID or MDC; translucent)
inline const QColor kBandEdge{0x6b, 0xae, 0xd6};    ///< change band edge
inline const QColor kPath{0x2c, 0x3e, 0x50};        ///< COP path
inline const QColor kEllipse{0xd9, 0x5f, 0x02};     ///< 95 % ellipse
inline const QColor kSeriesMl{0x1f, 0x77, 0xb4};    ///< time series: ML
inline const QColor kSeriesAp{0x9b, 0x59, 0xb6};    ///< time series: AP
inline const QColor kOk{0x1a, 0x7f, 0x3c};
inline const QColor kProblem{0xb2, 0x18, 0x2b};
inline const QColor kWaiting{0xb0, 0x7d, 0x00};
}  // namespace colours

inline QString qs(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}
inline std::string ss(const QString& s) {
    return s.toStdString();
}

/// A number with `decimals` digits after the point, "-" for NaN.
QString formatNumber(double value, int decimals);

/// Chart fonts: titles 11 pt bold, axis titles 10 pt, labels 9 pt (readable on a clinic
/// screen and in a screenshot at 100 %).
QFont chartTitleFont();
QFont axisTitleFont();
QFont axisLabelFont();

/// A chart with the house look: white background, no animation, legend at the bottom, margins
/// that leave room for the axis titles.
void styleChart(QChart& chart, const QString& title);
/// Applies the axis fonts, a title with its unit ("COP velocity (mm/s)") and a light grid.
void styleAxis(QValueAxis& axis, const QString& title);

/// Shows a problem: a window-modal message box over `parent`, opened with open() (no nested
/// event loop), deleted when closed. Its object name is "stance-error" so tests can find it.
void showError(QWidget* parent, const QString& title, const QString& text);

/// A label for a coloured status word ("improved", "outside p5-p95"): bold, in `colour`.
void setStatusLabel(QLabel& label, const QString& text, const QColor& colour);

}  // namespace stance::gui
