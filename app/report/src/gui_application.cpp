// The QGuiApplication a headless report needs for fonts and painting.

#include <sys/stat.h>
#include <unistd.h>

#include <QGuiApplication>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>

#include "stance/report/report.hpp"

namespace stance::report {

void ensureGuiApplication() {
    if (QCoreApplication::instance() != nullptr)
        return;
    // Without a display (a server, ssh, ctest) Qt's default platform plugin cannot start; the
    // offscreen plugin renders fonts and paints just the same.
    const char* display = std::getenv("DISPLAY");           // NOLINT(concurrency-mt-unsafe)
    const char* wayland = std::getenv("WAYLAND_DISPLAY");   // NOLINT(concurrency-mt-unsafe)
    const char* platform = std::getenv("QT_QPA_PLATFORM");  // NOLINT(concurrency-mt-unsafe)
    if ((platform == nullptr || *platform == '\0') && (display == nullptr || *display == '\0') &&
        (wayland == nullptr || *wayland == '\0'))
        ::setenv("QT_QPA_PLATFORM", "offscreen", 1);  // NOLINT(concurrency-mt-unsafe)
    // Without XDG_RUNTIME_DIR Qt warns on every start and then uses /tmp/runtime-<user>; name
    // that folder ourselves so that a command's stderr carries only what matters.
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");  // NOLINT(concurrency-mt-unsafe)
    if (runtime == nullptr || *runtime == '\0') {
        const std::string dir = "/tmp/runtime-" + std::to_string(::getuid());
        if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST)
            ::setenv("XDG_RUNTIME_DIR", dir.c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
    }
    // QGuiApplication keeps references to argc and argv for its whole life.
    static int argc = 1;
    static char name[] = "stance";
    static char* argv[] = {name, nullptr};
    static const std::unique_ptr<QGuiApplication> app =
        std::make_unique<QGuiApplication>(argc, argv);
}

}  // namespace stance::report
