#!/bin/sh
# sanitizers.sh: the whole unit suite (every tests/unit/test_*.c) under
# AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer included),
# built with clang into $ASAN_BUILD (default build-asan), then once under
# valgrind from the normal build ($BUILD, default build) with no definite or
# indirect leak and no memory error. Any finding fails and names the program;
# its log is printed. Parts whose tool is missing are skipped with a message
# (exit 77 when nothing failed but something was skipped).
#
# The Makefile passes CFLAGS to the link line of the test programs (it has no
# LDFLAGS), so the sanitizer flags go in CFLAGS. CI is cleared for this build
# only: -Werror belongs to the gcc build, clang may warn differently.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
JOBS=${JOBS:-2}
SAN_FLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"

names=""
for src in tests/unit/test_*.c; do
    [ -f "$src" ] || continue
    names="$names $(basename "$src" .c)"
done
if [ -z "$names" ]; then
    echo "SKIPPED: sanitizers: no unit tests in tests/unit"
    exit 77
fi

start=$(date +%s)
logdir=$(mktemp -d) || exit 1
trap 'rm -rf "$logdir"' EXIT
failed="" skipped=""

# run_one LABEL LOG COMMAND...: runs COMMAND, records LABEL as failed on a non-zero exit.
run_one() {
    label=$1 log=$2
    shift 2
    if "$@" >"$log" 2>&1; then
        echo "ok: $label"
    else
        rc=$?
        echo "FAILED: $label (exit $rc); last lines of its output:"
        grep -a -E -A30 '^==[0-9]+==ERROR|runtime error|definitely lost|indirectly lost|Invalid (read|write)|uninitialised|^\[  FAILED|^SUMMARY' "$log" | head -60
        tail -n 5 "$log"
        failed="$failed $label"
    fi
}

# ---- ASan + UBSan -----------------------------------------------------------
if ! command -v clang >/dev/null 2>&1; then
    skipped="$skipped asan(no-clang)"
    echo "SKIPPED: sanitizers: clang is not installed (the ASan/UBSan part)"
elif ! printf 'int main(void){return 0;}\n' >"$logdir/p.c" ||
     ! clang -fsanitize=address,undefined -o "$logdir/p" "$logdir/p.c" >/dev/null 2>&1; then
    skipped="$skipped asan(no-runtime)"
    echo "SKIPPED: sanitizers: clang cannot link ASan/UBSan (install libclang-rt-dev)"
else
    bins=""
    for n in $names; do bins="$bins $ASAN_BUILD/tests/$n"; done
    echo "sanitizers: building the unit suite with clang ASan+UBSan into $ASAN_BUILD"
    # shellcheck disable=SC2086
    if ! make --no-print-directory -j"$JOBS" BUILD="$ASAN_BUILD" CC=clang CI= \
            CFLAGS="$SAN_FLAGS" $bins >"$logdir/build.log" 2>&1; then
        echo "FAILED: sanitizers: the ASan build failed:"
        grep -E 'error|Error' "$logdir/build.log" | head -20
        exit 1
    fi
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export ASAN_OPTIONS UBSAN_OPTIONS
    echo "sanitizers: running the ASan+UBSan programs ($(( $(date +%s) - start )) s so far)"
    for n in $names; do
        run_one "asan $n" "$logdir/asan-$n.log" "$ASAN_BUILD/tests/$n"
    done
    unset ASAN_OPTIONS UBSAN_OPTIONS
fi

# ---- valgrind -----------------------------------------------------------------
if ! command -v valgrind >/dev/null 2>&1; then
    skipped="$skipped valgrind"
    echo "SKIPPED: sanitizers: valgrind is not installed (the leak check part)"
else
    bins=""
    for n in $names; do bins="$bins $BUILD/tests/$n"; done
    # Up to date under `make test` (nothing to do); run alone, not stale.
    # shellcheck disable=SC2086
    if ! make --no-print-directory -j"$JOBS" BUILD="$BUILD" $bins >"$logdir/build2.log" 2>&1; then
        echo "FAILED: sanitizers: the normal build of the unit suite failed:"
        grep -E 'error|Error' "$logdir/build2.log" | head -20
        exit 1
    fi
    echo "sanitizers: valgrind on the unit suite of $BUILD ($(( $(date +%s) - start )) s so far)"
    for n in $names; do
        run_one "valgrind $n" "$logdir/vg-$n.log" valgrind -q --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
            --track-origins=yes "$BUILD/tests/$n"
    done
fi

if [ -n "$failed" ]; then
    echo "sanitizers: failed:$failed"
    exit 1
fi
if [ -n "$skipped" ]; then
    echo "SKIPPED: sanitizers: parts skipped:$skipped (the rest passed)"
    exit 77
fi
echo "sanitizers: every unit program is clean under ASan+UBSan and valgrind ($(( $(date +%s) - start )) s)"
