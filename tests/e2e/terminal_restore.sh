#!/bin/sh
# The terminal always comes back (issue 5): shrinking to 20x5 and back, TERM=dumb
# and TERM=vt100, the French playbook in the C locale, SIGHUP and a crash signal.
# Exit 0 pass, 1 fail, 77 skip.
TSHOOT=${TSHOOT:-build/tshoot}
. tests/lib/tmux.sh

start LANG=C.UTF-8 80 24
wait_up "resize"
t resize-window -t w -x 20 -y 5
expect "20x5: says it is too small instead of drawing over itself" "too small"
t resize-window -t w -x 80 -y 24
expect "back to 80x24: the step is drawn again" "Step 1/" "netstat -ano"
t send-keys -t w q
expect "quits after the resizes" "EXITED=0"

start "TERM=dumb LANG=C.UTF-8" 80 24
expect "TERM=dumb: a one-line reason and exit 3" "cannot move the cursor" "EXITED=3"

start "TERM=vt100 LANG=C.UTF-8" 80 24
expect "TERM=vt100: drawn in monochrome" "Step 1/" "netstat -ano"
t send-keys -t w q
expect "TERM=vt100: quits" "EXITED=0"

start "LANG=C" 80 24 --lang fr -r ../shared/corpus/handshake/synth-smb445-ipv4-syn-no-synack.pcap
expect "C locale, French: readable ASCII fallback" "Etape 1/" "Scenario"
screen | grep -q '[^ -~]' && fail "C locale: bytes outside printable ASCII on screen" \
    || ok "C locale: only printable ASCII on screen (no mojibake)"
t send-keys -t w q

start LANG=C.UTF-8 80 24
wait_up "SIGHUP"
kill -HUP "$(wizard_pid)"
expect "SIGHUP: ends with the terminal restored" "EXITED=129"

start LANG=C.UTF-8 80 24
wait_up "SIGSEGV"
kill -SEGV "$(wizard_pid)"
expect "a crash signal (SIGSEGV): the terminal is restored first" "EXITED=139"
screen | grep -qF "Step 1/" && fail "the wizard's screen is still there after the crash" \
    || ok "crash: alternate screen left"

[ $FAILS -eq 0 ]
