#include "stance/acquisition/pty.hpp"

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "stance/acquisition/errors.hpp"

namespace stance::acquisition {

PseudoTerminal::PseudoTerminal() {
    std::array<char, 128> name{};
    termios raw{};
    cfmakeraw(&raw);
    if (::openpty(&master_, &slave_, name.data(), &raw, nullptr) != 0) {
        throw AcquisitionError(std::string("cannot open a pseudo-terminal pair: ") +
                               std::strerror(errno));
    }
    slave_path_ = name.data();
    const int flags = ::fcntl(master_, F_GETFL);
    ::fcntl(master_, F_SETFL, flags | O_NONBLOCK);
    ::fcntl(master_, F_SETFD, FD_CLOEXEC);
    ::fcntl(slave_, F_SETFD, FD_CLOEXEC);
}

PseudoTerminal::~PseudoTerminal() {
    close();
}

PseudoTerminal::PseudoTerminal(PseudoTerminal&& other) noexcept
    : master_(std::exchange(other.master_, -1)),
      slave_(std::exchange(other.slave_, -1)),
      slave_path_(std::move(other.slave_path_)) {}

PseudoTerminal& PseudoTerminal::operator=(PseudoTerminal&& other) noexcept {
    if (this != &other) {
        close();
        master_ = std::exchange(other.master_, -1);
        slave_ = std::exchange(other.slave_, -1);
        slave_path_ = std::move(other.slave_path_);
    }
    return *this;
}

int PseudoTerminal::releaseMaster() noexcept {
    return std::exchange(master_, -1);
}

void PseudoTerminal::close() noexcept {
    if (master_ >= 0)
        ::close(std::exchange(master_, -1));
    if (slave_ >= 0)
        ::close(std::exchange(slave_, -1));
}

}  // namespace stance::acquisition
