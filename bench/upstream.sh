#!/usr/bin/env bash
# bench/upstream.sh - mcpgate as a gateway, measured in one run against
# reference gateways from npm (supergateway, mcp-proxy, mcp-hub; pinned by
# bench/package-lock.json) in front of the same upstream: the official
# TypeScript SDK server (v1) with one echo tool.
#
#   1. echo through the gateway to a stdio upstream (ts_echo_stdio.mjs);
#   2. echo through the gateway to a Streamable HTTP upstream (ts_echo_server.mjs);
#      both at concurrency 1 and 16: calls/s, p50, p99, and the gateway's
#      CPU time per call (proc_cpu.mjs); and the floor, the CPU per call
#      of a relay that only moves bytes (relay_floor.c);
#   3. RSS of the gateway process with 10 stdio upstreams;
#   4. time from start until the tools of 10 stdio upstreams are listed,
#      server by server (catalog_fill.mjs);
#   5. time from start until a remote server's tools are listed: a
#      Streamable HTTP server-everything behind a 50 ms round trip
#      (delay_proxy.mjs).
#
#   bench/upstream.sh               10 s per measurement (about 3.5 minutes)
#   DURATION=3 bench/upstream.sh
#
# HTTP front doors are loaded by wrk with call.lua (every reply checked);
# gateways whose front door is stdio or legacy HTTP+SSE by node_load.mjs.
# Prints figures; it is not a test.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
duration=${DURATION:-10}
node=$root/tests/node_modules/.bin/node
mods=$root/bench/node_modules
echo_stdio=$root/bench/ts_echo_stdio.mjs
out=$root/build/bench/upstream
mkdir -p "$out"
# The gateways keep their call record here, fresh each run, never in $HOME.
rm -rf "$out/state"
export MCPGATE_STATE_DIR="$out/state"

