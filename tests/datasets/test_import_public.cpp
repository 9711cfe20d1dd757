// Importers on the real files in datasets/public: Santos & Duarte 2016 (BDS) with BDSinfo,
// dos Santos 2017 (PDS) with PDSinfo, the OptiTrack Motive export, the AMTI NetForce .bsf.

#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "stance/analysis/cop.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/h5_validate.hpp"
#include "stance/datasets/importers.hpp"
#include "stance/datasets/trial_text.hpp"
#include "test_h5_support.hpp"

using namespace stance::datasets;
using stance::test::TempDir;

namespace {

std::filesystem::path pub(const std::string& rel) {
    return std::filesystem::path(STANCE_PUBLIC_DATA_DIR) / rel;
}
std::filesystem::path bds(const std::string& id) {
    return pub("bds_santos_duarte_2016/data/" + id + ".txt");
}

// The numeric rows of a tab- or comma-separated file after `skip` lines.
std::vector<std::vector<double>> numericRows(const std::filesystem::path& p, std::size_t skip,
                                             char sep) {
    std::istringstream in(stance::test::slurp(p));
    std::string line;
    std::vector<std::vector<double>> rows;
    for (std::size_t k = 0; std::getline(in, line); ++k) {
        if (k < skip || line.find_first_not_of(" \r\t") == std::string::npos)
            continue;
        std::vector<double> r;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, sep))
            r.push_back(std::stod(cell));
        rows.push_back(r);
    }
    return rows;
}

TrialData only(const BundleReader& r, const std::string& source_id) {
    const auto ref = r.findBySourceId(source_id);
    REQUIRE(ref.has_value());
    return r.readTrial(*ref);
}

}  // namespace

TEST_CASE("BDS: forceplate/cop equals readTrialText and the file's own COP columns",
          "[import][bds]") {
    TempDir dir("bds");
    const auto out = dir / "bds.h5";
    ImportOptions o;
    o.format = ImportFormat::kBds;
    o.info = pub("bds_santos_duarte_2016/BDSinfo.txt");
    const auto summary = importFiles({bds("BDS00046"), bds("BDS00001")}, out, o);
    REQUIRE(summary.size() == 2);
    CHECK(summary[0].ref.subject_id == "bds_s001");  // sorted by subject
    CHECK(validateBundle(out).ok());

    BundleReader r(out);
    for (const std::string id : {"BDS00001", "BDS00046"}) {
        INFO(id);
        const TrialData t = only(r, id);
        REQUIRE(t.forceplate.has_value());
        const ForcePlateSignals& fp = *t.forceplate;
        const auto text = readTrialText(bds(id));
        REQUIRE(fp.cop_m.rows() == 6000);
        // Exactly the reader's values: the same parse, the same cm -> m factor.
        CHECK(fp.cop_m == text.recording.xy_m);
        CHECK(fp.time_s == text.recording.t_s);
        // The file's own columns, to their print precision (6 decimals in cm).
        const auto rows = numericRows(bds(id), 1, '\t');
        REQUIRE(rows.size() == 6000);
        double worst_cm = 0.0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto k = static_cast<Eigen::Index>(i);
            worst_cm = std::max({worst_cm, std::abs(fp.cop_m(k, 0) * 100.0 - rows[i][8]),
                                 std::abs(fp.cop_m(k, 1) * 100.0 - rows[i][7])});
        }
        CHECK(worst_cm <= 5e-7);
        // Force and moment in the plate frame reproduce the COP (x = -My/Fz, y = Mx/Fz).
        const auto cop = stance::analysis::copFromForcePlate(fp.force_n, fp.moment_nm, {});
        CHECK(cop.n_invalid == 0);
        CHECK((cop.xy_m - fp.cop_m).cwiseAbs().maxCoeff() < 1e-8);
        CHECK(fp.force_n(0, 2) == rows[0][3]);  // Fz stays Fz
        CHECK(fp.force_n(0, 0) == rows[0][2]);  // plate x (ML) = device y
        // Raw keeps the file's digits: its 6 decimals as int32 counts of 10^-6 (COP: 10^-6 cm,
        // scale 10^-8 to metres), the physical values the file's to the last bit.
        REQUIRE(t.raw.size() == 1);
        CHECK(t.raw[0].stored_type == RawType::kInt32);
        CHECK(t.raw[0].values(5, 6) == std::nearbyint(rows[5][7] * 1e6));
        CHECK(t.raw[0].channels[6].name == "COPx");
        CHECK(t.raw[0].channels[6].scale == Approx(1e-8).epsilon(1e-15));
        CHECK(t.raw[0].channels[6].unit == "m");
        CHECK(t.raw[0].channels[3].scale == Approx(1e-6).epsilon(1e-15));  // Fz, N
        const Eigen::MatrixXd physical = t.raw[0].physical();
        double worst_rel = 0.0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            for (Eigen::Index c = 0; c < 8; ++c) {
                const double v = rows[i][static_cast<std::size_t>(c) + 1] * (c >= 6 ? 0.01 : 1.0);
                if (v != 0.0)
                    worst_rel = std::max(
                        worst_rel,
                        std::abs(physical(static_cast<Eigen::Index>(i), c) - v) / std::abs(v));
            }
        }
        CHECK(worst_rel < 1e-15);
        CHECK(t.info.source_id == id);
        CHECK(t.info.source_format == "bds");
        CHECK(t.info.planned_duration_s == 60.0);
    }
}

