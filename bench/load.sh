#!/bin/bash
# load.sh: `make bench-load` (issue 5, "Load"). A SYN flood of at least
# 100,000 distinct SYNs per second at the server's port 445, plus unrelated
# bulk TCP traffic, between two network namespaces this script makes itself
# (flooder and server, one veth pair, 198.51.100.0/24 only); measured side
# by side in one run:
#   - the flood rate achieved (bench/synflood.c, built here with cc);
#   - the wizard's keypress-to-redraw latency in tmux at 80x24 (`n` until
#     "Step 2/" shows, `p` until "Step 1/" shows), first without load (the
#     baseline), then during the flood: median and max in ms, and the ratio;
#   - the peak RSS (VmHWM) of the wizard process (the tshoot child of the
#     pane's shell, not its privileged helpers) and of `tshoot watch --json`
#     run during the flood, against the capture engine's 32 MiB budget;
#   - the drops: watch's JSON "drops" beside the SYNs it missed (sent minus
#     attempts counted), and whether the wizard's screen shows drop counts
#     (its left panel, header and footer; the drops its engine counted are
#     read from its session report, written on q, for comparison);
#   - the size of the evidence pcap the wizard wrote beside that report.
# The last line says which targets were met:
#   flood >= LOAD_MIN_RATE (100000) SYN/s; every keypress redrawn, median under
#   load <= LOAD_MAX_MEDIAN_MS (200) and max <= LOAD_MAX_MS (1000);
#   peak RSS <= 32 MiB for both; drops reported (watch: the "drops" key, and
#   SYNs missed <= drops reported; wizard: a drop count on screen).
# The keypress figures include the cost of polling with capture-pane, which
# is printed too (the floor of the measure). Like bench/run.sh, the run
# prints figures and exits 0 when it completed, met or not (LOAD_STRICT=1:
# exit 1 when a target was missed); 2 when the setup failed; 0 with
# "SKIPPED" when not root or a tool is missing.
#
# Safety: traffic only ever goes to 198.51.100.1 inside the server namespace
# made here (synflood refuses anything outside 198.51.100.0/24 and
# 2001:db8::/32 by itself); its source addresses 198.51.100.128/25 are owned
# by the flooder namespace (a local route), so any answer (RSTs with
# LOAD_SERVER=rst) goes back to it. Everything is bounded in count and time, and removed on every exit path
# (trap): processes started here (by pid), the tmux server, the namespaces
# (and with them the veth pair).
#
# Knobs: BUILD (build-load), LOAD_RATE (150000: asked; the floor is 100000),
# LOAD_SECONDS (10), LOAD_KEYS (10 key pairs without load, up to 20 with),
# LOAD_KEEP=1 keeps the logs, screens and the wizard's session report,
# LOAD_BULK_MB (4000: cap of the bulk stream, which also stops with the flood),
# LOAD_BULK_MBPS (50 MB/s, i.e. 400 Mbit/s; 0 unpaced: on 2 CPUs an unpaced
# stream over the veth takes a whole CPU and the flood then falls short),
# LOAD_SERVER (drop: an nft rule in the server namespace drops the SYNs, the
# playbook's Scenario 1; rst: no rule, the server's kernel answers each SYN
# with a RST, which doubles the packets to capture and, on 2 CPUs, keeps the
# flood below 100,000/s while two captures run).
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build-load}
CC=${CC:-cc}
TSHOOT=$PWD/$BUILD/tshoot
RATE=${LOAD_RATE:-150000}
SECONDS_FLOOD=${LOAD_SECONDS:-10}
KEYS=${LOAD_KEYS:-10}
BULK_MB=${LOAD_BULK_MB:-4000}
BULK_MBPS=${LOAD_BULK_MBPS:-50}
SERVER=${LOAD_SERVER:-drop}
MIN_RATE=${LOAD_MIN_RATE:-100000}
MAX_MEDIAN_MS=${LOAD_MAX_MEDIAN_MS:-200}
MAX_MS=${LOAD_MAX_MS:-1000}
BUDGET_KIB=$((32 * 1024))

