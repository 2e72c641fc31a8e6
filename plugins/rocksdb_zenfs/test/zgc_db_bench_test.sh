#!/bin/sh
# zgc-db-bench (the wrapper): a short fill on mem: with GC knobs in the URI,
# and its usage error. Exit 77 (skipped) without db_bench.
# Usage: zgc_db_bench_test.sh <zgc-db-bench> [db_bench]
set -u
wrapper=$1
bench=${2:-}
[ -n "$bench" ] && [ -x "$bench" ] || bench=$(command -v db_bench || true)
if [ -z "$bench" ]; then
  echo "db_bench not found (rocksdb-tools): skipped"
  exit 77
fi
out=$(DB_BENCH=$bench ZGC_STATS=1 "$wrapper" "mem:?zone_size=1M&zones=32&gc_low=3&gc_high=5" \
  --benchmarks=fillseq --num=5000 --value_size=500 --compression_type=none 2>&1)
echo "$out" | grep -E "fillseq|zgc:"
echo "$out" | grep -q "fillseq .*ops/sec" || { echo "FAIL: no fillseq result"; exit 1; }
echo "$out" | grep -q "zgc: mem:" || { echo "FAIL: not on the zgc file system"; exit 1; }
"$wrapper" >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: no arguments should be a usage error (exit 2)"; exit 1; }
echo "zgc-db-bench: ok"
