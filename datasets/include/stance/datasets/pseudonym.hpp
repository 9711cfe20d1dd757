#pragma once
/// \file
/// De-identification: stable subject pseudonyms from a keyed hash with a per-site secret, and
/// birth dates reduced to age. See docs/exports.md.
///
/// A pseudonym is `sub-` followed by the first 16 hex digits (64 bits) of
/// HMAC-SHA-256(site secret, "stance/subject/v1\0" + subject id). The same secret always gives
/// the same pseudonym for the same subject, so exports made months apart join on it; without the
/// secret the mapping cannot be inverted or recomputed (RFC 2104 section 6). 64 bits keep the
/// chance of any collision among 100 000 subjects below 3e-10.

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "stance/datasets/errors.hpp"

namespace stance::datasets {

/// Whether an export carries identity. Exports are de-identified unless the user asks.
enum class IdentityMode {
    kPseudonymised,  ///< pseudonyms, age instead of birth date, no names or contact fields
    kIdentified,     ///< the catalog's subject codes, names and birth dates (`--identified`)
};

/// "pseudonymised" or "identified", as written in export metadata.
std::string_view identityModeName(IdentityMode mode) noexcept;

/// The site's pseudonymisation key: 32 random bytes kept in a file readable by its owner only.
/// The key never appears in an export; exports name it by keyId().
class SiteSecret {
public:
    static constexpr std::size_t kKeyBytes = 32;

    /// Reads the secret file, or creates it (parent folders 0700, file 0600, 32 bytes from the
    /// kernel's CSPRNG, written as 64 hex digits and a newline) when it does not exist. Creation
    /// is atomic: a temporary file is linked into place, so two processes starting together end
    /// up with the same secret. Throws DatasetError naming the file when it cannot be created or
    /// read, is not 64 hex digits, or is readable or writable by group or others (fix: chmod 600).
    static SiteSecret loadOrCreate(const std::filesystem::path& file);

    /// Reads an existing secret file; same checks, never creates.
    static SiteSecret load(const std::filesystem::path& file);

    /// A secret from given bytes (tests, or a key held elsewhere). Exactly kKeyBytes.
    static SiteSecret fromBytes(const std::array<std::uint8_t, kKeyBytes>& key);

    /// The stable pseudonym of a subject identifier: `sub-` + 16 lower-case hex digits.
    std::string pseudonym(std::string_view subject_id) const;

    /// Public fingerprint of the key (16 hex digits of HMAC(key, "stance/key-id/v1")), written in
    /// export metadata so that two exports can be checked to share pseudonyms. Reveals nothing
    /// about the key.
    std::string keyId() const;

private:
    explicit SiteSecret(const std::array<std::uint8_t, kKeyBytes>& key) : key_(key) {}
    std::array<std::uint8_t, kKeyBytes> key_;
};

/// Where the site secret lives when the user names none: $STANCE_SITE_SECRET if set, else
/// $XDG_CONFIG_HOME/stance/site_secret, else $HOME/.config/stance/site_secret.
/// Throws DatasetError when none of these variables is set.
std::filesystem::path defaultSiteSecretPath();

/// Completed years between a birth date and a later date (the birthday counts on the day; a
/// 29 February birthday counts on 1 March in common years). nullopt when `on` precedes `birth`.
std::optional<int> ageInYears(std::chrono::year_month_day birth, std::chrono::year_month_day on);

}  // namespace stance::datasets
