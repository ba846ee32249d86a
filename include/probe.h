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
};

struct service_result {
    enum service_state state;
    char name[64];
    char manager[32];    /* systemd, openrc, process-table, scm, launchd */
    char summary[256];
    char detail[256];
};

/* One firewall rule that decides a SYN to the port. */
struct firewall_rule {
    char text[256];
    char table[64];
    char chain[64];
    long handle;         /* -1 when none */
    char verdict[16];    /* accept, drop, reject, policy-drop ... */
    uint64_t packets;    /* the rule's counter, 0 when it has none */
};

struct firewall_result {
    enum firewall_state state;
    char backend[32];    /* nftables, iptables, ufw, firewalld, windows-firewall */
    struct firewall_rule rules[PROBE_MAX_RULES];
    size_t nrules;
    char summary[256];
    char detail[256];
};

/* Listening TCP sockets on PORTS; EXPECTED is a comma list of process names or NULL. */
void probe_listener(const uint16_t *ports, size_t nports, const char *expected,
                    struct listener_result *out);

/* The state of the first installed service among NAMES (a comma list). */
void probe_service(const char *names, struct service_result *out);

/* Whether the firewall lets a TCP SYN to PORTS in, and the deciding rules. */
void probe_firewall(const uint16_t *ports, size_t nports, struct firewall_result *out);

/* The state names of DESIGN.md's check JSON. */
const char *probe_listener_state_name(enum listener_state s);
const char *probe_service_state_name(enum service_state s);
const char *probe_firewall_state_name(enum firewall_state s);

#endif
