/* test_decode.c: unit tests of the frame decoder (src/decode.c). Frames are
 * built byte by byte here for every link type and IP version; each is then
 * cut at every byte offset and decoded from a buffer of exactly that size,
 * so valgrind or ASan catch any read past the captured length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"

static const uint8_t C4[4] = { 192, 168, 1, 10 };
static const uint8_t S4[4] = { 10, 0, 0, 5 };
static const uint8_t R4[4] = { 10, 0, 0, 254 };
static const uint8_t C6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
static const uint8_t S6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05 };

/* Writes a big-endian 16-bit value. */
static void
w16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Writes a big-endian 32-bit value. */
static void
w32(uint8_t *p, uint32_t v)
{
    w16(p, (uint16_t)(v >> 16));
    w16(p + 2, (uint16_t)v);
}

/* SYN options: MSS 1460, SACK-permitted, timestamps, NOP, window scale 7 (20 bytes). */
static const uint8_t SYN_OPTS[20] = {
    2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x00, 0x01, 0xe2, 0x40, 0, 0, 0, 0, 1, 3, 3, 7
};

/* Writes a TCP header with options OPTS (multiple of 4 bytes); returns its length. */
static size_t
put_tcp(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
        const uint8_t *opts, size_t olen)
{
    memset(p, 0, 20);
    w16(p, sport);
    w16(p + 2, dport);
    w32(p + 4, seq);
    w32(p + 8, ack);
    p[12] = (uint8_t)(((20 + olen) / 4) << 4);
    p[13] = flags;
    w16(p + 14, 64240);
    if (olen)
        memcpy(p + 20, opts, olen);
    return 20 + olen;
}

/* Writes an IPv4 header (IHL 5 + OPTWORDS) for PAYLOAD bytes; returns its length. */
static size_t
put_ip4(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint8_t ttl,
        size_t payload, uint16_t frag, unsigned optwords)
{
    size_t hl = 20 + 4 * optwords;
    memset(p, 0, hl);
    p[0] = (uint8_t)(0x40 | (5 + optwords));
    w16(p + 2, (uint16_t)(hl + payload));
    w16(p + 4, 0x1234);
    w16(p + 6, frag);
    p[8] = ttl;
    p[9] = proto;
    memcpy(p + 12, src, 4);
    memcpy(p + 16, dst, 4);
    for (unsigned i = 0; i < optwords * 4; i++)
        p[20 + i] = 1;   /* NOP options */
    return hl;
}

/* Writes an IPv6 header; returns 40. */
static size_t
put_ip6(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t next, uint8_t hlim,
        size_t payload)
{
    memset(p, 0, 40);
    p[0] = 0x60;
    w16(p + 4, (uint16_t)payload);
    p[6] = next;
    p[7] = hlim;
    memcpy(p + 8, src, 16);
    memcpy(p + 24, dst, 16);
    return 40;
}

/* Writes an Ethernet header with EtherType TYPE; returns 14. */
static size_t
put_eth(uint8_t *p, uint16_t type)
{
    static const uint8_t mac[12] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10 };
    memcpy(p, mac, 12);
    w16(p + 12, type);
    return 14;
}

/* Builds an IPv4 TCP SYN (with options) at P; returns its length. */
static size_t
ip4_syn(uint8_t *p, unsigned optwords)
{
    uint8_t tcp[60];
    size_t tl = put_tcp(tcp, 50000, 445, 1000, 0, 0x02, SYN_OPTS, sizeof SYN_OPTS);
    size_t hl = put_ip4(p, C4, S4, 6, 64, tl, 0x4000, optwords);
    memcpy(p + hl, tcp, tl);
    return hl + tl;
}

/* Builds an IPv6 TCP SYN-ACK at P; returns its length. */
static size_t
ip6_synack(uint8_t *p)
{
    uint8_t tcp[60];
    size_t tl = put_tcp(tcp, 445, 50000, 7000, 1001, 0x12, SYN_OPTS, sizeof SYN_OPTS);
    size_t hl = put_ip6(p, S6, C6, 6, 61, tl);
    memcpy(p + hl, tcp, tl);
    return hl + tl;
}

