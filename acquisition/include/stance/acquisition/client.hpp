#pragma once
/// \file
/// A synchronous client of the stanced protocol (docs/stanced-protocol.md), for command-line
/// tools, the headless assessment and tests: connect, send commands, wait for their replies while
/// collecting the events that arrive in between.
///
/// Threading: one object per thread; every call blocks (with a timeout) on its own io_context.

#include <chrono>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace stance::acquisition {

class StancedClient {
public:
    using Json = nlohmann::json;

    /// Connects to ws://HOST:PORT/ and reads the hello event. Throws AcquisitionError naming the
    /// server and the problem (refused, 401 without the right token, not a stanced server).
    StancedClient(const std::string& url, const std::string& token = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
    ~StancedClient();
    StancedClient(const StancedClient&) = delete;
    StancedClient& operator=(const StancedClient&) = delete;

    const Json& hello() const noexcept { return hello_; }

    /// Sends {"cmd": cmd, "id": n, ...params} and returns the reply object. Events that arrive
    /// before the reply are kept for nextEvent(). Throws AcquisitionError on a timeout or a lost
    /// connection; a refused command is a reply with "ok": false, not an exception.
    Json request(const std::string& cmd, Json params = Json::object(),
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// The next event (text message that is not a reply), or nullopt after `timeout`.
    std::optional<Json> nextEvent(std::chrono::milliseconds timeout);
    /// Waits for an event named `name`, keeping the others; nullopt after `timeout`.
    std::optional<Json> waitEvent(const std::string& name, std::chrono::milliseconds timeout);
    /// Passthrough use, for a caller that keeps its own request ids (app::SessionWizard): sends
    /// one text message as it is. Throws AcquisitionError when the connection is lost.
    void sendText(const std::string& text);
    /// Passthrough use: the next text message, reply or event, in arrival order, or nullopt
    /// after `timeout`. Once called, request(), nextEvent() and waitEvent() no longer see the
    /// messages (do not mix the two uses). Throws AcquisitionError when the connection is lost.
    std::optional<Json> nextMessage(std::chrono::milliseconds timeout);
    /// Binary sample blocks received so far (raw bytes), taken out.
    std::vector<std::string> takeBinary();
    /// Every event received so far that nobody has taken yet.
    std::deque<Json>& pendingEvents() noexcept { return events_; }

    void close();
    /// Shrinks the socket's receive buffer (SO_RCVBUF), e.g. to behave as a slow reader.
    void setReceiveBuffer(int bytes);

private:
    bool readOne(std::chrono::milliseconds timeout);

    struct Impl;
    std::unique_ptr<Impl> impl_;
    Json hello_;
    std::deque<Json> events_;
    std::deque<Json> replies_;
    std::deque<Json> messages_;  ///< passthrough use: every text message in arrival order
    bool passthrough_ = false;
    std::vector<std::string> binary_;
    long next_id_ = 1;
};

}  // namespace stance::acquisition
