#!/usr/bin/env bash
# The zgc tool on good and bad input: exit codes, messages, and files left untouched.
set -u
zgc=${1:?usage: cli_test.sh path/to/zgc}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
check() {  # check NAME EXPECTED_EXIT PATTERN -- CMD...
  local name=$1 want=$2 pat=$3; shift 4
  local out rc; out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && grep -qE -- "$pat" <<<"$out"; then pass=$((pass+1))
  else fail=$((fail+1)); echo "FAIL $name: exit $rc (want $want), output:"; echo "$out" | head -5; fi
}
check mkemu 0 "created emu:" -- "$zgc" mkemu "$dir/a.img" --zone-size 1M --zones 8 --conv 1
check info 0 "8 x 1 MiB" -- "$zgc" info "emu:$dir/a.img"
check info-json 0 '"nr_zones": 8' -- "$zgc" info --json "emu:$dir/a.img"
check zones 0 "cnv +nw" -- "$zgc" zones "emu:$dir/a.img"
check zones-json 0 '"cond_name": "em"' -- "$zgc" zones --json "emu:$dir/a.img"
check reset-zone 0 "reset zone 3" -- "$zgc" reset "emu:$dir/a.img" --zone 3
check reset-all 0 "reset all" -- "$zgc" reset "emu:$dir/a.img" --all
check run 0 "zones reset +[1-9]" -- "$zgc" run "emu:$dir/a.img" --passes 4 --block 64K
check run-verified 0 "live data verified .* every block" -- "$zgc" run "emu:$dir/a.img" --workload zipf --quiet
sum=$(md5sum < "$dir/a.img")
check run-workload 1 "invalid_argument: .*workload 'bogus'" -- "$zgc" run "emu:$dir/a.img" --workload bogus
check run-spare 1 "invalid_argument: --spare 1 " -- "$zgc" run "emu:$dir/a.img" --spare 1
check run-noroom 1 "invalid_argument: .*no units" -- "$zgc" run "emu:$dir/a.img" --spare 0.9999 --block 1M
[ "$(md5sum < "$dir/a.img")" = "$sum" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL a refused run changed the device"; }
check run-tiny 1 "no_space: .*too few for a GC reserve" -- "$zgc" run "mem:?zone_size=1M&zones=4"
sum=$(md5sum < "$dir/a.img")
check mkemu-exists 1 "already exists" -- "$zgc" mkemu "$dir/a.img" --zone-size 1M --zones 8
[ "$(md5sum < "$dir/a.img")" = "$sum" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL mkemu changed an existing file"; }
check reset-range 1 "out_of_range: .*no zone 8" -- "$zgc" reset "emu:$dir/a.img" --zone 8
check reset-both 1 "exactly one" -- "$zgc" reset "emu:$dir/a.img" --all --zone 1
check reset-conv 1 "zone_state: .*conventional" -- "$zgc" reset "emu:$dir/a.img" --zone 0
check missing 1 "not_found: .*no such file" -- "$zgc" info "emu:$dir/none.img"
[ ! -e "$dir/none.img" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL info created a file"; }
check scheme 1 "unknown scheme" -- "$zgc" info "nvme:/dev/x"
check noscheme 1 "has no scheme" -- "$zgc" info "/dev/nvme0n1"
check param 1 "unknown parameter 'zone_sise'" -- "$zgc" info "mem:?zone_sise=1M"
check zero-zone 1 "zone_size" -- "$zgc" mkemu "$dir/b.img" --zone-size 0
check odd-zone 1 "power of two" -- "$zgc" mkemu "$dir/b.img" --zone-size 3M
check absurd 1 "absurd|exceeds" -- "$zgc" mkemu "$dir/b.img" --zone-size 64G --zones 4000000
[ ! -e "$dir/b.img" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL bad mkemu left a file"; }
check notzoned 1 "not_supported: .*not a block device" -- "$zgc" info "zbd:$dir/a.img"
check run-zbd-guard 1 "add --force" -- "$zgc" run "zbd:/dev/null"
check usage 2 "" -- "$zgc" bogus-command
# `run` left zones full of stamped live data: copy some of a full one into emptied zones.
src=$("$zgc" zones "emu:$dir/a.img" | awk '$7=="fu"{print $1; exit}')
d1=$("$zgc" zones "emu:$dir/a.img" | awk -v s="$src" '$6=="swr" && $1!=s{print $1}' | sed -n 1p)
d2=$("$zgc" zones "emu:$dir/a.img" | awk -v s="$src" '$6=="swr" && $1!=s{print $1}' | sed -n 2p)
for z in $d1 $d2; do "$zgc" reset "emu:$dir/a.img" --zone "$z" >/dev/null; done
a=$(printf '0x%x' $((src * 0x100000))); b=$(printf '0x%x' $((src * 0x100000 + 0x10000)))
check copy 0 "verified: every copied byte" -- "$zgc" copy "emu:$dir/a.img" --src "$a:64K,$b:8K" --dst-zone "$d1" --verify
check copy-rw 0 "rw +73728 bytes" -- "$zgc" copy "emu:$dir/a.img" --src "$a:64K,$b:8K" --dst-zone "$d1" --path rw --verify
check copy-nvme 1 "not_supported: .*copy path nvme is absent" -- "$zgc" copy "emu:$dir/a.img" --src "$a:4K" --dst-zone "$d2" --path nvme
check copy-badpath 1 "is not one of" -- "$zgc" copy "emu:$dir/a.img" --src "$a:4K" --dst-zone "$d2" --path magic
check copy-badsrc 1 "not OFFSET:LENGTH" -- "$zgc" copy "emu:$dir/a.img" --src 4096 --dst-zone "$d2"
check copy-unaligned 1 "invalid_argument: .*not aligned" -- "$zgc" copy "emu:$dir/a.img" --src 0:100 --dst-zone "$d2"
check copy-full 1 "zone $src is fu" -- "$zgc" copy "emu:$dir/a.img" --src "$a:4K" --dst-zone "$src"
check copy-conv 1 "zone_state" -- "$zgc" copy "emu:$dir/a.img" --src "$a:4K" --dst-zone 0
printf 'corrupt' | dd of="$dir/a.img" bs=1 seek=16 conv=notrunc status=none
sum=$(md5sum < "$dir/a.img")
check corrupt 1 "corruption: .*header checksum" -- "$zgc" zones "emu:$dir/a.img"
[ "$(md5sum < "$dir/a.img")" = "$sum" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL corrupt file was modified"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
