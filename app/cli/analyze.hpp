#pragma once
/// \file
/// `stance analyze`: read trial files, preprocess, compute the full metric set, print.

#include <iosfwd>
#include <string>
#include <vector>

#include "stance/analysis/metric_table.hpp"
#include "stance/analysis/pipeline.hpp"

namespace stance::cli {

enum class OutputFormat { kTable, kJson, kCsv };

struct AnalyzeOptions {
    std::vector<std::string> files;
    analysis::Pipeline pipeline = analysis::Pipeline::kClinical;
    std::string length_unit = "mm";  ///< mm, cm or m
    OutputFormat format = OutputFormat::kTable;
    unsigned jobs = 0;  ///< worker threads; 0 = one per core (at most one per file)
};

/// One file's outcome: metrics, or the reason it could not be analysed.
struct FileResult {
    std::string file;
    std::string format;  ///< detected input format (bds, pds, csv)
    std::string error;   ///< "<file>:<line>: <problem>" when the file failed; empty otherwise
    double fs_hz = 0.0;
    long long n_samples = 0;
    analysis::MetricTable metrics;
    bool ok() const noexcept { return error.empty(); }
};

/// Analyses every file (in parallel, results in argument order). Never throws for a bad file.
std::vector<FileResult> analyzeFiles(const AnalyzeOptions& options);

/// Factor from SI to the length unit raised to the metric's length power.
double unitFactor(const std::string& length_unit, int length_power);

void writeJson(std::ostream& out, const std::vector<FileResult>& results, const AnalyzeOptions& o);
void writeCsv(std::ostream& out, const std::vector<FileResult>& results, const AnalyzeOptions& o);
void writeTable(std::ostream& out, const std::vector<FileResult>& results, const AnalyzeOptions& o);

}  // namespace stance::cli
