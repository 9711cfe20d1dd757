// `stance batch` run as a user runs it: output, usage errors, failures, and what a kill or a
// Ctrl-C in the middle leaves behind.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

#include "support/scratch.hpp"

namespace {

using stance::test::slurp;

using TempDir = stance::test::ScratchDir;
using Run = stance::test::CliRun;

Run runStance(const TempDir&, const std::string& args) {
    return stance::test::runStance(args);
}

fs::path bdsData() {
    return fs::path(STANCE_PUBLIC_DATA_DIR) / "bds_santos_duarte_2016" / "data";
}

/// `count` trial files in dir/name, linked to the ten real trials in turn.
fs::path linkTrials(const fs::path& dir, const std::string& name, int count) {
    std::vector<fs::path> real;
    for (const auto& e : fs::directory_iterator(bdsData()))
        real.push_back(e.path());
    std::sort(real.begin(), real.end());
    const fs::path d = dir / name;
    fs::create_directories(d);
    for (int i = 0; i < count; ++i) {
        char file[32];
        std::snprintf(file, sizeof file, "BDS%05d.txt", i + 1);
        fs::create_symlink(real[static_cast<std::size_t>(i) % real.size()], d / file);
    }
    return d;
}

std::vector<std::string> splitCsv(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ','))
        out.push_back(f);
    if (!line.empty() && line.back() == ',')
        out.emplace_back();
    return out;
}

/// Checks that a metrics.csv is whole: a header, and rows with as many fields, each trial once.
/// Returns the trials.
std::set<std::string> wholeRows(const fs::path& csv) {
    std::ifstream in(csv);
    std::string header;
    REQUIRE(std::getline(in, header));
    const auto n = splitCsv(header).size();
    REQUIRE(n > 80);
    std::set<std::string> trials;
    std::string line;
    while (std::getline(in, line)) {
        const auto f = splitCsv(line);
        REQUIRE(f.size() == n);
        REQUIRE(trials.insert(f[0]).second);
    }
    return trials;
}

/// Starts `stance batch ...` with stderr on a pipe; stops it with `sig` as soon as a progress
/// line says that some but not all trials were written. Returns the exit status (or 128 +
/// signal) and the stderr read.
std::pair<int, std::string> interruptBatch(const std::vector<std::string>& args, int sig) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(fds[1], STDERR_FILENO);
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, STDOUT_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(STANCE_CLI_PATH));
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(STANCE_CLI_PATH, argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    FILE* err = ::fdopen(fds[0], "r");
    REQUIRE(err != nullptr);
    std::string all;
    char* line = nullptr;
    std::size_t cap = 0;
    bool sent = false;
    // Progress lines read "stance batch: D/T trials, F failed, W written, ..." (blocking reads:
    // the child's own output paces the test).
    while (::getline(&line, &cap, err) > 0) {
        all += line;
        std::size_t done = 0, total = 0, failed = 0, written = 0;
        if (!sent &&
            std::sscanf(line, "stance batch: %zu/%zu trials, %zu failed, %zu written", &done,
                        &total, &failed, &written) == 4 &&
            written > 0 && written < total) {
            ::kill(pid, sig);
            sent = true;
        }
    }
    std::free(line);
    std::fclose(err);
    int status = 0;
    ::waitpid(pid, &status, 0);
    INFO(all);
    REQUIRE(sent);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status)
                                       : (WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1);
    return {code, all};
}

}  // namespace