TEST_CASE("BDS: subjects, demographics and conditions come from BDSinfo", "[import][bds]") {
    TempDir dir("bdsinfo");
    const auto out = dir / "bds.h5";
    ImportOptions o;
    o.format = ImportFormat::kBds;
    o.info = pub("bds_santos_duarte_2016/BDSinfo.txt");
    std::vector<std::filesystem::path> files;
    for (const char* id : {"BDS00001", "BDS00002", "BDS00003", "BDS00004", "BDS00007", "BDS00010",
                           "BDS00037", "BDS00040", "BDS00043", "BDS00046"})
        files.push_back(bds(id));
    importFiles(files, out, o);
    BundleReader r(out);
    const auto subjects = r.subjects();
    REQUIRE(subjects.size() == 2);
    // README: subject 1 young female, 33 y, 157.5 cm, 54.2 kg; subject 4 older male, 61.75 y,
    // 164 cm, 68.35 kg, 1 fall.
    CHECK(subjects[0].id == "bds_s001");
    CHECK(subjects[0].sex == Sex::kFemale);
    CHECK(subjects[0].age_years == 33.0);
    CHECK(*subjects[0].height_m == Approx(1.575).epsilon(1e-12));
    CHECK(subjects[0].mass_kg == 54.2);
    CHECK(std::get<std::string>(subjects[0].extra.at("age_group")) == "young");
    CHECK(subjects[1].id == "bds_s004");
    CHECK(subjects[1].sex == Sex::kMale);
    CHECK(subjects[1].age_years == 61.75);
    CHECK(*subjects[1].height_m == Approx(1.64).epsilon(1e-12));
    CHECK(subjects[1].mass_kg == 68.35);
    CHECK(std::get<std::int64_t>(subjects[1].extra.at("falls_12m")) == 1);
    CHECK(r.sessions("bds_s001").at(0).start_utc == "2015-10-08T08:30:00");

    // README table: vision/surface per trial; repetitions counted in trial order.
    const std::vector<std::tuple<std::string, std::string, std::int64_t>> expected = {
        {"BDS00001", "eo_firm", 1}, {"BDS00002", "eo_firm", 2}, {"BDS00003", "eo_firm", 3},
        {"BDS00004", "ec_firm", 1}, {"BDS00007", "eo_foam", 1}, {"BDS00010", "ec_foam", 1},
        {"BDS00037", "eo_firm", 1}, {"BDS00040", "eo_foam", 1}, {"BDS00043", "ec_foam", 1},
        {"BDS00046", "ec_firm", 1}};
    for (const auto& [id, condition, rep] : expected) {
        INFO(id);
        const auto ref = r.findBySourceId(id);
        REQUIRE(ref.has_value());
        const TrialInfo info = r.trialInfo(*ref);
        CHECK(info.condition == condition);
        CHECK(std::get<std::int64_t>(info.extra.at("repetition")) == rep);
        CHECK(ref->subject_id == (id < "BDS00037" ? "bds_s001" : "bds_s004"));
    }
    CHECK(r.findBySourceId("BDS00010")->trial_name == "006");
}

