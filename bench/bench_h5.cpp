// stance-hdf5 write throughput against the disk's own sequential write speed, and the size of a
// bundle against the source text files of the shipped BDS trials. Prints figures; never fails on
// timing.
//
// usage: bench_h5 [minutes of 1 kHz x 6-channel signal, default 10] [directory, default $TMPDIR]

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/h5_stream.hpp"
#include "stance/datasets/h5_writer.hpp"
#include "stance/datasets/importers.hpp"

#ifndef STANCE_PUBLIC_DATA_DIR
#error "STANCE_PUBLIC_DATA_DIR must point at datasets/public"
#endif

namespace fs = std::filesystem;
using namespace stance::datasets;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// A plausible 6-channel plate signal: body weight on Fz, slow sway in the moments, amplifier
// noise on everything (so that compression sees realistic entropy).
Eigen::MatrixXd plateSignal(Eigen::Index n) {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> noise(0.0, 1.0);
    Eigen::MatrixXd x(n, 6);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) * 1e-3;
        const double sway =
            0.004 * std::sin(2 * M_PI * 0.2 * t) + 0.002 * std::sin(2 * M_PI * 0.7 * t);
        x(i, 0) = 0.8 * std::sin(2 * M_PI * 0.3 * t) + 0.05 * noise(rng);
        x(i, 1) = 1.1 * std::sin(2 * M_PI * 0.25 * t) + 0.05 * noise(rng);
        x(i, 2) = 686.0 + 2.0 * std::sin(2 * M_PI * 0.5 * t) + 0.2 * noise(rng);
        x(i, 3) = 686.0 * sway + 0.02 * noise(rng);
        x(i, 4) = -686.0 * 0.6 * sway + 0.02 * noise(rng);
        x(i, 5) = 0.1 * noise(rng);
    }
    return x;
}

// Sequential write of `bytes` to a plain file in 1 MiB blocks, then fsync: the disk's speed.
double plainWriteSeconds(const fs::path& path, std::size_t bytes) {
    std::vector<char> block(1 << 20);
    for (std::size_t i = 0; i < block.size(); ++i)
        block[i] = static_cast<char>(i * 2654435761u >> 13);
    const auto t0 = Clock::now();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return NAN;
    std::size_t left = bytes;
    while (left > 0) {
        const std::size_t n = std::min(left, block.size());
        if (::write(fd, block.data(), n) != static_cast<ssize_t>(n)) {
            ::close(fd);
            return NAN;
        }
        left -= n;
    }
    ::fsync(fd);
    ::close(fd);
    const auto t1 = Clock::now();
    fs::remove(path);
    return seconds(t0, t1);
}

DeviceInfo plate() {
    DeviceInfo d;
    d.id = "plate";
    d.kind = "forceplate";
    d.rate_hz = 1000.0;
    return d;
}

RawSignal rawOf(const Eigen::MatrixXd& x) {
    RawSignal r;
    r.device = "plate";
    for (const char* c : {"Fx", "Fy", "Fz", "Mx", "My", "Mz"})
        r.channels.push_back(Channel{c, c[0] == 'F' ? "N" : "N.m", 1.0, 0.0});
    r.values = x;
    r.time_s = Eigen::VectorXd::LinSpaced(x.rows(), 0.0, static_cast<double>(x.rows() - 1) * 1e-3);
    r.counter = CounterVector::LinSpaced(x.rows(), 0, x.rows() - 1);
    return r;
}

// The whole trial through BundleWriter (the commit includes fsync and rename).
double bundleWriteSeconds(const fs::path& path, const Eigen::MatrixXd& x, int deflate_level) {
    TrialData t;
    t.raw.push_back(rawOf(x));
    const auto t0 = Clock::now();
    WriteOptions o;
    o.overwrite = true;
    o.deflate_level = deflate_level;
    BundleWriter w(path, o);
    w.addDevice(plate());
    SubjectInfo s;
    s.id = "bench";
    w.addSubject(s);
    SessionInfo se;
    w.addSession("bench", se);
    w.addTrial("bench", "undated", t);
    w.commit();
    return seconds(t0, Clock::now());
}

// The recorder's path: blocks of `block` rows appended and flushed one by one (SWMR), then
// finalized into an ordinary file.
std::pair<double, double> streamWriteSeconds(const fs::path& dir, const Eigen::MatrixXd& x,
                                             Eigen::Index block) {
    StreamLayout l;
    l.subject.id = "bench";
    l.devices = {plate()};
    RawStreamSpec spec;
    spec.device = "plate";
    spec.channels = rawOf(x.topRows(1)).channels;
    l.raw = {spec};
    const auto live = dir / "bench.live.h5";
    const auto done = dir / "bench.final.h5";
    fs::remove(live);
    fs::remove(done);
    const auto t0 = Clock::now();
    {
        TrialStreamWriter w(live, l);
        for (Eigen::Index i = 0; i < x.rows(); i += block) {
            const Eigen::Index n = std::min(block, x.rows() - i);
            const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(
                n, static_cast<double>(i) * 1e-3, static_cast<double>(i + n - 1) * 1e-3);
            const CounterVector c = CounterVector::LinSpaced(n, i, i + n - 1);
            w.appendRaw(0, t, c, x.middleRows(i, n));
            w.flush();
        }
        w.close();
    }
    const auto t1 = Clock::now();
    finalizeTrialStream(live, done);
    const auto t2 = Clock::now();
    fs::remove(done);
    return {seconds(t0, t1), seconds(t1, t2)};
}

}  // namespace

