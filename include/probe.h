/* probe.h: the machine checks (listener, service, firewall) behind one interface
 * that every OS directory under src/platform/ implements. Results are plain data
 * with a human sentence; no curses types. Each call may block for a while, so the
 * wizard runs them in a worker thread; they must not share state between calls. */
#ifndef TSHOOT_PROBE_H
#define TSHOOT_PROBE_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_MAX_SOCKETS 32
#define PROBE_MAX_RULES 16

enum listener_state { LISTENER_UNKNOWN, LISTENER_LISTENING, LISTENER_NOT_LISTENING,
                      LISTENER_LOOPBACK_ONLY };
enum service_state { SERVICE_UNKNOWN, SERVICE_RUNNING, SERVICE_STOPPED, SERVICE_NOT_INSTALLED };
enum firewall_state { FIREWALL_UNKNOWN, FIREWALL_OPEN, FIREWALL_BLOCKED };

/* One listening socket and its owner. */
struct listener_socket {
    char address[64];
    uint16_t port;
    int pid;             /* -1 when unknown */
    char process[64];
    char user[32];
    int expected_owner;  /* 1 when the process is one the playbook expects */
};

struct listener_result {
    enum listener_state state;
    struct listener_socket sockets[PROBE_MAX_SOCKETS];
    size_t nsockets;
    char summary[256];   /* one sentence for people */
    char detail[256];    /* why, when state is unknown */
    int lacks_privilege; /* 1 when unknown (or owners unknown) for want of a privilege */
};

struct service_result {
    enum service_state state;
    char name[64];
    char manager[32];    /* systemd, openrc, process-table, scm, launchd */
    char summary[256];
    char detail[256];
    int lacks_privilege; /* 1 when unknown for want of a privilege */
};

/* One firewall rule that decides a SYN to the port. */
struct firewall_rule {
    char text[256];
    char table[64];
    char chain[64];
    long handle;         /* -1 when none */
    char verdict[16];    /* accept, drop, reject, policy-drop ... */
    uint64_t packets;    /* the rule's counter, 0 when it has none */
    uint16_t port;       /* the port it was evaluated for */
    int family;          /* 4 or 6: the SYN it decides (0 both) */
    int conditional;     /* 1 when it decides only some SYNs (by address, interface...) */
};

struct firewall_result {
    enum firewall_state state;
    char backend[32];    /* nftables, iptables, ufw, firewalld, windows-firewall */
    struct firewall_rule rules[PROBE_MAX_RULES];
    size_t nrules;
    char summary[256];
    char detail[256];
    int lacks_privilege; /* 1 when unknown for want of a privilege */
    char frontend[32];   /* ufw, firewalld, or "" when none is in charge */
    char logging[256];   /* whether drops to the port are logged, and where to look */
};

/* One decision seen by the live trace (nft monitor trace): the rule or policy
 * that accepted or dropped a SYN to one of the ports. */
struct trace_event {
    char id[16];         /* the kernel's trace id (one per packet) */
    char source[64];     /* the SYN's source address */
    uint16_t sport;
    uint16_t dport;
    char iif[32];        /* input interface */
    char family[8];      /* the table's family: inet, ip, ip6 */
    char table[64];
    char chain[64];
    long handle;         /* -1 for a base-chain policy */
    char verdict[16];    /* accept, drop, policy-accept, policy-drop */
    char text[256];      /* the rule as nft prints it */
};

/* Listening TCP sockets on PORTS; EXPECTED is a comma list of process names or NULL. */
void probe_listener(const uint16_t *ports, size_t nports, const char *expected,
                    struct listener_result *out);

/* The state of the first installed service among NAMES (a comma list). Where
 * no service manager answers (the process table), the service also counts as
 * running when one of PROCESSES (the playbook's program names, or NULL) runs:
 * PostgreSQL's service is postgresql, its daemon postgres. */
void probe_service(const char *names, const char *processes, struct service_result *out);

/* Whether the firewall lets a TCP SYN to PORTS in, and the deciding rules. */
void probe_firewall(const uint16_t *ports, size_t nports, struct firewall_result *out);

/* Follows the kernel's verdict on each TCP SYN to PORTS for SECONDS: adds this
 * process's own table `inet tshoot_trace_PID` (a prerouting chain at priority
 * -350 that sets nftrace on SYNs to PORTS), follows `nft -a monitor trace`,
 * calls ON_EVENT (from the calling thread) once per SYN its own rule marked,
 * with the rule or policy that decided it, and removes its table again on
 * every path. First removes the tables of tshoot processes that are gone.
 * Returns the number of events, or -1 with *cause (malloc'd). Nothing else is
 * changed. */
int probe_trace(const uint16_t *ports, size_t nports, unsigned seconds,
                void (*on_event)(const struct trace_event *ev, void *arg), void *arg,
                char **cause);

/* probe_trace keeps the monitor's pid in process-wide state so that a signal
 * handler can clean up: run one trace at a time per process. */

/* Asks a running probe_trace to stop early; async-signal-safe. */
void probe_trace_stop(void);

/* Removes the trace table and stops the monitor; async-signal-safe, so a
 * SIGINT/SIGTERM handler may call it. Safe to call when no trace runs. */
void probe_trace_cleanup(void);

/* The state names of DESIGN.md's check JSON. */
const char *probe_listener_state_name(enum listener_state s);
const char *probe_service_state_name(enum service_state s);
const char *probe_firewall_state_name(enum firewall_state s);

#endif
