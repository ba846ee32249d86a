#!/bin/sh
# lab_faults.sh: every fault of the scenario lab (tests/lab/lab.sh), diagnosed
# end to end with a real smbd. For each fault:
#   1. the lab comes up with the fault (its own namespaces: LAB_TAG=tsl<pid>,
#      its own state directory, so a trainer's `make lab` is never touched);
#   2. `tshoot watch --json --write X.pcap` runs in the server and in the
#      client namespace at the same time (each waited for until it says it
#      listens, tests/lib/watch.sh) while the client makes exactly one TCP
#      connection attempt (tests/lib/tcp_try.py: one connect(), so the counts
#      depend on the fault only, not on how often a real client retries); the
#      watches end on SIGINT once the attempt is over: how the attempt ended,
#      exit status, verdict code, scenario and class counts of each vantage,
#      and who sent the ICMP error where there is one; in the healthy lab the
#      real smbclient then lists the share;
#   3. `tshoot analyze --json` on each written capture gives the same code as
#      the live watch, and on the pair (client.pcap server.pcap) gives the
#      two-capture verdict;
#   4. `tshoot check --json` in the server namespace: listener state and owner,
#      service, firewall state and the lab's rule (table inet tshoot_lab).
# The router-drop faults run a second round for path_drop: an empty server
# capture cannot vouch that it ran while the SYN was lost (the engine needs
# packets around the SYN's time), so the client tries once with the
# router's drop lifted, once with it (given up after 1.5 s), once lifted
# again; both captures see the two working attempts, the server never sees
# the lost one.
#
# The service probe reads the host's process table (ip netns exec makes no
# PID namespace): it sees any smbd on the machine, so "stopped" is asserted
# only when no smbd runs anywhere on the host.
#
# Exit 0 pass, 1 fail, 77 skipped (not root, no network namespaces, a tool
# missing). LAB_TEST_FAULTS (space separated) runs only those faults.
set -u
cd "$(dirname "$0")/../.." || exit 1
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
skip() { echo "SKIPPED: lab_faults.sh: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, nft, packet capture)"
for t in ip nft smbd smbclient ss python3 timeout; do
    command -v $t >/dev/null 2>&1 || skip "$t is not installed"
done
[ -x "$TSHOOT" ] || { echo "not ok - no tshoot binary at $TSHOOT"; exit 1; }
# the interpreter itself, not a version manager's shim (one start per value read)
PY=$(python3 -c 'import sys; print(sys.executable)')

LAB_TAG=tsl$$
TMP=$(mktemp -d /tmp/tshoot-labfaults.XXXXXX) || exit 1
LAB_STATE=$TMP/state
LAB_SOURCED=1
export LAB_TAG LAB_STATE
. tests/lab/lab.sh
. tests/lib/watch.sh
BG=""
cleanup() {
    trap '' INT TERM HUP
    for p in $BG; do kill "$p" 2>/dev/null; done
    lab_down
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! ip netns add "$LAB_TAG-probe" 2>/dev/null; then skip "ip netns add failed (no network namespace support)"; fi
ip netns del "$LAB_TAG-probe"

FAILS=0
ok() { echo "ok - $1"; }
bad() { echo "not ok - $1"; FAILS=$((FAILS + 1)); }

# jv FILE EXPR: a value of the JSON in FILE (python expression on d); null for
# None, compact JSON for lists and objects, "<no json>" when FILE is not JSON.
jv() {
    "$PY" - "$1" "$2" <<'PY' 2>/dev/null || echo "<no json>"
import json, sys
d = json.load(open(sys.argv[1]))
try:
    v = eval(sys.argv[2])
except (KeyError, IndexError, TypeError):
    v = "<missing>"
print("null" if v is None else v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
PY
}

# is NAME ACTUAL EXPECTED: EXPECTED may be "A|B" (either).
is() {
    case "|$3|" in *"|$2|"*) ok "$1: $2" ;; *) bad "$1: got '$2', expected '$3'" ;; esac
}

# flows FILE: the class counts as total,established,synack_no_ack,refused,unreachable,syn_no_synack
flows() {
    jv "$1" '",".join(str(d["flows"][k]) for k in ("total","established","synack_no_ack","refused","unreachable","syn_no_synack"))'
}

# watch_start NS FILE: tshoot watch in NS, JSON to FILE.json and the capture
# to FILE.pcap; returns once it says it listens (pid in $wpid). It runs until
# watch_stop (SIGINT), WATCH_MAX_SECONDS at most.
watch_start() {
    ip netns exec "$1" "$TSHOOT" watch --json --duration "$WATCH_MAX_SECONDS" --write "$2.pcap" >"$2.json" 2>"$2.err" &
    wpid=$!; BG="$BG $wpid"
    watch_ready "$wpid" "$2.err" && return 0
    bad "watch in $1 did not say it listens within $WATCH_READY_SECONDS s: $(cat "$2.err")"
    kill "$wpid" 2>/dev/null
    return 1
}

# router_pass on|off: lifts the router's drop for a while (an accept rule
# inserted before the lab's rule in its table), or removes that accept rule.
router_pass() {
    if [ "$1" = on ]; then
        lab_in "$LAB_R" nft insert rule inet tshoot_lab forward tcp dport 445 accept comment '"lab_faults pass"'
    else
        h=$(lab_in "$LAB_R" nft -a list chain inet tshoot_lab forward | sed -n 's/.*lab_faults pass.*# handle \([0-9]*\).*/\1/p')
        [ -n "$h" ] && lab_in "$LAB_R" nft delete rule inet tshoot_lab forward handle "$h"
    fi
}

# server_of FAMILY: the server's address for that IP version.
server_of() { if [ "$1" = 6 ]; then echo "$LAB_SERVER6"; else echo "$LAB_SERVER4"; fi; }

# tcp_try FAMILY SECONDS: exactly one TCP attempt from the client to 445,
# given up after SECONDS; prints established, refused, unreachable or timeout.
tcp_try() { lab_in "$LAB_C" "$PY" tests/lib/tcp_try.py "$(server_of "$1")" 445 "$2"; }

# outcome_for CODE: how the client's one attempt ends under a client verdict.
outcome_for() {
    case $1 in
    handshake_ok) echo established ;;
    syn_no_synack) echo timeout ;;
    *) echo "$1" ;;
    esac
}

