#!/usr/bin/env bash
# conformance.sh - run the official MCP conformance suite (server side,
# @modelcontextprotocol/conformance from tests/node_modules) against
# `mcpgate serve --conformance`, for protocol 2025-11-25 and 2026-07-28.
#
#   scripts/conformance.sh [MCPGATE-BINARY]     (default build/test/mcpgate)
#
# Known failures, with their reasons, are in tests/conformance/; the suite
# fails the run on anything else, and on entries that start passing.
# Per-scenario results go to build/conformance/<revision>/.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=${1:-build/test/mcpgate}
node=tests/node_modules/.bin/node
suite=tests/node_modules/@modelcontextprotocol/conformance/dist/index.js
out=build/conformance
rm -rf "$out"
mkdir -p "$out"

"$bin" serve --conformance --listen 127.0.0.1:0 2>"$out/mcpgate.log" &
pid=$!
url=
for _ in $(seq 100); do
    url=$(grep -o 'http://[^ ]*/mcp' "$out/mcpgate.log" | head -n 1)
    [ -n "$url" ] && break
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "conformance: mcpgate did not start:"; cat "$out/mcpgate.log"
    kill "$pid" 2>/dev/null
    exit 1
fi

rc=0
for rev in 2025-11-25 2026-07-28; do
    echo "--- conformance, server, --requirements $rev ($url)"
    "$node" "$suite" server --url "$url" --requirements "$rev" \
        --expected-failures "tests/conformance/expected-$rev.yaml" -o "$out/$rev" >"$out/$rev.log" 2>&1
    status=$?
    # Required scenarios are those the suite's requirements file lists
    # under server:; the failing ones are those the baseline names.
    log=$(sed 's/\x1b\[[0-9;]*m//g' "$out/$rev.log")
    required=$(awk '/^server:/ {on = 1; next} /^[a-z_]+:/ {on = 0} on && /^  - /' \
        "$(dirname "$suite")/../requirements/$rev.yaml" | wc -l)
    failing=$(grep -E '^  - ' "tests/conformance/expected-$rev.yaml" | sed 's/^  - //; s/:.*//' | sort -u | wc -l)
    echo "required scenarios: $((required - failing)) of $required pass;" \
        "$failing known failures (tests/conformance/expected-$rev.yaml)"
    grep -E '^(Total|Baseline|Unexpected|Stale)' <<<"$log" || true
    grep -A40 -E '^(Unexpected|Stale)' <<<"$log" | grep -E '^  ' || true
    [ $status -eq 0 ] || { echo "conformance $rev: FAILED (exit $status); log: $out/$rev.log"; rc=1; }
done

kill -TERM "$pid"
wait "$pid"
exit_code=$?
if [ $exit_code -ne 0 ]; then
    echo "conformance: mcpgate exited $exit_code after SIGTERM"; rc=1
fi
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$out/mcpgate.log"; then
    echo "conformance: sanitizer report in $out/mcpgate.log"; rc=1
fi
exit $rc