int main(int argc, char** argv) {
    const double minutes = argc > 1 ? std::atof(argv[1]) : 10.0;
    const fs::path base = argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path();
    const fs::path dir = base / ("stance_bench_h5_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto n = static_cast<Eigen::Index>(minutes * 60.0 * 1000.0);
    const Eigen::MatrixXd x = plateSignal(n);
    // The payload: 6 channels + time + counter, 8 bytes each.
    const double payload_mb = static_cast<double>(n) * 8.0 * 8.0 / 1e6;
    const double signal_mb = static_cast<double>(n) * 6.0 * 8.0 / 1e6;

    std::printf(
        "stance-hdf5 write throughput: %.1f min at 1 kHz x 6 channels float64 "
        "(%.1f MB of samples, %.1f MB with time and counter), in %s\n",
        minutes, signal_mb, payload_mb, dir.c_str());
    std::vector<double> disk, bundle, fast;
    std::uintmax_t bundle_bytes = 0, fast_bytes = 0;
    for (int rep = 0; rep < 3; ++rep) {
        disk.push_back(
            plainWriteSeconds(dir / "plain.bin", static_cast<std::size_t>(payload_mb * 1e6)));
        bundle.push_back(bundleWriteSeconds(dir / "bundle.h5", x, 4));
        bundle_bytes = fs::file_size(dir / "bundle.h5");
        fs::remove(dir / "bundle.h5");
        fast.push_back(bundleWriteSeconds(dir / "bundle.h5", x, 1));
        fast_bytes = fs::file_size(dir / "bundle.h5");
        fs::remove(dir / "bundle.h5");
    }
    const auto [stream_s, finalize_s] = streamWriteSeconds(dir, x, 100);
    const double disk_s = median(disk), bundle_s = median(bundle);
    std::printf("  %-58s %8.1f MB/s  (%.3f s, median of 3)\n",
                "disk, plain sequential write + fsync, same bytes", payload_mb / disk_s, disk_s);
    std::printf("  %-58s %8.1f MB/s  (%.3f s, median of 3; %.2fx the disk's time)\n",
                "BundleWriter, whole trial (shuffle+deflate 4, fsync, rename)",
                payload_mb / bundle_s, bundle_s, bundle_s / disk_s);
    std::printf("  %-58s %8.1f MB/s  (%.3f s, median of 3; %.1f MB on disk)\n",
                "BundleWriter, same with deflate level 1", payload_mb / median(fast), median(fast),
                static_cast<double>(fast_bytes) / 1e6);
    std::printf("  %-58s %8.1f MB/s  (%.3f s)\n",
                "TrialStreamWriter, 100-row blocks, flush after each (SWMR)", payload_mb / stream_s,
                stream_s);
    std::printf("  %-58s %8.1f MB/s  (%.3f s)\n", "finalizeTrialStream (read live, rewrite)",
                payload_mb / finalize_s, finalize_s);
    std::printf("  on-disk size %.1f MB for %.1f MB of payload (compression ratio %.2f)\n",
                static_cast<double>(bundle_bytes) / 1e6, payload_mb,
                payload_mb * 1e6 / static_cast<double>(bundle_bytes));
    std::printf("  real time: streaming writes %.0fx faster than the 1 kHz signal is acquired\n",
                minutes * 60.0 / stream_s);

    // Bundle size against the shipped BDS text files.
    const fs::path bds = fs::path(STANCE_PUBLIC_DATA_DIR) / "bds_santos_duarte_2016";
    std::vector<fs::path> files;
    std::uintmax_t text_bytes = 0;
    for (const auto& e : fs::directory_iterator(bds / "data")) {
        files.push_back(e.path());
        text_bytes += fs::file_size(e.path());
    }
    std::sort(files.begin(), files.end());
    ImportOptions io;
    io.format = ImportFormat::kBds;
    io.info = bds / "BDSinfo.txt";
    const auto t0 = Clock::now();
    WriteOptions wo;
    wo.overwrite = true;
    importFiles(files, dir / "bds.h5", io, wo);
    const double import_s = seconds(t0, Clock::now());
    const auto h5_bytes = fs::file_size(dir / "bds.h5");
    std::printf("\nBDS bundle against its sources: %zu trials of 6000 rows x 9 columns\n",
                files.size());
    std::printf("  %-58s %8.2f MB\n", "source text files (BDSnnnnn.txt)",
                static_cast<double>(text_bytes) / 1e6);
    std::printf("  %-58s %8.2f MB  (%.2fx the text; %.2f s to import)\n",
                "stance-hdf5 bundle (raw as acquired + forceplate + metadata)",
                static_cast<double>(h5_bytes) / 1e6,
                static_cast<double>(h5_bytes) / static_cast<double>(text_bytes), import_s);
    // What the same numbers cost uncompressed, for scale: raw (8 ch + time + counter) and
    // forceplate (force, moment, cop, time) as float64.
    const double uncompressed = static_cast<double>(files.size()) * 6000.0 * (10 + 9) * 8.0;
    std::printf("  %-58s %8.2f MB\n", "the same values as uncompressed float64",
                uncompressed / 1e6);
    fs::remove_all(dir);
    return 0;
}