say() { echo "bench-load: $*"; }
[ "$(id -u)" = 0 ] || { say "SKIPPED: needs root (network namespaces, raw sockets)"; exit 0; }
for tool in ip tmux nc "$CC" /usr/bin/time $( [ "${LOAD_SERVER:-drop}" = drop ] && echo nft); do
    command -v "$tool" >/dev/null 2>&1 || { say "SKIPPED: $tool is not installed (scripts/deps.sh test)"; exit 0; }
done
[ -x "$TSHOOT" ] || { say "build tshoot first (make BUILD=$BUILD)" >&2; exit 2; }

TAG=$$
NS_F=tsload$TAG-flood NS_S=tsload$TAG-srv
VF=tlf$TAG VS=tls$TAG               # veth ends (<= 15 characters)
SRV=198.51.100.1 FLD=198.51.100.2 SRCS=198.51.100.128/25
SOCK=tsload-$TAG
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tsload.XXXXXX") || exit 2
PIDS=""

cleanup() {
    trap - EXIT INT TERM HUP
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    tmux -L "$SOCK" kill-server 2>/dev/null
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
    # whatever still runs inside our own namespaces was started by us
    for ns in "$NS_F" "$NS_S"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
    done
    sleep 0.2
    for ns in "$NS_F" "$NS_S"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    ip link del "$VF" 2>/dev/null
    if [ -n "${LOAD_KEEP:-}" ]; then echo "bench-load: logs kept in $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# ---- the namespaces ----------------------------------------------------------
"$CC" -O2 -std=c11 -Wall -Wextra -o "$TMP/synflood" bench/synflood.c || { say "synflood does not build"; exit 2; }
set -e
ip netns add "$NS_F"
ip netns add "$NS_S"
ip link add "$VF" type veth peer name "$VS"
ip link set "$VF" netns "$NS_F"
ip link set "$VS" netns "$NS_S"
ip -n "$NS_F" addr add "$FLD/24" dev "$VF"
ip -n "$NS_S" addr add "$SRV/24" dev "$VS"
for ns in "$NS_F" "$NS_S"; do ip -n "$ns" link set lo up; done
ip -n "$NS_F" link set "$VF" up
ip -n "$NS_S" link set "$VS" up
ip -n "$NS_F" route add local "$SRCS" dev lo   # the flood's sources belong to the flooder
set +e
if [ "$SERVER" = drop ]; then
    # Scenario 1 of the playbook: the server's firewall drops the SYNs to 445
    # silently (the capture still sees them: it taps the device before nft).
    printf '%s\n' 'table inet tsload {' \
        '    chain input { type filter hook input priority 0; tcp dport 445 drop; }' '}' |
        ip netns exec "$NS_S" nft -f - || { say "nft failed (LOAD_SERVER=rst runs without it)"; exit 2; }
fi

# ---- the wizard in tmux --------------------------------------------------------
t() { tmux -L "$SOCK" "$@"; }
screen() { t capture-pane -p -t w; }
t -f /dev/null new-session -d -s w -x 80 -y 24 \
    "cd '$PWD' && env LC_ALL= LANG=C.UTF-8 ip netns exec '$NS_S' '$TSHOOT' wizard -p playbooks/smb-tcp-handshake.ini -i '$VS' --report '$TMP/session.json'; echo EXITED=\$?; sleep 60"
wait_for() { # TEXT SECONDS
    local end=$((SECONDS + $2))
    while [ $SECONDS -lt $end ]; do screen | grep -qF -- "$1" && return 0; sleep 0.1; done
    return 1
}
wait_for "Step 1/" 10 || { say "the wizard did not start:"; screen; exit 2; }
# the wizard: the first tshoot below the pane's shell (its helpers are its children)
wizard_pid() {
    local p c
    p=$(t list-panes -t w -F '#{pane_pid}')
    for _ in 1 2 3 4; do
        c=$(pgrep -P "$p" | head -1)
        [ -n "$c" ] || return 1
        if [ "$(cat /proc/"$c"/comm 2>/dev/null)" = tshoot ]; then echo "$c"; return 0; fi
        p=$c
    done
    return 1
}
WPID=$(wizard_pid) || { say "no wizard process found"; exit 2; }
sleep 1   # first checks and capture under way

# keys FILE PAIRS [WHILE_PID]: PAIRS times `n` then `p`, each timed from
# send-keys until the screen shows the next step; appends ms to FILE (5000
# and a note when the redraw never came). Stops early when WHILE_PID ends.
keys() {
    local file=$1 pairs=$2 while_pid=${3:-} i=0 key want t0 t1 us
    while [ $i -lt "$pairs" ]; do
        [ -n "$while_pid" ] && ! kill -0 "$while_pid" 2>/dev/null && break
        for key in n p; do
            [ $key = n ] && want="Step 2/" || want="Step 1/"
            t0=${EPOCHREALTIME/./}
            t send-keys -t w "$key"
            while ! screen | grep -qF "$want"; do
                if [ $((${EPOCHREALTIME/./} - t0)) -gt 5000000 ]; then
                    echo "no redraw within 5 s after '$key'" >>"$TMP/freeze"; break
                fi
            done
            t1=${EPOCHREALTIME/./}
            us=$((t1 - t0))
            printf '%d.%d\n' $((us / 1000)) $((us % 1000 / 100)) >>"$file"
            sleep 0.$((RANDOM % 150 + 100))    # 0.10-0.25 s apart, off the 100 ms snapshot beat
        done
        i=$((i + 1))
    done
}
stats() { # FILE: "n median max"
    sort -n "$1" | awk '{ v[NR] = $1 } END { if (!NR) { print "0 n/a n/a"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%d %.1f %.1f\n", NR, m, v[NR] }'
}

# poll_cost FILE: the time of 10 bare capture-pane calls (the floor of the measure)
poll_cost() {
    local i t0
    for i in 1 2 3 4 5 6 7 8 9 10; do
        t0=${EPOCHREALTIME/./}; screen >/dev/null
        echo $(( (${EPOCHREALTIME/./} - t0) / 100 )) | awk '{ printf "%.1f\n", $1 / 10 }' >>"$1"
    done
}
# cpu_ticks PID: user + system clock ticks of a process so far
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

: >"$TMP/base.ms"; : >"$TMP/load.ms"; : >"$TMP/freeze"; : >"$TMP/base.poll"; : >"$TMP/load.poll"
poll_cost "$TMP/base.poll"
keys "$TMP/base.ms" "$KEYS"

# ---- the load ----------------------------------------------------------------------
ip netns exec "$NS_S" sh -c 'cat /sys/class/net/$1/statistics/rx_packets' _ "$VS" >"$TMP/rx0"
# watch: the whole flood and a little more
WATCH_S=$((SECONDS_FLOOD + 4))
ip netns exec "$NS_S" /usr/bin/time -f '%U %S %M' -o "$TMP/watch.time" \
    "$TSHOOT" watch --json --duration "$WATCH_S" -i "$VS" >"$TMP/watch.json" 2>"$TMP/watch.err" &
WATCHPID=$!; PIDS="$PIDS $WATCHPID"
# bulk: a plain TCP stream to port 5001, bounded in size and time, paced at
# about BULK_MBPS MB/s (0: as fast as it goes) in chunks every 0.1 s
bulk() {
    local end=$((SECONDS + SECONDS_FLOOD)) sent=0 chunk=$((BULK_MBPS / 10))
    [ "$BULK_MBPS" -gt 0 ] || { timeout "$SECONDS_FLOOD" dd if=/dev/zero bs=1M count="$BULK_MB" status=none; return; }
    [ $chunk -ge 1 ] || chunk=1
    while [ $SECONDS -lt $end ] && [ $sent -lt "$BULK_MB" ]; do
        dd if=/dev/zero bs=1M count=$chunk status=none || return
        sent=$((sent + chunk)); sleep 0.1
    done
}
timeout $((SECONDS_FLOOD + 6)) ip netns exec "$NS_S" nc -l -p 5001 2>/dev/null | wc -c >"$TMP/bulk.bytes" &
PIDS="$PIDS $!"
sleep 1
(bulk | timeout $((SECONDS_FLOOD + 2)) ip netns exec "$NS_F" nc -N "$SRV" 5001 2>/dev/null) &
BULKPID=$!; PIDS="$PIDS $BULKPID"
COUNT=$((RATE * SECONDS_FLOOD))
ip netns exec "$NS_F" "$TMP/synflood" -d "$SRV" -p 445 -s "$SRCS" -n "$COUNT" -r "$RATE" \
    -t "$SECONDS_FLOOD" -b 256 >"$TMP/flood.out" 2>&1 &
FLOODPID=$!; PIDS="$PIDS $FLOODPID"
W_CPU0=$(cpu_ticks "$WPID")
sleep 1
poll_cost "$TMP/load.poll"
keys "$TMP/load.ms" $((KEYS * 2)) "$FLOODPID"
screen >"$TMP/screen.load"
wait "$FLOODPID"
W_CPU1=$(cpu_ticks "$WPID")
screen >"$TMP/screen.after"
ip netns exec "$NS_S" sh -c 'cat /sys/class/net/$1/statistics/rx_packets' _ "$VS" >"$TMP/rx1"
wait "$BULKPID"
wait "$WATCHPID"
sleep 0.5   # the wizard's last snapshot
screen >"$TMP/screen.end"
W_HWM=$(awk '/^VmHWM/ { print $2 }' /proc/"$WPID"/status 2>/dev/null)
W_RSS=$(awk '/^VmRSS/ { print $2 }' /proc/"$WPID"/status 2>/dev/null)
W_ALIVE=yes; kill -0 "$WPID" 2>/dev/null || W_ALIVE=no
t send-keys -t w q
wait_for "EXITED=" 5 >/dev/null; W_EXIT=$(screen | sed -n 's/.*EXITED=\([0-9]*\).*/\1/p' | head -1)

# ---- the figures ---------------------------------------------------------------------
num() { awk -v v="${1:-}" 'BEGIN { exit !(v ~ /^[0-9]+(\.[0-9]+)?$/) }'; }
ok_if() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }
mib() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo "machine: $(uname -sm), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
SENT=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' "$TMP/flood.out")
FRATE=$(sed -n 's/.*: \([0-9]*\) SYN\/s.*/\1/p' "$TMP/flood.out")
echo "flood: $(cat "$TMP/flood.out") (server: $SERVER)"
num "$FRATE" || { FRATE=0; SENT=0; }
RX=$(( $(cat "$TMP/rx1") - $(cat "$TMP/rx0") ))
BULK=$(cat "$TMP/bulk.bytes" 2>/dev/null || echo 0)
echo "server veth received $RX packets during the flood; bulk stream: $(mib $((BULK / 1024))) MiB to port 5001 in ~$SECONDS_FLOOD s (paced at $BULK_MBPS MB/s, 0: unpaced)"

