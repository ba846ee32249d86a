/* ini_scan.h: a line-by-line reading of an INI file that keeps what iniparser
 * drops: the line of every section and key, their order, duplicates, and the
 * lines iniparser would refuse or cut. The values themselves come from
 * iniparser (playbook.c); this index only says where things are. */
#ifndef TSHOOT_INI_SCAN_H
#define TSHOOT_INI_SCAN_H

#include <stddef.h>

#include "diag.h"

#define INI_SCAN_MAX_BYTES (1024 * 1024)  /* larger files are refused */
#define INI_SCAN_MAX_KEYS 5000            /* the index is searched linearly */
#define INI_SCAN_MAX_LINE 1023            /* iniparser 4.1's limit, continuations joined */

struct ini_key {
    char *section;   /* lower case, "" outside any section */
    char *key;       /* lower case, as iniparser stores it */
    int line;
};

struct ini_section {
    char *name;      /* lower case */
    int line;
};

struct ini_scan {
    struct ini_key *keys;
    size_t nkeys;
    struct ini_section *sections;
    size_t nsections;
    int syntax_errors;   /* problems that make iniparser refuse the file */
};

/* Indexes the N bytes of TEXT (NUL-terminated after them), adding every
 * problem to D. Returns 0, or -1 when the text cannot be used at all (too
 * large, binary). */
int ini_scan_text(const char *text, size_t n, struct ini_scan *scan, struct diag *d);

/* The line of KEY in SECTION, or 0. */
int ini_scan_key_line(const struct ini_scan *scan, const char *section, const char *key);

/* The line of SECTION's header, or 0. */
int ini_scan_section_line(const struct ini_scan *scan, const char *section);

/* Releases the index. */
void ini_scan_free(struct ini_scan *scan);

#endif
