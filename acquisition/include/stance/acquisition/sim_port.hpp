#pragma once
/// \file
/// A simulated or replayed device behind a real pseudo-terminal: the device's bytes, produced by
/// the real encoders (devices::SimulatedStanceDevice, devices::SimulatedXsensDevice), are written
/// in real time into the master end; the slave end is an ordinary serial port that a
/// DeviceSession opens by path, so `stanced --device sim:plate` runs the same code as hardware.
///
/// Like a USB-serial converter, bytes leave in bursts every `burst_period_s`. While "unplugged"
/// (tests of cable faults) the device keeps sampling and its bytes are lost, so the receiving
/// side sees a counter jump when the cable returns.
///
/// Threading: everything runs on the port's strand.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>  // Boost 1.74 Asio under C++20 needs std::exchange declared first
#include <variant>
#include <vector>

#include "stance/acquisition/pty.hpp"
#include "stance/devices/simulated_devices.hpp"

namespace stance::acquisition {

struct SimPortOptions {
    /// The device. Its body (if simulated) follows setCondition() and setOnPlate().
    std::variant<devices::SimulatedStanceDevice, devices::SimulatedXsensDevice> device;
    /// When set, a symbolic link at this path always points at the current slave end (a stable
    /// name across unplug/replug, like /dev/serial/by-id).
    std::string link_path;
    double burst_period_s = 0.002;
    std::size_t max_pending_bytes = 1 << 18;  ///< beyond this the "device" drops bytes
};

class SimulatedPort {
public:
    SimulatedPort(boost::asio::io_context& io, SimPortOptions options);
    ~SimulatedPort();
    SimulatedPort(const SimulatedPort&) = delete;
    SimulatedPort& operator=(const SimulatedPort&) = delete;

    /// Opens the pseudo-terminal and starts producing. Throws AcquisitionError.
    void start();
    void stop();
    /// The path a session opens: link_path when given, else the slave path.
    std::string path() const;

    /// The simulated subject follows an instruction (posted to the port's strand).
    void setCondition(devices::StanceCondition condition);
    void setOnPlate(bool on);
    /// Cable faults: unplug closes the pseudo-terminal; replug opens a new one (and re-points
    /// link_path at it).
    void unplug();
    void replug();

    std::uint64_t bytesWritten() const noexcept { return bytes_written_; }
    std::uint64_t bytesLost() const noexcept { return bytes_lost_; }

private:
    using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
    void open();
    void close();
    void tick();
    void readHost();
    void flush();
    double now_s() const;
    devices::BodySwayModel* body();

    Strand strand_;
    SimPortOptions options_;
    std::optional<PseudoTerminal> pty_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> master_;
    boost::asio::steady_timer timer_;
    std::int64_t start_ns_ = 0;
    std::vector<std::uint8_t> produced_;
    std::vector<std::uint8_t> pending_;
    std::vector<std::uint8_t> in_flight_;
    std::vector<std::uint8_t> host_buffer_;
    std::vector<std::uint8_t> reply_;
    bool writing_ = false;
    bool running_ = false;
    bool plugged_ = false;
    std::uint64_t generation_ = 0;
    std::uint64_t bytes_written_ = 0;
    std::uint64_t bytes_lost_ = 0;
};

}  // namespace stance::acquisition
