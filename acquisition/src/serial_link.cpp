#include "stance/acquisition/serial_link.hpp"

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

namespace stance::acquisition {

namespace asio = boost::asio;

std::int64_t steadyNowNs() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

namespace {

std::chrono::steady_clock::duration seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(s));
}

}  // namespace

SerialLink::SerialLink(Strand strand, SerialLinkOptions options, BytesHandler on_bytes,
                       StateHandler on_state)
    : strand_(std::move(strand)),
      options_(std::move(options)),
      on_bytes_(std::move(on_bytes)),
      on_state_(std::move(on_state)),
      port_(strand_),
      retry_timer_(strand_),
      silence_timer_(strand_),
      read_buffer_(4096) {}

void SerialLink::start() {
    backoff_s_ = options_.backoff_initial_s;
    tryOpen();
}

void SerialLink::stop() {
    ++generation_;
    boost::system::error_code ignored;
    retry_timer_.cancel();
    silence_timer_.cancel();
    port_.close(ignored);
    write_queue_.clear();
    writing_ = false;
    setState(LinkState::kStopped, "stopped");
}

void SerialLink::setState(LinkState s, const std::string& reason) {
    state_ = s;
    if (on_state_)
        on_state_(s, reason);
}

void SerialLink::tryOpen() {
    if (state_ == LinkState::kStopped)
        return;
    boost::system::error_code ec;
    port_.open(options_.path, ec);
    if (!ec) {
        using base = asio::serial_port_base;
        port_.set_option(base::baud_rate(options_.baud), ec);
        if (!ec)
            port_.set_option(base::character_size(8), ec);
        if (!ec)
            port_.set_option(base::parity(base::parity::none), ec);
        if (!ec)
            port_.set_option(base::stop_bits(base::stop_bits::one), ec);
        if (!ec)
            port_.set_option(base::flow_control(base::flow_control::none), ec);
        if (ec) {
            boost::system::error_code ignored;
            port_.close(ignored);
        }
    }
    if (ec) {
        // Report each distinct reason once, not every retry.
        const std::string why = "cannot open " + options_.path + ": " + ec.message();
        if (why != last_open_error_) {
            last_open_error_ = why;
            setState(LinkState::kOpening, why);
        }
        retry_timer_.expires_after(seconds(backoff_s_));
        const auto gen = generation_;
        retry_timer_.async_wait([this, gen](const boost::system::error_code& e) {
            if (!e && gen == generation_)
                tryOpen();
        });
        backoff_s_ = std::min(options_.backoff_max_s, backoff_s_ * 2.0);
        return;
    }
    last_open_error_.clear();
    backoff_s_ = options_.backoff_initial_s;
    setState(LinkState::kOpen, "opened " + options_.path);
    readSome();
    armTimeout();
    if (!write_queue_.empty() && !writing_)
        writeNext();
}

void SerialLink::lost(const std::string& reason) {
    if (state_ != LinkState::kOpen)
        return;
    ++generation_;
    ++reconnects_;
    boost::system::error_code ignored;
    silence_timer_.cancel();
    port_.close(ignored);
    write_queue_.clear();
    writing_ = false;
    setState(LinkState::kOpening, reason);
    retry_timer_.expires_after(seconds(backoff_s_));
    const auto gen = generation_;
    retry_timer_.async_wait([this, gen](const boost::system::error_code& e) {
        if (!e && gen == generation_)
            tryOpen();
    });
}

void SerialLink::reconnect(const std::string& reason) {
    lost(reason);
}

void SerialLink::readSome() {
    const auto gen = generation_;
    port_.async_read_some(
        asio::buffer(read_buffer_),
        asio::bind_executor(
            strand_, [this, gen](const boost::system::error_code& ec, std::size_t n) {
                if (gen != generation_)
                    return;
                if (ec) {
                    lost(ec == asio::error::eof ? "the port closed (end of stream)"
                                                : "read error: " + ec.message());
                    return;
                }
                const std::int64_t now = steadyNowNs();
                bytes_read_ += n;
                armTimeout();
                on_bytes_(std::span<const std::uint8_t>(read_buffer_.data(), n), now);
                if (gen == generation_ && state_ == LinkState::kOpen)
                    readSome();
            }));
}

void SerialLink::armTimeout() {
    if (options_.read_timeout_s <= 0.0 || state_ != LinkState::kOpen)
        return;
    silence_timer_.expires_after(seconds(options_.read_timeout_s));
    const auto gen = generation_;
    silence_timer_.async_wait([this, gen](const boost::system::error_code& e) {
        if (e || gen != generation_)
            return;
        char what[64];
        std::snprintf(what, sizeof what, "no bytes for %.3g s", options_.read_timeout_s);
        lost(what);
    });
}

void SerialLink::setReadTimeout(double seconds_) {
    options_.read_timeout_s = seconds_;
    if (seconds_ <= 0.0)
        silence_timer_.cancel();
    else
        armTimeout();
}

void SerialLink::write(std::vector<std::uint8_t> bytes) {
    if (bytes.empty())
        return;
    if (state_ != LinkState::kOpen)
        return;  // nothing to write to; the session repeats what matters after reconnecting
    write_queue_.push_back(std::move(bytes));
    if (!writing_)
        writeNext();
}

void SerialLink::writeNext() {
    if (write_queue_.empty()) {
        writing_ = false;
        return;
    }
    writing_ = true;
    const auto gen = generation_;
    asio::async_write(
        port_, asio::buffer(write_queue_.front()),
        asio::bind_executor(strand_, [this, gen](const boost::system::error_code& ec, std::size_t) {
            if (gen != generation_)
                return;
            if (ec) {
                lost("write error: " + ec.message());
                return;
            }
            write_queue_.pop_front();
            writeNext();
        }));
}

}  // namespace stance::acquisition
