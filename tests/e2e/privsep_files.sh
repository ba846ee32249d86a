#!/bin/sh
# Files tshoot writes for a sudo user (issue 12), run as root with
# SUDO_UID=4242 SUDO_GID=4243 as sudo sets them: a symlink planted at the
# report's or the evidence's name is never followed; a report path the user
# cannot write is refused (exit 2, one line) before the screen opens; the
# rename race on a save cannot hand a root file to the user; every thread of
# `watch` and `analyze -` runs as the user with no capabilities and
# no_new_privs; and a setcap install drops its capabilities before decoding.
# Exit 0 pass, 1 fail, 77 skip.
TSHOOT=${TSHOOT:-build/tshoot}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: these attacks are tested as root"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "SKIPPED: /usr/bin/python3 is not installed (the racer runs as the user)"; exit 77; }
. tests/lib/tmux.sh
tmp=$(mktemp -d)
chmod 755 "$tmp"
bgpids=
cleanup() { tmux_cleanup; for p in $bgpids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
SUDO="SUDO_UID=4242 SUDO_GID=4243 SUDO_USER=tester"
PB=$PWD/playbooks/smb-tcp-handshake.ini
as_user() { setpriv --reuid=4242 --regid=4243 --clear-groups "$@"; }

# root_file NAME: a root-owned file (0644) only root may change, in a root directory
mkdir "$tmp/root"
root_file() { echo "root's own $1" > "$tmp/root/$1"; chmod 644 "$tmp/root/$1"; echo "$tmp/root/$1"; }
# intact FILE NAME: FILE is still root's, unchanged
intact() {
    if [ "$(stat -c %u:%g "$1")" = 0:0 ] && [ "$(cat "$1")" = "root's own $(basename "$1")" ]; then
        ok "$2"
    else
        fail "$2: $(stat -c '%u:%g %s' "$1") '$(head -c 60 "$1")'"
    fi
}
# the sudo user's state directory, theirs already (a former session made it)
state=$tmp/state
mkdir -p "$state/tshoot/sessions"
chown -R 4242:4243 "$state"
chmod 700 "$state/tshoot" "$state/tshoot/sessions"
sessions=$state/tshoot/sessions

# 1. symlinks planted at the report's and the evidence's names
for ext in md json pcap; do ln -s "$(root_file "planted.$ext")" "$sessions/planted.$ext"; done
chown -h 4242:4243 "$sessions"/planted.*
start "LANG=C.UTF-8 XDG_STATE_HOME=$state $SUDO" 80 24 -i lo --report "$sessions/planted"
expect "planted symlinks: the wizard starts" "Step 1/"
t send-keys -t w s
expect "planted symlinks: the report is saved" "Report saved:"
t send-keys -t w q
expect "planted symlinks: quits" "EXITED=0"
for ext in md json pcap; do
    intact "$tmp/root/planted.$ext" "a symlink at the .$ext name is not followed"
done
kinds=$(stat -c '%F %u:%g %a' "$sessions"/planted.md "$sessions"/planted.json "$sessions"/planted.pcap | sort -u)
[ "$kinds" = "regular file 4242:4243 600" ] && ok "the report and evidence replace the symlinks, the user's, 0600" \
    || fail "planted names now: $kinds"

# 2. a report path the sudo user cannot write: refused before the screen opens
mkdir "$tmp/rootdir"
chmod 755 "$tmp/rootdir"
start "LANG=C.UTF-8 XDG_STATE_HOME=$state $SUDO" 200 24 -i lo --report "$tmp/rootdir/daemon"
wait_for "EXITED=" 5 || { wait_for "Step 1/" 1 && t send-keys -t w q && wait_for "EXITED=" 5; }
said=$(screen | grep -v '^EXITED=' | grep -c .)
if screen | grep -q "^EXITED=2" && [ "$said" = 1 ] && screen | grep -q "$tmp/rootdir" && [ -z "$(ls -A "$tmp/rootdir")" ]; then
    ok "--report in a root directory: refused before the screen, exit 2, one line naming it, nothing created"
else
    fail "--report in a root directory: there: $(ls -A "$tmp/rootdir")"
fi
out=$(env $SUDO timeout 10 "$TSHOOT" watch -p "$PB" -i lo --duration 1 --write "$tmp/rootdir/x.pcap" 2>&1 >/dev/null)
rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "$tmp/rootdir/x.pcap" && [ -z "$(ls -A "$tmp/rootdir")" ] \
    && ok "watch --write in a root directory: refused, exit 2, nothing created" \
    || fail "watch --write in a root directory: exit $rc: $out; there: $(ls -A "$tmp/rootdir")"
# the user's own directory holds a symlink to the root directory: writing
# "through" it is refused too (the directory is opened O_NOFOLLOW, as the user)
mkdir "$tmp/ulink" && chown 4242:4243 "$tmp/ulink" && ln -s "$tmp/rootdir" "$tmp/ulink/link"
out=$(env $SUDO timeout 10 "$TSHOOT" watch -p "$PB" -i lo --duration 1 --write "$tmp/ulink/link/x.pcap" 2>&1 >/dev/null)
rc=$?
[ $rc = 2 ] && [ -z "$(ls -A "$tmp/rootdir")" ] \
    && ok "watch --write through the user's symlink to a root directory: refused, exit 2, nothing created" \
    || fail "watch --write through a symlinked directory: exit $rc: $out; there: $(ls -A "$tmp/rootdir")"

# 3. the rename race: the user swaps the report for a symlink as it is renamed in
target=$(root_file race-target)
as_user /usr/bin/python3 tests/lib/race_symlink.py "$sessions" race.md "$target" 30 > "$tmp/racer.out" 2>&1 &
racer=$!
bgpids="$bgpids $racer"
i=0; while [ $i -lt 50 ] && ! grep -q watching "$tmp/racer.out" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
start "LANG=C.UTF-8 XDG_STATE_HOME=$state $SUDO" 80 24 --report "$sessions/race"
expect "race: the wizard starts" "Step 1/"
n=0
while [ $n -lt 8 ]; do
    t send-keys -t w s
    wait_for "Report saved:" 3 || wait_for "race" 1
    sleep 0.2
    n=$((n + 1))
done
t send-keys -t w q
wait_for "EXITED=" 5
kill $racer 2>/dev/null
grep -q "^swap" "$tmp/racer.out" && ok "race: the racer swapped the report for a symlink $(grep -c '^swap' "$tmp/racer.out") times" \
    || fail "race: the racer never swapped: $(cat "$tmp/racer.out")"
intact "$target" "rename race over $n saves: the root file stays root's and unchanged"

# 4. every thread of watch and of analyze - runs as the user, without capabilities
# threads PID NAME: each /proc/PID/task/*/status shows Uid 4242, CapBnd 0, CapEff 0, NoNewPrivs 1
threads() {
    bad= n=0
    for f in /proc/"$1"/task/*/status; do
        line=$(awk '$1 == "Uid:" { u = $2 " " $3 " " $4 " " $5 } $1 == "CapBnd:" { b = $2 }
                    $1 == "CapEff:" { e = $2 } $1 == "NoNewPrivs:" { p = $2 } END { print u, b, e, p }' "$f")
        n=$((n + 1))
        [ "$line" = "4242 4242 4242 4242 0000000000000000 0000000000000000 1" ] || bad="$bad ${f#/proc/}: $line;"
    done
    [ -z "$bad" ] && [ $n -ge 2 ] && ok "$2: all $n threads: uid 4242, CapBnd 0, CapEff 0, NoNewPrivs 1" \
        || fail "$2: $n threads:$bad"
}
# wait_line FILE TEXT: FILE gets TEXT within 5 s
wait_line() { i=0; while [ $i -lt 50 ] && ! grep -q "$2" "$1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done; }

mkdir "$tmp/w" && chown 4242:4243 "$tmp/w"
env $SUDO "$TSHOOT" watch -p "$PB" -i lo --duration 4 --write "$tmp/w/ev.pcap" > /dev/null 2> "$tmp/watch.err" &
wpid=$!
bgpids="$bgpids $wpid"
wait_line "$tmp/watch.err" "listening on"
threads $wpid "watch -i lo under sudo"
wait $wpid
[ "$(stat -c '%u:%g %a' "$tmp/w/ev.pcap")" = "4242:4243 600" ] && ok "watch --write: the file is the user's, 0600" \
    || fail "watch --write: $(stat -c '%u:%g %a' "$tmp/w/ev.pcap")"

# a pcap header, then the pipe stays open while the threads are read
python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))' > "$tmp/head.pcap"
mkfifo "$tmp/fifo"
env $SUDO "$TSHOOT" analyze -p "$PB" - < "$tmp/fifo" > /dev/null 2>&1 &
apid=$!
bgpids="$bgpids $apid"
exec 9> "$tmp/fifo"
cat "$tmp/head.pcap" >&9
i=0; while [ $i -lt 50 ] && [ "$(ls /proc/$apid/task 2>/dev/null | wc -l)" -lt 2 ]; do sleep 0.1; i=$((i + 1)); done
threads $apid "analyze - under sudo"
exec 9>&-
wait $apid

# 5. setcap install run by an ordinary user: the capabilities go before decoding
cp "$TSHOOT" "$tmp/tshoot"
chmod 755 "$tmp/tshoot"
if setcap cap_net_raw,cap_net_admin=eip "$tmp/tshoot" 2>/dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/tshoot" watch -p "$PB" -i lo --duration 4 \
        > /dev/null 2> "$tmp/setcap.err" &
    spid=$!
    bgpids="$bgpids $spid"
    wait_line "$tmp/setcap.err" "listening on"
    bad= n=0
    for f in /proc/"$spid"/task/*/status; do
        line=$(awk '$1 ~ /^Cap(Inh|Prm|Eff|Amb):$/ || $1 == "NoNewPrivs:" { printf "%s%s ", $1, $2 }' "$f")
        n=$((n + 1))
        [ "$line" = "CapInh:0000000000000000 CapPrm:0000000000000000 CapEff:0000000000000000 CapAmb:0000000000000000 NoNewPrivs:1 " ] \
            || bad="$bad $line;"
    done
    [ -z "$bad" ] && [ $n -ge 2 ] && grep -q "listening on" "$tmp/setcap.err" \
        && ok "setcap install as nobody: all $n threads hold no capability, NoNewPrivs 1" \
        || fail "setcap install: $n threads:$bad $(cat "$tmp/setcap.err")"
    wait $spid
else
    echo "ok - setcap install: skipped, setcap failed here"
fi

[ $FAILS -eq 0 ]
