#!/bin/sh
# run.sh: `make bench`. Generates the benchmark captures (bench/gen_capture.c:
# 2,000,000 mixed packets, and 1,000,000 distinct unanswered SYNs), then
# measures side by side in one run:
#   - tshoot analyze wall time / a bare pcap_next_ex loop (target <= 1.3);
#   - tshark -Y on the port and SYN flags / tshoot (target >= 50), if installed;
#   - tshoot's peak resident memory on both captures (target <= 32 MiB).
# Each timing is the best of BENCH_ROUNDS runs (default 3), taken in turns
# after the page cache holds the file, so a busy machine hurts both sides
# alike; CPU time (user + sys) is printed beside the wall time.
# Files go to BENCH_DIR (default ${TMPDIR:-/tmp}/tshoot-bench, ~600 MB; kept
# between runs; removed by `make bench BENCH_CLEAN=1`).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CC=${CC:-cc}
TSHOOT=$PWD/$BUILD/tshoot
ROUNDS=${BENCH_ROUNDS:-3}
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/tshoot-bench}
mkdir -p "$DIR" "$BUILD/bench"

[ -x "$TSHOOT" ] || { echo "bench: build tshoot first (make)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is needed for the peak RSS" >&2; exit 2; }
PCAP_CFLAGS=$(pkg-config --cflags libpcap 2>/dev/null || true)
PCAP_LIBS=$(pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
$CC -O2 -Wall -Wextra -o "$BUILD/bench/gen_capture" bench/gen_capture.c
$CC -O2 -Wall -Wextra $PCAP_CFLAGS -o "$BUILD/bench/pcap_loop" bench/pcap_loop.c $PCAP_LIBS

MIXED=$DIR/mixed-2M.pcap FLOOD=$DIR/synflood-1M.pcap
[ -s "$MIXED" ] || "$BUILD/bench/gen_capture" -n 2000000 "$MIXED"
[ -s "$FLOOD" ] || "$BUILD/bench/gen_capture" -f 1000000 "$FLOOD"
cat "$MIXED" "$FLOOD" >/dev/null     # page cache: measure the programs, not the disk

# measure NAME CMD...: runs CMD, appends "wall cpu maxrss_kib" to $DIR/NAME.times
measure() {
    name=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/.t" "$@" >/dev/null 2>"$DIR/.err" || true
    # GNU time puts "Command exited with non-zero status N" first: the figures are the last line
    tail -n 1 "$DIR/.t" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' >>"$DIR/$name.times"
}
# best NAME FIELD: the smallest of a column (1 wall, 2 cpu, 3 rss)
best() { sort -n -k"$2" "$DIR/$1.times" | head -1 | awk -v f="$2" '{ print $f }'; }
worst() { sort -n -k"$2" "$DIR/$1.times" | tail -1 | awk -v f="$2" '{ print $f }'; }

rm -f "$DIR"/*.times
i=0
while [ $i -lt "$ROUNDS" ]; do
    measure loop "$BUILD/bench/pcap_loop" "$MIXED"
    measure loopbuf "$BUILD/bench/pcap_loop" -b "$MIXED"
    measure tshoot "$TSHOOT" analyze "$MIXED"
    i=$((i + 1))
done
measure tshoot_json "$TSHOOT" analyze --json "$MIXED"
measure flood "$TSHOOT" analyze "$FLOOD"
have_tshark=0
if command -v tshark >/dev/null 2>&1; then
    have_tshark=1
    measure tshark tshark -n -r "$MIXED" -Y 'tcp.port == 445 && tcp.flags.syn == 1'
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

tw=$(best tshoot 1) tc=$(best tshoot 2)
lw=$(best loop 1) lc=$(best loop 2)
bw=$(best loopbuf 1) bc=$(best loopbuf 2)
echo "machine: $(uname -sm), $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "capture: $MIXED ($(($(stat -c %s "$MIXED") / 1048576)) MiB, 2000000 packets); best of $ROUNDS runs"
printf '%-44s %8s %8s\n' "" "wall s" "cpu s"
printf '%-44s %8s %8s\n' "bare pcap_next_ex loop (default stdio buffer)" "$lw" "$lc"
printf '%-44s %8s %8s\n' "bare pcap_next_ex loop (1 MiB buffer, as tshoot)" "$bw" "$bc"
printf '%-44s %8s %8s\n' "tshoot analyze" "$tw" "$tc"
echo "ratio tshoot / bare loop: wall $(ratio "$tw" "$lw") (vs 1 MiB-buffer loop $(ratio "$tw" "$bw")), cpu $(ratio "$tc" "$lc")   target <= 1.3"
if [ $have_tshark = 1 ]; then
    sw=$(best tshark 1) sc=$(best tshark 2)
    printf '%-44s %8s %8s\n' "tshark -Y 'tcp.port == 445 && tcp.flags.syn == 1'" "$sw" "$sc"
    echo "ratio tshark / tshoot: wall $(ratio "$sw" "$tw"), cpu $(ratio "$sc" "$tc")   target >= 50"
else
    echo "tshark not installed: no tshark ratio"
fi
echo "peak RSS tshoot analyze: mixed $(mib "$(worst tshoot 3)") MiB (--json $(mib "$(worst tshoot_json 3)") MiB)," \
     "1M distinct SYNs $(mib "$(worst flood 3)") MiB (flood run $(best flood 1) s)   target <= 32 MiB"
[ -z "${BENCH_CLEAN:-}" ] || rm -rf "$DIR"