TEST_CASE("BDS: a trial missing from BDSinfo or a bad BDSinfo row is named", "[import][bds]") {
    TempDir dir("bdsbad");
    ImportOptions o;
    o.format = ImportFormat::kBds;
    SECTION("the trial is not listed") {
        const auto info = dir / "BDSinfo.txt";
        const std::string full = stance::test::slurp(pub("bds_santos_duarte_2016/BDSinfo.txt"));
        // Keep the header and BDS00002 only.
        std::istringstream in(full);
        std::string header, line, kept;
        std::getline(in, header);
        while (std::getline(in, line)) {
            if (line.rfind("BDS00002\t", 0) == 0)
                kept = line;
        }
        std::ofstream(info) << header << '\n' << kept << '\n';
        o.info = info;
        CHECK_THROWS_WITH(importFiles({bds("BDS00001")}, dir / "o.h5", o),
                          Catch::Contains("BDSinfo.txt: has no row for trial 'BDS00001'"));
        CHECK_FALSE(std::filesystem::exists(dir / "o.h5"));
    }
    SECTION("a row with a bad vision value and one with a bad number") {
        const auto info = dir / "BDSinfo.txt";
        std::ofstream(info)
            << "Trial\tSubject\tVision\tSurface\tAge\tGender\tHeight\tWeight\tDate\n"
            << "BDS00001\t1\tOpen\tFirm\t33\tF\t157.5\t54.2\t2015-10-08 08:30:00.000\n"
            << "BDS00002\t1\tMaybe\tFirm\t33\tF\t157.5\t54.2\t2015-10-08 08:30:00.000\n";
        CHECK_THROWS_WITH(readBdsInfo(info),
                          Catch::Contains("BDSinfo.txt:3: columns 'Vision'/'Surface': 'Maybe'"));
        std::ofstream(info)
            << "Trial\tSubject\tVision\tSurface\tAge\tGender\tHeight\tWeight\tDate\n"
            << "BDS00001\tone\tOpen\tFirm\t33\tF\t157.5\t54.2\t2015-10-08 08:30:00.000\n";
        CHECK_THROWS_WITH(
            readBdsInfo(info),
            Catch::Contains("BDSinfo.txt:2: column 'Subject': 'one' is not a number"));
        std::ofstream(info) << "Trial\tSubject\tVision\n";
        CHECK_THROWS_WITH(readBdsInfo(info), Catch::Contains("missing column 'Surface'"));
    }
    SECTION("a malformed trial file names the line and column; nothing is written") {
        std::string text = stance::test::slurp(bds("BDS00001"));
        const auto pos = text.find("\n", text.find("\n", text.find("\n") + 1) + 1) + 1;  // line 4
        text.replace(text.find('\t', pos) + 1, 9, "-1.6x3200");
        const auto bad = dir / "BDS00001.txt";
        std::ofstream(bad, std::ios::binary) << text;
        try {
            importFiles({bds("BDS00002"), bad}, dir / "o.h5", o);
            FAIL("no error");
        } catch (const DatasetError& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find("BDS00001.txt:4: column 'Fx[N]': '-1.6x3200") !=
                  std::string::npos);
        }
        CHECK(stance::test::listDir(dir.path()) == std::vector<std::string>{"BDS00001.txt"});
        std::ofstream(bad, std::ios::binary) << "Time[s]\tFx[N]\n0.01\t1\n";
        CHECK_THROWS_WITH(importFiles({bad}, dir / "o.h5", o),
                          Catch::Contains("BDS00001.txt:1: not a Santos & Duarte 2016 trial"));
    }
}

