#!/bin/sh
# `make install` honours PREFIX and DESTDIR: the binary, the playbooks under
# share/tshoot/playbooks and the man page land there, and the installed binary
# finds its playbooks by id from anywhere. Exit 0 pass, 1 fail.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
check() { if [ -e "$1" ]; then echo "ok - installed $1"; else echo "not ok - missing $1"; fails=$((fails + 1)); fi; }

make -s --no-print-directory BUILD="$tmp/build" PREFIX="$tmp/prefix" install >"$tmp/log" 2>&1 \
    || { cat "$tmp/log"; echo "not ok - make install PREFIX failed"; exit 1; }
check "$tmp/prefix/bin/tshoot"
check "$tmp/prefix/share/tshoot/playbooks/smb-tcp-handshake.ini"
check "$tmp/prefix/share/man/man1/tshoot.1"
out=$(cd / && HOME="$tmp" XDG_DATA_HOME= "$tmp/prefix/bin/tshoot" playbooks 2>&1)
if echo "$out" | grep -q "^smb-tcp-handshake .*$tmp/prefix/share/tshoot/playbooks"; then
    echo "ok - the installed binary lists its installed playbook"
else
    echo "not ok - tshoot playbooks from / said: $out"; fails=$((fails + 1))
fi
(cd / && "$tmp/prefix/bin/tshoot" lint smb-tcp-handshake) \
    && echo "ok - an id resolves to the installed playbook" \
    || { echo "not ok - lint by id from /"; fails=$((fails + 1)); }

make -s --no-print-directory BUILD="$tmp/build" PREFIX="$tmp/prefix" DESTDIR="$tmp/dest" install >"$tmp/log" 2>&1 \
    || { cat "$tmp/log"; echo "not ok - make install DESTDIR failed"; exit 1; }
check "$tmp/dest$tmp/prefix/bin/tshoot"
check "$tmp/dest$tmp/prefix/share/tshoot/playbooks/smb-tcp-handshake.ini"
check "$tmp/dest$tmp/prefix/share/man/man1/tshoot.1"
[ $fails -eq 0 ]
