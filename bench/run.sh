#!/usr/bin/env bash
# bench/run.sh - speed and memory of mcpgate, measured in one run against
# the official TypeScript SDK server (v1, Streamable HTTP, stateful) and a
# bare h2o server answering a fixed body (this machine's ceiling).
#
#   bench/run.sh                 10 s per measurement
#   DURATION=30 bench/run.sh
#
# Load comes from wrk (C, Lua-scripted: bench/call.lua checks every reply),
# at concurrency 1 and 32.  Memory is VmRSS from /proc: mcpgate at idle,
# with 1,000 idle legacy sessions, and with 1,000 modern requests in flight
# (bench/load_rss.mjs).  Prints figures and the targets; it is not a test.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
duration=${DURATION:-10}
node=tests/node_modules/.bin/node
out=build/bench
mkdir -p "$out"
# The gateways keep their call record here, fresh each run, never in $HOME.
rm -rf "$out/state"
export MCPGATE_STATE_DIR="$PWD/$out/state"

scripts/setup.sh --release >/dev/null
cc -O2 -o "$out/bare_h2o" bench/bare_h2o.c $(pkg-config --cflags --libs libh2o libuv libssl libcrypto)
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

. bench/lib.sh

# load NAME URL CONNECTIONS [env...]: one wrk run; prints its RESULT line
load() {
    local name=$1 url=$2 conns=$3 threads=1
    shift 3
    [ "$conns" -gt 1 ] && threads=2
    local line
    line=$(env "$@" wrk -t"$threads" -c"$conns" -d"${duration}s" -s bench/call.lua "$url" | grep '^RESULT')
    printf '%-28s c=%-3s %s\n' "$name" "$conns" "${line#RESULT }"
    echo "$name c=$conns ${line#RESULT }" >> "$out/results.txt"
}

: > "$out/results.txt"
build/release/mcpgate serve --demo --listen 127.0.0.1:18901 --log-level warn & pids+=($!)
mg_pid=$!
"$node" bench/ts_echo_server.mjs 18902 2>/dev/null & pids+=($!)
"$out/bare_h2o" 18903 & pids+=($!)
wait_port 18901; wait_port 18902; wait_port 18903
sleep 0.5
mg_idle=$(rss_kib "$mg_pid")

echo "== throughput and latency (${duration} s each; every reply checked)"
mg_sid=$(open_session http://127.0.0.1:18901/mcp)
ts_sid=$(open_session http://127.0.0.1:18902/mcp)
for c in 1 32; do
    load "mcpgate legacy session" http://127.0.0.1:18901/mcp "$c" SID="$mg_sid" TOOL=demo__echo
    load "mcpgate modern stateless" http://127.0.0.1:18901/mcp "$c" MODERN=1 TOOL=demo__echo
    load "TS SDK v1 server" http://127.0.0.1:18902/mcp "$c" SID="$ts_sid" TOOL=echo
    load "bare h2o (ceiling)" http://127.0.0.1:18903/ "$c" SID=none
done
cleanup
pids=()

echo
echo "== memory (VmRSS)"
build/release/mcpgate serve --demo --listen 127.0.0.1:18904 --log-level warn & pids+=($!)
pid=$!
wait_port 18904; sleep 0.3
sessions=$("$node" bench/load_rss.mjs "$pid" http://127.0.0.1:18904/mcp sessions 1000 | grep '^RESULT')
kill "$pid"; wait "$pid" 2>/dev/null || true
build/release/mcpgate serve --demo --listen 127.0.0.1:18905 --log-level warn & pids+=($!)
pid=$!
wait_port 18905; sleep 0.3
inflight=$("$node" bench/load_rss.mjs "$pid" http://127.0.0.1:18905/mcp inflight 1000 | grep '^RESULT')
echo "mcpgate idle: ${mg_idle} KiB"
echo "${sessions#RESULT }"
echo "${inflight#RESULT }"
echo "mcpgate idle: $mg_idle KiB" >> "$out/results.txt"

echo
echo "== targets"
awk -v idle="$mg_idle" -v sess="${sessions#RESULT }" '
function field(line, key,   n, i, kv) { n = split(line, kv, /[ =]/); for (i = 1; i < n; i++) if (kv[i] == key) return kv[i + 1]; return 0 }
/^mcpgate legacy session c=32/ { mg32 = field($0, "calls_per_s") }
/^mcpgate legacy session c=1 / { mgp50 = field($0, "p50_us") }
/^TS SDK v1 server c=32/ { ts32 = field($0, "calls_per_s") }
/^TS SDK v1 server c=1 / { tsp50 = field($0, "p50_us") }
/^bare h2o \(ceiling\) c=32/ { h2o32 = field($0, "calls_per_s") }
/^bare h2o \(ceiling\) c=1 / { h2op50 = field($0, "p50_us") }
END {
    per = field(sess, "per_session_bytes")
    printf "calls/s vs TS server (c=32):  %.1fx   (target >= 5x)    %s\n", mg32 / ts32, (mg32 >= 5 * ts32 ? "met" : "MISSED")
    printf "calls/s vs bare h2o (c=32):   %.0f%%   (target >= 60%%)  %s\n", 100 * mg32 / h2o32, (mg32 >= 0.6 * h2o32 ? "met" : "MISSED")
    printf "p50 vs TS server (c=1):       %.2f  (target <= 0.20)  %s\n", mgp50 / tsp50, (mgp50 <= 0.2 * tsp50 ? "met" : "MISSED")
    printf "  (p50 at c=1: mcpgate %d us, TS server %d us, bare h2o %d us: the floor of this machine)\n", mgp50, tsp50, h2op50
    printf "idle RSS:                     %.1f MB (target <= 10 MB) %s\n", idle / 1024, (idle <= 10240 ? "met" : "MISSED")
    printf "per idle session:             %.1f KB (target <= 20 KB) %s\n", per / 1024, (per <= 20480 ? "met" : "MISSED")
}' "$out/results.txt"
