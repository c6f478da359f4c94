#!/usr/bin/env bash
# bench/track/run.sh - the tracking endpoints under load: the open pixel (/t/o) and the click
# redirect (/t/c) of `overture serve` against nginx answering the same paths on the same
# machine, with wrk on loopback, then a check that every event reached the database.
#
# What it does (issue 8: "256 connections on the open pixel and the click redirect, and in the
# same run nginx returning 302 on the same machine; ... every request that got a 2xx/3xx answer
# is in the database after a graceful shutdown. Target: at least 0.8x of nginx's requests/s and
# p99 under 10 ms"):
#   1. builds the Release binary (BUILD=1: cmake --build build/release --target overture);
#   2. a fresh database (SQLite in a temp folder; BACKEND=postgres: a new database on a
#      throw-away server, the script running itself again under scripts/with-postgres.sh):
#      `overture init`, `overture demo --profiles PROFILES`, every profile made sendable (an
#      address for those without one, the opt-outs cleared); `overture serve` with
#      OVERTURE_TRACKING_MACHINE_OPEN_SECONDS=0 and its maildir under the temp folder (the demo
#      route `demo-maildir` is the default route); logged in through the API with curl (session
#      cookie + X-CSRF-Token), one delivery (HTML with two links, one the same for everyone,
#      one personalized) to every profile: prepared, confirmed, watched until "finished";
#   3. bench/track/extract_urls.py reads the maildir: each message's open pixel and click URLs
#      (the HTML part decoded), origin left out, into open.paths and click.paths; one GET of
#      each kind with curl checks the answers (200 image/gif of 43 bytes; 302 to the link);
#   4. nginx (Debian's nginx-light; INSTALL=1 installs it and wrk with apt-get when missing) on
#      a free loopback port, its own prefix, configuration and pid in the temp folder:
#      `worker_processes NGINX_WORKERS`, `access_log off`, `location /t/o/ { empty_gif; }`,
#      `location /t/c/ { return 302 https://shop.example/x; }`, keepalive_requests 1000000;
#      With NGINX_LOG=1 the same nginx also listens on a second port where each request is
#      recorded, one access-log line (time, URI, status) through a 256 KiB buffer flushed every
#      second: the "recorded" baseline, since overture stores every event and nginx above stores
#      nothing. Its ratio is printed beside the target's; the target is against plain nginx;
#   5. ROUNDS interleaved rounds, each: wrk -t THREADS -c CONNECTIONS -d DURATION --timeout 5s
#      on overture /t/o, nginx /t/o (and nginx+log /t/o), overture /t/c, nginx /t/c (and
#      nginx+log /t/c). wrk runs bench/track/paths.lua,
#      which sends the next extracted path on each request (another token each time) to both
#      servers (nginx answers any /t/o/... and /t/c/... path), and prints requests, requests/s,
#      p50, p99, the answers above 399 and the socket errors. After each overture run the script
#      waits until the events it answered are in the database (the ingestion lag is printed);
#   6. a last burst of opens and clicks (min(DURATION, 5) s, not in the table), then at once
#      SIGTERM (a graceful stop writes every accepted event: docs/tracking.md, "Ingestion"),
#      with the answered events not yet written logged; waits for serve and counts
#      tracking_events per kind. Prints "events (KIND): expected X, in database Y", X being
#      the 2xx/3xx answers serve counted in its /metrics, and the total of 2xx/3xx answers wrk
#      and curl got (the database also holds the requests in flight when wrk stopped, at most
#      CONNECTIONS per run, which serve answered after wrk stopped reading). Exits 1 when the
#      database differs from serve's count, or holds fewer events than wrk and curl got
#      2xx/3xx answers for;
#   7. the recording floor (FLOOR=1): FLOOR_EVENTS log rows inserted by the database engine alone
#      (INSERT ... SELECT, 50,000 per transaction) into the tracking log serve wrote, with its
#      profile index and then without: what keeping an event costs before any server work;
#   8. prints a Markdown table: per endpoint the medians of requests/s, p50 and p99 for overture
#      and nginx, the ratio of the medians (and each round's), the CPU per request of serve (from
#      wrk's start until the run's events are written; the ingestion writer thread's share
#      apart) and of nginx's workers, the load average, serve's peak RSS, wrk's own CPU per
#      request, and the CPU budget per request that 0.8x leaves serve on these cores (nginx's and
#      wrk's CPU per request in nginx's run, divided by 0.8, minus wrk's in overture's run).
#
# Bounded: every wrk run lasts DURATION and runs under `timeout`; every other step under
# `timeout` or a deadline of STEP_TIMEOUT seconds; serve and nginx are stopped by their PIDs.
# Exits 1 when a step fails (a tool missing, an API call refused, a message without tracked
# links, overture answering with a status above 399, an event missing from the database); a
# result under the targets is reported, not a failure. Without nginx (NGINX=0, or not installed
# and INSTALL=0) overture runs alone and the table says so; without wrk (and INSTALL=0) it
# exits 77, which ctest reports as skipped. The temp folder is removed on exit
# (KEEP=1 keeps it, with serve.log and the wrk outputs).
#
# Env: PROFILES (2000: recipients, so distinct tokens per endpoint)  ROUNDS (3)
#      DURATION (10: seconds per wrk run)  CONNECTIONS (256)  THREADS (2: wrk's threads)
#      BACKEND (sqlite | postgres)  NGINX (1; 0: overture alone)  NGINX_WORKERS (2)
#      NGINX_LOG (0; 1: also nginx writing an access-log line per request, a second baseline)
#      INSTALL (1: apt-get install nginx-light and wrk when missing; 0: never)
#      IO_THREADS (serve's http.io_threads; empty: the server's default)
#      STEP_TIMEOUT (600 s)  BUILD (1; 0 = binary as it is)  OVERTURE_BIN (build/release/overture)
#      PERF (0; 1: `perf record -g` on serve during round 1's overture runs, and its top symbols)
#      PERF_CALLGRAPH (fp; dwarf: call graphs unwound from the stack, for `perf report --children`)
#      FLOOR (1; 0: skip step 7)  FLOOR_EVENTS (1000000: events per floor measurement)
#      TMPDIR  KEEP (0)  OUT (file to append the per-round result lines to, TSV)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

