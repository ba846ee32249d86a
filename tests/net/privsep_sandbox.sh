#!/bin/sh
# privsep_sandbox.sh: the least-privilege layout of the real wizard (run as
# root, in a tmux pane, inside a network namespace this script creates) and
# the live trace of several tshoot processes at once:
#   - the unprivileged wizard runs under seccomp (Seccomp: 2);
#   - the checks helper keeps only NET_ADMIN, NET_RAW, DAC_READ_SEARCH and
#     SYS_PTRACE (CapBnd 0000000000083004) with no_new_privs, and each helper
#     holds no descriptor but 0-2 and its own socket;
#   - the nft monitor the helper runs holds only 0, 1 (its pipe) and 2;
#   - kill -9 of the checks helper during a trace: its nft monitor goes, the
#     trace and then `r` say "the checks helper stopped" within a bound, and
#     the next trace removes the table it left;
#   - a wizard that never traced leaves another session's trace table alone;
#   - two `check --trace` at once, on different ports, each see their own SYNs
#     only, and neither loses its table.
# Namespaces: srv (198.51.100.1/24, where tshoot runs) and cli (.2, which
# sends the SYNs), removed on every path. Exits 0 pass, 1 fail, 77 skipped.
TSHOOT=${TSHOOT:-${BUILD:-build}/tshoot}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: privsep_sandbox.sh needs root"; exit 77; }
for t in ip nft python3; do
    command -v $t >/dev/null 2>&1 || { echo "SKIPPED: privsep_sandbox.sh needs $t"; exit 77; }
done
. tests/lib/tmux.sh
SRV=tshoot-sbx-srv-$$
CLI=tshoot-sbx-cli-$$
TMP=$(mktemp -d /tmp/tshoot-sbx.XXXXXX)
chmod 755 "$TMP"
BG=""
. tests/lib/netpair.sh
cleanup() {
    tmux_cleanup
    for p in $BG; do kill "$p" 2>/dev/null; done
    sleep 0.2
    for p in $BG; do kill -9 "$p" 2>/dev/null; done
    netpair_down
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

netpair_up privsep_sandbox.sh

# status PID FIELD: one field of /proc/PID/status
status() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status" 2>/dev/null; }
# syn PORT...: one SYN from cli to each PORT on srv
syn() { ip netns exec "$CLI" python3 -c '
import socket, sys
for p in sys.argv[1:]:
    s = socket.socket(); s.settimeout(1); s.connect_ex(("198.51.100.1", int(p))); s.close()' "$@"; }
# tables: the tshoot trace tables in srv, one line each
tables() { ip netns exec "$SRV" nft list tables 2>/dev/null | grep -o 'tshoot_trace[_0-9]*'; }
# until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds
until_ok() {
    n=$(($1 * 10)); shift
    while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
    return 1
}
gone() { ! kill -0 "$1" 2>/dev/null; }
# wait_panel TEXT SECONDS: TEXT in the right-hand panel, its wrapped lines joined
wait_panel() {
    n=$(($2 * 10))
    while [ $n -gt 0 ]; do
        screen | sed -n 's/^[^│]*│//p' | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1" && return 0
        sleep 0.1; n=$((n - 1))
    done
    return 1
}
has_table() { tables | grep -qx "$1"; }
# tracing TABLE: TABLE marks SYNs already (its rule goes in once the monitor listens)
tracing() { ip netns exec "$SRV" nft list table inet "$1" 2>/dev/null | grep -q 'nftrace set 1'; }
# check_table PID: prints the trace table of `tshoot check` PID, named after
# its checks helper (a child: check gives up root and asks it), once it marks
# SYNs; 1 until then
check_table() {
    for c in $(pgrep -P "$1"); do
        tracing "tshoot_trace_$c" && { echo "tshoot_trace_$c"; return 0; }
    done
    return 1
}
# fds_besides PID ALLOWED...: the descriptors of PID not in ALLOWED (as "N->target")
fds_besides() {
    p=$1; shift
    for f in /proc/$p/fd/*; do
        n=${f##*/}
        case " $* " in *" $n "*) continue ;; esac
        printf '%s->%s ' "$n" "$(readlink "$f")"
    done
}
# a drop for 445, so that the wizard's trace reports its SYN at once
printf 'table inet filter { chain input { type filter hook input priority 0; tcp dport 445 drop; }; }\n' |
    ip netns exec "$SRV" nft -f - || exit 1
