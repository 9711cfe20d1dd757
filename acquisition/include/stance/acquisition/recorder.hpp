#pragma once
/// \file
/// The crash-safe trial recorder. While a trial runs, every sample of every device goes through a
/// single-producer/single-consumer ring to a writer thread that appends it to a stance-hdf5 live
/// file (datasets::TrialStreamWriter: chunked, SWMR) and flushes at least twice a second, so a
/// kill -9 of stanced loses at most the last half second. When the trial ends the writer drains
/// the ring, flushes, closes, and finalizes the trial into the session's file
/// (datasets::finalizeTrialStream), which also rewrites it in the broadly readable HDF5 format.
///
/// Per device the file holds raw/<device> (the values as the device sent them: plate forces and
/// moments as float32, load-cell amplifier counts as int32, IMU values as float32, with scale and
/// offset so that tare and calibration can be redone), the forceplate group (from the first plate
/// or load-cell board: force, moment, cop, time) and imu/<device> (acc, gyro, quat, time), each
/// with its gaps.
///
/// Threading: begin(), push(), gap(), mark() and end() are called from the io thread (the
/// producer); the writer thread is the consumer and the only one touching the file. end()'s
/// callback runs on the writer thread; the destructor joins it (no detached threads).

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "stance/acquisition/spsc_ring.hpp"
#include "stance/acquisition/stream_sample.hpp"
#include "stance/datasets/h5_stream.hpp"
#include "stance/devices/samples.hpp"

namespace stance::acquisition {

/// What the recorder must know of a device, fixed at the trial start.
struct RecordedDevice {
    std::uint16_t index = 0;
    std::string name;
    StreamKind kind = StreamKind::kForcePlate;
    devices::DeviceInfo info;
    std::array<double, 6> tare{};  ///< offsets subtracted live (plate: F, M; board: F1..F4)
    std::optional<devices::LoadCellCalibration> calibration;
    std::string protocol;  ///< "stance-frame", "xsens"
};

struct TrialSetup {
    std::filesystem::path live_path;    ///< new file; must not exist
    std::filesystem::path destination;  ///< the session file the trial is finalized into
    datasets::SubjectInfo subject;
    datasets::SessionInfo session;
    datasets::TrialInfo trial;  ///< condition, planned duration, t0_utc
    std::string trial_name = "001";
    std::vector<RecordedDevice> devices;
    std::int64_t t0_ns = 0;  ///< station time of trial time 0
    double duration_s = 0;   ///< samples at or after this trial time are not recorded
    double flush_period_s = 0.5;
};

struct TrialOutcome {
    datasets::TrialStatus status = datasets::TrialStatus::kComplete;
    std::filesystem::path file;  ///< the finalized session file ("" when finalizing failed)
    datasets::TrialRef ref;
    std::map<std::string, std::uint64_t> samples;  ///< per device name
    std::uint64_t gaps = 0;
    std::string error;  ///< why the file could not be finished ("" when it was)
};

class Recorder {
public:
    explicit Recorder(std::size_t ring_capacity = 1u << 16);
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    /// Creates the live file (throws DatasetError naming it) and starts the writer thread.
    void begin(TrialSetup setup);
    bool active() const noexcept { return active_; }
    /// false when the ring is full: the recorder fell behind and the trial must be aborted.
    bool push(const StreamSample& s) noexcept;
    void gap(std::uint16_t device, std::int64_t from_ns, std::int64_t to_ns);
    void mark(const std::string& label, std::int64_t t_ns);
    /// Ends the trial with `status`; `done` runs once the file is finished (or has failed).
    void end(datasets::TrialStatus status, std::function<void(TrialOutcome)> done);

    std::uint64_t samplesPushed() const noexcept { return pushed_; }
    std::size_t ringCapacity() const noexcept { return ring_.capacity(); }

private:
    struct Buffers;
    void run();
    void drain(Buffers& b);
    void writeOut(Buffers& b);
    TrialOutcome finish(Buffers& b, datasets::TrialStatus status);

    SpscRing<StreamSample> ring_;
    TrialSetup setup_;
    std::optional<datasets::TrialStreamWriter> writer_;
    std::thread thread_;
    std::atomic<bool> active_{false};
    std::atomic<bool> ending_{false};
    std::uint64_t pushed_ = 0;

    std::mutex mutex_;  ///< guards the rare items below
    std::condition_variable wake_;
    struct PendingGap {
        std::uint16_t device;
        std::int64_t from_ns, to_ns;
    };
    std::vector<PendingGap> gaps_;
    std::vector<datasets::Event> events_;
    datasets::TrialStatus end_status_ = datasets::TrialStatus::kComplete;
    std::function<void(TrialOutcome)> done_;
};

}  // namespace stance::acquisition