PROFILES=${PROFILES:-2000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
DURATION=${DURATION%s}
CONNECTIONS=${CONNECTIONS:-256}
THREADS=${THREADS:-2}
BACKEND=${BACKEND:-sqlite}
NGINX=${NGINX:-1}
NGINX_WORKERS=${NGINX_WORKERS:-2}
NGINX_LOG=${NGINX_LOG:-0}
INSTALL=${INSTALL:-1}
IO_THREADS=${IO_THREADS:-}
STEP_TIMEOUT=${STEP_TIMEOUT:-600}
BUILD=${BUILD:-1}
OVERTURE_BIN=${OVERTURE_BIN:-$ROOT/build/release/overture}
PERF=${PERF:-0}
FLOOR=${FLOOR:-1}
FLOOR_EVENTS=${FLOOR_EVENTS:-1000000}
PASSWORD=bench-track-admin-password

log() { echo "[$(date +%T)] $*" >&2; }
die() {
    log "FAILED: $*"
    exit 1
}
now() { date +%s.%N; }

# The system's python3 when there is one: a pyenv shim costs 0.2 s per call.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

# --- 0. tools, build, PostgreSQL ---------------------------------------------------------------
if [[ -z ${TBENCH_INNER:-} ]]; then
    missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    if ((NGINX)) && ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
        missing+=(nginx-light)
    fi
    if ((${#missing[@]})) && ((INSTALL)); then
        log "installing ${missing[*]} (Debian packages)"
        # The packaged nginx service is not started: policy-rc.d says no while installing.
        policy_added=0
        if [[ ! -e /usr/sbin/policy-rc.d && $(id -u) == 0 ]]; then
            printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
            policy_added=1
        fi
        sudo=()
        [[ $(id -u) != 0 ]] && sudo=(sudo)
        timeout -k 10 "$STEP_TIMEOUT" "${sudo[@]}" apt-get update -qq >/dev/null 2>&1
        DEBIAN_FRONTEND=noninteractive timeout -k 10 "$STEP_TIMEOUT" "${sudo[@]}" apt-get install \
            -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
        status=$?
        ((policy_added)) && rm -f /usr/sbin/policy-rc.d
        ((status == 0)) || die "apt-get install ${missing[*]}"
    fi
    if ((BUILD)); then
        log "building $ROOT/build/release (overture)"
        if ! cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null ||
            ! cmake --build "$ROOT/build/release" --target overture >/dev/null; then
            die "build failed"
        fi
    fi
    if [[ $BACKEND == postgres && -z ${OVERTURE_TEST_POSTGRES_URL:-} ]]; then
        TBENCH_INNER=1 exec "$ROOT/scripts/with-postgres.sh" "$HERE/run.sh"
    fi
fi
[[ $BACKEND == sqlite || $BACKEND == postgres ]] || die "BACKEND is sqlite or postgres, not $BACKEND"
if ! command -v wrk >/dev/null; then
    log "wrk is missing (apt-get install wrk, or INSTALL=1): skipped"
    exit 77  # ctest's SKIP_RETURN_CODE
fi
for tool in curl sqlite3 "$PYTHON"; do
    command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh --test; wrk: apt-get install wrk)"
done
[[ $BACKEND == postgres ]] && { command -v psql >/dev/null || die "psql is missing"; }
NGINX_BIN=""
if ((NGINX)); then
    NGINX_BIN=$(command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; })
    [[ -n $NGINX_BIN ]] || log "nginx is not installed (apt-get install nginx-light): overture runs alone"
fi
[[ -x $OVERTURE_BIN ]] || die "no binary at $OVERTURE_BIN"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/overture-track.XXXXXX")
chmod 755 "$WORK"  # nginx's workers run as nobody when this runs as root
export OVERTURE_SECURITY_SECRET_KEY_FILE="$WORK/secret.key"
export OVERTURE_EMAIL_MAILDIR_ROOT="$WORK/maildir"
PG_ADMIN_URL=""
PG_DB=""
if [[ $BACKEND == postgres ]]; then
    PG_ADMIN_URL=$OVERTURE_TEST_POSTGRES_URL
    PG_DB="overture_track_$$"
    DB="${PG_ADMIN_URL%/*}/$PG_DB"
else
    DB="sqlite:$WORK/track.db"
fi
serve_pid=""
nginx_pid=""
# shellcheck disable=SC2317  # called by cleanup
stop_pid() { [[ -n $1 ]] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; }
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    stop_pid "$serve_pid"
    stop_pid "$nginx_pid"
    [[ -n $PG_DB ]] && psql "$PG_ADMIN_URL" -Xqc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1
    if ((${KEEP:-0})); then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# sql QUERY: runs a query on the benchmark's database, rows as "a|b" lines.
sql() {
    if [[ $BACKEND == postgres ]]; then
        timeout -k 10 "$STEP_TIMEOUT" psql "$DB" -XAtq -F'|' -v ON_ERROR_STOP=1 -c "$1"
    else
        timeout -k 10 "$STEP_TIMEOUT" sqlite3 -cmd '.timeout 10000' "$WORK/track.db" "$1"
    fi
}
# JSON from stdin: prints the Python expression $1 over it (`d` is the document).
jget() {
    "$PYTHON" -c 'import json, sys
try:
    d = json.load(sys.stdin)
    v = eval(sys.argv[1])
except Exception as e:
    sys.exit(f"jget {sys.argv[1]}: {e}")
print("" if v is None else json.dumps(v) if isinstance(v, (dict, list)) else v)' "$1"
}
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { tr ' ' '\n' | grep -v '^$' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%s-%s", lo, hi }'; }
process_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU ticks of nginx's workers (the master's children).
nginx_ticks() {
    local total=0 pid
    for pid in $(pgrep -P "$nginx_pid" 2>/dev/null); do total=$((total + $(process_ticks "$pid"))); done
    echo "$total"
}
# CPU ticks of serve's ingestion writer thread (named ov-tracking, tracking/ingest.cpp).
writer_ticks() {
    local total=0 task
    for task in /proc/"$serve_pid"/task/*; do
        [[ $(cat "$task/comm" 2>/dev/null) == ov-tracking ]] &&
            total=$((total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$task/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
# CPU ticks of the PostgreSQL server (the postmaster and its children: the backend that
# receives the COPY, the WAL writer, the checkpointer); 0 on SQLite.
PG_POSTMASTER=""
db_ticks() {
    [[ -n $PG_POSTMASTER ]] || {
        echo 0
        return
    }
    local total pid
    total=$(process_ticks "$PG_POSTMASTER")
    for pid in $(pgrep -P "$PG_POSTMASTER" 2>/dev/null); do total=$((total + $(process_ticks "$pid"))); done
    echo "$total"
}
hwm_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# --- 1. the database --------------------------------------------------------------------------
log "track: $PROFILES profiles, $ROUNDS rounds of ${DURATION} s, wrk -t$THREADS -c$CONNECTIONS, $BACKEND, work in $WORK"
if [[ $BACKEND == postgres ]]; then
    psql "$PG_ADMIN_URL" -Xqc "CREATE DATABASE $PG_DB" >/dev/null || die "CREATE DATABASE $PG_DB"
    PG_POSTMASTER=$(head -1 "$(psql "$PG_ADMIN_URL" -XAtqc 'SHOW data_directory')/postmaster.pid" 2>/dev/null)
fi
timeout -k 10 "$STEP_TIMEOUT" "$OVERTURE_BIN" init --database "$DB" --admin-password "$PASSWORD" \
    --log-level warn >/dev/null || die "overture init"
timeout -k 10 "$STEP_TIMEOUT" "$OVERTURE_BIN" demo --database "$DB" --profiles "$PROFILES" \
    --log-level warn >"$WORK/demo.log" 2>&1 || {
    tail -5 "$WORK/demo.log" >&2
    die "overture demo"
}
if [[ $BACKEND == postgres ]]; then
    false_value=false
    blocked="block_all OR block_email"
else
    false_value=0
    blocked="block_all <> 0 OR block_email <> 0"
fi
sql "UPDATE profiles SET email = 'nomail' || id || '@example.net', email_domain = 'example.net'
         WHERE email IS NULL OR email = '';
     UPDATE profiles SET block_all = $false_value, block_email = $false_value WHERE $blocked;" \
    >/dev/null || die "making every profile sendable"
log "database: $(sql 'SELECT count(*) FROM profiles') profiles"

# --- 2. serve, the API, the delivery ----------------------------------------------------------
URL=""
CSRF=""
start_serve() {
    local log_file="$WORK/serve.log"
    local env_args=(OVERTURE_TRACKING_MACHINE_OPEN_SECONDS=0)
    [[ -n $IO_THREADS ]] && env_args+=(OVERTURE_HTTP_IO_THREADS="$IO_THREADS")
    env "${env_args[@]}" "$OVERTURE_BIN" serve --database "$DB" --listen 127.0.0.1:0 \
        --log-level info >"$log_file" 2>&1 &
    serve_pid=$!
    for _ in $(seq 300); do
        URL=$(grep -oE 'serving http://127\.0\.0\.1:[0-9]+' "$log_file" | head -1 | sed 's/serving //')
        [[ -n $URL ]] && break
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n $URL ]] || {
        tail -20 "$log_file" >&2
        die "overture serve did not start"
    }
    CSRF=$(api POST /api/v1/auth/login "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" |
        jget 'd["csrfToken"]') || die "login"
}
# api METHOD PATH [BODY]: prints the response body; fails (and logs the body) on a status >= 300.
api() {
    local args=(-sS --max-time 120 -c "$WORK/cookies" -b "$WORK/cookies" -X "$1"
        -o "$WORK/response" -w '%{http_code}')
    [[ -n $CSRF ]] && args+=(-H "X-CSRF-Token: $CSRF")
    [[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    local code
    code=$(curl "${args[@]}" "$URL$2") || {
        log "$1 $2: curl failed"
        return 1
    }
    if ((code >= 300)); then
        log "$1 $2: HTTP $code $(head -c 2000 "$WORK/response")"
        return 1
    fi
    cat "$WORK/response"
}
# Waits until delivery $1's state is one of $2 (comma-separated); leaves its JSON in
# $WORK/delivery.json. Fails on "failed", or after STEP_TIMEOUT.
wait_state() {
    local id=$1 want=",$2," deadline state
    deadline=$(($(date +%s) + STEP_TIMEOUT))
    while :; do
        api GET "/api/v1/deliveries/$id" >"$WORK/delivery.json" || return 1
        state=$(jget 'd["state"]' <"$WORK/delivery.json")
        [[ $want == *",$state,"* ]] && return 0
        [[ $state == failed ]] && {
            log "delivery $id failed: $(head -c 2000 "$WORK/delivery.json")"
            return 1
        }
        (($(date +%s) > deadline)) && {
            log "delivery $id still $state after $STEP_TIMEOUT s"
            return 1
        }
        sleep 0.5
    done
}

start_serve
log "serve at $URL (pid $serve_pid)"
# Two tracked links: one the same for everyone, one personalized (its URL travels in the click
# URL's `u` parameter, under the token's MAC). The sender adds the open pixel. The unsubscribe
# link (required) is in the text part only, so the HTML part has exactly these two links.
body=$("$PYTHON" -c 'import json; print(json.dumps({"label": "bench track",
    "content": {"from": {"name": "Shop Example", "address": "news@shop.example"},
        "subject": "This week at the shop",
        "html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>This week at the shop</title></head>
<body style="font-family:Helvetica,Arial,sans-serif">
<h1>Hello {{ profile.firstName }},</h1>
<p>The sale starts today. <a href="https://shop.example/sale?utm_source=email&amp;utm_campaign=week">See the sale</a></p>
<p>Your points are waiting in <a href="https://shop.example/account?email={{ profile.email | url_encode }}">your account</a>.</p>
<p style="font-size:12px;color:#888">Shop Example, 1 Main Street, {{ profile.city }}.</p>
</body></html>
""",
        "text": "Hello {{ profile.firstName }},\n\nThe sale starts today: https://shop.example/sale\n\nUnsubscribe: {{ unsubscribe_url }}\n",
        "textMode": "manual", "editor": "html"},
    "audience": {"kind": "query", "expression": "id > 0"},
    "settings": {"schedule": {"kind": "now"}, "validityHours": 24}}))')
DELIVERY=$(api POST /api/v1/deliveries "$body" | jget 'd["id"]') || die "creating the delivery"
t0=$(now)
api POST "/api/v1/deliveries/$DELIVERY/prepare" >/dev/null || die "prepare"
wait_state "$DELIVERY" ready,draft || die "waiting for the preparation"
[[ $(jget 'd["state"]' <"$WORK/delivery.json") == ready ]] ||
    die "the preparation has errors: $(jget 'd["preparation"]' <"$WORK/delivery.json")"
to_send=$(jget 'd["preparation"]["toSend"]' <"$WORK/delivery.json")
((to_send == PROFILES)) || die "the preparation left $to_send to send, not $PROFILES"
api POST "/api/v1/deliveries/$DELIVERY/confirm" >/dev/null || die "confirm"
wait_state "$DELIVERY" finished,stopped || die "waiting for the send"
sent=$(jget 'd["counters"]["sent"]' <"$WORK/delivery.json")
[[ $sent == "$PROFILES" ]] || die "delivery $DELIVERY sent $sent of $PROFILES: $(jget 'd["counters"]' <"$WORK/delivery.json")"
log "delivery $DELIVERY: $sent messages into the maildir in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"

# --- 3. the tracked URLs ----------------------------------------------------------------------
extracted=$(timeout -k 10 "$STEP_TIMEOUT" "$PYTHON" "$HERE/extract_urls.py" \
    "$OVERTURE_EMAIL_MAILDIR_ROOT/demo" "$WORK") || die "reading the maildir"
log "maildir: $extracted"
read -r _ n_messages _ n_opens _ n_clicks _ n_personalized <<<"$extracted"
((n_messages == PROFILES)) || die "$n_messages messages in the maildir, not $PROFILES"
((n_opens == PROFILES)) ||
    die "$n_opens open pixels in $PROFILES messages (does the sender write tracked links? src/service/email_sending.cpp)"
((n_clicks == 2 * PROFILES && n_personalized == PROFILES)) ||
    die "$n_clicks click URLs ($n_personalized personalized) in $PROFILES messages, not 2 per message (1 personalized)"

# One request of each kind, checked; they count as events too.
check_open=$(head -1 "$WORK/open.paths")
curl -sS --max-time 10 -D "$WORK/check.headers" -o "$WORK/check.body" "$URL$check_open" ||
    die "GET $check_open"
if ! head -1 "$WORK/check.headers" | grep -q ' 200' ||
    ! grep -qi '^content-type: image/gif' "$WORK/check.headers" ||
    [[ $(stat -c %s "$WORK/check.body") != 43 ]]; then
    cat "$WORK/check.headers" >&2
    die "GET $check_open is not a 200 with a 43-byte GIF"
fi
CHECKS_OPEN=1
CHECKS_CLICK=0
for check_click in $(head -2 "$WORK/click.paths"); do
    curl -sS --max-time 10 -D "$WORK/check.headers" -o /dev/null "$URL$check_click" ||
        die "GET $check_click"
    location=$(awk 'tolower($1) == "location:" { print $2 }' "$WORK/check.headers" | tr -d '\r')
    if ! head -1 "$WORK/check.headers" | grep -q ' 302' || [[ $location != https://shop.example/* ]]; then
        cat "$WORK/check.headers" >&2
        die "GET $check_click is not a 302 to https://shop.example/..."
    fi
    CHECKS_CLICK=$((CHECKS_CLICK + 1))
    log "check: $check_click -> 302 $location"
done

# --- 4. nginx ---------------------------------------------------------------------------------
NGINX_URL=""
NGINX_LOG_URL=""
if [[ -n $NGINX_BIN ]]; then
    nginx_port=$(free_port)
    nginx_log_port=$(free_port)
    while [[ $nginx_log_port == "$nginx_port" ]]; do nginx_log_port=$(free_port); done
    mkdir -p "$WORK/nginx"
    cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  client_body_temp_path $WORK/nginx/cbt; proxy_temp_path $WORK/nginx/pt;
  fastcgi_temp_path $WORK/nginx/ft; uwsgi_temp_path $WORK/nginx/ut; scgi_temp_path $WORK/nginx/st;
  log_format event '\$msec \$request_uri \$status';
  server {
    listen 127.0.0.1:$nginx_port backlog=4096;
    location /t/o/ { empty_gif; add_header Cache-Control no-store; }
    location /t/c/ { return 302 https://shop.example/x; }
  }
  server {
    listen 127.0.0.1:$nginx_log_port backlog=4096;
    access_log $WORK/nginx/access.log event buffer=256k flush=1s;
    location /t/o/ { empty_gif; add_header Cache-Control no-store; }
    location /t/c/ { return 302 https://shop.example/x; }
  }
}
EOF
    "$NGINX_BIN" -t -q -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" || die "nginx -t"
    "$NGINX_BIN" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'daemon off;' &
    nginx_pid=$!
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && break
        sleep 0.1
    done
    kill -0 "$nginx_pid" 2>/dev/null || die "nginx did not start"
    NGINX_URL="http://127.0.0.1:$nginx_port"
    ((NGINX_LOG)) && NGINX_LOG_URL="http://127.0.0.1:$nginx_log_port"
    log "nginx $("$NGINX_BIN" -v 2>&1 | cut -d/ -f2) at $NGINX_URL ($NGINX_WORKERS workers, pid $nginx_pid)"
fi

# --- 5. the rounds ----------------------------------------------------------------------------
# Served 2xx/3xx tracking answers of serve, from its /metrics: "open click" counts.
served_counts() {
    curl -sS --max-time 30 "$URL/metrics" | awk '
        /^overture_http_requests_total\{/ {
            route = $0; sub(/.*route="/, "", route); sub(/".*/, "", route)
            status = $0; sub(/.*status="/, "", status); sub(/".*/, "", status)
            if (status !~ /^[23]/) next
            if (route ~ /^\/t\/o/) open += $NF
            else if (route ~ /^\/t\/c/) click += $NF
        }
        END { printf "%d %d\n", open, click }'
}
events_in_db() { sql "SELECT count(*) FROM tracking_events WHERE kind = '$1'"; }

