#!/usr/bin/env bash
# The two set-up commands of the README, on a fresh Debian 12 machine:
#   bash cmake/bootstrap.sh demo   installs what is missing, builds, runs the main job
#   bash cmake/bootstrap.sh test   installs what is missing, builds, runs every test
# Nothing here can hide a failure: any failing step stops the script with a non-zero status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

# Debian packages the build and the tests need (names as in Debian 12 "bookworm").
packages=(
    build-essential cmake ninja-build pkg-config
    libeigen3-dev libboost-dev libhdf5-dev hdf5-tools
    catch2 nlohmann-json3-dev libcli11-dev libsqlite3-dev
    python3 python3-h5py python3-numpy python3-websockets
    qt6-base-dev qt6-charts-dev qt6-websockets-dev libqt6opengl6-dev libgl-dev poppler-utils
    fonts-dejavu-core
)

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    echo "bootstrap: installing ${missing[*]}"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null; then
            sudo=(sudo)
        else
            echo "bootstrap: missing packages ${missing[*]} and not root (no sudo): install them" >&2
            exit 1
        fi
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
}

build() {
    local preset="$1"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset"
}

jobs="$(nproc 2>/dev/null || echo 2)"

case "${1:-}" in
    demo)
        install_missing
        build release
        exec build/release/app/stance demo
        ;;
    test)
        install_missing
        build release
        ctest --preset release --parallel "$jobs"
        # The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
        build debug-asan
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
            LSAN_OPTIONS="suppressions=$here/tests/lsan.supp" \
            ctest --preset debug-asan --parallel "$jobs"
        ;;
    *)
        echo "usage: bash cmake/bootstrap.sh demo|test" >&2
        exit 2
        ;;
esac