TEST_CASE("stance batch writes analyze's numbers, one row per trial, and a JSON summary",
          "[cli][batch]") {
    TempDir dir("basic");
    const auto out = dir.path / "metrics.csv";
    const Run r = runStance(dir, "batch " + bdsData().string() + " --out " + out.string() +
                                     " --pipeline raw --units cm --jobs 2");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["analysed"] == 10);
    CHECK(j["failed"] == 0);
    CHECK(j["complexity"] == true);
    CHECK(j["pipeline"] == "raw");
    CHECK(r.err.find("10/10 trials, 0 failed, 10 written") != std::string::npos);
    CHECK(wholeRows(out).size() == 10);

    // Every metric equals `stance analyze`'s for the same trial, pipeline and unit.
    const Run a = runStance(dir, "analyze --format csv --pipeline raw --units cm " +
                                     (bdsData() / "BDS00043.txt").string());
    REQUIRE(a.status == 0);
    std::stringstream as(a.out);
    std::string ah, arow;
    std::getline(as, ah);
    std::getline(as, arow);
    const auto aheader = splitCsv(ah), avalues = splitCsv(arow);
    std::ifstream in(out);
    std::string bh, brow;
    std::getline(in, bh);
    const auto bheader = splitCsv(bh);
    std::vector<std::string> bvalues;
    while (std::getline(in, brow)) {
        if (brow.rfind("BDS00043,", 0) == 0)
            bvalues = splitCsv(brow);
    }
    REQUIRE_FALSE(bvalues.empty());
    std::map<std::string, std::string> batch_value;
    for (std::size_t i = 0; i < bheader.size(); ++i)
        batch_value[bheader[i]] = bvalues[i];
    std::size_t compared = 0;
    for (std::size_t i = 4; i < aheader.size(); ++i) {
        INFO(aheader[i]);
        REQUIRE(batch_value.count(aheader[i]) == 1);
        if (avalues[i].empty()) {
            CHECK(batch_value[aheader[i]].empty());
        } else {
            CHECK(std::stod(batch_value[aheader[i]]) == std::stod(avalues[i]));
            ++compared;
        }
    }
    CHECK(compared > 80);
    CHECK(batch_value["length_unit"] == "cm");
}

