#pragma once
/// \file
/// The C entry points of the report module (`stance-report-pdf.so`), which the command line
/// loads at run time so that only the commands that write a PDF load Qt. Both sides are built
/// from the same sources; the version guards against a stale module beside a newer `stance`.

#include <cstddef>

namespace stance::app {
struct ReportModel;
}

namespace stance::report {

/// Raised whenever ReportModel's layout or the entry points change.
inline constexpr int kModuleAbiVersion = 1;

/// The file name of the module, installed beside the `stance` executable.
inline constexpr const char* kModuleFileName = "stance-report-pdf.so";

}  // namespace stance::report

extern "C" {
/// Writes the report of `model` to `out` (writeReportPdf): 0 and the page count on success;
/// otherwise non-zero with the reason, which names the file, in `error` (NUL-terminated).
int stance_report_write_pdf(const stance::app::ReportModel* model, const char* out, int* pages,
                            char* error, std::size_t error_size);
/// kModuleAbiVersion of the build the module comes from.
int stance_report_abi_version();
}
