/* atomic_file.c: whole-or-nothing file replacement (write, fsync, rename,
 * fsync the directory) and mkdir -p. */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Sets *cause to "PATH: strerror(errno)" and returns -1. */
static int fail(const char *path, char **cause)
{
    if (asprintf(cause, "%s: %s", path, strerror(errno)) < 0)
        *cause = NULL;
    return -1;
}

/* Replaces PATH with the N bytes of DATA. */
int atomic_file_write(const char *path, const char *data, size_t n, char **cause)
{
    char *tmp = NULL;
    *cause = NULL;
    if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
        return fail(path, cause);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = fail(path, cause);
        free(tmp);
        return rc;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (off < n || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        int rc = fail(path, cause);
        if (off < n)
            close(fd);
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    char *copy = strdup(path);
    int dfd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY) : -1;
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(copy);
    return 0;
}

/* Creates DIR and its missing parents with MODE. */
int atomic_file_mkdirs(const char *dir, unsigned mode, char **cause)
{
    char *p = strdup(dir);
    *cause = NULL;
    if (!p)
        return fail(dir, cause);
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == 0) {
            char c = *s;
            *s = 0;
            if (mkdir(p, mode) < 0 && errno != EEXIST) {
                int rc = fail(p, cause);
                free(p);
                return rc;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
    return 0;
}
