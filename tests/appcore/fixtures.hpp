#pragma once
// Shared fixtures of the app-core tests: a scratch catalog, and mCTSIB sessions whose COP is a
// known sum of sines written as stance-hdf5 (so every value the app shows can be recomputed
// here from the same samples).

#include <chrono>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "stance/analysis/protocol.hpp"
#include "stance/datasets/catalog.hpp"
#include "stance/datasets/h5_writer.hpp"
#include "stance/datasets/sqlite_catalog.hpp"
#include "support/scratch.hpp"

namespace stance::test {

/// COP of a synthetic trial: x = a sin(2 pi 0.31 t) + 0.4 a sin(2 pi 0.83 t + 1),
/// y = 1.6 a sin(2 pi 0.23 t + 0.5) + 0.3 a sin(2 pi 1.1 t), a in metres; 100 Hz; Fz = 650 N.
inline analysis::Signal2 syntheticCop(double a, double duration_s, double fs = 100.0) {
    const auto n = static_cast<Eigen::Index>(std::lround(duration_s * fs));
    analysis::Signal2 xy(n, 2);
    constexpr double k2pi = 2.0 * std::numbers::pi;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        xy(i, 0) = a * std::sin(k2pi * 0.31 * t) + 0.4 * a * std::sin(k2pi * 0.83 * t + 1.0);
        xy(i, 1) = 1.6 * a * std::sin(k2pi * 0.23 * t + 0.5) + 0.3 * a * std::sin(k2pi * 1.1 * t);
    }
    return xy;
}

/// Amplitude per condition (m): eyes closed on foam sways the most.
inline double syntheticAmplitude(const std::string& condition) {
    if (condition == "eo_firm")
        return 0.003;
    if (condition == "ec_firm")
        return 0.004;
    if (condition == "eo_foam")
        return 0.008;
    return 0.014;
}

inline datasets::Patient testPatient(const std::string& code = "MRN-7") {
    datasets::Patient p;
    p.subject_code = code;
    p.given_name = "Ada";
    p.family_name = "Lovelace";
    p.birth_date = std::chrono::year_month_day(std::chrono::year(1980), std::chrono::month(2),
                                               std::chrono::day(10));
    p.sex = datasets::Sex::kFemale;
    p.height_m = 1.70;
    p.mass_kg = 66.0;
    return p;
}

/// Writes an mCTSIB session of synthetic trials to `<folder>/<file>` and registers it. Trials in
/// `skip` ("ec_foam#3") are left out; `scale` multiplies every amplitude.
inline datasets::CatalogId addSyntheticSession(datasets::Catalog& c, datasets::CatalogId patient,
                                               const std::filesystem::path& folder,
                                               const std::string& file,
                                               std::chrono::sys_seconds start, double scale = 1.0,
                                               const std::vector<std::string>& skip = {}) {
    const analysis::Protocol& proto = *analysis::findProtocol("mctsib");
    const std::string start_iso = datasets::formatIsoUtc(start);
    datasets::BundleWriter w(folder / file);
    datasets::SubjectInfo subj;
    subj.id = "S1";
    w.addSubject(subj);
    datasets::SessionInfo si;
    si.start_utc = start_iso;
    si.protocol = "mctsib";
    w.addSession(subj.id, si);
    datasets::Session s;
    s.patient_id = patient;
    s.start_utc = start;
    s.operator_name = "Test Operator";
    s.site = "Test site";
    s.protocol = "mctsib";
    s.protocol_version = proto.version;
    const datasets::CatalogId sid = c.addSession(s);
    for (const analysis::ProtocolStep& step : proto.schedule()) {
        const std::string tag = step.condition + "#" + std::to_string(step.repetition);
        if (std::find(skip.begin(), skip.end(), tag) != skip.end())
            continue;
        datasets::TrialData t;
        t.info.condition = step.condition;
        t.info.planned_duration_s = step.duration_s;
        datasets::ForcePlateSignals fp;
        fp.cop_m = syntheticCop(
            scale * syntheticAmplitude(step.condition) * (1.0 + 0.05 * step.repetition),
            step.duration_s);
        const Eigen::Index n = fp.cop_m.rows();
        fp.time_s = Eigen::VectorXd::LinSpaced(n, 0.0, static_cast<double>(n - 1) / 100.0);
        fp.force_n = analysis::Signal3::Zero(n, 3);
        fp.force_n.col(2).setConstant(650.0);
        t.forceplate = fp;
        const datasets::TrialRef ref = w.addTrial(subj.id, start_iso, t);
        datasets::Trial tr;
        tr.session_id = sid;
        tr.condition = step.condition;
        tr.repetition = step.repetition;
        tr.duration_s = step.duration_s;
        tr.data_path = file;  // relative to the catalog's folder
        tr.data_group = ref.path();
        c.addTrial(tr);
    }
    w.commit();
    return sid;
}

inline std::chrono::sys_seconds day(int y, unsigned m, unsigned d) {
    return std::chrono::sys_days(std::chrono::year(y) / m / d) + std::chrono::hours(10);
}

}  // namespace stance::test
