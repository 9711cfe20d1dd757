#include "batch_sink.hpp"

#include <charconv>
#include <map>
#include <set>
#include <utility>

#include "export_csv.hpp"
#include "stance/datasets/h5_reader.hpp"
#include "stance/datasets/h5_writer.hpp"

namespace stance::datasets::detail {

namespace {

using Key = std::pair<std::string, std::string>;  // (input, trial)

/// Columns before the metrics in metrics.csv.
constexpr const char* kFixedColumns[] = {"trial",    "source_id",         "input",
                                         "pipeline", "algorithm_version", "length_unit",
                                         "fs_hz",    "n_samples"};
constexpr std::size_t kFixedCount = std::size(kFixedColumns);
constexpr std::size_t kTrialColumn = 0, kSourceIdColumn = 1, kInputColumn = 2;
constexpr std::size_t kPipelineColumn = 3, kVersionColumn = 4, kUnitColumn = 5;
/// Columns 2 and 3 of an output written before the input column had its name: `source_id` held
/// the input and `trial_source_id` the source's identifier. Such a file is resumed and
/// rewritten in the current layout (the same cells, the two columns swapped).
constexpr const char* kOldInputColumn = "source_id";
constexpr const char* kOldSourceIdColumn = "trial_source_id";

bool isNumber(const std::string& s) {
    double v = 0.0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size();
}

/// "" when the outcome's metrics are exactly the columns, else why not.
std::string checkMetricSet(const analysis::MetricTable& m, const std::vector<std::string>& names) {
    const auto& e = m.entries();
    for (std::size_t i = 0; i < std::max(e.size(), names.size()); ++i) {
        if (i >= e.size() || i >= names.size() || e[i].name != names[i])
            return "the metric set differs from the output's columns at column " +
                   std::to_string(kFixedCount + i + 1) + " (an analysis bug: please report)";
    }
    return {};
}

class CsvBatchSink final : public BatchSink {
public:
    CsvBatchSink(const BatchOptions& o, std::vector<std::string> names)
        : name_(o.out.string()),
          pipeline_(analysis::pipelineName(o.pipeline)),
          unit_(o.length_factor ? o.length_unit : std::string("m")),
          names_(std::move(names)),
          file_(o.out, headerLine(), readExisting(o)) {
        for (int p = -2; p <= 2; ++p)
            factors_[p] = o.length_factor ? o.length_factor(p) : 1.0;
        // An output in the old layout is written anew, in the current one, at the first
        // checkpoint (atomically, like every checkpoint).
        file_.append(converted_);
        converted_.clear();
    }

    bool contains(const std::string& input, const std::string& trial) const override {
        return keys_.count({input, trial}) > 0;
    }

    std::string add(const BatchTrial& t, const TrialOutcome& r) override {
        if (auto why = checkMetricSet(r.metrics, names_); !why.empty())
            return t.file.string() + ": " + why;
        std::string line;
        line.reserve(32 * (names_.size() + kFixedCount));
        appendCsvField(line, t.trial);
        line += ',';
        appendCsvField(line, t.source_id);
        line += ',';
        appendCsvField(line, t.input);
        line += ',';
        appendCsvField(line, pipeline_);
        line += ',';
        appendCsvField(line, analysis::kAlgorithmVersion);
        line += ',';
        appendCsvField(line, unit_);
        line += ',';
        line += formatNumber(r.fs_hz);
        line += ',';
        line += std::to_string(r.n_samples);
        for (const auto& m : r.metrics.entries()) {
            line += ',';
            if (m.ok())
                line += formatNumber(m.value * factor(m.unit.length_power));
        }
        line += '\n';
        file_.append(line);
        keys_.insert({t.input, t.trial});
        return {};
    }

    bool hasPending() const override { return file_.hasPending(); }
    void checkpoint() override { file_.checkpoint(); }

private:
    double factor(int power) const {
        const auto it = factors_.find(power);
        return it != factors_.end() ? it->second : 1.0;
    }

