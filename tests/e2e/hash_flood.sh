#!/bin/sh
# hash_flood.sh: hash flooding of the flow tracker (issue 12). Writes two
# captures of N SYNs from distinct IPv6 sources to [2001:db8::1]:445: one
# whose sources were crafted to collide in the flow hash the tracker used
# before it was keyed (murmur3 with a fixed seed: the copy below is the
# old src/tracker.c mix/hash_tuple), one with random sources. `tshoot
# analyze` must spend about as much CPU on both: crafted / random user+sys
# time below MAX_RATIO (the unkeyed tracker was at ~400x with N = 100000).
# Also checks both reports count the N attempts. Exit 0 pass, 1 fail, 77 skip.
cd "$(dirname "$0")/../.." || exit 1
TSHOOT=${TSHOOT:-$PWD/${BUILD:-build}/tshoot}
N=${HASH_FLOOD_N:-100000}
MAX_RATIO=${HASH_FLOOD_MAX_RATIO:-3}
[ -x "$TSHOOT" ] || { echo "SKIPPED: hash_flood.sh: no binary at $TSHOOT"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIPPED: hash_flood.sh needs python3"; exit 77; }
dir=$(mktemp -d /tmp/tshoot-hashflood.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM

python3 - "$TSHOOT" "$dir" "$N" "$MAX_RATIO" <<'PY'
import os, random, struct, subprocess, sys

tshoot, tmp, n, max_ratio = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
M = 0xffffffff

def rotl(x, r):
    """Rotates the 32-bit X left by R bits."""
    return ((x << r) | (x >> (32 - r))) & M

def mix(h, k):
    """mix() of the old src/tracker.c (a murmur3 step)."""
    k = (k * 0xcc9e2d51) & M
    k = rotl(k, 15)
    k = (k * 0x1b873593) & M
    h ^= k
    h = rotl(h, 13)
    return (h * 5 + 0xe6546b64) & M

def unmix(h, target):
    """The word k with mix(h, k) == target (each step of mix is invertible)."""
    x = ((target - 0xe6546b64) * pow(5, -1, 1 << 32)) & M
    x = rotl(x, 19)                     # undo rotl 13
    k = x ^ h
    k = (k * pow(0x1b873593, -1, 1 << 32)) & M
    k = rotl(k, 17)                     # undo rotl 15
    return (k * pow(0xcc9e2d51, -1, 1 << 32)) & M

def word(b):
    """word() of the old tracker: 4 address bytes read as a native word."""
    return struct.unpack('=I', b)[0]

def crafted_sources(count):
    """IPv6 sources whose client-address hash state (seed 0x9747b28c ^ 6,
    then the 4 words) is the same: with the same server and ports, the
    whole old 4-tuple hash is the same 32-bit value."""
    rng = random.Random(12)
    target = 0x12345678
    out = set()
    while len(out) < count:
        head = bytes([0x20, 0x01, 0x0d, 0xb8]) + rng.randbytes(8)
        h = 0x9747b28c ^ 6
        for i in range(0, 12, 4):
            h = mix(h, word(head[i:i + 4]))
        out.add(head + struct.pack('=I', unmix(h, target)))
    return sorted(out)

def random_sources(count):
    """COUNT random IPv6 sources in 2001:db8::/32 (fixed seed)."""
    rng = random.Random(34)
    out = set()
    while len(out) < count:
        out.add(bytes([0x20, 0x01, 0x0d, 0xb8]) + rng.randbytes(12))
    return sorted(out)

SERVER = bytes.fromhex('20010db8000000000000000000000001')

def write_pcap(path, sources):
    """One Ethernet/IPv6/TCP SYN per source, 10 us apart, from port 40000 to 445."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, src in enumerate(sources):
            tcp = struct.pack('!HHIIBBHHH', 40000, 445, 1000 + i, 0, 5 << 4, 0x02, 64240, 0, 0)
            ip6 = struct.pack('!IHBB', 6 << 28, len(tcp), 6, 64) + src + SERVER
            eth = bytes.fromhex('020000000002' '020000000001' '86dd')
            pkt = eth + ip6 + tcp
            us = i * 10
            f.write(struct.pack('<IIII', 1700000000 + us // 1000000, us % 1000000, len(pkt), len(pkt)))
            f.write(pkt)

def cpu(path):
    """User + system seconds of `tshoot analyze --json PATH`, and its report."""
    pid = os.fork()
    if pid == 0:
        fd = os.open(path + '.json', os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        os.execv(tshoot, [tshoot, 'analyze', '--json', path])
    _, status, ru = os.wait4(pid, 0)
    with open(path + '.json') as f:
        report = f.read()
    return ru.ru_utime + ru.ru_stime, report

crafted, rand = os.path.join(tmp, 'crafted.pcap'), os.path.join(tmp, 'random.pcap')
write_pcap(crafted, crafted_sources(n))
write_pcap(rand, random_sources(n))
best = {crafted: None, rand: None}
for _ in range(3):                      # best of 3, in turns: a busy machine hurts both alike
    for p in (rand, crafted):
        t, report = cpu(p)
        if '"total": %d,' % n not in report:
            print('FAIL: hash_flood: %s: the report does not count %d attempts' % (os.path.basename(p), n))
            sys.exit(1)
        best[p] = t if best[p] is None else min(best[p], t)
ratio = best[crafted] / max(best[rand], 0.001)
print('hash_flood: N=%d: random %.3f s, crafted %.3f s CPU: ratio %.2f (limit %.1f)'
      % (n, best[rand], best[crafted], ratio, max_ratio))
if ratio >= max_ratio:
    print('FAIL: hash_flood: colliding sources cost %.1fx the random ones' % ratio)
    sys.exit(1)
PY
