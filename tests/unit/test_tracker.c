/* test_tracker.c: unit tests of the handshake tracker (src/tracker.c): each
 * class, retransmission schedules, 4-tuple reuse, interleaved attempts,
 * eviction accounting, ICMP quoting, ladders; then the corpus captures in
 * ../shared/corpus (or $TSHOOT_CORPUS) fed through decode + tracker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "tracker.h"

static const uint16_t PORT445[] = { 445 };

/* A tracker for port 445 with CAP slots (0: default). */
static struct tracker *
mk(size_t cap)
{
    struct tracker_config cfg = { PORT445, 1, cap, 0, 0 };
    char *cause = NULL;
    struct tracker *t = tracker_new(&cfg, &cause);
    assert_non_null(t);
    return t;
}

/* Feeds a TCP segment; returns what tracker_packet() returned. */
static int
seg(struct tracker *t, uint64_t ts, const char *src, uint16_t sp, const char *dst, uint16_t dp,
    uint32_t seq, uint32_t ack, uint8_t flags, uint8_t ttl)
{
    struct decoded d;
    memset(&d, 0, sizeof d);
    d.result = DECODE_TCP;
    assert_int_equal(decode_addr_parse(src, &d.tcp.src), 0);
    assert_int_equal(decode_addr_parse(dst, &d.tcp.dst), 0);
    d.ipver = d.tcp.src.family;
    d.tcp.sport = sp;
    d.tcp.dport = dp;
    d.tcp.seq = seq;
    d.tcp.ack = ack;
    d.tcp.flags = flags;
    d.tcp.ttl = ttl;
    return tracker_packet(t, &d, ts);
}

/* Feeds an ICMP unreachable from SENDER quoting a segment client -> server. */
static int
icmp(struct tracker *t, uint64_t ts, const char *sender, uint8_t type, uint8_t code,
     const char *qsrc, uint16_t qsp, const char *qdst, uint16_t qdp, uint32_t qseq)
{
    struct decoded d;
    memset(&d, 0, sizeof d);
    d.result = DECODE_ICMP_UNREACH;
    assert_int_equal(decode_addr_parse(sender, &d.icmp.sender), 0);
    assert_int_equal(decode_addr_parse(qsrc, &d.tcp.src), 0);
    assert_int_equal(decode_addr_parse(qdst, &d.tcp.dst), 0);
    d.icmp.receiver = d.tcp.src;
    d.icmp.type = type;
    d.icmp.code = code;
    d.tcp.sport = qsp;
    d.tcp.dport = qdp;
    d.tcp.seq = qseq;
    return tracker_packet(t, &d, ts);
}

#define C "192.168.1.10"
#define S "10.0.0.5"
#define SEC 1000000ull
#define SYN TCPF_SYN
#define SA (TCPF_SYN | TCPF_ACK)
#define ACK TCPF_ACK
#define RA (TCPF_RST | TCPF_ACK)

/* Asserts the five class counts and the total. */
static void
expect(const struct tracker *t, uint64_t est, uint64_t sna, uint64_t ref, uint64_t unr,
       uint64_t sns)
{
    struct hs_counts c;
    tracker_counts(t, &c);
    assert_int_equal(c.by_class[HS_ESTABLISHED], est);
    assert_int_equal(c.by_class[HS_SYNACK_NO_ACK], sna);
    assert_int_equal(c.by_class[HS_REFUSED], ref);
    assert_int_equal(c.by_class[HS_UNREACHABLE], unr);
    assert_int_equal(c.by_class[HS_SYN_NO_SYNACK], sns);
    assert_int_equal(c.total, est + sna + ref + unr + sns);
}

/* The newest attempt. */
static struct tracker_attempt
newest(const struct tracker *t)
{
    struct tracker_attempt a;
    assert_int_equal(tracker_recent(t, &a, 1), 1);
    return a;
}

/* SYN, SYN-ACK, ACK: established; the ladder shows three arrows. */
static void
test_established(void **state)
{
    (void)state;
    struct tracker *t = mk(0);
    uint64_t t0 = 1700000000 * SEC;
    assert_int_equal(seg(t, t0, C, 50000, S, 445, 1000, 0, SYN, 128), 1);
    assert_int_equal(seg(t, t0 + 300, S, 445, C, 50000, 7000, 1001, SA, 64), 1);
    assert_int_equal(seg(t, t0 + 500, C, 50000, S, 445, 1001, 7001, ACK, 128), 1);
    assert_int_equal(seg(t, t0 + 900, C, 50000, S, 445, 1001, 7001, ACK | TCPF_PSH, 128), 0);
    expect(t, 1, 0, 0, 0, 0);
    struct tracker_attempt a = newest(t);
    assert_int_equal(a.cls, HS_ESTABLISHED);
    assert_int_equal(a.syn_count, 1);
    assert_int_equal(a.synack_dt, 300);
    assert_int_equal(a.ack_dt, 500);
    assert_int_equal(a.server_isn, 7000);
    assert_int_equal(a.syn_ttl, 128);
    assert_int_equal(a.synack_ttl, 64);

    char lines[12][TRACKER_LADDER_WIDTH];
    unsigned n = tracker_ladder(&a, lines, 12);
    assert_int_equal(n, 4);
    assert_non_null(strstr(lines[0], "192.168.1.10:50000"));
    assert_non_null(strstr(lines[0], "10.0.0.5:445"));
    assert_non_null(strstr(lines[1], "SYN"));
    assert_non_null(strstr(lines[1], "------------->"));
    assert_non_null(strstr(lines[2], "<-------------"));
    assert_non_null(strstr(lines[2], "SYN,ACK"));
    assert_non_null(strstr(lines[3], "ACK"));

    struct capture_attempt ca;
    tracker_to_capture(&a, &ca);
    assert_string_equal(ca.client, "192.168.1.10:50000");
    assert_string_equal(ca.server, "10.0.0.5:445");
    assert_int_equal(ca.nladder, 4);
    assert_int_equal(ca.cls, HS_ESTABLISHED);
    tracker_free(t);
}