read -r bn bmed bmax < <(stats "$TMP/base.ms")
read -r ln lmed lmax < <(stats "$TMP/load.ms")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "keypress-to-redraw without load: median $bmed ms, max $bmax ms ($bn keys)"
echo "keypress-to-redraw during flood: median $lmed ms, max $lmax ms ($ln keys)"
echo "ratio flood / no load: median $(ratio "$lmed" "$bmed"), max $(ratio "$lmax" "$bmax")"
read -r _ bpoll _ < <(stats "$TMP/base.poll"); read -r _ lpoll _ < <(stats "$TMP/load.poll")
echo "one bare tmux capture-pane (the measure's own floor): median $bpoll ms without load, $lpoll ms during flood"
FREEZES=$(wc -l <"$TMP/freeze" 2>/dev/null || echo 0)
[ "$FREEZES" -gt 0 ] && echo "wizard: $FREEZES keypress(es) never redrawn within 5 s"
echo "wizard peak RSS (VmHWM, pid $WPID): $(mib "$W_HWM") MiB (now $(mib "$W_RSS") MiB; alive after the flood: $W_ALIVE, exit status on q: ${W_EXIT:-none})   budget 32 MiB"
read -r WU WS WT < <(tail -n 1 "$TMP/watch.time" 2>/dev/null)
echo "watch peak RSS: $(mib "$WT") MiB   budget 32 MiB"
echo "CPU during the flood: wizard $(awk -v t=$((W_CPU1 - W_CPU0)) -v h="$HZ" 'BEGIN { printf "%.2f", t / h }') s (keys and capture, ~$SECONDS_FLOOD s of flood);" \
     "watch $(awk -v u="${WU:-0}" -v s="${WS:-0}" 'BEGIN { printf "%.2f", u + s }') s in its $WATCH_S s run (user ${WU:-?}, sys ${WS:-?})"

