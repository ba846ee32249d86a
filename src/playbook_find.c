/* playbook_find.c: where playbooks live. An id is looked up as ID.ini in
 * ./playbooks, $XDG_DATA_HOME/tshoot/playbooks (default ~/.local/share) and
 * the installed PREFIX/share/tshoot/playbooks, in that order. */
#include "playbook.h"

#include <dirent.h>
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
