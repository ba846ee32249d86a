/* decode.c: frame decoder for the handshake tracker (API in decode.h).
 *
 * Walks link header -> (VLAN tags) -> IPv4/IPv6 (+ options / extension
 * headers) -> TCP (+ options), or -> ICMP/ICMPv6 destination unreachable ->
 * quoted IP header -> first 8+ bytes of the quoted TCP segment.
 *
 * Bounds discipline (tcpdump's GET_* idea): every header is read through a
 * struct span {data, len}; span_has() is checked before the bytes are
 * touched, and the rd*() helpers are only called on offsets just checked.
 * The IP total length / payload length narrows the span (so Ethernet padding
 * is not taken for TCP options) but never widens it past the captured bytes. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "osdep.h"

/* A window of captured bytes: reads must stay below len. */
struct span {
    const uint8_t *d;
    uint32_t len;
};

/* 1 when N bytes at OFF lie inside S. */
static inline int
span_has(const struct span *s, uint32_t off, uint32_t n)
{
    return off <= s->len && n <= s->len - off;
}

/* Reads a big-endian 16-bit value; the caller checked the bounds. */
static inline uint16_t
rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* Reads a big-endian 32-bit value; the caller checked the bounds. */
static inline uint32_t
rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* 1 when PM is NULL (no filter) or has the bit of either port. */
static inline int
ports_wanted(const uint8_t *pm, uint16_t a, uint16_t b)
{
    return pm == NULL || ((pm[a >> 3] >> (a & 7)) & 1) || ((pm[b >> 3] >> (b & 7)) & 1);
}

/* Sets an IPv4 address from 4 bytes. */
static inline void
addr4(struct ip_addr *a, const uint8_t *p)
{
    static const uint8_t zero[12];
    a->family = 4;
    a->pad[0] = a->pad[1] = a->pad[2] = 0;
    memcpy(a->a, p, 4);
    memcpy(a->a + 4, zero, 12);
}

/* Sets an IPv6 address from 16 bytes. */
static inline void
addr6(struct ip_addr *a, const uint8_t *p)
{
    a->family = 6;
    a->pad[0] = a->pad[1] = a->pad[2] = 0;
    memcpy(a->a, p, 16);
}

/* Mixes one byte into an FNV-1a hash. */
static inline uint32_t
fnv(uint32_t h, uint8_t b)
{
    return (h ^ b) * 16777619u;
}

/*
 * TCP options, RFC 9293 section 3.2 (kind, length, value; kinds 0 EOL and
 * 1 NOP are one byte). Read: 2 MSS (len 4, RFC 9293), 3 window scale (len 3,
 * RFC 7323), 4 SACK-permitted (len 2, RFC 2018), 8 timestamps (len 10:
 * TSval 4, TSecr 4, RFC 7323). The signature hashes the kinds in order and
 * the window scale (not the MSS, which routers clamp).
 */
static void
decode_tcp_options(const uint8_t *p, uint32_t len, struct tcp_opts *o)
{
    uint32_t i = 0, h = 2166136261u;

    while (i < len) {
        uint8_t kind = p[i];
        if (kind == 0) {
            h = fnv(h, 0);
            break;
        }
        if (kind == 1) {
            h = fnv(h, 1);
            i++;
            continue;
        }
        if (i + 1 >= len) {
            o->present |= TCPO_CUT;
            break;
        }
        uint8_t olen = p[i + 1];
        if (olen < 2 || olen > len - i) {
            o->present |= TCPO_CUT;
            break;
        }
        h = fnv(h, kind);
        switch (kind) {
        case 2:
            if (olen == 4) {
                o->present |= TCPO_MSS;
                o->mss = rd16(p + i + 2);
            }
            break;
        case 3:
            if (olen == 3) {
                o->present |= TCPO_WSCALE;
                o->wscale = p[i + 2];
                h = fnv(h, o->wscale);
            }
            break;
        case 4:
            if (olen == 2)
                o->present |= TCPO_SACKPERM;
            break;
        case 8:
            if (olen == 10) {
                o->present |= TCPO_TS;
                o->tsval = rd32(p + i + 2);
                o->tsecr = rd32(p + i + 6);
            }
            break;
        default:
            break;
        }
        i += olen;
    }
    o->signature = h;
}

