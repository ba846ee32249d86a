/* synflood.c: sends N distinct TCP SYNs to DST:PORT at a target rate, for at
 * most T seconds, through a raw socket (IPPROTO_RAW, header included) in
 * sendmmsg batches; prints how many it sent and the rate achieved. Used by
 * bench/load.sh inside a network namespace it made itself; not part of the
 * tshoot build (the script compiles it with cc).
 *
 *   synflood -d DST [-p PORT] -s SRC/PREFIX [-n COUNT] [-r RATE] [-t SECONDS] [-b BATCH]
 *
 * SAFETY (hard-coded, not an option): the destination AND the source range
 * must lie inside the documentation ranges 198.51.100.0/24 (TEST-NET-2,
 * RFC 5737) or 2001:db8::/32 (RFC 3849); anything else is refused with exit
 * status 2 before a socket is opened. COUNT (<= 10,000,000) and SECONDS
 * (<= 60) are bounded too, so a run always stops by itself.
 *
 * Distinct SYNs: attempt i gets source address and port from a permutation of
 * the (address, port) space of SRC/PREFIX x 1024..65535 (an affine map modulo
 * its size with a multiplier prime to it), so the 4-tuples do not repeat
 * until that space is used up (127 addresses x 64512 ports = 8.2 M for a /25),
 * and they look random; each SYN has a random ISN and IP id. The caller must
 * own SRC/PREFIX (e.g. `ip route add local SRC/PREFIX dev lo` in the sending
 * namespace) so that the answers come back to it and not to a stranger.
 *
 * Output (stdout, one line): "sent N of M in S s: R SYN/s (E send errors)".
 * Exit status: 0 when everything asked was sent, 1 when time ran out or
 * sends failed, 2 usage or refused address, 3 no raw socket (not root). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 10000000UL
#define MAX_SECONDS 60.0
#define MAX_BATCH 1024
#define PKT_MAX 80 /* IPv6 header 40 + TCP 20 + MSS option 4 */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: fast, good enough for ISNs and ids. */
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The hard-coded check: 198.51.100.0/24 or 2001:db8::/32, nothing else. */
static int allowed(int family, const void *addr)
{
    if (family == AF_INET) {
        const uint8_t *a = addr;
        return a[0] == 198 && a[1] == 51 && a[2] == 100;
    }
    if (family == AF_INET6) {
        const uint8_t *a = addr;
        return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8;
    }
    return 0;
}

/* Parses "ADDR" into family and bytes; 0 on success. */
static int parse_addr(const char *s, int *family, uint8_t out[16])
{
    if (inet_pton(AF_INET, s, out) == 1) {
        *family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, s, out) == 1) {
        *family = AF_INET6;
        return 0;
    }
    return -1;
}

static uint32_t sum16(const void *data, size_t len, uint32_t acc)
{
    const uint8_t *p = data;
    for (size_t i = 0; i + 1 < len; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        acc += (uint32_t)(p[len - 1] << 8);
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: synflood -d DST [-p PORT] -s SRC/PREFIX [-n COUNT] [-r RATE] [-t SECONDS] "
               "[-b BATCH]\n"
               "  DST and SRC/PREFIX must be inside 198.51.100.0/24 or 2001:db8::/32\n");
}

