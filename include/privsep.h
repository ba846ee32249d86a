/* privsep.h: privilege separation. Capturing and some checks need root (or
 * CAP_NET_RAW/CAP_NET_ADMIN); decoding packets anyone can send, drawing the
 * screen and writing reports do not. When tshoot runs as root, privsep_start()
 * forks two small helpers: one keeps root and answers the fixed set of check
 * requests (a check of checks.h's table, the trace); the other becomes the sudo
 * user (user_file_become(); root without sudo stays its own user) and saves
 * the session report to the paths fixed at start (atomic_file.h's safe opens). They talk over socketpairs and accept
 * nothing else: no paths, no commands, only ports, a duration and service
 * names from a strict character set. Each helper holds only its own socket;
 * the checks helper keeps only the capabilities its probes need (NET_ADMIN,
 * NET_RAW, DAC_READ_SEARCH, SYS_PTRACE) with no_new_privs. When it dies, a
 * request says "the checks helper stopped" at once; a reply is waited for
 * at most 30 s. Then privsep_drop() turns the main
 * process into the invoking user (SUDO_UID/SUDO_GID) or nobody, with no
 * supplementary groups, no capabilities and no way back (for a binary given
 * file capabilities (setcap) instead of root, it drops those), and enters the
 * seccomp sandbox (sandbox.h).
 * A playbook is read as root but parsed as the user: privsep_playbook_load()
 * forks a short-lived child that drops as privsep_drop() does and hands back
 * only the id and ports the capture needs before the drop; the main process
 * parses the same bytes in full after it (privsep_playbook_finish()).
 * When tshoot does not run as root, nothing is forked and every call below
 * runs the probe (or parses the playbook) in-process with the user's own rights. */
#ifndef TSHOOT_PRIVSEP_H
#define TSHOOT_PRIVSEP_H

#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "playbook.h"
#include "probe.h"

#define PRIVSEP_MAX_NAMES 128      /* bytes of service names in a request */
#define PRIVSEP_MAX_SAVE (4 << 20) /* bytes of one saved file */

/* PRIVSEP_CHECK runs the check of checks.h's table whose id the request
 * carries; the helper checks that id against the table. */
enum privsep_op { PRIVSEP_CHECK = 1, PRIVSEP_TRACE, PRIVSEP_SAVE_MD, PRIVSEP_SAVE_JSON };

/* A request as it crosses the socket. */
struct privsep_request {
    uint32_t op;
    uint32_t check;                    /* PRIVSEP_CHECK: an enum check_id */
    uint32_t seconds;                  /* PRIVSEP_TRACE */
    uint32_t nports;
    uint16_t ports[16];
    char names[PRIVSEP_MAX_NAMES];     /* PRIVSEP_CHECK: service names */
    char processes[PRIVSEP_MAX_NAMES]; /* PRIVSEP_CHECK: the expected programs */
    uint32_t length;                   /* PRIVSEP_SAVE_*: bytes that follow */
};

/* Whether R is a request the helpers accept; 0 and a reason in WHY otherwise. */
int privsep_request_valid(const struct privsep_request *r, char *why, size_t n);

/* Forks the helpers when running as root. REPORT_BASE is the session report's
 * path without extension (NULL: no report helper). Returns 0, or -1 with *cause. */
int privsep_start(const char *report_base, char **cause);

/* Gives up root for good in this process (also the capabilities of a setcap
 * install: every set it may, bounding set included when it holds CAP_SETPCAP,
 * and no_new_privs). Capabilities and no_new_privs are per thread: call it
 * while the main thread is the only one, before any thread that decodes.
 * Returns 0 (also when there is nothing to give up), or -1 with *cause, in
 * which case the caller must exit. */
int privsep_drop(char **cause);

/* Whether the helpers are running. */
int privsep_active(void);

/* Runs check ID (checks.h) on IN into OUT, through the helper when there is
 * one; a helper that does not answer leaves OUT unknown with the reason.
 * Thread-safe. */
void privsep_check(uint32_t id, const struct check_input *in, struct check_result *out);

/* The live trace, through the helper when there is one. Thread-safe. */
int privsep_trace(const uint16_t *ports, size_t nports, unsigned seconds,
                  void (*on_event)(const struct trace_event *ev, void *arg), void *arg, char **cause);

/* Saves DATA as the report's Markdown (EXT "md") or JSON ("json") file: through
 * the helper when there is one, else atomically at BASE.EXT. */
int privsep_save(const char *base, const char *ext, const char *data, size_t n, char **cause);

/* A playbook read (as root when root runs tshoot) and not yet parsed by the
 * main process: the bytes privsep_playbook_finish() parses after the drop. */
struct privsep_playbook {
    char *path;
    char *lang;
    char *text;    /* NULL: nothing left to parse */
    size_t len;
};

/* Reads the playbook PATH once (playbook_read: a root-only file too) and
 * parses it without privilege. When root, a child that gives up root as
 * privsep_drop() does parses the bytes with texts in LANG and sends back only
 * the id and the ports (checked here: at most PLAYBOOK_MAX_PORTS, none 0),
 * which PB receives with its path, for the capture filter and the report's
 * name; LATER keeps the bytes for privsep_playbook_finish(). When not root,
 * PB is loaded in full here and LATER holds nothing. Call it while this is
 * the only thread. 0; -1 with *cause ("file:line: message", as
 * playbook_load()); or -2 with *cause when the child could not give up root
 * (an exit status 3, as a failed privsep_drop()); LATER then empty. */
int privsep_playbook_load(const char *path, const char *lang, struct playbook *pb, struct privsep_playbook *later,
                          char **cause);

/* After privsep_drop(): loads LATER's bytes fully into PB, in place of the id
 * and ports privsep_playbook_load() gave it, and releases LATER (nothing to do
 * when LATER is empty). 0, or -1 with *cause (PB left as it was). */
int privsep_playbook_finish(struct privsep_playbook *later, struct playbook *pb, char **cause);

/* Releases what privsep_playbook_load() kept in LATER (for an exit before
 * privsep_playbook_finish()). */
void privsep_playbook_free(struct privsep_playbook *later);

/* Ends the helpers from a signal handler (async-signal-safe): shuts their
 * sockets down and waits for them to exit, so that a trace under way has
 * removed its table when it returns. privsep_stop() still closes the rest. */
void privsep_end_helpers(void);

/* Ends the helpers. */
void privsep_stop(void);

#endif
