#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <ostream>

#include "command.hpp"

namespace stance::cli {

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CLI::App app{
        "Stance: vestibular and postural balance assessment. Sway metrics, clinical "
        "protocols, datasets and reports from force plates and IMUs."};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Help for every command");

    const Io io{out, err};
    Commands commands;
    addAnalyzeCommands(app, io, commands);
    addDemoCommands(app, io, commands);
    addRecordCommands(app, io, commands);
    addImportCommands(app, io, commands);
    addValidateCommands(app, io, commands);
    addBatchCommands(app, io, commands);
    addExportCommands(app, io, commands);
    addCatalogCommands(app, io, commands);
    addQuestionnaireCommands(app, io, commands);
    addNormsCommands(app, io, commands);
    addProtocolCommands(app, io, commands);
    addReportCommands(app, io, commands);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 prints help and errors itself; keep its exit codes (0 for --help).
        return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;
    }
    for (const Command& c : commands) {
        if (c.app->parsed())
            return c.run();
    }
    return kExitUsage;
}

}  // namespace stance::cli
