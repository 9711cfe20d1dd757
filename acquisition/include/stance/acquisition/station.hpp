#pragma once
/// \file
/// The station: the devices of one stanced (serial, simulated, replayed), the trial in progress,
/// the sessions it records into, and the fan-out of events and samples to the clients. It
/// implements the commands of docs/stanced-protocol.md; the WebSocket server (server.hpp) only
/// carries them.
///
/// Data directory: <data-dir>/<session>.h5 holds every trial of a session (stance-hdf5);
/// <data-dir>/live/ holds the live file of the trial being recorded. Live files left by a crash
/// are finalized (status "aborted") when the station starts.
///
/// Threading: everything runs on the io_context's single thread (device strands included);
/// recorder callbacks are posted back to it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>  // Boost 1.74 Asio under C++20 needs std::exchange declared first
#include <vector>

#include "stance/acquisition/device_session.hpp"
#include "stance/acquisition/recorder.hpp"
#include "stance/acquisition/sim_port.hpp"

namespace stance::acquisition {

/// A --device argument: `xsens:/dev/ttyUSB0[@BAUD]`, `stance-frame:/dev/ttyACM0[@BAUD]`,
/// `sim:plate`, `sim:board`, `sim:imu`, `sim:xsens` (optionally `sim:plate@RATE`), or
/// `replay:FILE` (a stance-hdf5 file or a trial text file, played through a simulated plate).
struct DeviceSpec {
    enum class Kind {
        kSerialXsens,
        kSerialStance,
        kSimPlate,
        kSimBoard,
        kSimImu,
        kSimXsens,
        kReplay
    };
    Kind kind = Kind::kSimPlate;
    std::string path;    ///< serial port, or the replayed file
    unsigned baud = 0;   ///< 0: the protocol's default
    double rate_hz = 0;  ///< simulated devices: 0 for the default
    std::string text;    ///< as given, for messages
};
/// Throws AcquisitionError naming the argument and what is wrong with it.
DeviceSpec parseDeviceSpec(const std::string& text);

struct StationOptions {
    std::filesystem::path data_dir;
    std::vector<DeviceSpec> devices;
    std::uint64_t sim_seed = 1;  ///< the simulated subject
    double progress_period_s = 0.5;
    /// Recording continues this long past a trial's duration before it is closed, so samples of
    /// its last instant still arrive (transport latency).
    double end_margin_s = 0.3;
    std::size_t recorder_ring = 1u << 16;
};

/// A command that cannot be carried out; the message goes to the client as "error".
class CommandError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Station {
public:
    using Json = nlohmann::json;
    using EventListener = std::function<void(const Json&)>;
    using SampleListener = std::function<void(const StreamSample&)>;
    using Reply = std::function<void(Json)>;  ///< a reply object, or {"error": ...}

    Station(boost::asio::io_context& io, StationOptions options);
    ~Station();
    Station(const Station&) = delete;
    Station& operator=(const Station&) = delete;

    /// Recovers crashed live files, opens the data directory, starts every device. Throws
    /// AcquisitionError (an unusable data directory, a bad replay file).
    void start();
    /// Ends a running trial (status "aborted"), waits for its file, stops every device, then
    /// calls done (on the io thread).
    void stop(std::function<void()> done);

    // Commands of docs/stanced-protocol.md. Each throws CommandError with the reason, or replies.
    Json status() const;
    Json devices() const;
    void tare(const std::string& device, double seconds, Reply reply);
    Json startTrial(const Json& request);
    void stopTrial(const std::string& status, Reply reply);
    Json markEvent(const std::string& label);

    /// Station clock: seconds since the station started.
    double stationTime(std::int64_t host_ns) const noexcept {
        return static_cast<double>(host_ns - start_ns_) * 1e-9;
    }
    double now() const;
    const std::vector<std::unique_ptr<DeviceSession>>& sessions() const { return sessions_; }

    int addEventListener(EventListener l);
    int addSampleListener(SampleListener l);
    void removeListener(int id);

private:
    struct Trial {
        Json description;
        std::int64_t t0_ns = 0;
        double duration_s = 0;
        std::map<std::string, std::uint64_t> samples;
        bool ending = false;
        std::vector<Reply> on_done;
    };
    struct SessionFile {
        datasets::SubjectInfo subject;
        datasets::SessionInfo session;
        std::filesystem::path file;
        int next_trial = 1;
    };

    void onSample(const StreamSample& s);
    void onDeviceEvent(const DeviceEvent& e);
    void broadcast(const Json& event);
    void progressTick();
    void endTrial(datasets::TrialStatus status, const std::string& why);
    void recoverLiveFiles();
    Json deviceJson(const DeviceSession& d) const;
    SimulatedPort* simFor(std::uint16_t device);

    boost::asio::io_context& io_;
    StationOptions options_;
    std::int64_t start_ns_ = 0;
    std::vector<std::unique_ptr<SimulatedPort>> sims_;       ///< owned simulated devices
    std::map<std::uint16_t, SimulatedPort*> sim_of_device_;  ///< device index -> its simulator
    std::vector<std::unique_ptr<DeviceSession>> sessions_;
    Recorder recorder_;
    std::optional<Trial> trial_;
    std::map<std::string, SessionFile> session_files_;
    boost::asio::steady_timer progress_timer_;
    int next_listener_ = 1;
    std::map<int, EventListener> event_listeners_;
    std::map<int, SampleListener> sample_listeners_;
    bool stopping_ = false;
};

}  // namespace stance::acquisition
