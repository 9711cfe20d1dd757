#pragma once
/// \file
/// Private: opening stance-hdf5 files with clear messages, and the temporary-file-then-rename
/// discipline of every writer.

#include <filesystem>
#include <string>

#include "h5_handle.hpp"

namespace stance::datasets::h5 {

struct OpenedFile {
    Hid file;
    bool swmr = false;  ///< opened through SWMR read (a live or crashed streaming file)
};

/// Opens read-only; falls back to SWMR read for a file whose SWMR writer is running or died.
/// Throws DatasetError naming the file: missing, a directory, not HDF5, truncated, corrupt.
OpenedFile openForReading(const std::filesystem::path& path);

/// File access properties: close degree strong, and (for live files) the latest format.
Hid fileAccess(bool latest_format);

/// A fresh temporary name next to `destination` ("<dir>/.<name>.tmp-<pid>-<n>").
std::filesystem::path temporaryPathFor(const std::filesystem::path& destination);

/// Makes `temporary` durable (fsync) and moves it onto `destination`: with overwrite by
/// rename(2); without, by link(2) + unlink(2) so an existing destination is never replaced.
/// Removes `temporary` and throws DatasetError naming the destination when it fails.
void commitTemporary(const std::filesystem::path& temporary,
                     const std::filesystem::path& destination, bool overwrite);

}  // namespace stance::datasets::h5
