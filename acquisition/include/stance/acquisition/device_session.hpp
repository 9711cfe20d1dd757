#pragma once
/// \file
/// One device on one port: the serial link, the protocol decoder, the Xsens configuration
/// handshake, the identity check after a reconnection, the device clock mapped onto the host
/// timeline, tare offsets, and the samples handed on as StreamSample.
///
/// Threading: everything runs on the session's strand. The sample and event handlers are called
/// on it; stanced runs one io_context thread, so they need no further locking there.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>  // Boost 1.74 Asio under C++20 needs std::exchange declared first
#include <variant>
#include <vector>

#include "stance/acquisition/clock_align.hpp"
#include "stance/acquisition/serial_link.hpp"
#include "stance/acquisition/stream_sample.hpp"
#include "stance/devices/stance_frame.hpp"
#include "stance/devices/xsens.hpp"

namespace stance::acquisition {

enum class DeviceProtocol { kStanceFrame, kXsens };

struct DeviceConfig {
    std::string name;  ///< unique on the station: "plate", "imu1" (protocol and file names)
    DeviceProtocol protocol = DeviceProtocol::kStanceFrame;
    SerialLinkOptions link;
    /// Xsens: the outputs to configure (default: PacketCounter, SampleTimeFine, Quaternion,
    /// Acceleration, RateOfTurn and StatusWord at imu_rate_hz).
    double imu_rate_hz = 100.0;
    /// Silence that counts as a lost device once it streams.
    double stream_timeout_s = 1.0;
};

enum class DeviceEventKind {
    kConnected,         ///< port open and identity confirmed (or first seen)
    kLost,              ///< port lost or silent; reason says why
    kGap,               ///< samples missing: from_ns .. to_ns on the host timeline
    kRestarted,         ///< the device restarted (its clock and counter restart)
    kIdentityMismatch,  ///< another device answered on this port; its samples are refused
    kError,             ///< handshake failure, device error message
};

struct DeviceEvent {
    DeviceEventKind kind;
    std::uint16_t device = 0;
    std::string reason;
    std::int64_t from_ns = 0;   ///< kGap
    std::int64_t to_ns = 0;     ///< kGap
    std::uint64_t missing = 0;  ///< kGap: samples the counter says were lost (0 if unknown)
};

/// What list_devices reports.
struct DeviceStatus {
    std::string name;
    std::string protocol;  ///< "stance-frame", "xsens"
    std::string port;
    bool connected = false;
    std::string state;  ///< last state change, in words
    std::optional<devices::DeviceInfo> info;
    std::optional<StreamKind> kind;
    devices::DecoderCounters counters;
    std::uint64_t samples = 0;
    std::uint64_t gaps = 0;
    std::uint64_t reconnects = 0;
    double rate_hz = 0.0;  ///< measured over the last seconds
    double drift_ppm = 0.0;
    bool tared = false;
};

class DeviceSession {
public:
    using SampleHandler = std::function<void(const StreamSample&)>;
    using EventHandler = std::function<void(const DeviceEvent&)>;
    using TareDone = std::function<void(const std::string& error)>;  ///< empty on success

    DeviceSession(boost::asio::io_context& io, std::uint16_t index, DeviceConfig config,
                  SampleHandler on_sample, EventHandler on_event);
    ~DeviceSession();
    DeviceSession(const DeviceSession&) = delete;
    DeviceSession& operator=(const DeviceSession&) = delete;

    void start();
    void stop();
    DeviceStatus status() const;
    const DeviceConfig& config() const noexcept { return config_; }
    std::uint16_t index() const noexcept { return index_; }

    /// Zero offsets measured over `seconds` of the current signal. Plates and load-cell boards
    /// only, and only while unloaded (|Fz| under 50 N): tare with a subject on the plate would
    /// hide their weight. done() gets the reason when refused.
    void tare(double seconds, TareDone done);

    /// Offsets the tare measured (plate: Fx Fy Fz Mx My Mz; board: F1..F4), zero before a tare.
    const std::array<double, 6>& tareOffsets() const noexcept { return offsets_; }
    /// The load-cell calibration the device sent, if any.
    std::optional<devices::LoadCellCalibration> calibration() const {
        return stance_.calibration();
    }
    /// Who the device said it is (the first identity seen on this port).
    const std::optional<devices::DeviceInfo>& identity() const noexcept { return identity_; }
    bool connected() const noexcept { return connected_; }
    std::optional<StreamKind> kind() const noexcept { return kind_; }

private:
    using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
    void onBytes(std::span<const std::uint8_t> bytes, std::int64_t host_ns);
    void onLinkState(LinkState state, const std::string& reason);
    void handle(const devices::ForcePlateSample& s);
    void handle(const devices::LoadCellSample& s);
    void handle(const devices::ImuSample& s);
    void handleInfo(const devices::DeviceInfo& info);
    void handleXsensMessage(const devices::XsensMessage& m);
    void writeHandshake(std::vector<std::uint8_t> bytes);
    void emit(StreamSample s, const devices::SampleStamp& stamp);
    void event(DeviceEventKind kind, std::string reason);
    void requestInfoIfNeeded(std::int64_t now_ns);
    bool identityAccepted() const;

    boost::asio::io_context& io_;
    Strand strand_;
    std::uint16_t index_;
    DeviceConfig config_;
    SampleHandler on_sample_;
    EventHandler on_event_;
    std::unique_ptr<SerialLink> link_;
    boost::asio::steady_timer handshake_timer_;

    devices::StanceDecoder stance_;
    devices::XsensDecoder xsens_;
    std::optional<devices::XsensHandshake> handshake_;

    ClockAligner clock_;
    bool connected_ = false;
    std::string state_;
    std::optional<devices::DeviceInfo> identity_;  ///< the device first seen on this port
    std::optional<devices::DeviceInfo> current_;   ///< what the device said since the last open
    bool mismatch_ = false;
    std::int64_t info_requested_ns_ = 0;
    std::int64_t opened_ns_ = 0;
    std::optional<StreamKind> kind_;
    std::uint32_t pending_flags_ = 0;  ///< gap/restart marks of samples not handed on
    std::uint64_t samples_ = 0;
    std::uint64_t gaps_ = 0;
    std::int64_t last_sample_ns_ = 0;
    // Rate estimate: samples counted per window.
    std::int64_t rate_window_start_ns_ = 0;
    std::uint64_t rate_window_count_ = 0;
    double rate_hz_ = 0.0;
    // Tare.
    std::array<double, 6> offsets_{};  ///< plate: F, M; load cells: F1..F4
    bool tared_ = false;
    struct TareState {
        std::int64_t until_ns = 0;
        std::array<double, 7> sum{};  ///< offsets candidates, then raw Fz
        std::uint64_t n = 0;
        TareDone done;
    };
    std::optional<TareState> tare_;
};

}  // namespace stance::acquisition
