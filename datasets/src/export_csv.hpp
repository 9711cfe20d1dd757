#pragma once
// CSV writing and reading (RFC 4180: comma separated, fields with a comma, quote or line break
// in double quotes, quotes doubled), number formatting, and the checkpointed output file of the
// batch engine. Private to datasets/.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace stance::datasets::detail {

/// Appends `field` to `line`, quoted when needed.
void appendCsvField(std::string& line, std::string_view field);

/// Shortest decimal text that reads back as the same double ("0.1", "1e-05", "-3.25").
/// Non-finite values give "" (an empty cell, never "nan").
std::string formatNumber(double v);

/// A measured sample at 15 significant digits, the shortest text at that precision ("13.23718").
/// A unit conversion of a stored sample (cm -> m on import, m -> mm on export) leaves a last-bit
/// error that the shortest round-trip text would show as "13.237179999999999"; 15 digits are
/// below the last bit of a double and far below any instrument's resolution. Non-finite: "".
std::string formatSample(double v);

/// One record of a CSV file and the 1-based line it starts on.
struct CsvRecord {
    std::size_t line = 0;
    std::vector<std::string> fields;
};

/// Splits CSV text into records. Throws DatasetError naming `name` and the line on an
/// unterminated quote or text after a closing quote. A final line without a line break is a
/// record like any other; blank lines are skipped.
std::vector<CsvRecord> parseCsv(std::string_view text, const std::string& name);

/// Reads a whole file into memory. Throws DatasetError naming it when it cannot be read.
std::string readWholeFile(const std::filesystem::path& path);

/// An output file that only ever changes by atomic replacement. Rows are appended in memory and
/// published by checkpoint(): the current file (or the header, for a new file) is copied to a
/// temporary file in the same folder, the new rows are appended, the temporary file is flushed
/// to disk and renamed over the output, and the folder is flushed. A crash or a kill at any
/// moment leaves either the previous version or the new one, never a torn file.
/// Thread rules: one thread.
class CheckpointedFile {
public:
    /// `exists`: the output file is there and is kept as the start of every version;
    /// otherwise each version starts with `header`.
    CheckpointedFile(std::filesystem::path path, std::string header, bool exists);
    ~CheckpointedFile();  ///< removes a temporary file left by a failed checkpoint
    CheckpointedFile(const CheckpointedFile&) = delete;
    CheckpointedFile& operator=(const CheckpointedFile&) = delete;

    void append(std::string_view row) { pending_ += row; }
    bool hasPending() const noexcept { return !pending_.empty(); }
    /// Publishes the pending rows. Throws DatasetError naming the output on failure, in which
    /// case the output keeps its previous content and the rows stay pending.
    void checkpoint();
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
    std::filesystem::path temp_;
    std::string header_;
    std::string pending_;
    bool exists_;
};

}  // namespace stance::datasets::detail
