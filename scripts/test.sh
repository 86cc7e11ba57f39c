#!/usr/bin/env bash
# test.sh - set everything up, then run every test under ASan + UBSan.
#
#   scripts/test.sh              everything (the CI command)
#   FUZZ_SECONDS=600 scripts/test.sh   fuzz longer than the default 30 s
#
# Steps: unit tests (cmocka), the JSON-Schema-Test-Suite run against the
# validator, integration tests with the official MCP SDK clients (Node 22
# from npm), the official MCP conformance suite against `mcpgate serve`,
# and bounded libFuzzer runs of the message parser, schema validator,
# config loader and event-stream parser.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh || { echo "test: setup failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
node=tests/node_modules/.bin/node
failed=()
passed=0

step() { # step NAME COMMAND...
    local name=$1; shift
    echo
    echo "=== $name"
    if "$@"; then
        passed=$((passed + 1))
        echo "--- $name: ok"
    else
        failed+=("$name")
        echo "--- $name: FAILED"
    fi
}

unit_tests() {
    local rc=0
    for t in build/test/test_*; do
        [ -x "$t" ] || continue
        "$t" || rc=1
    done
    return $rc
}

# draft7 from Debian's json-schema-test-suite; draft2020-12 from the copy of
# the same official suite that libtest-json-schema-acceptance-perl ships
# (json-schema-test-suite in bookworm predates 2020-12).
schema_suite() {
    build/test/schema_suite --baseline tests/schema/baseline.txt \
        /usr/share/json-schema-test-suite/tests/draft7 \
        /usr/share/perl5/auto/share/dist/Test-JSON-Schema-Acceptance/tests/draft2020-12
}

integration() {
    MCPGATE_BIN="$root/build/test/mcpgate" "$node" --test --test-concurrency=2 'tests/integration/*.test.mjs'
}

run_fuzzer() { # run_fuzzer BINARY SEED-CORPUS SECONDS
    local name scratch log rc
    name=$(basename "$1")
    scratch="build/fuzz/corpus-$name"
    log="build/fuzz/$name.log"
    mkdir -p "$scratch"
    "$1" -max_total_time="$3" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix=build/fuzz/ "$scratch" "$2" >"$log" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        tail -n 60 "$log"
        echo "$name: failed (exit $rc); the input is in build/fuzz/, the log in $log"
        return 1
    fi
    echo "$name: $3 s, $(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$log" | cut -d' ' -f2) inputs, no crash"
}

fuzz() {
    local dir=build/fuzz seconds=${FUZZ_SECONDS:-30}
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        CC=clang cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DMG_FUZZ=ON -DMG_TESTS=OFF >/dev/null || return 1
    fi
    cmake --build "$dir" -j2 || return 1
    # Each target gets the time budget; new inputs go to a scratch corpus.
    run_fuzzer "$dir/fuzz_message" tests/fuzz/corpus "$seconds" || return 1
    run_fuzzer "$dir/fuzz_schema" tests/fuzz/schema-corpus "$seconds" || return 1
    run_fuzzer "$dir/fuzz_config" tests/fuzz/config-corpus "$seconds" || return 1
    run_fuzzer "$dir/fuzz_sse" tests/fuzz/sse-corpus "$seconds" || return 1
}

step "unit tests (cmocka, ASan+UBSan)" unit_tests
step "JSON-Schema-Test-Suite" schema_suite
step "integration (official MCP SDK clients, stdio and HTTP)" integration
step "MCP conformance suite (server, 2025-11-25 and 2026-07-28)" scripts/conformance.sh
step "fuzz (libFuzzer, ${FUZZ_SECONDS:-30} s)" fuzz

echo
echo "test: ${passed} passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
    printf 'failed: %s\n' "${failed[@]}"
    exit 1
fi
