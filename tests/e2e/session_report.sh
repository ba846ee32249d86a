#!/bin/sh
# The session report in a real wizard session: a step marked done, a note, a
# copied command, `s` to save, quitting and SIGTERM; the report is whole JSON
# and Markdown with no packet payload, and `tshoot report` lists and prints it.
# Exit 0 pass, 1 fail, 77 skip.
TSHOOT=${TSHOOT:-build/tshoot}
. tests/lib/tmux.sh
state=$(mktemp -d)
trap 'tmux_cleanup; rm -rf "$state"' EXIT INT TERM
json_ok() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }

start "LANG=C.UTF-8 XDG_STATE_HOME=$state" 80 24
wait_up "note"
t send-keys -t w ' ' e
expect "e opens the note editor" "Note (Enter keeps it"
t send-keys -t w "ss shows nothing on 445 é" Enter
expect "the note shows under the step" "Your note: ss shows nothing on 445 é"
t send-keys -t w c s
expect "s saves and says where" "Report saved:"
md=$(ls "$state"/tshoot/sessions/*.md 2>/dev/null | head -1)
js=${md%.md}.json
if [ -n "$md" ] && grep -q "Note: ss shows nothing on 445 é" "$md" && grep -q '^- \[x\] Scenario 1, step 1' "$md" \
    && grep -q "## Commands copied" "$md" && json_ok "$js"; then
    ok "the saved report has the step done, the note and the copied command"
else
    fail "the saved report: $(cat "$md" 2>/dev/null | head -20)"
fi
grep -q "syn_no_synack" "$js" && ok "the report carries the capture verdict" || fail "no verdict in $js"

t send-keys -t w n
expect "n moves to step 2" "Step 2/"
kill -TERM "$(wizard_pid)"
expect "SIGTERM ends the session" "EXITED=143"
json_ok "$js" && grep -q '"kind": "visit"' "$js" && grep -q '"step": 2' "$js" \
    && ok "SIGTERM: the report was saved again and is whole JSON" || fail "report after SIGTERM: $(cat "$js")"
ls "$state"/tshoot/sessions/ | grep -q tmp && fail "temporary files left behind" || ok "no temporary files left behind"

# a crash: the terminal comes back and the last saved report stays whole
start "LANG=C.UTF-8 XDG_STATE_HOME=$state" 80 24
wait_up "crash"
t send-keys -t w ' ' s
expect "saved before the crash" "Report saved:"
crashed=$(ls -t "$state"/tshoot/sessions/*.json | head -1)
kill -SEGV "$(wizard_pid)"
expect "SIGSEGV ends the wizard with the terminal restored" "EXITED=139"
json_ok "$crashed" && grep -q '"kind": "done"' "$crashed" \
    && ok "after a crash the last saved report is whole" || fail "report after SIGSEGV: $(cat "$crashed")"

out=$(XDG_STATE_HOME=$state "$TSHOOT" report)
echo "$out" | grep -q "smb-tcp-handshake .*syn_no_synack" && ok "tshoot report lists the session" \
    || { FAILS=$((FAILS + 1)); echo "not ok - tshoot report said: $out"; }
name=$(basename "$md" .md)
XDG_STATE_HOME=$state "$TSHOOT" report "$name" | grep -q "^# tshoot session" && ok "tshoot report SESSION prints it" \
    || { FAILS=$((FAILS + 1)); echo "not ok - tshoot report $name"; }

[ $FAILS -eq 0 ]
