#!/usr/bin/env bash
# bench/segment/run.sh - audience counts through our query layer vs hand-written SQL.
#
# What it does (issue 4: "our count at most 1.1x the hand-written SQL"):
#   1. builds the Release binary (BUILD=1: cmake --build build/release --target overture);
#   2. for each size in SIZES and each engine in ENGINES, a fresh database (SQLite: a file in
#      a temp folder; PostgreSQL: a new database on a throw-away server started through
#      scripts/with-postgres.sh, 127.0.0.1 only), then `overture bench segment`, which
#      migrates, loads SIZE demo profiles with PURCHASES purchases each (PURCHASES_10M for
#      sizes of 10M and more) with the demo generator and loader, ANALYZEs, and times five
#      audiences: ours (text -> parse -> check -> normalize -> SQL -> execute, as the API's
#      count) against hand-written SQL in the same database, cold and warm (ROUNDS), checking
#      that both counts are equal;
#   3. prints each run's table and collects results.tsv:
#      engine profiles audience count ours_cold_ms hand_cold_ms ours_warm_ms hand_warm_ms rounds
#
# Cold runs evict the database files from the OS page cache with posix_fadvise(DONTNEED)
# (SQLite: the database and its WAL; PostgreSQL: the server's data directory, which this
# script's server lets us read), on a new connection. PostgreSQL's shared_buffers are not
# cleared (no server restart between runs).
#
# Bounded: each `overture bench segment` runs under `timeout STEP_TIMEOUT`, and stops starting
# warm rounds after MAX_SECONDS. Exits 1 when a run fails or a count differs; a ratio over
# 1.1x is reported, not a failure. The temp folder is removed on exit (KEEP=1 keeps it).
#
# Env: SIZES ("1000000")  ENGINES ("sqlite pg")  PURCHASES (5)  PURCHASES_10M (0)
#      ROUNDS (5)  MAX_SECONDS (600)  STEP_TIMEOUT (7200 s)  BUILD (1; 0 = binary as it is)
#      OVERTURE_BIN (build/release/overture)  TMPDIR  OUT (folder for results.tsv and logs)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

SIZES=${SIZES:-1000000}
ENGINES=${ENGINES:-sqlite pg}
PURCHASES=${PURCHASES:-5}
PURCHASES_10M=${PURCHASES_10M:-0}
ROUNDS=${ROUNDS:-5}
MAX_SECONDS=${MAX_SECONDS:-600}
STEP_TIMEOUT=${STEP_TIMEOUT:-7200}
BUILD=${BUILD:-1}
OVERTURE_BIN=${OVERTURE_BIN:-$ROOT/build/release/overture}

log() { echo "[$(date +%T)] $*" >&2; }

# Inner mode: running under scripts/with-postgres.sh, with OVERTURE_TEST_POSTGRES_URL set.
if [[ ${1:-} == --inner-pg ]]; then
    url=$OVERTURE_TEST_POSTGRES_URL
    pgdata=$(psql "$url" -XAtqc "SHOW data_directory")
    status=0
    for size in $SIZES; do
        purchases=$PURCHASES
        ((size >= 10000000)) && purchases=$PURCHASES_10M
        db="segment_$size"
        psql "$url" -Xqc "CREATE DATABASE $db" >/dev/null || exit 1
        log "postgres: $size profiles, $purchases purchases each"
        timeout -k 10 "$STEP_TIMEOUT" "$OVERTURE_BIN" bench segment --database "${url%/*}/$db" \
            --profiles "$size" --purchases "$purchases" --rounds "$ROUNDS" \
            --max-seconds "$MAX_SECONDS" --pgdata "$pgdata" --out "$WORK/results.tsv" \
            --log-level warn || status=1
        psql "$url" -Xqc "SELECT pg_size_pretty(pg_database_size('$db')) AS size" -At |
            sed 's/^/postgres database size: /' >&2
        psql "$url" -Xqc "DROP DATABASE $db" >/dev/null || true
    done
    exit $status
fi

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

WORK=$(mktemp -d "${TMPDIR:-/tmp}/overture-segment.XXXXXX")
export WORK OVERTURE_BIN SIZES PURCHASES PURCHASES_10M ROUNDS MAX_SECONDS STEP_TIMEOUT
cleanup() { ((${KEEP:-0})) || rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

FAILED=0
for engine in $ENGINES; do
    case $engine in
        sqlite)
            for size in $SIZES; do
                purchases=$PURCHASES
                ((size >= 10000000)) && purchases=$PURCHASES_10M
                file="$WORK/segment_$size.db"
                log "sqlite: $size profiles, $purchases purchases each"
                timeout -k 10 "$STEP_TIMEOUT" "$OVERTURE_BIN" bench segment \
                    --database "sqlite:$file" --profiles "$size" --purchases "$purchases" \
                    --rounds "$ROUNDS" --max-seconds "$MAX_SECONDS" --out "$WORK/results.tsv" \
                    --log-level warn || FAILED=1
                log "sqlite database size: $(du -sh "$file" | cut -f1)"
                rm -f "$file" "$file-wal" "$file-shm"
            done
            ;;
        pg)
            "$ROOT/scripts/with-postgres.sh" "$HERE/run.sh" --inner-pg || FAILED=1
            ;;
        *)
            log "error: unknown engine $engine"
            FAILED=1
            ;;
    esac
done

if [[ -n ${OUT:-} ]]; then
    mkdir -p "$OUT" && cp "$WORK/results.tsv" "$OUT/" 2>/dev/null
fi
echo
echo "engine profiles audience count ours_cold_ms hand_cold_ms ours_warm_ms hand_warm_ms rounds" |
    tr ' ' '\t'
cat "$WORK/results.tsv" 2>/dev/null
if ((FAILED)); then
    log "FAILED: a run failed or a count differed"
    exit 1
fi
awk -F'\t' '$8 > 0 && $7 / $8 > 1.1 { printf "over 1.1x (warm): %s %s %s %.2fx\n", $1, $2, $3, $7 / $8 }' \
    "$WORK/results.tsv" >&2
exit 0
