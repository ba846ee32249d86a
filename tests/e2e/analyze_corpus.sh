#!/bin/sh
# analyze_corpus.sh: runs the real binary on every capture under the shared
# corpus (${TSHOOT_CORPUS:-../shared/corpus}, relative to the repository root)
# under valgrind (memcheck, full leak check; ASan builds: set TSHOOT_NO_VALGRIND=1):
#   - no crash, no memory error, no leak, on any file;
#   - files libpcap refuses or cuts (INDEX.tsv: open-error / read-error) and
#     link types tshoot does not decode exit 2 with a one-line reason naming the file;
#   - every other file exits 0 or 1 with nothing on stderr;
#   - the synth-smb445 files (and the synthetic link-type variants) give the
#     verdict their name announces; `-` (standard input) gives the same.
# Exit 0 pass, 1 fail, 77 skip (no corpus, no binary).
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/../.." || exit 1
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
CORPUS=${TSHOOT_CORPUS:-../shared/corpus}
[ -d "$CORPUS" ] || { echo "analyze_corpus: no corpus at $CORPUS (set TSHOOT_CORPUS): skipped"; exit 77; }
[ -x "$TSHOOT" ] || { echo "analyze_corpus: no binary at $TSHOOT: skipped"; exit 77; }
INDEX=$CORPUS/INDEX.tsv

VG=""
if [ -z "${TSHOOT_NO_VALGRIND:-}" ] && command -v valgrind >/dev/null 2>&1; then
    VG="valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible"
    # as root, analyze gives up root and enters its seccomp filter, which
    # valgrind cannot run: run it as nobody, who has nothing to give up
    [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
        VG="setpriv --reuid=65534 --regid=65534 --clear-groups $VG"
fi
# an ASan/UBSan build reports through the same exit status as valgrind
ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99:detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:exitcode=99:print_stacktrace=1}
export TSHOOT CORPUS ASAN_OPTIONS UBSAN_OPTIONS

fail=0

bad() { echo "FAIL: $*"; fail=1; }

# expected_code FILE: the verdict code a synthetic file's name announces, or "".
expected_code() {
    case $(basename "$1") in
        synth-*synack-only*) echo no_syn ;;
        synth-*syn-no-synack*) echo syn_no_synack ;;
        synth-*unreach*) echo unreachable ;;
        synth-*-rst.pcap*|synth-*syn-rst*) echo refused ;;
        synth-*handshake-ok*|synth-*smb445-ipv[46]-handshake.pcap*) echo handshake_ok ;;
        *) echo "" ;;
    esac
}

# must_refuse REL: 1 when INDEX.tsv says libpcap refuses or cuts the file, or
# its link type is one tshoot does not decode.
must_refuse() {
    awk -F'\t' -v f="$1" '$1 == f {
        if ($9 ~ /^(open|read)-error/ || $6 ~ /^(NFLOG|IPOIB|unknown)/) print 1; else print 0; found=1 }
        END { if (!found) print 0 }' "$INDEX"
}

# check_one FILE: every check on one corpus file (run in parallel below).
check_one() {
    f=$1
    rel=${f#"$CORPUS"/}
    out=$tmp/$(echo "$rel" | tr / _)
    $VG "$TSHOOT" analyze --json "$f" >"$out.out" 2>"$out.err"
    rc=$?
    if [ $rc -ge 99 ]; then
        bad "$rel: exit $rc (crash or valgrind error)"; sed 's/^/    /' "$out.err" | head -20
        return
    fi
    if [ "$(must_refuse "$rel")" = 1 ]; then
        [ $rc -eq 2 ] || bad "$rel: exit $rc, want 2 (corrupt or unsupported)"
        [ "$(wc -l <"$out.err")" -eq 1 ] || bad "$rel: want a one-line reason, got:$(cat "$out.err")"
        grep -qF "$f" "$out.err" || bad "$rel: the reason does not name the file: $(cat "$out.err")"
        case $(cat "$INDEX" | awk -F'\t' -v f="$rel" '$1 == f {print $9}') in
            read-error*) grep -q truncated "$out.err" && ! grep -q '"truncated": true' "$out.out" &&
                         bad "$rel: truncated file not flagged in the JSON" ;;
        esac
        return
    fi
    case $rc in
        0|1) ;;
        *) bad "$rel: exit $rc, want 0 or 1: $(cat "$out.err")"; return ;;
    esac
    [ -s "$out.err" ] && bad "$rel: unexpected stderr: $(head -3 "$out.err")"
    want=$(expected_code "$f")
    if [ -n "$want" ]; then
        grep -q "\"code\": \"$want\"" "$out.out" || bad "$rel: want verdict $want, got $(grep -m1 '"code"' "$out.out")"
        if [ "$want" = handshake_ok ]; then [ $rc -eq 0 ] || bad "$rel: handshake_ok must exit 0"
        else [ $rc -eq 1 ] || bad "$rel: $want must exit 1"; fi
    fi

}

if [ "${1:-}" = --one ]; then
    tmp=$2; check_one "$3"; exit $fail
fi

[ -n "$VG" ] || echo "analyze_corpus: valgrind not used (memory errors are only caught by an ASan build)"
tmp=$(mktemp -d /tmp/tshoot-corpus.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
find "$CORPUS" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort >"$tmp/files"
n=$(wc -l <"$tmp/files")
# valgrind costs about a second a run: use every core
xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} sh "$self" --one "$tmp" {} <"$tmp/files" >"$tmp/report" 2>&1
grep -q . "$tmp/report" && { cat "$tmp/report"; fail=1; }

# standard input, and the text form, on one file of each class
for f in "$CORPUS"/handshake/synth-smb445-ipv4-*.pcap; do
    want=$(expected_code "$f")
    "$TSHOOT" analyze --json - <"$f" >"$tmp/out" 2>"$tmp/err"
    grep -q "\"code\": \"$want\"" "$tmp/out" || bad "stdin $(basename "$f"): want $want"
    $VG "$TSHOOT" analyze "$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?; [ $rc -le 1 ] || bad "text $(basename "$f"): exit $rc $(cat "$tmp/err")"
    grep -q "code $want" "$tmp/out" || bad "text $(basename "$f"): no 'code $want'"
done

# usage errors
"$TSHOOT" analyze >/dev/null 2>&1; [ $? -eq 2 ] || bad "no file: want exit 2"
"$TSHOOT" analyze --port 0 x.pcap >/dev/null 2>&1; [ $? -eq 2 ] || bad "--port 0: want exit 2"
"$TSHOOT" analyze /nonexistent.pcap 2>"$tmp/err" >/dev/null; [ $? -eq 2 ] || bad "missing file: want exit 2"
grep -q /nonexistent.pcap "$tmp/err" || bad "missing file: reason does not name it"

echo "analyze_corpus: $n files${VG:+ under valgrind}, $([ $fail -eq 0 ] && echo passed || echo FAILED)"
exit $fail
