#include "stance/analysis/questionnaire.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace stance::analysis {

namespace {

std::string lower(std::string_view s) {
    std::string out;
    for (char c : s)
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return out;
}

std::string trim(std::string_view s) {
    std::size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a])))
        ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])))
        --b;
    return std::string(s.substr(a, b - a));
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// Whole number in [lo, hi] from text; nothing if it is not one.
std::optional<int> parseWhole(const std::string& s, int lo, int hi) {
    if (s.empty())
        return std::nullopt;
    char* end = nullptr;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (end != s.c_str() + s.size() || v < lo || v > hi)
        return std::nullopt;
    return static_cast<int>(v);
}

InstrumentInfo makeDhi() {
    InstrumentInfo i{Instrument::kDhi,
                     "dhi",
                     "Dizziness Handicap Inventory",
                     "each item yes (4), sometimes (2) or no (0)",
                     0.0,
                     100.0,
                     true,
                     "Jacobson GP, Newman CW (1990) The development of the Dizziness Handicap "
                     "Inventory. Arch Otolaryngol Head Neck Surg 116(4):424-427",
                     "Item wording is the authors' and the publisher's; Stance ships item numbers, "
                     "subscales and its own short topic labels only.",
                     {}};
    // Subscale of each item (P physical 7, E emotional 9, F functional 9) as published.
    i.items = {{1, "P", "looking up"},
               {2, "E", "frustration"},
               {3, "F", "restricting travel"},
               {4, "P", "supermarket aisles"},
               {5, "F", "getting into or out of bed"},
               {6, "F", "social activities"},
               {7, "F", "reading"},
               {8, "P", "more demanding activities"},
               {9, "E", "fear of leaving home alone"},
               {10, "E", "embarrassment"},
               {11, "P", "quick head movements"},
               {12, "F", "avoiding heights"},
               {13, "P", "turning over in bed"},
               {14, "F", "strenuous household or garden work"},
               {15, "E", "fear of seeming intoxicated"},
               {16, "F", "walking alone"},
               {17, "P", "walking on a pavement"},
               {18, "E", "concentration"},
               {19, "F", "walking at home in the dark"},
               {20, "E", "fear of staying home alone"},
               {21, "E", "feeling handicapped"},
               {22, "E", "strain on relationships"},
               {23, "E", "low mood"},
               {24, "F", "work or household duties"},
               {25, "P", "bending over"}};
    return i;
}

InstrumentInfo makeVssSf() {
    InstrumentInfo i{Instrument::kVssSf,
                     "vss_sf",
                     "Vertigo Symptom Scale - short form",
                     "each item a whole number 0 (never) to 4 (very often)",
                     0.0,
                     60.0,
                     true,
                     "15-item short form: Yardley L, Beech S, Zander L, Evans T, Weinman J "
                     "(1998) Br J Gen Pract 48(429):1136-1140; the full scale it shortens: "
                     "Yardley L, Masson E, Verschuur C, Haacke N, Luxon L (1992) J Psychosom Res "
                     "36(8):731-741; short form's psychometrics: Wilhelmsen K, Strand LI, Nordahl "
                     "SHG, Eide GE, Ljunggren AE (2008) BMC Ear Nose Throat Disord 8:2",
                     "Item wording is the authors'; Stance ships item numbers only. The "
                     "vertigo-balance / autonomic-anxiety item split is not shipped (see "
                     "docs/questionnaires.md).",
                     {}};
    for (int k = 1; k <= 15; ++k)
        i.items.push_back({k, "", "VSS-SF item"});
    return i;
}

InstrumentInfo makeAbc() {
    InstrumentInfo i{Instrument::kAbc,
                     "abc",
                     "Activities-specific Balance Confidence scale",
                     "each item a whole number 0 (no confidence) to 100 (complete confidence), %",
                     0.0,
                     100.0,
                     false,
                     "Powell LE, Myers AM (1995) The Activities-specific Balance Confidence (ABC) "
                     "Scale. J Gerontol A Biol Sci Med Sci 50A(1):M28-M34",
                     "The scale is copyrighted: the NINDS Common Data Elements list it under a "
                     "notice of copyright and refer requests for the instrument to its author, "
                     "Anita M. Myers (University of Waterloo). Stance ships item numbers only and "
                     "scores answers the clinic collected on the form it obtained.",
                     {}};
    for (int k = 1; k <= 16; ++k)
        i.items.push_back({k, "", "ABC item"});
    return i;
}

InstrumentInfo makeVas() {
    return InstrumentInfo{Instrument::kDizzinessVas,
                          "vas",
                          "Dizziness visual analogue scale",
                          "one number from 0 (no dizziness) to 10 (worst imaginable dizziness)",
                          0.0,
                          10.0,
                          true,
                          "Generic 0-10 visual analogue scale of dizziness intensity; no "
                          "proprietary instrument",
                          "No item text beyond the two anchors.",
                          {{1, "", "dizziness intensity"}}};
}