/* Decodes FRAME of LEN bytes from an exact-size heap copy. */
static enum decode_result
dec(int dlt, const uint8_t *frame, size_t len, struct decoded *d)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, frame, len);
    enum decode_result r = decode_frame(dlt, len ? copy : NULL, (uint32_t)len, (uint32_t)len, d);
    free(copy);
    return r;
}

/* Asserts that the frame cut at every offset never reads past its end and is
 * TRUNCATED below NEED bytes and EXPECT from NEED on. */
static void
cut_everywhere(int dlt, const uint8_t *frame, size_t len, size_t need, enum decode_result expect)
{
    struct decoded d;
    for (size_t cut = 0; cut <= len; cut++) {
        enum decode_result r = dec(dlt, frame, cut, &d);
        if (cut < need) {
            if (r != DECODE_TRUNCATED)
                fail_msg("dlt %d cut %zu of %zu: got %s, want truncated", dlt, cut, len,
                         decode_result_name(r));
        } else if (r != expect) {
            fail_msg("dlt %d cut %zu of %zu: got %s, want %s", dlt, cut, len,
                     decode_result_name(r), decode_result_name(expect));
        }
    }
}

/* Checks the SYN fields decoded from ip4_syn(). */
static void
check_syn4(const struct decoded *d)
{
    assert_int_equal(d->result, DECODE_TCP);
    assert_int_equal(d->ipver, 4);
    assert_int_equal(d->tcp.src.family, 4);
    assert_memory_equal(d->tcp.src.a, C4, 4);
    assert_memory_equal(d->tcp.dst.a, S4, 4);
    assert_int_equal(d->tcp.sport, 50000);
    assert_int_equal(d->tcp.dport, 445);
    assert_int_equal(d->tcp.seq, 1000);
    assert_int_equal(d->tcp.flags, TCPF_SYN);
    assert_int_equal(d->tcp.ttl, 64);
    assert_int_equal(d->tcp.opts.present, TCPO_MSS | TCPO_SACKPERM | TCPO_TS | TCPO_WSCALE);
    assert_int_equal(d->tcp.opts.mss, 1460);
    assert_int_equal(d->tcp.opts.wscale, 7);
    assert_int_equal(d->tcp.opts.tsval, 123456);
}

/* Ethernet, IPv4, TCP SYN with options; cut everywhere. */
static void
test_ethernet_ipv4(void **state)
{
    (void)state;
    uint8_t f[256];
    struct decoded d;
    size_t l = put_eth(f, 0x0800);
    l += ip4_syn(f + l, 0);
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, l, &d), DECODE_TCP);
    check_syn4(&d);
    assert_int_equal(d.nvlan, 0);
    cut_everywhere(DECODE_DLT_EN10MB, f, l, 14 + 20 + 20, DECODE_TCP);
    /* options cut by the snaplen: used, flagged */
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, 14 + 20 + 24, &d), DECODE_TCP);
    assert_true(d.tcp.opts.present & TCPO_CUT);
    assert_true(d.tcp.opts.present & TCPO_MSS);
}

/* IPv4 with options and Ethernet padding after the datagram. */
static void
test_ipv4_options_padding(void **state)
{
    (void)state;
    uint8_t f[256];
    struct decoded d;
    uint8_t tcp[20];
    size_t tl = put_tcp(tcp, 50000, 445, 5, 0, 0x02, NULL, 0);
    size_t l = put_eth(f, 0x0800);
    l += put_ip4(f + l, C4, S4, 6, 128, tl, 0, 3);
    memcpy(f + l, tcp, tl);
    l += tl;
    memset(f + l, 0xee, 6);   /* padding to 60 bytes */
    l += 6;
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, l, &d), DECODE_TCP);
    assert_int_equal(d.tcp.ttl, 128);
    assert_int_equal(d.tcp.opts.present, 0);
    assert_int_equal(d.tcp.payload_len, 0);
    cut_everywhere(DECODE_DLT_EN10MB, f, l, 14 + 32 + 20, DECODE_TCP);
}

