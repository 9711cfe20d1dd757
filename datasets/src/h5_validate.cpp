#include "stance/datasets/h5_validate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <set>

#include "h5_file.hpp"
#include "h5_handle.hpp"
#include "h5_layout.hpp"

namespace stance::datasets {

using h5::Hid;
using h5::Where;

namespace {

std::string describeCount(std::size_t n, const char* what) {
    return std::to_string(n) + " " + what;
}

class Validator {
public:
    explicit Validator(ValidationReport& report) : report_(report) {}

    void issue(const std::string& path, const std::string& problem) {
        report_.issues.push_back(ValidationIssue{path, problem});
    }
    void warning(const std::string& path, const std::string& problem) {
        report_.warnings.push_back(ValidationIssue{path, problem});
    }

    // Runs fn; a DatasetError from the HDF5 helpers becomes an issue at the place it names
    // (`path` or an object below it), the path said once.
    void guarded(const std::string& path, const std::function<void()>& fn) {
        try {
            fn();
        } catch (const h5::PathError& e) {
            issue(e.path().empty() ? path : e.path(), e.detail());
        } catch (const DatasetError& e) {
            issue(path, e.problem());
        }
    }

    Where at(const std::string& p) const { return Where{report_.file, p}; }

    // ---- attributes ---------------------------------------------------------------------

    std::optional<std::string> stringAttr(hid_t obj, const std::string& path,
                                          const std::string& name, bool required) {
        if (!h5::hasAttr(obj, name)) {
            if (required)
                issue(path, "missing attribute '" + name + "' (string)");
            return std::nullopt;
        }
        const auto s = h5::attrShape(obj, name, at(path));
        if (s.type_class != H5T_STRING || s.elements != 1) {
            issue(path, "attribute '" + name + "' must be one string");
            return std::nullopt;
        }
        return h5::readStringAttr(obj, name, at(path));
    }

    std::optional<double> numberAttr(hid_t obj, const std::string& path, const std::string& name,
                                     bool required, bool integer = false) {
        if (!h5::hasAttr(obj, name)) {
            if (required)
                issue(path, std::string("missing attribute '") + name + "' (" +
                                (integer ? "integer" : "number") + ")");
            return std::nullopt;
        }
        const auto s = h5::attrShape(obj, name, at(path));
        const bool ok = s.elements == 1 &&
                        (s.type_class == H5T_INTEGER || (!integer && s.type_class == H5T_FLOAT));
        if (!ok) {
            issue(path, "attribute '" + name + "' must be one " + (integer ? "integer" : "number"));
            return std::nullopt;
        }
        return h5::readNumberAttr(obj, name, at(path));
    }

    std::optional<std::vector<std::string>> stringsAttr(hid_t obj, const std::string& path,
                                                        const std::string& name,
                                                        std::size_t expected) {
        if (!h5::hasAttr(obj, name)) {
            issue(path,
                  "missing attribute '" + name + "' (" + describeCount(expected, "strings") + ")");
            return std::nullopt;
        }
        const auto s = h5::attrShape(obj, name, at(path));
        if (s.type_class != H5T_STRING) {
            issue(path, "attribute '" + name + "' must be strings");
            return std::nullopt;
        }
        auto v = h5::readStringsAttr(obj, name, at(path));
        if (v && v->size() != expected) {
            issue(path, "attribute '" + name + "' has " + std::to_string(v->size()) +
                            " entries, expected " + std::to_string(expected) + " (one per column)");
        }
        return v;
    }

    void numbersAttr(hid_t obj, const std::string& path, const std::string& name,
                     std::size_t expected) {
        if (!h5::hasAttr(obj, name)) {
            issue(path,
                  "missing attribute '" + name + "' (" + describeCount(expected, "numbers") + ")");
            return;
        }
        const auto s = h5::attrShape(obj, name, at(path));
        if ((s.type_class != H5T_FLOAT && s.type_class != H5T_INTEGER) || s.elements != expected)
            issue(path, "attribute '" + name + "' must be " + describeCount(expected, "numbers"));
    }

