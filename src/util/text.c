/* text.c: bounded string formatting and the visible form (see text.h).
 * vsnprintf through a function of our own also keeps GCC's truncation
 * warnings, which target the snprintf builtin, off fields that are meant to be
 * cut. UTF-8 is checked as RFC 3629 section 4 defines it (no overlong form, no
 * surrogate, nothing above U+10FFFF). */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The length of the valid UTF-8 sequence of a non-ASCII character at S (LEN
 * bytes left), or 0 when the bytes are not one or encode a C1 control. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    size_t need;
    if (c >= 0xc2 && c <= 0xdf)
        need = 1;
    else if (c >= 0xe0 && c <= 0xef)
        need = 2;
    else if (c >= 0xf0 && c <= 0xf4)
        need = 3;
    else
        return 0;
    if (c == 0xe0)
        lo = 0xa0;        /* overlong */
    else if (c == 0xed)
        hi = 0x9f;        /* surrogates */
    else if (c == 0xf0)
        lo = 0x90;        /* overlong */
    else if (c == 0xf4)
        hi = 0x8f;        /* above U+10FFFF */
    if (len <= need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return c == 0xc2 && s[1] <= 0x9f ? 0 : need + 1;   /* U+0080-U+009F: C1 controls */
}

/* Writes the visible form of the character or byte at S (LEN > 0 bytes left)
 * into OUT; sets *ESCAPED when it had to be escaped. Returns the bytes used. */
static size_t visible_unit(const unsigned char *s, size_t len, int flags, char out[5], int *escaped)
{
    unsigned char c = s[0];
    size_t u = c >= 0x80 ? utf8_len(s, len) : (c >= 0x20 && c < 0x7f) || (c == '\n' && (flags & TEXT_KEEP_NL)) ||
                                              (c == '\t' && (flags & TEXT_KEEP_TAB));
    *escaped = u == 0;
    if (u == 0) {
        snprintf(out, 5, "\\x%02x", c);
        return 1;
    }
    memcpy(out, s, u);
    out[u] = 0;
    return u;
}

/* Writes the visible form of the LEN bytes at S into OUT of size N. */
char *text_visible_n(char *out, size_t n, const char *s, size_t len, int flags)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t used = 0;
    if (!n)
        return out;
    out[0] = 0;
    for (size_t i = 0; i < len; ) {
        char unit[5];
        int escaped;
        size_t k = visible_unit(p + i, len - i, flags, unit, &escaped);
        size_t w = strlen(unit);
        if (used + w >= n)
            break;
        memcpy(out + used, unit, w + 1);
        used += w;
        i += k;
    }
    return out;
}

/* The visible form of string S into OUT of size N, no control kept. */
const char *text_visible(char *out, size_t n, const char *s)
{
    s = s ? s : "";
    return text_visible_n(out, n, s, strlen(s), 0);
}

/* The visible form of the LEN bytes at S, malloc'd. */
char *text_visible_dup(const char *s, size_t len, int flags)
{
    char *out = malloc(TEXT_VISIBLE_SIZE(len));
    return out ? text_visible_n(out, TEXT_VISIBLE_SIZE(len), s, len, flags) : NULL;
}

/* The visible form of S in the next slot of V, no control kept. */
const char *text_vis(struct text_vis *v, const char *s)
{
    unsigned i = v->next++ % TEXT_VIS_SLOTS;
    s = s ? s : "";
    free(v->slot[i]);
    v->slot[i] = text_visible_dup(s, strlen(s), 0);
    return v->slot[i] ? v->slot[i] : "";
}

/* Releases the slots of V. */
void text_vis_free(struct text_vis *v)
{
    for (unsigned i = 0; i < TEXT_VIS_SLOTS; i++)
        free(v->slot[i]);
    memset(v, 0, sizeof *v);
}

/* Writes the visible form of the LEN bytes at S to F. */
void text_put_visible(FILE *f, const char *s, size_t len, int flags)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len; ) {
        char unit[5];
        int escaped;
        i += visible_unit(p + i, len - i, flags, unit, &escaped);
        fputs(unit, f);
    }
}

/* Whether string S holds anything the visible form would escape. */
int text_has_controls(const char *s, int flags)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len; ) {
        char unit[5];
        int escaped;
        i += visible_unit(p + i, len - i, flags, unit, &escaped);
        if (escaped)
            return 1;
    }
    return 0;
}
