#include <cmath>

#include "stance/analysis/protocol.hpp"

namespace stance::analysis {

std::string_view visionName(Vision v) noexcept {
    switch (v) {
        case Vision::kOpen:
            return "open";
        case Vision::kClosed:
            return "closed";
        case Vision::kSwayReferenced:
            return "sway_referenced";
    }
    return "unknown";
}

std::string_view supportName(Support s) noexcept {
    switch (s) {
        case Support::kFirm:
            return "firm";
        case Support::kFoam:
            return "foam";
        case Support::kSwayReferenced:
            return "sway_referenced";
    }
    return "unknown";
}

std::string_view stanceName(Stance s) noexcept {
    switch (s) {
        case Stance::kFeetTogether:
            return "feet_together";
        case Stance::kComfortable:
            return "comfortable";
        case Stance::kSingleLegLeft:
            return "single_leg_left";
        case Stance::kSingleLegRight:
            return "single_leg_right";
    }
    return "unknown";
}

std::string_view scoringMethodName(ScoringMethod m) noexcept {
    switch (m) {
        case ScoringMethod::kMctsib:
            return "mctsib";
        case ScoringMethod::kRomberg:
            return "romberg";
        case ScoringMethod::kSot:
            return "sot";
        case ScoringMethod::kSingleLegStance:
            return "single_leg_stance";
        case ScoringMethod::kLimitsOfStability:
            return "limits_of_stability";
        case ScoringMethod::kWeightBearing:
            return "weight_bearing";
    }
    return "unknown";
}

std::string_view trialStatusName(TrialStatus s) noexcept {
    switch (s) {
        case TrialStatus::kComplete:
            return "complete";
        case TrialStatus::kAborted:
            return "aborted";
        case TrialStatus::kFall:
            return "fall";
    }
    return "unknown";
}

std::optional<TrialStatus> parseTrialStatus(std::string_view name) noexcept {
    for (TrialStatus s : {TrialStatus::kComplete, TrialStatus::kAborted, TrialStatus::kFall}) {
        if (trialStatusName(s) == name)
            return s;
    }
    return std::nullopt;
}

std::vector<ProtocolStep> Protocol::schedule() const {
    std::vector<ProtocolStep> steps;
    const auto add = [&](const Condition& c, int rep) {
        ProtocolStep s;
        s.index = static_cast<int>(steps.size());
        s.condition = c.id;
        s.repetition = rep;
        s.duration_s = trial_duration_s;
        s.rest_after_s = rest_s;
        s.instructions = c.instructions;
        steps.push_back(std::move(s));
    };
    if (order == TrialOrder::kBlocked) {
        for (const Condition& c : conditions)
            for (int r = 1; r <= repetitions; ++r)
                add(c, r);
    } else {
        for (int r = 1; r <= repetitions; ++r)
            for (const Condition& c : conditions)
                add(c, r);
    }
    if (!steps.empty())
        steps.back().rest_after_s = 0.0;
    return steps;
}

const Condition* Protocol::findCondition(std::string_view condition_id) const noexcept {
    for (const Condition& c : conditions) {
        if (c.id == condition_id)
            return &c;
    }
    return nullptr;
}

double Protocol::totalDurationS() const {
    double total = 0.0;
    for (const ProtocolStep& s : schedule())
        total += s.duration_s + s.rest_after_s;
    return total;
}

namespace {

Condition quiet(std::string id, std::string label, Vision v, Support s, Stance st,
                std::string instructions) {
    Condition c;
    c.id = std::move(id);
    c.label = std::move(label);
    c.vision = v;
    c.support = s;
    c.stance = st;
    c.instructions = std::move(instructions);
    return c;
}

std::vector<Protocol> makeProtocols() {
    std::vector<Protocol> all;
    const std::string stand_still =
        "Stand upright and still, arms crossed over the chest, looking ahead, until told to "
        "stop.";
    {
        Protocol p;
        p.id = "mctsib";
        p.name = "Modified Clinical Test of Sensory Interaction on Balance";
        p.version = "1";
        p.scoring = ScoringMethod::kMctsib;
        p.repetitions = 3;
        p.trial_duration_s = 30.0;
        p.rest_s = 15.0;
        p.instructions = "Feet together, shoes off. The operator stays within reach.";
        p.source =
            "Shumway-Cook A, Horak FB (1986) Phys Ther 66(10):1548-1550 (CTSIB, 30 s trials); "
            "Cohen H, Blatchly CA, Gombash LL (1993) Phys Ther 73(6):346-351 (the 4-condition "
            "modified test on foam); 3 x 30 s per condition and 15 s rests as Stance specifies";
        p.conditions = {
            quiet("eo_firm", "eyes open, firm", Vision::kOpen, Support::kFirm,
                  Stance::kFeetTogether, stand_still + " Keep your eyes open."),
            quiet("ec_firm", "eyes closed, firm", Vision::kClosed, Support::kFirm,
                  Stance::kFeetTogether, stand_still + " Close your eyes."),
            quiet("eo_foam", "eyes open, foam", Vision::kOpen, Support::kFoam,
                  Stance::kFeetTogether, stand_still + " On the foam pad, eyes open."),
            quiet("ec_foam", "eyes closed, foam", Vision::kClosed, Support::kFoam,
                  Stance::kFeetTogether, stand_still + " On the foam pad, eyes closed."),
        };
        all.push_back(std::move(p));
    }
    {
        Protocol p;
        p.id = "romberg";
        p.name = "Romberg test";
        p.version = "1";
        p.scoring = ScoringMethod::kRomberg;
        p.repetitions = 1;
        p.trial_duration_s = 30.0;
        p.rest_s = 15.0;
        p.instructions = "Feet together on the firm plate.";
        p.source =
            "Romberg quotient: Van Parys JA, Njiokiktjien CJ (1976) Agressologie 17:95-99; "
            "trial length and rest as Stance specifies";
        p.conditions = {
            quiet("eo_firm", "eyes open", Vision::kOpen, Support::kFirm, Stance::kFeetTogether,
                  stand_still + " Keep your eyes open."),
            quiet("ec_firm", "eyes closed", Vision::kClosed, Support::kFirm, Stance::kFeetTogether,
                  stand_still + " Close your eyes."),
        };
        all.push_back(std::move(p));
    }
    {
        Protocol p;
        p.id = "sot";
        p.name = "Sensory Organization Test";
        p.version = "1";
        p.scoring = ScoringMethod::kSot;
        p.repetitions = 3;
        p.trial_duration_s = 20.0;
        p.rest_s = 10.0;
        p.instructions =
            "Needs a system that sway-references the platform and the visual surround. Safety "
            "harness on; standard foot placement.";
        p.source =
            "NeuroCom International, EquiTest / SMART Balance Master; Nashner LM, Peters JF "
            "(1990) Neurol Clin 8(2):331-349. 6 conditions x 3 x 20 s";
        const std::string sot = "Stand upright and still, arms at your sides.";
        p.conditions = {
            quiet("sot1", "eyes open, fixed surface and surround", Vision::kOpen, Support::kFirm,
                  Stance::kComfortable, sot + " Eyes open."),
            quiet("sot2", "eyes closed, fixed surface", Vision::kClosed, Support::kFirm,
                  Stance::kComfortable, sot + " Eyes closed."),
            quiet("sot3", "eyes open, sway-referenced surround", Vision::kSwayReferenced,
                  Support::kFirm, Stance::kComfortable, sot + " Eyes open."),
            quiet("sot4", "eyes open, sway-referenced surface", Vision::kOpen,
                  Support::kSwayReferenced, Stance::kComfortable, sot + " Eyes open."),
            quiet("sot5", "eyes closed, sway-referenced surface", Vision::kClosed,
                  Support::kSwayReferenced, Stance::kComfortable, sot + " Eyes closed."),
            quiet("sot6", "eyes open, sway-referenced surface and surround",
                  Vision::kSwayReferenced, Support::kSwayReferenced, Stance::kComfortable,
                  sot + " Eyes open."),
        };
        all.push_back(std::move(p));
    }
    {
        Protocol p;
        p.id = "single_leg_stance";
        p.name = "Single-leg stance";
        p.version = "1";
        p.scoring = ScoringMethod::kSingleLegStance;
        p.repetitions = 3;
        p.trial_duration_s = 30.0;
        p.rest_s = 15.0;
        p.order = TrialOrder::kRounds;
        p.instructions =
            "Stand on one leg on the plate, the other foot lifted clear of it and of the floor; "
            "the trial ends when the lifted foot touches down, the stance foot moves or 30 s "
            "pass.";
        p.source =
            "Unipedal stance test (Springer BA et al. 2007, J Geriatr Phys Ther 30(1):8-15); "
            "30 s maximum and signal-based end detection as Stance specifies";
        const std::string sls = "Arms crossed, stand on one leg until told to stop.";
        p.conditions = {
            quiet("sls_left_eo", "left leg, eyes open", Vision::kOpen, Support::kFirm,
                  Stance::kSingleLegLeft, sls + " Stand on your left leg, eyes open."),
            quiet("sls_right_eo", "right leg, eyes open", Vision::kOpen, Support::kFirm,
                  Stance::kSingleLegRight, sls + " Stand on your right leg, eyes open."),
            quiet("sls_left_ec", "left leg, eyes closed", Vision::kClosed, Support::kFirm,
                  Stance::kSingleLegLeft, sls + " Stand on your left leg, eyes closed."),
            quiet("sls_right_ec", "right leg, eyes closed", Vision::kClosed, Support::kFirm,
                  Stance::kSingleLegRight, sls + " Stand on your right leg, eyes closed."),
        };
        all.push_back(std::move(p));
    }
    {
        Protocol p;
        p.id = "limits_of_stability";
        p.name = "Limits of stability";
        p.version = "1";
        p.scoring = ScoringMethod::kLimitsOfStability;
        p.repetitions = 1;
        // 2 s of quiet stance before the cue (the COM estimate's start transient and the
        // baseline), the 8 s movement window, 1 s more for the end transient.
        p.trial_duration_s = 11.0;
        p.rest_s = 5.0;
        p.instructions =
            "Standard foot placement. Stand still until the target appears (2 s into the trial); "
            "then lean (from the ankles, without stepping or bending at the hips) to move your "
            "centre of gravity cursor onto the target as quickly and accurately as you can, and "
            "hold it there.";
        p.source =
            "NeuroCom International, Balance Master limits-of-stability test: 8 directions, 8 s "
            "to move after the cue, targets at 100 % of the theoretical limits; the 2 s before "
            "the cue and 1 s after as Stance specifies";
        const struct {
            const char* id;
            const char* label;
            double deg;
        } dirs[] = {{"los_f", "forwards", 0.0},    {"los_fr", "forwards-right", 45.0},
                    {"los_r", "right", 90.0},      {"los_br", "backwards-right", 135.0},
                    {"los_b", "backwards", 180.0}, {"los_bl", "backwards-left", 225.0},
                    {"los_l", "left", 270.0},      {"los_fl", "forwards-left", 315.0}};
        for (const auto& d : dirs) {
            Condition c = quiet(d.id, d.label, Vision::kOpen, Support::kFirm, Stance::kComfortable,
                                std::string("Lean ") + d.label + " to the target and hold.");
            c.direction_deg = d.deg;
            p.conditions.push_back(std::move(c));
        }
        all.push_back(std::move(p));
    }
    {
        Protocol p;
        p.id = "weight_bearing";
        p.name = "Weight-bearing symmetry";
        p.version = "1";
        p.scoring = ScoringMethod::kWeightBearing;
        p.repetitions = 1;
        p.trial_duration_s = 30.0;
        p.rest_s = 0.0;
        p.instructions = "One foot on each plate (or feet at marked positions on one plate).";
        p.source =
            "Symmetry index: Robinson RO, Herzog W, Nigg BM (1987); 30 s as Stance specifies";
        p.conditions = {quiet("wbs", "comfortable stance", Vision::kOpen, Support::kFirm,
                              Stance::kComfortable,
                              "Stand relaxed with your weight as you normally carry it.")};
        all.push_back(std::move(p));
    }
    return all;
}

}  // namespace

const std::vector<Protocol>& builtinProtocols() {
    static const std::vector<Protocol> protocols = makeProtocols();
    return protocols;
}

const Protocol* findProtocol(std::string_view id) noexcept {
    for (const Protocol& p : builtinProtocols()) {
        if (p.id == id)
            return &p;
    }
    return nullptr;
}

Signal2 absoluteCop(const TrialRecord& trial) {
    Signal2 xy = trial.cop.xy_m;
    xy.rowwise() += trial.cop.removed_mean_m.transpose();
    return xy;
}

double trialDurationS(const TrialRecord& trial) {
    if (!(trial.cop.fs_hz > 0.0))
        return 0.0;
    return static_cast<double>(trial.cop.xy_m.rows()) / trial.cop.fs_hz;
}

}  // namespace stance::analysis
