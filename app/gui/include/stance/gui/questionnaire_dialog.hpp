#pragma once
/// \file
/// Entering a questionnaire for a session: the instrument (DHI, VSS-SF, ABC, dizziness VAS), one
/// row per item (number, subscale, Stance's neutral topic label; never the licensed item text)
/// with a choice or number field checked as it changes (app::QuestionnaireForm): an invalid
/// answer turns its row red with the reason, the footer says which items are still missing, the
/// score shows as soon as every item is valid, and Save (app::saveQuestionnaire) stores answers
/// and scores with the session.
///
/// Thread rules: UI thread only.

#include <QDialog>
#include <memory>
#include <vector>

#include "stance/app/questionnaire_form.hpp"

class QComboBox;
class QLabel;
class QLineEdit;
class QGridLayout;
class QPushButton;
class QWidget;
class QScrollArea;

namespace stance::gui {

class QuestionnaireDialog : public QDialog {
    Q_OBJECT
public:
    QuestionnaireDialog(datasets::Catalog& catalog, datasets::CatalogId session_id,
                        const QString& session_label, QWidget* parent = nullptr);

    /// Switches the instrument (clears the answers).
    void setInstrument(analysis::Instrument instrument);
    /// Answers item `index` (0-based) as if typed or chosen.
    void setAnswer(std::size_t index, const QString& text);
    const app::QuestionnaireForm& form() const noexcept { return *form_; }
    /// The reason shown on item `index`'s row ("" when valid or empty).
    QString itemMessage(std::size_t index) const;
    QString summaryText() const;
    QString scoreText() const;
    bool canSave() const;
    /// Saves as the Save button does; false (reason shown) when it cannot.
    bool save();

signals:
    void saved(stance::datasets::CatalogId session_id);

private:
    void buildRows();
    void onAnswer(std::size_t index, const QString& text);
    void refreshFooter();

    struct Row {
        QComboBox* choice = nullptr;
        QLineEdit* number = nullptr;
        QLabel* message = nullptr;
    };

    datasets::Catalog& catalog_;
    datasets::CatalogId session_id_;
    std::unique_ptr<app::QuestionnaireForm> form_;
    QComboBox* instrument_ = nullptr;
    QLabel* about_ = nullptr;
    QScrollArea* scroll_ = nullptr;
    std::vector<Row> rows_;
    QLabel* summary_ = nullptr;
    QLabel* score_ = nullptr;
    QPushButton* save_ = nullptr;
};

}  // namespace stance::gui
