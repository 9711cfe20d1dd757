#pragma once
/// \file
/// stance-hdf5, version 1: the in-memory model of a file, shared by the writer (h5_writer.hpp),
/// the streaming writer (h5_stream.hpp), the reader (h5_reader.hpp) and the validator
/// (h5_validate.hpp). docs/stance-hdf5.md is the authoritative description of the layout on disk;
/// every name below says which group, dataset or attribute it becomes.
///
/// Units are SI inside (m, N, N·m, s, m/s², rad/s); frames follow DESIGN.md: plate frame x
/// medio-lateral (subject's right +), y antero-posterior (anterior +), z up.

#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stance/analysis/cop.hpp"
#include "stance/analysis/trace.hpp"

namespace stance::datasets {

/// Root attribute `format` of every stance-hdf5 file.
inline constexpr std::string_view kH5FormatName = "stance-hdf5";
/// The version this code writes and the newest it reads. Files claiming a newer version are
/// refused with a message naming both numbers.
inline constexpr int kH5FormatVersion = 1;

/// A free-form attribute value (int64, float64 or UTF-8 string on disk).
using AttributeValue = std::variant<std::int64_t, double, std::string>;
/// Further attributes of a subject, session, trial or device beyond the fixed ones. Keys must not
/// collide with the fixed attribute names of that group (the writer refuses them).
using Attributes = std::map<std::string, AttributeValue, std::less<>>;

/// Device sample counters, one per sample.
using CounterVector = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;
/// N x 4 quaternions, columns w, x, y, z.
using Signal4 = Eigen::Matrix<double, Eigen::Dynamic, 4>;

/// Trial attribute `status`. `kRecording` appears only in a live file of the streaming writer
/// (or a crashed one); finalizing replaces it.
enum class TrialStatus { kComplete, kAborted, kFall, kRecording };
std::string_view trialStatusName(TrialStatus s) noexcept;  ///< "complete", "aborted", ...
std::optional<TrialStatus> parseTrialStatus(std::string_view s) noexcept;

/// Subject attribute `sex`: "female", "male", "other" or "unknown".
enum class Sex { kUnknown, kFemale, kMale, kOther };
std::string_view sexName(Sex s) noexcept;
std::optional<Sex> parseSex(std::string_view s) noexcept;

/// `/subjects/<id>`. Pseudonymous: never a name, initials or a date of birth.
struct SubjectInfo {
    std::string id;  ///< group name and attribute `id`; letters, digits, '_', '-', '.'
    Sex sex = Sex::kUnknown;
    std::optional<int> birth_year;    ///< attribute `birth_year` (int64)
    std::optional<double> age_years;  ///< attribute `age_years` (float64), at the session
    std::optional<double> height_m;   ///< attribute `height_m`
    std::optional<double> mass_kg;    ///< attribute `mass_kg`
    Attributes extra;                 ///< e.g. "age_group", "falls_12m", "source_subject"
};

/// `/subjects/<id>/sessions/<start>`.
struct SessionInfo {
    /// ISO 8601 start, which also names the group: "2015-10-08T08:30:00Z" when the time is
    /// known in UTC; without the "Z" when the source gives a local time with no zone (imports).
    std::string start_utc;
    std::string site;
    std::string operator_id;  ///< attribute `operator`: a staff pseudonym, never a name
    std::string protocol;
    std::string protocol_version;
    Attributes extra;
};

/// `/subjects/<id>/sessions/<start>/trials/<nnn>` attributes.
struct TrialInfo {
    /// `eo_firm`, `ec_firm`, `eo_foam`, `ec_foam` where the source says so; other lower-case
    /// tokens for other protocols; `unspecified` when the source does not say.
    std::string condition = "unspecified";
    std::optional<double> planned_duration_s;
    TrialStatus status = TrialStatus::kComplete;
    std::string t0_utc;         ///< ISO 8601 time of t = 0, "" when unknown
    std::string source_id;      ///< identifier the source gave the trial (file stem), or ""
    std::string source_format;  ///< importer that made it ("bds", "pds", ...), "" for recordings
    Attributes extra;
};

/// One channel of a raw device signal: physical value = stored value * scale + offset, in
/// `unit`.
struct Channel {
    std::string name;
    std::string unit;  ///< unit of the physical value (after scale and offset)
    double scale = 1.0;
    double offset = 0.0;
};

/// On-disk type of raw data, as the device delivered it.
enum class RawType { kFloat64, kFloat32, kInt32, kInt16 };
std::string_view rawTypeName(RawType t) noexcept;  ///< "float64", "float32", "int32", "int16"

/// A stretch of time with no samples: no sample of the signal has start_s <= t < end_s.
struct Gap {
    double start_s = 0.0;
    double end_s = 0.0;
    bool operator==(const Gap&) const = default;
};

/// `raw/<device>`: datasets `data` (N x C, stored as `stored_type`), `time` (N), `counter` (N),
/// `gaps` (K x 2).
struct RawSignal {
    std::string device;  ///< group name; the same id names `/devices/<device>`
    std::vector<Channel> channels;
    RawType stored_type = RawType::kFloat64;
    std::string frame = "device";  ///< the device's own axes
    Eigen::MatrixXd values;        ///< N x C stored values (before scale and offset)
    Eigen::VectorXd time_s;        ///< N, seconds since the trial start
    CounterVector counter;         ///< N device counter values
    std::vector<Gap> gaps;

