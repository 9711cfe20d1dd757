#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "stance/analysis/metric_table.hpp"

using namespace stance::analysis;

TEST_CASE("metric units print for each length unit", "[analysis][units]") {
    CHECK(units::kLength.label("mm") == "mm");
    CHECK(units::kArea.label("cm") == "cm^2");
    CHECK(units::kVelocity.label("m") == "m/s");
    CHECK(units::kAreaRate.label("mm") == "mm^2/s");
    CHECK(units::kPsd.label("mm") == "mm^2/Hz");
    CHECK(units::kInverseLength.label("mm") == "1/mm");
    CHECK(units::kFrequency.label("mm") == "Hz");
    CHECK(units::kDimensionless.label("mm") == "1");
    CHECK(units::kCount.label("mm") == "count");
}

TEST_CASE("a non-finite metric value becomes a named error, never a silent NaN",
          "[analysis][units]") {
    MetricTable t;
    t.add("rms_ML", units::kLength, std::numeric_limits<double>::quiet_NaN());
    t.add("rms_AP", units::kLength, 0.5);
    t.add("x", units::kLength, Expected<double>(fail(ErrorCode::kTooShort, "needs 3 samples")));
    REQUIRE(t.size() == 3);
    CHECK_FALSE(t.find("rms_ML")->ok());
    CHECK(t.find("rms_ML")->error.find("rms_ML") != std::string::npos);
    CHECK(t.find("rms_AP")->ok());
    CHECK(t.find("rms_AP")->value == 0.5);
    CHECK(t.find("x")->error_code == ErrorCode::kTooShort);
    CHECK(t.find("x")->error == "needs 3 samples");
    CHECK(t.find("missing") == nullptr);
}
