#include "stance/acquisition/recorder.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include "stance/datasets/errors.hpp"

namespace stance::acquisition {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The raw channels of a device as it sent them (physical = stored * scale + offset).
std::vector<datasets::Channel> rawChannels(const RecordedDevice& d) {
    std::vector<datasets::Channel> c;
    switch (d.kind) {
        case StreamKind::kForcePlate: {
            const char* names[6] = {"fx", "fy", "fz", "mx", "my", "mz"};
            for (std::size_t i = 0; i < 6; ++i)
                c.push_back({names[i], i < 3 ? "N" : "N m", 1.0, -d.tare[i]});
            break;
        }
        case StreamKind::kLoadCells: {
            for (std::size_t i = 0; i < 4; ++i) {
                const double scale = d.calibration ? d.calibration->scale_n_per_count[i] : kNaN;
                const double zero = d.calibration ? d.calibration->offset_counts[i] : 0.0;
                c.push_back(
                    {"cell" + std::to_string(i + 1), "N", scale, -zero * scale - d.tare[i]});
            }
            break;
        }
        case StreamKind::kImu: {
            const char* names[10] = {"ax", "ay", "az", "gx", "gy", "gz", "qw", "qx", "qy", "qz"};
            for (std::size_t i = 0; i < 10; ++i)
                c.push_back({names[i], i < 3 ? "m/s^2" : (i < 6 ? "rad/s" : "1"), 1.0, 0.0});
            break;
        }
    }
    return c;
}

datasets::DeviceInfo fileDevice(const RecordedDevice& d) {
    datasets::DeviceInfo f;
    f.id = d.name;
    f.kind = d.kind == StreamKind::kForcePlate
                 ? "forceplate"
                 : (d.kind == StreamKind::kLoadCells ? "loadcell_board" : "imu");
    f.model = std::string(d.info.modelName());
    f.make = d.protocol == "xsens" ? "Xsens" : "";
    f.serial = std::to_string(d.info.serial_number);
    f.firmware = std::to_string(d.info.firmware_major) + "." +
                 std::to_string(d.info.firmware_minor) + "." +
                 std::to_string(d.info.firmware_patch);
    f.rate_hz = d.info.nominal_rate_hz;
    if (d.kind == StreamKind::kLoadCells && d.calibration) {
        f.calibration.resize(4, 4);
        for (int i = 0; i < 4; ++i) {
            const auto u = static_cast<std::size_t>(i);
            f.calibration(i, 0) = d.calibration->offset_counts[u];
            f.calibration(i, 1) = d.calibration->scale_n_per_count[u];
            f.calibration(i, 2) = d.calibration->position_m[u][0];
            f.calibration(i, 3) = d.calibration->position_m[u][1];
        }
        f.calibration_units = {"count", "N/count", "m", "m"};
    }
    return f;
}

}  // namespace

struct Recorder::Buffers {
    struct Device {
        RecordedDevice spec;
        std::size_t raw_index = 0;
        int imu_index = -1;  ///< index into imu_sensors
        bool forceplate = false;
        std::vector<double> t;
        std::vector<std::int64_t> counter;
        std::vector<double> raw;    ///< rows of raw channels
        std::vector<double> extra;  ///< forceplate rows (F3 M3 cop2) or imu rows (acc gyro quat)
        std::uint64_t count = 0;
        double last_t = -1.0;
        double period = 0.01;
    };
    std::vector<Device> devices;
    std::map<std::uint16_t, std::size_t> by_index;
    std::chrono::steady_clock::time_point last_flush;
    std::uint64_t gaps = 0;
    bool failed = false;
    std::string error;
    std::vector<StreamSample> batch;
};

Recorder::Recorder(std::size_t ring_capacity) : ring_(ring_capacity) {}

Recorder::~Recorder() {
    if (thread_.joinable()) {
        if (active_ && !ending_) {
            end(datasets::TrialStatus::kAborted, nullptr);
        }
        thread_.join();
    }
}

void Recorder::begin(TrialSetup setup) {
    if (thread_.joinable())
        thread_.join();  // the previous trial's writer has finished its work
    setup_ = std::move(setup);
    datasets::StreamLayout layout;
    layout.subject = setup_.subject;
    layout.session = setup_.session;
    layout.trial = setup_.trial;
    layout.trial_name = setup_.trial_name;
    bool have_forceplate = false;
    for (const RecordedDevice& d : setup_.devices) {
        layout.devices.push_back(fileDevice(d));
        datasets::RawStreamSpec raw;
        raw.device = d.name;
        raw.channels = rawChannels(d);
        raw.stored_type = d.kind == StreamKind::kLoadCells ? datasets::RawType::kInt32
                                                           : datasets::RawType::kFloat32;
        raw.frame = d.kind == StreamKind::kImu ? "sensor" : "plate";
        layout.raw.push_back(std::move(raw));
        if (d.kind == StreamKind::kImu) {
            layout.imu_sensors.push_back(d.name);
        } else if (!have_forceplate) {
            have_forceplate = true;
            layout.forceplate = true;
            layout.forceplate_source = d.name;
        }
    }
    writer_.emplace(setup_.live_path, layout);
    ending_ = false;
    pushed_ = 0;
    {
        std::lock_guard lock(mutex_);
        gaps_.clear();
        events_.clear();
        done_ = nullptr;
    }
    active_ = true;
    thread_ = std::thread([this] { run(); });
}

