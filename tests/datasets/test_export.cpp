// Exporters on real trials: metrics CSV with composites, signal CSVs, bundle subsets, from a
// bundle and from the catalog, de-identified by default.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "stance/analysis/metrics.hpp"
#include "stance/datasets/export.hpp"
#include "stance/datasets/h5_writer.hpp"
#include "stance/datasets/keyed_hash.hpp"
#include "stance/datasets/sqlite_catalog.hpp"
#include "stance/datasets/trial_text.hpp"

using namespace stance::datasets;
namespace fs = std::filesystem;
using namespace std::chrono;

#include "support/scratch.hpp"

namespace {

using TempDir = stance::test::ScratchDir;

fs::path bdsData() {
    return fs::path(STANCE_PUBLIC_DATA_DIR) / "bds_santos_duarte_2016" / "data";
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Planned {
    std::string subject, stem, condition;
    TrialStatus status = TrialStatus::kComplete;
};

/// The ten shipped trials in a bundle as the BDS metadata describes them (subject 1: eo_firm x3,
/// ec_firm, eo_foam, ec_foam; subject 4: one of each), with BDS00003 marked aborted.
const std::vector<Planned>& plan() {
    static const std::vector<Planned> p = {{"s01", "BDS00001", "eo_firm"},
                                           {"s01", "BDS00002", "eo_firm"},
                                           {"s01", "BDS00003", "eo_firm", TrialStatus::kAborted},
                                           {"s01", "BDS00004", "ec_firm"},
                                           {"s01", "BDS00007", "eo_foam"},
                                           {"s01", "BDS00010", "ec_foam"},
                                           {"s04", "BDS00037", "eo_firm"},
                                           {"s04", "BDS00040", "eo_foam"},
                                           {"s04", "BDS00043", "ec_foam"},
                                           {"s04", "BDS00046", "ec_firm"}};
    return p;
}

const char* startOf(const std::string& subject) {
    return subject == "s01" ? "2015-10-08T08:30:00Z" : "2015-10-20T10:00:00Z";
}

/// Writes the bundle; returns each stem's trial group.
std::map<std::string, std::string> makeBundle(const fs::path& file) {
    BundleWriter w(file);
    for (const char* s : {"s01", "s04"}) {
        SubjectInfo si;
        si.id = s;
        si.sex = Sex::kFemale;
        si.age_years = std::string(s) == "s01" ? 33.0 : 24.0;
        si.height_m = 1.575;
        si.extra["source_subject"] = std::string(s) == "s01" ? "1" : "4";
        w.addSubject(si);
        SessionInfo se;
        se.start_utc = startOf(s);
        se.site = "BMClab";
        se.operator_id = "Dr Operator";
        se.protocol = "bds";
        w.addSession(s, se);
    }
    // Free attributes that an importer or a user may fill with identifying text.
    DeviceInfo plate;
    plate.id = "plate1";
    plate.kind = "forceplate";
    plate.serial = "AMTI-1234";
    plate.extra["capture_file"] = std::string("jane_doe_2024-03-01.bin");
    plate.extra["length_m"] = 0.6;
    w.addDevice(plate);
    std::map<std::string, std::string> groups;
    bool first = true;
    for (const auto& p : plan()) {
        const auto rec = readTrialText(bdsData() / (p.stem + ".txt")).recording;
        TrialData t;
        t.info.source_id = p.stem;
        t.info.condition = p.condition;
        t.info.status = p.status;
        t.info.extra["take_name"] = std::string("Jane Doe ") + p.stem;
        t.info.extra["source_trial"] = p.stem;
        t.info.extra["repetition"] = std::int64_t{1};
        ForcePlateSignals fp;
        fp.time_s = rec.t_s;
        fp.cop_m = rec.xy_m;
        t.forceplate = fp;
        if (first) {
            RawSignal raw;
            raw.device = "plate1";
            raw.channels = {{"fz", "N", 1.0, 0.0}};
            raw.values = rec.xy_m.col(0);
            raw.time_s = rec.t_s;
            raw.counter = CounterVector::LinSpaced(rec.t_s.size(), 0, rec.t_s.size() - 1);
            t.raw.push_back(raw);
            first = false;
        }
        groups[p.stem] = w.addTrial(p.subject, startOf(p.subject), t).path();
    }
    w.commit();
    return groups;
}

SiteSecret testSecret() {
    std::array<std::uint8_t, SiteSecret::kKeyBytes> k{};
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<std::uint8_t>(0xA0 + i);
    return SiteSecret::fromBytes(k);
}

ExportOptions mmOptions() {
    ExportOptions o;
    o.secret = testSecret();
    o.metrics.include_complexity = false;
    o.length_unit = "mm";
    o.length_factor = [](int p) { return std::pow(1000.0, p); };
    return o;
}

struct Table {
    std::vector<std::string> header;
    std::vector<std::map<std::string, std::string>> rows;
    std::vector<std::map<std::string, std::string>> where(const std::string& col,
                                                          const std::string& v) const {
        std::vector<std::map<std::string, std::string>> out;
        for (const auto& r : rows) {
            if (r.at(col) == v)
                out.push_back(r);
        }
        return out;
    }
};

std::vector<std::string> splitCsv(const std::string& line) {
    std::vector<std::string> out;
    std::string f;
    bool quoted = false;
    for (const char c : line) {
        if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            out.push_back(f);
            f.clear();
        } else {
            f += c;
        }
    }
    out.push_back(f);
    return out;
}

Table readTable(const fs::path& p) {
    std::ifstream in(p);
    Table t;
    std::string line;
    REQUIRE(std::getline(in, line));
    t.header = splitCsv(line);
    while (std::getline(in, line)) {
        const auto f = splitCsv(line);
        REQUIRE(f.size() == t.header.size());
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < f.size(); ++i)
            row[t.header[i]] = f[i];
        t.rows.push_back(std::move(row));
    }
    return t;
}

