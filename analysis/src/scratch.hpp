#pragma once
// Private: per-thread scratch memory for the metric set's working arrays (FFT buffers, Welch
// segments, MSD prefix sums, sway-density runs, filter extensions).
//
// Why: one trial's metric set needs a few hundred kilobytes of temporaries. Taken from the heap
// and given back after every call, they sit on top of glibc's heap, which then returns them to
// the kernel (its trim threshold is 128 KiB) and faults them in again on the next call: on a
// 60 s, 100 Hz trial that doubled the time of the whole set. A thread's arena keeps them.
//
// Use: open a ScratchFrame in a function and take arrays from it; they live until the frame
// closes. Frames nest (a callee opens its own) and close in reverse order, as scopes do. The
// arena grows by whole blocks and never moves what was handed out; when the outermost frame
// closes, memory beyond kRetainedBytes is released, and the next outermost frame replaces the
// blocks by one as large as the most that was in use at once. Under AddressSanitizer the free part
// of the arena is poisoned and every array is followed by a poisoned gap, so overruns are still
// caught.

#include <cstddef>
#include <type_traits>

namespace stance::analysis::detail {

class ScratchFrame {
public:
    ScratchFrame();
    ~ScratchFrame();
    ScratchFrame(const ScratchFrame&) = delete;
    ScratchFrame& operator=(const ScratchFrame&) = delete;

    /// n uninitialised elements of a trivial type, 64-byte aligned, valid until this frame closes.
    template <class T>
    T* take(std::size_t n) {
        static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
        static_assert(alignof(T) <= 64);
        return static_cast<T*>(takeBytes(n * sizeof(T)));
    }
    /// n doubles set to 0.
    double* zeros(std::size_t n);

private:
    void* takeBytes(std::size_t bytes);
    std::size_t block_;
    std::size_t offset_;
    std::size_t live_;
};

/// Bytes this thread's arena holds between calls.
std::size_t scratchBytesRetained() noexcept;
/// Gives this thread's arena back to the allocator (no frame may be open).
void releaseScratch() noexcept;

}  // namespace stance::analysis::detail
