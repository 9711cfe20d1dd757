// OptiTrack Motive force-plate CSV export: a "key,value," preamble, a blank line, then
// MocapFrame, MocapTime, DeviceFrame, Fx, Fy, Fz, Mx, My, Mz, Cx, Cy, Cz.

#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "import_common.hpp"
#include "import_trials.hpp"

namespace stance::datasets::import_detail {

namespace {

// "05 Jan 2021 10:47:06 +0100" -> "2021-01-05T09:47:06Z"; nullopt when not of that form.
std::optional<std::string> motiveStartToUtc(std::string_view s) {
    static constexpr std::array<const char*, 12> kMonths = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
    char month[4] = {0};
    char sign = '+';
    int off_h = 0, off_m = 0;
    const std::string str(trimView(s));
    if (std::sscanf(str.c_str(), "%d %3s %d %d:%d:%d %c%2d%2d", &day, month, &year, &hh, &mm, &ss,
                    &sign, &off_h, &off_m) != 9)
        return std::nullopt;
    const std::string mon = toLower(month);
    unsigned m = 0;
    for (unsigned i = 0; i < kMonths.size(); ++i) {
        if (mon == kMonths[i])
            m = i + 1;
    }
    if (m == 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 ||
        (sign != '+' && sign != '-'))
        return std::nullopt;
    const long long offset = (sign == '-' ? -1 : 1) * (off_h * 3600LL + off_m * 60LL);
    return isoFromDays(daysFromCivil(year, m, static_cast<unsigned>(day)),
                       hh * 3600LL + mm * 60LL + ss - offset, true);
}

}  // namespace

ImportedTrial importMotive(const std::filesystem::path& file, const ImportOptions& options) {
    const std::string name = file.string();
    const std::string text = readWholeFile(file);
    const auto lines = splitLines(text);
    std::map<std::string, std::string, std::less<>> meta;
    std::size_t h = 0;
    for (; h < lines.size(); ++h) {
        const std::string_view t = trimView(lines[h].text);
        if (t.rfind("MocapFrame", 0) == 0)
            break;
        if (t.empty())
            continue;
        const auto cells = splitCells(t, ',');
        if (cells.size() >= 2)
            meta[std::string(trimView(cells[0]))] = std::string(trimView(cells[1]));
    }
    if (h == lines.size()) {
        throw DatasetError(name, 0,
                           "no column header line starting with 'MocapFrame': not an OptiTrack "
                           "Motive force-plate export");
    }
    const auto header = splitCells(lines[h].text, ',');
    static const std::vector<std::string> kColumns = {
        "MocapTime", "DeviceFrame", "Fx", "Fy", "Fz", "Mx", "My", "Mz", "Cx", "Cy", "Cz"};
    const auto idx = findColumns(header, kColumns, name, lines[h].number);

    double rate_hz = 0.0;
    for (const char* key : {"Export Frame Rate", "Capture Frame Rate"}) {
        const auto it = meta.find(key);
        if (it != meta.end() && rate_hz == 0.0)
            rate_hz = parseNumber(it->second, name, 0, key);
    }
    if (!(rate_hz > 0.0))
        throw DatasetError(name, 0,
                           "the preamble gives no 'Export Frame Rate' or 'Capture Frame "
                           "Rate'");

    std::vector<double> times;
    std::vector<std::int64_t> frames;
    std::vector<std::array<double, 9>> values;
    for (std::size_t i = h + 1; i < lines.size(); ++i) {
        const Line& line = lines[i];
        if (trimView(line.text).empty())
            continue;
        const auto cells = splitCells(line.text, ',');
        if (cells.size() != header.size()) {
            throw DatasetError(name, line.number,
                               "row has " + std::to_string(cells.size()) + " cells, the header " +
                                   std::to_string(header.size()));
        }
        const double t = parseNumber(cells[idx[0]], name, line.number, "MocapTime");
        if (!times.empty() && !(t > times.back()))
            throw DatasetError(name, line.number, "MocapTime does not increase");
        const double frame = parseNumber(cells[idx[1]], name, line.number, "DeviceFrame");
        if (frame != std::floor(frame))
            throw DatasetError(name, line.number, "DeviceFrame is not a whole number");
        std::array<double, 9> v{};
        for (std::size_t c = 0; c < 9; ++c)
            v[c] = parseNumber(cells[idx[c + 2]], name, line.number, kColumns[c + 2]);
        times.push_back(t);
        frames.push_back(static_cast<std::int64_t>(frame));
        values.push_back(v);
    }
    if (times.empty())
        throw DatasetError(name, lines[h].number, "the file has a header but no data rows");

    // Dropouts: every channel exactly 0 is not a measurement (a loaded plate never reads 0 N in
    // all six channels); such frames are removed and recorded as gaps, never kept as zeros.
    std::vector<bool> dropped(times.size());
    std::size_t kept = 0;
    for (std::size_t i = 0; i < times.size(); ++i) {
        bool all_zero = true;
        for (double v : values[i])
            all_zero = all_zero && v == 0.0;
        dropped[i] = all_zero;
        kept += all_zero ? 0 : 1;
    }
    const auto gaps = gapsFromDropped(times, dropped, 1.0 / rate_hz);
    const auto n = static_cast<Eigen::Index>(kept);

    ImportedTrial out = defaultTrial(file, options, "motive");
    if (options.session_start.empty()) {
        const auto it = meta.find("Capture Start Time");
        if (it != meta.end()) {
            if (auto iso = motiveStartToUtc(it->second))
                out.session.start_utc = *iso;
        }
    }
    if (const auto it = meta.find("Take Name"); it != meta.end())
        out.trial.info.extra["take_name"] = it->second;
    out.trial.info.extra["dropped_frames"] = static_cast<std::int64_t>(times.size() - kept);

    DeviceInfo device;
    device.id = "motive_forceplate";
    device.kind = "forceplate";
    device.make = "OptiTrack Motive export";
    device.model = meta.count("Device Name") ? meta["Device Name"] : "";
    device.rate_hz = rate_hz;
    out.devices.push_back(device);

    RawSignal raw;
    raw.device = device.id;
    raw.frame = "device (Motive plate local axes)";
    raw.time_s.resize(n);
    raw.counter.resize(n);
    raw.values.resize(n, 9);
    static const std::array<const char*, 9> kUnits = {"N",   "N", "N", "N.m", "N.m",
                                                      "N.m", "m", "m", "m"};
    for (std::size_t c = 0; c < 9; ++c)
        raw.channels.push_back(Channel{kColumns[c + 2], kUnits[c], 1.0, 0.0});
    analysis::Signal3 force(n, 3), moment(n, 3);
    analysis::Signal2 cop(n, 2);
    Eigen::Index r = 0;
    for (std::size_t i = 0; i < times.size(); ++i) {
        if (dropped[i])
            continue;
        raw.time_s[r] = times[i];
        raw.counter[r] = frames[i];
        for (std::size_t c = 0; c < 9; ++c)
            raw.values(r, static_cast<Eigen::Index>(c)) = values[i][c];
        force.row(r) << values[i][0], values[i][1], values[i][2];
        moment.row(r) << values[i][3], values[i][4], values[i][5];
        cop.row(r) << values[i][6], values[i][7];
        ++r;
    }
    raw.gaps = gaps;

    ForcePlateSignals fp;
    fp.time_s = raw.time_s;
    const PlateAxes axes = options.axes.value_or(PlateAxes{});
    try {
        axes.apply(force, moment);
        fp.cop_m = axes.applyToPlane(cop);
    } catch (const std::invalid_argument& e) {
        throw DatasetError(name, 0, e.what());
    }
    fp.force_n = std::move(force);
    fp.moment_nm = std::move(moment);
    fp.gaps = gaps;
    fp.cop_origin = "source plate origin (Motive plate local frame)";
    fp.source = "Cx/Cy columns of the source file, plate axes " + axes.toString();
    packDecimalText(raw);  // the export's 6 decimals as int32 counts of 10^-6
    out.trial.raw.push_back(std::move(raw));
    out.trial.forceplate = std::move(fp);
    return out;
}

}  // namespace stance::datasets::import_detail
