// stance-hdf5 writer, reader and validator: write -> read identity for every group, bundles from
// subsets, nothing half-written, truncated / corrupt / future-version files, the committed
// version-1 fixture.

#include <catch2/catch.hpp>
#include <fstream>

#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/h5_validate.hpp"
#include "stance/datasets/h5_writer.hpp"
#include "test_h5_support.hpp"

using namespace stance::datasets;
using stance::test::makeTrial;
using stance::test::requireSameTrial;
using stance::test::TempDir;

namespace {

const std::string kSessionA = "2024-03-05T10:15:00Z";
const std::string kSessionB = "2024-03-12T09:00:00Z";

// Two subjects, three sessions, four trials.
void writeExample(const std::filesystem::path& path, Eigen::Index n = 400) {
    BundleWriter w(path);
    w.addDevice(stance::test::plateDevice());
    w.addDevice(stance::test::imuDevice());
    w.addSubject(stance::test::subjectInfo("p001"));
    w.addSubject(stance::test::subjectInfo("p002"));
    w.addSession("p001", stance::test::sessionInfo(kSessionA));
    w.addSession("p001", stance::test::sessionInfo(kSessionB));
    w.addSession("p002", stance::test::sessionInfo(kSessionA));
    CHECK(w.addTrial("p001", kSessionA, makeTrial(1, n)).trial_name == "001");
    CHECK(w.addTrial("p001", kSessionA, makeTrial(2, n)).trial_name == "002");
    CHECK(w.addTrial("p001", kSessionB, makeTrial(3, n)).path() ==
          "/subjects/p001/sessions/" + kSessionB + "/trials/001");
    w.addTrial("p002", kSessionA, makeTrial(4, n), "007");
    w.commit();
}

std::filesystem::path fixture(const std::string& name) {
    return std::filesystem::path(STANCE_TEST_DATA_DIR) / "h5" / name;
}

}  // namespace

TEST_CASE("write then read gives back every group, attribute and value exactly", "[h5]") {
    TempDir dir("roundtrip");
    const auto path = dir / "bundle.h5";
    writeExample(path);
    CHECK(stance::test::listDir(dir.path()) == std::vector<std::string>{"bundle.h5"});

    BundleReader r(path);
    CHECK(r.fileInfo().format == "stance-hdf5");
    CHECK(r.fileInfo().format_version == 1);
    CHECK(r.fileInfo().software == "stance");
    CHECK(isIsoTimestamp(r.fileInfo().created_utc));
    CHECK_FALSE(r.fileInfo().live);

    const auto subjects = r.subjects();
    REQUIRE(subjects.size() == 2);
    CHECK(subjects[0].id == "p001");
    CHECK(subjects[0].sex == Sex::kFemale);
    CHECK(subjects[0].birth_year == 1961);
    CHECK(subjects[0].height_m == 1.64);
    CHECK(subjects[0].mass_kg == 68.35);
    CHECK_FALSE(subjects[0].age_years.has_value());
    CHECK(subjects[0].extra == stance::test::subjectInfo("p001").extra);

    const auto sessions = r.sessions("p001");
    REQUIRE(sessions.size() == 2);
    CHECK(sessions[1].start_utc == kSessionB);
    CHECK(sessions[0].operator_id == "op-07");
    CHECK(sessions[0].extra == stance::test::sessionInfo(kSessionA).extra);

    const auto trials = r.trials();
    REQUIRE(trials.size() == 4);
    CHECK(trials[3] == TrialRef{"p002", kSessionA, "007"});
    const int seeds[] = {1, 2, 3, 4};
    for (std::size_t i = 0; i < trials.size(); ++i) {
        INFO(trials[i].path());
        requireSameTrial(r.readTrial(trials[i]), makeTrial(seeds[i], 400));
    }
    CHECK(r.trialInfo(trials[1]).source_id == "trial-2");
    CHECK(r.findBySourceId("trial-3") == trials[2]);
    CHECK_FALSE(r.findBySourceId("nope").has_value());

    const auto fp = r.readForcePlate(trials[0]);
    REQUIRE(fp.has_value());
    const auto rec = fp->copRecording();
    CHECK(rec.nominal_fs_hz == 1000.0);
    CHECK(rec.xy_m.rows() == 400);

    const auto devices = r.devices();
    REQUIRE(devices.size() == 2);
    CHECK(devices[1].id == "plate1");
    CHECK(devices[1].serial == "SN-1234");
    CHECK(devices[1].calibration == stance::test::plateDevice().calibration);
    CHECK(devices[1].calibration_units == stance::test::plateDevice().calibration_units);
    CHECK(devices[1].extra == stance::test::plateDevice().extra);

    const auto report = validateBundle(path);
    for (const auto& i : report.issues)
        UNSCOPED_INFO(i.path << ": " << i.problem);
    CHECK(report.ok());
    // Every signal Stance writes has the Fletcher-32 checksum: nothing to recommend.
    for (const auto& w : report.warnings)
        UNSCOPED_INFO("warning: " << w.path << ": " << w.problem);
    CHECK(report.warnings.empty());
    CHECK(report.subjects == 2);
    CHECK(report.sessions == 3);
    CHECK(report.trials == 4);
}

