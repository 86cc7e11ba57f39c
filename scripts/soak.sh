#!/usr/bin/env bash
# soak.sh - the gateway under load while its upstreams die, under ASan + UBSan.
#
#   scripts/soak.sh [SECONDS]      default 60
#
# One `mcpgate serve` (build/test) in front of six upstreams of every kind:
# the TS SDK v1 echo server over stdio, shared and with isolation: session;
# the same over Streamable HTTP; server-everything over HTTP+SSE; and a
# 2026-07-28 server (SDK v2) over stdio and over Streamable HTTP.  wrk
# calls through every one of them, legacy and 2026-07-28 clients, while
# a node client opens sessions, calls and ends them; meanwhile every 0.4 s
# a random child of the gateway is killed with SIGKILL, each HTTP
# server is killed and started again on its port every few seconds, and
# every 5 s the gateway is sent SIGHUP with its config file switched
# between two versions (one server changed, one added and removed).
#
# Calls that fail while their server is down are expected and counted, not
# judged.  The soak passes when the gateway is still up and serving at the
# end, its /readyz answers, it exits 0 on SIGTERM, no upstream process is
# left behind, and its log holds no sanitizer report.  The log is
# build/soak/gateway.log.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
scripts/setup.sh > /dev/null || { echo "soak: setup failed"; exit 1; }
. bench/lib.sh

node=$root/tests/node_modules/.bin/node
fixtures=$root/tests/integration/fixtures
everything=$root/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js
out=$root/build/soak
rm -rf "$out"
mkdir -p "$out"
export MCPGATE_STATE_DIR=$out/state
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mark="mcpgate-soak-$$"
gw_port=18970 echo_port=18971 sse_port=18972 modern_port=18973

pids=()
cleanup() { for p in "${pids[@]}" ${echo_pid:-} ${sse_pid:-} ${modern_pid:-}; do kill -9 "$p" 2>/dev/null; done; }
trap cleanup EXIT

start_echo() {
    "$node" bench/ts_echo_server.mjs "$echo_port" >> "$out/echo-http.log" 2>&1 &
    echo_pid=$!
    wait_port "$echo_port"
}
start_sse() {
    PORT=$sse_port "$node" "$everything" sse >> "$out/sse.log" 2>&1 &
    sse_pid=$!
    wait_port "$sse_port"
}
start_modern() {
    "$node" "$fixtures/modern_server.mjs" --http "$out/modern.port" --port "$modern_port" >> "$out/modern.log" 2>&1 &
    modern_pid=$!
    wait_port "$modern_port"
}
start_echo
start_sse
start_modern

# The mark in every command line finds what the gateway left behind.
cat > "$out/soak.yaml" <<EOF
listen: 127.0.0.1:$gw_port
log_level: info
liveness_probe_interval: 1
servers:
  - name: echo
    command: $node
    args: [$root/bench/ts_echo_stdio.mjs, $mark]
    timeout: 5
  - name: iso
    command: $node
    args: [$root/bench/ts_echo_stdio.mjs, $mark]
    isolation: session
    timeout: 5
  - name: web
    url: http://127.0.0.1:$echo_port/mcp
    timeout: 5
  - name: sse
    url: http://127.0.0.1:$sse_port/sse
    timeout: 5
  - name: modern
    command: $node
    args: [$fixtures/modern_server.mjs, $mark]
    timeout: 5
  - name: mweb
    url: http://127.0.0.1:$modern_port/mcp
    timeout: 5
EOF
# The second version: echo changed (started again), extra added; the
# reloads switch between the two.
cp "$out/soak.yaml" "$out/soak-a.yaml"
awk -v node="$node" -v root="$root" -v mark="$mark" '
        /^  - name: echo$/ { print; echo = 1; next }
        echo && /^    timeout: 5$/ { print "    timeout: 6"; echo = 0; next }
        { print }
        END { printf "  - name: extra\n    command: %s\n    args: [%s/bench/ts_echo_stdio.mjs, %s]\n", node, root, mark }' \
    "$out/soak-a.yaml" > "$out/soak-b.yaml"
