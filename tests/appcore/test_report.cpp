// The report: its model (header, interpretation lines) and the PDF (pages, text, atomic
// writing), and `stance report` (app/core report_model.hpp, app/report, app/cli/report.cpp).

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.hpp"
#include "fixtures.hpp"
#include "stance/app/demo.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/report_model.hpp"
#include "stance/report/report.hpp"

using namespace stance;

namespace {

// Runs a command and returns its standard output; empty when it cannot run.
std::string capture(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr)
        return out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    ::pclose(p);
    return out;
}

// Words separated by single spaces: PDF text extraction breaks lines where the layout did.
std::string words(const std::string& s) {
    std::istringstream in(s);
    std::string w, out;
    while (in >> w)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

std::string pdfText(const std::filesystem::path& pdf) {
    const std::string text = capture("pdftotext -layout '" + pdf.string() + "' - 2>/dev/null");
    return words(text);
}

std::string withSuperscript(std::string s) {
    for (auto p = s.find("^2"); p != std::string::npos; p = s.find("^2"))
        s.replace(p, 2, "\u00b2");
    return s;
}

struct Cli {
    int status;
    std::string out, err;
};
Cli runCli(const std::vector<std::string>& args) {
    std::vector<const char*> argv{"stance"};
    for (const auto& a : args)
        argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int status = cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
    return {status, out.str(), err.str()};
}

}  // namespace

TEST_CASE("report model and PDF of the demo: header, norms, progress, interpretation",
          "[appcore][report]") {
    REQUIRE_FALSE(capture("command -v pdftotext").empty());  // poppler-utils (cmake/bootstrap.sh)
    const test::ScratchDir dir("report");
    app::DemoOptions o;
    o.sessions = 3;
    const app::DemoCatalog d = app::buildDemoCatalog(dir.path / "demo.db", o);
    auto c = datasets::openSqliteCatalog(d.catalog);

    app::ReportOptions ro;
    ro.generated_utc = test::day(2024, 3, 1);
    const app::ReportModel base = app::buildReportModel(*c, d.session_ids.front(), ro);
    CHECK(base.header.patient_name == "Jordan Demo (invented patient)");
    CHECK(base.header.subject_code == "DEMO-0001");
    CHECK(base.header.birth_date == "1978-05-14");
    CHECK(base.header.age == "45 years");
    CHECK(base.header.sex == "Female");
    CHECK(base.header.height == "1.66 m");
    CHECK(base.header.mass == "63.0 kg");
    CHECK(base.header.session_date == "2024-01-08 09:00 UTC");
    CHECK(base.header.operator_name == "Demo operator");
    CHECK(base.header.generated == "2024-03-01 10:00 UTC");
    CHECK(base.header.demo);
    // At the baseline the eyes-closed-on-foam sway is above the norms; nothing to compare yet.
    REQUIRE_FALSE(base.interpretation.empty());
    CHECK(base.interpretation[0].rfind(
              "Sway with eyes closed on foam is above the 95th percentile for women aged 18-59 "
              "(Santos & Duarte 2016): sway area ",
              0) == 0);
    for (const auto& line : base.interpretation)
        CHECK(line.find("since the baseline") == std::string::npos);
    for (const auto& s : base.progress)
        CHECK(s.points.size() == 1);

    const app::ReportModel last = app::buildReportModel(*c, d.session_ids.back(), ro);
    const auto has_line = [&](const std::string& prefix) {
        for (const auto& l : last.interpretation)
            if (l.rfind(prefix, 0) == 0)
                return true;
        return false;
    };
    CHECK(has_line("DHI improved by "));
    CHECK(has_line("ABC improved by "));
    CHECK(has_line("Composite sway velocity went from "));
    bool dhi_mdc = false;
    for (const auto& l : last.interpretation)
        dhi_mdc = dhi_mdc || (l.rfind("DHI improved by", 0) == 0 &&
                              l.find("more than its minimal detectable change of 18 points") !=
                                  std::string::npos);
    CHECK(dhi_mdc);
    REQUIRE_FALSE(last.progress.empty());
    CHECK(last.progress.front().metric.group == app::ProgressGroup::kSway);
    CHECK(last.progress.back().metric.group == app::ProgressGroup::kDizziness);
    CHECK(last.progress.front().points.size() == 3);
    CHECK_FALSE(last.threshold_sources.empty());

    // The PDF: its pages and its text.
    const auto pdf = dir.path / "last.pdf";
    const int expected = report::reportPageCount(last);
    CHECK(expected == 3);
    const report::PdfResult res = report::writeReportPdf(last, pdf);
    CHECK(res.pages == expected);
    CHECK(test::slurp(pdf).rfind("%PDF-", 0) == 0);
    CHECK(words(capture("pdfinfo '" + pdf.string() + "'")).find("Pages: 3 ") != std::string::npos);
    const std::string text = pdfText(pdf);
    CHECK(text.find("Jordan Demo (invented patient)") != std::string::npos);
    CHECK(text.find("DEMO-0001") != std::string::npos);
    CHECK(text.find("DEMO DATA: invented patient") != std::string::npos);
    CHECK(text.find("Demo operator") != std::string::npos);
    CHECK(text.find("Santos DA, Duarte M (2016)") != std::string::npos);
    CHECK(text.find("Dizziness Handicap Inventory") != std::string::npos);
    CHECK(text.find("Progress over sessions") != std::string::npos);
    CHECK(text.find("Page 3 of 3") != std::string::npos);
    // -layout extraction keeps each line's words in order; a wrapped sentence continues on the
    // next line, so compare the words of each interpretation line's first half.
    for (const auto& line : last.interpretation) {
        const std::string w = words(withSuperscript(line));
        CHECK(text.find(w.substr(0, 40)) != std::string::npos);
    }
    const app::ReportModel first = app::buildReportModel(*c, d.session_ids.front(), ro);
    const auto pdf1 = dir.path / "first.pdf";
    CHECK(report::writeReportPdf(first, pdf1).pages == 2);  // no progress page at the baseline
    CHECK(pdfText(pdf1).find("is above the 95th percentile for women aged 18-59") !=
          std::string::npos);

    // Failures leave nothing behind and keep an existing file.
    CHECK_THROWS_WITH(report::writeReportPdf(last, dir.path / "nowhere" / "r.pdf"),
                      Catch::Contains("does not exist"));
    std::filesystem::create_directory(dir.path / "taken.pdf");
    CHECK_THROWS_WITH(report::writeReportPdf(last, dir.path / "taken.pdf"),
                      Catch::Contains("is a folder"));
    for (const auto& f : dir.files())
        CHECK(f.find(".tmp-") == std::string::npos);
    CHECK_THROWS_WITH(app::buildReportModel(*c, 999, ro), Catch::Contains("session 999"));
}