TEST_CASE("PDS: net COP and force in the plate frame, moment consistent with both plates",
          "[import][pds]") {
    TempDir dir("pds");
    const auto out = dir / "pds.h5";
    ImportOptions o;
    o.format = ImportFormat::kPds;
    o.info = pub("pds_dos_santos_2017/PDSinfo.txt");
    importFiles({pub("pds_dos_santos_2017/data/PDS13OR1grf.txt"),
                 pub("pds_dos_santos_2017/data/PDS13CF1grf.txt")},
                out, o);
    CHECK(validateBundle(out).ok());
    BundleReader r(out);
    const auto subjects = r.subjects();
    REQUIRE(subjects.size() == 1);
    CHECK(subjects[0].id == "pds_s13");
    CHECK(subjects[0].sex == Sex::kMale);
    CHECK(subjects[0].age_years == 70.83);
    CHECK(subjects[0].height_m == 1.75);
    CHECK(subjects[0].mass_kg == 65.35);

    const TrialData t = only(r, "PDS13OR1grf");
    CHECK(t.info.condition == "eo_firm");
    CHECK(std::get<std::string>(t.info.extra.at("source_trial")) == "PDS13OR1");
    CHECK(r.trialInfo(*r.findBySourceId("PDS13CF1grf")).condition == "ec_foam");
    const auto rows = numericRows(pub("pds_dos_santos_2017/data/PDS13OR1grf.txt"), 1, '\t');
    const ForcePlateSignals& fp = *t.forceplate;
    REQUIRE(fp.cop_m.rows() == static_cast<Eigen::Index>(rows.size()));
    double worst = 0.0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto k = static_cast<Eigen::Index>(i);
        // Columns: 7-9 GRFNET_X/Y/Z, 16-18 COPNET_X/Y/Z. Plate (x, y, z) = lab (Z, X, Y).
        worst = std::max(
            {worst, std::abs(fp.cop_m(k, 0) - rows[i][18]), std::abs(fp.cop_m(k, 1) - rows[i][16]),
             std::abs(fp.force_n(k, 0) - rows[i][9]), std::abs(fp.force_n(k, 1) - rows[i][7]),
             std::abs(fp.force_n(k, 2) - rows[i][8])});
    }
    CHECK(worst == 0.0);
    // The moment built from both plates gives back the authors' net COP (their COPNET has
    // 6 decimals; the README measured 6e-6 m between COPNET and the weighted plate COPs).
    const auto cop = stance::analysis::copFromForcePlate(fp.force_n, fp.moment_nm, {});
    CHECK((cop.xy_m - fp.cop_m).cwiseAbs().maxCoeff() < 2e-5);
    // Subject's right is +x: the right plate's COP is at +0.088 m.
    REQUIRE(t.raw.size() == 2);
    CHECK(t.raw[1].device == "pds_right_plate");
    CHECK(t.raw[1].stored_type == RawType::kInt32);
    CHECK(t.raw[1].physical()(0, 5) == Approx(0.08578));  // RCOP_Z
    CHECK(t.raw[1].values(0, 5) == 85780.0);              // its 6 decimals, as an integer
    CHECK(t.raw[1].channels.size() == 7);
}

TEST_CASE("PDS without PDSinfo: subject and condition from the file name", "[import][pds]") {
    ImportOptions o;
    o.format = ImportFormat::kPds;
    const auto t = importTrial(pub("pds_dos_santos_2017/data/PDS13CF1grf.txt"), o, nullptr);
    CHECK(t.subject.id == "pds_s13");
    CHECK(t.trial.info.condition == "ec_foam");
    CHECK(t.session.start_utc.empty());
    CHECK(t.trial.info.source_id == "PDS13CF1grf");
}