    // ---- datasets -----------------------------------------------------------------------

    struct Checked {
        bool ok = false;
        h5::DataShape shape;
        std::vector<double> values;
    };

    // Checks a dataset's shape, type, storage and describing attributes and reads its values.
    // cols: required column count (0: 1-D; -1: any 2-D). units: required unit of every column
    // ("" = any).
    Checked dataset(hid_t group, const std::string& group_path, const std::string& name, int cols,
                    const std::string& unit, bool signal, bool numeric = true,
                    std::optional<std::size_t> rows = std::nullopt) {
        Checked c;
        const std::string path = h5::join(group_path, name);
        if (h5::linkType(group, name) != H5O_TYPE_DATASET) {
            issue(path, h5::hasLink(group, name) ? "must be a dataset" : "missing dataset");
            return c;
        }
        guarded(path, [&] {
            Hid ds = h5::openDataset(group, name, at(group_path));
            c.shape = h5::dataShape(ds.get(), at(path));
            const bool rank_ok =
                cols == 0 ? c.shape.rank == 1
                          : (c.shape.rank == 2 &&
                             (cols < 0 || c.shape.cols == static_cast<std::size_t>(cols)));
            if (!rank_ok) {
                issue(path, "has shape " + shapeText(c.shape) + ", expected " +
                                (cols == 0  ? std::string("(N)")
                                 : cols < 0 ? std::string("(N x C)")
                                            : "(N x " + std::to_string(cols) + ")"));
                return;
            }
            if (rows && c.shape.rows != *rows) {
                issue(path, "has " + std::to_string(c.shape.rows) +
                                " rows but the group's time has " + std::to_string(*rows));
            }
            Hid type = h5::check(H5Dget_type(ds.get()), H5Tclose, at(path), "cannot read type");
            const H5T_class_t tc = H5Tget_class(type.get());
            if (numeric && tc != H5T_FLOAT && tc != H5T_INTEGER) {
                issue(path, "must be numeric");
                return;
            }
            if (!numeric && tc != H5T_STRING) {
                issue(path, "must hold strings");
                return;
            }
            if (signal)
                checkStorage(ds.get(), path);
            const std::size_t width = std::max<std::size_t>(1, c.shape.cols);
            const auto units = stringsAttr(ds.get(), path, "units", width);
            stringsAttr(ds.get(), path, "columns", width);
            stringAttr(ds.get(), path, "frame", true);
            if (units && !unit.empty()) {
                for (const auto& u : *units) {
                    if (u != unit) {
                        issue(path, "unit '" + u + "' where the format says '" + unit + "'");
                        break;
                    }
                }
            }
            if (numeric) {
                c.values = h5::readDoubles(ds.get(), at(path));
            } else {
                h5::readStrings(ds.get(), at(path));
            }
            c.ok = true;
        });
        return c;
    }

    static std::string shapeText(const h5::DataShape& s) {
        if (s.rank == 0)
            return "scalar";
        if (s.rank == 1)
            return "(" + std::to_string(s.rows) + ")";
        if (s.rank == 2)
            return "(" + std::to_string(s.rows) + " x " + std::to_string(s.cols) + ")";
        return "rank " + std::to_string(s.rank);
    }

