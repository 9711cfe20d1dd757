#pragma once
// Simulated trials analysed with the project's real analysis code: COP through
// analysis::copFromForcePlate, the raw pipeline, analysis::appendBdsMetrics.

#include <Eigen/Core>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "stance/analysis/cop.hpp"
#include "stance/analysis/metric_table.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/analysis/sway_metrics.hpp"
#include "stance/devices/simulated_devices.hpp"

namespace stance::test {

struct PlateTrial {
    analysis::Signal3 force;
    analysis::Signal3 moment;
};

inline PlateTrial simulatePlate(const devices::BodyOptions& body, double duration_s,
                                devices::PlateSimOptions options = {}) {
    devices::SimulatedPlate plate(body, options);
    const auto n = static_cast<Eigen::Index>(std::llround(duration_s * options.rate_hz));
    PlateTrial t{analysis::Signal3(n, 3), analysis::Signal3(n, 3)};
    for (Eigen::Index i = 0; i < n; ++i) {
        const devices::ForcePlateSample s = plate.next();
        for (Eigen::Index c = 0; c < 3; ++c) {
            t.force(i, c) = s.force_n[static_cast<std::size_t>(c)];
            t.moment(i, c) = s.moment_nm[static_cast<std::size_t>(c)];
        }
    }
    return t;
}

inline analysis::ForcePlateGeometry plateGeometry(const devices::PlateSimOptions& options) {
    analysis::ForcePlateGeometry g;
    g.origin_below_surface_m = options.geometry.origin_depth_m;
    g.origin_offset_m = {options.geometry.origin_offset_m[0], options.geometry.origin_offset_m[1]};
    return g;
}

struct BdsValues {
    double area_cm2 = 0.0;
    double velocity_cm_s = 0.0;
    double mean_frequency_hz = 0.0;
};

/// Santos & Duarte 2016 values of a 100 Hz COP (metres), as the norms were computed.
inline BdsValues bdsMetrics(const analysis::Signal2& cop_m, double fs_hz) {
    analysis::CopRecording rec;
    rec.xy_m = cop_m;
    rec.nominal_fs_hz = fs_hz;
    rec.t_s = Eigen::VectorXd::LinSpaced(cop_m.rows(), 0.0,
                                         static_cast<double>(cop_m.rows() - 1) / fs_hz);
    auto trace = analysis::preprocess(rec, analysis::Pipeline::kRaw);
    if (!trace)
        throw std::runtime_error(trace.error().message);
    analysis::MetricTable table;
    analysis::appendBdsMetrics(*trace, table);
    const auto get = [&](const char* name) {
        const analysis::Metric* m = table.find(name);
        if (m == nullptr || !m->ok())
            throw std::runtime_error(std::string(name) + " missing");
        return m->value;
    };
    return {get("bds_cop_area") * 1e4, get("bds_cop_velocity") * 100.0,
            get("bds_cop_mean_frequency")};
}

/// p5 and p95 of a metric for young adults (18-39 y) from datasets/norms (Santos & Duarte 2016).
struct Band {
    double p5 = 0.0;
    double p95 = 0.0;
};
inline Band youngAdultBand(const std::string& vision, const std::string& surface,
                           const std::string& metric) {
    const std::string path =
        std::string(STANCE_PUBLIC_DATA_DIR) + "/../norms/bds2016_norms_by_age_band.csv";
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    std::string line;
    std::getline(in,
                 line);  // age_band,vision,surface,metric,unit,n_trials,n_subjects,mean,sd,p5,...
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ','))
            cells.push_back(cell);
        if (cells.size() >= 14 && cells[0] == "18-39" && cells[1] == vision &&
            cells[2] == surface && cells[3] == metric)
            return {std::stod(cells[9]), std::stod(cells[13])};
    }
    throw std::runtime_error("no norm for " + vision + " " + surface + " " + metric);
}

}  // namespace stance::test
