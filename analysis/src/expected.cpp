#include "stance/analysis/expected.hpp"

namespace stance::analysis {

const char* errorCodeName(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::kEmpty:
            return "empty";
        case ErrorCode::kTooShort:
            return "too_short";
        case ErrorCode::kNonFinite:
            return "non_finite";
        case ErrorCode::kNonUniform:
            return "non_uniform";
        case ErrorCode::kZeroVariance:
            return "zero_variance";
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kUndefined:
            return "undefined";
    }
    return "unknown";
}

}  // namespace stance::analysis
