#!/usr/bin/env bash
# Runs every fuzz target (query language, personalization, bounce parsing) for a while (`make fuzz`;
# docs/development.md, "Fuzzing").
#
#   fuzz/run.sh [BUILD_DIR] [SECONDS]     defaults: build/fuzz 60
#
# Each target starts from its seed corpus (fuzz/corpus/<name>, read only) plus the corpus grown
# by earlier runs (BUILD_DIR/corpus/<name>, where new inputs go), with its dictionary. A crash,
# an invariant broken (abort), a leak, undefined behaviour, an input slower than 10 s or over
# 2 GiB is written to BUILD_DIR/artifacts/ and fails the run. Exits non-zero if any target did.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/fuzz}
seconds=${2:-60}
# target:corpus:dictionary
targets=(
  query_parser_fuzz:query:query.dict
  query_json_fuzz:query_json:query_json.dict
  render_fuzz:render:render.dict
  bounce_fuzz:bounce:bounce.dict
)

# Readable stacks when a symbolizer is installed (llvm-symbolizer-19 first: it reads clang 19's
# debug information).
symbolizer=$(command -v llvm-symbolizer-19 || command -v /usr/lib/llvm-19/bin/llvm-symbolizer ||
  command -v llvm-symbolizer || true)
[ -n "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

mkdir -p "$build/artifacts"
failed=()
for t in "${targets[@]}"; do
  IFS=: read -r name corpus dict <<<"$t"
  mkdir -p "$build/corpus/$corpus"
  echo "== $name: ${seconds}s"
  log="$build/$name.log"
  if "$build/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -dict="fuzz/$dict" -artifact_prefix="$build/artifacts/$name-" -print_final_stats=1 \
      "$build/corpus/$corpus" "fuzz/corpus/$corpus" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$log" || true
  else
    failed+=("$name")
    echo "FAILED: $name (log: $log)"
    grep -aE 'ERROR|runtime error|invariant broken|Test unit written|SUMMARY' "$log" | head -20 || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}; reproduce with $build/<target> <artifact>"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each, no crash, leak or UB"