/* IPv4 fragments: the first carries TCP, later ones are ignored. */
static void
test_ipv4_fragments(void **state)
{
    (void)state;
    uint8_t f[256];
    struct decoded d;
    size_t l = ip4_syn(f, 0);
    w16(f + 6, 0x2000);   /* MF, offset 0 */
    assert_int_equal(dec(DECODE_DLT_RAW_BSD, f, l, &d), DECODE_TCP);
    w16(f + 6, 0x0003);   /* offset 24 bytes */
    assert_int_equal(dec(DECODE_DLT_RAW_BSD, f, l, &d), DECODE_FRAGMENT);
    cut_everywhere(DECODE_DLT_RAW_BSD, f, l, 20, DECODE_FRAGMENT);
}

/* 802.1Q, 802.1ad and QinQ stacks. */
static void
test_vlan(void **state)
{
    (void)state;
    uint8_t f[256];
    struct decoded d;
    size_t l = put_eth(f, 0x8100);
    w16(f + l, 0x2064);   /* PCP 1, VID 100 */
    w16(f + l + 2, 0x0800);
    l += 4;
    l += ip4_syn(f + l, 0);
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, l, &d), DECODE_TCP);
    check_syn4(&d);
    assert_int_equal(d.nvlan, 1);
    assert_int_equal(d.vlan[0], 100);
    cut_everywhere(DECODE_DLT_EN10MB, f, l, 18 + 40, DECODE_TCP);

    l = put_eth(f, 0x88a8);
    w16(f + l, 200);
    w16(f + l + 2, 0x8100);
    w16(f + l + 4, 2001);
    w16(f + l + 6, 0x86dd);
    l += 8;
    l += ip6_synack(f + l);
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, l, &d), DECODE_TCP);
    assert_int_equal(d.nvlan, 2);
    assert_int_equal(d.vlan[0], 200);
    assert_int_equal(d.vlan[1], 2001);
    assert_int_equal(d.ipver, 6);
    assert_int_equal(d.tcp.flags, TCPF_SYN | TCPF_ACK);
    assert_int_equal(d.tcp.ack, 1001);
    assert_int_equal(d.tcp.ttl, 61);
    cut_everywhere(DECODE_DLT_EN10MB, f, l, 22 + 60, DECODE_TCP);

    /* a runaway tag stack stops */
    l = put_eth(f, 0x8100);
    for (int i = 0; i < 12; i++) {
        w16(f + l, 1);
        w16(f + l + 2, 0x8100);
        l += 4;
    }
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, l, &d), DECODE_MALFORMED);
}

/* Linux cooked v1 and v2. */
static void
test_sll(void **state)
{
    (void)state;
    uint8_t f[256];
    struct decoded d;
    memset(f, 0, 16);
    w16(f, 4);           /* outgoing */
    w16(f + 2, 1);       /* ARPHRD_ETHER */
    w16(f + 4, 6);
    w16(f + 14, 0x0800);
    size_t l = 16 + ip4_syn(f + 16, 0);
    assert_int_equal(dec(DECODE_DLT_LINUX_SLL, f, l, &d), DECODE_TCP);
    check_syn4(&d);
    cut_everywhere(DECODE_DLT_LINUX_SLL, f, l, 16 + 40, DECODE_TCP);

    memset(f, 0, 20);
    w16(f, 0x86dd);
    w32(f + 4, 3);       /* ifindex */
    w16(f + 8, 1);
    f[11] = 6;
    l = 20 + ip6_synack(f + 20);
    assert_int_equal(dec(DECODE_DLT_LINUX_SLL2, f, l, &d), DECODE_TCP);
    assert_int_equal(d.ipver, 6);
    assert_memory_equal(d.tcp.src.a, S6, 16);
    cut_everywhere(DECODE_DLT_LINUX_SLL2, f, l, 20 + 60, DECODE_TCP);

    w16(f, 0x0806);      /* ARP */
    assert_int_equal(dec(DECODE_DLT_LINUX_SLL2, f, l, &d), DECODE_NOT_IP);
}

