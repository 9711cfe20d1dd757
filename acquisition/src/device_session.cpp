#include "stance/acquisition/device_session.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cmath>
#include <limits>

namespace stance::acquisition {

namespace asio = boost::asio;
using devices::SampleFlag;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kNsPerS = 1'000'000'000;
/// Above this vertical load a plate is not empty and may not be tared.
constexpr double kTareMaxLoad_n = 50.0;
/// Data without an identity for this long are accepted as from an unidentified device.
constexpr std::int64_t kIdentityPatience_ns = 3 * kNsPerS;

std::string describe(const devices::DeviceInfo& d) {
    return std::string(d.modelName().empty() ? devices::deviceKindName(d.kind) : d.modelName()) +
           " serial " + std::to_string(d.serial_number);
}

bool sameDevice(const devices::DeviceInfo& a, const devices::DeviceInfo& b) {
    return a.kind == b.kind && a.serial_number == b.serial_number && a.modelName() == b.modelName();
}

}  // namespace

DeviceSession::DeviceSession(asio::io_context& io, std::uint16_t index, DeviceConfig config,
                             SampleHandler on_sample, EventHandler on_event)
    : io_(io),
      strand_(asio::make_strand(io)),
      index_(index),
      config_(std::move(config)),
      on_sample_(std::move(on_sample)),
      on_event_(std::move(on_event)),
      handshake_timer_(strand_) {
    link_ = std::make_unique<SerialLink>(
        strand_, config_.link,
        [this](std::span<const std::uint8_t> b, std::int64_t t) { onBytes(b, t); },
        [this](LinkState s, const std::string& r) { onLinkState(s, r); });
}

DeviceSession::~DeviceSession() = default;

void DeviceSession::start() {
    asio::post(strand_, [this] { link_->start(); });
}

void DeviceSession::stop() {
    handshake_timer_.cancel();
    link_->stop();
}

void DeviceSession::event(DeviceEventKind kind, std::string reason) {
    DeviceEvent e{kind, index_, std::move(reason), 0, 0, 0};
    if (on_event_)
        on_event_(e);
}

void DeviceSession::onLinkState(LinkState state, const std::string& reason) {
    state_ = reason;
    if (state == LinkState::kOpen) {
        opened_ns_ = steadyNowNs();
        current_.reset();
        mismatch_ = false;
        link_->setReadTimeout(0.0);  // armed again once samples flow
        if (config_.protocol == DeviceProtocol::kStanceFrame) {
            // A device already streaming says who it is on request.
            std::vector<std::uint8_t> req;
            devices::appendStanceRequestInfo(req);
            link_->write(std::move(req));
            info_requested_ns_ = opened_ns_;
        } else {
            devices::XsensHandshake::Options o;
            const auto rate = static_cast<std::uint16_t>(std::lround(config_.imu_rate_hz));
            o.outputs = {{devices::xdi::kPacketCounter, devices::kXsensEveryMessage},
                         {devices::xdi::kSampleTimeFine, devices::kXsensEveryMessage},
                         {devices::xdi::kQuaternion, rate},
                         {devices::xdi::kAcceleration, rate},
                         {devices::xdi::kRateOfTurn, rate},
                         {devices::xdi::kStatusWord, devices::kXsensEveryMessage}};
            handshake_.emplace(std::move(o));
            writeHandshake(handshake_->start());
        }
        return;
    }
    if (state == LinkState::kOpening && connected_) {
        connected_ = false;
        // Whatever comes after a lost link follows a gap, even if the device's counter hides it
        // (a device that restarted, or one that counts frames it could not send).
        pending_flags_ |= static_cast<std::uint32_t>(SampleFlag::kGapBefore);
        event(DeviceEventKind::kLost, reason);
    } else if (state == LinkState::kOpening && !connected_ && !reason.empty()) {
        // Not yet connected: a failed open is worth one line, not an event per retry.
        state_ = reason;
    }
}

