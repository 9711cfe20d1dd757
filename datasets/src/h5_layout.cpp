#include "h5_layout.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#ifndef STANCE_VERSION
#error "STANCE_VERSION must be defined by the build (the project version)"
#endif

namespace stance::datasets::h5 {

namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <class M>
std::vector<double> toRowMajor(const M& m) {
    std::vector<double> v(static_cast<std::size_t>(m.rows() * m.cols()));
    if (!v.empty())
        Eigen::Map<RowMajor>(v.data(), m.rows(), m.cols()) = m;
    return v;
}

Eigen::MatrixXd fromRowMajor(const std::vector<double>& v, std::size_t rows, std::size_t cols) {
    if (rows == 0 || cols == 0)
        return Eigen::MatrixXd(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    return Eigen::Map<const RowMajor>(v.data(), static_cast<Eigen::Index>(rows),
                                      static_cast<Eigen::Index>(cols));
}

bool isFixed(std::string_view name, const auto& fixed) {
    return std::find(fixed.begin(), fixed.end(), name) != fixed.end();
}

void writeExtras(hid_t group, const Attributes& extra, const auto& fixed, const Where& where) {
    for (const auto& [key, value] : extra) {
        if (isFixed(key, fixed))
            fail(where, "extra attribute '" + key + "' collides with a fixed attribute");
        if (key.empty())
            fail(where, "an extra attribute has an empty name");
        writeAttr(group, key, value, where);
    }
}

Attributes readExtras(hid_t group, const auto& fixed, const Where& where) {
    Attributes out;
    for (const auto& name : attrNames(group, where)) {
        if (isFixed(name, fixed))
            continue;
        if (auto v = readAnyAttr(group, name, where))
            out.emplace(name, std::move(*v));
    }
    return out;
}

std::string strAttr(hid_t obj, const std::string& name, const Where& where) {
    return readStringAttr(obj, name, where).value_or("");
}

Where sub(const Where& where, const std::string& name) {
    return Where{where.file, join(where.path, name)};
}

void writeGapsDataset(hid_t group, const std::vector<Gap>& gaps, const Storage& storage,
                      const Where& where) {
    std::vector<double> v;
    v.reserve(gaps.size() * 2);
    for (const Gap& g : gaps) {
        if (!(std::isfinite(g.start_s) && std::isfinite(g.end_s) && g.end_s > g.start_s))
            fail(sub(where, "gaps"), "a gap must have finite start < end");
        v.push_back(g.start_s);
        v.push_back(g.end_s);
    }
    Hid ds = writeSignal(group, "gaps", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), gaps.size(), 2,
                         storage, where);
    describe(ds.get(), {"s", "s"}, kGapColumns, "none", sub(where, "gaps"));
}

std::vector<Gap> readGapsDataset(hid_t group, const Where& where, bool live_cut) {
    std::vector<Gap> gaps;
    if (!hasLink(group, "gaps"))
        return gaps;
    Hid ds = openDataset(group, "gaps", where);
    const Where w = sub(where, "gaps");
    const DataShape s = dataShape(ds.get(), w);
    if (s.rank != 2 || s.cols != 2)
        fail(w, "must be K x 2");
    const auto v = readDoubles(ds.get(), w);
    for (std::size_t i = 0; i < s.rows; ++i) {
        const Gap g{v[2 * i], v[2 * i + 1]};
        if (live_cut && !(std::isfinite(g.start_s) && std::isfinite(g.end_s)))
            break;
        gaps.push_back(g);
    }
    return gaps;
}

void writeTime(hid_t group, const Eigen::VectorXd& t, const Storage& storage, const Where& where) {
    for (Eigen::Index i = 0; i < t.size(); ++i) {
        if (!std::isfinite(t[i]))
            fail(sub(where, "time"), "time at row " + std::to_string(i) + " is not finite");
    }
    Hid ds = writeSignal(group, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, t.data(),
                         static_cast<std::size_t>(t.size()), 0, storage, where);
    describe(ds.get(), {"s"}, {"time"}, "none", sub(where, "time"));
}

// Rows of a group's signals: the length of `time`, or with live_cut the count of its leading
// finite values.
std::size_t readTimeInto(hid_t group, Eigen::VectorXd& t, const Where& where, bool live_cut) {
    Hid ds = openDataset(group, "time", where);
    const Where w = sub(where, "time");
    const DataShape s = dataShape(ds.get(), w);
    if (s.rank != 1)
        fail(w, "must be one-dimensional (N)");
    auto v = readDoubles(ds.get(), w);
    std::size_t n = v.size();
    if (live_cut) {
        n = 0;
        while (n < v.size() && std::isfinite(v[n]))
            ++n;
    }
    t = Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(n));
    return n;
}

