#include "stance/analysis/pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "stance/analysis/filter.hpp"
#include "stance/analysis/resample.hpp"

namespace stance::analysis {

namespace {

constexpr double kClinicalRateHz = 100.0;
constexpr double kClinicalCutoffHz = 10.0;
constexpr int kButterworthOrder = 4;

std::string describeSample(const CopRecording& rec, Eigen::Index i) {
    std::string s = "sample " + std::to_string(i);
    if (i < rec.t_s.size()) {
        s += " (t = " + std::to_string(rec.t_s(i)) + " s)";
    }
    return s;
}

Expected<bool> validate(const CopRecording& rec) {
    const Eigen::Index n = rec.xy_m.rows();
    if (n == 0) {
        return fail(ErrorCode::kEmpty, "the recording has no samples");
    }
    if (rec.t_s.size() != n) {
        return fail(ErrorCode::kInvalidArgument,
                    "the recording has " + std::to_string(n) + " COP samples but " +
                        std::to_string(rec.t_s.size()) + " timestamps");
    }
    for (Eigen::Index i = 0; i < n; ++i) {
        if (!std::isfinite(rec.xy_m(i, 0)) || !std::isfinite(rec.xy_m(i, 1))) {
            return fail(ErrorCode::kNonFinite,
                        "COP is not a finite number at " + describeSample(rec, i) +
                            " (NaN or infinite; a gap or a sample without load must be cut or "
                            "interpolated before analysis)");
        }
        if (!std::isfinite(rec.t_s(i))) {
            return fail(ErrorCode::kNonFinite,
                        "timestamp is not finite at sample " + std::to_string(i));
        }
        if (i > 0 && !(rec.t_s(i) > rec.t_s(i - 1))) {
            return fail(ErrorCode::kNonUniform, "timestamps must increase strictly, but " +
                                                    describeSample(rec, i) +
                                                    " is not after the previous sample");
        }
    }
    return true;
}

double medianInterval(const Eigen::VectorXd& t) {
    std::vector<double> d(static_cast<std::size_t>(t.size() - 1));
    for (Eigen::Index i = 1; i < t.size(); ++i)
        d[static_cast<std::size_t>(i - 1)] = t(i) - t(i - 1);
    auto mid = d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2);
    std::nth_element(d.begin(), mid, d.end());
    return *mid;
}

// Index of the first interval that departs from `dt` by more than the tolerance, or -1.
Eigen::Index firstIrregular(const Eigen::VectorXd& t, double dt) {
    for (Eigen::Index i = 1; i < t.size(); ++i) {
        if (std::abs((t(i) - t(i - 1)) - dt) > kUniformTolerance * dt) {
            return i;
        }
    }
    return -1;
}

Expected<Eigen::MatrixXd> lowpass(const Eigen::MatrixXd& x, double fs_hz) {
    auto c = butterworthLowpass(kButterworthOrder, kClinicalCutoffHz, fs_hz);
    if (!c)
        return c.error();
    return filtfilt(*c, x);
}

}  // namespace

std::string_view pipelineName(Pipeline p) noexcept {
    switch (p) {
        case Pipeline::kRaw:
            return "raw";
        case Pipeline::kQuijoux2021:
            return "quijoux2021";
        case Pipeline::kClinical:
            return "clinical";
    }
    return "unknown";
}

std::optional<Pipeline> parsePipeline(std::string_view name) noexcept {
    for (Pipeline p : {Pipeline::kRaw, Pipeline::kQuijoux2021, Pipeline::kClinical}) {
        if (name == pipelineName(p))
            return p;
    }
    return std::nullopt;
}

Expected<double> uniformRate(const CopRecording& rec) {
    const Eigen::Index n = rec.t_s.size();
    if (n < 2) {
        return fail(ErrorCode::kTooShort, "a sampling rate needs at least 2 samples");
    }
    for (Eigen::Index i = 1; i < n; ++i) {
        if (!(rec.t_s(i) > rec.t_s(i - 1))) {
            return fail(ErrorCode::kNonUniform, "timestamps must increase strictly, but " +
                                                    describeSample(rec, i) +
                                                    " is not after the previous sample");
        }
    }
    const double dt = medianInterval(rec.t_s);
    if (const Eigen::Index bad = firstIrregular(rec.t_s, dt); bad >= 0) {
        return fail(ErrorCode::kNonUniform,
                    "the recording is not uniformly sampled: the interval before " +
                        describeSample(rec, bad) + " is " +
                        std::to_string(rec.t_s(bad) - rec.t_s(bad - 1)) + " s, the median " +
                        std::to_string(dt) + " s");
    }
    if (rec.nominal_fs_hz > 0.0 && std::abs(rec.nominal_fs_hz * dt - 1.0) <= kUniformTolerance) {
        return rec.nominal_fs_hz;
    }
    // An exact rate matters (reference README, pitfall 2): round to 1e-6 Hz.
    return std::round(1e6 / dt) / 1e6;
}

