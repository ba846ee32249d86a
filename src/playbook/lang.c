/* lang.c: picks the language from --lang or the locale variables, the way
 * gettext reads them (LC_ALL, then LC_MESSAGES, then LANG). */
#include "lang.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes the language code to use (like "fr") into OUT. */
void lang_pick(const char *opt, char *out, size_t n)
{
    static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    const char *v = opt;
    for (size_t i = 0; (!v || !*v) && i < 3; i++)
        v = getenv(vars[i]);
    if (!v || !*v || !strcmp(v, "C") || !strcmp(v, "POSIX") || !strncmp(v, "C.", 2))
        v = "en";
    size_t len = strcspn(v, "_.@");
    if (len == 0 || len >= n)
        len = 0;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)v[i]);
    out[len] = 0;
    if (!len)
        snprintf(out, n, "en");
}
