#include "export_csv.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "stance/datasets/errors.hpp"

namespace stance::datasets::detail {

namespace {

std::string errnoText() {
    return std::strerror(errno);
}

void writeAll(int fd, std::string_view text, const std::string& name) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw DatasetError(name, 0, "cannot write: " + errnoText());
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

/// fsync of the folder, so that the rename itself survives a power cut.
void syncFolder(const std::filesystem::path& folder) {
    const std::string name = folder.empty() ? std::string(".") : folder.string();
    const int fd = ::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

void appendCsvField(std::string& line, std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        line += field;
        return;
    }
    line += '"';
    for (const char c : field) {
        if (c == '"')
            line += '"';
        line += c;
    }
    line += '"';
}

namespace {

/// `v` as text: the shortest that reads back as the same double (significant = 0), or the
/// shortest at that many significant digits; "" when not finite.
std::string numberText(double v, int significant) {
    if (!std::isfinite(v))
        return {};
    char buf[32];
    const auto [end, ec] = significant > 0 ? std::to_chars(buf, buf + sizeof buf, v,
                                                           std::chars_format::general, significant)
                                           : std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string();
}

}  // namespace

std::string formatNumber(double v) {
    return numberText(v, 0);
}

std::string formatSample(double v) {
    return numberText(v, 15);
}

std::vector<CsvRecord> parseCsv(std::string_view text, const std::string& name) {
    std::vector<CsvRecord> records;
    std::size_t line = 1;
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        // Skip blank lines.
        if (text[i] == '\n' || text[i] == '\r') {
            if (text[i] == '\n')
                ++line;
            ++i;
            continue;
        }
        CsvRecord rec;
        rec.line = line;
        std::string field;
        bool end_of_record = false;
        while (!end_of_record) {
            field.clear();
            if (i < n && text[i] == '"') {
                const std::size_t quote_line = line;
                ++i;
                while (true) {
                    if (i >= n)
                        throw DatasetError(name, quote_line, "a quoted field is never closed");
                    const char c = text[i++];
                    if (c == '"') {
                        if (i < n && text[i] == '"') {
                            field += '"';
                            ++i;
                        } else {
                            break;
                        }
                    } else {
                        if (c == '\n')
                            ++line;
                        field += c;
                    }
                }
                if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                    throw DatasetError(name, line, "text after a closing quote");
            } else {
                while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                    field += text[i++];
            }
            rec.fields.push_back(field);
            if (i < n && text[i] == ',') {
                ++i;
            } else {
                end_of_record = true;
                if (i < n && text[i] == '\r')
                    ++i;
                if (i < n && text[i] == '\n') {
                    ++i;
                    ++line;
                }
            }
        }
        records.push_back(std::move(rec));
    }
    return records;
}

std::string readWholeFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DatasetError(path.string(), 0, "cannot open: " + errnoText());
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw DatasetError(path.string(), 0, "cannot read: " + errnoText());
    return std::move(ss).str();
}

CheckpointedFile::CheckpointedFile(std::filesystem::path path, std::string header, bool exists)
    : path_(std::move(path)), header_(std::move(header)), exists_(exists) {
    temp_ = path_;
    temp_ += ".tmp-" + std::to_string(::getpid());
}

CheckpointedFile::~CheckpointedFile() {
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
}

void CheckpointedFile::checkpoint() {
    const std::string name = path_.string();
    const std::string temp = temp_.string();
    std::error_code ec;
    if (exists_) {
        std::filesystem::copy_file(path_, temp_, std::filesystem::copy_options::overwrite_existing,
                                   ec);
        if (ec)
            throw DatasetError(name, 0, "cannot copy to " + temp + ": " + ec.message());
    }
    const int flags = O_WRONLY | O_CLOEXEC | (exists_ ? O_APPEND : (O_CREAT | O_TRUNC));
    const int fd = ::open(temp.c_str(), flags, 0644);
    if (fd < 0)
        throw DatasetError(temp, 0, "cannot create: " + errnoText());
    try {
        if (!exists_)
            writeAll(fd, header_, temp);
        writeAll(fd, pending_, temp);
        if (::fsync(fd) != 0)
            throw DatasetError(temp, 0, "cannot flush to disk: " + errnoText());
    } catch (...) {
        ::close(fd);
        std::filesystem::remove(temp_, ec);
        throw;
    }
    if (::close(fd) != 0) {
        std::filesystem::remove(temp_, ec);
        throw DatasetError(temp, 0, "cannot close: " + errnoText());
    }
    std::filesystem::rename(temp_, path_, ec);
    if (ec) {
        const std::string why = ec.message();
        std::filesystem::remove(temp_, ec);
        throw DatasetError(name, 0, "cannot replace the output: " + why);
    }
    syncFolder(path_.parent_path());
    exists_ = true;
    pending_.clear();
}

}  // namespace stance::datasets::detail
