// The batch engine on real trials: discovery and identities, sharding, the CSV output and its
// resumption, failures, cancellation, bad existing outputs, the lock, HDF5 results.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "stance/analysis/metrics.hpp"
#include "stance/datasets/batch.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/h5_writer.hpp"
#include "stance/datasets/trial_text.hpp"

using namespace stance::datasets;
namespace fs = std::filesystem;

#include "support/scratch.hpp"

namespace {

using TempDir = stance::test::ScratchDir;

fs::path bdsData() {
    return fs::path(STANCE_PUBLIC_DATA_DIR) / "bds_santos_duarte_2016" / "data";
}

/// Copies real trials into dir/name.
fs::path copyTrials(const fs::path& dir, const std::string& name,
                    const std::vector<std::string>& stems) {
    const fs::path d = dir / name;
    fs::create_directories(d);
    for (const auto& s : stems)
        fs::copy_file(bdsData() / (s + ".txt"), d / (s + ".txt"));
    return d;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ','))
        out.push_back(f);
    if (!line.empty() && line.back() == ',')
        out.emplace_back();
    return out;
}

/// metrics.csv as header + rows keyed by trial.
struct Csv {
    std::vector<std::string> header;
    std::map<std::string, std::vector<std::string>> rows;
    std::vector<std::string> order;
    std::string value(const std::string& trial, const std::string& column) const {
        const auto it = std::find(header.begin(), header.end(), column);
        REQUIRE(it != header.end());
        return rows.at(trial).at(static_cast<std::size_t>(it - header.begin()));
    }
};

Csv readCsv(const fs::path& p) {
    std::ifstream in(p);
    Csv c;
    std::string line;
    REQUIRE(std::getline(in, line));
    c.header = split(line);
    while (std::getline(in, line)) {
        auto f = split(line);
        REQUIRE(f.size() == c.header.size());
        c.order.push_back(f[0]);
        c.rows[f[0]] = std::move(f);
    }
    return c;
}

BatchOptions csvOptions(const fs::path& out) {
    BatchOptions o;
    o.out = out;
    o.jobs = 2;
    o.metrics.include_complexity = false;  // keeps the tests fast; the column set is tested apart
    o.length_unit = "mm";
    o.length_factor = [](int p) { return std::pow(1000.0, p); };
    return o;
}

template <class F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("discovery takes trial files by name, with identities relative to the input",
          "[datasets][batch]") {
    const fs::path root = fs::path(STANCE_PUBLIC_DATA_DIR) / "bds_santos_duarte_2016";
    const auto t = discoverTrials({root});
    // data/BDS*.txt only: BDSinfo.txt, the COP subset table and README.md are not trials.
    REQUIRE(t.size() == 10);
    CHECK(t[0].input == "bds_santos_duarte_2016/data/BDS00001.txt");
    CHECK(t[0].trial == "BDS00001");
    CHECK(t[0].source_id == "BDS00001");
    CHECK(t[9].trial == "BDS00046");
    CHECK_FALSE(t[0].in_bundle);
    // A file given directly is named by its file name; the identity does not depend on the
    // path used to reach it.
    const auto one = discoverTrials({bdsData() / "BDS00004.txt"});
    REQUIRE(one.size() == 1);
    CHECK(one[0].input == "BDS00004.txt");
    CHECK(discoverTrials({bdsData() / ".." / "data"})[0].input == "data/BDS00001.txt");

    CHECK(errorOf([&] {
              (void)discoverTrials({root, root});
          }).find("same identity") != std::string::npos);
    CHECK(errorOf([&] { (void)discoverTrials({root / "nope"}); }).find("no such file") !=
          std::string::npos);
}

