#pragma once
/// \file
/// Progress over a patient's sessions (app::loadProgress): one chart per chosen measure, sway
/// first then dizziness, each with the session values against their dates, the baseline's
/// minimal clinically important difference (or minimal detectable change) drawn as a band
/// around the baseline, each later session's point coloured by its change class (improved /
/// unchanged / worse, analysis::classifyChange), the value of a point on hover, and under the
/// chart the latest change in words.
///
/// Thread rules: UI thread only.

#include <QChartView>
#include <QWidget>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stance/app/progress.hpp"

class QLabel;
class QGridLayout;
class QCheckBox;
class QLineSeries;
class QScatterSeries;
class QAreaSeries;

class QScrollArea;
class QEvent;

namespace stance::gui {

/// "improved" / "unchanged" / "worse" and its colour.
QString changeWord(analysis::ChangeClass c);
QColor changeColour(analysis::ChangeClass c);

/// One measure over sessions.
class ProgressChart : public QWidget {
    Q_OBJECT
public:
    explicit ProgressChart(app::ProgressSeries series, QWidget* parent = nullptr);

    const app::ProgressSeries& series() const noexcept { return series_; }
    /// What hovering point `index` shows ("2024-02-05 · DHI 34 points · -18 from the baseline ·
    /// improved (MCID 18 points)").
    QString hoverText(std::size_t index) const;
    /// Simulates hovering point `index` (tests): shows its text as the hover line does.
    void hoverPoint(std::size_t index);
    /// The latest change as shown under the chart ("improved", ...; "" without one).
    QString changeText() const;
    QString hoverLine() const;

    QChartView* view() const noexcept { return view_; }
    QLineSeries* valueLine() const noexcept { return line_; }
    QAreaSeries* band() const noexcept { return band_; }
    /// Points drawn in each change class's colour (the baseline is in "baseline").
    int pointsIn(const QString& klass) const;

private:
    void onHovered(const QPointF& point, bool state);

    app::ProgressSeries series_;
    QChartView* view_ = nullptr;
    QLineSeries* line_ = nullptr;
    QAreaSeries* band_ = nullptr;
    std::map<QString, QScatterSeries*> markers_;
    QLabel* change_ = nullptr;
    QLabel* summary_ = nullptr;
    QLabel* hover_ = nullptr;
};

/// The progress page: the measures to chart (check boxes, the app core's default selection) and
/// their charts in a grid.
class ProgressPage : public QWidget {
    Q_OBJECT
public:
    explicit ProgressPage(QWidget* parent = nullptr);

    /// Loads every measure of the patient (throws what app::loadProgress throws) and charts the
    /// selected ones that have values. Until the user has chosen measures (a tick, or
    /// setSelectedKeys), the selection is app::defaultProgressKeys for this patient.
    void load(const datasets::Catalog& catalog, datasets::CatalogId patient_id);
    void clearPage(const QString& message = {});
    /// Selects these measures (a choice of the user's: kept for the next patients).
    void setSelectedKeys(const std::vector<std::string>& keys);
    std::vector<std::string> selectedKeys() const;
    const std::vector<ProgressChart*>& charts() const noexcept { return charts_; }
    /// The chart of a measure, or nullptr when it is not shown.
    ProgressChart* chart(std::string_view key) const;
    /// The most columns of the chart grid (3 by default); fewer are used when the page is too
    /// narrow for them, so that no chart is cut off at the right edge.
    void setColumns(int columns);
    int columns() const noexcept { return columns_; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    /// Ticks exactly these measures without a rebuild per box.
    void checkOnly(const std::vector<std::string>& keys);
    /// Columns that fit the charts' viewport, at most max_columns_.
    int fittingColumns() const;

    std::vector<app::ProgressSeries> all_;
    std::map<std::string, QCheckBox*, std::less<>> boxes_;
    std::vector<ProgressChart*> charts_;
    QLabel* header_ = nullptr;
    QLabel* empty_note_ = nullptr;
    QWidget* grid_host_ = nullptr;
    QGridLayout* grid_ = nullptr;
    QScrollArea* charts_scroll_ = nullptr;
    int max_columns_ = 3;
    int columns_ = 2;
    bool user_chose_ = false;  ///< the user ticked or unticked a measure
};

}  // namespace stance::gui