double num(const std::map<std::string, std::string>& row, const std::string& col) {
    REQUIRE_FALSE(row.at(col).empty());
    return std::stod(row.at(col));
}

/// rms_ML of a shipped trial through the clinical pipeline, in mm.
double rmsMlMm(const std::string& stem) {
    const auto rec = readTrialText(bdsData() / (stem + ".txt")).recording;
    const auto trace = stance::analysis::preprocess(rec, stance::analysis::Pipeline::kClinical);
    REQUIRE(trace);
    return stance::analysis::computeAllMetrics(*trace).find("rms_ML")->value * 1000.0;
}

template <class F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE(
    "metrics CSV from a bundle: trials, condition means, Romberg quotients, mCTSIB "
    "composites and ratios, pseudonyms",
    "[datasets][export]") {
    TempDir dir("metrics");
    const auto bundle = dir.path / "cohort.h5";
    makeBundle(bundle);
    const BundleReader reader(bundle);
    const auto out = dir.path / "metrics.csv";
    const auto o = mmOptions();
    const auto r = exportMetricsCsv(reader, {}, o, out);
    CHECK(r.trials == 10);
    CHECK(r.subjects == 2);
    CHECK(r.sessions == 2);
    CHECK(r.composite_rows == 8 + 4 + 2 * 4);
    CHECK(r.analysis_failures.empty());

    const Table t = readTable(out);
    CHECK(t.where("row_type", "trial").size() == 10);
    CHECK(t.where("row_type", "condition_mean").size() == 8);
    CHECK(t.where("row_type", "romberg_quotient").size() == 4);
    CHECK(t.where("row_type", "mctsib_composite").size() == 2);
    CHECK(t.where("row_type", "mctsib_ratio").size() == 6);
    const std::string s01 = testSecret().pseudonym("s01");
    const auto mine = t.where("subject", s01);
    REQUIRE(mine.size() == 6 + 4 + 2 + 4);
    CHECK(mine[0].at("age_years") == "33");
    CHECK(mine[0].at("sex") == "female");
    CHECK(mine[0].at("session") == "1");
    CHECK(mine[0].at("session_date") == "2015-10-08");
    CHECK(mine[0].at("length_unit") == "mm");

    // Per-trial values are the analysis core's, in mm.
    std::map<int, double> eo_firm;
    for (const auto& row : mine) {
        if (row.at("row_type") == "trial" && row.at("condition") == "eo_firm")
            eo_firm[std::stoi(row.at("repetition"))] = num(row, "rms_ML");
    }
    REQUIRE(eo_firm.size() == 3);
    CHECK(eo_firm[1] == Approx(rmsMlMm("BDS00001")).epsilon(1e-12));
    CHECK(eo_firm[3] == Approx(rmsMlMm("BDS00003")).epsilon(1e-12));
    // The mean leaves the aborted third repetition out.
    std::map<std::string, std::map<std::string, std::string>> mean;
    for (const auto& row : mine) {
        if (row.at("row_type") == "condition_mean")
            mean[row.at("condition")] = row;
    }
    CHECK(mean["eo_firm"].at("n_trials") == "2");
    CHECK(num(mean["eo_firm"], "rms_ML") == Approx((eo_firm[1] + eo_firm[2]) / 2).epsilon(1e-12));
    // Romberg quotient: ec mean / eo mean of each surface, dimensionless.
    std::map<std::string, std::map<std::string, std::string>> romberg;
    for (const auto& row : mine) {
        if (row.at("row_type") == "romberg_quotient")
            romberg[row.at("condition")] = row;
    }
    REQUIRE(romberg.count("ec_firm/eo_firm") == 1);
    REQUIRE(romberg.count("ec_foam/eo_foam") == 1);
    CHECK(num(romberg["ec_firm/eo_firm"], "confidence_ellipse_area_ML_AND_AP") ==
          Approx(num(mean["ec_firm"], "confidence_ellipse_area_ML_AND_AP") /
                 num(mean["eo_firm"], "confidence_ellipse_area_ML_AND_AP"))
              .epsilon(1e-12));
    CHECK(num(romberg["ec_foam/eo_foam"], "rms_ML") ==
          Approx(rmsMlMm("BDS00010") / rmsMlMm("BDS00007")).epsilon(1e-12));
    CHECK(romberg["ec_firm/eo_firm"].at("n_trials") == "3");

    // mCTSIB: the composite is the mean of the five complete trials of the four conditions (the
    // aborted one left out); the ratios are eo_firm's mean over each other condition's.
    std::map<std::string, std::map<std::string, std::string>> mctsib;
    for (const auto& row : mine) {
        if (row.at("row_type") == "mctsib_composite" || row.at("row_type") == "mctsib_ratio")
            mctsib[row.at("condition")] = row;
    }
    REQUIRE(mctsib.size() == 4);
    const auto& composite = mctsib["eo_firm+ec_firm+eo_foam+ec_foam"];
    CHECK(composite.at("n_trials") == "5");
    double sum = 0.0;
    for (const char* stem : {"BDS00001", "BDS00002", "BDS00004", "BDS00007", "BDS00010"})
        sum += rmsMlMm(stem);
    CHECK(num(composite, "rms_ML") == Approx(sum / 5).epsilon(1e-12));
    CHECK(num(mctsib["visual: eo_firm/eo_foam"], "rms_ML") ==
          Approx(num(mean["eo_firm"], "rms_ML") / rmsMlMm("BDS00007")).epsilon(1e-12));
    CHECK(num(mctsib["somatosensory: eo_firm/ec_firm"], "rms_ML") ==
          Approx(num(mean["eo_firm"], "rms_ML") / rmsMlMm("BDS00004")).epsilon(1e-12));
    CHECK(num(mctsib["vestibular: eo_firm/ec_foam"], "rms_ML") ==
          Approx(num(mean["eo_firm"], "rms_ML") / rmsMlMm("BDS00010")).epsilon(1e-12));

    // Nothing identifying: neither the subject ids nor their free attributes nor the operator.
    const std::string text = slurp(out) + slurp(out.string() + ".json");
    CHECK(text.find("s01") == std::string::npos);
    CHECK(text.find("s04") == std::string::npos);
    CHECK(text.find("Dr Operator") == std::string::npos);
    CHECK(text.find("BDS0000") == std::string::npos);
    CHECK(text.find(toHex(std::array<std::uint8_t, 4>{0xA0, 0xA1, 0xA2, 0xA3})) ==
          std::string::npos);

    const auto meta = nlohmann::json::parse(slurp(out.string() + ".json"));
    CHECK(meta["identity"] == "pseudonymised");
    CHECK(meta["pseudonym"]["key_id"] == testSecret().keyId());
    CHECK(meta["pipeline"] == "clinical");
    CHECK(meta["algorithm_version"] == stance::analysis::kAlgorithmVersion);
    CHECK(meta["source"]["name"] == "cohort.h5");
    bool found = false;
    for (const auto& c : meta["columns"]) {
        if (c["name"] == "confidence_ellipse_area_ML_AND_AP") {
            CHECK(c["unit"] == "mm^2");
            found = true;
        }
    }
    CHECK(found);
}

