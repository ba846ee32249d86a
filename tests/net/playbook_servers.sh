#!/bin/sh
# playbook_servers.sh: each protocol playbook against the real Debian server
# it is about, in two network namespaces this script creates and always
# removes:
#   srv (198.51.100.1/24 on a veth) where the server and the nftables rules live,
#   cli (198.51.100.2/24) where the real client runs.
#
#   playbook                  server (throw-away config in a temp dir)  client
#   ssh-tcp-handshake         sshd -D                                   ssh-keyscan
#   https-tcp-handshake       nginx, self-signed cert (openssl)         curl -k
#   ldap-tcp-handshake        slapd -f slapd.conf, ldap:/// ldaps:///   ldapsearch
#   kerberos-tcp-handshake    krb5kdc -n, realm TEST.EXAMPLE            kinit over TCP
#   postgresql-tcp-handshake  postgres -D (initdb as postgres)          psql
#   rdp-tcp-handshake         xrdp --nodaemon (no desktop needed)       an X.224 request (python3)
#
# For each one, two cases:
#   healthy: `tshoot watch --json` in srv while the client connects gives
#            handshake_ok (the watch is waited for until it says it listens
#            and ended by SIGINT once the client is done, tests/lib/watch.sh); `tshoot check --json` in srv says
#            listening, owned by the server's pid and process, firewall open.
#   blocked: an nftables drop rule for the port in srv: watch gives
#            syn_no_synack, Scenario "1", at the server vantage; check says
#            the firewall blocks it, naming the rule.
# `ip netns exec` makes no PID namespace, so the service check reads the
# host's process table: it is asserted only as "running" (true whether or not
# the host runs the same daemon). Every server is started in its own session
# (setsid): some daemons signal their whole process group when they stop.
# A server whose program is missing is reported "skip -" and not counted.
# Exits 0 pass, 1 fail, 77 skipped (not root, or no network namespaces).
set -u
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
if [ "$(id -u)" != 0 ]; then echo "SKIPPED: playbook_servers.sh needs root (network namespaces, nft)"; exit 77; fi
for t in ip nft python3 setsid setpriv openssl nc; do
    command -v $t >/dev/null 2>&1 || { echo "SKIPPED: playbook_servers.sh needs $t"; exit 77; }
done
[ -x "$TSHOOT" ] || { echo "playbook_servers.sh: no tshoot binary at $TSHOOT"; exit 1; }
PY=$(python3 -c 'import sys; print(sys.executable)')
PATH=$PATH:/usr/sbin:/sbin
. "$(dirname "$0")/../lib/watch.sh"

SRV=tshoot-pbs-srv-$$
CLI=tshoot-pbs-cli-$$
SADDR=198.51.100.1
TMP=$(mktemp -d /tmp/tshoot-pbsrv.XXXXXX)
chmod 755 "$TMP"    # postgres (and nginx workers) read below it
START=$(date +%s)

