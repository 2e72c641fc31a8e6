#!/usr/bin/env bash
# zgc's lab: boots a Debian kernel under QEMU (TCG) with real zoned block devices
# and runs DIR/run.sh inside; exits with run.sh's status.
#
# Guest devices:
#   /dev/nvme0n1  ZNS namespace (nsid 1): 4 KiB LBAs, 64 MiB zones, 60 MiB capacity,
#                 max open/active 14, NVMe Simple Copy (QEMU defaults MSSRL=MCL=128, MSRC=127)
#   /dev/nvme0n2  ZNS namespace (nsid 2): 512 B LBAs, 32 MiB zones, capacity = size, no limits
#   /dev/nullb0   null_blk zoned: 512 B sectors, 64 MiB zones, 16 zones, max open 8 / active 12
#   /dev/sda      scsi_debug host-managed ZBC (SMR path): 4 KiB sectors, 32 MiB zones,
#                 2 conventional zones, max open 8
#   /dev/ram0     brd RAM disk: a block device that is not zoned
#   /dev/ng0n1, /dev/ng0n2  NVMe generic char devices (passthrough)
#
# Environment: ZGC_LAB_KERNEL=6.1|6.12 (default 6.1), ZGC_LAB_MODULES (extra modules),
# ZGC_LAB_CACHE (default ~/.cache/zgc-lab), ZGC_LAB_TIMEOUT seconds (default 900),
# ZGC_LAB_MEM MiB (default 2048), ZGC_LAB_QEMU (the QEMU binary, default
# qemu-system-x86_64; the harness's own test points it at one that cannot boot).
# Exit: run.sh's status; 77 when the lab cannot be set up or the guest never booted
# (the reason is printed: callers report a skip); 124 on timeout; 99 when the guest
# booted but no status came back (a crash: a failure, not a skip). With
# ZGC_LAB_REQUIRED=1 (CI) a lab that cannot be set up or boot exits 1: there
# the lab must run, and a skip would hide that it did not.
set -uo pipefail
dir=$(cd "${1:?usage: lab.sh DIR-with-run.sh}" && pwd) || exit 2
skip() {
  echo "zgc-lab: SKIP: $*" >&2
  if [ "${ZGC_LAB_REQUIRED:-0}" = 1 ]; then
    echo "zgc-lab: FAIL: ZGC_LAB_REQUIRED=1 and the lab cannot run" >&2
    exit 1
  fi
  exit 77
}
cache=${ZGC_LAB_CACHE:-$HOME/.cache/zgc-lab}
kernel=${ZGC_LAB_KERNEL:-6.1}
case "$kernel" in
  6.1) meta=linux-image-amd64 ;;
  6.12) meta=linux-image-6.12-amd64 ;;
  *) echo "zgc-lab: ZGC_LAB_KERNEL must be 6.1 or 6.12" >&2; exit 2 ;;
esac
kroot=$cache/kroot-$kernel
mkdir -p "$cache" || skip "cannot create cache folder $cache"

# Host tools: installed from Debian when missing.
need=()
for t in qemu-system-x86_64:qemu-system-x86 modprobe:kmod depmod:kmod cpio:cpio xz:xz-utils; do
  command -v "${t%%:*}" >/dev/null || need+=("${t##*:}")
done
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx insmod || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"; } \
    >/dev/null 2>&1 || skip "cannot install ${need[*]}"
fi
qemu=${ZGC_LAB_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || skip "$qemu is not available"

# The kernel: Debian's package, extracted once into the cache (never into the repo).
(
  flock 9
  if [ ! -d "$kroot/boot" ]; then
    pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
    [ -n "$pkg" ] || exit 1
    tmp=$(mktemp -d "$cache/dl.XXXXXX")
    (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1 && dpkg-deb -x "$pkg"_*.deb "$tmp/root") || { rm -rf "$tmp"; exit 1; }
    mv "$tmp/root" "$kroot" && rm -rf "$tmp"
  fi
  kv=$(ls "$kroot/lib/modules" | head -1)
  [ -f "$kroot/lib/modules/$kv/modules.dep" ] || depmod -b "$kroot" "$kv"
) 9>"$cache/.lock" || skip "cannot fetch Debian's $meta kernel package"
kver=$(ls "$kroot/lib/modules" | head -1)

work=$(mktemp -d)
cleanup() {
  [ -s "$work/qemu.pid" ] && kill "$(cat "$work/qemu.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,mods,lab,mnt}
cp /bin/busybox "$root/bin/"

# Modules with their dependencies, in load order, as plain .ko (busybox insmod reads no .xz).
: > "$root/mods/order"
for m in nvme null_blk sd_mod scsi_debug brd ${ZGC_LAB_MODULES:-}; do
  modprobe -d "$kroot" -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}' \
    || { echo "zgc-lab: no module $m in $kver" >&2; exit 3; }
