#include "sway_density.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "scratch.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace stance::analysis::detail {

namespace {

constexpr Eigen::Index kBlock = 8;
constexpr Eigen::Index kBlocksPerSuper = 8;  ///< superblocks of 64 samples skip long runs

struct Box {
    double x0, x1, y0, y1;
};

/// Squared largest distance between a point of a and a point of b.
[[gnu::always_inline]] inline double maxDist2(const Box& a, const Box& b) {
    const double dx = std::max(a.x1 - b.x0, b.x1 - a.x0);
    const double dy = std::max(a.y1 - b.y0, b.y1 - a.y0);
    return dx * dx + dy * dy;
}

/// Squared smallest distance between a point of a and a point of b.
[[gnu::always_inline]] inline double minDist2(const Box& a, const Box& b) {
    const double gx = std::max({0.0, b.x0 - a.x1, a.x0 - b.x1});
    const double gy = std::max({0.0, b.y0 - a.y1, a.y0 - b.y1});
    return gx * gx + gy * gy;
}

enum class Relation { kMixed, kAllClose, kAllFar };

[[gnu::always_inline]] inline Relation relate(const Box& a, const Box& b, double r2) {
    if (maxDist2(a, b) <= r2)
        return Relation::kAllClose;
    if (minDist2(a, b) > r2)
        return Relation::kAllFar;
    return Relation::kMixed;
}

class Runs {
public:
    Runs(const Signal2& p, double radius, ScratchFrame& frame)
        : n_(p.rows()), nb_((n_ + kBlock - 1) / kBlock), r2_(radius * radius) {
        // Padded copies: the padding is infinitely far, so exact tests never need a bound check.
        const double inf = std::numeric_limits<double>::infinity();
        const auto padded = static_cast<std::size_t>(nb_ * kBlock);
        xs_ = frame.take<double>(padded);
        ys_ = frame.take<double>(padded);
        std::copy(p.col(0).data(), p.col(0).data() + n_, xs_);
        std::copy(p.col(1).data(), p.col(1).data() + n_, ys_);
        std::fill(xs_ + n_, xs_ + padded, inf);
        std::fill(ys_ + n_, ys_ + padded, inf);
        boxes_ = frame.take<Box>(static_cast<std::size_t>(nb_));
        for (Eigen::Index b = 0; b < nb_; ++b) {
            const Eigen::Index s = b * kBlock, e = std::min(n_, s + kBlock);
            Box q{x(s), x(s), y(s), y(s)};
            for (Eigen::Index k = s + 1; k < e; ++k) {
                q.x0 = std::min(q.x0, x(k));
                q.x1 = std::max(q.x1, x(k));
                q.y0 = std::min(q.y0, y(k));
                q.y1 = std::max(q.y1, y(k));
            }
            boxes_[static_cast<std::size_t>(b)] = q;
        }
        const Eigen::Index ns = (nb_ + kBlocksPerSuper - 1) / kBlocksPerSuper;
        supers_ = frame.take<Box>(static_cast<std::size_t>(ns));
        for (Eigen::Index sb = 0; sb < ns; ++sb) {
            const Eigen::Index b0 = sb * kBlocksPerSuper, b1 = std::min(nb_, b0 + kBlocksPerSuper);
            Box q = boxes_[static_cast<std::size_t>(b0)];
            for (Eigen::Index b = b0 + 1; b < b1; ++b) {
                const Box& o = boxes_[static_cast<std::size_t>(b)];
                q.x0 = std::min(q.x0, o.x0);
                q.x1 = std::max(q.x1, o.x1);
                q.y0 = std::min(q.y0, o.y0);
                q.y1 = std::max(q.y1, o.y1);
            }
            supers_[static_cast<std::size_t>(sb)] = q;
        }
        after_ = frame.take<Eigen::Index>(static_cast<std::size_t>(n_));
        before_ = frame.take<Eigen::Index>(static_cast<std::size_t>(n_));
        std::fill(after_, after_ + n_, n_);
        std::fill(before_, before_ + n_, Eigen::Index{-1});
    }

    Eigen::VectorXd counts() {
        for (Eigen::Index i = 0; i < nb_; ++i)
            block(i);
        Eigen::VectorXd c(n_ - 1);
        for (Eigen::Index t = 0; t + 1 < n_; ++t) {
            const auto s = static_cast<std::size_t>(t);
            c(t) = static_cast<double>(std::min(after_[s], n_) - before_[s] - 2);
        }
        return c;
    }

private:
    double x(Eigen::Index k) const { return xs_[static_cast<std::size_t>(k)]; }
    double y(Eigen::Index k) const { return ys_[static_cast<std::size_t>(k)]; }

    /// Bit l set when sample 8j + l is farther than the radius from (cx, cy). SSE2 (the x86-64
    /// baseline) where available: the same products and sums as the scalar form, in the same
    /// order, so the same bits.
    unsigned farMask(double cx, double cy, Eigen::Index j) const {
        const double* bx = xs_ + j * kBlock;
        const double* by = ys_ + j * kBlock;
        unsigned m = 0;
#if defined(__SSE2__)
        const __m128d vcx = _mm_set1_pd(cx), vcy = _mm_set1_pd(cy), vr2 = _mm_set1_pd(r2_);
        for (int l = 0; l < kBlock; l += 2) {
            const __m128d dx = _mm_sub_pd(_mm_loadu_pd(bx + l), vcx);
            const __m128d dy = _mm_sub_pd(_mm_loadu_pd(by + l), vcy);
            const __m128d d2 = _mm_add_pd(_mm_mul_pd(dx, dx), _mm_mul_pd(dy, dy));
            m |= static_cast<unsigned>(_mm_movemask_pd(_mm_cmpgt_pd(d2, vr2))) << l;
        }
#else
        for (int l = 0; l < kBlock; ++l) {
            const double dx = bx[l] - cx, dy = by[l] - cy;
            m |= static_cast<unsigned>(dx * dx + dy * dy > r2_) << l;
        }
#endif
        return m;
    }

