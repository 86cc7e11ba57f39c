#!/usr/bin/env bash
# conformance.sh - run the official MCP conformance suite (server side,
# @modelcontextprotocol/conformance from tests/node_modules) against
# `mcpgate serve --conformance`, for protocol 2025-11-25 and 2026-07-28;
# then again with that fixture behind the gateway, at /servers/fixture/mcp,
# as a stdio upstream and as an HTTP upstream, each spoken to in the era
# it speaks (2026-07-28) and held to the legacy one; the tasks extension's
# scenarios through a gateway bridging it to 2025-11-25 tasks, and
# through a second gateway in front of that one; then the client
# scenarios against the command line (`mcpgate tools`, `mcpgate call`).
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
# The gateways' call record stays in the run's output, never in $HOME.
export MCPGATE_STATE_DIR="$root/$out/state"

# start_gate LOG ARGS...: run mcpgate serve, set $pid and $url (its /mcp).
start_gate() {
    local log=$1; shift
    "$bin" serve "$@" 2>"$log" &
    pid=$!
    url=
    for _ in $(seq 100); do
        url=$(grep -o 'serving MCP on http://[^ ]*/mcp' "$log" | head -n 1 | sed 's/^serving MCP on //')
        [ -n "$url" ] && break
        sleep 0.1
    done
    if [ -z "$url" ]; then
        echo "conformance: mcpgate did not start:"; cat "$log"
        kill "$pid" 2>/dev/null
        return 1
    fi
}

# run_suite URL NAME: both revisions against URL; baselines are
# tests/conformance/expected-NAME<revision>.yaml, results $out/NAME<revision>.
run_suite() {
    local url=$1 name=$2 rev status log required failing
    for rev in 2025-11-25 2026-07-28; do
        echo "--- conformance, server, --requirements $rev ($url)"
        "$node" "$suite" server --url "$url" --requirements "$rev" \
            --expected-failures "tests/conformance/expected-$name$rev.yaml" -o "$out/$name$rev" \
            >"$out/$name$rev.log" 2>&1
        status=$?
        # Required scenarios are those the suite's requirements file lists
        # under server:; the failing ones are those the baseline names.
        log=$(sed 's/\x1b\[[0-9;]*m//g' "$out/$name$rev.log")
        required=$(awk '/^server:/ {on = 1; next} /^[a-z_]+:/ {on = 0} on && /^  - /' \
            "$(dirname "$suite")/../requirements/$rev.yaml" | wc -l)
        failing=$(grep -E '^  - ' "tests/conformance/expected-$name$rev.yaml" | sed 's/^  - //; s/:.*//' | sort -u | wc -l)
        echo "required scenarios: $((required - failing)) of $required pass;" \
            "$failing known failures (tests/conformance/expected-$name$rev.yaml)"
        grep -E '^(Total|Baseline|Unexpected|Stale)' <<<"$log" || true
        grep -A40 -E '^(Unexpected|Stale)' <<<"$log" | grep -E '^  ' || true
        [ $status -eq 0 ] || { echo "conformance $name$rev: FAILED (exit $status); log: $out/$name$rev.log"; rc=1; }
    done
}

# stop_gate LOG: SIGTERM, a clean exit, no sanitizer report.
stop_gate() {
    local log=$1 exit_code
    kill -TERM "$pid"
    wait "$pid"
    exit_code=$?
    if [ $exit_code -ne 0 ]; then
        echo "conformance: mcpgate exited $exit_code after SIGTERM ($log)"; rc=1
    fi
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$log"; then
        echo "conformance: sanitizer report in $log"; rc=1
    fi
}

rc=0
start_gate "$out/mcpgate.log" --conformance --listen 127.0.0.1:0 || exit 1
run_suite "$url" ""
stop_gate "$out/mcpgate.log"

# behind NAME PROTOCOL CONFIG-TAIL: the fixture as the upstream server
# "fixture" behind the gateway, spoken to in PROTOCOL (auto finds that it
# speaks 2026-07-28; legacy holds it to initialize and 2025-11-25), and
# the suite at /servers/fixture/mcp, under its own names.  Every message
# crosses the gateway twice.
behind() {
    local name=$1 protocol=$2 tail=$3 log="$out/$1gateway.log"
    printf 'listen: 127.0.0.1:0\nservers:\n  - name: fixture\n    protocol: %s\n%s' "$protocol" "$tail" \
        >"$out/$1upstream.yaml"
    start_gate "$log" --config "$out/$1upstream.yaml" || { rc=1; return; }
    for _ in $(seq 100); do # until the fixture has connected
        grep -q 'upstream fixture ready' "$log" && break
        sleep 0.1
    done
    run_suite "${url%/mcp}/servers/fixture/mcp" "$name"
    stop_gate "$log"
}

# A stdio child (mcpgate stdio --conformance).
stdio=$(printf '    command: %s\n    args: [stdio, --conformance]\n' \
    "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")")
behind stdio-upstream- auto "$stdio"
behind stdio-legacy-upstream- legacy "$stdio"