TEST_CASE("shards split trials by identity, without overlap, whatever the input order",
          "[datasets][batch]") {
    // Golden values: 1 + (first 8 bytes of SHA-256 of the identity, big-endian) mod N, computed
    // independently with Python's hashlib.
    CHECK(shardOf("data/BDS00001.txt", "BDS00001", 7) == 3);
    CHECK(shardOf("cohort.h5", "/subjects/s01/sessions/undated/trials/001", 1000) == 774);
    CHECK(shardOf("x", "y", 1) == 1);

    std::vector<std::pair<std::string, std::string>> ids;
    for (int i = 0; i < 2000; ++i)
        ids.emplace_back("folder/trial" + std::to_string(i) + ".csv", "trial" + std::to_string(i));
    std::vector<int> count(5, 0);
    std::map<std::string, unsigned> first;
    for (const auto& [s, t] : ids) {
        const unsigned k = shardOf(s, t, 5);
        REQUIRE(k >= 1);
        REQUIRE(k <= 5);
        ++count[k - 1];
        first[s] = k;
    }
    for (int c : count)
        CHECK(c > 300);  // about 400 each
    std::shuffle(ids.begin(), ids.end(), std::mt19937(42));
    for (const auto& [s, t] : ids)
        CHECK(shardOf(s, t, 5) == first[s]);

    CHECK(ShardSpec::parse("2/8").index == 2);
    CHECK(ShardSpec::parse("2/8").count == 8);
    CHECK_THROWS_WITH(ShardSpec::parse("0/4"), Catch::Contains("1 <= I <= N"));
    CHECK_THROWS_WITH(ShardSpec::parse("5/4"), Catch::Contains("1 <= I <= N"));
    CHECK_THROWS_WITH(ShardSpec::parse("4"), Catch::Contains("I/N"));
    CHECK_THROWS_WITH(ShardSpec::parse("a/4"), Catch::Contains("not a whole number"));
}

TEST_CASE("batch CSV: one row per trial, analyze's columns and units, provenance",
          "[datasets][batch]") {
    TempDir dir("csv");
    const auto in = copyTrials(dir.path, "in", {"BDS00001", "BDS00004", "BDS00046"});
    const auto out = dir.path / "metrics.csv";
    const auto s = runBatch(discoverTrials({in}), csvOptions(out));
    CHECK(s.analysed == 3);
    CHECK(s.failures.empty());
    CHECK_FALSE(s.cancelled);
    const Csv c = readCsv(out);
    REQUIRE(c.rows.size() == 3);
    CHECK(c.order == std::vector<std::string>{"BDS00001", "BDS00004", "BDS00046"});
    const std::vector<std::string> fixed = {"trial",    "source_id",         "input",
                                            "pipeline", "algorithm_version", "length_unit",
                                            "fs_hz",    "n_samples"};
    CHECK(std::vector<std::string>(c.header.begin(), c.header.begin() + 8) == fixed);
    const auto names = batchMetricNames(csvOptions(out).metrics);
    CHECK(std::vector<std::string>(c.header.begin() + 8, c.header.end()) == names);
    CHECK(std::find(names.begin(), names.end(), "sample_entropy_ML") == names.end());
    CHECK(c.value("BDS00004", "input") == "in/BDS00004.txt");
    CHECK(c.value("BDS00004", "source_id") == "BDS00004");
    CHECK(c.value("BDS00004", "pipeline") == "clinical");
    CHECK(c.value("BDS00004", "algorithm_version") == stance::analysis::kAlgorithmVersion);
    CHECK(c.value("BDS00004", "length_unit") == "mm");
    CHECK(c.value("BDS00004", "n_samples") == "6000");

    // The same numbers as the analysis core gives, converted to mm, mm^2, mm/s.
    const auto rec = readTrialText(bdsData() / "BDS00004.txt").recording;
    const auto trace = stance::analysis::preprocess(rec, stance::analysis::Pipeline::kClinical);
    REQUIRE(trace);
    const auto m = stance::analysis::computeAllMetrics(*trace);
    for (const char* name : {"rms_ML", "confidence_ellipse_area_ML_AND_AP",
                             "mean_velocity_ML_AND_AP", "mean_frequency_ML"}) {
        const auto* v = m.find(name);
        REQUIRE(v != nullptr);
        INFO(name);
        CHECK(std::stod(c.value("BDS00004", name)) ==
              Approx(v->value * std::pow(1000.0, v->unit.length_power)).epsilon(1e-12));
    }
    // Nothing else is left in the folder: no temporary file, no lock.
    std::set<std::string> files;
    for (const auto& e : fs::directory_iterator(dir.path))
        files.insert(e.path().filename().string());
    CHECK(files == std::set<std::string>{"in", "metrics.csv"});
}