TEST_CASE("exports select by subject, condition and session date", "[datasets][export]") {
    TempDir dir("select");
    const auto bundle = dir.path / "cohort.h5";
    makeBundle(bundle);
    const BundleReader reader(bundle);
    ExportFilter f;
    f.subject_codes = {"s01"};
    f.conditions = {"eo_firm"};
    auto r = exportMetricsCsv(reader, f, mmOptions(), dir.path / "a.csv");
    CHECK(r.trials == 3);
    CHECK(r.composite_rows == 1);  // the eo_firm mean; no Romberg pair
    f = {};
    f.to_date = year_month_day{year{2015}, month{10}, day{10}};
    r = exportMetricsCsv(reader, f, mmOptions(), dir.path / "b.csv");
    CHECK(r.trials == 6);
    f.from_date = year_month_day{year{2015}, month{10}, day{11}};
    f.to_date.reset();
    r = exportMetricsCsv(reader, f, mmOptions(), dir.path / "c.csv");
    CHECK(r.trials == 4);
    CHECK(readTable(dir.path / "c.csv").rows.front().at("subject") ==
          testSecret().pseudonym("s04"));
}

TEST_CASE("an identified export says so and keeps the ids", "[datasets][export]") {
    TempDir dir("identified");
    const auto bundle = dir.path / "cohort.h5";
    makeBundle(bundle);
    const BundleReader reader(bundle);
    auto o = mmOptions();
    o.identity = IdentityMode::kIdentified;
    o.secret.reset();
    const auto out = dir.path / "id.csv";
    (void)exportMetricsCsv(reader, {}, o, out);
    const Table t = readTable(out);
    CHECK(t.rows.front().at("subject") == "s01");
    CHECK(t.rows.front().at("session_start") == "2015-10-08T08:30:00Z");
    const auto meta = nlohmann::json::parse(slurp(out.string() + ".json"));
    CHECK(meta["identity"] == "identified");
    CHECK_FALSE(meta.contains("pseudonym"));
    // Pseudonymised without a secret is a programming error, not a silent identified export.
    auto bad = mmOptions();
    bad.secret.reset();
    CHECK_THROWS_AS(exportMetricsCsv(reader, {}, bad, dir.path / "x.csv"), std::invalid_argument);
    CHECK_FALSE(fs::exists(dir.path / "x.csv"));
}

