/* win_compat.h: force-included (-include) into the portable core files when
 * `make windows` cross-compiles them with MinGW-w64: the few POSIX functions
 * they use that the Microsoft C runtime lacks (tmux's compat/ approach). The
 * core files themselves stay untouched. */
#ifndef TSHOOT_WIN_COMPAT_H
#define TSHOOT_WIN_COMPAT_H

#include <stdlib.h>
#include <string.h>

/* strndup(3): a malloc'd copy of at most N bytes of S. */
static inline char *tshoot_strndup(const char *s, size_t n)
{
    size_t l = 0;
    while (l < n && s[l])
        l++;
    char *d = malloc(l + 1);
    if (d) {
        memcpy(d, s, l);
        d[l] = '\0';
    }
    return d;
}
#define strndup tshoot_strndup

#endif