int main(int argc, char **argv)
{
    const char *dst_s = NULL, *src_s = NULL;
    unsigned long count = 1000000, port = 445, batch = 256;
    double rate = 100000, seconds = 10;
    int opt;
    while ((opt = getopt(argc, argv, "d:p:s:n:r:t:b:h")) != -1) {
        char *end = NULL;
        switch (opt) {
        case 'd': dst_s = optarg; break;
        case 's': src_s = optarg; break;
        case 'p': port = strtoul(optarg, &end, 10); break;
        case 'n': count = strtoul(optarg, &end, 10); break;
        case 'r': rate = strtod(optarg, &end); break;
        case 't': seconds = strtod(optarg, &end); break;
        case 'b': batch = strtoul(optarg, &end, 10); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (end != NULL && (*end || end == optarg)) {
            fprintf(stderr, "synflood: bad value for -%c: %s\n", opt, optarg);
            return 2;
        }
    }
    if (dst_s == NULL || src_s == NULL || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (port < 1 || port > 65535 || count < 1 || count > MAX_COUNT || !(rate > 0) ||
        !(seconds > 0) || seconds > MAX_SECONDS || batch < 1 || batch > MAX_BATCH) {
        fprintf(stderr, "synflood: out of bounds (port 1-65535, COUNT 1-%lu, RATE > 0, "
                        "SECONDS 0-%g, BATCH 1-%d)\n", MAX_COUNT, MAX_SECONDS, MAX_BATCH);
        return 2;
    }

    int family, sfamily;
    uint8_t dst[16] = {0}, src[16] = {0};
    if (parse_addr(dst_s, &family, dst) < 0) {
        fprintf(stderr, "synflood: bad destination %s\n", dst_s);
        return 2;
    }
    /* The safety check, first: the destination inside the documentation ranges. */
    if (!allowed(family, dst)) {
        fprintf(stderr, "synflood: refusing destination %s: only 198.51.100.0/24 and "
                        "2001:db8::/32 are allowed\n", dst_s);
        return 2;
    }
    char sbuf[64];
    snprintf(sbuf, sizeof sbuf, "%s", src_s);
    char *slash = strchr(sbuf, '/');
    unsigned long prefix = family == AF_INET ? 32 : 128;
    if (slash != NULL) {
        *slash = 0;
        char *end;
        prefix = strtoul(slash + 1, &end, 10);
        if (*end || end == slash + 1) prefix = 999;
    }
    if (parse_addr(sbuf, &sfamily, src) < 0 || sfamily != family ||
        prefix > (family == AF_INET ? 32UL : 128UL)) {
        fprintf(stderr, "synflood: bad source range %s (same family as %s)\n", src_s, dst_s);
        return 2;
    }
    /* ...and the source range as well. */
    if (prefix < (family == AF_INET ? 24UL : 32UL) || !allowed(family, src)) {
        fprintf(stderr, "synflood: refusing source range %s: it must lie inside "
                        "198.51.100.0/24 or 2001:db8::/32\n", src_s);
        return 2;
    }
    /* Host part: the low bits of the address (at most 16 of them are varied). */
    unsigned hostbits = (unsigned)((family == AF_INET ? 32 : 128) - prefix);
    if (hostbits > 16) hostbits = 16;
    uint64_t naddr = 1ULL << hostbits;
    uint64_t first_host = 0;
    if (family == AF_INET && hostbits >= 2) { /* skip network and broadcast */
        first_host = 1;
        naddr -= 2;
    }
    int alen = family == AF_INET ? 4 : 16;
    /* Clear the varied host bits of the base. */
    for (unsigned b = 0; b < hostbits; b++)
        src[alen - 1 - b / 8] &= (uint8_t)~(1u << (b % 8));
    const uint64_t nports = 65536 - 1024;
    const uint64_t space = naddr * nports;

    rng_state ^= (uint64_t)time(NULL) * 0x100000001b3ULL ^ (uint64_t)getpid() << 32;
    for (int i = 0; i < 8; i++) rnd();
    uint64_t mul = (rnd() % space) | 1;
    while (gcd(mul, space) != 1) mul += 2;
    uint64_t off = rnd() % space;

    int fd = socket(family, SOCK_RAW, IPPROTO_RAW);
    if (fd < 0) {
        fprintf(stderr, "synflood: raw socket: %s (needs root or CAP_NET_RAW)\n", strerror(errno));
        return 3;
    }
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

    static uint8_t pkts[MAX_BATCH][PKT_MAX];
    static struct iovec iov[MAX_BATCH];
    static struct mmsghdr msgs[MAX_BATCH];
    struct sockaddr_in sin = { .sin_family = AF_INET };
    struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
    memcpy(&sin.sin_addr, dst, 4);
    memcpy(&sin6.sin6_addr, dst, 16);
    const int iplen = family == AF_INET ? 20 : 40, tcplen = 24, len = iplen + tcplen;
    for (unsigned long i = 0; i < batch; i++) {
        iov[i].iov_base = pkts[i];
        iov[i].iov_len = (size_t)len;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = family == AF_INET ? (void *)&sin : (void *)&sin6;
        msgs[i].msg_hdr.msg_namelen = family == AF_INET ? sizeof sin : sizeof sin6;
    }

    unsigned long sent = 0, errors = 0;
    uint64_t idx = 0;
    const double start = now(), deadline = start + seconds;
    int timed_out = 0;
    while (sent < count) {
        double t = now();
        if (t >= deadline) {
            timed_out = 1;
            break;
        }
        /* Pacing: never ahead of RATE; sleep until the next batch is due. */
        double due = start + (double)sent / rate;
        if (due > t) {
            double d = due - t;
            struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };
            nanosleep(&ts, NULL);
            continue;
        }
        unsigned long n = count - sent < batch ? count - sent : batch;
        for (unsigned long i = 0; i < n; i++, idx++) {
            uint64_t k = (uint64_t)(((unsigned __int128)(idx % space) * mul + off) % space);
            uint64_t host = first_host + k % naddr;
            uint16_t sport = (uint16_t)(1024 + k / naddr);
            uint8_t *p = pkts[i], *tcp = p + iplen;
            uint8_t s[16];
            memcpy(s, src, 16);
            s[alen - 1] |= (uint8_t)(host & 0xff);
            s[alen - 2] |= (uint8_t)(host >> 8);
            uint64_t r = rnd();
            memset(p, 0, (size_t)len);
            if (family == AF_INET) {
                p[0] = 0x45;
                p[2] = (uint8_t)(len >> 8);
                p[3] = (uint8_t)len;
                p[4] = (uint8_t)(r >> 32); /* id */
                p[5] = (uint8_t)(r >> 40);
                p[6] = 0x40;               /* DF */
                p[8] = 64;                 /* TTL */
                p[9] = IPPROTO_TCP;
                memcpy(p + 12, s, 4);
                memcpy(p + 16, dst, 4);
                /* the kernel fills in the header checksum */
            } else {
                p[0] = 0x60;
                p[4] = 0;
                p[5] = (uint8_t)tcplen;
                p[6] = IPPROTO_TCP;
                p[7] = 64;
                memcpy(p + 8, s, 16);
                memcpy(p + 24, dst, 16);
            }
            tcp[0] = (uint8_t)(sport >> 8);
            tcp[1] = (uint8_t)sport;
            tcp[2] = (uint8_t)(port >> 8);
            tcp[3] = (uint8_t)port;
            tcp[4] = (uint8_t)(r >> 24); /* ISN */
            tcp[5] = (uint8_t)(r >> 16);
            tcp[6] = (uint8_t)(r >> 8);
            tcp[7] = (uint8_t)r;
            tcp[12] = (uint8_t)((tcplen / 4) << 4);
            tcp[13] = 0x02;             /* SYN */
            tcp[14] = 0xfa;             /* window 64240 */
            tcp[15] = 0xf0;
            tcp[20] = 2;                /* MSS 1460 */
            tcp[21] = 4;
            tcp[22] = 0x05;
            tcp[23] = 0xb4;
            /* TCP checksum over the pseudo-header. */
            uint32_t acc = sum16(s, (size_t)alen, 0);
            acc = sum16(dst, (size_t)alen, acc);
            acc += IPPROTO_TCP + (uint32_t)tcplen;
            acc = sum16(tcp, (size_t)tcplen, acc);
            uint16_t ck = fold(acc);
            tcp[16] = (uint8_t)(ck >> 8);
            tcp[17] = (uint8_t)ck;
        }
        int m = sendmmsg(fd, msgs, (unsigned)n, 0);
        if (m < 0) {
            if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
                errors++;
                idx -= n; /* resend the same tuples */
                continue;
            }
            fprintf(stderr, "synflood: sendmmsg: %s\n", strerror(errno));
            errors++;
            break;
        }
        sent += (unsigned long)m;
        idx -= n - (unsigned long)m;
        if (sent >= space) /* the tuple space is used up: stop before repeating */
            break;
    }
    double el = now() - start;
    close(fd);
    printf("sent %lu of %lu in %.2f s: %.0f SYN/s (%lu send errors)\n", sent, count, el,
           el > 0 ? (double)sent / el : 0.0, errors);
    return sent == count && !errors && !timed_out ? 0 : 1;
}