void DeviceSession::writeHandshake(std::vector<std::uint8_t> bytes) {
    if (!handshake_)
        return;
    if (handshake_->failed()) {
        event(DeviceEventKind::kError, "Xsens configuration failed: " + handshake_->failure());
        handshake_.reset();
        link_->reconnect("Xsens configuration failed");
        return;
    }
    if (handshake_->done()) {
        handshake_timer_.cancel();
        devices::DeviceInfo info;
        info.kind = devices::DeviceKind::kImu;
        info.serial_number = handshake_->deviceId();
        info.nominal_rate_hz = config_.imu_rate_hz;
        info.channels = 10;
        info.setModelName("Xsens MTi");
        for (const auto& w : handshake_->warnings())
            event(DeviceEventKind::kError, "Xsens configuration: " + w);
        handleInfo(info);
        link_->setReadTimeout(config_.stream_timeout_s);
        return;
    }
    link_->write(std::move(bytes));
    handshake_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(devices::XsensHandshake::kRecommendedTimeout_s)));
    handshake_timer_.async_wait(asio::bind_executor(strand_, [this](boost::system::error_code e) {
        if (!e && handshake_ && !handshake_->done())
            writeHandshake(handshake_->onTimeout());
    }));
}

void DeviceSession::onBytes(std::span<const std::uint8_t> bytes, std::int64_t host_ns) {
    if (config_.protocol == DeviceProtocol::kStanceFrame) {
        stance_.feed(bytes, host_ns);
        devices::StanceEvent ev;
        while (stance_.next(ev)) {
            std::visit(
                [this](const auto& x) {
                    using T = std::decay_t<decltype(x)>;
                    if constexpr (std::is_same_v<T, devices::DeviceInfo>) {
                        handleInfo(x);
                    } else if constexpr (std::is_same_v<T, devices::ForcePlateSample> ||
                                         std::is_same_v<T, devices::LoadCellSample> ||
                                         std::is_same_v<T, devices::ImuSample>) {
                        handle(x);
                    }
                    // Calibration and geometry frames are kept by the decoder itself.
                },
                ev);
        }
        requestInfoIfNeeded(host_ns);
    } else {
        xsens_.feed(bytes, host_ns);
        devices::XsensEvent ev;
        while (xsens_.next(ev)) {
            if (const auto* m = std::get_if<devices::XsensMessage>(&ev)) {
                handleXsensMessage(*m);
            } else if (handshake_ && handshake_->done()) {
                handle(std::get<devices::ImuSample>(ev));
            }
        }
    }
}

void DeviceSession::requestInfoIfNeeded(std::int64_t now_ns) {
    if ((stance_.needsInfo() || !current_) && now_ns - info_requested_ns_ > kNsPerS) {
        std::vector<std::uint8_t> req;
        devices::appendStanceRequestInfo(req);
        link_->write(std::move(req));
        info_requested_ns_ = now_ns;
    }
}

void DeviceSession::handleXsensMessage(const devices::XsensMessage& m) {
    if (m.mid == static_cast<std::uint8_t>(devices::XbusMid::kError)) {
        event(DeviceEventKind::kError,
              "the Xsens device reported error " +
                  std::to_string(m.payload.empty() ? -1 : static_cast<int>(m.payload[0])));
    }
    if (handshake_ && !handshake_->done())
        writeHandshake(handshake_->onMessage(m));
    else if (m.mid == static_cast<std::uint8_t>(devices::XbusMid::kWakeUp)) {
        // The device restarted while streaming: configure it again.
        event(DeviceEventKind::kRestarted, "the Xsens device restarted (WakeUp)");
        clock_.reset();
        onLinkState(LinkState::kOpen, "reconfiguring after WakeUp");
    }
}

void DeviceSession::handleInfo(const devices::DeviceInfo& info) {
    current_ = info;
    if (!identity_) {
        identity_ = info;
    } else if (!sameDevice(*identity_, info)) {
        if (!mismatch_) {
            mismatch_ = true;
            event(DeviceEventKind::kIdentityMismatch,
                  "expected " + describe(*identity_) + " on " + config_.link.path + ", found " +
                      describe(info) + ": its samples are refused until the first device returns");
        }
        return;
    }
    mismatch_ = false;
    if (!connected_) {
        connected_ = true;
        link_->setReadTimeout(config_.stream_timeout_s);
        event(DeviceEventKind::kConnected,
              "connected: " + describe(info) + " on " + config_.link.path);
    }
}

bool DeviceSession::identityAccepted() const {
    if (mismatch_)
        return false;
    if (current_)
        return true;
    // A device that never says who it is: accepted after a while, once, as unidentified.
    return !identity_ && steadyNowNs() - opened_ns_ > kIdentityPatience_ns;
}

