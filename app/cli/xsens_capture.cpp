#include "xsens_capture.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <utility>
#include <variant>

#include "stance/datasets/keyed_hash.hpp"
#include "stance/devices/mtdata2.hpp"
#include "stance/devices/xbus.hpp"
#include "stance/devices/xsens.hpp"

namespace stance::cli {

namespace {

using devices::ImuField;
using devices::ImuSample;
using devices::SampleFlag;

constexpr std::uint8_t kInertialFields =
    static_cast<std::uint8_t>(ImuField::kAcc) | static_cast<std::uint8_t>(ImuField::kGyro) |
    static_cast<std::uint8_t>(ImuField::kQuat) | static_cast<std::uint8_t>(ImuField::kFreeAcc);

/// Feeding the decoder in pieces keeps its backlog small whatever the capture's size.
constexpr std::size_t kFeedChunk = 1u << 16;

/// Consecutive rows further apart than this many nominal periods have a gap between them.
constexpr double kGapPeriods = 1.5;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

datasets::DatasetError failure(const std::string& file, const std::string& problem) {
    return datasets::DatasetError(file, 0, problem);
}

std::string upperHex(std::span<const std::uint8_t> bytes) {
    std::string s;
    char buf[4];
    for (const std::uint8_t b : bytes) {
        std::snprintf(buf, sizeof buf, "%02X", static_cast<unsigned>(b));
        s += buf;
    }
    return s;
}

std::string frameName(devices::OrientationFrame f) {
    switch (f) {
        case devices::OrientationFrame::kEnu:
            return "ENU";
        case devices::OrientationFrame::kNed:
            return "NED";
        case devices::OrientationFrame::kNwu:
            return "NWU";
        case devices::OrientationFrame::kDevice:
            break;
    }
    return "device";
}

/// Everything the decoder delivered, sorted into rows and counts.
struct Collected {
    std::vector<ImuSample> rows;
    /// Per row: MTData2 messages without inertial data decoded before it (they take
    /// PacketCounter values but carry no sample).
    std::vector<std::uint64_t> non_inertial_before;
    std::uint64_t mtdata2 = 0;
    std::uint64_t non_inertial = 0;
    std::uint64_t other = 0;
    std::string serial;
    std::string firmware;
    std::optional<std::vector<devices::XsensOutput>> outputs;
    std::map<std::uint8_t, std::uint64_t> device_errors;  ///< Error code -> times
};

void collect(devices::XsensDecoder& decoder, Collected& c, const std::string& file) {
    devices::XsensEvent event;
    while (decoder.next(event)) {
        if (const auto* s = std::get_if<ImuSample>(&event)) {
            ++c.mtdata2;
            if (devices::hasFlag(s->stamp.flags, SampleFlag::kDeviceRestart) && !c.rows.empty()) {
                throw failure(file, "the device restarted (WakeUp) after " +
                                        std::to_string(c.rows.size()) +
                                        " samples: its PacketCounter and SampleTimeFine start "
                                        "again there, so the parts before and after share no "
                                        "time axis; split the capture at the restart");
            }
            if ((s->fields & kInertialFields) == 0) {
                ++c.non_inertial;
                continue;
            }
            c.rows.push_back(*s);
            c.non_inertial_before.push_back(c.non_inertial);
            continue;
        }
        const auto& m = std::get<devices::XsensMessage>(event);
        ++c.other;
        switch (static_cast<devices::XbusMid>(m.mid)) {
            case devices::XbusMid::kDeviceId:
                if (!m.payload.empty())
                    c.serial = upperHex(m.payload);
                break;
            case devices::XbusMid::kFirmwareRevision:
                if (m.payload.size() >= 3) {
                    c.firmware = std::to_string(m.payload[0]) + "." + std::to_string(m.payload[1]) +
                                 "." + std::to_string(m.payload[2]);
                }
                break;
            case devices::XbusMid::kOutputConfiguration:
                if (auto o = devices::parseOutputConfiguration(m.payload); o && !o->empty())
                    c.outputs = std::move(*o);
                break;
            case devices::XbusMid::kError:
                ++c.device_errors[m.payload.empty() ? std::uint8_t{0} : m.payload[0]];
                break;
            default:
                break;
        }
    }
}

bool looksLikeHexText(std::span<const std::uint8_t> bytes) {
    if (bytes.empty())
        return false;
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) {
        return std::isxdigit(b) != 0 || std::isspace(b) != 0;
    });
}

