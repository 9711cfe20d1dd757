// STUB — replaced by the trial text readers (trial_text.hpp).
namespace stance::datasets {
int trialTextPlaceholder() { return 0; }
}  // namespace stance::datasets
