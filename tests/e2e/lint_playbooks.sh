#!/bin/sh
# Every playbook under playbooks/ passes `tshoot lint`, and lint's exit codes
# follow the contract (0 clean, 1 problems, 2 unreadable). Exit 0 pass, 1 fail.
TSHOOT=${TSHOOT:-build/tshoot}
fails=0
for pb in playbooks/*.ini; do
    if out=$("$TSHOOT" lint "$pb" 2>&1); then
        echo "ok - lint $pb"
    else
        echo "not ok - lint $pb:"; echo "$out" | sed 's/^/    /'; fails=$((fails + 1))
    fi
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# the worked example of the author's guide is a real, lint-clean playbook
sed -n '/^```ini$/,/^```$/p' playbooks/README.md | sed '1d;$d' > "$tmp/example.ini"
if [ -s "$tmp/example.ini" ] && out=$("$TSHOOT" lint "$tmp/example.ini" 2>&1); then
    echo "ok - the worked example in playbooks/README.md lints clean"
else
    echo "not ok - the guide's example:"; echo "$out" | sed 's/^/    /'; fails=$((fails + 1))
fi
printf '[playbook]\nid = x\ntitel = y\n' > "$tmp/bad.ini"
out=$("$TSHOOT" lint "$tmp/bad.ini" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "bad.ini:3: unknown key 'titel' (did you mean 'title'?)"; then
    echo "ok - lint exits 1 and names file, line and a did-you-mean"
else
    echo "not ok - lint on a bad file: exit $rc, said: $out"; fails=$((fails + 1))
fi
"$TSHOOT" lint "$tmp/missing.ini" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && echo "ok - lint exits 2 on an unreadable file" || { echo "not ok - unreadable: exit $rc"; fails=$((fails + 1)); }
"$TSHOOT" new-playbook demo-proto --port 8080,8443 --service demod -o "$tmp/demo.ini" >/dev/null \
    && "$TSHOOT" lint "$tmp/demo.ini" && grep -q '^ports = 8080,8443' "$tmp/demo.ini" \
    && echo "ok - new-playbook writes a lint-clean skeleton" \
    || { echo "not ok - new-playbook's skeleton"; fails=$((fails + 1)); }
"$TSHOOT" new-playbook demo-proto --port 80 -o "$tmp/demo.ini" 2>/dev/null
[ $? -eq 2 ] && echo "ok - new-playbook never writes over a file" || { echo "not ok - new-playbook overwrote"; fails=$((fails + 1)); }
out=$("$TSHOOT" playbooks 2>&1)
echo "$out" | grep -q "^smb-tcp-handshake .*445" && echo "ok - tshoot playbooks lists the SMB playbook" \
    || { echo "not ok - tshoot playbooks said: $out"; fails=$((fails + 1)); }
[ $fails -eq 0 ]
