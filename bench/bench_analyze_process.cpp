// Wall time of `stance analyze` over the ten shipped BDS trials as a whole process: from the
// spawn (posix_spawn) to the exit (waitpid), output to /dev/null, 50 runs after one warm-up.
// The shell loop this replaces added the shell's own fork and two `date` processes per run
// (about 9 ms here); spawning directly leaves only the process itself in the figure.
// Usage: bench_analyze_process [path/to/stance] [pipeline] [runs]. Never fails on timing; exits
// non-zero when a run of stance fails.

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace {

/// One run: wall time, CPU time (user + system, all threads) and minor page faults.
struct Run {
    double wall_ms = -1.0;
    double cpu_ms = 0.0;
    long faults = 0;
};

/// Runs argv once with stdout on /dev/null; wall_ms is -1 on failure.
Run runOnce(std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return {};
    int status = 0;
    rusage usage{};
    if (::wait4(pid, &status, 0, &usage) != pid)
        return {};
    const auto t1 = std::chrono::steady_clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return {};
    const auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
    };
    return {std::chrono::duration<double, std::milli>(t1 - t0).count(),
            ms(usage.ru_utime) + ms(usage.ru_stime), usage.ru_minflt};
}

}  // namespace

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    const std::string stance = argc > 1 ? argv[1] : STANCE_CLI_PATH;
    const std::string pipeline = argc > 2 ? argv[2] : "quijoux2021";
    const int runs = argc > 3 ? std::max(1, std::stoi(argv[3])) : 50;
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(fs::path(STANCE_PUBLIC_DATA_DIR) /
                                                "bds_santos_duarte_2016" / "data")) {
        if (e.path().extension() == ".txt")
            files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    std::vector<std::string> args = {stance, "analyze", "--pipeline", pipeline, "--format", "json"};
    args.insert(args.end(), files.begin(), files.end());
    std::vector<std::string> true_args = {"/bin/true"};

    if (runOnce(args).wall_ms < 0.0) {  // warm-up, and fails loudly if the command does
        std::fprintf(stderr, "bench_analyze_process: %s analyze failed\n", stance.c_str());
        return 1;
    }
    // Sorted wall times, CPU times and fault counts of `runs` runs; empty if a run failed.
    struct Sorted {
        std::vector<double> wall, cpu, faults;
    };
    const auto measure = [&](std::vector<std::string>& a) {
        Sorted s;
        for (int i = 0; i < runs; ++i) {
            const Run r = runOnce(a);
            if (r.wall_ms < 0.0)
                return Sorted{};
            s.wall.push_back(r.wall_ms);
            s.cpu.push_back(r.cpu_ms);
            s.faults.push_back(static_cast<double>(r.faults));
        }
        for (auto* v : {&s.wall, &s.cpu, &s.faults})
            std::sort(v->begin(), v->end());
        return s;
    };
    const Sorted t = measure(args);
    const Sorted floor = measure(true_args);
    if (t.wall.empty()) {
        std::fprintf(stderr, "bench_analyze_process: a run of %s analyze failed\n", stance.c_str());
        return 1;
    }
    const auto at = [](const std::vector<double>& v, double q) {
        return v.empty() ? 0.0 : v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
    };
    std::printf("stance analyze --pipeline %s over %zu trials, whole process, %d runs:\n",
                pipeline.c_str(), files.size(), runs);
    std::printf("  median %.1f ms, min %.1f ms, p90 %.1f ms\n", at(t.wall, 0.5), t.wall.front(),
                at(t.wall, 0.9));
    // CPU over wall shows how much the worker threads overlap; the page faults are the
    // start-up's and the first touch of the heap's pages (each costs microseconds in a VM).
    std::printf(
        "  CPU (user + system, all threads): median %.1f ms; minor page faults: median %.0f\n",
        at(t.cpu, 0.5), at(t.faults, 0.5));
    std::printf(
        "  (spawning /bin/true on this machine: median %.1f ms, min %.1f ms, %.0f faults)\n",
        at(floor.wall, 0.5), floor.wall.empty() ? 0.0 : floor.wall.front(), at(floor.faults, 0.5));
    return 0;
}
