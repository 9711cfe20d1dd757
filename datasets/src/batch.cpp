#include "stance/datasets/batch.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include "batch_sink.hpp"
#include "export_csv.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/keyed_hash.hpp"
#include "stance/datasets/trial_text.hpp"

namespace stance::datasets {

namespace {

bool isBundleName(const std::filesystem::path& p) {
    const std::string ext = p.extension().string();
    return ext == ".h5" || ext == ".hdf5";
}

/// Names a trial reader claims, for files found in folders.
bool isTrialName(const std::filesystem::path& p) {
    static const std::regex bds(R"(BDS[0-9]+\.txt)");
    static const std::regex pds(R"(PDS.*grf\.txt)");
    const std::string name = p.filename().string();
    return p.extension() == ".csv" || isBundleName(p) || std::regex_match(name, bds) ||
           std::regex_match(name, pds);
}

void addSource(std::vector<BatchTrial>& out, const std::filesystem::path& file,
               const std::string& input) {
    if (isBundleName(file)) {
        const BundleReader reader(file);
        for (const TrialRef& ref : reader.trials()) {
            BatchTrial t;
            t.input = input;
            t.trial = ref.path();
            t.source_id = reader.trialInfo(ref).source_id;
            t.file = file;
            t.in_bundle = true;
            t.ref = ref;
            out.push_back(std::move(t));
        }
        return;
    }
    BatchTrial t;
    t.input = input;
    t.trial = file.stem().string();
    t.source_id = t.trial;
    t.file = file;
    out.push_back(std::move(t));
}

}  // namespace

std::vector<BatchTrial> discoverTrials(const std::vector<std::filesystem::path>& inputs) {
    std::vector<BatchTrial> out;
    for (const auto& input : inputs) {
        std::error_code ec;
        const auto st = std::filesystem::status(input, ec);
        if (!std::filesystem::exists(st))
            throw DatasetError(input.string(), 0, "no such file or folder");
        if (std::filesystem::is_directory(st)) {
            std::string root = std::filesystem::weakly_canonical(input, ec).filename().string();
            if (root.empty())
                root = "root";
            std::vector<std::filesystem::path> files;
            auto it = std::filesystem::recursive_directory_iterator(
                input, std::filesystem::directory_options::skip_permission_denied, ec);
            if (ec)
                throw DatasetError(input.string(), 0, "cannot list the folder: " + ec.message());
            for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
                if (ec)
                    throw DatasetError(input.string(), 0,
                                       "cannot list the folder: " + ec.message());
                const auto& p = it->path();
                if (p.filename().string().starts_with(".")) {
                    if (it->is_directory(ec))
                        it.disable_recursion_pending();
                    continue;
                }
                if (it->is_regular_file(ec) && isTrialName(p))
                    files.push_back(p);
            }
            std::sort(files.begin(), files.end());
            for (const auto& f : files)
                addSource(out, f, root + "/" + f.lexically_relative(input).generic_string());
        } else {
            addSource(out, input, input.filename().string());
        }
    }
    std::sort(out.begin(), out.end(), [](const BatchTrial& a, const BatchTrial& b) {
        return std::tie(a.input, a.trial) < std::tie(b.input, b.trial);
    });
    for (std::size_t i = 1; i < out.size(); ++i) {
        if (out[i].input == out[i - 1].input && out[i].trial == out[i - 1].trial)
            throw DatasetError(out[i].file.string(), 0,
                               "has the same identity (" + out[i].input + ", " + out[i].trial +
                                   ") as " + out[i - 1].file.string() +
                                   "; give the folders distinct names or list them once");
    }
    return out;
}

ShardSpec ShardSpec::parse(std::string_view text) {
    const auto slash = text.find('/');
    const auto number = [&](std::string_view s, const char* what) {
        unsigned v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size())
            throw std::invalid_argument("shard '" + std::string(text) + "': " + what +
                                        " is not a whole number");
        return v;
    };
    if (slash == std::string_view::npos)
        throw std::invalid_argument("shard '" + std::string(text) +
                                    "' must read I/N, e.g. 2/8 (the second of eight)");
    ShardSpec s;
    s.index = number(text.substr(0, slash), "I");
    s.count = number(text.substr(slash + 1), "N");
    if (s.count == 0 || s.index == 0 || s.index > s.count)
        throw std::invalid_argument("shard '" + std::string(text) +
                                    "': needs 1 <= I <= N (shards are numbered from 1)");
    return s;
}

