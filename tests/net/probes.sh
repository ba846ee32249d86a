#!/bin/sh
# probes.sh: the machine checks (tshoot check --json) against real sockets,
# a real smbd, nftables and iptables rules, and the live nft trace, all inside
# two network namespaces this script creates and always removes:
#   srv (198.51.100.1/24 on a veth) where listeners, smbd and rules live,
#   cli (198.51.100.2/24) which sends the SYNs for the trace.
# Each `tshoot check` runs in srv with `ip netns exec`, so it sees srv's
# sockets and nft/iptables rules (both are per namespace) but the host's
# process table (ip netns exec makes no PID namespace): the service check is
# therefore host-wide, and the smbd cases assert the listener (pid, name,
# owner expected) and the firewall, and only that the service check answered
# through the process table. Exits 0 pass, 1 fail, 77 skipped (not root, or
# no network namespaces).
set -u
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
if [ "$(id -u)" != 0 ]; then echo "SKIPPED: probes.sh needs root (network namespaces, nft)"; exit 77; fi
for t in ip nft iptables python3; do
    command -v $t >/dev/null 2>&1 || { echo "SKIPPED: probes.sh needs $t"; exit 77; }
done
[ -x "$TSHOOT" ] || { echo "probes.sh: no tshoot binary at $TSHOOT"; exit 1; }
PY=$(python3 -c 'import sys; print(sys.executable)')
TCP_TRY=$(cd "$(dirname "$0")/../lib" && pwd)/tcp_try.py

