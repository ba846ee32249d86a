#!/bin/sh
# Least privilege in the real wizard, run as root: once the capture is open the
# process that decodes and draws is nobody (or the sudo user) with no groups,
# no capabilities and no_new_privs, while the two helpers keep root and still
# answer the checks and save the report. Exit 0 pass, 1 fail, 77 skip.
TSHOOT=${TSHOOT:-build/tshoot}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: privilege separation is tested as root"; exit 77; }
. tests/lib/tmux.sh
state=$(mktemp -d)
chmod 755 "$state"
trap 'tmux_cleanup; rm -rf "$state"' EXIT INT TERM

# status PID FIELD: one field of /proc/PID/status
status() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }

check_drop() { # check_drop UID NAME
    pid=$(wizard_pid)
    [ -n "$pid" ] || { fail "$2: no wizard process"; return; }
    uids=$(status "$pid" Uid) caps=$(status "$pid" CapEff) bnd=$(status "$pid" CapBnd)
    groups=$(status "$pid" Groups) nnp=$(status "$pid" NoNewPrivs)
    if [ "$uids" = "$1 $1 $1 $1" ] && [ "$caps" = 0000000000000000 ] && [ "$bnd" = 0000000000000000 ] \
        && [ -z "$groups" ] && [ "$nnp" = 1 ]; then
        ok "$2: the wizard runs as uid $1, no capabilities, no groups, no_new_privs"
    else
        fail "$2: Uid '$uids' CapEff $caps CapBnd $bnd Groups '$groups' NoNewPrivs $nnp"
    fi
    helpers=$(ps -o uid= --ppid "$pid" | tr -d ' ' | sort -u)
    [ "$helpers" = 0 ] && ok "$2: the helpers keep root" || fail "$2: helper uids: $helpers"
}

start "LANG=C.UTF-8 XDG_STATE_HOME=$state" 80 24 -i lo
expect "live capture on lo starts" "Step 1/" "capture lo"
check_drop 65534 "root without sudo"
expect "the checks still run through the helper" "Listener  not_listening" "Firewall  open"
t send-keys -t w s
expect "the report is saved through the helper" "Report saved:"
owner=$(stat -c %U "$(ls "$state"/tshoot/sessions/*.md | head -1)")
[ "$owner" = root ] && ok "root's own report stays root's" || fail "report owned by $owner"
t send-keys -t w q
expect "quits" "EXITED=0"

rm -rf "$state/tshoot"
start "LANG=C.UTF-8 XDG_STATE_HOME=$state SUDO_UID=4242 SUDO_GID=4243" 80 24 -i lo
expect "under sudo: starts" "Step 1/"
check_drop 4242 "under sudo"
t send-keys -t w q
expect "under sudo: quits" "EXITED=0"
owner=$(stat -c %u:%g "$(ls "$state"/tshoot/sessions/*.md | head -1)")
[ "$owner" = 4242:4243 ] && ok "under sudo the report belongs to the user" || fail "report owned by $owner"

[ $FAILS -eq 0 ]
