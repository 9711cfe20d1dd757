#pragma once
/// \file
/// The datasets module's exception: a file that cannot be read or does not follow its format.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace stance::datasets {

/// Thrown at the API boundary of datasets/ when a file cannot be opened, parsed or validated.
/// what() reads "<file>:<line>: <problem>" (line omitted when 0), ready for a user.
class DatasetError : public std::runtime_error {
public:
    DatasetError(std::string file, std::size_t line, const std::string& problem)
        : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                             problem),
          file_(std::move(file)),
          line_(line),
          problem_(problem) {}

    const std::string& file() const noexcept { return file_; }
    std::size_t line() const noexcept { return line_; }  ///< 1-based; 0 when not about a line
    const std::string& problem() const noexcept { return problem_; }

private:
    std::string file_;
    std::size_t line_;
    std::string problem_;
};

}  // namespace stance::datasets
