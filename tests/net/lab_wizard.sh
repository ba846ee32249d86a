#!/bin/sh
# lab_wizard.sh: the real wizard, live, in the server namespace of the scenario
# lab (tests/lab/lab.sh), in tmux at 80x24, while the client retries in the
# background (the lab's retry loop). For each fault the screen must show:
#   server-drop    the capture's evidence within seconds (Capture 0/0 ok, shown
#                  before the client starts, turns into 0/N ok), "*Scenario 1" and "The evidence points to
#                  scenario 1", Listener listening, Firewall blocked; on the
#                  firewall step (4/4) the t key starts the nft trace, which
#                  names the lab's rule (inet tshoot_lab ... tcp dport 445
#                  drop); quitting removes the trace's table and saves an
#                  evidence capture that analyze reads as syn_no_synack;
#   smbd-stopped   evidence, scenario 1, Listener not_listening, Firewall open,
#                  the footer quoting the RST;
#   router-drop    no SYN ever reaches the server: once the router has
#                  dropped 3 of the client's SYNs (a counting rule put before
#                  the lab's drop), the capture is still 0/0 and the wizard
#                  points to no scenario (it must not blame the server),
#                  Listener listening, Firewall open.
# The Service line reads the host's process table (ip netns exec makes no PID
# namespace): "stopped" is asserted only when no smbd runs on the host.
# Exit 0 pass, 1 fail, 77 skipped (not root, no network namespaces, a tool
# missing).
set -u
cd "$(dirname "$0")/../.." || exit 1
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
skip() { echo "SKIPPED: lab_wizard.sh: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, nft, packet capture)"
for t in ip nft smbd smbclient ss tmux; do
    command -v $t >/dev/null 2>&1 || skip "$t is not installed"
done
. tests/lib/tmux.sh

LAB_TAG=tsw$$
TMP=$(mktemp -d /tmp/tshoot-labwizard.XXXXXX) || exit 1
LAB_STATE=$TMP/state
LAB_SOURCED=1
export LAB_TAG LAB_STATE
. tests/lab/lab.sh
RETRY=""
cleanup() {
    trap '' INT TERM HUP
    tmux_cleanup
    [ -n "$RETRY" ] && kill "$RETRY" 2>/dev/null
    lab_down
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
if ! ip netns add "$LAB_TAG-probe" 2>/dev/null; then skip "ip netns add failed (no network namespace support)"; fi
ip netns del "$LAB_TAG-probe"

# wait_re REGEX [SECONDS]: polls the screen until a line matches REGEX (grep -E).
wait_re() {
    i=0
    while [ $i -lt $((${2:-5} * 10)) ]; do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

# lab_start FAULT: the lab with FAULT, the client retrying, and the wizard in
# the server namespace in a new tmux server at 80x24 (report under $TMP).
lab_start() {
    lab_up "$1" >"$TMP/up.log" 2>&1 || { fail "$1: the lab did not come up: $(cat "$TMP/up.log")"; return 1; }
    RUN=$((RUN + 1)); SOCK="tshoot-test-$$-$RUN"
    t -f /dev/null new-session -d -s w -x 80 -y 24 \
        "trap : INT; cd '$PWD' && env LC_ALL= LANG=C.UTF-8 ip netns exec '$LAB_S' '$TSHOOT' wizard -p playbooks/smb-tcp-handshake.ini --report '$TMP/$1'; echo EXITED=\$?; sleep 60"
    wait_for "Step 1/" 10 || { fail "$1: the wizard did not start within 10 s"; return 1; }
    expect "$1: the wizard is up at 80x24 with no attempt yet" "Capture   0/0 ok"
    # the client starts retrying once the wizard captures
    lab_retry "$(lab_family "$1")" >/dev/null 2>&1 &
    RETRY=$!
}

# router_syns: how many SYNs to 445 the router has seen (the lab_wizard counting rule).
router_syns() {
    lab_in "$LAB_R" nft list chain inet tshoot_lab forward |
        sed -n 's/.*counter packets \([0-9]*\) .*lab_wizard count.*/\1/p'
}

# count_router_syns: a rule before the lab's drop in the router counts the SYNs to 445.
count_router_syns() {
    lab_in "$LAB_R" nft insert rule inet tshoot_lab forward 'tcp flags & (syn | ack) == syn' tcp dport 445 counter comment '"lab_wizard count"'
}

# wait_router_syns N SECONDS: waits until the router has seen N SYNs to 445.
wait_router_syns() {
    i=0
    while [ $i -lt $(($2 * 10)) ]; do
        [ "$(router_syns)" -ge "$1" ] 2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

# lab_stop FAULT: q quits (exit 0), then the retry loop and the lab go.
lab_stop() {
    t send-keys -t w q
    expect "$1: q quits the wizard" "EXITED=0"
    kill "$RETRY" 2>/dev/null; RETRY=""
    t kill-server 2>/dev/null
    lab_down
}

# service_stopped NAME: the Service line of a lab without smbd: stopped, or
# running when an smbd runs elsewhere on the host (before or after the look).
service_stopped() {
    others=$(pgrep -x smbd)
    if wait_re 'Service   stopped' 3; then ok "$1: Service   stopped"
    elif [ -n "$others$(pgrep -x smbd)" ] && screen | grep -qF 'Service   running'; then
        ok "$1: Service   running (the probe is host-wide: smbd runs elsewhere on the host)"
    else fail "$1: the Service line"; fi
}

started=$(date +%s)

# --- server-drop: Scenario 1, the server's firewall ---------------------------
f=server-drop t0=$(date +%s)
if lab_start $f; then
    expect "$f: the checks" "Listener  listening" "Firewall  blocked" "Service   running"
    if wait_re 'Capture   0/[1-9][0-9]* ok' 10; then
        ok "$f: the capture shows the client's attempts ($(screen | grep -o 'Capture   0/[0-9]* ok'))"
    else
        fail "$f: no attempt on the Capture line within 10 s"
    fi
    expect "$f: the evidence points to scenario 1" "*Scenario 1" "The evidence points to scenario 1"
    width=$(widest)
    [ "$width" -le 80 ] && ok "$f: nothing drawn past column 80" || fail "$f: a line of $width columns"
    t send-keys -t w n n n
    expect "$f: the firewall step names the lab's rule" "Step 4/4" "inet tshoot_lab input"
    t send-keys -t w t
    expect "$f: the trace counts down" "Tracing the firewall:"
    if wait_for "drop (inet tshoot_lab" 10 && wait_for "input handle" 1 && wait_for ": tcp dport 445 drop" 1; then
        ok "$f: t on the firewall step traces the SYNs to the lab's rule (inet tshoot_lab ... tcp dport 445 drop)"
    else
        fail "$f: the trace did not show the lab's rule within 10 s"
    fi
    lab_in "$LAB_S" nft list tables >"$TMP/tables.during"
    t send-keys -t w q
    expect "$f: q quits during the trace" "EXITED=0"
    tables=$(lab_in "$LAB_S" nft list tables | tr '\n' ' ')
    if [ "$tables" = "table inet tshoot_lab " ]; then
        ok "$f: the trace's table is gone after quitting (during: $(tr '\n' ' ' <"$TMP/tables.during"))"
    else
        fail "$f: tables left in the server namespace after quitting: $tables"
    fi
    "$TSHOOT" analyze --json "$TMP/$f.pcap" >"$TMP/$f.analyze.json" 2>&1
    grep -q '"code": "syn_no_synack"' "$TMP/$f.analyze.json" &&
        ok "$f: the saved evidence capture reads as syn_no_synack" ||
        fail "$f: the saved evidence capture: $(head -c 300 "$TMP/$f.analyze.json")"
    [ -s "$TMP/$f.md" ] && ok "$f: the session report is saved on quit" || fail "$f: no session report at $TMP/$f.md"
    kill "$RETRY" 2>/dev/null; RETRY=""
    t kill-server 2>/dev/null
    lab_down
fi
echo "# $f: $(($(date +%s) - t0)) s"

# --- smbd-stopped: nothing listens --------------------------------------------
f=smbd-stopped t0=$(date +%s)
if lab_start $f; then
    expect "$f: the checks" "Listener  not_listening" "Firewall  open"
    service_stopped "$f: the service check"
    if wait_re 'Capture   0/[1-9][0-9]* ok' 10; then
        ok "$f: the capture shows the client's attempts ($(screen | grep -o 'Capture   0/[0-9]* ok'))"
    else
        fail "$f: no attempt on the Capture line within 10 s"
    fi
    expect "$f: the evidence points to scenario 1" "*Scenario 1" "The evidence points to scenario 1"
    msg=$(screen | grep -o 'The evidence points to scenario 1:.*')
    case $msg in
    *RST*) ok "$f: the footer quotes the RST: $msg" ;;
    *) fail "$f: the footer should quote the RST every SYN gets: $msg" ;;
    esac
    lab_stop $f
fi
echo "# $f: $(($(date +%s) - t0)) s"

# --- router-drop: nothing reaches the server ----------------------------------
f=router-drop t0=$(date +%s)
if lab_start $f && count_router_syns; then
    expect "$f: the checks" "Listener  listening" "Firewall  open" "Service   running"
    # a SYN at once and again after 1 and 3 s: 3 dropped ones are 3 s of retries
    if wait_router_syns 3 20; then
        ok "$f: the router dropped $(router_syns) SYNs of the client"
    else
        fail "$f: the router saw $(router_syns) SYNs in 20 s, not 3"
    fi
    expect "$f: after those the server has seen no attempt" "Capture   0/0 ok"
    if screen | grep -qE '\*Scenario|The evidence points'; then
        fail "$f: the wizard points to a scenario with no SYN at the server"
    else
        ok "$f: the wizard points to no scenario (no SYN at the server)"
    fi
    lab_stop $f
fi
echo "# $f: $(($(date +%s) - t0)) s"

echo "# lab_wizard.sh: $FAILS failed, $(($(date +%s) - started)) s"
[ "$FAILS" -eq 0 ]
