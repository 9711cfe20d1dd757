// Benchmark of the analysis core on a real 60 s, 100 Hz trial (BDS00001, datasets/public).
// Prints medians over many runs on one core, and the memory the metric set allocates against
// trial length. Never fails on timing.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>
#include <vector>

#include "stance/analysis/metrics.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/analysis/sway_metrics.hpp"
#include "stance/datasets/trial_text.hpp"

namespace {

// Counting allocator: every global new/delete in this process goes through it, so the figures
// include Eigen's and the standard library's allocations.
std::size_t g_live = 0;
std::size_t g_peak = 0;
std::size_t g_total = 0;
std::size_t g_count = 0;
constexpr std::size_t kHeader = alignof(std::max_align_t);

void* countedAlloc(std::size_t n) {
    auto* p = static_cast<unsigned char*>(std::malloc(n + kHeader));
    if (p == nullptr)
        throw std::bad_alloc();
    *reinterpret_cast<std::size_t*>(p) = n;
    g_live += n;
    g_total += n;
    ++g_count;
    g_peak = std::max(g_peak, g_live);
    return p + kHeader;
}
void countedFree(void* q) noexcept {
    if (q == nullptr)
        return;
    auto* p = static_cast<unsigned char*>(q) - kHeader;
    g_live -= *reinterpret_cast<std::size_t*>(p);
    std::free(p);
}

struct AllocSnapshot {
    std::size_t peak_above_start, total, count;
};
template <class F>
AllocSnapshot measureAllocations(F&& f) {
    const std::size_t live0 = g_live, total0 = g_total, count0 = g_count;
    g_peak = g_live;
    f();
    return {g_peak - live0, g_total - total0, g_count - count0};
}

template <class F>
double medianMicros(int reps, F&& f) {
    std::vector<double> t(static_cast<std::size_t>(reps));
    for (int i = 0; i < 3; ++i)
        f();  // warm caches and lazily built tables
    for (auto& v : t) {
        const auto a = std::chrono::steady_clock::now();
        f();
        const auto b = std::chrono::steady_clock::now();
        v = std::chrono::duration<double, std::micro>(b - a).count();
    }
    std::nth_element(t.begin(), t.begin() + reps / 2, t.end());
    return t[static_cast<std::size_t>(reps / 2)];
}

volatile double g_sink = 0.0;  // keeps results alive so nothing is optimised away

// Longer trials for the memory figures: the real trial followed by its time reversal, repeated,
// so the path has no jumps.
stance::analysis::UniformTrace tile(const stance::analysis::UniformTrace& base, int times) {
    stance::analysis::UniformTrace out;
    out.fs_hz = base.fs_hz;
    const Eigen::Index n = base.xy_m.rows();
    out.xy_m.resize(n * times, 2);
    for (int k = 0; k < times; ++k) {
        out.xy_m.middleRows(n * k, n) =
            (k % 2 == 0) ? base.xy_m : base.xy_m.colwise().reverse().eval();
    }
    return out;
}

/// The scratch arena kept once a second call has merged the first call's blocks.
std::size_t keptAfterRepeat(const stance::analysis::UniformTrace& trace,
                            const stance::analysis::MetricOptions& opt) {
    g_sink = static_cast<double>(stance::analysis::computeAllMetrics(trace, opt).size());
    return stance::analysis::threadScratchBytes();
}

}  // namespace

