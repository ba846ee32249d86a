/* decode.h: turns one captured frame into the few fields the handshake
 * tracker needs (addresses, ports, TCP flags, sequence numbers, TCP options,
 * IP TTL) or into the quoted TCP segment of an ICMP/ICMPv6
 * destination-unreachable message.
 *
 * Pure and reentrant: no allocation, no global state; every read is checked
 * against the captured length (tcpdump's GET_* discipline), so a frame cut by
 * the snaplen is never read past its end. Safe from any thread. */
#ifndef TSHOOT_DECODE_H
#define TSHOOT_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* Link types as pcap_datalink() reports them (values fixed by libpcap's
 * bpf.h; repeated here so callers and tests need not include pcap.h). */
#define DECODE_DLT_NULL        0    /* BSD loopback, AF in host byte order */
#define DECODE_DLT_EN10MB      1    /* Ethernet, 802.1Q / 802.1ad / QinQ */
#define DECODE_DLT_RAW_BSD    12    /* DLT_RAW on most systems (DLT_LOOP on OpenBSD,
                                       and decoded as such when built there) */
#define DECODE_DLT_RAW_OPENBSD 14   /* DLT_RAW on OpenBSD */
#define DECODE_DLT_LINKTYPE_RAW 101 /* LINKTYPE_RAW if a libpcap passes it through */
#define DECODE_DLT_LOOP      108    /* OpenBSD loopback, AF in network byte order */
#define DECODE_DLT_LINUX_SLL 113    /* Linux cooked v1 */
#define DECODE_DLT_IPV4      228    /* raw IPv4 */
#define DECODE_DLT_IPV6      229    /* raw IPv6 */
#define DECODE_DLT_LINUX_SLL2 276   /* Linux cooked v2 (the `any` device) */

/* What decode_frame() found. */
enum decode_result {
    DECODE_TCP = 0,        /* a TCP header was read: struct decoded .tcp valid */
    DECODE_ICMP_UNREACH,   /* ICMP 3 / ICMPv6 1 quoting a TCP segment: .icmp valid */
    DECODE_TRUNCATED,      /* the frame ends inside a header we needed */
    DECODE_NOT_TCP,        /* IP, but not TCP nor a TCP-quoting unreachable */
    DECODE_FRAGMENT,       /* a non-first IPv4/IPv6 fragment (no TCP header) */
    DECODE_NOT_IP,         /* ARP, LLDP, ... */
    DECODE_UNSUPPORTED,    /* link type this decoder does not know */
    DECODE_MALFORMED,      /* a header contradicts itself (bad IHL, version...) */
    DECODE_OTHER_PORT,     /* decode_frame_ports(): TCP (or a quote) with neither
                              port in the filter; only .tcp.sport/.dport valid */
    DECODE_NRESULTS
};

/* An IPv4 or IPv6 address. IPv4 lives in a[0..3], the rest is zero, so two
 * addresses compare with memcmp() on the whole struct. */
struct ip_addr {
    uint8_t family;        /* 4 or 6; 0 when unset */
    uint8_t pad[3];
    uint8_t a[16];
};

/* TCP flag bits (RFC 9293 section 3.1, byte 13 of the header). */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20
#define TCPF_ECE 0x40
#define TCPF_CWR 0x80

/* Which TCP options were present (struct tcp_opts .present). */
#define TCPO_MSS      0x01  /* kind 2, RFC 9293 */
#define TCPO_WSCALE   0x02  /* kind 3, RFC 7323 */
#define TCPO_SACKPERM 0x04  /* kind 4, RFC 2018 */
#define TCPO_TS       0x08  /* kind 8, RFC 7323 */
#define TCPO_CUT      0x80  /* the option list was cut by the snaplen or malformed */

/* The TCP options that identify a SYN across NAT. */
struct tcp_opts {
    uint8_t present;       /* TCPO_* bits */
    uint8_t wscale;
    uint16_t mss;
    uint32_t tsval, tsecr;
    uint32_t signature;    /* hash of the option kinds in order and their
                              MSS/wscale values: the same SYN keeps it through NAT */
};

