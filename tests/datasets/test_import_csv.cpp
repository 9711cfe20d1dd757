// Generic CSV import with declared columns and units; plate-axes and CSV layout parsing; bad
// input (unknown column, malformed rows, undeclared COP).

#include <Eigen/Geometry>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/h5_validate.hpp"
#include "stance/datasets/importers.hpp"
#include "stance/datasets/trial_text.hpp"
#include "test_h5_support.hpp"

using namespace stance::datasets;
using stance::test::TempDir;

namespace {

// The first `n` rows of BDS00001 rewritten as a semicolon CSV: time in ms, a note column,
// forces in N, moments in N.mm, with two preamble lines.
std::filesystem::path writeCsv(const TempDir& dir, int n) {
    const auto src =
        std::filesystem::path(STANCE_PUBLIC_DATA_DIR) / "bds_santos_duarte_2016/data/BDS00001.txt";
    std::istringstream in(stance::test::slurp(src));
    std::string line;
    std::getline(in, line);
    const auto out = dir / "plate.csv";
    std::ofstream o(out);
    o << "# exported by a lab script\n# plate 1\n";
    o << "t_ms;note;Fx;Fy;Fz;Mx;My;Mz\n";
    o.precision(17);
    for (int i = 0; i < n && std::getline(in, line); ++i) {
        std::stringstream ss(line);
        double v[9];
        for (double& x : v)
            ss >> x;
        o << v[0] * 1000.0 << ";ok;" << v[1] << ';' << v[2] << ';' << v[3] << ';' << v[4] * 1000.0
          << ';' << v[5] * 1000.0 << ';' << v[6] * 1000.0 << '\n';
    }
    return out;
}

}  // namespace

TEST_CASE("CSV with declared columns: units converted, COP from forces and moments",
          "[import][csv]") {
    TempDir dir("csv");
    const auto file = writeCsv(dir, 500);
    ImportOptions o;
    o.format = ImportFormat::kCsv;
    o.csv = CsvLayout::parse("t:ms,-,fx:N,fy:N,fz:N,mx:N.mm,my:N.mm,mz:N.mm");
    o.csv.delimiter = ';';
    o.csv.skip_rows = 2;
    o.subject_id = "lab_s01";
    o.condition = "eo_firm";
    o.session_start = "2024-01-02";
    const auto out = dir / "csv.h5";
    importFiles({file}, out, o);
    CHECK(validateBundle(out).ok());
    BundleReader r(out);
    const auto ref = r.trials().at(0);
    CHECK(ref == TrialRef{"lab_s01", "2024-01-02", "001"});
    const TrialData t = r.readTrial(ref);
    CHECK(t.info.condition == "eo_firm");
    CHECK(t.info.source_id == "plate");
    // The COP computed from F and M equals the BDS file's own COP columns (device axes here,
    // identity mapping: x = COPx, y = COPy).
    const auto text = readTrialText(std::filesystem::path(STANCE_PUBLIC_DATA_DIR) /
                                    "bds_santos_duarte_2016/data/BDS00001.txt");
    const auto& cop = t.forceplate->cop_m;
    REQUIRE(cop.rows() == 500);
    for (Eigen::Index i = 0; i < 500; i += 50) {
        CHECK(cop(i, 0) == Approx(text.recording.xy_m(i, 1)).margin(1e-8));  // COPx
        CHECK(cop(i, 1) == Approx(text.recording.xy_m(i, 0)).margin(1e-8));  // COPy
    }
    CHECK(t.forceplate->time_s[1] == Approx(0.02).epsilon(1e-12));
    // Raw keeps the values as written (N.mm), with the scale to N.m.
    const RawSignal& raw = t.raw.at(0);
    REQUIRE(raw.channels.size() == 6);
    CHECK(raw.channels[3].name == "mx");
    CHECK(raw.channels[3].unit == "N.m");
    CHECK(raw.physical()(0, 3) == Approx(5.383505).epsilon(1e-12));
}

