#pragma once
/// \file
/// Private: text helpers shared by the importers (whole-file reads, lines with their numbers,
/// cells, numbers with errors that name the file, line and column).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/datasets/errors.hpp"
#include "stance/datasets/importers.hpp"

namespace stance::datasets::import_detail {

/// The whole file; throws DatasetError when it is missing, unreadable or empty.
std::string readWholeFile(const std::filesystem::path& path);

/// A line without its end-of-line characters, with its 1-based number.
struct Line {
    std::string_view text;
    std::size_t number = 0;
};
/// Splits text into lines (LF or CRLF).
std::vector<Line> splitLines(std::string_view text);

std::vector<std::string_view> splitCells(std::string_view line, char sep);
std::string_view trimView(std::string_view s);
std::string toLower(std::string_view s);

/// Parses a number; throws DatasetError(file, line, "column '<column>': '<cell>' is not a
/// number").
double parseNumber(std::string_view cell, const std::string& file, std::size_t line,
                   std::string_view column);
/// Same; an empty cell gives nullopt.
std::optional<double> parseOptionalNumber(std::string_view cell, const std::string& file,
                                          std::size_t line, std::string_view column);

/// Index of each wanted header name in `cells` (exact match after trimming); throws
/// DatasetError(file, line, "missing column '<name>'") for the first absent one.
std::vector<std::size_t> findColumns(const std::vector<std::string_view>& cells,
                                     const std::vector<std::string>& wanted,
                                     const std::string& file, std::size_t line);

/// eo_firm / ec_firm / eo_foam / ec_foam from the source's vision (Open/Closed) and surface
/// (Firm/Rigid/Foam) words; nullopt when either is something else.
std::optional<std::string> conditionFrom(std::string_view vision, std::string_view surface);

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil
/// algorithm, http://howardhinnant.github.io/date_algorithms.html).
long long daysFromCivil(int y, unsigned m, unsigned d);
/// "YYYY-MM-DDTHH:MM:SS[Z]" from days since 1970 and seconds of the day.
std::string isoFromDays(long long days, long long seconds_of_day, bool utc);
/// "2015-10-08 08:30:00.000" -> "2015-10-08T08:30:00" (a zero fraction dropped), or nullopt.
std::optional<std::string> isoFromSpaceSeparated(std::string_view s);

/// The file name without directory and extension (the source id).
std::string fileStem(const std::filesystem::path& path);

/// Gaps of a signal from the indices of dropped samples, given the times of all samples
/// (kept and dropped) and the nominal period: each run of dropped samples i..j becomes
/// [t_i, t_{j+1}) (or t_j + period at the end).
std::vector<Gap> gapsFromDropped(const std::vector<double>& all_times,
                                 const std::vector<bool>& dropped, double period_s);

/// Stores a raw signal read from decimal text as the integers its digits are. For each column
/// the fewest decimals d (0 to 9) that all its values have: the column becomes value * 10^d and
/// its channel's scale is multiplied by 10^-d, the signal is stored as int32. Lossless: each
/// stored integer is the text's digits, and stored * scale is the text's value to a double's
/// last bit. Under shuffle + deflate int32 columns take a fraction of the float64 ones (a
/// 6-decimal BDS trial: see docs/stance-hdf5.md). When a value needs more than 9 decimals, is
/// beyond int32 or is not finite, the signal is left as it is (float64). Returns whether it was
/// packed.
bool packDecimalText(RawSignal& raw);

}  // namespace stance::datasets::import_detail
