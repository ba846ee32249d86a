# tests/lib/tmux.sh: shared by the scripts that drive the real wizard in tmux.
# Source it after setting TSHOOT; call `start ENV COLS ROWS [ARGS]` to run the
# wizard in a fresh tmux server, then `expect NAME TEXT...` to assert the screen.
# The shell line after the wizard prints EXITED=<status> when it ends (the
# shell ignores the terminal's Ctrl-C and Ctrl-\ so that it can).
command -v tmux >/dev/null || { echo "SKIPPED: tmux is not installed"; exit 77; }
[ -x "$TSHOOT" ] || { echo "FAILED: no binary at $TSHOOT"; exit 1; }
TSHOOT=$(cd "$(dirname "$TSHOOT")" && pwd)/$(basename "$TSHOOT")
RUN=0
SOCK="tshoot-test-$$-$RUN"
FAILS=0
tmux_cleanup() {
    i=0
    while [ $i -le $RUN ]; do tmux -L "tshoot-test-$$-$i" kill-server 2>/dev/null; i=$((i + 1)); done
}
trap tmux_cleanup EXIT INT TERM

t() { tmux -L "$SOCK" "$@"; }
screen() { t capture-pane -p -t w; }
fail() { echo "not ok - $1"; screen | sed 's/^/    | /'; FAILS=$((FAILS + 1)); }
ok() { echo "ok - $1"; }

# wait_for TEXT [SECONDS]: polls the screen until TEXT shows (fixed string).
wait_for() {
    i=0
    while [ $i -lt $((${2:-5} * 10)) ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

# wait_gone TEXT [SECONDS]: polls the screen until TEXT is no longer on it.
wait_gone() {
    i=0
    while [ $i -lt $((${2:-5} * 10)) ]; do
        screen | grep -qF -- "$1" || return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

# expect NAME TEXT...: every TEXT is on screen within a few seconds.
expect() {
    name=$1; shift
    for s in "$@"; do
        wait_for "$s" 5 || { fail "$name: '$s' not on screen"; return; }
    done
    ok "$name"
}

# wait_up NAME: waits for the wizard's first step on screen (10 s at most);
# a failure named NAME when it never comes (what follows would test nothing).
wait_up() { wait_for "Step 1/" 10 || fail "$1: the wizard did not draw step 1 within 10 s"; }

# widest: the widest line on screen, in columns (box lines count as one).
widest() { screen | sed 's/│/|/g' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'; }

# start ENV COLS ROWS [ARGS...]: the wizard in a new tmux server, with ENV
# (like "LANG=C.UTF-8 NO_COLOR=") in its environment, reading a capture file
# unless ARGS say otherwise.
start() {
    env=$1 cols=$2 rows=$3; shift 3
    args=${*:-"-r ../shared/corpus/handshake/synth-smb445-ipv4-syn-no-synack.pcap"}
    t kill-server 2>/dev/null
    RUN=$((RUN + 1)); SOCK="tshoot-test-$$-$RUN"
    t -f /dev/null new-session -d -s w -x "$cols" -y "$rows" \
        "trap : INT QUIT; cd '$PWD' && env LC_ALL= $env '$TSHOOT' wizard -p playbooks/smb-tcp-handshake.ini $args; echo EXITED=\$?; sleep 60"
}

# wizard_pid: the wizard started last: the tshoot child of the pane's shell
# (not its privileged helpers, which are the wizard's own children); waits
# up to 5 s for it to exist, prints nothing if it never does.
wizard_pid() {
    i=0
    while [ $i -lt 50 ]; do
        _wp=$(pgrep -x -P "$(t list-panes -t w -F '#{pane_pid}' 2>/dev/null)" tshoot 2>/dev/null | head -1)
        [ -n "$_wp" ] && { echo "$_wp"; return 0; }
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

# alt_screen: 1 while the pane shows the alternate screen (curses is up), else 0.
alt_screen() { t display-message -p -t w '#{alternate_on}'; }
