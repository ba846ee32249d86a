#!/bin/sh
# lab.sh: the scenario lab. Three network namespaces on this machine,
#   client (198.51.100.2, 2001:db8::1:2) -- router -- server (198.51.100.66, 2001:db8::2:2)
# joined by veth pairs (addresses only inside these namespaces), a real smbd on
# the server with a throw-away configuration in a temporary directory, smbclient
# on the client, and one fault at a time made with nftables or by the smbd set-up.
#
#   lab.sh list                 the faults, one a line with what they reproduce
#   lab.sh up FAULT|random      builds the lab with that fault (a leftover lab is removed first)
#   lab.sh down                 removes everything: processes, namespaces, files
#   lab.sh connect [4|6]        one smbclient connection from the client (exit 0 if it worked)
#   lab.sh retry [4|6]          connects again and again until the lab goes down
#   lab.sh wizard [ARGS]        the wizard in the server namespace
#   lab.sh answer               the fault of the running lab
#   lab.sh family               the IP version the client uses with that fault
#   lab.sh ns client|router|server   the namespace's name (for ip netns exec)
#
# It can also be sourced (LAB_SOURCED=1) for the lab_* functions. The lab's
# state lives in $LAB_STATE (default /run/tshoot-lab-$LAB_TAG) so that `make lab`
# and `make lab-answer` find the same lab. Needs root, ip, nft, smbd, smbclient.
# The functions keep their own variables under the _lab_ prefix, so that a
# script sourcing this file keeps its own (POSIX sh has no local).
LAB_TAG=${LAB_TAG:-tslab}
LAB_STATE=${LAB_STATE:-/run/tshoot-lab-$LAB_TAG}
LAB_C=$LAB_TAG-cli LAB_R=$LAB_TAG-rtr LAB_S=$LAB_TAG-srv
LAB_SERVER4=198.51.100.66 LAB_SERVER6=2001:db8::2:2
LAB_FAULTS="healthy server-drop server-reject-rst server-reject-icmp smbd-stopped smbd-loopback
router-drop router-reject router-drop-synack server-drop-v6 router-drop-v6"

# lab_describe FAULT: what the fault reproduces and the verdicts it should give.
lab_describe() {
    case $1 in
    healthy) echo "nothing wrong: the handshake completes (handshake_ok)" ;;
    server-drop) echo "the server's firewall drops 445 (Scenario 1: syn_no_synack)" ;;
    server-reject-rst) echo "the server's firewall rejects 445 with a TCP reset (refused)" ;;
    server-reject-icmp) echo "the server's firewall rejects 445 with ICMP admin-prohibited (unreachable)" ;;
    smbd-stopped) echo "smbd is stopped: nothing listens on 445 (refused)" ;;
    smbd-loopback) echo "smbd listens on loopback only (refused from the network)" ;;
    router-drop) echo "the router drops the SYN (Scenario 2: path_drop)" ;;
    router-reject) echo "the router rejects the SYN with ICMP admin-prohibited (unreachable)" ;;
    router-drop-synack) echo "the router drops the server's SYN-ACK (return_path_drop)" ;;
    server-drop-v6) echo "the server's firewall drops 445, over IPv6 (syn_no_synack)" ;;
    router-drop-v6) echo "the router drops the SYN, over IPv6 (path_drop)" ;;
    *) return 1 ;;
    esac
}

# lab_family FAULT: the IP version the client uses for that fault.
lab_family() { case $1 in *-v6) echo 6 ;; *) echo 4 ;; esac; }

lab_in() { _lab_ns=$1; shift; ip netns exec "$_lab_ns" "$@"; }

# lab_down: ends every process in the namespaces, removes them and the state.
lab_down() {
    for _lab_ns in $LAB_C $LAB_R $LAB_S; do
        for _lab_p in $(ip netns pids "$_lab_ns" 2>/dev/null); do kill "$_lab_p" 2>/dev/null; done
    done
    sleep 0.2
    for _lab_ns in $LAB_C $LAB_R $LAB_S; do
        for _lab_p in $(ip netns pids "$_lab_ns" 2>/dev/null); do kill -9 "$_lab_p" 2>/dev/null; done
        ip netns del "$_lab_ns" 2>/dev/null
    done
    [ -f "$LAB_STATE/dir" ] && rm -rf "$(cat "$LAB_STATE/dir")"
    rm -rf "$LAB_STATE"
    return 0
}

