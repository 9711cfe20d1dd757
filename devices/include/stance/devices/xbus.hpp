#pragma once
/// \file
/// Xsens Xbus framing, from Xsens "MT Low Level Communication Protocol Documentation" (document
/// MT0101P, revision 2019.A; section "Xbus protocol", message structure and message list):
///
///   PREAMBLE 0xFA | BID | MID | LEN | [EXT LEN, 2 bytes big-endian, when LEN = 0xFF] | DATA | CS
///
/// LEN 0..254 is the data length; LEN = 0xFF announces an extended length (at most 2048 data
/// bytes, the document's limit). CS makes the sum of every byte from BID through CS equal 0
/// modulo 256 (the preamble is not summed). A single MTi on a serial or USB port uses BID 0xFF
/// (the "master" address) in both directions. Multi-byte values in DATA are big-endian.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "stance/devices/byte_queue.hpp"
#include "stance/devices/decoder_counters.hpp"

namespace stance::devices {

inline constexpr std::uint8_t kXbusPreamble = 0xFA;
inline constexpr std::uint8_t kXbusMasterBusId = 0xFF;
inline constexpr std::uint8_t kXbusExtendedLength = 0xFF;
inline constexpr std::size_t kXbusMaxStandardPayload = 254;
inline constexpr std::size_t kXbusMaxExtendedPayload = 2048;

/// Message identifiers used here (MT0101P message list; an acknowledgement is the request's MID
/// + 1).
enum class XbusMid : std::uint8_t {
    kReqDeviceId = 0x00,      ///< host: which device is this?
    kDeviceId = 0x01,         ///< device: 4-byte device id (big-endian)
    kGoToMeasurement = 0x10,  ///< host: enter Measurement state
    kGoToMeasurementAck = 0x11,
    kReqFirmwareRevision = 0x12,
    kFirmwareRevision = 0x13,  ///< device: major, minor, revision (+ build, svn)
    kGoToConfig = 0x30,        ///< host: enter Config state (valid in every state)
    kGoToConfigAck = 0x31,
    kMtData2 = 0x36,    ///< device: measurement data packets
    kWakeUp = 0x3E,     ///< device: sent at power-up
    kWakeUpAck = 0x3F,  ///< host: answer within 500 ms to stay in Config state
    kReset = 0x40,
    kResetAck = 0x41,
    kError = 0x42,  ///< device: 1 error code byte (+ details for some codes)
    kSetOutputConfiguration =
        0xC0,  ///< host: N x (data id u16, output frequency u16); empty = request
    kOutputConfiguration = 0xC1,  ///< device: the configuration as set (SetOutputConfigurationAck)
};

/// Error codes carried by an Error message (MT0101P, "Error codes").
enum class XbusError : std::uint8_t {
    kInvalidPeriod = 0x03,     ///< period sent is not within the valid range
    kInvalidMessage = 0x04,    ///< message sent is invalid
    kTimerOverflow = 0x1E,     ///< timer overflow: sample rate too high for the settings
    kInvalidBaudrate = 0x20,   ///< requested baud rate not valid
    kInvalidParameter = 0x21,  ///< a parameter sent is invalid or out of range
    kDeviceError = 0x28,       ///< device error (extended error information follows)
    kDataOverflow = 0x29,      ///< the device produces more data than the port can carry
    kBufferOverflow = 0x2A,    ///< the sample buffer was full during a communication outage
};

/// Short English text of an error code ("invalid parameter", ...; "unknown error" otherwise).
std::string_view xbusErrorText(std::uint8_t code) noexcept;
/// Name of a message id ("GoToConfigAck", ...; "unknown" otherwise).
std::string_view xbusMidName(std::uint8_t mid) noexcept;

/// Appends one message (preamble to checksum). Uses the extended length above 254 data bytes.
/// Throws DeviceError above kXbusMaxExtendedPayload.
void appendXbusMessage(std::vector<std::uint8_t>& out, std::uint8_t mid,
                       std::span<const std::uint8_t> payload,
                       std::uint8_t bus_id = kXbusMasterBusId);
inline void appendXbusMessage(std::vector<std::uint8_t>& out, XbusMid mid,
                              std::span<const std::uint8_t> payload = {},
                              std::uint8_t bus_id = kXbusMasterBusId) {
    appendXbusMessage(out, static_cast<std::uint8_t>(mid), payload, bus_id);
}

/// A message whose checksum verified. `payload` points into the decoder: valid until the next
/// feed().
struct XbusMessageView {
    std::uint8_t bus_id = 0;
    std::uint8_t mid = 0;
    std::span<const std::uint8_t> payload;
    std::int64_t host_time_ns = 0;    ///< receive time of the chunk holding the checksum byte
    std::uint64_t stream_offset = 0;  ///< offset of the preamble in the stream
};

struct XbusDecoderOptions {
    /// Accept any BID. Off by default: an MTi on its own port always uses 0xFF, and requiring it
    /// makes a false preamble inside float data 256 times rarer.
    bool any_bus_id = false;
    std::size_t max_payload = kXbusMaxExtendedPayload;
    /// Reject an MTData2 message whose packets do not tile its data exactly. The checksum is a
    /// single byte, so 1 in 256 corrupted or false candidates passes it; this structural check
    /// catches nearly all of those before they can swallow the bytes of a real message.
    bool validate_mtdata2 = true;
};

/// Byte stream -> Xbus messages, with the same contract as StanceFrameDecoder: any chunking,
/// resynchronisation after garbage, truncation and bad checksums by skipping only the preamble
/// of a failed candidate, every byte outside a valid message counted as dropped. Captures that
/// start mid-message (MT Manager logs, serial loggers) decode from the first whole message.
class XbusFrameDecoder {
public:
    explicit XbusFrameDecoder(XbusDecoderOptions options = {}) : options_(options) {}
    void feed(std::span<const std::uint8_t> bytes, std::int64_t host_time_ns);
    bool next(XbusMessageView& message);
    /// End of stream: leftovers dropped, a partial message among them counted as truncated.
    void finish();
    const DecoderCounters& counters() const noexcept { return counters_; }

private:
    void drop(std::size_t n);
    void resolvePending(std::uint64_t valid_message_start);

    XbusDecoderOptions options_;
    detail::ByteQueue queue_;
    DecoderCounters counters_;
    std::vector<std::uint64_t> pending_ends_;
    bool dropping_ = false;
};

}  // namespace stance::devices
