#pragma once
// Test scaffolding shared by every test executable: a scratch folder per test case, and the real
// `stance` binary run as a user runs it. ctest runs cases as parallel processes, so every name
// carries the process id and a per-process counter.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace stance::test {

/// A fresh folder under the system temporary folder, removed with its contents at scope exit.
struct ScratchDir {
    std::filesystem::path path;

    explicit ScratchDir(const std::string& tag = "case") {
        static int n = 0;
        path =
            std::filesystem::temp_directory_path() /
            ("stance_test_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(++n));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    std::string operator/(const std::string& name) const { return (path / name).string(); }
    /// Names of the entries in the folder, sorted.
    std::vector<std::string> files() const {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(path))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct CliRun {
    int status;
    std::string out, err;
};

/// Runs `stance ARGS` (ARGS as a shell would split it) and captures its exit status, stdout and
/// stderr. The capture files live in a scratch folder of their own and are removed.
/// `env` (e.g. "NAME=value") goes in front of the command, for that run only.
inline CliRun runStance(const std::string& args, const std::string& env = "") {
    const ScratchDir capture("cli_capture");
    const auto out = capture.path / "stdout", err = capture.path / "stderr";
    const std::string cmd = (env.empty() ? std::string() : "env " + env + " ") +
                            std::string(STANCE_CLI_PATH) + " " + args + " >" + out.string() +
                            " 2>" + err.string();
    const int raw = std::system(cmd.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

}  // namespace stance::test