unsigned shardOf(std::string_view input, std::string_view trial, unsigned count) noexcept {
    Sha256 h;
    h.update(input);
    const std::uint8_t nul = 0;
    h.update(std::span<const std::uint8_t>(&nul, 1));
    h.update(trial);
    const Sha256Digest d = h.finish();
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i)
        v = (v << 8) | d[i];
    return count == 0 ? 1u : static_cast<unsigned>(v % count) + 1u;
}

std::vector<std::pair<std::string, analysis::MetricUnit>> detail::metricColumns(
    const analysis::MetricOptions& options) {
    // The names come from a short synthetic trace: 20 s at 100 Hz of a deterministic
    // pseudo-random walk.
    analysis::UniformTrace trace;
    trace.fs_hz = 100.0;
    trace.xy_m.resize(2000, 2);
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    double x = 0.0, y = 0.0;
    for (Eigen::Index i = 0; i < trace.xy_m.rows(); ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        x += (static_cast<double>(state >> 40) / 16777216.0 - 0.5) * 1e-4;
        y += (static_cast<double>((state >> 16) & 0xffffff) / 16777216.0 - 0.5) * 1e-4;
        trace.xy_m(i, 0) = x;
        trace.xy_m(i, 1) = y;
    }
    trace.xy_m.rowwise() -= trace.xy_m.colwise().mean();
    const analysis::MetricTable table = analysis::computeAllMetrics(trace, options);
    std::vector<std::pair<std::string, analysis::MetricUnit>> columns;
    for (const auto& m : table.entries())
        columns.emplace_back(m.name, m.unit);
    return columns;
}

std::vector<std::string> batchMetricNames(const analysis::MetricOptions& options) {
    std::vector<std::string> names;
    for (auto& [name, unit] : detail::metricColumns(options))
        names.push_back(std::move(name));
    return names;
}

namespace {

/// Holds `<out>.lock` with flock(2) so that two runs never write one output.
class OutputLock {
public:
    explicit OutputLock(const std::filesystem::path& out) {
        path_ = out;
        path_ += ".lock";
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0)
            throw DatasetError(
                out.string(), 0,
                "cannot create the lock file " + path_.string() + ": " + std::strerror(errno));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw DatasetError(out.string(), 0,
                               "another stance batch is writing this output (it holds " +
                                   path_.string() + "); give each shard its own --out");
        }
    }
    OutputLock(const OutputLock&) = delete;
    OutputLock& operator=(const OutputLock&) = delete;
    ~OutputLock() {
        ::unlink(path_.c_str());
        ::close(fd_);
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

/// Per-worker state: the bundle last read stays open for the next trial of the same file.
struct WorkerState {
    std::filesystem::path bundle_path;
    std::unique_ptr<BundleReader> bundle;
};

detail::TrialOutcome analyseTrial(const BatchTrial& t, const BatchOptions& o, WorkerState& w) {
    detail::TrialOutcome r;
    const std::string where = t.in_bundle ? t.file.string() + ":" + t.trial : t.file.string();
    try {
        analysis::CopRecording rec;
        if (t.in_bundle) {
            if (!w.bundle || w.bundle_path != t.file) {
                w.bundle.reset();
                w.bundle = std::make_unique<BundleReader>(t.file);
                w.bundle_path = t.file;
            }
            const auto fp = w.bundle->readForcePlate(t.ref);
            if (!fp || fp->cop_m.rows() == 0) {
                r.error = where + ": the trial has no force-plate COP";
                return r;
            }
            rec = fp->copRecording();
        } else {
            rec = readTrialText(t.file).recording;
        }
        auto trace = analysis::preprocess(rec, o.pipeline);
        if (!trace) {
            r.error = where + ": cannot preprocess with pipeline '" +
                      std::string(analysis::pipelineName(o.pipeline)) +
                      "': " + trace.error().message;
            return r;
        }
        r.fs_hz = trace->fs_hz;
        r.n_samples = static_cast<long long>(trace->xy_m.rows());
        r.metrics = analysis::computeAllMetrics(*trace, o.metrics);
    } catch (const DatasetError& e) {
        r.error = e.what();
    } catch (const std::exception& e) {
        r.error = where + ": " + e.what();
    }
    return r;
}

}  // namespace

