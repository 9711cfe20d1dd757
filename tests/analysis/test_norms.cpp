// Normative tables compiled into the library: parsed rows, known values, percentiles and bands,
// a real trial against them, and malformed tables named by line.

#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "stance/analysis/norms.hpp"
#include "stance/analysis/pipeline.hpp"

using namespace stance::analysis;

namespace {

const NormRow& row(NormTableKind table, const std::string& group, Vision v, Support s, NormMetric m,
                   char sex = 0) {
    for (const NormRow& r : *builtinNormRows()) {
        if (r.table == table && r.group == group && r.vision == v && r.support == s &&
            r.metric == m && r.sex == sex)
            return r;
    }
    FAIL("no row " << group);
    throw 0;
}

}  // namespace

TEST_CASE("the compiled-in tables parse to the expected rows and values", "[norms]") {
    const auto& rows = builtinNormRows();
    REQUIRE(rows);
    // 5 age bands x 4 conditions x 3 metrics + 2 age groups x 2 sexes x 4 x 3.
    CHECK(rows->size() == 60 + 48);
    const NormRow& a = row(NormTableKind::kByAgeBand, "18-39", Vision::kClosed, Support::kFirm,
                           NormMetric::kCopArea);
    CHECK(a.n_trials == 240);
    CHECK(a.n_subjects == 80);
    CHECK(a.mean == Approx(2.99156e-4));  // cm^2 -> m^2
    CHECK(a.p95 == Approx(8.22974e-4));
    CHECK(a.age_from_years == 18.0);
    CHECK(a.age_to_years == 40.0);
    const NormRow& v = row(NormTableKind::kByAgeGroupSex, "old", Vision::kOpen, Support::kFoam,
                           NormMetric::kCopVelocity, 'M');
    CHECK(v.p50 == Approx(3.68735e-2));  // cm/s -> m/s
    CHECK(v.observed_age_min_years == 61.8);
    const NormRow& open = row(NormTableKind::kByAgeBand, "80+", Vision::kOpen, Support::kFirm,
                              NormMetric::kCopMeanFrequency);
    CHECK(open.p5 == Approx(0.181297));
    CHECK(std::isinf(open.age_to_years));
}

TEST_CASE("malformed tables are refused with the line and the problem", "[norms]") {
    const std::string header =
        "age_band,vision,surface,metric,unit,n_trials,n_subjects,mean,sd,p5,p25,p50,p75,p95\n";
    CHECK(parseNormTable("age,vision\n", NormTableKind::kByAgeBand)
              .error()
              .message.find("bds2016_norms_by_age_band.csv:1: header") != std::string::npos);
    const auto short_row =
        parseNormTable(header + "18-39,closed,firm,COParea,cm2,1,1,1\n", NormTableKind::kByAgeBand);
    CHECK(short_row.error().message == "bds2016_norms_by_age_band.csv:2: 8 cells, expected 14");
    const auto word = parseNormTable(header + "18-39,closed,firm,COParea,cm2,1,1,x,1,1,2,3,4,5\n",
                                     NormTableKind::kByAgeBand);
    CHECK(word.error().message.find(":2: 'x' is not a number") != std::string::npos);
    const auto order = parseNormTable(header + "18-39,closed,firm,COParea,cm2,1,1,1,1,5,2,3,4,5\n",
                                      NormTableKind::kByAgeBand);
    CHECK(order.error().message.find("not ascending") != std::string::npos);
    const auto metric = parseNormTable(header + "18-39,closed,firm,COParea,mm2,1,1,1,1,1,2,3,4,5\n",
                                       NormTableKind::kByAgeBand);
    CHECK(metric.error().message.find("'COParea' in 'mm2'") != std::string::npos);
    CHECK_FALSE(parseNormTable(header, NormTableKind::kByAgeBand));
}

TEST_CASE("percentiles interpolate between the tabulated ones; tails are bands only", "[norms]") {
    const NormSubject s{45.0, std::nullopt};
    const NormRow& r = row(NormTableKind::kByAgeBand, "40-59", Vision::kOpen, Support::kFoam,
                           NormMetric::kCopVelocity);
    const auto at = [&](double value) {
        return *compareValueWithNorms(NormMetric::kCopVelocity, value, s, Vision::kOpen,
                                      Support::kFoam, NormTableKind::kByAgeBand);
    };
    CHECK(*at(r.p50).percentile == Approx(50.0));
    CHECK(*at(r.p25).percentile == Approx(25.0));
    CHECK(*at(0.5 * (r.p25 + r.p50)).percentile == Approx(37.5));
    CHECK(*at(r.p95).percentile == Approx(95.0));
    const NormComparison low = at(0.5 * r.p5);
    CHECK(low.band == NormBand::kBelowP5);
    CHECK_FALSE(low.percentile);
    const NormComparison high = at(2.0 * r.p95);
    CHECK(high.band == NormBand::kAboveP95);
    CHECK(high.source.find("PeerJ 4:e2648") != std::string::npos);
    CHECK(high.source.find("bds2016_norms_by_age_band.csv") != std::string::npos);
    // The 40-59 band has 7 subjects: said so.
    REQUIRE_FALSE(high.caveats.empty());
    CHECK(high.caveats[0].find("only 7 subjects") != std::string::npos);
}

