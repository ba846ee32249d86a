#!/bin/sh
# record.sh: records the golden captures of tests/golden/ from real traffic.
# Run by hand, as root (not part of `make test`): sh tests/golden/record.sh
#
# Lab: three network namespaces created here and removed on every exit
#   client (198.51.100.2, 2001:db8::1:2) -- router -- server (198.51.100.66, 2001:db8::2:2)
# joined by veth pairs; addresses only from 198.51.100.0/24 and 2001:db8::/64,
# and only inside these namespaces. The server runs a real smbd with a
# throw-away smb.conf in a temporary directory; the client runs smbclient.
# nftables rules in the server (or router) namespace reproduce each class;
# tcpdump records on the client's and the server's interface at the same time
# (snaplen 128, filter: port 445 and ICMP/ICMPv6 destination unreachable,
# a few seconds each).
#
# Output: tests/golden/<scenario>.client.pcap and .server.pcap. The expected
# verdicts live in tests/golden/expected.tsv, written by hand from what tshark
# shows in the files (not from tshoot, so the goldens are no echo of the code).
set -eu

[ "$(id -u)" = 0 ] || { echo "record.sh: run as root (network namespaces, tcpdump)" >&2; exit 77; }
for t in ip nft smbd smbclient tcpdump; do
    command -v $t >/dev/null 2>&1 || { echo "record.sh: $t is missing" >&2; exit 77; }
done

here=$(cd "$(dirname "$0")" && pwd)
out=${GOLDEN_OUT:-$here}
tmp=$(mktemp -d /tmp/tshoot-golden.XXXXXX)
pids=""

# The lab (tests/lab/lab.sh) builds the namespaces and runs smbd.
LAB_SOURCED=1 LAB_TAG=tsg$$ LAB_STATE=$tmp/state
. "$here/../lab/lab.sh"
C=$LAB_C R=$LAB_R S=$LAB_S

cleanup() {
    set +e
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    lab_down
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

inc() { lab_in "$@"; }

# start_smbd: the lab with its healthy smbd (no fault).
start_smbd() {
    lab_up healthy || { echo "record.sh: the lab did not come up" >&2; exit 1; }
}
# stop_smbd: ends smbd (every process in the server namespace).
stop_smbd() {
    for p in $(ip netns pids $S); do kill "$p" 2>/dev/null || true; done
    sleep 0.3
}

# --- one recording ----------------------------------------------------------
# record_start NAME: tcpdump on the client's and the server's interface.
record_start() {
    name=$1
    flt='tcp port 445 or icmp[icmptype] == icmp-unreach or (icmp6 and ip6[40] == 1)'
    rm -f "$tmp/td-c.pid" "$tmp/td-s.pid" "$tmp/td-c.err" "$tmp/td-s.err"
    # `ip netns exec` forks: tcpdump's own pid comes back through a file
    inc $C sh -c 'echo $$ >"$1"; exec tcpdump -Z root -i c0 -s 128 -U -w "$2" "$3"' \
        sh "$tmp/td-c.pid" "$out/$name.client.pcap" "$flt" 2>"$tmp/td-c.err" &
    pids="$pids $!"
    inc $S sh -c 'echo $$ >"$1"; exec tcpdump -Z root -i s0 -s 128 -U -w "$2" "$3"' \
        sh "$tmp/td-s.pid" "$out/$name.server.pcap" "$flt" 2>"$tmp/td-s.err" &
    pids="$pids $!"
    ok=0
    for _ in $(seq 300); do
        if grep -q listening "$tmp/td-c.err" 2>/dev/null && grep -q listening "$tmp/td-s.err" 2>/dev/null &&
           [ -s "$tmp/td-c.pid" ] && [ -s "$tmp/td-s.pid" ]; then ok=1; break; fi
        sleep 0.1
    done
    [ $ok = 1 ] || { echo "record.sh: tcpdump did not start for $name" >&2; cat "$tmp"/td-*.err >&2; exit 1; }
    sleep 0.3
}

# connect ADDR SECONDS: smbclient lists the shares of ADDR, for at most SECONDS.
connect() {
    inc $C timeout "$2" smbclient -N -p 445 -m SMB3 -I "$1" -L golden >"$tmp/smbclient.out" 2>&1 || true
}

# record_stop: ends both tcpdumps and says what they caught.
record_stop() {
    sleep 0.5
    tc=$(cat "$tmp/td-c.pid") ts=$(cat "$tmp/td-s.pid")
    kill -INT $tc $ts
    for _ in $(seq 50); do kill -0 $tc 2>/dev/null || kill -0 $ts 2>/dev/null || break; sleep 0.1; done
    echo "recorded $name: client $(tcpdump -r "$out/$name.client.pcap" 2>/dev/null | wc -l) packets," \
         "server $(tcpdump -r "$out/$name.server.pcap" 2>/dev/null | wc -l) packets"
}

# record NAME ADDR SECONDS: one connection attempt, recorded on both sides.
record() {
    record_start "$1"; connect "$2" "$3"; record_stop
}

nft_server() { inc $S nft -f - ; }
nft_router() { inc $R nft -f - ; }
nft_clear() { inc $S nft flush ruleset; inc $R nft flush ruleset; }

start_smbd

# 1. healthy: handshake_ok
record healthy 198.51.100.66 5
record healthy-ipv6 2001:db8::2:2 5

# 2. the server's firewall drops the SYN: syn_no_synack (Scenario 1)
nft_server <<'EOF'
table inet golden {
    chain input { type filter hook input priority 0; tcp dport 445 drop; }
}
EOF
record server-drop 198.51.100.66 6
nft_clear

# 3. the server's firewall rejects with a TCP reset: refused
nft_server <<'EOF'
table inet golden {
    chain input { type filter hook input priority 0; tcp dport 445 reject with tcp reset; }
}
EOF
record server-reject-tcp-reset 198.51.100.66 6
nft_clear

# 4. the server's firewall rejects with ICMP admin-prohibited: unreachable
nft_server <<'EOF'
table inet golden {
    chain input {
        type filter hook input priority 0;
        meta nfproto ipv4 tcp dport 445 reject with icmp type admin-prohibited
        meta nfproto ipv6 tcp dport 445 reject with icmpv6 type admin-prohibited
    }
}
EOF
record reject-icmp-admin 198.51.100.66 6
record reject-icmp6-admin 2001:db8::2:2 6
nft_clear

# 5. the router drops the SYN on its way: path_drop (client + server pair, Scenario 2).
# A connection works before and after the drop: both captures see those,
# which orders the captures along the path (the SYN's TTL falls by one) and
# shows the server's capture ran over the whole time (a capture only vouches
# for a missing SYN between its first and last packet).
record_start router-drop
connect 198.51.100.66 5
nft_router <<'EOF'
table inet golden {
    chain forward_golden { type filter hook forward priority 0; tcp dport 445 drop; }
}
EOF
connect 198.51.100.66 6
nft_clear
connect 198.51.100.66 5
record_stop

# 6. the router drops the SYN-ACK on its way back: return_path_drop
nft_router <<'EOF'
table inet golden {
    chain forward_golden { type filter hook forward priority 0; tcp sport 445 tcp flags & (syn|ack) == syn|ack drop; }
}
EOF
record router-drop-return 198.51.100.66 6
nft_clear

# 7. nothing listening on 445: refused (the kernel's RST)
stop_smbd
record not-listening 198.51.100.66 6

echo "done: captures in $out"
