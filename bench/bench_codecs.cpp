// Decoder throughput of the two device codecs on one core: the Stance serial frame v1 (plate
// frames, 38 bytes) and Xsens Xbus MTData2 (a typical 73-byte message: counter, time, quaternion,
// acceleration, rate of turn, status), on clean streams and on streams with 1 % of the bytes
// replaced at random. Frame level (bytes -> checked frames) and sample level (-> timestamped
// samples, with counters and clocks unwrapped). Fed in 4096-byte chunks, as a serial read
// returns them, and byte by byte. Prints medians of 7 runs; never fails on timing.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "stance/devices/random.hpp"
#include "stance/devices/stance_frame.hpp"
#include "stance/devices/xsens.hpp"

using namespace stance::devices;

namespace {

std::vector<std::uint8_t> stanceStream(std::size_t frames) {
    StanceEncoder enc;
    std::vector<std::uint8_t> out;
    Rng rng(1);
    for (std::size_t k = 0; k < frames; ++k) {
        enc.plate(out, {rng.gaussian(), rng.gaussian(), 700.0 + rng.gaussian()},
                  {rng.gaussian(), rng.gaussian(), rng.gaussian()},
                  static_cast<std::uint32_t>(k * 1000));
    }
    return out;
}

std::vector<std::uint8_t> xbusStream(std::size_t messages) {
    const std::vector<std::uint16_t> ids{xdi::kPacketCounter, xdi::kSampleTimeFine,
                                         xdi::kQuaternion,    xdi::kAcceleration,
                                         xdi::kRateOfTurn,    xdi::kStatusWord};
    std::vector<std::uint8_t> out, payload;
    Rng rng(2);
    for (std::size_t k = 0; k < messages; ++k) {
        MtData2Contents c;
        c.packet_counter = static_cast<std::uint16_t>(k & 0xFFFF);
        c.sample_time_fine = static_cast<std::uint32_t>(k * 25);
        c.imu.fields = 0x1F;
        c.imu.acc_m_s2 = {rng.gaussian(), rng.gaussian(), 9.81 + rng.gaussian()};
        c.imu.gyro_rad_s = {rng.gaussian(), rng.gaussian(), rng.gaussian()};
        c.imu.quat_wxyz = {1.0, 0.01 * rng.gaussian(), 0.01 * rng.gaussian(), 0.0};
        payload.clear();
        appendMtData2Payload(payload, c, ids);
        appendXbusMessage(out, XbusMid::kMtData2, payload);
    }
    return out;
}

std::vector<std::uint8_t> corrupt(std::vector<std::uint8_t> bytes, double rate) {
    Rng rng(3);
    for (auto& b : bytes) {
        if (rng.uniform() < rate)
            b = static_cast<std::uint8_t>(b ^ (1 + rng.nextU64() % 255));
    }
    return bytes;
}

struct Result {
    double seconds = 0.0;
    std::uint64_t frames = 0;
};

template <class Decoder, class Out>
Result decodeOnce(const std::vector<std::uint8_t>& bytes, std::size_t chunk) {
    Decoder dec;
    Out out;
    std::uint64_t n = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
        const std::size_t len = std::min(chunk, bytes.size() - pos);
        dec.feed(std::span(bytes).subspan(pos, len), static_cast<std::int64_t>(pos));
        while (dec.next(out))
            ++n;
    }
    dec.finish();
    const auto t1 = std::chrono::steady_clock::now();
    return {std::chrono::duration<double>(t1 - t0).count(), n};
}

template <class Decoder, class Out>
void report(const char* codec, const char* level, const char* stream,
            const std::vector<std::uint8_t>& bytes, std::size_t chunk) {
    std::vector<double> times;
    std::uint64_t frames = 0;
    for (int rep = 0; rep < 7; ++rep) {
        const Result r = decodeOnce<Decoder, Out>(bytes, chunk);
        times.push_back(r.seconds);
        frames = r.frames;
    }
    std::sort(times.begin(), times.end());
    const double t = times[times.size() / 2];
    std::printf("%-7s %-7s %-9s chunk %5zu  %9llu frames  %8.1f Mframes/s  %8.1f MB/s\n", codec,
                level, stream, chunk, static_cast<unsigned long long>(frames),
                static_cast<double>(frames) / t / 1e6, static_cast<double>(bytes.size()) / t / 1e6);
}

}  // namespace

int main() {
    const auto stance_clean = stanceStream(400000);  // 15.2 MB
    const auto stance_noisy = corrupt(stance_clean, 0.01);
    const auto xbus_clean = xbusStream(200000);  // 14.6 MB
    const auto xbus_noisy = corrupt(xbus_clean, 0.01);
    std::printf("stance frame: %zu bytes, Xbus: %zu bytes; median of 7 runs, one core\n",
                stance_clean.size(), xbus_clean.size());
    for (const std::size_t chunk : {std::size_t{4096}, std::size_t{1}}) {
        report<StanceFrameDecoder, StanceFrameView>("stance", "frames", "clean", stance_clean,
                                                    chunk);
        report<StanceFrameDecoder, StanceFrameView>("stance", "frames", "1%-noise", stance_noisy,
                                                    chunk);
        report<StanceDecoder, StanceEvent>("stance", "samples", "clean", stance_clean, chunk);
        report<StanceDecoder, StanceEvent>("stance", "samples", "1%-noise", stance_noisy, chunk);
        report<XbusFrameDecoder, XbusMessageView>("xbus", "frames", "clean", xbus_clean, chunk);
        report<XbusFrameDecoder, XbusMessageView>("xbus", "frames", "1%-noise", xbus_noisy, chunk);
        report<XsensDecoder, XsensEvent>("xbus", "samples", "clean", xbus_clean, chunk);
        report<XsensDecoder, XsensEvent>("xbus", "samples", "1%-noise", xbus_noisy, chunk);
    }
    // For scale: a 1000 Hz plate sends 38 kB/s, a 400 Hz MTi about 30 kB/s.
    return 0;
}
