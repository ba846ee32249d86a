#!/bin/sh
# golden_output.sh: runs every test of tests/golden/TESTLIST (analyze, text and
# JSON, on the golden and lab captures) and compares the whole output and the
# exit status with tests/golden/output/NAME.out; a difference prints as a
# unified diff. tests/golden/regen.sh writes the expected files on purpose.
# Exit 0 pass, 1 fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/golden/testlist.sh
tmp=$(mktemp /tmp/tshoot-golden-out.XXXXXX) || exit 1
trap 'rm -f "$tmp"' EXIT INT TERM
passed=0 failed=0
while testlist_next; do
    testlist_run >"$tmp" 2>/dev/null
    if [ ! -f "$expected" ]; then
        echo "not ok - $name: no $expected (tests/golden/regen.sh $name writes it)"
        failed=$((failed + 1))
    elif diff -u --label "$expected" --label "tshoot $args" "$expected" "$tmp"; then
        passed=$((passed + 1))
    else
        echo "not ok - $name: the output differs (above)"
        failed=$((failed + 1))
    fi
done <"$TESTLIST"
# every expected file belongs to a test of the list
for f in "$OUTDIR"/*.out; do
    [ -f "$f" ] || continue
    grep -q "^$(basename "$f" .out)[[:space:]]" "$TESTLIST" ||
        { echo "not ok - $f: no test of that name in $TESTLIST"; failed=$((failed + 1)); }
done
echo "golden_output: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