# lab_topology: the three namespaces, their links, addresses and routes.
lab_topology() {
    for _lab_ns in $LAB_C $LAB_R $LAB_S; do ip netns add "$_lab_ns" && lab_in "$_lab_ns" ip link set lo up || return 1; done
    ip link add c0 netns $LAB_C type veth peer name r0 netns $LAB_R || return 1
    ip link add s0 netns $LAB_S type veth peer name r1 netns $LAB_R || return 1
    lab_in $LAB_C ip addr add 198.51.100.2/26 dev c0
    lab_in $LAB_C ip -6 addr add 2001:db8::1:2/112 dev c0 nodad
    lab_in $LAB_R ip addr add 198.51.100.1/26 dev r0
    lab_in $LAB_R ip -6 addr add 2001:db8::1:1/112 dev r0 nodad
    lab_in $LAB_R ip addr add 198.51.100.65/26 dev r1
    lab_in $LAB_R ip -6 addr add 2001:db8::2:1/112 dev r1 nodad
    lab_in $LAB_S ip addr add $LAB_SERVER4/26 dev s0
    lab_in $LAB_S ip -6 addr add $LAB_SERVER6/112 dev s0 nodad
    lab_in $LAB_C ip link set c0 up && lab_in $LAB_R ip link set r0 up &&
        lab_in $LAB_R ip link set r1 up && lab_in $LAB_S ip link set s0 up || return 1
    lab_in $LAB_C ip route add default via 198.51.100.1
    lab_in $LAB_C ip -6 route add default via 2001:db8::1:1
    lab_in $LAB_S ip route add default via 198.51.100.65
    lab_in $LAB_S ip -6 route add default via 2001:db8::2:1
    lab_in $LAB_R sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# lab_smbd LOOPBACK_ONLY: starts smbd in the server namespace and waits for its listener.
lab_smbd() {
    _lab_d=$(cat "$LAB_STATE/dir")
    mkdir -p "$_lab_d/share" "$_lab_d/state" "$_lab_d/cache" "$_lab_d/lock" "$_lab_d/pid" "$_lab_d/private" "$_lab_d/log" "$_lab_d/ncalrpc"
    chmod 755 "$_lab_d" "$_lab_d/share"   # the guest account reads the share
    _lab_bind=""
    [ "$1" = 1 ] && _lab_bind="interfaces = lo
    bind interfaces only = yes"
    cat >"$_lab_d/smb.conf" <<CONF
[global]
    workgroup = TSHOOTLAB
    server role = standalone server
    map to guest = Bad User
    disable netbios = yes
    smb ports = 445
    $_lab_bind
    lock directory = $_lab_d/lock
    state directory = $_lab_d/state
    cache directory = $_lab_d/cache
    pid directory = $_lab_d/pid
    private dir = $_lab_d/private
    ncalrpc dir = $_lab_d/ncalrpc
    log file = $_lab_d/log/smbd.log
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
[lab]
    path = $_lab_d/share
    guest ok = yes
    read only = yes
CONF
    # its own session: smbd signals its whole process group when it stops.
    # A simple command, not the lab_in function: a function run in the
    # background keeps a shell that holds the caller's stdout open (a pipe
    # reading `lab.sh up` would wait for smbd to end).
    ip netns exec $LAB_S setsid smbd --foreground --no-process-group -s "$_lab_d/smb.conf" </dev/null >"$_lab_d/log/smbd.out" 2>&1 &
    _lab_i=0
    while [ $_lab_i -lt 100 ]; do
        lab_in $LAB_S ss -Hltn 'sport = :445' | grep -q . && return 0
        sleep 0.1; _lab_i=$((_lab_i + 1))
    done
    echo "lab: smbd did not start:" >&2
    cat "$_lab_d/log/smbd.out" "$_lab_d/log/smbd.log" >&2 2>/dev/null
    return 1
}

# lab_nft NAMESPACE RULESET: loads a ruleset (the lab's table) into a namespace.
lab_nft() { printf '%s\n' "$2" | lab_in "$1" nft -f -; }

# lab_apply FAULT: the smbd set-up and nftables rules of one fault.
lab_apply() {
    case $1 in
    smbd-stopped) ;;
    smbd-loopback) lab_smbd 1 ;;
    *) lab_smbd 0 ;;
    esac || return 1
    case $1 in
    server-drop|server-drop-v6) _lab_rule="tcp dport 445 drop" _lab_hook=input _lab_ns=$LAB_S ;;
    server-reject-rst) _lab_rule="tcp dport 445 reject with tcp reset" _lab_hook=input _lab_ns=$LAB_S ;;
    server-reject-icmp) _lab_rule="tcp dport 445 reject with icmpx type admin-prohibited" _lab_hook=input _lab_ns=$LAB_S ;;
    router-drop|router-drop-v6) _lab_rule="tcp dport 445 drop" _lab_hook=forward _lab_ns=$LAB_R ;;
    router-reject) _lab_rule="tcp dport 445 reject with icmpx type admin-prohibited" _lab_hook=forward _lab_ns=$LAB_R ;;
    router-drop-synack) _lab_rule="tcp sport 445 tcp flags & (syn | ack) == syn | ack drop" _lab_hook=forward _lab_ns=$LAB_R ;;
    *) return 0 ;;
    esac
    lab_nft "$_lab_ns" "table inet tshoot_lab {
    chain $_lab_hook {
        type filter hook $_lab_hook priority 0; policy accept;
        $_lab_rule
    }
}"
}

