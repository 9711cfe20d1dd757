// The streaming writer: live reads, finalize, and the crash guarantee (a forked writer killed
// with SIGKILL mid-write leaves every flushed sample readable).

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>

#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/h5_stream.hpp"
#include "stance/datasets/h5_validate.hpp"
#include "stance/datasets/h5_writer.hpp"
#include "test_h5_support.hpp"

using namespace stance::datasets;
using stance::test::TempDir;

namespace {

// Sample i of the 1 kHz, 6-channel raw stream and of the derived forceplate stream.
double rawValue(std::int64_t i, Eigen::Index c) {
    return static_cast<double>((i * 7919 + c * 104729) % 65521) - 32760.0;
}
double timeOf(std::int64_t i) {
    return static_cast<double>(i) * 0.001;
}

StreamLayout layout() {
    StreamLayout l;
    l.subject = stance::test::subjectInfo("p042");
    l.session = stance::test::sessionInfo("2024-05-01T08:00:00Z");
    l.trial.condition = "ec_foam";
    l.trial.planned_duration_s = 30.0;
    l.trial.t0_utc = "2024-05-01T08:01:02Z";
    l.devices = {stance::test::plateDevice(), stance::test::imuDevice()};
    RawStreamSpec raw;
    raw.device = "plate1";
    raw.stored_type = RawType::kInt32;
    for (int c = 0; c < 6; ++c)
        raw.channels.push_back(Channel{"ch" + std::to_string(c), c < 3 ? "N" : "N.m", 0.01, 0.0});
    l.raw = {raw};
    l.forceplate = true;
    l.forceplate_source = "raw/plate1";
    l.imu_sensors = {"trunk"};
    l.chunk_rows = 256;
    return l;
}

// Appends rows [first, first + n) to every signal of the layout.
void appendBlock(TrialStreamWriter& w, std::int64_t first, Eigen::Index n) {
    Eigen::VectorXd t(n);
    CounterVector counter(n);
    Eigen::MatrixXd values(n, 6);
    stance::analysis::Signal3 f(n, 3), m(n, 3);
    stance::analysis::Signal2 cop(n, 2);
    for (Eigen::Index r = 0; r < n; ++r) {
        const std::int64_t i = first + r;
        t[r] = timeOf(i);
        counter[r] = i;
        for (Eigen::Index c = 0; c < 6; ++c)
            values(r, c) = rawValue(i, c);
        f.row(r) << rawValue(i, 0) * 0.01, rawValue(i, 1) * 0.01, 700.0;
        m.row(r) << rawValue(i, 3) * 0.01, rawValue(i, 4) * 0.01, 0.0;
        cop.row(r) << -m(r, 1) / 700.0, m(r, 0) / 700.0;
    }
    w.appendRaw(0, t, counter, values);
    w.appendForcePlate(t, f, m, cop);
    // The IMU runs at a tenth of the rate.
    std::vector<std::int64_t> imu_rows;
    for (Eigen::Index r = 0; r < n; ++r) {
        if ((first + r) % 10 == 0)
            imu_rows.push_back(first + r);
    }
    const auto k = static_cast<Eigen::Index>(imu_rows.size());
    Eigen::VectorXd ti(k);
    stance::analysis::Signal3 acc(k, 3), gyro(k, 3);
    Signal4 quat(k, 4);
    for (Eigen::Index r = 0; r < k; ++r) {
        const auto i = imu_rows[static_cast<std::size_t>(r)];
        ti[r] = timeOf(i);
        acc.row(r) << 0.0, 0.0, 9.81 + static_cast<double>(i % 5);
        gyro.row(r) << static_cast<double>(i % 3), 0.0, 0.0;
        quat.row(r) << 1.0, 0.0, 0.0, 0.0;
    }
    w.appendImu(0, ti, acc, gyro, quat);
}

// Checks that rows [0, n) of a read trial are exactly what appendBlock wrote.
void requireRows(const TrialData& t, std::int64_t n) {
    REQUIRE(t.raw.size() == 1);
    const RawSignal& raw = t.raw[0];
    REQUIRE(raw.time_s.size() == n);
    REQUIRE(raw.values.rows() == n);
    REQUIRE(raw.counter.size() == n);
    REQUIRE(t.forceplate.has_value());
    REQUIRE(t.forceplate->time_s.size() == n);
    REQUIRE(t.forceplate->cop_m.rows() == n);
    for (std::int64_t i = 0; i < n; ++i) {
        const auto r = static_cast<Eigen::Index>(i);
        if (raw.time_s[r] != timeOf(i) || raw.counter[r] != i ||
            raw.values(r, 5) != rawValue(i, 5) || raw.values(r, 0) != rawValue(i, 0) ||
            t.forceplate->force_n(r, 1) != rawValue(i, 1) * 0.01 ||
            t.forceplate->time_s[r] != timeOf(i)) {
            FAIL("row " << i << " differs from what was appended");
        }
    }
}

// Version byte of the HDF5 superblock (0 for the earliest format, 3 for SWMR-era files).
int superblockVersion(const std::filesystem::path& p) {
    const std::string bytes = stance::test::slurp(p);
    REQUIRE(bytes.size() > 9);
    REQUIRE(bytes.substr(0, 8) == std::string("\x89HDF\r\n\x1a\n", 8));
    return static_cast<unsigned char>(bytes[8]);
}

}  // namespace

