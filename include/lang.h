/* lang.h: which language the wizard speaks. */
#ifndef TSHOOT_LANG_H
#define TSHOOT_LANG_H

#include <stddef.h>

/* Writes the language code to use into OUT: OPT when given, else the first of
 * LC_ALL, LC_MESSAGES and LANG that is set, else "en" ("C" and "POSIX" mean "en"). */
void lang_pick(const char *opt, char *out, size_t n);

#endif
