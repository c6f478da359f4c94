#!/usr/bin/env bash
# Every test suite, as `make test` runs it (after the build):
#   1. style: clang-format on src/
#   2. inside one throwaway PostgreSQL 15 (scripts/with-postgres.sh):
#      unit tests (ctest; each database test runs on SQLite and PostgreSQL),
#      API tests against the real binary, once on SQLite and once on PostgreSQL
#   3. web UI unit tests (Vitest)
#   4. end-to-end: the real server on a fresh SQLite database, driven by Playwright in Debian's
#      headless Chromium; screenshots in build/e2e/
# Usage: scripts/test.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/test}
bin=$build/overture

step() { printf '\n==> %s\n' "$*"; }

step "clang-format"
clang-format --dry-run --Werror $(git ls-files 'src/*.cpp' 'src/*.hpp')

step "unit and API tests on SQLite and PostgreSQL"
OVERTURE_BIN=$bin scripts/with-postgres.sh bash -c '
  set -euo pipefail
  ctest --test-dir "$0" --output-on-failure -j 2 -LE slow
  for backend in sqlite postgres; do
    printf "\n==> API tests on %s\n" "$backend"
    OVERTURE_TEST_BACKEND=$backend node --test --test-reporter=spec --test-concurrency=2 tests/api/
  done
' "$build"

step "web UI unit tests"
(cd web && npm test --silent)

step "end-to-end test in headless Chromium"
scripts/e2e.sh "$bin"

printf '\nAll test suites passed.\n'
