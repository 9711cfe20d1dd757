// Fault injection: both codecs fed streams with 1 % of their bytes replaced at random and with
// bursts of garbage (including false sync headers). Every frame that came through intact must be
// recovered, the losses must be counted, and any chunking of the same bytes must decode the same.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>

#include "stance/devices/random.hpp"
#include "stance/devices/stance_frame.hpp"
#include "stance/devices/xsens.hpp"

using namespace stance::devices;

namespace {

struct Sent {
    std::vector<std::uint8_t> bytes;
    std::size_t start = 0;  ///< offset in the stream
    bool intact = true;
};

struct Stream {
    std::vector<std::uint8_t> bytes;
    std::vector<Sent> frames;
    std::size_t corrupted_bytes = 0;
};

// Frames separated now and then by garbage bursts, then 1 % of all bytes replaced by a different
// random value. The first frame is kept clean so that the decoders have a reference counter.
Stream damage(const std::vector<std::vector<std::uint8_t>>& frames, std::uint64_t seed,
              const std::vector<std::uint8_t>& false_header) {
    Rng rng(seed);
    Stream s;
    for (const auto& f : frames) {
        if (!s.frames.empty() && rng.uniform() < 0.02) {
            const auto n = static_cast<std::size_t>(1 + rng.uniform() * 200);
            for (std::size_t i = 0; i < n; ++i) {
                if (rng.uniform() < 0.05)
                    s.bytes.insert(s.bytes.end(), false_header.begin(), false_header.end());
                s.bytes.push_back(static_cast<std::uint8_t>(rng.nextU64() & 0xFF));
            }
        }
        s.frames.push_back({f, s.bytes.size(), true});
        s.bytes.insert(s.bytes.end(), f.begin(), f.end());
    }
    const std::size_t protect = frames.front().size();
    for (std::size_t i = protect; i < s.bytes.size(); ++i) {
        if (rng.uniform() < 0.01) {
            s.bytes[i] = static_cast<std::uint8_t>(s.bytes[i] ^ (1 + (rng.nextU64() % 255)));
            ++s.corrupted_bytes;
        }
    }
    // A frame is intact when none of its bytes changed.
    for (Sent& f : s.frames) {
        f.intact = std::equal(f.bytes.begin(), f.bytes.end(),
                              s.bytes.begin() + static_cast<std::ptrdiff_t>(f.start));
    }
    return s;
}

// Feeds `bytes` in chunks of random size (1..max_chunk; 0 = all at once) and collects what `next`
// yields.
template <class Decoder, class Event>
std::vector<Event> run(Decoder& dec, const std::vector<std::uint8_t>& bytes, std::uint64_t seed,
                       std::size_t max_chunk) {
    Rng rng(seed);
    std::vector<Event> out;
    std::size_t pos = 0;
    Event e;
    while (pos < bytes.size()) {
        std::size_t n = bytes.size() - pos;
        if (max_chunk > 0)
            n = std::min(n, static_cast<std::size_t>(1 + rng.nextU64() % max_chunk));
        dec.feed(std::span(bytes).subspan(pos, n), static_cast<std::int64_t>(pos));
        pos += n;
        while (dec.next(e))
            out.push_back(e);
    }
    dec.finish();
    return out;
}

bool sameCounters(const DecoderCounters& a, const DecoderCounters& b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace

TEST_CASE("Stance frames: 1 % corruption and garbage bursts lose only damaged frames",
          "[devices][faults]") {
    constexpr std::size_t kFrames = 4000;
    StanceEncoder enc(100);
    std::vector<std::vector<std::uint8_t>> frames;
    for (std::size_t k = 0; k < kFrames; ++k) {
        std::vector<std::uint8_t> f;
        const double x = static_cast<double>(k);
        enc.plate(f, {x, -x, 700.0 + x}, {0.5 * x, 0.25, -x}, static_cast<std::uint32_t>(k * 1000));
        frames.push_back(std::move(f));
    }
    const std::vector<std::uint8_t> false_header{0xA5, 0x5A, 0x01, 0x11, 0x18};
    for (const std::uint64_t seed : {1ull, 2ull, 3ull}) {
        const Stream s = damage(frames, seed, false_header);
        StanceDecoder dec;
        const auto events = run<StanceDecoder, StanceEvent>(dec, s.bytes, seed, 0);
        std::vector<std::uint64_t> got;
        std::size_t delivered_bytes = 0;
        for (const auto& e : events) {
            const auto& p = std::get<ForcePlateSample>(e);
            got.push_back(p.stamp.counter);
            // Every delivered frame carries exactly what was sent for its sequence number.
            const auto k = static_cast<double>(p.stamp.counter - 100);
            CHECK(p.force_n[2] == 700.0 + k);
            delivered_bytes += frames[0].size();
        }
        std::vector<std::uint64_t> intact;
        for (std::size_t k = 0; k < kFrames; ++k) {
            if (s.frames[k].intact)
                intact.push_back(100 + k);
        }
        INFO("seed " << seed << ": " << s.corrupted_bytes << " bytes corrupted, "
                     << kFrames - intact.size() << " frames damaged");
        CHECK(kFrames - intact.size() > 500);  // the test does damage a lot
        CHECK(got == intact);
        const DecoderCounters c = dec.counters();
        // Every lost frame is seen in the sequence numbers; every dropped byte is counted.
        CHECK(c.samples_missing == (got.back() - got.front() + 1) - got.size());
        CHECK(c.bytes_dropped == s.bytes.size() - delivered_bytes);
        CHECK(c.bytes_received == s.bytes.size());
        CHECK(c.bad_checksum + c.truncated + c.bad_header > 0);
        // Each run of lost frames ends in a resynchronisation (garbage between intact frames
        // adds more).
        CHECK(c.resyncs >= c.sequence_gaps);
        CHECK(c.sequence_gaps > 0);
    }
}

TEST_CASE("Stance frames: any chunking decodes the same frames and counters", "[devices][faults]") {
    StanceEncoder enc;
    std::vector<std::vector<std::uint8_t>> frames;
    for (std::size_t k = 0; k < 600; ++k) {
        std::vector<std::uint8_t> f;
        enc.imu(f, {0.1 * static_cast<double>(k), 0, 9.81}, {0, 0, 0},
                k % 2 == 0 ? std::optional<std::array<double, 4>>({1, 0, 0, 0}) : std::nullopt,
                static_cast<std::uint32_t>(k));
        frames.push_back(std::move(f));
    }
    const Stream s = damage(frames, 77, {0xA5, 0x5A, 0x01, 0x12});
    StanceDecoder whole;
    const auto reference = run<StanceDecoder, StanceEvent>(whole, s.bytes, 0, 0);
    REQUIRE(reference.size() > 300);
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        StanceDecoder dec;
        const std::size_t max_chunk = seed % 4 == 0 ? 1 : static_cast<std::size_t>(seed * 13);
        const auto events = run<StanceDecoder, StanceEvent>(dec, s.bytes, seed, max_chunk);
        REQUIRE(events.size() == reference.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            const auto& a = std::get<ImuSample>(events[i]);
            const auto& b = std::get<ImuSample>(reference[i]);
            CHECK(a.stamp.counter == b.stamp.counter);
            CHECK(a.acc_m_s2 == b.acc_m_s2);
            CHECK(a.fields == b.fields);
        }
        CHECK(sameCounters(dec.counters(), whole.counters()));
    }
}

TEST_CASE("Xbus: 1 % corruption and garbage bursts lose only damaged messages",
          "[devices][faults]") {
    constexpr std::size_t kMessages = 4000;
    std::vector<std::vector<std::uint8_t>> messages;
    const std::vector<std::uint16_t> ids{xdi::kPacketCounter, xdi::kSampleTimeFine,
                                         xdi::kQuaternion,    xdi::kAcceleration,
                                         xdi::kRateOfTurn,    xdi::kStatusWord};
    Rng values(5);
    for (std::size_t k = 0; k < kMessages; ++k) {
        MtData2Contents c;
        c.packet_counter = static_cast<std::uint16_t>((65000 + k) & 0xFFFF);  // wraps inside
        c.sample_time_fine = static_cast<std::uint32_t>(k * 100);
        c.imu.fields = 0x1F;
        // Random floats put 0xFA and 0xFF bytes inside the payloads.
        for (auto& v : c.imu.acc_m_s2)
            v = 20.0 * (values.uniform() - 0.5);
        for (auto& v : c.imu.gyro_rad_s)
            v = values.uniform() - 0.5;
        c.imu.quat_wxyz = {values.uniform(), values.uniform(), values.uniform(), values.uniform()};
        std::vector<std::uint8_t> payload, m;
        appendMtData2Payload(payload, c, ids);
        appendXbusMessage(m, XbusMid::kMtData2, payload);
        messages.push_back(std::move(m));
    }
    const std::vector<std::uint8_t> false_header{0xFA, 0xFF, 0x36, 0x44};
    for (const std::uint64_t seed : {11ull, 12ull, 13ull}) {
        const Stream s = damage(messages, seed, false_header);
        XsensDecoder dec;
        const auto events = run<XsensDecoder, XsensEvent>(dec, s.bytes, seed, 0);
        std::vector<std::uint64_t> got;
        std::size_t damaged_delivered = 0;
        std::size_t damaged_counted = 0;  // ... of those, with a PacketCounter
        std::size_t counted_since_last_intact = 0;
        std::size_t delivered_bytes = 0;
        std::size_t k = 0;  // index into messages, advanced in stream order
        for (const auto& e : events) {
            const auto* p = std::get_if<ImuSample>(&e);
            REQUIRE(p != nullptr);
            // Match the sample to the message it came from by its SampleTimeFine.
            const auto index =
                static_cast<std::size_t>(std::llround(p->stamp.device_time_s * 100.0));
            const bool known = index < kMessages && index >= k;
            if (known && s.frames[index].intact) {
                got.push_back(index);
                delivered_bytes += messages[index].size();
                k = index + 1;
                counted_since_last_intact = 0;
            } else {
                ++damaged_delivered;  // a damaged message whose 1-byte checksum still matched
                if (!hasFlag(p->stamp.flags, SampleFlag::kNoDeviceCounter)) {
                    ++damaged_counted;
                    ++counted_since_last_intact;
                }
            }
        }
        std::vector<std::uint64_t> intact;
        for (std::size_t i = 0; i < kMessages; ++i) {
            if (s.frames[i].intact)
                intact.push_back(i);
        }
        INFO("seed " << seed << ": " << s.corrupted_bytes << " bytes corrupted, "
                     << kMessages - intact.size() << " messages damaged, " << damaged_delivered
                     << " damaged delivered");
        const std::size_t damaged = kMessages - intact.size();
        CHECK(damaged > 500);
        CHECK(got == intact);
        // The Xbus checksum is one byte: a message with two or more damaged bytes passes it 1
        // time in 256 and must then still tile as MTData2 to be delivered. That is the protocol's
        // limit, not the decoder's; it must stay that rare (here about 0.1 % of damaged ones).
        CHECK(damaged_delivered * 200 <= damaged);
        const DecoderCounters c = dec.counters();
        CHECK(c.frames == events.size());
        CHECK(c.bytes_received == s.bytes.size());
        CHECK(c.bytes_dropped >= s.bytes.size() - delivered_bytes - damaged_delivered * 80);
        // Losses seen through the 16-bit PacketCounter. A delivered damaged message with a
        // counter (before the last intact one) shifts the count by one, so the sum agrees modulo
        // 2^16 once those are accounted for.
        const std::size_t shift = damaged_counted - counted_since_last_intact;
        CHECK(c.samples_missing % 65536 == (got.back() + 1 - got.size() - shift) % 65536);
        // Nearly every damaged message was seen as a failed candidate (the rest lost their
        // preamble or bus id and were dropped as plain garbage).
        CHECK(static_cast<double>(c.bad_checksum + c.truncated + c.malformed + c.bad_header) >=
              0.9 * static_cast<double>(damaged - damaged_delivered));
    }
}

TEST_CASE("Xbus: any chunking decodes the same messages and counters", "[devices][faults]") {
    std::vector<std::vector<std::uint8_t>> messages;
    for (std::size_t k = 0; k < 600; ++k) {
        MtData2Contents c;
        c.packet_counter = static_cast<std::uint16_t>(k);
        c.imu.acc_m_s2 = {static_cast<double>(k) * 0.37, -1.0, 9.81};
        c.imu.set(ImuField::kAcc);
        const std::vector<std::uint16_t> ids{
            xdi::kPacketCounter, xsensDataId(xdi::kAcceleration, XsensPrecision::kFp1632)};
        std::vector<std::uint8_t> payload, m;
        appendMtData2Payload(payload, c, ids);
        appendXbusMessage(m, XbusMid::kMtData2, payload);
        if (k % 50 == 0)
            appendXbusMessage(m, XbusMid::kError, std::vector<std::uint8_t>{0x29});
        messages.push_back(std::move(m));
    }
    const Stream s = damage(messages, 99, {0xFA, 0xFF, 0x36, 0x17});
    XsensDecoder whole;
    const auto reference = run<XsensDecoder, XsensEvent>(whole, s.bytes, 0, 0);
    REQUIRE(reference.size() > 300);
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        XsensDecoder dec;
        const std::size_t max_chunk = seed % 4 == 0 ? 1 : static_cast<std::size_t>(seed * 11);
        const auto events = run<XsensDecoder, XsensEvent>(dec, s.bytes, seed, max_chunk);
        REQUIRE(events.size() == reference.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            REQUIRE(events[i].index() == reference[i].index());
            if (const auto* a = std::get_if<ImuSample>(&events[i])) {
                const auto& b = std::get<ImuSample>(reference[i]);
                CHECK(a->stamp.counter == b.stamp.counter);
                CHECK(a->acc_m_s2 == b.acc_m_s2);
            }
        }
        CHECK(sameCounters(dec.counters(), whole.counters()));
    }
}
