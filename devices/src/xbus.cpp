#include "stance/devices/xbus.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "byte_io.hpp"
#include "stance/devices/errors.hpp"
#include "stance/devices/mtdata2.hpp"

namespace stance::devices {

std::string_view xbusErrorText(std::uint8_t code) noexcept {
    switch (static_cast<XbusError>(code)) {
        case XbusError::kInvalidPeriod:
            return "invalid period";
        case XbusError::kInvalidMessage:
            return "invalid message";
        case XbusError::kTimerOverflow:
            return "timer overflow";
        case XbusError::kInvalidBaudrate:
            return "invalid baud rate";
        case XbusError::kInvalidParameter:
            return "invalid parameter";
        case XbusError::kDeviceError:
            return "device error";
        case XbusError::kDataOverflow:
            return "data overflow";
        case XbusError::kBufferOverflow:
            return "buffer overflow";
    }
    return "unknown error";
}

std::string_view xbusMidName(std::uint8_t mid) noexcept {
    switch (static_cast<XbusMid>(mid)) {
        case XbusMid::kReqDeviceId:
            return "ReqDID";
        case XbusMid::kDeviceId:
            return "DeviceID";
        case XbusMid::kGoToMeasurement:
            return "GoToMeasurement";
        case XbusMid::kGoToMeasurementAck:
            return "GoToMeasurementAck";
        case XbusMid::kReqFirmwareRevision:
            return "ReqFWRev";
        case XbusMid::kFirmwareRevision:
            return "FirmwareRev";
        case XbusMid::kGoToConfig:
            return "GoToConfig";
        case XbusMid::kGoToConfigAck:
            return "GoToConfigAck";
        case XbusMid::kMtData2:
            return "MTData2";
        case XbusMid::kWakeUp:
            return "WakeUp";
        case XbusMid::kWakeUpAck:
            return "WakeUpAck";
        case XbusMid::kReset:
            return "Reset";
        case XbusMid::kResetAck:
            return "ResetAck";
        case XbusMid::kError:
            return "Error";
        case XbusMid::kSetOutputConfiguration:
            return "SetOutputConfiguration";
        case XbusMid::kOutputConfiguration:
            return "OutputConfiguration";
    }
    return "unknown";
}

void appendXbusMessage(std::vector<std::uint8_t>& out, std::uint8_t mid,
                       std::span<const std::uint8_t> payload, std::uint8_t bus_id) {
    if (payload.size() > kXbusMaxExtendedPayload) {
        throw DeviceError(
            std::string("Xbus message ") + std::string(xbusMidName(mid)),
            "payload of " + std::to_string(payload.size()) + " bytes exceeds the maximum of 2048");
    }
    const std::size_t start = out.size();
    out.push_back(kXbusPreamble);
    out.push_back(bus_id);
    out.push_back(mid);
    if (payload.size() <= kXbusMaxStandardPayload) {
        out.push_back(static_cast<std::uint8_t>(payload.size()));
    } else {
        out.push_back(kXbusExtendedLength);
        detail::storeU16be(out, static_cast<std::uint16_t>(payload.size()));
    }
    out.insert(out.end(), payload.begin(), payload.end());
    unsigned sum = 0;
    for (std::size_t i = start + 1; i < out.size(); ++i)
        sum += out[i];
    out.push_back(static_cast<std::uint8_t>((0x100u - (sum & 0xFFu)) & 0xFFu));
}

void XbusFrameDecoder::feed(std::span<const std::uint8_t> bytes, std::int64_t host_time_ns) {
    counters_.bytes_received += bytes.size();
    queue_.append(bytes, host_time_ns);
}

void XbusFrameDecoder::drop(std::size_t n) {
    if (n == 0)
        return;
    counters_.bytes_dropped += n;
    dropping_ = true;
    queue_.consume(n);
    const std::uint64_t pos = queue_.position();
    std::erase_if(pending_ends_, [&](std::uint64_t end) {
        if (end > pos)
            return false;
        ++counters_.bad_checksum;
        return true;
    });
}

void XbusFrameDecoder::resolvePending(std::uint64_t valid_message_start) {
    for (const std::uint64_t end : pending_ends_) {
        if (valid_message_start < end)
            ++counters_.truncated;
        else
            ++counters_.bad_checksum;
    }
    pending_ends_.clear();
}

bool XbusFrameDecoder::next(XbusMessageView& message) {
    for (;;) {
        const std::span<const std::uint8_t> buf = queue_.pending();
        const std::size_t n = buf.size();
        const void* hit = n == 0 ? nullptr : std::memchr(buf.data(), kXbusPreamble, n);
        const std::size_t i =
            hit == nullptr
                ? n
                : static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - buf.data());
        if (i > 0) {
            drop(i);
            continue;
        }
        if (n < 2)
            return false;
        if (!options_.any_bus_id && buf[1] != kXbusMasterBusId) {
            ++counters_.bad_header;
            drop(1);
            continue;
        }
        if (n < 4)
            return false;
        std::size_t header = 4;
        std::size_t length = buf[3];
        if (length == kXbusExtendedLength) {
            if (n < 6)
                return false;
            header = 6;
            length = detail::loadU16be(buf.data() + 4);
        }
        if (length > options_.max_payload) {
            ++counters_.bad_header;
            drop(1);
            continue;
        }
        const std::size_t total = header + length + 1;
        if (n < total)
            return false;
        unsigned sum = 0;
        for (std::size_t k = 1; k < total; ++k)
            sum += buf[k];
        if ((sum & 0xFFu) != 0) {
            pending_ends_.push_back(queue_.position() + total);
            drop(1);
            continue;
        }
        const std::span<const std::uint8_t> payload = buf.subspan(header, length);
        if (options_.validate_mtdata2 && buf[2] == static_cast<std::uint8_t>(XbusMid::kMtData2) &&
            !mtData2Tiles(payload)) {
            ++counters_.malformed;
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
        message.bus_id = buf[1];
        message.mid = buf[2];
        message.payload = payload;
        message.host_time_ns = queue_.hostTimeAt(total - 1);
        message.stream_offset = start;
        queue_.consume(total);
        return true;
    }
}

void XbusFrameDecoder::finish() {
    const std::span<const std::uint8_t> buf = queue_.pending();
    const std::uint64_t stream_end = queue_.position() + buf.size();
    if (buf.size() >= 2 && buf[0] == kXbusPreamble &&
        (options_.any_bus_id || buf[1] == kXbusMasterBusId))
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

}  // namespace stance::devices
