#pragma once
/// \file
/// The devices module's exception. Thrown only at API boundaries for a bad configuration or a
/// request the protocol cannot express (a payload too long for its frame, a rate out of range);
/// per-packet problems in received bytes are counted by the decoders, never thrown.

#include <stdexcept>
#include <string>

namespace stance::devices {

/// what() reads "<resource>: <problem>", e.g. "simulated plate: rate 5000 Hz is outside
/// 1..2000 Hz".
class DeviceError : public std::runtime_error {
public:
    DeviceError(std::string resource, const std::string& problem)
        : std::runtime_error(resource + ": " + problem),
          resource_(std::move(resource)),
          problem_(problem) {}

    const std::string& resource() const noexcept { return resource_; }
    const std::string& problem() const noexcept { return problem_; }

private:
    std::string resource_;
    std::string problem_;
};

}  // namespace stance::devices
