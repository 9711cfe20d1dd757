#pragma once
// The PDF report through the report module (stance-report-pdf.so, app/report/module), which is
// loaded on first use: commands that write no report never load Qt.

#include <filesystem>
#include <stdexcept>

#include "stance/app/report_model.hpp"

namespace stance::cli {

/// The module is missing or unusable, or the report could not be written; what() says which
/// file and what is wrong.
class ReportModuleError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct WrittenReport {
    std::filesystem::path file;
    int pages = 0;
};

/// Loads the module now (once per process) without writing anything, so that a command that
/// writes a report at the end of long work (`stance demo`, `stance report --demo`) says that the
/// module is missing or unusable before that work, not after it. Throws ReportModuleError.
void loadReportModule();

/// Writes the report (report::writeReportPdf, in the module). The module is looked for in
/// $STANCE_REPORT_MODULE when set (that file only), else beside the running executable, then where
/// this build put it.
/// Throws ReportModuleError.
WrittenReport writeReportPdf(const app::ReportModel& model, const std::filesystem::path& out);

}  // namespace stance::cli
