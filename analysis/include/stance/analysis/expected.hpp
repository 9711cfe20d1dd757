#pragma once
/// \file
/// Error values for data-dependent analysis failures (too short, NaN, wrong rate...).
/// A broken precondition is a bug and asserts; a property of the data that makes a result
/// undefined is returned as an Error that the caller must look at.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace stance::analysis {

/// Why an analysis result is missing.
enum class ErrorCode {
    kEmpty,            ///< no samples at all
    kTooShort,         ///< fewer samples / shorter duration than the method needs
    kNonFinite,        ///< a NaN or infinite sample in the input
    kNonUniform,       ///< timestamps not uniformly spaced where uniform sampling is required
    kZeroVariance,     ///< a constant signal where the method divides by a spread
    kInvalidArgument,  ///< a parameter out of its domain (negative rate, order 0, ...)
    kUndefined,        ///< the quantity is mathematically undefined for this input
};

/// Short stable identifier of a code, for JSON and CSV output ("too_short", ...).
const char* errorCodeName(ErrorCode code) noexcept;

struct Error {
    ErrorCode code;
    std::string message;  ///< names the problem in words a user can act on
};

/// Either a value or an Error. Minimal stand-in for C++23 std::expected.
template <class T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Expected(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool hasValue() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return hasValue(); }

    T& value() & {
        assert(hasValue());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(hasValue());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(hasValue());
        return std::get<0>(std::move(v_));
    }
    const Error& error() const& {
        assert(!hasValue());
        return std::get<1>(v_);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, Error> v_;
};

/// Convenience constructor: `return fail(ErrorCode::kTooShort, "needs ...");`
inline Error fail(ErrorCode code, std::string message) {
    return Error{code, std::move(message)};
}

}  // namespace stance::analysis
