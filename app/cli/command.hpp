#pragma once
/// \file
/// How a `stance` subcommand plugs into the command line: each command's file adds its CLI11
/// subcommand and the action that runs when the user chose it. `cli.cpp` lists the files.

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <vector>

namespace stance::cli {

/// Where a command writes: std::cout and std::cerr in the executable, string streams in tests.
struct Io {
    std::ostream& out;
    std::ostream& err;
};

/// Exit statuses shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  ///< the command ran and something failed (bad file...)
inline constexpr int kExitUsage = 2;    ///< the command line itself was wrong

/// A subcommand and its action. The action runs after parsing, only if `app` was parsed, and
/// returns the exit status. Options are bound to state the action's closure owns (a
/// shared_ptr), so they outlive parsing.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};
using Commands = std::vector<Command>;

// One function per command family; each lives in the file named after it.
void addAnalyzeCommands(CLI::App& app, Io io, Commands& commands);   // analyze
void addDemoCommands(CLI::App& app, Io io, Commands& commands);      // demo (the main job)
void addRecordCommands(CLI::App& app, Io io, Commands& commands);    // record
void addImportCommands(CLI::App& app, Io io, Commands& commands);    // import
void addValidateCommands(CLI::App& app, Io io, Commands& commands);  // validate
void addBatchCommands(CLI::App& app, Io io, Commands& commands);     // batch
void addExportCommands(CLI::App& app, Io io, Commands& commands);   // export metrics|signals|bundle
void addCatalogCommands(CLI::App& app, Io io, Commands& commands);  // catalog init|import|list
void addQuestionnaireCommands(CLI::App& app, Io io, Commands& commands);  // questionnaire
void addNormsCommands(CLI::App& app, Io io, Commands& commands);          // norms
void addProtocolCommands(CLI::App& app, Io io, Commands& commands);       // protocol
void addReportCommands(CLI::App& app, Io io, Commands& commands);         // report

}  // namespace stance::cli
