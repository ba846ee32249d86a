#!/bin/sh
# seam.sh: the platform seam (include/osdep.h, docs/architecture.md) stays
# the only place the code differs per OS:
#   - no OS conditional (_WIN32, __linux__, __APPLE__, the BSDs', ...) in
#     src, ui or include outside src/platform/ (where compat/ lives too): a
#     core file that needs one calls an osdep_* function instead;
#   - every function include/osdep.h declares is defined by each platform
#     (src/platform/linux, unknown and windows; the first two with the
#     POSIX pieces they share in src/platform/posix/, which the Makefile
#     builds for every platform but Windows), so no OS build lacks one.
# Each failure lists the offending lines or functions. Exit 0 pass, 1 fail.
cd "$(dirname "$0")/../.." || exit 1
OS_MACROS='_WIN32|_WIN64|__linux__|__linux|__gnu_linux__|__APPLE__|__MACH__|__FreeBSD__|__OpenBSD__|__NetBSD__|__DragonFly__|__sun|__CYGWIN__|__MINGW32__|__MINGW64__|_MSC_VER|__unix__|__ANDROID__'
fails=0

hits=$(grep -rnE "$OS_MACROS" src ui include | grep -v '^src/platform/')
if [ -n "$hits" ]; then
    echo "not ok - OS conditionals outside src/platform/ (use include/osdep.h):"
    printf '%s\n' "$hits" | sed 's/^/    /'
    fails=$((fails + 1))
else
    echo "ok - no OS conditional in src, ui or include outside src/platform/"
fi

funcs=$(sed -n 's/^[a-z].*[ *]\(osdep_[a-z0-9_]*\)(.*);$/\1/p' include/osdep.h)
if [ -z "$funcs" ]; then
    echo "not ok - no osdep_* function found in include/osdep.h"
    exit 1
fi
for p in linux unknown windows; do
    missing=""
    files="src/platform/$p/*.c"
    [ $p = windows ] || files="$files src/platform/posix/*.c"
    for f in $funcs; do
        # a definition starts a line: "type name(" with no ';' after it
        # shellcheck disable=SC2086 # the globs are meant to expand
        cat $files | grep -Eq "^[a-z].*[ *]$f\([^;]*$" || missing="$missing $f"
    done
    if [ -n "$missing" ]; then
        echo "not ok - src/platform/$p lacks:$missing"
        fails=$((fails + 1))
    else
        echo "ok - src/platform/$p defines the $(echo $funcs | wc -w) osdep_* functions"
    fi
done
[ $fails -eq 0 ]