Eigen::MatrixXd readMatrix(hid_t group, const std::string& name, std::size_t cols, std::size_t rows,
                           const Where& where, bool live_cut) {
    Hid ds = openDataset(group, name, where);
    const Where w = sub(where, name);
    const DataShape s = dataShape(ds.get(), w);
    if (s.rank != 2 || (cols != 0 && s.cols != cols)) {
        fail(w, "has shape " + std::to_string(s.rows) + " x " + std::to_string(s.cols) +
                    (cols != 0 ? ", expected N x " + std::to_string(cols) : ""));
    }
    if (live_cut ? s.rows < rows : s.rows != rows) {
        fail(w, "has " + std::to_string(s.rows) + " rows but time has " + std::to_string(rows));
    }
    return fromRowMajor(readDoubles(ds.get(), w, rows), rows, s.cols);
}

template <int C>
void writeFixed(hid_t group, const std::string& name,
                const Eigen::Matrix<double, Eigen::Dynamic, C>& m, Eigen::Index rows,
                const std::vector<std::string>& units, const std::vector<std::string>& columns,
                std::string_view frame, const Storage& storage, const Where& where) {
    if (m.rows() != rows) {
        fail(sub(where, name),
             "has " + std::to_string(m.rows()) + " rows but time has " + std::to_string(rows));
    }
    const auto v = toRowMajor(m);
    Hid ds = writeSignal(group, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(),
                         static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols()),
                         storage, where);
    describe(ds.get(), units, columns, frame, sub(where, name));
}

void writeRaw(hid_t raw_group, const RawSignal& r, const Storage& storage, const Where& where) {
    if (const auto bad = checkGroupName("raw device id", r.device); !bad.empty())
        fail(where, bad);
    Hid g = createGroup(raw_group, r.device, where);
    const Where w = sub(where, r.device);
    const auto n = r.time_s.size();
    const auto c = static_cast<std::size_t>(r.values.cols());
    if (r.channels.size() != c) {
        fail(sub(w, "data"), "has " + std::to_string(c) + " columns but " +
                                 std::to_string(r.channels.size()) + " channels are described");
    }
    if (r.values.rows() != n)
        fail(sub(w, "data"),
             "has " + std::to_string(r.values.rows()) + " rows but time has " + std::to_string(n));
    if (r.counter.size() != 0 && r.counter.size() != n)
        fail(sub(w, "counter"), "has " + std::to_string(r.counter.size()) +
                                    " values but time has " + std::to_string(n));
    if (r.stored_type == RawType::kInt32 || r.stored_type == RawType::kInt16) {
        const double lo = r.stored_type == RawType::kInt32 ? -2147483648.0 : -32768.0;
        const double hi = r.stored_type == RawType::kInt32 ? 2147483647.0 : 32767.0;
        for (Eigen::Index i = 0; i < r.values.size(); ++i) {
            const double v = r.values.data()[i];
            if (!(v == std::round(v) && v >= lo && v <= hi))
                fail(sub(w, "data"), "value " + std::to_string(v) + " does not fit " +
                                         std::string(rawTypeName(r.stored_type)));
        }
    }
    const auto v = toRowMajor(r.values);
    Hid data = writeSignal(g.get(), "data", rawFileType(r.stored_type), H5T_NATIVE_DOUBLE, v.data(),
                           static_cast<std::size_t>(n), c, storage, w);
    std::vector<std::string> names, units;
    std::vector<double> scale, offset;
    for (const Channel& ch : r.channels) {
        names.push_back(ch.name);
        units.push_back(ch.unit);
        scale.push_back(ch.scale);
        offset.push_back(ch.offset);
    }
    describe(data.get(), units, names, r.frame, sub(w, "data"));
    writeAttr(data.get(), "scale", scale, sub(w, "data"));
    writeAttr(data.get(), "offset", offset, sub(w, "data"));
    writeTime(g.get(), r.time_s, storage, w);
    CounterVector counter = r.counter;
    if (counter.size() == 0 && n > 0)
        counter = CounterVector::LinSpaced(n, 0, n - 1);
    Hid cds = writeSignal(g.get(), "counter", H5T_STD_I64LE, H5T_NATIVE_INT64, counter.data(),
                          static_cast<std::size_t>(n), 0, storage, w);
    describe(cds.get(), {"1"}, {"counter"}, "none", sub(w, "counter"));
    writeGapsDataset(g.get(), r.gaps, storage, w);
}

