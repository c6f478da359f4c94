#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 server.
#
#   scripts/with-postgres.sh <command> [args...]
#
# Creates a cluster with initdb in a fresh temporary folder, starts it on a free loopback port
# (trust authentication, socket inside the folder, fsync off), exports
# OVERTURE_TEST_POSTGRES_URL=postgresql://<user>@127.0.0.1:<port>/postgres and
# OVERTURE_TEST_POSTGRES_LOG=<the server's log file>, runs the command,
# then stops the server and removes the folder, even on failure or Ctrl-C. Exits with the
# command's status. As root the server runs as the `postgres` system user; otherwise as the
# current user. PG_BIN overrides the folder of the PostgreSQL binaries.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 <command> [args...]" >&2
    exit 2
fi

pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ ! -x "$pg_bin/initdb" ]]; then
    echo "with-postgres: no initdb in $pg_bin (install postgresql-15 or set PG_BIN)" >&2
    exit 2
fi

if [[ $(id -u) -eq 0 ]]; then
    pg_user=postgres
    as_pg=(runuser -u "$pg_user" --)
else
    pg_user=$(id -un)
    as_pg=()
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/overture-pg.XXXXXX")
[[ $(id -u) -eq 0 ]] && chown "$pg_user:" "$tmp"
data="$tmp/data"
log="$tmp/postgres.log"
started=0

pg() {  # runs a PostgreSQL binary as the server's user, from a folder it may read
    (cd "$tmp" && "${as_pg[@]}" "$pg_bin/$1" "${@:2}")
}

cleanup() {
    if [[ $started -eq 1 ]]; then
        pg pg_ctl stop -D "$data" -m fast -w >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/socket"
[[ $(id -u) -eq 0 ]] && chown "$pg_user:" "$tmp/socket"
pg initdb -D "$data" -U "$pg_user" --auth-local=trust --auth-host=trust -E UTF8 \
    --locale=C --no-sync >"$tmp/initdb.log" 2>&1 || {
    cat "$tmp/initdb.log" >&2
    exit 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=""
for _ in $(seq 1 20); do
    candidate=$((20000 + RANDOM % 40000))
    port_in_use "$candidate" && continue
    : >"$log" 2>/dev/null || true
    [[ $(id -u) -eq 0 ]] && touch "$log" && chown "$pg_user:" "$log"
    pg pg_ctl start -D "$data" -l "$log" -W -o "-c listen_addresses=127.0.0.1 -p $candidate \
-c unix_socket_directories=$tmp/socket -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=300" >/dev/null
    started=1
    ready=0
    for _ in $(seq 1 150); do  # up to 30 s
        if pg pg_isready -q -h 127.0.0.1 -p "$candidate" -t 1; then
            ready=1
            break
        fi
        if grep -q "could not bind\|Address already in use" "$log" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    if [[ $ready -eq 1 ]]; then
        port=$candidate
        break
    fi
    pg pg_ctl stop -D "$data" -m immediate -w >/dev/null 2>&1 || true
    started=0
    grep -q "could not bind\|Address already in use" "$log" 2>/dev/null || {
        echo "with-postgres: PostgreSQL did not start; its log:" >&2
        cat "$log" >&2
        exit 1
    }
done
if [[ -z $port ]]; then
    echo "with-postgres: found no free port for PostgreSQL" >&2
    exit 1
fi

export OVERTURE_TEST_POSTGRES_URL="postgresql://$pg_user@127.0.0.1:$port/postgres"
# The server's log, for tests that read what the server executed (log_statement).
export OVERTURE_TEST_POSTGRES_LOG="$log"
echo "with-postgres: PostgreSQL 15 at $OVERTURE_TEST_POSTGRES_URL (data in $tmp)" >&2

status=0
"$@" || status=$?
exit "$status"
