// AMTI NetForce .bsf files, file version 105.
//
// Layout (little-endian), worked out from the NetForce manual's description as summarised in
// M. Duarte's notes (BMC, "AMTIbsfFile" notebook, CC BY 4.0) and checked against the file in
// datasets/public/bmc_raw_forceplate_samples (docs/stance-hdf5.md gives the verification):
//   0     int32   file version (105)
//   4     main header of `size` bytes (the size is its first int32):
//         +4 int32 platforms, +8 int32 other instruments, +12 char[100] subject name (never
//         read), +112 char[12] test date (M/D/YYYY), +124 char[12] birth date (never read),
//         +136 float64 weight, +144 float64 height, +152 char[4] sex, +156 int32 trials,
//         +160 float64 trial length s, ..., +208 int32 rate Hz, +212 char[150] protocol,
//         +362 char[200] test type, ..., +862 char[100] examiner (never read)
//   4+size  one instrument header per platform and instrument, each of its own `size`:
//         +0 int32 size, +4 int32 serial, +8 int32 layout, +12 char[20] model,
//         +32 int32 channels, +36..+48 int32 true/data start/end channel,
//         +52 float32 length in, +56 float32 width in, +60 float32[3] origin offset in,
//         +72 float32[32] sensitivities, +200 int32[32] channel numbers, ...
//   then  trial length x rate samples of (total channels) float64, sample-major, in AMTI
//         English engineering units: lbf for forces, lbf·in for moments.

#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "import_common.hpp"
#include "import_trials.hpp"
#include "stance/analysis/cop.hpp"

namespace stance::datasets::import_detail {

namespace {

/// 1 lbf in N (exact by the definition of the pound-force) and 1 in in m.
constexpr double kNewtonPerLbf = 4.4482216152605;
constexpr double kMetrePerInch = 0.0254;

class Bytes {
public:
    Bytes(const std::string& data, const std::string& file) : data_(data), file_(file) {}

    template <class T>
    T at(std::size_t offset, const char* what) const {
        if (offset + sizeof(T) > data_.size()) {
            throw DatasetError(file_, 0,
                               std::string("truncated: ") + what + " at byte " +
                                   std::to_string(offset) + " lies past the end of the file (" +
                                   std::to_string(data_.size()) + " bytes)");
        }
        T v;
        std::memcpy(&v, data_.data() + offset, sizeof(T));
        return v;
    }

    std::string text(std::size_t offset, std::size_t n, const char* what) const {
        if (offset + n > data_.size())
            throw DatasetError(file_, 0, std::string("truncated: ") + what + " lies past the end");
        std::string s(data_.data() + offset, n);
        s = s.substr(0, s.find('\0'));
        return std::string(trimView(s));
    }

