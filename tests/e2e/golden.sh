#!/bin/sh
# golden.sh: runs `tshoot analyze --json` on each row of tests/golden/expected.tsv
# (captures recorded from real traffic by tests/golden/record.sh) and compares
# the verdict code and the flow counts; also the exit status (0 for
# handshake_ok, 1 otherwise). Exit 0 pass, 1 fail, 77 skip.
cd "$(dirname "$0")/../.." || exit 1
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
[ -x "$TSHOOT" ] || { echo "golden: no binary at $TSHOOT: skipped"; exit 77; }
G=tests/golden
[ -f $G/expected.tsv ] || { echo "golden: no $G/expected.tsv: skipped"; exit 77; }
tmp=$(mktemp /tmp/tshoot-golden.XXXXXX)
trap 'rm -f "$tmp"' EXIT INT TERM
fail=0 rows=0
keys="total established synack_no_ack refused unreachable syn_no_synack"

# flows JSON: the top-level "flows" counts, in the order of $keys
flows() {
    awk '/^  "flows": \{/ { on = 1; next } on && /^  \}/ { exit }
         on { gsub(/[",]/, ""); v[$1] = $2 }
         END { print v["total:"], v["established:"], v["synack_no_ack:"], v["refused:"], v["unreachable:"], v["syn_no_synack:"] }' "$1"
}

while IFS='	' read -r files code total est sna ref unr sns; do
    case $files in '#'*|'') continue ;; esac
    rows=$((rows + 1))
    set --
    for f in $files; do set -- "$@" "$G/$f"; done
    "$TSHOOT" analyze --json "$@" >"$tmp" 2>/dev/null
    rc=$?
    got_code=$(grep -m1 '"code": "' "$tmp" | sed 's/.*"code": "\([a-z_]*\)".*/\1/')
    got=$(flows "$tmp")
    want="$total $est $sna $ref $unr $sns"
    if [ "$got_code" != "$code" ] || [ "$got" != "$want" ]; then
        echo "FAIL: $files: want $code [$want], got ${got_code:-nothing} [$got] (exit $rc)"
        fail=1
        continue
    fi
    if [ "$code" = handshake_ok ]; then w=0; else w=1; fi
    [ $rc -eq $w ] || { echo "FAIL: $files: exit $rc, want $w"; fail=1; }
done <$G/expected.tsv
echo "golden: $rows rows, $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