TEST_CASE("a raw int16 signal keeps its stored values; physical() applies scale and offset",
          "[h5]") {
    TempDir dir("physical");
    writeExample(dir / "b.h5", 50);
    BundleReader r(dir / "b.h5");
    const auto t = r.readTrial(r.trials().front());
    const RawSignal& plate = t.raw[1];
    REQUIRE(plate.device == "plate1");
    CHECK(plate.stored_type == RawType::kInt16);
    const Eigen::MatrixXd phys = plate.physical();
    // Column 2 (Fz): scale 0.052, offset -1.5.
    CHECK(phys(3, 2) == Approx(plate.values(3, 2) * 0.052 - 1.5).epsilon(1e-15));
    CHECK(phys(3, 0) == Approx(plate.values(3, 0) * 0.05).epsilon(1e-15));
}

TEST_CASE("a new bundle from a subset of another copies only what the trials need", "[h5]") {
    TempDir dir("subset");
    writeExample(dir / "all.h5");
    BundleReader all(dir / "all.h5");
    const auto refs = all.trials();
    const std::vector<TrialRef> pick = {refs[3], refs[1]};
    {
        BundleWriter w(dir / "subset.h5");
        const auto out = w.copyTrials(all, pick);
        CHECK(out == pick);
        w.commit();
    }
    BundleReader sub(dir / "subset.h5");
    CHECK(sub.trials() == std::vector<TrialRef>{refs[1], refs[3]});
    CHECK(sub.subjects().size() == 2);
    CHECK(sub.sessions("p001").size() == 1);  // kSessionB is not needed
    CHECK(sub.devices().size() == 2);
    requireSameTrial(sub.readTrial(refs[3]), all.readTrial(refs[3]));
    CHECK(validateBundle(dir / "subset.h5").ok());
}

TEST_CASE("a writer leaves nothing half-written", "[h5]") {
    TempDir dir("atomic");
    const auto path = dir / "out.h5";
    SECTION("abandoned without commit: no file at all") {
        {
            BundleWriter w(path);
            w.addDevice(stance::test::plateDevice());
            w.addSubject(stance::test::subjectInfo("p001"));
        }
        CHECK(stance::test::listDir(dir.path()).empty());
    }
    SECTION("an existing destination is not replaced unless asked") {
        writeExample(path, 20);
        const std::string before = stance::test::slurp(path);
        try {
            BundleWriter w(path);
            FAIL("no error");
        } catch (const DatasetError& e) {
            CHECK(std::string(e.what()).find("out.h5") != std::string::npos);
            CHECK(std::string(e.what()).find("already exists") != std::string::npos);
        }
        CHECK(stance::test::slurp(path) == before);
        WriteOptions o;
        o.overwrite = true;
        BundleWriter w(path, o);
        w.addSubject(stance::test::subjectInfo("other"));
        CHECK(stance::test::slurp(path) == before);  // untouched until commit
        w.commit();
        CHECK(BundleReader(path).subjects().size() == 1);
        CHECK(stance::test::listDir(dir.path()) == std::vector<std::string>{"out.h5"});
    }
    SECTION("a bad trial is refused with its HDF5 path, and the rest is still written") {
        BundleWriter w(path);
        w.addDevice(stance::test::plateDevice());
        w.addDevice(stance::test::imuDevice());
        w.addSubject(stance::test::subjectInfo("p001"));
        w.addSession("p001", stance::test::sessionInfo(kSessionA));
        auto bad = makeTrial(1, 100);
        bad.forceplate->cop_m.conservativeResize(99, 2);
        try {
            w.addTrial("p001", kSessionA, bad);
            FAIL("no error");
        } catch (const DatasetError& e) {
            const std::string what = e.what();
            INFO(what);
            CHECK(what.find("/subjects/p001/sessions/" + kSessionA +
                            "/trials/001/forceplate/cop") != std::string::npos);
            CHECK(what.find("99 rows but time has 100") != std::string::npos);
        }
        auto unknown_device = makeTrial(2, 100);
        unknown_device.raw[0].device = "nowhere";
        CHECK_THROWS_WITH(w.addTrial("p001", kSessionA, unknown_device),
                          Catch::Contains("no /devices/nowhere"));
        CHECK_THROWS_WITH(w.addSubject(stance::test::subjectInfo("a/b")),
                          Catch::Contains("has the character '/'"));
        CHECK_THROWS_WITH(w.addSession("p001", stance::test::sessionInfo("yesterday")),
                          Catch::Contains("not an ISO 8601"));
        w.addTrial("p001", kSessionA, makeTrial(3, 100));
        w.commit();
        BundleReader r(path);
        REQUIRE(r.trials().size() == 1);
        CHECK(r.trialInfo(r.trials()[0]).source_id == "trial-3");
        CHECK(validateBundle(path).ok());
    }
}

