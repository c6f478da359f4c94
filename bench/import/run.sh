#!/usr/bin/env bash
# bench/import/run.sh - CSV import with reconciliation vs the databases' raw loaders, in one run.
#
# What it does (DESIGN.md section 7: "CSV import with reconciliation >= 0.5x rows/s of
# sqlite3 .import / PostgreSQL COPY of the same file"):
#   1. builds the Release binary (cmake --build build/release, or make build);
#   2. generates ROWS synthetic profiles (bench/import/gen.mjs, deterministic) into a temp
#      folder, plus the same file with MODIFY % of the rows changed (new city + postal code);
#   3. SQLite: `overture init` a fresh database, then `overture import --key email` three
#      times: fresh (all inserts), the same file again (all unchanged), the modified file
#      (MODIFY % updates); the raw loader in the same run: `sqlite3 .import` of the same file
#      into a plain table of the same 8 columns ("raw"), and into one with a unique index on
#      email ("raw+key");
#   4. PostgreSQL: a throw-away server from scripts/with-postgres.sh (127.0.0.1, fsync off),
#      the same three imports into a fresh database, and `psql \copy ... CSV HEADER` into a
#      plain table ("raw") and into one with a bigserial primary key and a unique email
#      ("raw+key");
#   5. prints Markdown tables: loader, rows, seconds, rows/s, ratio vs raw and vs raw+key, peak
#      RSS of the loading process (/usr/bin/time -v "Maximum resident set size"; for
#      PostgreSQL that is the client, not the server), and where the overture runs spent
#      their time (phases from the progress lines the command prints on stderr).
#
# Each timed command runs under `timeout` (STEP_TIMEOUT s). The script exits 1 if a command
# fails or a count is wrong (e.g. the fresh import did not insert ROWS records); missing the
# 0.5x target is reported, not a failure. Only 127.0.0.1 is used. Processes are started in
# the foreground and waited for; the PostgreSQL server is started and stopped by
# scripts/with-postgres.sh. The temp folder is removed on exit.
#
# Env: ROWS (1000000)  RUNS (1; with more, seconds are medians and RSS the maximum)
#      MODIFY (10 = percent of rows changed in the third import)  ENGINES ("sqlite pg")
#      STEP_TIMEOUT (900 s per timed command)  BUILD (1; 0 = use the binary as it is)
#      OVERTURE_BIN (build/release/overture)  TMPDIR (where the temp folder goes)
#      OUT (optional folder: results.tsv and the tables are copied there)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

log() { echo "[$(date +%T)] $*" >&2; }
die() { log "error: $*"; exit 1; }

# ------------------------------------------------------------------------------------------
# Measuring one command. Appends to $RESULTS:
#   engine loader round rows seconds rss_kb status phases counts
# phases (overture only): startup/read/reconcile/write/exit seconds, "-" otherwise.
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# phases T0 T1 STAMPED_STDERR -> "startup,read,reconcile,write,exit" in seconds
phases() {
    awk -v t0="$1" -v t1="$2" '
        !s && /Importing /            { s = $1 }
        !r && / reconciling$/         { r = $1 }
        !w && / writing$/             { w = $1 }
        !d && / done$/                { d = $1 }
        END {
            if (!s || !r || !w || !d) { print "-"; exit }
            printf "%.2f,%.2f,%.2f,%.2f,%.2f", s - t0, r - s, w - r, d - w, t1 - d
        }' "$3"
}

FAILED=0
# measure ENGINE LOADER ROUND CMD...: runs CMD (stdout in $WORK/step.out for the callers'
# checks, stderr time-stamped in $WORK/step.err), sets FAILED on a non-zero exit.
measure() {
    local engine=$1 loader=$2 round=$3
    shift 3
    local out="$WORK/step.out" err="$WORK/step.err" tv="$WORK/step.time" t0 t1 rc secs rss ph
    log "$engine: $loader (round $round)"
    t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$tv" timeout -k 10 "$STEP_TIMEOUT" "$@" 2>&1 >"$out" | stamp >"$err"
    rc=${PIPESTATUS[0]}
    t1=$EPOCHREALTIME
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv" 2>/dev/null)
    ph=$(phases "$t0" "$t1" "$err")
    if ((rc != 0)); then
        log "  FAILED (exit $rc):"
        tail -5 "$err" | cut -d' ' -f2- >&2
        tail -5 "$out" >&2
        FAILED=1
    else
        log "  $secs s, peak RSS $((${rss:-0} / 1024)) MB${ph:+, phases $ph}"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$engine" "$loader" "$round" "$ROWS" "$secs" \
        "${rss:-0}" "$rc" "$ph" >>"$RESULTS"
}

