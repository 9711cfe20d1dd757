#include "stance/app/questionnaire_form.hpp"

#include <algorithm>
#include <cmath>

#include "stance/analysis/summary.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/report_model.hpp"
#include "text_util.hpp"

namespace stance::app {

namespace {

namespace an = stance::analysis;
namespace ds = stance::datasets;

std::string join(const std::vector<int>& v) {
    std::string s;
    for (int x : v)
        s += (s.empty() ? "" : ", ") + std::to_string(x);
    return s;
}

// Whole number in [lo, hi], the whole text.
std::optional<int> parseWhole(std::string_view t, int lo, int hi) {
    const auto x = detail::parseNumber(t);
    if (!x || *x != std::floor(*x) || *x < lo || *x > hi || t.find_first_of(".,eE") != t.npos)
        return std::nullopt;
    return static_cast<int>(*x);
}

}  // namespace

std::string instrumentShortName(an::Instrument instrument) {
    switch (instrument) {
        case an::Instrument::kDhi:
            return "DHI";
        case an::Instrument::kVssSf:
            return "VSS-SF";
        case an::Instrument::kAbc:
            return "ABC";
        case an::Instrument::kDizzinessVas:
            return "VAS";
    }
    return "?";
}

QuestionnaireForm::QuestionnaireForm(an::Instrument instrument) : instrument_(instrument) {
    const auto& items = an::instrumentInfo(instrument).items;
    answers_.resize(items.size());
    status_.resize(items.size());
    for (std::size_t k = 0; k < items.size(); ++k)
        status_[k].number = items[k].number;
}

const an::InstrumentInfo& QuestionnaireForm::info() const {
    return an::instrumentInfo(instrument_);
}

const an::QuestionnaireItem& QuestionnaireForm::item(std::size_t index) const {
    return info().items.at(index);
}

std::vector<std::string> QuestionnaireForm::choices() const {
    switch (instrument_) {
        case an::Instrument::kDhi:
            return {"no", "sometimes", "yes"};
        case an::Instrument::kVssSf:
            return {"0", "1", "2", "3", "4"};
        case an::Instrument::kAbc:
        case an::Instrument::kDizzinessVas:
            break;
    }
    return {};
}

std::optional<std::pair<double, double>> QuestionnaireForm::numericRange() const {
    switch (instrument_) {
        case an::Instrument::kAbc:
            return std::pair{0.0, 100.0};
        case an::Instrument::kDizzinessVas:
            return std::pair{0.0, 10.0};
        case an::Instrument::kVssSf:
        case an::Instrument::kDhi:
            break;
    }
    return std::nullopt;
}

bool QuestionnaireForm::wholeNumbers() const noexcept {
    return instrument_ == an::Instrument::kAbc || instrument_ == an::Instrument::kVssSf;
}

const ItemStatus& QuestionnaireForm::setAnswer(std::size_t index, std::string_view text) {
    ItemStatus& st = status_.at(index);
    const std::string t(detail::trim(text));
    answers_[index] = t;
    st.message.clear();
    const std::string item = "item " + std::to_string(st.number);
    if (t.empty()) {
        st.state = ItemState::kEmpty;
        return st;
    }
    bool valid = false;
    switch (instrument_) {
        case an::Instrument::kDhi:
            valid = an::parseDhiAnswer(t).has_value();
            if (!valid)
                st.message = item + ": '" + t + "' is not yes, sometimes or no";
            break;
        case an::Instrument::kVssSf:
        case an::Instrument::kAbc: {
            const int hi = instrument_ == an::Instrument::kVssSf ? 4 : 100;
            valid = parseWhole(t, 0, hi).has_value();
            if (!valid)
                st.message = item + ": '" + t + "' is not a whole number 0-" + std::to_string(hi);
            break;
        }
        case an::Instrument::kDizzinessVas: {
            const auto x = detail::parseNumber(t);
            valid = x && *x >= 0.0 && *x <= 10.0;
            if (!valid)
                st.message = item + ": '" + t + "' is not a number from 0 to 10";
            break;
        }
    }
    st.state = valid ? ItemState::kValid : ItemState::kInvalid;
    return st;
}

const std::string& QuestionnaireForm::answer(std::size_t index) const {
    return answers_.at(index);
}

const ItemStatus& QuestionnaireForm::status(std::size_t index) const {
    return status_.at(index);
}

std::vector<int> QuestionnaireForm::missingItems() const {
    std::vector<int> v;
    for (const ItemStatus& s : status_)
        if (s.state == ItemState::kEmpty)
            v.push_back(s.number);
    return v;
}

std::vector<int> QuestionnaireForm::invalidItems() const {
    std::vector<int> v;
    for (const ItemStatus& s : status_)
        if (s.state == ItemState::kInvalid)
            v.push_back(s.number);
    return v;
}

std::size_t QuestionnaireForm::answeredCount() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(status_.begin(), status_.end(),
                      [](const ItemStatus& s) { return s.state == ItemState::kValid; }));
}

