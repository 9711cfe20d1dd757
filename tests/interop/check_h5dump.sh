#!/usr/bin/env bash
# Interoperability of stance-hdf5 with h5dump (run by ctest as interop_h5dump): the HDF5 tools
# read a bundle written by `stance import`, with the values and unit attributes that
# docs/stance-hdf5.md promises.
# usage: check_h5dump.sh STANCE_BINARY H5DUMP PUBLIC_DATA_DIR
set -euo pipefail
stance="$1"
h5dump="$2"
public="$3"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/stance_h5dump_XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect NAME HAYSTACK NEEDLE
    if ! grep -qF -- "$3" <<<"$2"; then
        echo "FAIL: $1: expected to find '$3' in:"
        echo "$2" | head -40
        fail=1
    fi
}

"$stance" import --format bds --out "$tmp/b.h5" \
    "$public/bds_santos_duarte_2016/data/BDS00001.txt" >/dev/null
trial=/subjects/unknown/sessions/undated/trials/001

root="$("$h5dump" -A 0 -a /format -a /format_version "$tmp/b.h5")"
expect "root format" "$root" '"stance-hdf5"'
expect "root version" "$root" 'H5T_STD_I64LE'
expect "root version value" "$root" '(0): 1'

cop="$("$h5dump" -d "$trial/forceplate/cop" -s 0,0 -c 2,2 "$tmp/b.h5")"
# BDS00001 row 1: COPx = -7.988789 cm (AP), COPy = 0.998673 cm (ML) -> (x, y) in metres.
expect "cop values" "$cop" '(0,0): 0.00998673, -0.0798879'
expect "cop shape" "$cop" 'SIMPLE { ( 6000, 2 ) / ( H5S_UNLIMITED, 2 ) }'
expect "cop units" "$cop" '(0): "m", "m"'
expect "cop frame" "$cop" '"plate"'

props="$("$h5dump" -p -H -d "$trial/forceplate/cop" "$tmp/b.h5")"
expect "cop chunked" "$props" 'CHUNKED'
expect "cop shuffle" "$props" 'PREPROCESSING SHUFFLE'
expect "cop deflate" "$props" 'COMPRESSION DEFLATE'

force="$("$h5dump" -a "$trial/forceplate/force/units" "$tmp/b.h5")"
expect "force units" "$force" '(0): "N", "N", "N"'
cond="$("$h5dump" -a "$trial/condition" -a "$trial/source_id" "$tmp/b.h5")"
expect "source id" "$cond" '"BDS00001"'

exit "$fail"
