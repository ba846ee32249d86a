#!/bin/sh
# Runs every test: the cmocka programs in $BUILD/tests, then each script in
# tests/e2e and tests/net; with arguments, only those (test programs or
# scripts). A script exits 0 (passed), 77 (skipped: it prints why) or anything
# else (failed). Prints one closing line and fails if any failed.
BUILD=${BUILD:-build}
export BUILD TSHOOT="$PWD/$BUILD/tshoot"
passed=0 failed=0 skipped=0 failures=""

record() { # record NAME STATUS
    case $2 in
        0) passed=$((passed + 1)) ;;
        77) skipped=$((skipped + 1)); echo "SKIPPED: $1" ;;
        *) failed=$((failed + 1)); failures="$failures $1"; echo "FAILED: $1 (exit $2)" ;;
    esac
}

[ $# -gt 0 ] || set -- "$BUILD"/tests/test_* tests/e2e/*.sh tests/net/*.sh
for t in "$@"; do
    case $t in
    *.sh) [ -f "$t" ] || continue; echo "== $t"; sh "$t"; record "$t" $? ;;
    *) [ -x "$t" ] || continue; echo "== $t"; "$t"; record "$t" $? ;;
    esac
done
[ -n "$failures" ] && echo "failed:$failures"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
