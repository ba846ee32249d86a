/* probe_unknown.c: the probes on a system tshoot has no platform layer for.
 * Every check reports state unknown with the detail "not implemented on this
 * system", so the rest of the program builds and runs everywhere (htop's
 * unsupported/, tmux's osdep-unknown.c). */
#include <stdio.h>
#include <string.h>

#include "probe.h"

#define NOT_HERE "not implemented on this system"

/* Reports the listener as unknown. */
void probe_listener(const uint16_t *ports, size_t nports, const char *expected, struct listener_result *out)
{
    (void)ports;
    (void)nports;
    (void)expected;
    memset(out, 0, sizeof *out);
    out->state = LISTENER_UNKNOWN;
    snprintf(out->detail, sizeof out->detail, NOT_HERE);
    snprintf(out->summary, sizeof out->summary, "Listening sockets cannot be checked on this system.");
}

/* Reports the service as unknown. */
void probe_service(const char *names, const char *processes, struct service_result *out)
{
    (void)processes;
    memset(out, 0, sizeof *out);
    out->state = SERVICE_UNKNOWN;
    snprintf(out->name, sizeof out->name, "%.*s", (int)strcspn(names ? names : "", ","), names ? names : "");
    snprintf(out->manager, sizeof out->manager, "none");
    snprintf(out->detail, sizeof out->detail, NOT_HERE);
    snprintf(out->summary, sizeof out->summary, "Services cannot be checked on this system.");
}

/* Reports the firewall as unknown. */
void probe_firewall(const uint16_t *ports, size_t nports, struct firewall_result *out)
{
    (void)ports;
    (void)nports;
    memset(out, 0, sizeof *out);
    out->state = FIREWALL_UNKNOWN;
    snprintf(out->backend, sizeof out->backend, "none");
    snprintf(out->detail, sizeof out->detail, NOT_HERE);
    snprintf(out->summary, sizeof out->summary, "The firewall cannot be checked on this system.");
}

/* The live trace does not exist here. */
int probe_trace(const uint16_t *ports, size_t nports, unsigned seconds,
                void (*on_event)(const struct trace_event *ev, void *arg), void *arg, char **cause)
{
    (void)ports;
    (void)nports;
    (void)seconds;
    (void)on_event;
    (void)arg;
    if (cause)
        *cause = strdup("the live firewall trace is " NOT_HERE);
    return -1;
}

/* Nothing to stop. */
void probe_trace_stop(void)
{
}

/* Nothing to clean up. */
void probe_trace_cleanup(void)
{
}