TEST_CASE("a live trial is readable while it is written; only flushed rows count", "[h5][stream]") {
    TempDir dir("live");
    const auto live = dir / "trial.live.h5";
    TrialStreamWriter w(live, layout());
    appendBlock(w, 0, 1000);
    w.appendEvent(Event{0.5, "eyes closed"});
    w.appendRawGap(0, Gap{0.7, 0.75});
    w.flush();
    CHECK(w.flushedRows() == 1000 + 1000 + 100);
    appendBlock(w, 1000, 500);  // not flushed yet
    {
        BundleReader r(live);
        CHECK(r.fileInfo().live);
        REQUIRE(r.trials().size() == 1);
        const TrialData t = r.readTrial(r.trials()[0]);
        CHECK(t.info.status == TrialStatus::kRecording);
        requireRows(t, 1000);
        REQUIRE(t.imu.size() == 1);
        CHECK(t.imu[0].time_s.size() == 100);
        CHECK(t.events == std::vector<Event>{Event{0.5, "eyes closed"}});
        CHECK(t.raw[0].gaps == std::vector<Gap>{Gap{0.7, 0.75}});
    }
    w.flush();
    {
        BundleReader r(live);
        requireRows(r.readTrial(r.trials()[0]), 1500);
    }
    w.close();
    CHECK(superblockVersion(live) >= 2);
}

TEST_CASE("finalize turns a live file into an ordinary, broadly compatible file", "[h5][stream]") {
    TempDir dir("finalize");
    const auto live = dir / "trial.live.h5";
    const auto dest = dir / "session.h5";
    {
        TrialStreamWriter w(live, layout());
        for (int b = 0; b < 7; ++b)
            appendBlock(w, b * 300, 300);
        w.appendEvent(Event{1.0, std::string(100, 'x')});  // cut to 63 bytes in the live file
        w.close();
    }
    FinalizeOptions o;
    o.metrics.push_back(Metric{"rms_ML", 0.0042, "m", "rms", "1"});
    const TrialRef ref = finalizeTrialStream(live, dest, o);
    CHECK(ref == TrialRef{"p042", "2024-05-01T08:00:00Z", "001"});
    CHECK_FALSE(std::filesystem::exists(live));
    CHECK(superblockVersion(dest) == 0);  // earliest format: MATLAB and old readers open it
    const auto report = validateBundle(dest);
    for (const auto& i : report.issues)
        UNSCOPED_INFO(i.path << ": " << i.problem);
    CHECK(report.ok());
    BundleReader r(dest);
    CHECK_FALSE(r.fileInfo().live);
    const TrialData t = r.readTrial(ref);
    CHECK(t.info.status == TrialStatus::kComplete);
    CHECK(t.info.condition == "ec_foam");
    requireRows(t, 2100);
    REQUIRE(t.metrics.size() == 1);
    CHECK(t.metrics[0].value == 0.0042);
    CHECK(t.events[0].label == std::string(63, 'x'));
    CHECK(r.devices().size() == 2);

    SECTION("a second trial goes into the same session file under the next number") {
        const auto live2 = dir / "trial2.live.h5";
        {
            TrialStreamWriter w(live2, layout());
            appendBlock(w, 0, 100);
        }  // the destructor flushes and closes
        const TrialRef ref2 = finalizeTrialStream(live2, dest);
        CHECK(ref2.trial_name == "002");
        BundleReader r2(dest);
        REQUIRE(r2.trials().size() == 2);
        requireRows(r2.readTrial(r2.trials()[0]), 2100);
        requireRows(r2.readTrial(ref2), 100);
        CHECK(validateBundle(dest).ok());
        CHECK(stance::test::listDir(dir.path()) == std::vector<std::string>{"session.h5"});
    }
}