    std::size_t size() const { return data_.size(); }

private:
    const std::string& data_;
    const std::string& file_;
};

std::optional<std::string> usDateToIso(const std::string& s) {
    unsigned m = 0, d = 0;
    int y = 0;
    if (std::sscanf(s.c_str(), "%u/%u/%d", &m, &d, &y) != 3 || m < 1 || m > 12 || d < 1 || d > 31 ||
        y < 1900)
        return std::nullopt;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return std::string(buf);
}

}  // namespace

ImportedTrial importAmtiBsf(const std::filesystem::path& file, const ImportOptions& options) {
    static_assert(sizeof(double) == 8 && sizeof(float) == 4, "IEEE 754 types");
    const std::string name = file.string();
    const std::string data = readWholeFile(file);
    const Bytes b(data, name);

    const auto version = b.at<std::int32_t>(0, "the file version");
    if (version != 105) {
        throw DatasetError(name, 0,
                           "AMTI .bsf file version " + std::to_string(version) +
                               "; this importer reads version 105 (data stored as float64)");
    }
    const auto main_size = b.at<std::int32_t>(4, "the main header size");
    if (main_size < 212 || static_cast<std::size_t>(main_size) + 4 > b.size())
        throw DatasetError(
            name, 0, "main header size " + std::to_string(main_size) + " does not fit the file");
    const std::size_t mh = 4;
    const auto platforms = b.at<std::int32_t>(mh + 4, "the platform count");
    const auto instruments = b.at<std::int32_t>(mh + 8, "the instrument count");
    if (platforms < 1 || platforms > 16 || instruments < 0 || instruments > 16)
        throw DatasetError(name, 0,
                           "implausible counts: " + std::to_string(platforms) + " platforms, " +
                               std::to_string(instruments) + " other instruments");
    const std::string test_date = b.text(mh + 112, 12, "the test date");
    const double weight = b.at<double>(mh + 136, "the weight");
    const double height = b.at<double>(mh + 144, "the height");
    const std::string sex = b.text(mh + 152, 4, "the sex");
    const double trial_s = b.at<double>(mh + 160, "the trial length");
    const auto rate = b.at<std::int32_t>(mh + 208, "the rate");
    const std::string protocol = b.text(mh + 212, 150, "the protocol");
    const std::string test_type = b.text(mh + 362, 200, "the test type");
    if (!(rate > 0 && trial_s > 0 && trial_s * rate < 1e9))
        throw DatasetError(name, 0,
                           "implausible rate " + std::to_string(rate) + " Hz or trial length " +
                               std::to_string(trial_s) + " s");
    const auto samples = static_cast<std::size_t>(std::llround(trial_s * rate));

    struct Instrument {
        std::int32_t serial = 0;
        std::string model;
        std::int32_t channels = 0;
        double length_m = 0, width_m = 0;
        std::array<double, 3> offset_m{};
    };
    std::vector<Instrument> inst;
    std::size_t at = mh + static_cast<std::size_t>(main_size);
    std::size_t total_channels = 0;
    for (int i = 0; i < platforms + instruments; ++i) {
        const auto size = b.at<std::int32_t>(at, "an instrument header size");
        if (size < 72 || at + static_cast<std::size_t>(size) > b.size())
            throw DatasetError(name, 0,
                               "instrument header " + std::to_string(i + 1) + " at byte " +
                                   std::to_string(at) + " has impossible size " +
                                   std::to_string(size));
        Instrument in;
        in.serial = b.at<std::int32_t>(at + 4, "the serial number");
        in.model = b.text(at + 12, 20, "the model");
        in.channels = b.at<std::int32_t>(at + 32, "the channel count");
        if (in.channels < 1 || in.channels > 32)
            throw DatasetError(name, 0,
                               "instrument " + std::to_string(i + 1) + " has " +
                                   std::to_string(in.channels) + " channels");
        in.length_m = b.at<float>(at + 52, "the length") * kMetrePerInch;
        in.width_m = b.at<float>(at + 56, "the width") * kMetrePerInch;
        for (std::size_t k = 0; k < 3; ++k)
            in.offset_m[k] = b.at<float>(at + 60 + 4 * k, "the offset") * kMetrePerInch;
        total_channels += static_cast<std::size_t>(in.channels);
        inst.push_back(in);
        at += static_cast<std::size_t>(size);
    }
    const std::size_t expected = samples * total_channels * sizeof(double);
    if (b.size() - at != expected) {
        throw DatasetError(name, 0,
                           "data size " + std::to_string(b.size() - at) + " bytes after the " +
                               "headers, expected " + std::to_string(expected) + " (" +
                               std::to_string(samples) + " samples x " +
                               std::to_string(total_channels) + " channels x 8 bytes)" +
                               (b.size() - at < expected ? ": the file is truncated" : ""));
    }
    if (inst[0].channels != 6)
        throw DatasetError(name, 0,
                           "platform 1 has " + std::to_string(inst[0].channels) +
                               " channels; a 6-channel plate (Fx Fy Fz Mx My Mz) is "
                               "needed");

    const auto n = static_cast<Eigen::Index>(samples);
    const double period = 1.0 / rate;
    ImportedTrial out = defaultTrial(file, options, "amti-bsf");
    if (options.session_start.empty()) {
        if (auto iso = usDateToIso(test_date))
            out.session.start_utc = *iso;
    }
    out.session.protocol = protocol;
    if (options.condition.empty()) {
        // "Type:Walking Gait" -> "walking_gait"
        std::string t = test_type.rfind("Type:", 0) == 0 ? test_type.substr(5) : test_type;
        std::string c;
        for (char ch : toLower(trimView(t)))
            c += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
        if (!c.empty())
            out.trial.info.condition = c;
    }
    out.trial.info.planned_duration_s = trial_s;
    // Never the subject's or examiner's name, nor the birth date: pseudonymous.
    if (weight > 0)
        out.subject.mass_kg = weight;
    if (height > 0)
        out.subject.height_m = height;
    if (sex == "M" || sex == "m")
        out.subject.sex = Sex::kMale;
    else if (sex == "F" || sex == "f")
        out.subject.sex = Sex::kFemale;

    // Plate 1 only goes to forceplate; every instrument's channels are kept raw.
    std::size_t first_channel = 0;
    for (std::size_t i = 0; i < inst.size(); ++i) {
        const Instrument& in = inst[i];
        DeviceInfo device;
        device.id = "amti_" + std::to_string(in.serial);
        device.kind = i < static_cast<std::size_t>(platforms) ? "forceplate" : "instrument";
        device.make = "AMTI";
        device.model = in.model;
        device.serial = std::to_string(in.serial);
        device.rate_hz = rate;
        device.extra["length_m"] = in.length_m;
        device.extra["width_m"] = in.width_m;
        out.devices.push_back(device);

        RawSignal raw;
        raw.device = device.id;
        raw.frame = "device (AMTI axes: z down, action of the subject on the plate)";
        raw.time_s = Eigen::VectorXd::LinSpaced(n, 0.0, static_cast<double>(n - 1) * period);
        raw.counter = CounterVector::LinSpaced(n, 0, n - 1);
        raw.values.resize(n, in.channels);
        static const std::array<const char*, 6> kNames = {"Fx", "Fy", "Fz", "Mx", "My", "Mz"};
        for (std::int32_t c = 0; c < in.channels; ++c) {
            const bool plate = in.channels == 6;
            const bool moment = plate && c >= 3;
            raw.channels.push_back(Channel{
                plate ? kNames[static_cast<std::size_t>(c)] : "ch" + std::to_string(c),
                plate ? (moment ? "N.m" : "N") : "",
                plate ? (moment ? kNewtonPerLbf * kMetrePerInch : kNewtonPerLbf) : 1.0, 0.0});
        }
        for (Eigen::Index s = 0; s < n; ++s) {
            for (std::int32_t c = 0; c < in.channels; ++c) {
                const std::size_t off = at + (static_cast<std::size_t>(s) * total_channels +
                                              first_channel + static_cast<std::size_t>(c)) *
                                                 sizeof(double);
                raw.values(s, c) = b.at<double>(off, "a sample");
            }
        }
        first_channel += static_cast<std::size_t>(in.channels);
        out.trial.raw.push_back(std::move(raw));
    }

    // Plate 1 into the plate frame: AMTI reports the action on the plate in axes with z down;
    // by default plate (x, y, z) = AMTI (x, -y, -z) and the signs flip to the reaction on the
    // subject. Then COP from forces and moments (DESIGN.md frame, metres).
    const RawSignal& r0 = out.trial.raw.front();
    const Eigen::MatrixXd phys = r0.physical();
    analysis::Signal3 force = phys.leftCols(3), moment = phys.middleCols(3, 3);
    PlateAxes axes = options.axes.value_or(PlateAxes::parse("x,-y,-z,action"));
    analysis::ForcePlateGeometry geometry;
    try {
        axes.apply(force, moment);
        analysis::Signal2 offset_xy(1, 2);
        offset_xy << inst[0].offset_m[0], inst[0].offset_m[1];
        geometry.origin_offset_m = axes.applyToPlane(offset_xy).row(0).transpose();
    } catch (const std::invalid_argument& e) {
        throw DatasetError(name, 0, e.what());
    }
    geometry.origin_below_surface_m = std::abs(inst[0].offset_m[2]);
    const analysis::CopResult cop = analysis::copFromForcePlate(force, moment, geometry);

    ForcePlateSignals fp;
    fp.time_s = r0.time_s;
    fp.force_n = std::move(force);
    fp.moment_nm = std::move(moment);
    fp.cop_m = cop.xy_m;
    fp.cop_origin = "plate centre";
    fp.source =
        "raw/" + r0.device + " (COP where Fz >= 20 N, else NaN), plate axes " + axes.toString();
    out.trial.info.extra["samples_without_cop"] = static_cast<std::int64_t>(cop.n_invalid);
    out.trial.forceplate = std::move(fp);
    return out;
}

}  // namespace stance::datasets::import_detail
