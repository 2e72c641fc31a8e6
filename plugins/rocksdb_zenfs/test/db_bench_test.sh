#!/bin/sh
# Stock db_bench (Debian's rocksdb-tools) with the zgc plugin preloaded:
# fillrandom on a new emu: device, then overwrite with --use_existing_db=1 in
# a second process (recovery from the device), then the same on mem:.
# Usage: db_bench_test.sh <libzgc_rocksdb.so> <work dir> [db_bench]
# Exit 77 (skipped) without db_bench.
set -eu
lib=$1
work=$2
bench=${3:-}
[ -n "$bench" ] && [ -x "$bench" ] || bench=$(command -v db_bench || true)
if [ -z "$bench" ]; then
  echo "db_bench not found (rocksdb-tools): skipped"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
img=$work/z.img
common="--compression_type=none --value_size=1000 --key_size=16 --threads=1 --seed=42
  --write_buffer_size=1048576 --target_file_size_base=1048576 --max_bytes_for_level_base=4194304
  --db=/db --statistics=0 --histogram=0"
run() {
  echo "+ db_bench $*"
  LD_PRELOAD=$lib ZGC_STATS=1 "$bench" $common "$@" 2>&1 | tee -a "$work/out.txt" |
    grep -E "ops/sec|zgc:|rror|Corruption|failed" || true
}
# 64 zones of 2 MiB (128 MiB); 40k keys of 1 KB: ~40 MB live, overwritten
# 3 times.
run --fs_uri="id=zgc://emu:$img?create=1&zone_size=2M&zones=64" --benchmarks=fillrandom \
  --num=40000
run --fs_uri="zgc://emu:$img" --benchmarks=overwrite,readrandom --use_existing_db=1 \
  --num=40000 --reads=20000 --writes=120000
run --fs_uri="id=zgc://mem:?zone_size=2M&zones=64" --benchmarks=fillrandom,overwrite,readrandom \
  --num=20000 --writes=60000 --reads=20000
if grep -qE "Corruption|IO error|No space|rror:" "$work/out.txt"; then
  echo "db_bench reported an error"
  exit 1
fi
n=$(grep -c "ops/sec" "$work/out.txt")
[ "$n" -ge 5 ] || { echo "expected 5 benchmark results, got $n"; exit 1; }
echo "db_bench on zgc: ok"
