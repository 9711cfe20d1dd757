// The metric set's per-thread scratch memory: values do not depend on whether the arena is fresh,
// reused after other trials, released, or in use by several threads at once; frames nest and
// hand memory out again, and more than the retention limit is not kept.

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.hpp"
#include "scratch.hpp"
#include "stance/analysis/metrics.hpp"
#include "stance/analysis/pipeline.hpp"

using namespace stance::analysis;
using stance::test::loadBdsTrial;

namespace {

UniformTrace bdsTrace(const std::string& trial) {
    auto trace = preprocess(loadBdsTrial(trial), Pipeline::kRaw);
    REQUIRE(trace);
    return *trace;
}

/// A random-walk path of n samples at 100 Hz (metres, millimetre-scale sway).
UniformTrace walk(Eigen::Index n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, 2e-5);
    UniformTrace t;
    t.fs_hz = 100.0;
    t.xy_m.resize(n, 2);
    double x = 0.0, y = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        x = 0.995 * x + g(rng);
        y = 0.995 * y + g(rng);
        t.xy_m(i, 0) = x;
        t.xy_m(i, 1) = y;
    }
    return t;
}

MetricTable metrics(const UniformTrace& t) {
    MetricOptions o;
    o.include_complexity = false;
    return computeAllMetrics(t, o);
}

/// Same names, same errors, bit-identical values.
void requireIdentical(const MetricTable& a, const MetricTable& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const Metric& m = a.entries()[i];
        const Metric& n = b.entries()[i];
        INFO(m.name);
        REQUIRE(m.name == n.name);
        REQUIRE(m.error == n.error);
        if (m.ok())
            REQUIRE(m.value == n.value);
    }
}

}  // namespace

TEST_CASE("metric values do not depend on the state of the thread's scratch memory",
          "[analysis][scratch]") {
    releaseThreadScratch();
    REQUIRE(threadScratchBytes() == 0);
    const UniformTrace a = bdsTrace("BDS00001");
    const UniformTrace b = walk(2500, 7);  // a shorter trial in between: other sizes, other plans

    const MetricTable fresh = metrics(a);
    const std::size_t kept = threadScratchBytes();
    // About 85 bytes per sample are working arrays; they are kept for the next trial.
    CHECK(kept >= 32 * static_cast<std::size_t>(a.xy_m.rows()));
    CHECK(kept <= 1024 * static_cast<std::size_t>(a.xy_m.rows()));

    const MetricTable between = metrics(b);
    requireIdentical(metrics(a), fresh);
    metrics(a);
    CHECK(threadScratchBytes() <= kept);  // merged into one block; the same trial fits it
    const std::size_t merged = threadScratchBytes();
    metrics(a);
    CHECK(threadScratchBytes() == merged);  // nothing grew

    releaseThreadScratch();
    CHECK(threadScratchBytes() == 0);
    requireIdentical(metrics(a), fresh);
    requireIdentical(metrics(b), between);
}

TEST_CASE("threads computing metrics at once each use their own scratch memory",
          "[analysis][scratch]") {
    const std::vector<UniformTrace> traces{bdsTrace("BDS00001"), bdsTrace("BDS00002"),
                                           walk(3001, 11), walk(4500, 12)};
    std::vector<MetricTable> expected;
    for (const auto& t : traces)
        expected.push_back(metrics(t));

    std::vector<std::vector<MetricTable>> got(traces.size());
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < traces.size(); ++k) {
        threads.emplace_back([&, k] {
            // Each thread cycles through every trace, starting at a different one.
            for (int round = 0; round < 3; ++round) {
                for (std::size_t j = 0; j < traces.size(); ++j)
                    got[k].push_back(metrics(traces[(k + j) % traces.size()]));
            }
            releaseThreadScratch();
        });
    }
    for (auto& t : threads)
        t.join();
    for (std::size_t k = 0; k < traces.size(); ++k) {
        REQUIRE(got[k].size() == 3 * traces.size());
        for (std::size_t i = 0; i < got[k].size(); ++i)
            requireIdentical(got[k][i], expected[(k + i) % traces.size()]);
    }
}

TEST_CASE("scratch frames nest, align, reuse and release their memory", "[analysis][scratch]") {
    using stance::analysis::detail::ScratchFrame;
    releaseThreadScratch();
    double* outer_array = nullptr;
    double* inner_first = nullptr;
    {
        ScratchFrame outer;
        outer_array = outer.zeros(1000);
        REQUIRE(reinterpret_cast<std::uintptr_t>(outer_array) % 64 == 0);
        for (int i = 0; i < 1000; ++i)
            REQUIRE(outer_array[i] == 0.0);
        {
            ScratchFrame inner;
            inner_first = inner.take<double>(10);
            auto* counts = inner.take<std::int64_t>(3);
            REQUIRE(reinterpret_cast<std::uintptr_t>(counts) % 64 == 0);
            REQUIRE(inner_first >= outer_array + 1000);  // after the outer frame's array
            inner_first[9] = 1.0;
        }
        {
            ScratchFrame again;  // the inner frame's memory is handed out again
            REQUIRE(again.take<double>(10) == inner_first);
        }
        // Larger than a block: the arena grows by another block without moving what it gave.
        ScratchFrame big;
        double* large = big.take<double>(std::size_t{1} << 20);
        large[(std::size_t{1} << 20) - 1] = 2.0;
        REQUIRE(outer_array[999] == 0.0);
        REQUIRE(threadScratchBytes() >= (std::size_t{8} << 20));
    }
    const std::size_t two_blocks = threadScratchBytes();
    const auto same_demand = [] {
        ScratchFrame outer;
        outer.take<double>(1000);
        ScratchFrame big;
        big.take<double>(std::size_t{1} << 20);
    };
    // The next outermost frame replaces the blocks by one as large as the most in use at once:
    // the same demand then fits in it, and nothing grows after that.
    same_demand();
    const std::size_t merged = threadScratchBytes();
    CHECK(merged < two_blocks);
    CHECK(merged >= (std::size_t{8} << 20) + 8000);
    same_demand();
    CHECK(threadScratchBytes() == merged);
    {
        // More than the 32 MiB kept: released when the outermost frame closes.
        ScratchFrame huge;
        double* p = huge.take<double>(std::size_t{5} << 20);
        p[0] = 1.0;
        CHECK(threadScratchBytes() >= (std::size_t{40} << 20));
    }
    CHECK(threadScratchBytes() == 0);
}