RawSignal readRaw(hid_t raw_group, const std::string& device, const Where& where, bool live_cut) {
    Hid g = openGroup(raw_group, device, where);
    const Where w = sub(where, device);
    RawSignal r;
    r.device = device;
    const std::size_t n = readTimeInto(g.get(), r.time_s, w, live_cut);
    Hid data = openDataset(g.get(), "data", w);
    const Where dw = sub(w, "data");
    Hid type = check(H5Dget_type(data.get()), H5Tclose, dw, "cannot read the type");
    r.stored_type = rawTypeOf(type.get());
    r.values = readMatrix(g.get(), "data", 0, n, w, live_cut);
    const auto c = static_cast<std::size_t>(r.values.cols());
    const auto names =
        readStringsAttr(data.get(), "columns", dw).value_or(std::vector<std::string>(c));
    const auto units =
        readStringsAttr(data.get(), "units", dw).value_or(std::vector<std::string>(c));
    const auto scale =
        readNumbersAttr(data.get(), "scale", dw).value_or(std::vector<double>(c, 1.0));
    const auto offset =
        readNumbersAttr(data.get(), "offset", dw).value_or(std::vector<double>(c, 0.0));
    if (names.size() != c || units.size() != c || scale.size() != c || offset.size() != c)
        fail(dw, "columns, units, scale and offset must each have one entry per column (" +
                     std::to_string(c) + ")");
    for (std::size_t i = 0; i < c; ++i)
        r.channels.push_back(Channel{names[i], units[i], scale[i], offset[i]});
    r.frame = strAttr(data.get(), "frame", dw);
    if (hasLink(g.get(), "counter")) {
        Hid cds = openDataset(g.get(), "counter", w);
        const auto cv = readInt64s(cds.get(), sub(w, "counter"), n);
        if (cv.size() != n)
            fail(sub(w, "counter"),
                 "has " + std::to_string(cv.size()) + " values but time has " + std::to_string(n));
        r.counter = Eigen::Map<const CounterVector>(cv.data(), static_cast<Eigen::Index>(n));
    }
    r.gaps = readGapsDataset(g.get(), w, live_cut);
    return r;
}

void writeForcePlate(hid_t trial, const ForcePlateSignals& fp, const Storage& storage,
                     const Where& where) {
    Hid g = createGroup(trial, "forceplate", where);
    const Where w = sub(where, "forceplate");
    writeAttr(g.get(), "frame", std::string_view("plate"), w);
    writeAttr(g.get(), "cop_origin", std::string_view(fp.cop_origin), w);
    writeAttr(g.get(), "source", std::string_view(fp.source), w);
    const auto n = fp.time_s.size();
    writeTime(g.get(), fp.time_s, storage, w);
    if (fp.force_n.rows() != 0 || fp.moment_nm.rows() != 0) {
        writeFixed<3>(g.get(), "force", fp.force_n, n, {"N", "N", "N"}, kXyzColumns, "plate",
                      storage, w);
    }
    if (fp.moment_nm.rows() != 0) {
        writeFixed<3>(g.get(), "moment", fp.moment_nm, n, {"N.m", "N.m", "N.m"}, kXyzColumns,
                      "plate", storage, w);
    }
    writeFixed<2>(g.get(), "cop", fp.cop_m, n, {"m", "m"}, kCopColumns, "plate", storage, w);
    writeGapsDataset(g.get(), fp.gaps, storage, w);
}

