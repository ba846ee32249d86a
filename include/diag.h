/* diag.h: a list of problems found in an input file, each "file:line: message",
 * collected so that all of them are shown at once (tmux's cfg_add_cause). */
#ifndef TSHOOT_DIAG_H
#define TSHOOT_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct diag {
    const char *path;
    char **msgs;
    size_t n, cap;
};

/* Starts an empty list for problems in PATH (not copied). */
void diag_init(struct diag *d, const char *path);

/* Adds a problem at LINE (0: the file as a whole). */
void diag_add(struct diag *d, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes every problem, one a line. */
void diag_print(const struct diag *d, FILE *out);

/* The first problem as a malloc'd string, with a count of the others. */
char *diag_first(const struct diag *d);

/* Releases the list. */
void diag_free(struct diag *d);

#endif
