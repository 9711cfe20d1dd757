// Frame time of the live view (stance-gui's assessment screen) under a 1 kHz force-plate stream.
//
// Each frame is what the 30 ms UI timer does: drain app::LiveView's ring, build the decimated
// frame (min/max per pixel column for the COP time series, at most 1000 stabilogram points and
// the 95 % ellipse of the last 10 s), replace both charts' series, and, here, paint both charts
// synchronously (Qt would paint them at its next turn of the event loop; painting inside the
// timed region counts the whole cost). Between frames, 30 ms of samples (30 at 1 kHz, plus the
// trunk IMU's 3 at 100 Hz) are pushed into the ring, as the WebSocket handler does. The COP is
// the body-sway simulator's (devices/body_sway.hpp), so the path looks like quiet stance.
//
//   bench_live_view [frames] [width_px]     defaults: 2000 frames (60 s of stream), 1280 px
//
// Prints the median, p90, p99 and maximum frame time over the frames after a 10 s warm-up that
// fills the window. Runs offscreen (QT_QPA_PLATFORM=offscreen unless set). Never fails on timing.

#include <QApplication>
#include <QElapsedTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "stance/devices/body_sway.hpp"
#include "stance/gui/charts.hpp"
#include "stance/gui/live_view_widget.hpp"

namespace {

constexpr double kRateHz = 1000.0;
constexpr double kFrameS = 0.030;
constexpr double kWarmupS = 10.0;

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(
        std::max(1.0, std::ceil(p / 100.0 * static_cast<double>(v.size()))));
    return v[std::min(rank, v.size()) - 1];
}

}  // namespace

int main(int argc, char** argv) {
    const int frames = argc > 1 ? std::atoi(argv[1]) : 2000;
    const int width = argc > 2 ? std::atoi(argv[2]) : 1280;
    if (frames < 10 || width < 400) {
        std::fprintf(stderr, "usage: bench_live_view [frames >= 10] [width_px >= 400]\n");
        return 2;
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    // The stream: quiet stance, eyes closed on foam (the largest sway of the presets).
    const double total_s = kWarmupS + frames * kFrameS + 1.0;
    const auto n = static_cast<std::size_t>(total_s * kRateHz);
    stance::devices::BodyOptions body;
    body.condition = {stance::devices::Vision::kEyesClosed, stance::devices::Surface::kFoam};
    body.seed = 7;
    stance::devices::BodySwayModel model(body);
    std::vector<stance::app::LiveSample> plate(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRateHz;
        const stance::devices::BodyState s = model.stateAt(t);
        stance::app::LiveSample& x = plate[i];
        x.t_s = 1000.0 + t;
        x.device = 0;
        x.channels = 8;
        x.v = {static_cast<float>(s.force_n[0]),
               static_cast<float>(s.force_n[1]),
               static_cast<float>(s.force_n[2]),
               0.f,
               0.f,
               0.f,
               static_cast<float>(s.cop_m[0]),
               static_cast<float>(s.cop_m[1])};
    }

    stance::gui::LiveViewWidget view;
    view.resize(width, width * 2 / 5);
    view.show();
    QApplication::processEvents();

    std::size_t next = 0;
    auto pushUntil = [&](double t_end) {
        while (next < n && plate[next].t_s < 1000.0 + t_end) {
            view.model().push(plate[next]);
            if (next % 10 == 0) {  // the trunk IMU at 100 Hz shares the ring
                stance::app::LiveSample imu;
                imu.t_s = plate[next].t_s;
                imu.device = 1;
                imu.channels = 10;
                imu.v = {0.f, 0.f, 9.81f, 0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f};
                view.model().push(imu);
            }
            ++next;
        }
    };
    // Warm-up: fill the 10 s window, a frame every 30 ms (not timed).
    double t = 0.0;
    while (t < kWarmupS) {
        t += kFrameS;
        pushUntil(t);
        view.refresh(true);
    }
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(frames));
    QElapsedTimer wall;
    wall.start();
    for (int f = 0; f < frames; ++f) {
        t += kFrameS;
        pushUntil(t);
        ms.push_back(view.refresh(true));
    }
    const double wall_s = static_cast<double>(wall.nsecsElapsed()) / 1e9;

    std::printf(
        "live view frame time, 1 kHz plate + 100 Hz IMU stream, 30 ms frames, "
        "%d x %d px view, %d frames after %.0f s warm-up\n",
        view.width(), view.height(), frames, kWarmupS);
    std::printf(
        "  time-series plot width %d px -> at most %d points per series; stabilogram "
        "%d points, ellipse %d points\n",
        view.timeSeries()->plotWidthPx(), 2 * view.timeSeries()->plotWidthPx(),
        view.stabilogram()->pathPointCount(), view.stabilogram()->ellipsePointCount());
    std::printf(
        "  drain + frame + series replace + repaint: median %.2f ms, p90 %.2f ms, "
        "p99 %.2f ms, max %.2f ms\n",
        percentile(ms, 50), percentile(ms, 90), percentile(ms, 99), percentile(ms, 100));
    std::printf(
        "  samples received %llu, dropped by the ring %llu; %.1f frames/s back to "
        "back; the median frame takes %.0f %% of the 30 ms timer period\n",
        static_cast<unsigned long long>(view.model().received()),
        static_cast<unsigned long long>(view.model().dropped()), frames / wall_s,
        100.0 * percentile(ms, 50) / (kFrameS * 1000.0));
    return 0;
}
