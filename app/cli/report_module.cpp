#include "report_module.hpp"

#include <dlfcn.h>

#include <array>
#include <cstdlib>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "stance/report/module_abi.hpp"

namespace stance::cli {

namespace fs = std::filesystem;

namespace {

using WriteFn = int (*)(const app::ReportModel*, const char*, int*, char*, std::size_t);
using VersionFn = int (*)();

std::vector<fs::path> candidates() {
    std::vector<fs::path> out;
    // Named explicitly: that file and no other.
    if (const char* env = std::getenv("STANCE_REPORT_MODULE"); env != nullptr && *env != '\0') {
        out.emplace_back(env);  // NOLINT(concurrency-mt-unsafe): read once, under the mutex
        return out;
    }
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        out.push_back(self.parent_path() / report::kModuleFileName);
#ifdef STANCE_REPORT_MODULE_BUILD_PATH
    out.emplace_back(STANCE_REPORT_MODULE_BUILD_PATH);
#endif
    return out;
}

/// The module's entry point, loaded once per process (never unloaded: Qt stays up until exit).
WriteFn loadWriter() {
    static std::mutex mutex;
    static WriteFn writer = nullptr;
    const std::lock_guard lock(mutex);
    if (writer != nullptr)
        return writer;
    std::string tried;
    for (const fs::path& path : candidates()) {
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            tried += "\n  " + path.string() + ": not there";
            continue;
        }
        void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            const char* why = ::dlerror();
            throw ReportModuleError("report module " + path.string() + ": cannot be loaded: " +
                                    (why != nullptr ? why : "unknown error"));
        }
        auto version = reinterpret_cast<VersionFn>(::dlsym(handle, "stance_report_abi_version"));
        auto write = reinterpret_cast<WriteFn>(::dlsym(handle, "stance_report_write_pdf"));
        if (version == nullptr || write == nullptr) {
            throw ReportModuleError("report module " + path.string() +
                                    ": not a Stance report module (entry points missing)");
        }
        if (version() != report::kModuleAbiVersion) {
            throw ReportModuleError("report module " + path.string() + ": built for interface " +
                                    std::to_string(version()) + ", this stance needs " +
                                    std::to_string(report::kModuleAbiVersion) +
                                    " (rebuild or reinstall both)");
        }
        writer = write;
        return writer;
    }
    throw ReportModuleError(
        std::string("the report module ") + report::kModuleFileName +
        " was not found (set STANCE_REPORT_MODULE to its path); looked in:" + tried);
}

}  // namespace

void loadReportModule() {
    (void)loadWriter();
}

WrittenReport writeReportPdf(const app::ReportModel& model, const fs::path& out) {
    const WriteFn write = loadWriter();
    std::array<char, 2048> error{};
    int pages = 0;
    if (write(&model, out.c_str(), &pages, error.data(), error.size()) != 0)
        throw ReportModuleError(error.data());
    return {out, pages};
}

}  // namespace stance::cli