void writeImu(hid_t imu_group, const ImuSignals& s, const Storage& storage, const Where& where) {
    if (const auto bad = checkGroupName("IMU sensor id", s.sensor); !bad.empty())
        fail(where, bad);
    Hid g = createGroup(imu_group, s.sensor, where);
    const Where w = sub(where, s.sensor);
    const auto n = s.time_s.size();
    writeTime(g.get(), s.time_s, storage, w);
    writeFixed<3>(g.get(), "acc", s.acc_mps2, n, {"m/s^2", "m/s^2", "m/s^2"}, kSensorColumns,
                  s.frame, storage, w);
    writeFixed<3>(g.get(), "gyro", s.gyro_radps, n, {"rad/s", "rad/s", "rad/s"}, kSensorColumns,
                  s.frame, storage, w);
    if (s.quat_wxyz.rows() != 0) {
        writeFixed<4>(g.get(), "quat", s.quat_wxyz, n, {"1", "1", "1", "1"}, kQuatColumns,
                      "sensor_to_world", storage, w);
    }
    writeGapsDataset(g.get(), s.gaps, storage, w);
}

ImuSignals readImu(hid_t imu_group, const std::string& sensor, const Where& where, bool live_cut) {
    Hid g = openGroup(imu_group, sensor, where);
    const Where w = sub(where, sensor);
    ImuSignals s;
    s.sensor = sensor;
    const std::size_t n = readTimeInto(g.get(), s.time_s, w, live_cut);
    s.acc_mps2 = readMatrix(g.get(), "acc", 3, n, w, live_cut);
    s.gyro_radps = readMatrix(g.get(), "gyro", 3, n, w, live_cut);
    if (hasLink(g.get(), "quat"))
        s.quat_wxyz = readMatrix(g.get(), "quat", 4, n, w, live_cut);
    {
        Hid acc = openDataset(g.get(), "acc", w);
        s.frame = strAttr(acc.get(), "frame", sub(w, "acc"));
    }
    s.gaps = readGapsDataset(g.get(), w, live_cut);
    return s;
}

void writeDerived(hid_t group, const DerivedSignal& d, const Storage& storage, const Where& where) {
    if (const auto bad = checkGroupName("derived signal name", d.name); !bad.empty())
        fail(where, bad);
    const Where w = sub(where, d.name);
    const auto c = static_cast<std::size_t>(d.values.cols());
    if (d.columns.size() != c || d.units.size() != c)
        fail(w, "needs one column name and one unit per column (" + std::to_string(c) + ")");
    const auto v = toRowMajor(d.values);
    Hid ds = writeSignal(group, d.name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(),
                         static_cast<std::size_t>(d.values.rows()), c, storage, where);
    describe(ds.get(), d.units, d.columns, d.frame, w);
    writeAttr(ds.get(), "sample_rate_hz", d.sample_rate_hz, w);
    writeAttr(ds.get(), "start_time_s", d.start_time_s, w);
    writeAttr(ds.get(), "algorithm", std::string_view(d.algorithm), w);
    writeAttr(ds.get(), "algorithm_version", std::string_view(d.algorithm_version), w);
    for (const auto& [key, value] : d.parameters)
        writeAttr(ds.get(), "param_" + key, value, w);
}

DerivedSignal readDerived(hid_t group, const std::string& name, const Where& where) {
    Hid ds = openDataset(group, name, where);
    const Where w = sub(where, name);
    DerivedSignal d;
    d.name = name;
    const DataShape s = dataShape(ds.get(), w);
    if (s.rank != 2)
        fail(w, "must be two-dimensional (N x C)");
    d.values = fromRowMajor(readDoubles(ds.get(), w), s.rows, s.cols);
    d.columns = readStringsAttr(ds.get(), "columns", w).value_or(std::vector<std::string>{});
    d.units = readStringsAttr(ds.get(), "units", w).value_or(std::vector<std::string>{});
    d.frame = strAttr(ds.get(), "frame", w);
    d.sample_rate_hz = readNumberAttr(ds.get(), "sample_rate_hz", w).value_or(0.0);
    d.start_time_s = readNumberAttr(ds.get(), "start_time_s", w).value_or(0.0);
    d.algorithm = strAttr(ds.get(), "algorithm", w);
    d.algorithm_version = strAttr(ds.get(), "algorithm_version", w);
    for (const auto& a : attrNames(ds.get(), w)) {
        if (a.rfind("param_", 0) == 0) {
            if (auto v = readAnyAttr(ds.get(), a, w))
                d.parameters.emplace(a.substr(6), std::move(*v));
        }
    }
    return d;
}

}  // namespace

