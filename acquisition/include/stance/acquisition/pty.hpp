#pragma once
/// \file
/// A pseudo-terminal pair in raw mode: the master end is where a simulated or replayed device
/// writes its bytes, the slave end is a serial port like any other (/dev/pts/N) that a device
/// session opens by path. Closing the master is what an unplugged cable looks like to the session
/// (its reads end with an error).
///
/// Threading: plain object; its file descriptors are handed to one strand.

#include <string>

namespace stance::acquisition {

class PseudoTerminal {
public:
    /// Opens a pair (openpty), raw mode (no echo, no line discipline), non-blocking master.
    /// Throws AcquisitionError on failure.
    PseudoTerminal();
    ~PseudoTerminal();
    PseudoTerminal(PseudoTerminal&& other) noexcept;
    PseudoTerminal& operator=(PseudoTerminal&& other) noexcept;
    PseudoTerminal(const PseudoTerminal&) = delete;
    PseudoTerminal& operator=(const PseudoTerminal&) = delete;

    /// Path of the slave end, e.g. /dev/pts/7.
    const std::string& slavePath() const noexcept { return slave_path_; }
    int masterFd() const noexcept { return master_; }
    /// Gives up ownership of the master descriptor (the caller closes it).
    int releaseMaster() noexcept;
    /// Closes both ends: to the slave's reader, the cable is pulled.
    void close() noexcept;

private:
    int master_ = -1;
    int slave_ = -1;  ///< kept open so the pair lives until the session opens it
    std::string slave_path_;
};

}  // namespace stance::acquisition
