#!/bin/sh
# Least privilege in the real wizard, run as root: once the capture is open
# every thread of the process that decodes and draws is nobody (or the sudo
# user) with no groups, no capabilities and no_new_privs; the checks helper
# keeps root and still answers, and the report is saved by a helper that is
# the sudo user (root without sudo: root), its files and directories the
# user's own. Exit 0 pass, 1 fail, 77 skip.
TSHOOT=${TSHOOT:-build/tshoot}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: privilege separation is tested as root"; exit 77; }
. tests/lib/tmux.sh
state=$(mktemp -d)
chmod 755 "$state"
trap 'tmux_cleanup; rm -rf "$state"' EXIT INT TERM

# status FILE FIELD: one field of a /proc/.../status file
status() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "$1"; }

check_drop() { # check_drop UID NAME HELPER_UIDS: every thread of the wizard, then its helpers
    pid=$(wizard_pid)
    [ -n "$pid" ] || { fail "$2: no wizard process"; return; }
    bad= n=0
    for f in /proc/"$pid"/task/*/status; do
        uids=$(status "$f" Uid) caps=$(status "$f" CapEff) bnd=$(status "$f" CapBnd)
        groups=$(status "$f" Groups) nnp=$(status "$f" NoNewPrivs)
        n=$((n + 1))
        [ "$uids" = "$1 $1 $1 $1" ] && [ "$caps" = 0000000000000000 ] && [ "$bnd" = 0000000000000000 ] \
            && [ -z "$groups" ] && [ "$nnp" = 1 ] \
            || bad="$bad ${f#/proc/}: Uid '$uids' CapEff $caps CapBnd $bnd Groups '$groups' NoNewPrivs $nnp;"
    done
    [ -z "$bad" ] && [ $n -ge 2 ] && ok "$2: all $n threads run as uid $1, no capabilities, no groups, no_new_privs" \
        || fail "$2: $n threads:$bad"
    helpers=$(ps -o uid= --ppid "$pid" | tr -d ' ' | sort -u | tr '\n' ' ')
    [ "$helpers" = "$3 " ] && ok "$2: the helpers run as $3" || fail "$2: helper uids: $helpers"
}

start "LANG=C.UTF-8 XDG_STATE_HOME=$state" 80 24 -i lo
expect "live capture on lo starts" "Step 1/" "capture lo"
check_drop 65534 "root without sudo" 0
expect "the checks still run through the helper" "Listener  not_listening" "Firewall  open"
t send-keys -t w s
expect "the report is saved through the helper" "Report saved:"
owner=$(stat -c %U "$(ls "$state"/tshoot/sessions/*.md | head -1)")
[ "$owner" = root ] && ok "root's own report stays root's" || fail "report owned by $owner"
t send-keys -t w q
expect "quits" "EXITED=0"

rm -rf "$state/tshoot"
chown 4242:4243 "$state"    # the sudo user's own state directory
start "LANG=C.UTF-8 XDG_STATE_HOME=$state SUDO_UID=4242 SUDO_GID=4243" 80 24 -i lo
expect "under sudo: starts" "Step 1/"
check_drop 4242 "under sudo" "0 4242"
t send-keys -t w q
expect "under sudo: quits" "EXITED=0"
md=$(ls "$state"/tshoot/sessions/*.md | head -1)
owners=$(stat -c '%u:%g %a' "$state/tshoot" "$state/tshoot/sessions" "$md" "${md%.md}.json" "${md%.md}.pcap" | tr '\n' ' ')
[ "$owners" = "4242:4243 700 4242:4243 700 4242:4243 600 4242:4243 600 4242:4243 600 " ] \
    && ok "under sudo the directories (0700) and the report and evidence (0600) belong to the user" \
    || fail "owners and modes of tshoot/, sessions/, .md, .json, .pcap: $owners"

[ $FAILS -eq 0 ]