    void checkStorage(hid_t ds, const std::string& path) {
        Hid dcpl(H5Dget_create_plist(ds), H5Pclose);
        if (!dcpl.valid()) {
            issue(path, "cannot read its storage properties");
            return;
        }
        if (H5Pget_layout(dcpl.get()) != H5D_CHUNKED) {
            issue(path, "must be chunked (the format stores every signal chunked)");
            return;
        }
        bool shuffle = false, deflate = false, fletcher32 = false;
        const int n = H5Pget_nfilters(dcpl.get());
        for (int i = 0; i < n; ++i) {
            unsigned flags = 0;
            std::size_t nelmts = 0;
            unsigned filter_config = 0;
            const H5Z_filter_t f = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags,
                                                  &nelmts, nullptr, 0, nullptr, &filter_config);
            shuffle = shuffle || f == H5Z_FILTER_SHUFFLE;
            deflate = deflate || f == H5Z_FILTER_DEFLATE;
            fletcher32 = fletcher32 || f == H5Z_FILTER_FLETCHER32;
        }
        if (!shuffle || !deflate)
            issue(path, "must be compressed with the shuffle and deflate filters");
        // Recommended, not required (docs/stance-hdf5.md, Storage): h5py and MATLAB leave it
        // out unless asked, and the file reads the same without it.
        if (!fletcher32)
            warning(path,
                    "recommended but absent: the Fletcher-32 checksum filter (it lets every "
                    "reader detect a damaged chunk)");
        Hid space(H5Dget_space(ds), H5Sclose);
        hsize_t dims[2] = {0, 0}, max_dims[2] = {0, 0};
        if (space.valid() && H5Sget_simple_extent_dims(space.get(), dims, max_dims) >= 1 &&
            max_dims[0] != H5S_UNLIMITED)
            issue(path, "first dimension must be unlimited (so that rows can be appended)");
    }

    // `time` of a signal group: finite, non-decreasing. Returns its length.
    std::optional<std::size_t> time(hid_t group, const std::string& group_path, bool live) {
        const Checked c = dataset(group, group_path, "time", 0, "s", true);
        if (!c.ok)
            return std::nullopt;
        const std::string path = h5::join(group_path, "time");
        std::size_t n = c.values.size();
        if (live) {
            n = 0;
            while (n < c.values.size() && std::isfinite(c.values[n]))
                ++n;
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isfinite(c.values[i])) {
                issue(path, "row " + std::to_string(i) + " is not finite");
                break;
            }
            if (i > 0 && c.values[i] < c.values[i - 1]) {
                issue(path, "decreases at row " + std::to_string(i) + " (" +
                                std::to_string(c.values[i - 1]) + " then " +
                                std::to_string(c.values[i]) + ")");
                break;
            }
        }
        return live ? std::optional<std::size_t>() : std::optional<std::size_t>(n);
    }

    void gaps(hid_t group, const std::string& group_path, bool required) {
        if (!h5::hasLink(group, "gaps")) {
            if (required)
                issue(h5::join(group_path, "gaps"), "missing dataset (K x 2, may have 0 rows)");
            return;
        }
        const Checked c = dataset(group, group_path, "gaps", 2, "s", true);
        if (!c.ok)
            return;
        for (std::size_t k = 0; k + 1 < c.values.size(); k += 2) {
            const double a = c.values[k], b = c.values[k + 1];
            if (std::isnan(a) && std::isnan(b))
                continue;  // uncommitted row of a live file
            if (!(std::isfinite(a) && std::isfinite(b) && b > a)) {
                issue(h5::join(group_path, "gaps"),
                      "row " + std::to_string(k / 2) + " is not a finite start < end");
                break;
            }
        }
    }

    void children(hid_t group, const std::string& path, const std::set<std::string>& allowed) {
        for (const auto& c : h5::children(group, at(path))) {
            if (!allowed.count(c))
                issue(h5::join(path, c), "is not part of the format here");
        }
    }

    // ---- groups -------------------------------------------------------------------------

