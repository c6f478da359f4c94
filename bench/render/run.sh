#!/usr/bin/env bash
# bench/render/run.sh - personalization renders per second against hand-written C++.
#
# What it does (issue 5: "over 100,000 renders/s per core, at least 0.5x the hand-written"):
#   1. builds the Release binary (BUILD=1: cmake --build build/release --target overture);
#   2. runs `overture bench render`, which generates PROFILES profiles in memory (seeded),
#      compiles a realistic 2 KB HTML email (ten profile fields, one `if`, one `for` over three
#      purchases, five links) once, checks on a sample that the engine and a hand-written C++
#      function (string appends, the same HTML escaping) give the same bytes, then times ROUNDS
#      rounds on one thread, each rendering every profile both ways;
#   3. prints the medians: renders per second (per core: one thread) for both, and the ratio.
#
# Bounded: the run is under `timeout STEP_TIMEOUT` and stops starting rounds after MAX_SECONDS.
# Exits 1 when the run fails or the two sides differ; a result under the target is reported,
# not a failure.
#
# Env: PROFILES (1000000)  ROUNDS (5)  MAX_SECONDS (600)  STEP_TIMEOUT (1800 s)  SEED (1)
#      BUILD (1; 0 = binary as it is)  OVERTURE_BIN (build/release/overture)
#      OUT (file to append the result line to, TSV)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

PROFILES=${PROFILES:-1000000}
ROUNDS=${ROUNDS:-5}
MAX_SECONDS=${MAX_SECONDS:-600}
STEP_TIMEOUT=${STEP_TIMEOUT:-1800}
SEED=${SEED:-1}
BUILD=${BUILD:-1}
OVERTURE_BIN=${OVERTURE_BIN:-$ROOT/build/release/overture}

log() { echo "[$(date +%T)] $*" >&2; }

if ((BUILD)); then
    log "building $ROOT/build/release (overture)"
    cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null &&
        cmake --build "$ROOT/build/release" --target overture >/dev/null || {
        log "error: build failed"
        exit 1
    }
fi
[[ -x $OVERTURE_BIN ]] || {
    log "error: no binary at $OVERTURE_BIN"
    exit 1
}

log "render: $PROFILES profiles, $ROUNDS rounds"
args=(bench render --profiles "$PROFILES" --rounds "$ROUNDS" --max-seconds "$MAX_SECONDS"
    --seed "$SEED")
[[ -n ${OUT:-} ]] && args+=(--out "$OUT")
result=$(timeout -k 10 "$STEP_TIMEOUT" "$OVERTURE_BIN" "${args[@]}") || {
    log "FAILED: the run failed or the two sides differ"
    exit 1
}
echo "$result"
echo "$result" | awk -F'\t' 'NR == 2 {
    if ($3 < 100000) printf "under target: %.0f renders/s per core (target 100,000)\n", $3
    if ($5 < 0.5) printf "under target: %.2fx the hand-written (target 0.5x)\n", $5
}' >&2
exit 0
