#pragma once
/// \file
/// Dizziness and balance questionnaires: item definitions, validation and scoring.
///
/// Stance ships item *numbers*, subscales and short neutral topic labels of its own wording, not
/// the instruments' copyrighted item texts (the clinic administers its licensed paper or
/// electronic form). docs/questionnaires.md gives each instrument's source, scoring, bands and
/// licence.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stance/analysis/expected.hpp"

namespace stance::analysis {

enum class Instrument {
    kDhi,           ///< Dizziness Handicap Inventory, 25 items
    kVssSf,         ///< Vertigo Symptom Scale, short form, 15 items
    kAbc,           ///< Activities-specific Balance Confidence scale, 16 items
    kDizzinessVas,  ///< 0-10 dizziness visual analogue scale, 1 item
};

/// One item: its number (1-based), the subscale it belongs to ("" if none) and a short label.
struct QuestionnaireItem {
    int number = 0;
    std::string_view subscale;
    std::string_view label;
};

struct InstrumentInfo {
    Instrument id;
    std::string_view key;  ///< command-line / catalog key: "dhi", "vss_sf", "abc", "vas"
    std::string_view name;
    std::string_view answers;  ///< what each answer may be, in words
    double min_total = 0.0;
    double max_total = 0.0;
    bool higher_is_worse = true;
    std::string_view source;
    std::string_view licence;  ///< what Stance ships and why
    std::vector<QuestionnaireItem> items;
};

const InstrumentInfo& instrumentInfo(Instrument id);
const std::vector<Instrument>& allInstruments();
/// "dhi", "vss_sf" (also "vss-sf"), "abc", "vas"; nothing for anything else.
std::optional<Instrument> parseInstrument(std::string_view key) noexcept;

/// A subscale total.
struct Subscore {
    std::string name;
    double value = 0.0;
    double max = 0.0;
};

/// A scored questionnaire.
struct QuestionnaireScore {
    Instrument instrument = Instrument::kDhi;
    double total = 0.0;
    double max_total = 0.0;
    std::vector<Subscore> subscales;
    std::string band;         ///< severity / interpretation band; empty when none is defined
    std::string band_source;  ///< where the band comes from
    std::string source;       ///< the instrument's source
    std::vector<double> item_scores;  ///< per item, in item order
};

/// DHI answer: yes = 4, sometimes = 2, no = 0 (Jacobson & Newman 1990).
enum class DhiAnswer { kNo, kSometimes, kYes };
/// "yes" | "sometimes" | "no" (case-insensitive, also y / s / n); nothing otherwise.
std::optional<DhiAnswer> parseDhiAnswer(std::string_view text) noexcept;

/// DHI from 25 answers (nullopt = not answered). Errors (kInvalidArgument) name every missing
/// item and a wrong count. Subscales P (7 items), E (9), F (9); band per Whitney et al. 2004.
Expected<QuestionnaireScore> scoreDhi(const std::vector<std::optional<DhiAnswer>>& answers);

/// VSS-SF from 15 item ratings, whole numbers 0-4 (nullopt = not answered). Total 0-60.
Expected<QuestionnaireScore> scoreVssSf(const std::vector<std::optional<int>>& ratings);

/// ABC from 16 item ratings, whole numbers 0-100 % (nullopt = not answered). Score = mean of the
/// 16 items (Powell & Myers 1995). No band: see docs/questionnaires.md.
Expected<QuestionnaireScore> scoreAbc(const std::vector<std::optional<int>>& ratings);

/// Dizziness VAS, 0 (none) - 10 (worst imaginable); any finite value in the range.
Expected<QuestionnaireScore> scoreDizzinessVas(double value);

/// Any instrument from answers as text, one per item in item order ("" = not answered): DHI
/// yes|sometimes|no, VSS-SF 0-4, ABC 0-100, VAS one number 0-10. Errors name every invalid or
/// missing item ("item 7: 'maybe' is not yes, sometimes or no") and a wrong item count.
Expected<QuestionnaireScore> scoreQuestionnaire(Instrument id,
                                                const std::vector<std::string>& answers);

}  // namespace stance::analysis