Expected<UniformTrace> preprocess(const CopRecording& rec, Pipeline pipeline,
                                  PipelineReport* report) {
    if (auto ok = validate(rec); !ok) {
        return ok.error();
    }
    const Eigen::Index n = rec.xy_m.rows();
    PipelineReport local;
    PipelineReport& rep = report != nullptr ? *report : local;
    rep = PipelineReport{};
    rep.pipeline = pipeline;
    rep.input_samples = n;

    UniformTrace out;
    const Eigen::Vector2d mean = rec.xy_m.colwise().mean().transpose();
    Signal2 centred = rec.xy_m.rowwise() - mean.transpose();
    out.removed_mean_m = mean;

    switch (pipeline) {
        case Pipeline::kRaw: {
            auto fs = uniformRate(rec);
            if (!fs)
                return fs.error();
            rep.input_fs_hz = *fs;
            out.fs_hz = *fs;
            out.xy_m = std::move(centred);
            return out;
        }
        case Pipeline::kQuijoux2021: {
            auto fs = uniformRate(rec);
            if (!fs)
                return fs.error();
            rep.input_fs_hz = *fs;
            // The reference takes uniformly sampled input and regenerates time as n / fs.
            Eigen::VectorXd t(n);
            for (Eigen::Index i = 0; i < n; ++i)
                t(i) = static_cast<double>(i) / *fs;
            auto res = swarii(t, centred, SwariiOptions{});
            if (!res)
                return res.error();
            rep.artefacts_removed = res->n_artefacts;
            rep.empty_windows = res->n_empty_windows;
            auto filtered = lowpass(res->xy_m, res->fs_hz);
            if (!filtered)
                return filtered.error();
            out.fs_hz = res->fs_hz;
            out.xy_m = *filtered;  // not re-centred, as the reference
            return out;
        }
        case Pipeline::kClinical: {
            Eigen::MatrixXd x;
            double fs = 0.0;
            auto rate = uniformRate(rec);
            if (rate) {
                rep.input_fs_hz = *rate;
                fs = *rate;
                x = centred;
                // Low-pass at the native rate first: it is also the anti-aliasing filter when
                // a faster plate is brought down to 100 Hz.
                if (fs > 2.5 * kClinicalCutoffHz) {
                    auto f = lowpass(x, fs);
                    if (!f)
                        return f.error();
                    x = std::move(*f);
                }
                if (std::abs(fs - kClinicalRateHz) > 1e-9) {
                    Eigen::VectorXd t(n);
                    for (Eigen::Index i = 0; i < n; ++i)
                        t(i) = static_cast<double>(i) / fs;
                    auto r = resampleLinear(t, x, kClinicalRateHz);
                    if (!r)
                        return r.error();
                    x = std::move(*r);
                }
            } else if (rate.error().code == ErrorCode::kNonUniform) {
                // Irregular device clocks (Wii-board class): SWARII onto 100 Hz, then filter.
                rep.input_fs_hz = static_cast<double>(n - 1) / (rec.t_s(n - 1) - rec.t_s(0));
                SwariiOptions o;
                o.target_fs_hz = kClinicalRateHz;
                o.window_s = 2.0 / kClinicalRateHz - 1e-6;
                o.skip_before_s = rec.t_s(0);
                auto res = swarii(rec.t_s, centred, o);
                if (!res)
                    return res.error();
                rep.artefacts_removed = res->n_artefacts;
                rep.empty_windows = res->n_empty_windows;
                auto f = lowpass(res->xy_m, kClinicalRateHz);
                if (!f)
                    return f.error();
                x = std::move(*f);
            } else {
                return rate.error();
            }
            out.fs_hz = kClinicalRateHz;
            const Eigen::Vector2d residual = x.colwise().mean().transpose();
            x.rowwise() -= residual.transpose();
            out.removed_mean_m = mean + residual;
            out.xy_m = std::move(x);
            return out;
        }
    }
    return fail(ErrorCode::kInvalidArgument, "unknown pipeline");
}

}  // namespace stance::analysis