# Expected per fault (a scenario of - is JSON null; flows are total,established,
# synack_no_ack,refused,unreachable,syn_no_synack):
# fault | server code scenario flows | client code scenario flows | pair code scenario | listener firewall check-exit
EXPECT='
healthy|handshake_ok - 1,1,0,0,0,0|handshake_ok - 1,1,0,0,0,0|handshake_ok -|listening open 0
server-drop|syn_no_synack 1 1,0,0,0,0,1|syn_no_synack - 1,0,0,0,0,1|syn_no_synack 1|listening blocked 1
server-reject-rst|refused 1 1,0,0,1,0,0|refused 1 1,0,0,1,0,0|refused 1|listening blocked 1
server-reject-icmp|unreachable 1 1,0,0,0,1,0|unreachable 1 1,0,0,0,1,0|unreachable 1|listening blocked 1
smbd-stopped|refused 1 1,0,0,1,0,0|refused 1 1,0,0,1,0,0|refused 1|not_listening open 1
smbd-loopback|refused 1 1,0,0,1,0,0|refused 1 1,0,0,1,0,0|refused 1|loopback_only open 1
router-drop|no_syn - 0,0,0,0,0,0|syn_no_synack - 1,0,0,0,0,1|syn_no_synack -|listening open 0
router-reject|no_syn - 0,0,0,0,0,0|unreachable 2 1,0,0,0,1,0|unreachable 2|listening open 0
router-drop-synack|synack_no_ack 1 1,0,1,0,0,0|syn_no_synack - 1,0,0,0,0,1|return_path_drop 2|listening open 0
server-drop-v6|syn_no_synack 1 1,0,0,0,0,1|syn_no_synack - 1,0,0,0,0,1|syn_no_synack 1|listening blocked 1
router-drop-v6|no_syn - 0,0,0,0,0,0|syn_no_synack - 1,0,0,0,0,1|syn_no_synack -|listening open 0
'
# the ICMP error's sender as the client sees it (address type code)
icmp_from() {
    case $1 in
    server-reject-icmp) echo "$LAB_SERVER4 3 13" ;;
    router-reject) echo "198.51.100.1 3 13" ;;
    esac
}

# exit status of watch/analyze for a code: 0 healthy, 1 a problem
status_for() { case $1 in handshake_ok) echo 0 ;; no_syn) echo "0|1" ;; *) echo 1 ;; esac; }
scen() { [ "$1" = - ] && echo null || echo "$1"; }

