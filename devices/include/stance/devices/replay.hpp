#pragma once
/// \file
/// Replayed devices: a recorded or imported trial, held in memory, played out as device samples
/// at its own timestamps. Pacing in real time is the caller's (it owns the clock): it asks for
/// nextTime() and calls next() when that time has come. No threads, no I/O.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "stance/devices/errors.hpp"
#include "stance/devices/samples.hpp"

namespace stance::devices {

/// Plays `samples` in order. Each sample's stamp.device_time_s is its recorded time (s from the
/// trial start); next() returns it with the replay's own counter (0, 1, 2, ...) and, when looping,
/// the time shifted by one trial length per pass (trial length = last time - first time + one
/// median sample period), so the replayed clock never goes backwards.
template <class Sample>
class ReplayDevice {
public:
    /// Throws DeviceError when `samples` is empty or its times are not finite and increasing.
    explicit ReplayDevice(std::vector<Sample> samples, bool loop = false)
        : samples_(std::move(samples)), loop_(loop) {
        if (samples_.empty())
            throw DeviceError("replay", "the trial holds no samples");
        for (std::size_t i = 0; i < samples_.size(); ++i) {
            const double t = samples_[i].stamp.device_time_s;
            if (!std::isfinite(t))
                throw DeviceError("replay", "sample " + std::to_string(i) + " has no time");
            if (i > 0 && !(t > samples_[i - 1].stamp.device_time_s)) {
                throw DeviceError("replay", "sample " + std::to_string(i) + " at " +
                                                std::to_string(t) +
                                                " s does not come after the one before it");
            }
        }
        const std::size_t n = samples_.size();
        double period = 0.0;
        if (n > 1) {
            std::vector<double> dt(n - 1);
            for (std::size_t i = 1; i < n; ++i)
                dt[i - 1] = samples_[i].stamp.device_time_s - samples_[i - 1].stamp.device_time_s;
            std::nth_element(dt.begin(), dt.begin() + static_cast<std::ptrdiff_t>(dt.size() / 2),
                             dt.end());
            period = dt[dt.size() / 2];
        }
        const double first = samples_.front().stamp.device_time_s;
        length_s_ = samples_.back().stamp.device_time_s - first + period;
        if (!(length_s_ > 0.0))
            length_s_ = 1.0;  // a single sample loops once per second
        origin_s_ = first;
    }

    bool done() const noexcept { return !loop_ && index_ >= samples_.size(); }
    /// Replay time (s from the first sample) of the next sample; +inf when done().
    double nextTime() const noexcept {
        if (done())
            return std::numeric_limits<double>::infinity();
        const std::size_t i = index_ % samples_.size();
        return samples_[i].stamp.device_time_s - origin_s_ +
               static_cast<double>(index_ / samples_.size()) * length_s_;
    }
    /// The next sample (precondition: !done()).
    Sample next() {
        Sample s = samples_[index_ % samples_.size()];
        s.stamp.device_time_s = nextTime();
        s.stamp.counter = index_;
        s.stamp.host_time_ns = 0;
        ++index_;
        return s;
    }
    std::size_t size() const noexcept { return samples_.size(); }
    /// Nominal rate: samples per second of the recording.
    double rateHz() const noexcept { return static_cast<double>(samples_.size()) / length_s_; }
    void rewind() noexcept { index_ = 0; }

private:
    std::vector<Sample> samples_;
    bool loop_ = false;
    std::size_t index_ = 0;
    double length_s_ = 0.0;
    double origin_s_ = 0.0;
};

/// Builds plate samples from arrays: time (s) and the 6 channels Fx Fy Fz (N) Mx My Mz (N m),
/// already in the plate frame. Throws DeviceError when the lengths differ.
std::vector<ForcePlateSample> plateSamplesFrom(std::span<const double> t_s,
                                               std::span<const std::array<double, 6>> channels);
/// Builds load-cell samples from arrays of time and 4 cell forces (N), with the raw counts a board
/// with `calibration` would have sent (rounded to whole counts).
std::vector<LoadCellSample> loadCellSamplesFrom(std::span<const double> t_s,
                                                std::span<const std::array<double, 4>> forces_n,
                                                const LoadCellCalibration& calibration);

}  // namespace stance::devices
