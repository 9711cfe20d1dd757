#pragma once
/// \file
/// The `stance` command line as a function, so that tests drive it without a process.

#include <iosfwd>

namespace stance::cli {

/// Runs the command line with the given arguments; returns the exit status (0 ok, 1 a file or
/// an analysis failed, 2 a usage error).
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace stance::cli