/*
 * TCP header, RFC 9293 section 3.1:
 *   0 source port(2)  2 destination port(2)  4 sequence number(4)
 *   8 acknowledgment number(4)  12 data offset(4 bits) reserved(4 bits)
 *   13 flags CWR ECE URG ACK PSH RST SYN FIN  14 window(2)  16 checksum(2)
 *   18 urgent pointer(2)  20 options up to data offset * 4.
 * The fixed 20 bytes must be present; options cut by the snaplen are parsed
 * as far as they go and flagged TCPO_CUT. IPLEN is the TCP segment length
 * the IP header claims (0 when unknown).
 */
static enum decode_result
decode_tcp(const struct span *s, uint32_t iplen, struct decoded_tcp *t, const uint8_t *pm)
{
    if (!span_has(s, 0, 20))
        return DECODE_TRUNCATED;
    const uint8_t *p = s->d;
    t->sport = rd16(p);
    t->dport = rd16(p + 2);
    if (!ports_wanted(pm, t->sport, t->dport))
        return DECODE_OTHER_PORT;
    t->seq = rd32(p + 4);
    t->ack = rd32(p + 8);
    uint32_t hlen = (uint32_t)(p[12] >> 4) * 4;
    t->flags = p[13];
    t->window = rd16(p + 14);
    if (hlen < 20)
        return DECODE_MALFORMED;
    t->payload_len = iplen > hlen ? iplen - hlen : 0;
    memset(&t->opts, 0, sizeof t->opts);
    if (hlen > 20) {
        uint32_t avail = s->len - 20;
        uint32_t olen = hlen - 20;
        if (olen > avail) {
            t->opts.present |= TCPO_CUT;
            olen = avail;
        }
        decode_tcp_options(p + 20, olen, &t->opts);
    }
    return DECODE_TCP;
}

/*
 * The start of a TCP segment quoted by an ICMP error: RFC 792 guarantees the
 * first 8 bytes (ports and sequence number); RFC 1812 4.3.2.3 and RFC 4443
 * 2.4(c) let routers quote more, then the whole fixed header is read too.
 */
static enum decode_result
decode_quoted_tcp(const struct span *s, struct decoded *out, const uint8_t *pm)
{
    struct decoded_tcp *t = &out->tcp;
    if (!span_has(s, 0, 8))
        return DECODE_TRUNCATED;
    t->sport = rd16(s->d);
    t->dport = rd16(s->d + 2);
    t->seq = rd32(s->d + 4);
    t->ack = 0;
    t->flags = 0;
    t->window = 0;
    t->payload_len = 0;
    memset(&t->opts, 0, sizeof t->opts);
    if (!ports_wanted(pm, t->sport, t->dport))
        return DECODE_OTHER_PORT;
    if (span_has(s, 0, 20)) {
        t->ack = rd32(s->d + 8);
        t->flags = s->d[13];
        t->window = rd16(s->d + 14);
        out->icmp.quote_full = 1;
    }
    return DECODE_ICMP_UNREACH;
}

static enum decode_result decode_ipv4(const struct span *s, struct decoded *out, int quoted,
                                      const uint8_t *pm);
static enum decode_result decode_ipv6(const struct span *s, struct decoded *out, int quoted,
                                      const uint8_t *pm);

/*
 * ICMP destination unreachable, RFC 792 (type 3):
 *   0 type(1) 1 code(1) 2 checksum(2) 4 unused / next-hop MTU(4)
 *   8 the invoking IP header + at least 8 bytes of its payload.
 * ICMPv6 destination unreachable, RFC 4443 section 3.1 (type 1): same 8-byte
 * header, then as much of the invoking packet as fits.
 * The outer addresses become icmp.sender/receiver; the quoted segment fills
 * .tcp (src = the quoted source, normally the client).
 */
