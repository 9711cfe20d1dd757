#pragma once
/// \file
/// Private: one function per import format (importers.hpp states each mapping).

#include <filesystem>

#include "stance/datasets/importers.hpp"

namespace stance::datasets::import_detail {

/// Subject, session and trial attributes from the options alone (no metadata file):
/// subject options.subject_id, session options.session_start ("" = undated), condition
/// options.condition or "unspecified", source_id = file stem, source_format = format.
ImportedTrial defaultTrial(const std::filesystem::path& file, const ImportOptions& options,
                           const char* format);

ImportedTrial importBds(const std::filesystem::path& file, const ImportOptions& options,
                        const MetadataTable* info);
ImportedTrial importPds(const std::filesystem::path& file, const ImportOptions& options,
                        const MetadataTable* info);
ImportedTrial importMotive(const std::filesystem::path& file, const ImportOptions& options);
ImportedTrial importAmtiBsf(const std::filesystem::path& file, const ImportOptions& options);
ImportedTrial importCsv(const std::filesystem::path& file, const ImportOptions& options);

}  // namespace stance::datasets::import_detail
