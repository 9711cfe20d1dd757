// `stance import`: public and vendor recordings into one stance-hdf5 bundle.

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "command.hpp"
#include "import_xsens.hpp"
#include "stance/datasets/importers.hpp"

namespace stance::cli {

namespace {

struct ImportState {
    std::string format;
    std::string info;
    std::string out;
    std::vector<std::string> files;
    std::string subject = "unknown";
    std::string condition;
    std::string session_start;
    std::string plate_axes;
    std::string columns;
    std::string delimiter = ",";
    std::size_t skip_rows = 0;
    bool no_header = false;
    double rate_hz = 0.0;
    bool force = false;
    std::string output = "json";
    std::vector<std::string> sensors;  // xsens
    bool shared_clock = false;         // xsens
};

int usage(Io io, const std::string& message) {
    io.err << "stance import: " << message << "\nRun 'stance import --help' for the options.\n";
    return kExitUsage;
}

int runImport(const ImportState& s, Io io) {
    using datasets::ImportFormat;
    datasets::ImportOptions o;
    const bool xsens = s.format == "xsens";  // device captures, not trial files: import_xsens.cpp
    if (!xsens)
        o.format = *datasets::parseImportFormat(s.format);
    const bool metadata_format =
        !xsens && (o.format == ImportFormat::kBds || o.format == ImportFormat::kPds);
    if (!s.info.empty()) {
        if (!metadata_format)
            return usage(io, "--info is read only with --format bds or pds");
        o.info = s.info;
    }
    if (const auto bad = datasets::checkGroupName("--subject", s.subject); !bad.empty())
        return usage(io, bad);
    o.subject_id = s.subject;
    for (char c : s.condition) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return usage(io, "--condition '" + s.condition +
                                 "' must be lower-case letters, digits and '_' (e.g. eo_firm)");
    }
    o.condition = s.condition;
    if (!s.session_start.empty() && !datasets::isIsoTimestamp(s.session_start))
        return usage(io, "--session-start '" + s.session_start +
                             "' is not ISO 8601 (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[Z])");
    o.session_start = s.session_start;
    if (!s.plate_axes.empty()) {
        if (xsens)
            return usage(io, "--plate-axes does not apply to xsens: IMU signals keep sensor axes");
        if (metadata_format)
            return usage(io,
                         "--plate-axes does not apply to bds or pds: their mapping is fixed "
                         "(docs/stance-hdf5.md)");
        try {
            o.axes = datasets::PlateAxes::parse(s.plate_axes);
        } catch (const std::invalid_argument& e) {
            return usage(io, std::string("--plate-axes: ") + e.what());
        }
    }
    if (o.format == ImportFormat::kCsv) {
        if (s.columns.empty())
            return usage(io,
                         "--format csv needs --columns, e.g. time:s,fx:N,fy:N,fz:N,mx:N.m,"
                         "my:N.m,mz:N.m");
        try {
            o.csv = datasets::CsvLayout::parse(s.columns);
        } catch (const std::invalid_argument& e) {
            return usage(io, std::string("--columns: ") + e.what());
        }
        if (s.delimiter == "tab" || s.delimiter == "\\t") {
            o.csv.delimiter = '\t';
        } else if (s.delimiter.size() == 1) {
            o.csv.delimiter = s.delimiter[0];
        } else {
            return usage(io, "--delimiter '" + s.delimiter + "' must be one character or 'tab'");
        }
        o.csv.skip_rows = s.skip_rows;
        o.csv.header = !s.no_header;
        o.csv.rate_hz = s.rate_hz;
    } else if (!s.columns.empty() || (s.rate_hz != 0.0 && !xsens) || s.no_header ||
               s.skip_rows != 0) {
        return usage(io,
                     "--columns, --delimiter, --skip-rows, --no-header and --rate-hz are for "
                     "--format csv (--rate-hz also for xsens)");
    }
    if (xsens) {
        XsensImportRequest q;
        q.out = s.out;
        q.files = s.files;
        q.sensors = s.sensors;
        q.subject = s.subject;
        q.condition = s.condition;
        q.session_start = s.session_start;
        q.rate_hz = s.rate_hz;
        q.shared_clock = s.shared_clock;
        q.force = s.force;
        q.output = s.output;
        return runXsensImport(q, io);
    }
    if (!s.sensors.empty() || s.shared_clock)
        return usage(io, "--sensor and --shared-clock are for --format xsens");