void* operator new(std::size_t n) {
    return countedAlloc(n);
}
void* operator new[](std::size_t n) {
    return countedAlloc(n);
}
void operator delete(void* p) noexcept {
    countedFree(p);
}
void operator delete[](void* p) noexcept {
    countedFree(p);
}
void operator delete(void* p, std::size_t) noexcept {
    countedFree(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    countedFree(p);
}

void timePipelines(const stance::analysis::CopRecording& rec, const char* allocator) {
    using namespace stance::analysis;
    std::printf("%s:\n", allocator);
    std::printf("%-12s %14s %16s %18s %12s\n", "pipeline", "preprocess us", "metrics us (med)",
                "metrics+prep us", "n metrics");
    for (Pipeline p : {Pipeline::kRaw, Pipeline::kQuijoux2021, Pipeline::kClinical}) {
        auto trace = preprocess(rec, p);
        if (!trace) {
            std::printf("%-12s failed: %s\n", std::string(pipelineName(p)).c_str(),
                        trace.error().message.c_str());
            continue;
        }
        MetricOptions opt;
        opt.include_complexity = false;
        const double t_prep = medianMicros(2001, [&] { g_sink = preprocess(rec, p)->xy_m(0, 0); });
        const double t_metrics =
            medianMicros(2001, [&] { g_sink = computeAllMetrics(*trace, opt).entries()[0].value; });
        const double t_both = medianMicros(
            2001, [&] { g_sink = computeAllMetrics(*preprocess(rec, p), opt).entries()[0].value; });
        std::printf("%-12s %14.1f %16.1f %18.1f %12zu   (%lld samples at %.0f Hz)\n",
                    std::string(pipelineName(p)).c_str(), t_prep, t_metrics, t_both,
                    computeAllMetrics(*trace, opt).size(),
                    static_cast<long long>(trace->xy_m.rows()), trace->fs_hz);
    }

    std::printf("\n");
}

int main(int argc, char** argv) {
    using namespace stance::analysis;
    const std::string path = argc > 1 ? argv[1]
                                      : std::string(STANCE_PUBLIC_DATA_DIR) +
                                            "/bds_santos_duarte_2016/data/BDS00001.txt";
    const auto trial = stance::datasets::readTrialText(path);
    const CopRecording& rec = trial.recording;
    std::printf("trial: %s (%lld samples, %.0f Hz)\n\n", path.c_str(),
                static_cast<long long>(rec.xy_m.rows()), rec.nominal_fs_hz);

    timePipelines(rec, "glibc's default allocator settings (working arrays in the scratch arena)");
#if defined(__GLIBC__)
    // The stance binary also keeps freed heap memory for the next trial (app/cli/main.cpp). The
    // metric set's working arrays no longer depend on it (they live in the per-thread scratch
    // arena); what is left on the heap is its results. Both figures are printed.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
    timePipelines(rec, "freed memory kept, as in the stance binary");
#endif

    std::printf("\nsample entropy (m=2, r=0.2 SD) and DFA, one axis, on their own:\n");
    for (Pipeline p : {Pipeline::kRaw, Pipeline::kQuijoux2021}) {
        auto trace = preprocess(rec, p);
        if (!trace)
            continue;
        const Eigen::VectorXd ap = trace->xy_m.col(1);
        const double sd = std::sqrt((ap.array() - ap.mean()).square().mean());
        const double t_se = medianMicros(51, [&] {
            auto v = sampleEntropy(ap, 2, 0.2 * sd);
            g_sink = v ? *v : 0.0;
        });
        const double t_dfa = medianMicros(501, [&] {
            auto v = dfaAlpha(ap);
            g_sink = v ? *v : 0.0;
        });
        std::printf("  N = %5lld: sample entropy %9.1f us, DFA %8.1f us\n",
                    static_cast<long long>(ap.size()), t_se, t_dfa);
    }

    std::printf(
        "\nmemory of computeAllMetrics (raw pipeline, complexity excluded) vs trial length, from\n"
        "an empty scratch arena (its growth counted), and the arena a thread keeps between\n"
        "calls on trials of that length:\n");
    std::printf("%10s %16s %16s %12s %14s %14s\n", "samples", "peak bytes", "total bytes", "allocs",
                "peak B/sample", "kept bytes");
    auto base = preprocess(rec, Pipeline::kRaw);
    if (base) {
        MetricOptions opt;
        opt.include_complexity = false;
        for (int times : {1, 2, 4, 8}) {
            const auto trace = tile(*base, times);
            releaseThreadScratch();
            const auto s = measureAllocations(
                [&] { g_sink = static_cast<double>(computeAllMetrics(trace, opt).size()); });
            std::printf(
                "%10lld %16zu %16zu %12zu %14.1f %14zu\n",
                static_cast<long long>(trace.xy_m.rows()), s.peak_above_start, s.total, s.count,
                static_cast<double>(s.peak_above_start) / static_cast<double>(trace.xy_m.rows()),
                keptAfterRepeat(trace, opt));
        }
    }
    return 0;
}
