#!/bin/sh
# Installs what tshoot needs to build (and, with "test", to run its tests).
# This file is the one list of dependencies: the Makefile and CI call it.
# Usage: scripts/deps.sh build|test
set -eu
want=${1:-build}

# Debian and Ubuntu package names: the only set tried by CI.
apt_build="build-essential pkg-config libncurses-dev libpcap-dev libiniparser-dev libjansson-dev libsystemd-dev libseccomp-dev"
apt_test="libcmocka-dev tmux strace python3 locales iproute2 nftables iptables samba smbclient tcpdump valgrind clang libclang-rt-dev llvm gcc-mingw-w64-x86-64 flex bison cmake zip wine wine64 openssh-server openssh-client nginx slapd ldap-utils krb5-kdc krb5-admin-server krb5-user postgresql postgresql-client xrdp openssl netcat-openbsd curl ansible time procps"
# The same sets for other systems (written from their package indexes, not tried here).
dnf_build="gcc make pkgconf-pkg-config ncurses-devel libpcap-devel iniparser-devel jansson-devel systemd-devel libseccomp-devel"
dnf_test="libcmocka-devel tmux strace glibc-langpack-fr iproute nftables iptables samba samba-client tcpdump valgrind clang"
pacman_build="base-devel pkgconf ncurses libpcap iniparser jansson systemd-libs libseccomp"
pacman_test="cmocka tmux strace iproute2 nftables iptables samba smbclient tcpdump valgrind clang"
apk_build="build-base pkgconf ncurses-dev libpcap-dev iniparser-dev jansson-dev libseccomp-dev"
apk_test="cmocka-dev tmux strace musl-locales iproute2 nftables iptables samba samba-client tcpdump valgrind clang"
brew_build="pkg-config ncurses libpcap iniparser jansson"
brew_test="cmocka tmux"
msys2_build="mingw-w64-ucrt-x86_64-gcc make mingw-w64-ucrt-x86_64-pkgconf mingw-w64-ucrt-x86_64-ncurses mingw-w64-ucrt-x86_64-iniparser mingw-w64-ucrt-x86_64-jansson"
msys2_test="mingw-w64-ucrt-x86_64-cmocka"

pick() { # pick MANAGER: the package list for the requested set
    eval "b=\$${1}_build; t=\$${1}_test"
    if [ "$want" = test ]; then echo "$b $t"; else echo "$b"; fi
}

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    missing=""
    for p in $(pick apt); do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "deps: installing with apt-get:$missing"
        [ "$(id -u)" = 0 ] || { echo "deps: run as root (or: sudo apt-get install$missing)" >&2; exit 3; }
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
    fi
    if [ "$want" = test ] && ! locale -a 2>/dev/null | grep -qi '^fr_FR\.utf-\?8$'; then
        echo "deps: generating the fr_FR.UTF-8 and en_US.UTF-8 locales (the wizard's French test)"
        sed -i -e 's/^# *\(fr_FR.UTF-8 UTF-8\)/\1/' -e 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen
        locale-gen >/dev/null
    fi
    exit 0
fi
# Other systems: the package manager's own install, which skips what is there.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# MSYS2 first: its pacman takes MSYS2's package names, not Arch's
if [ -n "${MSYSTEM:-}" ]; then
    echo "deps: installing with MSYS2 pacman: $(pick msys2)"
    pacman -S --needed --noconfirm $(pick msys2)
    exit 0
fi
for m in dnf pacman apk brew; do
    command -v "$m" >/dev/null 2>&1 || continue
    echo "deps: installing with $m: $(pick $m)"
    case $m in
        dnf) as_root dnf install -y $(pick dnf) ;;
        pacman) as_root pacman -S --needed --noconfirm $(pick pacman) ;;
        apk) as_root apk add $(pick apk) ;;
        brew) brew install $(pick brew) ;;
    esac
    exit 0
done
echo "deps: unknown system; install a C11 compiler, make, pkg-config, ncursesw, libpcap, iniparser, jansson (and cmocka, tmux for the tests)" >&2
exit 3