TEST_CASE("a truncated, corrupt or foreign file is refused with the file and the problem", "[h5]") {
    TempDir dir("bad");
    const auto good = dir / "good.h5";
    writeExample(good, 2000);
    const std::string bytes = stance::test::slurp(good);

    SECTION("truncated") {
        const auto cut = dir / "cut.h5";
        std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
        try {
            BundleReader r(cut);
            FAIL("opened a truncated file");
        } catch (const DatasetError& e) {
            const std::string what = e.what();
            INFO(what);
            CHECK(what.rfind(cut.string(), 0) == 0);
            CHECK(what.find("truncated") != std::string::npos);
            CHECK(what.find("HDF5-DIAG") == std::string::npos);
        }
        const auto report = validateBundle(cut);
        REQUIRE_FALSE(report.ok());
        CHECK(report.issues[0].path == "/");
        CHECK(report.issues[0].problem.find("truncated") != std::string::npos);
    }
    SECTION("not HDF5 at all") {
        const auto text = dir / "trial.h5";
        std::ofstream(text) << "Time[s]\tFx[N]\n0.01\t1.0\n";
        CHECK_THROWS_WITH(BundleReader(text), Catch::Contains("not an HDF5 file"));
        const auto empty = dir / "empty.h5";
        std::ofstream(empty).close();
        CHECK_THROWS_WITH(BundleReader(empty), Catch::Contains("empty"));
        CHECK_THROWS_WITH(BundleReader(dir / "missing.h5"), Catch::Contains("does not exist"));
    }
    SECTION("corrupt bytes inside the data are found by reading it back") {
        // Overwrite 16 KiB in the middle, where compressed chunks (with Fletcher-32) lie.
        std::string damaged = bytes;
        for (std::size_t i = damaged.size() / 2; i < damaged.size() / 2 + 16384; ++i)
            damaged[i] = static_cast<char>(i * 131 + 7);
        const auto bad = dir / "corrupt.h5";
        std::ofstream(bad, std::ios::binary) << damaged;
        const auto report = validateBundle(bad);
        REQUIRE_FALSE(report.ok());
        INFO(report.issues[0].path << ": " << report.issues[0].problem);
        CHECK(report.issues[0].path.rfind("/subjects/", 0) == 0);
        // The place is named once: as the issue's path, not again inside its problem.
        for (const auto& i : report.issues) {
            INFO(i.path << ": " << i.problem);
            CHECK(i.problem.find(i.path) == std::string::npos);
            CHECK(i.problem.find("/subjects/") == std::string::npos);
        }
        bool threw = false;
        try {
            BundleReader r(bad);
            for (const auto& t : r.trials())
                r.readTrial(t);
        } catch (const DatasetError& e) {
            threw = true;
            CHECK(std::string(e.what()).rfind(bad.string(), 0) == 0);
        }
        CHECK(threw);
    }
}

TEST_CASE("the committed version-1 fixture stays readable with the values it was written with",
          "[h5]") {
    const auto path = fixture("stance_v1_all_groups.h5");
    BundleReader r(path);
    CHECK(r.fileInfo().format_version == 1);
    CHECK(isIsoTimestamp(r.fileInfo().created_utc));
    CHECK(r.fileInfo().software_version == "0.1.0");
    REQUIRE(r.trials().size() == 2);
    requireSameTrial(r.readTrial(r.trials()[0]), makeTrial(1, 60));
    requireSameTrial(r.readTrial(r.trials()[1]), makeTrial(2, 60));
    CHECK(r.subject("p001").birth_year == 1961);
    CHECK(r.devices().size() == 2);
    CHECK(validateBundle(path).ok());
}

TEST_CASE("a file claiming a future format version is refused with both versions named", "[h5]") {
    const auto path = fixture("stance_v2_future.h5");
    try {
        BundleReader r(path);
        FAIL("read a future version");
    } catch (const DatasetError& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(what.find("format_version 2 is newer than the newest this software reads (1)") !=
              std::string::npos);
        CHECK(what.find("stance_v2_future.h5") != std::string::npos);
    }
    const auto report = validateBundle(path);
    REQUIRE(report.issues.size() == 1);
    CHECK(report.format_version == 2);
    CHECK(report.issues[0].problem.find("newer") != std::string::npos);
}

// Writes the version-1 fixture (run once by hand when the fixture is made; see
// tests/data/h5/README.md): test_datasets "[.h5-fixture]"
TEST_CASE("write the version-1 fixture", "[.h5-fixture]") {
    const auto path = fixture("stance_v1_all_groups.h5");
    WriteOptions o;
    o.overwrite = true;
    BundleWriter w(path, o);
    w.addDevice(stance::test::imuDevice());
    w.addDevice(stance::test::plateDevice());
    w.addSubject(stance::test::subjectInfo("p001"));
    w.addSession("p001", stance::test::sessionInfo(kSessionA));
    w.addTrial("p001", kSessionA, makeTrial(1, 60));
    w.addTrial("p001", kSessionA, makeTrial(2, 60));
    w.commit();
}