SRV=tshoot-probe-srv-$$
CLI=tshoot-probe-cli-$$
TMP=$(mktemp -d /tmp/tshoot-probes.XXXXXX)
BG=""
. tests/lib/netpair.sh
cleanup() {
    for p in $BG; do kill "$p" 2>/dev/null; done
    sleep 0.2
    for p in $BG; do kill -9 "$p" 2>/dev/null; done
    netpair_down
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

netpair_up probes.sh

fails=0
ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# check NAME ARGS...: runs tshoot check --json in srv; output in $TMP/out.json, status in $rc
check() {
    name=$1; shift
    ip netns exec "$SRV" "$TSHOOT" check --json --port 445 --service smbd --process smbd "$@" >"$TMP/out.json" 2>"$TMP/err.txt"
    rc=$?
}
# expect DESCRIPTION PYTHON-EXPRESSION: d is the JSON of the last check, rc its status
expect() {
    if RC=$rc "$PY" -c '
import json, os, sys
d = json.load(open(sys.argv[1])); rc = int(os.environ["RC"])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$TMP/out.json" "$2" 2>"$TMP/py.txt"; then
        ok "$name: $1"
    else
        bad "$name: $1 (rc=$rc)"; cat "$TMP/out.json" "$TMP/err.txt" "$TMP/py.txt" | sed 's/^/     | /'
    fi
}
# listen ADDRESS FAMILY: starts a python listener on port 445 in srv; its pid in $LPID
listen() {
    rm -f "$TMP/ready"
    ip netns exec "$SRV" "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6 if sys.argv[2] == "6" else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 445)); s.listen()
open(sys.argv[3], "w").write("up")
time.sleep(60)' "$1" "$2" "$TMP/ready" &
    LPID=$!
    BG="$BG $LPID"
    i=0; while [ ! -f "$TMP/ready" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    LCOMM=$(cat /proc/$LPID/comm 2>/dev/null)
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# rules TEXT: replaces srv's nftables ruleset
rules() { ip netns exec "$SRV" nft flush ruleset && printf '%s\n' "$1" | ip netns exec "$SRV" nft -f - || bad "nft -f failed"; }
handle_of() { # handle_of PATTERN: the handle of the first srv rule whose text matches
    ip netns exec "$SRV" nft -a list ruleset | grep -F -- "$1" | head -1 | sed 's/.*# handle //'
}
# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds; 1 if it never did
wait_until() {
    n=$(($1 * 10)); shift
    i=0
    while [ $i -lt $n ]; do
        "$@" && return 0
        sleep 0.1; i=$((i + 1))
    done
    "$@"
}
# trace_table: whether tshoot's trace table in srv marks SYNs (its rule goes
# in once the trace's monitor listens)
trace_table() { ip netns exec "$SRV" nft list ruleset | grep -q 'nftrace set 1'; }
# no_listener: whether nothing listens on 445 in srv
no_listener() { ! ip netns exec "$SRV" ss -Hltn 'sport = :445' | grep -q .; }
# syn_once TIMEOUT: one connection attempt from cli to srv's 445, once the trace marks SYNs
syn_once() {
    wait_until 10 trace_table && ip netns exec "$CLI" "$PY" "$TCP_TRY" 198.51.100.1 445 "$1" >/dev/null
}

## Listener
check "no listener"
expect "not_listening" 'd["listener"]["state"] == "not_listening" and d["listener"]["sockets"] == []'
expect "exit 1 (a problem)" 'rc == 1'
expect "firewall open with no rules" 'd["firewall"]["state"] == "open"'
expect "JSON keys of DESIGN.md" 'all(k in d["listener"] for k in ("state","sockets","detail")) and all(k in d["service"] for k in ("name","state","manager")) and all(k in d["firewall"] for k in ("state","backend","rules"))'

listen 0.0.0.0 4
check "listener on 0.0.0.0"
expect "listening" 'd["listener"]["state"] == "listening"'
expect "pid $LPID and name $LCOMM" "any(s['pid'] == $LPID and s['process'] == '$LCOMM' and s['address'] == '0.0.0.0' and s['user'] == 'root' for s in d['listener']['sockets'])"
expect "owner is not the expected smbd" 'd["listener"]["unexpected_owner"] is True and rc == 1'
ip netns exec "$SRV" "$TSHOOT" check --json --port 445 --process "$LCOMM" >"$TMP/out.json" 2>/dev/null; rc=$?
expect "owner expected when named" 'd["listener"]["unexpected_owner"] is False and d["listener"]["sockets"][0]["expected_owner"]'
ip netns exec "$SRV" env TSHOOT_LISTENER_PROCFS=1 "$TSHOOT" check --json --port 445 >"$TMP/out.json" 2>/dev/null; rc=$?
expect "the same from /proc/net/tcp (TSHOOT_LISTENER_PROCFS=1)" "any(s['pid'] == $LPID and s['process'] == '$LCOMM' and s['address'] == '0.0.0.0' for s in d['listener']['sockets']) and '/proc/net/tcp' in d['listener']['detail']"
stop $LPID

listen :: 6
check "listener on ::"
expect "listening on ::, pid $LPID" "d['listener']['state'] == 'listening' and any(s['pid'] == $LPID and s['address'] == '::' and s['process'] == '$LCOMM' for s in d['listener']['sockets'])"
ip netns exec "$SRV" env TSHOOT_LISTENER_PROCFS=1 "$TSHOOT" check --json --port 445 >"$TMP/out.json" 2>/dev/null; rc=$?
expect "the same from /proc/net/tcp6" "any(s['pid'] == $LPID and s['address'] == '::' for s in d['listener']['sockets'])"
stop $LPID

listen 127.0.0.1 4
check "listener on 127.0.0.1"
expect "loopback_only" 'd["listener"]["state"] == "loopback_only" and rc == 1'
stop $LPID

listen 198.51.100.1 4
check "listener on one address"
expect "listening, the address named" 'd["listener"]["state"] == "listening" and d["listener"]["scope"] == "some" and "only on 198.51.100.1" in d["listener"]["summary"]'
stop $LPID

## Real smbd
if command -v smbd >/dev/null 2>&1; then
    S=$TMP/samba
    mkdir -p "$S/private" "$S/lock" "$S/state" "$S/cache" "$S/pid" "$S/log" "$S/share" "$S/ncalrpc"
    cat >"$S/smb.conf" <<CONF
[global]
    server role = standalone server
    smb ports = 445
    interfaces = 198.51.100.1/24
    bind interfaces only = no
    private dir = $S/private
    lock directory = $S/lock
    state directory = $S/state
    cache directory = $S/cache
    pid directory = $S/pid
    ncalrpc dir = $S/ncalrpc
    log file = $S/log/log.%m
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
[share]
    path = $S/share
    guest ok = yes
CONF
    # its own session: when smbd stops it signals its whole process group
    setsid ip netns exec "$SRV" smbd --foreground --no-process-group -s "$S/smb.conf" </dev/null >"$S/log/stdout" 2>&1 &
    SMBD=$!
    BG="$BG $SMBD"
    i=0
    while [ $i -lt 100 ]; do
        ip netns exec "$SRV" "$TSHOOT" check --json --port 445 --service smbd --process smbd >"$TMP/out.json" 2>/dev/null
        grep -q '"listening"' "$TMP/out.json" && break
        sleep 0.1; i=$((i + 1))
    done
    check "smbd running"
    expect "listening, owned by smbd (pid $SMBD)" "d['listener']['state'] == 'listening' and any(s['process'] == 'smbd' and s['pid'] == $SMBD and s['expected_owner'] for s in d['listener']['sockets'])"
    expect "no problem: exit 0 (service seen in the process table)" 'rc == 0 and d["service"]["manager"] == "process-table" and d["service"]["state"] == "running"'
    stop $SMBD
    wait_until 10 no_listener || bad "smbd's listener still there 10 s after it was stopped"
    check "smbd stopped"
    expect "not_listening" 'd["listener"]["state"] == "not_listening" and rc == 1'
else
    echo "skip - smbd not installed: real smbd cases not run"
fi

## nftables
listen 0.0.0.0 4
rules 'table inet filter { chain input { type filter hook input priority 0; policy accept; tcp dport 445 counter drop; }; }'
H=$(handle_of "tcp dport 445 counter")
check "nft drop rule"
expect "blocked by inet filter input handle $H" "d['firewall']['state'] == 'blocked' and d['firewall']['rules'][0]['handle'] == $H and d['firewall']['rules'][0]['table'] == 'inet filter' and d['firewall']['rules'][0]['chain'] == 'input' and d['firewall']['rules'][0]['verdict'] == 'drop' and 'tcp dport 445' in d['firewall']['rules'][0]['text']"
expect "backend nftables, exit 1" 'd["firewall"]["backend"].startswith("nftables") and rc == 1'
expect "says drops are not logged" '"not logged" in d["firewall"]["logging"]'
ip netns exec "$SRV" env TSHOOT_NFT_EXEC=1 "$TSHOOT" check --json --port 445 >"$TMP/out.json" 2>/dev/null; rc=$?
expect "the same through the nft program (TSHOOT_NFT_EXEC=1)" "d['firewall']['state'] == 'blocked' and d['firewall']['rules'][0]['handle'] == $H"

rules 'table ip filter { chain input { type filter hook input priority 0; tcp dport 445 log prefix "SMB-DROP " reject with tcp reset; }; }'
check "nft reject rule"
expect "reject, logged with its prefix" 'd["firewall"]["rules"][0]["verdict"] == "reject" and d["firewall"]["state"] == "blocked" and "SMB-DROP" in d["firewall"]["logging"]'

rules 'table inet filter { chain input { type filter hook input priority 0; policy drop; iifname "lo" accept; ct state established,related accept; tcp dport 22 accept; }; }'
check "policy drop, no accept for 445"
expect "blocked by the policy" 'd["firewall"]["state"] == "blocked" and d["firewall"]["rules"][0]["verdict"] == "policy-drop" and d["firewall"]["rules"][0]["handle"] is None'

rules 'table inet filter { chain input { type filter hook input priority 0; policy drop; iifname "lo" accept; ct state established,related accept; tcp dport 445 counter accept; }; }'
H=$(handle_of "tcp dport 445 counter")
# --service "": the service check is host-wide, so leave it out of the exit status here
check "policy drop with accept for 445" --process "$LCOMM" --service ""
expect "open by the accept rule (handle $H), exit 0" "d['firewall']['state'] == 'open' and d['firewall']['rules'][0]['handle'] == $H and d['firewall']['rules'][0]['verdict'] == 'accept' and rc == 0"

rules 'table inet filter { chain smb { tcp dport 445 counter drop; }; chain input { type filter hook input priority 0; policy accept; meta l4proto tcp jump smb; }; }'
H=$(handle_of "tcp dport 445 counter")
check "rule in a jumped-to chain"
expect "blocked in chain smb (handle $H)" "d['firewall']['state'] == 'blocked' and d['firewall']['rules'][0]['chain'] == 'smb' and d['firewall']['rules'][0]['handle'] == $H"

rules 'table inet filter { set smb { type inet_service; flags interval; elements = { 137-139, 445 }; }; chain input { type filter hook input priority 0; policy accept; tcp dport @smb drop; tcp dport { 80, 443 } drop; }; }'
check "named set of ports"
expect "blocked by tcp dport @smb" 'd["firewall"]["state"] == "blocked" and "@smb" in d["firewall"]["rules"][0]["text"]'
rules 'table inet filter { chain input { type filter hook input priority 0; policy accept; tcp dport { 139, 445 } drop; }; }'
check "anonymous set of ports"
expect "blocked by the set rule" 'd["firewall"]["state"] == "blocked" and "139" in d["firewall"]["rules"][0]["text"]'
rules 'table inet filter { chain input { type filter hook input priority 0; policy accept; ip saddr 10.0.0.0/8 tcp dport 445 drop; }; }'
check "rule for some sources only"
expect "open, the rule listed as conditional" 'd["firewall"]["state"] == "open" and any(r["conditional"] for r in d["firewall"]["rules"])'

## iptables (in srv; the nft back end on Debian 12)
ip netns exec "$SRV" nft flush ruleset
if ip netns exec "$SRV" iptables -A INPUT -p tcp --dport 445 -j DROP 2>"$TMP/ipt.txt"; then
    check "iptables DROP"
    expect "blocked by -A INPUT ... -j DROP, back end named" 'd["firewall"]["state"] == "blocked" and "--dport 445 -j DROP" in d["firewall"]["rules"][0]["text"] and "iptables" in d["firewall"]["backend"] and d["firewall"]["rules"][0]["chain"] == "INPUT" and d["firewall"]["rules"][0]["handle"] == 1'
    ip netns exec "$SRV" iptables -F INPUT
    ip netns exec "$SRV" iptables -N SMB
    ip netns exec "$SRV" iptables -P INPUT DROP
    ip netns exec "$SRV" iptables -A INPUT -p tcp -m multiport --dports 139,445 -j SMB
    ip netns exec "$SRV" iptables -A SMB -p tcp --dport 445 -j ACCEPT
    check "iptables policy DROP, ACCEPT in a user chain"
    expect "IPv4 open by the SMB chain rule" 'any(r["chain"] == "SMB" and r["verdict"] == "accept" and r["family"] == 4 for r in d["firewall"]["rules"])'
    ip netns exec "$SRV" iptables -P INPUT ACCEPT
    ip netns exec "$SRV" iptables -F
    ip netns exec "$SRV" iptables -X
    ip netns exec "$SRV" nft flush ruleset
else
    echo "skip - iptables unusable in the namespace: $(cat "$TMP/ipt.txt")"
fi

## The live trace: a SYN from cli dropped by a rule in srv
rules 'table inet filter { chain smb { tcp dport 445 counter drop; }; chain input { type filter hook input priority 0; policy accept; tcp dport { 139, 445 } jump smb; }; }'
H=$(handle_of "tcp dport 445 counter")
syn_once 1 &
BG="$BG $!"
check "live trace" --trace 4
expect "a SYN from 198.51.100.2 dropped by inet filter smb handle $H" "any(e['source'] == '198.51.100.2' and e['dport'] == 445 and e['table'] == 'filter' and e['chain'] == 'smb' and e['handle'] == $H and e['verdict'] == 'drop' for e in d['trace'])"
if ip netns exec "$SRV" nft list tables | grep -q tshoot_trace; then bad "trace table left behind"; else ok "no trace table left afterwards"; fi
ip netns exec "$SRV" nft flush ruleset
syn_once 1 &
BG="$BG $!"
check "live trace, accepted" --trace 3
expect "the SYN reported accepted" "any(e['source'] == '198.51.100.2' and e['verdict'].endswith('accept') for e in d['trace'])"
# interrupted: the table goes away on SIGINT too
ip netns exec "$SRV" "$TSHOOT" check --json --port 445 --trace 20 >/dev/null 2>&1 &
TP=$!
if wait_until 10 trace_table; then ok "trace table present while tracing"; else bad "trace table missing 10 s into the trace"; fi
kill -INT $TP; wait $TP 2>/dev/null
if ip netns exec "$SRV" nft list tables | grep -q tshoot_trace; then bad "trace table left after SIGINT"; else ok "trace table removed on SIGINT"; fi
stop $LPID

[ $fails -eq 0 ] || { echo "probes.sh: $fails failed"; exit 1; }
echo "probes.sh: all passed"
exit 0
