/* ini_scan.c: indexes an INI file line by line (sections, keys, their lines)
 * and reports what iniparser 4.1 would refuse or silently change: syntax
 * errors, over-long lines, values cut at ';' or '#', duplicates, binary or
 * non-UTF-8 text. */
#include "ini_scan.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lower-cases S in place and returns it. */
static char *lower(char *s)
{
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

/* Copies N bytes of S with surrounding blanks removed. */
static char *strip_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return strndup(s, n);
}

/* Length of the valid UTF-8 sequence at S (at most N bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned min;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) { len = 2; min = 0x80; cp = s[0] & 0x1f; }
    else if ((s[0] & 0xf0) == 0xe0) { len = 3; min = 0x800; cp = s[0] & 0x0f; }
    else if ((s[0] & 0xf8) == 0xf0) { len = 4; min = 0x10000; cp = s[0] & 0x07; }
    else return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Whether the N bytes at S are valid UTF-8. */
static int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    while (n) {
        size_t l = utf8_len(p, n);
        if (!l)
            return 0;
        p += l;
        n -= l;
    }
    return 1;
}

/* The first control character in S as a code point: C0 (TAB too unless
 * ALLOW_TAB), DEL, or C1 (U+0080-U+009F, as UTF-8); -1 when there is none. */
static long control_char(const char *s, int allow_tab)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && !(allow_tab && *p == '\t')) || *p == 0x7f)
            return *p;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            return p[1];
    }
    return -1;
}

/* Reports a control character in S: texts and commands reach a terminal and
 * the clipboard, where ESC, CR or C1 codes end a bracketed paste or run keys. */
static void check_controls(const char *s, int allow_tab, int line, struct diag *d)
{
    long c = control_char(s, allow_tab);
    if (c == '\t')
        diag_add(d, line, "a tab in a key or value: use spaces (commands are copied as they are)");
    else if (c >= 0)
        diag_add(d, line, "control character U+%04lX: a playbook holds printable text only", c);
}

/* Appends a section to the index. */
static void add_section(struct ini_scan *scan, char *name, int line)
{
    struct ini_section *s = realloc(scan->sections, (scan->nsections + 1) * sizeof *s);
    if (!s) {
        free(name);
        return;
    }
    scan->sections = s;
    s[scan->nsections++] = (struct ini_section){ name, line };
}

/* Appends a key to the index. */
static void add_key(struct ini_scan *scan, const char *section, char *key, int line)
{
    struct ini_key *k = realloc(scan->keys, (scan->nkeys + 1) * sizeof *k);
    if (!k) {
        free(key);
        return;
    }
    scan->keys = k;
    k[scan->nkeys++] = (struct ini_key){ strdup(section), key, line };
}

/* Adds a problem that makes iniparser refuse the whole file. */
static void syntax_error(struct ini_scan *scan, struct diag *d, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(d, line, "%s", msg);
    scan->syntax_errors++;
}

/* Checks a value the way iniparser reads it: quotes closed, nothing cut. */
static void check_value(struct ini_scan *scan, const char *v, int line, struct diag *d)
{
    size_t n = strlen(v);
    if (n && (v[0] == '"' || v[0] == '\'')) {
        if (n < 2 || v[n - 1] != v[0])
            syntax_error(scan, d, line, "unterminated %c quote", v[0]);
        else if (memchr(v + 1, v[0], n - 2))
            diag_add(d, line, "a value quoted with %c cannot contain %c: quote it with %c",
                     v[0], v[0], v[0] == '"' ? '\'' : '"');
        return;
    }
    const char *cut = strpbrk(v, ";#");
    if (cut)
        diag_add(d, line, "the value is cut at '%c': quote it", *cut);
}

/* Reads one logical line of the INI text (continuations joined) into a new string. */
static char *next_logical_line(const char **pos, const char *end, int *lineno, int *nlines)
{
    char *out = NULL;
    size_t len = 0;
    *nlines = 0;
    while (*pos < end) {
        const char *nl = memchr(*pos, '\n', (size_t)(end - *pos));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - *pos);
        while (n && isspace((unsigned char)(*pos)[n - 1]))
            n--;
        char *grown = realloc(out, len + n + 1);
        if (!grown) {
            free(out);
            return NULL;
        }
        out = grown;
        memcpy(out + len, *pos, n);
        len += n;
        out[len] = 0;
        (*nlines)++;
        *pos = nl ? nl + 1 : end;
        if (len && out[len - 1] == '\\') {
            out[--len] = 0;   /* iniparser joins the next line in its place */
            continue;
        }
        break;
    }
    *lineno += *nlines;
    return out;
}

