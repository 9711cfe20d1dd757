// Questionnaire forms that validate as the user answers (app/core questionnaire_form.hpp).

#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/questionnaire_form.hpp"

using namespace stance;
using app::ItemState;
using app::QuestionnaireForm;

TEST_CASE("DHI form: choices, item states as typed, missing items, score", "[appcore]") {
    QuestionnaireForm f(analysis::Instrument::kDhi);
    CHECK(f.itemCount() == 25);
    CHECK(f.choices() == std::vector<std::string>{"no", "sometimes", "yes"});
    CHECK_FALSE(f.numericRange());
    CHECK(f.item(0).subscale == "P");
    CHECK(f.missingItems().size() == 25);
    CHECK(f.summaryText() ==
          "25 items missing: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, "
          "15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25");

    CHECK(f.setAnswer(6, "maybe").state == ItemState::kInvalid);
    CHECK(f.status(6).message == "item 7: 'maybe' is not yes, sometimes or no");
    CHECK(f.summaryText() == "item 7: 'maybe' is not yes, sometimes or no");
    CHECK(f.invalidItems() == std::vector<int>{7});
    CHECK(f.setAnswer(6, " Yes ").state == ItemState::kValid);
    CHECK(f.answer(6) == "Yes");
    CHECK(f.invalidItems().empty());
    CHECK(f.setAnswer(6, "").state == ItemState::kEmpty);

    // yes on items 1-10 (40 points), sometimes on 11-15 (10), no on the rest.
    for (std::size_t k = 0; k < 25; ++k)
        f.setAnswer(k, k < 10 ? "yes" : (k < 15 ? "sometimes" : "no"));
    f.setAnswer(3, "");
    CHECK(f.missingItems() == std::vector<int>{4});
    CHECK(f.summaryText() == "1 item missing: 4");
    CHECK_FALSE(f.complete());
    const auto incomplete = f.score();
    REQUIRE_FALSE(incomplete);
    CHECK(incomplete.error().message.find("item 4 is not answered") != std::string::npos);
    CHECK_THROWS_AS(f.toRecord(1), app::AppError);

    f.setAnswer(3, "y");
    CHECK(f.complete());
    CHECK(f.answeredCount() == 25);
    CHECK(f.summaryText() == "All 25 items answered");
    const auto s = f.score();
    REQUIRE(s);
    CHECK(s->total == 50.0);
    const auto r = f.toRecord(3);
    CHECK(r.session_id == 3);
    CHECK(r.instrument == "dhi");
    REQUIRE(r.answers.size() == 25);
    CHECK(r.answers[0].item == "1");
    CHECK(r.answers[0].value == 4.0);
    CHECK(r.answers[12].value == 2.0);
    CHECK(r.answers[20].value == 0.0);
    CHECK(r.total_score == 50.0);
    REQUIRE(r.subscales.size() == 3);

    // Round trip through a stored record.
    const QuestionnaireForm back = QuestionnaireForm::fromRecord(r);
    CHECK(back.complete());
    CHECK(back.score()->total == 50.0);
}

TEST_CASE("ABC, VSS-SF and VAS forms check numbers and ranges", "[appcore]") {
    QuestionnaireForm abc(analysis::Instrument::kAbc);
    CHECK(abc.choices().empty());
    REQUIRE(abc.numericRange());
    CHECK(abc.numericRange()->second == 100.0);
    CHECK(abc.wholeNumbers());
    CHECK(abc.setAnswer(0, "101").state == ItemState::kInvalid);
    CHECK(abc.status(0).message == "item 1: '101' is not a whole number 0-100");
    CHECK(abc.setAnswer(0, "50.5").state == ItemState::kInvalid);
    CHECK(abc.setAnswer(0, "-1").state == ItemState::kInvalid);
    for (std::size_t k = 0; k < 16; ++k)
        abc.setAnswer(k, std::to_string(40 + 2 * static_cast<int>(k)));
    REQUIRE(abc.score());
    CHECK(abc.score()->total == Approx(55.0));  // mean of 40, 42, ..., 70

    QuestionnaireForm vss(analysis::Instrument::kVssSf);
    CHECK(vss.choices().size() == 5);
    CHECK(vss.setAnswer(2, "5").state == ItemState::kInvalid);
    CHECK(vss.setAnswer(2, "4").state == ItemState::kValid);

    QuestionnaireForm vas(analysis::Instrument::kDizzinessVas);
    CHECK(vas.itemCount() == 1);
    CHECK_FALSE(vas.wholeNumbers());
    CHECK(vas.setAnswer(0, "10.5").state == ItemState::kInvalid);
    CHECK(vas.status(0).message == "item 1: '10.5' is not a number from 0 to 10");
    CHECK(vas.setAnswer(0, "3,5").state == ItemState::kValid);
    CHECK(vas.summaryText() == "Answered");
}

TEST_CASE("saving a questionnaire stores answers and session summary values", "[appcore]") {
    const test::ScratchDir dir("questionnaire_save");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto pid = c->addPatient(test::testPatient());
    const auto sid =
        c->addSession({0, pid, test::day(2024, 1, 10), "", "", "mctsib", "1", "", {}, "", false});

    QuestionnaireForm f(analysis::Instrument::kDhi);
    for (std::size_t k = 0; k < 25; ++k)
        f.setAnswer(k, k % 3 == 0 ? "sometimes" : "no");
    CHECK(f.score()->total == 18.0);  // items 1, 4, ..., 25: 9 x 2
    app::saveQuestionnaire(*c, sid, f);
    const auto qs = c->questionnaires(sid);
    REQUIRE(qs.size() == 1);
    CHECK(qs[0].instrument == "dhi");
    CHECK(qs[0].total_score == 18.0);
    const auto summary = c->sessionSummary(sid);
    const auto find = [&](const std::string& n) {
        for (const auto& v : summary)
            if (v.name == n)
                return v.value;
        return -1.0;
    };
    CHECK(find("dhi_total") == 18.0);
    CHECK(find("dhi_physical") + find("dhi_emotional") + find("dhi_functional") == 18.0);

    // A later DHI of the same session replaces the earlier one in the scores.
    QuestionnaireForm g(analysis::Instrument::kDhi);
    for (std::size_t k = 0; k < 25; ++k)
        g.setAnswer(k, "no");
    app::saveQuestionnaire(*c, sid, g);
    const auto scores = app::sessionQuestionnaireScores(*c, sid);
    REQUIRE(scores.size() == 1);
    CHECK(scores[0].total == 0.0);

    QuestionnaireForm empty(analysis::Instrument::kAbc);
    CHECK_THROWS_AS(app::saveQuestionnaire(*c, sid, empty), app::AppError);
    CHECK_THROWS_WITH(app::saveQuestionnaire(*c, 777, g), Catch::Contains("session 777"));
    CHECK(c->questionnaires(sid).size() == 2);
}