    std::string headerLine() const {
        std::string h;
        for (std::size_t i = 0; i < kFixedCount; ++i) {
            if (i > 0)
                h += ',';
            appendCsvField(h, kFixedColumns[i]);
        }
        for (const auto& n : names_) {
            h += ',';
            appendCsvField(h, n);
        }
        return h + '\n';
    }

    /// Reads and validates an existing output; returns whether there is one to extend as it is.
    /// An output in the old layout (see kOldSourceIdColumn) is validated the same way; its rows,
    /// in the current layout, go to converted_ and false is returned, so that the file is
    /// rewritten from the header.
    bool readExisting(const BatchOptions& o) {
        std::error_code ec;
        if (!std::filesystem::exists(o.out, ec) || std::filesystem::file_size(o.out, ec) == 0)
            return false;
        auto records = parseCsv(readWholeFile(o.out), name_);
        if (records.empty())
            return false;
        auto& header = records.front().fields;
        const std::size_t header_line = records.front().line;
        const bool old_layout = header.size() > kInputColumn &&
                                header[kSourceIdColumn] == kOldInputColumn &&
                                header[kInputColumn] == kOldSourceIdColumn;
        if (old_layout) {
            for (auto& rec : records) {
                if (rec.fields.size() > kInputColumn)
                    std::swap(rec.fields[kSourceIdColumn], rec.fields[kInputColumn]);
            }
            header[kSourceIdColumn] = kFixedColumns[kSourceIdColumn];
            header[kInputColumn] = kFixedColumns[kInputColumn];
        }
        for (std::size_t i = 0; i < kFixedCount; ++i) {
            if (i >= header.size() || header[i] != kFixedColumns[i]) {
                // The layout before the source's identifier had a column: which one the input
                // was is known, the source ids of its bundle trials are not.
                const bool older = i == kInputColumn && i < header.size() &&
                                   header[i] == kFixedColumns[kPipelineColumn] &&
                                   header[kSourceIdColumn] == kOldInputColumn;
                throw DatasetError(
                    name_, header_line,
                    older ? std::string("written by an older Stance, without the columns "
                                        "source_id (the source's identifier of each trial) and "
                                        "input: use another --out")
                          : "not a stance batch output: column " + std::to_string(i + 1) + " is '" +
                                (i < header.size() ? header[i] : "") + "' where '" +
                                kFixedColumns[i] + "' is expected");
            }
        }
        for (std::size_t i = 0; i < std::max(header.size(), kFixedCount + names_.size()); ++i) {
            if (i < kFixedCount)
                continue;
            const std::size_t k = i - kFixedCount;
            const std::string hint =
                "; the file was written with other options (--complexity) or another Stance "
                "version: use another --out";
            if (i >= header.size())
                throw DatasetError(name_, header_line,
                                   "column " + std::to_string(i + 1) + " '" + names_[k] +
                                       "' that this run writes is missing" + hint);
            if (k >= names_.size())
                throw DatasetError(
                    name_, header_line,
                    "unknown column " + std::to_string(i + 1) + " '" + header[i] + "'" + hint);
            if (header[i] != names_[k])
                throw DatasetError(name_, header_line,
                                   "column " + std::to_string(i + 1) + " is '" + header[i] +
                                       "' where this run writes '" + names_[k] + "'" + hint);
        }
        const std::string version = analysis::kAlgorithmVersion;
        std::map<Key, std::size_t> first_line;
        for (std::size_t r = 1; r < records.size(); ++r) {
            const auto& rec = records[r];
            const auto& f = rec.fields;
            if (f.size() != header.size())
                throw DatasetError(name_, rec.line,
                                   std::to_string(f.size()) + " fields where the header has " +
                                       std::to_string(header.size()) +
                                       " (a torn or edited row): fix or remove the row");
            const auto mismatch = [&](std::size_t col, const std::string& want,
                                      const char* option) {
                if (f[col] != want)
                    throw DatasetError(name_, rec.line,
                                       std::string("written with ") + kFixedColumns[col] + " '" +
                                           f[col] + "' where this run uses '" + want + "' (" +
                                           option + "): use another --out");
            };
            mismatch(kPipelineColumn, pipeline_, "--pipeline");
            mismatch(kVersionColumn, version, "a newer Stance");
            mismatch(kUnitColumn, unit_, "--units");
            for (std::size_t c = kFixedCount - 2; c < f.size(); ++c) {
                if (!f[c].empty() && !isNumber(f[c]))
                    throw DatasetError(
                        name_, rec.line,
                        "column '" + header[c] + "': '" + f[c] + "' is not a number");
            }
            const Key key{f[kInputColumn], f[kTrialColumn]};
            const auto [it, inserted] = first_line.emplace(key, rec.line);
            if (!inserted)
                throw DatasetError(name_, rec.line,
                                   "trial '" + f[kTrialColumn] + "' of '" + f[kInputColumn] +
                                       "' appears twice (first on line " +
                                       std::to_string(it->second) + ")");
            keys_.insert(key);
            if (old_layout) {
                for (std::size_t c = 0; c < f.size(); ++c) {
                    if (c > 0)
                        converted_ += ',';
                    appendCsvField(converted_, f[c]);
                }
                converted_ += '\n';
            }
        }
        return !old_layout;
    }

