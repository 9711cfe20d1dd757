#include "stance/devices/stance_frame.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "byte_io.hpp"
#include "stance/devices/crc16.hpp"
#include "stance/devices/errors.hpp"

namespace stance::devices {

using detail::loadF32le;
using detail::loadU16le;
using detail::loadU32le;
using detail::storeF32le;
using detail::storeU16le;
using detail::storeU32le;

namespace {

constexpr std::uint8_t flagBit(StanceFrameFlag f) {
    return static_cast<std::uint8_t>(f);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

void appendStanceFrame(std::vector<std::uint8_t>& out, const StanceFrameHeader& header,
                       std::span<const std::uint8_t> payload) {
    if (payload.size() > kStanceMaxPayload) {
        throw DeviceError(
            "Stance frame type 0x" + std::to_string(header.type),
            "payload of " + std::to_string(payload.size()) + " bytes exceeds the maximum of 255");
    }
    const std::size_t start = out.size();
    out.push_back(kStanceSync0);
    out.push_back(kStanceSync1);
    out.push_back(kStanceVersion);
    out.push_back(header.type);
    out.push_back(static_cast<std::uint8_t>(payload.size()));
    out.push_back(header.flags);
    storeU16le(out, header.sequence);
    storeU32le(out, header.device_time_us);
    out.insert(out.end(), payload.begin(), payload.end());
    const std::span<const std::uint8_t> covered(out.data() + start + 2, out.size() - start - 2);
    storeU16le(out, crc16CcittFalse(covered));
}

void appendStanceRequestInfo(std::vector<std::uint8_t>& out, std::uint16_t sequence) {
    StanceFrameHeader h;
    h.type = static_cast<std::uint8_t>(StanceFrameType::kRequestInfo);
    h.sequence = sequence;
    appendStanceFrame(out, h, {});
}

// ---------------------------------------------------------------------------------------------
// Framing

void StanceFrameDecoder::feed(std::span<const std::uint8_t> bytes, std::int64_t host_time_ns) {
    counters_.bytes_received += bytes.size();
    queue_.append(bytes, host_time_ns);
}

void StanceFrameDecoder::drop(std::size_t n) {
    if (n == 0)
        return;
    counters_.bytes_dropped += n;
    dropping_ = true;
    queue_.consume(n);
    // A failed candidate whose announced end the scan has passed hid no valid frame: its bytes
    // were corrupted (or it was a false sync), not cut short.
    const std::uint64_t pos = queue_.position();
    std::erase_if(pending_ends_, [&](std::uint64_t end) {
        if (end > pos)
            return false;
        ++counters_.bad_checksum;
        return true;
    });
}

void StanceFrameDecoder::resolvePending(std::uint64_t valid_frame_start) {
    for (const std::uint64_t end : pending_ends_) {
        // A real frame starting inside a candidate means the candidate's bytes stopped early.
        if (valid_frame_start < end)
            ++counters_.truncated;
        else
            ++counters_.bad_checksum;
    }
    pending_ends_.clear();
}

bool StanceFrameDecoder::next(StanceFrameView& frame) {
    for (;;) {
        const std::span<const std::uint8_t> buf = queue_.pending();
        const std::size_t n = buf.size();
        std::size_t i = 0;
        while (i < n) {
            const void* hit = std::memchr(buf.data() + i, kStanceSync0, n - i);
            if (hit == nullptr) {
                i = n;
                break;
            }
            i = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - buf.data());
            if (i + 1 >= n || buf[i + 1] == kStanceSync1)
                break;
            ++i;
        }
        if (i > 0) {
            drop(i);
            continue;
        }
        if (n < 3)
            return false;  // nothing, or a sync still waiting for its version byte
        if (buf[2] != kStanceVersion) {
            ++counters_.bad_header;
            drop(1);
            continue;
        }
        if (n < kStanceHeaderSize)
            return false;
        const std::size_t length = buf[4];
        const std::size_t total = kStanceHeaderSize + length + kStanceCrcSize;
        if (n < total)
            return false;
        const std::uint16_t crc = crc16CcittFalse(buf.subspan(2, kStanceHeaderSize - 2 + length));
        if (crc != loadU16le(buf.data() + kStanceHeaderSize + length)) {
            pending_ends_.push_back(queue_.position() + total);
            drop(1);
            continue;
        }
        const std::uint64_t start = queue_.position();
        resolvePending(start);
        if (dropping_) {
            ++counters_.resyncs;
            dropping_ = false;
        }
        ++counters_.frames;
        frame.header.type = buf[3];
        frame.header.flags = buf[5];
        frame.header.sequence = loadU16le(buf.data() + 6);
        frame.header.device_time_us = loadU32le(buf.data() + 8);
        frame.payload = buf.subspan(kStanceHeaderSize, length);
        frame.host_time_ns = queue_.hostTimeAt(total - 1);
        frame.stream_offset = start;
        queue_.consume(total);
        return true;
    }
}

void StanceFrameDecoder::finish() {
    const std::span<const std::uint8_t> buf = queue_.pending();
    const std::uint64_t stream_end = queue_.position() + buf.size();
    // Left over after next() returned false: at most a frame that had not fully arrived.
    if (buf.size() >= 2 && buf[0] == kStanceSync0 && buf[1] == kStanceSync1)
        ++counters_.truncated;
    for (const std::uint64_t end : pending_ends_) {
        if (end > stream_end)
            ++counters_.truncated;
        else
            ++counters_.bad_checksum;
    }
    pending_ends_.clear();
    if (!buf.empty()) {
        counters_.bytes_dropped += buf.size();
        queue_.consume(buf.size());
    }
    dropping_ = false;
}

// ---------------------------------------------------------------------------------------------
// Samples

DecoderCounters StanceDecoder::counters() const noexcept {
    DecoderCounters c = frames_.counters();
    c.malformed = content_.malformed;
    c.unknown = content_.unknown;
    c.sequence_gaps = content_.sequence_gaps;
    c.samples_missing = content_.samples_missing;
    c.device_restarts = content_.device_restarts;
    c.uncalibrated = content_.uncalibrated;
    return c;
}

SampleStamp StanceDecoder::stampFor(const StanceFrameView& frame) {
    const StanceFrameHeader& h = frame.header;
    SampleStamp stamp;
    const bool restart = (h.flags & flagBit(StanceFrameFlag::kRestart)) != 0;
    if (restart || !have_last_) {
        if (restart && have_last_)
            ++content_.device_restarts;
        if (restart)
            setFlag(stamp.flags, SampleFlag::kDeviceRestart);
        counter_ = h.sequence;
        time_us_ = h.device_time_us;
        have_last_ = true;
    } else {
        const auto expected = static_cast<std::uint16_t>(last_sequence_ + 1);
        if (h.sequence != expected) {
            ++content_.sequence_gaps;
            content_.samples_missing += static_cast<std::uint16_t>(h.sequence - expected);
            setFlag(stamp.flags, SampleFlag::kGapBefore);
        }
        counter_ += static_cast<std::uint16_t>(h.sequence - last_sequence_);
        // The clock wraps every 2^32 us (71.6 min); a signed difference also survives a small
        // backward step instead of jumping 71 minutes ahead.
        time_us_ += static_cast<std::int32_t>(h.device_time_us - last_time_us_);
    }
    last_sequence_ = h.sequence;
    last_time_us_ = h.device_time_us;
    if ((h.flags & flagBit(StanceFrameFlag::kOverrun)) != 0)
        setFlag(stamp.flags, SampleFlag::kDeviceOverrun);
    if ((h.flags & flagBit(StanceFrameFlag::kSaturated)) != 0)
        setFlag(stamp.flags, SampleFlag::kSaturated);
    stamp.counter = counter_;
    stamp.device_time_s = static_cast<double>(time_us_) * 1e-6;
    stamp.host_time_ns = frame.host_time_ns;
    return stamp;
}

bool StanceDecoder::next(StanceEvent& event) {
    StanceFrameView f;
    while (frames_.next(f)) {
        if (f.header.type >= static_cast<std::uint8_t>(StanceFrameType::kRequestInfo)) {
            ++content_.unknown;  // a host -> device frame echoed back or misrouted
            continue;
        }
        SampleStamp stamp = stampFor(f);
        const auto type = static_cast<StanceFrameType>(f.header.type);
        const bool is_sample = type == StanceFrameType::kLoadCells ||
                               type == StanceFrameType::kPlate || type == StanceFrameType::kImu;
        // A restart or a gap announced by an INFO frame belongs to the data that follows it.
        constexpr std::uint32_t kCarried = static_cast<std::uint32_t>(SampleFlag::kDeviceRestart) |
                                           static_cast<std::uint32_t>(SampleFlag::kGapBefore);
        if (is_sample) {
            stamp.flags |= carried_flags_;
            carried_flags_ = 0;
        } else {
            carried_flags_ |= stamp.flags & kCarried;
        }
        const std::uint8_t* p = f.payload.data();
        const std::size_t size = f.payload.size();
        switch (type) {
            case StanceFrameType::kInfo: {
                if (size != kStanceInfoSize)
                    break;
                DeviceInfo info;
                info.kind = p[0] <= 3 ? static_cast<DeviceKind>(p[0]) : DeviceKind::kUnknown;
                info.channels = p[1];
                info.firmware_major = p[2];
                info.firmware_minor = p[3];
                info.firmware_patch = loadU16le(p + 4);
                info.serial_number = loadU32le(p + 8);
                info.nominal_rate_hz = loadF32le(p + 12);
                const auto* model = reinterpret_cast<const char*>(p + 16);
                info.setModelName(std::string_view(
                    model, static_cast<std::size_t>(std::find(model, model + 16, '\0') - model)));
                info_ = info;
                needs_info_ = false;
                event = info;
                return true;
            }
            case StanceFrameType::kLoadCellCalibration: {
                if (size != kStanceLoadCellCalibrationSize)
                    break;
                LoadCellCalibration cal;
                for (std::size_t c = 0; c < 4; ++c) {
                    const std::uint8_t* q = p + 16 * c;
                    cal.offset_counts[c] = static_cast<std::int32_t>(loadU32le(q));
                    cal.scale_n_per_count[c] = loadF32le(q + 4);
                    cal.position_m[c] = {loadF32le(q + 8), loadF32le(q + 12)};
                }
                calibration_ = cal;
                needs_info_ = !info_.has_value();
                event = cal;
                return true;
            }
            case StanceFrameType::kPlateGeometry: {
                if (size != kStancePlateGeometrySize)
                    break;
                PlateGeometry g;
                g.origin_depth_m = loadF32le(p);
                g.origin_offset_m = {loadF32le(p + 4), loadF32le(p + 8)};
                geometry_ = g;
                needs_info_ = !info_.has_value();
                event = g;
                return true;
            }
            case StanceFrameType::kLoadCells: {
                if (size != kStanceLoadCellsSize)
                    break;
                LoadCellSample s;
                s.stamp = stamp;
                for (std::size_t c = 0; c < 4; ++c)
                    s.raw_counts[c] = static_cast<std::int32_t>(loadU32le(p + 4 * c));
                if (calibration_) {
                    s.force_n = calibration_->forces(s.raw_counts);
                } else {
                    s.force_n.fill(kNaN);
                    setFlag(s.stamp.flags, SampleFlag::kUncalibrated);
                    ++content_.uncalibrated;
                }
                needs_info_ = needs_info_ || !info_ || !calibration_;
                event = s;
                return true;
            }
            case StanceFrameType::kPlate: {
                if (size != kStancePlateSize)
                    break;
                ForcePlateSample s;
                s.stamp = stamp;
                for (std::size_t c = 0; c < 3; ++c) {
                    s.force_n[c] = loadF32le(p + 4 * c);
                    s.moment_nm[c] = loadF32le(p + 12 + 4 * c);
                }
                needs_info_ = needs_info_ || !info_ || !geometry_;
                event = s;
                return true;
            }
            case StanceFrameType::kImu: {
                if (size != kStanceImuSize && size != kStanceImuWithQuatSize)
                    break;
                ImuSample s;
                s.stamp = stamp;
                s.orientation_frame = OrientationFrame::kDevice;
                for (std::size_t c = 0; c < 3; ++c) {
                    s.acc_m_s2[c] = loadF32le(p + 4 * c);
                    s.gyro_rad_s[c] = loadF32le(p + 12 + 4 * c);
                }
                s.set(ImuField::kAcc);
                s.set(ImuField::kGyro);
                if (size == kStanceImuWithQuatSize) {
                    for (std::size_t c = 0; c < 4; ++c)
                        s.quat_wxyz[c] = loadF32le(p + 24 + 4 * c);
                    s.set(ImuField::kQuat);
                }
                needs_info_ = needs_info_ || !info_;
                event = s;
                return true;
            }
            default:
                ++content_.unknown;
                continue;
        }
        ++content_.malformed;  // a known type whose payload has the wrong size
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Encoding

void StanceEncoder::frame(std::vector<std::uint8_t>& out, StanceFrameType type, std::uint8_t flags,
                          std::uint32_t device_time_us) {
    StanceFrameHeader h;
    h.type = static_cast<std::uint8_t>(type);
    h.flags = flags;
    if (restart_pending_) {
        h.flags |= flagBit(StanceFrameFlag::kRestart);
        restart_pending_ = false;
    }
    h.sequence = sequence_;
    h.device_time_us = device_time_us;
    appendStanceFrame(out, h, payload_);
    sequence_ = static_cast<std::uint16_t>(sequence_ + 1);
}

void StanceEncoder::info(std::vector<std::uint8_t>& out, const DeviceInfo& info,
                         std::uint32_t device_time_us) {
    payload_.clear();
    payload_.push_back(static_cast<std::uint8_t>(info.kind));
    payload_.push_back(info.channels);
    payload_.push_back(info.firmware_major);
    payload_.push_back(info.firmware_minor);
    storeU16le(payload_, info.firmware_patch);
    storeU16le(payload_, 0);  // reserved
    storeU32le(payload_, info.serial_number);
    storeF32le(payload_, static_cast<float>(info.nominal_rate_hz));
    const std::string_view model = info.modelName();
    for (std::size_t i = 0; i < 16; ++i)
        payload_.push_back(i < model.size() ? static_cast<std::uint8_t>(model[i]) : 0);
    frame(out, StanceFrameType::kInfo, 0, device_time_us);
}

void StanceEncoder::loadCellCalibration(std::vector<std::uint8_t>& out,
                                        const LoadCellCalibration& cal,
                                        std::uint32_t device_time_us) {
    payload_.clear();
    for (std::size_t c = 0; c < 4; ++c) {
        storeU32le(payload_, static_cast<std::uint32_t>(cal.offset_counts[c]));
        storeF32le(payload_, static_cast<float>(cal.scale_n_per_count[c]));
        storeF32le(payload_, static_cast<float>(cal.position_m[c][0]));
        storeF32le(payload_, static_cast<float>(cal.position_m[c][1]));
    }
    frame(out, StanceFrameType::kLoadCellCalibration, 0, device_time_us);
}

void StanceEncoder::plateGeometry(std::vector<std::uint8_t>& out, const PlateGeometry& geometry,
                                  std::uint32_t device_time_us) {
    payload_.clear();
    storeF32le(payload_, static_cast<float>(geometry.origin_depth_m));
    storeF32le(payload_, static_cast<float>(geometry.origin_offset_m[0]));
    storeF32le(payload_, static_cast<float>(geometry.origin_offset_m[1]));
    frame(out, StanceFrameType::kPlateGeometry, 0, device_time_us);
}

void StanceEncoder::loadCells(std::vector<std::uint8_t>& out,
                              const std::array<std::int32_t, 4>& raw_counts,
                              std::uint32_t device_time_us, std::uint8_t flags) {
    payload_.clear();
    for (const std::int32_t c : raw_counts)
        storeU32le(payload_, static_cast<std::uint32_t>(c));
    frame(out, StanceFrameType::kLoadCells, flags, device_time_us);
}

void StanceEncoder::plate(std::vector<std::uint8_t>& out, const std::array<double, 3>& force_n,
                          const std::array<double, 3>& moment_nm, std::uint32_t device_time_us,
                          std::uint8_t flags) {
    payload_.clear();
    for (const double v : force_n)
        storeF32le(payload_, static_cast<float>(v));
    for (const double v : moment_nm)
        storeF32le(payload_, static_cast<float>(v));
    frame(out, StanceFrameType::kPlate, flags, device_time_us);
}

void StanceEncoder::imu(std::vector<std::uint8_t>& out, const std::array<double, 3>& acc_m_s2,
                        const std::array<double, 3>& gyro_rad_s,
                        const std::optional<std::array<double, 4>>& quat_wxyz,
                        std::uint32_t device_time_us, std::uint8_t flags) {
    payload_.clear();
    for (const double v : acc_m_s2)
        storeF32le(payload_, static_cast<float>(v));
    for (const double v : gyro_rad_s)
        storeF32le(payload_, static_cast<float>(v));
    if (quat_wxyz) {
        for (const double v : *quat_wxyz)
            storeF32le(payload_, static_cast<float>(v));
    }
    frame(out, StanceFrameType::kImu, flags, device_time_us);
}

}  // namespace stance::devices
