/* playbook.c: loads a playbook file into struct playbook, with its texts in one
 * language and its variables expanded. The rules are in playbook_check.c: a file
 * that breaks any is refused here with the first problem. */
#include "playbook.h"

#include <ctype.h>
#include <iniparser.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ini_scan.h"
#include "osdep.h"
#include "playbook_check.h"

static const char *const platform_names[PB_NPLATFORMS] = { "cmd", "powershell", "linux", "macos" };
static const char *const os_names[PB_NOS] = { "windows", "linux", "macos" };
/* A step's check names: none, the polled checks of checks.h, then the two that stream. */
static const char *const check_names[CHECK_NSTEPS + 1] = { "", CHECK_KINDS(CHECK_NAME_) "capture", "trace" };

/* One [vars] entry, with its value for each OS expanded once and kept (so a
 * variable used many times costs one expansion, however it fans out). */
struct var {
    const char *name;          /* the scan's key, lower case */
    const char *raw;           /* iniparser's value */
    int line;
    char *value[PB_NOS];       /* NULL until expanded */
    unsigned char busy[PB_NOS];/* being expanded: a reference back is a loop */
    int reported;
};

/* What values are expanded with: the built-ins and [vars] of one file, the
 * work done so far against PLAYBOOK_EXPAND_WORK, and where problems go. */
struct expander {
    const dictionary *dict;
    struct var *vars;
    size_t nvars;
    uint16_t ports[PLAYBOOK_MAX_PORTS];
    size_t nports;
    size_t work;
    int line;                  /* the line of the value being expanded */
    int over;                  /* the work ran out (reported once) */
    struct diag *d;
};

/* What a text is read with: the expander, the language and the file's own. */
struct loader {
    struct expander *ex;
    const char *lang;
    const char *deflang;
};

/* A growing string that holds LIMIT bytes at most; FULL once it would hold more. */
struct buf {
    char *s;
    size_t len, cap, limit;
    int full;
};

