#pragma once
/// \file
/// Reader of stance-hdf5 files (every version up to kH5FormatVersion), including live and
/// crashed files of the streaming writer.
///
/// Threading: one BundleReader is used by one thread at a time; separate readers (of the same
/// or different files) may run in parallel threads (Debian's HDF5 is built thread-safe and
/// serialises its calls internally).

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_format.hpp"

namespace stance::datasets {

class BundleReader {
public:
    /// Opens a file read-only. Throws DatasetError naming the file when it is missing, not
    /// HDF5, truncated or corrupt ("the file is truncated: ..."), not a stance-hdf5 file, or of
    /// a format version newer than this software reads ("format_version 7 is newer than the
    /// newest this software reads (1)"). A live or crashed streaming file is opened through
    /// SWMR read and fileInfo().live is true.
    explicit BundleReader(const std::filesystem::path& path);
    ~BundleReader();
    BundleReader(BundleReader&&) noexcept;
    BundleReader& operator=(BundleReader&&) noexcept;
    BundleReader(const BundleReader&) = delete;
    BundleReader& operator=(const BundleReader&) = delete;

    const std::filesystem::path& path() const noexcept;
    const FileInfo& fileInfo() const noexcept;

    /// Subjects sorted by id.
    std::vector<SubjectInfo> subjects() const;
    /// Throws DatasetError when there is no such subject.
    SubjectInfo subject(std::string_view id) const;
    /// Sessions of a subject, sorted by start.
    std::vector<SessionInfo> sessions(std::string_view subject_id) const;
    /// Every trial of the file, sorted by subject, session, trial name.
    std::vector<TrialRef> trials() const;
    /// The trials of one session, sorted by name.
    std::vector<TrialRef> trials(std::string_view subject_id, std::string_view session_start) const;
    /// The first trial whose `source_id` attribute equals `source_id`, or nullopt.
    std::optional<TrialRef> findBySourceId(std::string_view source_id) const;

    /// Attributes of a trial only (no signals): cheap.
    TrialInfo trialInfo(const TrialRef& trial) const;
    /// Everything in a trial group. Throws DatasetError naming the HDF5 path on a missing
    /// trial, a corrupt chunk or a dataset of the wrong shape.
    TrialData readTrial(const TrialRef& trial) const;
    /// The `forceplate` group alone, or nullopt when the trial has none.
    std::optional<ForcePlateSignals> readForcePlate(const TrialRef& trial) const;

    /// `/devices/*`, sorted by id.
    std::vector<DeviceInfo> devices() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace stance::datasets
