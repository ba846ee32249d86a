/* posix.h: the POSIX pieces of the platform seam that Linux and the unknown
 * platform share (posix.c; each platform directory links it through a
 * symbolic link, posix.c -> ../posix/posix.c). Not for the core: it goes
 * through osdep.h. */
#ifndef TSHOOT_PLATFORM_POSIX_H
#define TSHOOT_PLATFORM_POSIX_H

#include <stddef.h>

/* Fills BUF with LEN bytes of /dev/urandom; returns 0 or an errno value. */
int posix_urandom(void *buf, size_t len);

#endif