TEST_CASE("catalog exports: stored metrics, computed ones, identity only when asked",
          "[datasets][export]") {
    TempDir dir("catalog");
    const auto bundle = dir.path / "recordings.h5";
    const auto groups = makeBundle(bundle);
    auto cat = openSqliteCatalog(dir.path / "clinic.db");
    Patient p;
    p.subject_code = "MRN-0001";
    p.given_name = "Alice";
    p.family_name = "Martin";
    p.phone = "+33 1 23 45 67 89";
    p.birth_date = year_month_day{year{1982}, month{10}, day{9}};
    p.sex = Sex::kFemale;
    const CatalogId pid = cat->addPatient(p);
    Session s;
    s.patient_id = pid;
    s.start_utc = sys_days(year_month_day{year{2015}, month{10}, day{8}}) + hours(8);
    s.operator_name = "Dr Operator";
    s.notes = "dizzy since Tuesday";
    const CatalogId sid = cat->addSession(s);
    const auto addTrial = [&](const std::string& cond, int rep, const std::string& stem) {
        Trial t;
        t.session_id = sid;
        t.condition = cond;
        t.repetition = rep;
        t.duration_s = 60.0;
        if (!stem.empty()) {
            t.data_path = "recordings.h5";  // relative to the catalog's folder
            t.data_group = groups.at(stem);
        }
        return cat->addTrial(t);
    };
    const CatalogId t1 = addTrial("eo_firm", 1, "BDS00001");
    addTrial("eo_firm", 2, "BDS00002");
    addTrial("ec_firm", 1, "BDS00004");
    addTrial("ec_firm", 2, "");  // no data kept, no metrics stored
    // A stored value wins over recomputation (it is what the clinic reported).
    cat->putTrialMetrics(t1, {{"rms_ML", 0.005, "m", "clinical", "0.9.0", ""}});

    const auto out = dir.path / "clinic.csv";
    const auto r = exportMetricsCsv(*cat, {}, mmOptions(), out);
    CHECK(r.trials == 4);
    REQUIRE(r.analysis_failures.size() == 1);
    CHECK(r.analysis_failures[0].find("no stored metrics") != std::string::npos);
    const Table t = readTable(out);
    const auto trials = t.where("row_type", "trial");
    REQUIRE(trials.size() == 4);
    // Ordered by condition then repetition: ec_firm 1, ec_firm 2, eo_firm 1, eo_firm 2.
    CHECK(trials[2].at("algorithm_version") == "0.9.0");
    CHECK(num(trials[2], "rms_ML") == Approx(5.0));
    CHECK(trials[2].at("mean_velocity_ML").empty());  // not stored, not mixed in
    CHECK(num(trials[3], "rms_ML") == Approx(rmsMlMm("BDS00002")).epsilon(1e-12));
    CHECK_FALSE(trials[1].at("error").empty());
    // Age at the session date: born 1982-10-09, seen 2015-10-08 -> 32.
    CHECK(trials[0].at("age_years") == "32");
    const std::string text = slurp(out) + slurp(out.string() + ".json");
    for (const char* secret :
         {"MRN-0001", "Alice", "Martin", "1982", "+33", "Dr Operator", "dizzy"})
        CHECK(text.find(secret) == std::string::npos);

    auto o = mmOptions();
    o.identity = IdentityMode::kIdentified;
    const auto id_out = dir.path / "clinic_identified.csv";
    (void)exportMetricsCsv(*cat, {}, o, id_out);
    const Table ti = readTable(id_out);
    CHECK(ti.rows[0].at("subject") == "MRN-0001");
    CHECK(ti.rows[0].at("given_name") == "Alice");
    CHECK(ti.rows[0].at("birth_date") == "1982-10-09");

    // A trial whose data file is gone stops the export; nothing is written.
    Trial gone;
    gone.session_id = sid;
    gone.condition = "eo_foam";
    gone.data_path = "missing.h5";
    gone.data_group = groups.at("BDS00007");
    cat->addTrial(gone);
    const auto none = dir.path / "none.csv";
    const std::string e = errorOf([&] { (void)exportMetricsCsv(*cat, {}, mmOptions(), none); });
    CHECK(e.find("missing.h5") != std::string::npos);
    CHECK(e.find("trial") != std::string::npos);
    CHECK_FALSE(fs::exists(none));
    CHECK_FALSE(fs::exists(none.string() + ".json"));
}

