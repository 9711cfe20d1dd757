#pragma once
/// \file
/// COP traces as the analysis core sees them.
///
/// Frame (DESIGN.md): plate frame, x medio-lateral (subject's right +), y antero-posterior
/// (anterior +), origin at the plate centre of the top surface. Units: metres and seconds.
/// Column 0 of every Signal2 is ML (x), column 1 is AP (y).

#include <Eigen/Core>

namespace stance::analysis {

/// N x 2 COP samples, column 0 = ML (x), column 1 = AP (y), metres.
using Signal2 = Eigen::Matrix<double, Eigen::Dynamic, 2>;

/// A COP recording as acquired or imported: timestamps may be irregular (Wii-board class
/// devices) and the mean is not removed.
struct CopRecording {
    Eigen::VectorXd t_s;         ///< N timestamps, seconds, strictly increasing
    Signal2 xy_m;                ///< N x 2 COP, metres, plate frame
    double nominal_fs_hz = 0.0;  ///< device's nominal rate; 0 when unknown
};

/// A uniformly sampled, preprocessed COP trace: the input of every sway metric.
struct UniformTrace {
    Signal2 xy_m;        ///< N x 2, metres; centred by the pipeline (see preprocess.hpp)
    double fs_hz = 0.0;  ///< sampling rate of xy_m, Hz
    Eigen::Vector2d removed_mean_m = Eigen::Vector2d::Zero();  ///< mean subtracted by the pipeline
};

}  // namespace stance::analysis
