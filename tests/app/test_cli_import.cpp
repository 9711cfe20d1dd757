// `stance import` and `stance validate` (and `stance catalog` on imported local times), run as
// a user runs them.

#include <unistd.h>

#include <Eigen/Core>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <variant>

#include "stance/datasets/h5_reader.hpp"
#include "support/scratch.hpp"

namespace {

using Run = stance::test::CliRun;
using stance::test::slurp;

// A folder of its own per test case, and the CLI run as a user runs it.
struct Scratch : stance::test::ScratchDir {
    Scratch() : ScratchDir("cli_import") {}
    Run stance(const std::string& args) const { return stance::test::runStance(args); }
};

std::string pub(const std::string& rel) {
    return std::string(STANCE_PUBLIC_DATA_DIR) + "/" + rel;
}

}  // namespace

TEST_CASE("stance import --format bds with BDSinfo writes a bundle that validates",
          "[cli][import]") {
    Scratch s;
    const Run r =
        s.stance("import --format bds --info " + pub("bds_santos_duarte_2016/BDSinfo.txt") +
                 " --out " + s / "b.h5" + " " + pub("bds_santos_duarte_2016/data/BDS00001.txt") +
                 " " + pub("bds_santos_duarte_2016/data/BDS00046.txt"));
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["trials"].size() == 2);
    CHECK(j["trials"][0]["path"] == "/subjects/bds_s001/sessions/2015-10-08T08:30:00/trials/001");
    CHECK(j["trials"][0]["condition"] == "eo_firm");
    CHECK(j["trials"][1]["subject"] == "bds_s004");
    CHECK(j["trials"][1]["condition"] == "ec_firm");
    CHECK(j["trials"][1]["samples"] == 6000);

    const Run v = s.stance("validate " + s / "b.h5");
    CHECK(v.status == 0);
    CHECK(v.out.find("valid stance-hdf5 version 1 (2 subjects, 2 sessions, 2 trials)") !=
          std::string::npos);
    const Run vj = s.stance("validate --format json " + s / "b.h5");
    CHECK(vj.status == 0);
    CHECK(nlohmann::json::parse(vj.out)[0]["valid"] == true);

    // The same destination again: refused without --force, replaced with it.
    const Run again = s.stance("import --format bds --out " + s / "b.h5" + " " +
                               pub("bds_santos_duarte_2016/data/BDS00002.txt"));
    CHECK(again.status == 1);
    CHECK(again.err.find("already exists") != std::string::npos);
    const Run forced = s.stance("import --format bds --force --out " + s / "b.h5" + " " +
                                pub("bds_santos_duarte_2016/data/BDS00002.txt"));
    CHECK(forced.status == 0);
    CHECK(nlohmann::json::parse(forced.out)["trials"][0]["path"] ==
          "/subjects/unknown/sessions/undated/trials/001");
    CHECK(s.files() == std::vector<std::string>{"b.h5"});
}

TEST_CASE("stance import: every other format through the command line", "[cli][import]") {
    Scratch s;
    const Run pds =
        s.stance("import --format pds --info " + pub("pds_dos_santos_2017/PDSinfo.txt") +
                 " --out " + s / "p.h5 " + pub("pds_dos_santos_2017/data/PDS13OR1grf.txt"));
    INFO(pds.err);
    CHECK(pds.status == 0);
    const Run motive =
        s.stance("import --format motive --subject s1 --output text --out " + s / "m.h5 " +
                 pub("motive_forceplate_export_sample/sujet1droite_motive_forceplate.csv"));
    INFO(motive.err);
    CHECK(motive.status == 0);
    CHECK(motive.out.find("15598 samples, 2 gaps") != std::string::npos);
    const Run amti = s.stance("import --format amti-bsf --out " + s / "a.h5 " +
                              pub("bmc_raw_forceplate_samples/AMTIdata.bsf"));
    INFO(amti.err);
    CHECK(amti.status == 0);
    CHECK(nlohmann::json::parse(amti.out)["trials"][0]["condition"] == "walking_gait");
    std::ofstream(s / "c.csv") << "t;ml;ap\n0;1.5;-2\n10;1.6;-2.1\n20;1.7;-2.2\n";
    const Run csv = s.stance(
        "import --format csv --columns t:ms,copx:mm,copy:mm --delimiter ';' "
        "--condition ec_foam --session-start 2024-02-03T10:00:00Z --out " +
        s / "c.h5 " + s / "c.csv");
    INFO(csv.err);
    CHECK(csv.status == 0);
    CHECK(nlohmann::json::parse(csv.out)["trials"][0]["session"] == "2024-02-03T10:00:00Z");
    const Run v = s.stance("validate " + s / "p.h5 " + s / "m.h5 " + s / "a.h5 " + s / "c.h5");
    INFO(v.out);
    CHECK(v.status == 0);
}

