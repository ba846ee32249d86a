/* playbook_check.h: the rules a playbook file must follow, shared by the loader
 * (which refuses a file that breaks any) and `tshoot lint` (which lists them all). */
#ifndef TSHOOT_PLAYBOOK_CHECK_H
#define TSHOOT_PLAYBOOK_CHECK_H

#include <dictionary.h>

#include "diag.h"
#include "ini_scan.h"

/* What kind of section a name is. */
enum pb_section { PB_SEC_UNKNOWN, PB_SEC_PLAYBOOK, PB_SEC_VARS, PB_SEC_SCENARIO, PB_SEC_STEP };

/* Classifies a section name; sets *scenario and *step from "scenario.N.step.M". */
enum pb_section playbook_section_kind(const char *name, int *scenario, int *step);

/* Reads PATH once, refusing it (a problem in D naming why) unless the file and
 * every directory above it belong to root or the invoking user (SUDO_UID under
 * sudo) and no one else can write them; the last component is never followed
 * as a link. 0 with *data (malloc'd, NUL-terminated, INI_SCAN_MAX_BYTES + 1
 * bytes at most) and *len; -1 when it cannot be read; -2 when refused. */
int playbook_read(const char *path, char **data, size_t *len, struct diag *d);

/* Scans, parses (iniparser: *dict, NULL when it refuses them) and checks the N
 * bytes of TEXT, problems in D; free *dict and SCAN in any case. */
void playbook_parse_text(const char *text, size_t n, struct ini_scan *scan, dictionary **dict, struct diag *d);

/* Reads PATH once with playbook_read and checks those bytes: scanned, parsed by
 * iniparser (*dict, NULL when it refuses them) and checked, problems in D.
 * Returns -1 when the file cannot be read, else 0; free both in any case. */
int playbook_parse(const char *path, struct ini_scan *scan, dictionary **dict, struct diag *d);

/* Adds to D every rule that the scanned and parsed file breaks. */
void playbook_check(const struct ini_scan *scan, const dictionary *dict, struct diag *d);

/* Adds to D each [vars] entry that refers to itself, nests more than
 * PLAYBOOK_VAR_DEPTH deep or expands beyond PLAYBOOK_VAR_MAX bytes, and a file
 * whose values take more than PLAYBOOK_EXPAND_WORK to expand (playbook.c). */
void playbook_check_expansion(const struct ini_scan *scan, const dictionary *dict, struct diag *d);

/* Splits "key[ll]" into its base (copied into BASE) and language (LANG, "" if none). */
void playbook_split_key(const char *key, char *base, size_t nbase, char *lang, size_t nlang);

#endif
