#!/bin/sh
# regen.sh: writes the expected output of every test in tests/golden/TESTLIST
# anew from the current binary, as tcpdump's TESTLIST is regenerated: run it
# on purpose after a change of wording or of the report, then read the diff
# (`git diff tests/golden/output`) before committing it.
#   sh tests/golden/regen.sh [NAME...]   (default: every test)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/golden/testlist.sh
n=0
while testlist_next; do
    [ $# -eq 0 ] || case " $* " in *" $name "*) ;; *) continue ;; esac
    testlist_run >"$expected" 2>/dev/null || exit 1
    n=$((n + 1))
done <"$TESTLIST"
echo "regen: $n expected outputs written in $OUTDIR"