# lab_up FAULT: builds the lab with FAULT ("random" picks one and keeps it secret).
lab_up() {
    _lab_fault=$1
    if [ "$_lab_fault" = random ]; then
        _lab_n=$(echo $LAB_FAULTS | wc -w)
        _lab_fault=$(echo $LAB_FAULTS | tr ' ' '\n' | sed -n "$(( $(od -An -N2 -tu2 /dev/urandom) % _lab_n + 1 ))p")
    fi
    lab_describe "$_lab_fault" >/dev/null || { echo "lab: unknown fault '$_lab_fault' (lab.sh list)" >&2; return 2; }
    [ "$(id -u)" = 0 ] || { echo "lab: needs root (network namespaces)" >&2; return 3; }
    for _lab_tool in ip nft smbd smbclient ss; do
        command -v $_lab_tool >/dev/null 2>&1 || { echo "lab: $_lab_tool is not installed (make deps-test installs the lab: samba, smbclient, nftables, iproute2)" >&2; return 3; }
    done
    lab_down
    mkdir -p "$LAB_STATE" && mktemp -d /tmp/tshoot-lab.XXXXXX >"$LAB_STATE/dir" || return 3
    echo "$_lab_fault" >"$LAB_STATE/fault"
    lab_topology && lab_apply "$_lab_fault" || { lab_down; return 1; }
}

# lab_connect [4|6]: one SMB connection from the client, a few seconds at most.
lab_connect() {
    _lab_addr=$LAB_SERVER4
    [ "${1:-4}" = 6 ] && _lab_addr=$LAB_SERVER6   # smbclient takes IPv6 without brackets
    lab_in $LAB_C timeout 6 smbclient -N -p 445 -m SMB3 -t 3 "//$_lab_addr/lab" -c ls >/dev/null 2>&1
}

# lab_retry [4|6]: connects again and again while the lab is up.
lab_retry() {
    while [ -f "$LAB_STATE/fault" ]; do lab_connect "$1"; sleep 1; done
}

if [ -z "${LAB_SOURCED:-}" ]; then
    cmd=${1:-}; [ $# -gt 0 ] && shift
    case $cmd in
    list) for f in $LAB_FAULTS; do printf '%-20s %s\n' "$f" "$(lab_describe $f)"; done ;;
    up) lab_up "${1:?lab.sh up FAULT}" ;;
    down) lab_down ;;
    connect) lab_connect "${1:-4}" ;;
    retry) lab_retry "${1:-4}" ;;
    answer)
        [ -f "$LAB_STATE/fault" ] || { echo "lab: no lab is running" >&2; exit 2; }
        f=$(cat "$LAB_STATE/fault"); echo "The fault was: $f — $(lab_describe "$f")" ;;
    family) lab_family "$(cat "$LAB_STATE/fault" 2>/dev/null)" ;;
    ns) case ${1:-} in client) echo $LAB_C ;; router) echo $LAB_R ;; server) echo $LAB_S ;; *) exit 2 ;; esac ;;
    wizard) lab_in $LAB_S "${TSHOOT:-build/tshoot}" wizard "$@" ;;
    *) sed -n '2,/^LAB_TAG/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
    esac
fi
