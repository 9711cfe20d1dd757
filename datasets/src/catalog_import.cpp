#include "stance/datasets/catalog_import.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <variant>

namespace stance::datasets {

namespace {

std::vector<MetricRecord> computeMetrics(const BundleReader& bundle, const TrialRef& ref,
                                         analysis::Pipeline pipeline,
                                         const analysis::MetricOptions& options,
                                         std::string& error) {
    const std::string name(analysis::pipelineName(pipeline));
    const auto fp = bundle.readForcePlate(ref);
    if (!fp || fp->cop_m.rows() == 0) {
        error = "no force-plate COP";
        return {};
    }
    const auto trace = analysis::preprocess(fp->copRecording(), pipeline);
    if (!trace) {
        error = trace.error().message;
        return {};
    }
    std::vector<MetricRecord> out;
    const analysis::MetricTable table = analysis::computeAllMetrics(*trace, options);
    for (const auto& m : table.entries()) {
        MetricRecord r;
        r.name = m.name;
        if (m.ok())
            r.value = m.value;
        r.unit = m.unit.label("m");
        r.pipeline = name;
        r.algorithm_version = analysis::kAlgorithmVersion;
        r.error = m.error;
        out.push_back(std::move(r));
    }
    return out;
}

/// The same start: the same time, as precise, in the same kind of clock (UTC or local).
bool sameStart(const Session& a, const Session& b) {
    return a.start_utc == b.start_utc && a.start_ms == b.start_ms &&
           a.start_date_only == b.start_date_only && a.time_zone.empty() == b.time_zone.empty();
}

}  // namespace

RegisterSummary registerBundle(Catalog& catalog, const BundleReader& bundle,
                               const RegisterOptions& options) {
    RegisterSummary summary;
    std::set<std::pair<std::string, std::string>> known;  // (data_path, data_group)
    for (const auto& r : catalog.findTrials({}))
        known.insert({r.trial.data_path, r.trial.data_group});

    Catalog::Transaction tx(catalog);
    std::map<std::string, CatalogId> patients;
    for (const auto& s : bundle.subjects()) {
        if (const auto p = catalog.patientByCode(s.id)) {
            patients[s.id] = p->id;
            continue;
        }
        Patient p;
        p.subject_code = s.id;
        p.sex = s.sex;
        p.height_m = s.height_m;
        p.mass_kg = s.mass_kg;
        p.notes = "registered from " + bundle.path().filename().string();
        patients[s.id] = catalog.addPatient(p);
        ++summary.patients_added;
    }
    std::map<std::pair<std::string, std::string>, CatalogId> sessions;
    for (const auto& [subject_id, patient_id] : patients) {
        const auto existing = catalog.sessions(patient_id);
        for (const auto& s : bundle.sessions(subject_id)) {
            const std::string group = s.start_utc.empty() ? "undated" : s.start_utc;
            const auto start = parseIsoStart(s.start_utc);
            if (!start)
                throw CatalogError(catalog.location(),
                                   bundle.path().string() + ": /subjects/" + subject_id +
                                       "/sessions/" + group +
                                       ": the catalog needs a session start time ('" + s.start_utc +
                                       "' is not one)");
            Session x;
            x.patient_id = patient_id;
            x.start_utc = start->time;
            x.start_ms = start->ms;
            x.start_date_only = start->date_only;
            if (!start->utc) {
                // A local time without its offset stays local: never taken as UTC.
                const auto tz = s.extra.find("time_zone");
                if (tz != s.extra.end() && std::holds_alternative<std::string>(tz->second) &&
                    !std::get<std::string>(tz->second).empty())
                    x.time_zone = std::get<std::string>(tz->second);
                else
                    x.time_zone = kUnknownTimeZone;
            }
            CatalogId id = 0;
            for (const auto& e : existing) {
                if (!sameStart(e, x))
                    continue;
                id = e.id;
                // A session that schema migration 2 gave back its local start knows no more
                // than kUnknownTimeZone: the bundle says whose clock it was.
                if (e.time_zone == kUnknownTimeZone && !x.time_zone.empty() &&
                    x.time_zone != kUnknownTimeZone) {
                    Session described = e;
                    described.time_zone = x.time_zone;
                    catalog.updateSession(described);
                }
            }
            if (id == 0) {
                x.site = s.site;
                x.operator_name = s.operator_id;
                x.protocol = s.protocol;
                x.protocol_version = s.protocol_version;
                id = catalog.addSession(x);
                ++summary.sessions_added;
            }
            sessions[{subject_id, group}] = id;
        }
    }
    std::map<std::pair<CatalogId, std::string>, int> repetitions;
    for (const auto& [key, session_id] : sessions) {
        for (const auto& t : catalog.trials(session_id)) {
            int& r = repetitions[{session_id, t.condition}];
            r = std::max(r, t.repetition);
        }
    }
    for (const TrialRef& ref : bundle.trials()) {
        const std::string group = ref.path();
        if (known.count({options.data_path, group}) > 0) {
            ++summary.trials_already_there;
            continue;
        }
        const TrialInfo info = bundle.trialInfo(ref);
        Trial t;
        t.session_id = sessions.at({ref.subject_id, ref.session_start});
        t.condition = info.condition;
        t.repetition = ++repetitions[{t.session_id, info.condition}];
        t.status = info.status;
        if (const auto fp = bundle.readForcePlate(ref); fp && fp->time_s.size() > 1)
            t.duration_s = fp->time_s(fp->time_s.size() - 1) - fp->time_s(0);
        t.data_path = options.data_path;
        t.data_group = group;
        const CatalogId id = catalog.addTrial(t);
        ++summary.trials_added;
        if (options.compute_metrics) {
            std::string error;
            const auto m =
                computeMetrics(bundle, ref, *options.compute_metrics, options.metrics, error);
            if (!error.empty())
                ++summary.metrics_failed;
            else
                catalog.putTrialMetrics(id, m);
        }
    }
    tx.commit();
    return summary;
}

}  // namespace stance::datasets
