#pragma once
/// \file
/// Lock-free single-producer / single-consumer ring of trivially copyable items.
///
/// Threading: push() from exactly one producer thread, pop() from exactly one consumer thread;
/// size() and capacity() from either. No allocation after construction.

#include <atomic>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace stance::acquisition {

template <class T>
class SpscRing {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    /// Capacity is rounded up to a power of two (at least 2).
    explicit SpscRing(std::size_t capacity) {
        std::size_t c = 2;
        while (c < capacity)
            c *= 2;
        buffer_.resize(c);
        mask_ = c - 1;
    }

    std::size_t capacity() const noexcept { return buffer_.size(); }

    /// Producer: appends one item; false (nothing written) when the ring is full.
    bool push(const T& item) noexcept {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        if (head - tail == buffer_.size())
            return false;
        buffer_[head & mask_] = item;
        head_.store(head + 1, std::memory_order_release);
        return true;
    }

    /// Consumer: moves up to `max` items into `out`; returns how many.
    std::size_t pop(T* out, std::size_t max) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        const std::size_t head = head_.load(std::memory_order_acquire);
        std::size_t n = head - tail;
        if (n > max)
            n = max;
        for (std::size_t i = 0; i < n; ++i)
            out[i] = buffer_[(tail + i) & mask_];
        tail_.store(tail + n, std::memory_order_release);
        return n;
    }

    /// Items waiting (exact for the calling side, a snapshot for the other).
    std::size_t size() const noexcept {
        return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
    }

private:
    std::vector<T> buffer_;
    std::size_t mask_ = 0;
    alignas(64) std::atomic<std::size_t> head_{0};  ///< written by the producer
    alignas(64) std::atomic<std::size_t> tail_{0};  ///< written by the consumer
};

}  // namespace stance::acquisition
