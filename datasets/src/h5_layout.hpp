#pragma once
/// \file
/// Private: how the stance-hdf5 model (h5_format.hpp) maps onto groups, datasets and attributes.
/// Shared by the whole-file writer, the streaming writer, the reader and the validator, so that
/// the names are spelled in one place (docs/stance-hdf5.md documents them).

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "h5_handle.hpp"
#include "stance/datasets/h5_format.hpp"

namespace stance::datasets::h5 {

// Fixed attribute names of each group; any other attribute is an `extra`.
inline constexpr std::array<std::string_view, 6> kSubjectAttrs = {
    "id", "sex", "birth_year", "age_years", "height_m", "mass_kg"};
inline constexpr std::array<std::string_view, 5> kSessionAttrs = {"start_utc", "site", "operator",
                                                                  "protocol", "protocol_version"};
inline constexpr std::array<std::string_view, 6> kTrialAttrs = {
    "condition", "planned_duration_s", "status", "t0_utc", "source_id", "source_format"};
inline constexpr std::array<std::string_view, 6> kDeviceAttrs = {"kind",   "make",     "model",
                                                                 "serial", "firmware", "rate_hz"};

/// Session group name of a session start ("" -> "undated").
std::string sessionGroupName(const std::string& start_utc);

/// HDF5 file and memory types of a raw storage type.
hid_t rawFileType(RawType t);
/// The RawType of an HDF5 dataset type (float64 for anything unrecognised).
RawType rawTypeOf(hid_t type);

/// Root attributes (format, format_version, created_utc, software, software_version).
void writeRootAttributes(hid_t file, const std::string& software, const Where& where);
/// Reads and checks the root attributes: throws DatasetError for a file that is not
/// stance-hdf5 or whose version is newer than kH5FormatVersion.
FileInfo readRootAttributes(hid_t file, const Where& where);

void writeSubjectAttributes(hid_t group, const SubjectInfo& s, const Where& where);
SubjectInfo readSubjectAttributes(hid_t group, const std::string& id, const Where& where);
void writeSessionAttributes(hid_t group, const SessionInfo& s, const Where& where);
SessionInfo readSessionAttributes(hid_t group, const Where& where);
void writeTrialAttributes(hid_t group, const TrialInfo& t, const Where& where);
TrialInfo readTrialAttributes(hid_t group, const Where& where);
void writeDevice(hid_t devices_group, const DeviceInfo& d, const Where& where);
DeviceInfo readDevice(hid_t devices_group, const std::string& id, const Where& where);

/// Writes `units`, `columns` and `frame` on a dataset.
void describe(hid_t dataset, const std::vector<std::string>& units,
              const std::vector<std::string>& columns, std::string_view frame, const Where& where);

/// Writes raw, forceplate, imu, derived, metrics and events of a trial into its group. Checks
/// shapes first and throws DatasetError naming the HDF5 path of the first inconsistency.
void writeTrialContent(hid_t trial_group, const TrialData& trial, const Storage& storage,
                       const Where& where);
/// Reads everything below a trial group. With `live_cut`, each signal is cut at its first
/// non-finite time (rows never committed by the streaming writer).
TrialData readTrialContent(hid_t trial_group, const Where& where, bool live_cut);
ForcePlateSignals readForcePlateGroup(hid_t group, const Where& where, bool live_cut);

/// Column names used for the fixed signals.
inline const std::vector<std::string> kXyzColumns = {"x_ml", "y_ap", "z_up"};
inline const std::vector<std::string> kCopColumns = {"x_ml", "y_ap"};
inline const std::vector<std::string> kSensorColumns = {"x", "y", "z"};
inline const std::vector<std::string> kQuatColumns = {"w", "x", "y", "z"};
inline const std::vector<std::string> kGapColumns = {"start", "end"};

}  // namespace stance::datasets::h5
