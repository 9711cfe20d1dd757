#pragma once
// The real stanced binary in a child process, as a clinic runs it: started with arguments, its
// port read from the line it prints, stopped with SIGTERM (or killed with SIGKILL for the crash
// tests). stderr goes to a file in the test's scratch folder.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace stance::test {

class StancedProcess {
public:
    explicit StancedProcess(std::vector<std::string> args, const std::string& stderr_path) {
        args.insert(args.begin(), STANCED_PATH);
        int out[2];
        if (::pipe(out) != 0)
            throw std::runtime_error("pipe failed");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0)
            throw std::runtime_error("cannot start stanced");
        posix_spawn_file_actions_destroy(&fa);
        ::close(out[1]);
        stdout_ = ::fdopen(out[0], "r");
        // The first line says where it listens; nothing (EOF) means it refused to start.
        char line[512];
        if (std::fgets(line, sizeof line, stdout_) != nullptr) {
            first_line_ = line;
            const auto p = first_line_.find("ws://");
            if (p != std::string::npos) {
                url_ = first_line_.substr(p, first_line_.find('/', p + 5) - p + 1);
                const auto colon = url_.rfind(':');
                port_ = std::stoi(url_.substr(colon + 1));
            }
        }
    }
    ~StancedProcess() {
        if (pid_ > 0 && !waited_) {
            ::kill(pid_, SIGTERM);
            wait();
        }
        if (stdout_ != nullptr)
            std::fclose(stdout_);
    }
    StancedProcess(const StancedProcess&) = delete;
    StancedProcess& operator=(const StancedProcess&) = delete;

    bool listening() const { return port_ > 0; }
    pid_t pid() const { return pid_; }
    int port() const { return port_; }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/"; }
    /// SIGTERM and the exit status.
    int terminate() {
        ::kill(pid_, SIGTERM);
        return wait();
    }
    void kill9() {
        ::kill(pid_, SIGKILL);
        wait();
    }
    /// Exit status (128 + signal for a signal).
    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        waited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

private:
    pid_t pid_ = -1;
    FILE* stdout_ = nullptr;
    std::string first_line_, url_;
    int port_ = 0;
    bool waited_ = false;
};

}  // namespace stance::test