std::string joinIssues(const std::vector<std::string>& issues) {
    std::string s;
    for (const auto& i : issues)
        s += (s.empty() ? "" : "; ") + i;
    return s;
}

Error countError(const InstrumentInfo& info, std::size_t got) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(info.name) + ": " + std::to_string(info.items.size()) +
                    " answers expected (one per item, in item order), got " + std::to_string(got));
}

}  // namespace

const InstrumentInfo& instrumentInfo(Instrument id) {
    static const InstrumentInfo dhi = makeDhi();
    static const InstrumentInfo vss = makeVssSf();
    static const InstrumentInfo abc = makeAbc();
    static const InstrumentInfo vas = makeVas();
    switch (id) {
        case Instrument::kDhi:
            return dhi;
        case Instrument::kVssSf:
            return vss;
        case Instrument::kAbc:
            return abc;
        case Instrument::kDizzinessVas:
            return vas;
    }
    return dhi;
}

const std::vector<Instrument>& allInstruments() {
    static const std::vector<Instrument> all{Instrument::kDhi, Instrument::kVssSf, Instrument::kAbc,
                                             Instrument::kDizzinessVas};
    return all;
}

std::optional<Instrument> parseInstrument(std::string_view key) noexcept {
    const std::string k = lower(key);
    if (k == "dhi")
        return Instrument::kDhi;
    if (k == "vss_sf" || k == "vss-sf" || k == "vsssf")
        return Instrument::kVssSf;
    if (k == "abc")
        return Instrument::kAbc;
    if (k == "vas" || k == "dizziness_vas")
        return Instrument::kDizzinessVas;
    return std::nullopt;
}

std::optional<DhiAnswer> parseDhiAnswer(std::string_view text) noexcept {
    const std::string t = lower(trim(text));
    if (t == "yes" || t == "y")
        return DhiAnswer::kYes;
    if (t == "sometimes" || t == "s")
        return DhiAnswer::kSometimes;
    if (t == "no" || t == "n")
        return DhiAnswer::kNo;
    return std::nullopt;
}

Expected<QuestionnaireScore> scoreDhi(const std::vector<std::optional<DhiAnswer>>& answers) {
    const InstrumentInfo& info = instrumentInfo(Instrument::kDhi);
    if (answers.size() != info.items.size())
        return countError(info, answers.size());
    std::vector<std::string> issues;
    QuestionnaireScore s;
    s.instrument = Instrument::kDhi;
    s.max_total = info.max_total;
    s.source = std::string(info.source);
    s.subscales = {{"physical", 0.0, 28.0}, {"emotional", 0.0, 36.0}, {"functional", 0.0, 36.0}};
    for (std::size_t k = 0; k < answers.size(); ++k) {
        if (!answers[k]) {
            issues.push_back("item " + std::to_string(k + 1) + " is not answered");
            continue;
        }
        const double v = *answers[k] == DhiAnswer::kYes         ? 4.0
                         : *answers[k] == DhiAnswer::kSometimes ? 2.0
                                                                : 0.0;
        s.item_scores.push_back(v);
        s.total += v;
        const std::string_view sub = info.items[k].subscale;
        s.subscales[sub == "P" ? 0 : (sub == "E" ? 1 : 2)].value += v;
    }
    if (!issues.empty())
        return fail(ErrorCode::kInvalidArgument, "DHI: " + joinIssues(issues));
    // Whitney SL, Wrisley DM, Brown KE, Furman JM (2004) Otol Neurotol 25(2):139-143.
    s.band = s.total <= 30.0 ? "mild" : (s.total <= 60.0 ? "moderate" : "severe");
    s.band_source =
        "Whitney SL et al. (2004) Otol Neurotol 25(2):139-143: 0-30 mild, 31-60 moderate, "
        "61-100 severe";
    return s;
}

Expected<QuestionnaireScore> scoreVssSf(const std::vector<std::optional<int>>& ratings) {
    const InstrumentInfo& info = instrumentInfo(Instrument::kVssSf);
    if (ratings.size() != info.items.size())
        return countError(info, ratings.size());
    std::vector<std::string> issues;
    QuestionnaireScore s;
    s.instrument = Instrument::kVssSf;
    s.max_total = info.max_total;
    s.source = std::string(info.source);
    for (std::size_t k = 0; k < ratings.size(); ++k) {
        if (!ratings[k]) {
            issues.push_back("item " + std::to_string(k + 1) + " is not answered");
        } else if (*ratings[k] < 0 || *ratings[k] > 4) {
            issues.push_back("item " + std::to_string(k + 1) + ": " + std::to_string(*ratings[k]) +
                             " is not a whole number 0-4");
        } else {
            s.item_scores.push_back(*ratings[k]);
            s.total += *ratings[k];
        }
    }
    if (!issues.empty())
        return fail(ErrorCode::kInvalidArgument, "VSS-SF: " + joinIssues(issues));
    return s;
}

