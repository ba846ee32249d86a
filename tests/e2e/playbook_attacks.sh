#!/bin/sh
# Hostile playbooks against root (as under sudo, SUDO_UID set): another user
# (uid 4242) flipping a directory symlink while tshoot loads a playbook through
# it never gets root to load that user's playbook; a playbook owned by another
# user, writable by others, under a directory others can write, or given as a
# symbolic link is refused with one line naming it; so is a command holding
# control characters (lint names the line). Exit 0 pass, 1 fail, 77 skip.
TSHOOT=${TSHOOT:-build/tshoot}
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (it plays two users)"; exit 77; }
command -v setpriv >/dev/null && command -v perl >/dev/null || { echo "skip: needs setpriv and perl"; exit 77; }
case $TSHOOT in /*) ;; *) TSHOOT=$PWD/$TSHOOT ;; esac
EVIL=4242 ME=4343 RUNS=300
fails=0 flipper=
base=$(mktemp -d /tmp/tshoot-attacks.XXXXXX) || exit 1
cleanup() {
    [ -n "$flipper" ] && kill "$flipper" 2>/dev/null && wait "$flipper" 2>/dev/null
    rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE
chmod 755 "$base"

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fails=$((fails + 1)); }

# playbook FILE TITLE PORT: a lint-clean playbook with a telling title and port
playbook() {
    printf '[playbook]\nid = race\ntitle = %s\nprotocol = X\nports = %s\nversion = 1\n[scenario.1]\ntitle = T\nsummary = S\n[scenario.1.step.1]\ntitle = A\nbody = B\n' \
        "$2" "$3" > "$1"
}

# --- the race: $base/evil/link flips between root's directory and evil's own
mkdir -p "$base/good/tshoot/playbooks" "$base/evil/mine/tshoot/playbooks"
playbook "$base/good/tshoot/playbooks/race.ini" "Good playbook" 445
playbook "$base/evil/mine/tshoot/playbooks/race.ini" "HOSTILE playbook" 6666
ln -s "$base/good" "$base/evil/link"
chown -hR "$EVIL:$EVIL" "$base/evil"
# the flipper: uid 4242 swaps the link as fast as it can (a rename each time)
setpriv --reuid="$EVIL" --regid="$EVIL" --clear-groups perl -e '
    chdir $ARGV[0] or exit 1;
    while (1) { for my $t ("mine", $ARGV[1]) { symlink($t, "link.new"); rename("link.new", "link"); } }' \
    "$base/evil" "$base/good" &
flipper=$!
good=0 hostile=0 i=0
end=$(($(date +%s) + 20))
while [ $i -lt $RUNS ] && [ "$(date +%s)" -lt $end ]; do
    # `tshoot playbooks` loads each file it finds exactly as the wizard does
    out=$(cd "$base" && SUDO_UID=$ME HOME=/nonexistent XDG_DATA_HOME="$base/evil/link" "$TSHOOT" playbooks 2>&1)
    case $out in *HOSTILE*|*" 6666 "*) hostile=$((hostile + 1)) ;; esac
    case $out in *"Good playbook"*) good=$((good + 1)) ;; esac
    i=$((i + 1))
done
kill "$flipper" 2>/dev/null; wait "$flipper" 2>/dev/null; flipper=
if [ $hostile -eq 0 ] && [ $good -gt 0 ]; then
    ok "$i loads through a flipped directory link: root's playbook $good times, uid $EVIL's never"
else
    notok "$i loads through a flipped directory link: uid $EVIL's playbook loaded $hostile times (root's $good)"
fi

# refused FILE WANT NAME: lint reports and the loader (check -p) refuses FILE in one line
refused() {
    lint=$(SUDO_UID=$ME "$TSHOOT" lint "$1" 2>&1); lrc=$?
    load=$(SUDO_UID=$ME "$TSHOOT" check -p "$1" 2>&1 >/dev/null); crc=$?
    if [ $lrc -eq 1 ] && [ $crc -eq 2 ] && [ "$(printf '%s\n' "$load" | wc -l)" -eq 1 ] \
        && echo "$lint" | grep -qF "$1: refused: $2" && echo "$load" | grep -qF "$1: refused: $2"; then
        ok "$3 is refused: $load"
    else
        notok "$3: lint exit $lrc said '$lint'; check exit $crc said '$load'"
    fi
}
mkdir "$base/root"
playbook "$base/root/other.ini" "Other's" 445
chown "$EVIL:$EVIL" "$base/root/other.ini"
refused "$base/root/other.ini" "the file belongs to uid $EVIL, neither root nor uid $ME" "a playbook owned by another user"
playbook "$base/root/shared.ini" "Shared" 445
chmod 664 "$base/root/shared.ini"
refused "$base/root/shared.ini" "the file can be written by other users" "a group-writable playbook"
chmod 646 "$base/root/shared.ini"
refused "$base/root/shared.ini" "the file can be written by other users" "an other-writable playbook"
mkdir -m 777 "$base/open"
chmod 777 "$base/open"
playbook "$base/open/pb.ini" "Open" 445
refused "$base/open/pb.ini" "its directory $base/open can be written by other users" "a playbook in a world-writable directory"
mkdir -p "$base/open/deep"
playbook "$base/open/deep/pb.ini" "Deep" 445
refused "$base/open/deep/pb.ini" "its directory $base/open can be written by other users" "a playbook two levels under a writable directory"
ln -s "$base/good/tshoot/playbooks/race.ini" "$base/root/link.ini"
refused "$base/root/link.ini" "it is a symbolic link" "a playbook given as a symbolic link"

# the invoking user's own playbook loads, in /tmp (sticky, world-writable) too
playbook "$base/root/mine.ini" "Mine" 445
chown "$ME:$ME" "$base/root/mine.ini"
if out=$(SUDO_UID=$ME "$TSHOOT" lint "$base/root/mine.ini" "$base/good/tshoot/playbooks/race.ini" 2>&1); then
    ok "the invoking user's (SUDO_UID) and root's playbooks load"
else
    notok "the invoking user's or root's playbook: $out"
fi
# a command that would end a bracketed paste and run what follows when pasted
esc=$(printf '\033')
cr=$(printf '\r')
playbook "$base/root/paste.ini" "Paste" 445
printf 'cmd.1.platform = linux\ncmd.1.label = L\ncmd.1.run = echo %s[201~%srm -rf ~\n' "$esc" "$cr" >> "$base/root/paste.ini"
lint=$("$TSHOOT" lint "$base/root/paste.ini" 2>&1); lrc=$?
load=$("$TSHOOT" wizard -p "$base/root/paste.ini" </dev/null 2>&1 >/dev/null); wrc=$?
if [ $lrc -eq 1 ] && [ $wrc -eq 2 ] && [ "$(printf '%s\n' "$load" | wc -l)" -eq 1 ] \
    && echo "$lint" | grep -qF "paste.ini:15: control character U+001B" \
    && echo "$load" | grep -qF "paste.ini:15: control character U+001B"; then
    ok "a command holding ESC[201~ and CR: lint names the line, the wizard exits 2: $load"
else
    notok "a command holding ESC[201~ and CR: lint exit $lrc said '$lint'; wizard exit $wrc said '$load'"
fi
[ $fails -eq 0 ]
