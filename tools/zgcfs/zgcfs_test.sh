#!/usr/bin/env bash
# zgcfs on good and bad input: exit codes, messages, and images left
# untouched where a command must not write (mkfs refused, fsck, ls, df,
# zones, dump, backup).
set -u
zgcfs=${1:?usage: zgcfs_test.sh path/to/zgcfs}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
check() {  # check NAME EXPECTED_EXIT PATTERN -- CMD...
  local name=$1 want=$2 pat=$3; shift 4
  local out rc; out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && grep -qE -- "$pat" <<<"$out"; then pass=$((pass+1))
  else fail=$((fail+1)); echo "FAIL $name: exit $rc (want $want), output:"; echo "$out" | head -5; fi
}
same() {  # same NAME SUM: the image is unchanged
  if [ "$(md5sum < "$dir/a.img")" = "$2" ]; then pass=$((pass+1))
  else fail=$((fail+1)); echo "FAIL $1 changed the device"; fi
}
img="emu:$dir/a.img"
check mkfs-new 0 "formatted emu:.*gc_low=5&gc_high=9" -- "$zgcfs" mkfs "$img?create=1&zone_size=1M&zones=32&gc_low=5&gc_high=9"
sum=$(md5sum < "$dir/a.img")
check mkfs-again 1 "holds a zgc file system: not formatted .*--force" -- "$zgcfs" mkfs "$img"
same mkfs-refused "$sum"
check mkfs-bad-knob 2 "invalid_argument: .*gc_low=99" -- "$zgcfs" mkfs "$img?gc_low=99" --force
check mkfs-unknown-knob 2 "unknown parameter gc_lwo" -- "$zgcfs" mkfs "$img?gc_lwo=3" --force
same mkfs-bad-knob "$sum"
check mkfs-force 0 "formatted" -- "$zgcfs" mkfs "$img" --force
# A backup tree to restore: nested directories, an empty file, sizes around blocks.
mkdir -p "$dir/src/db/sub" "$dir/src/empty_dir"
head -c 5000000 /dev/urandom > "$dir/src/db/000010.sst"
head -c 4096 /dev/urandom > "$dir/src/db/MANIFEST-000005"
printf 'MANIFEST-000005\n' > "$dir/src/db/CURRENT"
: > "$dir/src/db/sub/empty"
check restore 0 "restore: 4 files, 5004112 bytes" -- "$zgcfs" restore "$img" "$dir/src"
check restore-again 1 "holds files" -- "$zgcfs" restore "$img" "$dir/src"
sum=$(md5sum < "$dir/a.img")
check ls 0 "5000000  /db/000010.sst" -- "$zgcfs" ls "$img"
check ls-json 0 '"name": "/db/CURRENT"' -- "$zgcfs" ls "$img" --json
check df 0 "used 5[0-9]{6} .*files 4: 5004112 logical.*space amplification 1\.0" -- "$zgcfs" df "$img"
check df-json 0 '"reclaimable_bytes": ' -- "$zgcfs" df "$img" --json
check zones 0 "zone +[0-9]+ +fu .*/db/000010.sst \(1048576\)" -- "$zgcfs" zones "$img"
check dump 0 '"stored_knobs": "gc_policy=default.*gc_low=4&gc_high=6' -- "$zgcfs" dump --json "$img"
check dump-extents 0 '"lifetime": "medium"' -- "$zgcfs" dump --json "$img"
check fsck 0 "fsck: clean: 4 files" -- "$zgcfs" fsck "$img"
check backup 0 "backup: 4 files, 5004112 bytes" -- "$zgcfs" backup "$img" "$dir/out"
same read-only-commands "$sum"
if diff -r "$dir/src/db" "$dir/out/db" >/dev/null; then pass=$((pass+1))
else fail=$((fail+1)); echo "FAIL backup differs from what was restored"; fi
check gc 0 "gc: [0-9]+ collections, relocated [0-9]+ bytes" -- "$zgcfs" gc "$img"
check fsck-after-gc 0 "fsck: clean" -- "$zgcfs" fsck "$img"
# Restored into a fresh device from the backup: the same files.
# A damaged device is refused by mkfs (nothing formatted).
check mkfs-other 0 "formatted" -- "$zgcfs" mkfs "emu:$dir/c.img?create=1&zone_size=1M&zones=16"
printf 'xxxx' | dd of="$dir/c.img" bs=1 seek=100 conv=notrunc status=none  # the emu header: damaged
check mkfs-damaged-emu 1 "corruption" -- "$zgcfs" mkfs "emu:$dir/c.img"
check restore-fresh 0 "restore: 4 files" -- "$zgcfs" restore "emu:$dir/b.img?create=1&zone_size=1M&zones=32" "$dir/out"
check backup-fresh 0 "backup: 4 files" -- "$zgcfs" backup "emu:$dir/b.img" "$dir/out2"
if diff -r "$dir/src/db" "$dir/out2/db" >/dev/null; then pass=$((pass+1))
else fail=$((fail+1)); echo "FAIL a restore of the backup differs"; fi
# Bad input.
check not-zgcfs 1 "corruption|not a zgc" -- "$zgcfs" ls "mem:?zone_size=1M&zones=16"
check no-device 1 "not_found|No such" -- "$zgcfs" df "emu:$dir/none.img"
check bad-uri 2 "invalid_argument" -- "$zgcfs" df "bogus:x"
check restore-nodir 2 "not a directory" -- "$zgcfs" restore "$img" "$dir/nope"
check no-command 2 "" -- "$zgcfs"
echo "zgcfs_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
