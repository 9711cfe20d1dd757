#pragma once
/// \file
/// Xsens MTi over Xbus: the per-port decoder (bytes -> timestamped IMU samples and control
/// messages), the host's configuration handshake as a state machine, and a device emulator that
/// answers that handshake as an MTi does (used by the simulated IMU). Source: Xsens "MT Low Level
/// Communication Protocol Documentation", MT0101P revision 2019.A: "Xbus protocol", "States"
/// (Config / Measurement, WakeUp), "SetOutputConfiguration", "MTData2", "Error".
///
/// Threading: plain objects owned by one device session. No I/O, no clock: the caller moves the
/// bytes and owns the timeouts.

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "stance/devices/decoder_counters.hpp"
#include "stance/devices/mtdata2.hpp"
#include "stance/devices/samples.hpp"
#include "stance/devices/xbus.hpp"

namespace stance::devices {

/// A non-data message (acknowledgement, DeviceID, Error, WakeUp, ...), copied out of the stream.
struct XsensMessage {
    std::uint8_t bus_id = kXbusMasterBusId;
    std::uint8_t mid = 0;
    std::vector<std::uint8_t> payload;
    std::int64_t host_time_ns = 0;
};

using XsensEvent = std::variant<ImuSample, XsensMessage>;

/// Per-port decoder. Each MTData2 message becomes one ImuSample (fields say what it carried;
/// a message without inertial packets, e.g. a GNSS-only one, still yields a sample so that its
/// PacketCounter keeps the gap accounting right). PacketCounter (16 bit) is unwrapped into
/// SampleStamp::counter, SampleTimeFine (10 kHz, 32 bit) into device_time_s; without them the
/// sample is flagged kNoDeviceCounter / kNoDeviceClock. WakeUp counts as a device restart, Error
/// as a device error; both, and every other non-data message, come out as XsensMessage.
class XsensDecoder {
public:
    explicit XsensDecoder(XbusDecoderOptions options = {}) : frames_(options) {}
    void feed(std::span<const std::uint8_t> bytes, std::int64_t host_time_ns) {
        frames_.feed(bytes, host_time_ns);
    }
    bool next(XsensEvent& event);
    void finish() { frames_.finish(); }
    DecoderCounters counters() const noexcept;

private:
    XbusFrameDecoder frames_;
    DecoderCounters content_;
    std::uint64_t messages_ = 0;
    bool restart_pending_ = false;  ///< a WakeUp was seen: flag the next sample
    bool have_counter_ = false;
    std::uint16_t last_counter_ = 0;
    std::uint64_t counter_ = 0;
    bool have_time_ = false;
    std::uint32_t last_ticks_ = 0;
    std::int64_t ticks_ = 0;
};

/// The host side of the configuration handshake:
///   GoToConfig -> GoToConfigAck, [ReqDID -> DeviceID], SetOutputConfiguration ->
///   OutputConfiguration (ack), GoToMeasurement -> GoToMeasurementAck.
/// Each call returns the bytes to write to the port (possibly none). MTData2 and other messages
/// arriving while the device is still streaming are ignored. The caller arms a timer after each
/// write (kRecommendedTimeout_s) and calls onTimeout() when it fires: the step is retried up to
/// max_attempts times, then the handshake fails. An Error message fails it at once, naming the
/// step and the error. A WakeUp (the device restarted) is answered with WakeUpAck, which puts
/// the device in Config state, and the handshake continues from the step after GoToConfig.
class XsensHandshake {
public:
    enum class State {
        kIdle,
        kEnteringConfig,
        kRequestingDeviceId,
        kConfiguringOutputs,
        kEnteringMeasurement,
        kMeasuring,  ///< done: the device streams MTData2 as configured
        kFailed,
    };
    struct Options {
        std::vector<XsensOutput> outputs;
        bool request_device_id = true;
        int max_attempts = 3;
    };
    /// Time to wait for each reply before onTimeout(); GoToConfig may wait behind a full
    /// transmit buffer of measurement data, hence not shorter.
    static constexpr double kRecommendedTimeout_s = 0.5;

    explicit XsensHandshake(Options options) : options_(std::move(options)) {}

    std::vector<std::uint8_t> start();
    std::vector<std::uint8_t> onMessage(std::uint8_t mid, std::span<const std::uint8_t> payload);
    std::vector<std::uint8_t> onMessage(const XsensMessage& m) {
        return onMessage(m.mid, m.payload);
    }
    std::vector<std::uint8_t> onTimeout();