static enum decode_result
decode_icmp(const struct span *s, struct decoded *out, int v6, uint8_t ttl,
            const struct ip_addr *src, const struct ip_addr *dst, const uint8_t *pm)
{
    if (!span_has(s, 0, 8))
        return DECODE_TRUNCATED;
    uint8_t type = s->d[0];
    if ((!v6 && type != 3) || (v6 && type != 1))
        return DECODE_NOT_TCP;
    out->icmp.type = type;
    out->icmp.code = s->d[1];
    out->icmp.ttl = ttl;
    out->icmp.sender = *src;
    out->icmp.receiver = *dst;
    struct span q = { s->d + 8, s->len - 8 };
    if (!span_has(&q, 0, 1))
        return DECODE_TRUNCATED;
    uint8_t ver = q.d[0] >> 4;
    if (ver == 4)
        return decode_ipv4(&q, out, 1, pm);
    if (ver == 6)
        return decode_ipv6(&q, out, 1, pm);
    return DECODE_MALFORMED;
}

/*
 * IPv4 header, RFC 791 section 3.1:
 *   0 version(4 bits) IHL(4 bits)  1 TOS  2 total length(2)  4 identification(2)
 *   6 flags(3 bits) fragment offset(13 bits)  8 TTL  9 protocol  10 checksum(2)
 *   12 source(4)  16 destination(4)  20 options up to IHL * 4.
 * Only a fragment with offset 0 carries the TCP header. A total length of 0
 * (TSO / offloaded frames) means "as captured". QUOTED: inside an ICMP error,
 * where the total length describes the original packet, not the quote.
 */
static enum decode_result
decode_ipv4(const struct span *s, struct decoded *out, int quoted, const uint8_t *pm)
{
    if (!span_has(s, 0, 20))
        return DECODE_TRUNCATED;
    const uint8_t *p = s->d;
    if ((p[0] >> 4) != 4)
        return DECODE_MALFORMED;
    uint32_t ihl = (uint32_t)(p[0] & 0x0f) * 4;
    if (ihl < 20)
        return DECODE_MALFORMED;
    if (!span_has(s, 0, ihl))
        return DECODE_TRUNCATED;
    uint32_t total = rd16(p + 2);
    uint16_t frag = rd16(p + 6);
    uint8_t ttl = p[8], proto = p[9];
    enum decode_result r;
    if (!quoted)
        out->ipver = 4;

    if ((frag & 0x1fff) != 0)
        return DECODE_FRAGMENT;
    struct span pl = { p + ihl, s->len - ihl };
    uint32_t iplen = 0;
    if (total != 0 && !quoted) {
        if (total < ihl)
            return DECODE_MALFORMED;
        iplen = total - ihl;
        if (iplen < pl.len)
            pl.len = iplen;   /* drop link-layer padding */
    }
    if (quoted && proto != 6)
        return DECODE_NOT_TCP;
    if (proto == 6) {
        r = quoted ? decode_quoted_tcp(&pl, out, pm) : decode_tcp(&pl, iplen, &out->tcp, pm);
        if (r == DECODE_TCP || r == DECODE_ICMP_UNREACH) {
            addr4(&out->tcp.src, p + 12);
            addr4(&out->tcp.dst, p + 16);
            out->tcp.ttl = ttl;
        }
        return r;
    }
    if (proto == 1) {
        struct ip_addr src, dst;
        addr4(&src, p + 12);
        addr4(&dst, p + 16);
        return decode_icmp(&pl, out, 0, ttl, &src, &dst, pm);
    }
    return DECODE_NOT_TCP;
}

