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

/* Reads PATH with iniparser, its errors captured instead of printed.
 * Returns NULL with a problem added to D when iniparser refuses the file. */
dictionary *playbook_ini_load(const char *path, struct diag *d);

/* Adds to D every rule that the scanned and parsed file breaks. */
void playbook_check(const struct ini_scan *scan, const dictionary *dict, struct diag *d);

/* Splits "key[ll]" into its base (copied into BASE) and language (LANG, "" if none). */
void playbook_split_key(const char *key, char *base, size_t nbase, char *lang, size_t nlang);

#endif
