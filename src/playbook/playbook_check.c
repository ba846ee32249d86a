/* playbook_check.c: every rule of the playbook format (playbooks/README.md),
 * checked on the scanned lines and iniparser's values. The loader refuses a
 * file with any problem; lint prints them all. */
#include "playbook_check.h"

#include <ctype.h>
#include <errno.h>
#include <iniparser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "playbook.h"

static const char *const playbook_keys[] = {
    "id", "title", "protocol", "ports", "version", "source", "language", "intro",
    "service.windows", "service.linux", "service.macos",
    "process.windows", "process.linux", "process.macos", NULL };
static const char *const scenario_keys[] = { "title", "summary", "verdicts", NULL };
static const char *const step_keys[] = {
    "title", "body", "note", "warning", "check",
    "cmd.N.platform", "cmd.N.label", "cmd.N.run", NULL };
static const char *const translatable[] = {
    "title", "intro", "summary", "body", "note", "warning", "cmd.N.label", NULL };
static const char *const section_forms[] = {
    "playbook", "vars", "scenario.N", "scenario.N.step.N", NULL };
static const char *const verdict_codes[] = {
    "syn_no_synack", "unreachable", "refused", "synack_no_ack", "path_drop",
    "return_path_drop", "handshake_ok", "no_syn", NULL };
static const char *const builtin_vars[] = {
    "port", "ports", "protocol", "id", "service", "process",
    "service.windows", "service.linux", "service.macos",
    "process.windows", "process.linux", "process.macos", NULL };

/* Reads a positive decimal number from *S, advancing it; -1 if there is none. */
static long read_number(const char **s)
{
    if (!isdigit((unsigned char)**s))
        return -1;
    long n = 0;
    while (isdigit((unsigned char)**s) && n < 1000000)
        n = n * 10 + (*(*s)++ - '0');
    return n;
}

/* Classifies a section name; sets *scenario and *step from "scenario.N.step.M". */
enum pb_section playbook_section_kind(const char *name, int *scenario, int *step)
{
    *scenario = *step = 0;
    if (!strcmp(name, "playbook"))
        return PB_SEC_PLAYBOOK;
    if (!strcmp(name, "vars"))
        return PB_SEC_VARS;
    if (strncmp(name, "scenario.", 9))
        return PB_SEC_UNKNOWN;
    const char *p = name + 9;
    long n = read_number(&p);
    if (n < 1)
        return PB_SEC_UNKNOWN;
    *scenario = (int)n;
    if (!*p)
        return PB_SEC_SCENARIO;
    if (strncmp(p, ".step.", 6))
        return PB_SEC_UNKNOWN;
    p += 6;
    long m = read_number(&p);
    if (m < 1 || *p)
        return PB_SEC_UNKNOWN;
    *step = (int)m;
    return PB_SEC_STEP;
}

/* Splits "key[ll]" into its base and its language ("" if none). */
void playbook_split_key(const char *key, char *base, size_t nbase, char *lang, size_t nlang)
{
    const char *br = strchr(key, '[');
    size_t n = strlen(key);
    lang[0] = 0;
    if (br && n && key[n - 1] == ']') {
        snprintf(base, nbase, "%.*s", (int)(br - key), key);
        snprintf(lang, nlang, "%.*s", (int)(n - 2 - (size_t)(br - key)), br + 1);
    } else {
        snprintf(base, nbase, "%s", key);
    }
}

/* Replaces the number in "cmd.K.field" by N, so that it compares with the list. */
static void generic_key(const char *base, char *out, size_t nout, int *k)
{
    *k = 0;
    const char *p = base + 4;
    if (strncmp(base, "cmd.", 4) || !isdigit((unsigned char)*p)) {
        snprintf(out, nout, "%s", base);
        return;
    }
    *k = (int)read_number(&p);
    snprintf(out, nout, "cmd.N%s", p);
}

/* Whether WORD is in the NULL-terminated LIST. */
static int in_list(const char *word, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(word, *list))
            return 1;
    return 0;
}

/* The edit distance between A and B (small strings only). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The entry of LIST closest to WORD when it is close enough to be a typo, or NULL. */
static const char *closest(const char *word, const char *const *list)
{
    const char *best = NULL;
    size_t bestd = 3;
    for (; *list; list++) {
        size_t d = edit_distance(word, *list);
        if (d < bestd) {
            bestd = d;
            best = *list;
        }
    }
    return best;
}

