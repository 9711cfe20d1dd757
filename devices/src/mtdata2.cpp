#include "stance/devices/mtdata2.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "byte_io.hpp"
#include "stance/devices/errors.hpp"

namespace stance::devices {

namespace {

using detail::loadF32be;
using detail::loadF64be;
using detail::loadU16be;
using detail::loadU32be;

constexpr double kTwo20 = 1048576.0;     // 2^20
constexpr double kTwo32 = 4294967296.0;  // 2^32

XsensPrecision precisionOf(std::uint16_t id) {
    return static_cast<XsensPrecision>(id & xdi::kPrecisionMask);
}

double readValue(const std::uint8_t* p, XsensPrecision precision) {
    switch (precision) {
        case XsensPrecision::kFloat32:
            return loadF32be(p);
        case XsensPrecision::kFp1220:
            return static_cast<double>(static_cast<std::int32_t>(loadU32be(p))) / kTwo20;
        case XsensPrecision::kFp1632: {
            // 32-bit fraction first, then the signed 16-bit integer part: together a signed
            // 48-bit count of 2^-32.
            const std::uint32_t fraction = loadU32be(p);
            const auto integer = static_cast<std::int16_t>(loadU16be(p + 4));
            const auto raw = static_cast<std::int64_t>(
                (static_cast<std::uint64_t>(static_cast<std::int64_t>(integer)) << 32) | fraction);
            return static_cast<double>(raw) / kTwo32;
        }
        case XsensPrecision::kFloat64:
            return loadF64be(p);
    }
    return 0.0;
}

void writeValue(std::vector<std::uint8_t>& out, double v, XsensPrecision precision) {
    switch (precision) {
        case XsensPrecision::kFloat32:
            detail::storeF32be(out, static_cast<float>(v));
            return;
        case XsensPrecision::kFp1220: {
            const double scaled = std::round(v * kTwo20);
            const double clamped =
                std::fmin(std::fmax(scaled, -2147483648.0), 2147483647.0);  // saturate
            detail::storeU32be(out, static_cast<std::uint32_t>(static_cast<std::int32_t>(clamped)));
            return;
        }
        case XsensPrecision::kFp1632: {
            constexpr double kMax = 140737488355327.0;  // 2^47 - 1
            const double scaled = std::fmin(std::fmax(std::round(v * kTwo32), -kMax - 1.0), kMax);
            const auto raw = static_cast<std::uint64_t>(static_cast<std::int64_t>(scaled));
            detail::storeU32be(out, static_cast<std::uint32_t>(raw & 0xFFFFFFFFu));
            detail::storeU16be(out, static_cast<std::uint16_t>((raw >> 32) & 0xFFFFu));
            return;
        }
        case XsensPrecision::kFloat64:
            detail::storeF64be(out, v);
            return;
    }
}

bool frameOf(std::uint16_t id, OrientationFrame& frame) {
    switch (id & xdi::kCoordinateMask) {
        case 0x0:
            frame = OrientationFrame::kEnu;
            return true;
        case 0x4:
            frame = OrientationFrame::kNed;
            return true;
        case 0x8:
            frame = OrientationFrame::kNwu;
            return true;
        default:
            return false;
    }
}

template <std::size_t N>
bool readVector(const std::uint8_t* p, std::size_t size, std::uint16_t id,
                std::array<double, N>& out) {
    const XsensPrecision precision = precisionOf(id);
    const std::size_t width = xsensValueSize(precision);
    if (size != N * width)
        return false;
    for (std::size_t i = 0; i < N; ++i)
        out[i] = readValue(p + i * width, precision);
    return true;
}

}  // namespace

bool mtData2Tiles(std::span<const std::uint8_t> payload) noexcept {
    std::size_t pos = 0;
    while (pos < payload.size()) {
        if (payload.size() - pos < 3)
            return false;
        pos += 3 + payload[pos + 2];
    }
    return pos == payload.size();
}

bool parseMtData2(std::span<const std::uint8_t> payload, MtData2Contents& out) {
    out = MtData2Contents{};
    std::size_t pos = 0;
    while (pos < payload.size()) {
        if (payload.size() - pos < 3)
            return false;
        const std::uint16_t id = loadU16be(payload.data() + pos);
        const std::size_t size = payload[pos + 2];
        const std::uint8_t* p = payload.data() + pos + 3;
        if (payload.size() - pos - 3 < size)
            return false;
        pos += 3 + size;
        const auto type = static_cast<std::uint16_t>(id & xdi::kTypeMask);
        ImuSample& imu = out.imu;
        switch (type) {
            case xdi::kPacketCounter:
                if (size != 2 || (id & 0xF) != 0)
                    return false;
                out.packet_counter = loadU16be(p);
                break;
            case xdi::kSampleTimeFine:
                if (size != 4 || (id & 0xF) != 0)
                    return false;
                out.sample_time_fine = loadU32be(p);
                break;
            case xdi::kStatusByte:
                if (size != 1 || (id & 0xF) != 0)
                    return false;
                imu.status_word = p[0];
                imu.set(ImuField::kStatus);
                break;
            case xdi::kStatusWord:
                if (size != 4 || (id & 0xF) != 0)
                    return false;
                imu.status_word = loadU32be(p);
                imu.set(ImuField::kStatus);
                break;
            case xdi::kQuaternion:
                if (!readVector(p, size, id, imu.quat_wxyz) || !frameOf(id, imu.orientation_frame))
                    return false;
                imu.set(ImuField::kQuat);
                break;
            case xdi::kAcceleration:
                if (!readVector(p, size, id, imu.acc_m_s2))
                    return false;
                imu.set(ImuField::kAcc);
                break;
            case xdi::kFreeAcceleration:
                if (!readVector(p, size, id, imu.free_acc_m_s2) ||
                    !frameOf(id, imu.orientation_frame))
                    return false;
                imu.set(ImuField::kFreeAcc);
                break;
            case xdi::kRateOfTurn:
                if (!readVector(p, size, id, imu.gyro_rad_s))
                    return false;
                imu.set(ImuField::kGyro);
                break;
            default:
                ++out.unknown_packets;
                break;
        }
    }
    return true;
}

void appendMtData2Payload(std::vector<std::uint8_t>& payload, const MtData2Contents& contents,
                          std::span<const std::uint16_t> ids) {
    const auto fail = [](std::uint16_t id, const std::string& why) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(id));
        throw DeviceError(std::string("MTData2 packet 0x") + hex, why);
    };
    const ImuSample& imu = contents.imu;
    for (const std::uint16_t id : ids) {
        const auto type = static_cast<std::uint16_t>(id & xdi::kTypeMask);
        const XsensPrecision precision = precisionOf(id);
        const std::size_t width = xsensValueSize(precision);
        const auto vector = [&](const auto& values, ImuField field) {
            if (!imu.has(field))
                fail(id, "the sample holds no value for this packet");
            detail::storeU16be(payload, id);
            payload.push_back(static_cast<std::uint8_t>(values.size() * width));
            for (const double v : values)
                writeValue(payload, v, precision);
        };
        switch (type) {
            case xdi::kPacketCounter:
                if (!contents.packet_counter)
                    fail(id, "no packet counter to send");
                detail::storeU16be(payload, id);
                payload.push_back(2);
                detail::storeU16be(payload, *contents.packet_counter);
                break;
            case xdi::kSampleTimeFine:
                if (!contents.sample_time_fine)
                    fail(id, "no SampleTimeFine to send");
                detail::storeU16be(payload, id);
                payload.push_back(4);
                detail::storeU32be(payload, *contents.sample_time_fine);
                break;
            case xdi::kStatusByte:
                if (!imu.has(ImuField::kStatus))
                    fail(id, "the sample holds no status");
                detail::storeU16be(payload, id);
                payload.push_back(1);
                payload.push_back(static_cast<std::uint8_t>(imu.status_word & 0xFFu));
                break;
            case xdi::kStatusWord:
                if (!imu.has(ImuField::kStatus))
                    fail(id, "the sample holds no status");
                detail::storeU16be(payload, id);
                payload.push_back(4);
                detail::storeU32be(payload, imu.status_word);
                break;
            case xdi::kQuaternion:
                vector(imu.quat_wxyz, ImuField::kQuat);
                break;
            case xdi::kAcceleration:
                vector(imu.acc_m_s2, ImuField::kAcc);
                break;
            case xdi::kFreeAcceleration:
                vector(imu.free_acc_m_s2, ImuField::kFreeAcc);
                break;
            case xdi::kRateOfTurn:
                vector(imu.gyro_rad_s, ImuField::kGyro);
                break;
            default:
                fail(id, "this encoder does not produce that data type");
        }
    }
}

std::vector<std::uint8_t> encodeOutputConfiguration(std::span<const XsensOutput> outputs) {
    std::vector<std::uint8_t> payload;
    payload.reserve(outputs.size() * 4);
    for (const XsensOutput& o : outputs) {
        detail::storeU16be(payload, o.data_id);
        detail::storeU16be(payload, o.rate_hz);
    }
    return payload;
}

std::optional<std::vector<XsensOutput>> parseOutputConfiguration(
    std::span<const std::uint8_t> payload) {
    if (payload.size() % 4 != 0)
        return std::nullopt;
    std::vector<XsensOutput> outputs;
    for (std::size_t i = 0; i < payload.size(); i += 4)
        outputs.push_back({loadU16be(payload.data() + i), loadU16be(payload.data() + i + 2)});
    return outputs;
}

}  // namespace stance::devices
