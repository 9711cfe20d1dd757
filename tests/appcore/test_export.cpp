// Export from the app (app/core app_export.hpp): de-identified unless asked.

#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "stance/app/app_export.hpp"
#include "stance/app/errors.hpp"
#include "stance/datasets/h5_reader.hpp"

using namespace stance;

namespace {

bool fileContains(const std::filesystem::path& p, const std::string& needle) {
    return test::slurp(p).find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("app export: bundle and CSV, pseudonymised by default, identified on request",
          "[appcore]") {
    const test::ScratchDir dir("app_export");
    auto c = datasets::openSqliteCatalog(dir / "c.db");
    const auto pid = c->addPatient(test::testPatient("MRN-7"));
    const auto s1 = test::addSyntheticSession(*c, pid, dir.path, "s1.h5", test::day(2024, 1, 10));
    test::addSyntheticSession(*c, pid, dir.path, "s2.h5", test::day(2024, 2, 7));
    const auto other = c->addPatient(test::testPatient("MRN-8"));

    app::ExportRequest r;
    r.kind = app::ExportKind::kBundle;
    r.out = dir.path / "out.h5";
    r.patients = {pid};
    r.session_id = s1;
    r.secret_file = dir.path / "secret";
    const auto res = app::exportFromCatalog(*c, r);
    CHECK(res.sessions == 1);
    CHECK(res.trials == 12);
    {
        const datasets::BundleReader b(r.out);
        const auto subjects = b.subjects();
        REQUIRE(subjects.size() == 1);
        CHECK(subjects[0].id.rfind("sub-", 0) == 0);
        CHECK(subjects[0].id != "MRN-7");
    }
    CHECK_FALSE(fileContains(r.out, "Lovelace"));
    CHECK_FALSE(fileContains(r.out, "MRN-7"));

    app::ExportRequest idr = r;
    idr.out = dir.path / "identified.h5";
    idr.identified = true;
    idr.session_id = 0;
    const auto ires = app::exportFromCatalog(*c, idr);
    CHECK(ires.sessions == 2);
    {
        const datasets::BundleReader b(idr.out);
        CHECK(b.subjects().at(0).id == "MRN-7");
    }

    app::ExportRequest csv = r;
    csv.kind = app::ExportKind::kMetricsCsv;
    csv.out = dir.path / "m.csv";
    const auto cres = app::exportFromCatalog(*c, csv);
    CHECK(cres.trials == 12);
    CHECK(std::filesystem::exists(csv.out));
    CHECK_FALSE(fileContains(csv.out, "MRN-7"));

    // Wrong requests are named and write nothing.
    app::ExportRequest bad = r;
    bad.out = dir.path / "x.csv";
    CHECK_THROWS_WITH(app::exportFromCatalog(*c, bad), Catch::Contains("must be named .h5"));
    bad = r;
    bad.patients = {other};
    CHECK_THROWS_WITH(app::exportFromCatalog(*c, bad),
                      Catch::Contains("belongs to none of the selected patients"));
    bad = r;
    bad.patients = {4711};
    CHECK_THROWS_WITH(app::exportFromCatalog(*c, bad), Catch::Contains("patient 4711"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "x.csv"));
}