done | awk '!seen[$0]++' | while read -r p; do
  n=$(basename "$p"); n=${n%.xz}; n=${n%.zst}; n=${n%.ko}
  case "$p" in *.xz) xz -dc "$p" > "$root/mods/$n.ko" ;; *) cp "$p" "$root/mods/$n.ko" ;; esac
  echo "$n" >> "$root/mods/order"
done
[ "${PIPESTATUS[0]}" = 0 ] || exit 3

# The payload and the shared libraries of every dynamic ELF file in it.
cp -a "$dir/." "$root/lab/"
find "$root/lab" -type f -perm -u+x | while read -r f; do
  [ "$(head -c 4 "$f" | tail -c 3)" = "ELF" ] || continue
  { ldd "$f" 2>/dev/null || true; } | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")" && cp -Ln "$lib" "$root$lib"
  done
done

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp
echo "ZGC-LAB-BOOTED $(uname -r)"
while read -r m; do
  case $m in
    null_blk) insmod /mods/$m.ko zoned=1 nr_devices=1 zone_size=64 gb=1 memory_backed=1 zone_max_open=8 zone_max_active=12 ;;
    scsi_debug) insmod /mods/$m.ko zbc=managed zone_size_mb=32 zone_nr_conv=2 dev_size_mb=512 sector_size=4096 zone_max_open=8 ;;
    brd) insmod /mods/$m.ko rd_nr=1 rd_size=65536 ;;
    *) insmod /mods/$m.ko 2>/dev/null || echo "zgc-lab: insmod $m failed" ;;
  esac
done < /mods/order
settle() { for i in $(seq 1 40); do
  [ -b /dev/nvme0n1 ] && [ -b /dev/nvme0n2 ] && [ -b /dev/sda ] && [ -b /dev/nullb0 ] && return 0; sleep 0.25; done; }
settle
# Linux 6.12 probes namespaces in parallel and may name nsid 2 nvme0n1: rebind until names follow nsids.
for try in 1 2 3 4 5 6 7 8 9 10; do
  [ "$(cat /sys/block/nvme0n1/nsid 2>/dev/null)" = 1 ] && break
  pci=$(basename "$(readlink /sys/class/nvme/nvme0/device)")
  echo "zgc-lab: nvme0n1 is not nsid 1, rebinding $pci"
  echo "$pci" > /sys/bus/pci/drivers/nvme/unbind; echo "$pci" > /sys/bus/pci/drivers/nvme/bind; settle
done
cd /lab && sh ./run.sh; echo "ZGC-LAB-EXIT $?"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$work/initrd.gz")
truncate -s 1G "$work/zns1.img"
truncate -s 512M "$work/zns2.img"

boot() {
  timeout "${ZGC_LAB_TIMEOUT:-900}" "$qemu" -accel tcg -cpu max -m "${ZGC_LAB_MEM:-2048}" -smp 2 \
    -nographic -no-reboot -pidfile "$work/qemu.pid" \
    -kernel "$kroot/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
    -drive file="$work/zns1.img",id=zns1,format=raw,if=none \
    -drive file="$work/zns2.img",id=zns2,format=raw,if=none \
    -device nvme,id=nvme0,serial=zgclab0 \
    -device nvme-ns,drive=zns1,bus=nvme0,nsid=1,logical_block_size=4096,physical_block_size=4096,zoned=true,zoned.zone_size=64M,zoned.zone_capacity=60M,zoned.max_open=14,zoned.max_active=14 \
    -device nvme-ns,drive=zns2,bus=nvme0,nsid=2,logical_block_size=512,physical_block_size=512,zoned=true,zoned.zone_size=32M,zoned.zone_capacity=32M \
    </dev/null 2>&1 | tee "$work/console.log" &
  wait $!
  qrc=${PIPESTATUS[0]}
}
# A guest that never booted is tried once more before the test is skipped: in
# one full lab run on a loaded 2-core host a test was skipped that way (cause
# not captured; QEMU's output is printed now) and passed when run again.
for attempt in 1 2; do
  rm -f "$work/qemu.pid"
  boot
  grep -aq 'ZGC-LAB-BOOTED' "$work/console.log" && break
  [ "$qrc" = 124 ] && break
  echo "zgc-lab: attempt $attempt: the guest did not boot (qemu exit $qrc); console:" >&2
  tail -n 20 "$work/console.log" >&2
done
code=$(grep -ao 'ZGC-LAB-EXIT [0-9]*' "$work/console.log" | tail -1 | awk '{print $2}')
[ -n "$code" ] && exit "$code"
grep -aq 'ZGC-LAB-TIMEOUT' "$work/console.log" && exit 124
if ! grep -aq 'ZGC-LAB-BOOTED' "$work/console.log"; then
  skip "the guest did not boot (qemu exit $qrc)"
fi
[ "$qrc" = 124 ] && { echo "zgc-lab: timed out after ${ZGC_LAB_TIMEOUT:-900} s" >&2; exit 124; }
echo "zgc-lab: the guest booted but returned no status (crash?)" >&2
exit 99
