#include <iostream>

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#endif

#include "cli.hpp"

namespace {

#if defined(__GLIBC__)
// Volatile: a block that is never read would otherwise be optimised away, with its purpose.
void* volatile g_below_huge = nullptr;

/// The process's allocation policy, set before anything else runs. Every trial allocates and
/// frees the same few buffers (the file's text, the signals, the results; the metric set's
/// working arrays live in the analysis core's per-thread arena), so:
///  - freed memory is kept for the next trial instead of going back to the kernel, and blocks
///    up to 32 MiB come from the heap rather than from fresh mmaps (glibc's defaults would
///    return them and fault them in again for every trial);
///  - all threads share the one heap (the worker threads allocate little: their working
///    arrays are in the arena), and
///  - the heap is reserved 16 MiB ahead and marked for transparent huge pages, in 2 MiB
///    ranges that nothing has touched yet. The first touch of a 4 KiB page costs about 13 us
///    on the virtual machines we measure on (a 2 MiB huge page: about 70 us for 512 pages); `stance
///    analyze` over the ten shipped trials faulted 750 pages in one by one, 245 now.
/// Only the address space is reserved: pages are taken when written. Where transparent huge
/// pages are off the advice is ignored; under a replacement allocator (the sanitizers) the
/// reserved block is not part of the heap and nothing is marked.
void tuneAllocator() {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
    mallopt(M_ARENA_MAX, 1);
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    constexpr std::size_t kReserve = std::size_t{16} << 20;
    // A block larger than any free one comes from the top of the heap, which it extends; freed,
    // it returns to the top untouched but for its first and last bytes.
    void* block = std::malloc(kReserve);
    const auto begin = reinterpret_cast<std::uintptr_t>(block);
    const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
    const std::uintptr_t huge_begin = (begin + kHuge - 1) & ~(kHuge - 1);
    const bool in_heap = block != nullptr && begin < end && end - begin >= kReserve;
    if (in_heap)
        madvise(reinterpret_cast<void*>(huge_begin), end - huge_begin, MADV_HUGEPAGE);
    std::free(block);
    // The heap below the first huge range is filled with one block that is never used, so that
    // the allocations start in huge pages; it is kept reachable, and only its header is touched.
    if (in_heap && huge_begin - begin > 64)
        g_below_huge = std::malloc(huge_begin - begin - 64);
}
#endif

}  // namespace

int main(int argc, char** argv) {
#if defined(__GLIBC__)
    tuneAllocator();
#endif
    return stance::cli::run(argc, argv, std::cout, std::cerr);
}