TEST_CASE("the streaming writer refuses what it cannot keep", "[h5][stream]") {
    TempDir dir("refuse");
    const auto live = dir / "t.h5";
    {
        TrialStreamWriter w(live, layout());
        CHECK_NOTHROW(appendBlock(w, 0, 0));  // an empty block is fine
        Eigen::VectorXd t(2);
        t << 0.0, std::nan("");
        CHECK_THROWS_WITH(w.appendRaw(0, t, CounterVector::Zero(2), Eigen::MatrixXd::Zero(2, 6)),
                          Catch::Contains("not finite"));
        CHECK_THROWS_WITH(w.appendRaw(0, Eigen::VectorXd::Zero(2), CounterVector::Zero(2),
                                      Eigen::MatrixXd::Zero(2, 5)),
                          Catch::Contains("5 columns"));
        const stance::analysis::Signal3 none3(0, 3);
        const Signal4 none4(0, 4);
        CHECK_THROWS_WITH(w.appendImu(3, Eigen::VectorXd(), none3, none3, none4),
                          Catch::Contains("no IMU sensor 3"));
    }
    CHECK_THROWS_WITH(TrialStreamWriter(live, layout()), Catch::Contains("already exists"));
    auto bad = layout();
    bad.raw[0].device = "ghost";
    CHECK_THROWS_WITH(TrialStreamWriter(dir / "u.h5", bad), Catch::Contains("ghost"));
    CHECK_FALSE(std::filesystem::exists(dir / "u.h5"));
}

TEST_CASE("a live forceplate and its raw source are read cut to the rows they share",
          "[h5][stream]") {
    // What a kill between the raw commit and the forceplate commit leaves: raw a block longer.
    TempDir dir("align");
    const auto live = dir / "trial.live.h5";
    TrialStreamWriter w(live, layout());
    appendBlock(w, 0, 600);
    Eigen::VectorXd t(40);
    CounterVector counter(40);
    Eigen::MatrixXd values(40, 6);
    for (Eigen::Index r = 0; r < 40; ++r) {
        t[r] = timeOf(600 + r);
        counter[r] = 600 + r;
        for (Eigen::Index c = 0; c < 6; ++c)
            values(r, c) = rawValue(600 + r, c);
    }
    w.appendRaw(0, t, counter, values);
    w.flush();
    BundleReader r(live);
    const TrialData d = r.readTrial(r.trials().at(0));
    requireRows(d, 600);                     // raw and forceplate alike
    CHECK(d.imu.at(0).time_s.size() == 60);  // other signals keep their own rows
}

// The recorder's guarantee. A child process streams 1 kHz rows and flushes after every block,
// reporting each completed flush through a pipe; the parent kills it with SIGKILL at a varying
// point (the child never waits, so the kill lands inside an append, a flush or between them) and
// then opens the file.
TEST_CASE("a writer killed with SIGKILL leaves every flushed sample readable", "[h5][stream]") {
    TempDir dir("sigkill");
    const int kills[] = {1, 2, 3, 5, 8, 13, 21, 34};
    for (const int kill_after : kills) {
        const auto live = dir / ("killed_" + std::to_string(kill_after) + ".h5");
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
            try {
                TrialStreamWriter w(live, layout());
                std::int64_t rows = 0;
                for (int block = 0;; ++block) {
                    const Eigen::Index n = 137 + (block % 5) * 61;  // uneven blocks
                    appendBlock(w, rows, n);
                    rows += n;
                    w.flush();
                    if (::write(fds[1], &rows, sizeof rows) != sizeof rows)
                        ::_exit(3);
                }
            } catch (...) {
                ::_exit(2);
            }
        }
        ::close(fds[1]);
        std::int64_t flushed = 0;
        for (int k = 0; k < kill_after; ++k) {
            std::int64_t v = 0;
            REQUIRE(::read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v));
            flushed = v;
        }
        REQUIRE(::kill(child, SIGKILL) == 0);
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        // Flushes the child reported after our last read are guaranteed too.
        std::int64_t v = 0;
        while (::read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v))
            flushed = v;
        ::close(fds[0]);
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);

        INFO("killed after " << kill_after << " flushes, " << flushed << " rows flushed");
        BundleReader r(live);
        CHECK(r.fileInfo().live);
        const TrialData t = r.readTrial(r.trials().at(0));
        const auto rows = static_cast<std::int64_t>(t.raw.at(0).time_s.size());
        CHECK(rows >= flushed);
        requireRows(t, rows);  // every row read back is a real sample, never fill
        CHECK(t.forceplate->time_s.size() == rows);

        // Recovery: finalize as aborted into an ordinary file.
        FinalizeOptions o;
        o.status = TrialStatus::kAborted;
        const auto dest = dir / ("recovered_" + std::to_string(kill_after) + ".h5");
        const TrialRef ref = finalizeTrialStream(live, dest, o);
        CHECK(validateBundle(dest).ok());
        BundleReader rec(dest);
        CHECK(rec.trialInfo(ref).status == TrialStatus::kAborted);
        requireRows(rec.readTrial(ref), rows);
    }
}