TEST_CASE("a batch resumes: trials already in the output are skipped, rows kept byte for byte",
          "[datasets][batch]") {
    TempDir dir("resume");
    const auto in = copyTrials(dir.path, "in", {"BDS00001", "BDS00002"});
    const auto out = dir.path / "metrics.csv";
    REQUIRE(runBatch(discoverTrials({in}), csvOptions(out)).analysed == 2);
    const std::string before = slurp(out);
    copyTrials(dir.path, "in", {"BDS00003", "BDS00007"});
    const auto s = runBatch(discoverTrials({in}), csvOptions(out));
    CHECK(s.already_done == 2);
    CHECK(s.analysed == 2);
    const std::string after = slurp(out);
    CHECK(after.substr(0, before.size()) == before);
    CHECK(readCsv(out).rows.size() == 4);
    // Nothing left to do: nothing written, file unchanged.
    const auto again = runBatch(discoverTrials({in}), csvOptions(out));
    CHECK(again.analysed == 0);
    CHECK(again.already_done == 4);
    CHECK(slurp(out) == after);
}

TEST_CASE("an output of the old layout (source_id = input, trial_source_id) is resumed",
          "[datasets][batch]") {
    TempDir dir("old_layout");
    const auto in = copyTrials(dir.path, "in", {"BDS00001", "BDS00002"});
    const auto out = dir.path / "metrics.csv";
    REQUIRE(runBatch(discoverTrials({in}), csvOptions(out)).analysed == 2);
    const std::string current = slurp(out);
    // A file as the previous layout wrote it: columns 2 and 3 were named source_id (holding
    // the input) and trial_source_id (the source's identifier). `drop_source_ids` gives the
    // layout before that, without the source's identifier.
    const auto toOld = [](const std::string& text, bool drop_source_ids) {
        std::string old;
        std::stringstream lines(text);
        std::string line;
        bool header = true;
        while (std::getline(lines, line)) {
            auto f = split(line);
            REQUIRE(f.size() > 3);
            if (header) {
                REQUIRE(f[1] == "source_id");
                REQUIRE(f[2] == "input");
                f[2] = "trial_source_id";
            } else {
                std::swap(f[1], f[2]);
            }
            header = false;
            if (drop_source_ids)
                f.erase(f.begin() + 2);
            for (std::size_t k = 0; k < f.size(); ++k)
                old += (k > 0 ? "," : "") + f[k];
            old += '\n';
        }
        return old;
    };
    const std::string old = toOld(current, false);
    REQUIRE(old.find("trial,source_id,trial_source_id,pipeline,") == 0);
    REQUIRE(old.find("\nBDS00001,in/BDS00001.txt,BDS00001,clinical,") != std::string::npos);
    std::ofstream(out, std::ios::binary | std::ios::trunc) << old;

    // Its trials are found done; the file is rewritten in the current layout, new row added.
    copyTrials(dir.path, "in", {"BDS00003"});
    const auto s = runBatch(discoverTrials({in}), csvOptions(out));
    CHECK(s.already_done == 2);
    CHECK(s.analysed == 1);
    const std::string after = slurp(out);
    CHECK(after.substr(0, current.size()) == current);
    const Csv c = readCsv(out);
    CHECK(c.rows.size() == 3);
    CHECK(c.value("BDS00001", "source_id") == "BDS00001");
    CHECK(c.value("BDS00001", "input") == "in/BDS00001.txt");
    CHECK(c.value("BDS00003", "source_id") == "BDS00003");
    CHECK(c.value("BDS00003", "input") == "in/BDS00003.txt");

    // With nothing left to do, an old-layout output is still brought to the current layout.
    std::ofstream(out, std::ios::binary | std::ios::trunc) << toOld(after, false);
    const auto none = runBatch(discoverTrials({in}), csvOptions(out));
    CHECK(none.already_done == 3);
    CHECK(none.analysed == 0);
    CHECK(slurp(out) == after);

    // The layout before the source's identifier had a column cannot be completed: refused,
    // the file left as it is.
    const std::string older = toOld(after, true);
    REQUIRE(older.find("trial,source_id,pipeline,") == 0);
    std::ofstream(out, std::ios::binary | std::ios::trunc) << older;
    const std::string e = errorOf([&] { (void)runBatch(discoverTrials({in}), csvOptions(out)); });
    INFO(e);
    CHECK(e.find(out.string() + ":1: written by an older Stance") == 0);
    CHECK(slurp(out) == older);
}

