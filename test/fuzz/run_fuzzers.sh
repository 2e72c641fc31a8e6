#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR for SECONDS each, from its seeds
# and saved regressions (copied to a scratch directory: the repository's
# corpus is never modified), and prints the executions per target. Fails if
# any target crashes (or times out, or runs out of memory); the crashing
# input and the log are kept and named.
#
#   test/fuzz/run_fuzzers.sh BUILD_DIR SECONDS
# Environment: FUZZ_JOBS=N runs N targets at a time (default 1);
# FUZZ_ARGS adds libFuzzer flags (e.g. "-jobs=2" or "-dict=..."),
# FUZZ_TARGETS="a b" runs only those.
set -uo pipefail
if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
jobs=${FUZZ_JOBS:-1}
bindir=$build/test/fuzz
[ -d "$bindir" ] || { echo "no fuzz targets in $bindir (configure with -DZGC_FUZZ=ON)" >&2; exit 2; }

targets=()
if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  for bin in "$bindir"/*_fuzz; do
    [ -x "$bin" ] && targets+=("$(basename "$bin")")
  done
fi
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets built in $bindir" >&2; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/zgc-fuzz.XXXXXX")
run_one() {
  local t=$1 dir=$scratch/$1
  mkdir -p "$dir/corpus" "$dir/artifacts"
  for src in "$here/corpus/$t" "$here/regressions/$t"; do
    [ -d "$src" ] && cp -r "$src/." "$dir/corpus/"
  done
  # shellcheck disable=SC2086
  "$bindir/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2048 \
    -artifact_prefix="$dir/artifacts/" ${FUZZ_ARGS:-} "$dir/corpus" >"$dir/log" 2>&1
  echo $? >"$dir/rc"
}

running=0
for t in "${targets[@]}"; do
  [ -x "$bindir/$t" ] || { echo "$t: not built in $bindir" >&2; rm -rf "$scratch"; exit 2; }
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

failed=0
printf '%-24s %14s  %s\n' target executions result
for t in "${targets[@]}"; do
  dir=$scratch/$t
  rc=$(cat "$dir/rc" 2>/dev/null || echo 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    printf '%-24s %14s  %s\n' "$t" "${execs:-?}" ok
  else
    failed=1
    crash=$(ls "$dir"/artifacts/* 2>/dev/null | head -1)
    printf '%-24s %14s  %s\n' "$t" "${execs:-?}" "FAILED (exit $rc): ${crash:-no artifact}"
  fi
done
for t in "${targets[@]}"; do
  dir=$scratch/$t
  [ "$(cat "$dir/rc" 2>/dev/null || echo 1)" -eq 0 ] && continue
  echo "== $t: end of $dir/log"
  grep -v '^#' "$dir/log" | tail -40
  echo "reproduce: $bindir/$t $(ls "$dir"/artifacts/* 2>/dev/null | head -1)"
done
if [ "$failed" -ne 0 ]; then
  echo "failed; logs and crashing inputs kept in $scratch" >&2
  exit 1
fi
rm -rf "$scratch"
