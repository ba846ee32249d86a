#!/bin/sh
# record.sh: records the capture pair of every fault of the scenario lab
# (tests/lab/lab.sh) into tests/golden/lab/<fault>.client.pcap and
# <fault>.server.pcap. Run by hand, as root, from anywhere (not part of
# `make test`): sh tests/golden/lab/record.sh [FAULT...]
#
# For each fault: the lab comes up in its own namespaces (LAB_TAG=tsr<pid>, its
# own state directory), tcpdump records on the client's c0 and the server's s0
# at the same time (-s 128 -U --immediate-mode: no packet left in a kernel
# buffer when it stops; filter 'tcp port 445 or icmp or icmp6'), the
# client connects once with smbclient (cut after 3.5 s: the SYN and its
# retransmissions at 1 and 3 s), and the lab goes down. The router-drop faults
# also connect once before and once after with the router's drop lifted (an
# accept rule put before the lab's rule and taken out again): without packets
# at the server around the lost SYN, no capture vouches that it ran then, and
# a two-capture analysis cannot say path_drop.
#
# The expected verdicts in expected.tsv are written by hand from what tcpdump
# shows in the files (tcpdump -nr FILE), not from tshoot's output.
set -u
[ "$(id -u)" = 0 ] || { echo "record.sh: run as root (network namespaces, tcpdump)" >&2; exit 77; }
for t in ip nft smbd smbclient tcpdump; do
    command -v $t >/dev/null 2>&1 || { echo "record.sh: $t is missing" >&2; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
out=${GOLDEN_OUT:-$here}
tmp=$(mktemp -d /tmp/tshoot-goldenlab.XXXXXX) || exit 1
LAB_TAG=tsr$$ LAB_STATE=$tmp/state LAB_SOURCED=1
export LAB_TAG LAB_STATE
. "$here/../../lab/lab.sh"
tds=""
cleanup() {
    trap '' INT TERM HUP
    for p in $tds; do kill "$p" 2>/dev/null; done
    lab_down
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

FILTER='tcp port 445 or icmp or icmp6'

# td_start NS IFACE FILE: tcpdump in NS on IFACE, returns once it listens.
td_start() {
    ip netns exec "$1" tcpdump -Z root -n --immediate-mode -i "$2" -s 128 -U -w "$3" "$FILTER" 2>"$3.err" &
    tds="$tds $!"
    i=0
    while [ $i -lt 50 ]; do
        grep -q 'listening on' "$3.err" 2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "record.sh: tcpdump did not start on $1 $2: $(cat "$3.err")" >&2
    exit 1
}

# smb FAMILY SECONDS: one smbclient connection from the client, cut after SECONDS.
smb() {
    a=$LAB_SERVER4; [ "$1" = 6 ] && a=$LAB_SERVER6
    lab_in "$LAB_C" timeout "$2" smbclient -N -p 445 -m SMB3 -t 3 "//$a/lab" -c ls >/dev/null 2>&1
}

# router_pass on|off: an accept rule before the lab's drop in the router, or not.
router_pass() {
    if [ "$1" = on ]; then
        lab_in "$LAB_R" nft insert rule inet tshoot_lab forward tcp dport 445 accept comment '"record pass"'
    else
        h=$(lab_in "$LAB_R" nft -a list chain inet tshoot_lab forward | sed -n 's/.*record pass.*# handle \([0-9]*\).*/\1/p')
        [ -n "$h" ] && lab_in "$LAB_R" nft delete rule inet tshoot_lab forward handle "$h"
    fi
}

for f in ${*:-$LAB_FAULTS}; do
    lab_up "$f" || exit 1
    fam=$(lab_family "$f")
    tds=""
    td_start "$LAB_C" c0 "$tmp/$f.client.pcap"
    td_start "$LAB_S" s0 "$tmp/$f.server.pcap"
    case $f in
    router-drop|router-drop-v6)
        router_pass on; smb "$fam" 3; router_pass off
        smb "$fam" 3.5
        router_pass on; smb "$fam" 3 ;;
    *)  smb "$fam" 3.5 ;;
    esac
    sleep 0.3   # the last answers (RST, ICMP, FIN) on their way
    for p in $tds; do kill -INT "$p" 2>/dev/null; done
    for p in $tds; do wait "$p" 2>/dev/null; done
    tds=""
    lab_down
    for v in client server; do
        mv "$tmp/$f.$v.pcap" "$out/$f.$v.pcap" && chmod 644 "$out/$f.$v.pcap"
        echo "$f.$v.pcap: $(tcpdump -nr "$out/$f.$v.pcap" 2>/dev/null | wc -l) packets, $(wc -c <"$out/$f.$v.pcap") bytes"
    done
done
