#pragma once
/// \file
/// Readers of single-trial text files into a COP recording (metres, plate frame: column 0 ML,
/// column 1 AP). Each format states how its axes map onto the plate frame.

#include <filesystem>
#include <string>
#include <string_view>

#include "stance/analysis/trace.hpp"
#include "stance/datasets/errors.hpp"

namespace stance::datasets {

enum class TrialFormat {
    /// Santos & Duarte 2016 (PeerJ 4:e2648) BDS trial: tab-separated, CRLF, header
    /// `Time[s] Fx[N] Fy[N] Fz[N] Mx[Nm] My[Nm] Mz[Nm] COPx[cm] COPy[cm]`, 100 Hz.
    /// ML = COPy, AP = COPx, signs unchanged (the dataset authors' own assignment), cm -> m.
    kBds2016,
    /// dos Santos et al. 2017 (PeerJ 5:e3626) PDS GRF file: tab-separated, metres, lab frame
    /// X = AP, Y = up, Z = ML (+Z to the subject's right). ML = COPNET_Z, AP = COPNET_X.
    kPds2017,
    /// Plain CSV (comma, semicolon or tab) whose header names a time column and the two COP axes
    /// with their unit: `time,ml_cm,ap_cm`, `time_s,cop_ml_mm,cop_ap_mm`, `t [s]; ML [mm]; AP
    /// [mm]`.
    kCsv,
};

std::string_view trialFormatName(TrialFormat f) noexcept;

struct TrialText {
    std::string path;
    TrialFormat format = TrialFormat::kCsv;
    analysis::CopRecording recording;  ///< nominal_fs_hz set for BDS and PDS (100 Hz), else 0
};

/// Reads a trial file, detecting its format from the header line. Reads the whole file at once
/// and parses only the columns it needs (about 1 ms for a 6000-row BDS file).
/// Throws DatasetError naming the file, the line and the problem: missing or empty file, unknown
/// or ambiguous header, a non-numeric cell, a short row, time not increasing.
TrialText readTrialText(const std::filesystem::path& path);

/// Same, from text already in memory; `name` is used in error messages.
TrialText parseTrialText(std::string_view text, const std::string& name);

}  // namespace stance::datasets