# check_import WHAT INSERTED UPDATED UNCHANGED: the summary line of the last overture import
check_import() {
    local line want
    line=$(grep -o 'read [0-9]*, inserted [0-9]*, updated [0-9]*, unchanged [0-9]*, deleted [0-9]*, rejected [0-9]*' "$WORK/step.out")
    want="read $ROWS, inserted $2, updated $3, unchanged $4, deleted 0, rejected 0"
    if [[ $line != "$want" ]]; then
        log "  WRONG COUNTS ($1): got '$line', want '$want'"
        FAILED=1
    else
        log "  $line"
    fi
}

check_count() { # WHAT GOT
    if [[ $2 != "$ROWS" ]]; then
        log "  WRONG COUNT ($1): $2 rows, want $ROWS"
        FAILED=1
    fi
}

# Rows the generator changes with MODIFY %: row numbers i (0-based) with i % 100 < MODIFY.
modified_rows() {
    local full=$((ROWS / 100)) rest=$((ROWS % 100))
    echo $((full * MODIFY + (rest < MODIFY ? rest : MODIFY)))
}

RAW_COLUMNS="email, first_name, last_name, gender, birth_date, country, city, postal_code"

# ------------------------------------------------------------------------------------------
sqlite_round() { # ROUND
    local round=$1 db="$WORK/overture.db" raw="$WORK/raw.db" n upd
    upd=$(modified_rows)
    rm -f "$db" "$db"-*
    timeout 120 "$BIN" init --database "sqlite:$db" --admin-password "bench-Import-$$-x" \
        >/dev/null 2>"$WORK/init.err" || { cat "$WORK/init.err" >&2; die "overture init (sqlite) failed"; }
    measure sqlite "overture import: fresh (insert)" "$round" \
        "$BIN" import --database "sqlite:$db" --file "$CSV" --key email --mode upsert \
        --rejects "$WORK/rejects.csv"
    check_import fresh "$ROWS" 0 0
    measure sqlite "overture import: same file (unchanged)" "$round" \
        "$BIN" import --database "sqlite:$db" --file "$CSV" --key email --mode upsert \
        --rejects "$WORK/rejects.csv"
    check_import unchanged 0 0 "$ROWS"
    measure sqlite "overture import: ${MODIFY}% modified (update)" "$round" \
        "$BIN" import --database "sqlite:$db" --file "$CSV_MOD" --key email --mode upsert \
        --rejects "$WORK/rejects.csv"
    check_import modified 0 "$upd" $((ROWS - upd))
    n=$(timeout 60 sqlite3 "$db" "SELECT count(*) FROM profiles")
    check_count "overture sqlite" "$n"
    rm -f "$db" "$db"-*

    local variant
    for variant in raw raw+key; do
        rm -f "$raw" "$raw"-*
        timeout 60 sqlite3 "$raw" "CREATE TABLE t(email TEXT NOT NULL, first_name TEXT, last_name TEXT,
            gender TEXT, birth_date TEXT, country TEXT, city TEXT, postal_code TEXT)" ||
            die "sqlite3 create table failed"
        if [[ $variant == raw+key ]]; then
            timeout 60 sqlite3 "$raw" "CREATE UNIQUE INDEX t_email ON t(email)" || die "sqlite3 index"
        fi
        measure sqlite "sqlite3 .import ($variant)" "$round" \
            sqlite3 -bail "$raw" ".mode csv" ".import --skip 1 $CSV t"
        n=$(timeout 60 sqlite3 "$raw" "SELECT count(*) FROM t")
        check_count "sqlite3 .import $variant" "$n"
        rm -f "$raw" "$raw"-*
    done
}