# killns NS: ends every process in a namespace (TERM, then KILL), by pid.
killns() {
    pids=$(ip netns pids "$1" 2>/dev/null)
    [ -n "$pids" ] || return 0
    for p in $pids; do kill "$p" 2>/dev/null; done
    i=0
    while [ $i -lt 30 ] && [ -n "$(ip netns pids "$1" 2>/dev/null)" ]; do sleep 0.1; i=$((i + 1)); done
    for p in $(ip netns pids "$1" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    i=0
    while [ $i -lt 20 ] && [ -n "$(ip netns pids "$1" 2>/dev/null)" ]; do sleep 0.1; i=$((i + 1)); done
}
cleanup() {
    killns "$SRV"
    killns "$CLI"
    ip netns del "$SRV" 2>/dev/null
    ip netns del "$CLI" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! ip netns add "$SRV" 2>/dev/null; then echo "SKIPPED: playbook_servers.sh: ip netns add failed (no netns support)"; exit 77; fi
ip netns add "$CLI" || exit 1
ip link add tpb-s$$ netns "$SRV" type veth peer name tpb-c$$ netns "$CLI" || exit 1
ip -n "$SRV" addr add $SADDR/24 dev tpb-s$$
ip -n "$CLI" addr add 198.51.100.2/24 dev tpb-c$$
for ns in "$SRV" "$CLI"; do ip -n "$ns" link set lo up; done
ip -n "$SRV" link set tpb-s$$ up
ip -n "$CLI" link set tpb-c$$ up

fails=0 skips=""
ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
skip() { echo "skip - $1"; skips="$skips
  $1"; }
in_srv() { ip netns exec "$SRV" "$@"; }
in_cli() { ip netns exec "$CLI" "$@"; }

# expect FILE RC DESCRIPTION PYTHON-EXPRESSION: d is the JSON in FILE, rc its exit status
expect() {
    if RC=$2 "$PY" -c '
import json, os, sys
d = json.load(open(sys.argv[1])); rc = int(os.environ["RC"])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$4" 2>"$TMP/py.txt"; then
        ok "$NAME: $3"
    else
        bad "$NAME: $3 (rc=$2)"
        { cat "$1"; cat "$TMP/err.txt" "$TMP/py.txt"; } 2>/dev/null | sed 's/^/     | /'
    fi
}


# wait_listen PORT: waits (10 s at most) for a TCP listener on PORT in srv
wait_listen() {
    i=0
    while [ $i -lt 100 ]; do
        in_srv ss -Hltn "sport = :$1" | grep -q . && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

# start NAME LOG PORT... -- CMD...: starts CMD in srv in its own session; its pid in $SPID.
# Returns 1 (and shows the log) if a port does not listen in time.
start() {
    sname=$1 slog=$2; shift 2
    sports=""
    while [ "$1" != -- ]; do sports="$sports $1"; shift; done
    shift
    setsid ip netns exec "$SRV" "$@" </dev/null >"$slog" 2>&1 &
    SPID=$!
    for p in $sports; do
        if ! wait_listen "$p"; then
            bad "$sname did not listen on $p"; sed 's/^/     | /' "$slog" | tail -20
            return 1
        fi
    done
    return 0
}

# watch_while PLAYBOOK CLIENT...: `tshoot watch --json $WATCH_ARGS` in srv
# while CLIENT runs in cli, started once the watch says it listens and ended
# (SIGINT) once CLIENT is done; JSON in $TMP/watch.json, its status in $wrc,
# the client's in $crc (the watch's own failure to start: wrc=99, crc=99).
WATCH_ARGS=""
watch_while() {
    pb=$1; shift
    # a simple command, not in_srv: $! is then the watch itself, which SIGINT ends
    ip netns exec "$SRV" "$TSHOOT" watch -p "$pb" --json --duration "$WATCH_MAX_SECONDS" $WATCH_ARGS >"$TMP/watch.json" 2>"$TMP/err.txt" &
    wpid=$!
    if ! watch_ready $wpid "$TMP/err.txt"; then
        bad "$NAME: the watch did not say it listens within $WATCH_READY_SECONDS s: $(cat "$TMP/err.txt")"
        kill $wpid 2>/dev/null; wait $wpid
        crc=99 wrc=99
        return
    fi
    in_cli "$@" >"$TMP/client.txt" 2>&1
    crc=$?
    watch_stop $wpid
    wait $wpid
    wrc=$?
}

# check_srv PLAYBOOK: `tshoot check --json` in srv; JSON in $TMP/check.json, status in $rc
check_srv() {
    in_srv "$TSHOOT" check -p "$1" --json >"$TMP/check.json" 2>"$TMP/err.txt"
    rc=$?
}

# healthy PLAYBOOK "PORT..." PROCESS PID LABEL CLIENT...: the healthy case
healthy() {
    pb=$1 ports=$2 proc=$3 pid=$4 label=$5; shift 5
    t_case=$(date +%s)
    watch_while "$pb" "$@"
    if [ $crc = 0 ]; then ok "$NAME: the real client got an answer ($label)"
    else bad "$NAME: the client ($label) failed: exit $crc"; sed 's/^/     | /' "$TMP/client.txt" | tail -10; fi
    expect "$TMP/watch.json" $wrc "watch: handshake_ok, every attempt established, exit 0" \
        "d['verdict']['code'] == 'handshake_ok' and d['flows']['established'] >= 1 and d['flows']['total'] == d['flows']['established'] and rc == 0"
    for port in $ports; do
        expect "$TMP/watch.json" $wrc "watch: server $SADDR:$port seen with established attempts" \
            "any(s['address'] == '$SADDR' and s['port'] == $port and s['flows']['established'] >= 1 for s in d['servers'])"
    done
    check_srv "$pb"
    for port in $ports; do
        expect "$TMP/check.json" $rc "check: listening on $port, owned by $proc (pid $pid), the expected owner" \
            "d['listener']['state'] == 'listening' and any(s['port'] == $port and s['process'] == '$proc' and s['pid'] == $pid and s['expected_owner'] for s in d['listener']['sockets'])"
    done
    expect "$TMP/check.json" $rc "check: firewall open, no rule for the port" \
        "d['firewall']['state'] == 'open' and d['firewall']['rules'] == []"
    expect "$TMP/check.json" $rc "check: service running (process table), nothing wrong: exit 0" \
        "d['service']['state'] == 'running' and rc == 0"
    echo "     (healthy case: $(( $(date +%s) - t_case )) s)"
}

# blocked PLAYBOOK "PORT...": the drop rule, watch with nc, check, rule removed
blocked() {
    pb=$1 ports=$2
    t_case=$(date +%s)
    set -- $ports
    plist=$(echo "$ports" | sed 's/^ *//; s/ *$//; s/  */, /g')
    printf 'table inet tshoot_pbs { chain input { type filter hook input priority 0; policy accept; tcp dport { %s } counter drop; }; }\n' "$plist" |
        in_srv nft -f - || { bad "$NAME: nft -f failed"; return; }
    handle=$(in_srv nft -a list table inet tshoot_pbs | grep 'counter' | sed 's/.*# handle //')
    # one SYN per port, all at once; nc gives up after 2 s. This capture
    # names the interface (the healthy one uses the default, any).
    WATCH_ARGS="-i tpb-s$$"
    watch_while "$pb" sh -c "for p in $ports; do nc -z -w 2 $SADDR \$p & done; wait"
    WATCH_ARGS=""
    expect "$TMP/watch.json" $wrc "blocked: watch -i tpb-s$$ reports that interface" \
        "d['interface'] == 'tpb-s$$' and d['drops']['kernel'] == 0"
    expect "$TMP/watch.json" $wrc "blocked: watch says syn_no_synack, Scenario 1, at the server, exit 1" \
        "d['verdict']['code'] == 'syn_no_synack' and d['verdict']['scenario'] == '1' and d['verdict'].get('vantage') == 'server' and d['flows']['syn_no_synack'] >= 1 and d['flows']['established'] == 0 and rc == 1"
    for port in $ports; do
        expect "$TMP/watch.json" $wrc "blocked: the unanswered SYN to $SADDR:$port counted" \
            "any(s['address'] == '$SADDR' and s['port'] == $port and s['flows']['syn_no_synack'] >= 1 for s in d['servers'])"
    done
    check_srv "$pb"
    expect "$TMP/check.json" $rc "blocked: check says firewall blocked by inet tshoot_pbs input handle $handle (drop), exit 1" \
        "d['firewall']['state'] == 'blocked' and any(r['table'] == 'inet tshoot_pbs' and r['chain'] == 'input' and r['handle'] == $handle and r['verdict'] == 'drop' for r in d['firewall']['rules']) and rc == 1"
    expect "$TMP/check.json" $rc "blocked: the listener is still seen listening" \
        "d['listener']['state'] == 'listening'"
    in_srv nft delete table inet tshoot_pbs
    echo "     (blocked case: $(( $(date +%s) - t_case )) s)"
}

# stop_srv: ends the server (every process in srv)
stop_srv() { killns "$SRV"; }

## Certificate for nginx and slapd
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$SADDR" \
    -keyout "$TMP/tls.key" -out "$TMP/tls.crt" >/dev/null 2>&1 || { bad "openssl req failed"; exit 1; }
chmod 644 "$TMP/tls.key"    # throw-away; read by servers that may drop privileges

## SSH: openssh-server
NAME=ssh
if command -v sshd >/dev/null 2>&1 && command -v ssh-keyscan >/dev/null 2>&1; then
    t=$(date +%s)
    ssh-keygen -q -t ed25519 -N '' -f "$TMP/ssh_host_key"
    cat >"$TMP/sshd_config" <<CONF
Port 22
ListenAddress 0.0.0.0
HostKey $TMP/ssh_host_key
PidFile $TMP/sshd.pid
UsePAM no
PasswordAuthentication no
CONF
    # sshd wants its privilege separation directory /run/sshd: a tmpfs over
    # /run in the mount namespace of `ip netns exec` gives it one without
    # touching the host's /run (or a host sshd's)
    if start sshd "$TMP/sshd.log" 22 -- sh -c 'mount -t tmpfs -o mode=755 tshoot-run /run && mkdir -m 755 /run/sshd && exec "$1" -D -e -f "$2"' sh "$(command -v sshd)" "$TMP/sshd_config"; then
        healthy ssh-tcp-handshake 22 sshd "$SPID" ssh-keyscan ssh-keyscan -T 2 -t ed25519 $SADDR
        blocked ssh-tcp-handshake 22
    fi
    stop_srv
    echo "     (ssh: $(( $(date +%s) - t )) s)"
else
    skip "ssh: sshd or ssh-keyscan not installed (openssh-server, openssh-client)"
fi

## HTTPS: nginx
NAME=https
if command -v nginx >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
    t=$(date +%s)
    N=$TMP/nginx
    mkdir -p "$N"
    cat >"$N/nginx.conf" <<CONF
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $N/body;
    proxy_temp_path $N/proxy;
    fastcgi_temp_path $N/fastcgi;
    uwsgi_temp_path $N/uwsgi;
    scgi_temp_path $N/scgi;
    server {
        listen 443 ssl;
        ssl_certificate $TMP/tls.crt;
        ssl_certificate_key $TMP/tls.key;
        location / { return 200 "tshoot-test\n"; }
    }
}
CONF
    if start nginx "$N/stdout" 443 -- nginx -p "$N/" -e "$N/error.log" -c "$N/nginx.conf" -g 'daemon off;'; then
        healthy https-tcp-handshake 443 nginx "$SPID" "curl -k" curl -sfk --max-time 3 https://$SADDR/
        grep -q tshoot-test "$TMP/client.txt" && ok "$NAME: nginx served the page over TLS" || bad "$NAME: unexpected page: $(cat "$TMP/client.txt")"
        blocked https-tcp-handshake 443
    fi
    stop_srv
    echo "     (https: $(( $(date +%s) - t )) s)"
else
    skip "https: nginx or curl not installed"
fi

## LDAP and LDAPS: slapd
NAME=ldap
if command -v slapd >/dev/null 2>&1 && command -v ldapsearch >/dev/null 2>&1; then
    t=$(date +%s)
    L=$TMP/ldap
    mkdir -p "$L/db"
    cat >"$L/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
pidfile $L/slapd.pid
argsfile $L/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile $TMP/tls.crt
TLSCertificateKeyFile $TMP/tls.key
database mdb
maxsize 10485760
suffix "dc=test,dc=example"
rootdn "cn=admin,dc=test,dc=example"
rootpw throwaway
directory $L/db
CONF
    if start slapd "$L/stdout" 389 636 -- slapd -d 0 -h "ldap:/// ldaps:///" -f "$L/slapd.conf"; then
        healthy ldap-tcp-handshake "389 636" slapd "$SPID" "ldapsearch, ldap:// and ldaps://" sh -c \
            "ldapsearch -LLL -x -o nettimeout=3 -H ldap://$SADDR -s base -b '' namingContexts &&
             LDAPTLS_REQCERT=never ldapsearch -LLL -x -o nettimeout=3 -H ldaps://$SADDR -s base -b '' namingContexts"
        grep -q 'namingContexts: dc=test,dc=example' "$TMP/client.txt" && ok "$NAME: slapd answered the root DSE search" || bad "$NAME: no namingContexts in the answer"
        blocked ldap-tcp-handshake "389 636"
    fi
    stop_srv
    echo "     (ldap: $(( $(date +%s) - t )) s)"
else
    skip "ldap: slapd or ldapsearch not installed (slapd, ldap-utils)"
fi

## Kerberos: krb5-kdc
NAME=kerberos
if command -v krb5kdc >/dev/null 2>&1 && command -v kdb5_util >/dev/null 2>&1 && command -v kadmin.local >/dev/null 2>&1 && command -v kinit >/dev/null 2>&1; then
    t=$(date +%s)
    K=$TMP/krb5
    mkdir -p "$K"
    cat >"$K/krb5.conf" <<CONF
[libdefaults]
    default_realm = TEST.EXAMPLE
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    udp_preference_limit = 1
[realms]
    TEST.EXAMPLE = {
        kdc = $SADDR:88
        admin_server = $SADDR
    }
CONF
    cat >"$K/kdc.conf" <<CONF
[kdcdefaults]
    kdc_listen = 88
    kdc_tcp_listen = 88
[realms]
    TEST.EXAMPLE = {
        database_name = $K/principal
        key_stash_file = $K/stash
        acl_file = $K/kadm5.acl
    }
[logging]
    kdc = FILE:$K/kdc.log
    default = FILE:$K/kdc.log
CONF
    : >"$K/kadm5.acl"
    export KRB5_CONFIG="$K/krb5.conf" KRB5_KDC_PROFILE="$K/kdc.conf" KRB5CCNAME="FILE:$K/ccache"
    if ! kdb5_util create -s -P throwaway -r TEST.EXAMPLE >"$K/create.log" 2>&1 ||
       ! kadmin.local -q "addprinc -pw throwaway tester" >>"$K/create.log" 2>&1; then
        bad "$NAME: kdb5_util create / kadmin.local failed"; sed 's/^/     | /' "$K/create.log"
    elif start krb5kdc "$K/stdout" 88 -- krb5kdc -n -r TEST.EXAMPLE; then
        healthy kerberos-tcp-handshake 88 krb5kdc "$SPID" "kinit over TCP" sh -c \
            "echo throwaway | kinit tester@TEST.EXAMPLE && klist"
        blocked kerberos-tcp-handshake 88
    fi
    stop_srv
    unset KRB5_CONFIG KRB5_KDC_PROFILE KRB5CCNAME
    echo "     (kerberos: $(( $(date +%s) - t )) s)"
else
    skip "kerberos: krb5kdc, kdb5_util or kinit not installed (krb5-kdc, krb5-admin-server, krb5-user)"
fi

## PostgreSQL
NAME=postgresql
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -n "$PGBIN" ] && [ -x "$PGBIN/postgres" ] && command -v psql >/dev/null 2>&1 && id postgres >/dev/null 2>&1; then
    t=$(date +%s)
    P=$TMP/pg
    mkdir -p "$P/data" "$P/sock"
    chown -R postgres:postgres "$P"
    if ! setpriv --reuid postgres --regid postgres --init-groups env -i PATH=/usr/bin:/bin \
            "$PGBIN/initdb" -D "$P/data" -A trust -U postgres >"$P/initdb.log" 2>&1; then
        bad "$NAME: initdb failed"; sed 's/^/     | /' "$P/initdb.log" | tail -10
    else
        echo "host all all 198.51.100.0/24 trust" >>"$P/data/pg_hba.conf"
        if start postgres "$P/stdout" 5432 -- setpriv --reuid postgres --regid postgres --init-groups \
                "$PGBIN/postgres" -D "$P/data" -c "listen_addresses=*" -k "$P/sock"; then
            # The playbook's service.linux is "postgresql" and its daemon is
            # "postgres" (process.linux): without an init system the service
            # check finds the service through its program name.
            healthy postgresql-tcp-handshake 5432 postgres "$SPID" psql \
                psql -h $SADDR -U postgres -d postgres -tAc 'select 40 + 2'
            grep -q '^42$' "$TMP/client.txt" && ok "$NAME: postgres ran the query" || bad "$NAME: psql did not print 42"
            blocked postgresql-tcp-handshake 5432
        fi
    fi
    stop_srv
    echo "     (postgresql: $(( $(date +%s) - t )) s)"
else
    skip "postgresql: postgres, psql or the postgres user missing (postgresql)"
fi

## RDP: xrdp
NAME=rdp
if command -v xrdp >/dev/null 2>&1 && [ -f /etc/xrdp/xrdp.ini ] && [ -d /var/run/xrdp ]; then
    t=$(date +%s)
    X=$TMP/xrdp
    mkdir -p "$X"
    sed -e "s|^LogFile=.*|LogFile=$X/xrdp.log|" -e 's|^fork=.*|fork=false|' /etc/xrdp/xrdp.ini >"$X/xrdp.ini"
    # xrdp needs no desktop (nor xrdp-sesman) to accept connections and
    # answer the X.224 request. It refuses to start while its compiled-in
    # /var/run/xrdp/xrdp.pid exists (a host xrdp): a tmpfs over that
    # directory in the mount namespace of `ip netns exec` hides the host's.
    if start xrdp "$X/stdout" 3389 -- sh -c 'mount -t tmpfs -o mode=755 tshoot-xrdp /var/run/xrdp && exec xrdp --nodaemon -c "$1"' sh "$X/xrdp.ini"; then
        healthy rdp-tcp-handshake 3389 xrdp "$SPID" "X.224 request" "$PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 3389), timeout=3)
# TPKT + X.224 Connection Request + RDP_NEG_REQ (TLS | CredSSP)
s.sendall(bytes.fromhex("030000130ee000000000000100080003000000"))
r = s.recv(64)
print(r.hex())
sys.exit(0 if r[:2] == b"\x03\x00" and r[5] == 0xd0 else 1)' $SADDR
        [ $crc = 0 ] && ok "$NAME: xrdp answered with an X.224 Connection Confirm ($(cat "$TMP/client.txt"))"
        blocked rdp-tcp-handshake 3389
    fi
    stop_srv
    echo "     (rdp: $(( $(date +%s) - t )) s)"
else
    skip "rdp: xrdp not installed (or no /var/run/xrdp)"
fi

echo "playbook_servers.sh: $(( $(date +%s) - START )) s in all"
[ -n "$skips" ] && echo "skipped servers:$skips"
if [ $fails -ne 0 ]; then echo "playbook_servers.sh: $fails failed"; exit 1; fi
echo "playbook_servers.sh: all passed"
exit 0
