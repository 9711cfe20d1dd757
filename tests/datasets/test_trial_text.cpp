// Trial-file readers on the real files and on malformed ones.

#include <catch2/catch.hpp>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "stance/datasets/trial_text.hpp"

using namespace stance::datasets;

#include "support/scratch.hpp"

namespace {

std::string publicData(const std::string& rel) {
    return std::string(STANCE_PUBLIC_DATA_DIR) + "/" + rel;
}

// One scratch folder for this test process, removed when it exits.
const stance::test::ScratchDir& scratch() {
    static const stance::test::ScratchDir dir("trial_text");
    return dir;
}

std::string writeTemp(const std::string& name, const std::string& text) {
    const auto path = scratch() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// The DatasetError message for parsing `text` as file `name`.
std::string errorOf(const std::string& name, const std::string& text) {
    try {
        (void)readTrialText(writeTemp(name, text));
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("a Santos & Duarte 2016 trial reads in metres with ML = COPy, AP = COPx", "[datasets]") {
    const auto t = readTrialText(publicData("bds_santos_duarte_2016/data/BDS00001.txt"));
    CHECK(t.format == TrialFormat::kBds2016);
    REQUIRE(t.recording.xy_m.rows() == 6000);
    CHECK(t.recording.nominal_fs_hz == 100.0);
    // First row: 0.010  ...  COPx -7.988789  COPy 0.998673 (cm).
    CHECK(t.recording.t_s(0) == 0.010);
    CHECK(t.recording.xy_m(0, 0) == Approx(0.00998673).epsilon(1e-12));
    CHECK(t.recording.xy_m(0, 1) == Approx(-0.07988789).epsilon(1e-12));
    CHECK(t.recording.t_s(5999) == Approx(60.0));
}

TEST_CASE("a dos Santos 2017 GRF file reads COPNET_Z as ML and COPNET_X as AP", "[datasets]") {
    const auto t = readTrialText(publicData("pds_dos_santos_2017/data/PDS13OR1grf.txt"));
    CHECK(t.format == TrialFormat::kPds2017);
    REQUIRE(t.recording.xy_m.rows() == 6000);
    CHECK(t.recording.t_s(0) == 0.0);
    // Subject's net COP sits between the feet (|ML| small) and ahead of the ankles (AP).
    CHECK(std::abs(t.recording.xy_m.col(0).mean()) < 0.05);
    CHECK(t.recording.xy_m.col(1).mean() != 0.0);
}

TEST_CASE("a CSV with units in its header reads and converts", "[datasets]") {
    const auto t = readTrialText(std::string(STANCE_TEST_DATA_DIR) +
                                 "/reference/signals/BDS00001.swarii25.csv");
    CHECK(t.format == TrialFormat::kCsv);
    CHECK(t.recording.xy_m.rows() == 1498);
    CHECK(t.recording.xy_m(0, 0) == Approx(0.034817421040151314 * 0.01).epsilon(1e-14));
    CHECK(t.recording.xy_m(0, 1) == Approx(0.11607425240938903 * 0.01).epsilon(1e-14));

    const auto mm =
        readTrialText(writeTemp("mm.csv", "t [ms]; AP [mm]; ML [mm]\r\n0;1.5;-2\r\n10;2.5;-3\r\n"));
    REQUIRE(mm.recording.xy_m.rows() == 2);
    CHECK(mm.recording.t_s(1) == Approx(0.01));
    CHECK(mm.recording.xy_m(1, 0) == Approx(-0.003));
    CHECK(mm.recording.xy_m(1, 1) == Approx(0.0025));
}

TEST_CASE("malformed files name the file, the line and the problem", "[datasets]") {
    const std::string header = "time,ml_mm,ap_mm\n";
    const std::string bad_number = errorOf("letter.csv", header + "0,1,2\n0.01,1x,2\n");
    CHECK(bad_number.find("letter.csv:3:") != std::string::npos);
    CHECK(bad_number.find("ml_mm") != std::string::npos);

    const std::string short_row = errorOf("short.csv", header + "0,1,2\n0.01,1\n");
    CHECK(short_row.find("short.csv:3:") != std::string::npos);

    const std::string backwards = errorOf("back.csv", header + "0,1,2\n0.02,1,2\n0.01,1,2\n");
    CHECK(backwards.find("back.csv:4:") != std::string::npos);
    CHECK(backwards.find("does not increase") != std::string::npos);

    const std::string no_unit = errorOf("nounit.csv", "time,ml,ap\n0,1,2\n");
    CHECK(no_unit.find("nounit.csv:1:") != std::string::npos);
    CHECK(no_unit.find("unit") != std::string::npos);

    const std::string unknown = errorOf("unknown.csv", "a,b,c\n1,2,3\n");
    CHECK(unknown.find("unknown.csv:1:") != std::string::npos);

    CHECK(errorOf("empty.csv", "").find("empty") != std::string::npos);
    CHECK(errorOf("header_only.csv", header).find("no data rows") != std::string::npos);

    // A BDS file cut in the middle of a row.
    std::ifstream in(publicData("bds_santos_duarte_2016/data/BDS00002.txt"), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string truncated = errorOf("BDS_truncated.txt", text.substr(0, 1000));
    CHECK(truncated.find("BDS_truncated.txt:") != std::string::npos);

    try {
        (void)readTrialText("/nonexistent/stance/trial.txt");
        FAIL("no error for a missing file");
    } catch (const DatasetError& e) {
        CHECK(std::string(e.what()).find("/nonexistent/stance/trial.txt") != std::string::npos);
    }
}

TEST_CASE("rows read the same whether they take the fast path or the general one", "[datasets]") {
    // Plain rows take a fast path; spaces, quotes, a plus sign, an exponent, too many digits,
    // blank rows and a missing final newline go through the general one. Both give the same
    // values, and a row the fast path refuses is never lost or read twice.
    const std::string text =
        "t [s]; ML [mm]; AP [mm]; note\r\n"
        "0.00;1.5;-2.25;x\r\n"
        "0.01; 1.5 ;\"-2.25\";y\r\n"
        "0.02;+1.5;-2.25e0\r\n"
        "\r\n"
        "0.03;1.5;-2.25\n"
        "   \t \n"
        "0.04;1.500000000000000000001;-2.25;;;\n"
        "0.05;1.5;-2.25";
    const auto t = readTrialText(writeTemp("mixed_rows.csv", text));
    REQUIRE(t.recording.t_s.size() == 6);
    for (Eigen::Index i = 0; i < 6; ++i) {
        CHECK(t.recording.t_s(i) == static_cast<double>(i) / 100.0);
        CHECK(t.recording.xy_m(i, 0) == 1.5 * 0.001);
        CHECK(t.recording.xy_m(i, 1) == -2.25 * 0.001);
    }
    // A fault after fast rows is still named at its own line.
    const std::string late = errorOf("late.csv", "time,ml_mm,ap_mm\n0,1,2\n0.01,1,2\n0.02,1,2;\n");
    CHECK(late.find("late.csv:4:") != std::string::npos);
}

TEST_CASE("numbers read exactly as std::from_chars reads them, fast path or not", "[datasets]") {
    // Plain decimals take a fast path (one correctly rounded division); the rest go through
    // std::from_chars. Either way the double must be the one from_chars gives, bit for bit.
    std::mt19937_64 rng(20261206);
    std::vector<std::string> cells = {"0",
                                      "-0",
                                      "0.0",
                                      "-0.000",
                                      "1.",
                                      "12.5e-3",
                                      "1e5",
                                      "123456789012345",
                                      "1234567890123456",
                                      "0.1234567890123456789",
                                      "999999999999999.9",
                                      "0.0000000000000000000001",
                                      "-7.988789",
                                      "00012.0500"};
    std::uniform_int_distribution<int> digit(0, 9), len(1, 18), frac(0, 22), coin(0, 3);
    for (int k = 0; k < 4000; ++k) {
        std::string s;
        if (coin(rng) == 0)
            s += '-';
        const int before = len(rng) % 9 + 1, after = frac(rng);
        for (int i = 0; i < before; ++i)
            s += static_cast<char>('0' + digit(rng));
        if (after > 0) {
            s += '.';
            for (int i = 0; i < after; ++i)
                s += static_cast<char>('0' + digit(rng));
        }
        cells.push_back(s);
    }
    std::string text = "time,ml_m,ap_m\n";
    for (std::size_t i = 0; i < cells.size(); ++i)
        text += std::to_string(i) + "," + cells[i] + "," + cells[cells.size() - 1 - i] + "\n";
    const auto t = readTrialText(writeTemp("decimals.csv", text));
    REQUIRE(t.recording.xy_m.rows() == static_cast<Eigen::Index>(cells.size()));
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::string& c = cells[i];
        double expected = 0.0;
        std::from_chars(c.data(), c.data() + c.size(), expected);
        const double got = t.recording.xy_m(static_cast<Eigen::Index>(i), 0);
        if (std::memcmp(&expected, &got, sizeof got) != 0) {
            ++mismatches;
            UNSCOPED_INFO(c << " read as " << got << ", from_chars gives " << expected);
        }
    }
    CHECK(mismatches == 0);
}
