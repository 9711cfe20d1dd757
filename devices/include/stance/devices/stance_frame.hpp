#pragma once
/// \file
/// The Stance serial frame v1: our binary framing for microcontroller boards (4-load-cell boards,
/// 6-channel plate amplifiers, IMU bridges). The normative specification, with byte tables, a
/// worked example and reference C code, is docs/stance-frame-v1.md; this header implements it.
///
/// Frame = sync A5 5A | version 01 | type | length L | flags | sequence u16 | device time u32 (us)
///         | payload (L bytes) | CRC-16/CCITT-FALSE u16 over bytes 2 .. 11+L. Little-endian.
///
/// Threading: every class here is a plain object owned by one device session; not shared.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "stance/devices/byte_queue.hpp"
#include "stance/devices/decoder_counters.hpp"
#include "stance/devices/samples.hpp"

namespace stance::devices {

inline constexpr std::uint8_t kStanceSync0 = 0xA5;
inline constexpr std::uint8_t kStanceSync1 = 0x5A;
inline constexpr std::uint8_t kStanceVersion = 0x01;
inline constexpr std::size_t kStanceHeaderSize = 12;
inline constexpr std::size_t kStanceCrcSize = 2;
inline constexpr std::size_t kStanceMaxPayload = 255;
inline constexpr std::size_t kStanceMaxFrameSize =
    kStanceHeaderSize + kStanceMaxPayload + kStanceCrcSize;

/// Frame types. 0x01-0x7F travel device -> host, 0x80-0xFF host -> device.
enum class StanceFrameType : std::uint8_t {
    kInfo = 0x01,                 ///< identity: kind, channels, firmware, serial, rate, model
    kLoadCellCalibration = 0x02,  ///< per cell: offset (counts), scale (N/count), position (m)
    kPlateGeometry = 0x03,        ///< depth and offset of a plate's measurement origin (m)
    kLoadCells = 0x10,            ///< 4 x int32 raw counts
    kPlate = 0x11,                ///< Fx Fy Fz (N) Mx My Mz (N m) float32, plate frame
    kImu = 0x12,                  ///< acc (m/s^2), gyro (rad/s) [, quaternion w x y z] float32
    kRequestInfo = 0x80,          ///< host asks for INFO (+ calibration / geometry); no payload
};

/// Payload sizes in bytes, per type.
inline constexpr std::size_t kStanceInfoSize = 32;
inline constexpr std::size_t kStanceLoadCellCalibrationSize = 64;
inline constexpr std::size_t kStancePlateGeometrySize = 12;
inline constexpr std::size_t kStanceLoadCellsSize = 16;
inline constexpr std::size_t kStancePlateSize = 24;
inline constexpr std::size_t kStanceImuSize = 24;
inline constexpr std::size_t kStanceImuWithQuatSize = 40;

/// Bits of the header's flags byte; bits 3-7 are reserved (sent as 0, ignored on receipt).
enum class StanceFrameFlag : std::uint8_t {
    kRestart = 0x01,    ///< first frame after power-up or reset: sequence and clock restart
    kOverrun = 0x02,    ///< the device dropped at least one sample before this frame
    kSaturated = 0x04,  ///< an input channel of this sample is at its limit
};

struct StanceFrameHeader {
    std::uint8_t type = 0;
    std::uint8_t flags = 0;
    std::uint16_t sequence = 0;        ///< +1 per frame the device sends, wraps 65535 -> 0
    std::uint32_t device_time_us = 0;  ///< device clock (us) when the sample was taken; wraps
};

/// A frame whose CRC verified. `payload` points into the decoder: valid until the next feed().
struct StanceFrameView {
    StanceFrameHeader header;
    std::span<const std::uint8_t> payload;
    std::int64_t host_time_ns = 0;    ///< receive time of the chunk holding the frame's last byte
    std::uint64_t stream_offset = 0;  ///< offset of the frame's first sync byte in the stream
};

/// Appends one complete frame (sync to CRC) to `out`. Throws DeviceError when the payload is
/// longer than kStanceMaxPayload.
void appendStanceFrame(std::vector<std::uint8_t>& out, const StanceFrameHeader& header,
                       std::span<const std::uint8_t> payload);

/// Host -> device REQUEST_INFO frame (empty payload).
void appendStanceRequestInfo(std::vector<std::uint8_t>& out, std::uint16_t sequence = 0);

/// Byte stream -> frames. Feed chunks of any size (a byte, a read() buffer, a whole file); take
/// the frames out with next(). Resynchronisation (docs/stance-frame-v1.md, "Receiving"): scan for
/// A5 5A, require version 01, wait for the announced length, verify the CRC; on a failure skip
/// only the first sync byte and scan again, so a valid frame hidden inside a corrupted or false
/// candidate is still found. Every byte outside a valid frame is counted as dropped.
/// Cost: O(1) amortised per byte plus one CRC per candidate; no allocation once warmed up.
class StanceFrameDecoder {
public:
    void feed(std::span<const std::uint8_t> bytes, std::int64_t host_time_ns);
    /// The next valid frame, or false when the bytes so far hold no complete frame.
    bool next(StanceFrameView& frame);
    /// End of stream (a capture file ends, a port closes): the bytes left over are dropped and a
    /// partial frame among them counted as truncated. Call after next() has returned false.
    void finish();
    const DecoderCounters& counters() const noexcept { return counters_; }

private:
    void drop(std::size_t n);
    void resolvePending(std::uint64_t valid_frame_start);

