#include "stance/acquisition/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <utility>  // Boost 1.74 Asio under C++20 needs std::exchange declared first

#include "stance/acquisition/errors.hpp"

namespace stance::acquisition {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

struct StancedClient::Impl {
    asio::io_context io;
    websocket::stream<beast::tcp_stream> ws{io};
    beast::flat_buffer buffer;
    std::string where;
    // One read is always outstanding once started; a timeout leaves it pending for the next
    // call (cancelling a Beast WebSocket read would leave the stream unusable).
    bool read_pending = false;
    bool read_done = false;
    beast::error_code read_result;
};

namespace {

struct Url {
    std::string host, port, target;
};

Url parseUrl(const std::string& url) {
    const std::string prefix = "ws://";
    if (url.rfind(prefix, 0) != 0)
        throw AcquisitionError("server " + url + ": expected ws://HOST:PORT/");
    std::string rest = url.substr(prefix.size());
    Url u;
    const auto slash = rest.find('/');
    u.target = slash == std::string::npos ? "/" : rest.substr(slash);
    rest = rest.substr(0, slash);
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos || colon + 1 == rest.size())
        throw AcquisitionError("server " + url + ": the port is missing (ws://HOST:PORT/)");
    u.host = rest.substr(0, colon);
    u.port = rest.substr(colon + 1);
    return u;
}

}  // namespace

StancedClient::StancedClient(const std::string& url, const std::string& token,
                             std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
    const Url u = parseUrl(url);
    impl_->where = url;
    try {
        tcp::resolver resolver(impl_->io);
        auto& layer = beast::get_lowest_layer(impl_->ws);
        layer.expires_after(timeout);
        layer.connect(resolver.resolve(u.host, u.port));
        impl_->ws.set_option(websocket::stream_base::decorator([token](websocket::request_type& r) {
            r.set(http::field::user_agent, "stance");
            if (!token.empty())
                r.set(http::field::authorization, "Bearer " + token);
        }));
        websocket::response_type res;
        beast::error_code ec;
        impl_->ws.handshake(res, u.host + ":" + u.port, u.target, ec);
        if (ec) {
            if (res.result() == http::status::unauthorized ||
                ec == websocket::error::upgrade_declined) {
                // stanced declines an upgrade only for a missing or wrong token (HTTP 401).
                throw AcquisitionError("server " + url +
                                       ": access refused (a valid --token is required)");
            }
            throw AcquisitionError("server " + url +
                                   ": the WebSocket handshake failed: " + ec.message());
        }
        layer.expires_never();
    } catch (const boost::system::system_error& e) {
        throw AcquisitionError("server " + url + ": " + e.code().message() +
                               " (is stanced running there?)");
    }
    const auto hello = waitEvent("hello", timeout);
    if (!hello)
        throw AcquisitionError("server " + url + ": no hello from stanced");
    hello_ = *hello;
    if (hello_.value("protocol", 0) != 1) {
        throw AcquisitionError("server " + url + ": protocol " + hello_["protocol"].dump() +
                               ", this client speaks 1");
    }
}

StancedClient::~StancedClient() {
    close();
}

void StancedClient::close() {
    if (!impl_)
        return;
    if (impl_->ws.is_open()) {
        beast::get_lowest_layer(impl_->ws).expires_after(std::chrono::seconds(1));
        impl_->ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
        impl_->io.restart();
        impl_->io.run_for(std::chrono::seconds(1));
    }
    // Whatever is still outstanding (the read kept across timeouts) completes now, aborted, so
    // no operation outlives the stream it works on.
    beast::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
    impl_->io.restart();
    impl_->io.run();
}

bool StancedClient::readOne(std::chrono::milliseconds timeout) {
    if (!impl_->read_pending) {
        impl_->read_pending = true;
        impl_->read_done = false;
        impl_->ws.async_read(impl_->buffer,
                             [impl = impl_.get()](beast::error_code ec, std::size_t) {
                                 impl->read_done = true;
                                 impl->read_result = ec;
                             });
    }
    impl_->io.restart();
    impl_->io.run_for(timeout);
    if (!impl_->read_done)
        return false;
    impl_->read_pending = false;
    if (impl_->read_result) {
        throw AcquisitionError("server " + impl_->where +
                               ": connection lost: " + impl_->read_result.message());
    }
    std::string data = beast::buffers_to_string(impl_->buffer.data());
    impl_->buffer.consume(impl_->buffer.size());
    if (impl_->ws.got_binary()) {
        binary_.push_back(std::move(data));
        return true;
    }
    Json j = Json::parse(data, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw AcquisitionError("server " + impl_->where + ": a message is not a JSON object");
    if (passthrough_)
        messages_.push_back(std::move(j));
    else if (j.contains("reply"))
        replies_.push_back(std::move(j));
    else
        events_.push_back(std::move(j));
    return true;
}

void StancedClient::sendText(const std::string& text) {
    impl_->ws.text(true);
    beast::error_code ec;
    impl_->ws.write(asio::buffer(text), ec);
    if (ec)
        throw AcquisitionError("server " + impl_->where + ": cannot send: " + ec.message());
}

std::optional<Json> StancedClient::nextMessage(std::chrono::milliseconds timeout) {
    if (!passthrough_) {
        // From now on every text message goes to nextMessage() in arrival order; what was
        // already sorted comes first (replies and events that nobody took).
        passthrough_ = true;
        for (auto& r : replies_)
            messages_.push_back(std::move(r));
        for (auto& e : events_)
            messages_.push_back(std::move(e));
        replies_.clear();
        events_.clear();
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (messages_.empty()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !readOne(left))
            return std::nullopt;
    }
    Json m = std::move(messages_.front());
    messages_.pop_front();
    return m;
}

Json StancedClient::request(const std::string& cmd, Json params,
                            std::chrono::milliseconds timeout) {
    const long id = next_id_++;
    params["cmd"] = cmd;
    params["id"] = id;
    sendText(params.dump());
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        for (auto it = replies_.begin(); it != replies_.end(); ++it) {
            if (it->value("id", Json()) == Json(id)) {
                Json r = std::move(*it);
                replies_.erase(it);
                return r;
            }
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !readOne(left))
            throw AcquisitionError("server " + impl_->where + ": no reply to " + cmd);
    }
}

std::optional<Json> StancedClient::nextEvent(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (events_.empty()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !readOne(left))
            return std::nullopt;
    }
    Json e = std::move(events_.front());
    events_.pop_front();
    return e;
}

std::optional<Json> StancedClient::waitEvent(const std::string& name,
                                             std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t seen = 0;
    for (;;) {
        for (auto it = events_.begin() + static_cast<std::ptrdiff_t>(seen); it != events_.end();
             ++it, ++seen) {
            if (it->value("event", std::string()) == name) {
                Json e = std::move(*it);
                events_.erase(it);
                return e;
            }
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !readOne(left))
            return std::nullopt;
    }
}

void StancedClient::setReceiveBuffer(int bytes) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().set_option(
        asio::socket_base::receive_buffer_size(bytes), ignored);
}

std::vector<std::string> StancedClient::takeBinary() {
    return std::exchange(binary_, {});
}

}  // namespace stance::acquisition
