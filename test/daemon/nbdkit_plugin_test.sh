#!/usr/bin/env bash
# nbdkit-zgc-plugin.so under Debian's nbdkit, driven by libnbd clients
# (nbd_client.py, nbdinfo, nbdcopy): a blank emu: device formatted on first
# start, overwritten several times by one and by four concurrent clients so GC
# runs, every block verified; malformed requests refused while the server
# serves on; multi-conn (a flush on one connection covers another's writes)
# and unflushed writes across a kill -9; SIGTERM closes the volume cleanly
# (zgc fsck); a read-only export never writes; a device holding something
# else is refused untouched, and bad config keys stop nbdkit before it serves.
set -u
plugin=${1:?usage: nbdkit_plugin_test.sh PLUGIN.so ZGC_TOOL}
zgc=${2:?usage: nbdkit_plugin_test.sh PLUGIN.so ZGC_TOOL}
here=$(cd "$(dirname "$0")" && pwd)
client="/usr/bin/python3 $here/nbd_client.py"
command -v nbdkit >/dev/null || { echo "nbdkit is not installed: skipped"; exit 77; }
/usr/bin/python3 -c 'import nbd' 2>/dev/null || { echo "python3-libnbd is not installed: skipped"; exit 77; }
dir=$(mktemp -d); pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
sock=$dir/nbd.sock state=$dir/state.json img=$dir/d.img log=$dir/nbdkit.log
pass=0 fail=0
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -f "$log" ] && tail -5 "$log"; }
step() { local name=$1; shift; if "$@" >"$dir/out" 2>&1; then ok "$name: $(tail -1 "$dir/out")"; else bad "$name"; cat "$dir/out"; fi; }

start() {  # start URI [KEY=VALUE...]: nbdkit in the foreground, up when it answers
  rm -f "$sock"
  nbdkit -f -U "$sock" "$plugin" "uri=$1" "${@:2}" 2>>"$log" &
  pid=$!
  # The socket exists before the plugin opens the volume (after_fork): the
  # server is up when a client gets an answer.
  for _ in $(seq 1 400); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; pid=; return 1; }
    [ -S "$sock" ] && nbdinfo --size "nbd+unix:///?socket=$sock" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}
stop() {  # SIGTERM: the plugin flushes, checkpoints and closes the volume
  kill -TERM "$pid"; wait "$pid"; local rc=$?; pid=; return $rc
}
crash() { kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=; }

uri="emu:$img?create=1&zone_size=2M&zones=40"
start "$uri" && ok "a blank device is formatted on first start" || bad "start on a blank device"
grep -q "formatted" "$log" && ok "the log says it formatted" || bad "no 'formatted' in the log"
step "nbdinfo-like checks (block sizes, multi-conn, FUA, trim, zero)" $client "$sock" info
nbdinfo "nbd+unix:///?socket=$sock" >"$dir/info" 2>&1 && grep -q "can_multi_conn: true" "$dir/info" \
  && ok "nbdinfo: can_multi_conn true" || bad "nbdinfo"
# nbdcopy through the protocol: a file in, back out, compared.
head -c 4194304 /dev/urandom >"$dir/rand"
nbdcopy "$dir/rand" "nbd+unix:///?socket=$sock" 2>>"$log" && \
  nbdcopy "nbd+unix:///?socket=$sock" - 2>>"$log" | head -c 4194304 | cmp -s - "$dir/rand" \
  && ok "nbdcopy in and out, identical" || bad "nbdcopy round trip"
step "2 passes by one client" $client "$sock" write "$state" 2 1
step "verify" $client "$sock" verify "$state"
step "4 concurrent clients on disjoint ranges, 2 passes" $client "$sock" write "$state" 2 100 4
step "verify after concurrent writers" $client "$sock" verify "$state"
step "malformed requests" $client "$sock" bad
step "SIGTERM closes the volume" stop
grep -qE "zones reset [1-9]" "$log" && ok "GC reset zones: $(grep -oE 'zones reset [0-9]+' "$log" | tail -1)" \
  || bad "GC never reset a zone"
uri="emu:$img"
"$zgc" fsck "$uri" >"$dir/fsck" 2>&1 && ok "zgc fsck after SIGTERM" || { bad "zgc fsck"; cat "$dir/fsck"; }

# kill -9 after a flush on another connection (multi-conn), then unflushed writes.
start "$uri" && ok "restart: the volume is opened" || bad "restart"
step "writes on A, flush on B" $client "$sock" multiconn "$state"
crash
start "$uri" || bad "restart after kill -9"
step "after kill -9: B's flush covered A's writes" $client "$sock" verify "$state"
step "unflushed writes" $client "$sock" unflushed "$state" 200
crash
start "$uri" || bad "restart after the second kill -9"
step "after a second kill -9: flushed versions whole, unflushed old or new" $client "$sock" verify "$state"
stop || bad "stop"
rm -f "$state.maybe"

# A read-only export never writes.
sum=$(md5sum <"$img")
start "$uri" readonly=true && ok "read-only start" || bad "read-only start"
step "read-only: reads work, writes refused" $client "$sock" readonly
step "read-only: verify" $client "$sock" verify "$state"
stop || bad "stop read-only"
[ "$(md5sum <"$img")" = "$sum" ] && ok "the read-only export left the device identical" \
  || bad "a read-only export changed the device"

# Refusals: nothing served, nothing written.
"$zgc" mkemu "$dir/other.img" --zone-size 1M --zones 16 --conv 1 >/dev/null
"$zgc" copy "emu:$dir/other.img" --src 0:64K --dst-zone 3 --path rw >/dev/null 2>&1
sum=$(md5sum <"$dir/other.img")
: >"$log"
if start "emu:$dir/other.img"; then bad "a device holding something else was served"; crash
else grep -q "holds no zgc volume" "$log" && ok "a device holding something else is refused: $(grep -o 'holds no zgc volume[^(]*' "$log" | head -1)" \
  || bad "refusal message: $(tail -2 "$log")"; fi
[ "$(md5sum <"$dir/other.img")" = "$sum" ] && ok "the refused device is untouched" || bad "the refused device changed"
for kv in "spare=1" "spare=bogus" "format=maybe" "policy=fastest" "rate=-1" "readonly=perhaps" "colour=blue"; do
  : >"$log"
  if start "$uri" "$kv"; then bad "config $kv was accepted"; crash
  else grep -q "zgc: " "$log" && ok "config $kv refused: $(grep -o 'zgc: .*' "$log" | head -1 | cut -c1-90)" \
    || bad "config $kv: no message"; fi
done
: >"$log"
if nbdkit -f -U "$sock" "$plugin" 2>>"$log"; then bad "no uri accepted"; else grep -q "no uri" "$log" \
  && ok "no uri= refused" || bad "no uri message"; fi

echo "nbdkit plugin: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
