#!/bin/sh
# golden_lab.sh: `tshoot analyze --json` on the recorded capture pairs of the
# scenario lab (tests/golden/lab/<fault>.client.pcap and .server.pcap): the
# verdict code of the pair (client first, then server first: the order of
# the arguments must not matter), of each file alone, and the exit status
# (0 for handshake_ok, 1 for a diagnosed problem, as DESIGN.md says), against
# tests/golden/lab/expected.tsv. Every pcap there must be listed, every listed
# fault recorded. No root needed. Exit 0 pass, 1 fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
DIR=tests/golden/lab
[ -x "$TSHOOT" ] || { echo "not ok - no tshoot binary at $TSHOOT"; exit 1; }
FAILS=0
ok() { echo "ok - $1"; }
bad() { echo "not ok - $1"; FAILS=$((FAILS + 1)); }

# analyze NAME WANT FILE...: the verdict code and exit status of analyze --json FILE...
analyze() {
    name=$1 want=$2; shift 2
    json=$("$TSHOOT" analyze --json "$@" 2>&1); rc=$?
    code=$(printf '%s\n' "$json" | sed -n 's/^ *"code": "\([a-z_]*\)".*/\1/p' | head -1)
    st=1; [ "$want" = handshake_ok ] && st=0
    if [ "$code" = "$want" ] && [ "$rc" = "$st" ]; then
        ok "$name: $code"
    else
        bad "$name: got '$code' (exit $rc), expected '$want' (exit $st)$([ -z "$code" ] && printf ': %.200s' "$json")"
    fi
}

listed=""
while IFS="$(printf '\t')" read -r fault pair client server; do
    case $fault in ''|'#'*) continue ;; esac
    listed="$listed $fault"
    c=$DIR/$fault.client.pcap s=$DIR/$fault.server.pcap
    if [ ! -f "$c" ] || [ ! -f "$s" ]; then bad "$fault: $c or $s missing"; continue; fi
    analyze "$fault: client.pcap server.pcap" "$pair" "$c" "$s"
    analyze "$fault: server.pcap client.pcap" "$pair" "$s" "$c"
    analyze "$fault: client.pcap" "$client" "$c"
    analyze "$fault: server.pcap" "$server" "$s"
done <"$DIR/expected.tsv"

for p in "$DIR"/*.pcap; do
    [ -f "$p" ] || continue
    f=$(basename "$p"); f=${f%.client.pcap}; f=${f%.server.pcap}
    case " $listed " in *" $f "*) ;; *) bad "$p is not in expected.tsv" ;; esac
done
[ -n "$listed" ] || bad "no fault in $DIR/expected.tsv"
echo "# golden_lab.sh: $FAILS failed"
[ "$FAILS" -eq 0 ]