/* BSD loopback: DLT_NULL host order (either), DLT_LOOP network order. */
static void
test_loopback(void **state)
{
    (void)state;
    uint8_t f[256];
    struct decoded d;
    uint32_t af = 2;
    memcpy(f, &af, 4);   /* host byte order */
    size_t l = 4 + ip4_syn(f + 4, 0);
    assert_int_equal(dec(DECODE_DLT_NULL, f, l, &d), DECODE_TCP);
    check_syn4(&d);
    cut_everywhere(DECODE_DLT_NULL, f, l, 44, DECODE_TCP);

    static const uint32_t v6af[] = { 24, 28, 30 };
    for (size_t i = 0; i < 3; i++) {
        w32(f, v6af[i]);                  /* big-endian writer's DLT_NULL */
        l = 4 + ip6_synack(f + 4);
        assert_int_equal(dec(DECODE_DLT_NULL, f, l, &d), DECODE_TCP);
        assert_int_equal(d.ipver, 6);
        f[0] = (uint8_t)v6af[i];          /* little-endian writer's */
        f[1] = f[2] = f[3] = 0;
        assert_int_equal(dec(DECODE_DLT_NULL, f, l, &d), DECODE_TCP);
        w32(f, v6af[i]);
        assert_int_equal(dec(DECODE_DLT_LOOP, f, l, &d), DECODE_TCP);
    }
    cut_everywhere(DECODE_DLT_LOOP, f, l, 64, DECODE_TCP);
    w32(f, 7);
    assert_int_equal(dec(DECODE_DLT_LOOP, f, l, &d), DECODE_NOT_IP);
}

/* Raw IP under each link type number. */
static void
test_raw(void **state)
{
    (void)state;
    uint8_t f[256], g[256];
    struct decoded d;
    size_t l4 = ip4_syn(f, 0), l6 = ip6_synack(g);
    static const int dlts[] = { DECODE_DLT_RAW_BSD, DECODE_DLT_RAW_OPENBSD,
                                DECODE_DLT_LINKTYPE_RAW };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(dec(dlts[i], f, l4, &d), DECODE_TCP);
        check_syn4(&d);
        assert_int_equal(dec(dlts[i], g, l6, &d), DECODE_TCP);
        assert_int_equal(d.ipver, 6);
    }
    assert_int_equal(dec(DECODE_DLT_IPV4, f, l4, &d), DECODE_TCP);
    assert_int_equal(dec(DECODE_DLT_IPV6, g, l6, &d), DECODE_TCP);
    assert_int_equal(dec(DECODE_DLT_IPV4, g, l6, &d), DECODE_MALFORMED);
    cut_everywhere(DECODE_DLT_IPV4, f, l4, 40, DECODE_TCP);
    cut_everywhere(DECODE_DLT_IPV6, g, l6, 60, DECODE_TCP);
    cut_everywhere(DECODE_DLT_RAW_BSD, g, l6, 60, DECODE_TCP);
    assert_true(decode_dlt_supported(DECODE_DLT_LINUX_SLL2));
    assert_false(decode_dlt_supported(160));
    assert_int_equal(dec(160, f, l4, &d), DECODE_UNSUPPORTED);
}

/* IPv6 extension headers: hop-by-hop, routing, destination options, fragment. */
static void
test_ipv6_extensions(void **state)
{
    (void)state;
    uint8_t f[256];
    struct decoded d;
    uint8_t tcp[60];
    size_t tl = put_tcp(tcp, 50000, 445, 42, 0, 0x02, SYN_OPTS, sizeof SYN_OPTS);
    size_t l = put_ip6(f, C6, S6, 0, 64, 8 + 24 + 16 + 8 + tl);
    /* hop-by-hop, 8 bytes: next 43 */
    memset(f + l, 0, 8);
    f[l] = 43;
    f[l + 2] = 1;   /* PadN */
    f[l + 3] = 4;
    l += 8;
    /* routing, 24 bytes (len 2): next 60 */
    memset(f + l, 0, 24);
    f[l] = 60;
    f[l + 1] = 2;
    l += 24;
    /* destination options, 16 bytes (len 1): next 44 */
    memset(f + l, 0, 16);
    f[l] = 44;
    f[l + 1] = 1;
    l += 16;
    /* fragment, offset 0, M set: next 6 */
    size_t fragoff = l;
    memset(f + l, 0, 8);
    f[l] = 6;
    w16(f + l + 2, 0x0001);
    l += 8;
    memcpy(f + l, tcp, tl);
    l += tl;
    assert_int_equal(dec(DECODE_DLT_RAW_BSD, f, l, &d), DECODE_TCP);
    assert_int_equal(d.tcp.seq, 42);
    assert_int_equal(d.tcp.ttl, 64);
    assert_true(d.tcp.opts.present & TCPO_TS);
    cut_everywhere(DECODE_DLT_RAW_BSD, f, l, fragoff + 8 + 20, DECODE_TCP);

    w16(f + fragoff + 2, 0x0010);   /* offset 2 (16 bytes): not the first */
    assert_int_equal(dec(DECODE_DLT_RAW_BSD, f, l, &d), DECODE_FRAGMENT);
    f[fragoff] = 59;                /* no next header */
    w16(f + fragoff + 2, 0);
    assert_int_equal(dec(DECODE_DLT_RAW_BSD, f, l, &d), DECODE_NOT_TCP);
    f[fragoff] = 17;                /* UDP */
    assert_int_equal(dec(DECODE_DLT_RAW_BSD, f, l, &d), DECODE_NOT_TCP);
}

