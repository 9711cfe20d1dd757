// `stance record`: one trial on a running stanced, the file it went to printed on stdout.

#include <chrono>
#include <cmath>
#include <memory>
#include <ostream>

#include "command.hpp"
#include "stance/acquisition/client.hpp"
#include "stance/acquisition/errors.hpp"

namespace stance::cli {

namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

struct RecordOptions {
    std::string server = "ws://127.0.0.1:8765/";
    std::string token;
    std::string condition;
    double duration_s = 30.0;
    std::string subject;
    std::string session;
    std::string tare;
    double connect_wait_s = 10.0;
};

int runRecord(const RecordOptions& o, Io io) {
    try {
        acquisition::StancedClient c(o.server, o.token);
        // Devices may still be connecting when stanced has just started.
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::duration<double>(o.connect_wait_s);
        for (;;) {
            const Json d = c.request("list_devices");
            bool any = false;
            for (const auto& dev : d["devices"])
                any = any || (dev["connected"] == true && !dev["kind"].is_null());
            if (any)
                break;
            if (std::chrono::steady_clock::now() > deadline) {
                io.err << "stance record: no device of " << o.server << " is streaming after "
                       << o.connect_wait_s << " s\n";
                return kExitFailure;
            }
            (void)c.nextEvent(200ms);
        }
        if (!o.tare.empty()) {
            const Json t = c.request("tare", {{"device", o.tare}}, 15s);
            if (t["ok"] != true) {
                io.err << "stance record: " << t["error"].get<std::string>() << '\n';
                return kExitFailure;
            }
        }
        Json start{{"condition", o.condition}, {"duration_s", o.duration_s}};
        if (!o.subject.empty())
            start["subject"] = {{"id", o.subject}};
        if (!o.session.empty())
            start["session"] = {{"id", o.session}};
        const Json r = c.request("start_trial", start);
        if (r["ok"] != true) {
            io.err << "stance record: " << r["error"].get<std::string>() << '\n';
            return kExitFailure;
        }
        io.err << "stance record: recording " << o.condition << " for " << o.duration_s << " s\n";
        const auto end =
            std::chrono::steady_clock::now() + std::chrono::duration<double>(o.duration_s + 30.0);
        while (std::chrono::steady_clock::now() < end) {
            auto e = c.nextEvent(500ms);
            if (!e)
                continue;
            const std::string name = e->value("event", "");
            if (name == "device_lost" || name == "error" || name == "gap") {
                io.err << "stance record: " << name << ": " << e->value("device", "")
                       << (e->contains("device") ? ": " : "") << e->value("reason", "") << '\n';
            } else if (name == "trial_done") {
                const std::string status = (*e)["status"];
                const std::string file = (*e)["file"];
                if (file.empty()) {
                    io.err << "stance record: the trial could not be written: "
                           << e->value("error", "") << '\n';
                    return kExitFailure;
                }
                io.out << file << '\n';
                if (status != "complete") {
                    io.err << "stance record: the trial ended " << status << " ("
                           << (*e)["trial"].value("end_reason", "") << ")\n";
                    return kExitFailure;
                }
                return kExitOk;
            }
        }
        io.err << "stance record: no trial_done from " << o.server << '\n';
        return kExitFailure;
    } catch (const acquisition::AcquisitionError& e) {
        io.err << "stance record: " << e.what() << '\n';
        return kExitFailure;
    }
}

}  // namespace

void addRecordCommands(CLI::App& app, Io io, Commands& commands) {
    auto o = std::make_shared<RecordOptions>();
    auto* cmd = app.add_subcommand(
        "record",
        "Record one trial on a running stanced and print the stance-hdf5 file it was written to "
        "(docs/stanced-protocol.md). Exit 1 when the trial does not complete.");
    cmd->add_option("--server", o->server, "stanced's address, ws://HOST:PORT/")
        ->capture_default_str();
    cmd->add_option("--token", o->token, "Access token, when stanced requires one");
    cmd->add_option("--condition", o->condition,
                    "Condition id: eo_firm, ec_firm, eo_foam, ec_foam, sot1..sot6, ...")
        ->required();
    cmd->add_option("--duration", o->duration_s, "Trial length, s")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
    cmd->add_option("--subject", o->subject, "Pseudonymous subject id (no names)");
    cmd->add_option("--session", o->session, "Session id: trials of one session share a file");
    cmd->add_option("--tare", o->tare, "Tare this device (empty plate) before the trial");
    commands.push_back({cmd, [o, io] { return runRecord(*o, io); }});
}

}  // namespace stance::cli
