/* osdep.c (unknown): the platform seam of osdep.h for a system tshoot has no
 * platform layer for, with POSIX calls only: /dev/urandom, no capabilities,
 * no parent-death signal, descriptors closed one by one; the SIGUSR2
 * interrupt is POSIX's (src/platform/posix/). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "osdep.h"
#include "../posix/posix.h"

/* The name playbooks know this system by. Decision: as before the seam, a
 * system that is neither Windows nor macOS is taken for "linux", the
 * playbook keys closest to a generic Unix (service.linux, process.linux). */
const char *osdep_os_name(void)
{
#ifdef __APPLE__
    return "macos";
#else
    return "linux";
#endif
}

/* Fills BUF with LEN random bytes of /dev/urandom. */
int osdep_random(void *buf, size_t len, char **cause)
{
    int err = posix_urandom(buf, len);
    if (err == 0)
        return 0;
    if (asprintf(cause, "/dev/urandom: %s", strerror(err)) < 0)
        *cause = NULL;
    return -1;
}

/* No `any` device is known here: the first interface up with an address. */
const char *osdep_default_iface(void)
{
    return NULL;
}

/* OpenBSD's libpcap numbers DLT_LOOP 12 (and DLT_RAW 14); the others
 * number DLT_RAW 12. */
int osdep_dlt12_is_loop(void)
{
#ifdef __OpenBSD__
    return 1;
#else
    return 0;
#endif
}

/* libpcap is linked: nothing to load. */
int osdep_capture_prepare(char **cause)
{
    (void)cause;
    return 0;
}

/* Closes every descriptor above 2 but KEEP, one by one. */
void osdep_close_fds_except(int keep)
{
    for (long fd = 3, max = sysconf(_SC_OPEN_MAX); fd < max && fd < 65536; fd++)
        if (fd != keep)
            close((int)fd);
}

/* No parent-death signal here: the helper ends when its socket closes. */
void osdep_die_with_parent(void)
{
}

/* No capabilities to narrow on this system. */
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
