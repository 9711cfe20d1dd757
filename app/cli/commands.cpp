// STUB — replaced by the real command line.
namespace stance::cli {
int placeholder() { return 0; }
}  // namespace stance::cli
