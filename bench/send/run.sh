#!/usr/bin/env bash
# bench/send/run.sh - a delivery end to end (prepare, then render + MIME + DKIM + SMTP + status
# writes) into an SMTP sink, against the email channel alone (`overture bench smtp`).
#
# What it does (issue 7: "at least 0.7x of the channel-only rate and under 200 MB resident"):
#   1. builds the Release binary (BUILD=1: cmake --build build/release --target overture);
#   2. a fresh SQLite database in a temp folder: `overture init`, `overture demo --profiles
#      MESSAGES` (profiles, purchases, test profiles), then, with sqlite3, every profile made
#      sendable (an address for the 2% without one, the blockAll/blockEmail opt-outs cleared)
#      so that the delivery sends exactly MESSAGES messages; the typology still checks them all;
#   3. starts postfix's smtp-sink on a free loopback port (it accepts and discards);
#   4. ROUNDS times, interleaved:
#      - end to end: `overture serve` (its delivery worker sends; SENDER_THREADS,
#        BATCH_SIZE), logged in through the API with curl (session cookie + X-CSRF-Token); the
#        first round creates an SMTP route to the sink (tls none, CONNECTIONS connections) and
#        an Ed25519 DKIM key for news.example; a delivery of a ~20 KB personalized newsletter
#        (bench/smtp's template, over the demo fields firstName, lastName, city, email, with
#        {{ unsubscribe_url }}) to every profile (audience `id > 0`), prepared (time and counts
#        printed), confirmed, watched every POLL seconds until "finished" (WATCH); the rate is
#        counters.sent / (finishedAt - startedAt), the peak resident memory is serve's VmHWM
#        (/proc) at the end; counters.sent must equal MESSAGES with no failure; each round
#        sends a new delivery to the same profiles, on a new serve process;
#      - channel only: `overture bench smtp --algorithm ed25519` with the same count, size,
#        connections, into the same sink (render + MIME + DKIM + SMTP, no database);
#   5. prints, per round and as medians: end-to-end messages/s, channel-only messages/s, the
#      ratio, serve's peak RSS, the preparation time, the CPU per message of serve, of bench
#      smtp and of the sink (steadier than the rates on a shared machine), and where serve's
#      CPU went while sending (per thread from /proc/<pid>/task/*/stat; with PERF=1 per kind of
#      work: DKIM, render, MIME, SMTP, SQLite, kernel).
#
# Bounded: every step runs under `timeout` or a deadline of STEP_TIMEOUT seconds; serve and the
# sink are stopped by their PIDs. Exits 1 when a step fails (a tool missing, an API call
# refused, a preparation with errors, a message not sent); a result under the targets is
# reported, not a failure. The temp folder is removed on exit (KEEP=1 keeps it, with serve.log).
#
# Env: MESSAGES (1000000)  ROUNDS (1)  STEP_TIMEOUT (3600 s)  BUILD (1; 0 = binary as it is)
#      OVERTURE_BIN (build/release/overture)  SENDER_THREADS (2)  BATCH_SIZE (server default)
#      CONNECTIONS (10)  SIZE (20480: the baseline's message size)  ARTICLES (17: articles in
#      the newsletter, ~20 KB per message)  WORKERS (0: bench smtp's render threads, one per
#      core)  POLL (0.5 s)  TMPDIR  KEEP (0)  OUT (file to append the result lines to, TSV)
#      PERF (0; 1: `perf record` on serve while it sends, and where its CPU went)
#      WATCH (db: poll the state in the database file, the API once per phase; api: poll the
#      API, whose GET counts the whole sending log each time)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