build/test/mcpgate serve --config "$out/soak.yaml" > "$out/gateway.log" 2>&1 &
gw=$!
wait_port "$gw_port"
url=http://127.0.0.1:$gw_port/mcp
for _ in $(seq 100); do
    [ "$(curl -s "http://127.0.0.1:$gw_port/readyz" | grep -o '"connecting":0' | head -1)" ] && break
    sleep 0.2
done
sid=$(open_session "$url")

load() { # load NAME ENV... : wrk through the gateway for the soak's length
    local name=$1
    shift
    env "$@" wrk -t1 -c4 -d"${seconds}s" -s bench/call.lua "$url" 2>&1 | sed -n "s/^RESULT /$name: /p" &
    pids+=($!)
}
load "echo, legacy client" SID="$sid" TOOL=echo__echo
load "echo, 2026-07-28 client" MODERN=1 TOOL=echo__echo
load "web, legacy client" SID="$sid" TOOL=web__echo
load "web, 2026-07-28 client" MODERN=1 TOOL=web__echo
load "modern, legacy client" SID="$sid" TOOL=modern__seen ARGS='{}' EXPECT='2026-07-28'
load "mweb, 2026-07-28 client" MODERN=1 TOOL=mweb__seen ARGS='{}' EXPECT='2026-07-28'
load "sse, legacy client" SID="$sid" TOOL=sse__echo ARGS='{"message":"hello"}' EXPECT='Echo: hello'
"$node" scripts/soak_sessions.mjs "$url" "$seconds" &
pids+=($!)

end=$((SECONDS + seconds))
n=0
while [ $SECONDS -lt $end ]; do
    sleep 0.4
    n=$((n + 1))
    mapfile -t kids < <(pgrep -P "$gw")
    [ ${#kids[@]} -gt 0 ] && kill -9 "${kids[$((RANDOM % ${#kids[@]}))]}" 2>/dev/null
    if [ $((n % 5)) -eq 0 ]; then kill -9 "$echo_pid"; wait "$echo_pid" 2>/dev/null; start_echo; fi
    if [ $((n % 7)) -eq 0 ]; then kill -9 "$modern_pid"; wait "$modern_pid" 2>/dev/null; start_modern; fi
    if [ $((n % 11)) -eq 0 ]; then kill -9 "$sse_pid"; wait "$sse_pid" 2>/dev/null; start_sse; fi
    if [ $((n % 13)) -eq 0 ]; then
        cp "$out/soak-$( [ $((n / 13 % 2)) -eq 1 ] && echo b || echo a).yaml" "$out/soak.yaml"
        kill -HUP "$gw"
    fi
done
# Back to the first version for the checks below.
cp "$out/soak-a.yaml" "$out/soak.yaml"
kill -HUP "$gw"
sleep 1
wait "${pids[@]}"
echo "(calls: requests and bad_replies include the calls made while their server was down)"

problems=()
kill -0 "$gw" 2>/dev/null || problems+=("the gateway died")
reloads=$(grep -c 'read again' "$out/gateway.log")
echo "after: $reloads config reloads applied"
[ "$reloads" -ge 1 ] || problems+=("no config reload was applied")
ready=$(curl -s -m 5 "http://127.0.0.1:$gw_port/readyz")
echo "after: /readyz $ready"
[ -n "$ready" ] || problems+=("/readyz did not answer")
# Each server answers again once its backoff has run (a child restarted
# too often waits a minute; those are named, not failed).
for call in 'web__echo {"text":"hi"}' 'sse__echo {"message":"hi"}' 'mweb__seen {}'; do
    tool=${call%% *}
    answer=
    for _ in $(seq 60); do
        answer=$(curl -s -m 10 "$url" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
            -H "mcp-session-id: $sid" -H 'mcp-protocol-version: 2025-11-25' \
            -d "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"$tool\",\"arguments\":${call#* }}}")
        grep -q '"result"' <<< "$answer" && ! grep -q '"isError":true' <<< "$answer" && break
        sleep 0.5
    done
    if grep -q '"result"' <<< "$answer" && ! grep -q '"isError":true' <<< "$answer"; then
        echo "after: $tool answers"
    else
        problems+=("$tool never answered again: ${answer:0:300}")
    fi
done
kill -TERM "$gw"
wait "$gw"
rc=$?
[ "$rc" -eq 0 ] || problems+=("the gateway exited $rc")
sleep 0.5
left=$(pgrep -f "$mark" | wc -l)
[ "$left" -eq 0 ] || problems+=("$left upstream processes left behind")
if grep -q "ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer" "$out/gateway.log"; then
    problems+=("a sanitizer report in $out/gateway.log")
fi
if [ ${#problems[@]} -gt 0 ]; then
    printf 'soak: FAILED: %s\n' "${problems[@]}"
    exit 1
fi
echo "soak: passed ($seconds s; $(grep -c 'killed by signal 9' "$out/gateway.log") upstream processes killed under load)"
