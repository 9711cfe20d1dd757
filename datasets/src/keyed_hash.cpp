#include "stance/datasets/keyed_hash.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

namespace stance::datasets {

namespace {

/// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the
/// first 64 primes.
constexpr std::array<std::uint32_t, 64> kRoundConstants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/// FIPS 180-4 section 5.3.3: the first 32 bits of the fractional parts of the square roots of
/// the first 8 primes.
constexpr std::array<std::uint32_t, 8> kInitialState = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr std::size_t kBlockBytes = 64;

std::uint32_t loadBigEndian(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

std::span<const std::uint8_t> bytesOf(std::string_view text) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

Sha256::Sha256() noexcept : state_(kInitialState) {}

void Sha256::compress(const std::uint8_t* block) noexcept {
    // Section 6.2.2: message schedule, then 64 rounds of the compression function.
    std::array<std::uint32_t, 64> w{};
    for (std::size_t t = 0; t < 16; ++t)
        w[t] = loadBigEndian(block + 4 * t);
    for (std::size_t t = 16; t < 64; ++t) {
        const std::uint32_t s0 =
            std::rotr(w[t - 15], 7) ^ std::rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        const std::uint32_t s1 =
            std::rotr(w[t - 2], 17) ^ std::rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = s1 + w[t - 7] + s0 + w[t - 16];
    }
    std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (std::size_t t = 0; t < 64; ++t) {
        const std::uint32_t big_s1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
        const std::uint32_t ch = (e & f) ^ (~e & g);
        const std::uint32_t t1 = h + big_s1 + ch + kRoundConstants[t] + w[t];
        const std::uint32_t big_s0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
        const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        const std::uint32_t t2 = big_s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
}

void Sha256::update(std::span<const std::uint8_t> bytes) noexcept {
    assert(!finished_);
    total_bytes_ += bytes.size();
    std::size_t i = 0;
    if (buffered_ > 0) {
        const std::size_t take = std::min(kBlockBytes - buffered_, bytes.size());
        std::memcpy(buffer_.data() + buffered_, bytes.data(), take);
        buffered_ += take;
        i = take;
        if (buffered_ < kBlockBytes)
            return;
        compress(buffer_.data());
        buffered_ = 0;
    }
    for (; i + kBlockBytes <= bytes.size(); i += kBlockBytes)
        compress(bytes.data() + i);
    if (i < bytes.size()) {
        buffered_ = bytes.size() - i;
        std::memcpy(buffer_.data(), bytes.data() + i, buffered_);
    }
}

void Sha256::update(std::string_view text) noexcept {
    update(bytesOf(text));
}

Sha256Digest Sha256::finish() noexcept {
    assert(!finished_);
    // Section 5.1.1: append 0x80, zeros to 56 mod 64, then the message length in bits as a
    // 64-bit big-endian integer.
    const std::uint64_t bit_length = total_bytes_ * 8;
    buffer_[buffered_++] = 0x80;
    if (buffered_ > 56) {
        std::memset(buffer_.data() + buffered_, 0, kBlockBytes - buffered_);
        compress(buffer_.data());
        buffered_ = 0;
    }
    std::memset(buffer_.data() + buffered_, 0, 56 - buffered_);
    for (std::size_t k = 0; k < 8; ++k)
        buffer_[56 + k] = static_cast<std::uint8_t>(bit_length >> (56 - 8 * k));
    compress(buffer_.data());
    finished_ = true;

    Sha256Digest out{};
    for (std::size_t k = 0; k < 8; ++k) {
        out[4 * k] = static_cast<std::uint8_t>(state_[k] >> 24);
        out[4 * k + 1] = static_cast<std::uint8_t>(state_[k] >> 16);
        out[4 * k + 2] = static_cast<std::uint8_t>(state_[k] >> 8);
        out[4 * k + 3] = static_cast<std::uint8_t>(state_[k]);
    }
    return out;
}

Sha256Digest Sha256::hash(std::span<const std::uint8_t> bytes) noexcept {
    Sha256 h;
    h.update(bytes);
    return h.finish();
}

Sha256Digest Sha256::hash(std::string_view text) noexcept {
    return hash(bytesOf(text));
}

Sha256Digest hmacSha256(std::span<const std::uint8_t> key,
                        std::span<const std::uint8_t> message) noexcept {
    std::array<std::uint8_t, kBlockBytes> block_key{};
    if (key.size() > kBlockBytes) {
        const Sha256Digest k = Sha256::hash(key);
        std::memcpy(block_key.data(), k.data(), k.size());
    } else if (!key.empty()) {
        std::memcpy(block_key.data(), key.data(), key.size());
    }
    std::array<std::uint8_t, kBlockBytes> pad{};
    for (std::size_t i = 0; i < kBlockBytes; ++i)
        pad[i] = static_cast<std::uint8_t>(block_key[i] ^ 0x36);
    Sha256 inner;
    inner.update(pad);
    inner.update(message);
    const Sha256Digest inner_digest = inner.finish();
    for (std::size_t i = 0; i < kBlockBytes; ++i)
        pad[i] = static_cast<std::uint8_t>(block_key[i] ^ 0x5c);
    Sha256 outer;
    outer.update(pad);
    outer.update(inner_digest);
    return outer.finish();
}

Sha256Digest hmacSha256(std::span<const std::uint8_t> key, std::string_view message) noexcept {
    return hmacSha256(key, bytesOf(message));
}

std::string toHex(std::span<const std::uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (const std::uint8_t b : bytes) {
        s.push_back(kDigits[b >> 4]);
        s.push_back(kDigits[b & 0x0f]);
    }
    return s;
}

}  // namespace stance::datasets
