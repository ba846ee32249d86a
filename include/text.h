/* text.h: bounded string formatting for fixed-size result fields. Each cuts
 * quietly at the buffer's size (the probes' summaries and details are fixed
 * arrays; a cut sentence beats a failed check). */
#ifndef TSHOOT_TEXT_H
#define TSHOOT_TEXT_H

#include <stddef.h>

/* MinGW's stdio (with __USE_MINGW_ANSI_STDIO) follows C99, %zu included. */
#if defined(__MINGW32__)
#define TEXT_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define TEXT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

/* snprintf into BUF of size LEN, cut quietly. */
void text_fmt(char *buf, size_t len, const char *fmt, ...) TEXT_PRINTF(3, 4);

/* Appends formatted text to the string in BUF of size LEN, cut quietly. */
void text_append(char *buf, size_t len, const char *fmt, ...) TEXT_PRINTF(3, 4);

/* Copies S (NULL: "") into D of size N, cut quietly. */
void text_copy(char *d, size_t n, const char *s);

#endif
