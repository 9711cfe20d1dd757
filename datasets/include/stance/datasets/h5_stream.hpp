#pragma once
/// \file
/// Streaming writer for the recorder: appends rows to one trial's signals while the trial runs,
/// with a crash guarantee, and the finalize step that turns the live file into an ordinary
/// stance-hdf5 file.
///
/// Guarantee: once flush() has returned, a SIGKILL of the writing process at any later moment
/// leaves a file that BundleReader opens and that holds every sample appended before that flush.
///
/// How (docs/stance-hdf5.md, "Live files"): the live file uses the latest HDF5 file format and
/// SWMR write mode (HDF5 1.10), in which the library orders its metadata writes so that the file
/// on disk is always consistent. All groups and datasets are created before SWMR starts (SWMR
/// cannot create objects), with unlimited first dimensions. Appended rows are kept in memory until
/// flush(), which writes each signal's data first and its `time` last; `time` has NaN as fill
/// value, so a row is committed exactly when its time is finite. A reader of a live file cuts
/// every signal at its first non-finite time. Readers that are not SWMR-aware (MATLAB, old h5py)
/// may not open a live file: finalizeTrialStream() rewrites it in the earliest file format.
///
/// Threading: a TrialStreamWriter is used by one thread (the recorder's writer thread).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_format.hpp"

namespace stance::datasets {

/// One raw device stream of a live trial.
struct RawStreamSpec {
    std::string device;  ///< raw/<device>; must be one of StreamLayout::devices
    std::vector<Channel> channels;
    RawType stored_type = RawType::kFloat64;
    std::string frame = "device";
};

/// Everything a live file holds, fixed before the first sample (SWMR cannot add objects).
struct StreamLayout {
    SubjectInfo subject;
    SessionInfo session;
    TrialInfo trial;  ///< status is written as "recording" whatever it says here
    std::string trial_name = "001";
    std::vector<DeviceInfo> devices;
    std::vector<RawStreamSpec> raw;
    bool forceplate = false;               ///< create forceplate/{force,moment,cop,time,gaps}
    std::string forceplate_source;         ///< `source` attribute of forceplate
    std::vector<std::string> imu_sensors;  ///< create imu/<sensor>/{acc,gyro,quat,time,gaps}
    std::size_t chunk_rows = 1024;         ///< rows per chunk
    int deflate_level = 4;
    /// flush() happens by itself when this many rows wait in memory for one signal.
    std::size_t max_buffered_rows = 1u << 16;
};

class TrialStreamWriter {
public:
    /// Creates the live file (refuses an existing one) with the whole layout, then starts SWMR.
    /// Throws DatasetError naming the file.
    TrialStreamWriter(std::filesystem::path live_path, const StreamLayout& layout);
    /// Flushes and closes (never throws; a failure here is reported by the next open).
    ~TrialStreamWriter();
    TrialStreamWriter(TrialStreamWriter&&) noexcept;
    TrialStreamWriter& operator=(TrialStreamWriter&&) noexcept;
    TrialStreamWriter(const TrialStreamWriter&) = delete;
    TrialStreamWriter& operator=(const TrialStreamWriter&) = delete;

    /// Appends n rows to raw stream `index` (order of StreamLayout::raw): time (n), counter (n),
    /// values (n x C). Rows wait in memory until flush(). Throws on a size mismatch.
    void appendRaw(std::size_t index, const Eigen::Ref<const Eigen::VectorXd>& time_s,
                   const Eigen::Ref<const CounterVector>& counter,
                   const Eigen::Ref<const Eigen::MatrixXd>& values);
    void appendRawGap(std::size_t index, const Gap& gap);
    /// Appends n rows to forceplate: time (n), force (n x 3) N, moment (n x 3) N·m, cop (n x 2) m.
    void appendForcePlate(const Eigen::Ref<const Eigen::VectorXd>& time_s,
                          const Eigen::Ref<const analysis::Signal3>& force_n,
                          const Eigen::Ref<const analysis::Signal3>& moment_nm,
                          const Eigen::Ref<const analysis::Signal2>& cop_m);
    void appendForcePlateGap(const Gap& gap);
    /// Appends n rows to imu sensor `index` (order of StreamLayout::imu_sensors).
    void appendImu(std::size_t index, const Eigen::Ref<const Eigen::VectorXd>& time_s,
                   const Eigen::Ref<const analysis::Signal3>& acc_mps2,
                   const Eigen::Ref<const analysis::Signal3>& gyro_radps,
                   const Eigen::Ref<const Signal4>& quat_wxyz);
    void appendImuGap(std::size_t index, const Gap& gap);
    /// Labels longer than 63 bytes are cut in the live file (fixed-size strings under SWMR).
    void appendEvent(const Event& event);

    /// Writes every waiting row to the file and makes it durable against a crash of this
    /// process (see the file comment). Cost: one HDF5 write per dataset with new rows.
    void flush();
    /// Flushes and closes the file. The live file stays as it is (status "recording") until
    /// finalizeTrialStream().
    void close();

    /// Rows of a signal already flushed (committed).
    std::size_t flushedRows() const noexcept;  ///< total over every signal
    const std::filesystem::path& path() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

struct FinalizeOptions {
    TrialStatus status = TrialStatus::kComplete;  ///< use kAborted when recovering after a crash
    std::vector<Metric> metrics;                  ///< added to the trial's metrics
    std::vector<DerivedSignal> derived;           ///< added to the trial's derived signals
    bool remove_live = true;                      ///< delete the live file afterwards
};

/// Reads a live file (closed, or left by a crashed writer), and writes its trial, in the earliest
/// HDF5 file format, to `destination`: a new file, or, when `destination` exists, a copy of it
/// with the trial added (its subject, session and devices added when missing; the trial takes
/// the next free number when its name is taken). The result is renamed into place atomically.
/// Returns where the trial went. Throws DatasetError naming the file on failure; the
/// destination is then untouched.
TrialRef finalizeTrialStream(const std::filesystem::path& live_path,
                             const std::filesystem::path& destination,
                             const FinalizeOptions& options = {});

}  // namespace stance::datasets