# vantage NAME FILE RC CODE SCENARIO FLOWS: the assertions on one watch report.
vantage() {
    is "$f: $1 watch exit status" "$3" "$(status_for "${4}")"
    is "$f: $1 verdict" "$(jv "$2" 'd["verdict"]["code"]')" "$4"
    is "$f: $1 scenario" "$(jv "$2" 'd["verdict"]["scenario"]')" "$(scen "$5")"
    is "$f: $1 flows (total,est,synack_no_ack,refused,unreach,syn_no_synack)" "$(flows "$2")" "$6"
}

started=$(date +%s)
for f in ${LAB_TEST_FAULTS:-$LAB_FAULTS}; do
    line=$(echo "$EXPECT" | grep "^$f|")
    [ -n "$line" ] || { bad "$f: a fault of lab.sh with no expectation here"; continue; }
    IFS='|' read -r f srv cli pair host <<LINE
$line
LINE
    t0=$(date +%s)
    fam=$(lab_family "$f")
    d=$TMP/$f; mkdir -p "$d"
    if ! lab_up "$f" >"$d/up.log" 2>&1; then
        bad "$f: the lab did not come up: $(cat "$d/up.log")"; continue
    fi
    set -- $srv; s_code=$1 s_scen=$2 s_flows=$3
    set -- $cli; c_code=$1 c_scen=$2 c_flows=$3
    set -- $pair; p_code=$1 p_scen=$2
    set -- $host; listener=$1 firewall=$2 check_rc=$3

    # 1. both vantages at once while the client makes one attempt (2 s: the
    # SYN and its retransmission at 1 s when nothing answers)
    watch_start "$LAB_S" "$d/server" && ws=$wpid &&
    watch_start "$LAB_C" "$d/client" && wc=$wpid || { lab_down; continue; }
    is "$f: the client's one attempt ends" "$(tcp_try "$fam" 2)" "$(outcome_for "$c_code")"
    watch_stop "$ws" "$wc"
    wait "$ws"; s_rc=$?
    wait "$wc"; c_rc=$?
    vantage server "$d/server.json" "$s_rc" "$s_code" "$s_scen" "$s_flows"
    vantage client "$d/client.json" "$c_rc" "$c_code" "$c_scen" "$c_flows"
    if [ -n "$(icmp_from "$f")" ]; then
        set -- $(icmp_from "$f")
        is "$f: client sees the ICMP error from" \
            "$(jv "$d/client.json" '" ".join(str(u[k]) for u in d["unreachable_from"] for k in ("address","type","code"))')" "$*"
    fi
    if [ "$f" = healthy ]; then
        # the real client does its real job: smbclient lists the share
        lab_in "$LAB_C" timeout 20 smbclient -N -p 445 -m SMB3 -t 10 "//$(server_of "$fam")/lab" -c ls >"$d/smbclient.txt" 2>&1
        sm_rc=$?
        if [ $sm_rc = 0 ] && grep -q 'blocks of size' "$d/smbclient.txt"; then
            ok "$f: smbclient lists the share"
        else
            bad "$f: smbclient did not list the share (exit $sm_rc): $(tail -3 "$d/smbclient.txt")"
        fi
    fi

    # 2. the written captures, one by one (same code as live) and as a pair
    for v in server client; do
        "$TSHOOT" analyze --json "$d/$v.pcap" >"$d/$v.a.json" 2>"$d/$v.a.err"
        is "$f: analyze $v.pcap gives the live verdict" \
            "$(jv "$d/$v.a.json" 'd["verdict"]["code"]')" "$(jv "$d/$v.json" 'd["verdict"]["code"]')"
    done
    "$TSHOOT" analyze --json "$d/client.pcap" "$d/server.pcap" >"$d/pair.json" 2>"$d/pair.err"; a_rc=$?
    is "$f: analyze client.pcap server.pcap verdict" "$(jv "$d/pair.json" 'd["verdict"]["code"]')" "$p_code"
    is "$f: analyze client.pcap server.pcap scenario" "$(jv "$d/pair.json" 'd["verdict"]["scenario"]')" "$(scen "$p_scen")"
    is "$f: analyze pair exit status" "$a_rc" "$(status_for "$p_code")"

    # 3. the machine checks in the server namespace
    before_check=$(pgrep -x smbd)
    lab_in "$LAB_S" "$TSHOOT" check --json >"$d/check.json" 2>"$d/check.err"; k_rc=$?
    is "$f: check exit status" "$k_rc" "$check_rc"
    is "$f: listener state" "$(jv "$d/check.json" 'd["listener"]["state"]')" "$listener"
    case $listener in
    listening|loopback_only)
        is "$f: listener sockets owned by" "$(jv "$d/check.json" '",".join(sorted(set(s["process"] for s in d["listener"]["sockets"])))')" smbd
        want=0.0.0.0,:: ; [ "$listener" = loopback_only ] && want=127.0.0.1,::1
        is "$f: listener addresses" "$(jv "$d/check.json" '",".join(s["address"] for s in d["listener"]["sockets"])')" "$want" ;;
    *)
        is "$f: no listener socket" "$(jv "$d/check.json" 'len(d["listener"]["sockets"])')" 0 ;;
    esac
    is "$f: service name" "$(jv "$d/check.json" 'd["service"]["name"]')" smbd
    if [ "$f" = smbd-stopped ]; then
        # host-wide: another smbd on the machine (before the check, or now) makes it "running"
        others=$(printf '%s\n' $before_check $(pgrep -x smbd) | sed '/^$/d' | sort -u | tr '\n' ' ')
        others=${others% }
        if [ -z "$others" ]; then
            is "$f: service state (no smbd on the host)" "$(jv "$d/check.json" 'd["service"]["state"]')" stopped
        else
            is "$f: service state (host-wide; smbd pids $others elsewhere on the host)" \
                "$(jv "$d/check.json" 'd["service"]["state"]')" "running|stopped"
        fi
    else
        is "$f: service state" "$(jv "$d/check.json" 'd["service"]["state"]')" running
    fi
    is "$f: firewall state" "$(jv "$d/check.json" 'd["firewall"]["state"]')" "$firewall"
    is "$f: firewall back end" "$(jv "$d/check.json" 'd["firewall"]["backend"]')" nftables
    if [ "$firewall" = blocked ]; then
        is "$f: the blocking rule is the lab's (table, chain, verdict)" \
            "$(jv "$d/check.json" '[(r["table"], r["chain"], r["verdict"]) for r in d["firewall"]["rules"] if r["port"] == 445][0]')" \
            "$(case $f in *drop*) echo '["inet tshoot_lab","input","drop"]' ;; *) echo '["inet tshoot_lab","input","reject"]' ;; esac)"
        is "$f: the rule text names port 445" \
            "$(jv "$d/check.json" '[r["text"] for r in d["firewall"]["rules"] if r["table"] == "inet tshoot_lab"][0].startswith("tcp dport 445 ")')" true
    else
        is "$f: no blocking rule listed" "$(jv "$d/check.json" 'len(d["firewall"]["rules"])')" 0
    fi

    # 4. path_drop needs a server capture that ran while the SYN was lost
    case $f in router-drop|router-drop-v6)
        watch_start "$LAB_S" "$d/server2" && ws=$wpid &&
        watch_start "$LAB_C" "$d/client2" && wc=$wpid && {
            router_pass on; r1=$(tcp_try "$fam" 5); router_pass off
            r2=$(tcp_try "$fam" 1.5)
            router_pass on; r3=$(tcp_try "$fam" 5)
            watch_stop "$ws" "$wc"
            wait "$ws"; wait "$wc"
            is "$f (drop lifted around it): the three attempts end" "$r1 $r2 $r3" "established timeout established"
            is "$f (drop lifted around it): client sees" "$(flows "$d/client2.json")" 3,2,0,0,0,1
            is "$f (drop lifted around it): server sees" "$(flows "$d/server2.json")" 2,2,0,0,0,0
            for order in "client2 server2" "server2 client2"; do
                set -- $order
                "$TSHOOT" analyze --json "$d/$1.pcap" "$d/$2.pcap" >"$d/pair2.json" 2>"$d/pair2.err"
                is "$f: analyze $1.pcap $2.pcap verdict" "$(jv "$d/pair2.json" 'd["verdict"]["code"]')" path_drop
                is "$f: analyze $1.pcap $2.pcap scenario" "$(jv "$d/pair2.json" 'd["verdict"]["scenario"]')" 2
            done
        } ;;
    esac

    lab_down
    echo "# $f: $(($(date +%s) - t0)) s"
done
echo "# lab_faults.sh: $FAILS failed, $(($(date +%s) - started)) s"
[ "$FAILS" -eq 0 ]
