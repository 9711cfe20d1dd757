#include "stance/devices/byte_queue.hpp"

#include <algorithm>

namespace stance::devices::detail {

void ByteQueue::append(std::span<const std::uint8_t> bytes, std::int64_t host_time_ns) {
    if (bytes.empty())
        return;
    // Compact when the consumed prefix dominates: each byte moves at most a bounded number of
    // times, so appending stays amortised O(1) per byte.
    if (head_ > 0 && head_ >= buffer_.size() - head_) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(head_));
        base_ += head_;
        head_ = 0;
    }
    if (mark_head_ > 0 && mark_head_ >= marks_.size() - mark_head_) {
        marks_.erase(marks_.begin(), marks_.begin() + static_cast<std::ptrdiff_t>(mark_head_));
        mark_head_ = 0;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    marks_.push_back(Mark{base_ + buffer_.size(), host_time_ns});
}

void ByteQueue::consume(std::size_t n) noexcept {
    head_ += std::min(n, size());
    const std::uint64_t pos = position();
    while (mark_head_ < marks_.size() && marks_[mark_head_].end <= pos)
        ++mark_head_;
    // The storage is compacted only in append(), so a frame view handed out just before this
    // call stays valid until the next append().
}

std::int64_t ByteQueue::hostTimeAt(std::size_t offset) const noexcept {
    const std::uint64_t abs = position() + offset;
    for (std::size_t i = mark_head_; i < marks_.size(); ++i) {
        if (marks_[i].end > abs)
            return marks_[i].host_time_ns;
    }
    return marks_.empty() ? 0 : marks_.back().host_time_ns;
}

}  // namespace stance::devices::detail