# Runs inside scripts/with-postgres.sh, which exports OVERTURE_TEST_POSTGRES_URL.
pg_round() { # ROUND
    local round=$1 base=${OVERTURE_TEST_POSTGRES_URL%/*} url n upd
    upd=$(modified_rows)
    url="$base/bench_import"
    local admin=(timeout 120 psql -X -q -v ON_ERROR_STOP=1 -d "$OVERTURE_TEST_POSTGRES_URL")
    local in_db=(timeout 120 psql -X -q -v ON_ERROR_STOP=1 -d "$url")
    "${admin[@]}" -c "DROP DATABASE IF EXISTS bench_import" -c "CREATE DATABASE bench_import" ||
        die "psql create database failed"
    timeout 120 "$BIN" init --database "$url" --admin-password "bench-Import-$$-x" \
        >/dev/null 2>"$WORK/init.err" || { cat "$WORK/init.err" >&2; die "overture init (pg) failed"; }
    # A checkpoint before each timed step, so that no step pays for the previous one's writes.
    "${in_db[@]}" -c "CHECKPOINT" || die "checkpoint"
    measure pg "overture import: fresh (insert)" "$round" \
        "$BIN" import --database "$url" --file "$CSV" --key email --mode upsert \
        --rejects "$WORK/rejects.csv"
    check_import fresh "$ROWS" 0 0
    "${in_db[@]}" -c "CHECKPOINT" || die "checkpoint"
    measure pg "overture import: same file (unchanged)" "$round" \
        "$BIN" import --database "$url" --file "$CSV" --key email --mode upsert \
        --rejects "$WORK/rejects.csv"
    check_import unchanged 0 0 "$ROWS"
    "${in_db[@]}" -c "CHECKPOINT" || die "checkpoint"
    measure pg "overture import: ${MODIFY}% modified (update)" "$round" \
        "$BIN" import --database "$url" --file "$CSV_MOD" --key email --mode upsert \
        --rejects "$WORK/rejects.csv"
    check_import modified 0 "$upd" $((ROWS - upd))
    n=$("${in_db[@]}" -A -t -c "SELECT count(*) FROM profiles")
    check_count "overture pg" "$n"

    local variant
    for variant in raw raw+key; do
        local id="" uniq=""
        if [[ $variant == raw+key ]]; then
            id="id bigserial PRIMARY KEY, "
            uniq=" UNIQUE"
        fi
        "${in_db[@]}" -c "DROP TABLE IF EXISTS t" -c "CREATE TABLE t(${id}email text NOT NULL$uniq,
            first_name text, last_name text, gender text, birth_date date, country text,
            city text, postal_code text)" -c "CHECKPOINT" || die "psql create table failed"
        measure pg "psql \\copy ($variant)" "$round" \
            psql -X -q -v ON_ERROR_STOP=1 -d "$url" \
            -c "\\copy t($RAW_COLUMNS) FROM '$CSV' CSV HEADER"
        n=$("${in_db[@]}" -A -t -c "SELECT count(*) FROM t")
        check_count "psql copy $variant" "$n"
        "${in_db[@]}" -c "DROP TABLE t" || true
    done
    "${admin[@]}" -c "DROP DATABASE bench_import" || true
}

export PGOPTIONS="-c client_min_messages=warning"
if [[ ${1:-} == __pg ]]; then
    # Inner part, run by scripts/with-postgres.sh; WORK, CSV, ... come from the outer part.
    for round in $(seq "$RUNS"); do pg_round "$round"; done
    exit "$FAILED"
fi

# ------------------------------------------------------------------------------------------
# Outer part.
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-1}
MODIFY=${MODIFY:-10}
ENGINES=${ENGINES:-"sqlite pg"}
STEP_TIMEOUT=${STEP_TIMEOUT:-900}
BUILD=${BUILD:-1}
BIN=${OVERTURE_BIN:-$ROOT/build/release/overture}
[[ $ROWS =~ ^[0-9]+$ ]] && ((ROWS > 0)) || die "ROWS must be a positive number"
[[ $RUNS =~ ^[0-9]+$ ]] && ((RUNS > 0)) || die "RUNS must be a positive number"
[[ $MODIFY =~ ^[0-9]+$ ]] && ((MODIFY <= 100)) || die "MODIFY must be 0..100"
for tool in node sqlite3 psql timeout /usr/bin/time; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done

if [[ $BUILD == 1 ]]; then
    log "building the Release binary"
    if [[ -f $ROOT/build/release/build.ninja ]]; then
        timeout 1800 cmake --build "$ROOT/build/release" -j "$(nproc)" >&2 || die "build failed"
    else
        (cd "$ROOT" && timeout 1800 make build) >&2 || die "build failed"
    fi
fi
[[ -x $BIN ]] || die "no binary at $BIN (make build)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/overture-bench-import.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
CSV="$WORK/profiles.csv"
CSV_MOD="$WORK/profiles_modified.csv"
export ROWS RUNS MODIFY STEP_TIMEOUT BIN WORK RESULTS CSV CSV_MOD

log "generating $ROWS rows (and a copy with $MODIFY % modified)"
timeout 600 node "$HERE/gen.mjs" "$ROWS" "$CSV" || die "generator failed"
timeout 600 node "$HERE/gen.mjs" "$ROWS" "$CSV_MOD" "$MODIFY" || die "generator failed"
BYTES=$(stat -c %s "$CSV")
log "$CSV: $((BYTES / 1048576)) MiB, $((BYTES / (ROWS + 1))) bytes/row"

START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
for engine in $ENGINES; do
    case $engine in
        sqlite)
            for round in $(seq "$RUNS"); do sqlite_round "$round"; done
            ;;
        pg)
            "$ROOT/scripts/with-postgres.sh" bash "$HERE/run.sh" __pg || FAILED=1
            ;;
        *) die "unknown engine $engine (sqlite, pg)" ;;
    esac
done
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------------------------------
# Report: medians of seconds over rounds, maximum RSS; ratios are rows/s of the loader over
# rows/s of the raw loader of the same engine (= raw seconds / loader seconds).
report() {
    echo "## CSV import: $ROWS rows ($((BYTES / 1048576)) MiB, $((BYTES / (ROWS + 1))) bytes/row), $RUNS round(s)"
    echo
    echo "$(date -u +%FT%TZ), $(nproc) vCPU, load average $START_LOAD at the start, $END_LOAD at the end."
    echo
    awk -F'\t' '
        function median(list,   a, n, i, t) {
            n = split(list, a, " ")
            for (i = 2; i <= n; i++) { t = a[i]; j = i - 1; while (j > 0 && a[j] > t) { a[j + 1] = a[j]; j-- } a[j + 1] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        function group(x) { s = sprintf("%d", x); out = ""; while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) } return s out }
        {
            key = $1 SUBSEP $2
            if (!(key in secs)) { order[++n] = key; eng[key] = $1; name[key] = $2; rows[key] = $4 }
            secs[key] = secs[key] " " $5
            if ($6 > rss[key]) rss[key] = $6
            if ($7 != 0) bad[key] = 1
            if ($8 != "-") ph[key] = ph[key] " " $8
        }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]; med[k] = median(secs[k])
                if (name[k] ~ /\(raw\)$/) raw[eng[k]] = med[k]
                if (name[k] ~ /\(raw\+key\)$/) rawkey[eng[k]] = med[k]
            }
            print "| engine | loader | rows | seconds | rows/s | vs raw | vs raw+key | peak RSS MB |"
            print "|---|---|---:|---:|---:|---:|---:|---:|"
            for (i = 1; i <= n; i++) {
                k = order[i]
                r1 = (eng[k] in raw && !bad[k]) ? sprintf("%.2fx", raw[eng[k]] / med[k]) : "-"
                r2 = (eng[k] in rawkey && !bad[k]) ? sprintf("%.2fx", rawkey[eng[k]] / med[k]) : "-"
                printf "| %s | %s | %s | %s | %s | %s | %s | %.0f |\n", (eng[k] == "pg" ? "PostgreSQL" : "SQLite"), name[k] (bad[k] ? " **FAILED**" : ""), group(rows[k]), sprintf("%.2f", med[k]), group(rows[k] / med[k]), r1, r2, rss[k] / 1024
            }
            print ""
            print "Where the overture imports spent their time (seconds; median of each phase over the rounds):"
            print ""
            print "| engine | loader | start-up (open, migrate check, schema) | read + convert + stage | reconcile (duplicates, match, checks) | write (unchanged, update, insert) + commit | exit |"
            print "|---|---|---:|---:|---:|---:|---:|"
            for (i = 1; i <= n; i++) {
                k = order[i]
                if (!(k in ph)) continue
                m = split(ph[k], runs, " ")
                for (c = 1; c <= 5; c++) col[c] = ""
                for (j = 1; j <= m; j++) { split(runs[j], p, ","); for (c = 1; c <= 5; c++) col[c] = col[c] " " p[c] }
                printf "| %s | %s |", (eng[k] == "pg" ? "PostgreSQL" : "SQLite"), name[k]
                for (c = 1; c <= 5; c++) printf " %.2f |", median(col[c])
                printf "\n"
            }
        }' "$RESULTS"
    echo
    echo "Target (DESIGN.md section 7): an overture import >= 0.50x the rows/s of the raw loader of the same file; peak RSS < 200 MB."
}
report
if [[ -n ${OUT:-} ]]; then
    mkdir -p "$OUT" && cp "$RESULTS" "$OUT/results.tsv" && report >"$OUT/report.md"
fi
if ((FAILED)); then
    log "some steps FAILED (see above)"
    exit 1
fi
exit 0