    std::string name_;
    std::string pipeline_;
    std::string unit_;
    std::vector<std::string> names_;
    std::set<Key> keys_;
    std::map<int, double> factors_;
    std::string converted_;  ///< rows of an old-layout output, rewritten (before file_)
    CheckpointedFile file_;
};

/// metrics.h5: a stance-hdf5 file whose trials hold only `metrics/` (SI, one dataset per metric
/// with its unit) and attributes saying where each came from. Bundle trials keep their subject,
/// session and trial attributes; text trials go under subject "unknown", an undated session.
class H5BatchSink final : public BatchSink {
public:
    static constexpr const char* kUnknownSubject = "unknown";

    H5BatchSink(const BatchOptions& o, std::vector<std::string> names)
        : out_(o.out),
          pipeline_(analysis::pipelineName(o.pipeline)),
          complexity_(o.metrics.include_complexity ? 1 : 0),
          names_(std::move(names)) {
        std::error_code ec;
        exists_ = std::filesystem::exists(out_, ec);
        if (exists_)
            readExisting();
    }

    bool contains(const std::string& input, const std::string& trial) const override {
        return keys_.count({input, trial}) > 0;
    }

    std::string add(const BatchTrial& t, const TrialOutcome& r) override {
        if (auto why = checkMetricSet(r.metrics, names_); !why.empty())
            return t.file.string() + ": " + why;
        Pending p;
        if (t.in_bundle) {
            const BundleReader& src = source(t.file);
            p.subject = src.subject(t.ref.subject_id);
            for (auto& s : src.sessions(t.ref.subject_id)) {
                if (sessionGroup(s) == t.ref.session_start)
                    p.session = s;
            }
            p.trial.info = src.trialInfo(t.ref);
            p.trial_name = t.ref.trial_name;
        } else {
            p.subject.id = kUnknownSubject;
            p.trial.info.source_id = t.file.stem().string();
        }
        auto& extra = p.trial.info.extra;
        extra["batch_input"] = t.input;
        extra["batch_trial"] = t.trial;
        extra["pipeline"] = pipeline_;
        extra["algorithm_version"] = std::string(analysis::kAlgorithmVersion);
        extra["complexity"] = complexity_;
        extra["fs_hz"] = r.fs_hz;
        extra["n_samples"] = static_cast<std::int64_t>(r.n_samples);
        for (const auto& m : r.metrics.entries()) {
            if (!m.ok())
                continue;  // an undefined metric has no dataset (docs/exports.md)
            p.trial.metrics.push_back({m.name, m.value, m.unit.label("m"),
                                       "stance computeAllMetrics, pipeline " + pipeline_,
                                       analysis::kAlgorithmVersion});
        }
        pending_.push_back(std::move(p));
        keys_.insert({t.input, t.trial});
        return {};
    }

    bool hasPending() const override { return !pending_.empty(); }

