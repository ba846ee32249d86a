/* gen_capture.c: writes the benchmark capture of `make bench` (classic pcap,
 * Ethernet, microsecond timestamps, written directly in the file format).
 *
 *   gen_capture [-n PACKETS] OUT.pcap      mixed traffic (default 2,000,000 packets)
 *   gen_capture -f SYNS OUT.pcap           SYNS distinct unanswered SYNs to port 445
 *
 * Mixed traffic, one packet per 10 us tick: about two thirds noise (TCP data
 * on ports 80, 443, 22, 3389 and 8445, UDP 53), one third port 445: attempts
 * of all five classes (established with a few data segments, SYN-ACK without
 * ACK, RST, ICMP/ICMPv6 admin-prohibited quoting the SYN, SYNs alone with
 * retransmissions 1 s and 3 s later). A quarter of the flows are IPv6, one in
 * eight carries an 802.1Q tag (one in 64 two tags), and one data packet in
 * three is cut by the snaplen (caplen 96 < len); one in 500 is cut inside the
 * TCP header. Deterministic (fixed seed). Prints the class counts on stderr. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TICK_US 10
#define RING (1u << 20)          /* ticks of pending events (~10 s) */
#define SNAP_CUT 96

enum cls { C_EST, C_SYNACK_NO_ACK, C_REFUSED, C_UNREACH, C_SYN_ONLY, C_N };
enum kind { K_SYN, K_SYNACK, K_ACK, K_RST, K_ICMP, K_DATA_C, K_DATA_S };

/* One connection's constant fields. */
struct conn {
    uint8_t v6, nvlan;
    uint32_t client, server;     /* host numbers, made into addresses */
    uint16_t cport, sport;
    uint32_t isn, sisn;
};

/* A pending packet of a connection. */
struct event {
    struct conn c;
    uint8_t kind;
    uint32_t next;               /* pool index + 1, 0 none */
};

static struct event *pool;
static uint32_t pool_cap, pool_free, pool_used;
static uint32_t ring[RING];      /* head of each tick's list (pool index + 1) */
static FILE *out;
static uint64_t tick, written;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* xorshift64*: the benchmark must be reproducible. */
static uint32_t
rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

/* Writes the pcap file header (magic, 2.4, snaplen 65535, Ethernet). */
static void
file_header(void)
{
    uint32_t h[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
    fwrite(h, sizeof h, 1, out);
}

/* Writes one record of LEN bytes on the wire, CAPLEN captured. */
static void
record(const uint8_t *p, uint32_t caplen, uint32_t len)
{
    uint64_t us = tick * TICK_US;
    uint32_t h[4] = { (uint32_t)(1700000000u + us / 1000000u), (uint32_t)(us % 1000000u),
                      caplen, len };
    fwrite(h, sizeof h, 1, out);
    fwrite(p, caplen, 1, out);
    written++;
}

/* Writes an IPv4 or IPv6 address of host number H on side SIDE (0 client, 1 server). */
static void
put_addr(uint8_t *p, int v6, int side, uint32_t h)
{
    if (!v6) {
        p[0] = side ? 198 : 10;
        p[1] = side ? 51 : (uint8_t)(h >> 16);
        p[2] = side ? 100 : (uint8_t)(h >> 8);
        p[3] = (uint8_t)h;
        if (side)
            p[3] = (uint8_t)(1 + h % 250);
        return;
    }
    memset(p, 0, 16);
    p[0] = 0x20; p[1] = 0x01; p[2] = 0x0d; p[3] = 0xb8;
    p[5] = (uint8_t)(side + 1);
    p[12] = (uint8_t)(h >> 24); p[13] = (uint8_t)(h >> 16);
    p[14] = (uint8_t)(h >> 8); p[15] = (uint8_t)h;
}

/* Big-endian stores of 16 and 32 bits. */
static void be16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, v >> 16); be16(p + 2, v); }

