/* under_valgrind.h: for the unit tests whose code enters the seccomp filter. */
#ifndef TSHOOT_TEST_UNDER_VALGRIND_H
#define TSHOOT_TEST_UNDER_VALGRIND_H

#include <stdlib.h>
#include <string.h>

/* Whether this runs under valgrind, which does not implement seccomp(2). */
static inline int under_valgrind(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre && strstr(pre, "vgpreload");
}

#endif
