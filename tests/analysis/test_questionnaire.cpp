// Questionnaires: DHI subscales as published, severity bands, VSS-SF, ABC, VAS; validation names
// every missing or invalid item.

#include <catch2/catch.hpp>
#include <set>

#include "stance/analysis/questionnaire.hpp"

using namespace stance::analysis;

namespace {

std::vector<std::string> repeat(const std::string& s, std::size_t n) {
    return std::vector<std::string>(n, s);
}

}  // namespace

TEST_CASE("DHI items belong to the subscales of Jacobson & Newman 1990", "[questionnaire]") {
    const InstrumentInfo& dhi = instrumentInfo(Instrument::kDhi);
    REQUIRE(dhi.items.size() == 25);
    std::set<int> p, e, f;
    for (const QuestionnaireItem& i : dhi.items) {
        (i.subscale == "P" ? p : (i.subscale == "E" ? e : f)).insert(i.number);
        CHECK_FALSE(i.label.empty());
    }
    CHECK(p == std::set<int>{1, 4, 8, 11, 13, 17, 25});
    CHECK(e == std::set<int>{2, 9, 10, 15, 18, 20, 21, 22, 23});
    CHECK(f == std::set<int>{3, 5, 6, 7, 12, 14, 16, 19, 24});
}

TEST_CASE("DHI totals, subscales and the Whitney 2004 bands", "[questionnaire]") {
    const auto all_yes = scoreQuestionnaire(Instrument::kDhi, repeat("yes", 25));
    REQUIRE(all_yes);
    CHECK(all_yes->total == 100.0);
    CHECK(all_yes->subscales[0].name == "physical");
    CHECK(all_yes->subscales[0].value == 28.0);
    CHECK(all_yes->subscales[1].value == 36.0);
    CHECK(all_yes->subscales[2].value == 36.0);
    CHECK(all_yes->band == "severe");

    const auto none = scoreQuestionnaire(Instrument::kDhi, repeat("no", 25));
    CHECK(none->total == 0.0);
    CHECK(none->band == "mild");

    // Items 1 and 4 yes (physical 8), 2 sometimes (emotional 2), 3 yes (functional 4).
    auto mixed = repeat("no", 25);
    mixed[0] = "yes";
    mixed[3] = "Y";
    mixed[1] = " Sometimes ";
    mixed[2] = "yes";
    const auto m = scoreQuestionnaire(Instrument::kDhi, mixed);
    REQUIRE(m);
    CHECK(m->total == 14.0);
    CHECK(m->subscales[0].value == 8.0);
    CHECK(m->subscales[1].value == 2.0);
    CHECK(m->subscales[2].value == 4.0);
    CHECK(m->item_scores[1] == 2.0);
    CHECK(m->band_source.find("Whitney") != std::string::npos);

    // Band edges: 30 mild, 32 moderate, 60 moderate, 62 severe (totals are even).
    const auto total = [](int yes, int sometimes) {
        std::vector<std::optional<DhiAnswer>> a(25, DhiAnswer::kNo);
        for (int k = 0; k < yes; ++k)
            a[static_cast<std::size_t>(k)] = DhiAnswer::kYes;
        for (int k = 0; k < sometimes; ++k)
            a[static_cast<std::size_t>(24 - k)] = DhiAnswer::kSometimes;
        return *scoreDhi(a);
    };
    CHECK(total(7, 1).band == "mild");       // 30
    CHECK(total(8, 0).band == "moderate");   // 32
    CHECK(total(15, 0).band == "moderate");  // 60
    CHECK(total(15, 1).band == "severe");    // 62
}

TEST_CASE("DHI validation names every missing and invalid item", "[questionnaire]") {
    auto a = repeat("no", 25);
    a[6] = "";
    a[11] = "maybe";
    const auto r = scoreQuestionnaire(Instrument::kDhi, a);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message ==
          "DHI: item 7 is not answered; item 12: 'maybe' is not yes, sometimes or no");
    const auto short_list = scoreQuestionnaire(Instrument::kDhi, repeat("no", 24));
    REQUIRE_FALSE(short_list);
    CHECK(short_list.error().message.find("25 answers expected") != std::string::npos);
    CHECK(short_list.error().message.find("got 24") != std::string::npos);
    std::vector<std::optional<DhiAnswer>> missing(25, DhiAnswer::kNo);
    missing[24].reset();
    CHECK(scoreDhi(missing).error().message == "DHI: item 25 is not answered");
}

TEST_CASE("VSS-SF, ABC and the dizziness VAS", "[questionnaire]") {
    auto v = repeat("2", 15);
    v[14] = "4";
    const auto vss = scoreQuestionnaire(Instrument::kVssSf, v);
    REQUIRE(vss);
    CHECK(vss->total == 32.0);
    CHECK(vss->max_total == 60.0);
    // The 15-item short form is cited to the paper that introduced it, the full scale beside it.
    const InstrumentInfo& vss_info = instrumentInfo(Instrument::kVssSf);
    CHECK(vss_info.source.rfind("15-item short form: Yardley L, Beech S", 0) == 0);
    CHECK(vss_info.source.find("Br J Gen Pract 48(429):1136-1140") != std::string::npos);
    CHECK(vss_info.source.find("J Psychosom Res 36(8):731-741") != std::string::npos);
    v[3] = "5";
    v[9] = "1.5";
    CHECK(scoreQuestionnaire(Instrument::kVssSf, v).error().message ==
          "VSS-SF: item 4: '5' is not a whole number 0-4; item 10: '1.5' is not a whole number "
          "0-4");

    std::vector<std::string> abc;
    for (int k = 0; k < 16; ++k)
        abc.push_back(std::to_string(k * 5));  // 0 .. 75, mean 37.5
    const auto a = scoreQuestionnaire(Instrument::kAbc, abc);
    REQUIRE(a);
    CHECK(a->total == Approx(37.5));
    CHECK(a->band.empty());
    abc[15] = "101";
    CHECK(scoreQuestionnaire(Instrument::kAbc, abc).error().message ==
          "ABC: item 16: '101' is not a whole number 0-100");

    CHECK(scoreQuestionnaire(Instrument::kDizzinessVas, {"7.5"})->total == 7.5);
    CHECK_FALSE(scoreQuestionnaire(Instrument::kDizzinessVas, {"11"}));
    CHECK(scoreQuestionnaire(Instrument::kDizzinessVas, {"a lot"})
              .error()
              .message.find("'a lot' is not a number from 0 to 10") != std::string::npos);
    CHECK_FALSE(scoreDizzinessVas(-0.1));
}

TEST_CASE("instrument keys and licences", "[questionnaire]") {
    CHECK(parseInstrument("DHI") == Instrument::kDhi);
    CHECK(parseInstrument("vss-sf") == Instrument::kVssSf);
    CHECK(parseInstrument("abc") == Instrument::kAbc);
    CHECK(parseInstrument("vas") == Instrument::kDizzinessVas);
    CHECK_FALSE(parseInstrument("hads"));
    for (Instrument i : allInstruments()) {
        const InstrumentInfo& info = instrumentInfo(i);
        CHECK(parseInstrument(info.key) == i);
        CHECK_FALSE(info.source.empty());
        CHECK_FALSE(info.licence.empty());
    }
    CHECK(instrumentInfo(Instrument::kAbc).items.size() == 16);
    CHECK(instrumentInfo(Instrument::kVssSf).items.size() == 15);
    CHECK_FALSE(instrumentInfo(Instrument::kAbc).higher_is_worse);
}
