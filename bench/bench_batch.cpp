// Throughput of batch analysis (datasets/batch.hpp) on 60 s, 100 Hz trials: the ten real
// Santos & Duarte 2016 trials of datasets/public, linked many times into a temporary folder so
// that each link is a distinct trial identity. Reports trials per second with 2 worker threads,
// the clinical pipeline, with and without the complexity metrics, end to end (read the text
// file, preprocess, the full metric set, write metrics.csv with checkpoints), and the analysis
// alone on trials already in memory. Never fails on timing.
//
// Usage: bench_batch [trials] [jobs]   (default 400 trials, 2 jobs)

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "stance/analysis/metrics.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/datasets/batch.hpp"
#include "stance/datasets/trial_text.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Analysis alone: preprocess + full metric set on recordings already in memory.
double inMemoryRate(const std::vector<stance::analysis::CopRecording>& recs, std::size_t trials,
                    unsigned jobs, bool complexity) {
    stance::analysis::MetricOptions mo;
    mo.include_complexity = complexity;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> sink{0};
    const auto t0 = Clock::now();
    std::vector<std::thread> pool;
    for (unsigned k = 0; k < jobs; ++k) {
        pool.emplace_back([&] {
            for (std::size_t i = next++; i < trials; i = next++) {
                auto trace = stance::analysis::preprocess(recs[i % recs.size()],
                                                          stance::analysis::Pipeline::kClinical);
                if (trace)
                    sink += stance::analysis::computeAllMetrics(*trace, mo).size();
            }
        });
    }
    for (auto& t : pool)
        t.join();
    const double s = since(t0);
    return sink.load() > 0 ? static_cast<double>(trials) / s : 0.0;
}

/// Reading alone: readTrialText on the linked files.
double readRate(const std::vector<fs::path>& files, unsigned jobs) {
    std::atomic<std::size_t> next{0};
    std::atomic<long long> sink{0};
    const auto t0 = Clock::now();
    std::vector<std::thread> pool;
    for (unsigned k = 0; k < jobs; ++k) {
        pool.emplace_back([&] {
            for (std::size_t i = next++; i < files.size(); i = next++)
                sink += stance::datasets::readTrialText(files[i]).recording.xy_m.rows();
        });
    }
    for (auto& t : pool)
        t.join();
    const double s = since(t0);
    return sink.load() > 0 ? static_cast<double>(files.size()) / s : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t trials = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 400;
    const unsigned jobs = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 2;
    const fs::path data = fs::path(STANCE_PUBLIC_DATA_DIR) / "bds_santos_duarte_2016" / "data";
    std::vector<fs::path> sources;
    for (const auto& e : fs::directory_iterator(data))
        sources.push_back(e.path());
    std::sort(sources.begin(), sources.end());

    const fs::path dir =
        fs::temp_directory_path() / ("stance_bench_batch_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "trials");
    for (std::size_t i = 0; i < trials; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "BDS%07zu.txt", i + 1);
        fs::create_symlink(sources[i % sources.size()], dir / "trials" / name);
    }

    std::printf(
        "batch throughput: %zu trials of 60 s at 100 Hz (the %zu shipped BDS trials, "
        "linked), clinical pipeline, %u worker threads, %u hardware threads\n\n",
        trials, sources.size(), jobs, std::thread::hardware_concurrency());
    std::printf("%-12s %18s %18s %14s\n", "complexity", "end to end /s", "analysis only /s",
                "ms per trial");

    std::vector<stance::analysis::CopRecording> recs;
    for (const auto& s : sources)
        recs.push_back(stance::datasets::readTrialText(s).recording);

    for (const bool complexity : {false, true}) {
        stance::datasets::BatchOptions o;
        o.pipeline = stance::analysis::Pipeline::kClinical;
        o.metrics.include_complexity = complexity;
        o.jobs = jobs;
        o.out = dir / (complexity ? "with.csv" : "without.csv");
        o.length_unit = "mm";
        o.length_factor = [](int p) {
            double f = 1.0;
            for (int i = 0; i < p; ++i)
                f *= 1000.0;
            for (int i = 0; i > p; --i)
                f /= 1000.0;
            return f;
        };
        const auto found = stance::datasets::discoverTrials({dir / "trials"});
        const auto t0 = Clock::now();
        const auto summary = stance::datasets::runBatch(found, o);
        const double s = since(t0);
        const double end_to_end = static_cast<double>(summary.analysed) / s;
        // Warm up once, then measure the analysis alone on the same number of trials.
        (void)inMemoryRate(recs, std::min<std::size_t>(trials, 20), jobs, complexity);
        const double analysis_only = inMemoryRate(recs, trials, jobs, complexity);
        std::printf("%-12s %18.0f %18.0f %14.2f   (%zu analysed, %zu failed, %.2f s)\n",
                    complexity ? "on" : "off", end_to_end, analysis_only,
                    1000.0 * jobs / end_to_end, summary.analysed, summary.failures.size(), s);
    }
    std::vector<fs::path> linked;
    for (const auto& e : fs::directory_iterator(dir / "trials"))
        linked.push_back(e.path());
    std::printf("\nreading the trial files alone (readTrialText): %.0f trials/s\n",
                readRate(linked, jobs));
    fs::remove_all(dir);
    return 0;
}