Expected<QuestionnaireScore> scoreAbc(const std::vector<std::optional<int>>& ratings) {
    const InstrumentInfo& info = instrumentInfo(Instrument::kAbc);
    if (ratings.size() != info.items.size())
        return countError(info, ratings.size());
    std::vector<std::string> issues;
    QuestionnaireScore s;
    s.instrument = Instrument::kAbc;
    s.max_total = info.max_total;
    s.source = std::string(info.source);
    double sum = 0.0;
    for (std::size_t k = 0; k < ratings.size(); ++k) {
        if (!ratings[k]) {
            issues.push_back("item " + std::to_string(k + 1) + " is not answered");
        } else if (*ratings[k] < 0 || *ratings[k] > 100) {
            issues.push_back("item " + std::to_string(k + 1) + ": " + std::to_string(*ratings[k]) +
                             " is not a whole number 0-100");
        } else {
            s.item_scores.push_back(*ratings[k]);
            sum += *ratings[k];
        }
    }
    if (!issues.empty())
        return fail(ErrorCode::kInvalidArgument, "ABC: " + joinIssues(issues));
    s.total = sum / static_cast<double>(ratings.size());
    return s;
}

Expected<QuestionnaireScore> scoreDizzinessVas(double value) {
    if (!std::isfinite(value) || value < 0.0 || value > 10.0)
        return fail(ErrorCode::kInvalidArgument,
                    "dizziness VAS: " + fmt(value) + " is not a number from 0 to 10");
    QuestionnaireScore s;
    s.instrument = Instrument::kDizzinessVas;
    s.total = value;
    s.max_total = 10.0;
    s.source = std::string(instrumentInfo(Instrument::kDizzinessVas).source);
    s.item_scores = {value};
    return s;
}

Expected<QuestionnaireScore> scoreQuestionnaire(Instrument id,
                                                const std::vector<std::string>& answers) {
    const InstrumentInfo& info = instrumentInfo(id);
    if (answers.size() != info.items.size())
        return countError(info, answers.size());
    std::vector<std::string> issues;
    const auto item = [](std::size_t k) { return "item " + std::to_string(k + 1); };
    switch (id) {
        case Instrument::kDhi: {
            std::vector<std::optional<DhiAnswer>> a;
            for (std::size_t k = 0; k < answers.size(); ++k) {
                const std::string t = trim(answers[k]);
                if (t.empty()) {
                    issues.push_back(item(k) + " is not answered");
                    a.push_back(std::nullopt);
                    continue;
                }
                auto v = parseDhiAnswer(t);
                if (!v)
                    issues.push_back(item(k) + ": '" + t + "' is not yes, sometimes or no");
                a.push_back(v);
            }
            if (!issues.empty())
                return fail(ErrorCode::kInvalidArgument, "DHI: " + joinIssues(issues));
            return scoreDhi(a);
        }
        case Instrument::kVssSf:
        case Instrument::kAbc: {
            const int hi = id == Instrument::kVssSf ? 4 : 100;
            std::vector<std::optional<int>> r;
            for (std::size_t k = 0; k < answers.size(); ++k) {
                const std::string t = trim(answers[k]);
                if (t.empty()) {
                    issues.push_back(item(k) + " is not answered");
                    r.push_back(std::nullopt);
                    continue;
                }
                auto v = parseWhole(t, 0, hi);
                if (!v)
                    issues.push_back(item(k) + ": '" + t + "' is not a whole number 0-" +
                                     std::to_string(hi));
                r.push_back(v);
            }
            const char* tag = id == Instrument::kVssSf ? "VSS-SF: " : "ABC: ";
            if (!issues.empty())
                return fail(ErrorCode::kInvalidArgument, tag + joinIssues(issues));
            return id == Instrument::kVssSf ? scoreVssSf(r) : scoreAbc(r);
        }
        case Instrument::kDizzinessVas: {
            const std::string t = trim(answers[0]);
            char* end = nullptr;
            const double v = std::strtod(t.c_str(), &end);
            if (t.empty() || end != t.c_str() + t.size())
                return fail(ErrorCode::kInvalidArgument,
                            "dizziness VAS: '" + t + "' is not a number from 0 to 10");
            return scoreDizzinessVas(v);
        }
    }
    return fail(ErrorCode::kInvalidArgument, "unknown instrument");
}

}  // namespace stance::analysis
