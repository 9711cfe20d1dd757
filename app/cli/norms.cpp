// `stance norms compare`: a trial file against the normative tables compiled into Stance
// (Santos & Duarte 2016; datasets/norms/README.md), by age, sex and condition.

#include "stance/analysis/norms.hpp"

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "command.hpp"
#include "stance/analysis/pipeline.hpp"
#include "stance/datasets/trial_text.hpp"

namespace stance::cli {

namespace {

namespace an = stance::analysis;

struct NormsOptions {
    std::string file;
    double age_years = -1.0;
    std::string sex;
    std::string vision = "open";
    std::string surface = "firm";
};

int runCompare(const NormsOptions& o, Io io) {
    an::CopRecording rec;
    try {
        rec = datasets::readTrialText(o.file).recording;
    } catch (const std::exception& e) {
        io.err << "stance norms compare: " << e.what() << '\n';
        return kExitFailure;
    }
    auto trace = an::preprocess(rec, an::Pipeline::kRaw);
    if (!trace) {
        io.err << "stance norms compare: " << o.file << ": " << trace.error().message << '\n';
        return kExitFailure;
    }
    an::NormSubject subject;
    subject.age_years = o.age_years;
    if (!o.sex.empty())
        subject.sex = o.sex[0];
    const an::Vision vision = o.vision == "closed" ? an::Vision::kClosed : an::Vision::kOpen;
    const an::Support support = o.surface == "foam" ? an::Support::kFoam : an::Support::kFirm;
    auto c = an::compareTraceWithNorms(*trace, subject, vision, support);
    if (!c) {
        io.err << "stance norms compare: " << o.file << ": " << c.error().message << '\n';
        return kExitFailure;
    }
    nlohmann::ordered_json j;
    j["file"] = o.file;
    j["age_years"] = o.age_years;
    j["sex"] = o.sex.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o.sex);
    j["vision"] = o.vision;
    j["surface"] = o.surface;
    j["pipeline"] = "raw";
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const an::NormComparison& n : *c) {
        nlohmann::ordered_json k;
        k["metric"] = n.metric;
        k["value"] = n.value;
        k["unit"] = n.unit;
        k["table"] = std::string(an::normTableName(n.row.table));
        k["group"] = n.row.group;
        if (n.row.sex != 0)
            k["group_sex"] = std::string(1, n.row.sex);
        k["n_subjects"] = n.row.n_subjects;
        k["n_trials"] = n.row.n_trials;
        k["p5"] = n.row.p5;
        k["p50"] = n.row.p50;
        k["p95"] = n.row.p95;
        k["percentile"] =
            n.percentile ? nlohmann::ordered_json(*n.percentile) : nlohmann::ordered_json(nullptr);
        k["band"] = std::string(an::normBandName(n.band));
        k["source"] = n.source;
        k["caveats"] = n.caveats;
        all.push_back(std::move(k));
    }
    j["comparisons"] = std::move(all);
    io.out << j.dump(1) << '\n';
    return kExitOk;
}

}  // namespace

void addNormsCommands(CLI::App& app, Io io, Commands& commands) {
    auto* norms = app.add_subcommand(
        "norms",
        "Normative comparison against the tables compiled into Stance (Santos & Duarte "
        "2016, PeerJ 4:e2648, CC BY 4.0)");
    norms->require_subcommand(1);
    auto o = std::make_shared<NormsOptions>();
    auto* compare = norms->add_subcommand(
        "compare",
        "Compare a trial file's COP area, velocity and mean frequency (the tables' own "
        "definitions, on the raw COP) with the age-band table and, given --sex, the age-group x "
        "sex table: percentile (between p5 and p95) and band, with the source in every entry. "
        "Prints JSON. Values in SI (m^2, m/s, Hz).");
    compare->add_option("file", o->file, "Trial file (BDS, PDS or CSV; see stance analyze)")
        ->required()
        ->check(CLI::ExistingFile);
    compare->add_option("--age", o->age_years, "Age in years")
        ->required()
        ->check(CLI::Range(0.0, 130.0));
    compare->add_option("--sex", o->sex, "F or M (enables the age-group x sex table)")
        ->check(CLI::IsMember({"F", "M"}));
    compare->add_option("--vision", o->vision, "open or closed")
        ->check(CLI::IsMember({"open", "closed"}))
        ->capture_default_str();
    compare->add_option("--surface", o->surface, "firm or foam")
        ->check(CLI::IsMember({"firm", "foam"}))
        ->capture_default_str();
    commands.push_back({compare, [o, io] { return runCompare(*o, io); }});
}

}  // namespace stance::cli