TEST_CASE("a failing trial is reported with its reason and the batch goes on",
          "[datasets][batch]") {
    TempDir dir("fail");
    const auto in = copyTrials(dir.path, "in", {"BDS00001", "BDS00010"});
    std::ofstream(in / "broken.csv") << "time,ml_mm,ap_mm\n0,1,2\n0.01,oops,2\n";
    std::ofstream(in / "short.csv") << "time,ml_mm,ap_mm\n0,1,2\n0.01,1,2\n0.02,1,3\n";
    const auto out = dir.path / "metrics.csv";
    std::vector<BatchFailure> seen;
    auto o = csvOptions(out);
    o.on_failure = [&](const BatchFailure& f) { seen.push_back(f); };
    const auto s = runBatch(discoverTrials({in}), o);
    CHECK(s.analysed == 2);
    REQUIRE(s.failures.size() == 2);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].trial == "broken");  // reported in trial order
    CHECK(seen[0].reason.find("broken.csv:3:") != std::string::npos);
    CHECK(seen[1].trial == "short");
    CHECK(seen[1].reason.find("cannot preprocess") != std::string::npos);
    CHECK(readCsv(out).rows.size() == 2);
    // A later run retries the failed trials only.
    const auto again = runBatch(discoverTrials({in}), o);
    CHECK(again.already_done == 2);
    CHECK(again.failures.size() == 2);
    CHECK(readCsv(out).rows.size() == 2);
}

TEST_CASE("a cancelled batch leaves a valid output that the next run completes",
          "[datasets][batch]") {
    TempDir dir("cancel");
    const auto in = copyTrials(
        dir.path, "in", {"BDS00001", "BDS00002", "BDS00003", "BDS00004", "BDS00007", "BDS00010"});
    const auto out = dir.path / "metrics.csv";
    std::atomic<bool> cancel{false};
    auto o = csvOptions(out);
    o.jobs = 1;
    o.cancel = &cancel;
    o.on_progress = [&](const BatchProgress& p) {
        if (p.done >= 1)
            cancel = true;
    };
    const auto first = runBatch(discoverTrials({in}), o);
    CHECK(first.cancelled);
    CHECK(first.analysed >= 1);
    CHECK(first.analysed < 6);
    CHECK(readCsv(out).rows.size() == first.analysed);

    cancel = false;
    o.on_progress = nullptr;
    const auto second = runBatch(discoverTrials({in}), o);
    CHECK_FALSE(second.cancelled);
    CHECK(second.already_done == first.analysed);
    CHECK(second.analysed == 6 - first.analysed);
    CHECK(readCsv(out).rows.size() == 6);
}

TEST_CASE("shards of one batch write disjoint outputs that cover every trial",
          "[datasets][batch]") {
    TempDir dir("shard");
    const auto in = copyTrials(dir.path, "in",
                               {"BDS00001", "BDS00002", "BDS00003", "BDS00004", "BDS00007",
                                "BDS00010", "BDS00037", "BDS00040"});
    std::set<std::string> all;
    std::size_t total = 0;
    for (unsigned k = 1; k <= 3; ++k) {
        auto o = csvOptions(dir.path / ("shard" + std::to_string(k) + ".csv"));
        o.shard = {k, 3};
        const auto s = runBatch(discoverTrials({in}), o);
        CHECK(s.discovered == 8);
        total += s.in_shard;
        if (s.analysed == 0)
            continue;
        for (const auto& [trial, row] : readCsv(o.out).rows) {
            CHECK(shardOf(row[2], trial, 3) == k);  // (input, trial)
            CHECK(all.insert(trial).second);
        }
    }
    CHECK(total == 8);
    CHECK(all.size() == 8);
}