TEST_CASE("CSV layouts and plate axes are parsed strictly", "[import][csv]") {
    const auto l = CsvLayout::parse("time:s, counter, copx:mm, -, copy:in");
    REQUIRE(l.columns.size() == 5);
    CHECK(l.columns[2].role == CsvLayout::Role::kCopX);
    CHECK(l.columns[2].to_si == 1e-3);
    CHECK(l.columns[4].to_si == 0.0254);
    CHECK(l.columns[3].role == CsvLayout::Role::kSkip);
    CHECK_THROWS_WITH(CsvLayout::parse("time:s,fx:N,temperature:C"),
                      Catch::Contains("unknown column 'temperature:C'"));
    CHECK_THROWS_WITH(CsvLayout::parse("time:s,fx:kg"),
                      Catch::Contains("unit 'kg' is not one of N, kN or lbf"));
    CHECK_THROWS_WITH(CsvLayout::parse("time:s,fx:N,fx:N"), Catch::Contains("declared twice"));

    const auto a = PlateAxes::parse("y,x,z");
    CHECK(a.determinant() == -1);
    CHECK(PlateAxes::parse("x,-y,-z,action").determinant() == 1);
    CHECK(PlateAxes::parse("x,-y,-z,action").toString() == "x,-y,-z,action");
    CHECK_THROWS_WITH(PlateAxes::parse("x,x,z"), Catch::Contains("used twice"));
    CHECK_THROWS_WITH(PlateAxes::parse("x,y"), Catch::Contains("three device axes"));
    CHECK_THROWS_WITH(PlateAxes::parse("x,y,w"), Catch::Contains("'w' is not a device axis"));
    // A point load P x F given in the plate frame, expressed in device axes (v_d = R^T v_p; an
    // axial vector also times det R; an action device also negated), must map back exactly.
    const Eigen::Vector3d force_p(3.0, -2.0, 650.0), p_p(0.03, -0.05, 0.0);
    const Eigen::Vector3d moment_p = p_p.cross(force_p);
    for (const char* spec : {"x,y,z", "y,x,z", "x,-y,-z,action", "-y,x,z", "y,-x,-z", "-x,y,-z"}) {
        INFO(spec);
        const auto axes = PlateAxes::parse(spec);
        Eigen::Vector3d f_d, m_d, p_d;
        for (int i = 0; i < 3; ++i) {
            const auto src = static_cast<Eigen::Index>(axes.source[static_cast<std::size_t>(i)]);
            const double sgn = axes.sign[static_cast<std::size_t>(i)];
            f_d[src] = sgn * force_p[i];
            m_d[src] = axes.determinant() * sgn * moment_p[i];
            p_d[src] = sgn * p_p[i];
        }
        if (axes.device_reports_action) {
            f_d = -f_d;
            m_d = -m_d;
        }
        stance::analysis::Signal3 ff(1, 3), mm(1, 3);
        ff.row(0) = f_d.transpose();
        mm.row(0) = m_d.transpose();
        axes.apply(ff, mm);
        CHECK((ff.row(0).transpose() - force_p).norm() < 1e-12);
        CHECK((mm.row(0).transpose() - moment_p).norm() < 1e-12);
        const auto cop = stance::analysis::copFromForcePlate(ff, mm, {});
        REQUIRE(cop.valid[0]);
        CHECK(cop.xy_m(0, 0) == Approx(p_p.x()).margin(1e-12));
        CHECK(cop.xy_m(0, 1) == Approx(p_p.y()).margin(1e-12));
        stance::analysis::Signal2 dev(1, 2);
        dev << p_d.x(), p_d.y();
        const auto mapped = axes.applyToPlane(dev);
        CHECK(mapped(0, 0) == Approx(p_p.x()).margin(1e-15));
        CHECK(mapped(0, 1) == Approx(p_p.y()).margin(1e-15));
    }
}

TEST_CASE("CSV bad input: the file, the line and what is wrong", "[import][csv]") {
    TempDir dir("csvbad");
    const auto file = dir / "t.csv";
    ImportOptions o;
    o.format = ImportFormat::kCsv;
    o.csv = CsvLayout::parse("time:s,copx:mm,copy:mm");
    SECTION("a column the declaration does not know") {
        std::ofstream(file) << "time,x,y,temperature\n0,1,2,20\n";
        CHECK_THROWS_WITH(importTrial(file, o, nullptr),
                          Catch::Contains("t.csv:1: the header has 4 columns but --columns "
                                          "declares 3"));
    }
    SECTION("a malformed row") {
        std::ofstream(file) << "time,x,y\n0,1,2\n0.01,1,2\n0.02,abc,2\n";
        CHECK_THROWS_WITH(importTrial(file, o, nullptr),
                          Catch::Contains("t.csv:4: column 'copx': 'abc' is not a number"));
        std::ofstream(file) << "time,x,y\n0,1,2\n0.01,1\n";
        CHECK_THROWS_WITH(importTrial(file, o, nullptr),
                          Catch::Contains("t.csv:3: row has 2 cells but --columns declares 3"));
        std::ofstream(file) << "time,x,y\n0,1,2\n0,1,2\n";
        CHECK_THROWS_WITH(importTrial(file, o, nullptr),
                          Catch::Contains("t.csv:3: time does not increase"));
    }
    SECTION("no COP declared") {
        std::ofstream(file) << "time,fz\n0,600\n";
        o.csv = CsvLayout::parse("time:s,fz:N");
        CHECK_THROWS_WITH(importTrial(file, o, nullptr), Catch::Contains("declares no COP"));
    }
    SECTION("rate instead of time, no header") {
        std::ofstream(file) << "1,2\n3,4\n5,6\n";
        o.csv = CsvLayout::parse("copx:cm,copy:cm");
        o.csv.header = false;
        CHECK_THROWS_WITH(importTrial(file, o, nullptr), Catch::Contains("no time column"));
        o.csv.rate_hz = 50.0;
        const auto t = importTrial(file, o, nullptr);
        CHECK(t.trial.forceplate->time_s[2] == 0.04);
        CHECK(t.trial.forceplate->cop_m(2, 1) == Approx(0.06));
    }
}