/* SYN and its retransmissions only: the schedule is kept. */
static void
test_syn_retransmissions(void **state)
{
    (void)state;
    struct tracker *t = mk(0);
    static const uint64_t at[] = { 0, 1, 3, 7, 15, 31, 63, 127 };
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(seg(t, 5 * SEC + at[i] * SEC + 2000 * (i > 0), C, 50001, S, 445, 77, 0,
                             SYN, 64), 1);
    expect(t, 0, 0, 0, 0, 1);
    struct tracker_attempt a = newest(t);
    assert_int_equal(a.syn_count, 8);
    assert_int_equal(a.syn_dt[0], 0);
    assert_int_equal(a.syn_dt[1], 1 * SEC + 2000);
    assert_int_equal(a.syn_dt[2], 3 * SEC + 2000);
    assert_int_equal(a.syn_dt[3], 7 * SEC + 2000);
    char lines[12][TRACKER_LADDER_WIDTH];
    unsigned n = tracker_ladder(&a, lines, 12);
    assert_true(n >= 7);
    assert_non_null(strstr(lines[2], "  1.002  SYN"));
    assert_non_null(strstr(lines[2], "(retransmission)"));
    assert_non_null(strstr(lines[n - 1], "more SYNs"));
    struct tracker_attempt ex;
    assert_int_equal(tracker_example(t, HS_SYN_NO_SYNACK, &ex), 0);
    assert_int_equal(ex.syn_count, 8);
    assert_int_equal(tracker_example(t, HS_REFUSED, &ex), -1);
    tracker_free(t);
}

/* RST answers: with ack = ISN+1, without ACK; a RST with a wrong ack is not one. */
static void
test_refused(void **state)
{
    (void)state;
    struct tracker *t = mk(0);
    seg(t, 0, C, 1, S, 445, 100, 0, SYN, 64);
    assert_int_equal(seg(t, 10, S, 445, C, 1, 0, 101, RA, 64), 1);
    seg(t, 20, C, 2, S, 445, 200, 0, SYN, 64);
    assert_int_equal(seg(t, 30, S, 445, C, 2, 0, 999, RA, 64), 0);   /* not acceptable */
    seg(t, 40, C, 3, S, 445, 300, 0, SYN, 64);
    assert_int_equal(seg(t, 50, S, 445, C, 3, 0, 0, TCPF_RST, 64), 1);
    expect(t, 0, 0, 2, 0, 1);
    struct tracker_attempt ex;
    assert_int_equal(tracker_example(t, HS_REFUSED, &ex), 0);
    char lines[12][TRACKER_LADDER_WIDTH];
    unsigned n = tracker_ladder(&ex, lines, 12);
    assert_int_equal(n, 3);
    assert_non_null(strstr(lines[2], "<------------- RST"));
    tracker_free(t);
}