/// Why a capture gave no row, in words.
std::string nothingDecoded(std::span<const std::uint8_t> bytes, const Collected& c,
                           const devices::DecoderCounters& k) {
    if (bytes.empty())
        return "the capture is empty";
    if (k.frames == 0) {
        std::string s = "no Xbus message decodes from its " + std::to_string(bytes.size()) +
                        " bytes (" + std::to_string(k.bad_checksum) + " bad checksums, " +
                        std::to_string(k.truncated) + " truncated, " +
                        std::to_string(k.bad_header) +
                        " bad headers): not a capture of an "
                        "Xsens MTi port";
        if (looksLikeHexText(bytes))
            s += "; it looks like hex text, but a capture must hold the bytes themselves";
        return s;
    }
    if (c.mtdata2 == 0) {
        return std::to_string(k.frames) +
               " Xbus messages decode but none is MTData2 (0x36) measurement data: the device "
               "did not stream (still in Config state?)";
    }
    return std::to_string(c.mtdata2) +
           " MTData2 messages decode but none carries Acceleration, RateOfTurn, Quaternion or "
           "FreeAcceleration";
}

double median(std::vector<double> v) {
    if (v.empty())
        return 0.0;
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    double m = *mid;
    if (v.size() % 2 == 0)
        m = 0.5 * (m + *std::max_element(v.begin(), mid));
    return m;
}

struct Column {
    std::string name;
    std::string unit;
};

}  // namespace

