#pragma once
/// \file
/// A serial port as a byte stream that survives unplugging: Boost.Asio serial_port (baud, 8N1,
/// no flow control), reads stamped with the host steady clock, an optional read timeout through a
/// timer, and reopening with exponential back-off when the port disappears, errors, or goes silent.
///
/// Threading: every member is called on, and every handler runs on, the strand given to the
/// constructor. stop() must be called (on that strand) before destruction; after the stop
/// completes no handler runs again.

#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <utility>  // Boost 1.74 Asio under C++20 needs std::exchange declared first
#include <vector>

namespace stance::acquisition {

enum class LinkState {
    kOpening,  ///< trying to open the port (first time or after a loss), with back-off
    kOpen,     ///< open; bytes flow
    kStopped,  ///< stop() was called
};

struct SerialLinkOptions {
    std::string path;  ///< /dev/ttyUSB0, /dev/serial/by-id/..., a pty slave, a symlink
    unsigned baud = 115200;
    double read_timeout_s = 0;  ///< 0: none; otherwise silence this long counts as a loss
    double backoff_initial_s = 0.05;
    double backoff_max_s = 0.5;  ///< keeps "streaming resumes within 1 s of the port returning"
};

class SerialLink {
public:
    using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
    /// Bytes as read, with the steady-clock time (ns) the read completed.
    using BytesHandler = std::function<void(std::span<const std::uint8_t>, std::int64_t)>;
    /// Every state change, with the reason in words ("opened", "read error: Input/output error",
    /// "no bytes for 2 s", "cannot open /dev/ttyUSB0: No such file or directory").
    using StateHandler = std::function<void(LinkState, const std::string&)>;

    SerialLink(Strand strand, SerialLinkOptions options, BytesHandler on_bytes,
               StateHandler on_state);

    void start();
    /// Closes the port and cancels every timer; no handler runs afterwards.
    void stop();
    /// Queues bytes to write; dropped (with a state report) when the port is not open.
    void write(std::vector<std::uint8_t> bytes);
    /// Arms or disarms the silence timeout (the session arms it once the device streams).
    void setReadTimeout(double seconds);
    /// Closes the port as if it had been lost, then reopens with back-off (a session that finds
    /// the device misbehaving, e.g. a failed handshake, asks for a fresh start).
    void reconnect(const std::string& reason);

    LinkState state() const noexcept { return state_; }
    const SerialLinkOptions& options() const noexcept { return options_; }
    std::uint64_t bytesRead() const noexcept { return bytes_read_; }
    std::uint64_t reconnects() const noexcept { return reconnects_; }

private:
    void tryOpen();
    void lost(const std::string& reason);
    void readSome();
    void armTimeout();
    void writeNext();
    void setState(LinkState s, const std::string& reason);

    Strand strand_;
    SerialLinkOptions options_;
    BytesHandler on_bytes_;
    StateHandler on_state_;
    boost::asio::serial_port port_;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer silence_timer_;
    LinkState state_ = LinkState::kOpening;
    double backoff_s_ = 0.0;
    std::uint64_t generation_ = 0;  ///< bumps on every close; stale handlers check it
    std::vector<std::uint8_t> read_buffer_;
    std::deque<std::vector<std::uint8_t>> write_queue_;
    bool writing_ = false;
    std::uint64_t bytes_read_ = 0;
    std::uint64_t reconnects_ = 0;
    std::string last_open_error_;
};

/// Steady-clock time in ns, the host time base of every sample.
std::int64_t steadyNowNs() noexcept;

}  // namespace stance::acquisition
