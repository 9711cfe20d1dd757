#include "stance/devices/xsens.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "byte_io.hpp"
#include "stance/devices/errors.hpp"

namespace stance::devices {

namespace {

std::uint8_t midByte(XbusMid mid) {
    return static_cast<std::uint8_t>(mid);
}

std::string hex4(std::uint16_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(v));
    return buf;
}

std::vector<std::uint8_t> message(XbusMid mid, std::span<const std::uint8_t> payload = {}) {
    std::vector<std::uint8_t> out;
    appendXbusMessage(out, mid, payload);
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Decoder

DecoderCounters XsensDecoder::counters() const noexcept {
    DecoderCounters c = frames_.counters();
    c.malformed += content_.malformed;
    c.unknown = content_.unknown;
    c.sequence_gaps = content_.sequence_gaps;
    c.samples_missing = content_.samples_missing;
    c.device_restarts = content_.device_restarts;
    c.device_errors = content_.device_errors;
    return c;
}

bool XsensDecoder::next(XsensEvent& event) {
    XbusMessageView m;
    while (frames_.next(m)) {
        if (m.mid != midByte(XbusMid::kMtData2)) {
            if (m.mid == midByte(XbusMid::kError))
                ++content_.device_errors;
            if (m.mid == midByte(XbusMid::kWakeUp)) {
                // The device rebooted: its counter and clock start again.
                ++content_.device_restarts;
                have_counter_ = false;
                have_time_ = false;
                restart_pending_ = true;
            }
            XsensMessage out;
            out.bus_id = m.bus_id;
            out.mid = m.mid;
            out.payload.assign(m.payload.begin(), m.payload.end());
            out.host_time_ns = m.host_time_ns;
            event = std::move(out);
            return true;
        }
        MtData2Contents contents;
        if (!parseMtData2(m.payload, contents)) {
            ++content_.malformed;
            continue;
        }
        content_.unknown += contents.unknown_packets;
        ImuSample sample = contents.imu;
        SampleStamp& stamp = sample.stamp;
        ++messages_;
        if (restart_pending_) {
            setFlag(stamp.flags, SampleFlag::kDeviceRestart);
            restart_pending_ = false;
        }
        if (contents.packet_counter) {
            const std::uint16_t pc = *contents.packet_counter;
            if (!have_counter_) {
                counter_ = pc;
                have_counter_ = true;
            } else {
                const auto expected = static_cast<std::uint16_t>(last_counter_ + 1);
                if (pc != expected) {
                    ++content_.sequence_gaps;
                    content_.samples_missing += static_cast<std::uint16_t>(pc - expected);
                    setFlag(stamp.flags, SampleFlag::kGapBefore);
                }
                counter_ += static_cast<std::uint16_t>(pc - last_counter_);
            }
            last_counter_ = pc;
            stamp.counter = counter_;
        } else {
            stamp.counter = messages_ - 1;
            setFlag(stamp.flags, SampleFlag::kNoDeviceCounter);
        }
        if (contents.sample_time_fine) {
            const std::uint32_t t = *contents.sample_time_fine;
            if (!have_time_) {
                ticks_ = t;
                have_time_ = true;
            } else {
                // Wraps every 2^32 ticks (4.97 days); the signed step also absorbs the GNSS
                // message whose time lags the inertial ones slightly.
                ticks_ += static_cast<std::int32_t>(t - last_ticks_);
            }
            last_ticks_ = t;
            stamp.device_time_s = static_cast<double>(ticks_) / kXsensSampleTimeFineHz;
        } else {
            setFlag(stamp.flags, SampleFlag::kNoDeviceClock);
        }
        stamp.host_time_ns = m.host_time_ns;
        event = sample;
        return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Handshake (host side)

std::vector<std::uint8_t> XsensHandshake::send(State state) {
    state_ = state;
    switch (state) {
        case State::kEnteringConfig:
            return message(XbusMid::kGoToConfig);
        case State::kRequestingDeviceId:
            return message(XbusMid::kReqDeviceId);
        case State::kConfiguringOutputs: {
            const std::vector<std::uint8_t> payload = encodeOutputConfiguration(options_.outputs);
            return message(XbusMid::kSetOutputConfiguration, payload);
        }
        case State::kEnteringMeasurement:
            return message(XbusMid::kGoToMeasurement);
        case State::kIdle:
        case State::kMeasuring:
        case State::kFailed:
            break;
    }
    return {};
}

std::vector<std::uint8_t> XsensHandshake::start() {
    attempts_ = 1;
    failure_.clear();
    warnings_.clear();
    return send(State::kEnteringConfig);
}

std::vector<std::uint8_t> XsensHandshake::afterConfig() {
    attempts_ = 1;
    return send(options_.request_device_id ? State::kRequestingDeviceId
                                           : State::kConfiguringOutputs);
}

void XsensHandshake::fail(std::string why) {
    state_ = State::kFailed;
    failure_ = std::move(why);
}

std::vector<std::uint8_t> XsensHandshake::onMessage(std::uint8_t mid,
                                                    std::span<const std::uint8_t> payload) {
    if (state_ == State::kIdle || state_ == State::kMeasuring || state_ == State::kFailed)
        return {};
    const auto step_name = [&]() -> std::string {
        switch (state_) {
            case State::kEnteringConfig:
                return "GoToConfig";
            case State::kRequestingDeviceId:
                return "ReqDID";
            case State::kConfiguringOutputs:
                return "SetOutputConfiguration";
            case State::kEnteringMeasurement:
                return "GoToMeasurement";
            default:
                return "handshake";
        }
    };
    if (mid == midByte(XbusMid::kError)) {
        const std::uint8_t code = payload.empty() ? 0 : payload[0];
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(code));
        fail("the device answered " + step_name() + " with Error " + buf + " (" +
             std::string(xbusErrorText(code)) + ")");
        return {};
    }
    if (mid == midByte(XbusMid::kWakeUp)) {
        // The device (re)started; acknowledging keeps it in Config state.
        std::vector<std::uint8_t> out = message(XbusMid::kWakeUpAck);
        const std::vector<std::uint8_t> next = afterConfig();
        out.insert(out.end(), next.begin(), next.end());
        return out;
    }
    switch (state_) {
        case State::kEnteringConfig:
            if (mid == midByte(XbusMid::kGoToConfigAck))
                return afterConfig();
            break;
        case State::kRequestingDeviceId:
            if (mid == midByte(XbusMid::kDeviceId)) {
                if (payload.size() != 4 && payload.size() != 8) {
                    fail("DeviceID message of " + std::to_string(payload.size()) +
                         " bytes (expected 4 or 8)");
                    return {};
                }
                device_id_ = detail::loadU32be(payload.data() + (payload.size() - 4));
                attempts_ = 1;
                return send(State::kConfiguringOutputs);
            }
            break;
        case State::kConfiguringOutputs:
            if (mid == midByte(XbusMid::kOutputConfiguration)) {
                auto parsed = parseOutputConfiguration(payload);
                if (!parsed) {
                    fail("OutputConfiguration acknowledgement of " +
                         std::to_string(payload.size()) + " bytes is not a list of 4-byte items");
                    return {};
                }
                acknowledged_ = std::move(*parsed);
                for (const XsensOutput& want : options_.outputs) {
                    const auto it = std::find_if(
                        acknowledged_.begin(), acknowledged_.end(),
                        [&](const XsensOutput& o) { return o.data_id == want.data_id; });
                    if (it == acknowledged_.end()) {
                        warnings_.push_back("output 0x" + hex4(want.data_id) +
                                            " was not acknowledged");
                    } else if (it->rate_hz != want.rate_hz) {
                        warnings_.push_back("output 0x" + hex4(want.data_id) + " set to " +
                                            std::to_string(it->rate_hz) + " Hz instead of " +
                                            std::to_string(want.rate_hz) + " Hz");
                    }
                }
                attempts_ = 1;
                return send(State::kEnteringMeasurement);
            }
            break;
        case State::kEnteringMeasurement:
            if (mid == midByte(XbusMid::kGoToMeasurementAck))
                state_ = State::kMeasuring;
            break;
        default:
            break;
    }
    return {};  // MTData2 still streaming, or an unrelated message: keep waiting
}

std::vector<std::uint8_t> XsensHandshake::onTimeout() {
    if (state_ == State::kIdle || state_ == State::kMeasuring || state_ == State::kFailed)
        return {};
    if (attempts_ >= options_.max_attempts) {
        static constexpr const char* kAwaited[] = {"", "GoToConfigAck", "DeviceID",
                                                   "OutputConfiguration", "GoToMeasurementAck"};
        fail(std::string("no ") + kAwaited[static_cast<int>(state_)] + " after " +
             std::to_string(attempts_) + " attempts");
        return {};
    }
    ++attempts_;
    return send(state_);
}

// ---------------------------------------------------------------------------------------------
// Device emulator

XsensDeviceEmulator::XsensDeviceEmulator(Options options)
    : options_(std::move(options)), outputs_(options_.outputs) {}

void XsensDeviceEmulator::reply(std::uint8_t mid, std::span<const std::uint8_t> payload,
                                std::vector<std::uint8_t>& out) {
    appendXbusMessage(out, mid, payload);
}

void XsensDeviceEmulator::error(XbusError code, std::vector<std::uint8_t>& out) {
    const std::uint8_t b = static_cast<std::uint8_t>(code);
    reply(midByte(XbusMid::kError), std::span<const std::uint8_t>(&b, 1), out);
}

void XsensDeviceEmulator::powerOn(double t_s, std::vector<std::uint8_t>& out) {
    mode_ = Mode::kWakeUp;
    wakeup_deadline_s_ = t_s + options_.wakeup_window_s;
    reply(midByte(XbusMid::kWakeUp), {}, out);
}

void XsensDeviceEmulator::advance(double t_s) {
    if (mode_ == Mode::kWakeUp && t_s >= wakeup_deadline_s_) {
        mode_ = Mode::kMeasurement;
        measuring_since_s_ = wakeup_deadline_s_;
    }
}

void XsensDeviceEmulator::onHostBytes(std::span<const std::uint8_t> bytes, double t_s,
                                      std::vector<std::uint8_t>& out) {
    advance(t_s);
    host_.feed(bytes, 0);
    XbusMessageView m;
    while (host_.next(m)) {
        switch (static_cast<XbusMid>(m.mid)) {
            case XbusMid::kWakeUpAck:
                if (mode_ == Mode::kWakeUp)
                    mode_ = Mode::kConfig;
                break;
            case XbusMid::kGoToConfig:
                mode_ = Mode::kConfig;
                reply(midByte(XbusMid::kGoToConfigAck), {}, out);
                break;
            case XbusMid::kReqDeviceId: {
                if (mode_ != Mode::kConfig) {
                    error(XbusError::kInvalidMessage, out);
                    break;
                }
                std::vector<std::uint8_t> id;
                detail::storeU32be(id, options_.device_id);
                reply(midByte(XbusMid::kDeviceId), id, out);
                break;
            }
            case XbusMid::kSetOutputConfiguration: {
                if (mode_ != Mode::kConfig) {
                    error(XbusError::kInvalidMessage, out);
                    break;
                }
                if (!m.payload.empty()) {
                    auto parsed = parseOutputConfiguration(m.payload);
                    bool ok = parsed.has_value() && parsed->size() <= 32;
                    if (ok) {
                        for (const XsensOutput& o : *parsed) {
                            const auto type =
                                static_cast<std::uint16_t>(o.data_id & xdi::kTypeMask);
                            const bool known =
                                type == xdi::kPacketCounter || type == xdi::kSampleTimeFine ||
                                type == xdi::kQuaternion || type == xdi::kAcceleration ||
                                type == xdi::kFreeAcceleration || type == xdi::kRateOfTurn ||
                                type == xdi::kStatusByte || type == xdi::kStatusWord;
                            const bool rate_ok =
                                o.rate_hz == kXsensEveryMessage ||
                                (o.rate_hz > 0 && o.rate_hz <= options_.max_rate_hz);
                            if (!known || !rate_ok || (o.data_id & xdi::kCoordinateMask) == 0xC)
                                ok = false;
                        }
                    }
                    if (!ok) {
                        error(XbusError::kInvalidParameter, out);
                        break;
                    }
                    outputs_ = std::move(*parsed);
                }
                reply(midByte(XbusMid::kOutputConfiguration), encodeOutputConfiguration(outputs_),
                      out);
                break;
            }
            case XbusMid::kGoToMeasurement:
                if (mode_ != Mode::kConfig) {
                    error(XbusError::kInvalidMessage, out);
                    break;
                }
                mode_ = Mode::kMeasurement;
                measuring_since_s_ = t_s;
                reply(midByte(XbusMid::kGoToMeasurementAck), {}, out);
                break;
            default:
                error(XbusError::kInvalidMessage, out);
                break;
        }
    }
}

double XsensDeviceEmulator::messageRateHz() const noexcept {
    std::uint16_t rate = 0;
    for (const XsensOutput& o : outputs_) {
        if (o.rate_hz != kXsensEveryMessage)
            rate = std::max(rate, o.rate_hz);
    }
    return rate;
}

void XsensDeviceEmulator::measurement(const ImuSample& sample, std::uint64_t index,
                                      std::vector<std::uint8_t>& out) {
    if (mode_ != Mode::kMeasurement)
        return;
    const double rate = messageRateHz();
    if (!(rate > 0.0))
        return;
    ids_.clear();
    for (const XsensOutput& o : outputs_) {
        bool due = o.rate_hz == kXsensEveryMessage || index == 0;
        if (!due) {
            const double f = o.rate_hz;
            due = std::floor(static_cast<double>(index) * f / rate) !=
                  std::floor(static_cast<double>(index - 1) * f / rate);
        }
        if (due)
            ids_.push_back(o.data_id);
    }
    MtData2Contents contents;
    contents.imu = sample;
    contents.imu.fields = static_cast<std::uint8_t>(
        static_cast<unsigned>(ImuField::kAcc) | static_cast<unsigned>(ImuField::kGyro) |
        static_cast<unsigned>(ImuField::kQuat) | static_cast<unsigned>(ImuField::kFreeAcc) |
        static_cast<unsigned>(ImuField::kStatus));
    contents.packet_counter = static_cast<std::uint16_t>(sample.stamp.counter & 0xFFFFu);
    // SampleTimeFine wraps modulo 2^32 ticks like the device's own counter.
    const auto ticks = static_cast<std::int64_t>(
        std::llround(sample.stamp.device_time_s * kXsensSampleTimeFineHz));
    contents.sample_time_fine =
        static_cast<std::uint32_t>(static_cast<std::uint64_t>(ticks) & 0xFFFFFFFFu);
    payload_.clear();
    appendMtData2Payload(payload_, contents, ids_);
    appendXbusMessage(out, XbusMid::kMtData2, payload_);
}

}  // namespace stance::devices
