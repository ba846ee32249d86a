/* diag.c: collects "file:line: message" problems for lint and the loader. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Starts an empty list for problems in PATH. */
void diag_init(struct diag *d, const char *path)
{
    memset(d, 0, sizeof *d);
    d->path = path;
}

/* Adds a problem at LINE, formatted like printf. */
void diag_add(struct diag *d, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char **m = realloc(d->msgs, cap * sizeof *m);
        if (!m)
            return;
        d->msgs = m;
        d->cap = cap;
    }
    char *s = NULL;
    int rc = line > 0 ? asprintf(&s, "%s:%d: %s", d->path, line, msg)
                      : asprintf(&s, "%s: %s", d->path, msg);
    if (rc >= 0)
        d->msgs[d->n++] = s;
}

/* Writes every problem to OUT, one a line. */
void diag_print(const struct diag *d, FILE *out)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(out, "%s\n", d->msgs[i]);
}

/* The first problem, with a hint when there are more (malloc'd; NULL if none). */
char *diag_first(const struct diag *d)
{
    char *s = NULL;
    if (d->n == 0)
        return NULL;
    if (d->n == 1)
        return strdup(d->msgs[0]);
    if (asprintf(&s, "%s (and %zu more: run tshoot lint)", d->msgs[0], d->n - 1) < 0)
        return NULL;
    return s;
}

/* Releases the list and its messages. */
void diag_free(struct diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    free(d->msgs);
    d->msgs = NULL;
    d->n = d->cap = 0;
}
