/* test_win_core.c: the portable capture core (decode, tracker, verdict)
 * built with MinGW-w64 and run on Windows (Wine here): the same frames as a
 * live capture would give, byte for byte, go through decode_frame() and the
 * tracker, and give the classes and verdict codes of DESIGN.md. Catches
 * what differs on Windows: Winsock's inet_ntop/inet_pton behind
 * decode_addr_str/parse, 32-bit long, the C runtime's printf. Then the
 * platform seam as Windows implements it (src/platform/windows/osdep.c). */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "osdep.h"
#include "tracker.h"
#include "verdict.h"
#include "tharness.h"

/* Writes an Ethernet + IPv4 + TCP frame (no options) into F; returns its length. */
static uint32_t frame(uint8_t *f, const uint8_t src[4], uint16_t sport, const uint8_t dst[4], uint16_t dport,
                      uint32_t seq, uint32_t ack, uint8_t flags, uint8_t ttl)
{
    memset(f, 0, 54);
    f[12] = 0x08; /* EtherType IPv4 */
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[3] = 40; /* total length */
    ip[8] = ttl;
    ip[9] = 6;
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    uint8_t *tcp = ip + 20;
    tcp[0] = (uint8_t)(sport >> 8), tcp[1] = (uint8_t)sport;
    tcp[2] = (uint8_t)(dport >> 8), tcp[3] = (uint8_t)dport;
    for (int i = 0; i < 4; i++) {
        tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        tcp[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14] = 0xff;
    return 54;
}

static const uint8_t CLI[4] = { 192, 168, 1, 20 }, SRV[4] = { 192, 168, 1, 10 };

/* Decoding one SYN, and the address helpers over Winsock. */
static void test_decode(void)
{
    uint8_t f[64];
    struct decoded d;
    uint32_t n = frame(f, CLI, 50123, SRV, 445, 1000, 0, TCPF_SYN, 128);
    CHECK_INT(decode_frame(DECODE_DLT_EN10MB, f, n, n, &d), DECODE_TCP);
    CHECK_INT(d.ipver, 4);
    CHECK_INT(d.tcp.sport, 50123);
    CHECK_INT(d.tcp.dport, 445);
    CHECK_INT(d.tcp.seq, 1000);
    CHECK_INT(d.tcp.flags, TCPF_SYN);
    CHECK_INT(d.tcp.ttl, 128);
    char b[64];
    CHECK_STR(decode_addr_str(&d.tcp.src, b, sizeof b), "192.168.1.20");
    CHECK_INT(decode_frame(DECODE_DLT_EN10MB, f, 30, n, &d), DECODE_TRUNCATED);
    struct ip_addr a;
    CHECK_INT(decode_addr_parse("2001:db8::1", &a), 0);
    CHECK_INT(a.family, 6);
    CHECK_STR(decode_addr_str(&a, b, sizeof b), "2001:db8::1");
    CHECK_INT(decode_addr_parse("not an address", &a), -1);
}

/* A tracker for 445 fed with frames of three attempts. */
static void test_tracker(void)
{
    static const uint16_t port[1] = { 445 };
    struct tracker_config cfg = { port, 1, 1024, 0, 0 };
    char *cause = NULL;
    struct tracker *t = tracker_new(&cfg, &cause);
    CHECK(t != NULL);
    if (!t) {
        free(cause);
        return;
    }
    uint8_t f[64];
    uint32_t n;
    /* Attempt 1 established. */
    n = frame(f, CLI, 50001, SRV, 445, 100, 0, TCPF_SYN, 128);
    CHECK_INT(tracker_frame(t, DECODE_DLT_EN10MB, f, n, n, 1000000), 1);
    n = frame(f, SRV, 445, CLI, 50001, 9000, 101, TCPF_SYN | TCPF_ACK, 128);
    tracker_frame(t, DECODE_DLT_EN10MB, f, n, n, 1000300);
    n = frame(f, CLI, 50001, SRV, 445, 101, 9001, TCPF_ACK, 128);
    tracker_frame(t, DECODE_DLT_EN10MB, f, n, n, 1000400);
    /* Attempt 2: SYN and two retransmissions, no answer (the article's case). */
    for (int i = 0; i < 3; i++) {
        n = frame(f, CLI, 50002, SRV, 445, 555, 0, TCPF_SYN, 128);
        tracker_frame(t, DECODE_DLT_EN10MB, f, n, n, 2000000 + (uint64_t)i * 1000000);
    }
    /* Attempt 3 refused. */
    n = frame(f, CLI, 50003, SRV, 445, 700, 0, TCPF_SYN, 128);
    tracker_frame(t, DECODE_DLT_EN10MB, f, n, n, 6000000);
    n = frame(f, SRV, 445, CLI, 50003, 0, 701, TCPF_RST | TCPF_ACK, 128);
    tracker_frame(t, DECODE_DLT_EN10MB, f, n, n, 6000100);
    /* Another port: not an attempt. */
    n = frame(f, CLI, 50004, SRV, 80, 1, 0, TCPF_SYN, 128);
    CHECK_INT(tracker_frame(t, DECODE_DLT_EN10MB, f, n, n, 7000000), 0);

    struct hs_counts c;
    tracker_counts(t, &c);
    CHECK_INT(c.total, 3);
    CHECK_INT(c.by_class[HS_ESTABLISHED], 1);
    CHECK_INT(c.by_class[HS_SYN_NO_SYNACK], 1);
    CHECK_INT(c.by_class[HS_REFUSED], 1);
    CHECK_STR(verdict_code_name(verdict_from_counts(&c)), "syn_no_synack");

    struct tracker_attempt at;
    CHECK_INT(tracker_example(t, HS_SYN_NO_SYNACK, &at), 0);
    CHECK_INT(at.syn_count, 3);
    CHECK_INT(at.cport, 50002);
    char lines[8][TRACKER_LADDER_WIDTH];
    unsigned nl = tracker_ladder(&at, lines, 8);
    CHECK(nl >= 3);
    if (nl)
        printf("ladder: %s\n", lines[0]);
    tracker_free(t);
}

/* osdep.h on Windows: the OS name playbooks use, RtlGenRandom, no `any`
 * device, link type 12 as DLT_RAW, no capabilities. */
static void test_osdep(void)
{
    CHECK_STR(osdep_os_name(), "windows");
    unsigned char a[32], b[32];
    char *cause = NULL;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_INT(osdep_random(a, sizeof a, &cause), 0);
    CHECK_INT(osdep_random(b, sizeof b, &cause), 0);
    CHECK(cause == NULL);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(osdep_default_iface() == NULL);
    CHECK_INT(osdep_dlt12_is_loop(), 0);
    CHECK_INT(osdep_holds_caps(), 0);
    CHECK_INT(osdep_lose_caps(&cause), 0);
    free(cause);
}

int main(void)
{
    test_decode();
    test_tracker();
    test_osdep();
    return t_report("test_win_core");
}