/* ICMP type 3 quoting an IPv4 header and 8 bytes of TCP. */
static void
test_icmp4_quote(void **state)
{
    (void)state;
    uint8_t f[256];
    struct decoded d;
    size_t l = put_eth(f, 0x0800);
    size_t ipoff = l;
    l += put_ip4(f + l, R4, C4, 1, 254, 8 + 20 + 8, 0, 0);
    size_t icmp = l;
    memset(f + l, 0, 8);
    f[l] = 3;
    f[l + 1] = 13;
    l += 8;
    uint8_t inner[80];
    size_t il = ip4_syn(inner, 0);
    (void)il;
    memcpy(f + l, inner, 28);   /* quoted IP header + 8 bytes of TCP */
    l += 28;
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, l, &d), DECODE_ICMP_UNREACH);
    assert_int_equal(d.icmp.type, 3);
    assert_int_equal(d.icmp.code, 13);
    assert_memory_equal(d.icmp.sender.a, R4, 4);
    assert_memory_equal(d.icmp.receiver.a, C4, 4);
    assert_int_equal(d.icmp.ttl, 254);
    assert_int_equal(d.icmp.quote_full, 0);
    assert_memory_equal(d.tcp.src.a, C4, 4);
    assert_memory_equal(d.tcp.dst.a, S4, 4);
    assert_int_equal(d.tcp.sport, 50000);
    assert_int_equal(d.tcp.dport, 445);
    assert_int_equal(d.tcp.seq, 1000);
    cut_everywhere(DECODE_DLT_EN10MB, f, l, l, DECODE_ICMP_UNREACH);
    (void)ipoff;

    /* other ICMP types are not for us */
    f[icmp] = 11;
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, l, &d), DECODE_NOT_TCP);
    /* a quoted UDP packet neither */
    f[icmp] = 3;
    f[icmp + 8 + 9] = 17;
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, l, &d), DECODE_NOT_TCP);
}

/* ICMPv6 type 1 quoting a whole IPv6 SYN. */
static void
test_icmp6_quote(void **state)
{
    (void)state;
    uint8_t f[400], inner[128];
    struct decoded d;
    uint8_t tcp[60];
    size_t tl = put_tcp(tcp, 50000, 445, 99, 0, 0x02, SYN_OPTS, sizeof SYN_OPTS);
    size_t il = put_ip6(inner, C6, S6, 6, 64, tl);
    memcpy(inner + il, tcp, tl);
    il += tl;
    static const uint8_t R6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    size_t l = put_eth(f, 0x86dd);
    l += put_ip6(f + l, R6, C6, 58, 255, 8 + il);
    memset(f + l, 0, 8);
    f[l] = 1;
    f[l + 1] = 1;
    l += 8;
    memcpy(f + l, inner, il);
    l += il;
    assert_int_equal(dec(DECODE_DLT_EN10MB, f, l, &d), DECODE_ICMP_UNREACH);
    assert_int_equal(d.icmp.type, 1);
    assert_int_equal(d.icmp.code, 1);
    assert_int_equal(d.icmp.sender.family, 6);
    assert_memory_equal(d.icmp.sender.a, R6, 16);
    assert_int_equal(d.icmp.quote_full, 1);
    assert_int_equal(d.tcp.seq, 99);
    assert_int_equal(d.tcp.dport, 445);
    assert_int_equal(d.tcp.flags, TCPF_SYN);
    cut_everywhere(DECODE_DLT_EN10MB, f, l, 14 + 40 + 8 + 40 + 8, DECODE_ICMP_UNREACH);
}

