// The `stance` command line, run as a user runs it.

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

std::string trial(const std::string& name) {
    return std::string(STANCE_PUBLIC_DATA_DIR) + "/bds_santos_duarte_2016/data/" + name + ".txt";
}

}  // namespace

TEST_CASE("stance analyze --format json prints one object per file with units", "[cli]") {
    const Run mm = runStance("analyze --format json --pipeline quijoux2021 " + trial("BDS00001") +
                             " " + trial("BDS00046"));
    INFO(mm.err);
    REQUIRE(mm.status == 0);
    const auto j = nlohmann::json::parse(mm.out);
    REQUIRE(j.size() == 2);
    CHECK(j[0]["pipeline"] == "quijoux2021");
    CHECK(j[0]["fs_hz"] == 25.0);
    CHECK(j[0]["n_samples"] == 1498);
    CHECK(j[1]["file"].get<std::string>().find("BDS00046") != std::string::npos);
    const auto& m = j[0]["metrics"];
    CHECK(m["rms_ML"]["unit"] == "mm");
    CHECK(m["confidence_ellipse_area_ML_AND_AP"]["unit"] == "mm^2");
    CHECK(m["mean_velocity_ML_AND_AP"]["unit"] == "mm/s");
    // The reference code's value for this trial and pipeline (tests/data/reference).
    CHECK(m["rms_AP"]["value"].get<double>() == Approx(2.960393520750444).epsilon(1e-6));

    const Run cm =
        runStance("analyze --format json --units cm --pipeline quijoux2021 " + trial("BDS00001"));
    REQUIRE(cm.status == 0);
    const auto k = nlohmann::json::parse(cm.out)[0]["metrics"];
    CHECK(k["rms_ML"]["unit"] == "cm");
    CHECK(k["rms_ML"]["value"].get<double>() == Approx(m["rms_ML"]["value"].get<double>() / 10.0));
    CHECK(k["confidence_ellipse_area_ML_AND_AP"]["value"].get<double>() ==
          Approx(m["confidence_ellipse_area_ML_AND_AP"]["value"].get<double>() / 100.0));
    CHECK(k["mean_frequency_ML"]["value"].get<double>() ==
          Approx(m["mean_frequency_ML"]["value"].get<double>()));
}

TEST_CASE("a malformed file is reported and the others are still analysed", "[cli]") {
    const stance::test::ScratchDir dir("cli");
    const auto bad = dir / "broken.csv";
    std::ofstream(bad) << "time,ml_mm,ap_mm\n0,1,2\n0.01,oops,2\n";
    const Run r = runStance("analyze --format json " + trial("BDS00001") + " " + bad);
    CHECK(r.status == 1);
    CHECK(r.err.find(".csv:3:") != std::string::npos);
    CHECK(r.err.find(bad) != std::string::npos);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 2);
    CHECK(j[0]["metrics"].size() > 72);
    CHECK(j[1].contains("error"));
}

TEST_CASE("usage errors exit non-zero and --help works", "[cli]") {
    CHECK(runStance("analyze --pipeline nonsense " + trial("BDS00001")).status != 0);
    CHECK(runStance("analyze --no-such-option " + trial("BDS00001")).status != 0);
    CHECK(runStance("analyze /no/such/file.txt").status != 0);
    CHECK(runStance("").status != 0);
    const Run help = runStance("analyze --help");
    CHECK(help.status == 0);
    CHECK(help.out.find("--pipeline") != std::string::npos);
}

TEST_CASE("csv output has one row per file and one column per metric", "[cli]") {
    const Run r = runStance("analyze --format csv --pipeline raw " + trial("BDS00001") + " " +
                            trial("BDS00002"));
    REQUIRE(r.status == 0);
    std::stringstream ss(r.out);
    std::string header, row1, row2, extra;
    std::getline(ss, header);
    std::getline(ss, row1);
    std::getline(ss, row2);
    CHECK_FALSE(std::getline(ss, extra));
    CHECK(header.rfind("file,pipeline,fs_hz,n_samples,mean_value_ML", 0) == 0);
    const auto commas = [](const std::string& s) { return std::count(s.begin(), s.end(), ','); };
    CHECK(commas(row1) == commas(header));
    CHECK(commas(row2) == commas(header));
}