# a trace by another session, in the background, for 30 s on port 7139
ip netns exec "$SRV" "$TSHOOT" check --json --port 7139 --trace 30 >"$TMP/other.json" 2>&1 &
OTHER=$!
BG="$BG $OTHER"
until_ok 5 check_table "$OTHER" >/dev/null || echo "# no table for check $OTHER yet: $(tables | tr '\n' ' ')"
OTHER_T=$(check_table "$OTHER")

## The wizard, root in srv
start "LANG=C.UTF-8 XDG_STATE_HOME=$TMP ip netns exec $SRV" 80 24 -i lo
expect "the wizard starts in the namespace" "Step 1/" "Listener  not_listening" "Firewall  blocked"
W=$(wizard_pid)
[ "$(status "$W" Seccomp)" = 2 ] && ok "the unprivileged wizard runs under seccomp (Seccomp: 2)" ||
    fail "wizard $W: Seccomp '$(status "$W" Seccomp)'"
# the checks helper is the first child forked, the report helper the second
CH=$(ps -o pid= --ppid "$W" --sort=start_time | head -1 | tr -d ' ')
SH=$(ps -o pid= --ppid "$W" --sort=start_time | sed -n 2p | tr -d ' ')
bnd=$(status "$CH" CapBnd) eff=$(status "$CH" CapEff) nnp=$(status "$CH" NoNewPrivs)
if [ "$bnd" = 0000000000083004 ] && [ "$eff" = 0000000000083004 ] && [ "$nnp" = 1 ]; then
    ok "the checks helper keeps only NET_ADMIN, NET_RAW, DAC_READ_SEARCH, SYS_PTRACE, with no_new_privs"
else
    fail "checks helper $CH: CapBnd $bnd CapEff $eff NoNewPrivs $nnp"
fi
for h in "$CH" "$SH"; do
    extra=$(fds_besides "$h" 0 1 2)
    if [ "$(echo "$extra" | wc -w)" = 1 ] && echo "$extra" | grep -q -- '->socket:'; then
        ok "helper $h holds only 0-2 and its own socket ($extra)"
    else
        fail "helper $h holds besides 0-2: $extra"
    fi
done

t send-keys -t w n n n
expect "the firewall step" "Step 4/4"
t send-keys -t w t
expect "t traces" "Tracing the firewall:"
M=""
until_ok 5 sh -c "pgrep -x -P $CH nft >/dev/null" && M=$(pgrep -x -P "$CH" nft | head -1)
if [ -n "$M" ]; then
    # besides 0, 2 and its pipe on 1, only the netlink sockets nft opened itself
    extra=""
    for f in $(fds_besides "$M" 0 2); do
        case "$f" in
            1-\>pipe:*) ;;
            *-\>socket:*) ino=${f##*socket:[}; ino=${ino%]}
                awk -v i="$ino" '$NF == i { f = 1 } END { exit !f }' "/proc/$M/net/netlink" || extra="$extra $f" ;;
            *) extra="$extra $f" ;;
        esac
    done
    [ -n "$(fds_besides "$M" 0 2 | grep -o '1->pipe:')" ] || extra="$extra (no pipe on 1)"
    [ -z "$extra" ] && ok "the helper's nft monitor holds only 0, its pipe on 1, 2 and its own netlink socket" ||
        fail "nft monitor $M also holds:$extra"
else
    fail "no nft monitor under the checks helper $CH"
fi
until_ok 5 tracing "tshoot_trace_$CH" || fail "no table tshoot_trace_$CH marking SYNs while the wizard traces"
syn 445
if wait_for "1 SYN(s) seen" 5; then ok "the wizard's trace sees the SYN to 445"; else fail "the wizard's trace saw no SYN"; fi

kill -9 "$CH"
if [ -n "$M" ] && until_ok 3 gone "$M"; then ok "kill -9 of the tracing helper: its nft monitor goes too"
else fail "nft monitor $M still there 3 s after the helper was killed"; fi
if wait_panel "Trace finished: 1 SYN(s) seen. the checks helper stopped" 2; then
    ok "the trace says the checks helper stopped"
