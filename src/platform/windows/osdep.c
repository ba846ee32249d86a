/* osdep.c (Windows): the platform seam of osdep.h: RtlGenRandom() and the
 * Npcap runtime loaded at run time (npcap.c). Windows has no signals to cut
 * a read short, no capabilities and no fork()ed helpers: those functions do
 * nothing here. */
#include <stdlib.h>
#include <string.h>

#include "osdep.h"
#include "probe_windows.h"
#include "win_sys.h"
#include <ntsecapi.h>   /* RtlGenRandom (advapi32) */

/* Playbooks call this system "windows". */
const char *osdep_os_name(void)
{
    return "windows";
}

/* Fills BUF with LEN random bytes from RtlGenRandom(). */
int osdep_random(void *buf, size_t len, char **cause)
{
    if (RtlGenRandom(buf, (ULONG)len))
        return 0;
    *cause = strdup("RtlGenRandom() failed");
    return -1;
}

/* No `any` device: the first interface up with an address. */
const char *osdep_default_iface(void)
{
    return NULL;
}

/* Npcap numbers DLT_RAW 12. */
int osdep_dlt12_is_loop(void)
{
    return 0;
}

/* Loads Npcap's wpcap.dll: without it tshoot still checks and lints. */
int osdep_capture_prepare(char **cause)
{
    *cause = NULL;
    if (npcap_load(cause) == 0)
        return 0;
    if (*cause == NULL)
        *cause = strdup("Npcap is not installed");
    return -1;
}

/* No signal interrupts a read here. */
void osdep_interrupt_setup(void)
{
}

/* No signal interrupts a read here: the capture thread sees the stop flag
 * at its next record. */
void osdep_interrupt(pthread_t thread)
{
    (void)thread;
}

/* No helpers are forked here: nothing to close. */
void osdep_close_fds_except(int keep)
{
    (void)keep;
}

/* No parent-death signal here. */
void osdep_die_with_parent(void)
{
}

/* No capabilities to narrow here. */
void osdep_restrict_checks_helper(void)
{
}

/* No capabilities here. */
int osdep_holds_caps(void)
{
    return 0;
}

/* No bounding set here. */
void osdep_drop_bounding(void)
{
}

/* No capabilities to lose here. */
int osdep_lose_caps(char **cause)
{
    (void)cause;
    return 0;
}
