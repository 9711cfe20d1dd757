#pragma once
// stanced as a child process of a command (`stance demo`): started with its arguments, its
// address read from the line it prints first, stopped with SIGTERM so that a trial under way is
// closed properly. Not thread-safe; one owner.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace stance::cli {

/// The stanced executable: `given` when not empty, else $STANCED, else the one beside the
/// running executable (an installed tree) or in ../acquisition/ (the build tree). Throws
/// app::AppError naming the places looked at.
std::filesystem::path findStanced(const std::string& given);

class StancedChild {
public:
    /// Starts `exe` with `args`, its stderr into `log`, and waits (up to 15 s) for its first line
    /// "stanced: listening on ws://HOST:PORT/ ...". Throws app::AppError with stanced's own
    /// message (the log's last line) when it does not start.
    StancedChild(const std::filesystem::path& exe, const std::vector<std::string>& args,
                 const std::filesystem::path& log);
    ~StancedChild();  ///< SIGTERM and wait, if still running
    StancedChild(const StancedChild&) = delete;
    StancedChild& operator=(const StancedChild&) = delete;

    const std::string& url() const noexcept { return url_; }        ///< "ws://127.0.0.1:PORT/"
    const std::string& banner() const noexcept { return banner_; }  ///< its first line
    /// SIGTERM, then waits (SIGKILL after 20 s). Returns the exit status (128 + signal).
    int stop();

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string url_, banner_;
};

}  // namespace stance::cli