scripts/setup.sh --release >/dev/null
# The reference gateways, pinned by bench/package-lock.json.
stamp=bench/node_modules/.mcpgate-lock.sha256
want=$(sha256sum bench/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "upstream: installing the reference gateways (bench/package-lock.json)"
    (cd bench && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
fi
cc -O2 -o "$out/relay_floor" bench/relay_floor.c
. bench/lib.sh
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# start NAME CMD ARGS...: run in the background, output to $out/NAME.log; sets pid
start() {
    local name=$1
    shift
    "$@" > "$out/$name.log" 2>&1 &
    pid=$!
    pids+=("$pid")
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# supergateway and mcp-hub have no option for the listening address:
# loopback.mjs makes them listen on 127.0.0.1 only.
node_lo=("$node" --import "$root/bench/loopback.mjs")
hub=(env XDG_STATE_HOME="$out/hub-state" XDG_CONFIG_HOME="$out/hub-state" "${node_lo[@]}" "$mods/mcp-hub/dist/cli.js")

# until TRIES CMD ARGS...: retry CMD every 0.2 s, at most TRIES times
until_ok() {
    local tries=$1
    shift
    for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.2; done
    echo "bench: gave up waiting for: $*" >&2
    return 1
}
sse_tools() { "$node" bench/node_load.mjs tools-sse "$1" 2>/dev/null; }
sse_has() { sse_tools "$1" | grep -qx "$2"; } # sse_has URL TOOL
sse_count() { [ "$(sse_tools "$1" | wc -l)" -ge "$2" ]; } # sse_count URL N
mcp_count() { # mcp_count URL N: a new session lists at least N tools
    local sid
    sid=$(open_session "$1")
    [ "$(curl -s "$1" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
        -H "mcp-session-id: $sid" -H 'mcp-protocol-version: 2025-11-25' \
        -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' | grep -o '"name":"[a-z0-9]*__' | wc -l)" -ge "$2" ]
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< " $1"; } # field LINE KEY
header() {
    printf '%-58s %-4s %8s %8s %8s %8s %5s\n' "gateway (load client)" c calls/s p50_us p99_us cpu_us/c bad
}
row() { # row NAME C RESULT-LINE CPU_US_PER_CALL
    printf '%-58s %-4s %8s %8s %8s %8s %5s\n' "$1" "$2" "$(field "$3" calls_per_s)" "$(field "$3" p50_us)" \
        "$(field "$3" p99_us)" "$4" "$(( $(field "$3" bad_replies) + $(field "$3" socket_errors) ))"
    echo "$section: $1 c=$2 ${3#RESULT } cpu_us_per_call=$4" >> "$out/results.txt"
}
na() { printf '%-58s %-4s %s\n' "$1" "$2" "n/a ($3)"; echo "$section: $1 c=$2 n/a ($3)" >> "$out/results.txt"; }

# wrk_rows NAME URL SID TOOL CPU_PID: warm up 1 s, then one wrk run per
# concurrency; CPU_PID "-" when there is no gateway to measure
wrk_rows() {
    local name=$1 url=$2 sid=$3 tool=$4 cpu_pid=$5 c threads line before after cpu
    SID="$sid" TOOL="$tool" wrk -t1 -c4 -d1s -s bench/call.lua "$url" > /dev/null
    for c in 1 16; do
        threads=1
        [ "$c" -gt 1 ] && threads=2
        cpu=-
        [ "$cpu_pid" != - ] && before=$("$node" bench/proc_cpu.mjs "$cpu_pid")
        line=$(SID="$sid" TOOL="$tool" wrk -t"$threads" -c"$c" -d"${duration}s" -s bench/call.lua "$url" | grep '^RESULT')
        if [ "$cpu_pid" != - ]; then
            after=$("$node" bench/proc_cpu.mjs "$cpu_pid")
            cpu=$(( (after - before) / $(field "$line" requests) ))
        fi
        row "$name" "$c" "$line" "$cpu"
    done
}

# node_rows NAME MODE TOOL ARGS...: node_load.mjs MODE (1 s warm-up) per concurrency
node_rows() {
    local name=$1 mode=$2 tool=$3 c line
    shift 3
    for c in 1 16; do
        line=$(WARMUP=1 "$node" bench/node_load.mjs "$mode" "$duration" "$c" "$tool" "$@" 2>> "$out/node_load.log" |
            grep '^RESULT')
        row "$name" "$c" "$line" "$(field "$line" cpu_us_per_call)"
    done
}

# http_gateway LABEL PORT TOOL CMD ARGS...: start a gateway whose Streamable
# HTTP front door is at PORT, wait until TOOL answers, measure it with wrk.
# If TOOL never answers: a n/a row saying $unsupported when set, else fail.
http_gateway() {
    local label=$1 port=$2 tool=$3 url=http://127.0.0.1:$2/mcp sid gw
    shift 3
    start "gateway-$port" "$@"
    gw=$pid
    wait_port "$port"
    sid=$(open_session "$url")
    if until_ok 50 call_echo "$url" "$sid" "$tool" 2> /dev/null; then
        wrk_rows "$label" "$url" "$sid" "$tool" "$gw"
    elif [ -n "${unsupported:-}" ]; then
        na "$label" - "$unsupported"
    else
        echo "bench: $label: $tool never answered at $url; see $out/gateway-$port.log" >&2
        exit 1
    fi
    stop "$gw"
}

# hub_gateway PORT CONFIG: mcp-hub on PORT; measure echo__echo at its
# legacy HTTP+SSE endpoint with node_load.mjs
hub_gateway() {
    local url=http://127.0.0.1:$1/mcp gw
    start "mcp-hub-$1" "${hub[@]}" --port "$1" --config "$2"
    gw=$pid
    wait_port "$1"
    until_ok 100 sse_has "$url" echo__echo
    node_rows "mcp-hub, legacy HTTP+SSE /mcp (node SSE client)" sse echo__echo "$url" "$gw"
    stop "$gw"
}

# cpu_split PORT CONFIG: calls at c=16 through mcpgate (serving CONFIG on
# PORT) to its stdio upstream, and where their CPU goes, per call: the
# gateway, the upstream server, the load generator.  On a machine this
# small the three share the cores, so their sum bounds the calls/s.
cpu_split() {
    local url=http://127.0.0.1:$1/mcp gw up sid line n g0 g1 u0 u1 w0 w1 cores tck gus uus wus
    ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
    # The CPU of this shell's waited-for children, from `times` (which
    # must run in this shell, not in a subshell), in microseconds.
    children_us() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
        printf "%d", ((u[1] + s[1]) * 60 + u[2] + s[2]) * 1000000 }' "$1"; }
    start "split-$1" build/release/mcpgate serve --config "$2"
    gw=$pid
    wait_port "$1"
    sid=$(open_session "$url")
    until_ok 50 call_echo "$url" "$sid" echo__echo 2> /dev/null
    up=$(pgrep -P "$gw" -f ts_echo_stdio.mjs | head -1)
    SID="$sid" TOOL=echo__echo wrk -t2 -c16 -d1s -s bench/call.lua "$url" > /dev/null
    g0=$(ticks "$gw") u0=$(ticks "$up")
    times > "$out/times.before"
    line=$(SID="$sid" TOOL=echo__echo wrk -t2 -c16 -d"${duration}s" -s bench/call.lua "$url")
    times > "$out/times.after"
    g1=$(ticks "$gw") u1=$(ticks "$up")
    w0=$(children_us "$out/times.before") w1=$(children_us "$out/times.after")
    stop "$gw"
    n=$(field "$(grep '^RESULT' <<< "$line")" requests)
    cores=$(nproc)
    tck=$(getconf CLK_TCK)
    gus=$(( (g1 - g0) * 1000000 / tck / n )) uus=$(( (u1 - u0) * 1000000 / tck / n )) wus=$(( (w1 - w0) / n ))
    echo "where the CPU goes at c=16 through mcpgate, per call: gateway $gus us (its thread of the call record" \
        "included), upstream server $uus us, wrk $wus us; $cores cores give at most" \
        "$(( cores * 1000000 / (gus + uus + wus) )) calls/s at that cost; this run made" \
        "$(field "$(grep '^RESULT' <<< "$line")" calls_per_s)"
    echo "split gateway_us=$gus upstream_us=$uus wrk_us=$wus cores=$cores" >> "$out/results.txt"
}

# relay_floor MODE: the CPU per call at c=1 of a relay that only moves
# bytes (relay_floor.c) to an echo process reached as MODE (stdio|http):
# no gateway can spend less on this machine.
relay_floor() {
    local line
    line=$("$out/relay_floor" "$1" 20000)
    echo "floor: a relay that only moves bytes (relay_floor.c), c=1: $(field "$line" cpu_us_per_call) us of CPU per call," \
        "$(field "$line" wall_us_per_call) us per round trip"
    echo "floor $1_us=$(field "$line" cpu_us_per_call)" >> "$out/results.txt"
}

# mcpgate_config FILE PORT SERVER-LINES: a config serving PORT
mcpgate_config() {
    printf 'listen: 127.0.0.1:%s\nlog_level: warn\nservers:\n%s\n' "$2" "$3" > "$1"
}
stdio_server() { printf '  - name: %s\n    command: %s\n    args: [%s]\n' "$1" "$node" "$echo_stdio"; }
hub_config() { # hub_config FILE ENTRIES (JSON members of mcpServers)
    printf '{"mcpServers": {%s}}\n' "$2" > "$1"
}
hub_stdio() { printf '"%s": {"command": "%s", "args": ["%s"]}' "$1" "$node" "$echo_stdio"; }

: > "$out/results.txt"
: > "$out/node_load.log"
versions=$(cd "$mods" && for p in supergateway mcp-proxy mcp-hub; do
    printf '%s@%s ' "$p" "$("$node" -p "require('./$p/package.json').version")"; done)
echo "reference gateways: $versions(node $("$node" --version)); upstream: @modelcontextprotocol/sdk $("$node" -p "require('$root/tests/node_modules/@modelcontextprotocol/sdk/package.json').version")"
echo "cpu_us/c: CPU time (utime+stime) of the gateway process and its helpers, not the upstream, per call"
echo "bad: replies without the echoed text, plus socket errors"

echo
section=stdio
echo "== 1. echo through the gateway to a stdio upstream (TS SDK v1 server over stdio; ${duration} s per row)"
header
NOCPU=1 node_rows "direct: no gateway (node stdio client)" stdio echo "$node" "$echo_stdio"

mcpgate_config "$out/mcpgate-stdio.yaml" 18921 "$(stdio_server echo)"
http_gateway "mcpgate, Streamable HTTP (wrk)" 18921 echo__echo build/release/mcpgate serve --config "$out/mcpgate-stdio.yaml"
http_gateway "supergateway, stateful Streamable HTTP (wrk)" 18922 echo "${node_lo[@]}" "$mods/supergateway/dist/index.js" \
    --stdio "$node $echo_stdio" --outputTransport streamableHttp --stateful --port 18922 --logLevel none
http_gateway "mcp-proxy, Streamable HTTP (wrk)" 18923 echo "$node" "$mods/mcp-proxy/dist/bin/mcp-proxy.mjs" \
    --host 127.0.0.1 --port 18923 --server stream -- "$node" "$echo_stdio"
hub_config "$out/hub-stdio.json" "$(hub_stdio echo)"
hub_gateway 18924 "$out/hub-stdio.json"
cpu_split 18921 "$out/mcpgate-stdio.yaml"
relay_floor stdio

echo
section=http
echo "== 2. echo through the gateway to a Streamable HTTP upstream (TS SDK v1 server, stateful; ${duration} s per row)"
header
start ts-http "$node" bench/ts_echo_server.mjs 18930
ts=$pid
wait_port 18930
ts_url=http://127.0.0.1:18930/mcp
sid=$(open_session "$ts_url")
wrk_rows "direct: no gateway (wrk)" "$ts_url" "$sid" echo -

mcpgate_config "$out/mcpgate-http.yaml" 18931 "$(printf '  - name: echo\n    url: %s' "$ts_url")"
unsupported="url upstreams not supported by this build" \
    http_gateway "mcpgate, Streamable HTTP (wrk)" 18931 echo__echo build/release/mcpgate serve --config "$out/mcpgate-http.yaml"
hub_config "$out/hub-http.json" "$(printf '"echo": {"url": "%s"}' "$ts_url")"
hub_gateway 18932 "$out/hub-http.json"
node_rows "supergateway, stdio front door (node stdio client)" stdio echo \
    "$node" "$mods/supergateway/dist/index.js" --streamableHttp "$ts_url" --logLevel none
na "mcp-proxy" - "it only runs stdio servers; it cannot front a URL"
stop "$ts"
relay_floor http

echo
echo "== 3. RSS of the gateway process with 10 stdio upstreams (idle, all tools listed)"
servers=""
hub_entries=""
for i in $(seq 10); do
    servers+="$(stdio_server "echo$i")"$'\n'
    hub_entries+="${hub_entries:+, }$(hub_stdio "echo$i")"
done
mcpgate_config "$out/mcpgate-ten.yaml" 18941 "$servers"
hub_config "$out/hub-ten.json" "$hub_entries"

start mcpgate-ten build/release/mcpgate serve --config "$out/mcpgate-ten.yaml"
gw=$pid
wait_port 18941
until_ok 150 mcp_count http://127.0.0.1:18941/mcp 10
sleep 1
printf '%-10s %6d KiB  (gateway process only; its %d upstream children not counted)\n' mcpgate "$(rss_kib "$gw")" \
    "$(pgrep -P "$gw" | wc -l)"
echo "mcpgate rss_kib=$(rss_kib "$gw")" >> "$out/results.txt"
stop "$gw"

start mcp-hub-ten "${hub[@]}" --port 18942 --config "$out/hub-ten.json"
gw=$pid
wait_port 18942
until_ok 150 sse_count http://127.0.0.1:18942/mcp 10
sleep 1
printf '%-10s %6d KiB  (gateway process only; its %d upstream children not counted)\n' mcp-hub "$(rss_kib "$gw")" \
    "$(pgrep -P "$gw" | wc -l)"
echo "mcp-hub rss_kib=$(rss_kib "$gw")" >> "$out/results.txt"
stop "$gw"

echo
echo "== 4. mcpgate: time from start until each of 10 stdio upstreams has its tools listed (a client following list_changed)"
# Ten node processes starting at once on a small machine vary by 100 ms
# and more from one start to the next: three rounds, gateway and floor
# in turn, and the medians are judged.
mcpgate_config "$out/mcpgate-fill.yaml" 18943 "$servers"
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
fills=() directs=()
for round in 1 2 3; do
    fill=$("$node" bench/catalog_fill.mjs http://127.0.0.1:18943/mcp 10 build/release/mcpgate serve --config "$out/mcpgate-fill.yaml")
    [ "$round" -eq 1 ] && grep -v '^RESULT' <<< "$fill"
    fills+=("$(field "$(grep '^RESULT' <<< "$fill")" all_ms)")
    direct=$("$node" bench/direct_fill.mjs 10 "$node" "$echo_stdio" | grep '^RESULT')
    directs+=("$(field "$direct" all_ms)")
done
mcpgate_config "$out/mcpgate-one.yaml" 18944 "$(stdio_server echo)"
one=$("$node" bench/catalog_fill.mjs http://127.0.0.1:18944/mcp 1 build/release/mcpgate serve --config "$out/mcpgate-one.yaml" |
    grep '^RESULT')
echo "all 10 listed through mcpgate after ${fills[*]} ms (three starts);" \
    "the same 10 started at once with no gateway (direct_fill.mjs) answer tools/list after ${directs[*]} ms;" \
    "a single one alone through mcpgate after $(field "$one" all_ms) ms"
echo "catalog all_ms=$(median "${fills[@]}") direct_all_ms=$(median "${directs[@]}") single_all_ms=$(field "$one" all_ms)" \
    >> "$out/results.txt"

echo
echo "== 5. mcpgate: ready time of a remote server: server-everything over Streamable HTTP (tools, prompts, resources,"
echo "   templates) through delay_proxy.mjs, a link with a 50 ms round trip"
start everything-http env PORT=18950 "$node" "$root/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js" \
    streamableHttp
ev=$pid
wait_port 18950
start delay-proxy "$node" bench/delay_proxy.mjs 18951 18950 50
proxy=$pid
wait_port 18951
mcpgate_config "$out/mcpgate-remote.yaml" 18952 "$(printf '  - name: everything\n    url: http://127.0.0.1:18951/mcp')"
remote=$("$node" bench/catalog_fill.mjs http://127.0.0.1:18952/mcp 1 build/release/mcpgate serve --config "$out/mcpgate-remote.yaml" |
    grep '^RESULT')
echo "its tools listed after $(field "$remote" all_ms) ms (50 ms a round trip; a client following list_changed)"
echo "remote rtt_ms=50 all_ms=$(field "$remote" all_ms)" >> "$out/results.txt"
stop "$proxy"
stop "$ev"

echo
echo "Rows: 'direct' is the upstream alone, the floor; every other row is the same upstream behind that gateway."
echo "Load clients differ where a gateway's front door needs it (named in brackets): compare within a client."
echo "Figures: $out/results.txt"
echo
"$node" bench/targets.mjs "$out/results.txt"
