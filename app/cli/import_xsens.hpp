#pragma once
/// \file
/// `stance import --format xsens`: raw Xsens MTi captures into one stance-hdf5 trial, one
/// imu/<sensor> (and raw/<sensor>) per capture. The conversion itself is xsens_capture.hpp;
/// `import` (import.cpp) checks the options it shares with the other formats and calls this.

#include <string>
#include <vector>

#include "command.hpp"

namespace stance::cli {

struct XsensImportRequest {
    std::string out;                   ///< the file to write
    std::vector<std::string> files;    ///< captures, one per sensor
    std::vector<std::string> sensors;  ///< names, one per capture; empty: the file stems
    std::string subject = "unknown";   ///< checked by the caller
    std::string condition;             ///< "" = unspecified; checked by the caller
    std::string session_start;         ///< "" = undated; checked by the caller
    double rate_hz = 0.0;              ///< > 0: time from PacketCounter at this rate
    bool shared_clock = false;         ///< the captures' devices share one clock
    bool force = false;                ///< replace an existing --out
    std::string output = "json";       ///< json or text
};

/// Converts every capture, then writes the trial all or nothing. Returns kExitOk, kExitFailure
/// (a capture gave no data, or writing failed: the message names the file; nothing written) or
/// kExitUsage (sensor names).
int runXsensImport(const XsensImportRequest& request, Io io);

}  // namespace stance::cli
