#!/bin/sh
# analyze_stdin.sh: `tshoot analyze -` reading a capture stream from a pipe,
# as in docs/many-hosts.md:
#   ssh HOST tcpdump -U -w - 'tcp port 445 or icmp or icmp6' | tshoot analyze -
#   - a corpus file through `cat |` (synth-smb445-ipv4-syn-rst.pcap): refused;
#   - the same file trickled in small pieces with pauses, as a slow link
#     delivers it: the same verdict;
#   - a stream that stays open, stopped with SIGINT (Ctrl-C): the report of
#     what was read is still printed (as watch does);
#   - as root, with tcpdump and network namespaces: a live
#     `timeout 3 tcpdump -U -w -` (what ssh would carry) piped into analyze
#     while a client is refused on 127.0.0.1:445 in a namespace of its own:
#     refused, reported when the capture ends.
# Exit 0 pass, 1 fail, 77 skipped (no corpus, no binary).
cd "$(dirname "$0")/../.." || exit 1
set -u
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
CORPUS=${TSHOOT_CORPUS:-../shared/corpus}
F=$CORPUS/handshake/synth-smb445-ipv4-syn-rst.pcap
[ -f "$F" ] || { echo "SKIPPED: analyze_stdin.sh: no $F (set TSHOOT_CORPUS)"; exit 77; }
[ -x "$TSHOOT" ] || { echo "SKIPPED: analyze_stdin.sh: no binary at $TSHOOT"; exit 77; }
PY=$(python3 -c 'import sys; print(sys.executable)') || { echo "SKIPPED: analyze_stdin.sh needs python3"; exit 77; }

TMP=$(mktemp -d /tmp/tshoot-stdin.XXXXXX)
NS=""
BG=""
cleanup() {
    for p in $BG; do kill "$p" 2>/dev/null; done
    if [ -n "$NS" ]; then
        for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
        sleep 0.2
        for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$NS" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fails=0
ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# expect NAME RC PYTHON-EXPRESSION: d is the JSON in $TMP/out.json, rc the exit status
expect() {
    if RC=$2 "$PY" -c '
import json, os, sys
d = json.load(open(sys.argv[1])); rc = int(os.environ["RC"])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$TMP/out.json" "$3" 2>"$TMP/py.txt"; then
        ok "$1"
    else
        bad "$1 (rc=$2)"
        cat "$TMP/out.json" "$TMP/err.txt" "$TMP/py.txt" 2>/dev/null | sed 's/^/     | /'
    fi
}
REFUSED="d['verdict']['code'] == 'refused' and d['flows']['refused'] == 1 and d['flows']['total'] == 1 and d['packets'] == 2 and d['captures'][0]['name'] == '-' and not d['truncated'] and rc == 1"

## 1. cat FILE | tshoot analyze --json -
cat "$F" | "$TSHOOT" analyze --json - >"$TMP/out.json" 2>"$TMP/err.txt"
rc=$?
expect "cat | analyze --json -: refused, 2 packets from '-', exit 1" $rc "$REFUSED"
[ -s "$TMP/err.txt" ] && bad "stderr not empty: $(cat "$TMP/err.txt")" || ok "nothing on stderr"

## 2. the same bytes in 7-byte pieces, 20 ms apart
"$PY" -c '
import sys, time
data = open(sys.argv[1], "rb").read()
for i in range(0, len(data), 7):
    sys.stdout.buffer.write(data[i:i + 7]); sys.stdout.buffer.flush(); time.sleep(0.02)' "$F" |
    "$TSHOOT" analyze --json - >"$TMP/out.json" 2>"$TMP/err.txt"
rc=$?
expect "a trickled stream: the same verdict" $rc "$REFUSED"

## 3. a stream that stays open, ended with Ctrl-C (SIGINT, not ignored: a
## python parent, since sh starts background jobs with SIGINT ignored)
RC3=$("$PY" - "$TSHOOT" "$F" "$TMP/out.json" <<'PY'
import signal, subprocess, sys, time
tshoot, f, out = sys.argv[1:4]
with open(out, "wb") as o:
    p = subprocess.Popen([tshoot, "analyze", "--json", "-"], stdin=subprocess.PIPE, stdout=o,
                         stderr=subprocess.DEVNULL)
    p.stdin.write(open(f, "rb").read()); p.stdin.flush()   # the stream stays open
    time.sleep(1)
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill(); p.wait(); rc = 999
print(rc if rc >= 0 else 128 - rc)
PY
)
if RC=$RC3 "$PY" -c '
import json, os, sys
d = json.load(open(sys.argv[1])); rc = int(os.environ["RC"])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$TMP/out.json" "$REFUSED" 2>/dev/null; then
    echo "ok   - Ctrl-C on an open stream: the report of what was read"
else
    bad "Ctrl-C on an open stream: analyze ended with status $RC3 and $(wc -c <"$TMP/out.json") bytes of output, no report of the packets it had read"
fi

## 4. live: tcpdump -U -w - | tshoot analyze --json -
if [ "$(id -u)" != 0 ] || ! command -v tcpdump >/dev/null 2>&1 || ! command -v timeout >/dev/null 2>&1; then
    echo "skip - live tcpdump pipe: needs root, tcpdump and timeout"
elif ! ip netns add "tshoot-stdin-$$" 2>/dev/null; then
    echo "skip - live tcpdump pipe: ip netns add failed (no netns support)"
else
    NS=tshoot-stdin-$$
    ip -n "$NS" link set lo up
    # nothing listens on 445 in the namespace: the SYN is answered by a RST.
    # As docs/many-hosts.md advises, the capture is bounded on the capturing
    # side (timeout 3 tcpdump): its end closes the stream and analyze reports.
    ip netns exec "$NS" "$PY" -c '
import socket, time
time.sleep(1)
try: socket.create_connection(("127.0.0.1", 445), timeout=1).close()
except OSError: pass' &
    BG="$BG $!"
    t0=$(date +%s)
    timeout 20 ip netns exec "$NS" timeout 3 tcpdump -U -w - -i lo 'tcp port 445 or icmp or icmp6' 2>"$TMP/tcpdump.err" |
        "$TSHOOT" analyze --json - >"$TMP/out.json" 2>"$TMP/err.txt"
    rc=$?
    expect "live timeout 3 tcpdump -U -w - | analyze --json -: refused, exit 1 ($(( $(date +%s) - t0 )) s)" $rc \
        "d['verdict']['code'] == 'refused' and d['flows']['refused'] == 1 and d['flows']['total'] == 1 and d['packets'] == 2 and not d['truncated'] and any(s['address'] == '127.0.0.1' and s['port'] == 445 for s in d['servers']) and rc == 1"
fi

[ $fails = 0 ] || { echo "analyze_stdin.sh: $fails failed"; exit 1; }
echo "analyze_stdin.sh: all passed"
exit 0
