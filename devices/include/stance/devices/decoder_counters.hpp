#pragma once
/// \file
/// What a decoder saw and what it dropped, for a port's status line and the recording's
/// provenance. Counters only grow; they are plain fields so a session can copy them.

#include <cstdint>

namespace stance::devices {

struct DecoderCounters {
    // Framing (every protocol).
    std::uint64_t bytes_received = 0;  ///< every byte passed to feed()
    std::uint64_t bytes_dropped = 0;   ///< bytes that were not part of any valid frame
    std::uint64_t frames = 0;          ///< frames whose checksum verified
    std::uint64_t bad_checksum = 0;    ///< complete candidate frames whose checksum failed
    /// Candidate frames cut short: a valid frame started before their announced end, or the
    /// stream ended inside them (finish()).
    std::uint64_t truncated = 0;
    /// Sync byte(s) followed by an impossible header (unknown version, length over the limit,
    /// a bus id not accepted); the decoder skipped the sync byte.
    std::uint64_t bad_header = 0;
    std::uint64_t resyncs = 0;  ///< times a valid frame was found after bytes had been dropped

    // Content (frames whose checksum verified).
    std::uint64_t malformed = 0;      ///< payload impossible for its type (wrong size, bad packet)
    std::uint64_t unknown = 0;        ///< frame types / MTData2 packets not interpreted (skipped)
    std::uint64_t sequence_gaps = 0;  ///< discontinuities of the device counter
    std::uint64_t samples_missing = 0;  ///< frames the device counter says were lost
    std::uint64_t device_restarts = 0;  ///< restarts announced by the device
    std::uint64_t uncalibrated = 0;     ///< load-cell samples decoded before any calibration
    std::uint64_t device_errors = 0;    ///< error messages sent by the device (Xsens Error)
};

}  // namespace stance::devices
