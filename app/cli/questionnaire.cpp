// `stance questionnaire`: score a dizziness / balance questionnaire, classify a change between
// two sessions, list the instruments. Definitions: docs/questionnaires.md, docs/clinical.md.

#include "stance/analysis/questionnaire.hpp"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "command.hpp"
#include "stance/analysis/change.hpp"

namespace stance::cli {

namespace {

namespace an = stance::analysis;

// "yes,,no" -> {"yes", "", "no"}: an empty entry is an unanswered item.
std::vector<std::string> splitAnswers(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = s.find(',', start);
        out.push_back(
            s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

std::string keys() {
    std::string k;
    for (an::Instrument i : an::allInstruments())
        k += (k.empty() ? "" : ", ") + std::string(an::instrumentInfo(i).key);
    return k;
}

std::vector<std::string> instrumentKeys() {
    std::vector<std::string> k;
    for (an::Instrument i : an::allInstruments())
        k.emplace_back(an::instrumentInfo(i).key);
    k.emplace_back("vss-sf");
    return k;
}

nlohmann::ordered_json scoreJson(const an::QuestionnaireScore& s) {
    const an::InstrumentInfo& info = an::instrumentInfo(s.instrument);
    nlohmann::ordered_json j;
    j["instrument"] = std::string(info.key);
    j["name"] = std::string(info.name);
    j["total"] = s.total;
    j["max_total"] = s.max_total;
    for (const an::Subscore& sub : s.subscales)
        j[sub.name] = sub.value;
    if (!s.band.empty()) {
        j[s.instrument == an::Instrument::kDhi ? "severity" : "band"] = s.band;
        j[s.instrument == an::Instrument::kDhi ? "severity_source" : "band_source"] = s.band_source;
    }
    j["item_scores"] = s.item_scores;
    j["source"] = s.source;
    return j;
}

int runScore(const std::string& instrument, const std::string& answers, const std::string& format,
             Io io) {
    const an::Instrument id = *an::parseInstrument(instrument);
    auto s = an::scoreQuestionnaire(id, splitAnswers(answers));
    if (!s) {
        io.err << "stance questionnaire score: " << s.error().message << '\n';
        return kExitFailure;
    }
    if (format == "json") {
        io.out << scoreJson(*s).dump(1) << '\n';
        return kExitOk;
    }
    const an::InstrumentInfo& info = an::instrumentInfo(id);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g / %g", s->total, s->max_total);
    io.out << info.name << ": " << buf;
    if (!s->band.empty())
        io.out << " (" << s->band << ")";
    io.out << '\n';
    for (const an::Subscore& sub : s->subscales) {
        std::snprintf(buf, sizeof buf, "%g / %g", sub.value, sub.max);
        io.out << "  " << sub.name << ": " << buf << '\n';
    }
    io.out << "Source: " << s->source << '\n';
    if (!s->band_source.empty())
        io.out << "Bands: " << s->band_source << '\n';
    return kExitOk;
}

int runChange(const std::string& score, double before, double after, Io io) {
    auto c = an::classifyChange(score, before, after);
    if (!c) {
        io.err << "stance questionnaire change: " << c.error().message << '\n';
        return c.error().code == an::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    nlohmann::ordered_json j;
    j["score"] = c->score;
    j["before"] = c->before;
    j["after"] = c->after;
    j["difference"] = c->difference;
    j["classification"] = std::string(an::changeClassName(c->classification));
    j["threshold"] = c->threshold.threshold;
    j["threshold_kind"] = std::string(an::thresholdKindName(c->threshold.kind));
    j["unit"] = c->threshold.unit;
    j["lower_is_better"] = c->threshold.lower_is_better;
    j["population"] = c->threshold.population;
    j["source"] = c->threshold.source;
    io.out << j.dump(1) << '\n';
    return kExitOk;
}

int runList(Io io) {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (an::Instrument i : an::allInstruments()) {
        const an::InstrumentInfo& info = an::instrumentInfo(i);
        nlohmann::ordered_json j;
        j["key"] = std::string(info.key);
        j["name"] = std::string(info.name);
        j["items"] = info.items.size();
        j["answers"] = std::string(info.answers);
        j["range"] = {info.min_total, info.max_total};
        j["higher_is_worse"] = info.higher_is_worse;
        j["source"] = std::string(info.source);
        j["licence"] = std::string(info.licence);
        nlohmann::ordered_json items = nlohmann::ordered_json::array();
        for (const an::QuestionnaireItem& it : info.items)
            items.push_back({{"number", it.number},
                             {"subscale", std::string(it.subscale)},
                             {"label", std::string(it.label)}});
        j["item_list"] = std::move(items);
        all.push_back(std::move(j));
    }
    io.out << all.dump(1) << '\n';
    return kExitOk;
}

}  // namespace

void addQuestionnaireCommands(CLI::App& app, Io io, Commands& commands) {
    auto* q =
        app.add_subcommand("questionnaire",
                           "Dizziness and balance questionnaires: DHI, VSS-SF, ABC, dizziness VAS "
                           "(docs/questionnaires.md)");
    q->require_subcommand(1);

    struct ScoreState {
        std::string instrument, answers, format = "json";
    };
    auto s = std::make_shared<ScoreState>();
    auto* score = q->add_subcommand(
        "score",
        "Score one questionnaire from its answers, one per item in item order, comma-separated. "
        "DHI: yes|sometimes|no (25 items); VSS-SF: 0-4 (15); ABC: 0-100 (16); VAS: one number "
        "0-10. Prints JSON (total, subscales, severity for the DHI, source); an invalid or "
        "missing answer exits 1 naming the item.");
    score->add_option("instrument", s->instrument, "Instrument: " + keys())
        ->required()
        ->check(CLI::IsMember(instrumentKeys(), CLI::ignore_case));
    score->add_option("--answers", s->answers, "Comma-separated answers, e.g. yes,no,sometimes,...")
        ->required();
    score->add_option("--format", s->format, "Output: json or text")
        ->check(CLI::IsMember({"json", "text"}))
        ->capture_default_str();
    commands.push_back(
        {score, [s, io] { return runScore(s->instrument, s->answers, s->format, io); }});

    struct ChangeState {
        std::string score;
        double before = 0.0, after = 0.0;
    };
    auto c = std::make_shared<ChangeState>();
    auto* change = q->add_subcommand(
        "change",
        "Classify the change of a score between two sessions as improved, unchanged or worse "
        "against its published MCID / MDC (dhi_total, abc_total, sot_composite, rms_ML, "
        "mean_velocity_ML; docs/clinical.md). Prints JSON with the threshold and its source.");
    change->add_option("score", c->score, "Score name, e.g. dhi_total")->required();
    change->add_option("--before", c->before, "Value at the earlier session")->required();
    change->add_option("--after", c->after, "Value at the later session")->required();
    commands.push_back({change, [c, io] { return runChange(c->score, c->before, c->after, io); }});

    auto* list = q->add_subcommand(
        "list", "List the instruments: items, subscales, answer format, source and licence (JSON)");
    commands.push_back({list, [io] { return runList(io); }});
}

}  // namespace stance::cli