    datasets::WriteOptions w;
    w.overwrite = s.force;
    std::vector<std::filesystem::path> files(s.files.begin(), s.files.end());
    std::vector<datasets::ImportSummaryItem> summary;
    try {
        summary = datasets::importFiles(files, s.out, o, w);
    } catch (const datasets::DatasetError& e) {
        io.err << "stance import: " << e.what() << "\nstance import: nothing written to " << s.out
               << '\n';
        return kExitFailure;
    }
    if (s.output == "json") {
        nlohmann::ordered_json j;
        j["out"] = s.out;
        j["format"] = s.format;
        nlohmann::ordered_json trials = nlohmann::ordered_json::array();
        for (const auto& t : summary) {
            nlohmann::ordered_json r;
            r["file"] = t.file;
            r["path"] = t.ref.path();
            r["subject"] = t.ref.subject_id;
            r["session"] = t.ref.session_start;
            r["trial"] = t.ref.trial_name;
            r["condition"] = t.condition;
            r["samples"] = t.samples;
            r["gaps"] = t.gaps;
            trials.push_back(std::move(r));
        }
        j["trials"] = std::move(trials);
        io.out << j.dump(1) << '\n';
    } else {
        io.out << "wrote " << s.out << ": " << summary.size() << " trial(s)\n";
        for (const auto& t : summary) {
            io.out << "  " << t.ref.path() << "  <- " << t.file << "  (" << t.condition << ", "
                   << t.samples << " samples, " << t.gaps << " gaps)\n";
        }
    }
    return kExitOk;
}

}  // namespace

void addImportCommands(CLI::App& app, Io io, Commands& commands) {
    auto s = std::make_shared<ImportState>();
    auto* cmd = app.add_subcommand(
        "import",
        "Import recordings into one stance-hdf5 bundle (docs/stance-hdf5.md), all or nothing. "
        "Formats: bds (Santos & Duarte 2016 BDSnnnnn.txt, --info BDSinfo.txt), pds (dos Santos "
        "2017 PDSnnXXngrf.txt, --info PDSinfo.txt), motive (OptiTrack Motive force-plate CSV), "
        "amti-bsf (AMTI NetForce .bsf version 105), csv (columns declared with --columns). Each "
        "trial's forceplate/cop is in metres in the plate frame (x ML, y AP). xsens: raw Xsens "
        "MTi captures (the bytes of the port, as MT Manager or a serial logger saved them), one "
        "file per sensor, all into one trial: imu/<sensor> and raw/<sensor> with time from "
        "SampleTimeFine, PacketCounter, gaps, and what was skipped. Prints a JSON summary.");
    cmd->add_option("--format", s->format, "Input format: bds, pds, motive, amti-bsf, csv or xsens")
        ->required()
        ->check(CLI::IsMember({"bds", "pds", "motive", "amti-bsf", "csv", "xsens"}));
    cmd->add_option("--out", s->out, "The bundle to write (HDF5)")->required();
    cmd->add_option("files", s->files, "Source files")->required();
    cmd->add_option("--info", s->info, "Metadata file: BDSinfo.txt (bds) or PDSinfo.txt (pds)");
    cmd->add_option("--subject", s->subject,
                    "Subject id for sources without subject metadata (a pseudonym)")
        ->capture_default_str();
    cmd->add_option("--condition", s->condition,
                    "Condition of every trial (eo_firm, ec_foam, ...), overriding the source");
    cmd->add_option("--session-start", s->session_start,
                    "ISO 8601 start of the session for sources without a date");
    cmd->add_option("--plate-axes", s->plate_axes,
                    "Device axes giving plate x (ML), y (AP), z (up), e.g. 'x,-y,-z,action' "
                    "(motive, amti-bsf, csv)");
    cmd->add_option("--columns", s->columns,
                    "csv: every column as role:unit, e.g. time:s,fx:N,fy:N,fz:N,mx:N.m,my:N.m,"
                    "mz:N.m or t:ms,-,copx:mm,copy:mm ('-' skips a column)");
    cmd->add_option("--delimiter", s->delimiter, "csv: cell separator (one character or 'tab')")
        ->capture_default_str();
    cmd->add_option("--skip-rows", s->skip_rows, "csv: lines to skip before the header");
    cmd->add_flag("--no-header", s->no_header, "csv: the file has no header line");
    cmd->add_option("--rate-hz", s->rate_hz,
                    "csv: sample rate when there is no time column; xsens: message rate, to "
                    "time samples from PacketCounter instead of SampleTimeFine");
    cmd->add_option("--sensor", s->sensors,
                    "xsens: sensor names, one per capture in order (default: the file stems)")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_flag("--shared-clock", s->shared_clock,
                  "xsens: the devices share one SampleTimeFine clock (e.g. synchronised MTis): "
                  "align the sensors on it instead of starting each at its first sample");
    cmd->add_flag("--force", s->force, "Replace an existing --out file (atomically)");
    cmd->add_option("--output", s->output, "Summary: json or text")
        ->check(CLI::IsMember({"json", "text"}))
        ->capture_default_str();
    commands.push_back({cmd, [s, io] { return runImport(*s, io); }});
}

}  // namespace stance::cli
