#!/usr/bin/env bash
# bench/smtp/run.sh - personalized, DKIM-signed email into an SMTP sink, against postfix's
# smtp-source sending pre-built messages of the same size into the same sink.
#
# What it does (issue 6: "at least 0.8x of smtp-source with Ed25519, and with RSA as close as the
# signing cost allows"):
#   1. builds the Release binary (BUILD=1: cmake --build build/release --target overture);
#   2. starts postfix's smtp-sink on a free loopback port (it accepts and discards, and offers
#      PIPELINING);
#   3. ROUNDS times, interleaved: smtp-source -d -s CONNECTIONS -m MESSAGES -l SIZE (persistent
#      sessions, pre-built messages, one recipient each), then `overture bench smtp` with
#      Ed25519, then with RSA-2048 (render + MIME + DKIM per message, the same count, size and
#      number of connections);
#   4. prints messages per second for each (median of the rounds), the ratios to smtp-source,
#      and how many cores signing used.
#
# Bounded: every step runs under `timeout STEP_TIMEOUT`; the sink is stopped by its PID.
# Exits 1 when a step fails (a message not accepted, a tool missing); a result under the target
# is reported, not a failure.
#
# Env: MESSAGES (100000)  SIZE (20480)  CONNECTIONS (10)  ROUNDS (3)  STEP_TIMEOUT (600 s)
#      ALGORITHMS ("ed25519 rsa")  WORKERS (0: one per core)  BUILD (1)
#      OVERTURE_BIN (build/release/overture)  OUT (file to append the result lines to, TSV)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

MESSAGES=${MESSAGES:-100000}
SIZE=${SIZE:-20480}
CONNECTIONS=${CONNECTIONS:-10}
ROUNDS=${ROUNDS:-3}
STEP_TIMEOUT=${STEP_TIMEOUT:-600}
ALGORITHMS=${ALGORITHMS:-ed25519 rsa}
WORKERS=${WORKERS:-0}
BUILD=${BUILD:-1}
OVERTURE_BIN=${OVERTURE_BIN:-$ROOT/build/release/overture}
SINK=${SINK:-/usr/sbin/smtp-sink}
SOURCE=${SOURCE:-/usr/sbin/smtp-source}

log() { echo "[$(date +%T)] $*" >&2; }

for tool in "$SINK" "$SOURCE"; do
    [[ -x $tool ]] || {
        log "error: $tool is missing: install Debian's postfix (scripts/install-deps.sh --test)"
        exit 1
    }
done
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

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user_args=()
[[ $(id -u) == 0 ]] && user_args=(-u nobody)
"$SINK" "${user_args[@]}" "127.0.0.1:$port" 1024 &
sink_pid=$!
trap 'kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null' EXIT
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

now() { date +%s.%N; }
declare -A rates
log "smtp: $MESSAGES messages of ~$SIZE bytes, $CONNECTIONS connections, $ROUNDS rounds, sink on port $port"
for round in $(seq "$ROUNDS"); do
    t0=$(now)
    timeout -k 10 "$STEP_TIMEOUT" "$SOURCE" -d -s "$CONNECTIONS" -m "$MESSAGES" -l "$SIZE" \
        -M localhost -f sender@localhost -t rcpt@localhost "127.0.0.1:$port" || {
        log "FAILED: smtp-source"
        exit 1
    }
    t1=$(now)
    rate=$(awk -v n="$MESSAGES" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
    rates[source]+="$rate "
    log "round $round: smtp-source $rate messages/s"
    for algorithm in $ALGORITHMS; do
        args=(bench smtp --port "$port" --messages "$MESSAGES" --connections "$CONNECTIONS"
            --algorithm "$algorithm" --size "$SIZE" --workers "$WORKERS"
            --max-seconds "$STEP_TIMEOUT")
        [[ -n ${OUT:-} ]] && args+=(--out "$OUT")
        result=$(timeout -k 10 $((STEP_TIMEOUT + 30)) "$OVERTURE_BIN" "${args[@]}") || {
            log "FAILED: overture bench smtp --algorithm $algorithm"
            exit 1
        }
        line=$(echo "$result" | tail -1)
        rate=$(echo "$line" | cut -f5)
        rates[$algorithm]+="$rate "
        rates[$algorithm-sign]+="$(echo "$line" | cut -f7) "
        rates[$algorithm-build]+="$(echo "$line" | cut -f8) "
        rates[$algorithm-bytes]+="$(echo "$line" | cut -f6) "
        log "round $round: overture ($algorithm) $rate messages/s"
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
source_rate=$(echo "${rates[source]}" | median)
echo "sender	messages_per_s	ratio_to_smtp_source	avg_bytes	signing_cores	building_cores	rounds"
echo "smtp-source (pre-built)	$source_rate	1.00	$SIZE	-	-	${rates[source]% }"
for algorithm in $ALGORITHMS; do
    r=$(echo "${rates[$algorithm]}" | median)
    ratio=$(awk -v a="$r" -v b="$source_rate" 'BEGIN { printf "%.2f", a / b }')
    echo "overture $algorithm	$r	$ratio	$(echo "${rates[$algorithm-bytes]}" | median)	$(echo "${rates[$algorithm-sign]}" | median)	$(echo "${rates[$algorithm-build]}" | median)	${rates[$algorithm]% }"
    if [[ $algorithm == ed25519 ]] && awk -v x="$ratio" 'BEGIN { exit !(x < 0.8) }'; then
        log "under target: Ed25519 at ${ratio}x smtp-source (target 0.8x)"
    fi
done
exit 0
