#include "stance/acquisition/sim_port.hpp"

#include <unistd.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>

#include "stance/acquisition/errors.hpp"
#include "stance/acquisition/serial_link.hpp"

namespace stance::acquisition {

namespace asio = boost::asio;

SimulatedPort::SimulatedPort(asio::io_context& io, SimPortOptions options)
    : strand_(asio::make_strand(io)), options_(std::move(options)), timer_(strand_) {
    host_buffer_.resize(1024);
}

SimulatedPort::~SimulatedPort() {
    close();
}

double SimulatedPort::now_s() const {
    return static_cast<double>(steadyNowNs() - start_ns_) * 1e-9;
}

devices::BodySwayModel* SimulatedPort::body() {
    return std::visit(
        [](auto& d) -> devices::BodySwayModel* {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, devices::SimulatedXsensDevice>)
                return &d.body();
            else
                return d.body();
        },
        options_.device);
}

void SimulatedPort::open() {
    pty_.emplace();
    master_ = std::make_unique<asio::posix::stream_descriptor>(strand_, pty_->releaseMaster());
    if (!options_.link_path.empty()) {
        // Re-point the stable name atomically: a new link under a temporary name, then rename.
        const std::string tmp = options_.link_path + ".new";
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        std::filesystem::create_symlink(pty_->slavePath(), tmp, ec);
        if (!ec)
            std::filesystem::rename(tmp, options_.link_path, ec);
        if (ec) {
            throw AcquisitionError("cannot link " + options_.link_path + " to " +
                                   pty_->slavePath() + ": " + ec.message());
        }
    }
    plugged_ = true;
    ++generation_;
    writing_ = false;
    pending_.clear();
    readHost();
}

void SimulatedPort::close() {
    ++generation_;
    plugged_ = false;
    writing_ = false;
    if (master_) {
        boost::system::error_code ignored;
        master_->close(ignored);
        master_.reset();
    }
    pty_.reset();
}

void SimulatedPort::start() {
    start_ns_ = steadyNowNs();
    running_ = true;
    open();
    if (auto* xs = std::get_if<devices::SimulatedXsensDevice>(&options_.device)) {
        produced_.clear();
        xs->powerOn(0.0, produced_);
        pending_.insert(pending_.end(), produced_.begin(), produced_.end());
    }
    asio::post(strand_, [this] { tick(); });
}

void SimulatedPort::stop() {
    asio::post(strand_, [this] {
        running_ = false;
        timer_.cancel();
        close();
        if (!options_.link_path.empty()) {
            std::error_code ec;
            std::filesystem::remove(options_.link_path, ec);
        }
    });
}

std::string SimulatedPort::path() const {
    return options_.link_path.empty() ? (pty_ ? pty_->slavePath() : std::string())
                                      : options_.link_path;
}

void SimulatedPort::setCondition(devices::StanceCondition condition) {
    asio::post(strand_, [this, condition] {
        if (auto* b = body())
            b->setCondition(condition);
    });
}

void SimulatedPort::setOnPlate(bool on) {
    asio::post(strand_, [this, on] {
        if (auto* b = body())
            b->setOnPlate(on, now_s());
    });
}

void SimulatedPort::unplug() {
    asio::post(strand_, [this] { close(); });
}

void SimulatedPort::replug() {
    asio::post(strand_, [this] {
        if (!plugged_ && running_)
            open();
    });
}

void SimulatedPort::tick() {
    if (!running_)
        return;
    produced_.clear();
    const double t = now_s();
    std::visit([&](auto& d) { d.produceUntil(t, produced_); }, options_.device);
    if (!plugged_) {
        bytes_lost_ += produced_.size();
    } else if (pending_.size() + produced_.size() > options_.max_pending_bytes) {
        bytes_lost_ += produced_.size();  // nobody reads: the device's buffer overflows
    } else {
        pending_.insert(pending_.end(), produced_.begin(), produced_.end());
        flush();
    }
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(options_.burst_period_s)));
    timer_.async_wait([this](boost::system::error_code e) {
        if (!e)
            tick();
    });
}

void SimulatedPort::flush() {
    if (writing_ || pending_.empty() || !master_)
        return;
    writing_ = true;
    in_flight_.swap(pending_);
    pending_.clear();
    const auto gen = generation_;
    asio::async_write(
        *master_, asio::buffer(in_flight_),
        asio::bind_executor(strand_, [this, gen](boost::system::error_code ec, std::size_t n) {
            if (gen != generation_)
                return;
            writing_ = false;
            bytes_written_ += n;
            if (ec) {
                bytes_lost_ += in_flight_.size() - n;
                return;
            }
            flush();
        }));
}

void SimulatedPort::readHost() {
    const auto gen = generation_;
    master_->async_read_some(
        asio::buffer(host_buffer_),
        asio::bind_executor(strand_, [this, gen](boost::system::error_code ec, std::size_t n) {
            if (gen != generation_)
                return;
            if (ec) {
                // EIO while no one holds the slave open: wait and listen again.
                if (ec == asio::error::operation_aborted)
                    return;
                auto retry = std::make_shared<asio::steady_timer>(strand_);
                retry->expires_after(std::chrono::milliseconds(20));
                retry->async_wait([this, gen, retry](boost::system::error_code e) {
                    if (!e && gen == generation_ && master_)
                        readHost();
                });
                return;
            }
            reply_.clear();
            const std::span<const std::uint8_t> bytes(host_buffer_.data(), n);
            std::visit(
                [&](auto& d) {
                    using T = std::decay_t<decltype(d)>;
                    if constexpr (std::is_same_v<T, devices::SimulatedXsensDevice>)
                        d.onHostBytes(bytes, now_s(), reply_);
                    else
                        d.onHostBytes(bytes, reply_);
                },
                options_.device);
            pending_.insert(pending_.end(), reply_.begin(), reply_.end());
            flush();
            readHost();
        }));
}

}  // namespace stance::acquisition