bool QuestionnaireForm::complete() const noexcept {
    return answeredCount() == status_.size();
}

std::string QuestionnaireForm::summaryText() const {
    for (const ItemStatus& s : status_) {
        if (s.state == ItemState::kInvalid)
            return s.message;
    }
    const auto missing = missingItems();
    if (missing.empty()) {
        return status_.size() == 1 ? "Answered"
                                   : "All " + std::to_string(status_.size()) + " items answered";
    }
    return std::to_string(missing.size()) + (missing.size() == 1 ? " item" : " items") +
           " missing: " + join(missing);
}

an::Expected<an::QuestionnaireScore> QuestionnaireForm::score() const {
    return an::scoreQuestionnaire(instrument_, answers_);
}

ds::Questionnaire QuestionnaireForm::toRecord(ds::CatalogId session_id) const {
    const auto s = score();
    if (!s)
        throw AppError(instrumentShortName(instrument_) + " form", s.error().message);
    ds::Questionnaire q;
    q.session_id = session_id;
    q.instrument = std::string(info().key);
    q.instrument_version = an::kClinicalAlgorithmVersion;
    for (std::size_t k = 0; k < answers_.size(); ++k) {
        ds::QuestionnaireAnswer a;
        a.item = std::to_string(status_[k].number);
        a.text = answers_[k];
        if (k < s->item_scores.size())
            a.value = s->item_scores[k];
        q.answers.push_back(std::move(a));
    }
    q.total_score = s->total;
    for (const an::Subscore& sub : s->subscales)
        q.subscales.push_back({sub.name, sub.value});
    return q;
}

QuestionnaireForm QuestionnaireForm::fromRecord(const ds::Questionnaire& record) {
    const auto id = an::parseInstrument(detail::lower(record.instrument));
    if (!id)
        throw AppError("questionnaire " + std::to_string(record.id),
                       "unknown instrument '" + record.instrument + "'");
    QuestionnaireForm f(*id);
    if (record.answers.size() != f.itemCount())
        throw AppError("questionnaire " + std::to_string(record.id),
                       std::to_string(record.answers.size()) + " answers stored, " +
                           instrumentShortName(*id) + " has " + std::to_string(f.itemCount()) +
                           " items");
    for (std::size_t k = 0; k < record.answers.size(); ++k) {
        const ds::QuestionnaireAnswer& a = record.answers[k];
        f.setAnswer(k, !a.text.empty() || !a.value ? a.text : formatNumber(*a.value, 6));
    }
    return f;
}

ds::CatalogId saveQuestionnaire(ds::Catalog& catalog, ds::CatalogId session_id,
                                const QuestionnaireForm& form) {
    if (!catalog.session(session_id))
        throw AppError("session " + std::to_string(session_id),
                       "no such session in " + catalog.location());
    const ds::Questionnaire record = form.toRecord(session_id);
    an::SessionSummary only;
    only.questionnaires.push_back(*form.score());
    const an::FlatSummary flat = an::flattenSummary(only);
    std::vector<ds::SummaryValue> values;
    for (const an::NamedValue& v : flat.values)
        values.push_back({v.name, v.value, v.unit, v.source});
    ds::Catalog::Transaction tx(catalog);
    const ds::CatalogId id = catalog.addQuestionnaire(record);
    catalog.putSessionSummary(session_id, values);
    tx.commit();
    return id;
}

std::vector<an::QuestionnaireScore> sessionQuestionnaireScores(const ds::Catalog& catalog,
                                                               ds::CatalogId session_id,
                                                               std::vector<std::string>* problems) {
    std::vector<an::QuestionnaireScore> out;
    for (const ds::Questionnaire& q : catalog.questionnaires(session_id)) {
        try {
            const QuestionnaireForm f = QuestionnaireForm::fromRecord(q);
            auto s = f.score();
            if (!s) {
                if (problems != nullptr)
                    problems->push_back("questionnaire " + std::to_string(q.id) + ": " +
                                        s.error().message);
                continue;
            }
            // A later record of the same instrument replaces the earlier one.
            std::erase_if(out, [&](const an::QuestionnaireScore& o) {
                return o.instrument == s->instrument;
            });
            out.push_back(std::move(*s));
        } catch (const AppError& e) {
            if (problems != nullptr)
                problems->push_back(e.what());
        }
    }
    return out;
}

}  // namespace stance::app
