#pragma once
// Helpers of the stance-hdf5 tests: a temporary directory per test, a deterministic trial that
// uses every part of the format, and an exact comparison of two trials.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "stance/datasets/h5_format.hpp"

namespace stance::test {

/// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
public:
    explicit TempDir(const std::string& tag) {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("stance_h5_" + tag + "_" + std::to_string(::getpid()) + "_" +
                 std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Every file in a directory (to check that nothing was left behind).
inline std::vector<std::string> listDir(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

inline datasets::DeviceInfo plateDevice() {
    datasets::DeviceInfo d;
    d.id = "plate1";
    d.kind = "forceplate";
    d.make = "Bertec";
    d.model = "FP4060-07";
    d.serial = "SN-1234";
    d.firmware = "2.1";
    d.rate_hz = 1000.0;
    d.calibration = Eigen::MatrixXd::Identity(6, 6) * 0.5;
    d.calibration(0, 1) = 0.01;
    d.calibration_units = {"N/V", "N/V", "N/V", "N.m/V", "N.m/V", "N.m/V"};
    d.extra["amplifier"] = std::string("AM6500");
    d.extra["channels"] = std::int64_t{6};
    return d;
}

inline datasets::DeviceInfo imuDevice() {
    datasets::DeviceInfo d;
    d.id = "imu_trunk";
    d.kind = "imu";
    d.make = "Xsens";
    d.model = "MTi-630";
    d.serial = "0123ABCD";
    d.firmware = "1.12.0";
    d.rate_hz = 100.0;
    return d;
}

inline datasets::SubjectInfo subjectInfo(const std::string& id) {
    datasets::SubjectInfo s;
    s.id = id;
    s.sex = datasets::Sex::kFemale;
    s.birth_year = 1961;
    s.height_m = 1.64;
    s.mass_kg = 68.35;
    s.extra["age_group"] = std::string("old");
    s.extra["falls_12m"] = std::int64_t{1};
    s.extra["bmi_kg_m2"] = 25.41;
    return s;
}

inline datasets::SessionInfo sessionInfo(const std::string& start) {
    datasets::SessionInfo s;
    s.start_utc = start;
    s.site = "clinic-a";
    s.operator_id = "op-07";
    s.protocol = "mctsib";
    s.protocol_version = "1.0";
    s.extra["room_temperature_c"] = 21.5;
    return s;
}

/// A trial whose every value is a closed-form function of (seed, row, column), using every group
/// of the format: raw int16 and float32 and float64 devices with gaps, forceplate with gaps and a
/// NaN COP row, an IMU with quaternions, a derived signal, metrics, events (UTF-8 label).
inline datasets::TrialData makeTrial(int seed, Eigen::Index n) {
    using namespace datasets;
    TrialData t;
    t.info.condition = seed % 2 == 0 ? "ec_foam" : "eo_firm";
    t.info.planned_duration_s = 30.0;
    t.info.status = TrialStatus::kComplete;
    t.info.t0_utc = "2024-03-05T10:15:30.250Z";
    t.info.source_id = "trial-" + std::to_string(seed);
    t.info.extra["repetition"] = std::int64_t{seed};
    t.info.extra["note"] = std::string("pieds joints, yeux fermés");

    const double dt = 0.001;
    RawSignal plate;
    plate.device = "plate1";
    plate.stored_type = RawType::kInt16;
    plate.frame = "device";
    plate.time_s.resize(n);
    plate.counter.resize(n);
    plate.values.resize(n, 6);
    for (Eigen::Index i = 0; i < n; ++i) {
        plate.time_s[i] =
            static_cast<double>(i < n / 2 ? i : i + 5) * dt;  // 5 samples lost in the middle
        plate.counter[i] = 1000 + (i < n / 2 ? i : i + 5);
        for (Eigen::Index c = 0; c < 6; ++c)
            plate.values(i, c) = static_cast<double>(((i * 37 + c * 101 + seed * 7) % 6001) - 3000);
    }
    for (int c = 0; c < 6; ++c) {
        plate.channels.push_back(Channel{std::string(1, "FFFMMM"[c]) + std::string(1, "xyzxyz"[c]),
                                         c < 3 ? "N" : "N.m", 0.05 + 0.001 * c,
                                         c == 2 ? -1.5 : 0.0});
    }
    plate.gaps = {Gap{static_cast<double>(n / 2) * dt, static_cast<double>(n / 2 + 5) * dt}};
    t.raw.push_back(plate);

    RawSignal imu_raw;
    imu_raw.device = "imu_trunk";
    imu_raw.stored_type = RawType::kFloat32;
    imu_raw.time_s =
        Eigen::VectorXd::LinSpaced(n / 10, 0.0, static_cast<double>(n / 10 - 1) * 0.01);
    imu_raw.counter = CounterVector::LinSpaced(n / 10, 0, n / 10 - 1);
    imu_raw.values.resize(n / 10, 2);
    for (Eigen::Index i = 0; i < n / 10; ++i) {
        imu_raw.values(i, 0) = 0.5 * static_cast<double>(i % 64);  // exact in float32
        imu_raw.values(i, 1) = -0.25 * static_cast<double>((i * 3) % 128);
    }
    imu_raw.channels = {Channel{"ax_counts", "m/s^2", 0.00981, 0.0},
                        Channel{"gx_counts", "rad/s", 0.001, 0.002}};
    t.raw.push_back(imu_raw);

    ForcePlateSignals fp;
    fp.time_s = plate.time_s;
    fp.force_n.resize(n, 3);
    fp.moment_nm.resize(n, 3);
    fp.cop_m.resize(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double s = std::sin(0.01 * static_cast<double>(i) + seed);
        fp.force_n.row(i) << 0.3 * s, -0.2 * s, 700.0 + s;
        fp.moment_nm.row(i) << 5.0 * s, -3.0 * s, 0.1 * s;
        fp.cop_m.row(i) << 0.004 * s, -0.007 * s;
    }
    fp.cop_m.row(1).setConstant(std::nan(""));  // a sample without COP
    fp.gaps = plate.gaps;
    fp.source = "raw/plate1";
    t.forceplate = fp;

    ImuSignals imu;
    imu.sensor = "trunk";
    imu.time_s = imu_raw.time_s;
    const auto m = imu.time_s.size();
    imu.acc_mps2.resize(m, 3);
    imu.gyro_radps.resize(m, 3);
    imu.quat_wxyz.resize(m, 4);
    for (Eigen::Index i = 0; i < m; ++i) {
        const double a = 0.001 * static_cast<double>(i + seed);
        imu.acc_mps2.row(i) << 0.1 * a, 0.2 * a, 9.81 - a;
        imu.gyro_radps.row(i) << a, -a, 2 * a;
        imu.quat_wxyz.row(i) << std::cos(a), std::sin(a), 0.0, 0.0;
    }
    imu.gaps = {Gap{0.1, 0.13}, Gap{0.2, 0.21}};
    t.imu.push_back(imu);

    DerivedSignal d;
    d.name = "cop_filtered";
    d.values = fp.cop_m.topRows(n / 2) * 0.5;
    d.values(1, 0) = 0.0;
    d.values(1, 1) = 0.0;
    d.columns = {"x_ml", "y_ap"};
    d.units = {"m", "m"};
    d.sample_rate_hz = 1000.0;
    d.start_time_s = 0.0;
    d.algorithm = "butterworth_filtfilt";
    d.algorithm_version = "1";
    d.parameters["cutoff_hz"] = 10.0;
    d.parameters["order"] = std::int64_t{4};
    d.parameters["design"] = std::string("scipy-compatible");
    t.derived.push_back(d);

    t.metrics.push_back(Metric{"rms_ML", 0.00123 * seed, "m", "rms", "1"});
    t.metrics.push_back(Metric{"mean_velocity", 0.0112, "m/s", "path_length_over_time", "2"});
    t.events.push_back(Event{0.0, "start"});
    t.events.push_back(Event{1.25, "eyes closed — yeux fermés"});
    // The reader returns raw devices and metrics by name.
    std::sort(t.raw.begin(), t.raw.end(),
              [](const RawSignal& a, const RawSignal& b) { return a.device < b.device; });
    std::sort(t.metrics.begin(), t.metrics.end(),
              [](const Metric& a, const Metric& b) { return a.name < b.name; });
    return t;
}

/// Exact equality (NaN equals NaN).
inline void requireSameMatrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                              const std::string& what) {
    INFO(what);
    REQUIRE(a.rows() == b.rows());
    REQUIRE(a.cols() == b.cols());
    for (Eigen::Index i = 0; i < a.size(); ++i) {
        const double x = a.data()[i], y = b.data()[i];
        if (!(x == y || (std::isnan(x) && std::isnan(y)))) {
            INFO("element " << i << ": " << x << " vs " << y);
            REQUIRE(false);
        }
    }
}

inline void requireSameTrial(const datasets::TrialData& a, const datasets::TrialData& b) {
    CHECK(a.info.condition == b.info.condition);
    CHECK(a.info.planned_duration_s == b.info.planned_duration_s);
    CHECK(a.info.status == b.info.status);
    CHECK(a.info.t0_utc == b.info.t0_utc);
    CHECK(a.info.source_id == b.info.source_id);
    CHECK(a.info.extra == b.info.extra);
    REQUIRE(a.raw.size() == b.raw.size());
    for (std::size_t k = 0; k < a.raw.size(); ++k) {
        const auto& x = a.raw[k];
        const auto& y = b.raw[k];
        CHECK(x.device == y.device);
        CHECK(x.stored_type == y.stored_type);
        CHECK(x.frame == y.frame);
        requireSameMatrix(x.values, y.values, "raw " + x.device + " data");
        requireSameMatrix(x.time_s, y.time_s, "raw " + x.device + " time");
        REQUIRE(x.counter.size() == y.counter.size());
        CHECK((x.counter.array() == y.counter.array()).all());
        CHECK(x.gaps == y.gaps);
        REQUIRE(x.channels.size() == y.channels.size());
        for (std::size_t c = 0; c < x.channels.size(); ++c) {
            CHECK(x.channels[c].name == y.channels[c].name);
            CHECK(x.channels[c].unit == y.channels[c].unit);
            CHECK(x.channels[c].scale == y.channels[c].scale);
            CHECK(x.channels[c].offset == y.channels[c].offset);
        }
    }
    REQUIRE(a.forceplate.has_value() == b.forceplate.has_value());
    if (a.forceplate) {
        requireSameMatrix(a.forceplate->time_s, b.forceplate->time_s, "forceplate time");
        requireSameMatrix(a.forceplate->force_n, b.forceplate->force_n, "force");
        requireSameMatrix(a.forceplate->moment_nm, b.forceplate->moment_nm, "moment");
        requireSameMatrix(a.forceplate->cop_m, b.forceplate->cop_m, "cop");
        CHECK(a.forceplate->gaps == b.forceplate->gaps);
        CHECK(a.forceplate->source == b.forceplate->source);
        CHECK(a.forceplate->cop_origin == b.forceplate->cop_origin);
    }
    REQUIRE(a.imu.size() == b.imu.size());
    for (std::size_t k = 0; k < a.imu.size(); ++k) {
        CHECK(a.imu[k].sensor == b.imu[k].sensor);
        requireSameMatrix(a.imu[k].acc_mps2, b.imu[k].acc_mps2, "acc");
        requireSameMatrix(a.imu[k].gyro_radps, b.imu[k].gyro_radps, "gyro");
        requireSameMatrix(a.imu[k].quat_wxyz, b.imu[k].quat_wxyz, "quat");
        requireSameMatrix(a.imu[k].time_s, b.imu[k].time_s, "imu time");
        CHECK(a.imu[k].gaps == b.imu[k].gaps);
    }
    REQUIRE(a.derived.size() == b.derived.size());
    for (std::size_t k = 0; k < a.derived.size(); ++k) {
        CHECK(a.derived[k].name == b.derived[k].name);
        requireSameMatrix(a.derived[k].values, b.derived[k].values, "derived");
        CHECK(a.derived[k].columns == b.derived[k].columns);
        CHECK(a.derived[k].units == b.derived[k].units);
        CHECK(a.derived[k].algorithm == b.derived[k].algorithm);
        CHECK(a.derived[k].parameters == b.derived[k].parameters);
        CHECK(a.derived[k].sample_rate_hz == b.derived[k].sample_rate_hz);
    }
    REQUIRE(a.metrics.size() == b.metrics.size());
    for (std::size_t k = 0; k < a.metrics.size(); ++k) {
        CHECK(a.metrics[k].name == b.metrics[k].name);
        CHECK(a.metrics[k].value == b.metrics[k].value);
        CHECK(a.metrics[k].unit == b.metrics[k].unit);
        CHECK(a.metrics[k].algorithm == b.metrics[k].algorithm);
        CHECK(a.metrics[k].algorithm_version == b.metrics[k].algorithm_version);
    }
    CHECK(a.events == b.events);
}

}  // namespace stance::test