jget() { printf '%s' "$json" | grep -o "$1" | head -1 | grep -o '[0-9]*$'; }
# The wizard's own session report (written on q): what its engine knew.
json=$(tr -d ' \n' <"$TMP/session.json" 2>/dev/null)
WK=$(jget '"kernel_drops":[0-9]*') WI=$(jget '"interface_drops":[0-9]*')
WP=$(jget '"packets":[0-9]*') WA=$(printf '%s' "$json" | grep -o '"capture":{.*' | grep -o '"flows":{"total":[0-9]*' | head -1 | grep -o '[0-9]*$')
if [ -n "$WK" ]; then
    echo "wizard session report: kernel_drops $WK, interface_drops ${WI:-?}; packets ${WP:-?}, attempts ${WA:-?} of $SENT SYNs sent (missed $(( SENT - ${WA:-0} )))"
else
    echo "wizard session report: not written or no kernel_drops in it ($TMP/session.json)"
fi
json=$(tr -d ' \n' <"$TMP/watch.json")
KDROP=$(jget '"drops":{"kernel":[0-9]*')
IDROP=$(jget '"drops":{"kernel":[0-9]*,"interface":[0-9]*')
ATT=$(jget '"flows":{"total":[0-9]*')
PKTS=$(jget '"packets":[0-9]*')
if [ -n "$KDROP" ]; then
    MISSED=$(( SENT > ${ATT:-0} ? SENT - ${ATT:-0} : 0 ))
    echo "watch: drops kernel $KDROP, interface ${IDROP:-?}; packets $PKTS, attempts ${ATT:-?} of $SENT SYNs sent (missed $MISSED)"
