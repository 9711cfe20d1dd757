// SHA-256 and HMAC-SHA-256 against the published vectors; the site secret file; pseudonyms;
// age at a date.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "stance/datasets/keyed_hash.hpp"
#include "stance/datasets/pseudonym.hpp"

using namespace stance::datasets;
using namespace std::chrono;

#include "support/scratch.hpp"

namespace {

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t v) {
    return std::vector<std::uint8_t>(n, v);
}

std::string hmacHex(const std::vector<std::uint8_t>& key, const std::vector<std::uint8_t>& data) {
    return toHex(hmacSha256(key, data));
}

std::vector<std::uint8_t> text(std::string_view s) {
    return {s.begin(), s.end()};
}

using TempDir = stance::test::ScratchDir;

unsigned modeOf(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return static_cast<unsigned>(st.st_mode & 07777);
}

std::string errorOf(const std::filesystem::path& p) {
    try {
        (void)SiteSecret::load(p);
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180-4 example messages", "[datasets][pseudonym]") {
    CHECK(toHex(Sha256::hash("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(toHex(Sha256::hash("")) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // Two-block messages: 448 bits (padding spills into a second block) and 896 bits.
    CHECK(toHex(Sha256::hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(toHex(Sha256::hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                             "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")) ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    // One million 'a', fed in uneven pieces so that buffering across blocks is exercised.
    Sha256 h;
    const std::string piece(997, 'a');
    std::size_t fed = 0;
    while (fed + piece.size() <= 1000000) {
        h.update(piece);
        fed += piece.size();
    }
    h.update(std::string(1000000 - fed, 'a'));
    CHECK(toHex(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("HMAC-SHA-256 matches the RFC 4231 test cases", "[datasets][pseudonym]") {
    CHECK(hmacHex(bytes(20, 0x0b), text("Hi There")) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hmacHex(text("Jefe"), text("what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(hmacHex(bytes(20, 0xaa), bytes(50, 0xdd)) ==
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    std::vector<std::uint8_t> key4;
    for (std::uint8_t b = 1; b <= 25; ++b)
        key4.push_back(b);
    CHECK(hmacHex(key4, bytes(50, 0xcd)) ==
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    // Test case 5 specifies the output truncated to 128 bits.
    CHECK(hmacHex(bytes(20, 0x0c), text("Test With Truncation")).substr(0, 32) ==
          "a3b6167473100ee06e0c796c2955552b");
    // Keys longer than the block are hashed first.
    CHECK(
        hmacHex(bytes(131, 0xaa), text("Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    CHECK(hmacHex(bytes(131, 0xaa),
                  text("This is a test using a larger than block-size key and a larger than "
                       "block-size data. The key needs to be hashed before being used by the "
                       "HMAC algorithm.")) ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("pseudonyms are stable per secret, distinct per subject and per site",
          "[datasets][pseudonym]") {
    std::array<std::uint8_t, SiteSecret::kKeyBytes> k1{}, k2{};
    for (std::size_t i = 0; i < k1.size(); ++i) {
        k1[i] = static_cast<std::uint8_t>(i);
        k2[i] = static_cast<std::uint8_t>(i + 1);
    }
    const auto a = SiteSecret::fromBytes(k1), b = SiteSecret::fromBytes(k2);
    const std::string p = a.pseudonym("MRN-0001");
    CHECK(std::regex_match(p, std::regex("sub-[0-9a-f]{16}")));
    CHECK(a.pseudonym("MRN-0001") == p);
    CHECK(SiteSecret::fromBytes(k1).pseudonym("MRN-0001") == p);
    CHECK(a.pseudonym("MRN-0002") != p);
    CHECK(b.pseudonym("MRN-0001") != p);
    // The pseudonym is the documented HMAC prefix, not some other function of the id.
    std::string message = "stance/subject/v1";
    message.push_back('\0');
    message += "MRN-0001";
    CHECK(p == "sub-" + toHex(hmacSha256(k1, message)).substr(0, 16));
    CHECK(a.keyId() != b.keyId());
    CHECK(a.keyId().size() == 16);
    CHECK(a.keyId().find(toHex(k1).substr(0, 8)) == std::string::npos);

    std::set<std::string> seen;
    for (int i = 0; i < 5000; ++i)
        seen.insert(a.pseudonym("subject-" + std::to_string(i)));
    CHECK(seen.size() == 5000);
}

TEST_CASE("the site secret file is created once with mode 0600 and reloaded",
          "[datasets][pseudonym]") {
    TempDir dir("create");
    const auto file = dir.path / "config" / "stance" / "site_secret";
    const auto first = SiteSecret::loadOrCreate(file);
    REQUIRE(std::filesystem::exists(file));
    CHECK(modeOf(file) == 0600);
    CHECK(modeOf(file.parent_path()) == 0700);
    std::ifstream in(file);
    std::string content;
    std::getline(in, content);
    CHECK(std::regex_match(content, std::regex("[0-9a-f]{64}")));
    // The file holds the key itself: the key id and pseudonyms follow from it.
    const auto again = SiteSecret::loadOrCreate(file);
    CHECK(again.pseudonym("x") == first.pseudonym("x"));
    CHECK(SiteSecret::load(file).keyId() == first.keyId());
    // A second site gets another key.
    const auto other = SiteSecret::loadOrCreate(dir.path / "other_secret");
    CHECK(other.pseudonym("x") != first.pseudonym("x"));
    // No temporary file is left behind.
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(file.parent_path()))
        ++n;
    CHECK(n == 1);
}

TEST_CASE("processes racing to create the secret end up with the same key",
          "[datasets][pseudonym]") {
    TempDir dir("race");
    const auto file = dir.path / "site_secret";
    std::vector<std::string> ids(6);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < ids.size(); ++i)
        threads.emplace_back([&, i] { ids[i] = SiteSecret::loadOrCreate(file).keyId(); });
    for (auto& t : threads)
        t.join();
    for (const auto& id : ids)
        CHECK(id == ids[0]);
}

TEST_CASE("a secret file that is exposed or malformed is refused with its name",
          "[datasets][pseudonym]") {
    TempDir dir("bad");
    const auto file = dir.path / "site_secret";
    (void)SiteSecret::loadOrCreate(file);
    std::filesystem::permissions(file, std::filesystem::perms::group_read,
                                 std::filesystem::perm_options::add);
    const std::string exposed = errorOf(file);
    CHECK(exposed.find(file.string()) != std::string::npos);
    CHECK(exposed.find("chmod 600") != std::string::npos);

    const auto write = [&](const std::string& content) {
        std::filesystem::remove(file);
        std::ofstream(file) << content;
        std::filesystem::permissions(
            file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    };
    write("abcd\n");
    CHECK(errorOf(file).find("64 hex digits") != std::string::npos);
    write(std::string(63, 'a') + "g\n");
    CHECK(errorOf(file).find("non-hex character at offset 63") != std::string::npos);
    write(std::string(64, 'a') + "\n");
    CHECK(errorOf(file) == "no error");
    CHECK(errorOf(dir.path / "missing").find("cannot open") != std::string::npos);
}

TEST_CASE("age is completed years at the session date", "[datasets][pseudonym]") {
    const auto ymd = [](int y, unsigned m, unsigned d) {
        return year_month_day{year{y}, month{m}, day{d}};
    };
    CHECK(ageInYears(ymd(1980, 6, 15), ymd(2024, 6, 14)) == 43);
    CHECK(ageInYears(ymd(1980, 6, 15), ymd(2024, 6, 15)) == 44);
    CHECK(ageInYears(ymd(1980, 6, 15), ymd(1980, 6, 15)) == 0);
    // 29 February birthdays count on 1 March in common years, on the day in leap years.
    CHECK(ageInYears(ymd(2000, 2, 29), ymd(2023, 2, 28)) == 22);
    CHECK(ageInYears(ymd(2000, 2, 29), ymd(2023, 3, 1)) == 23);
    CHECK(ageInYears(ymd(2000, 2, 29), ymd(2024, 2, 29)) == 24);
    CHECK_FALSE(ageInYears(ymd(2000, 1, 2), ymd(2000, 1, 1)).has_value());
}