/* ICMP and ICMPv6 unreachable quoting the SYN; senders are counted. */
static void
test_unreachable(void **state)
{
    (void)state;
    struct tracker *t = mk(0);
    seg(t, 0, C, 49812, S, 445, 1000, 0, SYN, 64);
    assert_int_equal(icmp(t, 2000, "203.0.113.1", 3, 13, C, 49812, S, 445, 1000), 1);
    seg(t, SEC, C, 49812, S, 445, 1000, 0, SYN, 64);
    assert_int_equal(icmp(t, SEC + 2000, "203.0.113.1", 3, 1, C, 49812, S, 445, 1000), 1);
    /* IPv6 */
    seg(t, 0, "2001:db8::10", 40000, "2001:db8:1::5", 445, 5, 0, SYN, 64);
    icmp(t, 100, "2001:db8::1", 1, 1, "2001:db8::10", 40000, "2001:db8:1::5", 445, 5);
    /* a quote with the wrong sequence number is not this attempt */
    seg(t, 0, C, 3333, S, 445, 9, 0, SYN, 64);
    icmp(t, 100, "203.0.113.1", 3, 13, C, 3333, S, 445, 10);
    /* a quote of another port is ignored */
    assert_int_equal(icmp(t, 100, "203.0.113.1", 3, 3, C, 3333, S, 80, 9), 0);
    expect(t, 0, 0, 0, 2, 1);

    struct tracker_attempt ex;
    assert_int_equal(tracker_example(t, HS_UNREACHABLE, &ex), 0);
    struct tracker_icmp senders[8];
    size_t n = tracker_icmp_senders(t, senders, 8);
    assert_int_equal(n, 3);
    assert_int_equal(senders[0].count, 2);   /* 203.0.113.1 3/13 twice */
    assert_int_equal(senders[0].code, 13);

    struct tracker_attempt v[4];
    n = tracker_recent(t, v, 4);
    assert_int_equal(n, 3);
    assert_int_equal(v[2].cls, HS_UNREACHABLE);
    assert_int_equal(v[2].icmp_type, 3);
    assert_int_equal(v[2].icmp_code, 13);    /* the first error is kept */
    assert_int_equal(v[2].syn_count, 2);
    char addr[64];
    assert_string_equal(decode_addr_str(&v[2].icmp_from, addr, sizeof addr), "203.0.113.1");
    assert_int_equal(v[1].cls, HS_UNREACHABLE);
    assert_int_equal(v[1].icmp_from.family, 6);
    char lines[12][TRACKER_LADDER_WIDTH];
    unsigned nl = tracker_ladder(&v[2], lines, 12);
    int found = 0;
    for (unsigned i = 0; i + 1 < nl; i++)
        if (strstr(lines[i], "ICMP 3/13") && strstr(lines[i], "from 203.0.113.1") &&
            strstr(lines[i + 1], "administratively prohibited"))
            found = 1;
    assert_true(found);
    tracker_free(t);
}

/* SYN-ACK repeated, never acknowledged; a bare ACK answering a SYN. */
static void
test_synack_no_ack_and_challenge(void **state)
{
    (void)state;
    struct tracker *t = mk(0);
    seg(t, 0, C, 10, S, 445, 500, 0, SYN, 64);
    seg(t, 100, S, 445, C, 10, 9000, 501, SA, 64);
    seg(t, SEC, S, 445, C, 10, 9000, 501, SA, 64);
    seg(t, 3 * SEC, S, 445, C, 10, 9000, 501, SA, 64);
    /* a wrong ACK from the client does not complete it */
    assert_int_equal(seg(t, 3 * SEC + 5, C, 10, S, 445, 501, 1234, ACK, 64), 0);
    expect(t, 0, 1, 0, 0, 0);
    struct tracker_attempt a = newest(t);
    assert_int_equal(a.synack_count, 3);
    assert_true(a.detail & TRK_SYNACK_REPEATED);
    assert_int_equal(a.synack_last_dt, 3 * SEC);

    seg(t, 10 * SEC, C, 11, S, 445, 600, 0, SYN, 64);
    assert_int_equal(seg(t, 10 * SEC + 50, S, 445, C, 11, 123456, 42, ACK, 64), 1);
    a = newest(t);
    assert_true(a.detail & TRK_CHALLENGE_ACK);
    assert_int_equal(a.cls, HS_SYN_NO_SYNACK);
    expect(t, 0, 1, 0, 0, 1);
    assert_string_equal(tracker_detail_name(TRK_SYNACK_REPEATED), "synack repeated");
    tracker_free(t);
}

/* A RST whose TTL differs from the server's SYN-ACKs: forged by a middlebox. */
static void
test_rst_ttl_mismatch(void **state)
{
    (void)state;
    struct tracker *t = mk(0);
    seg(t, 0, C, 20, S, 445, 1, 0, SYN, 128);
    seg(t, 10, S, 445, C, 20, 2, 2, SA, 61);
    seg(t, 20, C, 20, S, 445, 2, 3, ACK, 128);
    seg(t, 100, "192.168.1.11", 21, S, 445, 50, 0, SYN, 128);
    seg(t, 110, S, 445, "192.168.1.11", 21, 0, 51, RA, 250);
    seg(t, 200, "192.168.1.12", 22, S, 445, 60, 0, SYN, 128);
    seg(t, 210, S, 445, "192.168.1.12", 22, 0, 61, RA, 61);
    expect(t, 1, 0, 2, 0, 0);
    struct tracker_attempt v[3];
    assert_int_equal(tracker_recent(t, v, 3), 3);
    assert_false(v[0].detail & TRK_RST_TTL_MISMATCH);
    assert_true(v[1].detail & TRK_RST_TTL_MISMATCH);
    assert_int_equal(v[1].rst_ttl, 250);
    tracker_free(t);
}

/* A new ISN on the same 4-tuple is a new attempt. */
static void
test_tuple_reuse(void **state)
{
    (void)state;
    struct tracker *t = mk(0);
    seg(t, 0, C, 30, S, 445, 1000, 0, SYN, 64);
    seg(t, 10, S, 445, C, 30, 0, 1001, RA, 64);
    seg(t, SEC, C, 30, S, 445, 5000, 0, SYN, 64);
    seg(t, SEC + 10, S, 445, C, 30, 8000, 5001, SA, 64);
    seg(t, SEC + 20, C, 30, S, 445, 5001, 8001, ACK, 64);
    expect(t, 1, 0, 1, 0, 0);
    struct tracker_stats st;
    tracker_stats(t, &st);
    assert_int_equal(st.superseded, 1);
    struct tracker_attempt v[2];
    assert_int_equal(tracker_recent(t, v, 2), 2);
    assert_int_equal(v[0].isn, 5000);
    assert_int_equal(v[0].cls, HS_ESTABLISHED);
    assert_int_equal(v[1].isn, 1000);
    assert_true(v[1].detail & TRK_SUPERSEDED);
    tracker_free(t);
}

