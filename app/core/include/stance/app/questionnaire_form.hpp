#pragma once
/// \file
/// A questionnaire form that validates as the user answers: the items and what each may be, the
/// state of every item (empty, valid, invalid with the reason), which items are still missing,
/// the score (analysis::scoreQuestionnaire) and the record stored with the session.
///
/// Stance ships item numbers, subscales and short neutral topic labels only, not the
/// instruments' copyrighted item texts (docs/questionnaires.md): the clinic administers its
/// licensed form; this form takes the answers.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/expected.hpp"
#include "stance/analysis/questionnaire.hpp"
#include "stance/datasets/catalog.hpp"

namespace stance::app {

enum class ItemState { kEmpty, kValid, kInvalid };

struct ItemStatus {
    int number = 0;  ///< 1-based item number
    ItemState state = ItemState::kEmpty;
    std::string message;  ///< for kInvalid: "item 7: 'maybe' is not yes, sometimes or no"
};

class QuestionnaireForm {
public:
    explicit QuestionnaireForm(analysis::Instrument instrument);

    analysis::Instrument instrument() const noexcept { return instrument_; }
    const analysis::InstrumentInfo& info() const;
    std::size_t itemCount() const noexcept { return answers_.size(); }
    /// Item number, subscale and short label of item `index` (0-based).
    const analysis::QuestionnaireItem& item(std::size_t index) const;

    /// The fixed answers an item may take, in the order a form lists them: DHI {"no",
    /// "sometimes", "yes"}; VSS-SF {"0", ..., "4"}; empty for ABC (any whole number 0-100) and
    /// the VAS (any number 0-10), see numericRange().
    std::vector<std::string> choices() const;
    /// The numeric range of free-number items (ABC 0-100, VAS 0-10); nothing for choice items.
    std::optional<std::pair<double, double>> numericRange() const;
    /// True when only whole numbers are allowed (ABC, VSS-SF).
    bool wholeNumbers() const noexcept;

    /// Sets the answer of item `index` (0-based) and checks it at once; "" clears it. Returns
    /// the item's new status.
    const ItemStatus& setAnswer(std::size_t index, std::string_view text);
    const std::string& answer(std::size_t index) const;
    const ItemStatus& status(std::size_t index) const;

    /// 1-based numbers of the items not answered / answered invalidly.
    std::vector<int> missingItems() const;
    std::vector<int> invalidItems() const;
    std::size_t answeredCount() const noexcept;  ///< valid answers
    bool complete() const noexcept;              ///< every item valid
    /// One line for the form's footer: "All 25 items answered", "3 items missing: 4, 9, 17",
    /// "item 7: 'maybe' is not yes, sometimes or no".
    std::string summaryText() const;

    /// The score, or an error naming every missing and invalid item.
    analysis::Expected<analysis::QuestionnaireScore> score() const;

    /// The catalog record: instrument key ("dhi"), analysis::kClinicalAlgorithmVersion as the
    /// version of its scoring, answers in item order (item = its number, text as entered, value
    /// = the item's score), total and subscales. Throws AppError naming the missing / invalid items
    /// when not complete.
    datasets::Questionnaire toRecord(datasets::CatalogId session_id) const;

    /// A form filled with a stored record's answers (texts). Throws AppError when the record's
    /// instrument is unknown or its answer count is wrong.
    static QuestionnaireForm fromRecord(const datasets::Questionnaire& record);

private:
    analysis::Instrument instrument_;
    std::vector<std::string> answers_;
    std::vector<ItemStatus> status_;
};

/// "DHI", "VSS-SF", "ABC", "VAS": the short names screens and the report use.
std::string instrumentShortName(analysis::Instrument instrument);

/// Stores a complete form with its session, and its totals in the session summary
/// ("dhi_total", "dhi_physical", ..., "abc_total", "vas_total": the names of
/// analysis::flattenSummary), in one transaction. Returns the questionnaire's id. Throws
/// AppError for an incomplete form or an unknown session.
datasets::CatalogId saveQuestionnaire(datasets::Catalog& catalog, datasets::CatalogId session_id,
                                      const QuestionnaireForm& form);

/// The scored questionnaires of a session as the catalog holds them (re-scored from their
/// answers; a record that no longer scores is skipped with a note in `problems`; when an
/// instrument was filled in twice, the later record counts).
std::vector<analysis::QuestionnaireScore> sessionQuestionnaireScores(
    const datasets::Catalog& catalog, datasets::CatalogId session_id,
    std::vector<std::string>* problems = nullptr);

}  // namespace stance::app
