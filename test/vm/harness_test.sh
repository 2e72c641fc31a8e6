#!/usr/bin/env bash
# The lab harness reports a lab that cannot boot as a skip (77) with its reason,
# never as a pass, and passes a booted guest's failure through as a failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
echo 'exit 0' > "$dir/run.sh"
pass=0 fail=0
expect() {  # expect NAME WANT_EXIT PATTERN -- ENV...
  local name=$1 want=$2 pat=$3; shift 4
  out=$(env -u ZGC_LAB_REQUIRED "$@" bash "$here/lab.sh" "$dir" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -qE -- "$pat" <<<"$out"; then pass=$((pass+1))
  else fail=$((fail+1)); echo "FAIL $name: exit $rc (want $want)"; tail -3 <<<"$out"; fi
}
expect no-qemu 77 "SKIP: /nonexistent/qemu is not available" -- ZGC_LAB_QEMU=/nonexistent/qemu
expect no-boot 77 "SKIP: the guest did not boot" -- ZGC_LAB_QEMU=/bin/false
# A QEMU that stops before booting once, then boots (a stand-in that prints
# what a guest would): the harness tries again and the guest's status comes through.
flaky=$dir/flaky-qemu
cat > "$flaky" <<EOF
#!/bin/sh
n=\$(cat "$dir/boots" 2>/dev/null || echo 0); echo \$((n+1)) > "$dir/boots"
[ "\$n" = 0 ] && { echo "qemu: could not start"; exit 1; }
echo "ZGC-LAB-BOOTED stand-in"; echo "ZGC-LAB-EXIT 5"
EOF
chmod +x "$flaky"
expect retry-once 5 "attempt 1: the guest did not boot" -- ZGC_LAB_QEMU="$flaky"
expect bad-kernel 2 "must be 6.1 or 6.12" -- ZGC_LAB_KERNEL=5.10
# Where the lab is required (CI), a lab that cannot boot fails instead of skipping.
expect required-no-qemu 1 "ZGC_LAB_REQUIRED=1 and the lab cannot run" -- ZGC_LAB_REQUIRED=1 ZGC_LAB_QEMU=/nonexistent/qemu
expect required-no-boot 1 "ZGC_LAB_REQUIRED=1 and the lab cannot run" -- ZGC_LAB_REQUIRED=1 ZGC_LAB_QEMU=/bin/false
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
