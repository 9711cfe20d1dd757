// How decimal text is kept (datasets/src): raw signals from text stored as the integers their
// digits are (import_common.hpp packDecimalText), and the numbers the CSV exports print
// (export_csv.hpp formatNumber, formatSample).

#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "export_csv.hpp"
#include "import_common.hpp"

using namespace stance::datasets;

namespace {

double parsed(const char* text) {
    double v = 0.0;
    const std::string s(text);
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

RawSignal textSignal(std::initializer_list<std::initializer_list<const char*>> rows) {
    RawSignal raw;
    raw.device = "plate";
    raw.values.resize(static_cast<Eigen::Index>(rows.size()),
                      static_cast<Eigen::Index>(rows.begin()->size()));
    Eigen::Index r = 0;
    for (const auto& row : rows) {
        Eigen::Index c = 0;
        for (const char* cell : row)
            raw.values(r, c++) = parsed(cell);
        ++r;
    }
    for (Eigen::Index c = 0; c < raw.values.cols(); ++c)
        raw.channels.push_back(Channel{"c" + std::to_string(c), "N", c == 1 ? 0.01 : 1.0, 0.0});
    return raw;
}

}  // namespace

TEST_CASE("decimal text is stored as its digits, per column, and only when that is exact",
          "[datasets][import]") {
    using import_detail::packDecimalText;
    // Column 0: 6 decimals (Fz in N); column 1: 3 decimals (a COP in cm, scale 0.01 to m);
    // column 2: whole numbers.
    RawSignal raw = textSignal(
        {{"675.554103", "-4.695", "12"}, {"-0.000001", "1.3", "-7"}, {"2147.483647", "0", "0"}});
    const Eigen::MatrixXd before = raw.physical();
    REQUIRE(packDecimalText(raw));
    CHECK(raw.stored_type == RawType::kInt32);
    CHECK(raw.values(0, 0) == 675554103.0);
    CHECK(raw.values(1, 0) == -1.0);
    CHECK(raw.values(2, 0) == 2147483647.0);  // the largest int32
    CHECK(raw.values(0, 1) == -4695.0);
    CHECK(raw.values(1, 1) == 1300.0);
    CHECK(raw.values(0, 2) == 12.0);
    CHECK(raw.channels[0].scale == Approx(1e-6).epsilon(1e-15));
    CHECK(raw.channels[1].scale == Approx(1e-5).epsilon(1e-15));
    CHECK(raw.channels[2].scale == 1.0);
    const Eigen::MatrixXd after = raw.physical();
    for (Eigen::Index r = 0; r < after.rows(); ++r) {
        for (Eigen::Index c = 0; c < after.cols(); ++c) {
            INFO(r << ", " << c);
            CHECK(after(r, c) == Approx(before(r, c)).epsilon(1e-15).margin(1e-300));
        }
    }

    // Left as float64, untouched: more than 9 decimals, beyond int32, not finite, computed.
    for (const char* cell : {"0.1234567891", "2147.4836471", "3000000000", "nan", "inf"}) {
        INFO(cell);
        RawSignal r = textSignal({{"1.5", cell}});
        const Eigen::MatrixXd v = r.values;
        CHECK_FALSE(packDecimalText(r));
        CHECK(r.stored_type == RawType::kFloat64);
        CHECK(r.values.cwiseEqual(v).count() == (std::string(cell) == "nan" ? 1 : 2));
        CHECK(r.channels[1].scale == 0.01);
    }
    RawSignal third = textSignal({{"1.0"}});
    third.values(0, 0) = 1.0 / 3.0;
    CHECK_FALSE(packDecimalText(third));
    // A value of 1 + 1e-13 has 13 decimals, not 0: the test is relative to a double's last bit.
    RawSignal close = textSignal({{"1.0000000000001"}});
    CHECK_FALSE(packDecimalText(close));
    // Already integers from a device: not packed again.
    RawSignal counts = textSignal({{"1.5"}});
    counts.stored_type = RawType::kInt16;
    CHECK_FALSE(packDecimalText(counts));
}

TEST_CASE("CSV numbers: metrics to the last bit, samples at 15 significant digits",
          "[datasets][export]") {
    using detail::formatNumber;
    using detail::formatSample;
    // A COP of 1.323718 cm (BDS00001's first row) stored in metres and exported in mm.
    const double mm = parsed("1.323718") * 0.01 * 1000.0;
    REQUIRE(mm != 13.23718);                          // the conversions leave a last-bit error...
    CHECK(formatNumber(mm) == "13.237179999999999");  // ...that the shortest round trip shows
    CHECK(formatSample(mm) == "13.23718");
    CHECK(formatSample(0.001) == "0.001");
    CHECK(formatSample(-1e-5) == "-1e-05");
    CHECK(formatSample(123456.789) == "123456.789");
    CHECK(formatSample(1.0 / 3.0) == "0.333333333333333");
    CHECK(formatSample(std::numeric_limits<double>::quiet_NaN()).empty());
    CHECK(formatNumber(0.1) == "0.1");
    CHECK(formatNumber(1.0 / 3.0) == "0.3333333333333333");
}