    void root(hid_t file) {
        const auto format = stringAttr(file, "/", "format", true);
        if (format && *format != kH5FormatName)
            issue("/", "attribute format is '" + *format + "', expected 'stance-hdf5'");
        const auto version = numberAttr(file, "/", "format_version", true, true);
        if (version) {
            report_.format_version = static_cast<int>(*version);
            if (*version > kH5FormatVersion)
                issue("/", "format_version " + std::to_string(static_cast<long long>(*version)) +
                               " is newer than this software knows (" +
                               std::to_string(kH5FormatVersion) + ")");
            else if (*version < 1)
                issue("/", "format_version must be 1 or more");
        }
        const auto created = stringAttr(file, "/", "created_utc", true);
        if (created && !isIsoTimestamp(*created))
            issue("/", "created_utc '" + *created + "' is not an ISO 8601 time");
        stringAttr(file, "/", "software", true);
        stringAttr(file, "/", "software_version", true);
        children(file, "/", {"subjects", "devices"});
    }

    void devices(hid_t file) {
        if (h5::linkType(file, "devices") != H5O_TYPE_GROUP) {
            issue("/devices", "missing group");
            return;
        }
        Hid g = h5::openGroup(file, "devices", at("/"));
        for (const auto& id : h5::children(g.get(), at("/devices"))) {
            const std::string p = "/devices/" + id;
            device_ids_.insert(id);
            guarded(p, [&] {
                if (h5::linkType(g.get(), id) != H5O_TYPE_GROUP) {
                    issue(p, "must be a group");
                    return;
                }
                Hid d = h5::openGroup(g.get(), id, at("/devices"));
                for (const char* a : {"kind", "make", "model", "serial", "firmware"})
                    stringAttr(d.get(), p, a, true);
                const auto rate = numberAttr(d.get(), p, "rate_hz", true);
                if (rate && !(*rate >= 0.0))
                    issue(p, "rate_hz must be >= 0 (0 when unknown)");
                if (h5::hasLink(d.get(), "calibration"))
                    dataset(d.get(), p, "calibration", -1, "", false);
                children(d.get(), p, {"calibration"});
            });
        }
    }

    void subjects(hid_t file) {
        if (h5::linkType(file, "subjects") != H5O_TYPE_GROUP) {
            issue("/subjects", "missing group");
            return;
        }
        Hid g = h5::openGroup(file, "subjects", at("/"));
        for (const auto& id : h5::children(g.get(), at("/subjects"))) {
            const std::string p = "/subjects/" + id;
            ++report_.subjects;
            guarded(p, [&] { subject(g.get(), id, p); });
        }
    }

    void subject(hid_t parent, const std::string& id, const std::string& p) {
        if (h5::linkType(parent, id) != H5O_TYPE_GROUP) {
            issue(p, "must be a group");
            return;
        }
        if (const auto bad = checkGroupName("subject id", id); !bad.empty())
            issue(p, bad);
        Hid s = h5::openGroup(parent, id, at("/subjects"));
        const auto attr_id = stringAttr(s.get(), p, "id", true);
        if (attr_id && *attr_id != id)
            issue(p, "attribute id '" + *attr_id + "' differs from the group name");
        const auto sex = stringAttr(s.get(), p, "sex", true);
        if (sex && !parseSex(*sex))
            issue(p, "sex '" + *sex + "' must be female, male, other or unknown");
        if (const auto by = numberAttr(s.get(), p, "birth_year", false, true);
            by && (*by < 1880 || *by > 2200))
            issue(p, "birth_year " + std::to_string(static_cast<long long>(*by)) +
                         " is not plausible");
        if (const auto age = numberAttr(s.get(), p, "age_years", false); age && !(*age >= 0))
            issue(p, "age_years must be >= 0");
        if (const auto h = numberAttr(s.get(), p, "height_m", false); h && !(*h > 0.2 && *h < 3.0))
            issue(p, "height_m " + std::to_string(*h) + " is not a height in metres");
        if (const auto m = numberAttr(s.get(), p, "mass_kg", false); m && !(*m > 0 && *m < 700))
            issue(p, "mass_kg " + std::to_string(*m) + " is not a mass in kilograms");
        for (const auto& a : h5::attrNames(s.get(), at(p))) {
            std::string lower = a;
            for (auto& ch : lower)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            for (const char* banned : {"name", "first_name", "last_name", "surname", "birth_date",
                                       "date_of_birth", "dob", "address", "phone", "email"}) {
                if (lower == banned)
                    issue(p, "attribute '" + a + "' looks identifying; subjects are pseudonymous");
            }
        }
        children(s.get(), p, {"sessions"});
        if (h5::linkType(s.get(), "sessions") != H5O_TYPE_GROUP) {
            issue(p + "/sessions", "missing group");
            return;
        }
        Hid sessions = h5::openGroup(s.get(), "sessions", at(p));
        for (const auto& name : h5::children(sessions.get(), at(p + "/sessions"))) {
            const std::string sp = p + "/sessions/" + name;
            ++report_.sessions;
            guarded(sp, [&] { session(sessions.get(), name, sp, p + "/sessions"); });
        }
    }

