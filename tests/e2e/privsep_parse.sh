#!/bin/sh
# privsep_parse.sh: under sudo (SUDO_UID=4242 SUDO_GID=4243, run as root),
# playbooks are parsed as the user and `check` prints as the user (issue 12):
#   - the wizard, watch, analyze and check read a playbook only root can read
#     (0600 in a 0700 root directory) and work; strace -ff shows that every
#     process handing the text to iniparser (its open of /proc/self/fd/N) had
#     already become uid 4242 (setresuid(4242, ...) = 0 earlier in the same
#     process), so the root process never parses it;
#   - a bad root-only playbook still gives one line naming file:line, exit 2,
#     from each of the four, parsed as the user too;
#   - `check --json --trace 2` as root: while the trace runs, every thread of
#     the process that prints is uid 4242 with CapEff 0 and NoNewPrivs 1, and
#     its child (the checks helper) is root; the results are those of a root
#     check (the owner of a root listener in a namespace, the nft rule that
#     drops its port), the exit status 1, and the sandbox "on".
# Exit 0 pass, 1 fail, 77 skipped.
TSHOOT=${TSHOOT:-${BUILD:-build}/tshoot}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: privsep_parse.sh needs root"; exit 77; }
for t in strace ip nft python3 setpriv; do
    command -v $t >/dev/null 2>&1 || { echo "SKIPPED: privsep_parse.sh needs $t"; exit 77; }
