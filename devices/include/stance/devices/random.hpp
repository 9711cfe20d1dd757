#pragma once
/// \file
/// Deterministic random numbers for the simulators (and for tests that need reproducible noise):
/// the same seed gives the same sequence on every platform and standard library, which
/// std::normal_distribution does not promise.
/// Generator: xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 47(4), 2021), seeded through SplitMix64 as its authors recommend.
/// Normal deviates: Marsaglia & Bray's polar method (SIAM Review 6(3):260-264, 1964).

#include <array>
#include <cmath>
#include <cstdint>

namespace stance::devices {

/// Not thread-safe: one generator per user.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept {
        for (auto& word : s_) {
            seed += 0x9E3779B97F4A7C15ull;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            word = z ^ (z >> 31);
        }
    }

    std::uint64_t nextU64() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform in [0, 1) with 53 random bits.
    double uniform() noexcept { return static_cast<double>(nextU64() >> 11) * 0x1.0p-53; }

    /// Standard normal deviate.
    double gaussian() noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u = 0.0, v = 0.0, s = 0.0;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        spare_ = v * f;
        has_spare_ = true;
        return u * f;
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }

    std::array<std::uint64_t, 4> s_{};
    double spare_ = 0.0;
    bool has_spare_ = false;
};

/// Derives independent stream seeds from one user seed (a 64-bit finaliser of MurmurHash3).
inline std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream) noexcept {
    std::uint64_t z = seed ^ (stream * 0xD1B54A32D192ED03ull);
    z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCDull;
    z = (z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53ull;
    return z ^ (z >> 33);
}

}  // namespace stance::devices