/* Adds an "unknown ..." problem with a did-you-mean when one is close. */
static void unknown(struct diag *d, int line, const char *what, const char *word,
                    const char *const *list)
{
    const char *hint = closest(word, list);
    if (hint)
        diag_add(d, line, "unknown %s '%s' (did you mean '%s'?)", what, word, hint);
    else
        diag_add(d, line, "unknown %s '%s'", what, word);
}

/* The value of SECTION:KEY from iniparser, or NULL (never dereferenced when absent). */
static const char *value_of(const dictionary *dict, const char *section, const char *key)
{
    char full[512];
    snprintf(full, sizeof full, "%s:%s", section, key);
    return iniparser_getstring(dict, full, NULL);
}

/* Whether LANG looks like a language code: "fr", "de", "pt-br". */
static int valid_lang(const char *lang)
{
    size_t n = 0;
    while (islower((unsigned char)lang[n]))
        n++;
    if (n < 2 || n > 3)
        return 0;
    if (!lang[n])
        return 1;
    if (lang[n] != '-')
        return 0;
    const char *r = lang + n + 1;
    size_t m = 0;
    while (isalnum((unsigned char)r[m]))
        m++;
    return m >= 2 && !r[m];
}

/* Languages used anywhere in the file, as a list of up to 16 codes. */
struct langs {
    char code[16][64];
    size_t n;
};

/* Adds LANG to the set if new. */
static void langs_add(struct langs *ls, const char *lang)
{
    for (size_t i = 0; i < ls->n; i++)
        if (!strcmp(ls->code[i], lang))
            return;
    if (ls->n < 16)
        snprintf(ls->code[ls->n++], sizeof ls->code[0], "%s", lang);
}

/* Checks one key of a section of kind KIND: known name, translation allowed. */
static void check_key(const struct ini_key *k, enum pb_section kind, struct langs *ls,
                      struct diag *d)
{
    char base[256], lang[64], generic[256];
    int cmdno;
    playbook_split_key(k->key, base, sizeof base, lang, sizeof lang);
    generic_key(base, generic, sizeof generic, &cmdno);
    const char *const *list = kind == PB_SEC_PLAYBOOK ? playbook_keys
                            : kind == PB_SEC_SCENARIO ? scenario_keys : step_keys;
    if (!in_list(generic, list)) {
        unknown(d, k->line, "key", base, list);
        return;
    }
    if (!strncmp(generic, "cmd.N", 5) && cmdno < 1)
        diag_add(d, k->line, "commands are numbered from 1: '%s'", base);
    if (!lang[0])
        return;
    if (!in_list(generic, translatable))
        diag_add(d, k->line, "'%s' is not a text and cannot be translated", base);
    else if (!valid_lang(lang))
        diag_add(d, k->line, "'%s' is not a language code (like fr or pt-br)", lang);
    else
        langs_add(ls, lang);
}