    void session(hid_t parent, const std::string& name, const std::string& sp,
                 const std::string& parent_path) {
        if (h5::linkType(parent, name) != H5O_TYPE_GROUP) {
            issue(sp, "must be a group");
            return;
        }
        if (name != "undated" && !isIsoTimestamp(name))
            issue(sp, "session name must be its ISO 8601 start (or 'undated')");
        Hid g = h5::openGroup(parent, name, at(parent_path));
        const auto start = stringAttr(g.get(), sp, "start_utc", true);
        if (start) {
            if (name == "undated" ? !start->empty() : *start != name)
                issue(sp, "attribute start_utc '" + *start + "' differs from the group name");
        }
        for (const char* a : {"site", "operator", "protocol", "protocol_version"})
            stringAttr(g.get(), sp, a, true);
        children(g.get(), sp, {"trials"});
        if (h5::linkType(g.get(), "trials") != H5O_TYPE_GROUP) {
            issue(sp + "/trials", "missing group");
            return;
        }
        Hid trials = h5::openGroup(g.get(), "trials", at(sp));
        for (const auto& t : h5::children(trials.get(), at(sp + "/trials"))) {
            const std::string tp = sp + "/trials/" + t;
            ++report_.trials;
            guarded(tp, [&] { trial(trials.get(), t, tp, sp + "/trials"); });
        }
    }

    void trial(hid_t parent, const std::string& name, const std::string& tp,
               const std::string& parent_path) {
        if (h5::linkType(parent, name) != H5O_TYPE_GROUP) {
            issue(tp, "must be a group");
            return;
        }
        Hid g = h5::openGroup(parent, name, at(parent_path));
        const auto condition = stringAttr(g.get(), tp, "condition", true);
        if (condition) {
            const bool ok = !condition->empty() &&
                            std::all_of(condition->begin(), condition->end(), [](char c) {
                                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                            });
            if (!ok)
                issue(tp, "condition '" + *condition +
                              "' must be lower-case letters, digits and '_' (eo_firm, ...)");
        }
        const auto status = stringAttr(g.get(), tp, "status", true);
        bool live = false;
        if (status) {
            const auto s = parseTrialStatus(*status);
            if (!s) {
                issue(tp, "status '" + *status + "' must be complete, aborted or fall");
            } else if (*s == TrialStatus::kRecording) {
                live = true;
                issue(tp,
                      "status 'recording': a live or crashed recording that was never "
                      "finalized");
            }
        }
        if (const auto d = numberAttr(g.get(), tp, "planned_duration_s", false); d && !(*d > 0))
            issue(tp, "planned_duration_s must be > 0");
        const auto t0 = stringAttr(g.get(), tp, "t0_utc", true);
        if (t0 && !t0->empty() && !isIsoTimestamp(*t0))
            issue(tp, "t0_utc '" + *t0 + "' is not ISO 8601");
        stringAttr(g.get(), tp, "source_id", true);
        stringAttr(g.get(), tp, "source_format", true);
        children(g.get(), tp, {"raw", "forceplate", "imu", "derived", "metrics", "events"});

        if (h5::hasLink(g.get(), "raw")) {
            guarded(tp + "/raw", [&] {
                Hid raw = h5::openGroup(g.get(), "raw", at(tp));
                for (const auto& dev : h5::children(raw.get(), at(tp + "/raw"))) {
                    const std::string rp = tp + "/raw/" + dev;
                    guarded(rp, [&] { rawGroup(raw.get(), dev, rp, live); });
                }
            });
        }
        if (h5::hasLink(g.get(), "forceplate"))
            guarded(tp + "/forceplate", [&] { forceplate(g.get(), tp + "/forceplate", live); });
        if (h5::hasLink(g.get(), "imu")) {
            guarded(tp + "/imu", [&] {
                Hid imu = h5::openGroup(g.get(), "imu", at(tp));
                for (const auto& s : h5::children(imu.get(), at(tp + "/imu"))) {
                    const std::string ip = tp + "/imu/" + s;
                    guarded(ip, [&] { imuGroup(imu.get(), s, ip, live); });
                }
            });
        }
        if (h5::hasLink(g.get(), "derived"))
            guarded(tp + "/derived", [&] { derived(g.get(), tp + "/derived"); });
        if (h5::hasLink(g.get(), "metrics"))
            guarded(tp + "/metrics", [&] { metrics(g.get(), tp + "/metrics"); });
        if (h5::hasLink(g.get(), "events"))
            guarded(tp + "/events", [&] { events(g.get(), tp + "/events", live); });
    }