TEST_CASE("Motive: dropout frames become recorded gaps, never zeros", "[import][motive]") {
    TempDir dir("motive");
    const auto file = pub("motive_forceplate_export_sample/sujet1droite_motive_forceplate.csv");
    const auto out = dir / "motive.h5";
    ImportOptions o;
    o.format = ImportFormat::kMotive;
    o.subject_id = "s1";
    const auto summary = importFiles({file}, out, o);
    REQUIRE(summary.size() == 1);
    CHECK(validateBundle(out).ok());
    BundleReader r(out);
    const auto ref = r.trials().at(0);
    CHECK(ref.session_start == "2021-01-05T09:47:06Z");  // 10:47:06 +0100
    const TrialData t = r.readTrial(ref);
    const auto rows = numericRows(file, 35, ',');
    REQUIRE(rows.size() == 15605);
    std::vector<std::size_t> dropped;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i][5] == 0.0 && rows[i][3] == 0.0 && rows[i][8] == 0.0)
            dropped.push_back(i);
    }
    REQUIRE(dropped.size() == 7);
    const ForcePlateSignals& fp = *t.forceplate;
    CHECK(fp.time_s.size() == 15605 - 7);
    CHECK(t.raw[0].values.rows() == 15605 - 7);
    CHECK(fp.force_n.col(2).minCoeff() > 100.0);  // no zero frame left
    // Every dropped frame lies in a gap, and no kept sample does.
    for (std::size_t i : dropped) {
        const double ti = rows[i][1];
        const bool in_gap = std::any_of(fp.gaps.begin(), fp.gaps.end(), [&](const Gap& g) {
            return ti >= g.start_s - 1e-12 && ti < g.end_s - 1e-12;
        });
        CHECK(in_gap);
    }
    for (const Gap& g : fp.gaps) {
        for (Eigen::Index k = 0; k < fp.time_s.size(); ++k)
            REQUIRE_FALSE((fp.time_s[k] >= g.start_s && fp.time_s[k] < g.end_s));
    }
    CHECK(fp.gaps.front() == Gap{0.01, 0.03});  // frames 1 and 2
    CHECK(t.raw[0].gaps == fp.gaps);
    CHECK(t.raw[0].counter[1] == 3);  // DeviceFrame kept: the gap shows in the counter too
    // COP as exported (Cx, Cy), and consistent with Cx = -My/Fz, Cy = Mx/Fz.
    CHECK(fp.cop_m(0, 0) == rows[0][9]);
    CHECK(fp.cop_m(0, 1) == rows[0][10]);
    const auto cop = stance::analysis::copFromForcePlate(fp.force_n, fp.moment_nm, {});
    CHECK((cop.xy_m - fp.cop_m).cwiseAbs().maxCoeff() < 1e-6);

    SECTION("--plate-axes turns the plate") {
        o.axes = PlateAxes::parse("-x,-y,z");
        const auto turned = importTrial(file, o, nullptr);
        CHECK(turned.trial.forceplate->cop_m(0, 0) == -rows[0][9]);
        CHECK(turned.trial.forceplate->cop_m(0, 1) == -rows[0][10]);
        const auto c2 = stance::analysis::copFromForcePlate(turned.trial.forceplate->force_n,
                                                            turned.trial.forceplate->moment_nm, {});
        CHECK((c2.xy_m - turned.trial.forceplate->cop_m).cwiseAbs().maxCoeff() < 1e-6);
    }
}

