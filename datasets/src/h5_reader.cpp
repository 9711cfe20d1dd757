#include "stance/datasets/h5_reader.hpp"

#include <algorithm>

#include "h5_file.hpp"
#include "h5_handle.hpp"
#include "h5_layout.hpp"

namespace stance::datasets {

using h5::Hid;
using h5::Where;

struct BundleReader::Impl {
    std::filesystem::path path;
    std::string name;
    Hid file;
    FileInfo info;
    bool swmr = false;

    Where at(std::string p) const { return Where{name, std::move(p)}; }

    Hid trialGroup(const TrialRef& t) const {
        const std::string p = t.path();
        if (H5Lexists(file.get(), "subjects", H5P_DEFAULT) <= 0 || !exists(p)) {
            H5Eclear2(H5E_DEFAULT);
            throw DatasetError(name, 0, p + ": no such trial");
        }
        return h5::check(H5Gopen2(file.get(), p.c_str(), H5P_DEFAULT), H5Gclose, at(p),
                         "cannot open the trial");
    }

    // True when every component of an absolute path exists.
    bool exists(const std::string& p) const {
        std::string prefix;
        std::size_t start = 1;
        while (start <= p.size()) {
            const std::size_t end = std::min(p.find('/', start), p.size());
            prefix += "/" + p.substr(start, end - start);
            const htri_t r = H5Lexists(file.get(), prefix.c_str(), H5P_DEFAULT);
            if (r <= 0) {
                H5Eclear2(H5E_DEFAULT);
                return false;
            }
            start = end + 1;
        }
        return true;
    }
};

BundleReader::BundleReader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
    h5::quiet();
    impl_->path = path;
    impl_->name = path.string();
    h5::OpenedFile opened = h5::openForReading(path);
    impl_->file = std::move(opened.file);
    impl_->swmr = opened.swmr;
    impl_->info = h5::readRootAttributes(impl_->file.get(), impl_->at("/"));
    impl_->info.live = impl_->swmr;
    if (!impl_->info.live) {
        // A writer that closed cleanly leaves no SWMR flag; its trial still says "recording".
        for (const auto& t : trials()) {
            if (trialInfo(t).status == TrialStatus::kRecording) {
                impl_->info.live = true;
                break;
            }
        }
    }
}

BundleReader::~BundleReader() = default;
BundleReader::BundleReader(BundleReader&&) noexcept = default;
BundleReader& BundleReader::operator=(BundleReader&&) noexcept = default;

const std::filesystem::path& BundleReader::path() const noexcept {
    return impl_->path;
}
const FileInfo& BundleReader::fileInfo() const noexcept {
    return impl_->info;
}

std::vector<SubjectInfo> BundleReader::subjects() const {
    h5::quiet();
    std::vector<SubjectInfo> out;
    if (!h5::hasLink(impl_->file.get(), "subjects"))
        return out;
    Hid g = h5::openGroup(impl_->file.get(), "subjects", impl_->at("/"));
    for (const auto& id : h5::children(g.get(), impl_->at("/subjects"))) {
        Hid s = h5::openGroup(g.get(), id, impl_->at("/subjects"));
        out.push_back(h5::readSubjectAttributes(s.get(), id, impl_->at("/subjects/" + id)));
    }
    return out;
}

SubjectInfo BundleReader::subject(std::string_view id) const {
    h5::quiet();
    const std::string p = "/subjects/" + std::string(id);
    if (!impl_->exists(p))
        throw DatasetError(impl_->name, 0, p + ": no such subject");
    Hid s = h5::check(H5Gopen2(impl_->file.get(), p.c_str(), H5P_DEFAULT), H5Gclose, impl_->at(p),
                      "cannot open the subject");
    return h5::readSubjectAttributes(s.get(), std::string(id), impl_->at(p));
}

