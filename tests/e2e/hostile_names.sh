#!/bin/sh
# Hostile names (issue 12): a local process names itself with a terminal
# escape (prctl(PR_SET_NAME), as any user can) and listens on a loopback port;
# `check` (text and JSON), the wizard's screen, the saved report and
# `tshoot report` must never write the escape itself, only its visible form.
# Also: a report file edited by hand, and a playbook command holding an escape
# (OSC 52 refuses to copy it). Exit 0 pass, 1 fail, 77 skip.
TSHOOT=${TSHOOT:-build/tshoot}
. tests/lib/tmux.sh
command -v python3 >/dev/null || { echo "SKIPPED: python3 is not installed"; exit 77; }
work=$(mktemp -d)
lpids=
cleanup() { tmux_cleanup; for p in $lpids; do kill "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM
ESC=$(printf '\033')
VISIBLE='\x1b]0;pwned\x07x'

# no_esc NAME FILE: FILE holds no ESC, BEL or C1 CSI byte.
no_esc() {
    if LC_ALL=C grep -q "$ESC\|$(printf '\007')\|$(printf '\233')" "$2"; then
        fail "$1: a raw control byte: $(od -c "$2" | grep -m3 '033\|007\|233')"
    else
        ok "$1: no raw control byte"
    fi
}

# has_visible NAME FILE: FILE shows the name's visible form.
has_visible() {
    grep -qF "$VISIBLE" "$2" && ok "$1: shows $VISIBLE" || fail "$1: no '$VISIBLE' in: $(cat -v "$2" | head -20)"
}

# listen_as BYTES FILE: a python listener on a free loopback port that renames
# itself to BYTES (a Python bytes literal) with prctl(PR_SET_NAME); its port
# goes to FILE, its pid to $lpid (added to $lpids for the cleanup).
listen_as() {
    python3 -c '
import ctypes, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
ctypes.CDLL(None).prctl(15, eval(sys.argv[1]), 0, 0, 0)
print(s.getsockname()[1], flush=True)
time.sleep(120)
' "$1" >"$2" &
    lpid=$!
    lpids="$lpids $lpid"
    i=0
    while [ ! -s "$2" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$2" ] || { echo "FAILED: the listener did not start"; exit 1; }
}

# The listener named ESC ] 0 ; pwned BEL x.
listen_as 'b"\x1b]0;pwned\x07x"' "$work/port"
port=$(cat "$work/port")
LC_ALL=C grep -q "$ESC" "/proc/$lpid/comm" || { echo "SKIPPED: prctl(PR_SET_NAME) did not take"; exit 77; }

"$TSHOOT" check --port "$port" >"$work/check.txt"
no_esc "check (text)" "$work/check.txt"
has_visible "check (text)" "$work/check.txt"

"$TSHOOT" check --port "$port" --json >"$work/check.json"
python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert any(s["process"] == "\x1b]0;pwned\x07x" for s in j["listener"]["sockets"]), j["listener"]
' "$work/check.json" && grep -qi '\\u001b]0;pwned\\u0007x' "$work/check.json" \
    && ok "check --json: the name is JSON-escaped (\\u001b) and decodes to the real name" \
    || fail "check --json: $(cat -v "$work/check.json")"
no_esc "check --json" "$work/check.json"

# A name that is not UTF-8 (a raw C1 CSI byte, 0xff): JSON still comes out
# (jansson takes only UTF-8: the name is given in its visible form).
listen_as 'b"bad\xff\x9bname"' "$work/port2"
"$TSHOOT" check --port "$(cat "$work/port2")" >"$work/check2.txt"
no_esc "check (text), a name that is not UTF-8" "$work/check2.txt"
grep -qF 'bad\xff\x9bname' "$work/check2.txt" && ok "check (text): shows bad\xff\x9bname" \
    || fail "check (text) of a name that is not UTF-8: $(cat -v "$work/check2.txt")"
"$TSHOOT" check --port "$(cat "$work/port2")" --json >"$work/check2.json"
python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert [s["process"] for s in j["listener"]["sockets"]] == ["bad\\xff\\x9bname"], j["listener"]
' "$work/check2.json" && ok "check --json: a name that is not UTF-8 still gives whole JSON, in its visible form" \
    || fail "check --json of a name that is not UTF-8: $(cat -v "$work/check2.json")"

# The wizard with a playbook for that port: the step's check names the owner.
"$TSHOOT" new-playbook esc-test --port "$port" -o "$work/esc-test.ini" >/dev/null
state=$work/state
start "LANG=C.UTF-8 XDG_STATE_HOME=$state" 200 50 -p "$work/esc-test.ini" \
    -r ../shared/corpus/handshake/synth-smb445-ipv4-syn-no-synack.pcap
expect "wizard: the listener check shows the owner in its visible form" "$VISIBLE"
t send-keys -t w s
expect "wizard: s saves the report" "Report saved:"
md=$(ls "$state"/tshoot/sessions/*.md 2>/dev/null | head -1)
no_esc "saved Markdown report" "$md"
has_visible "saved Markdown report" "$md"
t send-keys -t w q
expect "wizard: quits" "EXITED=0"

XDG_STATE_HOME=$state "$TSHOOT" report "$(basename "$md" .md)" >"$work/report.txt"
no_esc "tshoot report SESSION" "$work/report.txt"
has_visible "tshoot report SESSION" "$work/report.txt"

# A report written by an older version or edited by hand: printed, never obeyed.
printf '# tshoot session: x\n- Host: \033]52;c;cm0gLXJmIH4K\007 \033[2J\302\233\061m caf\303\251\n' >"$state/tshoot/sessions/hand.md"
printf '{"started": "2026", "host": "\\u001b]0;pwned\\u0007x", "playbook": {"id": "p"}, "steps": []}\n' \
    >"$state/tshoot/sessions/hand.json"
XDG_STATE_HOME=$state "$TSHOOT" report hand >"$work/hand.txt"
no_esc "tshoot report of a hand-edited file" "$work/hand.txt"
grep -qF '\x1b]52;c;cm0gLXJmIH4K\x07 \x1b[2J\xc2\x9b1m café' "$work/hand.txt" \
    && ok "tshoot report of a hand-edited file: escapes visible, French unchanged" \
    || fail "hand-edited report printed as: $(cat -v "$work/hand.txt")"
XDG_STATE_HOME=$state "$TSHOOT" report >"$work/list.txt"
no_esc "tshoot report (the list)" "$work/list.txt"
has_visible "tshoot report (the list)" "$work/list.txt"

# A playbook command holding an escape: shown visibly, never copied (OSC 52).
# (A playbook loader that refuses such a command at load is fine too.)
sed "s|^cmd.3.run = .*|cmd.3.run = ss -ltn$(printf '\033')[2J$(printf '\007')|" "$work/esc-test.ini" >"$work/esc-cmd.ini"
start "LANG=C.UTF-8 XDG_STATE_HOME=$state" 200 50 -p "$work/esc-cmd.ini" \
    -r ../shared/corpus/handshake/synth-smb445-ipv4-syn-no-synack.pcap
wait_for "Step 1/" 5 || wait_for "EXITED=2" 1
if screen | grep -qF "EXITED=2"; then
    ok "a playbook command holding an escape is refused at load (nothing to copy)"
else
    expect "wizard: the command with an escape is shown in its visible form" 'ss -ltn\x1b[2J\x07'
    t send-keys -t w c
    expect "wizard: c refuses to copy a command holding a control character" "Not copied"
    t send-keys -t w q
    expect "wizard: quits" "EXITED=0"
    grep -qF 'ss -ltn' "$state"/tshoot/sessions/*esc-test.json && fail "the refused command is recorded as copied" \
        || ok "the refused command is not recorded as copied"
fi

[ $FAILS -eq 0 ]