/* Attempts of several clients interleaved; orphans and other ports ignored. */
static void
test_interleaved_and_orphans(void **state)
{
    (void)state;
    struct tracker *t = mk(0);
    const char *cl[4] = { "10.1.0.1", "10.1.0.2", "10.1.0.3", "2001:db8::3" };
    for (int i = 0; i < 4; i++)
        seg(t, (uint64_t)i, cl[i], 40000, i == 3 ? "2001:db8::5" : S, 445, 100u * (unsigned)i, 0,
            SYN, 64);
    seg(t, 10, S, 445, cl[1], 40000, 0, 101, RA, 64);
    seg(t, 11, "2001:db8::5", 445, cl[3], 40000, 77, 301, SA, 64);
    seg(t, 12, S, 445, cl[0], 40000, 55, 1, SA, 64);
    seg(t, 13, cl[3], 40000, "2001:db8::5", 445, 301, 78, ACK, 64);
    seg(t, 14, cl[0], 40000, S, 445, 1, 56, ACK, 64);
    expect(t, 2, 0, 1, 0, 1);
    /* SYN-ACK and ACK without a captured SYN: not attempts */
    assert_int_equal(seg(t, 20, S, 445, "10.9.9.9", 1234, 1, 2, SA, 64), 0);
    assert_int_equal(seg(t, 21, "10.9.9.9", 1234, S, 445, 2, 2, ACK, 64), 0);
    /* other ports and odd flag sets */
    assert_int_equal(seg(t, 22, C, 5555, S, 80, 1, 0, SYN, 64), 0);
    assert_int_equal(seg(t, 23, C, 5556, S, 445, 1, 2, 0xff, 64), 0);
    expect(t, 2, 0, 1, 0, 1);

    struct tracker_server sv[4];
    size_t n = tracker_servers(t, sv, 4);
    assert_int_equal(n, 2);
    assert_int_equal(sv[0].counts.total, 3);
    assert_int_equal(sv[0].port, 445);
    assert_int_equal(sv[0].counts.by_class[HS_REFUSED], 1);
    struct tracker_client cv[8];
    n = tracker_clients(t, cv, 8);
    assert_int_equal(n, 4);
    assert_int_equal(cv[0].counts.total - cv[0].counts.by_class[HS_ESTABLISHED], 1);
    struct tracker_stats st;
    tracker_stats(t, &st);
    assert_int_equal(st.orphans, 3);
    tracker_free(t);
}