TEST_CASE("an existing output of another kind is refused, named, and left untouched",
          "[datasets][batch]") {
    TempDir dir("refuse");
    const auto in = copyTrials(dir.path, "in", {"BDS00001"});
    const auto trials = discoverTrials({in});
    const auto out = dir.path / "metrics.csv";
    REQUIRE(runBatch(trials, csvOptions(out)).analysed == 1);
    const std::string good = slurp(out);

    const auto expectRefused = [&](const std::string& content, const BatchOptions& o,
                                   const std::string& where, const std::string& what) {
        std::ofstream(out, std::ios::binary | std::ios::trunc) << content;
        const std::string e = errorOf([&] { (void)runBatch(trials, o); });
        INFO(e);
        CHECK(e.find(out.string() + where) == 0);
        CHECK(e.find(what) != std::string::npos);
        CHECK(slurp(out) == content);
    };
    const auto o = csvOptions(out);
    auto raw = o;
    raw.pipeline = stance::analysis::Pipeline::kRaw;
    expectRefused(good, raw, ":2:", "pipeline 'clinical' where this run uses 'raw'");
    auto cm = o;
    cm.length_unit = "cm";
    expectRefused(good, cm, ":2:", "--units");
    auto with_complexity = o;
    with_complexity.metrics.include_complexity = true;
    expectRefused(good, with_complexity, ":1:", "--complexity");

    const auto header_end = good.find('\n');
    expectRefused(good.substr(0, header_end) + ",extra_column" + good.substr(header_end), o,
                  ":1:", "unknown column");
    expectRefused("time,ml_mm,ap_mm\n0,1,2\n", o, ":1:", "not a stance batch output");
    // A torn last row (what a writer without atomic replacement would leave).
    expectRefused(good.substr(0, good.size() - 40), o, ":2:", "fields where the header has");
    const auto bad_number = good.substr(0, header_end + 1) +
                            "BDS00001,BDS00001,in/BDS00001.txt,clinical," +
                            stance::analysis::kAlgorithmVersion + ",mm,abc,6000" +
                            std::string(batchMetricNames(o.metrics).size(), ',') + "\n";
    expectRefused(bad_number, o, ":2:", "'abc' is not a number");
    expectRefused(good + good.substr(header_end + 1), o, ":3:", "appears twice");
}

