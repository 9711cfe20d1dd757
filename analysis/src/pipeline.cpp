// STUB — to be replaced by the real implementation (pipeline.hpp).
#include "stance/analysis/pipeline.hpp"

namespace stance::analysis {
std::string_view pipelineName(Pipeline p) noexcept {
    switch (p) {
        case Pipeline::kRaw: return "raw";
        case Pipeline::kQuijoux2021: return "quijoux2021";
        case Pipeline::kClinical: return "clinical";
    }
    return "?";
}
std::optional<Pipeline> parsePipeline(std::string_view name) noexcept {
    if (name == "raw") return Pipeline::kRaw;
    if (name == "quijoux2021") return Pipeline::kQuijoux2021;
    if (name == "clinical") return Pipeline::kClinical;
    return std::nullopt;
}
Expected<double> uniformRate(const CopRecording&) {
    return fail(ErrorCode::kUndefined, "uniformRate: not implemented");
}
Expected<UniformTrace> preprocess(const CopRecording&, Pipeline, PipelineReport*) {
    return fail(ErrorCode::kUndefined, "preprocess: not implemented");
}
}  // namespace stance::analysis
