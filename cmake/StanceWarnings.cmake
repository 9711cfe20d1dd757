# Warnings and sanitizers as INTERFACE targets that every project target links.
# Third-party headers come in through SYSTEM include paths, so -Werror applies to our code only.

add_library(stance_warnings INTERFACE)
add_library(stance::warnings ALIAS stance_warnings)
target_compile_options(stance_warnings INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
                                   -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual>
    # GCC 12 reports a false -Wrestrict inside std::string at -O3 (GCC bug 105329).
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
    $<$<BOOL:${STANCE_WERROR}>:-Werror>)

add_library(stance_sanitizers INTERFACE)
add_library(stance::sanitizers ALIAS stance_sanitizers)
if(STANCE_SANITIZE)
    target_compile_options(stance_sanitizers INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(stance_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# The test code itself (the TEST_CASE bodies, Catch2's expression templates) is compiled with
# AddressSanitizer only; the code under test, in the libraries and executables, keeps both
# sanitizers. UBSan's checks on the test files doubled their compile time (test_export.cpp: 10 s
# with ASan alone, 20 s with both) and the test files are half of the sanitizer build; a bad
# cast or an overflow in the code under test is still caught where it happens. The link keeps
# both runtimes, which the instrumented libraries need.
add_library(stance_test_sanitizers INTERFACE)
add_library(stance::test_sanitizers ALIAS stance_test_sanitizers)
if(STANCE_SANITIZE)
    target_compile_options(stance_test_sanitizers INTERFACE -fsanitize=address -fno-omit-frame-pointer)
    target_link_options(stance_test_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# One call per project target: warnings, sanitizers, C++20.
function(stance_target_defaults target)
    target_link_libraries(${target} PRIVATE stance::warnings stance::sanitizers)
    target_compile_features(${target} PUBLIC cxx_std_20)
endfunction()
