#pragma once
/// \file
/// SHA-256 (FIPS 180-4, section 6.2) and HMAC-SHA-256 (FIPS 198-1 / RFC 2104), the keyed hash
/// behind subject pseudonyms. Written here from the standards; tested against the FIPS 180-4
/// example messages and the RFC 4231 test vectors (tests/datasets/test_pseudonym.cpp).
/// Not constant-time with respect to anything but the key length; used for pseudonyms and
/// shard assignment, never to check secrets supplied by an attacker.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace stance::datasets {

using Sha256Digest = std::array<std::uint8_t, 32>;

/// Incremental SHA-256. Feed bytes with update(), then call finish() once.
/// Thread rules: one object per thread; no shared state.
class Sha256 {
public:
    Sha256() noexcept;
    void update(std::span<const std::uint8_t> bytes) noexcept;
    void update(std::string_view text) noexcept;
    /// Pads, processes the last block(s) and returns the digest. The object must not be used
    /// afterwards (asserted).
    Sha256Digest finish() noexcept;

    /// One-shot helpers.
    static Sha256Digest hash(std::span<const std::uint8_t> bytes) noexcept;
    static Sha256Digest hash(std::string_view text) noexcept;

private:
    void compress(const std::uint8_t* block) noexcept;

    std::array<std::uint32_t, 8> state_{};
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
    bool finished_ = false;
};

/// HMAC-SHA-256 of `message` under `key` (RFC 2104 with B = 64: a key longer than 64 bytes is
/// hashed first, a shorter one zero-padded; inner pad 0x36, outer pad 0x5c).
Sha256Digest hmacSha256(std::span<const std::uint8_t> key,
                        std::span<const std::uint8_t> message) noexcept;
Sha256Digest hmacSha256(std::span<const std::uint8_t> key, std::string_view message) noexcept;

/// Lower-case hexadecimal of bytes ("ba7816bf...").
std::string toHex(std::span<const std::uint8_t> bytes);

}  // namespace stance::datasets
