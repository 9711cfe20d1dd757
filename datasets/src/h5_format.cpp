#include "stance/datasets/h5_format.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>
#include <vector>

namespace stance::datasets {

std::string_view trialStatusName(TrialStatus s) noexcept {
    switch (s) {
        case TrialStatus::kComplete:
            return "complete";
        case TrialStatus::kAborted:
            return "aborted";
        case TrialStatus::kFall:
            return "fall";
        case TrialStatus::kRecording:
            return "recording";
    }
    return "complete";
}

std::optional<TrialStatus> parseTrialStatus(std::string_view s) noexcept {
    for (auto v : {TrialStatus::kComplete, TrialStatus::kAborted, TrialStatus::kFall,
                   TrialStatus::kRecording}) {
        if (trialStatusName(v) == s)
            return v;
    }
    return std::nullopt;
}

std::string_view sexName(Sex s) noexcept {
    switch (s) {
        case Sex::kFemale:
            return "female";
        case Sex::kMale:
            return "male";
        case Sex::kOther:
            return "other";
        case Sex::kUnknown:
            return "unknown";
    }
    return "unknown";
}

std::optional<Sex> parseSex(std::string_view s) noexcept {
    for (auto v : {Sex::kUnknown, Sex::kFemale, Sex::kMale, Sex::kOther}) {
        if (sexName(v) == s)
            return v;
    }
    return std::nullopt;
}

std::string_view rawTypeName(RawType t) noexcept {
    switch (t) {
        case RawType::kFloat64:
            return "float64";
        case RawType::kFloat32:
            return "float32";
        case RawType::kInt32:
            return "int32";
        case RawType::kInt16:
            return "int16";
    }
    return "float64";
}

Eigen::MatrixXd RawSignal::physical() const {
    Eigen::MatrixXd out = values;
    for (Eigen::Index c = 0; c < out.cols() && static_cast<std::size_t>(c) < channels.size(); ++c) {
        const Channel& ch = channels[static_cast<std::size_t>(c)];
        out.col(c) = (out.col(c).array() * ch.scale + ch.offset).matrix();
    }
    return out;
}

analysis::CopRecording ForcePlateSignals::copRecording() const {
    analysis::CopRecording r;
    r.t_s = time_s;
    r.xy_m = cop_m;
    if (time_s.size() >= 2) {
        std::vector<double> dt(static_cast<std::size_t>(time_s.size() - 1));
        for (Eigen::Index i = 1; i < time_s.size(); ++i)
            dt[static_cast<std::size_t>(i - 1)] = time_s[i] - time_s[i - 1];
        std::nth_element(dt.begin(), dt.begin() + static_cast<std::ptrdiff_t>(dt.size() / 2),
                         dt.end());
        const double median = dt[dt.size() / 2];
        if (median > 0.0) {
            // Round to 1e-6 Hz so that 100 Hz read back from float64 times is exactly 100.
            r.nominal_fs_hz = std::round(1e6 / median) / 1e6;
        }
    }
    return r;
}

std::string TrialRef::path() const {
    return "/subjects/" + subject_id + "/sessions/" + session_start + "/trials/" + trial_name;
}

std::string checkGroupName(std::string_view kind, std::string_view name) {
    if (name.empty())
        return std::string(kind) + " is empty";
    if (name == "." || name == "..")
        return std::string(kind) + " '" + std::string(name) + "' is not a usable name";
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (!(std::isalnum(u) || c == '_' || c == '-' || c == '.' || c == ':' || c == '+')) {
            return std::string(kind) + " '" + std::string(name) + "' has the character '" +
                   std::string(1, c) + "'; use letters, digits, '_', '-', '.', ':' or '+'";
        }
    }
    return {};
}

bool isIsoTimestamp(std::string_view s) noexcept {
    const auto digits = [&](std::size_t at, std::size_t n) {
        if (at + n > s.size())
            return false;
        for (std::size_t i = at; i < at + n; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(s[i])))
                return false;
        }
        return true;
    };
    // YYYY-MM-DD
    if (!(digits(0, 4) && s.size() >= 10 && s[4] == '-' && digits(5, 2) && s[7] == '-' &&
          digits(8, 2)))
        return false;
    if (s.size() == 10)
        return true;
    // THH:MM:SS
    if (!(s.size() >= 19 && s[10] == 'T' && digits(11, 2) && s[13] == ':' && digits(14, 2) &&
          s[16] == ':' && digits(17, 2)))
        return false;
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        ++i;
        const std::size_t start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            ++i;
        if (i == start)
            return false;
    }
    if (i == s.size())
        return true;
    if (s[i] == 'Z')
        return i + 1 == s.size();
    if (s[i] == '+' || s[i] == '-')
        return i + 6 == s.size() && digits(i + 1, 2) && s[i + 3] == ':' && digits(i + 4, 2);
    return false;
}

std::string utcNowIso() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace stance::datasets
