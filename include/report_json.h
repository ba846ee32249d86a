/* report_json.h: the report of `analyze` and `watch`: the DESIGN.md JSON
 * (built with jansson from plain data, struct report, so tests can feed it
 * directly) and the human text of the same facts. report_json_emit() gathers
 * the facts from the engine's trackers (one per capture; several captures
 * are matched with verdict_paths()) and writes either form.
 *
 * Required keys (DESIGN.md, never renamed): playbook, ports, packets,
 * flows{total,established,synack_no_ack,refused,unreachable,syn_no_synack},
 * verdict{code,scenario,summary}, servers[{address,port,flows}],
 * unreachable_from[{address,type,code,count}]; watch adds interface,
 * duration, drops{kernel,interface}. Added keys: verdict.vantage, captures[]
 * (one per input: name, packets, datalink, vantage, truncated, error),
 * truncated, and with several captures path{order[], matched, path_drop,
 * return_path_drop}. */
#ifndef TSHOOT_REPORT_JSON_H
#define TSHOOT_REPORT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "decode.h"

/* One server address and port with its counts. */
struct report_server {
    char address[48];
    uint16_t port;
    struct hs_counts counts;
};

/* One sender of ICMP destination-unreachable errors. */
struct report_icmp {
    char address[48];
    uint8_t type, code;
    uint64_t count;
};

/* One input (file or interface). */
struct report_capture {
    const char *name;
    uint64_t packets;
    int datalink;          /* -1 unknown */
    const char *vantage;   /* "client", "server", "path", "unknown" or NULL */
    int truncated;
    const char *error;     /* NULL or "" when none */
};

/* Everything the report says. Arrays are borrowed. */
struct report {
    const char *playbook;          /* playbook id */
    const uint16_t *ports;
    size_t nports;
    uint64_t packets;              /* records read, all inputs */
    struct hs_counts counts;
    const char *verdict_code;
    const char *scenario;          /* "" or NULL: JSON null */
    const char *summary;
    const char *vantage;           /* NULL: key left out */
    const struct report_server *servers;
    size_t nservers;
    const struct report_icmp *icmp;
    size_t nicmp;
    const struct report_capture *captures;
    size_t ncaptures;
    int paths;                     /* several captures: add "path" */
    uint64_t path_drop, return_path_drop, matched;
    const char *const *order;      /* capture names, client side first */
    int live;                      /* 1: add interface, duration, drops */
    const char *interface;
    double duration;               /* seconds */
    uint64_t kernel_drops, iface_drops;
};

/* Builds the JSON object of R (new reference), or NULL when memory runs out. */
struct json_t;
struct json_t *report_json_build(const struct report *r);

/* Writes R as indented JSON and a newline to OUT. Returns 0, or -1 with
 * *cause (malloc'd). */
int report_json_write(const struct report *r, FILE *out, char **cause);

struct tracker;

/* What the engine produced, for report_json_emit(). */
struct report_source {
    const char *playbook;                 /* playbook id */
    const uint16_t *ports;
    size_t nports;
    const struct tracker *const *trackers; /* one per capture (ended) */
    const struct capture_snapshot *snaps;  /* the final snapshot of each */
    const char *const *names;             /* file or interface names */
    size_t n;
    const struct ip_addr *local;          /* live: this machine's addresses */
    size_t nlocal;
    const char *(*scenario_for)(void *arg, const char *code);
    void *scenario_arg;
    /* the scenario's title for the text ("" or NULL: none) */
    const char *(*scenario_title)(void *arg, const char *id);
    int live;                             /* watch: interface, duration, drops */
    double duration;
};

/* Writes the report of SRC to OUT, as JSON when JSON is set, else as text.
 * Returns the DESIGN.md status the verdict calls for (0 handshake_ok, 1 any
 * other code, no_syn included), or -1 with *cause (malloc'd). */
int report_json_emit(const struct report_source *src, int json, FILE *out, char **cause);

#endif