std::vector<SessionInfo> BundleReader::sessions(std::string_view subject_id) const {
    h5::quiet();
    std::vector<SessionInfo> out;
    const std::string p = "/subjects/" + std::string(subject_id) + "/sessions";
    if (!impl_->exists(p))
        return out;
    Hid g = h5::check(H5Gopen2(impl_->file.get(), p.c_str(), H5P_DEFAULT), H5Gclose, impl_->at(p),
                      "cannot open the sessions");
    for (const auto& name : h5::children(g.get(), impl_->at(p))) {
        Hid s = h5::openGroup(g.get(), name, impl_->at(p));
        SessionInfo info = h5::readSessionAttributes(s.get(), impl_->at(h5::join(p, name)));
        out.push_back(std::move(info));
    }
    return out;
}

std::vector<TrialRef> BundleReader::trials(std::string_view subject_id,
                                           std::string_view session_start) const {
    h5::quiet();
    std::vector<TrialRef> out;
    const std::string p = "/subjects/" + std::string(subject_id) + "/sessions/" +
                          std::string(session_start) + "/trials";
    if (!impl_->exists(p))
        return out;
    Hid g = h5::check(H5Gopen2(impl_->file.get(), p.c_str(), H5P_DEFAULT), H5Gclose, impl_->at(p),
                      "cannot open the trials");
    for (const auto& name : h5::children(g.get(), impl_->at(p)))
        out.push_back(TrialRef{std::string(subject_id), std::string(session_start), name});
    return out;
}

std::vector<TrialRef> BundleReader::trials() const {
    h5::quiet();
    std::vector<TrialRef> out;
    if (!h5::hasLink(impl_->file.get(), "subjects"))
        return out;
    Hid g = h5::openGroup(impl_->file.get(), "subjects", impl_->at("/"));
    for (const auto& id : h5::children(g.get(), impl_->at("/subjects"))) {
        const std::string sp = "/subjects/" + id + "/sessions";
        if (!impl_->exists(sp))
            continue;
        Hid sg = h5::check(H5Gopen2(impl_->file.get(), sp.c_str(), H5P_DEFAULT), H5Gclose,
                           impl_->at(sp), "cannot open the sessions");
        for (const auto& session : h5::children(sg.get(), impl_->at(sp))) {
            auto t = trials(id, session);
            out.insert(out.end(), t.begin(), t.end());
        }
    }
    return out;
}

std::optional<TrialRef> BundleReader::findBySourceId(std::string_view source_id) const {
    for (const auto& t : trials()) {
        if (trialInfo(t).source_id == source_id)
            return t;
    }
    return std::nullopt;
}

TrialInfo BundleReader::trialInfo(const TrialRef& trial) const {
    h5::quiet();
    Hid g = impl_->trialGroup(trial);
    return h5::readTrialAttributes(g.get(), impl_->at(trial.path()));
}

TrialData BundleReader::readTrial(const TrialRef& trial) const {
    h5::quiet();
    Hid g = impl_->trialGroup(trial);
    const Where w = impl_->at(trial.path());
    const bool live = h5::readTrialAttributes(g.get(), w).status == TrialStatus::kRecording;
    return h5::readTrialContent(g.get(), w, live);
}

std::optional<ForcePlateSignals> BundleReader::readForcePlate(const TrialRef& trial) const {
    h5::quiet();
    Hid g = impl_->trialGroup(trial);
    const Where w = impl_->at(trial.path());
    if (!h5::hasLink(g.get(), "forceplate"))
        return std::nullopt;
    const bool live = h5::readTrialAttributes(g.get(), w).status == TrialStatus::kRecording;
    Hid fp = h5::openGroup(g.get(), "forceplate", w);
    return h5::readForcePlateGroup(fp.get(), impl_->at(trial.path() + "/forceplate"), live);
}

std::vector<DeviceInfo> BundleReader::devices() const {
    h5::quiet();
    std::vector<DeviceInfo> out;
    if (!h5::hasLink(impl_->file.get(), "devices"))
        return out;
    Hid g = h5::openGroup(impl_->file.get(), "devices", impl_->at("/"));
    for (const auto& id : h5::children(g.get(), impl_->at("/devices")))
        out.push_back(h5::readDevice(g.get(), id, impl_->at("/devices")));
    return out;
}

}  // namespace stance::datasets