/* Writes Ethernet (+ VLAN tags) for ethertype ET; returns the header length. */
static size_t
put_eth(uint8_t *p, int nvlan, uint16_t et)
{
    size_t off = 12;
    memcpy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
    for (int i = 0; i < nvlan; i++) {
        be16(p + off, i == 0 && nvlan == 2 ? 0x88a8 : 0x8100);
        be16(p + off + 2, (uint16_t)(100 + i));
        off += 4;
    }
    be16(p + off, et);
    return off + 2;
}

/* Writes an IP header (v4 or v6) carrying PROTO with PAYLOAD bytes, SRC to DST
 * sides; returns its length. */
static size_t
put_ip(uint8_t *p, int v6, int proto, uint32_t payload, int src_side, uint32_t src,
       uint32_t dst, uint8_t ttl)
{
    if (!v6) {
        memset(p, 0, 20);
        p[0] = 0x45;
        be16(p + 2, 20 + payload);
        p[6] = 0x40;
        p[8] = ttl;
        p[9] = (uint8_t)proto;
        put_addr(p + 12, 0, src_side, src);
        put_addr(p + 16, 0, !src_side, dst);
        return 20;
    }
    memset(p, 0, 40);
    p[0] = 0x60;
    be16(p + 4, payload);
    p[6] = (uint8_t)proto;
    p[7] = ttl;
    put_addr(p + 8, 1, src_side, src);
    put_addr(p + 24, 1, !src_side, dst);
    return 40;
}

/* Writes a TCP header; SYN segments carry MSS, SACK-permitted, timestamps and
 * window scale (20 option bytes). Returns its length. */
