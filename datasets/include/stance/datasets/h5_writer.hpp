#pragma once
/// \file
/// Writer of whole stance-hdf5 files (imports, exports, bundles made from subsets of other
/// bundles, finalized recordings). The file is built under a temporary name in the destination's
/// directory and renamed into place by commit(): a reader never sees a half-written file, and a
/// writer that throws or is destroyed without commit() leaves nothing behind.
///
/// Layout written (docs/stance-hdf5.md): the earliest HDF5 file format, so that MATLAB, h5py and
/// h5dump of any 1.8+ release read it; every signal chunked with an unlimited first dimension,
/// shuffle + deflate + Fletcher-32; `units`, `columns` and `frame` attributes on every dataset.
///
/// Threading: one writer per thread; the object is not shared.

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_format.hpp"

namespace stance::datasets {

class BundleReader;

struct WriteOptions {
    int deflate_level = 4;            ///< 0-9
    std::size_t chunk_rows = 8192;    ///< rows per chunk (fewer for shorter signals)
    bool overwrite = false;           ///< replace an existing destination (atomically)
    std::string software = "stance";  ///< root attribute `software`
};

class BundleWriter {
public:
    /// Starts a new file that commit() will rename to `destination`. Throws DatasetError when
    /// the destination exists and !options.overwrite, or its directory is not writable.
    explicit BundleWriter(std::filesystem::path destination, WriteOptions options = {});
    /// Without commit(): removes the temporary file; the destination is untouched.
    ~BundleWriter();
    BundleWriter(BundleWriter&&) noexcept;
    BundleWriter& operator=(BundleWriter&&) noexcept;
    BundleWriter(const BundleWriter&) = delete;
    BundleWriter& operator=(const BundleWriter&) = delete;

    /// `/devices/<id>`. Throws on a duplicate id or a bad name.
    void addDevice(const DeviceInfo& device);
    /// `/subjects/<id>`. Throws on a duplicate id or a bad name.
    void addSubject(const SubjectInfo& subject);
    /// `/subjects/<id>/sessions/<start_utc>`; the subject must exist.
    void addSession(std::string_view subject_id, const SessionInfo& session);
    /// Writes a trial. An empty `trial_name` takes the next free number ("001", "002", ...).
    /// Every raw/<device> must name a device added before. Throws DatasetError naming the
    /// HDF5 path when a signal's row counts disagree, a name is bad or a time is not finite.
    TrialRef addTrial(std::string_view subject_id, std::string_view session_start,
                      const TrialData& trial, std::string trial_name = {});

    bool hasDevice(std::string_view id) const;
    bool hasSubject(std::string_view id) const;
    bool hasSession(std::string_view subject_id, std::string_view session_start) const;
    bool hasTrial(std::string_view subject_id, std::string_view session_start,
                  std::string_view trial_name) const;

    /// Copies trials of another file (with their subjects, sessions and the devices their raw
    /// signals name, each added once) keeping their names. Returns the new refs.
    std::vector<TrialRef> copyTrials(const BundleReader& from, std::span<const TrialRef> trials);

    /// Closes the file and renames it onto the destination. After it, the writer is finished.
    /// Throws DatasetError when closing or renaming fails (the temporary file is removed).
    void commit();

    const std::filesystem::path& destination() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Writes `path` atomically (temporary file in the same directory, then rename): for callers
/// that produce the content of a small file in one go.
void writeFileAtomically(const std::filesystem::path& path, std::string_view content);

}  // namespace stance::datasets