# The fixture served on a port of its own, reached by url (Streamable HTTP).
start_gate "$out/fixture.log" --conformance --listen 127.0.0.1:0 || exit 1
fixture_pid=$pid
http=$(printf '    url: %s\n' "$url")
behind http-upstream- auto "$http"
behind http-legacy-upstream- legacy "$http"
pid=$fixture_pid
stop_gate "$out/fixture.log"

# The tasks extension of 2026-07-28 (io.modelcontextprotocol/tasks): each
# of the suite's scenarios for it, at /servers/tasks/mcp, with an SDK v1
# server of 2025-11-25 tasks behind the gateway (tests/conformance/
# tasks_upstream.mjs), so every check goes through the bridge.
printf 'listen: 127.0.0.1:0\nservers:\n  - name: tasks\n    command: %s\n    args: [%s]\n' \
    "$root/$node" "$root/tests/conformance/tasks_upstream.mjs" >"$out/tasks-upstream.yaml"
if start_gate "$out/tasks-gateway.log" --config "$out/tasks-upstream.yaml"; then
    for _ in $(seq 100); do
        grep -q 'upstream tasks ready' "$out/tasks-gateway.log" && break
        sleep 0.1
    done
    scenarios=$("$node" "$suite" list --server | sed 's/\x1b\[[0-9;]*m//g' |
        sed -n 's/^ *- \(tasks-[a-z0-9-]*\) \[extension\].*/\1/p')
    # run_tasks URL NAME: each tasks scenario against URL; results $out/NAME-<scenario>
    run_tasks() {
        local scenario status result
        for scenario in $scenarios; do
            "$node" "$suite" server --url "$1" --scenario "$scenario" -o "$out/$2-$scenario" >"$out/$2-$scenario.log" 2>&1
            status=$?
            result=$(sed 's/\x1b\[[0-9;]*m//g' "$out/$2-$scenario.log" | grep -E '^Passed:' | head -n 1)
            echo "$scenario: ${result:-no result}"
            [ $status -eq 0 ] || { echo "conformance $2 $scenario: FAILED (exit $status); log: $out/$2-$scenario.log"; rc=1; }
        done
    }
    echo "--- conformance, server, tasks extension through the bridge: $(wc -w <<<"$scenarios") scenarios"
    run_tasks "${url%/mcp}/servers/tasks/mcp" tasks
    # That gateway is in turn a server of the tasks extension: behind a
    # second gateway (server `inner`, by url), whose tasks are then the
    # extension's on both sides, under the second gateway's ids.
    inner_pid=$pid inner_url=${url%/mcp}/servers/tasks/mcp
    printf 'listen: 127.0.0.1:0\nservers:\n  - name: inner\n    url: %s\n' "$inner_url" >"$out/tasks-outer.yaml"
    if start_gate "$out/tasks-outer.log" --config "$out/tasks-outer.yaml"; then
        for _ in $(seq 100); do
            grep -q 'upstream inner ready' "$out/tasks-outer.log" && break
            sleep 0.1
        done
        echo "--- conformance, server, tasks extension of an upstream that speaks it: $(wc -w <<<"$scenarios") scenarios"
        run_tasks "${url%/mcp}/servers/inner/mcp" tasks-outer
        stop_gate "$out/tasks-outer.log"
    else
        rc=1
    fi
    pid=$inner_pid
    stop_gate "$out/tasks-gateway.log"
else
    rc=1
fi

# The command line as a client: every client scenario that needs no
# authorization and is not an extension, each run as the mcpgate commands a user would type
# (tests/conformance/cli_client.mjs maps one to the other).
case $bin in /*) MCPGATE_BIN=$bin ;; *) MCPGATE_BIN=$root/$bin ;; esac
export MCPGATE_BIN

# run_clients WHAT HARNESS SCENARIOS...: each client scenario with
# tests/conformance/HARNESS as the client; results $out/WHAT-<scenario>.
run_clients() {
    local what=$1 harness=$2 scenario status log
    shift 2
    for scenario in "$@"; do
        log=$out/$what-$scenario.log
        echo "--- conformance, $what, $scenario"
        "$node" "$suite" client --command "$node tests/conformance/$harness" --scenario "$scenario" \
            -o "$out/$what-$scenario" >"$log" 2>&1
        status=$?
        sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(Passed|.*OVERALL)' || true
        if [ $status -ne 0 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$log"; then
            echo "conformance $what $scenario: FAILED (exit $status); log: $log"; rc=1
        fi
    done
}

run_clients client cli_client.mjs initialize tools_call sse-retry elicitation-sep1034-client-defaults \
    request-metadata sep-2322-client-request-state http-standard-headers http-custom-headers \
    http-invalid-tool-headers json-schema-ref-no-deref json-schema-2020-12-preservation

# The gateway as a client: the same scenarios with mcpgate serve between
# an SDK client (2025-11-25) and the scenario's server as an upstream
# (tests/conformance/gateway_client.mjs), so the server sees what the
# gateway sends upstream: its era detection, the 2026-07-28 headers and
# the bridge of input_required to a legacy client.
run_clients gateway-client gateway_client.mjs initialize tools_call sse-retry request-metadata \
    sep-2322-client-request-state http-standard-headers http-custom-headers http-invalid-tool-headers \
    json-schema-ref-no-deref json-schema-2020-12-preservation
exit $rc
