#!/bin/sh
# Drives the real tshoot wizard in tmux: what is on screen at 80x24, moving
# between steps, resizing, quitting (by key and by signal) with the terminal
# given back, and the French text with its accents. Exit 0 pass, 1 fail, 77 skip.
TSHOOT=${TSHOOT:-build/tshoot}
PB=playbooks/smb-tcp-handshake.ini
. tests/lib/tmux.sh

start LANG=C.UTF-8 80 24
wait_up "80x24"
t send-keys -t w k      # any key clears a message from the footer
expect "80x24: title and step 1 with port 445 and netstat" \
    "tshoot: SMB" "Step 1/" "445" "netstat -ano" "Checks" "n/p step" "q quit"
width=$(widest)
[ "$width" -le 80 ] && ok "80x24: nothing drawn past column 80" || fail "80x24: a line of $width columns"

# idle: the process sleeps in poll(); its CPU time must not move in 3 seconds
pid=$(wizard_pid)
sleep 1
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
before=$(ticks); sleep 3; after=$(ticks)
if [ -n "$before" ] && [ $((after - before)) -le 1 ]; then
    ok "idle: $((after - before)) clock ticks of CPU in 3 s"
else
    fail "idle: CPU ticks went from $before to $after in 3 s"
fi

t send-keys -t w n
expect "next-step key moves to step 2" "Step 2/"
t send-keys -t w p
expect "previous-step key comes back to step 1" "Step 1/"
t send-keys -t w Right
expect "right arrow moves to step 2" "Step 2/"

t resize-window -t w -x 60 -y 20
expect "resized to 60x20: still readable" "Step 2/" "tshoot: SMB"
width=$(widest)
[ "$width" -le 60 ] && ok "60x20: nothing drawn past column 60" || fail "60x20: a line of $width columns"

t resize-window -t w -x 120 -y 40
expect "resized to 120x40: steps, step text and panel" "Step 2/" "[ ] 1" "Checks" "Listener"

t send-keys -t w ' '
expect "space marks the step done" "[x] 2"
t send-keys -t w Tab
expect "tab switches to scenario 2" "Step 1/" "Scenario 2"
t send-keys -t w '?'
expect "help overlay" "Keys" "copy the picked command"
t send-keys -t w x
t send-keys -t w q
expect "q quits and the shell gets the terminal back" "EXITED=0"
screen | grep -qF "Step 1/" && fail "the wizard's screen is still there after quitting" || ok "alternate screen left on quit"

start "LANG=C.UTF-8 NO_COLOR=1" 80 24
wait_up "NO_COLOR"
t capture-pane -e -p -t w | grep -q "$(printf '\033')\[[0-9;]*3[0-7]m" \
    && fail "NO_COLOR: colour codes on screen" || ok "NO_COLOR: drawn without colours"
t send-keys -t w q

start LANG=C.UTF-8 80 24
wait_up "explain"
t send-keys -t w x
expect "x explains the capture: counts per class and the ladder of an attempt" "What the capture shows" \
    "Attempts 1: established 0, synack_no_ack 0, refused 0, unreachable 0," "Attempt 1 of 1" "SYN     ------------->  (retransmission)" "A TCP connection opens"
t send-keys -t w q q

# --replay paces the file as if live: its 4 SYNs are 0, 1, 3 and 7 s apart,
# so early on the explain overlay's ladder has fewer than 4, later all 4
syns() { screen | grep -c 'SYN     ------------->'; }
start LANG=C.UTF-8 80 24 --replay ../shared/corpus/handshake/synth-smb445-ipv4-syn-no-synack.pcap
wait_up "--replay"
t send-keys -t w x
wait_for "Attempt 1 of 1" 3 || fail "--replay: the explain overlay shows no attempt"
n=$(syns)
[ "$n" -ge 1 ] && [ "$n" -lt 4 ] && ok "--replay: the SYNs arrive over time ($n so far)" \
    || fail "--replay: $n SYNs at once (not paced)"
i=0
while [ "$(syns)" -lt 4 ] && [ $i -lt 40 ]; do
    t send-keys -t w q x; sleep 0.5; i=$((i + 1))
done
[ "$(syns)" -eq 4 ] && ok "--replay: the whole capture in the end" || fail "--replay: never 4 SYNs"
t send-keys -t w q q

start LANG=fr_FR.UTF-8 80 24
expect "French: accents intact" "Étape 1/" "Scénario" "445"
expect "French: the panel's labels are the check table's, aligned" "Vérifications" "Écoute    " "Pare-feu  " "Capture   "
t send-keys -t w x
expect "French: the explain overlay too" "Ce que montre la capture" "Tentative 1 sur 1"
t send-keys -t w Escape
wait_gone "Ce que montre la capture" 5 || fail "French: Escape did not close the explain overlay"
screen | grep -q 'Ã' && fail "French: mojibake on screen" || ok "French: no mojibake"
t send-keys -t w q
expect "French: quits" "EXITED=0"

start LANG=C.UTF-8 80 24
wait_up "colours"
# colours are on by default, and NO_COLOR turns them off (SGR 3x/4x colour codes)
t capture-pane -e -p -t w | grep -q "$(printf '\033')\[[0-9;]*3[0-7]m" \
    && ok "colours on a colour terminal" || fail "no colour codes on a colour terminal"
t send-keys -t w C-c
expect "Ctrl-C (SIGINT) ends it with the terminal restored" "EXITED=130"

start LANG=C.UTF-8 80 24
wait_up "SIGTERM"
kill -TERM "$(wizard_pid)"
expect "SIGTERM ends it with the terminal restored" "EXITED=143"

# the evidence picks the scenario: a RST points to scenario 1, an ICMP
# admin-prohibited from a router to scenario 2 (the playbook's verdict lists)
start LANG=C.UTF-8 80 24 -r ../shared/corpus/handshake/synth-smb445-ipv4-syn-rst.pcap
expect "a refused capture points to scenario 1" "*Scenario 1" "The evidence points to scenario 1" "Capture   0/1 ok"
t send-keys -t w q
start LANG=C.UTF-8 80 24 -r ../shared/corpus/handshake/synth-smb445-ipv4-icmp-unreach.pcap
expect "an ICMP-unreachable capture points to scenario 2 and opens it" "*Scenario 2" \
    "The evidence points to scenario 2" "Step 1/2"
t send-keys -t w q

out=$("$TSHOOT" wizard -p $PB </dev/null 2>&1 >/dev/null); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "tshoot analyze"; then
    ok "no terminal: exit 2 naming the non-interactive commands"
else
    FAILS=$((FAILS + 1)); echo "not ok - no terminal: exit $rc, said: $out"
fi

[ $FAILS -eq 0 ]
