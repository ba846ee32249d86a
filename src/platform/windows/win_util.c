/* win_util.c: small Win32 helpers shared by the Windows probes: wide to
 * UTF-8 and back (the probes use the wide -W APIs; results are UTF-8 like
 * everywhere else in tshoot), the system's text for an error code, and
 * snprintf wrappers that truncate quietly. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win_sys.h"

/* Writes W as UTF-8 into BUF, cutting on a character boundary. */
char *win_utf8(const wchar_t *w, char *buf, size_t len)
{
    if (!len)
        return buf;
    buf[0] = '\0';
    if (!w)
        return buf;
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)len, NULL, NULL);
    if (n > 0)
        return buf;
    /* Too long: convert the whole string, then cut before a continuation byte. */
    int need = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *tmp = need > 0 ? malloc((size_t)need) : NULL;
    if (!tmp)
        return buf;
    WideCharToMultiByte(CP_UTF8, 0, w, -1, tmp, need, NULL, NULL);
    size_t cut = len - 1;
    while (cut > 0 && ((unsigned char)tmp[cut] & 0xc0) == 0x80)
        cut--;
    memcpy(buf, tmp, cut);
    buf[cut] = '\0';
    free(tmp);
    return buf;
}

/* A malloc'd wide copy of UTF-8 S. */
wchar_t *win_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w)
        MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

/* The system's text for ERR (a Win32 error or an HRESULT), with its number. */
char *win_error_text(unsigned long err, char *buf, size_t len)
{
    wchar_t *msg = NULL;
    DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             NULL, (DWORD)err, 0, (LPWSTR)&msg, 0, NULL);
    char text[200] = "";
    if (n && msg) {
        win_utf8(msg, text, sizeof text);
        size_t l = strlen(text);
        while (l && (text[l - 1] == '\n' || text[l - 1] == '\r' || text[l - 1] == ' ' || text[l - 1] == '.'))
            text[--l] = '\0';
    }
    if (msg)
        LocalFree(msg);
    if (err > 0xffff)
        text_fmt(buf, len, "%s%s(0x%08lx)", text, *text ? " " : "", err);
    else
        text_fmt(buf, len, "%s%s(error %lu)", text, *text ? " " : "", err);
    return buf;
}

