#!/usr/bin/env bash
# Wall time of `stance analyze` over the ten shipped BDS trials, as a whole process.
# Usage: bash bench/analyze_process.sh [path/to/stance] [pipeline]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stance="${1:-$root/build/release/app/stance}"
pipeline="${2:-quijoux2021}"
files=("$root"/datasets/public/bds_santos_duarte_2016/data/BDS*.txt)
cmd=("$stance" analyze --pipeline "$pipeline" --format json "${files[@]}")
"${cmd[@]}" >/dev/null  # fails loudly if the command does
runs=50
times=()
for ((i = 0; i < runs; ++i)); do
    s=$(date +%s%N)
    "${cmd[@]}" >/dev/null
    e=$(date +%s%N)
    times+=($(((e - s) / 1000)))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "stance analyze --pipeline $pipeline over ${#files[@]} trials, $runs runs:"
echo "  median $((sorted[runs / 2] / 1000)).$(((sorted[runs / 2] % 1000) / 100)) ms," \
     "min $((sorted[0] / 1000)).$(((sorted[0] % 1000) / 100)) ms," \
     "p90 $((sorted[runs * 9 / 10] / 1000)).$(((sorted[runs * 9 / 10] % 1000) / 100)) ms"