MESSAGES=${MESSAGES:-1000000}
ROUNDS=${ROUNDS:-1}
STEP_TIMEOUT=${STEP_TIMEOUT:-3600}
BUILD=${BUILD:-1}
OVERTURE_BIN=${OVERTURE_BIN:-$ROOT/build/release/overture}
SENDER_THREADS=${SENDER_THREADS:-2}
BATCH_SIZE=${BATCH_SIZE:-}
CONNECTIONS=${CONNECTIONS:-10}
SIZE=${SIZE:-20480}
ARTICLES=${ARTICLES:-17}
WORKERS=${WORKERS:-0}
POLL=${POLL:-0.5}
PERF=${PERF:-0}
WATCH=${WATCH:-db}
SINK=${SINK:-/usr/sbin/smtp-sink}
PASSWORD=bench-send-admin-password

log() { echo "[$(date +%T)] $*" >&2; }
die() {
    log "FAILED: $*"
    exit 1
}
now() { date +%s.%N; }

# The system's python3 when there is one: a pyenv shim costs 0.2 s per call.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
for tool in "$SINK" sqlite3 curl "$PYTHON"; do
    command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh --test)"
done
if ((BUILD)); then
    log "building $ROOT/build/release (overture)"
    if ! cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null ||
        ! cmake --build "$ROOT/build/release" --target overture >/dev/null; then
        die "build failed"
    fi
fi
[[ -x $OVERTURE_BIN ]] || die "no binary at $OVERTURE_BIN"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/overture-send.XXXXXX")
DB="sqlite:$WORK/send.db"
export OVERTURE_SECURITY_SECRET_KEY_FILE="$WORK/secret.key"
export OVERTURE_EMAIL_MAILDIR_ROOT="$WORK/maildir"
sink_pid=""
serve_pid=""
stop_pid() { [[ -n $1 ]] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; }
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    stop_pid "$serve_pid"
    stop_pid "$sink_pid"
    if ((${KEEP:-0})); then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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

# --- 1. the database --------------------------------------------------------------------------
log "send: $MESSAGES messages, $ROUNDS rounds, sender threads $SENDER_THREADS, work in $WORK"
timeout -k 10 "$STEP_TIMEOUT" "$OVERTURE_BIN" init --database "$DB" --admin-password "$PASSWORD" \
    --log-level warn >/dev/null || die "overture init"
t0=$(now)
timeout -k 10 "$STEP_TIMEOUT" "$OVERTURE_BIN" demo --database "$DB" --profiles "$MESSAGES" \
    --log-level warn >"$WORK/demo.log" 2>&1 || {
    tail -5 "$WORK/demo.log" >&2
    die "overture demo"
}
log "demo: $(tail -1 "$WORK/demo.log") ($(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') s)"
timeout -k 10 "$STEP_TIMEOUT" sqlite3 "$WORK/send.db" <<'SQL' || die "making every profile sendable"
.timeout 10000
UPDATE profiles SET email = 'nomail' || id || '@example.net', email_domain = 'example.net'
    WHERE email IS NULL OR email = '';
UPDATE profiles SET block_all = 0, block_email = 0 WHERE block_all <> 0 OR block_email <> 0;
SQL
log "database: $(du -sh "$WORK/send.db" | cut -f1), $(sqlite3 "$WORK/send.db" 'SELECT count(*) FROM profiles') profiles"

# --- 2. the sink ------------------------------------------------------------------------------
sink_port=$(free_port)
user_args=()
[[ $(id -u) == 0 ]] && user_args=(-u nobody)
"$SINK" "${user_args[@]}" "127.0.0.1:$sink_port" 1024 &
sink_pid=$!
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null && break
    sleep 0.1
done
kill -0 "$sink_pid" 2>/dev/null || die "smtp-sink did not start"

