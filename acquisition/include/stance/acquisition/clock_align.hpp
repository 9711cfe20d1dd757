#pragma once
/// \file
/// One timeline for every device: a device's own clock mapped onto the host steady clock.
///
/// Model: a sample taken at device time d reaches the host at h = a + b d + delay, with delay >= 0
/// (transport, buffering, scheduling). The lower envelope of the (d, h) pairs is therefore the
/// clock map h = a + b d plus the smallest delay, the same for every sample of a link. The aligner
/// keeps, for each window of device time, the sample with the smallest residual h - b d, and fits
/// a straight line through the last of these window minima by least squares, twice, the second
/// time without the minima that sit far above the first line (a window in which every sample was
/// late: an OS stall). Offset and drift are free: b - 1 is the drift (ppm scale), a the offset.
///
/// Why a lower envelope and not a plain regression: receive delays are one-sided and bursty, so
/// their mean moves with load; their minimum does not (Paxson 1998, "On calibrating measurements
/// of packet transit times", SIGMETRICS; the same idea as NTP's minimum-delay filter).
///
/// Threading: one aligner per device, used by that device's strand only.

#include <cstdint>
#include <deque>

namespace stance::acquisition {

struct ClockAlignOptions {
    double window_s = 0.5;     ///< device time per window minimum
    int max_points = 240;      ///< window minima kept for the fit (120 s at the default)
    int min_points_drift = 8;  ///< below this many minima, only the offset is fitted (b = 1)
    /// A fitted |drift| above this is not a clock but a fault (a restarted device, a wrong
    /// rate): the aligner keeps b = 1.
    double max_drift_ppm = 2000.0;
};

class ClockAligner {
public:
    explicit ClockAligner(ClockAlignOptions options = {});

    /// One sample: its device time (s) and the host steady-clock time (ns) its bytes arrived.
    void observe(double device_s, std::int64_t host_ns);
    /// Forget everything (the device restarted and its clock with it).
    void reset();

    /// Host steady-clock time (ns) at which device time `device_s` happened; the clock map minus
    /// nothing: includes the link's smallest delay. Precondition: observed() at least once.
    double hostNs(double device_s) const;
    /// hostNs() for a stream of samples in device-time order, slewed: the fit is refined as
    /// minima accumulate and may move earlier; the mapped times then run at most `max_slew` slow
    /// until they meet the fit again, so they never go backwards (NTP's slewing instead of a
    /// step). Forward corrections apply at once.
    std::int64_t mapNs(double device_s, double max_slew = 0.05);
    bool observed() const noexcept { return have_origin_; }
    /// Fitted drift of the device clock against the host, parts per million: positive when the
    /// device clock runs fast (more device seconds per host second).
    double driftPpm() const noexcept { return (1.0 / slope_ - 1.0) * 1e6; }
    /// Number of window minima in the current fit.
    int points() const noexcept { return static_cast<int>(minima_.size()); }

private:
    struct Point {
        double d;  ///< device time relative to the origin, s
        double h;  ///< host time relative to the origin, s
    };
    void closeWindow();
    void fit();

    ClockAlignOptions options_;
    bool have_origin_ = false;
    double d0_ = 0.0;         ///< device-time origin, s
    std::int64_t h0_ = 0;     ///< host-time origin, ns
    double slope_ = 1.0;      ///< host s per device s
    double intercept_ = 0.0;  ///< host s at device origin (relative)
    bool window_open_ = false;
    double window_start_ = 0.0;
    Point window_best_{};
    double window_best_residual_ = 0.0;
    std::deque<Point> minima_;
    bool have_mapped_ = false;
    double mapped_device_s_ = 0.0;
    double mapped_ns_ = 0.0;
};

}  // namespace stance::acquisition
