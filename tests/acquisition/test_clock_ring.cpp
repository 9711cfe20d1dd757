// One timeline for every device, and the ring the recorder reads from.

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <thread>

#include "stance/acquisition/clock_align.hpp"
#include "stance/acquisition/spsc_ring.hpp"

using namespace stance::acquisition;

namespace {

/// A device clocked at offset + (1 + ppm 1e-6) t sampling at `rate`, its samples reaching the host
/// after a latency of at least 0.3 ms plus exponential jitter (mean 2 ms) and, now and then, an
/// OS stall of 40 ms that delays a whole burst.
struct SimulatedLink {
    double offset_s, ppm, rate_hz;
    std::mt19937_64 rng;
    std::exponential_distribution<double> jitter{1.0 / 0.002};
    std::uniform_real_distribution<double> uniform{0.0, 1.0};
    double stall_until = -1.0;

    double deviceTime(double t) const { return offset_s + (1.0 + ppm * 1e-6) * t; }
    std::int64_t hostNs(double t) {
        if (uniform(rng) < 0.001)
            stall_until = t + 0.04;
        double h = t + 0.0003 + jitter(rng);
        if (t < stall_until)
            h = std::max(h, stall_until + 0.0003);
        return static_cast<std::int64_t>(std::llround(h * 1e9)) + 5'000'000'000'000LL;
    }
};

}  // namespace

TEST_CASE("two devices with an offset and a 100 ppm drift are aligned within 1 ms over 10 min",
          "[acquisition][clock]") {
    SimulatedLink a{0.0, 0.0, 100.0, std::mt19937_64(1)};
    SimulatedLink b{5.3, 100.0, 400.0, std::mt19937_64(2)};
    ClockAligner ca, cb;
    double worst = 0.0, worst_after_warmup = 0.0;
    // Interleave both streams in true time; compare the mapped host time of samples taken at the
    // same true instant (every 10 ms, where both sample).
    const double duration = 600.0;
    std::size_t ib = 0;
    for (std::size_t ia = 0; static_cast<double>(ia) / a.rate_hz < duration; ++ia) {
        const double t = static_cast<double>(ia) / a.rate_hz;
        ca.observe(a.deviceTime(t), a.hostNs(t));
        while (static_cast<double>(ib) / b.rate_hz <= t) {
            const double tb = static_cast<double>(ib) / b.rate_hz;
            cb.observe(b.deviceTime(tb), b.hostNs(tb));
            ++ib;
        }
        const double err_ms =
            std::abs(ca.hostNs(a.deviceTime(t)) - cb.hostNs(b.deviceTime(t))) * 1e-6;
        worst = std::max(worst, err_ms);
        if (t > 10.0)
            worst_after_warmup = std::max(worst_after_warmup, err_ms);
    }
    INFO("worst misalignment after 10 s: " << worst_after_warmup << " ms (first 10 s: " << worst
                                           << " ms), fitted drift " << cb.driftPpm() << " ppm");
    CHECK(worst_after_warmup < 1.0);
    CHECK(cb.driftPpm() == Approx(100.0).margin(5.0));
    CHECK(ca.driftPpm() == Approx(0.0).margin(5.0));
}

TEST_CASE("the aligner keeps b = 1 until it has enough windows, and resets",
          "[acquisition][clock]") {
    ClockAligner c;
    c.observe(100.0, 2'000'000'000);
    CHECK(c.observed());
    CHECK(c.hostNs(101.0) == Approx(3e9));
    CHECK(c.driftPpm() == 0.0);
    c.reset();
    CHECK_FALSE(c.observed());
    // A device clock that runs 1 % fast is a fault, not a drift: held at b = 1.
    for (int k = 0; k < 4000; ++k)
        c.observe(k * 0.01 * 1.01, static_cast<std::int64_t>(k * 1e7));
    CHECK(c.driftPpm() == 0.0);
}

TEST_CASE("the ring keeps order across threads and refuses when full", "[acquisition][ring]") {
    SpscRing<std::uint64_t> ring(1000);
    CHECK(ring.capacity() == 1024);
    for (std::uint64_t i = 0; i < 1024; ++i)
        REQUIRE(ring.push(i));
    CHECK_FALSE(ring.push(9999));
    std::uint64_t out[2048];
    REQUIRE(ring.pop(out, 2048) == 1024);
    CHECK(out[1023] == 1023);

    constexpr std::uint64_t kCount = 2'000'000;
    std::thread producer([&] {
        for (std::uint64_t i = 0; i < kCount;) {
            if (ring.push(i))
                ++i;
        }
    });
    std::uint64_t expected = 0;
    bool ordered = true;
    while (expected < kCount) {
        const std::size_t n = ring.pop(out, 512);
        for (std::size_t k = 0; k < n; ++k)
            ordered = ordered && out[k] == expected++;
    }
    producer.join();
    CHECK(ordered);
    CHECK(ring.size() == 0);
}