# --- 3. serve and the API ---------------------------------------------------------------------
URL=""
CSRF=""
start_serve() {
    local log_file="$WORK/serve.$1.log"
    local env_args=(OVERTURE_DELIVERY_SENDER_THREADS="$SENDER_THREADS")
    [[ -n $BATCH_SIZE ]] && env_args+=(OVERTURE_DELIVERY_BATCH_SIZE="$BATCH_SIZE")
    env "${env_args[@]}" "$OVERTURE_BIN" serve --database "$DB" --listen 127.0.0.1:0 \
        --log-level info >"$log_file" 2>&1 &
    serve_pid=$!
    URL=""
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
    rm -f "$WORK/cookies"
    CSRF=$(api POST /api/v1/auth/login "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" |
        jget 'd["csrfToken"]') || die "login"
}
stop_serve() {
    stop_pid "$serve_pid"
    serve_pid=""
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

# CPU ticks of each thread of a process: "tid<TAB>name<TAB>ticks" lines.
thread_ticks() {
    "$PYTHON" - "$1" <<'PY'
import glob, sys
for f in glob.glob(f"/proc/{sys.argv[1]}/task/*/stat"):
    try:
        text = open(f).read()
    except OSError:
        continue
    head, _, rest = text.rpartition(") ")
    tid, _, name = head.partition(" (")
    fields = rest.split()
    print(f"{tid}\t{name}\t{int(fields[11]) + int(fields[12])}")
PY
}
process_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Where serve's CPU went while sending, from perf samples (self time, 499 Hz): cores per
# kind of work, and per thread with what it mostly did. $1 the perf data, $2 the seconds.
perf_summary() {
    log "perf: serve's CPU while sending ($1)"
    perf report -i "$1" -n --no-children --sort pid,dso,sym --stdio -g none 2>/dev/null |
        "$PYTHON" -c '
import collections, re, sys
seconds = float(sys.argv[1])
def kind(dso, sym):
    if "libcrypto" in dso or "Dkim" in sym or "Canonical" in sym:
        return "DKIM (body hash, Ed25519)"
    if "libsodium" in dso:
        return "Message-ID, VERP, signed URLs (libsodium)"
    if "libsqlite3" in dso or "overture::storage" in sym:
        return "SQLite (claims, status writes, API reads)"
    if "overture::render" in sym:
        return "render (HTML and text parts)"
    if "overture::email::" in sym and re.search(r"ScanText|QuotedPrintable|MessageWriter|Base64|Fold|Encode|AppendInPlace|Header", sym):
        return "MIME"
    if "overture::email" in sym or "asio" in sym:
        return "SMTP client"
    if "overture::http" in sym or "beast" in sym:
        return "HTTP"
    if "overture::delivery" in sym or "overture::service" in sym:
        return "sender and worker (other)"
    if "kernel" in dso:
        return "kernel (sockets, scheduling)"
    if "libc" in dso or "libstdc++" in dso:
        return "libc (malloc, memcpy, locks)"
    return "other"
by_kind, by_thread, thread_kinds = collections.Counter(), collections.Counter(), collections.defaultdict(collections.Counter)
for line in sys.stdin:
    m = re.match(r"\s*[\d.]+%\s+(\d+)\s+(\d+):\S+\s+(\S+)\s+\[.\]\s+(.*)", line)
    if not m:
        continue
    n, tid, dso, sym = int(m[1]), m[2], m[3], m[4]
    k = kind(dso, sym)
    by_kind[k] += n
    by_thread[tid] += n
    thread_kinds[tid][k] += n
total = sum(by_kind.values()) or 1
cores = lambda n: n / 499 / seconds
for k, n in by_kind.most_common():
    print(f"  {cores(n):5.2f} cores {100 * n / total:5.1f}%  {k}")
for tid, n in by_thread.most_common(8):
    if cores(n) < 0.01:
        break
    top = ", ".join(f"{k} {100 * m / n:.0f}%" for k, m in thread_kinds[tid].most_common(3))
    print(f"  thread {tid}: {cores(n):.2f} cores: {top}")
' "$2" >&2
}
hwm_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# The newsletter: bench_smtp.cpp's template with the articles as a range loop (a delivery has
# no `target`) and the demo profile's fields.
newsletter_json() {
    "$PYTHON" - "$ARTICLES" <<'PY'
import json, sys
n = int(sys.argv[1])
html = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The weekly letter</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;font-family:Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="600" style="background:#ffffff;border-radius:4px">
<tr><td style="padding:24px"><img src="https://news.example/logo.png" alt="News" width="120"></td></tr>
<tr><td style="padding:0 24px"><h1 style="font-size:22px;color:#222">Hello {{ profile.firstName }} {{ profile.lastName }},</h1>
<p style="font-size:15px;line-height:22px;color:#444">Here is your week in {{ profile.city }}. {% if profile.city == "Paris" %}The festival starts on Friday.{% else %}Collect {{ profile.firstName | size | times: 100 }} more points for a free delivery.{% endif %}</p>
{% for i in (1..ARTICLES) %}<h2 style="font-size:18px;color:#222;margin:24px 0 8px">Story {{ i }}: what changed this week in town</h2>
<p style="font-size:15px;line-height:22px;color:#444">Our editors looked at {{ i | plus: 2 }} things that happened around you: new shops, a festival, the roadworks on the main street, and the results of the local teams. Prices went down for some products &amp; up for others; here is our selection with the details you asked for, and the dates to remember.</p>
<p style="font-size:15px"><a href="https://news.example/stories/{{ i | plus: 1000 }}?utm_source=email&amp;r={{ profile.email | url_encode }}" style="color:#06c">Read more</a></p>
{% endfor %}<p style="font-size:13px;color:#888">You receive this letter at {{ profile.email }}. <a href="{{ unsubscribe_url }}" style="color:#999">Unsubscribe</a></p>
<p style="font-size:11px;color:#aaa">The Weekly Letter is published by News Example Ltd, 1 Main Street, {{ profile.city }}. We write to you because you asked for our newsletter; we never share your address.</p>
</td></tr></table></td></tr></table></body></html>
""".replace("ARTICLES", str(n))
text = """Hello {{ profile.firstName }} {{ profile.lastName }},

Here is your week in {{ profile.city }}.
{% for i in (1..ARTICLES) %}
STORY {{ i }}: WHAT CHANGED THIS WEEK IN TOWN
Our editors looked at {{ i | plus: 2 }} things that happened around you: new shops, a festival, the roadworks on the main street, and the results of the local teams. Prices went down for some products & up for others; here is our selection with the details you asked for, and the dates to remember.
Read more: https://news.example/stories/{{ i | plus: 1000 }}?utm_source=email&r={{ profile.email | url_encode }}
{% endfor %}
You receive this letter at {{ profile.email }}. Unsubscribe: {{ unsubscribe_url }}
The Weekly Letter is published by News Example Ltd, 1 Main Street, {{ profile.city }}. We write to you because you asked for our newsletter; we never share your address.
""".replace("ARTICLES", str(n))
print(json.dumps({
    "from": {"name": "The Weekly Letter", "address": "letter@news.example"},
    "replyTo": {"name": "Readers' desk", "address": "desk@news.example"},
    "subject": "Your week in town", "html": html, "text": text, "textMode": "manual",
    "editor": "html"}))
PY
}

ROUTE_ID=""
setup_channel() {
    ROUTE_ID=$(api POST /api/v1/routes "{\"name\":\"bench-sink\",\"label\":\"smtp-sink\",\"kind\":\"smtp\",\"isDefault\":true,\"smtp\":{\"host\":\"127.0.0.1\",\"port\":$sink_port,\"tls\":\"none\",\"heloName\":\"bench.example\",\"poolSize\":$CONNECTIONS,\"maxMessagesPerConnection\":1000000}}" |
        jget 'd["id"]') || die "creating the SMTP route"
    api POST /api/v1/dkim-keys '{"domain":"news.example","selector":"bench","algorithm":"ed25519"}' \
        >/dev/null || die "creating the DKIM key"
    log "route $ROUTE_ID to 127.0.0.1:$sink_port ($CONNECTIONS connections), Ed25519 key for news.example"
}

# Waits until the delivery's state is one of $2 (comma-separated); leaves its JSON (from the
# API) in $WORK/delivery.json. Fails on "failed", or after STEP_TIMEOUT. With WATCH=db the state
# is read from the database file (a point query through sqlite3, WAL mode) and the API only
# once at the end: GET /api/v1/deliveries/{id} counts the whole sending log for its counters,
# which costs serve about 0.3 s of CPU per call at 200,000 recipients, so polling it would
# measure the polling. WATCH=api polls the API, as the dashboard does.
wait_state() {
    local id=$1 want=",$2," deadline state
    deadline=$(($(date +%s) + STEP_TIMEOUT))
    while :; do
        if [[ $WATCH == db ]]; then
            state=$(sqlite3 -readonly -cmd '.timeout 10000' "$WORK/send.db" \
                "SELECT state FROM deliveries WHERE id = $id") || return 1
        else
            api GET "/api/v1/deliveries/$id" >"$WORK/delivery.json" || return 1
            state=$(jget 'd["state"]' <"$WORK/delivery.json")
        fi
        if [[ $want == *",$state,"* || $state == failed ]]; then
            [[ $WATCH == db ]] && { api GET "/api/v1/deliveries/$id" >"$WORK/delivery.json" || return 1; }
            [[ $state != failed ]] && return 0
            log "delivery $id failed: $(head -c 2000 "$WORK/delivery.json")"
            return 1
        fi
        (($(date +%s) > deadline)) && {
            log "delivery $id still $state after $STEP_TIMEOUT s"
            return 1
        }
        sleep "$POLL"
    done
}

seconds_between() {
    "$PYTHON" -c 'import sys; from datetime import datetime as D
f = lambda s: D.fromisoformat(s.replace("Z", "+00:00"))
print(f"{(f(sys.argv[2]) - f(sys.argv[1])).total_seconds():.3f}")' "$1" "$2"
}

declare -A results
end_to_end() {
    local round=$1
    start_serve "$round"
    ((round == 1)) && setup_channel
    local content body id t_prepare t_ready prep_s
    content=$(newsletter_json)
    body=$("$PYTHON" -c 'import json, sys; print(json.dumps({"label": "bench send " + sys.argv[1],
        "routeId": int(sys.argv[2]), "content": json.loads(sys.argv[3]),
        "audience": {"kind": "query", "expression": "id > 0"},
        "settings": {"schedule": {"kind": "now"}, "validityHours": 24}}))' \
        "$round" "$ROUTE_ID" "$content")
    id=$(api POST /api/v1/deliveries "$body" | jget 'd["id"]') || die "creating the delivery"
    api POST "/api/v1/deliveries/$id/preview" '{"profileId": 1}' >"$WORK/preview.json" ||
        die "preview"
    log "delivery $id: preview for profile 1: $(jget 'len(d["subject"]) + len(d["html"]) + len(d["text"])' <"$WORK/preview.json") bytes of subject, HTML and text"

    # Preparation.
    t_prepare=$(now)
    api POST "/api/v1/deliveries/$id/prepare" >/dev/null || die "prepare"
    wait_state "$id" ready,draft || die "waiting for the preparation"
    t_ready=$(now)
    prep_s=$(awk -v a="$t_prepare" -v b="$t_ready" 'BEGIN { printf "%.1f", b - a }')
    local prep_hwm
    prep_hwm=$(hwm_mb "$serve_pid")
    log "delivery $id prepared in $prep_s s: $(jget 'd["preparation"]' <"$WORK/delivery.json"), serve peak RSS ${prep_hwm} MB"
    [[ $(jget 'd["state"]' <"$WORK/delivery.json") == ready ]] || die "the preparation has errors"
    local to_send
    to_send=$(jget 'd["preparation"]["toSend"]' <"$WORK/delivery.json")
    ((to_send == MESSAGES)) || die "the preparation left $to_send to send, not $MESSAGES"

    # Sending.
    local cpu0 sink0 threads0 t_confirm t_done
    threads0=$(thread_ticks "$serve_pid")
    cpu0=$(process_ticks "$serve_pid")
    sink0=$(process_ticks "$sink_pid")
    local perf_pid=""
    if ((PERF)); then
        perf record -q -F 499 -p "$serve_pid" -o "$WORK/perf.$round.data" 2>/dev/null &
        perf_pid=$!
    fi
    t_confirm=$(now)
    api POST "/api/v1/deliveries/$id/confirm" >/dev/null || die "confirm"
    log "delivery $id confirmed"
    wait_state "$id" finished,stopped || die "waiting for the send"
    t_done=$(now)
    if [[ -n $perf_pid ]]; then
        kill -INT "$perf_pid" 2>/dev/null
        wait "$perf_pid" 2>/dev/null
        perf_summary "$WORK/perf.$round.data" "$(awk -v a="$t_confirm" -v b="$t_done" 'BEGIN { print b - a }')"
    fi
    local hwm cpu1 sink1 threads1
    hwm=$(hwm_mb "$serve_pid")
    cpu1=$(process_ticks "$serve_pid")
    sink1=$(process_ticks "$sink_pid")
    threads1=$(thread_ticks "$serve_pid")
    local sent failed started finished wall own
    sent=$(jget 'd["counters"]["sent"]' <"$WORK/delivery.json")
    failed=$(jget 'd["counters"]["failed"]' <"$WORK/delivery.json")
    started=$(jget 'd["startedAt"]' <"$WORK/delivery.json")
    finished=$(jget 'd["finishedAt"]' <"$WORK/delivery.json")
    own=$(awk -v a="$t_confirm" -v b="$t_done" 'BEGIN { printf "%.2f", b - a }')
    log "delivery $id: $(jget 'd["state"]' <"$WORK/delivery.json"), counters $(jget 'd["counters"]' <"$WORK/delivery.json")"
    [[ $sent == "$MESSAGES" && $failed == 0 ]] || die "sent $sent of $MESSAGES, failed $failed"
    wall=$own
    [[ -n $started && -n $finished ]] && wall=$(seconds_between "$started" "$finished")
    local rate tick cores sink_cores
    rate=$(awk -v n="$sent" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
    tick=$(getconf CLK_TCK)
    cores=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$tick" -v s="$own" 'BEGIN { printf "%.2f", (b - a) / t / s }')
    sink_cores=$(awk -v a="$sink0" -v b="$sink1" -v t="$tick" -v s="$own" 'BEGIN { printf "%.2f", (b - a) / t / s }')
    # CPU per message (microseconds), which depends less on what else the machine runs.
    local us sink_us
    us=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$tick" -v n="$sent" 'BEGIN { printf "%.0f", (b - a) / t / n * 1e6 }')
    sink_us=$(awk -v a="$sink0" -v b="$sink1" -v t="$tick" -v n="$sent" 'BEGIN { printf "%.0f", (b - a) / t / n * 1e6 }')
    log "round $round: end to end $rate messages/s ($sent in $wall s from startedAt to finishedAt, $own s from confirm to finished seen), serve used $cores cores ($us µs of CPU per message), smtp-sink $sink_cores ($sink_us µs), serve peak RSS $hwm MB"
    # Where serve's CPU went: per thread, the busiest first (threads under 1% left out).
    {
        awk '{ print "0\t" $0 }' <<<"$threads0"
        awk '{ print "1\t" $0 }' <<<"$threads1"
    } | awk -F'\t' -v t="$tick" -v s="$own" '
        $1 == 0 { before[$2] = $4; next }
        { c = ($4 - before[$2]) / t / s; if (c >= 0.01) printf "%.2f\t%s\t%s\n", c, $3, $2 }' |
        sort -gr | head -12 |
        awk -F'\t' '{ printf "  serve thread %-16s (tid %s): %s cores\n", $2, $3, $1 }' >&2
    stop_serve
    results[e2e]+="$rate "
    results[rss]+="$hwm "
    results[prep]+="$prep_s "
    results[cores]+="$cores "
    LAST_RATE=$rate
    results[us]+="$us "
    LAST_E2E="$round	$MESSAGES	$wall	$rate	$hwm	$prep_s	$prep_hwm	$cores	$us	$sink_us	$SENDER_THREADS"
}

channel_only() {
    local round=$1 result line rate sink0 sink1 us sink_us
    # The CPU of the bench process: this shell's children's times (`times`) before and after.
    times >"$WORK/times.0"
    sink0=$(process_ticks "$sink_pid")
    result=$(timeout -k 10 $((STEP_TIMEOUT + 30)) "$OVERTURE_BIN" bench smtp --port "$sink_port" \
        --messages "$MESSAGES" --connections "$CONNECTIONS" --algorithm ed25519 --size "$SIZE" \
        --workers "$WORKERS" --max-seconds "$STEP_TIMEOUT") || die "overture bench smtp"
    sink1=$(process_ticks "$sink_pid")
    times >"$WORK/times.1"
    line=$(echo "$result" | tail -1)
    rate=$(echo "$line" | cut -f5)
    us=$(tail -qn 1 "$WORK/times.0" "$WORK/times.1" | tr 'ms' '  ' | awk -v n="$MESSAGES" '
        { t[NR] = $1 * 60 + $2 + $3 * 60 + $4 } END { printf "%.0f", (t[2] - t[1]) / n * 1e6 }')
    sink_us=$(awk -v a="$sink0" -v b="$sink1" -v t="$(getconf CLK_TCK)" -v n="$MESSAGES" 'BEGIN { printf "%.0f", (b - a) / t / n * 1e6 }')
    results[channel]+="$rate "
    results[channel_us]+="$us "
    log "round $round: channel only (bench smtp, Ed25519, $(echo "$line" | cut -f6) bytes on average) $rate messages/s, $us µs of CPU per message (building used $(echo "$line" | cut -f8) cores), smtp-sink $sink_us µs"
    LAST_CHANNEL="$rate	$us	$sink_us"
    LAST_CHANNEL_RATE=$rate
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

LAST_E2E=""
LAST_RATE=""
LAST_CHANNEL=""
LAST_CHANNEL_RATE=""
lines=()
for round in $(seq "$ROUNDS"); do
    end_to_end "$round"
    channel_only "$round"
    ratio=$(awk -v a="$LAST_RATE" -v b="$LAST_CHANNEL_RATE" 'BEGIN { printf "%.2f", a / b }')
    line="$LAST_E2E	$LAST_CHANNEL	$ratio"
    lines+=("$line")
    [[ -n ${OUT:-} ]] && echo "$line" >>"$OUT"
done

e2e=$(echo "${results[e2e]}" | median)
channel=$(echo "${results[channel]}" | median)
ratio=$(awk -v a="$e2e" -v b="$channel" 'BEGIN { printf "%.2f", a / b }')
rss=$(echo "${results[rss]}" | median)
echo "round	messages	send_s	end_to_end_per_s	peak_rss_mb	prepare_s	prepare_rss_mb	serve_cores	serve_us_per_msg	sink_us_per_msg	sender_threads	channel_only_per_s	channel_us_per_msg	channel_sink_us_per_msg	ratio"
printf '%s\n' "${lines[@]}"
echo "median	$MESSAGES	-	$e2e	$rss	$(echo "${results[prep]}" | median)	-	$(echo "${results[cores]}" | median)	$(echo "${results[us]}" | median)	-	$SENDER_THREADS	$channel	$(echo "${results[channel_us]}" | median)	-	$ratio"
awk -v x="$ratio" 'BEGIN { exit !(x < 0.7) }' &&
    log "under target: end to end at ${ratio}x the channel alone (target 0.7x)"
awk -v x="$rss" 'BEGIN { exit !(x >= 200) }' &&
    log "over target: serve's peak RSS $rss MB (target under 200 MB)"
exit 0
