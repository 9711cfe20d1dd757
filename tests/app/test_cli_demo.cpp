// `stance demo`, the main job, end to end: stanced with simulated devices on pseudo-terminals, the
// mCTSIB run over the WebSocket protocol, the recordings scored and the PDF report written.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/sqlite_catalog.hpp"
#include "support/scratch.hpp"

namespace {

namespace fs = std::filesystem;
using stance::test::runStance;

}  // namespace

TEST_CASE("stance demo runs a complete mCTSIB through stanced and writes the report",
          "[cli][demo]") {
    const stance::test::ScratchDir dir("demo_main");
    const std::string out = dir / "demo";
    const auto r = runStance("demo --trial-seconds 2 --history 2 --out " + out);
    INFO(r.err);
    REQUIRE(r.status == 0);
    // Every condition with its three usable trials and its values against the norms.
    for (const char* c :
         {"Eyes open, firm", "Eyes closed, firm", "Eyes open, foam", "Eyes closed, foam"}) {
        INFO(c);
        CHECK(std::regex_search(r.out, std::regex(std::string(c) + " +3/3 +[0-9.]+ (P[0-9]+|ABOVE "
                                                                   "p95|below p5) \\(")));
    }
    CHECK(r.out.find("norms: women aged 18-59") != std::string::npos);
    CHECK(std::regex_search(r.out, std::regex("Composite COP velocity: [0-9.]+ mm/s")));
    CHECK(r.out.find("Dizziness Handicap Inventory: 16 points (physical 12, emotional 4, "
                     "functional 0), mild") != std::string::npos);
    CHECK(r.out.find("DHI improved by") != std::string::npos);
    // The short trials are said to be short, not silently compared.
    CHECK(r.out.find("trials planned for 2 s where the protocol specifies 30 s") !=
          std::string::npos);
    CHECK(r.out.find("report: " + out + "/report.pdf (") != std::string::npos);
    CHECK(r.err.find("trial 12 of 12: Eyes closed, foam #3") != std::string::npos);

    const std::string pdf = stance::test::slurp(fs::path(out) / "report.pdf");
    CHECK(pdf.rfind("%PDF-", 0) == 0);

    // stanced recorded the twelve trials of today's session into one stance-hdf5 file.
    std::vector<fs::path> recordings;
    for (const auto& e : fs::directory_iterator(fs::path(out) / "recordings")) {
        if (e.path().extension() == ".h5")
            recordings.push_back(e.path());
    }
    REQUIRE(recordings.size() == 1);
    const stance::datasets::BundleReader reader(recordings[0]);
    const auto trials = reader.trials();
    REQUIRE(trials.size() == 12);
    CHECK(reader.trialInfo(trials[0]).condition == "eo_firm");
    CHECK(reader.trialInfo(trials[11]).condition == "ec_foam");
    const auto fp = reader.readForcePlate(trials[5]);
    REQUIRE(fp);
    CHECK(fp->time_s.size() >= 190);  // 2 s at 100 Hz

    // The catalog holds the history and today's session with its questionnaires.
    auto catalog = stance::datasets::openSqliteCatalog(fs::path(out) / "clinic.db");
    const auto patients = catalog->patients();
    REQUIRE(patients.size() == 1);
    const auto sessions = catalog->sessions(patients[0].id);
    REQUIRE(sessions.size() == 3);
    std::size_t today_trials = 0;
    for (const auto& s : sessions)
        today_trials = std::max(today_trials, catalog->trials(s.id).size());
    CHECK(today_trials == 12);
}

TEST_CASE("stance demo refuses a folder it did not write and a missing stanced", "[cli][demo]") {
    const stance::test::ScratchDir dir("demo_bad");
    const fs::path keep = dir.path / "mine" / "keep.txt";
    fs::create_directories(keep.parent_path());
    std::ofstream(keep) << "not a demo\n";
    const auto r = runStance("demo --out " + keep.parent_path().string());
    CHECK(r.status == 1);
    CHECK(r.err.find("is not the output of an earlier `stance demo`") != std::string::npos);
    CHECK(fs::exists(keep));

    const auto s = runStance("demo --stanced " + (dir / "nothing") + " --out " + (dir / "d"));
    CHECK(s.status == 1);
    CHECK(s.err.find(dir / "nothing") != std::string::npos);
    CHECK(s.err.find("is not an executable stanced") != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path / "d"));

    // Without its report module the demo says so before it records anything, not at the end.
    const std::string module = (dir.path / "nowhere" / "stance-report-pdf.so").string();
    const auto m = runStance("demo --out " + (dir / "m"), "STANCE_REPORT_MODULE=" + module);
    CHECK(m.status == 1);
    CHECK(m.err.find(module) != std::string::npos);
    CHECK(m.err.find("was not found") != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path / "m"));

    CHECK(runStance("demo --trial-seconds 0.5").status == 2);
}
