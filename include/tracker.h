/* tracker.h: the handshake tracker. Follows every TCP connection attempt to
 * the configured server ports and sorts it into one class of DESIGN.md
 * (enum hs_class of capture.h).
 *
 * An attempt is a SYN without ACK (and without RST) to a configured port,
 * keyed by its 4-tuple and initial sequence number (ISN). Retransmitted SYNs
 * (same ISN) are counted on it with their times; a SYN with a new ISN on the
 * same 4-tuple starts a new attempt. The class of an attempt at any moment is
 * the furthest thing seen:
 *   established    SYN-ACK with ack = ISN+1, then the client's ACK of it
 *   synack_no_ack  the SYN-ACK but (so far) no ACK
 *   refused        a RST from the server side before any SYN-ACK
 *   unreachable    an ICMP 3 / ICMPv6 1 quoting the SYN (seq = ISN)
 *   syn_no_synack  only the SYN and its retransmissions
 * Class counts are kept up to date on every packet, so they can be read at
 * any time (live) and need no finalising at the end of a file. Packets of
 * connections whose SYN was not captured are not attempts (ignored).
 *
 * Memory is bounded: a fixed-capacity attempt table allocated by
 * tracker_new(), and bounded server, client and ICMP-sender tables. Time is
 * bounded too, whatever the input: the tables hash with a random key and
 * probe a bounded number of cells (see tracker.c). When the
 * attempt table is full, the oldest finished attempt (established, refused,
 * unreachable) is evicted, else the oldest unfinished one; evicted attempts
 * keep counting in every total (their class is frozen) and are counted in
 * tracker_stats.evicted.
 *
 * Threading: a tracker is a plain object with no locking; one thread (the
 * capture thread) owns it. The per-packet path does no allocation. */
#ifndef TSHOOT_TRACKER_H
#define TSHOOT_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "decode.h"

#define TRACKER_DEFAULT_CAPACITY 49152  /* attempts (256 bytes each: 12 MiB) */
#define TRACKER_DEFAULT_SERVERS  1024
#define TRACKER_DEFAULT_CLIENTS  1024
#define TRACKER_MAX_ICMP         64     /* distinct (sender, type, code) */
#define TRACKER_RECENT           16     /* attempts remembered by start order */
#define TRACKER_SYN_TIMES        6      /* SYN retransmission times kept */
#define TRACKER_LADDER_WIDTH     80     /* = the line width of struct capture_attempt */
#define TRACKER_NO_TIME          UINT32_MAX /* an event offset that was not seen */

/* Detail flags of an attempt (struct tracker_attempt .detail). */
#define TRK_SYNACK_REPEATED  0x0001  /* the server sent its SYN-ACK more than once */
#define TRK_CHALLENGE_ACK    0x0002  /* an ACK (not SYN-ACK) answered the SYN: stale
                                        connection on the server (RFC 5961 4) */
#define TRK_RST_TTL_MISMATCH 0x0004  /* a RST whose TTL differs from the server's
                                        other packets: likely forged by a middlebox */
#define TRK_RST_AFTER_SYNACK 0x0008  /* the server reset after its SYN-ACK */
#define TRK_CLIENT_RST       0x0010  /* the client reset the attempt */
#define TRK_SYN_CHANGED      0x0020  /* a retransmitted SYN changed its options */
#define TRK_EVICTED          0x0040  /* dropped from the table; class frozen */
#define TRK_ICMP_AFTER       0x0080  /* an ICMP error came although the server answered */
#define TRK_SUPERSEDED       0x0100  /* a newer attempt reused the 4-tuple */

/* Configuration of tracker_new(). Zero fields take the defaults. */
struct tracker_config {
    const uint16_t *ports;   /* server ports to follow (at least one) */
    size_t nports;
    size_t capacity;         /* attempts kept at once (TRACKER_DEFAULT_CAPACITY) */
    size_t max_servers;      /* distinct server address:port (TRACKER_DEFAULT_SERVERS) */
    size_t max_clients;      /* distinct client addresses (TRACKER_DEFAULT_CLIENTS) */
};

/* One attempt, copied out of the tracker. Times are microseconds: t_first
 * absolute (as given to tracker_packet()), the *_dt fields relative to t_first,
 * TRACKER_NO_TIME when the event was not seen (offsets saturate at ~71 min). */
struct tracker_attempt {
    uint64_t id;                /* 1, 2, ... in start order within one tracker */
    struct ip_addr client, server;
    uint16_t cport, sport;
    uint32_t isn;               /* client ISN */
    uint32_t server_isn;        /* valid when synack_count > 0 */
    enum hs_class cls;
    uint32_t detail;            /* TRK_* */
    uint64_t t_first;
    uint32_t syn_count;         /* the SYN and its retransmissions */
    uint32_t syn_dt[TRACKER_SYN_TIMES]; /* time of SYN n (syn_dt[0] = 0) */
    uint32_t synack_count;
    uint32_t synack_dt, synack_last_dt;
    uint32_t ack_dt;            /* the client's ACK completing the handshake */
    uint32_t rst_dt;            /* the first RST from the server side */
    uint32_t challenge_dt;      /* the first bare ACK answering the SYN */
    uint32_t icmp_dt;
    uint8_t syn_ttl;            /* TTL / hop limit of the first SYN */
    uint8_t synack_ttl;         /* of the first SYN-ACK (0 if none) */
    uint8_t rst_ttl;            /* of the first server RST (0 if none) */
    uint8_t rst_flags;          /* TCPF_* of that RST */
    uint8_t icmp_type, icmp_code;
    struct ip_addr icmp_from;   /* family 0 when no ICMP */
    struct tcp_opts syn_opts;   /* options of the first SYN (MSS, TSval...) */
};

