/* probe_parse_linux.h: the pure parsers behind Linux's machine checks
 * (src/platform/linux/parse_*.c). Each function reads text that a probe
 * collected (/proc/net/tcp, `nft -j list ruleset`, `iptables-save -c`,
 * `nft -a monitor trace`, ufw.conf) and returns plain data, so unit tests and
 * the fuzzer feed them fixture text. No I/O, no global state. Compiled for
 * PLATFORM=linux only. */
#ifndef TSHOOT_PROBE_PARSE_LINUX_H
#define TSHOOT_PROBE_PARSE_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "probe.h"

/* One line of /proc/net/tcp or /proc/net/tcp6. */
struct proc_tcp_entry {
    char address[64];    /* printable local address */
    uint16_t port;       /* local port */
    unsigned state;      /* TCP state (10 = LISTEN) */
    unsigned uid;
    unsigned long inode;
};

#define PROC_TCP_LISTEN 10

/* Parses one line of /proc/net/tcp (V6 = 0) or tcp6 (V6 = 1); 0, or -1 for the
 * header and malformed lines. */
int probe_parse_proc_net_tcp(const char *line, int v6, struct proc_tcp_entry *e);

/* Verdicts of the firewall evaluators. */
enum fw_verdict { FW_NONE, FW_ACCEPT, FW_DROP, FW_REJECT };

/* What a firewall does with a TCP SYN (ct state new, not from lo) to one port. */
struct fw_decision {
    enum fw_verdict verdict;      /* FW_NONE when no chain sees the packet */
    struct firewall_rule rule;    /* the deciding rule or policy */
    struct firewall_rule cond[4]; /* rules on the path that decide only some SYNs */
    size_t ncond;
    int logged;                   /* a log statement sees the SYN before the verdict */
    char log_prefix[64];
    int unknown;                  /* rules whose matches could not be evaluated */
};

/* Evaluates `nft -j list ruleset` JSON for a SYN to PORT over IP FAMILY (4 or
 * 6) as the kernel would: ingress, prerouting and input filter base chains in
 * priority order, jump/goto/return, sets, ranges, vmaps, ct state, iifname.
 * Tables named in SKIP ("family name" comma list; iptables-nft's) are left out.
 * Returns 0, or -1 with *cause (malloc'd) when the JSON is unreadable. */
int probe_parse_nft_eval(const char *json, uint16_t port, int family, const char *skip,
                         struct fw_decision *d, char **cause);

/* The "family name" list of tables in JSON that iptables-nft manages (they
 * hold chains named INPUT, FORWARD...), written to BUF. */
void probe_parse_nft_xt_tables(const char *json, char *buf, size_t len);

/* Evaluates `iptables-save -c` (or ip6tables-save) text: the filter table's
 * INPUT chain, user chains, -p, --dport, multiport, -i lo, state/conntrack,
 * --syn, ACCEPT/DROP/REJECT/RETURN/LOG, and the chain policy. */
int probe_parse_iptables_eval(const char *save, uint16_t port, struct fw_decision *d,
                              char **cause);

/* Kinds of `nft monitor trace` lines. */
enum trace_kind { TRACE_OTHER, TRACE_PACKET, TRACE_RULE, TRACE_POLICY, TRACE_VERDICT };

/* Parses one `nft -a monitor trace` line into EV (id, family, table, chain and
 * the kind's fields). Returns its kind. */
enum trace_kind probe_parse_trace_line(const char *line, struct trace_event *ev);

/* The trace tables of tshoot: PROBE_TRACE_TABLE_PREFIX "_PID". */
#define PROBE_TRACE_TABLE_PREFIX "tshoot_trace"

/* Follows trace lines and turns them into one decision per packet. Lines of
 * every tshoot trace table are left out of the decisions; when IGNORE_TABLE
 * is set, only the packets its own rule marked are reported (another trace
 * running at the same time marks other ports). */
#define TRACE_PENDING 16
struct trace_state {
    struct trace_event pkt[TRACE_PENDING];
    int used[TRACE_PENDING];
    int decided[TRACE_PENDING];  /* 1: an accept seen, waiting for later chains */
    int ours[TRACE_PENDING];     /* 1: IGNORE_TABLE's rule marked the packet */
    const char *ignore_table;    /* our own trace table */
};

/* Feeds one line; returns 1 and fills OUT when a packet's decision is final
 * (a drop, or an accept once another packet's lines begin). */
int probe_parse_trace_feed(struct trace_state *st, const char *line, struct trace_event *out);

/* Returns 1 and fills OUT with one pending accepted packet, 0 when none is left. */
int probe_parse_trace_flush(struct trace_state *st, struct trace_event *out);

/* Reads ufw.conf text: *ENABLED is 1 for ENABLED=yes; LOGLEVEL gets LOGLEVEL. */
void probe_parse_ufw_conf(const char *text, int *enabled, char *loglevel, size_t len);

/* 1 when firewalld's zone lists allow PORT (SERVICES, PORTS: its space lists). */
int probe_parse_firewalld_allows(const char *services, const char *ports, uint16_t port);

/* Adds decision D for PORT/FAMILY to R (state, rules without duplicates, logging). */
void probe_parse_firewall_merge(struct firewall_result *r, const struct fw_decision *d);

/* The name of a verdict: accept, drop, reject, none. */
const char *probe_parse_verdict_name(enum fw_verdict v);

#endif
