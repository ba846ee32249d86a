#!/bin/sh
# windows_wine.sh: builds the Windows platform layer, the portable core and
# the tests of tests/windows/ with MinGW-w64 (`make windows`), then runs each
# test .exe under Wine in a throw-away prefix. Exits 0 when all pass, 77
# (with "SKIPPED: ...") when the cross compiler or Wine is not installed
# (scripts/deps.sh test installs both on Debian), 1 otherwise.
# Each program prints "NAME: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
WIN_CC=${WIN_CC:-x86_64-w64-mingw32-gcc}
WIN_BUILD=${WIN_BUILD:-build-windows}

if ! command -v "$WIN_CC" >/dev/null 2>&1; then
    echo "SKIPPED: $WIN_CC not installed (Debian: apt-get install gcc-mingw-w64-x86-64)"
    exit 77
fi
WINE=""
for w in wine64 wine /usr/lib/wine/wine64; do
    if command -v "$w" >/dev/null 2>&1; then WINE=$w; break; fi
done
if [ -z "$WINE" ]; then
    echo "SKIPPED: wine not installed (Debian: apt-get install wine wine64)"
    exit 77
fi

make --no-print-directory windows WIN_CC="$WIN_CC" WIN_BUILD="$WIN_BUILD" >"${TMPDIR:-/tmp}/tshoot-windows-make.$$" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    cat "${TMPDIR:-/tmp}/tshoot-windows-make.$$"
    rm -f "${TMPDIR:-/tmp}/tshoot-windows-make.$$"
    echo "windows_wine: make windows failed"
    exit 1
fi
grep -i 'warning' "${TMPDIR:-/tmp}/tshoot-windows-make.$$"
rm -f "${TMPDIR:-/tmp}/tshoot-windows-make.$$"

# A private prefix: created on first use (about 10 s), removed at the end.
WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/tshoot-wine.XXXXXX") || exit 1
export WINEPREFIX WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko install prompts; no display needed for console programs.
export WINEDLLOVERRIDES="mscoree,mshtml="
cleanup() {
    wineserver -k >/dev/null 2>&1 || true
    rm -rf "$WINEPREFIX"
}
trap cleanup EXIT INT TERM

run() { # run SECONDS CMD...: CMD with a time limit when timeout(1) exists
    s=$1; shift
    if command -v timeout >/dev/null 2>&1; then timeout "$s" "$@"; else "$@"; fi
}

echo "windows_wine: $($WINE --version 2>/dev/null), prefix $WINEPREFIX"
run 120 "$WINE" cmd /c exit >/dev/null 2>&1 || echo "windows_wine: note: the prefix did not start cleanly"

failed="" n=0
for t in "$WIN_BUILD"/test_*.exe; do
    [ -f "$t" ] || continue
    n=$((n + 1))
    echo "== $t"
    run 60 "$WINE" "$t" >"$WINEPREFIX/out.txt" 2>&1
    st=$?
    tr -d '\r' <"$WINEPREFIX/out.txt"
    [ "$st" -eq 0 ] || { failed="$failed $(basename "$t")"; echo "FAILED: $t (exit $st)"; }
done
if [ "$n" -eq 0 ]; then
    echo "windows_wine: no test program was built"
    exit 1
fi
if [ -n "$failed" ]; then
    echo "windows_wine: failed:$failed"
    exit 1
fi
echo "windows_wine: $n programs passed under Wine"