void DeviceSession::emit(StreamSample s, const devices::SampleStamp& stamp_in) {
    devices::SampleStamp stamp = stamp_in;
    if (!identityAccepted()) {
        // Refused (identity not yet confirmed after a reconnection): its gap or restart mark
        // passes to the next sample handed on, so no gap goes unrecorded.
        pending_flags_ |= stamp.flags & (static_cast<std::uint32_t>(SampleFlag::kGapBefore) |
                                         static_cast<std::uint32_t>(SampleFlag::kDeviceRestart));
        return;
    }
    stamp.flags |= std::exchange(pending_flags_, 0u);
    if (!connected_) {
        connected_ = true;
        link_->setReadTimeout(config_.stream_timeout_s);
        event(DeviceEventKind::kConnected,
              "connected: an unidentified device on " + config_.link.path);
    }
    if (devices::hasFlag(stamp.flags, SampleFlag::kDeviceRestart) && samples_ > 0) {
        // (The first frame of every device says "restart": its power-up, not news.)
        clock_.reset();
        event(DeviceEventKind::kRestarted, "the device restarted: its clock starts again");
    }
    std::int64_t t = stamp.host_time_ns;
    if (std::isfinite(stamp.device_time_s)) {
        clock_.observe(stamp.device_time_s, stamp.host_time_ns);
        t = clock_.mapNs(stamp.device_time_s);
    }
    // The clock map is refined as minima accumulate; early refinements may move it back by a few
    // milliseconds. Times handed on never go backwards.
    if (samples_ > 0 && t <= last_sample_ns_)
        t = last_sample_ns_ + 1000;
    if (samples_ > 0 && (devices::hasFlag(stamp.flags, SampleFlag::kGapBefore) ||
                         devices::hasFlag(stamp.flags, SampleFlag::kDeviceRestart))) {
        ++gaps_;
        DeviceEvent e{DeviceEventKind::kGap, index_, "samples missing", last_sample_ns_, t, 0};
        if (on_event_)
            on_event_(e);
    }
    s.host_ns = t;
    s.device_time_s = stamp.device_time_s;
    s.counter = stamp.counter;
    s.flags = stamp.flags;
    s.device = index_;
    kind_ = s.kind;
    ++samples_;
    last_sample_ns_ = t;
    // Rate over windows of about 2 s.
    ++rate_window_count_;
    if (rate_window_start_ns_ == 0)
        rate_window_start_ns_ = stamp.host_time_ns;
    const std::int64_t span = stamp.host_time_ns - rate_window_start_ns_;
    if (span >= 2 * kNsPerS) {
        rate_hz_ = static_cast<double>(rate_window_count_) * 1e9 / static_cast<double>(span);
        rate_window_start_ns_ = stamp.host_time_ns;
        rate_window_count_ = 0;
    }
    if (on_sample_)
        on_sample_(s);
}

void DeviceSession::handle(const devices::ForcePlateSample& p) {
    StreamSample s;
    s.kind = StreamKind::kForcePlate;
    std::array<double, 6> fm{p.force_n[0],   p.force_n[1],   p.force_n[2],
                             p.moment_nm[0], p.moment_nm[1], p.moment_nm[2]};
    if (tare_) {
        for (std::size_t i = 0; i < 6; ++i)
            tare_->sum[i] += fm[i];
        ++tare_->n;
    }
    if (tared_) {
        for (std::size_t i = 0; i < 6; ++i)
            fm[i] -= offsets_[i];
    }
    for (std::size_t i = 0; i < 6; ++i)
        s.v[i] = fm[i];
    // COP as analysis::copFromForcePlate computes it: x = (h Fx - My) / Fz, y = (h Fy + Mx) / Fz.
    const devices::PlateGeometry g = stance_.geometry().value_or(devices::PlateGeometry{});
    const double h = g.origin_depth_m;
    if (fm[2] >= kMinCopForce_n) {
        s.v[6] = (h * fm[0] - fm[4]) / fm[2] + g.origin_offset_m[0];
        s.v[7] = (h * fm[1] + fm[3]) / fm[2] + g.origin_offset_m[1];
    } else {
        s.v[6] = s.v[7] = kNaN;
    }
    emit(s, p.stamp);
    if (tare_ && p.stamp.host_time_ns >= tare_->until_ns) {
        TareState t = std::move(*tare_);
        tare_.reset();
        const double n = static_cast<double>(t.n);
        const double fz = t.sum[2] / n;
        if (std::abs(fz) > kTareMaxLoad_n) {
            char why[160];
            std::snprintf(why, sizeof why,
                          "the plate carries %.0f N: the subject must step off before taring", fz);
            t.done(why);
            return;
        }
        for (std::size_t i = 0; i < 6; ++i)
            offsets_[i] = t.sum[i] / n;
        tared_ = true;
        t.done("");
    }
}

