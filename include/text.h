/* text.h: bounded string formatting for fixed-size result fields, and the one
 * sanitizer every string from the system, packets, playbooks or files goes
 * through before it reaches a terminal, a report or the clipboard. Formatting
 * cuts quietly at the buffer's size (the probes' summaries and details are
 * fixed arrays; a cut sentence beats a failed check).
 *
 * The visible form: valid UTF-8 text passes unchanged (accents, French); C0
 * controls, DEL, C1 controls (U+0080-U+009F, UTF-8 encoded or as raw bytes)
 * and every byte that is not part of valid UTF-8 (overlong forms, surrogates,
 * a sequence cut short) become \xNN, one per byte, so that nothing written
 * can drive a terminal (ESC [ ..., OSC 52, BEL). */
#ifndef TSHOOT_TEXT_H
#define TSHOOT_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* The printf dialect for format checks: MinGW's stdio names its own
 * (gnu_printf with __USE_MINGW_ANSI_STDIO: C99, %zu included). */
#ifdef __MINGW_PRINTF_FORMAT
#define TEXT_PRINTF(f, a) __attribute__((format(__MINGW_PRINTF_FORMAT, f, a)))
#else
#define TEXT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

/* snprintf into BUF of size LEN, cut quietly. */
void text_fmt(char *buf, size_t len, const char *fmt, ...) TEXT_PRINTF(3, 4);

/* Appends formatted text to the string in BUF of size LEN, cut quietly. */
void text_append(char *buf, size_t len, const char *fmt, ...) TEXT_PRINTF(3, 4);

/* Copies S (NULL: "") into D of size N, cut quietly. */
void text_copy(char *d, size_t n, const char *s);

/* Flags of the visible form: controls that the caller's format uses. */
#define TEXT_KEEP_NL  1   /* '\n' passes (a report's lines, a playbook's paragraphs) */
#define TEXT_KEEP_TAB 2   /* '\t' passes */

/* Writes the visible form of the LEN bytes at S into OUT of size N, cut
 * before an escape or a character that would not fit; returns OUT. */
char *text_visible_n(char *out, size_t n, const char *s, size_t len, int flags);

/* The visible form of string S (NULL: "") into OUT of size N, no control
 * kept; returns OUT, to use as a printf argument. */
const char *text_visible(char *out, size_t n, const char *s);

/* The visible form of the LEN bytes at S, malloc'd (NULL when out of memory). */
char *text_visible_dup(const char *s, size_t len, int flags);

/* Writes the visible form of the LEN bytes at S to F. */
void text_put_visible(FILE *f, const char *s, size_t len, int flags);

/* Whether string S holds anything the visible form would escape (a control
 * with FLAGS not keeping it, or bytes that are not UTF-8). */
int text_has_controls(const char *s, int flags);

/* Visible forms for the arguments of one printf: each call of text_vis()
 * takes the next of the slots (the oldest is released), so one call of printf
 * may use up to TEXT_VIS_SLOTS of them. Zero it before use. */
#define TEXT_VIS_SLOTS 8
struct text_vis {
    char *slot[TEXT_VIS_SLOTS];
    unsigned next;
};

/* The visible form of S (NULL: ""), no control kept, valid until
 * TEXT_VIS_SLOTS more calls or text_vis_free(); "" when out of memory. */
const char *text_vis(struct text_vis *v, const char *s);

/* Releases the slots of V. */
void text_vis_free(struct text_vis *v);

/* Room for the visible form of a field of N bytes (each byte at most \xNN). */
#define TEXT_VISIBLE_SIZE(n) (4 * (n) + 1)

#endif