/*
 * IPv6 header, RFC 8200 section 3:
 *   0 version(4 bits) traffic class(8) flow label(20)  4 payload length(2)
 *   6 next header  7 hop limit  8 source(16)  24 destination(16)  40 ...
 * Extension headers followed (RFC 8200 section 4): hop-by-hop 0, routing 43,
 * destination options 60 (next(1), length in 8-octet units not counting the
 * first 8); fragment 44 (8 bytes: next(1), reserved(1), offset(13 bits)
 * res(2) M(1), id(4); only offset 0 carries TCP); AH 51 (RFC 4302: length in
 * 4-octet units minus 2). 59 no next header and anything else stop the walk.
 * Payload length 0 (jumbogram, or BIG TCP / GSO frames) means "as captured".
 */
static enum decode_result
decode_ipv6(const struct span *s, struct decoded *out, int quoted, const uint8_t *pm)
{
    if (!span_has(s, 0, 40))
        return DECODE_TRUNCATED;
    const uint8_t *p = s->d;
    if ((p[0] >> 4) != 6)
        return DECODE_MALFORMED;
    uint32_t plen = rd16(p + 4);
    uint8_t next = p[6], hlim = p[7];
    enum decode_result r;
    if (!quoted)
        out->ipver = 6;

    struct span pl = { p + 40, s->len - 40 };
    if (plen != 0 && !quoted && plen < pl.len)
        pl.len = plen;        /* drop link-layer padding */
    uint32_t iplen = quoted ? 0 : plen;
    for (int guard = 0; guard < 16; guard++) {
        uint32_t hl;
        switch (next) {
        case 0:
        case 43:
        case 60:
            if (!span_has(&pl, 0, 2))
                return DECODE_TRUNCATED;
            hl = ((uint32_t)pl.d[1] + 1) * 8;
            break;
        case 44:
            if (!span_has(&pl, 0, 8))
                return DECODE_TRUNCATED;
            if ((rd16(pl.d + 2) & 0xfff8) != 0)
                return DECODE_FRAGMENT;
            hl = 8;
            break;
        case 51:
            if (!span_has(&pl, 0, 2))
                return DECODE_TRUNCATED;
            hl = ((uint32_t)pl.d[1] + 2) * 4;
            break;
        case 6:
            r = quoted ? decode_quoted_tcp(&pl, out, pm) : decode_tcp(&pl, iplen, &out->tcp, pm);
            if (r == DECODE_TCP || r == DECODE_ICMP_UNREACH) {
                addr6(&out->tcp.src, p + 8);
                addr6(&out->tcp.dst, p + 24);
                out->tcp.ttl = hlim;
            }
            return r;
        case 58: {
            if (quoted)
                return DECODE_NOT_TCP;
            struct ip_addr src, dst;
            addr6(&src, p + 8);
            addr6(&dst, p + 24);
            return decode_icmp(&pl, out, 1, hlim, &src, &dst, pm);
        }
        default:
            return DECODE_NOT_TCP;   /* 59 no next header, UDP, unknown */
        }
        if (!span_has(&pl, 0, hl))
            return DECODE_TRUNCATED;
        next = pl.d[0];
        pl.d += hl;
        pl.len -= hl;
        iplen = iplen > hl ? iplen - hl : 0;
    }
    return DECODE_MALFORMED;
}

/* Decodes by IP version nibble. */
enum decode_result
decode_ip(const uint8_t *data, uint32_t caplen, struct decoded *out)
{
    return decode_frame_ports(DECODE_DLT_LINKTYPE_RAW, data, caplen, caplen, NULL, out);
}

/*
 * The EtherType TYPE whose payload starts at OFF, after skipping VLAN tags (IEEE 802.1Q 0x8100,
 * 802.1ad 0x88a8, pre-standard QinQ 0x9100 / 0x9200: each a 4-byte tag,
 * TCI(2) then the next EtherType(2)). Then 0x0800 IPv4 (RFC 894) or
 * 0x86dd IPv6 (RFC 2464).
 */