    detail::ByteQueue queue_;
    DecoderCounters counters_;
    std::vector<std::uint64_t> pending_ends_;  ///< ends of CRC-failed candidates not yet judged
    bool dropping_ = false;
};

/// A device's decoded output.
using StanceEvent = std::variant<ForcePlateSample, LoadCellSample, ImuSample, DeviceInfo,
                                 LoadCellCalibration, PlateGeometry>;

/// Per-port decoder: bytes -> frames -> timestamped samples. Unwraps the 16-bit sequence into
/// SampleStamp::counter and the 32-bit microsecond clock into device_time_s, flags gaps, restarts,
/// overruns and saturation, and applies the latest load-cell calibration. Host-bound frame types
/// it does not know are counted as unknown and skipped; known types with the wrong payload size
/// are counted as malformed.
class StanceDecoder {
public:
    void feed(std::span<const std::uint8_t> bytes, std::int64_t host_time_ns) {
        frames_.feed(bytes, host_time_ns);
    }
    bool next(StanceEvent& event);
    void finish() { frames_.finish(); }
    /// Framing and content counters together.
    DecoderCounters counters() const noexcept;

    const std::optional<DeviceInfo>& info() const noexcept { return info_; }
    const std::optional<LoadCellCalibration>& calibration() const noexcept { return calibration_; }
    const std::optional<PlateGeometry>& geometry() const noexcept { return geometry_; }
    /// True when data arrive but the INFO frame (or, for load cells, the calibration) has not:
    /// the session should send appendStanceRequestInfo().
    bool needsInfo() const noexcept { return needs_info_; }

private:
    SampleStamp stampFor(const StanceFrameView& frame);

    StanceFrameDecoder frames_;
    DecoderCounters content_;
    std::optional<DeviceInfo> info_;
    std::optional<LoadCellCalibration> calibration_;
    std::optional<PlateGeometry> geometry_;
    bool needs_info_ = false;
    /// Restart / gap seen on a frame that is not a sample (INFO...): passed to the next sample.
    std::uint32_t carried_flags_ = 0;
    bool have_last_ = false;
    std::uint16_t last_sequence_ = 0;
    std::uint32_t last_time_us_ = 0;
    std::uint64_t counter_ = 0;
    std::int64_t time_us_ = 0;
};

/// What a device sends, as bytes: one encoder per (simulated) device. Keeps the sequence
/// counter; the first frame after construction or restart() carries kRestart. Values are
/// converted to float32 / int32 exactly as a firmware would send them.
class StanceEncoder {
public:
    explicit StanceEncoder(std::uint16_t first_sequence = 0) noexcept : sequence_(first_sequence) {}

    void info(std::vector<std::uint8_t>& out, const DeviceInfo& info, std::uint32_t device_time_us);
    void loadCellCalibration(std::vector<std::uint8_t>& out, const LoadCellCalibration& cal,
                             std::uint32_t device_time_us);
    void plateGeometry(std::vector<std::uint8_t>& out, const PlateGeometry& geometry,
                       std::uint32_t device_time_us);
    void loadCells(std::vector<std::uint8_t>& out, const std::array<std::int32_t, 4>& raw_counts,
                   std::uint32_t device_time_us, std::uint8_t flags = 0);
    void plate(std::vector<std::uint8_t>& out, const std::array<double, 3>& force_n,
               const std::array<double, 3>& moment_nm, std::uint32_t device_time_us,
               std::uint8_t flags = 0);
    void imu(std::vector<std::uint8_t>& out, const std::array<double, 3>& acc_m_s2,
             const std::array<double, 3>& gyro_rad_s,
             const std::optional<std::array<double, 4>>& quat_wxyz, std::uint32_t device_time_us,
             std::uint8_t flags = 0);

    std::uint16_t nextSequence() const noexcept { return sequence_; }
    /// The next frame carries kRestart (the device "rebooted").
    void restart() noexcept { restart_pending_ = true; }
    /// Skips sequence numbers, as a device does when its transmit buffer overflowed.
    void skip(std::uint16_t frames) noexcept {
        sequence_ = static_cast<std::uint16_t>(sequence_ + frames);
    }

private:
    void frame(std::vector<std::uint8_t>& out, StanceFrameType type, std::uint8_t flags,
               std::uint32_t device_time_us);

    std::uint16_t sequence_ = 0;
    bool restart_pending_ = true;
    std::vector<std::uint8_t> payload_;
};

}  // namespace stance::devices
