#include "stance/datasets/pseudonym.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "stance/datasets/keyed_hash.hpp"

namespace stance::datasets {

namespace {

std::string errnoText() {
    return std::strerror(errno);
}

/// Closes a POSIX descriptor on scope exit.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::array<std::uint8_t, SiteSecret::kKeyBytes> parseKey(const std::string& file,
                                                         std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    if (text.size() != 2 * SiteSecret::kKeyBytes)
        throw DatasetError(file, 0,
                           "site secret must be " + std::to_string(2 * SiteSecret::kKeyBytes) +
                               " hex digits, found " + std::to_string(text.size()) + " characters");
    std::array<std::uint8_t, SiteSecret::kKeyBytes> key{};
    for (std::size_t i = 0; i < key.size(); ++i) {
        const int hi = hexValue(text[2 * i]), lo = hexValue(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            throw DatasetError(file, 0,
                               "site secret has a non-hex character at offset " +
                                   std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
        key[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return key;
}

std::string readSecretFile(const std::filesystem::path& path) {
    const std::string name = path.string();
    const Fd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0)
        throw DatasetError(name, 0, "cannot open site secret: " + errnoText());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw DatasetError(name, 0, "cannot stat site secret: " + errnoText());
    if (!S_ISREG(st.st_mode))
        throw DatasetError(name, 0, "site secret is not a regular file");
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw DatasetError(name, 0,
                           std::string("site secret is accessible to group or others (mode ") +
                               mode + "); restrict it with: chmod 600 " + name);
    }
    std::string text(256, '\0');
    const ssize_t n = ::read(fd.get(), text.data(), text.size());
    if (n < 0)
        throw DatasetError(name, 0, "cannot read site secret: " + errnoText());
    text.resize(static_cast<std::size_t>(n));
    return text;
}

void writeAll(int fd, const std::string& text, const std::string& name) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw DatasetError(name, 0, "cannot write site secret: " + errnoText());
        }
        done += static_cast<std::size_t>(n);
    }
}

void createSecretFile(const std::filesystem::path& path) {
    const std::string name = path.string();
    const std::filesystem::path parent = path.parent_path();
    if (!parent.empty() && !std::filesystem::exists(parent)) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec)
            throw DatasetError(parent.string(), 0,
                               "cannot create the folder of the site secret: " + ec.message());
        std::filesystem::permissions(parent, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace, ec);
    }
    std::array<std::uint8_t, SiteSecret::kKeyBytes> key{};
    std::size_t got = 0;
    while (got < key.size()) {
        const ssize_t n = ::getrandom(key.data() + got, key.size() - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw DatasetError(name, 0,
                               "cannot draw random bytes for the site secret: " + errnoText());
        }
        got += static_cast<std::size_t>(n);
    }
    // Write a private temporary file completely, then link it into place: the secret file
    // either does not exist or is whole, and link() fails if another process won the race.
    // The temporary name is unique per process and per call (threads share the pid).
    std::random_device rd;
    const std::string temp = name + ".tmp." + std::to_string(::getpid()) + "." +
                             std::to_string(rd()) + std::to_string(rd());
    {
        const Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (fd.get() < 0)
            throw DatasetError(temp, 0, "cannot create site secret: " + errnoText());
        try {
            writeAll(fd.get(), toHex(key) + "\n", temp);
            if (::fsync(fd.get()) != 0)
                throw DatasetError(temp, 0, "cannot flush site secret: " + errnoText());
        } catch (...) {
            ::unlink(temp.c_str());
            throw;
        }
    }
    const int linked = ::link(temp.c_str(), name.c_str());
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked != 0 && link_errno != EEXIST) {
        errno = link_errno;
        throw DatasetError(name, 0, "cannot install site secret: " + errnoText());
    }
}

}  // namespace

std::string_view identityModeName(IdentityMode mode) noexcept {
    return mode == IdentityMode::kIdentified ? "identified" : "pseudonymised";
}

SiteSecret SiteSecret::load(const std::filesystem::path& file) {
    return SiteSecret(parseKey(file.string(), readSecretFile(file)));
}

SiteSecret SiteSecret::loadOrCreate(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(file, ec)))
        createSecretFile(file);
    return load(file);
}

SiteSecret SiteSecret::fromBytes(const std::array<std::uint8_t, kKeyBytes>& key) {
    return SiteSecret(key);
}

std::string SiteSecret::pseudonym(std::string_view subject_id) const {
    std::string message = "stance/subject/v1";
    message.push_back('\0');
    message.append(subject_id);
    const Sha256Digest mac = hmacSha256(key_, message);
    return "sub-" + toHex(std::span<const std::uint8_t>(mac.data(), 8));
}

std::string SiteSecret::keyId() const {
    const Sha256Digest mac = hmacSha256(key_, std::string_view("stance/key-id/v1"));
    return toHex(std::span<const std::uint8_t>(mac.data(), 8));
}

std::filesystem::path defaultSiteSecretPath() {
    if (const char* explicit_path = std::getenv("STANCE_SITE_SECRET");
        explicit_path != nullptr && *explicit_path != '\0')
        return explicit_path;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0')
        return std::filesystem::path(xdg) / "stance" / "site_secret";
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return std::filesystem::path(home) / ".config" / "stance" / "site_secret";
    throw DatasetError("site secret", 0,
                       "no location: set STANCE_SITE_SECRET, XDG_CONFIG_HOME or HOME, or name "
                       "the file with --secret");
}

std::optional<int> ageInYears(std::chrono::year_month_day birth, std::chrono::year_month_day on) {
    using namespace std::chrono;
    if (!birth.ok() || !on.ok() || sys_days(on) < sys_days(birth))
        return std::nullopt;
    int years = static_cast<int>(on.year()) - static_cast<int>(birth.year());
    // Birthday this year; 29 February becomes 1 March in a common year.
    const year_month_day birthday_raw{on.year(), birth.month(), birth.day()};
    const sys_days birthday = birthday_raw.ok()
                                  ? sys_days(birthday_raw)
                                  : sys_days(year_month_day{on.year(), March, day{1}});
    if (sys_days(on) < birthday)
        --years;
    return years;
}

}  // namespace stance::datasets
