#include "analyze.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "command.hpp"
#include "stance/analysis/metrics.hpp"
#include "stance/datasets/trial_text.hpp"

namespace stance::cli {

namespace {

FileResult analyzeOne(const std::string& file, const AnalyzeOptions& o) {
    FileResult r;
    r.file = file;
    try {
        const auto trial = datasets::readTrialText(file);
        r.format = std::string(datasets::trialFormatName(trial.format));
        auto trace = analysis::preprocess(trial.recording, o.pipeline);
        if (!trace) {
            r.error = file + ": cannot preprocess with pipeline '" +
                      std::string(analysis::pipelineName(o.pipeline)) +
                      "': " + trace.error().message;
            return r;
        }
        r.fs_hz = trace->fs_hz;
        r.n_samples = static_cast<long long>(trace->xy_m.rows());
        r.metrics = analysis::computeAllMetrics(*trace);
    } catch (const datasets::DatasetError& e) {
        r.error = e.what();
    } catch (const std::exception& e) {
        r.error = file + ": " + e.what();
    }
    return r;
}

std::string formatValue(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

double unitFactor(const std::string& length_unit, int length_power) {
    const double per_metre = length_unit == "mm" ? 1000.0 : (length_unit == "cm" ? 100.0 : 1.0);
    return std::pow(per_metre, length_power);
}

std::vector<FileResult> analyzeFiles(const AnalyzeOptions& options) {
    const std::size_t n = options.files.size();
    std::vector<FileResult> results(n);
    unsigned workers =
        options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    workers = static_cast<unsigned>(std::min<std::size_t>(workers, n));
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
        for (std::size_t i = next++; i < n; i = next++)
            results[i] = analyzeOne(options.files[i], options);
    };
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < workers; ++w)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    return results;
}

void writeJson(std::ostream& out, const std::vector<FileResult>& results, const AnalyzeOptions& o) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const auto& r : results) {
        nlohmann::ordered_json j;
        j["file"] = r.file;
        j["pipeline"] = std::string(analysis::pipelineName(o.pipeline));
        if (!r.ok()) {
            j["error"] = r.error;
            array.push_back(std::move(j));
            continue;
        }
        j["format"] = r.format;
        j["fs_hz"] = r.fs_hz;
        j["n_samples"] = r.n_samples;
        j["algorithm_version"] = analysis::kAlgorithmVersion;
        j["length_unit"] = o.length_unit;
        nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
        for (const auto& m : r.metrics.entries()) {
            nlohmann::ordered_json v;
            if (m.ok()) {
                v["value"] = m.value * unitFactor(o.length_unit, m.unit.length_power);
            } else {
                v["value"] = nullptr;
            }
            v["unit"] = m.unit.label(o.length_unit);
            if (!m.ok())
                v["error"] = m.error;
            metrics[m.name] = std::move(v);
        }
        j["metrics"] = std::move(metrics);
        array.push_back(std::move(j));
    }
    out << array.dump(1) << '\n';
}

void writeCsv(std::ostream& out, const std::vector<FileResult>& results, const AnalyzeOptions& o) {
    const FileResult* first = nullptr;
    for (const auto& r : results) {
        if (r.ok()) {
            first = &r;
            break;
        }
    }
    out << "file,pipeline,fs_hz,n_samples";
    if (first != nullptr) {
        for (const auto& m : first->metrics.entries())
            out << ',' << m.name;
    }
    out << '\n';
    out << std::setprecision(17);
    for (const auto& r : results) {
        if (!r.ok())
            continue;  // reported on stderr; a row of blanks would look like data
        out << '"' << r.file << "\"," << analysis::pipelineName(o.pipeline) << ',' << r.fs_hz << ','
            << r.n_samples;
        for (const auto& m : first->metrics.entries()) {
            out << ',';
            const analysis::Metric* v = r.metrics.find(m.name);
            if (v != nullptr && v->ok())
                out << v->value * unitFactor(o.length_unit, v->unit.length_power);
        }
        out << '\n';
    }
}

void writeTable(std::ostream& out, const std::vector<FileResult>& results,
                const AnalyzeOptions& o) {
    for (const auto& r : results) {
        if (!r.ok())
            continue;
        out << r.file << "  (" << r.format << ", pipeline " << analysis::pipelineName(o.pipeline)
            << ", " << r.n_samples << " samples at " << formatValue(r.fs_hz) << " Hz)\n";
        for (const auto& m : r.metrics.entries()) {
            out << "  " << std::left << std::setw(52) << m.name;
            if (m.ok()) {
                out << std::right << std::setw(14)
                    << formatValue(m.value * unitFactor(o.length_unit, m.unit.length_power)) << "  "
                    << m.unit.label(o.length_unit) << '\n';
            } else {
                out << std::right << std::setw(14) << "-"
                    << "  " << m.error << '\n';
            }
        }
        out << '\n';
    }
}

namespace {

int runAnalyze(const AnalyzeOptions& o, Io io) {
    const auto results = analyzeFiles(o);
    int status = kExitOk;
    for (const auto& r : results) {
        if (!r.ok()) {
            io.err << "stance: " << r.error << '\n';
            status = kExitFailure;
        }
    }
    switch (o.format) {
        case OutputFormat::kJson:
            writeJson(io.out, results, o);
            break;
        case OutputFormat::kCsv:
            writeCsv(io.out, results, o);
            break;
        case OutputFormat::kTable:
            writeTable(io.out, results, o);
            break;
    }
    return status;
}

}  // namespace

void addAnalyzeCommands(CLI::App& app, Io io, Commands& commands) {
    struct State {
        AnalyzeOptions options;
        std::string pipeline = "clinical";
        std::string format = "table";
    };
    auto s = std::make_shared<State>();
    auto* cmd = app.add_subcommand(
        "analyze",
        "Compute the full sway metric set of trial files: Santos & Duarte 2016 (BDSnnnnn.txt), dos "
        "Santos 2017 GRF (PDS...grf.txt), or CSV with a header naming time and the COP axes with "
        "their unit (time,ml_mm,ap_mm). Lengths in --units (areas in its square, velocities per "
        "second); frequencies in Hz, times in s, angles in degrees. Definitions: docs/metrics.md.");
    cmd->add_option("files", s->options.files, "Trial files")->required()->check(CLI::ExistingFile);
    cmd->add_option("--pipeline", s->pipeline, "Preprocessing: raw, quijoux2021 or clinical")
        ->check(CLI::IsMember({"raw", "quijoux2021", "clinical"}))
        ->capture_default_str();
    cmd->add_option("--units", s->options.length_unit, "Length unit of the output: mm, cm or m")
        ->check(CLI::IsMember({"mm", "cm", "m"}))
        ->capture_default_str();
    cmd->add_option("--format", s->format, "Output: table, json or csv")
        ->check(CLI::IsMember({"table", "json", "csv"}))
        ->capture_default_str();
    cmd->add_option("--jobs", s->options.jobs, "Worker threads (default: one per core)");
    commands.push_back({cmd, [s, io] {
                            s->options.pipeline = *analysis::parsePipeline(s->pipeline);
                            s->options.format = s->format == "json"
                                                    ? OutputFormat::kJson
                                                    : (s->format == "csv" ? OutputFormat::kCsv
                                                                          : OutputFormat::kTable);
                            return runAnalyze(s->options, io);
                        }});
}

}  // namespace stance::cli
