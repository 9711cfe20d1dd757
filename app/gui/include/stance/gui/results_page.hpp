#pragma once
/// \file
/// The results of one session (app::loadSessionResults): each condition's sway values, the
/// condition means against the normative bands (within p5-p95 in blue, outside in orange, the
/// table and its source named), the protocol scores, the questionnaires, and the stabilograms of
/// the conditions side by side on one common scale.
///
/// Thread rules: UI thread only.

#include <QWidget>
#include <optional>
#include <vector>

#include "stance/app/results.hpp"

class QLabel;
class QTableWidget;
class QGridLayout;

namespace stance::gui {

class StabilogramView;

class ResultsPage : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPage(QWidget* parent = nullptr);

    /// Shows results already loaded.
    void showResults(app::SessionResults results);
    /// Loads and shows a session; throws what app::loadSessionResults throws.
    void load(const datasets::Catalog& catalog, datasets::CatalogId session_id);
    void clearPage(const QString& message = {});

    const std::optional<app::SessionResults>& results() const noexcept { return results_; }
    QTableWidget* conditionTable() const noexcept { return conditions_; }
    QTableWidget* normTable() const noexcept { return norms_; }
    QTableWidget* scoreTable() const noexcept { return scores_; }
    QTableWidget* questionnaireTable() const noexcept { return questionnaires_; }
    const std::vector<StabilogramView*>& stabilograms() const noexcept { return stabilograms_; }

private:
    void fillConditions();
    void fillNorms();
    void fillScores();
    void fillQuestionnaires();
    void fillStabilograms();

    std::optional<app::SessionResults> results_;
    QLabel* header_ = nullptr;
    QLabel* norm_note_ = nullptr;
    QLabel* notes_ = nullptr;
    QTableWidget* conditions_ = nullptr;
    QTableWidget* norms_ = nullptr;
    QTableWidget* scores_ = nullptr;
    QTableWidget* questionnaires_ = nullptr;
    QGridLayout* stabilogram_grid_ = nullptr;
    std::vector<StabilogramView*> stabilograms_;
};

}  // namespace stance::gui