/* A full table evicts finished attempts first and keeps every count right. */
static void
test_eviction(void **state)
{
    (void)state;
    struct tracker *t = mk(4);
    seg(t, 0, C, 1, S, 445, 10, 0, SYN, 64);            /* open: kept */
    for (uint16_t p = 2; p <= 4; p++) {                  /* refused: evicted first */
        seg(t, p, C, p, S, 445, 10u * p, 0, SYN, 64);
        seg(t, p, S, 445, C, p, 0, 10u * p + 1, RA, 64);
    }
    seg(t, 10, C, 5, S, 445, 50, 0, SYN, 64);
    seg(t, 11, C, 6, S, 445, 60, 0, SYN, 64);
    struct tracker_stats st;
    tracker_stats(t, &st);
    assert_int_equal(st.evicted, 2);
    /* attempt 1 is still there: its SYN-ACK counts */
    assert_int_equal(seg(t, 12, S, 445, C, 1, 99, 11, SA, 64), 1);
    expect(t, 0, 1, 3, 0, 2);

    /* a flood of distinct SYNs through a small table */
    struct tracker *f = mk(64);
    for (uint32_t i = 0; i < 10000; i++) {
        char a[32];
        snprintf(a, sizeof a, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        seg(f, i, a, (uint16_t)(1024 + i % 50000), S, 445, i, 0, SYN, 64);
        if (i % 3 == 0)
            seg(f, i, S, 445, a, (uint16_t)(1024 + i % 50000), 7, i + 1, RA, 64);
        if (i % 3 == 1)
            seg(f, i, S, 445, a, (uint16_t)(1024 + i % 50000), 7, i + 1, SA, 64);
    }
    expect(f, 0, 3333, 3334, 0, 3333);
    tracker_stats(f, &st);
    assert_int_equal(st.evicted, 10000 - 64);
    struct tracker_server sv[2];
    assert_int_equal(tracker_servers(f, sv, 2), 1);
    assert_int_equal(sv[0].counts.total, 10000);
    assert_int_equal(sv[0].counts.by_class[HS_REFUSED], 3334);
    struct tracker_client cv[2];
    assert_int_equal(tracker_clients(f, cv, 2), 2);
    tracker_stats(f, &st);
    assert_int_equal(st.clients_overflow, 10000 - TRACKER_DEFAULT_CLIENTS);
    struct tracker_attempt v[TRACKER_RECENT];
    assert_int_equal(tracker_recent(f, v, TRACKER_RECENT), TRACKER_RECENT);
    assert_int_equal(v[0].isn, 9999);
    /* examples survive eviction */
    struct tracker_attempt ex;
    assert_int_equal(tracker_example(f, HS_REFUSED, &ex), 0);
    tracker_free(f);
    tracker_free(t);
}

/* Attempt counting used by tracker_each(). */
static int
count_each(const struct tracker_attempt *a, void *arg)
{
    uint64_t *last = arg;
    assert_true(a->id > *last);
    *last = a->id;
    return 0;
}

/* Times the per-packet path over real frames and walks tracker_each(). */
static void
test_speed(void **state)
{
    (void)state;
    enum { NF = 64, N = 2000000 };
    uint8_t frames[NF][80];
    uint32_t lens[NF];
    for (int i = 0; i < NF; i++) {
        uint8_t *p = frames[i];
        memset(p, 0, 80);
        p[12] = 0x08;                      /* IPv4 */
        p[14] = 0x45;
        p[16] = 0;
        p[17] = 40;
        p[22] = 64;
        p[23] = 6;
        p[26] = 10, p[27] = 1, p[28] = (uint8_t)i, p[29] = 1;
        p[30] = 10, p[31] = 0, p[32] = 0, p[33] = 5;
        uint16_t sp = (uint16_t)(30000 + i), dp = (i % 4 == 0) ? 445 : 443;
        p[34] = (uint8_t)(sp >> 8), p[35] = (uint8_t)sp;
        p[36] = (uint8_t)(dp >> 8), p[37] = (uint8_t)dp;
        p[41] = (uint8_t)i;                /* seq */
        p[46] = 0x50;
        p[47] = (i % 8 == 0) ? SYN : ACK;
        lens[i] = 54;
    }
    static const uint16_t both[] = { 445, 443 };
    for (int pass = 0; pass < 2; pass++) {
        struct tracker_config cfg = { both, pass ? 2 : 1, 0, 0, 0 };
        struct tracker *t = tracker_new(&cfg, NULL);
        assert_non_null(t);
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (uint32_t i = 0; i < N; i++)
            tracker_frame(t, 1, frames[i % NF], lens[i % NF], lens[i % NF], i);
        clock_gettime(CLOCK_MONOTONIC, &b);
        double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / N;
        print_message("per-packet decode + track: %.1f ns (%d frames, %s)\n", ns, N,
                      pass ? "every frame on a tracked port" : "1 in 4 on the tracked port");
        struct tracker_stats st;
        tracker_stats(t, &st);
        assert_int_equal(st.packets, N);
        assert_int_equal(st.by_result[DECODE_TCP], pass ? N : N / 4);
        assert_int_equal(st.by_result[DECODE_OTHER_PORT], pass ? 0 : N / 4 * 3);
        uint64_t last = 0;
        tracker_each(t, count_each, &last);
        assert_int_equal(last, NF / 8);
        tracker_free(t);
    }
}

/* --client / --server filters keep only matching attempts. */
static void
test_filters(void **state)
{
    (void)state;
    struct ip_addr only;
    decode_addr_parse("192.168.1.11", &only);
    struct tracker *t = mk(0);
    tracker_set_filter(t, &only, NULL);
    assert_int_equal(seg(t, 0, C, 1, S, 445, 1, 0, SYN, 64), 0);
    assert_int_equal(seg(t, 0, "192.168.1.11", 1, S, 445, 1, 0, SYN, 64), 1);
    assert_int_equal(icmp(t, 1, "10.0.0.254", 3, 13, C, 1, S, 445, 1), 0);
    expect(t, 0, 0, 0, 0, 1);
    tracker_free(t);
    decode_addr_parse("10.0.0.6", &only);
    t = mk(0);
    tracker_set_filter(t, NULL, &only);
    assert_int_equal(seg(t, 0, C, 1, S, 445, 1, 0, SYN, 64), 0);
    assert_int_equal(seg(t, 0, C, 1, "10.0.0.6", 445, 1, 0, SYN, 64), 1);
    expect(t, 0, 0, 0, 0, 1);
    tracker_free(t);
}

/* Bad configurations fail with a cause. */
static void
test_config(void **state)
{
    (void)state;
    struct tracker_config cfg = { NULL, 0, 0, 0, 0 };
    char *cause = NULL;
    assert_null(tracker_new(&cfg, &cause));
    assert_non_null(cause);
    free(cause);
    struct tracker *t = mk(0);
    assert_true(tracker_has_port(t, 445));
    assert_false(tracker_has_port(t, 446));
    tracker_free(t);
    tracker_free(NULL);
}

/* ---- colliding tuples (hash flooding) ---- */

#define PROBE_MAX 128   /* of tracker.c: cells an entry may sit past its home */

/* Client addresses "10.x.y.z" (port 40000, to 192.0.2.1:445) whose flow hash
 * under T's key has low bits (MASK) equal to one of HOMES; N of them, cycling
 * through the homes, into OUT. */
static void
colliding(const struct tracker *t, uint32_t mask, const uint32_t *homes, size_t nhomes, size_t n,
          char (*out)[16])
{
    struct ip_addr c, s;
    assert_int_equal(decode_addr_parse("192.0.2.1", &s), 0);
    uint32_t x = 0;
    for (size_t i = 0; i < n; i++) {
        for (;; x++) {
            snprintf(out[i], 16, "10.%u.%u.%u", (x >> 16) & 255, (x >> 8) & 255, x & 255);
            assert_int_equal(decode_addr_parse(out[i], &c), 0);
            if ((tracker_tuple_hash(t, &c, &s, 40000, 445) & mask) == homes[i % nhomes])
                break;
        }
        x++;
    }
}

/* A tracker_each() callback: answers every attempt still indexed (not
 * superseded) with a SYN-ACK, which must be found by its 4-tuple. */
static int
answer_cb(const struct tracker_attempt *a, void *arg)
{
    struct tracker *t = arg;
    char c[46], s[46];
    if (a->detail & TRK_SUPERSEDED)
        return 0;
    decode_addr_str(&a->client, c, sizeof c);
    decode_addr_str(&a->server, s, sizeof s);
    assert_int_equal(seg(t, a->t_first + 1000, s, a->sport, c, a->cport, 7, a->isn + 1, SA, 60), 1);
    return 0;
}

/* All tuples in one home cell: no more than PROBE_MAX of them stay indexed,
 * each further one evicts the oldest of its window, and the rest are found. */
static void
test_collision_window(void **state)
{
    (void)state;
    static const uint8_t key[16] = { 1, 2, 3 };
    static char addr[300][16];
    struct tracker *t = mk(1024);   /* index of 2048 cells */
    tracker_set_hash_key(t, key);
    uint32_t home = 77;
    colliding(t, 2047, &home, 1, 300, addr);
    for (unsigned i = 0; i < 300; i++)
        assert_int_equal(seg(t, 1000 + i, addr[i], 40000, "192.0.2.1", 445, i, 0, SYN, 64), 1);
    struct tracker_stats st;
    tracker_stats(t, &st);
    assert_int_equal(st.evicted, 300 - PROBE_MAX);
    expect(t, 0, 0, 0, 0, 300);
    /* the oldest is gone; the newest PROBE_MAX are all still followed */
    assert_int_equal(seg(t, 5000, "192.0.2.1", 445, addr[0], 40000, 9, 1, SA, 60), 0);
    tracker_each(t, answer_cb, t);
    expect(t, 0, PROBE_MAX, 0, 0, 300 - PROBE_MAX);
    tracker_free(t);
}

/* Feeds SYNs from the N clients whose tuples have home cells HOMES (cycled)
 * in the 512-cell index of a 256-attempt tracker, then a new ISN on every
 * 7th tuple (superseding: removal from the middle of a cluster, then
 * insertion); then every attempt still indexed must be reachable by its
 * 4-tuple. */
static void
cluster_run(const uint32_t *homes, size_t nhomes, size_t n)
{
    static const uint8_t key[16] = { 9 };
    static char addr[600][16];
    struct tracker *t = mk(256);
    tracker_set_hash_key(t, key);
    assert_true(n <= 600);
    colliding(t, 511, homes, nhomes, n, addr);
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(seg(t, 1000 + i, addr[i], 40000, "192.0.2.1", 445, i, 0, SYN, 64), 1);
    for (unsigned i = 6; i < n; i += 7)
        assert_int_equal(seg(t, 2000 + i, addr[i], 40000, "192.0.2.1", 445, 100000 + i, 0, SYN, 64),
                         1);
    struct hs_counts c;
    tracker_counts(t, &c);
    assert_int_equal(c.total, n + n / 7);
    tracker_each(t, answer_cb, t);
    tracker_free(t);
}

/* Long clusters: 600 tuples on 40 neighbouring home cells (full probe
 * windows, entries shifted back on removal); 200 tuples on 200 consecutive
 * home cells (a removal's scan for an entry to shift back stops at PROBE_MAX). */
static void
test_collision_clusters(void **state)
{
    (void)state;
    uint32_t homes[200];
    for (uint32_t i = 0; i < 40; i++)
        homes[i] = 300 + (i * 17) % 40;   /* 300..339 in a scrambled order */
    cluster_run(homes, 40, 600);
    for (uint32_t i = 0; i < 200; i++)
        homes[i] = 100 + i;
    cluster_run(homes, 200, 200);
}

/* ---- the corpus ---- */

/* Directory of the shared corpus, or NULL. */
static const char *
corpus_dir(void)
{
    const char *env = getenv("TSHOOT_CORPUS");
    if (env != NULL && access(env, R_OK) == 0)
        return env;
    if (access("../shared/corpus", R_OK) == 0)
        return "../shared/corpus";
    return NULL;
}

/* Feeds FILE through decode + tracker on PORT; returns the tracker or NULL (skip). */
static struct tracker *
feed(const char *file, uint16_t port, struct tracker_stats *st)
{
    const char *dir = corpus_dir();
    if (dir == NULL)
        return NULL;
    char path[512], err[PCAP_ERRBUF_SIZE];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, err);
    if (p == NULL)
        fail_msg("%s: %s", path, err);
    struct tracker_config cfg = { &port, 1, 0, 0, 0 };
    struct tracker *t = tracker_new(&cfg, NULL);
    assert_non_null(t);
    int dlt = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(p, &h, &data) == 1)
        tracker_frame(t, dlt, data, h->caplen, h->len,
                      (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec);
    pcap_close(p);
    tracker_stats(t, st);
    return t;
}