    /// N x C physical values (values * scale + offset per channel).
    Eigen::MatrixXd physical() const;
};

/// `forceplate`: force, moment, cop, time, gaps; plate frame. Force is the ground reaction on
/// the subject (Fz > 0 while standing); moment is about the plate origin named by `cop_origin`.
struct ForcePlateSignals {
    Eigen::VectorXd time_s;       ///< N
    analysis::Signal3 force_n;    ///< N x 3, or 0 rows when the source has no forces
    analysis::Signal3 moment_nm;  ///< N x 3, or 0 rows when the source has no moments
    analysis::Signal2 cop_m;      ///< N x 2, column 0 ML (x), column 1 AP (y); NaN where no COP
    std::vector<Gap> gaps;
    /// Where (0, 0) is: "plate centre" (DESIGN.md), or the source's own origin, e.g. "source
    /// plate origin (not centred)". Attribute `cop_origin` of the group.
    std::string cop_origin = "plate centre";
    std::string source;  ///< attribute `source`: raw device it was computed from, or importer

    /// The COP as the analysis core takes it. nominal_fs_hz: the median sample rate.
    analysis::CopRecording copRecording() const;
};

/// `imu/<sensor>`: acc (N x 3) m/s², gyro (N x 3) rad/s, quat (N x 4) wxyz, time, gaps.
struct ImuSignals {
    std::string sensor;
    std::string frame = "sensor";  ///< axes of acc and gyro
    Eigen::VectorXd time_s;
    analysis::Signal3 acc_mps2;
    analysis::Signal3 gyro_radps;
    Signal4 quat_wxyz;  ///< sensor-to-world orientation; 0 rows when the sensor has none
    std::vector<Gap> gaps;
};

/// `derived/<name>`: a uniformly sampled signal computed from the trial (filtered COP, COM,
/// sway angle), with the algorithm and its parameters as attributes.
struct DerivedSignal {
    std::string name;
    Eigen::MatrixXd values;            ///< N x C
    std::vector<std::string> columns;  ///< C names
    std::vector<std::string> units;    ///< C units
    std::string frame = "plate";
    double sample_rate_hz = 0.0;
    double start_time_s = 0.0;  ///< time of row 0 since the trial start
    std::string algorithm;
    std::string algorithm_version;
    Attributes parameters;  ///< stored as attributes `param_<key>`
};

/// `metrics/<name>`: one scalar float64 dataset.
struct Metric {
    std::string name;
    double value = 0.0;
    std::string unit;  ///< "m", "m^2", "m/s", "Hz", "1"...
    std::string algorithm;
    std::string algorithm_version;
};

/// One row of `events` (datasets `time` and `label`).
struct Event {
    double time_s = 0.0;
    std::string label;
    bool operator==(const Event&) const = default;
};

/// `/devices/<id>`.
struct DeviceInfo {
    std::string id;
    std::string kind;  ///< "forceplate", "imu", "loadcell_board", ...
    std::string make, model, serial, firmware;
    double rate_hz = 0.0;  ///< nominal sample rate, 0 when unknown
    /// Dataset `calibration` when not empty: a sensitivity matrix or per-cell gains.
    Eigen::MatrixXd calibration;
    std::vector<std::string> calibration_units;  ///< one per column of `calibration`
    Attributes extra;
};

/// Everything below one `trials/<nnn>` group.
struct TrialData {
    TrialInfo info;
    std::vector<RawSignal> raw;
    std::optional<ForcePlateSignals> forceplate;
    std::vector<ImuSignals> imu;
    std::vector<DerivedSignal> derived;
    std::vector<Metric> metrics;
    std::vector<Event> events;
};

/// Names one trial in a file.
struct TrialRef {
    std::string subject_id;
    std::string session_start;  ///< the session group name (its start ISO string)
    std::string trial_name;     ///< "001", "002", ...
    /// "/subjects/<id>/sessions/<start>/trials/<nnn>"
    std::string path() const;
    bool operator==(const TrialRef&) const = default;
    auto operator<=>(const TrialRef&) const = default;
};

/// Root attributes.
struct FileInfo {
    std::string format;
    int format_version = 0;
    std::string created_utc;
    std::string software;
    std::string software_version;
    /// True when the file is a live (or crashed) file of the streaming writer, opened through
    /// SWMR read; its signals are cut at the last flush (see h5_stream.hpp).
    bool live = false;
};

/// Checks a subject id, session start or trial name for use as an HDF5 group name; returns a
/// message saying what is wrong, or "" when it is fine.
std::string checkGroupName(std::string_view kind, std::string_view name);

/// "YYYY-MM-DDTHH:MM:SS" with optional fraction and optional "Z": true when well formed.
bool isIsoTimestamp(std::string_view s) noexcept;

/// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utcNowIso();

}  // namespace stance::datasets