TEST_CASE("AMTI .bsf: header matches the README and the decoded forces are physically right",
          "[import][amti]") {
    ImportOptions o;
    o.format = ImportFormat::kAmtiBsf;
    const auto file = pub("bmc_raw_forceplate_samples/AMTIdata.bsf");
    const ImportedTrial t = importTrial(file, o, nullptr);
    // README: rate 500 Hz, 1000 datasets, 2.0 s, "Balance.pro", "Walking Gait", plate
    // OPT400600-1000-STT SN 9538, 6 channels, 0.40005 m x 0.59995 m.
    REQUIRE(t.devices.size() == 1);
    CHECK(t.devices[0].model == "OPT400600-1000-STT");
    CHECK(t.devices[0].serial == "9538");
    CHECK(t.devices[0].rate_hz == 500.0);
    CHECK(std::get<double>(t.devices[0].extra.at("width_m")) == Approx(0.40005).margin(1e-5));
    CHECK(std::get<double>(t.devices[0].extra.at("length_m")) == Approx(0.59995).margin(1e-5));
    CHECK(t.session.protocol == "Balance.pro");
    CHECK(t.session.start_utc == "2015-08-11");
    CHECK(t.trial.info.condition == "walking_gait");
    CHECK(t.trial.info.planned_duration_s == 2.0);
    const ForcePlateSignals& fp = *t.trial.forceplate;
    REQUIRE(fp.time_s.size() == 1000);
    CHECK(fp.time_s[999] == Approx(1.998));
    CHECK(t.trial.raw[0].values.cols() == 6);

    // Independent checks of the decoding and of the lbf / lbf.in units, from physics alone:
    // one foot contact of walking across the plate.
    std::vector<Eigen::Index> contact;
    for (Eigen::Index i = 0; i < 1000; ++i) {
        if (fp.force_n(i, 2) > 50.0)
            contact.push_back(i);
    }
    REQUIRE(contact.size() > 300);  // about 0.8 s of stance at 500 Hz
    // Peak vertical force of an adult's walking step (1.0-1.3 body weights): in N, read as lbf.
    // Read as N it would be 166 N, a 17 kg walker.
    CHECK(fp.force_n.col(2).maxCoeff() == Approx(738.0).margin(5.0));
    // The COP stays on the plate (0.400 m x 0.600 m) and travels heel to toe (~0.25 m) forward.
    // With the moments read as N.m instead of lbf.in it would leave the plate (|y| > 0.3 m).
    double travel_min = 1e9, travel_max = -1e9;
    for (Eigen::Index i : contact) {
        CHECK(std::abs(fp.cop_m(i, 0)) < 0.2);
        CHECK(std::abs(fp.cop_m(i, 1)) < 0.3);
        travel_min = std::min(travel_min, fp.cop_m(i, 1));
        travel_max = std::max(travel_max, fp.cop_m(i, 1));
    }
    CHECK(travel_max - travel_min == Approx(0.25).margin(0.05));
    CHECK(fp.cop_m(contact.back(), 1) > fp.cop_m(contact.front(), 1) + 0.2);
    const auto& raw = t.trial.raw[0].values;
    double raw_ratio = 0.0;
    for (Eigen::Index i : contact)
        raw_ratio = std::max(raw_ratio, std::abs(raw(i, 3) / raw(i, 2)));
    CHECK(raw_ratio > 0.3);
    // Anterior-posterior shear: braking (GRF backwards) early in stance, propulsion late.
    const auto third = static_cast<std::ptrdiff_t>(contact.size() / 3);
    double early = 0.0, late = 0.0;
    for (std::ptrdiff_t k = 0; k < third; ++k) {
        early += fp.force_n(contact[static_cast<std::size_t>(k)], 1);
        late += fp.force_n(contact[contact.size() - 1 - static_cast<std::size_t>(k)], 1);
    }
    CHECK(early < 0.0);
    CHECK(late > 0.0);
    // Off the plate there is no COP (NaN), and the count is recorded.
    CHECK(std::isnan(fp.cop_m(0, 0)));
    CHECK(std::get<std::int64_t>(t.trial.info.extra.at("samples_without_cop")) > 300);
}

TEST_CASE("AMTI .bsf: truncated or foreign files are refused", "[import][amti]") {
    TempDir dir("amtibad");
    ImportOptions o;
    o.format = ImportFormat::kAmtiBsf;
    const std::string bytes = stance::test::slurp(pub("bmc_raw_forceplate_samples/AMTIdata.bsf"));
    const auto cut = dir / "cut.bsf";
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 100);
    CHECK_THROWS_WITH(importTrial(cut, o, nullptr),
                      Catch::Contains("cut.bsf: data size 47900 bytes") &&
                          Catch::Contains("expected 48000") && Catch::Contains("truncated"));
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, 500);
    CHECK_THROWS_WITH(importTrial(cut, o, nullptr), Catch::Contains("does not fit the file"));
    std::string v100 = bytes;
    v100[0] = 100;
    std::ofstream(cut, std::ios::binary) << v100;
    CHECK_THROWS_WITH(importTrial(cut, o, nullptr),
                      Catch::Contains("file version 100; this importer reads version 105"));
}