bool Recorder::push(const StreamSample& s) noexcept {
    if (!active_ || ending_)
        return true;
    if (!ring_.push(s))
        return false;
    ++pushed_;
    return true;
}

void Recorder::gap(std::uint16_t device, std::int64_t from_ns, std::int64_t to_ns) {
    std::lock_guard lock(mutex_);
    gaps_.push_back({device, from_ns, to_ns});
}

void Recorder::mark(const std::string& label, std::int64_t t_ns) {
    std::lock_guard lock(mutex_);
    events_.push_back({static_cast<double>(t_ns - setup_.t0_ns) * 1e-9, label});
}

void Recorder::end(datasets::TrialStatus status, std::function<void(TrialOutcome)> done) {
    {
        std::lock_guard lock(mutex_);
        end_status_ = status;
        done_ = std::move(done);
    }
    ending_ = true;
    wake_.notify_all();
}

void Recorder::drain(Buffers& b) {
    const double t_end =
        setup_.duration_s > 0 ? setup_.duration_s : std::numeric_limits<double>::infinity();
    for (;;) {
        const std::size_t n = ring_.pop(b.batch.data(), b.batch.size());
        for (std::size_t k = 0; k < n; ++k) {
            const StreamSample& s = b.batch[k];
            const auto it = b.by_index.find(s.device);
            if (it == b.by_index.end())
                continue;  // a device that joined after the trial started
            auto& d = b.devices[it->second];
            const double t = static_cast<double>(s.host_ns - setup_.t0_ns) * 1e-9;
            if (t < 0.0 || t >= t_end || !(t > d.last_t))
                continue;
            d.t.push_back(t);
            d.counter.push_back(static_cast<std::int64_t>(s.counter));
            switch (d.spec.kind) {
                case StreamKind::kForcePlate:
                    for (std::size_t i = 0; i < 6; ++i)
                        d.raw.push_back(s.v[i] + d.spec.tare[i]);
                    if (d.forceplate) {
                        for (std::size_t i = 0; i < 8; ++i)
                            d.extra.push_back(s.v[i]);
                    }
                    break;
                case StreamKind::kLoadCells: {
                    for (std::size_t i = 0; i < 4; ++i)
                        d.raw.push_back(s.raw[i]);
                    if (d.forceplate) {
                        // Board: vertical force only; moments about the surface centre.
                        double mx = 0.0, my = 0.0;
                        if (d.spec.calibration) {
                            for (std::size_t i = 0; i < 4; ++i) {
                                mx += s.v[i] * d.spec.calibration->position_m[i][1];
                                my -= s.v[i] * d.spec.calibration->position_m[i][0];
                            }
                        }
                        for (const double v : {0.0, 0.0, s.v[4], mx, my, 0.0, s.v[5], s.v[6]})
                            d.extra.push_back(v);
                    }
                    break;
                }
                case StreamKind::kImu:
                    for (std::size_t i = 0; i < 10; ++i) {
                        d.raw.push_back(s.v[i]);
                        d.extra.push_back(s.v[i]);
                    }
                    break;
            }
            if (d.count > 0)
                d.period = 0.9 * d.period + 0.1 * (t - d.last_t);
            d.last_t = t;
            ++d.count;
        }
        if (n < b.batch.size())
            return;
    }
}

