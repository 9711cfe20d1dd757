// STUB — replaced by the real command line.
#include <cstdio>
int main() {
    std::fputs("stance: not yet built\n", stderr);
    return 2;
}
