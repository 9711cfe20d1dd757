#include "scratch.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <new>
#include <vector>

#include "stance/analysis/metrics.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define STANCE_SCRATCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STANCE_SCRATCH_ASAN 1
#endif
#endif
#if defined(STANCE_SCRATCH_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace stance::analysis::detail {

namespace {

constexpr std::size_t kAlign = 64;
constexpr std::size_t kMinBlock = std::size_t{256} << 10;
/// Kept between calls at most: the working set of a trial of about 500 000 samples.
constexpr std::size_t kRetainedBytes = std::size_t{32} << 20;
#if defined(STANCE_SCRATCH_ASAN)
constexpr std::size_t kGap = kAlign;  ///< poisoned bytes after every array
#else
constexpr std::size_t kGap = 0;
#endif

void poison([[maybe_unused]] const std::byte* p, [[maybe_unused]] std::size_t n) {
#if defined(STANCE_SCRATCH_ASAN)
    ASAN_POISON_MEMORY_REGION(p, n);
#endif
}

void unpoison([[maybe_unused]] const std::byte* p, [[maybe_unused]] std::size_t n) {
#if defined(STANCE_SCRATCH_ASAN)
    ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
}

struct Block {
    std::byte* raw;   ///< as allocated (plain operator new, so allocation counters see it)
    std::byte* data;  ///< raw rounded up to kAlign
    std::size_t size;
};

struct Arena {
    std::vector<Block> blocks;
    std::size_t block = 0;      ///< block holding the next free byte
    std::size_t offset = 0;     ///< next free byte in it
    std::size_t live = 0;       ///< bytes handed out and not yet given back
    std::size_t peak_live = 0;  ///< the most ever live at once (since the last release)
    int depth = 0;              ///< frames open

    Arena() = default;
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
    ~Arena() { freeAll(); }

    std::size_t capacity() const {
        std::size_t c = 0;
        for (const Block& b : blocks)
            c += b.size;
        return c;
    }

    void add(std::size_t size) {
        auto* raw = static_cast<std::byte*>(::operator new(size + kAlign));
        const auto address = reinterpret_cast<std::uintptr_t>(raw);
        std::byte* data = raw + ((kAlign - address % kAlign) % kAlign);
        poison(data, size);
        blocks.push_back({raw, data, size});
    }

    void freeAll() {
        for (const Block& b : blocks) {
            unpoison(b.data, b.size);
            ::operator delete(b.raw);
        }
        blocks.clear();
        block = 0;
        offset = 0;
        live = 0;
        peak_live = 0;
    }

    /// Everything from (block, offset) on is free again.
    void poisonFree() {
        for (std::size_t k = block; k < blocks.size(); ++k) {
            const std::size_t from = k == block ? offset : 0;
            poison(blocks[k].data + from, blocks[k].size - from);
        }
    }

    void* take(std::size_t bytes) {
        const std::size_t span = (bytes + kAlign - 1) / kAlign * kAlign + kGap;
        live += span;
        peak_live = std::max(peak_live, live);
        while (block < blocks.size()) {
            Block& b = blocks[block];
            if (offset + span <= b.size) {
                std::byte* p = b.data + offset;
                offset += span;
                unpoison(p, bytes);
                return p;
            }
            ++block;
            offset = 0;
        }
        // Grow by half of what is held (the next outermost frame merges the blocks anyway).
        add(std::max({span, kMinBlock, capacity() / 2}));
        block = blocks.size() - 1;
        offset = span;
        unpoison(blocks.back().data, bytes);
        return blocks.back().data;
    }
};

thread_local Arena t_arena;

}  // namespace

ScratchFrame::ScratchFrame() {
    Arena& a = t_arena;
    if (a.depth == 0 && a.blocks.size() > 1) {
        // The last outermost frame needed several blocks: one block as large as the most it had
        // in use at once serves it.
        const std::size_t need = std::max(a.peak_live, kMinBlock);
        a.freeAll();
        a.add(need);
        a.peak_live = need;
    }
    ++a.depth;
    block_ = a.block;
    offset_ = a.offset;
    live_ = a.live;
}

ScratchFrame::~ScratchFrame() {
    Arena& a = t_arena;
    a.block = block_;
    a.offset = offset_;
    a.live = live_;
    a.poisonFree();
    if (--a.depth == 0 && a.capacity() > kRetainedBytes)
        a.freeAll();
}

void* ScratchFrame::takeBytes(std::size_t bytes) {
    return t_arena.take(bytes);
}

double* ScratchFrame::zeros(std::size_t n) {
    double* p = take<double>(n);
    std::fill(p, p + n, 0.0);
    return p;
}

std::size_t scratchBytesRetained() noexcept {
    return t_arena.capacity();
}

void releaseScratch() noexcept {
    assert(t_arena.depth == 0);
    if (t_arena.depth == 0)
        t_arena.freeAll();
}

}  // namespace stance::analysis::detail

namespace stance::analysis {

std::size_t threadScratchBytes() noexcept {
    return detail::scratchBytesRetained();
}

void releaseThreadScratch() noexcept {
    detail::releaseScratch();
}

}  // namespace stance::analysis
