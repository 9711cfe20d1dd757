#!/usr/bin/env bash
# The Python client of docs/examples (python3-websockets) records a trial on a real stanced with a
# simulated plate: the protocol document is enough to write a client. Usage:
#   check_python_client.sh STANCED PYTHON3 CLIENT.py
set -euo pipefail
stanced="$1" python="$2" client="$3"
dir="$(mktemp -d)"
pid=""
cleanup() {
    if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
mkfifo "$dir/out"
"$stanced" --listen 127.0.0.1:0 --data-dir "$dir/data" --device sim:plate >"$dir/out" 2>"$dir/err" &
pid=$!
exec 3<"$dir/out"
if ! read -r -t 15 line <&3; then
    echo "stanced did not start: $(tail -n 3 "$dir/err")" >&2
    exit 1
fi
url="$(grep -o 'ws://[^ ]*/' <<<"$line")"
file="$(timeout 60 "$python" "$client" "$url" --condition eo_firm --duration 2)"
echo "client: $file"
[[ -f "$file" ]] || { echo "the client printed '$file', which is not a file" >&2; exit 1; }
"$(dirname "$stanced")/../app/stance" validate "$file"
