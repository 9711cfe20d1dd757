// `stance batch`: the full metric set over every trial of folders and bundles, in parallel,
// resumable and shardable (datasets/batch.hpp; docs/exports.md).

#include "stance/datasets/batch.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "analyze.hpp"
#include "command.hpp"

namespace stance::cli {

namespace {

/// Set by SIGINT/SIGTERM while a batch runs; lock-free, so safe in a signal handler.
std::atomic<bool> g_cancel{false};
std::atomic<int> g_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void onCancelSignal(int sig) {
    g_signal = sig;
    g_cancel = true;
}

/// Installs the cancel handler for the lifetime of a batch; a second signal after the first is
/// handled by the previous disposition (usually: terminate), which leaves a valid output too.
class CancelOnSignal {
public:
    CancelOnSignal() {
        g_cancel = false;
        g_signal = 0;
        struct sigaction sa {};
        sa.sa_handler = onCancelSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        ::sigaction(SIGINT, &sa, &old_int_);
        ::sigaction(SIGTERM, &sa, &old_term_);
    }
    CancelOnSignal(const CancelOnSignal&) = delete;
    CancelOnSignal& operator=(const CancelOnSignal&) = delete;
    ~CancelOnSignal() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
    }

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

std::string clock(double seconds) {
    const long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}

/// Progress on a terminal: one line redrawn in place.
void drawBar(std::ostream& err, const datasets::BatchProgress& p) {
    constexpr int kWidth = 30;
    const auto done = static_cast<double>(p.done), total = static_cast<double>(p.total);
    const double frac = p.total == 0 ? 1.0 : done / total;
    const int filled = static_cast<int>(frac * kWidth);
    const double rate = p.elapsed_s > 0 ? done / p.elapsed_s : 0.0;
    const double eta = rate > 0 ? (total - done) / rate : 0.0;
    char line[160];
    std::snprintf(line, sizeof line, "\r[%s%s] %zu/%zu %3.0f%%  %.0f trials/s  ETA %s  %zu failed ",
                  std::string(static_cast<std::size_t>(filled), '#').c_str(),
                  std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), p.done,
                  p.total, 100.0 * frac, rate, clock(eta).c_str(), p.failed);
    err << line << std::flush;
}

/// Progress in a log: a line at most every 5 s, and whenever a checkpoint published rows.
void printLine(std::ostream& err, const datasets::BatchProgress& p) {
    const double rate = p.elapsed_s > 0 ? static_cast<double>(p.done) / p.elapsed_s : 0.0;
    char line[160];
    std::snprintf(line, sizeof line,
                  "stance batch: %zu/%zu trials, %zu failed, %zu written, %.1f trials/s, %s\n",
                  p.done, p.total, p.failed, p.written, rate, clock(p.elapsed_s).c_str());
    err << line << std::flush;
}

struct BatchState {
    std::vector<std::string> inputs;
    std::string out;
    std::string pipeline = "clinical";
    std::string units = "mm";
    std::string complexity = "on";
    std::string shard;
    std::string progress = "auto";
    unsigned jobs = 0;
    double checkpoint_s = 2.0;
    CLI::Option* units_option = nullptr;
};

int runBatch(const BatchState& s, Io io) {
    datasets::BatchOptions o;
    o.pipeline = *analysis::parsePipeline(s.pipeline);
    o.metrics.include_complexity = s.complexity == "on";
    o.out = s.out;
    o.jobs = s.jobs;
    o.checkpoint_interval_s = s.checkpoint_s;
    const std::string ext = o.out.extension().string();
    const bool csv = ext == ".csv";
    if (!csv && ext != ".h5" && ext != ".hdf5") {
        io.err << "stance batch: --out " << s.out
               << ": name the output .csv (one row per trial) or .h5 (stance-hdf5 results)\n";
        return kExitUsage;
    }
    if (!csv && s.units_option->count() > 0) {
        io.err << "stance batch: --units applies to CSV output; " << s.out
               << " is HDF5, where metrics are SI with their unit\n";
        return kExitUsage;
    }
    if (csv) {
        const std::string unit = s.units;
        o.length_unit = unit;
        o.length_factor = [unit](int power) { return unitFactor(unit, power); };
    }
    if (!s.shard.empty()) {
        try {
            o.shard = datasets::ShardSpec::parse(s.shard);
        } catch (const std::invalid_argument& e) {
            io.err << "stance batch: --shard " << e.what() << '\n';
            return kExitUsage;
        }
    }

    // The bar only on a terminal, and only when writing to the real stderr.
    const bool tty = &io.err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
    const std::string mode = s.progress == "auto" ? (tty ? "bar" : "lines") : s.progress;
    std::size_t last_written = 0;
    double last_line_s = -1e9;
    bool bar_drawn = false;
    o.on_progress = [&](const datasets::BatchProgress& p) {
        if (mode == "bar") {
            drawBar(io.err, p);
            bar_drawn = true;
        } else if (mode == "lines" && (p.written != last_written ||
                                       p.elapsed_s - last_line_s >= 5.0 || p.done == p.total)) {
            printLine(io.err, p);
            last_written = p.written;
            last_line_s = p.elapsed_s;
        }
    };
    o.on_failure = [&](const datasets::BatchFailure& f) {
        if (bar_drawn)
            io.err << '\n';
        bar_drawn = false;
        io.err << "stance batch: failed: " << f.reason << '\n';
    };

    datasets::BatchSummary summary;
    try {
        std::vector<std::filesystem::path> inputs(s.inputs.begin(), s.inputs.end());
        const auto trials = datasets::discoverTrials(inputs);
        const CancelOnSignal guard;
        o.cancel = &g_cancel;
        summary = datasets::runBatch(trials, o);
    } catch (const datasets::DatasetError& e) {
        if (bar_drawn)
            io.err << '\n';
        io.err << "stance batch: " << e.what() << '\n';
        return kExitFailure;
    }
    if (bar_drawn)
        io.err << '\n';

    nlohmann::ordered_json j;
    j["out"] = s.out;
    j["pipeline"] = s.pipeline;
    j["algorithm_version"] = analysis::kAlgorithmVersion;
    j["complexity"] = o.metrics.include_complexity;
    j["shard"] = std::to_string(o.shard.index) + "/" + std::to_string(o.shard.count);
    j["discovered"] = summary.discovered;
    j["in_shard"] = summary.in_shard;
    j["already_done"] = summary.already_done;
    j["analysed"] = summary.analysed;
    j["failed"] = summary.failures.size();
    j["cancelled"] = summary.cancelled;
    j["elapsed_s"] = summary.elapsed_s;
    j["trials_per_s"] =
        summary.elapsed_s > 0
            ? static_cast<double>(summary.analysed + summary.failures.size()) / summary.elapsed_s
            : 0.0;
    io.out << j.dump() << '\n';

    if (summary.cancelled) {
        io.err << "stance batch: interrupted; " << s.out << " holds " << summary.analysed
               << " new trials. Run the same command again to resume.\n";
        return 128 + (g_signal != 0 ? g_signal.load() : SIGINT);
    }
    if (!summary.failures.empty()) {
        io.err << "stance batch: " << summary.failures.size() << " of "
               << summary.in_shard - summary.already_done
               << " trials failed (listed above); the others are in " << s.out << '\n';
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace

void addBatchCommands(CLI::App& app, Io io, Commands& commands) {
    auto s = std::make_shared<BatchState>();
    auto* cmd = app.add_subcommand(
        "batch",
        "Compute the full metric set of every trial under the inputs (folders of trial files, "
        "stance-hdf5 bundles) in parallel, into one CSV row per trial (columns as in `stance "
        "analyze`) or a stance-hdf5 results file. Resumes: trials already in --out are skipped. "
        "Progress on stderr, a JSON summary on stdout. Exit 1 if any trial failed, 130 when "
        "interrupted (the output stays valid). See docs/exports.md.");
    cmd->add_option("inputs", s->inputs, "Folders, trial files, bundles (.h5)")
        ->required()
        ->check(CLI::ExistingPath);
    cmd->add_option("--out", s->out, "metrics.csv or metrics.h5")->required();
    cmd->add_option("--pipeline", s->pipeline, "Preprocessing: raw, quijoux2021 or clinical")
        ->check(CLI::IsMember({"raw", "quijoux2021", "clinical"}))
        ->capture_default_str();
    s->units_option = cmd->add_option("--units", s->units, "Length unit of CSV output: mm, cm or m")
                          ->check(CLI::IsMember({"mm", "cm", "m"}))
                          ->capture_default_str();
    cmd->add_option("--jobs", s->jobs, "Worker threads (default: one per core)");
    cmd->add_option("--shard", s->shard,
                    "I/N: take only shard I of N (1-based; assignment by trial identity, the "
                    "same on every machine)");
    cmd->add_option("--complexity", s->complexity,
                    "Sample entropy and DFA (O(N^2), most of the time): on or off")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    cmd->add_option("--progress", s->progress, "auto (bar on a terminal), bar, lines or none")
        ->check(CLI::IsMember({"auto", "bar", "lines", "none"}))
        ->capture_default_str();
    cmd->add_option("--checkpoint-interval", s->checkpoint_s,
                    "Seconds between atomic updates of --out (at least)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    commands.push_back({cmd, [s, io] { return runBatch(*s, io); }});
}

}  // namespace stance::cli
