/* playbook_find.c: where playbooks live. An id is looked up as ID.ini in
 * ./playbooks, $XDG_DATA_HOME/tshoot/playbooks (default ~/.local/share) and
 * the installed PREFIX/share/tshoot/playbooks, in that order. */
#include "playbook.h"

#include <dirent.h>
#include <libgen.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Whether ST belongs to root or to this user and no one else can write it
 * (a directory with the sticky bit, like /tmp, only guards its own files). */
static const char *unsafe_reason(const struct stat *st, int is_dir)
{
    if (st->st_uid != 0 && st->st_uid != geteuid())
        return "belongs to another user";
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(is_dir && (st->st_mode & S_ISVTX)))
        return "can be written by other users";
    return NULL;
}

/* Refuses a playbook that others could have changed, as ssh does with its files. */
int playbook_check_perms(const char *path, char **cause)
{
    struct stat st;
    const char *why;
    *cause = NULL;
    if (stat(path, &st) < 0) {
        if (asprintf(cause, "%s: %s", path, strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
    if ((why = unsafe_reason(&st, 0))) {
        if (asprintf(cause, "%s: refused: the file %s (chmod go-w, or chown it)", path, why) < 0)
            *cause = NULL;
        return -1;
    }
    char *copy = strdup(path);
    const char *dir = copy ? dirname(copy) : ".";
    if (stat(dir, &st) == 0 && (why = unsafe_reason(&st, 1))) {
        if (asprintf(cause, "%s: refused: its directory %s %s", path, dir, why) < 0)
            *cause = NULL;
        free(copy);
        return -1;
    }
    free(copy);
    return 0;
}
