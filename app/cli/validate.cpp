// `stance validate`: check files against stance-hdf5 (docs/stance-hdf5.md).

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "stance/datasets/h5_validate.hpp"

namespace stance::cli {

namespace {

constexpr std::size_t kWarningsShown = 20;

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
            nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
            for (const auto& w : report.warnings)
                warnings.push_back({{"path", w.path}, {"problem", w.problem}});
            j["warnings"] = std::move(warnings);
            array.push_back(std::move(j));
            continue;
        }
        for (const auto& i : report.issues)
            io.out << report.file << ": " << i.path << ": " << i.problem << '\n';
        // A bundle written without a recommended filter warns once per signal: show the first
        // ones and count the rest (--format json lists them all).
        const std::size_t shown = std::min<std::size_t>(report.warnings.size(), kWarningsShown);
        for (std::size_t k = 0; k < shown; ++k) {
            const auto& w = report.warnings[k];
            io.out << report.file << ": " << w.path << ": warning: " << w.problem << '\n';
        }
        if (report.warnings.size() > shown)
            io.out << report.file << ": ... and " << report.warnings.size() - shown
                   << " more warning" << (report.warnings.size() - shown == 1 ? "" : "s")
                   << " (--format json lists them all)\n";
        const std::string warned = report.warnings.empty()
                                       ? std::string()
                                       : ", " + std::to_string(report.warnings.size()) +
                                             " warning" + (report.warnings.size() == 1 ? "" : "s");
        if (report.ok()) {
            io.out << report.file << ": valid stance-hdf5 version " << report.format_version << " ("
                   << report.subjects << " subjects, " << report.sessions << " sessions, "
                   << report.trials << " trials)" << warned << '\n';
        } else {
            io.out << report.file << ": INVALID, " << report.issues.size() << " problem"
                   << (report.issues.size() == 1 ? "" : "s") << warned << '\n';
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
        "as FILE: HDF5-PATH: PROBLEM, and what is recommended but absent (a signal without "
        "the Fletcher-32 checksum) as FILE: HDF5-PATH: warning: ..., which does not make the file "
        "invalid. Exit 0 when every file is valid, 1 otherwise.");
    cmd->add_option("files", s->files, "stance-hdf5 files")->required();
    cmd->add_option("--format", s->format, "Output: text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    commands.push_back({cmd, [s, io] { return runValidate(*s, io); }});
}

}  // namespace stance::cli
