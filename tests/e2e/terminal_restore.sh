#!/bin/sh
# The terminal always comes back (issue 5): shrinking to 20x5 and back, TERM=dumb
# and TERM=vt100, the French playbook in the C locale, SIGHUP and a crash signal;
# and every other signal that ends a process (issue 12: SIGQUIT by kill and by
# Ctrl-\, SIGUSR1, SIGALRM, SIGXCPU) restores the terminal and saves the report.
# Exit 0 pass, 1 fail, 77 skip.
TSHOOT=${TSHOOT:-build/tshoot}
. tests/lib/tmux.sh
state=$(mktemp -d)
trap 'tmux_cleanup; rm -rf "$state"' EXIT INT TERM

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

# signal_ends NAME STATUS [KEYS]: the wizard, ended by kill -NAME (or by the
# tmux KEYS), leaves the alternate screen, ends with STATUS and saves a report.
signal_ends() {
    dir=$state/$RUN
    start "LANG=C.UTF-8 XDG_STATE_HOME=$dir" 80 24
    wait_for "Step 1/" 5
    if [ -n "$3" ]; then t send-keys -t w "$3"; else kill -"$1" "$(wizard_pid)"; fi
    expect "SIG$1${3:+ ($3)}: ends with the signal's status" "EXITED=$2"
    [ "$(alt_screen)" = 0 ] && ! screen | grep -qF "Step 1/" \
        && ok "SIG$1${3:+ ($3)}: the terminal is restored" || fail "SIG$1${3:+ ($3)}: the terminal is not restored"
    md=$(ls "$dir"/tshoot/sessions/*.md 2>/dev/null | head -1)
    [ -n "$md" ] && grep -q "^# tshoot session" "$md" && ok "SIG$1${3:+ ($3)}: the report is saved" \
        || fail "SIG$1${3:+ ($3)}: no report saved in $dir"
}
signal_ends QUIT 131
signal_ends QUIT 131 'C-\'
signal_ends USR1 138
signal_ends ALRM 142
signal_ends XCPU 152
signal_ends HUP 129

# SIGUSR2 is the capture engine's (it cuts a read short): it ends nothing
start LANG=C.UTF-8 80 24
wait_for "Step 1/" 5
kill -USR2 "$(wizard_pid)"
t send-keys -t w n
expect "SIGUSR2: the wizard goes on (n still moves to step 2)" "Step 2/"
t send-keys -t w q
expect "SIGUSR2: then quits normally" "EXITED=0"

start LANG=C.UTF-8 80 24
wait_up "SIGSEGV"
kill -SEGV "$(wizard_pid)"
expect "a crash signal (SIGSEGV): the terminal is restored first" "EXITED=139"
screen | grep -qF "Step 1/" && fail "the wizard's screen is still there after the crash" \
    || ok "crash: alternate screen left"

[ $FAILS -eq 0 ]
