#!/bin/sh
# privsep_user_cmds.sh: the commands that need no privilege (lint, playbooks,
# report, new-playbook) run under sudo as the sudo user from their start, so
# `sudo tshoot lint` reads and `sudo tshoot new-playbook -o` writes only what
# that user could; run by root without sudo they keep reaching root's own
# files. Exit 0 pass, 1 fail, 77 skip (not root).
cd "$(dirname "$0")/../.." || exit 1
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: privsep_user_cmds.sh: needs root"; exit 77; }
[ -x "$TSHOOT" ] || { echo "not ok - no tshoot binary at $TSHOOT"; exit 1; }
TMP=$(mktemp -d /tmp/tshoot-usercmds.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
chmod 755 "$TMP"
FAILS=0
ok() { echo "ok - $1"; }
bad() { echo "not ok - $1"; FAILS=$((FAILS + 1)); }
sudo_user() { SUDO_UID=4242 SUDO_GID=4243 "$@"; }

# a playbook only root can read, and a directory only uid 4242 can write
mkdir -m 700 "$TMP/root" "$TMP/user"
chown 4242:4243 "$TMP/user"
cp playbooks/ssh-tcp-handshake.ini "$TMP/root/only-root.ini"

"$TSHOOT" lint "$TMP/root/only-root.ini" >"$TMP/out" 2>&1
[ $? -eq 0 ] && ok "root without sudo lints its own root-only playbook" || bad "root's lint: $(cat "$TMP/out")"
sudo_user "$TSHOOT" lint "$TMP/root/only-root.ini" >"$TMP/out" 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "only-root.ini: Permission denied" "$TMP/out"; then
    ok "under sudo, lint cannot read what the user cannot: $(cat "$TMP/out")"
else
    bad "under sudo, lint of a root-only file: exit $rc: $(cat "$TMP/out")"
fi
sudo_user "$TSHOOT" lint playbooks/ssh-tcp-handshake.ini >"$TMP/out" 2>&1
[ $? -eq 0 ] && ok "under sudo, lint of a readable playbook works" || bad "under sudo, lint: $(cat "$TMP/out")"
sudo_user "$TSHOOT" playbooks >"$TMP/out" 2>&1
grep -q "^smb-tcp-handshake " "$TMP/out" && ok "under sudo, playbooks lists the installed ones" || bad "playbooks: $(head -3 "$TMP/out")"

sudo_user "$TSHOOT" new-playbook probe --port 9999 -o "$TMP/root/new.ini" >"$TMP/out" 2>&1; rc=$?
if [ $rc -ne 0 ] && [ ! -e "$TMP/root/new.ini" ]; then
    ok "under sudo, new-playbook -o into root's directory is refused (exit $rc)"
else
    bad "under sudo, new-playbook wrote into root's directory (exit $rc)"
fi
sudo_user "$TSHOOT" new-playbook probe --port 9999 -o "$TMP/user/new.ini" >"$TMP/out" 2>&1
owner=$(stat -c %u:%g "$TMP/user/new.ini" 2>/dev/null)
[ "$owner" = 4242:4243 ] && ok "under sudo, new-playbook's file belongs to the user" || bad "new-playbook's file: '$owner': $(cat "$TMP/out")"

[ $FAILS -eq 0 ]
