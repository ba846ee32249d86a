/* capture.h: the capture engine as its consumers see it (wizard, watch, analyze).
 * One capture thread owns the pcap handle and the flow table; it publishes a
 * snapshot about every 100 ms. Consumers copy the snapshot and never touch the
 * engine's internals. No curses types here (STYLE.md: boundaries). */
#ifndef TSHOOT_CAPTURE_H
#define TSHOOT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Handshake classes of DESIGN.md, in this order everywhere. */
enum hs_class { HS_ESTABLISHED, HS_SYNACK_NO_ACK, HS_REFUSED, HS_UNREACHABLE,
                HS_SYN_NO_SYNACK, HS_NCLASSES };

#define CAPTURE_RECENT 8      /* attempts kept in a snapshot */
#define CAPTURE_LADDER_LINES 12

/* Counts per class (and the total). */
struct hs_counts {
    uint64_t total;
    uint64_t by_class[HS_NCLASSES];
};

/* One attempt as the UI shows it. */
struct capture_attempt {
    char client[64];                       /* "addr:port" */
    char server[64];
    enum hs_class cls;
    unsigned syn_count;                    /* the SYN and its retransmissions */
    char ladder[CAPTURE_LADDER_LINES][80]; /* a small ladder diagram, one line each */
    unsigned nladder;
};

/* What the consumers copy. */
struct capture_snapshot {
    uint64_t generation;   /* changes whenever anything below changes */
    int running;           /* 1 while the capture thread reads */
    uint64_t packets;      /* records read */
    struct hs_counts counts;
    char verdict_code[32];  /* DESIGN.md verdict code: no_syn, syn_no_synack, ... */
    char scenario[8];       /* the playbook scenario it points to, "" if none */
    char summary[256];      /* the verdict sentence */
    uint64_t kernel_drops, iface_drops;
    struct capture_attempt recent[CAPTURE_RECENT];
    unsigned nrecent;
    char error[256];        /* non-empty when the capture stopped on an error */
    /* Added by the engine (capture.c): */
    int error_code;         /* exit status the error calls for: 2 bad input, 3 environment */
    int truncated;          /* 1 when a capture file ended in the middle of a record */
    int datalink;           /* pcap_datalink() of the input, -1 before it is open */
    uint64_t evidence;      /* packets that were evidence (what --write saves) */
    int evidence_full;      /* the evidence file reached its size limit */
    uint64_t file_pos, file_size; /* bytes read of a capture file and its size (0: unknown) */
    double elapsed;         /* seconds since the capture started */
};

/* What to capture. */
struct capture_config {
    const char *iface;      /* live interface, or NULL */
    const char *file;       /* capture file ("-" for stdin), or NULL */
    const uint16_t *ports;
    size_t nports;
    const char *write_path; /* evidence pcap to write (capture_start()), or its
                               name for messages (capture_run()), or NULL */
    /* Added by the engine (capture.c); zero/NULL means the default: */
    const char *client;     /* only attempts from this address (analyze --client) */
    const char *server;     /* only attempts to this address (analyze --server) */
    int snaplen;            /* live snapshot length (CAPTURE_SNAPLEN) */
    /* maps a verdict code to a playbook scenario id (verdict.h's
       verdict_scenario_fn); NULL: no scenario in the snapshot */
    const char *(*scenario_for)(void *arg, const char *code);
    void *scenario_arg;
    int evidence_snaplen;   /* evidence records cut to this many bytes: headers
                               only, no payload (0: as captured) */
    uint64_t evidence_max;  /* the evidence file stops growing at this many bytes
                               (0: no limit, as tcpdump -w) */
    int realtime;           /* FILE is replayed at its own pace, as if live (each
                               silence cut to 5 s); 0 reads it at full speed
                               (capture_stop() interrupts a replay at once) */
};

#define CAPTURE_SNAPLEN 384   /* enough for SLL2 + 2 VLAN + IPv6 + ICMPv6 + quoted IPv6 + TCP */

struct capture;

/* Opens the source of CFG, and nothing else: a live interface (handle and
 * BPF filter: what needs root or CAP_NET_RAW), or a capture file (opened, not
 * read: not even its header). No thread runs and nothing is decoded yet, so
 * the caller can give up its privileges in the whole process (privsep_drop())
 * between this and capture_run(). CFG's write_path only names the evidence in
 * messages here. Returns NULL with *cause (malloc'd) and *exit_code (2 bad
 * input, 3 environment: permission, no such interface) on failure. */
struct capture *capture_open(const struct capture_config *cfg, int *exit_code, char **cause);

/* Reads a capture file's header, then starts the capture thread (which
 * inherits the calling thread's identity, capabilities and no_new_privs).
 * EVIDENCE, or NULL, is the stream the evidence pcap is written to (opened by
 * the caller, as the user: user_file.h); the capture owns it from this call
 * on, also on failure. Returns 0, or -1 with *cause and *exit_code; either
 * way the caller ends with capture_stop(). */
int capture_run(struct capture *c, FILE *evidence, int *exit_code, char **cause);

/* capture_open() and capture_run() in one go, the evidence file (write_path)
 * created by this process (atomic_file_create()): for callers that keep no
 * privilege to give up (tests, an ordinary user's run). NULL on failure, as
 * capture_open(). */
struct capture *capture_start(const struct capture_config *cfg, int *exit_code, char **cause);

/* Copies the latest snapshot. Safe from any thread. */
void capture_snapshot(struct capture *c, struct capture_snapshot *out);

/* A descriptor that becomes readable when a new snapshot is published;
 * the caller drains it with capture_drain_notify(). */
int capture_notify_fd(const struct capture *c);

/* Empties the notify descriptor. */
void capture_drain_notify(struct capture *c);

/* Stops the thread, closes the handle and frees the engine. */
void capture_stop(struct capture *c);

/* Blocks until the capture thread has ended (end of a file, an error, or
 * capture_stop() from another thread) and returns the final snapshot. */
void capture_wait(struct capture *c, struct capture_snapshot *out);

/* Asks the capture thread to end; safe from any thread, not from a signal
 * handler. A read from a pipe is cut short with SIGUSR2 (the engine installs
 * a handler for it). The last snapshot is still published; capture_stop() frees. */
void capture_interrupt(struct capture *c);

struct tracker;
/* The engine's tracker, for the final report (servers, ICMP senders, ladder,
 * cross-capture matching). Only valid once the thread has ended
 * (capture_wait()); NULL before. Owned by the capture. */
const struct tracker *capture_tracker(const struct capture *c);

/* Writes the default live interface into BUF: the system's own
 * (osdep_default_iface(): `any` on Linux), elsewhere the
 * first interface that is up, not loopback and has an address; returns BUF,
 * or NULL with *cause when there is none. */
char *capture_default_iface(char *buf, size_t len, char **cause);

struct ip_addr;
/* Copies up to MAX of the machine's addresses a live capture uses to tell
 * its vantage (none for a file); returns how many. */
size_t capture_local(const struct capture *c, struct ip_addr *out, size_t max);

/* Writes the kernel BPF filter for PORTS on link type DLT into BUF: the ports
 * over TCP, ICMP/ICMPv6 destination-unreachable errors, and on Ethernet the
 * same behind one or two VLAN tags. Returns 0, or -1 with *cause when libpcap
 * cannot compile it for DLT. */
int capture_filter(int dlt, const uint16_t *ports, size_t nports, char *buf, size_t len,
                   char **cause);

/* The DESIGN.md name of a class ("established", ...). */
const char *capture_class_name(enum hs_class cls);

#endif