    void rawGroup(hid_t parent, const std::string& dev, const std::string& rp, bool live) {
        if (!device_ids_.count(dev))
            issue(rp, "no /devices/" + dev + " describes this device");
        Hid g = h5::openGroup(parent, dev, at(rp.substr(0, rp.rfind('/'))));
        const auto n = time(g.get(), rp, live);
        const Checked data = dataset(g.get(), rp, "data", -1, "", true, true, n);
        if (data.ok) {
            Hid ds = h5::openDataset(g.get(), "data", at(rp));
            const std::string dp = rp + "/data";
            numbersAttr(ds.get(), dp, "scale", data.shape.cols);
            numbersAttr(ds.get(), dp, "offset", data.shape.cols);
        }
        const Checked counter = dataset(g.get(), rp, "counter", 0, "1", true, true, n);
        if (counter.ok) {
            Hid ds = h5::openDataset(g.get(), "counter", at(rp));
            Hid type(H5Dget_type(ds.get()), H5Tclose);
            if (H5Tget_class(type.get()) != H5T_INTEGER)
                issue(rp + "/counter", "must be integers");
        }
        gaps(g.get(), rp, true);
        children(g.get(), rp, {"data", "time", "counter", "gaps"});
    }

    void forceplate(hid_t trial_group, const std::string& fp, bool live) {
        Hid g = h5::openGroup(trial_group, "forceplate", at(fp.substr(0, fp.rfind('/'))));
        const auto frame = stringAttr(g.get(), fp, "frame", true);
        if (frame && *frame != "plate")
            issue(fp, "attribute frame must be 'plate'");
        stringAttr(g.get(), fp, "cop_origin", true);
        stringAttr(g.get(), fp, "source", true);
        const auto n = time(g.get(), fp, live);
        dataset(g.get(), fp, "cop", 2, "m", true, true, n);
        const bool force = h5::hasLink(g.get(), "force");
        if (force)
            dataset(g.get(), fp, "force", 3, "N", true, true, n);
        if (h5::hasLink(g.get(), "moment")) {
            if (!force)
                issue(fp + "/moment", "moment without force");
            dataset(g.get(), fp, "moment", 3, "N.m", true, true, n);
        }
        gaps(g.get(), fp, true);
        children(g.get(), fp, {"force", "moment", "cop", "time", "gaps"});
    }

