#include "h5_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace stance::datasets::h5 {

namespace {

std::string describeOpenFailure(const std::string& stack, std::uintmax_t size) {
    const auto has = [&](const char* s) { return stack.find(s) != std::string::npos; };
    if (size == 0)
        return "the file is empty (0 bytes): not an HDF5 file";
    if (has("signature"))
        return "not an HDF5 file (no HDF5 signature found): wrong file, or its start is damaged";
    if (has("truncated"))
        return "the file is truncated (" + stack + ")";
    return "cannot open as HDF5, the file is corrupt or unreadable (" + stack + ")";
}

}  // namespace

Hid fileAccess(bool latest_format) {
    Hid fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
    if (latest_format)
        H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    return fapl;
}

OpenedFile openForReading(const std::filesystem::path& path) {
    quiet();
    const std::string name = path.string();
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status))
        throw DatasetError(name, 0, "cannot open the file (it does not exist)");
    if (std::filesystem::is_directory(status))
        throw DatasetError(name, 0, "is a directory, not a file");
    {
        std::ifstream probe(path, std::ios::binary);
        if (!probe)
            throw DatasetError(name, 0, "cannot open the file (not readable)");
    }
    const auto size = std::filesystem::file_size(path, ec);
    Hid fapl = fileAccess(false);
    OpenedFile out;
    hid_t id = H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get());
    if (id >= 0) {
        out.file = Hid(id, H5Fclose);
        return out;
    }
    const std::string first = takeErrorStack();
    // A file whose SWMR writer is still running, or was killed, keeps its "open for writing"
    // flags; SWMR read ignores them.
    id = H5Fopen(name.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get());
    if (id >= 0) {
        out.file = Hid(id, H5Fclose);
        out.swmr = true;
        return out;
    }
    takeErrorStack();
    throw DatasetError(name, 0, describeOpenFailure(first, ec ? 1 : size));
}

std::filesystem::path temporaryPathFor(const std::filesystem::path& destination) {
    static std::atomic<unsigned> counter{0};
    const auto dir =
        destination.has_parent_path() ? destination.parent_path() : std::filesystem::path(".");
    return dir / ("." + destination.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                  "-" + std::to_string(counter++));
}

void commitTemporary(const std::filesystem::path& temporary,
                     const std::filesystem::path& destination, bool overwrite) {
    const std::string name = destination.string();
    const auto failWith = [&](const std::string& what) {
        const int err = errno;
        std::error_code ec;
        std::filesystem::remove(temporary, ec);
        throw DatasetError(name, 0, what + ": " + std::strerror(err));
    };
    const int fd = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        failWith("cannot reopen the temporary file " + temporary.string());
    const int synced = ::fsync(fd);
    ::close(fd);
    if (synced != 0)
        failWith("cannot flush the temporary file to disk");
    if (overwrite) {
        if (::rename(temporary.c_str(), destination.c_str()) != 0)
            failWith("cannot move the finished file into place");
    } else {
        if (::link(temporary.c_str(), destination.c_str()) != 0) {
            if (errno == EEXIST) {
                std::error_code ec;
                std::filesystem::remove(temporary, ec);
                throw DatasetError(name, 0,
                                   "already exists; not replaced (choose another name or allow "
                                   "overwriting)");
            }
            failWith("cannot move the finished file into place");
        }
        ::unlink(temporary.c_str());
    }
    const auto dir =
        destination.has_parent_path() ? destination.parent_path() : std::filesystem::path(".");
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace stance::datasets::h5
