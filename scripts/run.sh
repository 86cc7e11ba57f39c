#!/usr/bin/env bash
# run.sh - set everything up and run the gateway on its default config,
# examples/mcpgate.yaml: MCP over HTTP at http://127.0.0.1:8808/mcp,
# serving the built-in demo bundle.  Extra arguments are passed to
# `mcpgate serve` and override the file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --release >&2
exec "$root/build/release/mcpgate" serve --config "$root/examples/mcpgate.yaml" "$@"
