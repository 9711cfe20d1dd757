#include "stance/acquisition/server.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>

#include "stance/acquisition/errors.hpp"

namespace stance::acquisition {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

bool isLoopback(const std::string& host) {
    if (host == "localhost")
        return true;
    boost::system::error_code ec;
    const auto a = asio::ip::make_address(host, ec);
    return !ec && a.is_loopback();
}

namespace {

Json finiteOrNull(double v) {
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

std::string queryToken(std::string_view target) {
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return {};
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view kv = rest.substr(0, amp);
        if (kv.substr(0, 6) == "token=")
            return std::string(kv.substr(6));
        if (amp == std::string_view::npos)
            break;
        rest = rest.substr(amp + 1);
    }
    return {};
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from response times.
bool sameToken(const std::string& a, const std::string& b) {
    if (a.size() != b.size())
        return false;
    unsigned char d = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        d = static_cast<unsigned char>(d | (a[i] ^ b[i]));
    return d == 0;
}

}  // namespace

class Server::Connection : public std::enable_shared_from_this<Server::Connection> {
public:
    Connection(Server& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {}

    void start() {
        stream_.expires_after(std::chrono::seconds(10));
        http::async_read(stream_, buffer_, request_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->onRequest(ec);
                         });
    }

    void close() {
        if (closed_)
            return;
        closed_ = true;
        server_.station_.removeListener(listener_);
        if (ws_ && ws_->is_open()) {
            ws_->async_close(websocket::close_code::going_away,
                             [self = shared_from_this()](beast::error_code) {});
        } else {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
            stream_.close();
        }
    }

    bool closed() const { return closed_; }

    /// One sample from the station: accumulated into this connection's subscription.
    void onSample(const StreamSample& s) {
        if (!subscribed_ || closed_)
            return;
        auto it = subs_.find(s.device);
        if (it == subs_.end())
            return;
        Sub& sub = it->second;
        if (sub.block == 0) {
            // Block length from the device's measured (or nominal) rate, once known.
            const auto st = server_.station_.sessions()[s.device]->status();
            const double rate =
                st.rate_hz > 0 ? st.rate_hz : (st.info ? st.info->nominal_rate_hz : 0.0);
            sub.block = rate > 0 ? std::max(1, static_cast<int>(std::lround(rate / rate_hz_))) : 1;
            sub.kind = s.kind;
            sub.channels = channelCount(s.kind);
        }
        const int c = sub.channels;
        for (int i = 0; i < c; ++i)
            sub.sum[static_cast<std::size_t>(i)] += s.v[static_cast<std::size_t>(i)];
        sub.sum_t += server_.station_.stationTime(s.host_ns);
        if (++sub.count >= sub.block) {
            const double inv = 1.0 / sub.count;
            sub.t.push_back(sub.sum_t * inv);
            for (int i = 0; i < c; ++i)
                sub.v.push_back(sub.sum[static_cast<std::size_t>(i)] * inv);
            sub.sum.fill(0.0);
            sub.sum_t = 0.0;
            sub.count = 0;
        }
    }

    /// Server tick: pending samples out as messages, slow-client bookkeeping.
    void tick(double now_s) {
        if (closed_ || !ws_)
            return;
        for (auto& [index, sub] : subs_) {
            if (sub.t.empty())
                continue;
            if (binary_)
                enqueueBinary(index, sub);
            else
                enqueueJson(index, sub);
            sub.t.clear();
            sub.v.clear();
        }
        if (dropped_ > 0 && queued_bytes_ < server_.options_.max_queue_bytes / 2) {
            enqueue(Json{{"event", "dropped"}, {"t", now_s}, {"messages", dropped_}}.dump(), false,
                    false);
            dropped_ = 0;
        }
        // Over the limit: sample messages had to be dropped since the last tick.
        if (std::exchange(dropped_this_tick_, false)) {
            if (over_since_ < 0)
                over_since_ = now_s;
            else if (now_s - over_since_ > server_.options_.slow_client_close_s) {
                std::fprintf(stderr, "stanced: a client read too slowly for %.0f s: disconnected\n",
                             server_.options_.slow_client_close_s);
                close();
            }
        } else {
            over_since_ = -1.0;
        }
    }

