#!/usr/bin/env bash
# Runs one guest script in the lab: lab_test.sh KERNEL BINARY... -- SCRIPT [ARGS...]
# The binaries (and their shared libraries) and test/vm/guest/ are packed into the
# guest; SCRIPT runs there from /lab. Exit: the script's status, or 77 (skip) when
# the lab cannot boot on this machine.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kernel=${1:?usage: lab_test.sh KERNEL BINARY... -- SCRIPT [ARGS...]}; shift
payload=$(mktemp -d); trap 'rm -rf "$payload"' EXIT
while [ $# -gt 0 ] && [ "$1" != "--" ]; do cp "$1" "$payload/"; shift; done
shift
cp -r "$here/guest" "$payload/guest"
printf 'cd /lab && sh guest/%s' "$1" > "$payload/run.sh"; shift
for a in "$@"; do printf " '%s'" "$a" >> "$payload/run.sh"; done
echo "zgc-lab: kernel $kernel: $(tail -c +16 "$payload/run.sh")"
start=$(date +%s)
ZGC_LAB_KERNEL=$kernel bash "$here/lab.sh" "$payload" 2>&1 | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' | grep -av -e '^\s*$' -e 'SeaBIOS' -e 'iPXE' -e 'Press Ctrl-B' -e 'Booting from ROM'
rc=${PIPESTATUS[0]}
echo "zgc-lab: exit $rc after $(( $(date +%s) - start )) s"
exit "$rc"