    /// f and b for the centres of block i.
    void block(Eigen::Index i) {
        const Eigen::Index t0 = i * kBlock;
        const int count = static_cast<int>(std::min(kBlock, n_ - t0));
        // Within the block: each pair once; far[l] bit m says samples l and m are far apart.
        std::array<unsigned, kBlock> far{};
        for (int l = 0; l < count; ++l) {
            for (int m = l + 1; m < count; ++m) {
                const double dx = x(t0 + m) - x(t0 + l), dy = y(t0 + m) - y(t0 + l);
                if (dx * dx + dy * dy > r2_) {
                    far[static_cast<std::size_t>(l)] |= 1u << m;
                    far[static_cast<std::size_t>(m)] |= 1u << l;
                }
            }
        }
        unsigned open_after = 0, open_before = 0;
        for (int l = 0; l < count; ++l) {
            const unsigned later = far[static_cast<std::size_t>(l)] & ~((2u << l) - 1u);
            const unsigned earlier = far[static_cast<std::size_t>(l)] & ((1u << l) - 1u);
            const auto s = static_cast<std::size_t>(t0 + l);
            if (later != 0)
                after_[s] = t0 + __builtin_ctz(later);
            else
                open_after |= 1u << l;
            if (earlier != 0)
                before_[s] = t0 + 31 - __builtin_clz(earlier);
            else
                open_before |= 1u << l;
        }
        scan<+1>(i, open_after);
        scan<-1>(i, open_before);
    }

    /// Walks blocks j = i + Dir, i + 2 Dir, ... until every open centre of block i has its first
    /// far sample after it (Dir = +1) or its last far sample before it (Dir = -1). A superblock
    /// entered at its near end is tested whole first.
    template <int Dir>
    void scan(Eigen::Index i, unsigned open) {
        const Eigen::Index t0 = i * kBlock;
        // The box of the centres still open: it shrinks as centres settle, which lets more
        // blocks be classified whole.
        Box a = boxes_[static_cast<std::size_t>(i)];
        const auto shrink = [&] {
            const int f = __builtin_ctz(open);
            a = Box{x(t0 + f), x(t0 + f), y(t0 + f), y(t0 + f)};
            for (unsigned u = open & (open - 1u); u != 0; u &= u - 1u) {
                const int l = __builtin_ctz(u);
                a.x0 = std::min(a.x0, x(t0 + l));
                a.x1 = std::max(a.x1, x(t0 + l));
                a.y0 = std::min(a.y0, y(t0 + l));
                a.y1 = std::max(a.y1, y(t0 + l));
            }
        };
        if (open != (1u << std::min<Eigen::Index>(kBlock, n_ - t0)) - 1u && open != 0)
            shrink();
        Eigen::Index* result = Dir > 0 ? after_ : before_;
        const auto settle_all = [&](Eigen::Index edge) {
            for (unsigned u = open; u != 0; u &= u - 1u)
                result[static_cast<std::size_t>(t0 + __builtin_ctz(u))] = edge;
            open = 0;
        };
        Eigen::Index j = i + Dir;
        while (open != 0 && j >= 0 && j < nb_) {
            const bool super_start =
                Dir > 0 ? j % kBlocksPerSuper == 0 : j % kBlocksPerSuper == kBlocksPerSuper - 1;
            if (super_start) {
                const Relation rs =
                    relate(a, supers_[static_cast<std::size_t>(j / kBlocksPerSuper)], r2_);
                if (rs == Relation::kAllClose) {
                    j += Dir * kBlocksPerSuper;
                    continue;
                }
                if (rs == Relation::kAllFar) {
                    settle_all(Dir > 0 ? j * kBlock : j * kBlock + kBlock - 1);
                    break;
                }
            }
            const Box& b = boxes_[static_cast<std::size_t>(j)];
            // The sample of block j that is met first (after) or last (before).
            const Eigen::Index edge = Dir > 0 ? j * kBlock : j * kBlock + kBlock - 1;
            const Relation rel = relate(a, b, r2_);
            if (rel == Relation::kAllFar) {
                settle_all(edge);
                break;
            }
            if (rel == Relation::kMixed) {
                const unsigned before = open;
                for (unsigned u = open; u != 0; u &= u - 1u) {
                    const int l = __builtin_ctz(u);
                    const unsigned m = farMask(x(t0 + l), y(t0 + l), j);
                    Eigen::Index hit = -1;
                    if (m != 0)
                        hit = j * kBlock + (Dir > 0 ? __builtin_ctz(m) : 31 - __builtin_clz(m));
                    if (hit >= 0) {
                        result[static_cast<std::size_t>(t0 + l)] = hit;
                        open &= ~(1u << l);
                    }
                }
                if (open != before && open != 0)
                    shrink();
            }
            j += Dir;
        }
    }

    Eigen::Index n_, nb_;
    double r2_;
    // Scratch arrays of the caller's frame.
    double* xs_;
    double* ys_;
    Box* boxes_;   ///< per block of 8 samples (real samples only)
    Box* supers_;  ///< per superblock of 8 blocks
    Eigen::Index* after_;
    Eigen::Index* before_;
};

}  // namespace

Eigen::VectorXd swayDensityRuns(const Signal2& p, double radius) {
    ScratchFrame frame;
    return Runs(p, radius, frame).counts();
}

}  // namespace stance::analysis::detail
