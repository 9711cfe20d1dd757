#include "stanced_child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "stance/app/errors.hpp"

extern char** environ;

namespace stance::cli {

namespace fs = std::filesystem;

fs::path findStanced(const std::string& given) {
    std::vector<fs::path> tried;
    const auto usable = [&](const fs::path& p) {
        tried.push_back(p);
        return ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p);
    };
    if (!given.empty()) {
        if (usable(given))
            return given;
        throw app::AppError(given, "is not an executable stanced");
    }
    if (const char* env = std::getenv("STANCED"); env != nullptr && *env != '\0') {
        if (usable(env))
            return env;
        throw app::AppError(env, "($STANCED) is not an executable stanced");
    }
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        for (const fs::path& p : {self.parent_path() / "stanced",
                                  self.parent_path().parent_path() / "acquisition" / "stanced"}) {
            if (usable(p))
                return p;
        }
    }
    std::string where;
    for (const fs::path& p : tried)
        where += (where.empty() ? "" : ", ") + p.string();
    throw app::AppError("stanced",
                        "not found (looked at " + where + "): give --stanced PATH or set STANCED");
}

namespace {

std::string lastLine(const fs::path& file) {
    std::ifstream in(file);
    std::string line, last;
    while (std::getline(in, line)) {
        if (!line.empty())
            last = line;
    }
    return last;
}

}  // namespace

StancedChild::StancedChild(const fs::path& exe, const std::vector<std::string>& args,
                           const fs::path& log) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0)
        throw app::AppError(exe.string(), "cannot create a pipe to start it");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> all{exe.string()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    out_fd_ = out[0];
    if (rc != 0) {
        pid_ = -1;
        ::close(out_fd_);
        throw app::AppError(exe.string(), "cannot be started");
    }
    // The first line, within 15 s; end of file means stanced refused to start.
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (line.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{out_fd_, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
            break;
        char buf[256];
        const ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n <= 0)
            break;
        line.append(buf, static_cast<std::size_t>(n));
    }
    banner_ = line.substr(0, line.find('\n'));
    const auto p = banner_.find("ws://");
    if (p == std::string::npos) {
        stop();
        const std::string why = lastLine(log);
        throw app::AppError(exe.string(),
                            "did not start: " + (why.empty() ? std::string("no message") : why));
    }
    url_ = banner_.substr(p, banner_.find('/', p + 5) - p + 1);
}

StancedChild::~StancedChild() {
    stop();
}

int StancedChild::stop() {
    if (pid_ <= 0)
        return 0;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    pid_t r = 0;
    while ((r = ::waitpid(pid_, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (r == 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    if (out_fd_ >= 0)
        ::close(out_fd_);
    out_fd_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace stance::cli
