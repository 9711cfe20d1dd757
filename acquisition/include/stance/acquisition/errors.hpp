#pragma once
/// \file
/// The acquisition module's exception: a port, a socket or a data directory that cannot be used,
/// a device specification that does not parse. what() names the resource and the problem.

#include <stdexcept>
#include <string>

namespace stance::acquisition {

class AcquisitionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace stance::acquisition
