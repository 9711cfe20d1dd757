#pragma once
/// \file
/// The app core's exception: an operation of the front ends (open a session, save a patient,
/// build the demo, export) that cannot be done. what() reads "<resource>: <problem>".

#include <stdexcept>
#include <string>

namespace stance::app {

/// Thrown at the API boundary of the app core. `resource()` names what the problem is about (a
/// catalog file, "session 12", a form field), `problem()` says what is wrong in words a user can
/// act on. Catalog and file problems keep their own types (datasets::CatalogError,
/// datasets::DatasetError) and pass through unchanged.
class AppError : public std::runtime_error {
public:
    AppError(std::string resource, const std::string& problem)
        : std::runtime_error(resource + ": " + problem),
          resource_(std::move(resource)),
          problem_(problem) {}

    const std::string& resource() const noexcept { return resource_; }
    const std::string& problem() const noexcept { return problem_; }

private:
    std::string resource_;
    std::string problem_;
};

}  // namespace stance::app
