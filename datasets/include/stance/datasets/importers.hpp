#pragma once
/// \file
/// Importers of public and vendor recordings into stance-hdf5 trials. Each one states how its
/// source maps onto the plate frame (x ML, subject's right +; y AP, anterior +; z up) and onto SI
/// units; docs/stance-hdf5.md repeats the table. In every imported trial `forceplate/cop` is in
/// metres in the plate frame, `condition` is eo_firm / ec_firm / eo_foam / ec_foam where the
/// source says so, and `source_id` is the file stem.
///
/// Mappings:
/// - bds (Santos & Duarte 2016, PeerJ 4:e2648): device x = AP, device y = ML (the authors'
///   assignment, signs unchanged; the same as readTrialText). That swap is a reflection, so the
///   plate-frame force is (Fy, Fx, Fz) and the moment, an axial vector, is -(My, Mx, Mz); then
///   x = -My'/Fz and y = Mx'/Fz reproduce the file's COP (COPy, COPx) / 100. cm -> m.
/// - pds (dos Santos et al. 2017, PeerJ 5:e3626): lab X = AP, Y = up, Z = ML (+Z subject's
///   right), metres: plate (x, y, z) = lab (Z, X, Y), a rotation. Net force and COP from the
///   GRFNET/COPNET columns; the net moment about the lab origin is computed from the two plates,
///   M = sum(COP_i x F_i) + (0, 0, T_i) with T_i the free moments; raw/right_plate and
///   raw/left_plate keep every column as acquired.
/// - motive (OptiTrack Motive force-plate CSV): plate local axes taken as the plate frame
///   (x = Cx, y = Cy, z up; the export does not say how the subject stood: override with
///   PlateAxes). N, N·m, m. Frames with every channel exactly 0 are dropouts: removed and recorded
///   as gaps.
/// - amti-bsf (AMTI NetForce .bsf, file version 105): data in lbf and lbf·in (AMTI English
///   units), the action of the subject on the plate in AMTI axes (z down); mapped by default to
///   plate (x, y, z) = (x, -y, -z) with the sign of force and moment flipped to the reaction on
///   the subject, i.e. the subject faces AMTI -y. COP from forces and moments.
/// - csv: columns and units declared by the caller (CsvLayout), device axes mapped by PlateAxes
///   (identity by default).

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/datasets/errors.hpp"
#include "stance/datasets/h5_format.hpp"
#include "stance/datasets/h5_writer.hpp"

namespace stance::datasets {

enum class ImportFormat { kBds, kPds, kMotive, kAmtiBsf, kCsv };
std::string_view importFormatName(ImportFormat f) noexcept;  ///< "bds", ..., "amti-bsf", "csv"
std::optional<ImportFormat> parseImportFormat(std::string_view s) noexcept;

/// A signed permutation from a device's axes to the plate frame, and whether the device reports
/// the action of the subject on the plate (then force and moment change sign).
/// Plate axis i takes device axis `source[i]` times `sign[i]`. Forces and positions transform
/// as vectors; moments as axial vectors (times the determinant of the permutation).
struct PlateAxes {
    std::array<int, 3> source{0, 1, 2};
    std::array<int, 3> sign{1, 1, 1};
    bool device_reports_action = false;