/* One corpus file and what it must give. */
struct expectation {
    const char *file;
    uint16_t port;
    uint64_t est, sna, ref, unr, sns;
    unsigned syns;        /* SYN count of the newest attempt (0: don't check) */
};

static const struct expectation corpus[] = {
    { "handshake/synth-smb445-ipv4-icmp-unreach.pcap", 445, 0, 0, 0, 1, 0, 2 },
    { "handshake/synth-smb445-ipv4-syn-no-synack.pcap", 445, 0, 0, 0, 0, 1, 4 },
    { "handshake/synth-smb445-ipv4-syn-rst.pcap", 445, 0, 0, 1, 0, 0, 1 },
    { "handshake/synth-smb445-ipv4-synack-only.pcap", 445, 0, 0, 0, 0, 0, 0 },
    { "handshake/synth-smb445-ipv6-handshake-ok.pcap", 445, 1, 0, 0, 0, 0, 1 },
    { "handshake/synth-smb445-ipv6-icmp6-unreach.pcap", 445, 0, 0, 0, 1, 0, 0 },
    { "handshake/synth-smb445-ipv6-syn-no-synack.pcap", 445, 0, 0, 0, 0, 1, 3 },
    { "handshake/synth-smb445-ipv6-syn-rst.pcap", 445, 0, 0, 1, 0, 0, 1 },
    { "handshake/tcp-handshake-nano.pcap", 80, 1, 0, 0, 0, 0, 1 },
    { "handshake/tcp_eight_lowest_weight_flags_set.pcap", 80, 0, 0, 0, 0, 0, 0 },
    { "handshake/bgp-4byte-asn.pcap", 179, 4, 0, 2, 0, 0, 0 },
    { "handshake/of10_pf5240.pcap", 6633, 1, 0, 2, 0, 0, 0 },
    { "handshake/tfo-5c1fa7f9ae91.pcap", 13054, 2, 0, 0, 0, 1, 1 },
    { "handshake/mptcp-fclose.pcap", 0, 0, 0, 0, 0, 0, 0 },
    { "linktypes/synth-loop-smb445-ipv4-handshake.pcap", 445, 1, 0, 0, 0, 0, 1 },
    { "linktypes/synth-loop-smb445-ipv6-handshake.pcap", 445, 1, 0, 0, 0, 0, 1 },
    { "linktypes/synth-qinq-smb445-ipv6-handshake.pcap", 445, 1, 0, 0, 0, 0, 1 },
    { "linktypes/synth-sll2-smb445-ipv4-handshake.pcap", 445, 1, 0, 0, 0, 0, 1 },
    { "linktypes/synth-sll2-smb445-ipv6-rst.pcap", 445, 0, 0, 1, 0, 0, 1 },
    { "linktypes/synth-vlan-smb445-ipv4-handshake.pcap", 445, 1, 0, 0, 0, 0, 1 },
};

