# lib.sh - shell helpers shared by the benchmark scripts (sourced).

wait_port() { # wait_port PORT [TRIES]: wait until something listens on PORT
    for _ in $(seq "${2:-100}"); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "bench: nothing listens on port $1" >&2
    return 1
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# initialize a legacy session at URL; prints its Mcp-Session-Id
open_session() {
    local url=$1 sid
    sid=$(curl -s -D - -o /dev/null "$url" -H 'content-type: application/json' \
        -H 'accept: application/json, text/event-stream' \
        -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' |
        awk 'tolower($1) == "mcp-session-id:" {print $2}' | tr -d '\r')
    curl -s -o /dev/null "$url" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
        -H "mcp-session-id: $sid" -H 'mcp-protocol-version: 2025-11-25' \
        -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    echo "$sid"
}

# call_echo URL SID TOOL: one tools/call in session SID; succeeds when the
# reply carries the echoed text
call_echo() {
    curl -s -m 5 "$1" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
        -H "mcp-session-id: $2" -H 'mcp-protocol-version: 2025-11-25' \
        -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"'"$3"'","arguments":{"text":"hello"}}}' |
        grep -q '"text":"hello"'
}
