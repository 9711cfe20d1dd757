// A CSV whose columns and units the caller declares (CsvLayout), device axes mapped by
// PlateAxes (identity by default).

#include <cmath>
#include <stdexcept>

#include "import_common.hpp"
#include "import_trials.hpp"
#include "stance/analysis/cop.hpp"

namespace stance::datasets::import_detail {

ImportedTrial importCsv(const std::filesystem::path& file, const ImportOptions& options) {
    using Role = CsvLayout::Role;
    const std::string name = file.string();
    const CsvLayout& layout = options.csv;
    if (layout.columns.empty())
        throw DatasetError(name, 0, "no columns declared (--columns role:unit,...)");
    const std::string text = readWholeFile(file);
    const auto lines = splitLines(text);
    const std::size_t declared = layout.columns.size();
    const auto find = [&](Role r) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < declared; ++i) {
            if (layout.columns[i].role == r)
                return i;
        }
        return std::nullopt;
    };
    const auto time_col = find(Role::kTime);
    if (!time_col && !(layout.rate_hz > 0))
        throw DatasetError(name, 0, "no time column declared and no sample rate given");

    std::size_t i = std::min(layout.skip_rows, lines.size());
    if (layout.header) {
        while (i < lines.size() && trimView(lines[i].text).empty())
            ++i;
        if (i == lines.size())
            throw DatasetError(
                name, 0,
                "no header line after " + std::to_string(layout.skip_rows) + " skipped lines");
        const auto cells = splitCells(lines[i].text, layout.delimiter);
        if (cells.size() != declared) {
            throw DatasetError(name, lines[i].number,
                               "the header has " + std::to_string(cells.size()) +
                                   " columns but --columns declares " + std::to_string(declared) +
                                   "; declare every column (use '-' for one to skip)");
        }
        ++i;
    }
    std::vector<std::vector<double>> cols(declared);
    std::vector<double> times;
    for (; i < lines.size(); ++i) {
        const Line& line = lines[i];
        if (trimView(line.text).empty())
            continue;
        const auto cells = splitCells(line.text, layout.delimiter);
        if (cells.size() != declared) {
            throw DatasetError(name, line.number,
                               "row has " + std::to_string(cells.size()) +
                                   " cells but --columns declares " + std::to_string(declared));
        }
        for (std::size_t c = 0; c < declared; ++c) {
            const auto& col = layout.columns[c];
            if (col.role == Role::kSkip)
                continue;
            cols[c].push_back(parseNumber(cells[c], name, line.number, col.name));
        }
        const double t = time_col ? cols[*time_col].back() * layout.columns[*time_col].to_si
                                  : static_cast<double>(times.size()) / layout.rate_hz;
        if (!times.empty() && !(t > times.back()))
            throw DatasetError(name, line.number, "time does not increase");
        times.push_back(t);
    }
    if (times.empty())
        throw DatasetError(name, 0, "no data rows");
    const auto n = static_cast<Eigen::Index>(times.size());
    const auto si = [&](std::size_t c) {
        Eigen::VectorXd v(n);
        for (Eigen::Index r = 0; r < n; ++r)
            v[r] = cols[c][static_cast<std::size_t>(r)] * layout.columns[c].to_si;
        return v;
    };

    ImportedTrial out = defaultTrial(file, options, "csv");
    DeviceInfo device;
    device.id = "csv_forceplate";
    device.kind = "forceplate";
    out.devices.push_back(device);

    RawSignal raw;
    raw.device = device.id;
    raw.frame = "device";
    raw.time_s = Eigen::Map<const Eigen::VectorXd>(times.data(), n);
    if (const auto c = find(Role::kCounter)) {
        raw.counter.resize(n);
        for (Eigen::Index r = 0; r < n; ++r) {
            const double v = cols[*c][static_cast<std::size_t>(r)];
            if (v != std::floor(v))
                throw DatasetError(name, 0,
                                   "counter value " + std::to_string(v) + " is not a whole number");
            raw.counter[r] = static_cast<std::int64_t>(v);
        }
    } else {
        raw.counter = CounterVector::LinSpaced(n, 0, n - 1);
    }
    std::vector<std::size_t> kept;
    for (std::size_t c = 0; c < declared; ++c) {
        const Role r = layout.columns[c].role;
        if (r != Role::kSkip && r != Role::kTime && r != Role::kCounter)
            kept.push_back(c);
    }
    raw.values.resize(n, static_cast<Eigen::Index>(kept.size()));
    for (std::size_t k = 0; k < kept.size(); ++k) {
        const auto& col = layout.columns[kept[k]];
        for (Eigen::Index r = 0; r < n; ++r)
            raw.values(r, static_cast<Eigen::Index>(k)) =
                cols[kept[k]][static_cast<std::size_t>(r)];
        const bool force = col.role == Role::kFx || col.role == Role::kFy || col.role == Role::kFz;
        const bool moment = col.role == Role::kMx || col.role == Role::kMy || col.role == Role::kMz;
        raw.channels.push_back(
            Channel{col.name, force ? "N" : (moment ? "N.m" : "m"), col.to_si, 0.0});
    }

    const auto fx = find(Role::kFx), fy = find(Role::kFy), fz = find(Role::kFz);
    const auto mx = find(Role::kMx), my = find(Role::kMy), mz = find(Role::kMz);
    const auto cx = find(Role::kCopX), cy = find(Role::kCopY);
    const bool forces = fx && fy && fz;
    const bool moments = mx && my && mz;
    if (!(cx && cy) && !(forces && moments)) {
        throw DatasetError(name, 0,
                           "declares no COP: declare copx and copy, or all of fx, fy, fz, mx, "
                           "my, mz");
    }
    const PlateAxes axes = options.axes.value_or(PlateAxes{});
    ForcePlateSignals fp;
    fp.time_s = raw.time_s;
    analysis::Signal3 force(forces ? n : 0, 3), moment(moments && forces ? n : 0, 3);
    if (forces) {
        force << si(*fx), si(*fy), si(*fz);
        if (moments)
            moment << si(*mx), si(*my), si(*mz);
    }
    try {
        axes.apply(force, moment);
        if (cx && cy) {
            analysis::Signal2 cop(n, 2);
            cop << si(*cx), si(*cy);
            fp.cop_m = axes.applyToPlane(cop);
            fp.source = "copx/copy columns of the source file, plate axes " + axes.toString();
        } else {
            fp.cop_m = analysis::copFromForcePlate(force, moment, {}).xy_m;
            fp.source = "computed from forces and moments (NaN where Fz < 20 N), plate axes " +
                        axes.toString();
        }
    } catch (const std::invalid_argument& e) {
        throw DatasetError(name, 0, e.what());
    }
    fp.force_n = std::move(force);
    fp.moment_nm = std::move(moment);
    fp.cop_origin = "source plate origin";
    packDecimalText(raw);  // whole decimals as int32 when every value has at most 9 of them
    out.trial.raw.push_back(std::move(raw));
    out.trial.forceplate = std::move(fp);
    return out;
}

}  // namespace stance::datasets::import_detail