TEST_CASE("stance import: usage errors exit 2 and name the problem", "[cli][import]") {
    Scratch s;
    const std::string trial = pub("bds_santos_duarte_2016/data/BDS00001.txt");
    const Run fmt = s.stance("import --format xyz --out " + s / "o.h5 " + trial);
    CHECK(fmt.status == 2);
    CHECK(fmt.err.find("xyz") != std::string::npos);
    const Run no_out = s.stance("import --format bds " + trial);
    CHECK(no_out.status == 2);
    CHECK(no_out.err.find("--out") != std::string::npos);
    const Run csv = s.stance("import --format csv --out " + s / "o.h5 " + trial);
    CHECK(csv.status == 2);
    CHECK(csv.err.find("needs --columns") != std::string::npos);
    const Run col =
        s.stance("import --format csv --columns time:s,pressure:Pa --out " + s / "o.h5 " + trial);
    CHECK(col.status == 2);
    CHECK(col.err.find("unknown column 'pressure:Pa'") != std::string::npos);
    const Run axes =
        s.stance("import --format bds --plate-axes y,x,z --out " + s / "o.h5 " + trial);
    CHECK(axes.status == 2);
    CHECK(axes.err.find("--plate-axes does not apply to bds") != std::string::npos);
    const Run start =
        s.stance("import --format motive --session-start yesterday --out " + s / "o.h5 " + trial);
    CHECK(start.status == 2);
    CHECK(start.err.find("--session-start 'yesterday'") != std::string::npos);
    CHECK(s.files().empty());
    CHECK(s.stance("import --help").status == 0);
    CHECK(s.stance("validate --help").status == 0);
}

TEST_CASE("stance import: a bad file exits 1, names file and line, writes nothing",
          "[cli][import]") {
    Scratch s;
    std::ofstream(s / "BDS09999.txt") << "Time[s]\tFx[N]\tFy[N]\tFz[N]\tMx[Nm]\tMy[Nm]\tMz[Nm]\t"
                                         "COPx[cm]\tCOPy[cm]\n0.01\t1\t2\t3\t4\t5\t6\t7\n";
    const Run r =
        s.stance("import --format bds --out " + s / "o.h5 " +
                 pub("bds_santos_duarte_2016/data/BDS00001.txt") + " " + s / "BDS09999.txt");
    CHECK(r.status == 1);
    CHECK(r.err.find("BDS09999.txt:2: row has 8 columns, expected 9") != std::string::npos);
    CHECK(r.err.find("nothing written") != std::string::npos);
    CHECK(s.files() == std::vector<std::string>{"BDS09999.txt"});

    // A well-formed trial that BDSinfo does not list: missing metadata.
    std::ofstream(s / "BDS09998.txt", std::ios::binary)
        << slurp(pub("bds_santos_duarte_2016/data/BDS00001.txt"));
    const Run missing =
        s.stance("import --format bds --info " + pub("bds_santos_duarte_2016/BDSinfo.txt") +
                 " --out " + s / "o.h5 " + s / "BDS09998.txt");
    CHECK(missing.status == 1);
    CHECK(missing.err.find("BDSinfo.txt: has no row for trial 'BDS09998'") != std::string::npos);
    CHECK(s.files() == std::vector<std::string>{"BDS09998.txt", "BDS09999.txt"});
}

TEST_CASE("stance validate: truncated, foreign and non-conforming files exit 1 with the place",
          "[cli][validate]") {
    Scratch s;
    REQUIRE(s.stance("import --format bds --out " + s / "good.h5 " +
                     pub("bds_santos_duarte_2016/data/BDS00001.txt"))
                .status == 0);
    const std::string bytes = slurp(s / "good.h5");
    std::ofstream(s / "cut.h5", std::ios::binary) << bytes.substr(0, bytes.size() / 3);
    const Run cut = s.stance("validate " + s / "cut.h5");
    CHECK(cut.status == 1);
    CHECK(cut.out.find("cut.h5: /: the file is truncated") != std::string::npos);
    CHECK(cut.err.find("HDF5-DIAG") == std::string::npos);  // HDF5's own printing is silenced

    const Run text = s.stance("validate " + pub("bds_santos_duarte_2016/data/BDS00001.txt"));
    CHECK(text.status == 1);
    CHECK(text.out.find("not an HDF5 file") != std::string::npos);

    const Run future =
        s.stance("validate " + std::string(STANCE_TEST_DATA_DIR) + "/h5/stance_v2_future.h5");
    CHECK(future.status == 1);
    CHECK(future.out.find("format_version 2 is newer") != std::string::npos);

    const Run both = s.stance("validate " + s / "good.h5 " + s / "cut.h5");
    CHECK(both.status == 1);
    CHECK(both.out.find("good.h5: valid") != std::string::npos);
    CHECK(s.stance("validate").status == 2);
}