BatchSummary runBatch(const std::vector<BatchTrial>& trials, const BatchOptions& o) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto seconds_since = [](Clock::time_point t) {
        return std::chrono::duration<double>(Clock::now() - t).count();
    };

    BatchSummary summary;
    summary.discovered = trials.size();
    if (o.shard.count == 0 || o.shard.index == 0 || o.shard.index > o.shard.count)
        throw std::invalid_argument("runBatch: shard index out of range");

    const OutputLock lock(o.out);
    const auto sink = detail::openBatchSink(o, batchMetricNames(o.metrics));

    std::vector<const BatchTrial*> todo;
    for (const auto& t : trials) {
        if (shardOf(t.input, t.trial, o.shard.count) != o.shard.index)
            continue;
        ++summary.in_shard;
        if (sink->contains(t.input, t.trial))
            ++summary.already_done;
        else
            todo.push_back(&t);
    }

    const std::size_t n = todo.size();
    unsigned workers = o.jobs != 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    workers = static_cast<unsigned>(std::min<std::size_t>(workers, n));

    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::optional<detail::TrialOutcome>> slots(n);
    unsigned finished_workers = 0;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    const auto cancelled = [&] { return o.cancel != nullptr && o.cancel->load(); };

    std::vector<std::thread> pool;
    // Joins the workers however this function ends (an output that fails to checkpoint throws).
    struct Joiner {
        std::vector<std::thread>& pool;
        std::atomic<bool>& stop;
        ~Joiner() {
            stop = true;
            for (auto& t : pool) {
                if (t.joinable())
                    t.join();
            }
        }
    } joiner{pool, stop};
    for (unsigned k = 0; k < workers; ++k) {
        pool.emplace_back([&] {
            WorkerState state;
            while (!stop && !cancelled()) {
                const std::size_t i = next++;
                if (i >= n)
                    break;
                detail::TrialOutcome r = analyseTrial(*todo[i], o, state);
                {
                    const std::lock_guard<std::mutex> g(mutex);
                    slots[i] = std::move(r);
                }
                cv.notify_one();
            }
            {
                const std::lock_guard<std::mutex> g(mutex);
                ++finished_workers;
            }
            cv.notify_one();
        });
    }

    BatchProgress progress;
    progress.total = n;
    auto last_report = Clock::now() - std::chrono::seconds(1);
    auto last_checkpoint_end = Clock::now();
    double last_checkpoint_cost_s = 0.0;

    const auto consume = [&](std::size_t i, detail::TrialOutcome&& r) {
        ++progress.done;
        if (r.error.empty()) {
            r.error = sink->add(*todo[i], r);  // empty unless the metric set is not the header's
        }
        if (!r.error.empty()) {
            ++progress.failed;
            BatchFailure f{todo[i]->input, todo[i]->trial, std::move(r.error)};
            if (o.on_failure)
                o.on_failure(f);
            summary.failures.push_back(std::move(f));
        } else {
            ++summary.analysed;
        }
    };
    const auto checkpoint = [&] {
        const auto t0 = Clock::now();
        sink->checkpoint();
        last_checkpoint_end = Clock::now();
        last_checkpoint_cost_s = std::chrono::duration<double>(last_checkpoint_end - t0).count();
        progress.written = summary.analysed;
    };

    std::size_t cursor = 0;
    std::vector<std::pair<std::size_t, detail::TrialOutcome>> ready;
    while (true) {
        bool all_finished = false;
        {
            std::unique_lock<std::mutex> lk(mutex);
            cv.wait_for(lk, std::chrono::milliseconds(100), [&] {
                return finished_workers == workers || (cursor < n && slots[cursor].has_value());
            });
            while (cursor < n && slots[cursor].has_value()) {
                ready.emplace_back(cursor, std::move(*slots[cursor]));
                slots[cursor].reset();
                ++cursor;
            }
            all_finished = finished_workers == workers;
        }
        for (auto& [i, r] : ready)
            consume(i, std::move(r));
        ready.clear();
        if (cancelled())
            stop = true;
        progress.elapsed_s = seconds_since(start);
        if (o.on_progress &&
            (all_finished || Clock::now() - last_report >= std::chrono::milliseconds(100))) {
            last_report = Clock::now();
            if (!all_finished)
                o.on_progress(progress);
        }
        if (all_finished)
            break;
        const double since =
            std::chrono::duration<double>(Clock::now() - last_checkpoint_end).count();
        if (sink->hasPending() &&
            since >= std::max(o.checkpoint_interval_s, 4.0 * last_checkpoint_cost_s))
            checkpoint();
    }
    for (auto& t : pool)
        t.join();
    // After a cancellation, trials finished beyond the first gap are kept too.
    for (std::size_t i = cursor; i < n; ++i) {
        if (slots[i].has_value())
            consume(i, std::move(*slots[i]));
    }
    summary.cancelled = progress.done < n;
    if (sink->hasPending())
        checkpoint();
    progress.written = summary.analysed;
    summary.elapsed_s = seconds_since(start);
    progress.elapsed_s = summary.elapsed_s;
    if (o.on_progress)
        o.on_progress(progress);
    return summary;
}

}  // namespace stance::datasets
