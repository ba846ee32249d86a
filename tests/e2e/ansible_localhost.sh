#!/bin/sh
# ansible_localhost.sh: the example Ansible playbook (examples/ansible/tshoot.yml)
# against localhost with Debian's ansible (`-i localhost, -c local`), inside a
# network namespace this script creates and always removes, so that the
# capture sees only its own traffic:
#   - a python listener on port 22 (the ssh-tcp-handshake playbook) that
#     accepts and closes, and a client that connects to 127.0.0.1:22 every
#     0.3 s while the playbook runs;
#   - the run succeeds, and the collected files HOST.check.json and
#     HOST.watch.json parse and carry the DESIGN.md keys: check with
#     listener.state listening (the listener's pid), watch with verdict.code
#     handshake_ok; with tshoot_write=true the fetched HOST.pcap replays
#     (tshoot analyze) to handshake_ok too;
#   - a run with a playbook that does not exist fails the host with
#     tshoot's own message, and collects nothing for it.
# Exit 0 pass, 1 fail, 77 skipped (no ansible-playbook, not root, no netns).
cd "$(dirname "$0")/../.." || exit 1
set -u
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
command -v ansible-playbook >/dev/null 2>&1 || { echo "SKIPPED: ansible_localhost.sh: no ansible-playbook (apt-get install ansible)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIPPED: ansible_localhost.sh needs root (capture, network namespace)"; exit 77; }
[ -x "$TSHOOT" ] || { echo "ansible_localhost.sh: no tshoot binary at $TSHOOT"; exit 1; }
PY=$(python3 -c 'import sys; print(sys.executable)') || { echo "SKIPPED: ansible_localhost.sh needs python3"; exit 77; }
# ansible runs its modules with the system python (Debian's ansible package)
APY=/usr/bin/python3
[ -x "$APY" ] || APY=$PY

NS=tshoot-ans-$$
TMP=$(mktemp -d /tmp/tshoot-ansible.XXXXXX)
cleanup() {
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
    sleep 0.2
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
ip netns add "$NS" 2>/dev/null || { echo "SKIPPED: ansible_localhost.sh: ip netns add failed (no netns support)"; exit 77; }
ip -n "$NS" link set lo up

fails=0
ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# Ansible keeps everything under $TMP (no ~/.ansible, no color, no retry files)
export ANSIBLE_HOME="$TMP/ansible" ANSIBLE_LOCAL_TEMP="$TMP/ansible/tmp" ANSIBLE_REMOTE_TEMP="$TMP/ansible/rtmp" \
    ANSIBLE_ASYNC_DIR="$TMP/ansible/async" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
    ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_DEPRECATION_WARNINGS=0

# run_playbook RESULTS PLAYBOOK [ARGS]: the example against localhost in the namespace; status in $arc
run_playbook() {
    r=$1 p=$2; shift 2
    ip netns exec "$NS" ansible-playbook -i localhost, -c local examples/ansible/tshoot.yml \
        -e "tshoot_bin=$TSHOOT" -e tshoot_become=false -e tshoot_duration=3 \
        -e "tshoot_results=$r" -e "tshoot_playbook=$p" -e "ansible_python_interpreter=$APY" "$@" \
        >"$TMP/ansible.out" 2>&1
    arc=$?
}

# the listener: accepts and closes, so that its backlog never fills
ip netns exec "$NS" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 22)); s.listen(64)
open(sys.argv[1], "w").write("up")
while True:
    c, _ = s.accept(); c.close()' "$TMP/ready" &
LPID=$!
i=0; while [ ! -f "$TMP/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$TMP/ready" ] || { bad "the test listener did not start"; exit 1; }
# the client: one connection every 0.3 s until killed
ip netns exec "$NS" "$PY" -c '
import socket, time
while True:
    try: socket.create_connection(("127.0.0.1", 22), timeout=1).close()
    except OSError: pass
    time.sleep(0.3)' &
CPID=$!

t0=$(date +%s)
run_playbook "$TMP/results" "$PWD/playbooks/ssh-tcp-handshake.ini" -e tshoot_write=true
kill "$CPID" 2>/dev/null
echo "     (ansible-playbook: $(( $(date +%s) - t0 )) s)"
if [ $arc = 0 ]; then ok "ansible-playbook against localhost succeeded"
else bad "ansible-playbook exited $arc"; sed 's/^/     | /' "$TMP/ansible.out" | tail -30; fi
grep -q 'listener listening' "$TMP/ansible.out" && ok "the summary task printed the host's results" ||
    bad "no summary line in the ansible output"

