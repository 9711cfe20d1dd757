#include "stance/app/demo.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <system_error>

#include "stance/analysis/cop.hpp"
#include "stance/app/errors.hpp"
#include "stance/app/questionnaire_form.hpp"
#include "stance/app/results.hpp"
#include "stance/datasets/h5_writer.hpp"
#include "stance/datasets/sqlite_catalog.hpp"
#include "stance/devices/simulated_devices.hpp"

namespace stance::app {

namespace an = stance::analysis;
namespace ds = stance::datasets;
namespace dv = stance::devices;
namespace fs = std::filesystem;

namespace {

// The invented patient. Sway and questionnaires describe a unilateral vestibular hypofunction
// recovering over weeks of rehabilitation: the sway with the eyes closed on foam (the condition
// that leaves the vestibular system alone, Shumway-Cook & Horak 1986) is the most enlarged at
// baseline and improves the most.
constexpr double kHeightM = 1.66;
constexpr double kMassKg = 63.0;
constexpr int kBirthYear = 1978;
constexpr double kTrialS = 30.0;

// Severity of the deficit at session k of n: 1 at baseline, decaying with rehabilitation
// (exponential recovery over the visits), compensated to a small residue at the last visit.
double severity(int k, int n) {
    const double x = n > 1 ? static_cast<double>(k) / static_cast<double>(n - 1) : 0.0;
    return 0.05 + 0.95 * std::exp(-2.2 * x);
}

// Extra motor noise per condition at full severity (share of the preset's noise), and the loss
// of active stiffness (share of the preset's).
struct Deficit {
    double noise;
    double stiffness;
};
Deficit deficitFor(const std::string& condition) {
    if (condition == "eo_firm")
        return {0.25, 0.00};
    if (condition == "ec_firm")
        return {0.55, 0.02};
    if (condition == "eo_foam")
        return {0.60, 0.02};
    return {1.00, 0.05};  // ec_foam
}

dv::SwayParameters swayFor(const std::string& condition, double sev) {
    const auto c = dv::parseCondition(condition);
    dv::SwayParameters p = dv::SwayParameters::forCondition(*c);
    const Deficit d = deficitFor(condition);
    for (dv::AxisControl* a : {&p.ap, &p.ml}) {
        a->noise *= 1.0 + d.noise * sev;
        a->stiffness *= 1.0 - d.stiffness * sev;
    }
    return p;
}

// Questionnaire answers giving a chosen DHI total: yes (4 points) to the first items of a fixed
// spread-out order, then sometimes (2).
std::vector<std::string> dhiAnswers(int total) {
    int units = total / 2;
    const int yes = units / 3;
    std::vector<std::string> a(25, "no");
    int placed = 0;
    for (int k = 0; k < 25 && units > 0; ++k) {
        const int item = (k * 7) % 25;
        if (placed < yes && units >= 2) {
            a[static_cast<std::size_t>(item)] = "yes";
            units -= 2;
            ++placed;
        } else {
            a[static_cast<std::size_t>(item)] = "sometimes";
            units -= 1;
        }
    }
    return a;
}

// ABC answers (whole per cent) whose mean is `mean`: easier activities rated higher.
std::vector<std::string> abcAnswers(int mean) {
    static constexpr std::array<int, 16> kOffset{15,  20, 5,   10,  0,  -5,  15, -10,
                                                 -15, 5,  -15, -20, 10, -10, 0,  -5};
    std::vector<std::string> a;
    for (int o : kOffset)
        a.push_back(std::to_string(std::clamp(mean + o, 0, 100)));
    return a;
}

struct Visit {
    int dhi;
    int abc;
    double vas;
};
Visit visitFor(double recovery) {
    const double s = 1.0 - std::clamp(recovery, 0.0, 1.0);  // 1 at baseline -> 0
    // Baseline DHI 54 (moderate handicap), ABC 48 %, VAS 6.5: plausible for a recent unilateral
    // vestibular loss; the end values are those of a good recovery.
    Visit v;
    v.dhi = 2 * static_cast<int>(std::lround((16.0 + 38.0 * s) / 2.0));
    v.abc = static_cast<int>(std::lround(78.0 - 30.0 * s));
    v.vas = std::round((1.5 + 5.0 * s) * 2.0) / 2.0;
    return v;
}

ds::TrialData simulateTrial(const std::string& condition, double sev, std::uint64_t seed,
                            double rate_hz, const std::string& t0) {
    dv::BodyOptions body;
    body.height_m = kHeightM;
    body.mass_kg = kMassKg;
    body.condition = *dv::parseCondition(condition);
    body.parameters = swayFor(condition, sev);
    body.seed = seed;
    body.integration_rate_hz = 1000.0;
    body.settle_s = 15.0;
    dv::PlateSimOptions po;
    po.rate_hz = rate_hz;
    po.noise_seed = seed ^ 0x9e3779b97f4a7c15ULL;
    dv::SimulatedPlate plate(body, po);

    const auto n = static_cast<Eigen::Index>(std::lround(kTrialS * rate_hz));
    ds::TrialData t;
    t.info.condition = condition;
    t.info.planned_duration_s = kTrialS;
    t.info.status = ds::TrialStatus::kComplete;
    t.info.t0_utc = t0;
    ds::RawSignal raw;
    raw.device = "plate";
    raw.channels = {{"fx", "N"},   {"fy", "N"},   {"fz", "N"},
                    {"mx", "N m"}, {"my", "N m"}, {"mz", "N m"}};
    raw.frame = "plate";
    raw.values.resize(n, 6);
    raw.time_s.resize(n);
    raw.counter.resize(n);
    ds::ForcePlateSignals fp;
    fp.force_n.resize(n, 3);
    fp.moment_nm.resize(n, 3);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double time = static_cast<double>(i) / rate_hz;
        const dv::ForcePlateSample s = plate.next();
        for (int c = 0; c < 3; ++c) {
            fp.force_n(i, c) = s.force_n[static_cast<std::size_t>(c)];
            fp.moment_nm(i, c) = s.moment_nm[static_cast<std::size_t>(c)];
            raw.values(i, c) = fp.force_n(i, c);
            raw.values(i, 3 + c) = fp.moment_nm(i, c);
        }
        raw.time_s(i) = time;
        raw.counter(i) = static_cast<std::int64_t>(s.stamp.counter);
    }
    an::ForcePlateGeometry g;
    g.origin_below_surface_m = po.geometry.origin_depth_m;
    const an::CopResult cop = an::copFromForcePlate(fp.force_n, fp.moment_nm, g);
    fp.time_s = raw.time_s;
    fp.cop_m = cop.xy_m;
    fp.source = "plate (copFromForcePlate, origin 40 mm below the surface)";
    t.raw.push_back(std::move(raw));
    t.forceplate = std::move(fp);
    return t;
}

void removeQuietly(const fs::path& p) {
    std::error_code ec;
    fs::remove_all(p, ec);
}

}  // namespace