    void sendEvent(const Json& e) { enqueue(e.dump(), false, false); }

private:
    struct Sub {
        int block = 0;
        int count = 0;
        int channels = 0;
        StreamKind kind = StreamKind::kForcePlate;
        std::array<double, 10> sum{};
        double sum_t = 0.0;
        std::vector<double> t;
        std::vector<double> v;  ///< rows of `channels`
    };
    struct Message {
        std::string data;
        bool binary;
    };

    void onRequest(beast::error_code ec) {
        if (ec) {
            close();
            return;
        }
        const std::string& token = server_.options_.token;
        if (!token.empty()) {
            const auto target = request_.target();
            std::string given = queryToken(std::string_view(target.data(), target.size()));
            const auto field = request_[http::field::authorization];
            const std::string_view auth(field.data(), field.size());
            if (auth.substr(0, 7) == "Bearer ")
                given = std::string(auth.substr(7));
            if (!sameToken(given, token)) {
                refuse(http::status::unauthorized, "a valid access token is required\n");
                return;
            }
        }
        if (!websocket::is_upgrade(request_)) {
            refuse(http::status::bad_request,
                   "stanced speaks WebSocket only (docs/stanced-protocol.md)\n");
            return;
        }
        stream_.expires_never();
        ws_.emplace(std::move(stream_));
        ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_->set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "stanced"); }));
        ws_->async_accept(request_,
                          [self = shared_from_this()](beast::error_code e) { self->onAccept(e); });
    }

    void refuse(http::status status, const std::string& body) {
        auto res = std::make_shared<http::response<http::string_body>>(status, request_.version());
        res->set(http::field::content_type, "text/plain");
        res->body() = body;
        res->prepare_payload();
        res->keep_alive(false);
        http::async_write(
            stream_, *res,
            [self = shared_from_this(), res](beast::error_code, std::size_t) { self->close(); });
    }

    void onAccept(beast::error_code ec) {
        if (ec) {
            close();
            return;
        }
        std::weak_ptr<Connection> weak = shared_from_this();
        listener_ = server_.station_.addEventListener([weak](const Json& e) {
            if (auto self = weak.lock())
                self->sendEvent(e);
        });
        const Json status = server_.station_.status();
        sendEvent({{"event", "hello"},
                   {"protocol", kProtocolVersion},
                   {"server", "stanced"},
                   {"version", "0.1.0"},
                   {"t", server_.station_.now()},
                   {"devices", status["devices"]},
                   {"trial", status["trial"]}});
        read();
    }

    void read() {
        ws_->async_read(
            read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) {
                    self->close();
                    return;
                }
                const std::string text = beast::buffers_to_string(self->read_buffer_.data());
                self->read_buffer_.consume(self->read_buffer_.size());
                self->handle(text);
                if (!self->closed_)
                    self->read();
            });
    }

    void reply(const std::string& cmd, const Json& id, Json body) {
        Json r{{"reply", cmd}, {"id", id}};
        if (body.contains("error")) {
            r["ok"] = false;
            r["error"] = body["error"];
        } else {
            r["ok"] = true;
            r.update(body);
        }
        sendEvent(r);
    }

    void handle(const std::string& text) {
        Json req;
        try {
            req = Json::parse(text);
        } catch (const Json::exception& e) {
            reply("", nullptr, {{"error", std::string("the message is not JSON: ") + e.what()}});
            return;
        }
        if (!req.is_object() || !req.contains("cmd") || !req["cmd"].is_string()) {
            reply("", req.is_object() ? req.value("id", Json(nullptr)) : Json(nullptr),
                  {{"error", "a request is an object with a string \"cmd\""}});
            return;
        }
        const std::string cmd = req["cmd"];
        const Json id = req.value("id", Json(nullptr));
        Station& st = server_.station_;
        try {
            if (cmd == "status") {
                reply(cmd, id, st.status());
            } else if (cmd == "list_devices") {
                reply(cmd, id, {{"devices", st.devices()}});
            } else if (cmd == "tare") {
                if (!req.contains("device") || !req["device"].is_string())
                    throw CommandError("device (a name from list_devices) is required");
                const double seconds = req.value("seconds", 1.0);
                std::weak_ptr<Connection> weak = shared_from_this();
                st.tare(req["device"].get<std::string>(), seconds, [weak, cmd, id](Json body) {
                    if (auto self = weak.lock())
                        self->reply(cmd, id, std::move(body));
                });
            } else if (cmd == "start_trial") {
                reply(cmd, id, {{"trial", st.startTrial(req)}});
            } else if (cmd == "stop_trial") {
                std::weak_ptr<Connection> weak = shared_from_this();
                st.stopTrial(req.value("status", std::string("complete")),
                             [weak, cmd, id](Json body) {
                                 if (auto self = weak.lock())
                                     self->reply(cmd, id, std::move(body));
                             });
            } else if (cmd == "mark_event") {
                reply(cmd, id, st.markEvent(req.value("label", std::string())));
            } else if (cmd == "subscribe") {
                subscribe(req);
                Json names = Json::array();
                for (const auto& [index, sub] : subs_)
                    names.push_back(st.sessions()[index]->config().name);
                reply(cmd, id, {{"devices", names}, {"rate_hz", rate_hz_}});
            } else if (cmd == "unsubscribe") {
                subscribed_ = false;
                subs_.clear();
                reply(cmd, id, Json::object());
            } else {
                throw CommandError("unknown command '" + cmd +
                                   "' (status, list_devices, tare, start_trial, stop_trial, "
                                   "mark_event, subscribe, unsubscribe)");
            }
        } catch (const CommandError& e) {
            reply(cmd, id, {{"error", e.what()}});
        } catch (const Json::exception& e) {
            reply(cmd, id, {{"error", std::string("a parameter has the wrong type: ") + e.what()}});
        }
    }

    void subscribe(const Json& req) {
        const double rate = req.value("rate_hz", 50.0);
        if (!(rate > 0.0 && rate <= 10000.0))
            throw CommandError("rate_hz must be within 0-10000");
        const std::string format = req.value("format", std::string("json"));
        if (format != "json" && format != "binary")
            throw CommandError("format must be json or binary");
        std::map<std::uint16_t, Sub> subs;
        const auto& sessions = server_.station_.sessions();
        if (req.contains("devices")) {
            if (!req["devices"].is_array())
                throw CommandError("devices must be an array of device names");
            for (const auto& n : req["devices"]) {
                bool found = false;
                for (const auto& s : sessions) {
                    if (n.is_string() && s->config().name == n.get<std::string>()) {
                        subs[s->index()] = Sub{};
                        found = true;
                    }
                }
                if (!found)
                    throw CommandError("no device named " + n.dump());
            }
        } else {
            for (const auto& s : sessions)
                subs[s->index()] = Sub{};
        }
        subs_ = std::move(subs);
        rate_hz_ = rate;
        binary_ = format == "binary";
        subscribed_ = true;
    }

    void enqueueJson(std::uint16_t index, const Sub& sub) {
        const auto& s = server_.station_.sessions()[index];
        Json v = Json::array();
        const auto c = static_cast<std::size_t>(sub.channels);
        for (std::size_t r = 0; r < sub.t.size(); ++r) {
            Json row = Json::array();
            for (std::size_t i = 0; i < c; ++i)
                row.push_back(finiteOrNull(sub.v[r * c + i]));
            v.push_back(std::move(row));
        }
        Json ch = Json::array();
        const auto names = channelNames(sub.kind);
        for (std::size_t i = 0; i < c; ++i)
            ch.push_back(std::string(names[i]));
        enqueue(Json{{"event", "samples"},
                     {"device", s->config().name},
                     {"index", index},
                     {"kind", std::string(streamKindName(sub.kind))},
                     {"channels", ch},
                     {"t", sub.t},
                     {"v", v}}
                    .dump(),
                false, true);
    }

    void enqueueBinary(std::uint16_t index, const Sub& sub) {
        const auto c = static_cast<std::size_t>(sub.channels);
        const std::size_t n = sub.t.size();
        std::string data(16 + n * (8 + 4 * c), '\0');
        char* p = data.data();
        std::memcpy(p, "STB1", 4);
        const auto put16 = [](char* q, std::uint16_t v) {
            q[0] = static_cast<char>(v & 0xFF);
            q[1] = static_cast<char>(v >> 8);
        };
        const auto put32 = [](char* q, std::uint32_t v) {
            for (int i = 0; i < 4; ++i)
                q[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
        };
        const auto put64 = [](char* q, std::uint64_t v) {
            for (int i = 0; i < 8; ++i)
                q[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
        };
        put16(p + 4, kProtocolVersion);
        put16(p + 6, index);
        p[8] = static_cast<char>(sub.kind);
        p[9] = static_cast<char>(c);
        put16(p + 10, 0);
        put32(p + 12, static_cast<std::uint32_t>(n));
        char* q = p + 16;
        for (std::size_t r = 0; r < n; ++r) {
            std::uint64_t bits;
            std::memcpy(&bits, &sub.t[r], 8);
            put64(q, bits);
            q += 8;
            for (std::size_t i = 0; i < c; ++i) {
                const auto f = static_cast<float>(sub.v[r * c + i]);
                std::uint32_t fb;
                std::memcpy(&fb, &f, 4);
                put32(q, fb);
                q += 4;
            }
        }
        enqueue(std::move(data), true, true);
    }

    void enqueue(std::string data, bool binary, bool droppable) {
        if (closed_ || !ws_)
            return;
        if (droppable && queued_bytes_ + data.size() > server_.options_.max_queue_bytes) {
            ++dropped_;
            dropped_this_tick_ = true;
            return;
        }
        queued_bytes_ += data.size();
        queue_.push_back({std::move(data), binary});
        if (!writing_)
            writeNext();
    }

    void writeNext() {
        if (queue_.empty() || closed_) {
            writing_ = false;
            return;
        }
        writing_ = true;
        ws_->binary(queue_.front().binary);
        ws_->async_write(asio::buffer(queue_.front().data),
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->queued_bytes_ -= self->queue_.front().data.size();
                             self->queue_.pop_front();
                             if (ec) {
                                 self->close();
                                 return;
                             }
                             self->writeNext();
                         });
    }

    Server& server_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    std::optional<websocket::stream<beast::tcp_stream>> ws_;
    beast::flat_buffer read_buffer_;
    int listener_ = 0;
    bool closed_ = false;
    bool subscribed_ = false;
    bool binary_ = false;
    double rate_hz_ = 50.0;
    std::map<std::uint16_t, Sub> subs_;
    std::deque<Message> queue_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    std::uint64_t dropped_ = 0;
    bool dropped_this_tick_ = false;
    double over_since_ = -1.0;
};