/* Indexes one logical line starting at LINE; SECTION is updated on headers. */
static void scan_line(struct ini_scan *scan, char *text, int line, char **section,
                      struct diag *d)
{
    size_t joined = strlen(text);
    char *t = strip_dup(text, joined);
    if (!t)
        return;
    if (joined > INI_SCAN_MAX_LINE)
        syntax_error(scan, d, line, "line too long (%zu bytes, iniparser takes at most %d): split the text",
                     joined, INI_SCAN_MAX_LINE);
    else if (!t[0] || t[0] == ';' || t[0] == '#') {
        check_controls(t, 1, line, d);
    } else if (t[0] == '[') {
        check_controls(t, 1, line, d);
        size_t n = strlen(t);
        if (t[n - 1] != ']')
            syntax_error(scan, d, line, "section header without a closing ']'");
        else {
            char *name = lower(strip_dup(t + 1, n - 2));
            int first = ini_scan_section_line(scan, name);
            if (first)
                diag_add(d, line, "duplicate section [%s] (first at line %d)", name, first);
            free(*section);
            *section = strdup(name);
            add_section(scan, name, line);
        }
    } else {
        char *eq = strchr(t, '=');
        if (!eq)
            syntax_error(scan, d, line, "not a section, a comment nor 'key = value'");
        else {
            char *key = lower(strip_dup(t, (size_t)(eq - t)));
            char *val = strip_dup(eq + 1, strlen(eq + 1));
            if (!key[0])
                diag_add(d, line, "a value without a key");
            int first = ini_scan_key_line(scan, *section, key);
            if (first)
                diag_add(d, line, "duplicate key '%s' (first at line %d)", key, first);
            check_controls(key, 0, line, d);
            if (val) {
                check_controls(val, 0, line, d);
                check_value(scan, val, line, d);
            }
            free(val);
            add_key(scan, *section, key, line);
        }
    }
    free(t);
}

/* Indexes the N bytes of TEXT (NUL-terminated), reporting problems to D. */
int ini_scan_text(const char *text, size_t n, struct ini_scan *scan, struct diag *d)
{
    memset(scan, 0, sizeof *scan);
    if (n > INI_SCAN_MAX_BYTES) {
        diag_add(d, 0, "larger than %d bytes: not a playbook", INI_SCAN_MAX_BYTES);
        return -1;
    }
    if (memchr(text, 0, n)) {
        int line = 1;
        for (const char *p = text; *p; p++)
            line += *p == '\n';
        diag_add(d, line, "binary data (a NUL byte): not a text file");
        return -1;
    }
    const char *pos = text, *end = text + n;
    char *section = strdup("");
    int lineno = 0, nlines;
    while (pos < end) {
        if (scan->nkeys >= INI_SCAN_MAX_KEYS) {
            diag_add(d, lineno, "more than %d keys: not a playbook", INI_SCAN_MAX_KEYS);
            break;
        }
        const char *start = pos;
        char *logical = next_logical_line(&pos, end, &lineno, &nlines);
        if (!logical)
            break;
        int line = lineno - nlines + 1;
        if (!utf8_valid(start, (size_t)(pos - start)))
            diag_add(d, line, "not valid UTF-8 text");
        scan_line(scan, logical, line, &section, d);
        free(logical);
    }
    free(section);
    return 0;
}

/* The line of KEY in SECTION, or 0. */
int ini_scan_key_line(const struct ini_scan *scan, const char *section, const char *key)
{
    for (size_t i = 0; i < scan->nkeys; i++)
        if (!strcmp(scan->keys[i].section, section) && !strcmp(scan->keys[i].key, key))
            return scan->keys[i].line;
    return 0;
}

/* The line of SECTION's header, or 0. */
int ini_scan_section_line(const struct ini_scan *scan, const char *section)
{
    for (size_t i = 0; i < scan->nsections; i++)
        if (!strcmp(scan->sections[i].name, section))
            return scan->sections[i].line;
    return 0;
}

/* Releases the index. */
void ini_scan_free(struct ini_scan *scan)
{
    for (size_t i = 0; i < scan->nkeys; i++) {
        free(scan->keys[i].section);
        free(scan->keys[i].key);
    }
    for (size_t i = 0; i < scan->nsections; i++)
        free(scan->sections[i].name);
    free(scan->keys);
    free(scan->sections);
    memset(scan, 0, sizeof *scan);
}
