// `stance protocol`: the built-in clinical protocols as data (list, show a schedule).

#include "stance/analysis/protocol.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "command.hpp"

namespace stance::cli {

namespace {

namespace an = stance::analysis;

std::vector<std::string> protocolIds() {
    std::vector<std::string> ids;
    for (const an::Protocol& p : an::builtinProtocols())
        ids.push_back(p.id);
    return ids;
}

nlohmann::ordered_json protocolJson(const an::Protocol& p, bool with_schedule) {
    nlohmann::ordered_json j;
    j["id"] = p.id;
    j["name"] = p.name;
    j["version"] = p.version;
    j["scoring"] = std::string(an::scoringMethodName(p.scoring));
    j["repetitions"] = p.repetitions;
    j["trial_duration_s"] = p.trial_duration_s;
    j["rest_s"] = p.rest_s;
    j["total_duration_s"] = p.totalDurationS();
    j["instructions"] = p.instructions;
    j["source"] = p.source;
    nlohmann::ordered_json conds = nlohmann::ordered_json::array();
    for (const an::Condition& c : p.conditions) {
        nlohmann::ordered_json k;
        k["id"] = c.id;
        k["label"] = c.label;
        k["vision"] = std::string(an::visionName(c.vision));
        k["support"] = std::string(an::supportName(c.support));
        k["stance"] = std::string(an::stanceName(c.stance));
        if (c.direction_deg)
            k["direction_deg"] = *c.direction_deg;
        k["instructions"] = c.instructions;
        conds.push_back(std::move(k));
    }
    j["conditions"] = std::move(conds);
    if (with_schedule) {
        nlohmann::ordered_json steps = nlohmann::ordered_json::array();
        for (const an::ProtocolStep& s : p.schedule())
            steps.push_back({{"index", s.index},
                             {"condition", s.condition},
                             {"repetition", s.repetition},
                             {"duration_s", s.duration_s},
                             {"rest_after_s", s.rest_after_s}});
        j["schedule"] = std::move(steps);
    }
    return j;
}

}  // namespace

void addProtocolCommands(CLI::App& app, Io io, Commands& commands) {
    auto* protocol = app.add_subcommand(
        "protocol",
        "The built-in clinical protocols: conditions, repetitions, durations, rests "
        "and sources (docs/clinical.md)");
    protocol->require_subcommand(1);
    auto* list = protocol->add_subcommand("list", "List the built-in protocols (JSON)");
    commands.push_back({list, [io] {
                            nlohmann::ordered_json all = nlohmann::ordered_json::array();
                            for (const an::Protocol& p : an::builtinProtocols())
                                all.push_back(protocolJson(p, false));
                            io.out << all.dump(1) << '\n';
                            return kExitOk;
                        }});
    auto id = std::make_shared<std::string>();
    auto* show = protocol->add_subcommand(
        "show", "One protocol with its ordered schedule of trials and rests (JSON)");
    show->add_option("id", *id, "Protocol id")->required()->check(CLI::IsMember(protocolIds()));
    commands.push_back({show, [id, io] {
                            io.out << protocolJson(*an::findProtocol(*id), true).dump(1) << '\n';
                            return kExitOk;
                        }});
}

}  // namespace stance::cli