else
    MISSED=$SENT
    echo "watch: no \"drops\" in its JSON (exit: $(head -c 300 "$TMP/watch.err"))"
fi
if [ -f "$TMP/session.pcap" ]; then
    echo "wizard evidence pcap (beside its report): $(mib $(( $(stat -c %s "$TMP/session.pcap") / 1024 ))) MiB after this run"
fi
# The wizard's panel: its capture row, and a drop count in the left panel,
# the header or the footer (not in the step text, which is the playbook's).
panel() { sed 's/│.*//' "$1"; }
echo "wizard capture row during flood: $(panel "$TMP/screen.load" | grep -o 'Capture  .*' | head -1 | sed 's/ *$//')"
echo "wizard capture row after flood:  $(panel "$TMP/screen.end" | grep -o 'Capture  .*' | head -1 | sed 's/ *$//')"
if { panel "$TMP/screen.load"; panel "$TMP/screen.end"; } | grep -qiE 'drop|lost|perdu'; then
    W_DROPS=yes; echo "wizard screen shows drops: $({ panel "$TMP/screen.end"; panel "$TMP/screen.load"; } | grep -iE 'drop|lost|perdu' | head -1 | sed 's/ *$//')"
else
    W_DROPS=no; echo "wizard screen shows drops: no (no drop count on the 80x24 screen)"
fi

res_rate=$(ok_if "$FRATE >= $MIN_RATE")
res_keys=MISSED
if [ "$FREEZES" = 0 ] && [ "$ln" -gt 0 ] && num "$lmed"; then
    res_keys=$(ok_if "$lmed <= $MAX_MEDIAN_MS && $lmax <= $MAX_MS")
fi
res_wrss=MISSED; num "$W_HWM" && res_wrss=$(ok_if "$W_HWM <= $BUDGET_KIB")
res_vrss=MISSED; num "$WT" && res_vrss=$(ok_if "$WT <= $BUDGET_KIB")
res_wdrop=MISSED; [ -n "$KDROP" ] && res_wdrop=$(ok_if "$MISSED <= $KDROP + ${IDROP:-0}")
res_zdrop=MISSED; [ "$W_DROPS" = yes ] && res_zdrop=met
echo "targets: flood >= $MIN_RATE SYN/s $res_rate; wizard keys (median <= $MAX_MEDIAN_MS ms, max <= $MAX_MS ms, none lost) $res_keys;" \
     "wizard RSS <= 32 MiB $res_wrss; watch RSS <= 32 MiB $res_vrss; watch drops reported $res_wdrop; wizard drops shown $res_zdrop"
if [ -n "${LOAD_STRICT:-}" ]; then
    case "$res_rate$res_keys$res_wrss$res_vrss$res_wdrop$res_zdrop" in *MISSED*) exit 1 ;; esac
fi
exit 0
