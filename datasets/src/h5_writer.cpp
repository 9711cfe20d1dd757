#include "stance/datasets/h5_writer.hpp"

#include <cstdio>
#include <fstream>
#include <set>

#include "h5_file.hpp"
#include "h5_handle.hpp"
#include "h5_layout.hpp"
#include "stance/datasets/h5_reader.hpp"

namespace stance::datasets {

using h5::Hid;
using h5::Where;

namespace {

std::string formatTrialNumber(int n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%03d", n);
    return buf;
}

void checkCondition(const std::string& condition, const Where& where) {
    if (condition.empty())
        h5::fail(where, "condition is empty (use 'unspecified' when the source does not say)");
    for (char c : condition) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            h5::fail(where, "condition '" + condition +
                                "' must be lower-case letters, digits and '_' (e.g. eo_firm)");
    }
}

}  // namespace

struct BundleWriter::Impl {
    std::filesystem::path destination;
    std::filesystem::path temporary;
    std::string name;
    WriteOptions options;
    Hid file;
    Hid subjects;
    Hid devices;
    std::set<std::string, std::less<>> device_ids;
    bool finished = false;

    Where at(std::string p) const { return Where{name, std::move(p)}; }

    void abandon() noexcept {
        subjects.reset();
        devices.reset();
        file.reset();
        if (!temporary.empty()) {
            std::error_code ec;
            std::filesystem::remove(temporary, ec);
        }
        finished = true;
    }

    void requireOpen() const {
        if (finished)
            throw DatasetError(name, 0, "the writer was already committed or abandoned");
    }

    Hid openPath(const std::string& p) const {
        return h5::check(H5Gopen2(file.get(), p.c_str(), H5P_DEFAULT), H5Gclose, at(p),
                         "cannot open the group");
    }
};

BundleWriter::BundleWriter(std::filesystem::path destination, WriteOptions options)
    : impl_(std::make_unique<Impl>()) {
    h5::quiet();
    impl_->destination = std::move(destination);
    impl_->name = impl_->destination.string();
    impl_->options = std::move(options);
    std::error_code ec;
    if (std::filesystem::exists(impl_->destination, ec) && !impl_->options.overwrite) {
        throw DatasetError(impl_->name, 0,
                           "already exists; not replaced (choose another name or allow "
                           "overwriting)");
    }
    const auto dir = impl_->destination.has_parent_path() ? impl_->destination.parent_path()
                                                          : std::filesystem::path(".");
    if (!std::filesystem::is_directory(dir, ec))
        throw DatasetError(impl_->name, 0, "its directory " + dir.string() + " does not exist");
    impl_->temporary = h5::temporaryPathFor(impl_->destination);
    Hid fapl = h5::fileAccess(false);
    const hid_t id = H5Fcreate(impl_->temporary.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get());
    if (id < 0) {
        const std::string stack = h5::takeErrorStack();
        impl_->temporary.clear();
        throw DatasetError(
            impl_->name, 0,
            "cannot create a temporary file in " + dir.string() + " (" + stack + ")");
    }
    impl_->file = Hid(id, H5Fclose);
    try {
        h5::writeRootAttributes(impl_->file.get(), impl_->options.software, impl_->at("/"));
        impl_->subjects = h5::createGroup(impl_->file.get(), "subjects", impl_->at("/"));
        impl_->devices = h5::createGroup(impl_->file.get(), "devices", impl_->at("/"));
    } catch (...) {
        impl_->abandon();
        throw;
    }
}

BundleWriter::~BundleWriter() {
    if (impl_ && !impl_->finished)
        impl_->abandon();
}

BundleWriter::BundleWriter(BundleWriter&&) noexcept = default;
BundleWriter& BundleWriter::operator=(BundleWriter&& o) noexcept {
    if (this != &o) {
        if (impl_ && !impl_->finished)
            impl_->abandon();
        impl_ = std::move(o.impl_);
    }
    return *this;
}

const std::filesystem::path& BundleWriter::destination() const noexcept {
    return impl_->destination;
}