/* Appends N bytes of S to B, as many as its limit allows. */
static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (n > b->limit - b->len) {
        n = b->limit - b->len;
        b->full = 1;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *g = realloc(b->s, cap);
        if (!g)
            return;
        b->s = g;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

/* The name of a platform as written in playbooks. */
const char *playbook_platform_name(enum pb_platform p)
{
    return p < PB_NPLATFORMS ? platform_names[p] : "?";
}

/* The name of a check as written in playbooks ("" for none). */
const char *playbook_check_name(enum pb_check c)
{
    return (unsigned)c <= CHECK_NSTEPS ? check_names[c] : "?";
}

/* The step check named NAME, or PB_CHECK_NONE. */
enum pb_check playbook_check_find(const char *name)
{
    for (int c = 1; name && c <= CHECK_NSTEPS; c++)
        if (!strcmp(name, check_names[c]))
            return (enum pb_check)c;
    return PB_CHECK_NONE;
}

/* Every step check's name and a NULL. */
void playbook_check_names(const char *names[CHECK_NSTEPS + 1])
{
    for (int c = 1; c <= CHECK_NSTEPS; c++)
        names[c - 1] = check_names[c];
    names[CHECK_NSTEPS] = NULL;
}

/* The name of an OS as written in playbook keys. */
const char *playbook_os_name(enum pb_os os)
{
    return os < PB_NOS ? os_names[os] : "?";
}

/* The OS this binary was built for (osdep_os_name()). */
enum pb_os playbook_host_os(void)
{
    const char *name = osdep_os_name();
    for (enum pb_os os = 0; os < PB_NOS; os++)
        if (strcmp(name, os_names[os]) == 0)
            return os;
    return PB_OS_LINUX;
}

/* The raw value of SECTION:KEY, or NULL. */
static const char *raw(const dictionary *dict, const char *section, const char *key)
{
    char full[512];
    snprintf(full, sizeof full, "%s:%s", section, key);
    return iniparser_getstring(dict, full, NULL);
}

/* A malloc'd copy of S, "" when S is NULL (a value the checks made sure of). */
static char *copy(const char *s)
{
    return strdup(s ? s : "");
}

/* Writes the first comma-separated item of LIST (NULL: none) into OUT. */
static void first_item(const char *list, char *out, size_t len)
{
    size_t n = list ? strcspn(list, ",") : 0;
    while (n && isspace((unsigned char)list[n - 1]))
        n--;
    snprintf(out, len, "%.*s", (int)n, list ? list : "");
}

/* Parses "445, 139" into PORTS (*n of them; validated by playbook_check). */
static void parse_ports(const char *list, uint16_t *ports, size_t *n)
{
    *n = 0;
    for (const char *p = list ? list : ""; *p && *n < PLAYBOOK_MAX_PORTS; ) {
        char *end;
        long port = strtol(p, &end, 10);
        if (end == p)
            break;
        ports[(*n)++] = (uint16_t)port;
        p = end + strspn(end, ", ");
    }
}

/* Adds MSG at LINE to the expander's problems unless *DONE says it already was. */
static void expand_problem(struct expander *ex, int *done, int line, const char *msg)
{
    if (*done)
        return;
    *done = 1;
    diag_add(ex->d, line, "%s", msg);
}

/* Counts N units of work; 0 once the file's expansion budget is spent. */
static int spend(struct expander *ex, size_t n)
{
    ex->work += n;
    if (ex->work <= PLAYBOOK_EXPAND_WORK)
        return 1;
    expand_problem(ex, &ex->over, ex->line,
                   "expanding the variables takes too much work: use fewer or shorter variables");
    return 0;
}

/* Writes built-in variable NAME for OS into OUT; 0 if NAME is not a built-in. */
static int builtin_var(const struct expander *ex, const char *name, enum pb_os os, char *out, size_t len)
{
    if (!strcmp(name, "port")) {
        snprintf(out, len, "%u", ex->nports ? ex->ports[0] : 0);
    } else if (!strcmp(name, "ports")) {
        size_t off = 0;
        out[0] = 0;
        for (size_t i = 0; i < ex->nports && off < len; i++)
            off += (size_t)snprintf(out + off, len - off, "%s%u", i ? "," : "", ex->ports[i]);
    } else if (!strcmp(name, "protocol") || !strcmp(name, "id")) {
        const char *v = raw(ex->dict, "playbook", name);
        snprintf(out, len, "%s", v ? v : "");
    } else if (!strncmp(name, "service", 7) || !strncmp(name, "process", 7)) {
        const char *suffix = name + 7;
        char key[32];
        if (*suffix == '.') {
            for (os = 0; os < PB_NOS && strcmp(suffix + 1, os_names[os]); os++)
                ;
            if (os == PB_NOS)
                return 0;
        } else if (*suffix) {
            return 0;
        }
        snprintf(key, sizeof key, "%.7s.%s", name, os_names[os]);
        first_item(raw(ex->dict, "playbook", key), out, len);
    } else {
        return 0;
    }
    return 1;
}

/* The [vars] entry called NAME, or NULL. */
static struct var *find_var(struct expander *ex, const char *name)
{
    if (!spend(ex, ex->nvars))
        return NULL;
    for (size_t i = 0; i < ex->nvars; i++)
        if (!strcmp(ex->vars[i].name, name))
            return &ex->vars[i];
    return NULL;
}

static char *expand(struct expander *ex, const char *s, enum pb_os os, int text, int depth,
                    size_t limit, int *full);

/* The value of [vars] entry V for OS, expanded on first use (DEPTH deep);
 * NULL when it loops back on itself or nests too deep (reported). */
static const char *var_value(struct expander *ex, struct var *v, enum pb_os os, int depth)
{
    if (v->value[os])
        return v->value[os];
    char msg[300];
    if (v->busy[os] || depth >= PLAYBOOK_VAR_DEPTH) {
        if (v->busy[os])
            snprintf(msg, sizeof msg, "variable ${%s} refers to itself", v->name);
        else
            snprintf(msg, sizeof msg, "variable ${%s} nests variables more than %d deep", v->name,
                     PLAYBOOK_VAR_DEPTH);
        expand_problem(ex, &v->reported, v->line, msg);
        return NULL;
    }
    int full = 0, line = ex->line;
    v->busy[os] = 1;
    ex->line = v->line;
    v->value[os] = expand(ex, v->raw, os, 0, depth + 1, PLAYBOOK_VAR_MAX, &full);
    ex->line = line;
    v->busy[os] = 0;
    if (full) {
        snprintf(msg, sizeof msg, "value of ${%s} expands beyond %d bytes", v->name, PLAYBOOK_VAR_MAX);
        expand_problem(ex, &v->reported, v->line, msg);
    }
    return v->value[os];
}

/* Writes the value of variable NAME for OS into B; returns 0 if unknown. */
static int expand_var(struct expander *ex, const char *name, enum pb_os os, struct buf *b, int depth)
{
    char tmp[PLAYBOOK_VAR_MAX + 1];
    const char *value = tmp;
    if (!builtin_var(ex, name, os, tmp, sizeof tmp)) {
        struct var *v = find_var(ex, name);
        if (!v || !(value = var_value(ex, v, os, depth)))
            return 0;
    }
    size_t n = strlen(value);
    if (!spend(ex, n))
        return 0;
    buf_add(b, value, n);
    return 1;
}

/* Expands ${name}, $$ and \\ in S for OS, into LIMIT bytes at most (*FULL set
 * when it would take more: it stops there); in texts (TEXT set) "\n" becomes a
 * newline. DEPTH counts the [vars] values being expanded around this one. */
static char *expand(struct expander *ex, const char *s, enum pb_os os, int text, int depth,
                    size_t limit, int *full)
{
    struct buf b = { .limit = limit };
    buf_add(&b, "", 0);
    while (*s && !b.full && spend(ex, 1)) {
        if (s[0] == '$' && s[1] == '$') {
            buf_add(&b, "$", 1);
            s += 2;
        } else if (s[0] == '$' && s[1] == '{' && strchr(s, '}')) {
            const char *close = strchr(s, '}');
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(close - s - 2), s + 2);
            for (char *c = name; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            if (!expand_var(ex, name, os, &b, depth))
                buf_add(&b, s, (size_t)(close - s + 1));
            s = close + 1;
        } else if (text && s[0] == '\\' && s[1] == 'n') {
            buf_add(&b, "\n", 1);
            s += 2;
        } else if (s[0] == '\\' && s[1] == '\\') {
            buf_add(&b, "\\", 1);
            s += 2;
        } else {
            buf_add(&b, s, 1);
            s++;
        }
    }
    *full = b.full;
    return b.s;
}

/* Sets up EX for DICT, with the [vars] entries SCAN lists; problems go to D. */
static void expander_init(struct expander *ex, const struct ini_scan *scan, const dictionary *dict,
                          struct diag *d)
{
    memset(ex, 0, sizeof *ex);
    ex->dict = dict;
    ex->d = d;
    parse_ports(raw(dict, "playbook", "ports"), ex->ports, &ex->nports);
    for (size_t i = 0; i < scan->nkeys; i++) {
        const char *v = raw(dict, "vars", scan->keys[i].key);
        if (strcmp(scan->keys[i].section, "vars") || !v)
            continue;
        struct var *grown = realloc(ex->vars, (ex->nvars + 1) * sizeof *grown);
        if (!grown)
            return;
        ex->vars = grown;
        grown[ex->nvars++] = (struct var){ .name = scan->keys[i].key, .raw = v, .line = scan->keys[i].line };
    }
}

/* Releases the expanded values EX keeps. */
static void expander_free(struct expander *ex)
{
    for (size_t i = 0; i < ex->nvars; i++)
        for (int os = 0; os < PB_NOS; os++)
            free(ex->vars[i].value[os]);
    free(ex->vars);
}

/* VALUE (at LINE) expanded for OS, bounded only by the work budget. */
static char *expand_value(struct expander *ex, const char *value, enum pb_os os, int text, int line)
{
    int full;
    ex->line = line;
    return expand(ex, value, os, text, 0, SIZE_MAX, &full);
}

/* The text of SECTION:KEY in the loader's language (else the file's), expanded; NULL if absent. */
static char *text(const struct loader *ld, const char *section, const char *key)
{
    char localized[300];
    snprintf(localized, sizeof localized, "%s[%s]", key, ld->lang);
    const char *v = strcmp(ld->lang, ld->deflang) ? raw(ld->ex->dict, section, localized) : NULL;
    if (!v)
        v = raw(ld->ex->dict, section, key);
    return v ? expand_value(ld->ex, v, playbook_host_os(), 1, 0) : NULL;
}

/* The OS whose service names a command of platform P uses. */
static enum pb_os platform_os(enum pb_platform p)
{
    return p == PB_LINUX ? PB_OS_LINUX : p == PB_MACOS ? PB_OS_MACOS : PB_OS_WINDOWS;
}

/* The platform of command K of SECTION (linux when absent or unknown). */
static enum pb_platform command_platform(const dictionary *dict, const char *section, int k)
{
    char key[64];
    snprintf(key, sizeof key, "cmd.%d.platform", k);
    const char *plat = raw(dict, section, key);
    for (int p = 0; plat && p < PB_NPLATFORMS; p++)
        if (!strcmp(plat, platform_names[p]))
            return (enum pb_platform)p;
    return PB_LINUX;
}

/* Fills one step from its section. */
static void load_step(const struct loader *ld, const char *section, struct pb_step *st)
{
    const dictionary *dict = ld->ex->dict;
    st->title = text(ld, section, "title");
    st->body = text(ld, section, "body");
    st->note = text(ld, section, "note");
    st->warning = text(ld, section, "warning");
    const char *check = raw(dict, section, "check");
    st->check = playbook_check_find(check);
    for (int k = 1;; k++) {
        char key[64];
        snprintf(key, sizeof key, "cmd.%d.run", k);
        const char *run = raw(dict, section, key);
        if (!run)
            break;
        struct pb_command *cmds = realloc(st->commands, (size_t)k * sizeof *cmds);
        if (!cmds)
            break;
        st->commands = cmds;
        struct pb_command *c = &cmds[k - 1];
        c->platform = command_platform(dict, section, k);
        snprintf(key, sizeof key, "cmd.%d.label", k);
        c->label = text(ld, section, key);
        c->text = expand_value(ld->ex, run, platform_os(c->platform), 0, 0);
        st->ncommands = (size_t)k;
    }
}

/* Splits a verdict list "a, b" into a malloc'd array. */
static void load_verdicts(const char *list, struct pb_scenario *sc)
{
    if (!list)
        return;
    char *copy = strdup(list);
    for (char *save = NULL, *tok = copy ? strtok_r(copy, ", ", &save) : NULL; tok; tok = strtok_r(NULL, ", ", &save)) {
        char **v = realloc(sc->verdicts, (sc->nverdicts + 1) * sizeof *v);
        if (!v)
            break;
        sc->verdicts = v;
        v[sc->nverdicts++] = strdup(tok);
    }
    free(copy);
}

/* Fills scenarios and steps in file order (their numbering is already checked). */
static void load_scenarios(const struct loader *ld, const struct ini_scan *scan, struct playbook *pb)
{
    for (size_t i = 0; i < scan->nsections; i++) {
        int sc, st;
        const char *name = scan->sections[i].name;
        enum pb_section kind = playbook_section_kind(name, &sc, &st);
        if (kind == PB_SEC_SCENARIO) {
            struct pb_scenario *s = realloc(pb->scenarios, (size_t)sc * sizeof *s);
            if (!s)
                return;
            pb->scenarios = s;
            memset(&s[sc - 1], 0, sizeof *s);
            pb->nscenarios = (size_t)sc;
            char id[16];
            snprintf(id, sizeof id, "%d", sc);
            s[sc - 1].id = strdup(id);
            s[sc - 1].title = text(ld, name, "title");
            s[sc - 1].summary = text(ld, name, "summary");
            load_verdicts(raw(ld->ex->dict, name, "verdicts"), &s[sc - 1]);
        } else if (kind == PB_SEC_STEP) {
            struct pb_scenario *s = &pb->scenarios[sc - 1];
            struct pb_step *steps = realloc(s->steps, (size_t)st * sizeof *steps);
            if (!steps)
                return;
            s->steps = steps;
            memset(&steps[st - 1], 0, sizeof *steps);
            s->nsteps = (size_t)st;
            load_step(ld, name, &steps[st - 1]);
        }
    }
}

/* Expands every value of the file as the loader would (each [vars] entry for
 * every OS, commands for their platform, texts in every language for this
 * system), adding to D each variable that loops, nests too deep or grows past
 * PLAYBOOK_VAR_MAX, and a file whose expansion takes too much work. */
void playbook_check_expansion(const struct ini_scan *scan, const dictionary *dict, struct diag *d)
{
    struct expander ex;
    expander_init(&ex, scan, dict, d);
    for (size_t i = 0; i < ex.nvars; i++)
        for (int os = 0; os < PB_NOS; os++)
            var_value(&ex, &ex.vars[i], (enum pb_os)os, 0);
    for (size_t i = 0; i < scan->nkeys && !ex.over; i++) {
        const struct ini_key *k = &scan->keys[i];
        const char *v = raw(dict, k->section, k->key);
        int cmd;
        char rest[8];
        if (!v || !strcmp(k->section, "vars"))
            continue;
        enum pb_os os = playbook_host_os();
        if (sscanf(k->key, "cmd.%d.%4s", &cmd, rest) == 2 && !strcmp(rest, "run"))
            os = platform_os(command_platform(dict, k->section, cmd));
        free(expand_value(&ex, v, os, 1, k->line));
    }
    expander_free(&ex);
}

/* Fills PB from DICT (a checked file) with texts in LANG. */
static void load_dict(const struct ini_scan *scan, const dictionary *dict, const char *lang,
                      struct playbook *pb, struct diag *d)
{
    struct expander ex;
    expander_init(&ex, scan, dict, d);
    const char *deflang = raw(dict, "playbook", "language");
    struct loader ld = { &ex, lang && *lang ? lang : "en", deflang ? deflang : "en" };
    pb->lang = copy(ld.lang);
    pb->id = copy(raw(dict, "playbook", "id"));
    pb->protocol = copy(raw(dict, "playbook", "protocol"));
    pb->version = copy(raw(dict, "playbook", "version"));
    memcpy(pb->ports, ex.ports, sizeof pb->ports);
    pb->nports = ex.nports;
    for (int os = 0; os < PB_NOS; os++) {
        char key[32];
        snprintf(key, sizeof key, "service.%s", os_names[os]);
        const char *v = raw(dict, "playbook", key);
        pb->service[os] = v ? strdup(v) : NULL;
        snprintf(key, sizeof key, "process.%s", os_names[os]);
        v = raw(dict, "playbook", key);
        pb->process[os] = v ? strdup(v) : NULL;
    }
    const char *src = raw(dict, "playbook", "source");
    pb->source = src ? strdup(src) : NULL;
    pb->title = text(&ld, "playbook", "title");
    pb->intro = text(&ld, "playbook", "intro");
    load_scenarios(&ld, scan, pb);
    expander_free(&ex);
}

/* Loads the N bytes TEXT read from PATH with texts in LANG; 0, or -1 with
 * *cause ("file:line: message"). */
int playbook_load_text(const char *path, const char *text, size_t n, const char *lang, struct playbook *pb,
                       char **cause)
{
    struct diag d;
    struct ini_scan scan;
    dictionary *dict;
    memset(pb, 0, sizeof *pb);
    diag_init(&d, path);
    playbook_parse_text(text, n, &scan, &dict, &d);
    if (d.n == 0 && dict) {
        pb->path = copy(path);
        load_dict(&scan, dict, lang, pb, &d);
    }
    int rc = 0;
    if (d.n || !dict) {
        *cause = d.n ? diag_first(&d) : strdup("cannot load the playbook");
        playbook_free(pb);
        rc = -1;
    }
    diag_free(&d);
    ini_scan_free(&scan);
    if (dict)
        iniparser_freedict(dict);
    return rc;
}

/* Reads PATH once (playbook_read) into *TEXT and *N; 0, or -1 with *cause. */
int playbook_read_text(const char *path, char **text, size_t *n, char **cause)
{
    struct diag d;
    diag_init(&d, path);
    int rc = playbook_read(path, text, n, &d) == 0 ? 0 : -1;
    if (rc < 0)
        *cause = d.n ? diag_first(&d) : strdup("cannot load the playbook");
    diag_free(&d);
    return rc;
}

/* Loads PATH with texts in LANG; 0, or -1 with *cause ("file:line: message"). */
int playbook_load(const char *path, const char *lang, struct playbook *pb, char **cause)
{
    char *text;
    size_t n;
    memset(pb, 0, sizeof *pb);
    if (playbook_read_text(path, &text, &n, cause) < 0)
        return -1;
    int rc = playbook_load_text(path, text, n, lang, pb, cause);
    free(text);
    return rc;
}

/* Releases one step's strings and commands. */
static void free_step(struct pb_step *st)
{
    free(st->title);
    free(st->body);
    free(st->note);
    free(st->warning);
    for (size_t i = 0; i < st->ncommands; i++) {
        free(st->commands[i].label);
        free(st->commands[i].text);
    }
    free(st->commands);
}

/* Releases everything a loaded playbook owns. */
void playbook_free(struct playbook *pb)
{
    for (size_t i = 0; i < pb->nscenarios; i++) {
        struct pb_scenario *s = &pb->scenarios[i];
        for (size_t j = 0; j < s->nsteps; j++)
            free_step(&s->steps[j]);
        for (size_t j = 0; j < s->nverdicts; j++)
            free(s->verdicts[j]);
        free(s->verdicts);
        free(s->steps);
        free(s->id);
        free(s->title);
        free(s->summary);
    }
    free(pb->scenarios);
    for (int os = 0; os < PB_NOS; os++) {
        free(pb->service[os]);
        free(pb->process[os]);
    }
    free(pb->path);
    free(pb->id);
    free(pb->title);
    free(pb->protocol);
    free(pb->version);
    free(pb->source);
    free(pb->intro);
    free(pb->lang);
    memset(pb, 0, sizeof *pb);
}

/* Finds the scenario that lists verdict CODE, or NULL. */
const struct pb_scenario *playbook_scenario_for(const struct playbook *pb, const char *code)
{
    for (size_t i = 0; i < pb->nscenarios; i++)
        for (size_t j = 0; j < pb->scenarios[i].nverdicts; j++)
            if (!strcmp(pb->scenarios[i].verdicts[j], code))
                return &pb->scenarios[i];
    return NULL;
}

/* The id of the scenario that lists CODE, or NULL; PB is a struct playbook
 * (the shape of verdict.h's verdict_scenario_fn, for the capture engine). */
const char *playbook_scenario_id(void *pb, const char *code)
{
    const struct pb_scenario *s = playbook_scenario_for(pb, code);
    return s ? s->id : NULL;
}

/* The title of the scenario with id ID, or NULL; PB is a struct playbook. */
const char *playbook_scenario_title(void *pb, const char *id)
{
    const struct playbook *p = pb;
    for (size_t i = 0; i < p->nscenarios; i++)
        if (!strcmp(p->scenarios[i].id, id))
            return p->scenarios[i].title;
    return NULL;
}