done
. tests/lib/tmux.sh
FAILS=0
NS=tshoot-parse-$$
tmp=$(mktemp -d /tmp/tshoot-parse.XXXXXX)
LPID=
cleanup() {
    tmux_cleanup
    [ -n "$LPID" ] && kill "$LPID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
SUDO="SUDO_UID=4242 SUDO_GID=4243 SUDO_USER=tester"
PCAP=$PWD/../shared/corpus/handshake/synth-smb445-ipv4-syn-no-synack.pcap
TRACE="strace -qq -ff -e trace=setresuid,openat"

chmod 755 "$tmp"
mkdir -m 700 "$tmp/state"
chown 4242:4243 "$tmp/state"
# the playbooks: root's alone (0600 in a 0700 directory), the good and a bad one
mkdir -m 700 "$tmp/root"
cp playbooks/smb-tcp-handshake.ini "$tmp/root/secret.ini"
sed 's/^ports *=.*/ports = 445, seventy/' playbooks/smb-tcp-handshake.ini >"$tmp/root/bad.ini"
chmod 600 "$tmp/root/secret.ini" "$tmp/root/bad.ini"
GOOD=$tmp/root/secret.ini
BAD=$tmp/root/bad.ini
badline=$(grep -n '^ports = 445, seventy' "$BAD" | cut -d: -f1)
if setpriv --reuid=4242 --regid=4243 --clear-groups cat "$GOOD" >/dev/null 2>&1; then
    fail "uid 4242 can read $GOOD: the test proves nothing"
else
    ok "uid 4242 cannot read the playbook itself"
fi

# parsed_as_user NAME PREFIX: in the strace -ff files PREFIX.PID, every
# process that opens /proc/self/fd/N (iniparser reading the text) had become
# uid 4242 before, and at least one did
parsed_as_user() {
    n=0 bad=
    for f in "$2".*; do
        grep -q 'openat(.*"/proc/self/fd/[0-9]*"' "$f" || continue
        n=$((n + 1))
        first=$(grep -n -m1 -E 'openat\(.*"/proc/self/fd/[0-9]+"' "$f" | cut -d: -f1)
        drop=$(grep -n -m1 -E '^setresuid\(4242, 4242, 4242\) += 0' "$f" | cut -d: -f1)
        [ -n "$drop" ] && [ "$drop" -lt "$first" ] || bad="$bad ${f##*.}"
    done
    if [ $n -gt 0 ] && [ -z "$bad" ]; then
        ok "$1: the playbook is parsed as uid 4242 ($n processes), never as root"
    else
        fail "$1: $n processes parsed the playbook; as root: pid$bad"
    fi
}

# 1. the four commands, a root-only playbook, parsed as the user
out=$(env $SUDO $TRACE -o "$tmp/an" "$TSHOOT" analyze --json -p "$GOOD" "$PCAP" 2>"$tmp/an.err")
rc=$?
echo "$out" | grep -q '"playbook": "smb-tcp-handshake"' && [ $rc -le 1 ] &&
    ok "analyze: the root-only playbook loads (exit $rc)" || fail "analyze: exit $rc: $(head -c 300 "$tmp/an.err")"
parsed_as_user analyze "$tmp/an"
env $SUDO $TRACE -o "$tmp/wa" "$TSHOOT" watch -i lo --duration 1 --json -p "$GOOD" >"$tmp/wa.out" 2>"$tmp/wa.err"
rc=$?
grep -q '"playbook": "smb-tcp-handshake"' "$tmp/wa.out" && [ $rc -le 1 ] &&
    ok "watch: the root-only playbook loads (exit $rc)" || fail "watch: exit $rc: $(head -c 300 "$tmp/wa.err")"
parsed_as_user watch "$tmp/wa"
env $SUDO $TRACE -o "$tmp/ch" "$TSHOOT" check --json -p "$GOOD" >"$tmp/ch.out" 2>"$tmp/ch.err"
rc=$?
grep -q '"playbook": "smb-tcp-handshake"' "$tmp/ch.out" && [ $rc -ne 2 ] &&
    ok "check: the root-only playbook loads (exit $rc)" || fail "check: exit $rc: $(head -c 300 "$tmp/ch.err")"
parsed_as_user check "$tmp/ch"
start "LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state $SUDO $TRACE -o $tmp/wz" 80 24 -r "$PCAP" -p "$GOOD"
expect "wizard: the root-only playbook loads" "Step 1/"
t send-keys -t w q
expect "wizard: quits" "EXITED=0"
parsed_as_user wizard "$tmp/wz"

# 2. a bad root-only playbook: one line naming file:line, exit 2, parsed as the user
for cmd in "analyze:analyze -p $BAD $PCAP" "watch:watch -i lo --duration 1 -p $BAD" "check:check -p $BAD" \
           "wizard:wizard -r $PCAP -p $BAD"; do
    name=${cmd%%:*}
    env $SUDO $TRACE -o "$tmp/bad-$name" "$TSHOOT" ${cmd#*:} >"$tmp/bad.out" 2>"$tmp/bad.err" </dev/null
    rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] && grep -q "^tshoot[a-z ]*: $BAD:$badline: " "$tmp/bad.err"; then
        ok "$name, bad playbook: exit 2, one line naming $BAD:$badline"
    else
        fail "$name, bad playbook: exit $rc, stderr: $(cat "$tmp/bad.err")"
    fi
    parsed_as_user "$name, bad playbook" "$tmp/bad-$name"
done

# 3. check as root prints as the user while the checks helper answers
# status PID FIELD: one field of /proc/PID/status, its values apart by spaces
status() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status" 2>/dev/null; }
# as_user PID: every thread of PID is uid 4242 with no capability and no_new_privs
as_user() {
    for s in /proc/$1/task/*/status; do
        awk '$1 == "Uid:" { u = $2 " " $3 " " $4 " " $5 } $1 == "CapEff:" { c = $2 } $1 == "NoNewPrivs:" { n = $2 }
             END { exit !(u == "4242 4242 4242 4242" && c == "0000000000000000" && n == 1) }' "$s" || return 1
    done
}
if ip netns add "$NS" 2>/dev/null; then
    ip -n "$NS" link set lo up
    ip netns exec "$NS" python3 -c 'import socket, time
s = socket.socket(); s.bind(("0.0.0.0", 7445)); s.listen(); time.sleep(60)' &
    LPID=$!
    printf 'table inet filter { chain input { type filter hook input priority 0; tcp dport 7445 drop; }; }\n' |
        ip netns exec "$NS" nft -f -
    i=0
    until ip netns exec "$NS" ss -ltnH 'sport = :7445' | grep -q 7445 || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
    ip netns exec "$NS" env $SUDO "$TSHOOT" check --json --port 7445 --trace 2 >"$tmp/cj.out" 2>"$tmp/cj.err" &
    CP=$!
    seen=
    i=0
    while [ $i -lt 40 ] && [ -z "$seen" ]; do
        helper=$(pgrep -P "$CP" | head -1)
        if [ -n "$helper" ] && as_user "$CP" && [ "$(status "$helper" Uid | cut -d" " -f1)" = 0 ]; then
            seen="uid 4242, CapEff 0, NoNewPrivs 1 (helper $helper: uid 0)"
        fi
        sleep 0.05; i=$((i + 1))
    done
    wait "$CP"
    rc=$?
    [ -n "$seen" ] && ok "check --trace as root: the process that prints is $seen" ||
        fail "check --trace as root: its process never ran as uid 4242 without capabilities: $(grep -E '^(Uid|CapEff)' "/proc/$CP/status" 2>/dev/null | tr '\n' ' ')"
    if python3 - "$tmp/cj.out" "$LPID" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["listener"]["sockets"]
ok = (d["listener"]["state"] == "listening" and len(s) == 1 and s[0]["process"] == "python3"
      and s[0]["pid"] == int(sys.argv[2]) and s[0]["user"] == "root"
      and d["firewall"]["state"] == "blocked"
      and any(r["text"] == "tcp dport 7445 drop" for r in d["firewall"]["rules"])
      and d["sandbox"]["state"] == "on" and "trace_error" not in d)
sys.exit(0 if ok else 1)
EOF
    then
        [ $rc -eq 1 ] && ok "check --json as root: root's results (python3 pid $LPID owns 7445, nft drops it), exit 1" ||
            fail "check --json as root: exit $rc, not 1"
    else
        fail "check --json as root: $(head -c 600 "$tmp/cj.out") $(cat "$tmp/cj.err")"
    fi
else
    echo "# no network namespace here: the check as root is not tested"
fi

[ $FAILS -eq 0 ] || { echo "privsep_parse.sh: $FAILS failed"; exit 1; }
echo "privsep_parse.sh: all passed"