static enum decode_result
decode_ethertype(const struct span *s, uint16_t type, uint32_t off, struct decoded *out,
                 const uint8_t *pm)
{
    while (type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == 0x9200) {
        if (out->nvlan >= DECODE_MAX_VLAN)
            return DECODE_MALFORMED;
        if (!span_has(s, off, 4))
            return DECODE_TRUNCATED;
        if (out->nvlan < 2)
            out->vlan[out->nvlan] = rd16(s->d + off) & 0x0fff;
        out->nvlan++;
        type = rd16(s->d + off + 2);
        off += 4;
    }
    struct span ip = { s->d + off, s->len - off };
    if (type == 0x0800)
        return decode_ipv4(&ip, out, 0, pm);
    if (type == 0x86dd)
        return decode_ipv6(&ip, out, 0, pm);
    return DECODE_NOT_IP;
}

/*
 * BSD loopback address family (DLT_NULL: 4 bytes in the capturing host's
 * byte order; DLT_LOOP: network byte order). AF_INET is 2 everywhere; AF_INET6
 * is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
 */
static enum decode_result
decode_loop(const struct span *s, int net_order, struct decoded *out, const uint8_t *pm)
{
    if (!span_has(s, 0, 4))
        return DECODE_TRUNCATED;
    uint32_t af = rd32(s->d);
    if (!net_order && (af & 0xffff0000u))
        af = ((af & 0xff) << 24) | ((af & 0xff00) << 8) | ((af >> 8) & 0xff00) | (af >> 24);
    struct span ip = { s->d + 4, s->len - 4 };
    if (af == 2)
        return decode_ipv4(&ip, out, 0, pm);
    if (af == 24 || af == 28 || af == 30 || af == 10)
        return decode_ipv6(&ip, out, 0, pm);
    return DECODE_NOT_IP;
}

/* Decodes one frame of link type DLT. */
enum decode_result
decode_frame(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
             struct decoded *out)
{
    return decode_frame_ports(dlt, data, caplen, wirelen, NULL, out);
}

/* Decodes one frame, stopping early at TCP ports outside PORTMAP. */
enum decode_result
decode_frame_ports(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                   const uint8_t *pm, struct decoded *out)
{
    struct span s = { data, caplen };
    enum decode_result r;

    /* only the always-valid fields; the rest is written by the decoders */
    out->ipver = 0;
    out->nvlan = 0;
    out->vlan[0] = out->vlan[1] = 0;
    out->icmp.quote_full = 0;
    out->caplen = caplen;
    out->wirelen = wirelen;
    if (data == NULL)
        s.len = 0;
    switch (dlt) {
    case DECODE_DLT_EN10MB:
        /* Ethernet II: destination(6) source(6) EtherType(2). */
        r = span_has(&s, 0, 14) ? decode_ethertype(&s, rd16(data + 12), 14, out, pm)
                                : DECODE_TRUNCATED;
        break;
    case DECODE_DLT_LINUX_SLL:
        /* Linux cooked v1 (pcap-linktype(7)): packet type(2) ARPHRD(2)
         * address length(2) address(8) protocol(2) = 16 bytes. */
        r = span_has(&s, 0, 16) ? decode_ethertype(&s, rd16(data + 14), 16, out, pm)
                                : DECODE_TRUNCATED;
        break;
    case DECODE_DLT_LINUX_SLL2:
        /* Linux cooked v2: protocol(2) reserved(2) ifindex(4) ARPHRD(2)
         * packet type(1) address length(1) address(8) = 20 bytes. */
        if (!span_has(&s, 0, 20)) {
            r = DECODE_TRUNCATED;
            break;
        }
        r = decode_ethertype(&s, rd16(data), 20, out, pm);
        break;
    case DECODE_DLT_NULL:
        r = decode_loop(&s, 0, out, pm);
        break;
    case DECODE_DLT_LOOP:
        r = decode_loop(&s, 1, out, pm);
        break;
    case DECODE_DLT_RAW_BSD:
    case DECODE_DLT_RAW_OPENBSD:
    case DECODE_DLT_LINKTYPE_RAW:
        if (dlt == DECODE_DLT_RAW_BSD && osdep_dlt12_is_loop()) {
            r = decode_loop(&s, 1, out, pm);    /* OpenBSD's DLT_LOOP is 12 (its DLT_RAW is 14) */
            break;
        }
        r = !span_has(&s, 0, 1) ? DECODE_TRUNCATED
            : (data[0] >> 4) == 4 ? decode_ipv4(&s, out, 0, pm)
            : (data[0] >> 4) == 6 ? decode_ipv6(&s, out, 0, pm) : DECODE_NOT_IP;
        break;
    case DECODE_DLT_IPV4:
        r = decode_ipv4(&s, out, 0, pm);
        break;
    case DECODE_DLT_IPV6:
        r = decode_ipv6(&s, out, 0, pm);
        break;
    default:
        r = DECODE_UNSUPPORTED;
        break;
    }
    out->result = r;
    return r;
}

