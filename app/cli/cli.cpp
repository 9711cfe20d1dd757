#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "analyze.hpp"

#ifndef STANCE_DATA_DIR
#error "STANCE_DATA_DIR must point at the repository's datasets/ folder"
#endif

namespace stance::cli {

namespace {

int runAnalyze(const AnalyzeOptions& o, std::ostream& out, std::ostream& err) {
    const auto results = analyzeFiles(o);
    int status = 0;
    for (const auto& r : results) {
        if (!r.ok()) {
            err << "stance: " << r.error << '\n';
            status = 1;
        }
    }
    switch (o.format) {
        case OutputFormat::kJson:
            writeJson(out, results, o);
            break;
        case OutputFormat::kCsv:
            writeCsv(out, results, o);
            break;
        case OutputFormat::kTable:
            writeTable(out, results, o);
            break;
    }
    return status;
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CLI::App app{"Stance: postural balance assessment. Sway metrics from force-plate recordings."};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Help for every command");

    AnalyzeOptions analyze;
    std::string pipeline = "clinical";
    std::string format = "table";
    auto* cmd = app.add_subcommand(
        "analyze",
        "Compute the full sway metric set of trial files: Santos & Duarte 2016 (BDSnnnnn.txt), dos "
        "Santos 2017 GRF (PDS...grf.txt), or CSV with a header naming time and the COP axes with "
        "their unit (time,ml_mm,ap_mm). Lengths in --units (areas in its square, velocities per "
        "second); frequencies in Hz, times in s, angles in degrees. Definitions: docs/metrics.md.");
    cmd->add_option("files", analyze.files, "Trial files")->required()->check(CLI::ExistingFile);
    cmd->add_option("--pipeline", pipeline, "Preprocessing: raw, quijoux2021 or clinical")
        ->check(CLI::IsMember({"raw", "quijoux2021", "clinical"}))
        ->capture_default_str();
    cmd->add_option("--units", analyze.length_unit, "Length unit of the output: mm, cm or m")
        ->check(CLI::IsMember({"mm", "cm", "m"}))
        ->capture_default_str();
    cmd->add_option("--format", format, "Output: table, json or csv")
        ->check(CLI::IsMember({"table", "json", "csv"}))
        ->capture_default_str();
    cmd->add_option("--jobs", analyze.jobs, "Worker threads (default: one per core)");

    auto* demo = app.add_subcommand(
        "demo",
        "The main job: analyse a real 60 s quiet-standing trial shipped with Stance and print "
        "its full metric set (clinical pipeline)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 prints help and errors itself; keep its exit codes (0 for --help).
        return app.exit(e, out, err) == 0 ? 0 : 2;
    }

    if (cmd->parsed()) {
        analyze.pipeline = *analysis::parsePipeline(pipeline);
        analyze.format = format == "json"
                             ? OutputFormat::kJson
                             : (format == "csv" ? OutputFormat::kCsv : OutputFormat::kTable);
        return runAnalyze(analyze, out, err);
    }
    if (demo->parsed()) {
        AnalyzeOptions d;
        d.files = {std::string(STANCE_DATA_DIR) +
                   "/public/bds_santos_duarte_2016/data/BDS00001.txt"};
        out << "Stance demo: Santos & Duarte 2016 trial BDS00001 (subject 1, 33 y, eyes open, firm "
               "surface, 60 s at 100 Hz; CC BY 4.0, doi:10.7717/peerj.2648)\n\n";
        return runAnalyze(d, out, err);
    }
    return 2;
}

}  // namespace stance::cli