bool BundleWriter::hasDevice(std::string_view id) const {
    return impl_->device_ids.find(id) != impl_->device_ids.end();
}

bool BundleWriter::hasSubject(std::string_view id) const {
    h5::quiet();
    return !impl_->finished && h5::hasLink(impl_->subjects.get(), std::string(id));
}

bool BundleWriter::hasSession(std::string_view subject_id, std::string_view session_start) const {
    h5::quiet();
    if (!hasSubject(subject_id))
        return false;
    Hid s = impl_->openPath("/subjects/" + std::string(subject_id) + "/sessions");
    return h5::hasLink(s.get(), std::string(session_start));
}

bool BundleWriter::hasTrial(std::string_view subject_id, std::string_view session_start,
                            std::string_view trial_name) const {
    h5::quiet();
    if (!hasSession(subject_id, session_start))
        return false;
    Hid t = impl_->openPath("/subjects/" + std::string(subject_id) + "/sessions/" +
                            std::string(session_start) + "/trials");
    return h5::hasLink(t.get(), std::string(trial_name));
}

void BundleWriter::addDevice(const DeviceInfo& device) {
    h5::quiet();
    impl_->requireOpen();
    if (hasDevice(device.id))
        throw DatasetError(impl_->name, 0, "/devices/" + device.id + ": added twice");
    h5::writeDevice(impl_->devices.get(), device, impl_->at("/devices"));
    impl_->device_ids.insert(device.id);
}

void BundleWriter::addSubject(const SubjectInfo& subject) {
    h5::quiet();
    impl_->requireOpen();
    if (const auto bad = checkGroupName("subject id", subject.id); !bad.empty())
        throw DatasetError(impl_->name, 0, "/subjects: " + bad);
    if (hasSubject(subject.id))
        throw DatasetError(impl_->name, 0, "/subjects/" + subject.id + ": added twice");
    const std::string p = "/subjects/" + subject.id;
    Hid g = h5::createGroup(impl_->subjects.get(), subject.id, impl_->at("/subjects"));
    h5::writeSubjectAttributes(g.get(), subject, impl_->at(p));
    h5::createGroup(g.get(), "sessions", impl_->at(p));
}

void BundleWriter::addSession(std::string_view subject_id, const SessionInfo& session) {
    h5::quiet();
    impl_->requireOpen();
    const std::string sp = "/subjects/" + std::string(subject_id);
    if (!hasSubject(subject_id))
        throw DatasetError(impl_->name, 0, sp + ": no such subject (add it first)");
    if (!session.start_utc.empty() && !isIsoTimestamp(session.start_utc)) {
        throw DatasetError(impl_->name, 0,
                           sp + ": session start '" + session.start_utc +
                               "' is not an ISO 8601 date or date-time");
    }
    const std::string group = h5::sessionGroupName(session.start_utc);
    if (hasSession(subject_id, group))
        throw DatasetError(impl_->name, 0, sp + "/sessions/" + group + ": added twice");
    Hid sessions = impl_->openPath(sp + "/sessions");
    Hid g = h5::createGroup(sessions.get(), group, impl_->at(sp + "/sessions"));
    const std::string p = sp + "/sessions/" + group;
    h5::writeSessionAttributes(g.get(), session, impl_->at(p));
    h5::createGroup(g.get(), "trials", impl_->at(p));
}

