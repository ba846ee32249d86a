/* verdict.h: from tracked attempts to the capture-wide verdict of DESIGN.md:
 * the verdict code, the vantage point the capture was taken from, the
 * playbook scenario and the sentence shown to the user; and, with captures of
 * the same traffic from several devices, the matching of attempts across
 * them (path_drop, return_path_drop).
 *
 * Pure functions over trackers; no global state. The scenario lookup is a
 * callback so this module does not depend on the playbook loader; with a
 * loaded playbook pass:
 *     static const char *scen(void *pb, const char *code)
 *     { const struct pb_scenario *s = playbook_scenario_for(pb, code);
 *       return s ? s->id : NULL; }
 */
#ifndef TSHOOT_VERDICT_H
#define TSHOOT_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "decode.h"
#include "tracker.h"

/* Capture-wide verdict codes (DESIGN.md). Names: verdict_code_name(). */
enum verdict_code {
    VERDICT_NO_SYN,           /* "no_syn" */
    VERDICT_HANDSHAKE_OK,     /* "handshake_ok" */
    VERDICT_SYN_NO_SYNACK,    /* "syn_no_synack" */
    VERDICT_UNREACHABLE,      /* "unreachable" */
    VERDICT_REFUSED,          /* "refused" */
    VERDICT_SYNACK_NO_ACK,    /* "synack_no_ack" */
    VERDICT_PATH_DROP,        /* "path_drop" (several captures) */
    VERDICT_RETURN_PATH_DROP, /* "return_path_drop" (several captures) */
    VERDICT_NCODES
};

/* Where a capture was taken. */
enum vantage {
    VANTAGE_UNKNOWN,
    VANTAGE_CLIENT,   /* SYNs carry an initial TTL (64/128/255), or a local client */
    VANTAGE_PATH,     /* SYNs decremented and SYN-ACKs too: a device in between */
    VANTAGE_SERVER,   /* SYNs decremented, SYN-ACKs initial, or a local server */
    VANTAGE_NVANTAGES
};

/* Maps a verdict code ("syn_no_synack") to a playbook scenario id ("1"), or
 * NULL when no scenario lists it. */
typedef const char *(*verdict_scenario_fn)(void *arg, const char *code);

/* What the verdict may use besides the tracker. All fields optional. */
struct verdict_input {
    const struct ip_addr *local;  /* live: this machine's addresses */
    size_t nlocal;
    verdict_scenario_fn scenario_for;
    void *scenario_arg;
    const char *const *names;     /* verdict_paths(): a name per capture (file
                                     names) for the sentence; NULL: "capture N" */
    uint64_t pending;             /* live: syn_no_synack attempts so young that
                                     their answer may still be on its way; the
                                     code leaves them out */
};

/* The verdict. */
struct verdict {
    enum verdict_code code;
    enum vantage vantage;
    char scenario[8];      /* "" when none */
    char summary[256];     /* the verdict sentence */
};

/* The DESIGN.md name of a code ("no_syn", ...). */
const char *verdict_code_name(enum verdict_code code);

/* Parses a DESIGN.md code name; returns the code or -1. */
int verdict_code_parse(const char *name);

/* The name of a vantage ("client", "server", "path", "unknown"). */
const char *verdict_vantage_name(enum vantage v);

/* The capture-wide code from class counts: no_syn when total is 0, else the
 * first failure class present in the order syn_no_synack, unreachable,
 * refused, synack_no_ack, else handshake_ok. */
enum verdict_code verdict_from_counts(const struct hs_counts *counts);

/* The verdict code matching one attempt class. */
enum verdict_code verdict_from_class(enum hs_class cls);

/* The initial TTL that TTL most likely started from: the smallest of the
 * common initial values 32, 64, 128, 255 that is >= TTL. *HOPS gets the hops
 * travelled (NULL skips); 0 hops means TTL is itself an initial value. */
uint8_t verdict_initial_ttl(uint8_t ttl, unsigned *hops);

/* Infers the vantage of the capture behind T: from local addresses first
 * (a SYN from a local address: client; to a local address: server), else
 * from the TTLs of the SYNs and SYN-ACKs. */
enum vantage verdict_vantage(const struct tracker *t, const struct ip_addr *local, size_t nlocal);

/* Computes the verdict of one capture into *OUT. */
void verdict_compute(const struct tracker *t, const struct verdict_input *in, struct verdict *out);

/* Writes the verdict sentence for CODE seen from vantage V (with scenario id
 * SCENARIO, may be NULL) into BUF; returns BUF. */
char *verdict_sentence(enum verdict_code code, enum vantage v, const char *scenario,
                       char *buf, size_t len);

/* ---- several captures of the same traffic ---- */

#define VERDICT_MAX_CAPTURES 16

/* One attempt matched across captures. Indices are input indices
 * (0..n-1 in the order given to verdict_paths()). */
struct path_attempt {
    struct tracker_attempt a;      /* as seen by the most upstream capture that saw the SYN */
    enum verdict_code code;        /* per attempt: path_drop, return_path_drop or the class */
    uint32_t syn_seen;             /* bit i: capture i saw the SYN */
    uint32_t synack_seen;          /* bit i: capture i saw a SYN-ACK */
    int last_seen;                 /* the most downstream capture with the SYN (-1 none) */
    int nat;                       /* 1 when matched by ISN + options, not by 4-tuple */
    uint8_t syn_ttl[VERDICT_MAX_CAPTURES];  /* 0 where not seen */
};

/* The result of verdict_paths(). Free with verdict_paths_free(). */
struct path_report {
    size_t ncaptures;
    size_t order[VERDICT_MAX_CAPTURES];       /* input indices, client side first */
    enum vantage vantage[VERDICT_MAX_CAPTURES]; /* per input index */
    unsigned median_ttl[VERDICT_MAX_CAPTURES];  /* SYN TTL per input index (0: no SYN) */
    uint64_t by_code[VERDICT_NCODES];         /* attempts per per-attempt code */
    uint64_t total;                           /* distinct attempts */
    uint64_t matched;                         /* seen in two captures or more */
    struct path_attempt *attempts;            /* malloc'd, in order of first SYN */
    size_t nattempts;
    struct verdict verdict;                   /* the combined verdict */
};

/* Matches the attempts of N trackers (one per capture of the same traffic:
 * 4-tuple + ISN, or ISN + TCP option signature + TSval where NAT rewrote the
 * addresses), orders the captures along the path (the same SYN's TTL falls
 * hop by hop), and classifies each attempt: path_drop when the SYN is in an
 * upstream capture and missing from the next one downstream; return_path_drop
 * when a SYN-ACK is seen at a capture and missing upstream of it (toward the
 * client); else its single-capture class as seen furthest downstream.
 * The combined code is the first present in the order path_drop,
 * return_path_drop, syn_no_synack, unreachable, refused, synack_no_ack, else
 * handshake_ok (no_syn when there is no attempt).
 * Returns 0, or -1 with *cause (malloc'd) when N is 0 or above
 * VERDICT_MAX_CAPTURES or memory runs out. */
int verdict_paths(const struct tracker *const *trackers, size_t n,
                  const struct verdict_input *in, struct path_report *out, char **cause);

/* Frees what verdict_paths() allocated (not OUT itself). */
void verdict_paths_free(struct path_report *r);

#endif
