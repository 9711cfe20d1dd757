#pragma once
/// \file
/// The client side of the stanced protocol, version 1 (docs/stanced-protocol.md), without any
/// socket: the JSON texts of the commands, the parsed replies and events, and the sample
/// messages (JSON and binary blocks) turned into LiveSamples. The GUI's QWebSocket, a headless
/// runner and the tests all feed and read these.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stance/app/live_view.hpp"

namespace stance::app {

/// The protocol version this client speaks (the `protocol` of `hello`).
inline constexpr int kStancedProtocolVersion = 1;

/// Subject of a trial as stanced takes it: pseudonymous, no names.
struct StancedSubject {
    std::string id;
    std::string sex = "X";  ///< "F", "M" or "X"
    std::optional<int> birth_year;
    std::optional<double> height_m;
    std::optional<double> mass_kg;
};

/// Session of a trial: trials with the same id go into the same session file.
struct StancedSession {
    std::string id;
    std::string operator_id;
    std::string site;
    std::string protocol;
    std::string protocol_version;
};

struct StartTrialRequest {
    std::string condition;
    double duration_s = 0.0;
    int repetition = 1;
    std::string instruction;
    std::optional<StancedSubject> subject;
    std::optional<StancedSession> session;
};

// Command texts. `id` is echoed by the reply.
std::string statusCommand(std::int64_t id);
std::string listDevicesCommand(std::int64_t id);
std::string tareCommand(std::int64_t id, std::string_view device, double seconds = 1.0);
std::string startTrialCommand(std::int64_t id, const StartTrialRequest& request);
/// `status`: "complete", "aborted" or "fall".
std::string stopTrialCommand(std::int64_t id, std::string_view status);
std::string markEventCommand(std::int64_t id, std::string_view label);
std::string subscribeCommand(std::int64_t id, double rate_hz, bool binary,
                             const std::vector<std::string>& devices = {});
std::string unsubscribeCommand(std::int64_t id);

/// A device object.
struct StancedDevice {
    int index = 0;
    std::string name;
    std::string protocol;
    std::string port;
    bool connected = false;
    std::string state;
    std::string kind;  ///< "force_plate", "load_cell_board", "imu"; "" until the first sample
    std::vector<std::string> channels;
    std::string model;
    double nominal_rate_hz = 0.0;
    double rate_hz = 0.0;
    std::int64_t samples = 0;
    std::int64_t gaps = 0;
    std::int64_t reconnects = 0;
    bool tared = false;
};

/// A trial object.
struct StancedTrial {
    std::string session;
    std::string name;  ///< "003"
    std::string condition;
    double duration_s = 0.0;
    double t0 = 0.0;  ///< station time of trial time 0
    std::string live_file;
};

enum class StancedMessageKind { kReply, kEvent };

/// A parsed text message: a reply (`reply` = command name) or an event (`event` name). Fields a
/// message does not carry keep their defaults.
struct StancedMessage {
    StancedMessageKind kind = StancedMessageKind::kEvent;
    std::string name;                ///< command of a reply, or the event name
    std::optional<std::int64_t> id;  ///< replies: the echoed id when it was a number
    bool ok = true;                  ///< replies
    std::string error;               ///< replies with ok = false
    int protocol = 0;                ///< hello
    double t = 0.0;                  ///< station clock when present
    bool has_devices = false;        ///< hello, status, list_devices carried a device list
    std::vector<StancedDevice> devices;
    std::optional<StancedTrial> trial;
    std::string device;  ///< device_* events, gap
    std::string reason;
    std::string status;  ///< trial_done
    std::string file;    ///< trial_done
    std::string group;   ///< trial_done
    double elapsed_s = 0.0;
    double remaining_s = 0.0;
    std::int64_t dropped_messages = 0;  ///< dropped
};

/// Parses one text message. Nothing, with `error` set ("not JSON: ...", "neither a reply nor an
/// event"), for a malformed one. `samples` events parse too (name "samples"); their data come
/// from parseJsonSamples.
std::optional<StancedMessage> parseStancedMessage(std::string_view text, std::string* error);

/// Appends the samples of a JSON `samples` event (null values become NaN). Returns the number
/// appended, or nothing with `error` set when the message is malformed (nothing appended).
std::optional<std::size_t> parseJsonSamples(std::string_view text, std::vector<LiveSample>& out,
                                            std::string* error);

/// Appends the samples of a binary block (`STB1`, little-endian; layout in the protocol
/// document). Nothing, with `error` set, for a wrong magic or version or a length that does not
/// match N x (8 + 4C) + 16; nothing is appended then. Channels beyond kLiveChannels are dropped.
std::optional<std::size_t> parseBinarySamples(std::span<const std::uint8_t> block,
                                              std::vector<LiveSample>& out, std::string* error);

}  // namespace stance::app