XsensCapture convertXsensCapture(std::span<const std::uint8_t> bytes, const std::string& file,
                                 const XsensCaptureOptions& options) {
    if (options.sensor.empty())
        throw failure(file, "no sensor name given");
    devices::XsensDecoder decoder;
    Collected c;
    for (std::size_t at = 0; at < bytes.size(); at += kFeedChunk) {
        decoder.feed(bytes.subspan(at, std::min(kFeedChunk, bytes.size() - at)), 0);
        collect(decoder, c, file);
    }
    decoder.finish();
    collect(decoder, c, file);

    XsensCapture out;
    XsensCaptureReport& r = out.report;
    r.file = file;
    r.sensor = options.sensor;
    r.capture_bytes = bytes.size();
    r.sha256 = datasets::toHex(datasets::Sha256::hash(bytes));
    r.decoder = decoder.counters();
    r.mtdata2_messages = c.mtdata2;
    r.non_inertial_messages = c.non_inertial;
    r.other_messages = c.other;
    if (c.rows.empty())
        throw failure(file, nothingDecoded(bytes, c, r.decoder));

    // Device clock of every row, in whole ticks so that differences are exact: SampleTimeFine
    // ticks (10 kHz), or PacketCounter steps.
    const bool from_counter = options.rate_hz > 0.0;
    const double ticks_per_s = from_counter ? options.rate_hz : devices::kXsensSampleTimeFineHz;
    std::vector<std::int64_t> ticks(c.rows.size());
    if (from_counter) {
        r.time_source = "PacketCounter";
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            // Signed: without PacketCounter the decoder numbers every MTData2 message instead.
            ticks[i] = static_cast<std::int64_t>(c.rows[i].stamp.counter) -
                       static_cast<std::int64_t>(c.non_inertial_before[i]);
        }
    } else {
        r.time_source = "SampleTimeFine";
        const auto no_clock = std::count_if(c.rows.begin(), c.rows.end(), [](const ImuSample& s) {
            return devices::hasFlag(s.stamp.flags, SampleFlag::kNoDeviceClock);
        });
        if (no_clock > 0) {
            throw failure(file, std::to_string(no_clock) + " of " + std::to_string(c.rows.size()) +
                                    " samples carry no SampleTimeFine: give --rate-hz (the "
                                    "message rate) to time them from PacketCounter");
        }
        // The decoder gives unwrapped ticks / 10^4; the product is within 1e-6 of the integer.
        for (std::size_t i = 0; i < c.rows.size(); ++i)
            ticks[i] = std::llround(c.rows[i].stamp.device_time_s * ticks_per_s);
    }

    // Rows in time order: a row not after the previous one (a damaged message that passed the
    // one-byte checksum) is dropped and counted; the format needs non-decreasing time.
    std::vector<std::size_t> keep;
    keep.reserve(c.rows.size());
    for (std::size_t i = 0; i < c.rows.size(); ++i) {
        if (!keep.empty() && ticks[i] <= ticks[keep.back()]) {
            ++r.out_of_order;
            continue;
        }
        keep.push_back(i);
    }
    const auto n = static_cast<Eigen::Index>(keep.size());
    const std::int64_t first = ticks[keep.front()];
    out.device_time_at_first_s = static_cast<double>(first) / ticks_per_s;
    Eigen::VectorXd time(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        time[i] =
            static_cast<double>(ticks[keep[static_cast<std::size_t>(i)]] - first) / ticks_per_s;
    }

    // Nominal period and gaps.
    std::vector<double> steps;
    for (Eigen::Index i = 1; i < n; ++i)
        steps.push_back(time[i] - time[i - 1]);
    const double period = from_counter ? 1.0 / options.rate_hz : median(steps);
    std::vector<datasets::Gap> gaps;
    if (period > 0.0) {
        for (Eigen::Index i = 1; i < n; ++i) {
            if (time[i] - time[i - 1] > kGapPeriods * period)
                gaps.push_back({time[i - 1] + period, time[i]});
        }
    }

    // Fields and frames.
    bool has_acc = false, has_gyro = false, has_quat = false, has_free = false, has_status = false;
    std::optional<devices::OrientationFrame> frame;
    for (const std::size_t k : keep) {
        const ImuSample& s = c.rows[k];
        has_acc = has_acc || s.has(ImuField::kAcc);
        has_gyro = has_gyro || s.has(ImuField::kGyro);
        has_quat = has_quat || s.has(ImuField::kQuat);
        has_free = has_free || s.has(ImuField::kFreeAcc);
        has_status = has_status || s.has(ImuField::kStatus);
        if (s.has(ImuField::kQuat) || s.has(ImuField::kFreeAcc)) {
            if (frame && *frame != s.orientation_frame) {
                throw failure(file, "orientation changes frame from " + frameName(*frame) + " to " +
                                        frameName(s.orientation_frame) +
                                        " within the capture (the device was reconfigured)");
            }
            frame = s.orientation_frame;
        }
    }
    const std::string world = frame ? frameName(*frame) : "ENU";
    std::vector<Column> columns;
    const auto add3 = [&](const char* base, const char* unit) {
        for (const char* axis : {"_x", "_y", "_z"})
            columns.push_back({std::string(base) + axis, unit});
    };
    if (has_acc) {
        r.fields.push_back("acc");
        add3("acc", "m/s^2");
    }
    if (has_gyro) {
        r.fields.push_back("gyro");
        add3("gyro", "rad/s");
    }
    if (has_quat) {
        r.fields.push_back("quat");
        for (const char* q : {"quat_w", "quat_x", "quat_y", "quat_z"})
            columns.push_back({q, "1"});
    }
    if (has_free) {
        r.fields.push_back("free_acc");
        add3("free_acc", "m/s^2");
    }
    if (has_status) {
        r.fields.push_back("status");
        columns.push_back({"status_word", "1"});
    }

    // raw/<sensor>: every decoded field; NaN where a message did not carry it.
    datasets::RawSignal& raw = out.raw;
    raw.device = options.sensor;
    for (const Column& col : columns)
        raw.channels.push_back({col.name, col.unit, 1.0, 0.0});
    raw.stored_type = datasets::RawType::kFloat64;
    raw.frame = "device: acc and gyro in Xsens sensor axes";
    if (has_quat)
        raw.frame += "; quat rotates sensor axes into " + world;
    if (has_free)
        raw.frame += "; free_acc in " + world;
    raw.values.setConstant(n, static_cast<Eigen::Index>(columns.size()), kNaN);
    raw.counter.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const ImuSample& s = c.rows[keep[static_cast<std::size_t>(i)]];
        raw.counter[i] = static_cast<std::int64_t>(s.stamp.counter);
        Eigen::Index col = 0;
        const auto put = [&](bool present_in_capture, bool in_row, const auto& values) {
            if (!present_in_capture)
                return;
            for (const double v : values) {
                if (in_row)
                    raw.values(i, col) = v;
                ++col;
            }
        };
        put(has_acc, s.has(ImuField::kAcc), s.acc_m_s2);
        put(has_gyro, s.has(ImuField::kGyro), s.gyro_rad_s);
        put(has_quat, s.has(ImuField::kQuat), s.quat_wxyz);
        put(has_free, s.has(ImuField::kFreeAcc), s.free_acc_m_s2);
        put(has_status, s.has(ImuField::kStatus),
            std::array<double, 1>{static_cast<double>(s.status_word)});
    }
    raw.time_s = time;
    raw.gaps = gaps;

    // imu/<sensor>: the SI signals, when the format's required acc and gyro exist.
    if (has_acc && has_gyro) {
        datasets::ImuSignals imu;
        imu.sensor = options.sensor;
        imu.frame = "sensor";
        imu.time_s = time;
        imu.acc_mps2 = raw.values.leftCols<3>();
        imu.gyro_radps = raw.values.middleCols<3>(3);
        if (has_quat)
            imu.quat_wxyz = raw.values.middleCols<4>(6);
        imu.gaps = gaps;
        out.imu = std::move(imu);
        r.imu = true;
    } else {
        r.warnings.push_back(std::string("the capture has no ") +
                             (has_acc    ? "RateOfTurn"
                              : has_gyro ? "Acceleration"
                                         : "Acceleration or RateOfTurn") +
                             ": imu/" + options.sensor + " needs both, so only raw/" +
                             options.sensor + " holds its data");
    }
    for (const auto& [code, times] : c.device_errors) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(code));
        r.warnings.push_back("the device sent Error " + std::string(hex) + " (" +
                             std::string(devices::xbusErrorText(code)) + ") " +
                             std::to_string(times) + " time(s)");
    }
    if (r.out_of_order > 0) {
        r.warnings.push_back(std::to_string(r.out_of_order) +
                             " sample(s) dropped: their time is not after the sample before");
    }

    r.samples = keep.size();
    r.gaps = gaps.size();
    r.duration_s = time[n - 1];

    // /devices/<sensor>.
    datasets::DeviceInfo& d = out.device;
    d.id = options.sensor;
    d.kind = "imu";
    d.make = "Xsens";
    d.serial = c.serial;
    d.firmware = c.firmware;
    std::string rate_source;
    if (c.outputs) {
        std::string config;
        for (const devices::XsensOutput& o : *c.outputs) {
            char item[24];
            std::snprintf(item, sizeof item, "%s%04X:%s", config.empty() ? "" : ",",
                          static_cast<unsigned>(o.data_id),
                          o.rate_hz == devices::kXsensEveryMessage
                              ? "every"
                              : std::to_string(o.rate_hz).c_str());
            config += item;
            if (o.rate_hz != devices::kXsensEveryMessage)
                d.rate_hz = std::max(d.rate_hz, static_cast<double>(o.rate_hz));
        }
        d.extra["output_configuration"] = config;
    }
    if (d.rate_hz > 0.0) {
        rate_source = "OutputConfiguration";
    } else if (from_counter) {
        d.rate_hz = options.rate_hz;
        rate_source = "--rate-hz";
    } else if (period > 0.0) {
        d.rate_hz = std::round(1000.0 / period) / 1000.0;
        rate_source = "median SampleTimeFine step";
    }
    r.rate_hz = d.rate_hz;
    if (!rate_source.empty())
        d.extra["rate_source"] = rate_source;
    d.extra["capture_file"] = std::filesystem::path(file).filename().string();
    d.extra["capture_sha256"] = r.sha256;
    for (const auto& [key, value] : xsensProvenance(r))
        d.extra[key] = static_cast<std::int64_t>(value);
    d.extra["time_source"] = std::string(from_counter ? "PacketCounter at --rate-hz, less the "
                                                        "values taken by MTData2 messages "
                                                        "without inertial data"
                                                      : "SampleTimeFine (10 kHz)");
    const bool counted = std::none_of(keep.begin(), keep.end(), [&](std::size_t k) {
        return devices::hasFlag(c.rows[k].stamp.flags, SampleFlag::kNoDeviceCounter);
    });
    d.extra["counter_source"] = std::string(counted ? "PacketCounter (unwrapped)"
                                                    : "MTData2 message index (no PacketCounter)");
    d.extra["device_time_at_first_s"] = out.device_time_at_first_s;
    if (frame)
        d.extra["orientation_frame"] = world;
    return out;
}