if "$PY" - "$TMP/results" "$LPID" >"$TMP/py.txt" 2>&1 <<'PY'
import json, os, sys
res, lpid = sys.argv[1], int(sys.argv[2])
names = sorted(os.listdir(res))
assert names == ["localhost.check.json", "localhost.pcap", "localhost.watch.json"], names
c = json.load(open(os.path.join(res, "localhost.check.json")))
w = json.load(open(os.path.join(res, "localhost.watch.json")))
# check --json: listener, service, firewall objects (DESIGN.md)
assert c["playbook"] == "ssh-tcp-handshake" and c["ports"] == [22], (c["playbook"], c["ports"])
assert c["listener"]["state"] in ("listening", "not_listening", "loopback_only", "unknown")
for s in c["listener"]["sockets"]:
    assert all(k in s for k in ("address", "port", "pid", "process", "user")), s
assert all(k in c["service"] for k in ("name", "state", "manager"))
assert c["service"]["state"] in ("running", "stopped", "not_installed", "unknown")
assert all(k in c["firewall"] for k in ("state", "backend", "rules"))
assert c["firewall"]["state"] in ("open", "blocked", "unknown")
assert c["listener"]["state"] == "listening", c["listener"]
assert any(s["pid"] == lpid and s["port"] == 22 for s in c["listener"]["sockets"]), c["listener"]["sockets"]
# watch --json: the analyze keys plus interface, duration, drops
for k in ("playbook", "ports", "packets", "flows", "verdict", "servers", "unreachable_from",
          "interface", "duration", "drops"):
    assert k in w, k
assert set(w["flows"]) >= {"total", "established", "synack_no_ack", "refused", "unreachable", "syn_no_synack"}
assert all(k in w["verdict"] for k in ("code", "scenario", "summary"))
assert w["verdict"]["code"] == "handshake_ok", w["verdict"]
assert w["flows"]["established"] >= 1 and w["flows"]["total"] == w["flows"]["established"], w["flows"]
assert any(s["port"] == 22 for s in w["servers"]), w["servers"]
print("check: listener %s (pid %d); watch: %s, %d attempts" %
      (c["listener"]["state"], lpid, w["verdict"]["code"], w["flows"]["total"]))
PY
then ok "collected JSON parses with the DESIGN.md keys: $(cat "$TMP/py.txt")"
else bad "collected JSON"; sed 's/^/     | /' "$TMP/py.txt"; ls -l "$TMP/results" 2>&1 | sed 's/^/     | /'; fi

# the fetched evidence capture (tshoot_write=true) replays to the same verdict
"$TSHOOT" analyze -p ssh-tcp-handshake --json "$TMP/results/localhost.pcap" >"$TMP/replay.json" 2>"$TMP/replay.err"
rrc=$?
if [ $rrc = 0 ] && "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1])); w = json.load(open(sys.argv[2]))
sys.exit(0 if r["verdict"]["code"] == "handshake_ok" and r["flows"] == w["flows"] else 1)' \
        "$TMP/replay.json" "$TMP/results/localhost.watch.json" 2>/dev/null; then
    ok "the fetched localhost.pcap analyzes to handshake_ok, with the same counts as watch"
else
    bad "analyze of the fetched pcap: exit $rrc"; cat "$TMP/replay.err" "$TMP/replay.json" 2>/dev/null | sed 's/^/     | /' | head -30
fi

# a bad playbook: tshoot exits 2, the host fails with tshoot's message
run_playbook "$TMP/results-bad" no-such-playbook
if [ $arc != 0 ] && grep -q "no playbook 'no-such-playbook'" "$TMP/ansible.out"; then
    ok "a bad playbook fails the host (exit $arc) with tshoot's message"
else
    bad "bad playbook: ansible-playbook exited $arc"; sed 's/^/     | /' "$TMP/ansible.out" | tail -20
fi
[ ! -e "$TMP/results-bad/localhost.check.json" ] && ok "nothing collected for the failed host" ||
    bad "a check file was collected for the failed host"

[ $fails = 0 ] || { echo "ansible_localhost.sh: $fails failed"; exit 1; }
echo "ansible_localhost.sh: all passed"
exit 0