/* Malformed headers: bad IHL, bad version, TCP data offset below 5. */
static void
test_malformed(void **state)
{
    (void)state;
    uint8_t f[256];
    struct decoded d;
    size_t l = ip4_syn(f, 0);
    f[0] = 0x44;
    assert_int_equal(dec(DECODE_DLT_IPV4, f, l, &d), DECODE_MALFORMED);
    f[0] = 0x45;
    f[20 + 12] = 0x30;
    assert_int_equal(dec(DECODE_DLT_IPV4, f, l, &d), DECODE_MALFORMED);
    f[20 + 12] = 0xa0;
    w16(f + 2, 10);   /* total length below the header */
    assert_int_equal(dec(DECODE_DLT_IPV4, f, l, &d), DECODE_MALFORMED);
    w16(f + 2, 0);    /* TSO: as captured */
    assert_int_equal(dec(DECODE_DLT_IPV4, f, l, &d), DECODE_TCP);
    /* option with length 0 or past the end */
    l = ip4_syn(f, 0);
    f[40] = 2;
    f[41] = 0;
    assert_int_equal(dec(DECODE_DLT_IPV4, f, l, &d), DECODE_TCP);
    assert_true(d.tcp.opts.present & TCPO_CUT);
    f[41] = 200;
    assert_int_equal(dec(DECODE_DLT_IPV4, f, l, &d), DECODE_TCP);
    assert_true(d.tcp.opts.present & TCPO_CUT);
    assert_int_equal(decode_frame(DECODE_DLT_EN10MB, NULL, 0, 0, &d), DECODE_TRUNCATED);
}

/* Random bytes under every link type never crash nor over-read. */
static void
test_random_bytes(void **state)
{
    (void)state;
    static const int dlts[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276 };
    uint32_t x = 12345;
    struct decoded d;
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t f[128];
        size_t len = iter % 128;
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            f[i] = (uint8_t)(x >> 16);
        }
        /* make the interesting paths likely */
        if (len > 20 && iter % 3 == 0) {
            f[0] = (iter % 2) ? 0x45 : 0x60;
            f[9] = (iter % 4 == 0) ? 1 : 6;
            f[6] = 6;
        }
        dec(dlts[iter % 10], f, len, &d);
    }
}

/* Address text round trips and ICMP code names. */
static void
test_addr_and_names(void **state)
{
    (void)state;
    struct ip_addr a, b;
    char buf[64];
    assert_int_equal(decode_addr_parse("10.0.0.1", &a), 0);
    assert_int_equal(a.family, 4);
    assert_string_equal(decode_addr_str(&a, buf, sizeof buf), "10.0.0.1");
    assert_int_equal(decode_addr_parse("2001:db8::1", &b), 0);
    assert_string_equal(decode_addr_str(&b, buf, sizeof buf), "2001:db8::1");
    assert_false(decode_addr_equal(&a, &b));
    assert_int_equal(decode_addr_parse("nope", &a), -1);
    assert_string_equal(decode_unreach_name(4, 13, buf, sizeof buf),
                        "communication administratively prohibited");
    assert_string_equal(decode_unreach_name(4, 3, buf, sizeof buf), "port unreachable");
    assert_string_equal(decode_unreach_name(6, 1, buf, sizeof buf),
                        "communication administratively prohibited");
    assert_string_equal(decode_unreach_name(6, 3, buf, sizeof buf), "address unreachable");
    assert_string_equal(decode_unreach_name(4, 99, buf, sizeof buf), "code 99");
    assert_string_equal(decode_result_name(DECODE_TRUNCATED), "truncated");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_ipv4),
        cmocka_unit_test(test_ipv4_options_padding),
        cmocka_unit_test(test_ipv4_fragments),
        cmocka_unit_test(test_vlan),
        cmocka_unit_test(test_sll),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_raw),
        cmocka_unit_test(test_ipv6_extensions),
        cmocka_unit_test(test_icmp4_quote),
        cmocka_unit_test(test_icmp6_quote),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_addr_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
