#include "stance/datasets/h5_stream.hpp"

#include <algorithm>
#include <cstring>

#include "h5_file.hpp"
#include "h5_handle.hpp"
#include "h5_layout.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/h5_writer.hpp"

namespace stance::datasets {

using h5::Hid;
using h5::Where;

namespace {

constexpr std::size_t kLiveLabelBytes = 64;

/// One dataset of a live signal and the rows waiting for it.
struct Column {
    Hid ds;
    std::size_t cols = 0;  ///< 0 for a 1-D dataset
    hid_t mem_type = H5T_NATIVE_DOUBLE;
    std::vector<double> doubles;
    std::vector<std::int64_t> ints;
    std::vector<char> bytes;  ///< fixed-size strings
    Where where;

    std::size_t width() const { return std::max<std::size_t>(1, cols); }
    std::size_t pendingRows() const {
        if (mem_type == H5T_NATIVE_INT64)
            return ints.size() / width();
        if (!bytes.empty())
            return bytes.size() / kLiveLabelBytes;
        return doubles.size() / width();
    }
    void write() {
        const std::size_t rows = pendingRows();
        if (rows == 0)
            return;
        const void* p = mem_type == H5T_NATIVE_INT64
                            ? static_cast<const void*>(ints.data())
                            : (!bytes.empty() ? static_cast<const void*>(bytes.data())
                                              : static_cast<const void*>(doubles.data()));
        h5::appendRows(ds.get(), mem_type, p, rows, cols, where);
        doubles.clear();
        ints.clear();
        bytes.clear();
    }
};

/// A group whose datasets share rows, committed by its `time` (NaN fill, written last), and its
/// `gaps` (NaN fill).
struct LiveSignal {
    std::string path;
    std::vector<Column> data;
    Column time;
    Column gaps;
    std::size_t flushed = 0;
    std::size_t pending = 0;
};

template <class M>
void appendRowMajor(std::vector<double>& buf, const M& m) {
    const std::size_t start = buf.size();
    buf.resize(start + static_cast<std::size_t>(m.rows() * m.cols()));
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            buf[start + static_cast<std::size_t>(r * m.cols() + c)] = m(r, c);
    }
}

}  // namespace

struct TrialStreamWriter::Impl {
    std::filesystem::path path;
    std::string name;
    StreamLayout layout;
    Hid file;
    std::vector<LiveSignal> raw;
    std::optional<LiveSignal> forceplate;
    std::vector<LiveSignal> imu;
    std::optional<LiveSignal> events;
    Hid label_type;
    bool closed = false;

    Where at(std::string p) const { return Where{name, std::move(p)}; }

    Column makeColumn(hid_t group, const std::string& group_path, const std::string& ds_name,
                      hid_t file_type, hid_t mem_type, std::size_t cols, bool nan_fill,
                      const std::vector<std::string>& units,
                      const std::vector<std::string>& columns, std::string_view frame) {
        h5::Storage storage;
        storage.chunk_rows = layout.chunk_rows;
        storage.deflate_level = layout.deflate_level;
        if (nan_fill)
            storage.fill = std::numeric_limits<double>::quiet_NaN();
        Column c;
        c.ds = h5::writeSignal(group, ds_name, file_type, mem_type, nullptr, 0, cols, storage,
                               at(group_path));
        c.cols = cols;
        c.mem_type = mem_type;
        c.where = at(h5::join(group_path, ds_name));
        h5::describe(c.ds.get(), units, columns, frame, c.where);
        return c;
    }

    LiveSignal makeSignal(hid_t group, const std::string& group_path) {
        LiveSignal s;
        s.path = group_path;
        s.time = makeColumn(group, group_path, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, true,
                            {"s"}, {"time"}, "none");
        s.gaps = makeColumn(group, group_path, "gaps", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, true,
                            {"s", "s"}, h5::kGapColumns, "none");
        return s;
    }

    void check(bool ok, const std::string& where, const std::string& what) const {
        if (!ok)
            throw DatasetError(name, 0, where + ": " + what);
    }

    void afterAppend(LiveSignal& s, std::size_t n) {
        s.pending += n;
        if (s.pending >= layout.max_buffered_rows)
            flushAll();
    }