declare -A results
declare -A wrk_ok=([open]=0 [click]=0)
lines=()
# wrk_run SERVER ENDPOINT ROUND: one wrk run; sets LAST (TSV) and adds to results.
wrk_run() {
    local server=$1 endpoint=$2 round=$3 base paths out line ticks0 ticks1 writer0=0 writer1=0 db0=0 db1=0 perf_pid=""
    case $server in
        overture) base=$URL ;;
        nginx) base=$NGINX_URL ;;
        *) base=$NGINX_LOG_URL ;;
    esac
    paths="$WORK/$endpoint.paths"
    out="$WORK/wrk.$round.$server.$endpoint.txt"
    if [[ $server == overture ]]; then
        ticks0=$(process_ticks "$serve_pid")
        writer0=$(writer_ticks)
        db0=$(db_ticks)
    else
        ticks0=$(nginx_ticks)
    fi
    if ((PERF)) && [[ $server == overture ]] && ((round == 1)); then
        perf record -q --call-graph "${PERF_CALLGRAPH:-fp}" -F 499 -p "$serve_pid" \
            -o "$WORK/perf.$endpoint.data" 2>/dev/null &
        perf_pid=$!
    fi
    # wrk's own CPU time (user and system, bash's `time`: wrk is waited for by timeout, so its
    # time counts among timeout's children).
    local TIMEFORMAT='%U %S'
    {
        time timeout -k 10 $((DURATION + 60)) wrk -t "$THREADS" -c "$CONNECTIONS" \
            -d "${DURATION}s" --timeout 5s -s "$HERE/paths.lua" "$base" -- "$paths" >"$out" 2>&1
    } 2>"$out.cpu"
    local status=$?
    # serve's CPU counts until its events are written (settle), the ingestion included.
    [[ $server == overture ]] && settle "$endpoint"
    if [[ $server == overture ]]; then
        ticks1=$(process_ticks "$serve_pid")
        writer1=$(writer_ticks)
        db1=$(db_ticks)
    else
        ticks1=$(nginx_ticks)
    fi
    if [[ -n $perf_pid ]]; then
        kill -INT "$perf_pid" 2>/dev/null
        wait "$perf_pid" 2>/dev/null
        log "perf: serve's top symbols during the $endpoint run (self time)"
        perf report -i "$WORK/perf.$endpoint.data" --no-children --sort dso,sym --stdio -g none \
            2>/dev/null | grep -v '^#' | grep -v '^$' | head -30 >&2
    fi
    line=$(grep '^TBENCH ' "$out")
    if ((status != 0)) || [[ -z $line ]]; then
        cat "$out" >&2
        die "wrk on $server $endpoint (exit $status)"
    fi
    local requests seconds status_errors connect read write timeout_errors p50 p99 rps ok us writer_us db_us wrk_us load
    eval "$(echo "${line#TBENCH }" | tr ' ' '\n' | sed -n 's/^\([a-z0-9_]*\)=\([0-9.]*\)$/w_\1=\2/p')"
    # shellcheck disable=SC2154  # w_* come from the eval
    {
        requests=$w_requests seconds=$w_seconds status_errors=$w_status_errors
        connect=$w_connect read=$w_read write=$w_write timeout_errors=$w_timeout
        p50=$(awk -v v="$w_p50_us" 'BEGIN { printf "%.2f", v / 1000 }')
        p99=$(awk -v v="$w_p99_us" 'BEGIN { printf "%.2f", v / 1000 }')
    }
    rps=$(awk -v n="$requests" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
    ok=$((requests - status_errors))
    us=$(awk -v a="$ticks0" -v b="$ticks1" -v t="$(getconf CLK_TCK)" -v n="$requests" \
        'BEGIN { if (n > 0) printf "%.1f", (b - a) / t / n * 1e6; else print "-" }')
    writer_us=- db_us=-
    wrk_us=$(awk -v n="$requests" '{ if (n > 0) printf "%.1f", ($1 + $2) / n * 1e6; else print "-" }' \
        "$out.cpu")
    [[ $server == overture ]] && writer_us=$(awk -v a="$writer0" -v b="$writer1" \
        -v t="$(getconf CLK_TCK)" -v n="$requests" \
        'BEGIN { if (n > 0) printf "%.1f", (b - a) / t / n * 1e6; else print "-" }')
    [[ $server == overture && -n $PG_POSTMASTER ]] && db_us=$(awk -v a="$db0" -v b="$db1" \
        -v t="$(getconf CLK_TCK)" -v n="$requests" \
        'BEGIN { if (n > 0) printf "%.1f", (b - a) / t / n * 1e6; else print "-" }')
    load=$(loadavg)
    local errors="" cpu_note="$us µs CPU per request"
    [[ $server == overture ]] && cpu_note+=" ($writer_us of it the ingestion writer)"
    [[ $db_us != - ]] && cpu_note+=", PostgreSQL $db_us µs"
    cpu_note+=", wrk $wrk_us µs"
    ((status_errors)) && errors+=" $status_errors answers above 399,"
    ((connect + read + write + timeout_errors)) &&
        errors+=" socket errors: connect $connect, read $read, write $write, timeout $timeout_errors,"
    log "round $round: $server $endpoint: $rps req/s, p50 $p50 ms, p99 $p99 ms, $requests answers,${errors} $cpu_note, load $load"
    if [[ $server == overture ]]; then
        ((status_errors == 0)) || die "overture answered $status_errors $endpoint requests with a status above 399"
        wrk_ok[$endpoint]=$((wrk_ok[$endpoint] + ok))
    fi
    results[$server.$endpoint.rps]+="$rps "
    results[$server.$endpoint.p50]+="$p50 "
    results[$server.$endpoint.p99]+="$p99 "
    results[$server.$endpoint.us]+="$us "
    results[$server.$endpoint.writer_us]+="$writer_us "
    results[$server.$endpoint.db_us]+="$db_us "
    results[$server.$endpoint.wrk_us]+="$wrk_us "
    results[load]+="$load "
    LAST="$round	$server	$endpoint	$rps	$p50	$p99	$requests	$status_errors	$((connect + read + write + timeout_errors))	$us	$writer_us	$db_us	$wrk_us	$load"
    lines+=("$LAST")
    [[ -n ${OUT:-} ]] && echo "$LAST" >>"$OUT"
    return 0
}
# Waits until every event serve answered is in the database (so that the ingestion of one run
# does not run into the next); logs how long that took after wrk stopped. It watches the
# largest tracking_events id (an index lookup; the bench writes no other events, ids start at
# 1): a count(*) over millions of rows would compete with the writer it waits for.
declare -a lags
settle() {
    local endpoint=$1 t_start deadline served want have
    t_start=$(now)
    deadline=$(($(date +%s) + STEP_TIMEOUT))
    served=$(served_counts)
    want=$((${served% *} + ${served#* }))
    while :; do
        have=$(sql 'SELECT coalesce(max(id), 0) FROM tracking_events')
        ((have >= want)) && break
        (($(date +%s) > deadline)) && die "$have events in the database $STEP_TIMEOUT s after the $endpoint run, serve answered $want"
        sleep 0.2
    done
    local lag
    lag=$(awk -v a="$t_start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
    lags+=("$lag")
    log "  ingestion: $have events in the database $lag s after wrk stopped"
}

for round in $(seq "$ROUNDS"); do
    for endpoint in open click; do
        wrk_run overture "$endpoint" "$round"
        [[ -n $NGINX_URL ]] && wrk_run nginx "$endpoint" "$round"
        if [[ -n $NGINX_LOG_URL ]]; then
            wrk_run nginx+log "$endpoint" "$round"
            : >"$WORK/nginx/access.log"  # appended to (O_APPEND): its size stays bounded
        fi
    done
done

# --- 6. graceful stop, then the events --------------------------------------------------------
# A last burst of opens and clicks (not in the table), and SIGTERM as soon as wrk returns: the
# events the writer has not written yet must be written by the graceful stop.
paste -d '\n' "$WORK/open.paths" "$WORK/click.paths" | grep -v '^$' >"$WORK/mixed.paths"
burst=$((DURATION < 5 ? DURATION : 5))
timeout -k 10 $((burst + 60)) wrk -t "$THREADS" -c "$CONNECTIONS" -d "${burst}s" --timeout 5s \
    -s "$HERE/paths.lua" "$URL" -- "$WORK/mixed.paths" >"$WORK/wrk.burst.txt" 2>&1 ||
    die "wrk burst: $(cat "$WORK/wrk.burst.txt")"
served=$(served_counts) || die "reading $URL/metrics"
written=$(sql 'SELECT coalesce(max(id), 0) FROM tracking_events')
rss=$(hwm_mb "$serve_pid")
t_stop=$(now)
kill -TERM "$serve_pid"
burst_line=$(grep '^TBENCH ' "$WORK/wrk.burst.txt")
eval "$(echo "${burst_line#TBENCH }" | tr ' ' '\n' | sed -n 's/^\([a-z0-9_]*\)=\([0-9.]*\)$/b_\1=\2/p')"
# shellcheck disable=SC2154  # b_* come from the eval
{
    ((b_status_errors == 0)) || die "overture answered $b_status_errors requests of the burst with a status above 399"
    burst_ok=$((b_requests - b_status_errors))
}
served_open=${served% *}
served_click=${served#* }
log "burst: $burst_ok opens and clicks in ${burst} s; SIGTERM with $((served_open + served_click - written)) answered events not yet in the database"
deadline=$(($(date +%s) + STEP_TIMEOUT))
while kill -0 "$serve_pid" 2>/dev/null && (($(date +%s) <= deadline)); do sleep 0.1; done
kill -0 "$serve_pid" 2>/dev/null && die "serve still running $STEP_TIMEOUT s after SIGTERM"
wait "$serve_pid"
serve_status=$?
serve_pid=""
grep -o 'tracking: [0-9]* events accepted, [0-9]* written' "$WORK/serve.log" | tail -1 | sed 's/^/serve: /' >&2
log "serve stopped in $(awk -v a="$t_stop" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s (exit $serve_status)"
((serve_status == 0)) || {
    tail -20 "$WORK/serve.log" >&2
    die "serve exited with $serve_status after SIGTERM"
}
failed=0
answered_all=$burst_ok
in_db_all=0
for endpoint in open click; do
    if [[ $endpoint == open ]]; then
        served_n=$served_open checks=$CHECKS_OPEN
    else
        served_n=$served_click checks=$CHECKS_CLICK
    fi
    in_db=$(events_in_db "$endpoint") || die "counting the $endpoint events"
    answered_all=$((answered_all + wrk_ok[$endpoint] + checks))
    in_db_all=$((in_db_all + in_db))
    echo "events ($endpoint): expected $served_n (serve's 2xx/3xx answers), in database $in_db"
    if ((in_db != served_n)); then
        log "$endpoint: serve answered $served_n with 2xx/3xx, the database holds $in_db events"
        failed=1
    fi
done
# wrk does not count the answers to the requests in flight when it stops (at most CONNECTIONS
# per run), which serve answered and recorded: the database may hold that many more.
echo "events (all): wrk and curl got $answered_all 2xx/3xx answers, in database $in_db_all ($((in_db_all - answered_all)) answered after wrk stopped reading)"
if ((in_db_all < answered_all)); then
    log "wrk and curl got $answered_all 2xx/3xx answers, the database holds $in_db_all events"
    failed=1
fi
log "tracking_events by kind: $(sql 'SELECT kind, count(*) FROM tracking_events GROUP BY kind ORDER BY kind' | tr '\n' ' ')"

# --- 7. the recording floor -------------------------------------------------------------------
# What storing an event costs the database engine alone, on this machine and schema: FLOOR_EVENTS
# log rows (clicks of the bench's delivery by random recipients) inserted by INSERT ... SELECT in
# transactions of 50,000 rows, into the tracking_events table serve wrote, with its profile
# index, then again without it. No client, no parameters, no roll-ups, no unique counts: a lower
# bound for any server that keeps each event with its per-recipient index (the profile screen's
# tracking log). SQLite runs in this script's process with the pragmas of serve's writer
# connection; PostgreSQL in its server (the session's wall time: one backend, CPU-bound).
floor_us() {  # runs the inserts, prints µs per event
    local batches=$(((FLOOR_EVENTS + 49999) / 50000)) script="" i t0 t1
    local pmin pmax delivery
    pmin=$(sql 'SELECT min(id) FROM profiles') pmax=$(sql 'SELECT max(id) FROM profiles')
    delivery=$(sql 'SELECT max(delivery_id) FROM tracking_events')
    for ((i = 0; i < batches; i++)); do
        if [[ $BACKEND == postgres ]]; then
            script+="BEGIN; INSERT INTO tracking_events (delivery_id, profile_id, kind, link_id, machine, at, device, client)
                SELECT $delivery, $pmin + floor(random() * ($pmax - $pmin + 1))::bigint, 'click', 0, false, 1764400000000 + g, 'desktop', 'Chrome'
                FROM generate_series(1, 50000) g; COMMIT;"
        else
            script+="BEGIN; INSERT INTO tracking_events (delivery_id, profile_id, kind, link_id, machine, at, device, client)
                SELECT $delivery, $pmin + abs(random() % ($pmax - $pmin + 1)), 'click', 0, 0, 1764400000000 + value, 'desktop', 'Chrome'
                FROM generate_series(1, 50000); COMMIT;"
        fi
    done
    t0=$(now)
    if [[ $BACKEND == postgres ]]; then
        timeout -k 10 "$STEP_TIMEOUT" psql "$DB" -Xq -v ON_ERROR_STOP=1 -c "$script" >/dev/null
    else
        timeout -k 10 "$STEP_TIMEOUT" sqlite3 "$WORK/track.db" "PRAGMA synchronous=NORMAL;
            PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384; $script" >/dev/null
    fi || return 1
    t1=$(now)
    awk -v a="$t0" -v b="$t1" -v n="$((batches * 50000))" 'BEGIN { printf "%.2f", (b - a) / n * 1e6 }'
}
if ((FLOOR)); then
    floor_index=$(floor_us) || die "the recording floor (with the profile index)"
    sql 'DROP INDEX tracking_events_profile_idx' >/dev/null || die "dropping the profile index"
    floor_bare=$(floor_us) || die "the recording floor (without the profile index)"
    log "recording floor: $floor_index µs per event with the profile index, $floor_bare µs without ($FLOOR_EVENTS events each)"
fi

# --- 8. the table -----------------------------------------------------------------------------
echo
echo "round	server	endpoint	req_per_s	p50_ms	p99_ms	answers	above_399	socket_errors	cpu_us_per_req	writer_us_per_req	postgres_us_per_req	wrk_us_per_req	load1"
printf '%s\n' "${lines[@]}"
echo
echo "Tracking endpoints: $ROUNDS rounds x ${DURATION} s, wrk -t$THREADS -c$CONNECTIONS, $PROFILES tokens per endpoint, $BACKEND, $(date -u +%FT%TZ)"
echo
if [[ -n $NGINX_URL ]]; then
    echo "| endpoint | overture req/s | nginx req/s | ratio (rounds) | overture p50 / p99 ms | nginx p50 / p99 ms | CPU per request overture / nginx | nginx + access log req/s | ratio to it |"
    echo "|---|---:|---:|---|---:|---:|---:|---:|---:|"
else
    echo "| endpoint | overture req/s | overture p50 / p99 ms | CPU per request |"
    echo "|---|---:|---:|---:|"
fi
under=()
budgets=()
bounds=()
for endpoint in open click; do
    name="open pixel /t/o"
    [[ $endpoint == click ]] && name="click redirect /t/c"
    o_rps=$(echo "${results[overture.$endpoint.rps]}" | median)
    o_p50=$(echo "${results[overture.$endpoint.p50]}" | median)
    o_p99=$(echo "${results[overture.$endpoint.p99]}" | median)
    o_us=$(echo "${results[overture.$endpoint.us]}" | median)
    ((${o_p99%.*} >= 10)) && under+=("$endpoint p99 ${o_p99} ms (target under 10 ms)")
    if [[ -n $NGINX_URL ]]; then
        n_rps=$(echo "${results[nginx.$endpoint.rps]}" | median)
        ratio=$(awk -v a="$o_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
        read -ra o_all <<<"${results[overture.$endpoint.rps]}"
        read -ra n_all <<<"${results[nginx.$endpoint.rps]}"
        per_round=""
        for i in "${!o_all[@]}"; do
            per_round+="$(awk -v a="${o_all[$i]}" -v b="${n_all[$i]}" 'BEGIN { printf "%.2f", a / b }') "
        done
        awk -v x="$ratio" 'BEGIN { exit !(x < 0.8) }' && under+=("$endpoint at ${ratio}x nginx (target 0.8x)")
        # The CPU a request may cost serve for 0.8x, the two cores being shared by the server,
        # its database and wrk: nginx's requests take (nginx + wrk) µs of CPU each, so 0.8x of
        # its rate leaves (nginx + wrk) / 0.8 per request, minus wrk's share in overture's run.
        n_us=$(echo "${results[nginx.$endpoint.us]}" | median)
        n_wrk=$(echo "${results[nginx.$endpoint.wrk_us]}" | median)
        o_wrk=$(echo "${results[overture.$endpoint.wrk_us]}" | median)
        bounds+=("$endpoint $n_us $n_wrk")
        o_all_us=$o_us who=serve
        if [[ -n $PG_POSTMASTER ]]; then
            who="serve and PostgreSQL"
            o_all_us=$(awk -v a="$o_us" -v b="$(echo "${results[overture.$endpoint.db_us]}" | median)" \
                'BEGIN { print a + b }')
        fi
        budgets+=("$(awk -v n="$n_us" -v nw="$n_wrk" -v ow="$o_wrk" -v o="$o_all_us" -v e="$endpoint" \
            -v who="$who" 'BEGIN { printf "%s: nginx %.1f + wrk %.1f µs per request; 0.8x leaves %s %.1f µs (wrk took %.1f in its run); it used %.1f", e, n, nw, who, (n + nw) / 0.8 - ow, ow, o }')")
        l_rps=- l_ratio=-
        if [[ -n $NGINX_LOG_URL ]]; then
            l_rps=$(echo "${results[nginx+log.$endpoint.rps]}" | median)
            l_ratio=$(awk -v a="$o_rps" -v b="$l_rps" 'BEGIN { printf "%.2f", a / b }')
        fi
        printf '| %s | %s | %s | %s (%s) | %s / %s | %s / %s | %s / %s µs | %s | %s |\n' "$name" "$o_rps" "$n_rps" \
            "$ratio" "${per_round% }" "$o_p50" "$o_p99" \
            "$(echo "${results[nginx.$endpoint.p50]}" | median)" "$(echo "${results[nginx.$endpoint.p99]}" | median)" \
            "$o_us ($(echo "${results[overture.$endpoint.writer_us]}" | median) writer$(
                [[ -n $PG_POSTMASTER ]] && echo "; + PostgreSQL $(echo "${results[overture.$endpoint.db_us]}" | median)"))" \
            "$(echo "${results[nginx.$endpoint.us]}" | median)" "$l_rps" "$l_ratio"
    else
        printf '| %s | %s | %s / %s | %s µs (%s writer) |\n' "$name" "$o_rps" "$o_p50" "$o_p99" "$o_us" \
            "$(echo "${results[overture.$endpoint.writer_us]}" | median)"
    fi
done
echo
[[ -z $NGINX_URL ]] && echo "- nginx: not run (NGINX=0 or not installed): no ratio."
echo "- load average (1 min) after the runs: median $(echo "${results[load]}" | median) ($(echo "${results[load]}" | range)) on $(nproc) cores"
echo "- serve's peak RSS: $rss MB; ingestion lag after each overture run: ${lags[*]} s"
for budget in "${budgets[@]}"; do echo "- CPU budget, $budget"; done
if ((FLOOR)); then
    echo "- recording floor ($BACKEND, INSERT ... SELECT, $FLOOR_EVENTS events in transactions of 50,000, after the runs): $floor_index µs per event with the profile index, $floor_bare µs without"
    # The best a server could do that answers as cheaply as nginx and stores each event at the
    # floor's cost, wrk costing what it cost in nginx's run: (nginx + wrk) / (nginx + floor + wrk).
    for bound in "${bounds[@]}"; do
        read -r endpoint n_us n_wrk <<<"$bound"
        awk -v e="$endpoint" -v n="$n_us" -v w="$n_wrk" -v f="$floor_index" 'BEGIN {
            printf "- bound, %s: a server answering at nginx'"'"'s %.1f µs per request and storing each event at the floor'"'"'s %.2f µs would reach %.2fx nginx\n", e, n, f, (n + w) / (n + f + w) }'
    done
fi
for message in "${under[@]}"; do log "under target: $message"; done
((failed)) && die "events missing or extra in the database (above)"
exit 0
