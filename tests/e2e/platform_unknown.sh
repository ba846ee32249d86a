#!/bin/sh
# platform_unknown.sh: builds tshoot and its unit tests for the `unknown`
# platform (src/platform/unknown/, the stub every other OS starts from) into
# build-unknown and runs those unit tests, so the shared code never grows a
# hidden dependency on Linux's platform directory (htop builds its
# `unsupported` platform in CI for the same reason). Unit tests of Linux's
# own code are left out: those that say `platform: linux` in their first
# lines (Linux's parsers, the seccomp sandbox). Exit 0 pass, 1 fail.
cd "$(dirname "$0")/../.." || exit 1
B=build-unknown
units=$(for t in tests/unit/test_*.c; do
    head -5 "$t" | grep -q 'platform: linux' || printf '%s/tests/%s ' "$B" "$(basename "$t" .c)"
done)
# shellcheck disable=SC2086 # one target per word
if ! make --no-print-directory -s PLATFORM=unknown BUILD=$B all $units >$B.log 2>&1; then
    echo "not ok - the unknown platform does not build:"; tail -20 $B.log; exit 1
fi
fails=0
for t in $units; do
    if "$t" >$B.log 2>&1; then echo "ok - $t (unknown platform)"; else echo "not ok - $t (unknown platform):"; tail -20 $B.log; fails=$((fails + 1)); fi
done
out=$($B/tshoot check --json 2>&1)
case $out in
*'"state": "unknown"'*'not implemented on this system'*) echo "ok - the unknown platform's check says what it cannot check" ;;
*) echo "not ok - unknown platform's check: $out"; fails=$((fails + 1)) ;;
esac
rm -f $B.log
[ $fails -eq 0 ]