TEST_CASE("stance report: demo, session, and the errors it names", "[appcore][report]") {
    const test::ScratchDir dir("report_cli");
    const auto out = dir / "demo.pdf";
    const Cli demo = runCli({"report", "--demo", "--out", out});
    REQUIRE(demo.status == 0);
    const auto j = nlohmann::json::parse(demo.out);
    CHECK(j["pages"] == 3);
    CHECK(j["patient"] == "DEMO-0001");
    CHECK(j["catalog"] == "(demo, temporary)");
    CHECK(j["interpretation"].size() >= 5);
    CHECK(test::slurp(out).rfind("%PDF-", 0) == 0);

    app::DemoOptions o;
    o.sessions = 2;
    const app::DemoCatalog d = app::buildDemoCatalog(dir.path / "c" / "demo.db", o);
    const std::string cat = d.catalog.string();
    const Cli one = runCli({"report", "--session", std::to_string(d.session_ids[1]), "--catalog",
                            cat, "--out", dir / "s.pdf"});
    CHECK(one.status == 0);
    CHECK(one.err.find("error") == std::string::npos);
    CHECK(nlohmann::json::parse(one.out)["session_date"] == "2024-01-22 09:15 UTC");

    const Cli unknown =
        runCli({"report", "--session", "99", "--catalog", cat, "--out", dir / "u.pdf"});
    CHECK(unknown.status == 1);
    CHECK(unknown.err.find("session 99: no such session") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path / "u.pdf"));

    {
        std::ofstream f(dir.path / "damaged.db", std::ios::binary);
        f << "SQLite format 3" << std::string(200, '\x7f');
    }
    const Cli damaged = runCli(
        {"report", "--session", "1", "--catalog", dir / "damaged.db", "--out", dir / "d.pdf"});
    CHECK(damaged.status == 1);
    CHECK(damaged.err.find("damaged.db") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path / "d.pdf"));
    const Cli missing = runCli(
        {"report", "--session", "1", "--catalog", dir / "missing.db", "--out", dir / "m.pdf"});
    CHECK(missing.status == 1);
    CHECK(missing.err.find("no such catalog file") != std::string::npos);

    const Cli nowhere = runCli(
        {"report", "--session", "1", "--catalog", cat, "--out", dir / "no/such/folder/r.pdf"});
    CHECK(nowhere.status == 1);
    CHECK(nowhere.err.find("does not exist") != std::string::npos);

    CHECK(runCli({"report", "--out", dir / "x.pdf"}).status == 2);
    const Cli both = runCli({"report", "--demo", "--session", "1", "--out", dir / "x.pdf"});
    CHECK(both.status == 2);
    CHECK(both.err == "stance report: give either --session ID or --demo\n");
    CHECK(runCli({"report", "--demo", "--out", dir / "x.txt"}).status == 2);
    CHECK(runCli({"report", "--help"}).status == 0);
}