/* Checks every ${name} in VALUE against the built-ins and [vars]. */
static void check_vars(const char *value, int line, const struct ini_scan *scan,
                       struct diag *d)
{
    for (const char *p = value; (p = strchr(p, '$')); ) {
        if (p[1] == '$') {
            p += 2;
            continue;
        }
        if (p[1] != '{') {
            p++;
            continue;
        }
        const char *close = strchr(p + 2, '}');
        if (!close) {
            diag_add(d, line, "'${' without a closing '}'");
            return;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(close - p - 2), p + 2);
        for (char *c = name; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        if (!in_list(name, builtin_vars) && !ini_scan_key_line(scan, "vars", name))
            diag_add(d, line, "undefined variable ${%s}", name);
        p = close + 1;
    }
}

/* Checks the value of one key (BASE with command numbers as N): ports, check
 * names, platforms, verdicts, ids. */
static void check_value(const char *base, const char *value, int line, struct diag *d)
{
    if (!strcmp(base, "ports")) {
        const char *p = value;
        int count = 0;
        for (;;) {
            while (*p == ' ')
                p++;
            long port = read_number(&p);
            if (port < 1 || port > 65535) {
                diag_add(d, line, "ports: '%s' is not a list of TCP ports (1-65535)", value);
                return;
            }
            if (++count > PLAYBOOK_MAX_PORTS) {
                diag_add(d, line, "ports: at most %d ports", PLAYBOOK_MAX_PORTS);
                return;
            }
            while (*p == ' ')
                p++;
            if (!*p)
                return;
            if (*p++ != ',') {
                diag_add(d, line, "ports: '%s' is not a list of TCP ports (1-65535)", value);
                return;
            }
        }
    }
    if (!strcmp(base, "check")) {
        const char *checks[CHECK_NSTEPS + 1];
        playbook_check_names(checks);
        if (!in_list(value, checks))
            unknown(d, line, "check", value, checks);
    } else if (!strcmp(base, "cmd.N.platform")) {
        static const char *const platforms[] = { "cmd", "powershell", "linux", "macos", NULL };
        if (!in_list(value, platforms))
            unknown(d, line, "platform", value, platforms);
    } else if (!strcmp(base, "verdicts")) {
        char *copy = strdup(value);
        for (char *save = NULL, *tok = copy ? strtok_r(copy, ", ", &save) : NULL; tok;
             tok = strtok_r(NULL, ", ", &save))
            if (!in_list(tok, verdict_codes))
                unknown(d, line, "verdict code", tok, verdict_codes);
        free(copy);
    } else if (!strcmp(base, "id")) {
        if (!value[0] || strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(value))
            diag_add(d, line, "id: '%s' may hold only a-z, 0-9 and '-'", value);
    } else if (!strcmp(base, "language") && !valid_lang(value)) {
        diag_add(d, line, "language: '%s' is not a language code (like en or fr)", value);
    }
}

/* Reports keys missing from SECTION (of the NULL-terminated REQUIRED list). */
static void check_required(const struct ini_scan *scan, const char *section, int line,
                           const char *const *required, struct diag *d)
{
    for (; *required; required++)
        if (!ini_scan_key_line(scan, section, *required))
            diag_add(d, line, "[%s] has no '%s'", section, *required);
}

/* Checks one step's commands: numbered 1..n, each with platform, label and run. */
static void check_commands(const struct ini_scan *scan, const char *section, struct diag *d)
{
    static const char *const fields[] = { "platform", "label", "run" };
    int k = 1;
    for (;; k++) {
        char key[64];
        int line = 0, any = 0;
        for (size_t f = 0; f < 3; f++) {
            snprintf(key, sizeof key, "cmd.%d.%s", k, fields[f]);
            int l = ini_scan_key_line(scan, section, key);
            any |= l != 0;
            if (l && !line)
                line = l;
        }
        if (!any)
            break;
        for (size_t f = 0; f < 3; f++) {
            snprintf(key, sizeof key, "cmd.%d.%s", k, fields[f]);
            if (!ini_scan_key_line(scan, section, key))
                diag_add(d, line, "command %d has no '%s'", k, fields[f]);
        }
    }
    /* a number past a gap is out of order */
    for (size_t i = 0; i < scan->nkeys; i++) {
        int kk;
        char generic[256], base[256], lang[64];
        if (strcmp(scan->keys[i].section, section))
            continue;
        playbook_split_key(scan->keys[i].key, base, sizeof base, lang, sizeof lang);
        generic_key(base, generic, sizeof generic, &kk);
        if (kk > k)
            diag_add(d, scan->keys[i].line, "command %d comes after a gap: number commands 1, 2, 3...", kk);
    }
}

/* Reports a translatable key that lacks a language the file provides elsewhere. */
static void check_translations(const struct ini_scan *scan, const struct langs *ls,
                               const char *deflang, struct diag *d)
{
    for (size_t i = 0; i < scan->nkeys; i++) {
        const struct ini_key *k = &scan->keys[i];
        char base[256], lang[64], generic[256], want[320];
        int cmdno;
        playbook_split_key(k->key, base, sizeof base, lang, sizeof lang);
        generic_key(base, generic, sizeof generic, &cmdno);
        if (!in_list(generic, translatable) || !strcmp(k->section, "vars"))
            continue;
        if (lang[0]) {
            if (strcmp(lang, deflang) && !ini_scan_key_line(scan, k->section, base))
                diag_add(d, k->line, "'%s' has no text in the file's own language (%s)",
                         k->key, deflang);
            continue;
        }
        for (size_t l = 0; l < ls->n; l++) {
            if (!strcmp(ls->code[l], deflang))
                continue;
            snprintf(want, sizeof want, "%s[%s]", base, ls->code[l]);
            if (!ini_scan_key_line(scan, k->section, want))
                diag_add(d, k->line, "[%s] '%s' has no [%s] text", k->section, base,
                         ls->code[l]);
        }
    }
}

/* Checks section names and the numbering of scenarios and steps in file order. */
static void check_sections(const struct ini_scan *scan, struct diag *d)
{
    int nscen = 0, laststep[256] = { 0 };
    int have_playbook = 0;
    for (size_t i = 0; i < scan->nsections; i++) {
        const struct ini_section *s = &scan->sections[i];
        int sc, st;
        enum pb_section kind = playbook_section_kind(s->name, &sc, &st);
        if (i > 0 && ini_scan_section_line(scan, s->name) != s->line)
            continue;  /* a duplicate, already reported */
        switch (kind) {
        case PB_SEC_UNKNOWN: {
            char generic[256];
            snprintf(generic, sizeof generic, "%s", s->name);
            for (char *p = generic; *p; p++)
                if (isdigit((unsigned char)*p)) {
                    *p = 'N';
                    memmove(p + 1, p + 1 + strspn(p + 1, "0123456789"),
                            strlen(p + 1 + strspn(p + 1, "0123456789")) + 1);
                }
            const char *hint = closest(generic, section_forms);
            if (hint)
                diag_add(d, s->line, "unknown section [%s] (did you mean [%s]?)", s->name, hint);
            else
                diag_add(d, s->line, "unknown section [%s]", s->name);
            break;
        }
        case PB_SEC_PLAYBOOK:
            have_playbook = 1;
            check_required(scan, s->name, s->line,
                           (const char *const[]){ "id", "title", "protocol", "ports", "version", NULL }, d);
            break;
        case PB_SEC_VARS:
            break;
        case PB_SEC_SCENARIO:
            if (sc != nscen + 1)
                diag_add(d, s->line, "scenario %d out of order: expected scenario %d", sc, nscen + 1);
            if (sc > nscen)
                nscen = sc;
            check_required(scan, s->name, s->line,
                           (const char *const[]){ "title", "summary", NULL }, d);
            break;
        case PB_SEC_STEP:
            if (sc > nscen || sc > 255)
                diag_add(d, s->line, "step of scenario %d, which has no [scenario.%d] before it", sc, sc);
            else if (st != laststep[sc] + 1)
                diag_add(d, s->line, "step %d of scenario %d out of order: expected step %d", st, sc,
                         laststep[sc] + 1);
            if (sc <= 255 && st > laststep[sc])
                laststep[sc] = st;
            check_required(scan, s->name, s->line,
                           (const char *const[]){ "title", "body", NULL }, d);
            check_commands(scan, s->name, d);
            break;
        }
    }
    if (!have_playbook)
        diag_add(d, 1, "no [playbook] section");
    if (have_playbook && nscen == 0)
        diag_add(d, 0, "no [scenario.1] section: a playbook needs at least one scenario");
    for (int sc = 1; sc <= nscen && sc < 256; sc++) {
        char name[32];
        snprintf(name, sizeof name, "scenario.%d", sc);
        if (laststep[sc] == 0)
            diag_add(d, ini_scan_section_line(scan, name), "scenario %d has no steps", sc);
    }
}

/* Adds to D every rule the scanned and parsed file breaks. */
void playbook_check(const struct ini_scan *scan, const dictionary *dict, struct diag *d)
{
    struct langs ls = { .n = 0 };
    const char *deflang = value_of(dict, "playbook", "language");
    if (!deflang || !valid_lang(deflang))
        deflang = "en";

    check_sections(scan, d);
    for (size_t i = 0; i < scan->nkeys; i++) {
        const struct ini_key *k = &scan->keys[i];
        int sc, st;
        if (!k->section[0]) {
            diag_add(d, k->line, "'%s' is outside any section", k->key);
            continue;
        }
        enum pb_section kind = playbook_section_kind(k->section, &sc, &st);
        if (kind == PB_SEC_UNKNOWN)
            continue;
        if (kind != PB_SEC_VARS)
            check_key(k, kind, &ls, d);
        else if (strspn(k->key, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != strlen(k->key))
            diag_add(d, k->line, "variable name '%s' may hold only a-z, 0-9, '_', '.' and '-'", k->key);
        const char *v = value_of(dict, k->section, k->key);
        if (!v)
            continue;
        char base[256], lang[64], generic[256];
        int cmdno;
        playbook_split_key(k->key, base, sizeof base, lang, sizeof lang);
        generic_key(base, generic, sizeof generic, &cmdno);
        if (kind != PB_SEC_VARS)
            check_value(generic, v, k->line, d);
        check_vars(v, k->line, scan, d);
    }
    check_translations(scan, &ls, deflang, d);
    playbook_check_expansion(scan, dict, d);
}

static char ini_error[512];

/* iniparser's error callback: keeps the message instead of printing it. */
static int capture_ini_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ini_error, sizeof ini_error, fmt, ap);
    va_end(ap);
    return 0;
}

