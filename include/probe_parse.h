/* probe_parse.h: the OS-neutral pure parts of the machine checks, shared by
 * every platform: address scopes, comma lists of names and the listener
 * verdict (what a platform found listening turned into a state and a
 * sentence). The parsers of what Linux's tools print are in
 * probe_parse_linux.h, Windows' in src/platform/windows/probe_win.h.
 * No I/O, no global state. */
#ifndef TSHOOT_PROBE_PARSE_H
#define TSHOOT_PROBE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "probe.h"

/* Address scope of a printable local address. */
enum probe_scope { PROBE_SCOPE_ANY, PROBE_SCOPE_LOOPBACK, PROBE_SCOPE_SPECIFIC };
enum probe_scope probe_parse_scope(const char *address);

/* 1 when NAME is one of the comma-separated names in LIST (NULL or "" matches nothing). */
int probe_parse_in_list(const char *name, const char *list);

/* How a platform names the owners of sockets, for the listener verdict. */
struct listener_owners {
    /* 1 when process NAME is one of the comma list LIST of expected owners. */
    int (*in_list)(const char *name, const char *list);
    /* Said in brackets after the summary when no socket's pid is known;
     * NULL says nothing (the probe's detail tells why). */
    const char *unreported;
};

/* Sets state, each socket's expected_owner and the summary of R from its
 * sockets (already filled, owners where known), the ports and EXPECTED,
 * comparing names as OWNERS says. */
void probe_parse_listener_verdict_owners(struct listener_result *r, const uint16_t *ports,
                                         size_t nports, const char *expected,
                                         const struct listener_owners *owners);

/* The same with names compared exactly (probe_parse_in_list) and nothing
 * said when no owner is known: the POSIX platforms'. */
void probe_parse_listener_verdict(struct listener_result *r, const uint16_t *ports,
                                  size_t nports, const char *expected);

#endif