void DeviceSession::handle(const devices::LoadCellSample& c) {
    StreamSample s;
    s.kind = StreamKind::kLoadCells;
    s.raw = c.raw_counts;
    std::array<double, 4> f = c.force_n;
    if (tare_) {
        for (std::size_t i = 0; i < 4; ++i)
            tare_->sum[i] += f[i];
        ++tare_->n;
    }
    if (tared_) {
        for (std::size_t i = 0; i < 4; ++i)
            f[i] -= offsets_[i];
    }
    double fz = 0.0, mx = 0.0, my = 0.0;
    const auto cal = stance_.calibration();
    for (std::size_t i = 0; i < 4; ++i) {
        s.v[i] = f[i];
        fz += f[i];
        if (cal) {
            mx += f[i] * cal->position_m[i][0];
            my += f[i] * cal->position_m[i][1];
        }
    }
    s.v[4] = fz;
    const bool cop = cal && std::isfinite(fz) && fz >= kMinCopForce_n;
    s.v[5] = cop ? mx / fz : kNaN;
    s.v[6] = cop ? my / fz : kNaN;
    emit(s, c.stamp);
    if (tare_ && c.stamp.host_time_ns >= tare_->until_ns) {
        TareState t = std::move(*tare_);
        tare_.reset();
        const double n = static_cast<double>(t.n);
        const double load = (t.sum[0] + t.sum[1] + t.sum[2] + t.sum[3]) / n;
        if (!std::isfinite(load)) {
            t.done("the board has sent no calibration: its forces are unknown");
            return;
        }
        if (std::abs(load) > kTareMaxLoad_n) {
            char why[160];
            std::snprintf(why, sizeof why,
                          "the board carries %.0f N: the subject must step off before taring",
                          load);
            t.done(why);
            return;
        }
        for (std::size_t i = 0; i < 4; ++i)
            offsets_[i] = t.sum[i] / n;
        tared_ = true;
        t.done("");
    }
}

void DeviceSession::handle(const devices::ImuSample& m) {
    StreamSample s;
    s.kind = StreamKind::kImu;
    for (std::size_t i = 0; i < 3; ++i) {
        s.v[i] = m.has(devices::ImuField::kAcc) ? m.acc_m_s2[i] : kNaN;
        s.v[3 + i] = m.has(devices::ImuField::kGyro) ? m.gyro_rad_s[i] : kNaN;
    }
    for (std::size_t i = 0; i < 4; ++i)
        s.v[6 + i] = m.has(devices::ImuField::kQuat) ? m.quat_wxyz[i] : kNaN;
    emit(s, m.stamp);
}

void DeviceSession::tare(double seconds, TareDone done) {
    asio::post(strand_, [this, seconds, done = std::move(done)]() mutable {
        if (!connected_) {
            done("the device is not connected");
            return;
        }
        if (kind_ == StreamKind::kImu) {
            done("an IMU has nothing to tare");
            return;
        }
        if (tare_) {
            done("a tare is already running");
            return;
        }
        TareState t;
        t.until_ns = steadyNowNs() + static_cast<std::int64_t>(seconds * 1e9);
        t.done = std::move(done);
        tare_ = std::move(t);
    });
}

DeviceStatus DeviceSession::status() const {
    DeviceStatus st;
    st.name = config_.name;
    st.protocol = config_.protocol == DeviceProtocol::kStanceFrame ? "stance-frame" : "xsens";
    st.port = config_.link.path;
    st.connected = connected_;
    st.state = state_;
    st.info = current_ ? current_ : identity_;
    st.kind = kind_;
    st.counters =
        config_.protocol == DeviceProtocol::kStanceFrame ? stance_.counters() : xsens_.counters();
    st.samples = samples_;
    st.gaps = gaps_;
    st.reconnects = link_->reconnects();
    st.rate_hz = rate_hz_;
    st.drift_ppm = clock_.driftPpm();
    st.tared = tared_;
    return st;
}

}  // namespace stance::acquisition