TEST_CASE("two runs never write the same output at once", "[datasets][batch]") {
    TempDir dir("lock");
    const auto in = copyTrials(dir.path, "in", {"BDS00001"});
    const auto out = dir.path / "metrics.csv";
    const auto lock_path = dir.path / "metrics.csv.lock";
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    const std::string e = errorOf([&] { (void)runBatch(discoverTrials({in}), csvOptions(out)); });
    CHECK(e.find("another stance batch") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    ::close(fd);
    CHECK(runBatch(discoverTrials({in}), csvOptions(out)).analysed == 1);
}

TEST_CASE("bundles are batch inputs; metrics.h5 results resume like CSV", "[datasets][batch]") {
    TempDir dir("h5");
    const auto bundle = dir.path / "cohort.h5";
    {
        // Three real trials written as force-plate COP into a bundle (two subjects).
        BundleWriter w(bundle);
        for (const char* subject : {"s01", "s04"}) {
            SubjectInfo si;
            si.id = subject;
            w.addSubject(si);
            SessionInfo se;
            se.start_utc = "2015-10-08T08:30:00";
            w.addSession(subject, se);
        }
        for (const auto& [subject, stem] : std::vector<std::pair<std::string, std::string>>{
                 {"s01", "BDS00001"}, {"s01", "BDS00004"}, {"s04", "BDS00037"}}) {
            const auto rec = readTrialText(bdsData() / (stem + ".txt")).recording;
            TrialData t;
            t.info.source_id = stem;
            ForcePlateSignals fp;
            fp.time_s = rec.t_s;
            fp.cop_m = rec.xy_m;
            t.forceplate = fp;
            (void)w.addTrial(subject, "2015-10-08T08:30:00", t);
        }
        w.commit();
    }
    const auto text = copyTrials(dir.path, "text", {"BDS00010"});
    const auto trials = discoverTrials({bundle, text});
    REQUIRE(trials.size() == 4);
    CHECK(trials[0].input == "cohort.h5");
    CHECK(trials[0].in_bundle);
    CHECK(trials[0].trial.rfind("/subjects/", 0) == 0);
    // Each bundle trial also carries the identifier its source gave it.
    std::set<std::string> own;
    for (const auto& t : trials)
        own.insert(t.source_id);
    CHECK(own == std::set<std::string>{"BDS00001", "BDS00004", "BDS00037", "BDS00010"});

    // CSV from a bundle: the same numbers as from the text file.
    const auto csv = dir.path / "m.csv";
    REQUIRE(runBatch(trials, csvOptions(csv)).analysed == 4);
    const Csv c = readCsv(csv);
    const auto find_bds1 = [&]() -> std::string {
        for (const auto& t : trials) {
            if (t.in_bundle) {
                const BundleReader r(bundle);
                if (r.trialInfo(t.ref).source_id == "BDS00001")
                    return t.trial;
            }
        }
        return {};
    };
    const std::string bds1 = find_bds1();
    REQUIRE_FALSE(bds1.empty());
    // source_id is what the source called the trial, input the file it was read from.
    CHECK(c.value(bds1, "source_id") == "BDS00001");
    CHECK(c.value(bds1, "input") == "cohort.h5");
    CHECK(c.value("BDS00010", "source_id") == "BDS00010");
    CHECK(c.value("BDS00010", "input") == "text/BDS00010.txt");
    TempDir solo("h5solo");
    const auto one = copyTrials(solo.path, "t", {"BDS00001"});
    REQUIRE(runBatch(discoverTrials({one}), csvOptions(solo.path / "one.csv")).analysed == 1);
    const Csv single = readCsv(solo.path / "one.csv");
    CHECK(std::stod(c.value(bds1, "rms_AP")) ==
          Approx(std::stod(single.value("BDS00001", "rms_AP"))).epsilon(1e-9));

    // HDF5 results: SI, each metric with its unit, provenance in attributes; resumable.
    auto o = csvOptions(dir.path / "m.h5");
    o.length_factor = nullptr;
    std::vector<BatchTrial> first_two(trials.begin(), trials.begin() + 2);
    REQUIRE(runBatch(first_two, o).analysed == 2);
    const auto s = runBatch(trials, o);
    CHECK(s.already_done == 2);
    CHECK(s.analysed == 2);
    const BundleReader r(o.out);
    const auto refs = r.trials();
    REQUIRE(refs.size() == 4);
    std::size_t from_text = 0;
    for (const auto& ref : refs) {
        const auto data = r.readTrial(ref);
        CHECK(std::get<std::string>(data.info.extra.at("pipeline")) == "clinical");
        CHECK(std::get<std::string>(data.info.extra.at("algorithm_version")) ==
              stance::analysis::kAlgorithmVersion);
        CHECK_FALSE(data.forceplate.has_value());
        REQUIRE(data.metrics.size() > 72);
        if (ref.subject_id == "unknown") {
            ++from_text;
            CHECK(data.info.source_id == "BDS00010");
        }
        CHECK_FALSE(std::get<std::string>(data.info.extra.at("batch_input")).empty());
        if (std::get<std::string>(data.info.extra.at("batch_trial")) == bds1) {
            CHECK(std::get<std::string>(data.info.extra.at("batch_input")) == "cohort.h5");
            CHECK(data.info.source_id == "BDS00001");
            const auto it = std::find_if(data.metrics.begin(), data.metrics.end(),
                                         [](const Metric& m) { return m.name == "rms_AP"; });
            REQUIRE(it != data.metrics.end());
            CHECK(it->unit == "m");
            CHECK(it->value * 1000.0 ==
                  Approx(std::stod(single.value("BDS00001", "rms_AP"))).epsilon(1e-9));
        }
    }
    CHECK(from_text == 1);
}
