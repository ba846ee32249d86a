/* text.c: bounded string formatting (see text.h). vsnprintf through a
 * function of our own also keeps GCC's truncation warnings, which target the
 * snprintf builtin, off fields that are meant to be cut. */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* snprintf into BUF of size LEN, cut quietly. */
void text_fmt(char *buf, size_t len, const char *fmt, ...)
{
    if (!len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* Appends formatted text to the string in BUF of size LEN, cut quietly. */
void text_append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strnlen(buf, len);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/* Copies S into D of size N, cut quietly. */
void text_copy(char *d, size_t n, const char *s)
{
    text_fmt(d, n, "%s", s ? s : "");
}