std::string sessionGroupName(const std::string& start_utc) {
    return start_utc.empty() ? "undated" : start_utc;
}

hid_t rawFileType(RawType t) {
    switch (t) {
        case RawType::kFloat64:
            return H5T_IEEE_F64LE;
        case RawType::kFloat32:
            return H5T_IEEE_F32LE;
        case RawType::kInt32:
            return H5T_STD_I32LE;
        case RawType::kInt16:
            return H5T_STD_I16LE;
    }
    return H5T_IEEE_F64LE;
}

RawType rawTypeOf(hid_t type) {
    const H5T_class_t c = H5Tget_class(type);
    const std::size_t size = H5Tget_size(type);
    if (c == H5T_INTEGER)
        return size <= 2 ? RawType::kInt16 : RawType::kInt32;
    if (c == H5T_FLOAT && size == 4)
        return RawType::kFloat32;
    return RawType::kFloat64;
}

void writeRootAttributes(hid_t file, const std::string& software, const Where& where) {
    writeAttr(file, "format", kH5FormatName, where);
    writeAttr(file, "format_version", std::int64_t{kH5FormatVersion}, where);
    writeAttr(file, "created_utc", std::string_view(utcNowIso()), where);
    writeAttr(file, "software", std::string_view(software), where);
    writeAttr(file, "software_version", std::string_view(STANCE_VERSION), where);
}

FileInfo readRootAttributes(hid_t file, const Where& where) {
    FileInfo info;
    const auto format = readStringAttr(file, "format", where);
    if (!format) {
        throw DatasetError(where.file, 0,
                           "not a stance-hdf5 file: the root has no 'format' attribute");
    }
    if (*format != kH5FormatName) {
        throw DatasetError(where.file, 0,
                           "not a stance-hdf5 file: root attribute format is '" + *format +
                               "', expected '" + std::string(kH5FormatName) + "'");
    }
    info.format = *format;
    const auto version = readNumberAttr(file, "format_version", where);
    if (!version || *version != std::floor(*version)) {
        throw DatasetError(where.file, 0,
                           "root attribute format_version is missing or not an integer");
    }
    if (*version > kH5FormatVersion) {
        throw DatasetError(where.file, 0,
                           "format_version " + std::to_string(static_cast<long long>(*version)) +
                               " is newer than the newest this software reads (" +
                               std::to_string(kH5FormatVersion) +
                               "); use a newer stance to read it");
    }
    if (*version < 1) {
        throw DatasetError(where.file, 0,
                           "format_version " + std::to_string(static_cast<long long>(*version)) +
                               " is not a valid version (versions start at 1)");
    }
    info.format_version = static_cast<int>(*version);
    info.created_utc = strAttr(file, "created_utc", where);
    info.software = strAttr(file, "software", where);
    info.software_version = strAttr(file, "software_version", where);
    return info;
}

void writeSubjectAttributes(hid_t group, const SubjectInfo& s, const Where& where) {
    writeAttr(group, "id", std::string_view(s.id), where);
    writeAttr(group, "sex", sexName(s.sex), where);
    if (s.birth_year)
        writeAttr(group, "birth_year", std::int64_t{*s.birth_year}, where);
    if (s.age_years)
        writeAttr(group, "age_years", *s.age_years, where);
    if (s.height_m)
        writeAttr(group, "height_m", *s.height_m, where);
    if (s.mass_kg)
        writeAttr(group, "mass_kg", *s.mass_kg, where);
    writeExtras(group, s.extra, kSubjectAttrs, where);
}

SubjectInfo readSubjectAttributes(hid_t group, const std::string& id, const Where& where) {
    SubjectInfo s;
    s.id = id;
    const std::string sex = strAttr(group, "sex", where);
    s.sex = parseSex(sex).value_or(Sex::kUnknown);
    if (auto v = readIntAttr(group, "birth_year", where))
        s.birth_year = static_cast<int>(*v);
    s.age_years = readNumberAttr(group, "age_years", where);
    s.height_m = readNumberAttr(group, "height_m", where);
    s.mass_kg = readNumberAttr(group, "mass_kg", where);
    s.extra = readExtras(group, kSubjectAttrs, where);
    return s;
}