XsensCapture readXsensCapture(const std::filesystem::path& file,
                              const XsensCaptureOptions& options) {
    const std::string name = file.string();
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw failure(name, "is a directory, not a capture file");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw failure(name, "cannot be opened");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    if (in.bad())
        throw failure(name, "cannot be read");
    return convertXsensCapture(bytes, name, options);
}

void shiftXsensCapture(XsensCapture& capture, double offset_s) {
    const auto shift = [&](Eigen::VectorXd& t, std::vector<datasets::Gap>& gaps) {
        t.array() += offset_s;
        for (datasets::Gap& g : gaps) {
            g.start_s += offset_s;
            g.end_s += offset_s;
        }
    };
    shift(capture.raw.time_s, capture.raw.gaps);
    if (capture.imu)
        shift(capture.imu->time_s, capture.imu->gaps);
    capture.report.duration_s += offset_s;
}

std::vector<std::pair<std::string, std::uint64_t>> xsensProvenance(const XsensCaptureReport& r) {
    const devices::DecoderCounters& c = r.decoder;
    return {{"capture_bytes", r.capture_bytes},
            {"xbus_messages", c.frames},
            {"mtdata2_messages", r.mtdata2_messages},
            {"samples", r.samples},
            {"bytes_dropped", c.bytes_dropped},
            {"bad_checksum", c.bad_checksum},
            {"truncated", c.truncated},
            {"bad_header", c.bad_header},
            {"resyncs", c.resyncs},
            {"malformed", c.malformed},
            {"unknown_packets", c.unknown},
            {"sequence_gaps", c.sequence_gaps},
            {"samples_missing", c.samples_missing},
            {"device_restarts", c.device_restarts},
            {"device_errors", c.device_errors},
            {"non_inertial_messages", r.non_inertial_messages},
            {"other_messages", r.other_messages},
            {"samples_out_of_order", r.out_of_order}};
}

}  // namespace stance::cli