    /// Parses "x,-y,-z" (plate x, y, z from these device axes), optionally followed by
    /// ",action" or ",reaction" (default). Throws std::invalid_argument with a message naming
    /// the problem.
    static PlateAxes parse(std::string_view spec);
    std::string toString() const;  ///< the same syntax
    int determinant() const noexcept;
    /// Maps N x 3 device forces and moments into the plate frame, in place.
    void apply(analysis::Signal3& force, analysis::Signal3& moment) const;
    /// Maps an N x 2 device-plane position (device x, y) into the plate plane. Requires that
    /// device z maps to plate z (throws std::invalid_argument otherwise).
    analysis::Signal2 applyToPlane(const analysis::Signal2& xy) const;
};

/// Per-trial metadata from BDSinfo.txt or PDSinfo.txt, by trial id (e.g. "BDS00001").
struct TrialMetadata {
    SubjectInfo subject;
    SessionInfo session;
    TrialInfo trial;  ///< condition, planned_duration_s, source_id; extra: vision, surface...
};
struct MetadataTable {
    std::string file;
    std::map<std::string, TrialMetadata, std::less<>> by_trial;
};

/// BDSinfo.txt (Santos & Duarte 2016): tab-separated, 64 columns. Subject `bds_sNNN`, sex,
/// age, height (cm -> m), mass; session = `Date`; condition from Vision/Surface; repetition
/// counted in Trial order per Subject/Vision/Surface. Throws DatasetError naming the file, line
/// and column on a missing column or a malformed value.
MetadataTable readBdsInfo(const std::filesystem::path& path);
/// PDSinfo.txt (dos Santos 2017): 29 columns; Height already in m; Surface Rigid -> firm.
MetadataTable readPdsInfo(const std::filesystem::path& path);

/// Declared layout of a generic CSV (stance import --format csv --columns ...).
struct CsvLayout {
    enum class Role { kSkip, kTime, kCounter, kFx, kFy, kFz, kMx, kMy, kMz, kCopX, kCopY };
    struct Column {
        Role role = Role::kSkip;
        std::string name;    ///< as declared
        std::string unit;    ///< as declared
        double to_si = 1.0;  ///< factor to SI
    };
    std::vector<Column> columns;
    char delimiter = ',';
    std::size_t skip_rows = 0;  ///< lines before the header (or before the data without header)
    bool header = true;         ///< one header line to skip after skip_rows
    double rate_hz = 0.0;       ///< sample rate when there is no time column

    /// Parses "time:s,fx:N,fy:N,fz:N,mx:N.m,my:N.m,mz:N.m" or "t:ms,-,copx:mm,copy:mm":
    /// roles time|t, counter, fx, fy, fz, mx, my, mz, copx|cop_x, copy|cop_y, '-' or skip; units
    /// s|ms, N|kN|lbf, N.m|N.mm|lbf.in, m|cm|mm|in. Device axes (see PlateAxes). Throws
    /// std::invalid_argument naming the unknown column role or unit.
    static CsvLayout parse(std::string_view spec);
};

struct ImportOptions {
    ImportFormat format = ImportFormat::kBds;
    std::optional<std::filesystem::path> info;  ///< BDSinfo.txt / PDSinfo.txt
    /// Subject id for sources without subject metadata (motive, amti-bsf, csv, bds/pds without
    /// info). Default "unknown".
    std::string subject_id = "unknown";
    std::string condition;          ///< overrides the condition ("" keeps the source's)
    std::string session_start;      ///< ISO start for sources without a date; "" = "undated"
    std::optional<PlateAxes> axes;  ///< overrides the format's default mapping
    CsvLayout csv;                  ///< for ImportFormat::kCsv
};

/// One imported trial with where it belongs.
struct ImportedTrial {
    SubjectInfo subject;
    SessionInfo session;
    TrialData trial;
    std::vector<DeviceInfo> devices;
};

/// Imports one file. `info` is the loaded metadata table for bds/pds (nullptr: none; then the
/// subject is options.subject_id, or for PDS the subject and condition encoded in the name).
/// Throws DatasetError "<file>:<line>: <problem>" on a malformed file, and naming the metadata
/// file when the trial is not listed in it.
ImportedTrial importTrial(const std::filesystem::path& file, const ImportOptions& options,
                          const MetadataTable* info);

/// What importFiles wrote.
struct ImportSummaryItem {
    std::string file;
    TrialRef ref;
    std::string condition;
    std::size_t samples = 0;
    std::size_t gaps = 0;
};

/// Imports every file into one new bundle at `out`, all or nothing: the bundle is written to a
/// temporary file and renamed into place only when every file imported. Trials are grouped by
/// subject and session and numbered in the order of their source ids.
std::vector<ImportSummaryItem> importFiles(const std::vector<std::filesystem::path>& files,
                                           const std::filesystem::path& out,
                                           const ImportOptions& options,
                                           const WriteOptions& write_options = {});

}  // namespace stance::datasets