TEST_CASE("stance report: the report module, loaded on demand, and when it is missing or wrong",
          "[appcore][report]") {
    const test::ScratchDir dir("report_module");
    // The installed layout: the module beside the stance executable, found without help.
    const test::CliRun ok = test::runStance("report --demo --out " + (dir / "ok.pdf"));
    CHECK(ok.status == 0);
    CHECK(test::slurp(dir.path / "ok.pdf").rfind("%PDF-", 0) == 0);

    const auto missing = dir.path / "nowhere" / "stance-report-pdf.so";
    const test::CliRun gone = test::runStance("report --demo --out " + (dir / "gone.pdf"),
                                              "STANCE_REPORT_MODULE=" + missing.string());
    CHECK(gone.status == 1);
    CHECK(gone.err.find("stance-report-pdf.so was not found") != std::string::npos);
    CHECK(gone.err.find(missing.string()) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path / "gone.pdf"));

    {
        std::ofstream f(dir.path / "junk.so", std::ios::binary);
        f << "not a shared object";
    }
    const test::CliRun junk = test::runStance("report --demo --out " + (dir / "junk.pdf"),
                                              "STANCE_REPORT_MODULE=" + (dir / "junk.so"));
    CHECK(junk.status == 1);
    CHECK(junk.err.find("junk.so: cannot be loaded") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path / "junk.pdf"));
}

TEST_CASE("report of a session with a fall and a missing trial", "[appcore][report]") {
    const test::ScratchDir dir("report_fall");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto pid = c->addPatient(test::testPatient());
    const auto sid = test::addSyntheticSession(*c, pid, dir.path, "s.h5", test::day(2024, 5, 6),
                                               1.0, {"eo_foam#1"});
    for (auto t : c->trials(sid)) {
        if (t.condition == "ec_foam" && t.repetition == 2) {
            t.status = datasets::TrialStatus::kFall;
            c->updateTrial(t);
        }
    }
    app::ReportOptions ro;
    ro.generated_utc = test::day(2024, 5, 7);
    const app::ReportModel m = app::buildReportModel(*c, sid, ro);
    bool fall_line = false;
    for (const auto& l : m.interpretation)
        fall_line =
            fall_line || l.rfind("A fall was recorded in trial 2 with eyes closed on foam", 0) == 0;
    CHECK(fall_line);
    CHECK(m.header.patient_name == "Ada Lovelace");
    CHECK_FALSE(m.header.demo);
    const app::ConditionResult& ecf = m.results.conditions[3];
    CHECK(ecf.trials[1].status == "fall");
    CHECK_FALSE(ecf.trials[1].usable);
    CHECK(ecf.n_usable == 2);
    CHECK(m.results.conditions[2].trials[0].status == "missing");
    const auto pdf = dir.path / "fall.pdf";
    const report::PdfResult r = report::writeReportPdf(m, pdf);
    CHECK(r.pages == report::reportPageCount(m));
    CHECK(r.pages == 2);  // one session: no progress page
    const std::string text = pdfText(pdf);
    CHECK(text.find("Ada Lovelace") != std::string::npos);
    CHECK(text.find("not available") != std::string::npos);  // the composite needs 12 trials
}