void writeSessionAttributes(hid_t group, const SessionInfo& s, const Where& where) {
    writeAttr(group, "start_utc", std::string_view(s.start_utc), where);
    writeAttr(group, "site", std::string_view(s.site), where);
    writeAttr(group, "operator", std::string_view(s.operator_id), where);
    writeAttr(group, "protocol", std::string_view(s.protocol), where);
    writeAttr(group, "protocol_version", std::string_view(s.protocol_version), where);
    writeExtras(group, s.extra, kSessionAttrs, where);
}

SessionInfo readSessionAttributes(hid_t group, const Where& where) {
    SessionInfo s;
    s.start_utc = strAttr(group, "start_utc", where);
    s.site = strAttr(group, "site", where);
    s.operator_id = strAttr(group, "operator", where);
    s.protocol = strAttr(group, "protocol", where);
    s.protocol_version = strAttr(group, "protocol_version", where);
    s.extra = readExtras(group, kSessionAttrs, where);
    return s;
}

void writeTrialAttributes(hid_t group, const TrialInfo& t, const Where& where) {
    writeAttr(group, "condition", std::string_view(t.condition), where);
    if (t.planned_duration_s)
        writeAttr(group, "planned_duration_s", *t.planned_duration_s, where);
    writeAttr(group, "status", trialStatusName(t.status), where);
    writeAttr(group, "t0_utc", std::string_view(t.t0_utc), where);
    writeAttr(group, "source_id", std::string_view(t.source_id), where);
    writeAttr(group, "source_format", std::string_view(t.source_format), where);
    writeExtras(group, t.extra, kTrialAttrs, where);
}

TrialInfo readTrialAttributes(hid_t group, const Where& where) {
    TrialInfo t;
    t.condition = strAttr(group, "condition", where);
    t.planned_duration_s = readNumberAttr(group, "planned_duration_s", where);
    const std::string status = strAttr(group, "status", where);
    const auto parsed = parseTrialStatus(status);
    if (!parsed)
        fail(where,
             "attribute status is '" + status + "', expected complete, aborted, fall or recording");
    t.status = *parsed;
    t.t0_utc = strAttr(group, "t0_utc", where);
    t.source_id = strAttr(group, "source_id", where);
    t.source_format = strAttr(group, "source_format", where);
    t.extra = readExtras(group, kTrialAttrs, where);
    return t;
}

void writeDevice(hid_t devices_group, const DeviceInfo& d, const Where& where) {
    if (const auto bad = checkGroupName("device id", d.id); !bad.empty())
        fail(where, bad);
    Hid g = createGroup(devices_group, d.id, where);
    const Where w = sub(where, d.id);
    writeAttr(g.get(), "kind", std::string_view(d.kind), w);
    writeAttr(g.get(), "make", std::string_view(d.make), w);
    writeAttr(g.get(), "model", std::string_view(d.model), w);
    writeAttr(g.get(), "serial", std::string_view(d.serial), w);
    writeAttr(g.get(), "firmware", std::string_view(d.firmware), w);
    writeAttr(g.get(), "rate_hz", d.rate_hz, w);
    writeExtras(g.get(), d.extra, kDeviceAttrs, w);
    if (d.calibration.size() != 0) {
        const auto c = static_cast<std::size_t>(d.calibration.cols());
        if (d.calibration_units.size() != c)
            fail(sub(w, "calibration"), "needs one unit per column (" + std::to_string(c) + ")");
        const auto v = toRowMajor(d.calibration);
        Storage st;
        Hid ds = writeSignal(g.get(), "calibration", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(),
                             static_cast<std::size_t>(d.calibration.rows()), c, st, w);
        std::vector<std::string> cols;
        for (std::size_t i = 0; i < c; ++i)
            cols.push_back("c" + std::to_string(i));
        describe(ds.get(), d.calibration_units, cols, "device", sub(w, "calibration"));
    }
}

