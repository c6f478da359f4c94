#!/usr/bin/env bash
# Installs what Overture needs to build, run and test, and nothing that is already there.
# Idempotent: a second run installs nothing. Works as root or as a user with sudo.
#   scripts/install-deps.sh          build + run dependencies (apt, web UI npm packages)
#   scripts/install-deps.sh --test   also the test dependencies (PostgreSQL, Chromium, e2e npm)
#   scripts/install-deps.sh --fuzz   also the fuzzing toolchain (clang 19 and its libFuzzer)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
want_fuzz=0
[ "${1:-}" = "--test" ] && want_test=1
[ "${1:-}" = "--fuzz" ] && want_fuzz=1

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libssl-dev
  libpq-dev libsqlite3-dev sqlite3
  libfmt-dev libspdlog-dev libcli11-dev libtomlplusplus-dev libsodium-dev libidn2-dev zlib1g-dev
  libhowardhinnant-date-dev tzdata libre2-dev libcurl4-openssl-dev
  nodejs
)
# The email channel's test peers: postfix's smtp-sink and smtp-source, aiosmtpd (STARTTLS, AUTH
# and fault injection), python3-dkim with python3-nacl (an independent DKIM verifier, Ed25519
# too), Dovecot (a real IMAP server for the bounce reader).
test_packages=(
  libgtest-dev libgmock-dev postgresql-15 postgresql-client-15 chromium clang-format
  postfix python3-aiosmtpd python3-dkim python3-nacl dovecot-imapd wrk nginx-light
)
# clang 19 is the first clang whose concepts support lets libstdc++ 12's <expected> compile
# (fuzz/CMakeLists.txt); libclang-rt-19-dev holds libFuzzer and the sanitizer runtimes.
fuzz_packages=(
  clang-19 libclang-rt-19-dev
)
[ $want_test = 1 ] && packages+=("${test_packages[@]}")
[ $want_fuzz = 1 ] && packages+=("${fuzz_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  # postfix and dovecot are test peers that the tests start themselves: install them without
  # configuring postfix as this machine's mail system and without starting either service
  # (a temporary policy-rc.d, unless the machine already has one).
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  status=0
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
  [ $policy_added = 1 ] && $sudo rm -f /usr/sbin/policy-rc.d
  [ $status = 0 ] || exit $status
fi

# npm comes with Debian's nodejs or NodeSource's; install Debian's npm only when it is absent.
if ! command -v npm >/dev/null; then
  sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm
fi

# npm packages: install when node_modules is missing or older than the lock file.
npm_install() {
  local dir=$1
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "Installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_install web
[ $want_test = 1 ] && npm_install tests/e2e
exit 0
