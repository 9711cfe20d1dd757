#pragma once
/// \file
/// The WebSocket face of the station (Boost.Beast), protocol version 1 of
/// docs/stanced-protocol.md: JSON commands and events, subscriptions decimated to a requested
/// rate as JSON or binary sample blocks, an access token checked before the upgrade, and one send
/// queue per client so that a slow client loses its own sample messages and nothing else.
///
/// Threading: the server, its connections and the station share the io_context's thread.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <set>
#include <string>
#include <utility>  // Boost 1.74 Asio under C++20 needs std::exchange declared first

#include "stance/acquisition/station.hpp"

namespace stance::acquisition {

inline constexpr int kProtocolVersion = 1;

struct ServerOptions {
    std::string host = "127.0.0.1";
    unsigned short port = 8765;  ///< 0: any free port (see Server::port())
    /// Required of every client when not empty; stanced refuses to bind a non-loopback address
    /// without one.
    std::string token;
    std::size_t max_queue_bytes = 4u << 20;  ///< per client, before sample messages are dropped
    double slow_client_close_s = 5.0;        ///< over the limit this long: disconnected
    double sample_period_s = 0.05;           ///< samples are sent in messages this often
    int socket_send_buffer = 0;              ///< SO_SNDBUF of client sockets; 0: the system's
};

/// True for 127.0.0.0/8, ::1 and "localhost".
bool isLoopback(const std::string& host);

class Server {
public:
    /// Binds and listens. Throws AcquisitionError: a non-loopback address without a token, an
    /// address that does not parse, a port in use.
    Server(boost::asio::io_context& io, Station& station, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void start();
    /// Stops accepting and closes every connection.
    void stop();
    unsigned short port() const noexcept { return port_; }
    /// Open client connections (any thread).
    std::size_t connections() const noexcept;

    class Connection;

private:
    void accept();
    void tick();

    boost::asio::io_context& io_;
    Station& station_;
    ServerOptions options_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer timer_;
    unsigned short port_ = 0;
    std::set<std::shared_ptr<Connection>> connections_;
    std::atomic<std::size_t> connection_count_{0};  ///< connections_.size(), for other threads
    int sample_listener_ = 0;
    bool stopped_ = false;
};

}  // namespace stance::acquisition