TEST_CASE("signal CSVs: one file per trial in the chosen unit, and a manifest",
          "[datasets][export]") {
    TempDir dir("signals");
    const auto bundle = dir.path / "cohort.h5";
    makeBundle(bundle);
    const BundleReader reader(bundle);
    ExportFilter f;
    f.subject_codes = {"s04"};
    const auto out = dir.path / "signals";
    const auto r = exportSignalsCsv(reader, f, mmOptions(), out);
    CHECK(r.trials == 4);
    const std::string s04 = testSecret().pseudonym("s04");
    const auto file = out / (s04 + "_ses-1_ec_foam_rep-1_forceplate.csv");
    REQUIRE(fs::exists(file));
    std::ifstream in(file);
    std::string header, first;
    std::getline(in, header);
    std::getline(in, first);
    CHECK(header == "time_s,cop_ml_mm,cop_ap_mm");
    const auto rec = readTrialText(bdsData() / "BDS00043.txt").recording;
    const auto cells = splitCsv(first);
    CHECK(std::stod(cells[0]) == rec.t_s(0));
    CHECK(std::stod(cells[1]) == Approx(rec.xy_m(0, 0) * 1000.0).epsilon(1e-14));
    CHECK(std::stod(cells[2]) == Approx(rec.xy_m(0, 1) * 1000.0).epsilon(1e-14));
    // The source's 6 decimals in cm are 5 in mm: the cm -> m -> mm conversions leave no
    // last-bit tail ("13.237179999999999") in the text.
    std::size_t rows = 1, longest = 0;
    for (std::string line; std::getline(in, line); ++rows) {
        for (std::size_t k : {1, 2}) {
            const std::string cell = splitCsv(line).at(k);
            const auto dot = cell.find('.');
            longest = std::max(longest, dot == std::string::npos ? 0 : cell.size() - dot - 1);
        }
    }
    CHECK(rows == 6000);
    CHECK(longest <= 5);
    const auto manifest = nlohmann::json::parse(slurp(out / "manifest.json"));
    CHECK(manifest["identity"] == "pseudonymised");
    CHECK(manifest["trials"].size() == 4);
    CHECK(manifest["trials"][0]["subject"] == s04);
    // The folder exists now: a second export to it is refused and changes nothing.
    CHECK(errorOf([&] {
              (void)exportSignalsCsv(reader, f, mmOptions(), out);
          }).find("already exists") != std::string::npos);
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path))
        ++n;
    CHECK(n == 2);  // the bundle and the folder: no temporary folder left
}