/* 1 when decode_frame() knows DLT. */
int
decode_dlt_supported(int dlt)
{
    switch (dlt) {
    case DECODE_DLT_EN10MB: case DECODE_DLT_LINUX_SLL: case DECODE_DLT_LINUX_SLL2:
    case DECODE_DLT_NULL: case DECODE_DLT_LOOP: case DECODE_DLT_RAW_BSD:
    case DECODE_DLT_RAW_OPENBSD: case DECODE_DLT_LINKTYPE_RAW:
    case DECODE_DLT_IPV4: case DECODE_DLT_IPV6:
        return 1;
    default:
        return 0;
    }
}

/* Short name of a decode result. */
const char *
decode_result_name(enum decode_result r)
{
    static const char *const names[DECODE_NRESULTS] = {
        "tcp", "icmp_unreach", "truncated", "not_tcp", "fragment", "not_ip",
        "unsupported", "malformed", "other_port"
    };
    return (unsigned)r < DECODE_NRESULTS ? names[r] : "?";
}

/* Formats an address. */
char *
decode_addr_str(const struct ip_addr *addr, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    if (addr->family == 4) {
        if (inet_ntop(AF_INET, addr->a, buf, (socklen_t)len) == NULL)
            buf[0] = '\0';
    } else if (addr->family == 6) {
        if (inet_ntop(AF_INET6, addr->a, buf, (socklen_t)len) == NULL)
            buf[0] = '\0';
    } else {
        snprintf(buf, len, "-");
    }
    return buf;
}

/* Parses an IPv4 or IPv6 address. */
int
decode_addr_parse(const char *text, struct ip_addr *addr)
{
    memset(addr, 0, sizeof *addr);
    if (inet_pton(AF_INET, text, addr->a) == 1) {
        addr->family = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, text, addr->a) == 1) {
        addr->family = 6;
        return 0;
    }
    memset(addr, 0, sizeof *addr);
    return -1;
}

/* 1 when two addresses are equal. */
int
decode_addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
    return a->family == b->family && memcmp(a->a, b->a, 16) == 0;
}

/* Names of ICMP type 3 codes (RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1)
 * and ICMPv6 type 1 codes (RFC 4443 3.1, RFC 4443 / RFC 6550). */
const char *
decode_unreach_name(int family, uint8_t code, char *buf, size_t len)
{
    static const char *const v4[] = {
        "net unreachable", "host unreachable", "protocol unreachable",
        "port unreachable", "fragmentation needed", "source route failed",
        "destination network unknown", "destination host unknown",
        "source host isolated", "network administratively prohibited",
        "host administratively prohibited", "network unreachable for TOS",
        "host unreachable for TOS", "communication administratively prohibited",
        "host precedence violation", "precedence cutoff in effect"
    };
    static const char *const v6[] = {
        "no route to destination", "communication administratively prohibited",
        "beyond scope of source address", "address unreachable",
        "port unreachable", "source address failed ingress/egress policy",
        "reject route to destination", "error in source routing header"
    };
    if (family == 4 && code < sizeof v4 / sizeof v4[0])
        return v4[code];
    if (family == 6 && code < sizeof v6 / sizeof v6[0])
        return v6[code];
    if (buf != NULL && len > 0) {
        snprintf(buf, len, "code %u", code);
        return buf;
    }
    return "unknown code";
}
