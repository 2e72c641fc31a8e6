# Helpers for guest scripts (busybox sh). Each check prints PASS/FAIL; `finish`
# prints the totals and exits non-zero on any failure.
pass=0; fail=0
ok() { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; }
# has NAME FILE PATTERN: FILE contains a line matching the extended regex PATTERN.
has() { if grep -qE -- "$3" "$2"; then ok "$1"; else bad "$1: no /$3/ in:"; cat "$2"; fi; }
# run NAME WANT_EXIT PATTERN CMD...: exit status and output of a command.
run() {
  name=$1; want=$2; pat=$3; shift 3
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && echo "$out" | grep -qE -- "$pat"; then ok "$name"
  else bad "$name: exit $rc (want $want):"; echo "$out" | head -8; fi
}
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; }