DemoCatalog buildDemoCatalog(const fs::path& catalog_file, const DemoOptions& options) {
    if (options.sessions < 2 || options.sessions > 12)
        throw AppError("demo", "sessions must be 2-12, not " + std::to_string(options.sessions));
    if (options.days_between < 1 || options.days_between > 60)
        throw AppError("demo", "days between sessions must be 1-60");
    if (!(options.rate_hz >= 50.0 && options.rate_hz <= 1000.0))
        throw AppError("demo", "the plate rate must be 50-1000 Hz");
    if (fs::exists(catalog_file))
        throw AppError(catalog_file.string(), "exists already: the demo builds a new catalog");
    const fs::path folder = catalog_file.has_parent_path() ? catalog_file.parent_path() : ".";
    fs::create_directories(folder);
    DemoCatalog out;
    out.catalog = catalog_file;
    const std::string data_name = catalog_file.stem().string() + "-data";
    out.data_dir = folder / data_name;
    if (fs::exists(out.data_dir))
        throw AppError(out.data_dir.string(), "exists already: the demo builds a new data folder");

    try {
        fs::create_directories(out.data_dir);
        auto catalog = ds::openSqliteCatalog(catalog_file);
        ds::Patient p;
        p.subject_code = kDemoSubjectCode;
        p.given_name = "Jordan";
        p.family_name = "Demo (invented patient)";
        p.birth_date = std::chrono::year_month_day(std::chrono::year(kBirthYear),
                                                   std::chrono::month(5), std::chrono::day(14));
        p.sex = ds::Sex::kFemale;
        p.height_m = kHeightM;
        p.mass_kg = kMassKg;
        p.notes =
            "DEMO: an invented patient with simulated recordings (Stance body-sway simulator), "
            "not a real person.";
        out.patient_id = catalog->addPatient(p);

        const an::Protocol& proto = *an::findProtocol("mctsib");
        const auto schedule = proto.schedule();
        const std::chrono::sys_seconds first =
            options.first_visit.value_or(std::chrono::sys_days(std::chrono::year(2024) / 1 / 8)) +
            std::chrono::hours(9);
        for (int k = 0; k < options.sessions; ++k) {
            const double sev = severity(k, options.sessions);
            const std::chrono::sys_seconds start =
                first + std::chrono::days(static_cast<long>(k) * options.days_between) +
                std::chrono::minutes(15 * (k % 3));
            const std::string start_iso = ds::formatIsoUtc(start);
            const std::string file_name = "session-" +
                                          ds::formatIsoDate(std::chrono::year_month_day(
                                              std::chrono::floor<std::chrono::days>(start))) +
                                          ".h5";
            const fs::path file = out.data_dir / file_name;

            ds::BundleWriter w(file);
            ds::DeviceInfo dev;
            dev.id = "plate";
            dev.kind = "forceplate";
            dev.make = "Stance (simulated)";
            dev.model = "stance-sim-plate";
            dev.serial = "1001";
            dev.firmware = "sim";
            dev.rate_hz = options.rate_hz;
            dev.extra["demo"] = std::string("simulated by the Stance body-sway model");
            w.addDevice(dev);
            ds::SubjectInfo subj;
            subj.id = kDemoSubjectCode;
            subj.sex = ds::Sex::kFemale;
            subj.birth_year = kBirthYear;
            subj.height_m = kHeightM;
            subj.mass_kg = kMassKg;
            subj.extra["demo"] = std::string("invented patient");
            w.addSubject(subj);
            ds::SessionInfo si;
            si.start_utc = start_iso;
            si.site = "Stance demo clinic";
            si.operator_id = "demo-operator";
            si.protocol = proto.id;
            si.protocol_version = proto.version;
            w.addSession(subj.id, si);

            ds::Session s;
            s.patient_id = out.patient_id;
            s.start_utc = start;
            s.site = si.site;
            s.operator_name = "Demo operator";
            s.protocol = proto.id;
            s.protocol_version = proto.version;
            s.notes = "DEMO session: simulated mCTSIB, week " +
                      std::to_string(k * options.days_between / 7);
            std::vector<ds::Trial> trials;
            double t_offset = 0.0;
            for (const an::ProtocolStep& step : schedule) {
                const std::uint64_t seed = options.seed + 1000u * static_cast<std::uint64_t>(k) +
                                           static_cast<std::uint64_t>(step.index);
                const std::string t0 = ds::formatIsoUtc(
                    start + std::chrono::seconds(static_cast<long>(std::lround(t_offset))));
                t_offset += step.duration_s + step.rest_after_s;
                const ds::TrialData data =
                    simulateTrial(step.condition, sev, seed, options.rate_hz, t0);
                const ds::TrialRef ref = w.addTrial(subj.id, start_iso, data);
                ds::Trial t;
                t.condition = step.condition;
                t.repetition = step.repetition;
                t.status = ds::TrialStatus::kComplete;
                t.duration_s = step.duration_s;
                t.data_path = data_name + "/" + file_name;
                t.data_group = ref.path();
                trials.push_back(std::move(t));
            }
            w.commit();

            ds::CatalogId sid = 0;
            {
                ds::Catalog::Transaction tx(*catalog);
                sid = catalog->addSession(s);
                for (ds::Trial& t : trials) {
                    t.session_id = sid;
                    catalog->addTrial(t);
                }
                tx.commit();
            }
            out.session_ids.push_back(sid);

            addDemoQuestionnaires(*catalog, sid,
                                  1.0 - (severity(k, options.sessions) - 0.05) / 0.95);
            analyzeAndStoreSession(*catalog, sid);
        }
    } catch (...) {
        removeQuietly(out.data_dir);
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            removeQuietly(fs::path(catalog_file.string() + suffix));
        throw;
    }
    return out;
}

void addDemoQuestionnaires(ds::Catalog& catalog, ds::CatalogId sid, double recovery) {
    const Visit v = visitFor(recovery);
    QuestionnaireForm dhi(an::Instrument::kDhi);
    const auto da = dhiAnswers(v.dhi);
    for (std::size_t i = 0; i < da.size(); ++i)
        dhi.setAnswer(i, da[i]);
    saveQuestionnaire(catalog, sid, dhi);
    QuestionnaireForm abc(an::Instrument::kAbc);
    const auto aa = abcAnswers(v.abc);
    for (std::size_t i = 0; i < aa.size(); ++i)
        abc.setAnswer(i, aa[i]);
    saveQuestionnaire(catalog, sid, abc);
    QuestionnaireForm vas(an::Instrument::kDizzinessVas);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", v.vas);
    vas.setAnswer(0, buf);
    saveQuestionnaire(catalog, sid, vas);
}

}  // namespace stance::app
