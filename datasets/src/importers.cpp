// Import dispatch and importFiles: many source files into one bundle, all or nothing.

#include <algorithm>
#include <map>

#include "import_common.hpp"
#include "import_trials.hpp"
#include "stance/datasets/h5_writer.hpp"

namespace stance::datasets {

namespace import_detail {

ImportedTrial defaultTrial(const std::filesystem::path& file, const ImportOptions& options,
                           const char* format) {
    ImportedTrial t;
    t.subject.id = options.subject_id.empty() ? "unknown" : options.subject_id;
    t.session.start_utc = options.session_start;
    t.trial.info.condition = options.condition.empty() ? "unspecified" : options.condition;
    t.trial.info.source_id = fileStem(file);
    t.trial.info.source_format = format;
    t.trial.info.status = TrialStatus::kComplete;
    return t;
}

}  // namespace import_detail

ImportedTrial importTrial(const std::filesystem::path& file, const ImportOptions& options,
                          const MetadataTable* info) {
    switch (options.format) {
        case ImportFormat::kBds:
            return import_detail::importBds(file, options, info);
        case ImportFormat::kPds:
            return import_detail::importPds(file, options, info);
        case ImportFormat::kMotive:
            return import_detail::importMotive(file, options);
        case ImportFormat::kAmtiBsf:
            return import_detail::importAmtiBsf(file, options);
        case ImportFormat::kCsv:
            return import_detail::importCsv(file, options);
    }
    throw DatasetError(file.string(), 0, "unknown import format");
}

std::vector<ImportSummaryItem> importFiles(const std::vector<std::filesystem::path>& files,
                                           const std::filesystem::path& out,
                                           const ImportOptions& options,
                                           const WriteOptions& write_options) {
    if (files.empty())
        throw DatasetError(out.string(), 0, "no input files");
    std::optional<MetadataTable> info;
    if (options.info) {
        if (options.format == ImportFormat::kBds)
            info = readBdsInfo(*options.info);
        else if (options.format == ImportFormat::kPds)
            info = readPdsInfo(*options.info);
        else
            throw DatasetError(options.info->string(), 0,
                               "a metadata file is read only for the bds and pds formats");
    }
    struct Item {
        std::string file;
        ImportedTrial trial;
    };
    std::vector<Item> items;
    std::map<std::string, std::string> seen_ids;  // source id -> file
    for (const auto& f : files) {
        Item item{f.string(), importTrial(f, options, info ? &*info : nullptr)};
        const std::string& id = item.trial.trial.info.source_id;
        if (const auto it = seen_ids.find(id); it != seen_ids.end())
            throw DatasetError(f.string(), 0, "trial '" + id + "' is also given as " + it->second);
        seen_ids.emplace(id, item.file);
        items.push_back(std::move(item));
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        const auto key = [](const Item& i) {
            return std::tie(i.trial.subject.id, i.trial.session.start_utc,
                            i.trial.trial.info.source_id);
        };
        return key(a) < key(b);
    });

    BundleWriter writer(out, write_options);
    std::vector<ImportSummaryItem> summary;
    for (const Item& item : items) {
        const ImportedTrial& t = item.trial;
        for (const auto& d : t.devices) {
            if (!writer.hasDevice(d.id))
                writer.addDevice(d);
        }
        if (!writer.hasSubject(t.subject.id))
            writer.addSubject(t.subject);
        const std::string session = t.session.start_utc.empty() ? "undated" : t.session.start_utc;
        if (!writer.hasSession(t.subject.id, session))
            writer.addSession(t.subject.id, t.session);
        ImportSummaryItem s;
        s.file = item.file;
        s.ref = writer.addTrial(t.subject.id, session, t.trial);
        s.condition = t.trial.info.condition;
        if (t.trial.forceplate) {
            s.samples = static_cast<std::size_t>(t.trial.forceplate->time_s.size());
            s.gaps = t.trial.forceplate->gaps.size();
        }
        summary.push_back(std::move(s));
    }
    writer.commit();
    return summary;
}

}  // namespace stance::datasets