/* The TCP segment (or the quoted one, for ICMP: then only the ports and seq
 * are guaranteed, ack/flags/opts are valid when .quote_full is 1). */
struct decoded_tcp {
    struct ip_addr src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;         /* TCPF_* */
    uint8_t ttl;           /* IPv4 TTL or IPv6 hop limit of the carrying packet */
    uint16_t window;
    uint32_t payload_len;  /* TCP payload bytes per the IP header (0 if unknown) */
    struct tcp_opts opts;
};

/* The outcome of one frame. */
struct decoded {
    enum decode_result result;
    uint8_t ipver;          /* 4 or 6 (outer packet), 0 when not IP */
    uint8_t nvlan;          /* VLAN tags skipped (0..DECODE_MAX_VLAN) */
    uint16_t vlan[2];       /* the outermost two VLAN ids */
    uint32_t caplen, wirelen;
    struct decoded_tcp tcp; /* DECODE_TCP: the segment; DECODE_ICMP_UNREACH: the quoted one */
    struct {                /* DECODE_ICMP_UNREACH only */
        struct ip_addr sender;   /* who sent the ICMP error (outer source) */
        struct ip_addr receiver; /* outer destination (usually the client) */
        uint8_t type, code;      /* ICMP 3/x or ICMPv6 1/x */
        uint8_t ttl;             /* TTL of the ICMP packet itself */
        uint8_t quote_full;      /* 1 when the quoted TCP header is complete */
    } icmp;
};

#define DECODE_MAX_VLAN 8   /* tags followed before giving up (QinQ stacks) */

/* Decodes one frame of link type DLT (pcap_datalink() value) whose first
 * CAPLEN bytes are at DATA (WIRELEN on the wire). Sets out->result (also
 * returned), .ipver, .nvlan, .vlan, .caplen, .wirelen always; .tcp only for
 * DECODE_TCP and DECODE_ICMP_UNREACH, .icmp only for DECODE_ICMP_UNREACH
 * (other fields are left unspecified: no memset on the per-packet path).
 * Never reads DATA beyond CAPLEN. */
enum decode_result decode_frame(int dlt, const uint8_t *data, uint32_t caplen,
                                uint32_t wirelen, struct decoded *out);

/* decode_frame() with a port filter: PORTMAP is a 65536-bit map (8192 bytes,
 * bit p = byte p>>3, bit p&7); a TCP segment (or ICMP-quoted one) with
 * neither port set returns DECODE_OTHER_PORT before addresses and options
 * are read. PORTMAP NULL: no filter. */
enum decode_result decode_frame_ports(int dlt, const uint8_t *data, uint32_t caplen,
                                      uint32_t wirelen, const uint8_t *portmap,
                                      struct decoded *out);

/* Decodes an IPv4 or IPv6 packet with no link header (the version nibble
 * decides). Same contract as decode_frame(). */
enum decode_result decode_ip(const uint8_t *data, uint32_t caplen, struct decoded *out);

/* 1 when decode_frame() knows link type DLT. */
int decode_dlt_supported(int dlt);

/* Short name of a result ("tcp", "truncated", ...). */
const char *decode_result_name(enum decode_result r);

/* Writes ADDR as text ("10.0.0.1", "2001:db8::1") into BUF (at least 46 bytes);
 * returns BUF. */
char *decode_addr_str(const struct ip_addr *addr, char *buf, size_t len);

/* Parses "10.0.0.1" or "2001:db8::1" into *ADDR. Returns 0, or -1. */
int decode_addr_parse(const char *text, struct ip_addr *addr);

/* 1 when A and B are the same address. */
int decode_addr_equal(const struct ip_addr *a, const struct ip_addr *b);

/* The name of an ICMP (FAMILY 4) or ICMPv6 (FAMILY 6) destination-unreachable
 * code: "host unreachable", "admin prohibited", ... ("code N" when unknown,
 * written into BUF of LEN bytes). */
const char *decode_unreach_name(int family, uint8_t code, char *buf, size_t len);

#endif
