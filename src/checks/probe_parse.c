/* probe_parse.c: the OS-neutral parts of the machine checks
 * (include/probe_parse.h): the state names of the check JSON, address scopes,
 * comma lists of names and the listener verdict, shared by every platform
 * (Linux's parsers of what its tools print are in src/platform/linux/parse_*.c,
 * Windows' in src/platform/windows/win_parse.c). */
#include <stdio.h>
#include <string.h>

#include "probe_parse.h"
#include "text.h"

/* ---- state names --------------------------------------------------------- */

/* The JSON name of a listener state. */
const char *probe_listener_state_name(enum listener_state s)
{
    switch (s) {
    case LISTENER_LISTENING: return "listening";
    case LISTENER_NOT_LISTENING: return "not_listening";
    case LISTENER_LOOPBACK_ONLY: return "loopback_only";
    default: return "unknown";
    }
}

/* The JSON name of a service state. */
const char *probe_service_state_name(enum service_state s)
{
    switch (s) {
    case SERVICE_RUNNING: return "running";
    case SERVICE_STOPPED: return "stopped";
    case SERVICE_NOT_INSTALLED: return "not_installed";
    default: return "unknown";
    }
}

/* The JSON name of a firewall state. */
const char *probe_firewall_state_name(enum firewall_state s)
{
    switch (s) {
    case FIREWALL_OPEN: return "open";
    case FIREWALL_BLOCKED: return "blocked";
    default: return "unknown";
    }
}

/* ---- listener ------------------------------------------------------------ */

/* Whether ADDRESS is a wildcard, a loopback or one specific address. */
enum probe_scope probe_parse_scope(const char *a)
{
    if (!strcmp(a, "0.0.0.0") || !strcmp(a, "::") || !strcmp(a, "*"))
        return PROBE_SCOPE_ANY;
    if (!strncmp(a, "127.", 4) || !strcmp(a, "::1") || !strncmp(a, "::ffff:127.", 11))
        return PROBE_SCOPE_LOOPBACK;
    return PROBE_SCOPE_SPECIFIC;
}

/* 1 when NAME is in the comma list LIST (spaces around names ignored). */
int probe_parse_in_list(const char *name, const char *list)
{
    if (!name || !*name || !list)
        return 0;
    size_t n = strlen(name);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *s = p;
        while (*p && *p != ',')
            p++;
        const char *e = p;
        while (e > s && e[-1] == ' ')
            e--;
        if ((size_t)(e - s) == n && !strncmp(s, name, n))
            return 1;
    }
    return 0;
}

/* Writes the comma list of PORTS to BUF, and those no socket of R has to MISSING. */
static void port_lists(const struct listener_result *r, const uint16_t *ports, size_t nports,
                       char *buf, size_t len, char *missing, size_t mlen)
{
    for (size_t p = 0; p < nports; p++) {
        text_append(buf, len, "%s%u", p ? "," : "", ports[p]);
        int seen = 0;
        for (size_t i = 0; i < r->nsockets; i++)
            seen |= r->sockets[i].port == ports[p];
        if (!seen)
            text_append(missing, mlen, "%s%u", *missing ? "," : "", ports[p]);
    }
}

/* 1 when socket S's owner is known: a pid and a process name. */
static int owner_known(const struct listener_socket *s)
{
    return s->pid >= 0 && s->process[0];
}

/* Appends who owns the sockets of R to its summary: the unexpected owners
 * OTHERS, else the first known owner, else what is known of the first one. */
static void say_owner(struct listener_result *r, const char *others, const char *expected,
                      const struct listener_owners *o)
{
    if (*others) {
        text_append(r->summary, sizeof r->summary, ", owned by %s, not the expected %s", others, expected);
        return;
    }
    for (size_t i = 0; i < r->nsockets; i++)
        if (owner_known(&r->sockets[i])) {
            text_append(r->summary, sizeof r->summary, ", owned by %s (pid %d)", r->sockets[i].process,
                        r->sockets[i].pid);
            return;
        }
    if (r->sockets[0].pid >= 0)
        text_append(r->summary, sizeof r->summary, " (owner unknown: pid %d)", r->sockets[0].pid);
    else if (o->unreported)
        text_append(r->summary, sizeof r->summary, " (%s)", o->unreported);
}

/* Decides the listener state: all addresses, some only, loopback only, none, wrong owner. */
void probe_parse_listener_verdict_owners(struct listener_result *r, const uint16_t *ports,
                                         size_t nports, const char *expected,
                                         const struct listener_owners *o)
{
    int any = 0, loop = 0, specific = 0;
    char portlist[64] = "", missing[64] = "", specifics[128] = "", others[128] = "";
    port_lists(r, ports, nports, portlist, sizeof portlist, missing, sizeof missing);
    for (size_t i = 0; i < r->nsockets; i++) {
        struct listener_socket *s = &r->sockets[i];
        int known = owner_known(s);
        s->expected_owner = expected && *expected ? (known && o->in_list(s->process, expected)) : 1;
        if (known && !s->expected_owner && !strstr(others, s->process))
            text_append(others, sizeof others, "%s%s (pid %d)", *others ? ", " : "", s->process, s->pid);
        switch (probe_parse_scope(s->address)) {
        case PROBE_SCOPE_ANY: any = 1; break;
        case PROBE_SCOPE_LOOPBACK: loop = 1; break;
        default:
            specific = 1;
            if (!strstr(specifics, s->address))
                text_append(specifics, sizeof specifics, "%s%s", *specifics ? ", " : "", s->address);
        }
    }
    r->summary[0] = '\0';
    if (r->nsockets == 0) {
        r->state = LISTENER_NOT_LISTENING;
        text_fmt(r->summary, sizeof r->summary, "Nothing listens on TCP port %s.", portlist);
        return;
    }
    if (any) {
        r->state = LISTENER_LISTENING;
        text_fmt(r->summary, sizeof r->summary, "Listening on TCP port %s on all addresses", portlist);
    } else if (specific) {
        r->state = LISTENER_LISTENING;
        text_fmt(r->summary, sizeof r->summary,
                 "Listening on TCP port %s only on %s%s (not on all addresses: clients must use %s)",
                 portlist, specifics, loop ? " and loopback" : "",
                 strchr(specifics, ',') ? "one of these" : "this one");
    } else {
        r->state = LISTENER_LOOPBACK_ONLY;
        text_fmt(r->summary, sizeof r->summary,
                 "Listening on TCP port %s on loopback only: other machines cannot connect", portlist);
    }
    say_owner(r, others, expected, o);
    if (*missing && nports > 1)
        text_append(r->summary, sizeof r->summary, "; nothing on %s", missing);
    text_append(r->summary, sizeof r->summary, ".");
}

/* The listener verdict with exact names, silent about unknown owners. */
void probe_parse_listener_verdict(struct listener_result *r, const uint16_t *ports, size_t nports,
                                  const char *expected)
{
    static const struct listener_owners exact = { probe_parse_in_list, NULL };
    probe_parse_listener_verdict_owners(r, ports, nports, expected, &exact);
}