/* Counters about the input. */
struct tracker_stats {
    uint64_t packets;           /* tracker_packet()/tracker_frame() calls */
    uint64_t by_result[DECODE_NRESULTS]; /* filled by tracker_frame() only */
    uint64_t used;              /* packets that were evidence for an attempt */
    uint64_t evicted;           /* attempts dropped from a full table */
    uint64_t superseded;        /* attempts replaced by a new ISN on their 4-tuple */
    uint64_t servers_overflow;  /* attempts whose server did not fit the server table */
    uint64_t clients_overflow;
    uint64_t icmp_overflow;
    uint64_t orphans;           /* packets to a port of ours without a known attempt */
    uint64_t ts_first, ts_last; /* timestamps of the first and last packet fed */
};

/* Counts for one server address and port. */
struct tracker_server {
    struct ip_addr addr;
    uint16_t port;
    struct hs_counts counts;
};

/* Counts for one client address. */
struct tracker_client {
    struct ip_addr addr;
    struct hs_counts counts;
};

/* One sender of ICMP destination-unreachable errors quoting a configured port. */
struct tracker_icmp {
    struct ip_addr addr;
    uint8_t type, code;
    uint64_t count;
};

struct tracker;

/* Creates a tracker. Returns NULL with *cause (malloc'd) on a bad config
 * (no ports), when memory runs out or when the system gives no random bytes
 * for the hash key (drawn here: tracker_new() must run where getrandom() or
 * /dev/urandom is allowed). Free with tracker_free(). */
struct tracker *tracker_new(const struct tracker_config *cfg, char **cause);

/* Keeps only attempts from CLIENT and/or to SERVER (analyze --client/--server);
 * NULL clears that filter. Call before feeding packets. */
void tracker_set_filter(struct tracker *t, const struct ip_addr *client,
                        const struct ip_addr *server);

/* Frees a tracker (NULL is fine). */
void tracker_free(struct tracker *t);

/* Feeds one decoded packet seen at TS_US (microseconds). Returns 1 when the
 * packet was evidence for an attempt or an ICMP error quoting a configured
 * port (what `--write` saves), else 0. */
int tracker_packet(struct tracker *t, const struct decoded *d, uint64_t ts_us);

/* decode_frame() then tracker_packet(), counting decode results in the stats.
 * Rejects frames without a configured port cheaply. Returns as tracker_packet(). */
int tracker_frame(struct tracker *t, int dlt, const uint8_t *data, uint32_t caplen,
                  uint32_t wirelen, uint64_t ts_us);

/* Replaces the random key of T's hashes with the 16 bytes at KEY, so that a
 * unit test can build colliding tuples. Call before feeding packets. */
void tracker_set_hash_key(struct tracker *t, const uint8_t key[16]);

/* The 32-bit hash of a 4-tuple (client first) under T's key: its low bits
 * pick the home cell of the flow index (tests build colliding tuples with it). */
uint32_t tracker_tuple_hash(const struct tracker *t, const struct ip_addr *c,
                            const struct ip_addr *s, uint16_t cport, uint16_t sport);

/* 1 when PORT is one of the configured server ports. */
int tracker_has_port(const struct tracker *t, uint16_t port);

/* Per-class counts of every attempt seen (evicted ones included). */
void tracker_counts(const struct tracker *t, struct hs_counts *out);

/* Copies the input counters. */
void tracker_stats(const struct tracker *t, struct tracker_stats *out);

/* Copies up to MAX servers into OUT, most attempts first; returns how many. */
size_t tracker_servers(const struct tracker *t, struct tracker_server *out, size_t max);

/* Copies up to MAX clients into OUT, most failing attempts first; returns how many. */
size_t tracker_clients(const struct tracker *t, struct tracker_client *out, size_t max);

/* Copies up to MAX ICMP senders into OUT, most frequent first; returns how many. */
size_t tracker_icmp_senders(const struct tracker *t, struct tracker_icmp *out, size_t max);

/* Copies up to MAX (<= TRACKER_RECENT) most recently started attempts, newest
 * first; returns how many. */
size_t tracker_recent(const struct tracker *t, struct tracker_attempt *out, size_t max);

/* Finds a typical attempt of class CLS (the most recent one still known;
 * for a failure class, preferably one with retransmissions). Returns 0 and
 * fills *OUT, or -1 when there is none. */
int tracker_example(const struct tracker *t, enum hs_class cls, struct tracker_attempt *out);

/* Calls FN for every attempt still in the table, in start order. Stops early
 * when FN returns non-zero. */
void tracker_each(const struct tracker *t,
                  int (*fn)(const struct tracker_attempt *a, void *arg), void *arg);

/* Histograms of the TTL / hop limit of first SYNs (client to server) and of
 * first SYN-ACKs (server to client); each OUT has 256 entries (NULL skips). */
void tracker_ttls(const struct tracker *t, uint64_t syn[256], uint64_t synack[256]);

/* Draws a ladder diagram of A: client column left, server column right, one
 * event per line with its time relative to the first SYN, e.g.
 *   "  0.000  SYN  ------------->"
 *   "  1.002  SYN  ------------->  (retransmission)"
 *   "         <------------- RST,ACK  0.0003"
 * Writes at most MAX lines of TRACKER_LADDER_WIDTH bytes (NUL-terminated)
 * into LINES; returns the number written. */
unsigned tracker_ladder(const struct tracker_attempt *a, char lines[][TRACKER_LADDER_WIDTH],
                        unsigned max);

/* Fills the UI form of A (struct capture_attempt: "addr:port" strings, class,
 * SYN count and ladder). */
void tracker_to_capture(const struct tracker_attempt *a, struct capture_attempt *out);

/* Names a detail flag (one TRK_* bit): "synack repeated", ... */
const char *tracker_detail_name(uint32_t flag);

#endif