/* Writes the N bytes of TEXT to a new memory file; its descriptor, or -1. */
static int memory_file(const char *text, size_t n)
{
    int fd = memfd_create("playbook", MFD_CLOEXEC);
    for (size_t off = 0; fd >= 0 && off < n; ) {
        ssize_t w = write(fd, text + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    return fd;
}

/* Parses the N bytes of TEXT with iniparser (which reads only paths: it is given
 * /proc/self/fd/N of a memory copy), its errors captured instead of printed. */
static dictionary *ini_parse(const char *text, size_t n, struct diag *d)
{
    char path[64];
    int fd = memory_file(text, n);
    if (fd < 0) {
        diag_add(d, 0, "cannot hand the text to iniparser: %s", strerror(errno));
        return NULL;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ini_error[0] = 0;
    iniparser_set_error_callback(capture_ini_error);
    dictionary *dict = iniparser_load(path);
    close(fd);
    if (!dict) {
        char *nl, *at = strstr(ini_error, path);
        while ((nl = strchr(ini_error, '\n')))
            *nl = ' ';
        if (at)   /* the memory copy's name means nothing to the author */
            memmove(at, at + strlen(path), strlen(at + strlen(path)) + 1);
        diag_add(d, 0, "iniparser refused the file: %s", ini_error[0] ? ini_error : "no reason given");
    }
    return dict;
}

/* Checks the N bytes of TEXT: the scan and the dictionary come from the same
 * text; every problem in D, *dict NULL when the text cannot be parsed. */
void playbook_parse_text(const char *text, size_t n, struct ini_scan *scan, dictionary **dict, struct diag *d)
{
    *dict = NULL;
    memset(scan, 0, sizeof *scan);
    if (ini_scan_text(text, n, scan, d) == 0 && scan->syntax_errors == 0)
        *dict = ini_parse(text, n, d);
    if (*dict)
        playbook_check(scan, *dict, d);
}

/* Reads PATH once (playbook_read) and checks those bytes (playbook_parse_text).
 * -1 when it cannot be read; else 0, with every problem in D and *dict NULL
 * when the text is refused or cannot be parsed. */
int playbook_parse(const char *path, struct ini_scan *scan, dictionary **dict, struct diag *d)
{
    char *text;
    size_t n;
    *dict = NULL;
    memset(scan, 0, sizeof *scan);
    int rc = playbook_read(path, &text, &n, d);
    if (rc == -1)
        return -1;
    if (rc == 0)
        playbook_parse_text(text, n, scan, dict, d);
    free(text);
    return 0;
}

/* Writes every problem in PATH to OUT; the count, or -1 when it cannot be read. */
int playbook_lint(const char *path, FILE *out)
{
    struct diag d;
    struct ini_scan scan;
    dictionary *dict;
    diag_init(&d, path);
    int unreadable = playbook_parse(path, &scan, &dict, &d) < 0;
    if (dict)
        iniparser_freedict(dict);
    ini_scan_free(&scan);
    diag_print(&d, out);
    int n = unreadable ? -1 : (int)d.n;
    diag_free(&d);
    return n;
}