TEST_CASE("stance batch usage errors exit 2 and say what is wrong", "[cli][batch]") {
    TempDir dir("usage");
    const std::string in = bdsData().string();
    const auto out = (dir.path / "m.csv").string();
    Run r = runStance(dir, "batch " + in + " --out " + (dir.path / "m.txt").string());
    CHECK(r.status == 2);
    CHECK(r.err.find(".csv") != std::string::npos);
    r = runStance(dir, "batch " + in + " --out " + out + " --shard 0/3");
    CHECK(r.status == 2);
    CHECK(r.err.find("1 <= I <= N") != std::string::npos);
    r = runStance(dir, "batch " + in + " --out " + (dir.path / "m.h5").string() + " --units cm");
    CHECK(r.status == 2);
    CHECK(r.err.find("--units applies to CSV") != std::string::npos);
    CHECK(runStance(dir, "batch /no/such/folder --out " + out).status == 2);
    CHECK(runStance(dir, "batch " + in + " --out " + out + " --complexity maybe").status == 2);
    CHECK(runStance(dir, "batch " + in).status == 2);  // --out is required
    const Run help = runStance(dir, "batch --help");
    CHECK(help.status == 0);
    CHECK(help.out.find("--shard") != std::string::npos);
    CHECK(help.out.find("--complexity") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
}

TEST_CASE("stance batch reports failed trials, writes the others, exits 1", "[cli][batch]") {
    TempDir dir("fail");
    const auto in = dir.path / "in";
    fs::create_directories(in);
    fs::copy_file(bdsData() / "BDS00001.txt", in / "BDS00001.txt");
    std::ofstream(in / "clinic.csv") << "time,ml_mm,ap_mm\n0,1,2\n0.01,1,2\n0.02,x,2\n";
    const auto out = dir.path / "metrics.csv";
    const Run r =
        runStance(dir, "batch " + in.string() + " --out " + out.string() + " --complexity off");
    CHECK(r.status == 1);
    CHECK(r.err.find("clinic.csv:4:") != std::string::npos);
    CHECK(r.err.find("1 of 2 trials failed") != std::string::npos);
    CHECK(nlohmann::json::parse(r.out)["failed"] == 1);
    CHECK(wholeRows(out) == std::set<std::string>{"BDS00001"});
    // An existing output that is not a batch output: exit 1, named, untouched.
    std::ofstream(dir.path / "other.csv") << "a,b\n1,2\n";
    const Run bad =
        runStance(dir, "batch " + in.string() + " --out " + (dir.path / "other.csv").string());
    CHECK(bad.status == 1);
    CHECK(bad.err.find("other.csv:1: not a stance batch output") != std::string::npos);
    CHECK(slurp(dir.path / "other.csv") == "a,b\n1,2\n");
}

TEST_CASE("stance batch shards cover every trial exactly once", "[cli][batch]") {
    TempDir dir("shard");
    std::set<std::string> seen;
    for (int k = 1; k <= 3; ++k) {
        const auto out = dir.path / ("part" + std::to_string(k) + ".csv");
        const Run r = runStance(dir, "batch " + bdsData().string() + " --out " + out.string() +
                                         " --complexity off --shard " + std::to_string(k) + "/3");
        REQUIRE(r.status == 0);
        if (!fs::exists(out))
            continue;
        for (const auto& t : wholeRows(out))
            CHECK(seen.insert(t).second);
    }
    CHECK(seen.size() == 10);
}

TEST_CASE("a batch killed mid-run leaves a valid CSV and the next run completes it",
          "[cli][batch]") {
    TempDir dir("kill");
    const auto in = linkTrials(dir.path, "in", 240);
    const auto out = dir.path / "metrics.csv";
    const auto [code, err] =
        interruptBatch({"batch", in.string(), "--out", out.string(), "--progress", "lines",
                        "--checkpoint-interval", "0", "--jobs", "1", "--complexity", "off"},
                       SIGKILL);
    CHECK(code == 128 + SIGKILL);
    const auto before = wholeRows(out);
    CHECK(!before.empty());
    CHECK(before.size() < 240);

    const Run r =
        runStance(dir, "batch " + in.string() + " --out " + out.string() + " --complexity off");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["already_done"] == before.size());
    CHECK(j["analysed"] == 240 - before.size());
    CHECK(wholeRows(out).size() == 240);
}

TEST_CASE("Ctrl-C stops a batch cleanly: exit 130, what was done is kept", "[cli][batch]") {
    TempDir dir("sigint");
    const auto in = linkTrials(dir.path, "in", 240);
    const auto out = dir.path / "metrics.csv";
    const auto [code, err] =
        interruptBatch({"batch", in.string(), "--out", out.string(), "--progress", "lines",
                        "--checkpoint-interval", "0", "--jobs", "2", "--complexity", "off"},
                       SIGINT);
    CHECK(code == 130);
    CHECK(err.find("interrupted") != std::string::npos);
    const auto kept = wholeRows(out);
    CHECK(kept.size() < 240);
    CHECK_FALSE(fs::exists(out.string() + ".lock"));
    const Run r =
        runStance(dir, "batch " + in.string() + " --out " + out.string() + " --complexity off");
    REQUIRE(r.status == 0);
    CHECK(nlohmann::json::parse(r.out)["already_done"] == kept.size());
    CHECK(wholeRows(out).size() == 240);
}

