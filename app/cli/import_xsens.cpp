// `stance import --format xsens`: raw Xsens captures into one stance-hdf5 trial.

#include "import_xsens.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "stance/datasets/h5_writer.hpp"
#include "xsens_capture.hpp"

namespace stance::cli {

namespace {

int usage(Io io, const std::string& message) {
    io.err << "stance import: " << message << "\nRun 'stance import --help' for the options.\n";
    return kExitUsage;
}

nlohmann::ordered_json sensorJson(const XsensCaptureReport& r, const std::string& trial_path) {
    nlohmann::ordered_json j;
    j["file"] = r.file;
    j["sensor"] = r.sensor;
    j["imu"] = r.imu ? nlohmann::ordered_json(trial_path + "/imu/" + r.sensor)
                     : nlohmann::ordered_json(nullptr);
    j["raw"] = trial_path + "/raw/" + r.sensor;
    j["samples"] = r.samples;
    j["gaps"] = r.gaps;
    j["duration_s"] = r.duration_s;
    j["rate_hz"] = r.rate_hz;
    j["fields"] = r.fields;
    j["time_source"] = r.time_source;
    nlohmann::ordered_json bytes;
    for (const auto& [key, value] : xsensProvenance(r))
        bytes[key] = value;
    j["provenance"] = std::move(bytes);
    j["sha256"] = r.sha256;
    j["warnings"] = r.warnings;
    return j;
}

void sensorText(std::ostream& out, const XsensCaptureReport& r) {
    const devices::DecoderCounters& c = r.decoder;
    out << "  " << (r.imu ? "imu/" : "raw/") << r.sensor << "  <- " << r.file << "  (" << r.samples
        << " samples, " << r.duration_s << " s at " << r.rate_hz << " Hz, " << r.gaps << " gaps; ";
    for (std::size_t i = 0; i < r.fields.size(); ++i)
        out << (i ? " " : "") << r.fields[i];
    out << ")\n    " << c.frames << " Xbus messages in " << r.capture_bytes
        << " bytes: " << r.mtdata2_messages << " MTData2 (" << r.non_inertial_messages
        << " without inertial data), " << r.other_messages << " other; skipped: " << c.bytes_dropped
        << " bytes dropped, " << c.bad_checksum << " bad checksums, " << c.truncated
        << " truncated, " << c.bad_header << " bad headers, " << c.malformed << " malformed, "
        << c.resyncs << " resyncs; PacketCounter: " << c.sequence_gaps << " jumps, "
        << c.samples_missing << " messages missing\n";
}

}  // namespace

int runXsensImport(const XsensImportRequest& q, Io io) {
    if (q.files.empty())
        return usage(io, "no capture files given");
    if (!q.sensors.empty() && q.sensors.size() != q.files.size()) {
        return usage(io, "--sensor names " + std::to_string(q.sensors.size()) + " sensor(s) for " +
                             std::to_string(q.files.size()) + " capture(s): give one per capture");
    }
    std::vector<std::string> names;
    std::map<std::string, std::string> seen;  // sensor -> file
    for (std::size_t i = 0; i < q.files.size(); ++i) {
        const bool given = !q.sensors.empty();
        const std::string name =
            given ? q.sensors[i] : std::filesystem::path(q.files[i]).stem().string();
        if (auto bad = datasets::checkGroupName("sensor name", name); !bad.empty()) {
            if (!given)
                bad += " (taken from the file name " + q.files[i] + "; name it with --sensor)";
            return usage(io, bad);
        }
        if (const auto it = seen.find(name); it != seen.end()) {
            return usage(io, "sensor name '" + name + "' is given to both " + it->second + " and " +
                                 q.files[i] + "; name them with --sensor");
        }
        seen.emplace(name, q.files[i]);
        names.push_back(name);
    }
    if (!(q.rate_hz >= 0.0 && q.rate_hz <= 1e5))
        return usage(io, "--rate-hz " + std::to_string(q.rate_hz) + " is not a rate (0-100000 Hz)");

    std::vector<XsensCapture> captures;
    datasets::TrialRef ref;
    try {
        for (std::size_t i = 0; i < q.files.size(); ++i) {
            XsensCaptureOptions o;
            o.sensor = names[i];
            o.rate_hz = q.rate_hz;
            captures.push_back(readXsensCapture(q.files[i], o));
        }
        if (q.shared_clock) {
            // Every capture on the earliest one's time axis.
            double first = captures.front().device_time_at_first_s;
            for (const XsensCapture& c : captures)
                first = std::min(first, c.device_time_at_first_s);
            for (XsensCapture& c : captures)
                shiftXsensCapture(c, c.device_time_at_first_s - first);
        }

        datasets::TrialData trial;
        trial.info.condition = q.condition.empty() ? "unspecified" : q.condition;
        trial.info.source_format = "xsens";
        for (const XsensCapture& c : captures) {
            const std::string stem = std::filesystem::path(c.report.file).stem().string();
            trial.info.source_id += (trial.info.source_id.empty() ? "" : "+") + stem;
            trial.raw.push_back(c.raw);
            if (c.imu)
                trial.imu.push_back(*c.imu);
        }
        trial.info.extra["time_alignment"] =
            std::string(q.shared_clock ? "shared device clock: time 0 is the earliest first sample "
                                         "of all sensors"
                                       : "per sensor: each sensor's time 0 is its own first "
                                         "sample (device clocks not aligned)");

        datasets::WriteOptions w;
        w.overwrite = q.force;
        datasets::BundleWriter writer(q.out, w);
        for (const XsensCapture& c : captures)
            writer.addDevice(c.device);
        datasets::SubjectInfo subject;
        subject.id = q.subject;
        writer.addSubject(subject);
        datasets::SessionInfo session;
        session.start_utc = q.session_start;
        writer.addSession(subject.id, session);
        ref = writer.addTrial(subject.id, q.session_start.empty() ? "undated" : q.session_start,
                              trial);
        writer.commit();
    } catch (const datasets::DatasetError& e) {
        io.err << "stance import: " << e.what() << "\nstance import: nothing written to " << q.out
               << '\n';
        return kExitFailure;
    }

    for (const XsensCapture& c : captures) {
        for (const std::string& w : c.report.warnings)
            io.err << "stance import: warning: " << c.report.file << ": " << w << '\n';
    }
    const std::string path = ref.path();
    if (q.output == "json") {
        nlohmann::ordered_json j;
        j["out"] = q.out;
        j["format"] = "xsens";
        nlohmann::ordered_json t;
        t["path"] = path;
        t["subject"] = ref.subject_id;
        t["session"] = ref.session_start;
        t["trial"] = ref.trial_name;
        t["condition"] = q.condition.empty() ? "unspecified" : q.condition;
        nlohmann::ordered_json sensors = nlohmann::ordered_json::array();
        for (const XsensCapture& c : captures)
            sensors.push_back(sensorJson(c.report, path));
        t["sensors"] = std::move(sensors);
        j["trials"] = nlohmann::ordered_json::array({std::move(t)});
        io.out << j.dump(1) << '\n';
    } else {
        io.out << "wrote " << q.out << ": 1 trial, " << captures.size() << " sensor(s)\n"
               << "  " << path << '\n';
        for (const XsensCapture& c : captures)
            sensorText(io.out, c.report);
    }
    return kExitOk;
}

}  // namespace stance::cli
