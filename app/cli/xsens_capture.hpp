#pragma once
/// \file
/// Raw Xsens MTi captures (the bytes a serial or USB port delivered, as MT Manager or a serial
/// logger saved them, possibly starting or ending mid-message) into stance-hdf5 signals, with
/// what happened to every byte. Built on devices::XsensDecoder (Xbus framing and MTData2, see
/// docs/devices.md); it lives in app/ because datasets/ may not depend on devices/.
///
/// What one capture becomes (docs/stance-hdf5.md, "Xsens captures"):
/// - rows: the MTData2 messages carrying Acceleration, RateOfTurn, Quaternion or
///   FreeAcceleration, in capture order. MTData2 messages without any of them (a GNSS PVT
///   message of a GNSS/INS unit) and other Xbus messages are counted, not stored;
/// - `imu/<sensor>`: acc (N x 3, m/s^2) and gyro (N x 3, rad/s) in sensor axes, quat (N x 4,
///   w x y z, sensor to the ENU/NED/NWU frame the device reports) only when the capture has
///   quaternions; NaN in a row whose message did not carry that field (outputs configured at
///   different rates). Written only when the capture has both Acceleration and RateOfTurn (the
///   format requires both); otherwise raw/<sensor> alone holds the data, with a warning;
/// - `raw/<sensor>`: every decoded field as delivered (float64, which holds each MTData2
///   precision exactly: float32, fixed point 12.20 and 16.32), `counter` = PacketCounter
///   unwrapped past 65535, the same `time` and `gaps` as imu/<sensor>;
/// - `time`: SampleTimeFine (10 kHz, unwrapped past 2^32) in s relative to the first row, or,
///   with a rate given, (PacketCounter - first) / rate, not counting the counter values taken by
///   MTData2 messages without inertial data;
/// - `gaps`: wherever consecutive rows are more than 1.5 nominal periods apart (the period is
///   the median step), the row [t_prev + period, t_next): lost messages (PacketCounter jumps)
///   show up here; a lost message that held no inertial sample leaves no stretch of time empty
///   and is only counted (sequence_gaps, samples_missing);
/// - `/devices/<sensor>`: kind imu, make Xsens, serial from a DeviceID message, firmware from a
///   FirmwareRevision message, rate_hz from an OutputConfiguration message (else the median
///   step), and the provenance counters as attributes (capture_file, capture_bytes,
///   capture_sha256, xbus_messages, bytes_dropped, bad_checksum, truncated, bad_header, resyncs,
///   ...).
///
/// Threading: plain functions, no shared state.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_format.hpp"
#include "stance/devices/decoder_counters.hpp"

namespace stance::cli {

struct XsensCaptureOptions {
    std::string sensor;  ///< imu/<sensor>, raw/<sensor> and /devices/<sensor>; must be set
    /// > 0: time from PacketCounter at this message rate (Hz) instead of SampleTimeFine, for
    /// captures without SampleTimeFine.
    double rate_hz = 0.0;
};

/// What happened to the bytes of one capture, for the summary and the device's attributes.
struct XsensCaptureReport {
    std::string file;  ///< as given
    std::string sensor;
    std::uint64_t capture_bytes = 0;
    std::string sha256;                       ///< of the capture's bytes, lower-case hex
    devices::DecoderCounters decoder;         ///< the XsensDecoder's counters after finish()
    std::uint64_t mtdata2_messages = 0;       ///< MTData2 messages decoded (rows + skipped)
    std::uint64_t non_inertial_messages = 0;  ///< MTData2 without inertial fields (GNSS...)
    std::uint64_t other_messages = 0;         ///< other Xbus messages (acks, DeviceID, Error...)
    std::uint64_t out_of_order = 0;           ///< rows dropped: time not after the previous row's
    std::size_t samples = 0;                  ///< rows written
    std::size_t gaps = 0;                     ///< rows of `gaps`
    double duration_s = 0.0;                  ///< time of the last row
    double rate_hz = 0.0;                     ///< nominal rate (DeviceInfo::rate_hz)
    std::vector<std::string> fields;          ///< of acc, gyro, quat, free_acc, status
    std::string time_source;                  ///< "SampleTimeFine" or "PacketCounter"
    bool imu = false;                         ///< imu/<sensor> written
    std::vector<std::string> warnings;
};

/// One capture, ready for BundleWriter.
struct XsensCapture {
    XsensCaptureReport report;
    datasets::DeviceInfo device;
    datasets::RawSignal raw;
    std::optional<datasets::ImuSignals> imu;
    /// Device clock (s) of row 0: SampleTimeFine / 10^4 as sent, or with a rate the
    /// PacketCounter / rate; lets captures of devices sharing one clock be aligned.
    double device_time_at_first_s = 0.0;
};

/// Converts the bytes of one capture. `file` names it in errors and in `capture_file` (its file
/// name only). Throws datasets::DatasetError "<file>: <problem>" when no MTData2 message with
/// inertial data decodes (saying what was found instead), when rows lack SampleTimeFine and no
/// rate is given, when the device restarted (WakeUp) after the first row (its clock restarts:
/// the two parts have no common time axis) or when quaternions change frame.
XsensCapture convertXsensCapture(std::span<const std::uint8_t> bytes, const std::string& file,
                                 const XsensCaptureOptions& options);

/// Reads `file` whole and converts it; throws DatasetError naming the file when it cannot be
/// read.
XsensCapture readXsensCapture(const std::filesystem::path& file,
                              const XsensCaptureOptions& options);

/// The provenance figures (capture_bytes, xbus_messages, mtdata2_messages, samples,
/// bytes_dropped, bad_checksum, truncated, bad_header, resyncs, malformed, unknown_packets,
/// sequence_gaps, samples_missing, device_restarts, device_errors, non_inertial_messages,
/// other_messages, samples_out_of_order), in the order they are printed; the same names are the
/// device's attributes.
std::vector<std::pair<std::string, std::uint64_t>> xsensProvenance(const XsensCaptureReport& r);

/// Shifts a capture's time and gaps by `offset_s` (for captures on one shared clock).
void shiftXsensCapture(XsensCapture& capture, double offset_s);

}  // namespace stance::cli
