// The PDF report as a loadable module: `stance` opens it (dlopen) only when a command writes a
// report, so the command line does not load Qt for anything else. One C entry point, no
// exception crosses it; the model is passed as the app core's type, built by the same compiler
// in the same build.

#include <cstddef>
#include <cstring>
#include <exception>
#include <string>

#include "stance/report/module_abi.hpp"
#include "stance/report/report.hpp"

namespace {

void copyMessage(const std::string& text, char* error, std::size_t error_size) {
    if (error == nullptr || error_size == 0)
        return;
    const std::size_t n = std::min(text.size(), error_size - 1);
    std::memcpy(error, text.data(), n);
    error[n] = '\0';
}

}  // namespace

extern "C" int stance_report_write_pdf(const stance::app::ReportModel* model, const char* out,
                                       int* pages, char* error, std::size_t error_size) {
    try {
        const stance::report::PdfResult r = stance::report::writeReportPdf(*model, out);
        if (pages != nullptr)
            *pages = r.pages;
        return 0;
    } catch (const std::exception& e) {
        copyMessage(e.what(), error, error_size);
    } catch (...) {
        copyMessage(std::string(out) + ": the report could not be written", error, error_size);
    }
    return 1;
}

extern "C" int stance_report_abi_version() {
    return stance::report::kModuleAbiVersion;
}
