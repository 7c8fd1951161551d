#!/usr/bin/env bash
# Builds and runs the promotion benchmark: notify MASTER -> first write accepted,
# pgfo vs the classic trigger file + restart, interleaved, 20 fresh pairs each.
#   bench/promote.sh [--runs N] [--poll-ms N] [--keep]
# Needs root (servers run as postgres). Work files go under $TMPDIR (default /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PGFO_BUILD_DIR:-build}
[[ -f "$build/build.ninja" || -f "$build/Makefile" ]] || cmake -S . -B "$build" -G Ninja >/dev/null
cmake --build "$build" -j2 --target pgfo_bench_promote pgfo
exec "$build/bench/pgfo_bench_promote" "$@"