TEST_CASE("stance import --format csv of an unmodified BDS trial gives the COP of --format bds",
          "[cli][import]") {
    Scratch s;
    // The public file as published (tab-separated, CRLF, header "Time[s] Fx[N] ... COPy[cm]"),
    // with its columns, units and delimiter declared, and the BDS axes: the authors' COPx is
    // antero-posterior, COPy medio-lateral, so plate x = device y and plate y = device x.
    const std::string trial = pub("bds_santos_duarte_2016/data/BDS00001.txt");
    const std::string bytes_before = slurp(trial);
    const std::string columns =
        " --columns time:s,fx:N,fy:N,fz:N,mx:N.m,my:N.m,mz:N.m,copx:cm,copy:cm --delimiter tab ";
    const Run csv = s.stance("import --format csv" + columns + "--plate-axes y,x,z --out " +
                             s / "csv.h5 " + trial);
    INFO(csv.err);
    REQUIRE(csv.status == 0);
    CHECK(nlohmann::json::parse(csv.out)["trials"][0]["samples"] == 6000);
    const Run bds = s.stance("import --format bds --out " + s / "bds.h5 " + trial);
    INFO(bds.err);
    REQUIRE(bds.status == 0);
    CHECK(slurp(trial) == bytes_before);
    CHECK(s.stance("validate " + s / "csv.h5").status == 0);

    namespace ds = stance::datasets;
    const ds::BundleReader from_csv(s / "csv.h5"), from_bds(s / "bds.h5");
    REQUIRE(from_csv.trials().size() == 1);
    REQUIRE(from_bds.trials().size() == 1);
    const auto info = from_csv.trialInfo(from_csv.trials()[0]);
    CHECK(info.source_id == "BDS00001");
    CHECK(info.source_format == "csv");
    const auto a = from_csv.readForcePlate(from_csv.trials()[0]);
    const auto b = from_bds.readForcePlate(from_bds.trials()[0]);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    REQUIRE(a->cop_m.rows() == 6000);
    REQUIRE(b->cop_m.rows() == 6000);
    double worst = 0.0;
    for (Eigen::Index i = 0; i < a->cop_m.rows(); ++i) {
        for (Eigen::Index k = 0; k < 2; ++k)
            worst = std::max(worst, std::abs(a->cop_m(i, k) - b->cop_m(i, k)));
    }
    CHECK(worst <= 1e-12);
    // The first sample by hand: COPy = 0.998673 cm is plate x, COPx = -7.988789 cm plate y.
    CHECK(a->cop_m(0, 0) == Approx(0.00998673).margin(1e-15));
    CHECK(a->cop_m(0, 1) == Approx(-0.07988789).margin(1e-15));
    CHECK((a->time_s - b->time_s).cwiseAbs().maxCoeff() == 0.0);
    // Forces and moments follow the same mapping (moments as axial vectors).
    REQUIRE(a->force_n.rows() == 6000);
    CHECK((a->force_n - b->force_n).cwiseAbs().maxCoeff() <= 1e-12);
    CHECK((a->moment_nm - b->moment_nm).cwiseAbs().maxCoeff() <= 1e-12);

    // Without the axis mapping the device's own axes are taken: ML and AP swapped, which the
    // comparison above would have caught.
    const Run identity =
        s.stance("import --format csv" + columns + "--out " + s / "id.h5 " + trial);
    REQUIRE(identity.status == 0);
    const ds::BundleReader from_identity(s / "id.h5");
    const auto c = from_identity.readForcePlate(from_identity.trials()[0]);
    REQUIRE(c.has_value());
    CHECK(c->cop_m(0, 0) == Approx(-0.07988789).margin(1e-15));
    CHECK((c->cop_m - b->cop_m).cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("stance catalog keeps a source's local time: list, export, validate",
          "[cli][import][catalog]") {
    Scratch s;
    const std::string pds = pub("pds_dos_santos_2017");
    REQUIRE(s.stance("import --format pds --info " + pds + "/PDSinfo.txt --out " + s / "p.h5 " +
                     pds + "/data/PDS13OR1grf.txt")
                .status == 0);
    const Run reg = s.stance("catalog import " + s / "p.h5" + " --catalog " + s / "clinic.db");
    INFO(reg.err);
    REQUIRE(reg.status == 0);
    const Run list = s.stance("catalog list --catalog " + s / "clinic.db");
    REQUIRE(list.status == 0);
    const auto j = nlohmann::json::parse(list.out);
    REQUIRE(j.size() == 1);
    const auto& session = j[0]["sessions"][0];
    // PDSinfo gives "2016-08-24 10:50:33.248", the laboratory's clock: no 'Z', no invented
    // offset, the milliseconds kept.
    CHECK(session["start"] == "2016-08-24T10:50:33.248");
    CHECK(session["start_utc"].is_null());
    CHECK(session["time_zone"] == "local time of the laboratory (not UTC)");

    const Run out =
        s.stance("export bundle --from " + s / "clinic.db" + " --out " + s / "x.h5" + " --secret " +
                 s / "keys/site_secret" + " --since 2016-08-24 --until 2016-08-24");
    INFO(out.err);
    REQUIRE(out.status == 0);
    CHECK(nlohmann::json::parse(out.out)["trials"] == 1);
    const stance::datasets::BundleReader exported(s / "x.h5");
    const auto sessions = exported.sessions(exported.subjects().at(0).id);
    REQUIRE(sessions.size() == 1);
    CHECK(sessions[0].start_utc == "2016-08-24T10:50:33.248");
    CHECK(std::get<std::string>(sessions[0].extra.at("time_zone")) ==
          "local time of the laboratory (not UTC)");
    CHECK(s.stance("validate " + s / "x.h5").status == 0);
}
