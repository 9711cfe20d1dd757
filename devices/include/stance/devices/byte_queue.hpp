#pragma once
/// \file
/// Internal building block of the frame decoders: the bytes received but not yet consumed, with
/// the host receive time of each chunk. Not for direct use.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace stance::devices::detail {

/// A FIFO of bytes with their chunk receive times. append() may move the stored bytes, so spans
/// returned by pending() are valid until the next append(). Amortised O(1) per byte; memory is
/// kept between calls (no allocation once it has grown to the largest backlog).
class ByteQueue {
public:
    void append(std::span<const std::uint8_t> bytes, std::int64_t host_time_ns);
    std::span<const std::uint8_t> pending() const noexcept {
        return {buffer_.data() + head_, buffer_.size() - head_};
    }
    std::size_t size() const noexcept { return buffer_.size() - head_; }
    void consume(std::size_t n) noexcept;
    /// Absolute stream offset of pending()[0] (bytes consumed since construction).
    std::uint64_t position() const noexcept { return base_ + head_; }
    /// Receive time of the chunk that delivered pending()[offset].
    std::int64_t hostTimeAt(std::size_t offset) const noexcept;

private:
    struct Mark {
        std::uint64_t end = 0;  ///< absolute offset one past the chunk's last byte
        std::int64_t host_time_ns = 0;
    };
    std::vector<std::uint8_t> buffer_;
    std::size_t head_ = 0;
    std::uint64_t base_ = 0;  ///< absolute offset of buffer_[0]
    std::vector<Mark> marks_;
    std::size_t mark_head_ = 0;
};

}  // namespace stance::devices::detail
