// `stance questionnaire`, `stance norms`, `stance protocol`, run as a user runs them.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/scratch.hpp"

namespace {

using Run = stance::test::CliRun;

using stance::test::runStance;

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ",") + x;
    return s;
}

}  // namespace

TEST_CASE("stance questionnaire score dhi prints total, subscales and severity", "[cli][clinic]") {
    // Items 1, 4, 8 yes (physical 12), 2 sometimes (emotional 2), 3 and 24 yes (functional 8).
    std::vector<std::string> a(25, "no");
    a[0] = a[3] = a[7] = "yes";
    a[1] = "sometimes";
    a[2] = a[23] = "yes";
    const Run r = runStance("questionnaire score dhi --answers " + join(a));
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["total"] == 22.0);
    CHECK(j["physical"] == 12.0);
    CHECK(j["emotional"] == 2.0);
    CHECK(j["functional"] == 8.0);
    CHECK(j["severity"] == "mild");
    CHECK(j["source"].get<std::string>().find("Jacobson") != std::string::npos);

    a[4] = a[5] = a[6] = a[8] = a[9] = "yes";  // + functional 12, emotional 8 = 42
    const auto m =
        nlohmann::json::parse(runStance("questionnaire score dhi --answers " + join(a)).out);
    CHECK(m["total"] == 42.0);
    CHECK(m["severity"] == "moderate");
}

TEST_CASE("invalid questionnaire answers exit non-zero naming the item", "[cli][clinic]") {
    std::vector<std::string> a(25, "no");
    a[11] = "maybe";
    const Run bad = runStance("questionnaire score dhi --answers " + join(a));
    CHECK(bad.status == 1);
    CHECK(bad.err.find("item 12: 'maybe' is not yes, sometimes or no") != std::string::npos);
    CHECK(bad.out.empty());
    const Run few = runStance("questionnaire score dhi --answers yes,no");
    CHECK(few.status == 1);
    CHECK(few.err.find("25 answers expected") != std::string::npos);
    a[11] = "";
    const Run gap = runStance("questionnaire score dhi --answers " + join(a));
    CHECK(gap.status == 1);
    CHECK(gap.err.find("item 12 is not answered") != std::string::npos);
    const Run unknown = runStance("questionnaire score hads --answers 1");
    CHECK(unknown.status == 2);
    const Run none = runStance("questionnaire score dhi");
    CHECK(none.status == 2);
    CHECK(none.err.find("--answers") != std::string::npos);
}

TEST_CASE("the other instruments score from the command line", "[cli][clinic]") {
    const Run vss = runStance("questionnaire score vss-sf --answers 0,1,2,3,4,0,1,2,3,4,0,1,2,3,4");
    REQUIRE(vss.status == 0);
    CHECK(nlohmann::json::parse(vss.out)["total"] == 30.0);
    const Run abc = runStance(
        "questionnaire score abc --answers 100,90,80,70,60,50,40,30,20,10,0,100,100,100,100,100");
    REQUIRE(abc.status == 0);
    CHECK(nlohmann::json::parse(abc.out)["total"] == Approx(1050.0 / 16.0));
    const Run vas = runStance("questionnaire score vas --answers 6.5");
    REQUIRE(vas.status == 0);
    CHECK(nlohmann::json::parse(vas.out)["total"] == 6.5);
    const Run text = runStance("questionnaire score vas --answers 6.5 --format text");
    CHECK(text.out.find("Dizziness visual analogue scale: 6.5 / 10") != std::string::npos);
    const Run bad_abc =
        runStance("questionnaire score abc --answers " + join(std::vector<std::string>(16, "120")));
    CHECK(bad_abc.status == 1);
    CHECK(bad_abc.err.find("item 1: '120' is not a whole number 0-100") != std::string::npos);
}

TEST_CASE("stance questionnaire change classifies against the published threshold",
          "[cli][clinic]") {
    const Run r = runStance("questionnaire change dhi_total --before 54 --after 30");
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["classification"] == "improved");
    CHECK(j["difference"] == -24.0);
    CHECK(j["threshold"] == 18.0);
    const Run same = runStance("questionnaire change dhi_total --before 54 --after 40");
    CHECK(nlohmann::json::parse(same.out)["classification"] == "unchanged");
    const Run unknown = runStance("questionnaire change tug --before 1 --after 2");
    CHECK(unknown.status == 2);
    CHECK(unknown.err.find("no published change threshold for 'tug'") != std::string::npos);
}

TEST_CASE("stance norms compare cites the source in every entry", "[cli][clinic]") {
    const std::string trial =
        std::string(STANCE_PUBLIC_DATA_DIR) + "/bds_santos_duarte_2016/data/BDS00001.txt";
    const Run r =
        runStance("norms compare " + trial + " --age 33 --sex F --vision open --surface firm");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["comparisons"].size() == 6);
    for (const auto& c : j["comparisons"]) {
        CHECK(c["source"].get<std::string>().find("doi:10.7717/peerj.2648") != std::string::npos);
        CHECK(c["band"] == "within_p5_p95");
    }
    CHECK(j["comparisons"][2]["metric"] == "bds_cop_velocity");
    CHECK(j["comparisons"][2]["percentile"].get<double>() ==
          Approx(5 + (0.620190 - 0.517035) / (0.6602 - 0.517035) * 20).epsilon(1e-5));

    const Run child = runStance("norms compare " + trial + " --age 9");
    CHECK(child.status == 1);
    CHECK(child.err.find("no row") != std::string::npos);
    const Run missing = runStance("norms compare /nonexistent.txt --age 40");
    CHECK(missing.status == 2);
}

TEST_CASE("stance protocol lists and shows the built-in protocols", "[cli][clinic]") {
    const Run list = runStance("protocol list");
    REQUIRE(list.status == 0);
    CHECK(nlohmann::json::parse(list.out).size() == 6);
    const Run show = runStance("protocol show sot");
    REQUIRE(show.status == 0);
    const auto j = nlohmann::json::parse(show.out);
    CHECK(j["schedule"].size() == 18);
    CHECK(j["conditions"][5]["support"] == "sway_referenced");
    CHECK(runStance("protocol show tug").status == 2);
    CHECK(runStance("protocol --help").status == 0);
}
