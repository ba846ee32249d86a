/* osdep.h: the platform seam (tmux's osdep-*.c idea). Everything the core
 * does differently per OS goes through these few functions, so no core file
 * tests an OS macro. Each OS implements them in
 * src/platform/OS/osdep.c: linux (getrandom, prctl, capabilities,
 * close_range), windows (RtlGenRandom, Npcap), unknown (the POSIX-generic
 * stub every other system starts from). The POSIX pieces Linux and unknown
 * share (/dev/urandom, the SIGUSR2 interrupt, closing descriptors one by one)
 * are in src/platform/posix/ (see docs/architecture.md, "Platform seam"). */
#ifndef TSHOOT_OSDEP_H
#define TSHOOT_OSDEP_H

#include <pthread.h>
#include <stddef.h>

/* ---- System ---- */

/* The host OS as playbook keys spell it: "linux", "windows" or "macos". */
const char *osdep_os_name(void);

/* Fills BUF with LEN (<= 256) random bytes from the system's generator.
 * 0, or -1 with *CAUSE (malloc'd, naming each source tried) when none works. */
int osdep_random(void *buf, size_t len, char **cause);

/* ---- Capture ---- */

/* The live interface to capture on when none is named, or NULL when the
 * first interface libpcap lists that is up with an address should be taken
 * (capture_default_iface()). */
const char *osdep_default_iface(void);

/* Whether this system's libpcap numbers DLT_LOOP 12 (OpenBSD), where the
 * others give 12 to DLT_RAW (DECODE_DLT_RAW_BSD): 1 or 0. */
int osdep_dlt12_is_loop(void);

/* Makes live capture possible before the first pcap call: loads Npcap on
 * Windows, nothing elsewhere. 0, or -1 with *CAUSE (malloc'd). */
int osdep_capture_prepare(char **cause);

/* Prepares osdep_interrupt() once per process (a signal handler without
 * SA_RESTART on POSIX, nothing where there is none). */
void osdep_interrupt_setup(void);

/* Cuts short a blocking read() in THREAD (a capture file that is a pipe):
 * SIGUSR2 on POSIX, nothing where reads cannot be interrupted. */
void osdep_interrupt(pthread_t thread);

/* ---- Privilege separation (privsep.c) ---- */

/* Closes every descriptor above 2 but KEEP. */
void osdep_close_fds_except(int keep);

/* Makes this process (a helper) get SIGTERM when its parent dies, where the
 * system can. */
void osdep_die_with_parent(void);

/* Narrows the checks helper, still root, to what its probes need (Linux:
 * NET_ADMIN, NET_RAW, DAC_READ_SEARCH, SYS_PTRACE in its sets and in the
 * bounding set its children inherit, and no_new_privs); nothing elsewhere. */
void osdep_restrict_checks_helper(void);

/* Whether this thread holds any capability (asked when not root: a setcap
 * install): 1, or 0 (also on error and where there are none). */
int osdep_holds_caps(void);

/* Empties the capability bounding set as far as this thread may. */
void osdep_drop_bounding(void);

/* Clears every capability set and sets no_new_privs, then checks that
 * nothing is left. 0 (also where there are none), or -1 with *CAUSE. */
int osdep_lose_caps(char **cause);

#endif