else
    fail "the trace did not say the helper stopped within 2 s"
fi
t send-keys -t w r
if wait_for "Listener  unknown" 2 && wait_panel "unknown: the checks helper stopped" 1; then
    ok "r after the helper died: the checks say it stopped within 2 s"
else
    fail "r after the helper died: no 'checks helper stopped' within 2 s"
fi
has_table "tshoot_trace_$CH" && ok "the killed helper left its table tshoot_trace_$CH" ||
    echo "# the killed helper left no table (tables: $(tables | tr '\n' ' '))"
t send-keys -t w q
expect "the wizard quits" "EXITED=0"
has_table "$OTHER_T" && ok "the other session's trace table outlived the wizard" ||
    fail "the other session's table is gone after the wizard quit: $(tables | tr '\n' ' ')"

## A wizard that never traces leaves the other sessions' tables alone
ip netns exec "$SRV" "$TSHOOT" check --json --port 7140 --trace 12 >"$TMP/other2.json" 2>&1 &
OTHER2=$!
BG="$BG $OTHER2"
until_ok 5 check_table "$OTHER2" >/dev/null || fail "no table for check $OTHER2, the second trace"
OTHER2_T=$(check_table "$OTHER2")
start "LANG=C.UTF-8 XDG_STATE_HOME=$TMP ip netns exec $SRV" 80 24 -i lo
expect "a second wizard starts" "Step 1/" "Firewall  blocked"
t send-keys -t w q
expect "it quits without tracing" "EXITED=0"
has_table "$OTHER2_T" && ok "a wizard that never traced left $OTHER2_T alone" ||
    fail "the other session's table is gone after a wizard that never traced: $(tables | tr '\n' ' ')"
syn 7139 7140
wait "$OTHER" "$OTHER2"
for x in "other 7139" "other2 7140"; do
    set -- $x
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if [e["dport"] for e in d["trace"]] == [int(sys.argv[2])] and not d.get("trace_error") else 1)' \
        "$TMP/$1.json" "$2" && ok "the other session's trace of $2 still caught its SYN at the end, and only that" ||
        fail "the other session's trace of $2: $(head -c 400 "$TMP/$1.json")"
done

## Two traces at once, on two ports
ip netns exec "$SRV" "$TSHOOT" check --json --port 8445 --trace 4 >"$TMP/a.json" 2>&1 &
A=$!
ip netns exec "$SRV" "$TSHOOT" check --json --port 8139 --trace 4 >"$TMP/b.json" 2>&1 &
B=$!
BG="$BG $A $B"
until_ok 3 check_table "$A" >/dev/null && until_ok 3 check_table "$B" >/dev/null
A_T=$(check_table "$A")
B_T=$(check_table "$B")
during=$(tables | tr '\n' ' ')
sleep 0.3
syn 8445 8139 8445 8139
sleep 0.5
both=$(tables | tr '\n' ' ')
wait "$A" "$B"
if [ -n "$A_T" ] && [ -n "$B_T" ] && echo " $both " | grep -q " $A_T " && echo " $both " | grep -q " $B_T "; then
    ok "both trace tables stay while both trace ($both)"
else
    fail "tables while both trace: '$both' (at the start: '$during')"
fi
for x in "a 8445 8139" "b 8139 8445"; do
    set -- $x
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); mine, other = int(sys.argv[2]), int(sys.argv[3])
ports = [e["dport"] for e in d["trace"]]
sys.exit(0 if ports.count(mine) == 2 and other not in ports else 1)' "$TMP/$1.json" "$2" "$3" &&
        ok "the trace of port $2 sees its own 2 SYNs and none to $3" ||
        fail "the trace of port $2: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([(e["dport"], e["verdict"]) for e in d["trace"]], d.get("trace_error"))' "$TMP/$1.json" 2>&1)"
done

## The next trace removes the table the killed helper left
ip netns exec "$SRV" "$TSHOOT" check --json --port 9 --trace 1 >/dev/null 2>&1
left=$(tables | tr '\n' ' ')
[ -z "$left" ] && ok "the next trace removed the stale table; no trace table left" || fail "tables left: $left"

[ $FAILS -eq 0 ] || { echo "privsep_sandbox.sh: $FAILS failed"; exit 1; }
echo "privsep_sandbox.sh: all passed"
