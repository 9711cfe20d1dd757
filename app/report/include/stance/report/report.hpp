#pragma once
/// \file
/// The session report as a PDF (QPdfWriter and QPainter; QtGui only, no widgets), drawn from
/// app::ReportModel: patient header, results against the norms with inside / outside colours and
/// the source, the stabilograms of the conditions side by side with their ellipses, the
/// questionnaire scores, the progress charts with the baseline's MCID / MDC band, and the
/// interpretation lines. Charts are drawn with QPainter in vector form (print quality).
///
/// Headless: when no QGuiApplication exists, one is created on the calling thread with the
/// "offscreen" platform (QT_QPA_PLATFORM is set to offscreen when there is no display). Call from
/// the thread that owns (or will own) the application object.

#include <filesystem>
#include <stdexcept>
#include <string>

#include "stance/app/report_model.hpp"

namespace stance::report {

/// Thrown when the report cannot be written; what() names the output file.
class ReportError : public std::runtime_error {
public:
    ReportError(const std::filesystem::path& out, const std::string& problem)
        : std::runtime_error(out.string() + ": " + problem) {}
};

struct PdfResult {
    std::filesystem::path file;
    int pages = 0;
};

/// Number of pages writeReportPdf produces for `model` (the layout is fixed: results, then
/// stabilograms and questionnaires, then progress when there are at least two sessions).
int reportPageCount(const app::ReportModel& model);

/// Writes the PDF under a temporary name in the destination's folder and renames it into place:
/// a failure leaves no file behind and an existing destination untouched. Throws ReportError
/// (unwritable folder, painter failure).
PdfResult writeReportPdf(const app::ReportModel& model, const std::filesystem::path& out);

/// Creates the QGuiApplication when none exists (offscreen without a display). Idempotent.
void ensureGuiApplication();

}  // namespace stance::report
