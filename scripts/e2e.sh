#!/usr/bin/env bash
# Starts the server on a fresh SQLite database and a free port, runs tests/e2e/run.mjs, then
# tests/e2e/profiles.mjs, import.mjs, audiences.mjs, email.mjs, deliveries.mjs, tracking.mjs and workflows.mjs against it (Playwright
# driving /usr/bin/chromium, same server and environment; each script bounds its own run time;
# the first failure stops the run), and stops the server by its PID.
# Usage: scripts/e2e.sh path/to/overture
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/test/overture}
dir=$(mktemp -d)
out=build/e2e
mkdir -p "$out"
password="e2e-admin-password-$$"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"; wait "$pid" || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

rm -f "$out/server.log"  # else the port of a previous run could be read below
"$bin" init --database "sqlite:$dir/e2e.db" --admin-password "$password" >/dev/null
OVERTURE_IMPORTS_DIRECTORY="$dir/imports" OVERTURE_EMAIL_MAILDIR_ROOT="$dir/maildir" \
  OVERTURE_SECURITY_SECRET_KEY_FILE="$dir/secret.key" \
  "$bin" serve --database "sqlite:$dir/e2e.db" --listen 127.0.0.1:0 --web-root web/dist \
  >"$out/server.log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 200); do
  url=$(grep -oE 'serving http://127\.0\.0\.1:[0-9]+' "$out/server.log" | head -1 | sed 's/serving //') || true
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$out/server.log"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "the server did not start"; cat "$out/server.log"; exit 1; }
for script in run profiles import audiences email deliveries tracking workflows; do
  OVERTURE_URL=$url OVERTURE_ADMIN_PASSWORD=$password OVERTURE_E2E_OUT=$out \
    OVERTURE_EMAIL_MAILDIR_ROOT="$dir/maildir" node "tests/e2e/$script.mjs"
done
echo "screenshots: $(ls "$out"/*.png 2>/dev/null | tr '\n' ' ')"