/* Every corpus file gives its expected classes. */
static void
test_corpus(void **state)
{
    (void)state;
    if (corpus_dir() == NULL) {
        print_message("corpus not found (../shared/corpus or $TSHOOT_CORPUS): skipped\n");
        skip();
    }
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        const struct expectation *e = &corpus[i];
        struct tracker_stats st;
        struct tracker *t;
        if (e->port == 0) {
            /* mptcp-fclose: the port is whatever the handshake uses; RST after it */
            t = feed(e->file, 80, &st);
            struct hs_counts c;
            tracker_counts(t, &c);
            assert_int_equal(c.by_class[HS_REFUSED], 0);
            tracker_free(t);
            continue;
        }
        t = feed(e->file, e->port, &st);
        struct hs_counts c;
        tracker_counts(t, &c);
        if (c.by_class[HS_ESTABLISHED] != e->est || c.by_class[HS_SYNACK_NO_ACK] != e->sna ||
            c.by_class[HS_REFUSED] != e->ref || c.by_class[HS_UNREACHABLE] != e->unr ||
            c.by_class[HS_SYN_NO_SYNACK] != e->sns)
            fail_msg("%s: got est %llu sna %llu ref %llu unr %llu sns %llu", e->file,
                     (unsigned long long)c.by_class[HS_ESTABLISHED],
                     (unsigned long long)c.by_class[HS_SYNACK_NO_ACK],
                     (unsigned long long)c.by_class[HS_REFUSED],
                     (unsigned long long)c.by_class[HS_UNREACHABLE],
                     (unsigned long long)c.by_class[HS_SYN_NO_SYNACK]);
        assert_int_equal(st.by_result[DECODE_TRUNCATED], 0);
        assert_int_equal(st.by_result[DECODE_UNSUPPORTED], 0);
        if (e->syns) {
            struct tracker_attempt a;
            assert_int_equal(tracker_recent(t, &a, 1), 1);
            if (a.syn_count != e->syns)
                fail_msg("%s: %u SYNs, want %u", e->file, a.syn_count, e->syns);
        }
        tracker_free(t);
    }

    /* the retransmission schedule of the IPv4 file: 1 s, 3 s, 7 s */
    struct tracker_stats st;
    struct tracker *t = feed("handshake/synth-smb445-ipv4-syn-no-synack.pcap", 445, &st);
    struct tracker_attempt a;
    assert_int_equal(tracker_recent(t, &a, 1), 1);
    assert_int_equal(a.syn_dt[1], 1 * SEC);
    assert_int_equal(a.syn_dt[2], 3 * SEC);
    assert_int_equal(a.syn_dt[3], 7 * SEC);
    tracker_free(t);
    /* the ICMP file: both errors from 203.0.113.1, 3/13 first */
    t = feed("handshake/synth-smb445-ipv4-icmp-unreach.pcap", 445, &st);
    struct tracker_icmp ic[4];
    assert_int_equal(tracker_icmp_senders(t, ic, 4), 2);
    assert_int_equal(tracker_recent(t, &a, 1), 1);
    assert_int_equal(a.icmp_code, 13);
    char addr[64];
    assert_string_equal(decode_addr_str(&a.icmp_from, addr, sizeof addr), "203.0.113.1");
    tracker_free(t);
    /* raw link types decode (DNS over UDP: not TCP, but not truncated or unsupported) */
    static const char *const raw[] = { "linktypes/LINKTYPE_IPV4.pcap", "linktypes/LINKTYPE_IPV6.pcap",
                                       "linktypes/LINKTYPE_RAW_ipv4.pcap",
                                       "linktypes/LINKTYPE_RAW_ipv6.pcap" };
    for (size_t i = 0; i < 4; i++) {
        t = feed(raw[i], 53, &st);
        assert_int_equal(st.by_result[DECODE_NOT_TCP], 1);
        tracker_free(t);
    }
}