    State state() const noexcept { return state_; }
    bool done() const noexcept { return state_ == State::kMeasuring; }
    bool failed() const noexcept { return state_ == State::kFailed; }
    /// Why it failed, in words for the user ("no GoToConfigAck after 3 attempts", ...).
    const std::string& failure() const noexcept { return failure_; }
    std::uint32_t deviceId() const noexcept { return device_id_; }
    /// The configuration the device acknowledged (it may differ from the request: a device sets
    /// what it supports); differences are listed in warnings().
    const std::vector<XsensOutput>& acknowledgedOutputs() const noexcept { return acknowledged_; }
    const std::vector<std::string>& warnings() const noexcept { return warnings_; }

private:
    std::vector<std::uint8_t> send(State state);
    std::vector<std::uint8_t> afterConfig();
    void fail(std::string why);

    Options options_;
    State state_ = State::kIdle;
    int attempts_ = 0;
    std::uint32_t device_id_ = 0;
    std::vector<XsensOutput> acknowledged_;
    std::vector<std::string> warnings_;
    std::string failure_;
};

/// The device side: what an MTi answers, for the simulated IMU (and for tests of the handshake
/// against something that is not itself). At power-up it sends WakeUp; a WakeUpAck within
/// 0.5 s keeps it in Config state, otherwise it enters Measurement state. In Config state it
/// answers ReqDID, SetOutputConfiguration (also as a request when empty) and GoToMeasurement;
/// GoToConfig is answered in every state. A message it does not handle, or a configuration
/// message outside Config state, gets Error 0x04 (invalid message); an output it does not produce
/// gets Error 0x21 (invalid parameter). This is an emulation of the documented behaviour, not
/// of any firmware's corner cases.
class XsensDeviceEmulator {
public:
    enum class Mode { kWakeUp, kConfig, kMeasurement };
    struct Options {
        std::uint32_t device_id = 0x03701234;  ///< arbitrary, stated in docs/devices.md
        /// Configuration at power-up (the default of an MTi 600-class AHRS, as float32 ENU).
        std::vector<XsensOutput> outputs{{xdi::kPacketCounter, kXsensEveryMessage},
                                         {xdi::kSampleTimeFine, kXsensEveryMessage},
                                         {xdi::kQuaternion, 100},
                                         {xdi::kAcceleration, 100},
                                         {xdi::kRateOfTurn, 100},
                                         {xdi::kStatusWord, kXsensEveryMessage}};
        double wakeup_window_s = 0.5;
        std::uint16_t max_rate_hz = 400;  ///< rates above this (other than 0xFFFF) are refused
    };

    explicit XsensDeviceEmulator(Options options);
    /// Power-up at time t: appends WakeUp.
    void powerOn(double t_s, std::vector<std::uint8_t>& out);
    /// Bytes written by the host at time t; replies are appended to `out`.
    void onHostBytes(std::span<const std::uint8_t> bytes, double t_s,
                     std::vector<std::uint8_t>& out);
    /// Lets time pass (the WakeUp window expires into Measurement state).
    void advance(double t_s);

    Mode mode() const noexcept { return mode_; }
    /// When the current Measurement state began (end of the WakeUp window, or GoToMeasurement).
    double measuringSince_s() const noexcept { return measuring_since_s_; }
    const std::vector<XsensOutput>& outputs() const noexcept { return outputs_; }
    /// Message rate in Measurement state: the highest configured frequency (0 when none).
    double messageRateHz() const noexcept;
    /// Appends the MTData2 message for measurement number `index` (0, 1, ... at messageRateHz())
    /// holding the packets due at that index: an output at f Hz appears when
    /// floor(index f / rate) advances, an every-message item always. PacketCounter and
    /// SampleTimeFine are taken from `sample.stamp` (counter mod 2^16, device_time_s x 10^4 mod
    /// 2^32). Nothing is appended outside Measurement state.
    void measurement(const ImuSample& sample, std::uint64_t index, std::vector<std::uint8_t>& out);

private:
    void reply(std::uint8_t mid, std::span<const std::uint8_t> payload,
               std::vector<std::uint8_t>& out);
    void error(XbusError code, std::vector<std::uint8_t>& out);

    Options options_;
    Mode mode_ = Mode::kWakeUp;
    double wakeup_deadline_s_ = 0.0;
    double measuring_since_s_ = 0.0;
    std::vector<XsensOutput> outputs_;
    XbusFrameDecoder host_;
    std::vector<std::uint16_t> ids_;
    std::vector<std::uint8_t> payload_;
};

}  // namespace stance::devices