TrialRef BundleWriter::addTrial(std::string_view subject_id, std::string_view session_start,
                                const TrialData& trial, std::string trial_name) {
    h5::quiet();
    impl_->requireOpen();
    const std::string sp =
        "/subjects/" + std::string(subject_id) + "/sessions/" + std::string(session_start);
    if (!hasSession(subject_id, session_start))
        throw DatasetError(impl_->name, 0, sp + ": no such session (add it first)");
    Hid trials = impl_->openPath(sp + "/trials");
    const Where tw = impl_->at(sp + "/trials");
    if (trial_name.empty()) {
        int next = 1;
        for (const auto& existing : h5::children(trials.get(), tw)) {
            try {
                next = std::max(next, std::stoi(existing) + 1);
            } catch (const std::exception&) {
                // not a number: does not take part in the numbering
            }
        }
        trial_name = formatTrialNumber(next);
    }
    if (const auto bad = checkGroupName("trial name", trial_name); !bad.empty())
        throw DatasetError(impl_->name, 0, sp + "/trials: " + bad);
    if (h5::hasLink(trials.get(), trial_name))
        throw DatasetError(impl_->name, 0, sp + "/trials/" + trial_name + ": exists already");
    const std::string p = sp + "/trials/" + trial_name;
    checkCondition(trial.info.condition, impl_->at(p));
    for (const RawSignal& r : trial.raw) {
        if (!hasDevice(r.device))
            throw DatasetError(impl_->name, 0,
                               p + "/raw/" + r.device + ": no /devices/" + r.device +
                                   " describes this device (add it first)");
    }
    Hid g = h5::createGroup(trials.get(), trial_name, tw);
    try {
        h5::writeTrialAttributes(g.get(), trial.info, impl_->at(p));
        h5::Storage storage;
        storage.chunk_rows = impl_->options.chunk_rows;
        storage.deflate_level = impl_->options.deflate_level;
        h5::writeTrialContent(g.get(), trial, storage, impl_->at(p));
    } catch (...) {
        // Leave no half-written trial behind: the writer stays usable for other trials.
        g.reset();
        H5Ldelete(trials.get(), trial_name.c_str(), H5P_DEFAULT);
        H5Eclear2(H5E_DEFAULT);
        throw;
    }
    return TrialRef{std::string(subject_id), std::string(session_start), trial_name};
}

std::vector<TrialRef> BundleWriter::copyTrials(const BundleReader& from,
                                               std::span<const TrialRef> trials) {
    std::vector<TrialRef> out;
    std::vector<DeviceInfo> source_devices;
    bool devices_loaded = false;
    for (const TrialRef& ref : trials) {
        if (!hasSubject(ref.subject_id))
            addSubject(from.subject(ref.subject_id));
        if (!hasSession(ref.subject_id, ref.session_start)) {
            bool found = false;
            for (const auto& s : from.sessions(ref.subject_id)) {
                if (h5::sessionGroupName(s.start_utc) == ref.session_start) {
                    addSession(ref.subject_id, s);
                    found = true;
                    break;
                }
            }
            if (!found)
                throw DatasetError(from.path().string(), 0,
                                   "/subjects/" + ref.subject_id + "/sessions/" +
                                       ref.session_start + ": no such session");
        }
        TrialData data = from.readTrial(ref);
        for (const RawSignal& r : data.raw) {
            if (hasDevice(r.device))
                continue;
            if (!devices_loaded) {
                source_devices = from.devices();
                devices_loaded = true;
            }
            for (const auto& d : source_devices) {
                if (d.id == r.device)
                    addDevice(d);
            }
        }
        out.push_back(addTrial(ref.subject_id, ref.session_start, data, ref.trial_name));
    }
    return out;
}

void BundleWriter::commit() {
    h5::quiet();
    impl_->requireOpen();
    impl_->subjects.reset();
    impl_->devices.reset();
    const bool closed = impl_->file.close();
    if (!closed) {
        const std::string stack = h5::takeErrorStack();
        impl_->abandon();
        throw DatasetError(impl_->name, 0, "cannot finish writing the file (" + stack + ")");
    }
    impl_->finished = true;
    h5::commitTemporary(impl_->temporary, impl_->destination, impl_->options.overwrite);
    impl_->temporary.clear();
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view content) {
    const auto tmp = h5::temporaryPathFor(path);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw DatasetError(path.string(), 0, "cannot create a temporary file next to it");
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw DatasetError(path.string(), 0, "cannot write (disk full?)");
        }
    }
    h5::commitTemporary(tmp, path, true);
}

}  // namespace stance::datasets
