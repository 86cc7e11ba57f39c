#!/usr/bin/env bash
# setup.sh - install everything mcpgate needs to build and test, then build.
#
# Idempotent and quick when everything is already there: Debian packages
# are installed only when one is missing, the npm test peers only when
# tests/package-lock.json changed, and the builds are incremental.
#
#   scripts/setup.sh            packages + test peers + release and test builds
#   scripts/setup.sh --no-build packages + test peers only
#   scripts/setup.sh --release  packages + test peers + release build only
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Build tools and the libraries of docs/../DESIGN.md, plus what the tests use
# (zsh: to check that the zsh completion script parses).  mcpgate is built
# with libcurl's headers but does not link it: it loads libcurl.so.4, which
# libcurl4-openssl-dev brings, when a url server first needs it.
packages=(
    build-essential cmake pkg-config clang libclang-rt-14-dev
    libuv1-dev libh2o-dev libcurl4-openssl-dev libjansson-dev libyaml-dev
    libsqlite3-dev libssl-dev libpcre2-dev libcmocka-dev
    json-schema-test-suite libtest-json-schema-acceptance-perl wrk curl ca-certificates
    procps zsh
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm installs the test peers (Node 22 itself comes from npm, see below);
# any npm will do, so Debian's is installed only when there is none.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Test peers from npm, pinned by tests/package-lock.json.  node@22 brings
# its own Node binary (tests/node_modules/.bin/node), used only to run them.
stamp=tests/node_modules/.mcpgate-lock.sha256
want=$(sha256sum tests/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x tests/node_modules/.bin/node ]; then
    echo "setup: installing npm test peers (tests/package-lock.json)"
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--no-build" ]; then
    exit 0
fi

jobs=$(nproc 2>/dev/null || echo 2)
build() { # build DIR CMAKE-ARGS...
    local dir=$1; shift
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        cmake -S . -B "$dir" "$@" >/dev/null
    fi
    cmake --build "$dir" -j"$jobs"
}
echo "setup: building build/release (-O2)"
build build/release -DCMAKE_BUILD_TYPE=Release -DMG_TESTS=OFF
if [ "${1:-}" = "--release" ]; then
    exit 0
fi
echo "setup: building build/test (ASan + UBSan)"
build build/test -DCMAKE_BUILD_TYPE=Debug -DMG_SANITIZE=ON
echo "setup: done"