/* Decodes every packet of one capture cut at every offset (up to 4096, then
 * in steps) from exact-size heap copies, and feeds it to T. */
static void
cut_file(const char *path, struct tracker *t, uint64_t *frames)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    if (p == NULL)
        return;   /* not a capture or refused by libpcap: the reader's business */
    int dlt = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(p, &h, &data) == 1) {
        for (uint32_t cut = 0; cut <= h->caplen; cut += cut < 4096 ? 1 : 61) {
            uint8_t *copy = malloc(cut ? cut : 1);
            assert_non_null(copy);
            memcpy(copy, data, cut);
            struct decoded d;
            enum decode_result r = decode_frame(dlt, cut ? copy : NULL, cut, h->len, &d);
            assert_true((unsigned)r < DECODE_NRESULTS);
            free(copy);
        }
        tracker_frame(t, dlt, data, h->caplen, h->len,
                      (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec);
        (*frames)++;
    }
    pcap_close(p);
}

/* Every capture in the corpus decodes at every cut without a crash or over-read. */
static void
test_corpus_all_cuts(void **state)
{
    (void)state;
    const char *dir = corpus_dir();
    if (dir == NULL) {
        print_message("corpus not found (../shared/corpus or $TSHOOT_CORPUS): skipped\n");
        skip();
    }
    static const uint16_t ports[] = { 445, 80, 179, 6633, 443, 53, 43, 1723, 2002 };
    struct tracker_config cfg = { ports, sizeof ports / sizeof ports[0], 0, 0, 0 };
    struct tracker *t = tracker_new(&cfg, NULL);
    assert_non_null(t);
    static const char *const subdirs[] = { "handshake", "linktypes", "malformed", "pcapng", "smb" };
    uint64_t frames = 0, files = 0;
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, subdirs[i]);
        DIR *dh = opendir(path);
        if (dh == NULL)
            continue;
        struct dirent *e;
        while ((e = readdir(dh)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s/%s", dir, subdirs[i], e->d_name);
            cut_file(path, t, &frames);
            files++;
        }
        closedir(dh);
    }
    print_message("corpus: %llu files, %llu frames cut at every offset\n",
                  (unsigned long long)files, (unsigned long long)frames);
    assert_true(frames > 100);
    tracker_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established),
        cmocka_unit_test(test_syn_retransmissions),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_synack_no_ack_and_challenge),
        cmocka_unit_test(test_rst_ttl_mismatch),
        cmocka_unit_test(test_tuple_reuse),
        cmocka_unit_test(test_interleaved_and_orphans),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_speed),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_collision_window),
        cmocka_unit_test(test_collision_clusters),
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_corpus_all_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