TEST_CASE("catalog import and de-identified exports from the command line",
          "[cli][export][catalog]") {
    TempDir dir("export");
    const auto bds = fs::path(STANCE_PUBLIC_DATA_DIR) / "bds_santos_duarte_2016";
    const auto bundle = dir.path / "cohort.h5";
    std::string files;
    for (const char* stem : {"BDS00001", "BDS00002", "BDS00004", "BDS00037", "BDS00046"})
        files += " " + (bds / "data" / (std::string(stem) + ".txt")).string();
    Run r = runStance(dir, "import --format bds --info " + (bds / "BDSinfo.txt").string() +
                               " --out " + bundle.string() + files);
    INFO(r.err);
    REQUIRE(r.status == 0);

    const auto db = dir.path / "clinic.db";
    r = runStance(dir, "catalog import " + bundle.string() + " --catalog " + db.string() +
                           " --metrics --complexity off");
    INFO(r.err);
    REQUIRE(r.status == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["patients_added"] == 2);
    CHECK(j["trials_added"] == 5);
    CHECK(j["data_path"] == "cohort.h5");
    r = runStance(dir, "catalog list --catalog " + db.string());
    REQUIRE(r.status == 0);
    j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 2);
    CHECK(j[0]["subject_code"] == "bds_s001");
    CHECK(j[0]["sessions"][0]["trials"]["eo_firm"] == 2);

    const auto secret = dir.path / "keys" / "site_secret";
    const auto out = dir.path / "metrics.csv";
    const std::string common = " --secret " + secret.string() + " --complexity off";
    r = runStance(dir, "export metrics --from " + db.string() + " --out " + out.string() + common);
    INFO(r.err);
    REQUIRE(r.status == 0);
    j = nlohmann::json::parse(r.out);
    CHECK(j["identity"] == "pseudonymised");
    CHECK(j["trials"] == 5);
    CHECK(j["composite_rows"] == 4 + 2);  // s001: eo_firm, ec_firm means + Romberg; s004: 2
    CHECK((fs::status(secret).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    const std::string csv = slurp(out);
    const std::string meta = slurp(out.string() + ".json");
    CHECK(csv.find("bds_s00") == std::string::npos);
    CHECK(meta.find("bds_s00") == std::string::npos);
    CHECK(nlohmann::json::parse(meta)["pseudonym"]["key_id"] == j["pseudonym_key_id"]);
    // The ages come from the recordings (the catalog has no birth dates for these subjects).
    CHECK(csv.find(",33,") != std::string::npos);

    // The same secret gives the same pseudonyms in a later export; refusing to overwrite.
    r = runStance(dir, "export metrics --from " + db.string() + " --out " + out.string() + common);
    CHECK(r.status == 1);
    CHECK(r.err.find("already exists") != std::string::npos);
    r = runStance(dir, "export metrics --from " + db.string() + " --out " + out.string() + common +
                           " --overwrite");
    REQUIRE(r.status == 0);
    CHECK(slurp(out) == csv);

    const auto id_out = dir.path / "identified.csv";
    r = runStance(dir, "export metrics --identified --from " + bundle.string() + " --out " +
                           id_out.string() + " --complexity off --subject bds_s004");
    REQUIRE(r.status == 0);
    CHECK(nlohmann::json::parse(r.out)["trials"] == 2);
    CHECK(slurp(id_out).find("bds_s004") != std::string::npos);
    CHECK(nlohmann::json::parse(slurp(id_out.string() + ".json"))["identity"] == "identified");

    r = runStance(dir, "export bundle --from " + db.string() + " --out " +
                           (dir.path / "subset.h5").string() + " --secret " + secret.string() +
                           " --condition ec_firm");
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(nlohmann::json::parse(r.out)["trials"] == 2);
    r = runStance(dir, "validate " + (dir.path / "subset.h5").string());
    CHECK(r.status == 0);

    CHECK(runStance(dir, "export metrics --from " + db.string() + " --out x.csv --since 2015-13-01")
              .status == 2);
    CHECK(runStance(dir, "export bundle --from " + db.string() + " --out x.csv").status == 2);
    CHECK(runStance(dir, "export --help").status == 0);
    std::ofstream(dir.path / "notes.db") << "not a database at all, just some text\n";
    r = runStance(dir, "catalog list --catalog " + (dir.path / "notes.db").string());
    CHECK(r.status == 1);
    CHECK(r.err.find("notes.db: not an SQLite database") != std::string::npos);
}