    void checkpoint() override {
        WriteOptions wo;
        wo.overwrite = true;
        BundleWriter w(out_, wo);
        if (exists_) {
            const BundleReader previous(out_);
            const auto refs = previous.trials();
            w.copyTrials(previous, refs);
        }
        for (const auto& p : pending_) {
            if (!w.hasSubject(p.subject.id))
                w.addSubject(p.subject);
            const std::string group = sessionGroup(p.session);
            if (!w.hasSession(p.subject.id, group))
                w.addSession(p.subject.id, p.session);
            std::string name = p.trial_name;
            // The source's trial name when it is free in the output, else the next number.
            if (!name.empty()) {
                try {
                    (void)w.addTrial(p.subject.id, group, p.trial, name);
                    continue;
                } catch (const DatasetError&) {
                    name.clear();
                }
            }
            (void)w.addTrial(p.subject.id, group, p.trial, name);
        }
        w.commit();
        exists_ = true;
        pending_.clear();
    }

private:
    struct Pending {
        SubjectInfo subject;
        SessionInfo session;
        TrialData trial;
        std::string trial_name;
    };

    static std::string sessionGroup(const SessionInfo& s) {
        return s.start_utc.empty() ? std::string("undated") : s.start_utc;
    }

    const BundleReader& source(const std::filesystem::path& file) {
        auto it = sources_.find(file.string());
        if (it == sources_.end())
            it = sources_.emplace(file.string(), std::make_unique<BundleReader>(file)).first;
        return *it->second;
    }

    void readExisting() {
        const BundleReader r(out_);
        const std::string name = out_.string();
        const auto text = [](const Attributes& a, const char* key) -> std::string {
            const auto it = a.find(key);
            if (it == a.end() || !std::holds_alternative<std::string>(it->second))
                return {};
            return std::get<std::string>(it->second);
        };
        for (const TrialRef& ref : r.trials()) {
            const TrialInfo info = r.trialInfo(ref);
            const std::string where = ref.path();
            // Results written before the attribute had its name call it batch_source_id.
            std::string input = text(info.extra, "batch_input");
            if (input.empty())
                input = text(info.extra, "batch_source_id");
            const std::string trial = text(info.extra, "batch_trial");
            if (input.empty() || trial.empty())
                throw DatasetError(name, 0,
                                   where +
                                       ": not a stance batch result (no batch_input or "
                                       "batch_trial attribute): use another --out");
            const std::string pipeline = text(info.extra, "pipeline");
            if (pipeline != pipeline_)
                throw DatasetError(name, 0,
                                   where + ": written with pipeline '" + pipeline +
                                       "' where this run uses '" + pipeline_ +
                                       "' (--pipeline): use another --out");
            const std::string version = text(info.extra, "algorithm_version");
            if (version != analysis::kAlgorithmVersion)
                throw DatasetError(name, 0,
                                   where + ": written with algorithm version '" + version +
                                       "' where this run uses '" + analysis::kAlgorithmVersion +
                                       "': use another --out");
            const auto c = info.extra.find("complexity");
            if (c == info.extra.end() || !std::holds_alternative<std::int64_t>(c->second) ||
                std::get<std::int64_t>(c->second) != complexity_)
                throw DatasetError(name, 0,
                                   where +
                                       ": written with another --complexity setting: use "
                                       "another --out");
            if (!keys_.insert({input, trial}).second)
                throw DatasetError(
                    name, 0, where + ": trial '" + trial + "' of '" + input + "' appears twice");
        }
    }

    std::filesystem::path out_;
    std::string pipeline_;
    std::int64_t complexity_;
    std::vector<std::string> names_;
    bool exists_ = false;
    std::set<Key> keys_;
    std::vector<Pending> pending_;
    std::map<std::string, std::unique_ptr<BundleReader>> sources_;
};

}  // namespace

std::unique_ptr<BatchSink> openBatchSink(const BatchOptions& options,
                                         std::vector<std::string> metric_names) {
    const std::string ext = options.out.extension().string();
    if (ext == ".csv")
        return std::make_unique<CsvBatchSink>(options, std::move(metric_names));
    if (ext == ".h5" || ext == ".hdf5")
        return std::make_unique<H5BatchSink>(options, std::move(metric_names));
    throw DatasetError(options.out.string(), 0,
                       "unknown output type '" + ext + "': name it .csv, .h5 or .hdf5");
}

}  // namespace stance::datasets::detail