TEST_CASE("a bundle subset keeps every signal and rewrites identity", "[datasets][export]") {
    TempDir dir("bundle");
    const auto bundle = dir.path / "cohort.h5";
    makeBundle(bundle);
    const BundleReader reader(bundle);
    ExportFilter f;
    f.conditions = {"ec_firm", "ec_foam"};
    const auto out = dir.path / "subset.h5";
    const auto r = exportBundle(reader, f, mmOptions(), out);
    CHECK(r.trials == 4);
    const BundleReader sub(out);
    const auto subjects = sub.subjects();
    REQUIRE(subjects.size() == 2);
    std::set<std::string> ids;
    for (const auto& s : subjects) {
        ids.insert(s.id);
        CHECK(std::get<std::string>(s.extra.at("identity")) == "pseudonymised");
        CHECK(std::get<std::string>(s.extra.at("pseudonym_key_id")) == testSecret().keyId());
        CHECK(s.extra.count("source_subject") == 0);
        CHECK(s.age_years.has_value());
    }
    CHECK(ids ==
          std::set<std::string>{testSecret().pseudonym("s01"), testSecret().pseudonym("s04")});
    const auto refs = sub.trials();
    REQUIRE(refs.size() == 4);
    for (const auto& ref : refs) {
        const auto info = sub.trialInfo(ref);
        CHECK((info.condition == "ec_firm" || info.condition == "ec_foam"));
        CHECK(info.source_id.empty());
        CHECK(info.extra.count("take_name") == 0);
        CHECK(info.extra.count("source_trial") == 0);
        CHECK(std::get<std::int64_t>(info.extra.at("repetition")) == 1);
        CHECK(sub.sessions(ref.subject_id).at(0).operator_id.empty());
    }
    // Signals are copied exactly.
    const auto rec = readTrialText(bdsData() / "BDS00046.txt").recording;
    bool found = false;
    for (const auto& ref : refs) {
        const auto fp = sub.readForcePlate(ref);
        REQUIRE(fp);
        if (fp->cop_m.rows() == rec.xy_m.rows() && fp->cop_m(100, 0) == rec.xy_m(100, 0)) {
            CHECK(fp->cop_m == rec.xy_m);
            CHECK(fp->time_s == rec.t_s);
            found = true;
        }
    }
    CHECK(found);
    CHECK(errorOf([&] { (void)exportBundle(reader, f, mmOptions(), out); }).find(out.string()) !=
          std::string::npos);

    // The device of the raw signal: its capture file name goes, its geometry and serial stay;
    // an identified export keeps every attribute.
    const auto all = dir.path / "all.h5";
    (void)exportBundle(reader, {}, mmOptions(), all);
    const auto devices = BundleReader(all).devices();
    REQUIRE(devices.size() == 1);
    CHECK(devices[0].serial == "AMTI-1234");
    CHECK(devices[0].extra.count("capture_file") == 0);
    CHECK(std::get<double>(devices[0].extra.at("length_m")) == 0.6);
    ExportOptions id = mmOptions();
    id.identity = IdentityMode::kIdentified;
    const auto kept = dir.path / "identified.h5";
    (void)exportBundle(reader, {}, id, kept);
    const BundleReader k(kept);
    CHECK(std::get<std::string>(k.devices().at(0).extra.at("capture_file")) ==
          "jane_doe_2024-03-01.bin");
    CHECK(std::get<std::string>(k.trialInfo(k.trials().at(0)).extra.at("take_name"))
              .rfind("Jane Doe ", 0) == 0);
}
