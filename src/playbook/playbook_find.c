/* playbook_find.c: where playbooks live. An id is looked up as ID.ini in
 * ./playbooks, $XDG_DATA_HOME/tshoot/playbooks (default ~/.local/share) and
 * the installed PREFIX/share/tshoot/playbooks, in that order. */
#include "playbook.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini_scan.h"
#include "playbook_check.h"

#ifndef TSHOOT_DATADIR
#define TSHOOT_DATADIR "/usr/local/share/tshoot"
#endif

/* Writes the Nth search directory into OUT; returns 0 past the last one. */
static int search_dir(int n, char *out, size_t len)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    switch (n) {
    case 0:
        snprintf(out, len, "playbooks");
        return 1;
    case 1:
        if (xdg && *xdg)
            snprintf(out, len, "%s/tshoot/playbooks", xdg);
        else if (home && *home)
            snprintf(out, len, "%s/.local/share/tshoot/playbooks", home);
        else
            out[0] = 0;
        return 1;
    case 2:
        snprintf(out, len, "%s/playbooks", TSHOOT_DATADIR);
        return 1;
    default:
        return 0;
    }
}

/* Resolves an id or a path to a readable file path (malloc'd), or NULL with *cause. */
char *playbook_resolve(const char *id_or_path, char **cause)
{
    char dir[1024], path[1200];
    *cause = NULL;
    if (strchr(id_or_path, '/') || strstr(id_or_path, ".ini")) {
        if (access(id_or_path, R_OK) == 0)
            return strdup(id_or_path);
        if (asprintf(cause, "%s: %s", id_or_path, strerror(errno)) < 0)
            *cause = NULL;
        return NULL;
    }
    for (int i = 0; search_dir(i, dir, sizeof dir); i++) {
        if (!dir[0])
            continue;
        snprintf(path, sizeof path, "%s/%s.ini", dir, id_or_path);
        if (access(path, R_OK) == 0)
            return strdup(path);
    }
    if (asprintf(cause, "no playbook '%s' in ./playbooks, the user's or the installed playbooks "
                        "(tshoot playbooks lists them)", id_or_path) < 0)
        *cause = NULL;
    return NULL;
}

/* Orders file names alphabetically for scandir. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Keeps *.ini entries for scandir. */
static int is_ini(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 4 && !strcmp(e->d_name + n - 4, ".ini");
}

/* Calls FN for each playbook file in the search path, nearest first. */
void playbook_each_installed(void (*fn)(const char *dir, const char *file, void *arg), void *arg)
{
    char dir[1024];
    for (int i = 0; search_dir(i, dir, sizeof dir); i++) {
        struct dirent **list;
        if (!dir[0])
            continue;
        int n = scandir(dir, &list, is_ini, by_name);
        for (int j = 0; j < n; j++) {
            fn(dir, list[j]->d_name, arg);
            free(list[j]);
        }
        if (n >= 0)
            free(list);
    }
}

/* The user tshoot acts for: SUDO_UID when root runs it under sudo, else the real uid. */
static uid_t invoking_uid(void)
{
    const char *sudo = getenv("SUDO_UID");
    uid_t uid = getuid();
    if (uid != 0 || !sudo || !*sudo || strlen(sudo) > 9 || strspn(sudo, "0123456789") != strlen(sudo))
        return uid;
    return (uid_t)strtoul(sudo, NULL, 10);
}

/* Whether ST could have been written by someone other than root and USER; if
 * so, WHY (N bytes) says how and what to do. A sticky directory of root's that
 * all can write (like /tmp) passes: the sticky bit keeps others from replacing
 * entries they do not own, and the entry below it is checked. */
static int unsafe(const struct stat *st, int is_dir, uid_t user, char *why, size_t n)
{
    if (!is_dir && !S_ISREG(st->st_mode))
        snprintf(why, n, "is not a regular file");
    else if (st->st_uid != 0 && st->st_uid != user)
        snprintf(why, n, "belongs to uid %u, neither root nor uid %u (chown it)",
                 (unsigned)st->st_uid, (unsigned)user);
    else if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(is_dir && (st->st_mode & S_ISVTX) && st->st_uid == 0))
        snprintf(why, n, "can be written by other users (chmod go-w)");
    else
        return 0;
    return 1;
}

