// `stance validate`: check files against stance-hdf5 (docs/stance-hdf5.md).

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "stance/datasets/h5_validate.hpp"

namespace stance::cli {

namespace {

struct ValidateState {
    std::vector<std::string> files;
    std::string format = "text";
};

int runValidate(const ValidateState& s, Io io) {
    int status = kExitOk;
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const auto& file : s.files) {
        const auto report = datasets::validateBundle(file);
        if (!report.ok())
            status = kExitFailure;
        if (s.format == "json") {
            nlohmann::ordered_json j;
            j["file"] = report.file;
            j["valid"] = report.ok();
            j["format_version"] = report.format_version;
            j["subjects"] = report.subjects;
            j["sessions"] = report.sessions;
            j["trials"] = report.trials;
            nlohmann::ordered_json issues = nlohmann::ordered_json::array();
            for (const auto& i : report.issues)
                issues.push_back({{"path", i.path}, {"problem", i.problem}});
            j["issues"] = std::move(issues);
            array.push_back(std::move(j));
            continue;
        }
        for (const auto& i : report.issues)
            io.out << report.file << ": " << i.path << ": " << i.problem << '\n';
        if (report.ok()) {
            io.out << report.file << ": valid stance-hdf5 version " << report.format_version << " ("
                   << report.subjects << " subjects, " << report.sessions << " sessions, "
                   << report.trials << " trials)\n";
        } else {
            io.out << report.file << ": INVALID, " << report.issues.size() << " problem"
                   << (report.issues.size() == 1 ? "" : "s") << '\n';
        }
    }
    if (s.format == "json")
        io.out << array.dump(1) << '\n';
    return status;
}

}  // namespace

void addValidateCommands(CLI::App& app, Io io, Commands& commands) {
    auto s = std::make_shared<ValidateState>();
    auto* cmd = app.add_subcommand(
        "validate",
        "Check files against the stance-hdf5 format (docs/stance-hdf5.md): every group, "
        "attribute, unit, shape and storage rule, and every chunk read back. Prints each problem "
        "as FILE: HDF5-PATH: PROBLEM. Exit 0 when every file is valid, 1 otherwise.");
    cmd->add_option("files", s->files, "stance-hdf5 files")->required();
    cmd->add_option("--format", s->format, "Output: text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    commands.push_back({cmd, [s, io] { return runValidate(*s, io); }});
}

}  // namespace stance::cli