Server::Server(asio::io_context& io, Station& station, ServerOptions options)
    : io_(io), station_(station), options_(std::move(options)), acceptor_(io), timer_(io) {
    if (!isLoopback(options_.host) && options_.token.empty()) {
        throw AcquisitionError("--listen " + options_.host +
                               ": listening beyond this machine needs an access token (--token); "
                               "without one stanced binds 127.0.0.1 only");
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(
        options_.host == "localhost" ? std::string("127.0.0.1") : options_.host, ec);
    if (ec)
        throw AcquisitionError("--listen " + options_.host + ": not an IP address");
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor_.bind(endpoint, ec);
    if (!ec)
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw AcquisitionError("--listen " + options_.host + ":" + std::to_string(options_.port) +
                               ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
}

Server::~Server() = default;

std::size_t Server::connections() const noexcept {
    return connection_count_.load();
}

void Server::start() {
    sample_listener_ = station_.addSampleListener([this](const StreamSample& s) {
        for (const auto& c : connections_)
            c->onSample(s);
    });
    accept();
    tick();
}

void Server::accept() {
    acceptor_.async_accept(
        asio::make_strand(io_), [this](boost::system::error_code ec, tcp::socket socket) {
            if (ec || stopped_)
                return;
            if (options_.socket_send_buffer > 0) {
                boost::system::error_code ignored;
                socket.set_option(asio::socket_base::send_buffer_size(options_.socket_send_buffer),
                                  ignored);
            }
            auto c = std::make_shared<Connection>(*this, std::move(socket));
            connections_.insert(c);
            c->start();
            accept();
        });
}

void Server::tick() {
    if (stopped_)
        return;
    const double now = station_.now();
    for (auto it = connections_.begin(); it != connections_.end();) {
        (*it)->tick(now);
        it = (*it)->closed() ? connections_.erase(it) : std::next(it);
    }
    connection_count_ = connections_.size();
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(options_.sample_period_s)));
    timer_.async_wait([this](boost::system::error_code e) {
        if (!e)
            tick();
    });
}

void Server::stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    timer_.cancel();
    station_.removeListener(sample_listener_);
    for (const auto& c : connections_)
        c->close();
    connections_.clear();
    connection_count_ = 0;
}

}  // namespace stance::acquisition