void Recorder::writeOut(Buffers& b) {
    std::vector<PendingGap> gaps;
    std::vector<datasets::Event> events;
    {
        std::lock_guard lock(mutex_);
        gaps.swap(gaps_);
        events.swap(events_);
    }
    if (b.failed)
        return;
    try {
        for (auto& d : b.devices) {
            const auto n = static_cast<Eigen::Index>(d.t.size());
            if (n == 0)
                continue;
            const Eigen::Map<const Eigen::VectorXd> t(d.t.data(), n);
            const Eigen::Map<const datasets::CounterVector> c(d.counter.data(), n);
            const auto channels = static_cast<Eigen::Index>(d.raw.size()) / n;
            const Eigen::MatrixXd raw = Eigen::Map<const RowMatrix>(d.raw.data(), n, channels);
            writer_->appendRaw(d.raw_index, t, c, raw);
            if (d.forceplate) {
                const RowMatrix e = Eigen::Map<const RowMatrix>(d.extra.data(), n, 8);
                writer_->appendForcePlate(t, e.leftCols(3), e.middleCols(3, 3), e.rightCols(2));
            } else if (d.imu_index >= 0) {
                const RowMatrix e = Eigen::Map<const RowMatrix>(d.extra.data(), n, 10);
                writer_->appendImu(static_cast<std::size_t>(d.imu_index), t, e.leftCols(3),
                                   e.middleCols(3, 3), e.rightCols(4));
            }
            d.t.clear();
            d.counter.clear();
            d.raw.clear();
            d.extra.clear();
        }
        for (const PendingGap& g : gaps) {
            const auto it = b.by_index.find(g.device);
            if (it == b.by_index.end())
                continue;
            auto& d = b.devices[it->second];
            // No sample lies in [start, end): start just after the last sample before the gap.
            const double from = static_cast<double>(g.from_ns - setup_.t0_ns) * 1e-9;
            const double to = static_cast<double>(g.to_ns - setup_.t0_ns) * 1e-9;
            if (!(to > 0.0) || !(to > from))
                continue;
            const datasets::Gap gap{std::nextafter(std::max(from, 0.0), 1e300), to};
            writer_->appendRawGap(d.raw_index, gap);
            if (d.forceplate)
                writer_->appendForcePlateGap(gap);
            else if (d.imu_index >= 0)
                writer_->appendImuGap(static_cast<std::size_t>(d.imu_index), gap);
            ++b.gaps;
        }
        for (const datasets::Event& e : events)
            writer_->appendEvent(e);
        writer_->flush();
    } catch (const std::exception& e) {
        b.failed = true;
        b.error = e.what();
    }
    b.last_flush = std::chrono::steady_clock::now();
}

TrialOutcome Recorder::finish(Buffers& b, datasets::TrialStatus status) {
    drain(b);
    // A device silent at the end of the trial (lost and not back): record the gap to the end.
    const double t_end = setup_.duration_s;
    for (auto& d : b.devices) {
        if (t_end <= 0.0)
            break;
        const double last = d.count == 0 ? -1.0 : d.last_t;
        if (last < t_end - 3.0 * d.period) {
            std::lock_guard lock(mutex_);
            const auto from_ns =
                setup_.t0_ns + static_cast<std::int64_t>(std::max(last, -1e-9) * 1e9);
            gaps_.push_back(
                {d.spec.index, from_ns, setup_.t0_ns + static_cast<std::int64_t>(t_end * 1e9)});
        }
    }
    writeOut(b);
    TrialOutcome out;
    out.status = status;
    for (const auto& d : b.devices)
        out.samples[d.spec.name] = d.count;
    out.gaps = b.gaps;
    try {
        writer_->close();
        writer_.reset();
        datasets::FinalizeOptions fo;
        fo.status = b.failed ? datasets::TrialStatus::kAborted : status;
        out.status = fo.status;
        out.ref = datasets::finalizeTrialStream(setup_.live_path, setup_.destination, fo);
        out.file = setup_.destination;
        if (b.failed)
            out.error = "recording failed part-way and was kept up to the failure: " + b.error;
    } catch (const std::exception& e) {
        writer_.reset();
        out.error = std::string(e.what()) + " (the live file " + setup_.live_path.string() +
                    " keeps the samples)";
    }
    return out;
}

void Recorder::run() {
    Buffers b;
    b.batch.resize(4096);
    for (std::size_t i = 0; i < setup_.devices.size(); ++i) {
        Buffers::Device d;
        d.spec = setup_.devices[i];
        d.raw_index = i;
        b.by_index[d.spec.index] = b.devices.size();
        b.devices.push_back(std::move(d));
    }
    int imu = 0;
    bool forceplate = false;
    for (auto& d : b.devices) {
        if (d.spec.kind == StreamKind::kImu)
            d.imu_index = imu++;
        else if (!forceplate)
            d.forceplate = forceplate = true;
    }
    b.last_flush = std::chrono::steady_clock::now();
    const auto period = std::chrono::duration<double>(setup_.flush_period_s);
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(10), [this] { return ending_.load(); });
        }
        drain(b);
        if (ending_)
            break;
        if (std::chrono::steady_clock::now() - b.last_flush >= period)
            writeOut(b);
    }
    datasets::TrialStatus status;
    std::function<void(TrialOutcome)> done;
    {
        std::lock_guard lock(mutex_);
        status = end_status_;
        done = std::move(done_);
    }
    TrialOutcome out = finish(b, status);
    active_ = false;
    if (done)
        done(std::move(out));
}

}  // namespace stance::acquisition
