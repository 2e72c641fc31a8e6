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
check mkemu 0 "created emu:" -- "$zgc" mkemu "$dir/a.img" --zone-size 1M --zones 16 --conv 1
check info 0 "16 x 1 MiB" -- "$zgc" info "emu:$dir/a.img"
check info-json 0 '"nr_zones": 16' -- "$zgc" info --json "emu:$dir/a.img"
check zones 0 "cnv +nw" -- "$zgc" zones "emu:$dir/a.img"
check zones-json 0 '"cond_name": "em"' -- "$zgc" zones --json "emu:$dir/a.img"
check reset-zone 0 "reset zone 3" -- "$zgc" reset "emu:$dir/a.img" --zone 3
check reset-all 0 "reset all" -- "$zgc" reset "emu:$dir/a.img" --all
check run 0 "zones reset +[1-9]" -- "$zgc" run "emu:$dir/a.img" --passes 4 --block 64K
check run-verified 0 "live data verified .* every block" -- "$zgc" run "emu:$dir/a.img" --workload zipf --quiet
sum=$(md5sum < "$dir/a.img")
check run-workload 2 "invalid_argument: .*workload 'bogus'" -- "$zgc" run "emu:$dir/a.img" --workload bogus
check run-spare 2 "invalid_argument: --spare 1 " -- "$zgc" run "emu:$dir/a.img" --spare 1
check run-spare0 2 "invalid_argument: --spare 0 " -- "$zgc" run "emu:$dir/a.img" --spare 0
check run-nan 2 "passes nan is not" -- "$zgc" run "emu:$dir/a.img" --passes nan
check run-inf 2 "passes inf is not" -- "$zgc" run "emu:$dir/a.img" --passes inf
check run-block-bogus 2 "'bogus' is not a size" -- "$zgc" run "emu:$dir/a.img" --block bogus
check run-block-zero 2 "block 0 is not a multiple of 4 KiB" -- "$zgc" run "emu:$dir/a.img" --block 0
check run-block-one 2 "block 1 is not a multiple of 4 KiB" -- "$zgc" run "emu:$dir/a.img" --block 1
check run-block-3k 2 "block 3K is not a multiple of 4 KiB" -- "$zgc" run "emu:$dir/a.img" --block 3K
check run-block-neg 2 "'-4K' is not a size" -- "$zgc" run "emu:$dir/a.img" --block=-4K
check run-block-huge 2 "too large" -- "$zgc" run "emu:$dir/a.img" --block 99999999999T
# Options the device cannot take are usage errors too (exit 2), refused
# before anything is written (regression: --spare 0.99 formatted the device,
# then found no unit to write, and exited 1).
check run-noroom 2 "invalid_argument: .*no room for a volume" -- "$zgc" run "emu:$dir/a.img" --spare 0.9999 --block 1M
check run-spare99 2 "invalid_argument: emu:[^ ]*: --spare 0.99 leaves a volume of [0-9]+ KiB, less than one write unit of 256 KiB" -- "$zgc" run "emu:$dir/a.img" --spare 0.99
[ "$(md5sum < "$dir/a.img")" = "$sum" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL a refused run changed the device"; }
check run-tiny 2 "invalid_argument: .*(zones are too few for a log of 4 zones and GC|past the device)" -- "$zgc" run "mem:?zone_size=1M&zones=4"
# Refused before the device is created or erased (regressions: each of these
# erased the device first, then failed or never ended).
for b in bogus 0 3K; do
  check "run-create-$b" 2 "block" -- "$zgc" run "emu:$dir/c.img?create=1&zone_size=1M&zones=8" --block "$b"
done
[ ! -e "$dir/c.img" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL a refused run created its device"; }
"$zgc" mkemu "$dir/z6.img" --zone-size 1M --zones 6 >/dev/null
"$zgc" mkemu "$dir/z1.img" --zone-size 1M --zones 16 --max-open 1 --max-active 1 >/dev/null
for f in z6 z1; do "$zgc" run "emu:$dir/$f.img" --passes 1 --spare 0.5 --quiet >/dev/null 2>&1; done  # data to lose (z1 refuses)
sum6=$(md5sum < "$dir/z6.img"); sum1=$(md5sum < "$dir/z1.img")
check run-6zones 2 "2 zones are too few for a GC reserve of 2 .after the volume.s 4 log zones." -- "$zgc" run "emu:$dir/z6.img" --passes 2 --block 64K
check run-1active 2 "open/active zones? and the GC engine needs 2" -- "$zgc" run "emu:$dir/z1.img"
[ "$(md5sum < "$dir/z6.img")" = "$sum6" ] && [ "$(md5sum < "$dir/z1.img")" = "$sum1" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL a refused run erased its device"; }
# A --block the device's logical block does not divide is a usage error
# (regression: exit 1).
check run-lbs-block 2 "invalid_argument: --block 4K is not a multiple of the 65536-byte logical block" -- "$zgc" run "mem:?lbs=65536&zone_size=1M&zones=24" --block 4K
check run-lbs 2 "invalid_argument: .*logical block size that divides 4096, not 65536" -- "$zgc" run "mem:?lbs=65536&zone_size=1M&zones=24" --block 64K
# Each prefix once (regression: "...: the volume's metadata log: metadata log: 4 zones ...").
check run-log-prefix 2 "^zgc: invalid_argument: mem:\?zone_size=1M&zones=3: metadata log: 4 zones from zone 0 are past the device's 3" -- "$zgc" run "mem:?zone_size=1M&zones=3"
# Zones that hold far less than their size: the volume (and its log) is sized
# from their capacity (regression: refused, a log of 46 zones for a map of
# the 1.25 GiB address space).
check run-small-cap 0 "live data verified" -- "$zgc" run "mem:?zone_size=32M&zone_cap=64K&zones=40" --passes 2 --block 64K --quiet
check run-crash 0 "cuts: 5, acknowledged blocks lost: 0" -- "$zgc" run "mem:?zone_size=1M&zones=24" --passes 2 --crash 5 --block 64K --quiet
check fsck 0 "consistent" -- "$zgc" fsck "emu:$dir/a.img"
# fsck never writes: four runs leave the image byte-identical (regression:
# the fourth fsck of a clean image collected a zone and rolled the log).
sum=$(md5sum < "$dir/a.img")
for i in 1 2 3 4; do "$zgc" fsck "emu:$dir/a.img" >/dev/null; done
[ "$(md5sum < "$dir/a.img")" = "$sum" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL fsck wrote to the device"; }
check fsck-json 0 '"ok": true, .*"log_zones": 4' -- "$zgc" fsck --json "emu:$dir/a.img"
# One flipped bit of byte 17 of each written log zone's header (regression:
# in the newest zone it made fsck report an empty volume, and the next open
# reset every data zone): refused by name, nothing written.
cp "$dir/a.img" "$dir/h.img"
hsum=$(md5sum < "$dir/h.img")
refused=0
for z in 2 3 4; do
  python3 - "$dir/h.img" "$z" flip <<'PY'
import struct, sys
p, z = sys.argv[1], int(sys.argv[2])
with open(p, 'r+b') as f:
    data_offset = struct.unpack_from('<Q', f.read(4096), 80)[0]
    f.seek(data_offset + z * (1 << 20) + 17); b = f.read(1)
    f.seek(data_offset + z * (1 << 20) + 17); f.write(bytes([b[0] ^ 0x08]))
PY
  out=$("$zgc" fsck "emu:$dir/h.img" 2>&1); rc=$?
  if [ $rc -eq 1 ] && grep -q "corruption: .*zone header at 0x$(printf %x $((z * 0x100000)))" <<<"$out"; then refused=$((refused+1))
  elif [ $rc -eq 1 ] || grep -q "consistent" <<<"$out"; then :  # an empty zone: nothing to damage
  else echo "FAIL fsck of a flipped header: $out"; fail=$((fail+1)); fi
  python3 - "$dir/h.img" "$z" flip <<'PY'
import struct, sys
p, z = sys.argv[1], int(sys.argv[2])
with open(p, 'r+b') as f:
    data_offset = struct.unpack_from('<Q', f.read(4096), 80)[0]
    f.seek(data_offset + z * (1 << 20) + 17); b = f.read(1)
    f.seek(data_offset + z * (1 << 20) + 17); f.write(bytes([b[0] ^ 0x08]))
PY
done
[ "$refused" -ge 1 ] && [ "$(md5sum < "$dir/h.img")" = "$hsum" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL flipped headers: $refused refused, or the image changed"; }
# Each zone reset by hand (regression: a reset of the zone holding the only
# checkpoint opened as a fresh volume, whose next open reset every data zone):
# fsck refuses by name or finds the volume whole; never fewer blocks mapped.
whole=$("$zgc" fsck "emu:$dir/a.img" | grep -o "[0-9]* blocks mapped")
resets=0
for z in $(seq 1 15); do
  cp "$dir/a.img" "$dir/r.img"
  "$zgc" reset "emu:$dir/r.img" --zone "$z" >/dev/null
  out=$("$zgc" fsck "emu:$dir/r.img" 2>&1); rc=$?
  if [ $rc -eq 1 ] && grep -q "corruption: .*0x" <<<"$out"; then resets=$((resets+1))
  elif [ $rc -eq 0 ] && grep -q "$whole" <<<"$out"; then :  # an empty or garbage zone
  else echo "FAIL fsck after a reset of zone $z: $out"; fail=$((fail+1)); fi
done
grep -q "no complete checkpoint" <<<"$(for z in 2 3 4; do cp "$dir/a.img" "$dir/r.img"; "$zgc" reset "emu:$dir/r.img" --zone $z >/dev/null; "$zgc" fsck "emu:$dir/r.img" 2>&1; done)" \
  && [ "$resets" -ge 8 ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL reset zones: $resets refused"; }
rm -f "$dir/r.img"
# The geometries the persistence second pass fixed, each a full run.
check run-512-ragged 0 "live data verified" -- "$zgc" run "mem:?lbs=512&zone_size=1M&zone_cap=1047552&zones=24" --passes 2 --quiet
check run-active3 0 "cuts: 6, acknowledged blocks lost: 0" -- "$zgc" run "mem:?lbs=512&zone_size=1M&zone_cap=1047552&zones=24&max_open=3&max_active=3" --passes 2 --crash 6 --quiet
check run-active4 0 "live data verified" -- "$zgc" run "mem:?zone_size=1M&zones=24&max_open=4&max_active=4" --passes 2 --quiet
check run-bigmap 0 "live data verified" -- "$zgc" run "mem:?zone_size=256K&zones=4096&max_open=14&max_active=14" --passes 1.2 --block 4K --quiet
check run-crash-many 0 "cuts: 12, acknowledged blocks lost: 0" -- "$zgc" run "mem:?zone_size=1M&zones=24" --passes 3 --crash 12 --block 64K --quiet
check fsck-blank 1 "corruption: .*superblock" -- "$zgc" fsck "emu:$dir/z1.img"
check run-crash-zbd 1 "crash cuts power on emu: or mem:" -- "$zgc" run "zbd:/dev/null" --crash 2 --force
check run-crash-bad 2 "crash -1 is not" -- "$zgc" run "mem:?zone_size=1M&zones=24" --crash=-1
check run-nodata 1 "not_supported: .*keeps no data" -- "$zgc" run "mem:?zone_size=4M&zones=16&data=0"
check version 0 "^zgc [0-9]+\.[0-9]+\.[0-9]+" -- "$zgc" --version
check unknown-command 2 "'bogus' is not a zgc command; commands: info, zones" -- "$zgc" bogus
check info-small 0 "64 x 8 KiB \(capacity 8 KiB\)" -- "$zgc" info "mem:?zone_size=8K&zones=64"
check info-cap 0 "capacity: +26 MiB usable \(32 MiB of address space\)" -- "$zgc" info "mem:?zone_size=2M&zone_cap=1664K&zones=16"
# mkemu: the path and the sizes are values, never URI text.
check mkemu-inject 2 "zone-size: '4M&family=nullblk' is not a size" -- "$zgc" mkemu "$dir/i.img" --zone-size '4M&family=nullblk' --zones 8
[ ! -e "$dir/i.img" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL mkemu took URI text from a size"; }
check mkemu-qmark 0 "created emu:$dir/q\?x=1.img" -- "$zgc" mkemu "$dir/q?x=1.img" --zone-size 1M --zones 8
[ -e "$dir/q?x=1.img" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL mkemu with ? in the path"; }
check mkemu-amp 0 "created emu:$dir/a&family=zbc.img .*zns family" -- "$zgc" mkemu "$dir/a&family=zbc.img" --zone-size 1M --zones 8
check mkemu-family 0 "zbc family" -- "$zgc" mkemu "$dir/f.img" --zone-size 1M --zones 8 --family zbc
check info-family 0 "family zbc" -- "$zgc" info "emu:$dir/f.img"
check mkemu-badfamily 2 "family bogus is not" -- "$zgc" mkemu "$dir/g.img" --zone-size 1M --zones 8 --family bogus
# A header re-signed with family 9 or 257 (which narrows to 1, zns) is corrupt:
# the whole 32-bit value is validated.
for fam in 9 257; do
  cp "$dir/f.img" "$dir/f$fam.img"
  python3 - "$dir/f$fam.img" "$fam" <<'PY'
import struct, sys
p, fam = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read(4096))
def crc32c(data):
    crc = 0xffffffff
    for x in data:
        crc ^= x
        for _ in range(8): crc = (crc >> 1) ^ (0x82f63b78 & -(crc & 1))
    return crc ^ 0xffffffff
struct.pack_into('<I', b, 88, fam)
struct.pack_into('<I', b, 4092, crc32c(bytes(b[:4092])))
open(p, 'r+b').write(bytes(b))
PY
  check "family$fam" 1 "corruption: .*family $fam is not" -- "$zgc" info "emu:$dir/f$fam.img"
done
sum=$(md5sum < "$dir/a.img")
check mkemu-exists 2 "already exists" -- "$zgc" mkemu "$dir/a.img" --zone-size 1M --zones 8
[ "$(md5sum < "$dir/a.img")" = "$sum" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL mkemu changed an existing file"; }
check reset-range 1 "out_of_range: .*no zone 16" -- "$zgc" reset "emu:$dir/a.img" --zone 16
check reset-both 2 "exactly one" -- "$zgc" reset "emu:$dir/a.img" --all --zone 1
check reset-neither 2 "exactly one" -- "$zgc" reset "emu:$dir/a.img"
check reset-huge 2 "zone '99999999999999999999' is not a zone index .*too large" -- "$zgc" reset "emu:$dir/a.img" --zone 99999999999999999999
check reset-neg 2 "zone '-1' is not a zone index" -- "$zgc" reset "emu:$dir/a.img" --zone=-1
check reset-conv 1 "zone_state: .*conventional" -- "$zgc" reset "emu:$dir/a.img" --zone 0
check missing 1 "not_found: .*no such file" -- "$zgc" info "emu:$dir/none.img"
[ ! -e "$dir/none.img" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL info created a file"; }
check scheme 2 "unknown scheme" -- "$zgc" info "nvme:/dev/x"
check noscheme 2 "has no scheme" -- "$zgc" info "/dev/nvme0n1"
check param 2 "unknown parameter 'zone_sise'" -- "$zgc" info "mem:?zone_sise=1M"
check zero-zone 2 "zone_size" -- "$zgc" mkemu "$dir/b.img" --zone-size 0
check odd-zone 2 "power of two" -- "$zgc" mkemu "$dir/b.img" --zone-size 3M
check absurd 2 "absurd|exceeds" -- "$zgc" mkemu "$dir/b.img" --zone-size 64G --zones 4000000
[ ! -e "$dir/b.img" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL bad mkemu left a file"; }
check notzoned 1 "not_supported: .*not a block device" -- "$zgc" info "zbd:$dir/a.img"
check run-zbd-guard 2 "add --force" -- "$zgc" run "zbd:/dev/null"
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
check copy-badpath 2 "is not one of" -- "$zgc" copy "emu:$dir/a.img" --src "$a:4K" --dst-zone "$d2" --path magic
check copy-badsrc 2 "not OFFSET:LENGTH" -- "$zgc" copy "emu:$dir/a.img" --src 4096 --dst-zone "$d2"
check copy-unaligned 2 "invalid_argument: .*not aligned" -- "$zgc" copy "emu:$dir/a.img" --src 0:100 --dst-zone "$d2"
check copy-huge 1 "out_of_range: --src 0x400000:0x10000000000 ends past the device end" -- "$zgc" copy "emu:$dir/a.img" --src 0x400000:1T --dst-zone "$d2" --verify
check copy-toolong 1 "no_space: .* do not fit" -- "$zgc" copy "emu:$dir/a.img" --src "$a:2M" --dst-zone "$d2" --verify
check copy-bigzone 2 "dst-zone '99999999999999999999' is not a zone index" -- "$zgc" copy "emu:$dir/a.img" --src "$a:4K" --dst-zone 99999999999999999999
check copy-full 1 "zone $src is fu" -- "$zgc" copy "emu:$dir/a.img" --src "$a:4K" --dst-zone "$src"
check copy-conv 1 "zone_state" -- "$zgc" copy "emu:$dir/a.img" --src "$a:4K" --dst-zone 0
printf 'corrupt' | dd of="$dir/a.img" bs=1 seek=16 conv=notrunc status=none
sum=$(md5sum < "$dir/a.img")
check corrupt 1 "corruption: .*header checksum" -- "$zgc" zones "emu:$dir/a.img"
[ "$(md5sum < "$dir/a.img")" = "$sum" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL corrupt file was modified"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
