// Exporters (export.hpp; docs/exports.md).

#include "stance/datasets/export.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>

#include "batch_sink.hpp"
#include "export_csv.hpp"
#include "stance/datasets/h5_writer.hpp"

#ifndef STANCE_VERSION
#error "STANCE_VERSION must be defined by the build (the project version)"
#endif

namespace stance::datasets {

namespace {

namespace fs = std::filesystem;
using detail::formatNumber;
using detail::formatSample;
using Columns = std::vector<std::pair<std::string, analysis::MetricUnit>>;

/// One selected trial, whatever its source.
struct Item {
    std::string subject_key;  ///< catalog subject code or bundle subject id
    SubjectInfo subject;      ///< sex, height, mass (and, from a bundle, its other attributes)
    std::optional<Patient> patient;
    SessionInfo session;
    std::string session_key;   ///< groups the trials of one session
    std::string session_date;  ///< "YYYY-MM-DD", or "" when undated
    std::string condition;
    int repetition = 1;
    TrialStatus status = TrialStatus::kComplete;
    fs::path data_file;
    std::optional<TrialRef> ref;
    std::string where;  ///< names the trial in messages
    std::vector<MetricRecord> stored;
    std::optional<double> age_years;
    // Filled by prepare().
    std::string subject_out;
    int session_number = 0;
};

bool contains(const std::vector<std::string>& list, const std::string& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

bool dateSelected(const ExportFilter& f, const std::string& date) {
    if (!f.from_date && !f.to_date)
        return true;
    if (date.empty())
        return false;
    return (!f.from_date || date >= formatIsoDate(*f.from_date)) &&
           (!f.to_date || date <= formatIsoDate(*f.to_date));
}

/// Trial and device attributes a de-identified bundle keeps: descriptions of the measurement
/// that the importers, the recorder and the demo write. Everything else is dropped, because an
/// attribute can hold anything: a Motive take name or a capture file name is often the
/// patient's name, a source trial id is the source file's name (like `source_id`).
bool keptWhenDeidentified(std::string_view key) {
    static constexpr std::array<std::string_view, 19> kKept = {"counter_source",
                                                               "demo",
                                                               "device_time_at_first_s",
                                                               "dropped_frames",
                                                               "fs_hz",
                                                               "instruction",
                                                               "length_m",
                                                               "n_samples",
                                                               "orientation_frame",
                                                               "output_configuration",
                                                               "rate_source",
                                                               "repetition",
                                                               "samples_without_cop",
                                                               "source",
                                                               "surface",
                                                               "time_alignment",
                                                               "time_source",
                                                               "vision",
                                                               "width_m"};
    return std::find(kKept.begin(), kKept.end(), key) != kKept.end();
}

void dropFreeAttributes(Attributes& a) {
    std::erase_if(a, [](const auto& kv) { return !keptWhenDeidentified(kv.first); });
}

std::string sessionGroup(const SessionInfo& s) {
    return s.start_utc.empty() ? std::string("undated") : s.start_utc;
}

/// Orders session starts as times: "...:17Z" before "...:17.753Z" (as text, '.' < 'Z').
std::string startOrderKey(const std::string& start) {
    return !start.empty() && start.back() == 'Z' ? start.substr(0, start.size() - 1) : start;
}

/// Whose clock a session start without a zone is: its `time_zone` attribute, kUnknownTimeZone
/// when it has none; "" when the start is UTC (or undated).
std::string sessionTimeZone(const SessionInfo& s) {
    const auto start = parseIsoStart(s.start_utc);
    if (!start || start->utc)
        return {};
    const auto it = s.extra.find("time_zone");
    if (it != s.extra.end() && std::holds_alternative<std::string>(it->second) &&
        !std::get<std::string>(it->second).empty())
        return std::get<std::string>(it->second);
    return std::string(kUnknownTimeZone);
}

std::string datePart(const std::string& start) {
    return isIsoTimestamp(start) && start.size() >= 10 ? start.substr(0, 10) : std::string();
}

std::vector<Item> collect(const BundleReader& r, const ExportFilter& f) {
    const std::string file = r.path().string();
    std::map<std::string, SubjectInfo> subjects;
    for (auto& s : r.subjects())
        subjects[s.id] = std::move(s);
    std::map<std::pair<std::string, std::string>, SessionInfo> sessions;
    for (const auto& [id, s] : subjects) {
        for (auto& x : r.sessions(id))
            sessions[{id, sessionGroup(x)}] = std::move(x);
    }
    std::vector<Item> out;
    std::map<std::tuple<std::string, std::string, std::string>, int> repetitions;
    for (const TrialRef& ref : r.trials()) {
        const auto& subject = subjects.at(ref.subject_id);
        const auto sit = sessions.find({ref.subject_id, ref.session_start});
        const SessionInfo session = sit != sessions.end() ? sit->second : SessionInfo{};
        const TrialInfo info = r.trialInfo(ref);
        // Repetitions are counted in trial order within a session and condition, before the
        // selection, so that they do not depend on it.
        const int rep = ++repetitions[{ref.subject_id, ref.session_start, info.condition}];
        const std::string date = datePart(session.start_utc);
        if (!contains(f.subject_codes, ref.subject_id) || !contains(f.conditions, info.condition) ||
            !dateSelected(f, date))
            continue;
        Item it;
        it.subject_key = ref.subject_id;
        it.subject = subject;
        it.session = session;
        it.session_key = ref.subject_id + "\n" + ref.session_start;
        it.session_date = date;
        it.condition = info.condition;
        it.repetition = rep;
        it.status = info.status;
        it.data_file = r.path();
        it.ref = ref;
        it.where = file + ":" + ref.path();
        if (subject.age_years)
            it.age_years = subject.age_years;
        else if (subject.birth_year && !date.empty())
            it.age_years = std::stoi(date.substr(0, 4)) - *subject.birth_year;
        out.push_back(std::move(it));
    }
    return out;
}

std::optional<TrialRef> parseGroup(const std::string& group) {
    // "/subjects/<id>/sessions/<start>/trials/<nnn>"
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= group.size()) {
        const auto next = group.find('/', pos);
        parts.push_back(
            group.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
        if (next == std::string::npos)
            break;
        pos = next + 1;
    }
    if (parts.size() != 7 || !parts[0].empty() || parts[1] != "subjects" ||
        parts[3] != "sessions" || parts[5] != "trials")
        return std::nullopt;
    return TrialRef{parts[2], parts[4], parts[6]};
}

std::vector<Item> collect(const Catalog& c, const ExportFilter& f, analysis::Pipeline pipeline) {
    const fs::path base = fs::path(c.location()).parent_path();
    const std::string pipeline_name(analysis::pipelineName(pipeline));
    std::vector<Item> out;
    std::map<std::string, std::unique_ptr<BundleReader>> readers;
    for (auto& rec : c.findTrials(f)) {
        Item it;
        const Patient& p = rec.patient;
        it.subject_key = p.subject_code;
        it.subject.id = p.subject_code;
        it.subject.sex = p.sex;
        it.subject.height_m = p.height_m;
        it.subject.mass_kg = p.mass_kg;
        if (p.birth_date)
            it.subject.birth_year = static_cast<int>(p.birth_date->year());
        const auto day = std::chrono::floor<std::chrono::days>(rec.session.start_utc);
        const std::chrono::year_month_day ymd{day};
        if (p.birth_date) {
            if (const auto age = ageInYears(*p.birth_date, ymd))
                it.age_years = *age;
        }
        it.patient = p;
        // A local start keeps its text without 'Z' and says whose clock it is, as in a bundle.
        it.session.start_utc = formatSessionStart(rec.session);
        if (!rec.session.time_zone.empty())
            it.session.extra["time_zone"] = rec.session.time_zone;
        it.session.site = rec.session.site;
        it.session.operator_id = rec.session.operator_name;
        it.session.protocol = rec.session.protocol;
        it.session.protocol_version = rec.session.protocol_version;
        it.session_key = std::to_string(rec.session.id);
        it.session_date = formatIsoDate(ymd);
        it.condition = rec.trial.condition;
        it.repetition = rec.trial.repetition;
        it.status = rec.trial.status;
        it.where = c.location() + ": trial " + std::to_string(rec.trial.id);
        if (!rec.trial.data_path.empty()) {
            const fs::path dp(rec.trial.data_path);
            it.data_file = dp.is_absolute() ? dp : base / dp;
            it.ref = parseGroup(rec.trial.data_group);
            if (!it.ref)
                throw DatasetError(c.location(), 0,
                                   "trial " + std::to_string(rec.trial.id) + ": data group '" +
                                       rec.trial.data_group +
                                       "' is not /subjects/<id>/sessions/<start>/trials/<n>");
            it.where += " (" + it.data_file.string() + ":" + rec.trial.data_group + ")";
        }
        if (!it.age_years && it.ref) {
            // No birth date in the catalog: the recording's own age at the session, if any.
            try {
                auto rit = readers.find(it.data_file.string());
                if (rit == readers.end())
                    rit = readers
                              .emplace(it.data_file.string(),
                                       std::make_unique<BundleReader>(it.data_file))
                              .first;
                it.age_years = rit->second->subject(it.ref->subject_id).age_years;
            } catch (const DatasetError& e) {
                throw DatasetError(e.file(), e.line(),
                                   e.problem() + " (exporting " + it.where + ")");
            }
        }
        for (auto& m : c.trialMetrics(rec.trial.id)) {
            if (m.pipeline == pipeline_name)
                it.stored.push_back(std::move(m));
        }
        out.push_back(std::move(it));
    }
    return out;
}

/// Pseudonyms (or codes), session numbers per subject, and the output order.
void prepare(std::vector<Item>& items, const ExportOptions& o) {
    if (o.identity == IdentityMode::kPseudonymised && !o.secret)
        throw std::invalid_argument("a pseudonymised export needs the site secret");
    for (auto& it : items) {
        it.subject_out = o.identity == IdentityMode::kPseudonymised
                             ? o.secret->pseudonym(it.subject_key)
                             : it.subject_key;
    }
    std::map<std::string, std::set<std::pair<std::string, std::string>>> sessions_of;
    for (const auto& it : items)
        sessions_of[it.subject_out].insert({startOrderKey(it.session.start_utc), it.session_key});
    for (auto& it : items) {
        const auto& s = sessions_of[it.subject_out];
        it.session_number =
            1 + static_cast<int>(std::distance(
                    s.begin(), s.find({startOrderKey(it.session.start_utc), it.session_key})));
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        return std::tie(a.subject_out, a.session_number, a.condition, a.repetition) <
               std::tie(b.subject_out, b.session_number, b.condition, b.repetition);
    });
}

/// Opens each data file once per thread.
class ReaderCache {
public:
    const BundleReader& get(const fs::path& file) {
        auto it = readers_.find(file.string());
        if (it == readers_.end())
            it = readers_.emplace(file.string(), std::make_unique<BundleReader>(file)).first;
        return *it->second;
    }

private:
    std::map<std::string, std::unique_ptr<BundleReader>> readers_;
};

/// One trial's metric values (SI, in column order) or why there are none.
struct RowValues {
    std::vector<std::optional<double>> values;
    std::string algorithm_version;
    std::string error;
};

RowValues fromStored(const Item& it, const Columns& columns) {
    RowValues r;
    r.values.assign(columns.size(), std::nullopt);
    std::set<std::string> versions;
    for (const auto& m : it.stored) {
        versions.insert(m.algorithm_version);
        for (std::size_t k = 0; k < columns.size(); ++k) {
            // A stored value counts only in the unit the metric has now (SI label).
            if (columns[k].first == m.name && m.value && m.unit == columns[k].second.label("m"))
                r.values[k] = m.value;
        }
    }
    for (const auto& v : versions)
        r.algorithm_version += (r.algorithm_version.empty() ? "" : ";") + v;
    return r;
}

RowValues computeRow(const Item& it, const ExportOptions& o, const Columns& columns,
                     ReaderCache& cache) {
    if (!it.stored.empty())
        return fromStored(it, columns);
    RowValues r;
    r.values.assign(columns.size(), std::nullopt);
    r.algorithm_version = analysis::kAlgorithmVersion;
    if (it.data_file.empty() || !it.ref) {
        r.error = "no stored metrics for pipeline '" +
                  std::string(analysis::pipelineName(o.pipeline)) + "' and no data file";
        return r;
    }
    // A file that cannot be read is fatal (DatasetError goes up); the data's own problems are not.
    const auto fp = cache.get(it.data_file).readForcePlate(*it.ref);
    if (!fp || fp->cop_m.rows() == 0) {
        r.error = "the trial has no force-plate COP";
        return r;
    }
    const auto trace = analysis::preprocess(fp->copRecording(), o.pipeline);
    if (!trace) {
        r.error = "cannot preprocess with pipeline '" +
                  std::string(analysis::pipelineName(o.pipeline)) + "': " + trace.error().message;
        return r;
    }
    const auto table = analysis::computeAllMetrics(*trace, o.metrics);
    for (std::size_t k = 0; k < columns.size(); ++k) {
        const auto* m = table.find(columns[k].first);
        if (m != nullptr && m->ok())
            r.values[k] = m->value;
    }
    return r;
}

std::vector<RowValues> computeRows(const std::vector<Item>& items, const ExportOptions& o,
                                   const Columns& columns) {
    std::vector<RowValues> rows(items.size());
    const std::size_t n = items.size();
    unsigned workers = o.jobs != 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    workers = static_cast<unsigned>(std::min<std::size_t>(workers, n));
    std::atomic<std::size_t> next{0};
    std::mutex error_mutex;
    std::exception_ptr first_error;
    std::size_t first_error_index = n;
    const auto work = [&] {
        ReaderCache cache;
        for (std::size_t i = next++; i < n; i = next++) {
            try {
                rows[i] = computeRow(items[i], o, columns, cache);
            } catch (...) {
                // Keep the first failing trial in selection order, so the message is stable.
                const std::lock_guard<std::mutex> g(error_mutex);
                if (i < first_error_index) {
                    first_error_index = i;
                    first_error = std::current_exception();
                }
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < workers; ++w)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    if (first_error) {
        try {
            std::rethrow_exception(first_error);
        } catch (const DatasetError& e) {
            throw DatasetError(e.file(), e.line(),
                               e.problem() + " (exporting " + items[first_error_index].where + ")");
        }
    }
    return rows;
}

void requireFree(const fs::path& out, const ExportOptions& o) {
    std::error_code ec;
    if (!o.overwrite && fs::exists(out, ec))
        throw DatasetError(
            out.string(), 0,
            "already exists; not replaced (choose another name or allow overwriting)");
}

std::string jsonString(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string jsonList(const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        out += (i == 0 ? "" : ", ") + jsonString(v[i]);
    return out + "]";
}

/// The metadata every export starts with: what it is, who made it, whether it identifies.
std::string metadataHead(const char* format, const std::string& source_kind,
                         const std::string& source_name, const ExportFilter& f,
                         const ExportOptions& o) {
    std::string j = "{\n";
    j += "  \"format\": " + jsonString(format) + ",\n";
    j += "  \"format_version\": 1,\n";
    j += "  \"created_utc\": " + jsonString(utcNowIso()) + ",\n";
    j += "  \"software\": \"stance\",\n";
    j += "  \"software_version\": " + jsonString(STANCE_VERSION) + ",\n";
    j += "  \"identity\": " + jsonString(identityModeName(o.identity)) + ",\n";
    if (o.identity == IdentityMode::kPseudonymised) {
        j += "  \"pseudonym\": {\"method\": " +
             jsonString(
                 "sub- + the first 16 hex digits of HMAC-SHA-256(site secret, "
                 "\"stance/subject/v1\" NUL subject id)") +
             ", \"key_id\": " + jsonString(o.secret->keyId()) + "},\n";
        j += "  \"removed\": " +
             jsonList({"names", "contact fields", "birth dates (age at the session kept)", "notes",
                       "operators", "source file ids", "free subject attributes"}) +
             ",\n";
    }
    j += "  \"source\": {\"kind\": " + jsonString(source_kind) +
         ", \"name\": " + jsonString(source_name) + "},\n";
    std::vector<std::string> subjects = f.subject_codes;
    if (o.identity == IdentityMode::kPseudonymised) {
        for (auto& s : subjects)
            s = o.secret->pseudonym(s);
    }
    j += "  \"selection\": {\"subjects\": " + jsonList(subjects) +
         ", \"conditions\": " + jsonList(f.conditions) + ", \"from_date\": " +
         (f.from_date ? jsonString(formatIsoDate(*f.from_date)) : std::string("null")) +
         ", \"to_date\": " +
         (f.to_date ? jsonString(formatIsoDate(*f.to_date)) : std::string("null")) + "},\n";
    return j;
}

std::string sourceName(const BundleReader& r) {
    return r.path().filename().string();
}
std::string sourceName(const Catalog& c) {
    return fs::path(c.location()).filename().string();
}

/// Length factors for units, from the options.
struct Units {
    std::string name;
    std::function<double(int)> factor;
    explicit Units(const ExportOptions& o)
        : name(o.length_factor ? o.length_unit : std::string("m")), factor(o.length_factor) {}
    double operator()(int power) const { return factor ? factor(power) : 1.0; }
};

std::string formatOptional(const std::optional<double>& v) {
    return v ? formatNumber(*v) : std::string();
}

void counts(ExportResult& r, const std::vector<Item>& items) {
    std::set<std::string> subjects, sessions;
    for (const auto& it : items) {
        subjects.insert(it.subject_out);
        sessions.insert(it.subject_out + "\n" + std::to_string(it.session_number));
    }
    r.subjects = subjects.size();
    r.sessions = sessions.size();
    r.trials = items.size();
}

ExportResult writeMetricsCsv(std::vector<Item> items, const std::string& source_kind,
                             const std::string& source_name, const ExportFilter& f,
                             const ExportOptions& o, const fs::path& out) {
    prepare(items, o);
    const fs::path meta = fs::path(out.string() + ".json");
    requireFree(out, o);
    requireFree(meta, o);
    const Columns columns = detail::metricColumns(o.metrics);
    const auto rows = computeRows(items, o, columns);
    const Units units(o);
    const bool identified = o.identity == IdentityMode::kIdentified;

    std::vector<std::pair<std::string, std::string>> fixed = {{"row_type", ""}, {"subject", ""}};
    if (identified) {
        fixed.insert(fixed.end(), {{"given_name", ""}, {"family_name", ""}, {"birth_date", ""}});
    }
    fixed.insert(fixed.end(), {{"sex", ""},
                               {"age_years", "years"},
                               {"height_m", "m"},
                               {"mass_kg", "kg"},
                               {"session", ""},
                               {"session_date", ""}});
    if (identified)
        fixed.emplace_back("session_start", "");
    fixed.insert(fixed.end(), {{"site", ""},
                               {"protocol", ""},
                               {"protocol_version", ""},
                               {"condition", ""},
                               {"repetition", ""},
                               {"status", ""},
                               {"n_trials", ""},
                               {"pipeline", ""},
                               {"algorithm_version", ""},
                               {"length_unit", ""},
                               {"error", ""}});
    std::string csv;
    for (std::size_t i = 0; i < fixed.size(); ++i) {
        if (i > 0)
            csv += ',';
        detail::appendCsvField(csv, fixed[i].first);
    }
    for (const auto& [name, unit] : columns) {
        csv += ',';
        detail::appendCsvField(csv, name);
    }
    csv += '\n';

    const std::string pipeline(analysis::pipelineName(o.pipeline));
    ExportResult result;
    // One line: identity and session fields of `it`, then the given trial fields and values.
    const auto line = [&](const char* row_type, const Item& it, const std::string& condition,
                          const std::string& repetition, const std::string& status,
                          const std::string& n_trials, const std::string& version,
                          const std::string& error, const std::vector<std::optional<double>>& v,
                          bool ratio) {
        std::vector<std::string> cells = {row_type, it.subject_out};
        if (identified) {
            const Patient* p = it.patient ? &*it.patient : nullptr;
            cells.push_back(p != nullptr ? p->given_name : "");
            cells.push_back(p != nullptr ? p->family_name : "");
            cells.push_back(p != nullptr && p->birth_date ? formatIsoDate(*p->birth_date) : "");
        }
        cells.push_back(it.subject.sex == Sex::kUnknown ? ""
                                                        : std::string(sexName(it.subject.sex)));
        cells.push_back(formatOptional(it.age_years));
        cells.push_back(formatOptional(it.subject.height_m));
        cells.push_back(formatOptional(it.subject.mass_kg));
        cells.push_back(std::to_string(it.session_number));
        cells.push_back(it.session_date);
        if (identified)
            cells.push_back(it.session.start_utc);
        cells.insert(cells.end(),
                     {it.session.site, it.session.protocol, it.session.protocol_version, condition,
                      repetition, status, n_trials, pipeline, version, units.name, error});
        std::string l;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i > 0)
                l += ',';
            detail::appendCsvField(l, cells[i]);
        }
        for (std::size_t k = 0; k < columns.size(); ++k) {
            l += ',';
            if (v[k])
                l += formatNumber(ratio ? *v[k] : *v[k] * units(columns[k].second.length_power));
        }
        csv += l + '\n';
    };

    std::size_t i = 0;
    while (i < items.size()) {
        // One subject's session: its trials, then its composites.
        std::size_t end = i;
        while (end < items.size() && items[end].subject_out == items[i].subject_out &&
               items[end].session_number == items[i].session_number)
            ++end;
        std::map<std::string, std::vector<std::size_t>> complete;
        for (std::size_t k = i; k < end; ++k) {
            const Item& it = items[k];
            line("trial", it, it.condition, std::to_string(it.repetition),
                 std::string(trialStatusName(it.status)), "1", rows[k].algorithm_version,
                 rows[k].error, rows[k].values, false);
            if (!rows[k].error.empty())
                result.analysis_failures.push_back(it.where + ": " + rows[k].error);
            if (it.status == TrialStatus::kComplete && rows[k].error.empty())
                complete[it.condition].push_back(k);
        }
        std::map<std::string, std::vector<std::optional<double>>> means;
        for (const auto& [condition, idx] : complete) {
            std::vector<std::optional<double>> mean(columns.size());
            std::set<std::string> versions;
            for (const std::size_t k : idx)
                versions.insert(rows[k].algorithm_version);
            for (std::size_t c = 0; c < columns.size(); ++c) {
                double sum = 0.0;
                bool all = true;
                for (const std::size_t k : idx) {
                    if (!rows[k].values[c]) {
                        all = false;
                        break;
                    }
                    sum += *rows[k].values[c];
                }
                if (all)
                    mean[c] = sum / static_cast<double>(idx.size());
            }
            std::string version;
            for (const auto& v : versions)
                version += (version.empty() ? "" : ";") + v;
            line("condition_mean", items[i], condition, "", "complete", std::to_string(idx.size()),
                 version, "", mean, false);
            ++result.composite_rows;
            means[condition] = std::move(mean);
        }
        // Romberg quotient, eyes closed / eyes open (Van Parys & Njiokiktjien 1976, "Romberg's
        // sign expressed in a quotient", Agressologie 17), per surface and metric.
        for (const auto& [condition, ec] : means) {
            if (condition.rfind("ec_", 0) != 0)
                continue;
            const auto eo = means.find("eo_" + condition.substr(3));
            if (eo == means.end())
                continue;
            std::vector<std::optional<double>> q(columns.size());
            for (std::size_t c = 0; c < columns.size(); ++c) {
                if (ec[c] && eo->second[c] && *eo->second[c] > 0.0 && *ec[c] >= 0.0)
                    q[c] = *ec[c] / *eo->second[c];
            }
            line("romberg_quotient", items[i], condition + "/" + eo->first, "", "complete",
                 std::to_string(complete[condition].size() + complete[eo->first].size()),
                 analysis::kAlgorithmVersion, "", q, true);
            ++result.composite_rows;
        }
        // mCTSIB (Shumway-Cook & Horak 1986, modified): with all four conditions present, the
        // composite is the mean over every complete trial of the four (the NeuroCom-style
        // composite of its 12 trials, as analysis::scoreMctsib computes it for sway velocity),
        // and the sensory ratios are those of analysis::MctsibResult: eo_firm / ec_firm
        // (somatosensory), eo_firm / eo_foam (visual), eo_firm / ec_foam (vestibular).
        constexpr std::array<const char*, 4> kMctsib = {"eo_firm", "ec_firm", "eo_foam", "ec_foam"};
        if (std::all_of(kMctsib.begin(), kMctsib.end(),
                        [&](const char* c) { return means.count(c) != 0; })) {
            std::vector<std::optional<double>> composite(columns.size());
            std::size_t n = 0;
            std::set<std::string> versions;
            for (const char* c : kMctsib) {
                n += complete[c].size();
                for (const std::size_t k : complete[c])
                    versions.insert(rows[k].algorithm_version);
            }
            for (std::size_t col = 0; col < columns.size(); ++col) {
                double sum = 0.0;
                bool all = true;
                for (const char* c : kMctsib) {
                    for (const std::size_t k : complete[c]) {
                        all = all && rows[k].values[col].has_value();
                        if (all)
                            sum += *rows[k].values[col];
                    }
                }
                if (all)
                    composite[col] = sum / static_cast<double>(n);
            }
            std::string version;
            for (const auto& v : versions)
                version += (version.empty() ? "" : ";") + v;
            line("mctsib_composite", items[i], "eo_firm+ec_firm+eo_foam+ec_foam", "", "complete",
                 std::to_string(n), version, "", composite, false);
            ++result.composite_rows;
            const std::vector<std::pair<const char*, const char*>> ratios = {
                {"somatosensory", "ec_firm"}, {"visual", "eo_foam"}, {"vestibular", "ec_foam"}};
            const auto& reference = means["eo_firm"];
            for (const auto& [ratio_name, other] : ratios) {
                const auto& denominator = means[other];
                std::vector<std::optional<double>> q(columns.size());
                for (std::size_t col = 0; col < columns.size(); ++col) {
                    if (reference[col] && denominator[col] && *denominator[col] > 0.0 &&
                        *reference[col] >= 0.0)
                        q[col] = *reference[col] / *denominator[col];
                }
                line("mctsib_ratio", items[i], std::string(ratio_name) + ": eo_firm/" + other, "",
                     "complete",
                     std::to_string(complete["eo_firm"].size() + complete[other].size()),
                     analysis::kAlgorithmVersion, "", q, true);
                ++result.composite_rows;
            }
        }
        i = end;
    }

    std::string j = metadataHead("stance-metrics-csv", source_kind, source_name, f, o);
    j += "  \"file\": " + jsonString(out.filename().string()) + ",\n";
    j += "  \"pipeline\": " + jsonString(pipeline) + ",\n";
    j += "  \"algorithm_version\": " + jsonString(analysis::kAlgorithmVersion) + ",\n";
    j += "  \"length_unit\": " + jsonString(units.name) + ",\n";
    j += "  \"row_types\": {\"trial\": \"one trial\", \"condition_mean\": \"mean over the "
         "complete repetitions of a condition in a session (blank when a repetition lacks "
         "the metric)\", \"romberg_quotient\": \"ec_<surface> mean / eo_<surface> mean; every "
         "metric column is then a dimensionless ratio, blank unless eo > 0\", "
         "\"mctsib_composite\": \"with eo_firm, ec_firm, eo_foam and ec_foam all in the session: "
         "mean over every complete trial of the four (blank when one lacks the metric)\", "
         "\"mctsib_ratio\": \"somatosensory eo_firm/ec_firm, visual eo_firm/eo_foam, vestibular "
         "eo_firm/ec_foam, of the condition means; dimensionless, blank unless the denominator "
         "> 0\"},\n";
    j += "  \"columns\": [\n";
    for (std::size_t k = 0; k < fixed.size(); ++k)
        j += "    {\"name\": " + jsonString(fixed[k].first) +
             ", \"unit\": " + jsonString(fixed[k].second) + "},\n";
    for (std::size_t k = 0; k < columns.size(); ++k)
        j += "    {\"name\": " + jsonString(columns[k].first) +
             ", \"unit\": " + jsonString(columns[k].second.label(units.name)) + "}" +
             (k + 1 < columns.size() ? ",\n" : "\n");
    j += "  ]\n}\n";

    writeFileAtomically(meta, j);
    writeFileAtomically(out, csv);
    counts(result, items);
    result.files = {out, meta};
    return result;
}

/// A name safe in a file name: letters, digits, '.', '-', '_' kept, anything else '_'.
std::string safeName(const std::string& s) {
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out += (std::isalnum(u) || c == '.' || c == '-' || c == '_') ? c : '_';
    }
    return out.empty() ? std::string("_") : out;
}

/// Renames a finished temporary folder onto `out`, replacing an older one when allowed.
void publishFolder(const fs::path& temp, const fs::path& out, bool overwrite) {
    std::error_code ec;
    fs::path old;
    if (fs::exists(out, ec)) {
        if (!overwrite)
            throw DatasetError(
                out.string(), 0,
                "already exists; not replaced (choose another name or allow overwriting)");
        old = out.string() + ".old-" + std::to_string(::getpid());
        fs::rename(out, old, ec);
        if (ec)
            throw DatasetError(out.string(), 0,
                               "cannot move the old export aside: " + ec.message());
    }
    fs::rename(temp, out, ec);
    if (ec) {
        const std::string why = ec.message();
        if (!old.empty())
            fs::rename(old, out, ec);
        throw DatasetError(out.string(), 0, "cannot move the export into place: " + why);
    }
    if (!old.empty())
        fs::remove_all(old, ec);
}

/// Removes a temporary folder unless released.
struct TempFolder {
    fs::path path;
    bool keep = false;
    ~TempFolder() {
        if (!keep) {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    }
};

std::string signalCsv(const Eigen::VectorXd& t, const std::vector<std::string>& names,
                      const std::vector<const Eigen::MatrixXd*>& blocks,
                      const std::vector<double>& scale) {
    std::string s;
    s += "time_s";
    for (const auto& n : names)
        s += "," + n;
    s += '\n';
    for (Eigen::Index r = 0; r < t.size(); ++r) {
        s += formatSample(t(r));
        std::size_t col = 0;
        for (const auto* b : blocks) {
            for (Eigen::Index c = 0; c < b->cols(); ++c, ++col) {
                s += ',';
                s += formatSample((*b)(r, c) * scale[col]);
            }
        }
        s += '\n';
    }
    return s;
}

ExportResult writeSignals(std::vector<Item> items, const std::string& source_kind,
                          const std::string& source_name, const ExportFilter& f,
                          const ExportOptions& o, const fs::path& out_dir) {
    prepare(items, o);
    std::error_code ec;
    if (!o.overwrite && fs::exists(out_dir, ec))
        throw DatasetError(
            out_dir.string(), 0,
            "already exists; not replaced (choose another name or allow overwriting)");
    TempFolder temp{fs::path(out_dir.string() + ".tmp-" + std::to_string(::getpid()))};
    fs::remove_all(temp.path, ec);
    fs::create_directories(temp.path, ec);
    if (ec)
        throw DatasetError(temp.path.string(), 0, "cannot create: " + ec.message());
    const Units units(o);
    const double len = units(1);
    ReaderCache cache;
    std::string manifest_files;
    ExportResult result;
    for (const Item& it : items) {
        if (it.data_file.empty() || !it.ref)
            throw DatasetError(it.where, 0, "the trial has no data file to export");
        TrialData data;
        try {
            data = cache.get(it.data_file).readTrial(*it.ref);
        } catch (const DatasetError& e) {
            throw DatasetError(e.file(), e.line(), e.problem() + " (exporting " + it.where + ")");
        }
        const std::string base = safeName(it.subject_out) + "_ses-" +
                                 std::to_string(it.session_number) + "_" + safeName(it.condition) +
                                 "_rep-" + std::to_string(it.repetition);
        std::vector<std::string> files;
        if (data.forceplate && data.forceplate->time_s.size() > 0) {
            const auto& fp = *data.forceplate;
            std::vector<std::string> names = {"cop_ml_" + units.name, "cop_ap_" + units.name};
            const Eigen::MatrixXd cop = fp.cop_m;
            const Eigen::MatrixXd force = fp.force_n;
            const Eigen::MatrixXd moment = fp.moment_nm;
            std::vector<const Eigen::MatrixXd*> blocks = {&cop};
            std::vector<double> scale = {len, len};
            if (force.rows() == fp.time_s.size()) {
                names.insert(names.end(), {"fx_N", "fy_N", "fz_N"});
                blocks.push_back(&force);
                scale.insert(scale.end(), {1.0, 1.0, 1.0});
            }
            if (moment.rows() == fp.time_s.size()) {
                names.insert(names.end(), {"mx_Nm", "my_Nm", "mz_Nm"});
                blocks.push_back(&moment);
                scale.insert(scale.end(), {1.0, 1.0, 1.0});
            }
            const std::string name = base + "_forceplate.csv";
            writeFileAtomically(temp.path / name, signalCsv(fp.time_s, names, blocks, scale));
            files.push_back(name);
        }
        for (const auto& imu : data.imu) {
            std::vector<std::string> names = {"acc_x_mps2",   "acc_y_mps2",   "acc_z_mps2",
                                              "gyro_x_radps", "gyro_y_radps", "gyro_z_radps"};
            const Eigen::MatrixXd acc = imu.acc_mps2, gyro = imu.gyro_radps, quat = imu.quat_wxyz;
            std::vector<const Eigen::MatrixXd*> blocks = {&acc, &gyro};
            std::vector<double> scale(6, 1.0);
            if (quat.rows() == imu.time_s.size()) {
                names.insert(names.end(), {"quat_w", "quat_x", "quat_y", "quat_z"});
                blocks.push_back(&quat);
                scale.insert(scale.end(), 4, 1.0);
            }
            const std::string name = base + "_imu-" + safeName(imu.sensor) + ".csv";
            writeFileAtomically(temp.path / name, signalCsv(imu.time_s, names, blocks, scale));
            files.push_back(name);
        }
        if (files.empty())
            throw DatasetError(it.where, 0, "the trial has no force-plate or IMU signals");
        const std::string zone = sessionTimeZone(it.session);
        manifest_files +=
            std::string(manifest_files.empty() ? "" : ",\n") +
            "    {\"files\": " + jsonList(files) + ", \"subject\": " + jsonString(it.subject_out) +
            ", \"session\": " + std::to_string(it.session_number) +
            ", \"session_date\": " + jsonString(it.session_date) +
            ", \"session_time_zone\": " + (zone.empty() ? std::string("null") : jsonString(zone)) +
            ", \"condition\": " + jsonString(it.condition) +
            ", \"repetition\": " + std::to_string(it.repetition) +
            ", \"status\": " + jsonString(trialStatusName(it.status)) + "}";
    }
    std::string j = metadataHead("stance-signals-csv", source_kind, source_name, f, o);
    j += "  \"length_unit\": " + jsonString(units.name) + ",\n";
    j += "  \"frame\": \"plate: x medio-lateral (subject's right +), y antero-posterior "
         "(anterior +), z up; forces are the ground reaction on the subject\",\n";
    j += "  \"trials\": [\n" + manifest_files + "\n  ]\n}\n";
    writeFileAtomically(temp.path / "manifest.json", j);
    publishFolder(temp.path, out_dir, o.overwrite);
    temp.keep = true;
    counts(result, items);
    result.files = {out_dir};
    return result;
}

ExportResult writeBundle(std::vector<Item> items, const ExportOptions& o, const fs::path& out) {
    prepare(items, o);
    const bool identified = o.identity == IdentityMode::kIdentified;
    WriteOptions wo;
    wo.overwrite = o.overwrite;
    BundleWriter w(out, wo);
    ReaderCache cache;
    std::map<std::string, std::vector<DeviceInfo>> devices_of;
    for (const Item& it : items) {
        if (it.data_file.empty() || !it.ref)
            throw DatasetError(it.where, 0, "the trial has no data file to export");
        const BundleReader& r = cache.get(it.data_file);
        TrialData data;
        try {
            data = r.readTrial(*it.ref);
        } catch (const DatasetError& e) {
            throw DatasetError(e.file(), e.line(), e.problem() + " (exporting " + it.where + ")");
        }
        if (!w.hasSubject(it.subject_out)) {
            SubjectInfo s;
            s.id = it.subject_out;
            s.sex = it.subject.sex;
            s.height_m = it.subject.height_m;
            s.mass_kg = it.subject.mass_kg;
            s.age_years = it.age_years;  // at this subject's first exported session
            if (identified) {
                s.birth_year = it.subject.birth_year;
                s.extra = it.subject.extra;
                if (it.patient) {
                    s.extra["subject_code"] = it.patient->subject_code;
                    s.extra["given_name"] = it.patient->given_name;
                    s.extra["family_name"] = it.patient->family_name;
                    if (it.patient->birth_date)
                        s.extra["birth_date"] = formatIsoDate(*it.patient->birth_date);
                }
            } else {
                s.extra["pseudonym_key_id"] = o.secret->keyId();
            }
            s.extra["identity"] = std::string(identityModeName(o.identity));
            w.addSubject(s);
        }
        const std::string group = sessionGroup(it.session);
        if (!w.hasSession(it.subject_out, group)) {
            SessionInfo s = it.session;
            if (!identified) {
                // Free attributes may hold anything; time_zone only says how to read the start.
                const std::string zone = sessionTimeZone(s);
                s.operator_id.clear();
                s.extra.clear();
                if (!zone.empty())
                    s.extra["time_zone"] = zone;
            }
            if (it.age_years)
                s.extra["age_years"] = *it.age_years;
            w.addSession(it.subject_out, s);
        }
        for (const auto& raw : data.raw) {
            if (w.hasDevice(raw.device))
                continue;
            auto& list = devices_of[it.data_file.string()];
            if (list.empty())
                list = r.devices();
            for (const auto& d : list) {
                if (d.id != raw.device)
                    continue;
                DeviceInfo kept = d;
                if (!identified)
                    dropFreeAttributes(kept.extra);
                w.addDevice(kept);
            }
        }
        data.info.condition = it.condition;
        data.info.status = it.status;
        if (!identified) {
            data.info.source_id.clear();
            dropFreeAttributes(data.info.extra);
        }
        (void)w.addTrial(it.subject_out, group, data, it.ref->trial_name);
    }
    w.commit();
    ExportResult result;
    counts(result, items);
    result.files = {out};
    return result;
}

}  // namespace

ExportResult exportMetricsCsv(const BundleReader& source, const ExportFilter& filter,
                              const ExportOptions& options, const fs::path& out) {
    return writeMetricsCsv(collect(source, filter), "bundle", sourceName(source), filter, options,
                           out);
}

ExportResult exportMetricsCsv(const Catalog& source, const ExportFilter& filter,
                              const ExportOptions& options, const fs::path& out) {
    return writeMetricsCsv(collect(source, filter, options.pipeline), "catalog", sourceName(source),
                           filter, options, out);
}

ExportResult exportSignalsCsv(const BundleReader& source, const ExportFilter& filter,
                              const ExportOptions& options, const fs::path& out_dir) {
    return writeSignals(collect(source, filter), "bundle", sourceName(source), filter, options,
                        out_dir);
}

ExportResult exportSignalsCsv(const Catalog& source, const ExportFilter& filter,
                              const ExportOptions& options, const fs::path& out_dir) {
    return writeSignals(collect(source, filter, options.pipeline), "catalog", sourceName(source),
                        filter, options, out_dir);
}

ExportResult exportBundle(const BundleReader& source, const ExportFilter& filter,
                          const ExportOptions& options, const fs::path& out) {
    return writeBundle(collect(source, filter), options, out);
}

ExportResult exportBundle(const Catalog& source, const ExportFilter& filter,
                          const ExportOptions& options, const fs::path& out) {
    return writeBundle(collect(source, filter, options.pipeline), options, out);
}

}  // namespace stance::datasets