/* Adds to D that the directory held by FD is unsafe for WHY, naming it. */
static void refuse_dir(struct diag *d, int fd, const char *why)
{
    char link[64], name[1024];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, name, sizeof name - 1);
    name[n > 0 ? n : 0] = 0;
    diag_add(d, 0, "refused: its directory %s %s", n > 0 ? name : "(a parent)", why);
}

/* Checks the directory held by DIRFD and every one above it, up to the root, by
 * fstat of each ".." it opens (so a path flipped meanwhile changes nothing). */
static int check_dirs(int dirfd, uid_t user, struct diag *d)
{
    int fd = dup(dirfd);
    for (int depth = 0; fd >= 0 && depth < 256; depth++) {
        struct stat st, up;
        char why[128];
        if (fstat(fd, &st) < 0)
            break;
        if (unsafe(&st, 1, user, why, sizeof why)) {
            refuse_dir(d, fd, why);
            close(fd);
            return -1;
        }
        int parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0 || fstat(parent, &up) < 0) {
            if (parent >= 0)
                close(parent);
            break;
        }
        close(fd);
        fd = parent;
        if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) {
            close(fd);
            return 0;   /* the root */
        }
    }
    if (fd >= 0)
        close(fd);
    diag_add(d, 0, "refused: cannot check the directories above it");
    return -1;
}

/* Opens PATH's directory, then the file in it without following a link. */
static int open_nofollow(const char *path, int *dirfd)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    *dirfd = dir ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    free(dir);
    if (*dirfd < 0)
        return -1;
    return openat(*dirfd, slash ? slash + 1 : path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
}

/* Reads FD to its end, INI_SCAN_MAX_BYTES + 1 bytes at most (one more tells a
 * file too large); the text is NUL-terminated. 0, or -1 with errno. */
static int read_all(int fd, char **data, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf && n <= INI_SCAN_MAX_BYTES) {
        if (n == cap) {
            cap = cap * 2 > INI_SCAN_MAX_BYTES + 1 ? INI_SCAN_MAX_BYTES + 1 : cap * 2;
            char *g = realloc(buf, cap + 1);
            if (!g)
                break;
            buf = g;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got == 0) {
                buf[n] = 0;
                *data = buf;
                *len = n;
                return 0;
            }
            break;
        }
        n += (size_t)got;
    }
    if (buf && n > INI_SCAN_MAX_BYTES) {
        buf[n] = 0;
        *data = buf;
        *len = n;
        return 0;
    }
    int e = buf ? errno : ENOMEM;
    free(buf);
    errno = e;
    return -1;
}

/* Reads PATH once, refusing it (as ssh does with its own files) unless the file
 * and every directory above it belong to root or the invoking user and no one
 * else can write them. 0 with *data (malloc'd, NUL-terminated) and *len; -1 when
 * it cannot be read, -2 when refused; the reason is added to D either way. */
int playbook_read(const char *path, char **data, size_t *len, struct diag *d)
{
    uid_t user = invoking_uid();
    struct stat st;
    char why[128];
    int dirfd, rc = -1;
    *data = NULL;
    *len = 0;
    int fd = open_nofollow(path, &dirfd);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP) {
            diag_add(d, 0, "refused: it is a symbolic link (give the file's real path)");
            rc = -2;
        } else {
            diag_add(d, 0, "%s", strerror(e));
        }
    } else if (fstat(fd, &st) < 0) {
        diag_add(d, 0, "%s", strerror(errno));
    } else if (unsafe(&st, 0, user, why, sizeof why)) {
        diag_add(d, 0, "refused: the file %s", why);
        rc = -2;
    } else if (check_dirs(dirfd, user, d) < 0) {
        rc = -2;
    } else if (read_all(fd, data, len) < 0) {
        diag_add(d, 0, "cannot read: %s", strerror(errno));
    } else {
        rc = 0;
    }
    if (fd >= 0)
        close(fd);
    if (dirfd >= 0)
        close(dirfd);
    return rc;
}