DeviceInfo readDevice(hid_t devices_group, const std::string& id, const Where& where) {
    Hid g = openGroup(devices_group, id, where);
    const Where w = sub(where, id);
    DeviceInfo d;
    d.id = id;
    d.kind = strAttr(g.get(), "kind", w);
    d.make = strAttr(g.get(), "make", w);
    d.model = strAttr(g.get(), "model", w);
    d.serial = strAttr(g.get(), "serial", w);
    d.firmware = strAttr(g.get(), "firmware", w);
    d.rate_hz = readNumberAttr(g.get(), "rate_hz", w).value_or(0.0);
    d.extra = readExtras(g.get(), kDeviceAttrs, w);
    if (hasLink(g.get(), "calibration")) {
        Hid ds = openDataset(g.get(), "calibration", w);
        const Where cw = sub(w, "calibration");
        const DataShape s = dataShape(ds.get(), cw);
        if (s.rank != 2)
            fail(cw, "must be two-dimensional");
        d.calibration = fromRowMajor(readDoubles(ds.get(), cw), s.rows, s.cols);
        d.calibration_units =
            readStringsAttr(ds.get(), "units", cw).value_or(std::vector<std::string>{});
    }
    return d;
}

void describe(hid_t dataset, const std::vector<std::string>& units,
              const std::vector<std::string>& columns, std::string_view frame, const Where& where) {
    writeAttr(dataset, "units", units, where);
    writeAttr(dataset, "columns", columns, where);
    writeAttr(dataset, "frame", frame, where);
}

void writeTrialContent(hid_t trial_group, const TrialData& trial, const Storage& storage,
                       const Where& where) {
    if (!trial.raw.empty()) {
        Hid raw = createGroup(trial_group, "raw", where);
        for (const RawSignal& r : trial.raw)
            writeRaw(raw.get(), r, storage, sub(where, "raw"));
    }
    if (trial.forceplate)
        writeForcePlate(trial_group, *trial.forceplate, storage, where);
    if (!trial.imu.empty()) {
        Hid imu = createGroup(trial_group, "imu", where);
        for (const ImuSignals& s : trial.imu)
            writeImu(imu.get(), s, storage, sub(where, "imu"));
    }
    if (!trial.derived.empty()) {
        Hid g = createGroup(trial_group, "derived", where);
        for (const DerivedSignal& d : trial.derived)
            writeDerived(g.get(), d, storage, sub(where, "derived"));
    }
    if (!trial.metrics.empty()) {
        Hid g = createGroup(trial_group, "metrics", where);
        const Where w = sub(where, "metrics");
        for (const Metric& m : trial.metrics) {
            if (const auto bad = checkGroupName("metric name", m.name); !bad.empty())
                fail(w, bad);
            Hid ds = writeScalar(g.get(), m.name, m.value, w);
            const Where mw = sub(w, m.name);
            describe(ds.get(), {m.unit}, {m.name}, "none", mw);
            writeAttr(ds.get(), "algorithm", std::string_view(m.algorithm), mw);
            writeAttr(ds.get(), "algorithm_version", std::string_view(m.algorithm_version), mw);
        }
    }
    if (!trial.events.empty()) {
        Hid g = createGroup(trial_group, "events", where);
        const Where w = sub(where, "events");
        Eigen::VectorXd t(static_cast<Eigen::Index>(trial.events.size()));
        std::vector<std::string> labels;
        for (std::size_t i = 0; i < trial.events.size(); ++i) {
            t[static_cast<Eigen::Index>(i)] = trial.events[i].time_s;
            labels.push_back(trial.events[i].label);
        }
        writeTime(g.get(), t, storage, w);
        Hid ds = writeStrings(g.get(), "label", labels, storage, w);
        describe(ds.get(), {"1"}, {"label"}, "none", sub(w, "label"));
    }
}

ForcePlateSignals readForcePlateGroup(hid_t g, const Where& w, bool live_cut) {
    ForcePlateSignals fp;
    const std::size_t n = readTimeInto(g, fp.time_s, w, live_cut);
    if (hasLink(g, "force"))
        fp.force_n = readMatrix(g, "force", 3, n, w, live_cut);
    if (hasLink(g, "moment"))
        fp.moment_nm = readMatrix(g, "moment", 3, n, w, live_cut);
    fp.cop_m = readMatrix(g, "cop", 2, n, w, live_cut);
    fp.gaps = readGapsDataset(g, w, live_cut);
    fp.cop_origin = strAttr(g, "cop_origin", w);
    fp.source = strAttr(g, "source", w);
    return fp;
}

