/* atomic_file.c: whole-or-nothing file replacement that never follows a
 * symlink (see atomic_file.h) and mkdir -p. */
#include "atomic_file.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_TRIES 64

/* Sets *cause to "PATH: strerror(errno)" and returns -1. */
static int fail(const char *path, char **cause)
{
    if (asprintf(cause, "%s: %s", path, strerror(errno)) < 0)
        *cause = NULL;
    return -1;
}

/* Opens the directory holding PATH (refusing a symlink as its last part) and
 * points *NAME at PATH's last part. Returns the descriptor, or -1 with errno. */
static int open_parent(const char *path, const char **name)
{
    const char *slash = strrchr(path, '/');
    *name = slash ? slash + 1 : path;
    if (!**name) {
        errno = EISDIR;
        return -1;
    }
    if (!slash)
        return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
    if (!dir)
        return -1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    free(dir);
    return dfd;
}

/* Creates a new temporary file for NAME in DFD (O_EXCL|O_NOFOLLOW, 0600, owned
 * by this process's fs identity); its name goes to TMP. Returns the descriptor
 * or -1 with errno. */
static int create_tmp(int dfd, const char *name, char *tmp, size_t len)
{
    for (int i = 0; i < TMP_TRIES; i++) {
        uint32_t r;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
            r = (uint32_t)time(NULL) ^ (uint32_t)getpid() ^ (uint32_t)i * 2654435761u;
        if (snprintf(tmp, len, "%.200s.tmp.%08x", name, r) >= (int)len) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            /* the mode whatever the umask, the owner whatever the directory's setgid bit */
            if (fchmod(fd, 0600) == 0 && fchown(fd, geteuid(), getegid()) == 0)
                return fd;
            int e = errno;
            close(fd);
            unlinkat(dfd, tmp, 0);
            errno = e;
            return -1;
        }
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

/* Makes a new file at PATH holding DATA (N bytes) and renames it into place;
 * with KEEP, the descriptor stays open and is returned, else 0. -1 with *cause. */
static int replace(const char *path, const char *data, size_t n, int keep, char **cause)
{
    const char *name;
    char tmp[256];
    *cause = NULL;
    int dfd = open_parent(path, &name);
    if (dfd < 0)
        return fail(path, cause);
    int fd = create_tmp(dfd, name, tmp, sizeof tmp);
    if (fd < 0) {
        int rc = fail(path, cause);
        close(dfd);
        return rc;
    }
    if (util_write_full(fd, data, n) < 0 || fsync(fd) < 0 || renameat(dfd, tmp, dfd, name) < 0) {
        int rc = fail(path, cause);
        close(fd);
        unlinkat(dfd, tmp, 0);
        close(dfd);
        return rc;
    }
    fsync(dfd);
    close(dfd);
    if (keep)
        return fd;
    return close(fd) < 0 ? fail(path, cause) : 0;
}

/* Replaces PATH with the N bytes of DATA. */
int atomic_file_write(const char *path, const char *data, size_t n, char **cause)
{
    return replace(path, data, n, 0, cause);
}

/* Creates PATH as a new empty file and returns its descriptor. */
int atomic_file_create(const char *path, char **cause)
{
    return replace(path, "", 0, 1, cause);
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
