#pragma once
/// \file
/// The live view's data path: the network thread pushes samples into a single-producer
/// single-consumer ring (a full ring drops the new sample and counts it, never blocks); the UI
/// drains it on a timer (~25-40 ms), keeps the last window of samples and turns it into the few
/// points the charts draw: min/max per pixel column for time series, an evenly decimated COP path
/// capped in points for the stabilogram, and the path's 95 % prediction ellipse. The UI never
/// works per sample and never replaces chart data more than once per timer tick.
///
/// Thread rules (per object): SpscRing::push and LiveView::push from the one producer thread;
/// SpscRing::drain and every other LiveView member from the one consumer (UI) thread;
/// dropped() from any thread.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stance/analysis/sway_metrics.hpp"
#include "stance/app/results.hpp"

namespace stance::app {

/// Most channels a live sample carries (an IMU sends 10: ax ay az gx gy gz qw qx qy qz).
inline constexpr std::size_t kLiveChannels = 10;

/// One sample of one device, as stanced streams it (docs/stanced-protocol.md): station time and
/// the device's channels in its order, SI units; a missing value (the COP while nobody stands
/// on the plate) is NaN. Trivially copyable.
struct LiveSample {
    double t_s = 0.0;           ///< station clock, s
    std::uint16_t device = 0;   ///< device index of the device objects
    std::uint8_t channels = 0;  ///< valid entries of v
    std::array<float, kLiveChannels> v{};
};

/// Lock-free ring for one producer and one consumer. Capacity is rounded up to a power of two.
/// push() is wait-free and O(1); drain() is O(n) in the samples taken.
template <class T>
class SpscRing {
public:
    explicit SpscRing(std::size_t capacity) {
        std::size_t c = 2;
        while (c < capacity)
            c *= 2;
        buffer_.resize(c);
        mask_ = c - 1;
    }
    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    /// Producer thread only. False (and the sample counted as dropped) when full.
    bool push(const T& value) noexcept {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        if (head - tail > mask_) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        buffer_[head & mask_] = value;
        head_.store(head + 1, std::memory_order_release);
        return true;
    }
    /// Consumer thread only: appends everything available to `out`; returns how many.
    std::size_t drain(std::vector<T>& out) {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        const std::size_t head = head_.load(std::memory_order_acquire);
        for (std::size_t i = tail; i != head; ++i)
            out.push_back(buffer_[i & mask_]);
        tail_.store(head, std::memory_order_release);
        return head - tail;
    }
    std::size_t capacity() const noexcept { return mask_ + 1; }
    /// Samples refused because the ring was full, since construction. Any thread.
    std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

private:
    std::vector<T> buffer_;
    std::size_t mask_ = 0;
    alignas(64) std::atomic<std::size_t> head_{0};  ///< next slot to write (producer)
    alignas(64) std::atomic<std::size_t> tail_{0};  ///< next slot to read (consumer)
    alignas(64) std::atomic<std::uint64_t> dropped_{0};
};

/// One time series to draw: a device's channel.
struct LiveSeriesSpec {
    std::uint16_t device = 0;
    int channel = 0;
    std::string label;   ///< "COP ML", "COP AP", "Fz"
    double scale = 1.0;  ///< display value = sample value x scale (1000 for mm)
};

struct LiveViewOptions {
    double window_s = 10.0;  ///< time shown by the series charts and kept in history
    int width_px = 800;      ///< pixel columns of the series charts: one min/max pair each
    /// The stabilogram's device and its COP channels (force plate: 6 and 7; load-cell board: 5
    /// and 6, docs/stanced-protocol.md).
    std::uint16_t cop_device = 0;
    int cop_x_channel = 6;
    int cop_y_channel = 7;
    double stabilogram_window_s = 10.0;  ///< COP path shown (latest part of the window)
    std::size_t max_stabilogram_points = 1000;
    int ellipse_points = 72;
    std::vector<LiveSeriesSpec> series;  ///< default: COP ML and AP in mm of the cop device
};

/// What one frame of the charts draws.
struct LiveFrame {
    struct Series {
        std::string label;
        /// x = time relative to the newest sample (s, from -window_s to 0), y = display value;
        /// per pixel column its minimum then its maximum (in time order of their occurrence),
        /// so a polyline through them shows every peak. At most 2 x width_px points.
        std::vector<PlotPoint> points;
        std::optional<double> latest;  ///< newest finite value
    };
    std::vector<Series> series;
    /// COP path (m, plate frame, absolute), evenly decimated, NaN samples left out.
    std::vector<PlotPoint> stabilogram_m;
    std::optional<analysis::PredictionEllipse> ellipse;  ///< of the stabilogram window
    std::vector<PlotPoint> ellipse_m;                    ///< outline about the path's mean
    double t_end_s = 0.0;                                ///< newest sample time
    std::size_t samples = 0;  ///< samples of the window that went into the frame
};

/// Turns a window of samples (time order) into a frame. Pure; O(n) in the samples plus
/// O(width_px). Samples of other devices than the ones named in `options` are ignored.
LiveFrame buildLiveFrame(std::span<const LiveSample> samples, const LiveViewOptions& options);

/// The live view's state: a ring fed by the network thread and the UI's window of history.
class LiveView {
public:
    explicit LiveView(LiveViewOptions options = {}, std::size_t ring_capacity = 16384);

    /// Producer (network) thread. False when the ring was full (counted).
    bool push(const LiveSample& s) noexcept { return ring_.push(s); }

    /// UI thread, on its timer: drains the ring into the history (trimmed to the window) and
    /// builds the frame. Returns the frame.
    const LiveFrame& update();
    /// UI thread: forgets the history (a new trial).
    void clear();
    /// UI thread: the options (a resized chart changes width_px).
    void setOptions(LiveViewOptions options);
    const LiveViewOptions& options() const noexcept { return options_; }
    const LiveFrame& frame() const noexcept { return frame_; }
    std::size_t historySize() const noexcept { return history_.size() - history_begin_; }
    std::uint64_t dropped() const noexcept { return ring_.dropped(); }
    std::uint64_t received() const noexcept { return received_; }

private:
    LiveViewOptions options_;
    SpscRing<LiveSample> ring_;
    std::vector<LiveSample> drained_;
    std::vector<LiveSample> history_;  ///< [history_begin_, end) is the window
    std::size_t history_begin_ = 0;
    LiveFrame frame_;
    std::uint64_t received_ = 0;
};

}  // namespace stance::app