namespace {

/// A live file's forceplate is written row for row with the raw stream it is computed from, but
/// each signal commits its rows by its own `time`: a recorder killed between the two commits
/// leaves one a block longer than the other. Both are cut to the rows they share, so that a
/// recovered trial never holds forces without their raw counts or the reverse.
void alignForcePlateWithSource(TrialData& t) {
    ForcePlateSignals& fp = *t.forceplate;
    constexpr std::string_view kRaw = "raw/";
    if (fp.source.rfind(kRaw, 0) != 0)
        return;
    const std::string device = fp.source.substr(kRaw.size());
    for (RawSignal& raw : t.raw) {
        if (raw.device != device)
            continue;
        const Eigen::Index n = std::min(raw.time_s.size(), fp.time_s.size());
        if (n == 0 || raw.time_s[0] != fp.time_s[0] || raw.time_s[n - 1] != fp.time_s[n - 1])
            return;  // not row for row: each keeps its own committed rows
        if (raw.time_s.size() > n) {
            raw.time_s.conservativeResize(n);
            raw.values.conservativeResize(n, Eigen::NoChange);
            raw.counter.conservativeResize(n);
        }
        if (fp.time_s.size() > n) {
            fp.time_s.conservativeResize(n);
            if (fp.force_n.rows() > n)
                fp.force_n.conservativeResize(n, Eigen::NoChange);
            if (fp.moment_nm.rows() > n)
                fp.moment_nm.conservativeResize(n, Eigen::NoChange);
            fp.cop_m.conservativeResize(n, Eigen::NoChange);
        }
        return;
    }
}

}  // namespace

TrialData readTrialContent(hid_t trial_group, const Where& where, bool live_cut) {
    TrialData t;
    t.info = readTrialAttributes(trial_group, where);
    if (hasLink(trial_group, "raw")) {
        Hid raw = openGroup(trial_group, "raw", where);
        const Where w = sub(where, "raw");
        for (const auto& name : children(raw.get(), w))
            t.raw.push_back(readRaw(raw.get(), name, w, live_cut));
    }
    if (hasLink(trial_group, "forceplate")) {
        Hid g = openGroup(trial_group, "forceplate", where);
        t.forceplate = readForcePlateGroup(g.get(), sub(where, "forceplate"), live_cut);
    }
    if (live_cut && t.forceplate)
        alignForcePlateWithSource(t);
    if (hasLink(trial_group, "imu")) {
        Hid imu = openGroup(trial_group, "imu", where);
        const Where w = sub(where, "imu");
        for (const auto& name : children(imu.get(), w))
            t.imu.push_back(readImu(imu.get(), name, w, live_cut));
    }
    if (hasLink(trial_group, "derived")) {
        Hid g = openGroup(trial_group, "derived", where);
        const Where w = sub(where, "derived");
        for (const auto& name : children(g.get(), w))
            t.derived.push_back(readDerived(g.get(), name, w));
    }
    if (hasLink(trial_group, "metrics")) {
        Hid g = openGroup(trial_group, "metrics", where);
        const Where w = sub(where, "metrics");
        for (const auto& name : children(g.get(), w)) {
            Hid ds = openDataset(g.get(), name, w);
            const Where mw = sub(w, name);
            Metric m;
            m.name = name;
            const auto v = readDoubles(ds.get(), mw);
            if (v.size() != 1)
                fail(mw, "must hold one value");
            m.value = v[0];
            const auto units =
                readStringsAttr(ds.get(), "units", mw).value_or(std::vector<std::string>{""});
            m.unit = units.empty() ? "" : units[0];
            m.algorithm = strAttr(ds.get(), "algorithm", mw);
            m.algorithm_version = strAttr(ds.get(), "algorithm_version", mw);
            t.metrics.push_back(std::move(m));
        }
    }
    if (hasLink(trial_group, "events")) {
        Hid g = openGroup(trial_group, "events", where);
        const Where w = sub(where, "events");
        Eigen::VectorXd time;
        const std::size_t n = readTimeInto(g.get(), time, w, live_cut);
        Hid ds = openDataset(g.get(), "label", w);
        const auto labels = readStrings(ds.get(), sub(w, "label"), n);
        if (labels.size() != n)
            fail(sub(w, "label"), "has " + std::to_string(labels.size()) + " labels but time has " +
                                      std::to_string(n));
        for (std::size_t i = 0; i < n; ++i)
            t.events.push_back(Event{time[static_cast<Eigen::Index>(i)], labels[i]});
    }
    return t;
}

}  // namespace stance::datasets::h5
