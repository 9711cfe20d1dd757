#pragma once
/// \file
/// Checks a file against docs/stance-hdf5.md and says what is wrong, where.

#include <filesystem>
#include <string>
#include <vector>

namespace stance::datasets {

/// One departure from the format: the HDF5 path ("/" for the file itself) and the problem.
struct ValidationIssue {
    std::string path;
    std::string problem;
};

struct ValidationReport {
    std::string file;
    int format_version = 0;  ///< 0 when it could not be read
    std::size_t subjects = 0, sessions = 0, trials = 0;
    std::vector<ValidationIssue> issues;
    /// What the format recommends and the file lacks, without making it invalid: a signal
    /// without the Fletcher-32 checksum ("recommended but absent: ..."), as h5py and MATLAB
    /// write by default. In file order.
    std::vector<ValidationIssue> warnings;
    bool ok() const noexcept { return issues.empty(); }  ///< warnings do not count
};

/// Reads every group, attribute and dataset of the file (so a corrupt chunk is found) and
/// reports every problem it sees, in file order. Never throws for the file's content: an
/// unreadable file (missing, not HDF5, truncated) is one issue at "/".
ValidationReport validateBundle(const std::filesystem::path& path);

}  // namespace stance::datasets