    void imuGroup(hid_t parent, const std::string& s, const std::string& ip, bool live) {
        Hid g = h5::openGroup(parent, s, at(ip.substr(0, ip.rfind('/'))));
        const auto n = time(g.get(), ip, live);
        dataset(g.get(), ip, "acc", 3, "m/s^2", true, true, n);
        dataset(g.get(), ip, "gyro", 3, "rad/s", true, true, n);
        if (h5::hasLink(g.get(), "quat"))
            dataset(g.get(), ip, "quat", 4, "1", true, true, n);
        gaps(g.get(), ip, true);
        children(g.get(), ip, {"acc", "gyro", "quat", "time", "gaps"});
    }

    void derived(hid_t trial_group, const std::string& dp) {
        Hid g = h5::openGroup(trial_group, "derived", at(dp.substr(0, dp.rfind('/'))));
        for (const auto& name : h5::children(g.get(), at(dp))) {
            const std::string p = dp + "/" + name;
            const Checked c = dataset(g.get(), dp, name, -1, "", true);
            if (!c.ok)
                continue;
            Hid ds = h5::openDataset(g.get(), name, at(dp));
            const auto rate = numberAttr(ds.get(), p, "sample_rate_hz", true);
            if (rate && !(*rate > 0))
                issue(p, "sample_rate_hz must be > 0");
            numberAttr(ds.get(), p, "start_time_s", true);
            const auto algo = stringAttr(ds.get(), p, "algorithm", true);
            if (algo && algo->empty())
                issue(p, "attribute algorithm is empty");
            stringAttr(ds.get(), p, "algorithm_version", true);
        }
    }

    void metrics(hid_t trial_group, const std::string& mp) {
        Hid g = h5::openGroup(trial_group, "metrics", at(mp.substr(0, mp.rfind('/'))));
        for (const auto& name : h5::children(g.get(), at(mp))) {
            const std::string p = mp + "/" + name;
            if (h5::linkType(g.get(), name) != H5O_TYPE_DATASET) {
                issue(p, "must be a dataset");
                continue;
            }
            guarded(p, [&] {
                Hid ds = h5::openDataset(g.get(), name, at(mp));
                const auto s = h5::dataShape(ds.get(), at(p));
                if (!(s.rank == 0 || (s.rank == 1 && s.rows == 1)))
                    issue(p, "must hold one value");
                h5::readDoubles(ds.get(), at(p));
                stringsAttr(ds.get(), p, "units", 1);
                stringAttr(ds.get(), p, "frame", true);
                const auto algo = stringAttr(ds.get(), p, "algorithm", true);
                if (algo && algo->empty())
                    issue(p, "attribute algorithm is empty");
                stringAttr(ds.get(), p, "algorithm_version", true);
            });
        }
    }

    void events(hid_t trial_group, const std::string& ep, bool live) {
        Hid g = h5::openGroup(trial_group, "events", at(ep.substr(0, ep.rfind('/'))));
        const auto n = time(g.get(), ep, live);
        dataset(g.get(), ep, "label", 0, "", false, false, n);
        children(g.get(), ep, {"time", "label"});
    }

private:
    ValidationReport& report_;
    std::set<std::string> device_ids_;
};

}  // namespace

ValidationReport validateBundle(const std::filesystem::path& path) {
    h5::quiet();
    ValidationReport report;
    report.file = path.string();
    h5::OpenedFile opened;
    try {
        opened = h5::openForReading(path);
    } catch (const DatasetError& e) {
        report.issues.push_back(ValidationIssue{"/", e.problem()});
        return report;
    }
    Validator v(report);
    const hid_t f = opened.file.get();
    v.guarded("/", [&] { v.root(f); });
    if (report.format_version > kH5FormatVersion)
        return report;  // the rest follows rules this software does not know
    v.guarded("/devices", [&] { v.devices(f); });
    v.guarded("/subjects", [&] { v.subjects(f); });
    return report;
}

}  // namespace stance::datasets