    void flushAll() {
        h5::quiet();
        if (closed)
            throw DatasetError(name, 0, "the live file is closed");
        const auto each = [&](auto&& fn) {
            for (auto& s : raw)
                fn(s);
            if (forceplate)
                fn(*forceplate);
            for (auto& s : imu)
                fn(s);
            if (events)
                fn(*events);
        };
        // 1. Every dataset but `time`, and the gaps; then make them durable.
        each([&](LiveSignal& s) {
            for (auto& c : s.data)
                c.write();
            s.gaps.write();
        });
        h5::check(H5Fflush(file.get(), H5F_SCOPE_LOCAL), at("/"), "cannot flush the live file");
        // 2. `time` last: a row counts once its time is on disk (NaN until then).
        each([&](LiveSignal& s) { s.time.write(); });
        h5::check(H5Fflush(file.get(), H5F_SCOPE_LOCAL), at("/"), "cannot flush the live file");
        each([&](LiveSignal& s) {
            s.flushed += s.pending;
            s.pending = 0;
        });
    }
};

TrialStreamWriter::TrialStreamWriter(std::filesystem::path live_path, const StreamLayout& layout)
    : impl_(std::make_unique<Impl>()) {
    h5::quiet();
    Impl& m = *impl_;
    m.path = std::move(live_path);
    m.name = m.path.string();
    m.layout = layout;
    std::error_code ec;
    if (std::filesystem::exists(m.path, ec))
        throw DatasetError(m.name, 0, "already exists; a live file is never overwritten");
    for (const auto& r : layout.raw) {
        const bool known = std::any_of(layout.devices.begin(), layout.devices.end(),
                                       [&](const DeviceInfo& d) { return d.id == r.device; });
        if (!known)
            throw DatasetError(m.name, 0,
                               "raw stream '" + r.device +
                                   "' has no device of that id in the "
                                   "layout");
    }
    if (!layout.session.start_utc.empty() && !isIsoTimestamp(layout.session.start_utc))
        throw DatasetError(m.name, 0,
                           "session start '" + layout.session.start_utc + "' is not ISO 8601");
    Hid fapl = h5::fileAccess(true);
    const hid_t id = H5Fcreate(m.name.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get());
    if (id < 0)
        throw DatasetError(m.name, 0, "cannot create the live file (" + h5::takeErrorStack() + ")");
    m.file = Hid(id, H5Fclose);
    try {
        const hid_t f = m.file.get();
        h5::writeRootAttributes(f, "stance", m.at("/"));
        Hid devices = h5::createGroup(f, "devices", m.at("/"));
        for (const auto& d : layout.devices)
            h5::writeDevice(devices.get(), d, m.at("/devices"));
        Hid subjects = h5::createGroup(f, "subjects", m.at("/"));
        if (const auto bad = checkGroupName("subject id", layout.subject.id); !bad.empty())
            throw DatasetError(m.name, 0, bad);
        const std::string sp = "/subjects/" + layout.subject.id;
        Hid subject = h5::createGroup(subjects.get(), layout.subject.id, m.at("/subjects"));
        h5::writeSubjectAttributes(subject.get(), layout.subject, m.at(sp));
        Hid sessions = h5::createGroup(subject.get(), "sessions", m.at(sp));
        const std::string session_name = h5::sessionGroupName(layout.session.start_utc);
        Hid session = h5::createGroup(sessions.get(), session_name, m.at(sp + "/sessions"));
        const std::string sep = sp + "/sessions/" + session_name;
        h5::writeSessionAttributes(session.get(), layout.session, m.at(sep));
        Hid trials = h5::createGroup(session.get(), "trials", m.at(sep));
        if (const auto bad = checkGroupName("trial name", layout.trial_name); !bad.empty())
            throw DatasetError(m.name, 0, bad);
        Hid trial = h5::createGroup(trials.get(), layout.trial_name, m.at(sep + "/trials"));
        const std::string tp = sep + "/trials/" + layout.trial_name;
        TrialInfo info = layout.trial;
        info.status = TrialStatus::kRecording;
        h5::writeTrialAttributes(trial.get(), info, m.at(tp));

        if (!layout.raw.empty()) {
            Hid raw = h5::createGroup(trial.get(), "raw", m.at(tp));
            for (const auto& spec : layout.raw) {
                if (const auto bad = checkGroupName("raw device id", spec.device); !bad.empty())
                    throw DatasetError(m.name, 0, bad);
                const std::string gp = tp + "/raw/" + spec.device;
                Hid g = h5::createGroup(raw.get(), spec.device, m.at(tp + "/raw"));
                LiveSignal s = m.makeSignal(g.get(), gp);
                std::vector<std::string> names, units;
                std::vector<double> scale, offset;
                for (const auto& ch : spec.channels) {
                    names.push_back(ch.name);
                    units.push_back(ch.unit);
                    scale.push_back(ch.scale);
                    offset.push_back(ch.offset);
                }
                s.data.push_back(m.makeColumn(
                    g.get(), gp, "data", h5::rawFileType(spec.stored_type), H5T_NATIVE_DOUBLE,
                    spec.channels.size(), false, units, names, spec.frame));
                h5::writeAttr(s.data.back().ds.get(), "scale", scale, s.data.back().where);
                h5::writeAttr(s.data.back().ds.get(), "offset", offset, s.data.back().where);
                s.data.push_back(m.makeColumn(g.get(), gp, "counter", H5T_STD_I64LE,
                                              H5T_NATIVE_INT64, 0, false, {"1"}, {"counter"},
                                              "none"));
                m.raw.push_back(std::move(s));
            }
        }
        if (layout.forceplate) {
            const std::string gp = tp + "/forceplate";
            Hid g = h5::createGroup(trial.get(), "forceplate", m.at(tp));
            h5::writeAttr(g.get(), "frame", std::string_view("plate"), m.at(gp));
            h5::writeAttr(g.get(), "cop_origin", std::string_view("plate centre"), m.at(gp));
            h5::writeAttr(g.get(), "source", std::string_view(layout.forceplate_source), m.at(gp));
            LiveSignal s = m.makeSignal(g.get(), gp);
            s.data.push_back(m.makeColumn(g.get(), gp, "force", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                          3, false, {"N", "N", "N"}, h5::kXyzColumns, "plate"));
            s.data.push_back(m.makeColumn(g.get(), gp, "moment", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                          3, false, {"N.m", "N.m", "N.m"}, h5::kXyzColumns,
                                          "plate"));
            s.data.push_back(m.makeColumn(g.get(), gp, "cop", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2,
                                          false, {"m", "m"}, h5::kCopColumns, "plate"));
            m.forceplate = std::move(s);
        }
        if (!layout.imu_sensors.empty()) {
            Hid imu = h5::createGroup(trial.get(), "imu", m.at(tp));
            for (const auto& sensor : layout.imu_sensors) {
                if (const auto bad = checkGroupName("IMU sensor id", sensor); !bad.empty())
                    throw DatasetError(m.name, 0, bad);
                const std::string gp = tp + "/imu/" + sensor;
                Hid g = h5::createGroup(imu.get(), sensor, m.at(tp + "/imu"));
                LiveSignal s = m.makeSignal(g.get(), gp);
                s.data.push_back(m.makeColumn(g.get(), gp, "acc", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                              3, false, {"m/s^2", "m/s^2", "m/s^2"},
                                              h5::kSensorColumns, "sensor"));
                s.data.push_back(
                    m.makeColumn(g.get(), gp, "gyro", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, false,
                                 {"rad/s", "rad/s", "rad/s"}, h5::kSensorColumns, "sensor"));
                s.data.push_back(m.makeColumn(g.get(), gp, "quat", H5T_IEEE_F64LE,
                                              H5T_NATIVE_DOUBLE, 4, false, {"1", "1", "1", "1"},
                                              h5::kQuatColumns, "sensor_to_world"));
                m.imu.push_back(std::move(s));
            }
        }
        {
            const std::string gp = tp + "/events";
            Hid g = h5::createGroup(trial.get(), "events", m.at(tp));
            LiveSignal s;
            s.path = gp;
            s.time = m.makeColumn(g.get(), gp, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, true,
                                  {"s"}, {"time"}, "none");
            // Fixed-size labels: variable-length data cannot be appended safely under SWMR.
            m.label_type = Hid(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(m.label_type.get(), kLiveLabelBytes);
            H5Tset_strpad(m.label_type.get(), H5T_STR_NULLPAD);
            H5Tset_cset(m.label_type.get(), H5T_CSET_UTF8);
            s.data.push_back(m.makeColumn(g.get(), gp, "label", m.label_type.get(),
                                          m.label_type.get(), 0, false, {"1"}, {"label"}, "none"));
            m.events = std::move(s);
        }
        h5::check(H5Fstart_swmr_write(f), m.at("/"), "cannot start SWMR write mode");
    } catch (...) {
        m.raw.clear();
        m.forceplate.reset();
        m.imu.clear();
        m.events.reset();
        m.file.reset();
        std::filesystem::remove(m.path, ec);
        throw;
    }
}

TrialStreamWriter::~TrialStreamWriter() {
    if (impl_ && !impl_->closed) {
        try {
            close();
        } catch (...) {
            // Reported by the next open of the file; a destructor must not throw.
        }
    }
}

TrialStreamWriter::TrialStreamWriter(TrialStreamWriter&&) noexcept = default;
TrialStreamWriter& TrialStreamWriter::operator=(TrialStreamWriter&& o) noexcept {
    if (this != &o) {
        if (impl_ && !impl_->closed) {
            try {
                close();
            } catch (...) {
            }
        }
        impl_ = std::move(o.impl_);
    }
    return *this;
}

const std::filesystem::path& TrialStreamWriter::path() const noexcept {
    return impl_->path;
}

std::size_t TrialStreamWriter::flushedRows() const noexcept {
    std::size_t n = 0;
    for (const auto& s : impl_->raw)
        n += s.flushed;
    if (impl_->forceplate)
        n += impl_->forceplate->flushed;
    for (const auto& s : impl_->imu)
        n += s.flushed;
    return n;
}

void TrialStreamWriter::appendRaw(std::size_t index,
                                  const Eigen::Ref<const Eigen::VectorXd>& time_s,
                                  const Eigen::Ref<const CounterVector>& counter,
                                  const Eigen::Ref<const Eigen::MatrixXd>& values) {
    Impl& m = *impl_;
    m.check(index < m.raw.size(), "raw", "no raw stream " + std::to_string(index));
    LiveSignal& s = m.raw[index];
    const auto n = time_s.size();
    m.check(counter.size() == n, s.path, "counter and time differ in length");
    m.check(values.rows() == n, s.path, "data and time differ in rows");
    m.check(static_cast<std::size_t>(values.cols()) == s.data[0].cols, s.path,
            "data has " + std::to_string(values.cols()) + " columns, the stream " +
                std::to_string(s.data[0].cols));
    m.check(time_s.allFinite(), s.path, "time is not finite");
    appendRowMajor(s.data[0].doubles, values);
    s.data[1].ints.insert(s.data[1].ints.end(), counter.data(), counter.data() + n);
    s.time.doubles.insert(s.time.doubles.end(), time_s.data(), time_s.data() + n);
    m.afterAppend(s, static_cast<std::size_t>(n));
}

namespace {
void pushGap(LiveSignal& s, const Gap& gap, const std::string& file) {
    if (!(std::isfinite(gap.start_s) && std::isfinite(gap.end_s) && gap.end_s > gap.start_s))
        throw DatasetError(file, 0, s.path + "/gaps: a gap needs finite start < end");
    s.gaps.doubles.push_back(gap.start_s);
    s.gaps.doubles.push_back(gap.end_s);
}
}  // namespace

void TrialStreamWriter::appendRawGap(std::size_t index, const Gap& gap) {
    impl_->check(index < impl_->raw.size(), "raw", "no raw stream " + std::to_string(index));
    pushGap(impl_->raw[index], gap, impl_->name);
}

void TrialStreamWriter::appendForcePlate(const Eigen::Ref<const Eigen::VectorXd>& time_s,
                                         const Eigen::Ref<const analysis::Signal3>& force_n,
                                         const Eigen::Ref<const analysis::Signal3>& moment_nm,
                                         const Eigen::Ref<const analysis::Signal2>& cop_m) {
    Impl& m = *impl_;
    m.check(m.forceplate.has_value(), "forceplate", "the layout has no forceplate");
    LiveSignal& s = *m.forceplate;
    const auto n = time_s.size();
    m.check(force_n.rows() == n && moment_nm.rows() == n && cop_m.rows() == n, s.path,
            "force, moment, cop and time differ in rows");
    m.check(time_s.allFinite(), s.path, "time is not finite");
    appendRowMajor(s.data[0].doubles, force_n);
    appendRowMajor(s.data[1].doubles, moment_nm);
    appendRowMajor(s.data[2].doubles, cop_m);
    s.time.doubles.insert(s.time.doubles.end(), time_s.data(), time_s.data() + n);
    m.afterAppend(s, static_cast<std::size_t>(n));
}

void TrialStreamWriter::appendForcePlateGap(const Gap& gap) {
    impl_->check(impl_->forceplate.has_value(), "forceplate", "the layout has no forceplate");
    pushGap(*impl_->forceplate, gap, impl_->name);
}

void TrialStreamWriter::appendImu(std::size_t index,
                                  const Eigen::Ref<const Eigen::VectorXd>& time_s,
                                  const Eigen::Ref<const analysis::Signal3>& acc_mps2,
                                  const Eigen::Ref<const analysis::Signal3>& gyro_radps,
                                  const Eigen::Ref<const Signal4>& quat_wxyz) {
    Impl& m = *impl_;
    m.check(index < m.imu.size(), "imu", "no IMU sensor " + std::to_string(index));
    LiveSignal& s = m.imu[index];
    const auto n = time_s.size();
    m.check(acc_mps2.rows() == n && gyro_radps.rows() == n && quat_wxyz.rows() == n, s.path,
            "acc, gyro, quat and time differ in rows");
    m.check(time_s.allFinite(), s.path, "time is not finite");
    appendRowMajor(s.data[0].doubles, acc_mps2);
    appendRowMajor(s.data[1].doubles, gyro_radps);
    appendRowMajor(s.data[2].doubles, quat_wxyz);
    s.time.doubles.insert(s.time.doubles.end(), time_s.data(), time_s.data() + n);
    m.afterAppend(s, static_cast<std::size_t>(n));
}

void TrialStreamWriter::appendImuGap(std::size_t index, const Gap& gap) {
    impl_->check(index < impl_->imu.size(), "imu", "no IMU sensor " + std::to_string(index));
    pushGap(impl_->imu[index], gap, impl_->name);
}

void TrialStreamWriter::appendEvent(const Event& event) {
    Impl& m = *impl_;
    LiveSignal& s = *m.events;
    m.check(std::isfinite(event.time_s), s.path, "event time is not finite");
    std::array<char, kLiveLabelBytes> label{};
    // Cut at a UTF-8 character boundary, keeping a terminating NUL.
    std::size_t len = std::min(event.label.size(), kLiveLabelBytes - 1);
    while (len > 0 && len < event.label.size() &&
           (static_cast<unsigned char>(event.label[len]) & 0xC0) == 0x80)
        --len;
    std::memcpy(label.data(), event.label.data(), len);
    s.data[0].bytes.insert(s.data[0].bytes.end(), label.begin(), label.end());
    s.time.doubles.push_back(event.time_s);
    m.afterAppend(s, 1);
}

void TrialStreamWriter::flush() {
    impl_->flushAll();
}

void TrialStreamWriter::close() {
    Impl& m = *impl_;
    if (m.closed)
        return;
    m.flushAll();
    m.raw.clear();
    m.forceplate.reset();
    m.imu.clear();
    m.events.reset();
    m.label_type.reset();
    m.closed = true;
    if (!m.file.close())
        throw DatasetError(m.name, 0, "cannot close the live file (" + h5::takeErrorStack() + ")");
}

TrialRef finalizeTrialStream(const std::filesystem::path& live_path,
                             const std::filesystem::path& destination,
                             const FinalizeOptions& options) {
    h5::quiet();
    TrialRef live_ref;
    TrialData data;
    SubjectInfo subject;
    SessionInfo session;
    std::vector<DeviceInfo> devices;
    {
        BundleReader live(live_path);
        const auto refs = live.trials();
        if (refs.size() != 1)
            throw DatasetError(
                live_path.string(), 0,
                "a live file holds one trial; this one holds " + std::to_string(refs.size()));
        live_ref = refs.front();
        data = live.readTrial(live_ref);
        subject = live.subject(live_ref.subject_id);
        for (auto& s : live.sessions(live_ref.subject_id)) {
            if (h5::sessionGroupName(s.start_utc) == live_ref.session_start)
                session = std::move(s);
        }
        devices = live.devices();
    }
    data.info.status = options.status;
    data.metrics.insert(data.metrics.end(), options.metrics.begin(), options.metrics.end());
    data.derived.insert(data.derived.end(), options.derived.begin(), options.derived.end());

    std::error_code ec;
    const bool exists = std::filesystem::exists(destination, ec);
    WriteOptions wo;
    wo.overwrite = true;
    BundleWriter writer(destination, wo);
    if (exists) {
        BundleReader old(destination);
        for (const auto& d : old.devices())
            writer.addDevice(d);
        for (const auto& s : old.subjects()) {
            writer.addSubject(s);
            for (const auto& se : old.sessions(s.id))
                writer.addSession(s.id, se);
        }
        const auto refs = old.trials();
        writer.copyTrials(old, refs);
    }
    for (const auto& d : devices) {
        if (!writer.hasDevice(d.id))
            writer.addDevice(d);
    }
    if (!writer.hasSubject(subject.id))
        writer.addSubject(subject);
    if (!writer.hasSession(subject.id, live_ref.session_start))
        writer.addSession(subject.id, session);
    // Keep the live trial's name unless the destination already has a trial of that name.
    const std::string name =
        writer.hasTrial(subject.id, live_ref.session_start, live_ref.trial_name)
            ? std::string()
            : live_ref.trial_name;
    const TrialRef out = writer.addTrial(subject.id, live_ref.session_start, data, name);
    writer.commit();
    if (options.remove_live)
        std::filesystem::remove(live_path, ec);
    return out;
}

}  // namespace stance::datasets