static size_t
put_tcp(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags)
{
    size_t hl = (flags & 0x02) ? 40 : 20;
    memset(p, 0, hl);
    be16(p, sport);
    be16(p + 2, dport);
    be32(p + 4, seq);
    be32(p + 8, ack);
    p[12] = (uint8_t)((hl / 4) << 4);
    p[13] = flags;
    be16(p + 14, 64240);
    if (hl == 40) {
        static const uint8_t o[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
        memcpy(p + 20, o, 20);
    }
    return hl;
}

/* Emits one packet of connection C. */
static void
emit(const struct conn *c, int kind)
{
    uint8_t p[2048];
    int et = c->v6 ? 0x86dd : 0x0800;
    size_t off = put_eth(p, c->nvlan, (uint16_t)et), ip = off, tl;
    uint32_t payload = 0, len, caplen;
    int from_server = kind == K_SYNACK || kind == K_RST || kind == K_DATA_S;

    if (kind == K_ICMP) {
        /* the SYN as sent, quoted whole behind an ICMP(v6) header from a router */
        uint8_t q[128];
        size_t qip = put_ip(q, c->v6, 6, 40, 0, c->client, c->server, 63);
        size_t qt = put_tcp(q + qip, c->cport, c->sport, c->isn, 0, 0x02);
        size_t ql = qip + qt;
        off += put_ip(p + off, c->v6, c->v6 ? 58 : 1, (uint32_t)(8 + ql), 1, 254, c->client, 64);
        memset(p + off, 0, 8);
        p[off] = c->v6 ? 1 : 3;
        p[off + 1] = c->v6 ? 1 : 13;
        memcpy(p + off + 8, q, ql);
        len = (uint32_t)(off + 8 + ql);
        record(p, len, len);
        return;
    }
    if (kind == K_DATA_C || kind == K_DATA_S)
        payload = 60 + rnd() % 600;
    off += put_ip(p + off, c->v6, 6, 0, from_server, from_server ? c->server : c->client,
                  from_server ? c->client : c->server, from_server ? 128 : 64);
    switch (kind) {
    case K_SYN:    tl = put_tcp(p + off, c->cport, c->sport, c->isn, 0, 0x02); break;
    case K_SYNACK: tl = put_tcp(p + off, c->sport, c->cport, c->sisn, c->isn + 1, 0x12); break;
    case K_ACK:    tl = put_tcp(p + off, c->cport, c->sport, c->isn + 1, c->sisn + 1, 0x10); break;
    case K_RST:    tl = put_tcp(p + off, c->sport, c->cport, 0, c->isn + 1, 0x14); break;
    case K_DATA_C: tl = put_tcp(p + off, c->cport, c->sport, c->isn + 1, c->sisn + 1, 0x18); break;
    default:       tl = put_tcp(p + off, c->sport, c->cport, c->sisn + 1, c->isn + 1, 0x18); break;
    }
    /* fix the IP length now that the TCP header length is known */
    if (c->v6)
        be16(p + ip + 4, (uint32_t)tl + payload);
    else
        be16(p + ip + 2, 20 + (uint32_t)tl + payload);
    memset(p + off + tl, 0xab, payload);
    len = (uint32_t)(off + tl + payload);
    caplen = len;
    if (payload && rnd() % 3 == 0)
        caplen = len < SNAP_CUT ? len : SNAP_CUT;       /* snaplen cut, headers whole */
    if (rnd() % 500 == 0)
        caplen = (uint32_t)(off + 10);                  /* cut inside the TCP header */
    record(p, caplen, len);
}

/* Schedules packet KIND of C DELAY ticks from now. */
static void
schedule(const struct conn *c, int kind, uint32_t delay)
{
    uint32_t i, slot = (uint32_t)((tick + delay) % RING);
    if (pool_free) {
        i = pool_free - 1;
        pool_free = pool[i].next;
    } else {
        if (pool_used == pool_cap) {
            pool_cap = pool_cap ? pool_cap * 2 : 65536;
            pool = realloc(pool, pool_cap * sizeof *pool);
            if (pool == NULL) {
                perror("gen_capture");
                exit(1);
            }
        }
        i = pool_used++;
    }
    pool[i].c = *c;
    pool[i].kind = (uint8_t)kind;
    pool[i].next = ring[slot];
    ring[slot] = i + 1;
}

/* A new connection to 445 of class K. */
static void
start_445(int k, uint64_t counts[C_N])
{
    struct conn c;
    uint32_t r = rnd();
    c.v6 = r % 4 == 0;
    c.nvlan = (r >> 2) % 8 == 0 ? ((r >> 5) % 8 == 0 ? 2 : 1) : 0;
    c.client = rnd() % 50000;
    c.server = rnd() % 200;
    c.cport = (uint16_t)(1024 + rnd() % 64000);
    c.sport = 445;
    c.isn = rnd();
    c.sisn = rnd();
    counts[k]++;
    emit(&c, K_SYN);
    switch (k) {
    case C_EST:
        schedule(&c, K_SYNACK, 20);
        schedule(&c, K_ACK, 40);
        for (uint32_t i = 0; i < 6; i++)
            schedule(&c, i % 2 ? K_DATA_S : K_DATA_C, 60 + 20 * i);
        break;
    case C_SYNACK_NO_ACK:
        schedule(&c, K_SYNACK, 20);
        schedule(&c, K_SYNACK, 100000);
        schedule(&c, K_SYNACK, 300000);
        break;
    case C_REFUSED:
        schedule(&c, K_RST, 20);
        break;
    case C_UNREACH:
        schedule(&c, K_ICMP, 30);
        break;
    default:
        schedule(&c, K_SYN, 100000);
        schedule(&c, K_SYN, 300000);
        break;
    }
}

/* One noise packet: TCP data on another port, or UDP 53. */
static void
noise(void)
{
    static const uint16_t ports[] = { 80, 443, 22, 3389, 8445 };
    struct conn c;
    uint32_t r = rnd();
    c.v6 = r % 4 == 0;
    c.nvlan = (r >> 2) % 8 == 0;
    c.client = rnd() % 50000;
    c.server = rnd() % 200;
    c.cport = (uint16_t)(1024 + rnd() % 64000);
    c.sport = ports[(r >> 5) % 5];
    c.isn = rnd();
    c.sisn = rnd();
    if ((r >> 8) % 16 == 0) {      /* UDP DNS */
        uint8_t p[128];
        size_t off = put_eth(p, c.nvlan, c.v6 ? 0x86dd : 0x0800);
        off += put_ip(p + off, c.v6, 17, 8 + 40, 0, c.client, c.server, 64);
        memset(p + off, 0, 48);
        be16(p + off, c.cport);
        be16(p + off + 2, 53);
        be16(p + off + 4, 48);
        record(p, (uint32_t)(off + 48), (uint32_t)(off + 48));
        return;
    }
    emit(&c, (r >> 12) % 2 ? K_DATA_C : K_DATA_S);
}

/* Parses the options and writes the capture. */
int
main(int argc, char **argv)
{
    uint64_t want = 2000000, flood = 0, counts[C_N] = { 0 };
    int opt;
    static const char *const names[C_N] = {
        "established", "synack_no_ack", "refused", "unreachable", "syn_no_synack"
    };

    while ((opt = getopt(argc, argv, "n:f:")) != -1) {
        if (opt == 'n')
            want = strtoull(optarg, NULL, 10);
        else if (opt == 'f')
            flood = strtoull(optarg, NULL, 10);
        else {
            fprintf(stderr, "usage: gen_capture [-n PACKETS | -f SYNS] OUT.pcap\n");
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: gen_capture [-n PACKETS | -f SYNS] OUT.pcap\n");
        return 2;
    }
    out = fopen(argv[optind], "wb");
    if (out == NULL) {
        perror(argv[optind]);
        return 1;
    }
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    file_header();
    if (flood) {
        /* distinct 4-tuples: client host i, port from i; nothing answers */
        for (uint64_t i = 0; i < flood; i++, tick++) {
            struct conn c = { (uint8_t)(i % 4 == 0), 0, (uint32_t)(i / 60000), 0,
                              (uint16_t)(1024 + i % 60000), 445, rnd(), 0 };
            c.server = (uint32_t)(i % 200);
            emit(&c, K_SYN);
        }
        counts[C_SYN_ONLY] = flood;
    } else {
        while (written < want) {
            uint32_t slot = (uint32_t)(tick % RING);
            if (ring[slot]) {
                uint32_t i = ring[slot] - 1;
                ring[slot] = pool[i].next;
                if (ring[slot] && (tick + 1) % RING != slot) {
                    /* more than one due now: the rest move to the next tick */
                    uint32_t j = ring[slot] - 1, nslot = (uint32_t)((tick + 1) % RING);
                    while (pool[j].next)
                        j = pool[j].next - 1;
                    pool[j].next = ring[nslot];
                    ring[nslot] = ring[slot];
                    ring[slot] = 0;
                }
                emit(&pool[i].c, pool[i].kind);
                pool[i].next = pool_free;
                pool_free = i + 1;
            } else if (rnd() % 100 < 18) {
                uint32_t r = rnd() % 100;
                start_445(r < 60 ? C_EST : r < 70 ? C_SYNACK_NO_ACK : r < 80 ? C_REFUSED
                          : r < 90 ? C_UNREACH : C_SYN_ONLY, counts);
            } else
                noise();
            tick++;
        }
    }
    if (fclose(out) != 0) {
        perror(argv[optind]);
        return 1;
    }
    fprintf(stderr, "gen_capture: %s: %llu packets;", argv[optind], (unsigned long long)(written));
    for (int k = 0; k < C_N; k++)
        fprintf(stderr, " %s %llu", names[k], (unsigned long long)counts[k]);
    fprintf(stderr, " (attempts started)\n");
    free(pool);
    return 0;
}
