// The live view drains app::LiveView's ring once per frame and draws decimated arrays: a 1 kHz
// stream never becomes thousands of points per series, and the values drawn are the samples'.

#include <QLineSeries>
#include <catch2/catch.hpp>
#include <cmath>

#include "gui_fixture.hpp"
#include "stance/gui/charts.hpp"
#include "stance/gui/live_view_widget.hpp"

namespace {

stance::app::LiveSample plateSample(double t, double ml_m, double ap_m) {
    stance::app::LiveSample s;
    s.t_s = t;
    s.device = 0;
    s.channels = 8;
    s.v = {0.f, 0.f, 700.f, 0.f, 0.f, 0.f, static_cast<float>(ml_m), static_cast<float>(ap_m)};
    return s;
}

double maxY(const QLineSeries& s) {
    double m = -1e300;
    for (const QPointF& p : s.points())
        m = std::max(m, p.y());
    return m;
}

}  // namespace

TEST_CASE("live view: 10 s of a 1 kHz plate stream drawn decimated, values in mm", "[gui][live]") {
    stance::test::guiApp();
    stance::gui::LiveViewWidget view;
    view.resize(1100, 480);
    view.show();
    stance::test::settle();
    const int width = view.timeSeries()->plotWidthPx();
    REQUIRE(width > 100);

    // COP ML 8 mm amplitude at 0.3 Hz, AP 5 mm at 0.2 Hz, about (2 mm, -30 mm).
    for (int i = 0; i < 10000; ++i) {
        const double t = 100.0 + i * 1e-3;
        view.model().push(plateSample(t, 0.002 + 0.008 * std::sin(2 * M_PI * 0.3 * t),
                                      -0.030 + 0.005 * std::sin(2 * M_PI * 0.2 * t)));
    }
    const double ms = view.refresh(true);
    CHECK(ms > 0.0);
    CHECK(view.frameTimes().ms.size() == 1);

    auto* chart = view.timeSeries()->chart();
    REQUIRE(chart->series().size() == 2);
    const auto* ml = qobject_cast<QLineSeries*>(chart->series().at(0));
    const auto* ap = qobject_cast<QLineSeries*>(chart->series().at(1));
    // Decimated to the screen: at most one min/max pair per pixel column, never per sample.
    CHECK(ml->count() > width / 2);
    CHECK(ml->count() <= 2 * width + 2);
    CHECK(ap->count() <= 2 * width + 2);
    // Peaks survive decimation: the drawn maximum is the signal's, in mm.
    CHECK(maxY(*ml) == Approx(10.0).margin(0.05));
    CHECK(maxY(*ap) == Approx(-25.0).margin(0.05));

    const auto* stab = view.stabilogram();
    CHECK(stab->pathPointCount() > 500);
    // app::buildLiveFrame keeps every k-th sample under its cap plus always the newest one.
    CHECK(stab->pathPointCount() <= 1001);
    CHECK(stab->ellipsePointCount() >= 72);
    // The axes hold the path about its centre (2, -30 mm), in whole 5 mm steps.
    CHECK(stab->halfRangeMm() >= 15.0);
    CHECK(std::fmod(stab->halfRangeMm(), 5.0) == Approx(0.0));

    // A frame with nothing new keeps the window and costs no new points.
    view.refresh(false);
    CHECK(ml->count() <= 2 * width + 2);
    CHECK(view.model().received() == 10000);
    CHECK(view.model().dropped() == 0);
}

TEST_CASE("live view: a stream faster than the frames fills the ring, drops are counted",
          "[gui][live]") {
    stance::test::guiApp();
    stance::gui::LiveViewWidget view;
    const std::size_t pushed = 40000;  // more than the ring holds between two frames
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < pushed; ++i)
        accepted += view.model().push(plateSample(static_cast<double>(i) * 1e-3, 0.0, 0.0)) ? 1 : 0;
    CHECK(accepted < pushed);
    CHECK(view.model().dropped() == pushed - accepted);
    view.refresh(false);
    CHECK(view.model().received() == accepted);
    // After the drain the ring takes samples again.
    CHECK(view.model().push(plateSample(100.0, 0.0, 0.0)));
    view.clear();
    CHECK(view.model().historySize() == 0);
    CHECK(view.stabilogram()->pathPointCount() == 0);
}

TEST_CASE("live view: the timer drains on its own", "[gui][live]") {
    stance::test::guiApp();
    stance::gui::LiveViewWidget view;
    view.resize(900, 400);
    view.show();
    for (int i = 0; i < 500; ++i)
        view.model().push(plateSample(i * 1e-2, 0.001 * i / 500.0, 0.0));
    view.startUpdates(10);
    REQUIRE(stance::test::waitFor([&] { return view.frameTimes().ms.size() >= 2; }, 5000));
    CHECK(view.model().received() == 500);
    CHECK(view.stabilogram()->pathPointCount() > 0);
    view.stopUpdates();
    CHECK_FALSE(view.updating());
}