TEST_CASE("rows are chosen by age, sex and condition; gaps are named", "[norms]") {
    const auto child =
        compareValueWithNorms(NormMetric::kCopArea, 1e-4, NormSubject{12.0, 'F'}, Vision::kOpen,
                              Support::kFirm, NormTableKind::kByAgeBand);
    REQUIRE_FALSE(child);
    CHECK(child.error().message.find("no row in bds2016_norms_by_age_band.csv for age 12.0") !=
          std::string::npos);
    const auto no_sex =
        compareValueWithNorms(NormMetric::kCopArea, 1e-4, NormSubject{40.0, {}}, Vision::kOpen,
                              Support::kFirm, NormTableKind::kByAgeGroupSex);
    CHECK(no_sex.error().message.find("needs the subject's sex") != std::string::npos);
    const auto sot =
        compareValueWithNorms(NormMetric::kCopArea, 1e-4, NormSubject{40.0, 'M'},
                              Vision::kSwayReferenced, Support::kFirm, NormTableKind::kByAgeBand);
    CHECK(sot.error().message.find("no sway-referenced condition") != std::string::npos);
    // 59.9 years is young in the group table and 40-59 in the bands; 60 is old and 60-69.
    const auto y =
        compareValueWithNorms(NormMetric::kCopArea, 1e-4, NormSubject{59.9, 'F'}, Vision::kOpen,
                              Support::kFirm, NormTableKind::kByAgeGroupSex);
    CHECK(y->row.group == "young");
    const auto o = compareValueWithNorms(NormMetric::kCopArea, 1e-4, NormSubject{60.0, 'F'},
                                         Vision::kOpen, Support::kFirm, NormTableKind::kByAgeBand);
    CHECK(o->row.group == "60-69");
    const auto beyond =
        compareValueWithNorms(NormMetric::kCopArea, 1e-4, NormSubject{90.0, 'F'}, Vision::kOpen,
                              Support::kFirm, NormTableKind::kByAgeGroupSex);
    CHECK(beyond->caveats.back().find("outside the group's observed ages 60.5-85.8") !=
          std::string::npos);
}

TEST_CASE("a real trial against the tables: BDS00001, 33-year-old woman, eyes open, firm",
          "[norms]") {
    const auto trace = preprocess(stance::test::loadBdsTrial("BDS00001"), Pipeline::kRaw);
    REQUIRE(trace);
    const auto c =
        compareTraceWithNorms(*trace, NormSubject{33.0, 'F'}, Vision::kOpen, Support::kFirm);
    REQUIRE(c);
    REQUIRE(c->size() == 6);  // 3 metrics x 2 tables
    // The authors' values for this trial: COPvelo 0.620190 cm/s, COParea 0.944692 cm^2.
    const NormComparison& v_band = (*c)[2];
    CHECK(v_band.metric == "bds_cop_velocity");
    CHECK(v_band.row.group == "18-39");
    CHECK(v_band.value == Approx(0.620189911656219e-2).epsilon(1e-6));
    // 5 + (0.620190 - 0.517035) / (0.6602 - 0.517035) * 20 (linear between p5 and p25).
    CHECK(*v_band.percentile ==
          Approx(5 + (0.620190 - 0.517035) / (0.6602 - 0.517035) * 20).epsilon(1e-5));
    const NormComparison& v_group = (*c)[3];
    CHECK(v_group.row.group == "young");
    CHECK(v_group.row.sex == 'F');
    CHECK(*v_group.percentile ==
          Approx(5 + (0.620190 - 0.501589) / (0.626908 - 0.501589) * 20).epsilon(1e-5));
    const NormComparison& area = (*c)[0];
    CHECK(area.metric == "bds_cop_area");
    CHECK(area.value == Approx(0.9446915167229832e-4).epsilon(1e-6));
    CHECK(area.band == NormBand::kWithinP5P95);
    CHECK(area.caveats.empty());  // 60 s at 100 Hz, like the tables

    // A 30 s excerpt is compared, with the caveat that area and velocity depend on duration.
    UniformTrace half = *trace;
    half.xy_m = trace->xy_m.topRows(3000);
    const auto h =
        compareTraceWithNorms(half, NormSubject{33.0, 'F'}, Vision::kOpen, Support::kFirm);
    REQUIRE(h);
    CHECK((*h)[0].caveats.front().find("lasts 30.0 s") != std::string::npos);
}
