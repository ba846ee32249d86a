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
#include "playbook_check.h"

static const char *const platform_names[PB_NPLATFORMS] = { "cmd", "powershell", "linux", "macos" };
static const char *const check_names[] = { "", "listener", "service", "firewall", "capture", "trace" };
static const char *const os_names[PB_NOS] = { "windows", "linux", "macos" };

/* What a text is read with: the file, the language, and the OS for ${service}. */
struct loader {
    const dictionary *dict;
    const struct playbook *pb;
    const char *lang;
    const char *deflang;
};

/* A growing string. */
struct buf {
    char *s;
    size_t len, cap;
};

/* Appends N bytes of S to B. */
static void buf_add(struct buf *b, const char *s, size_t n)
{
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
    return c <= PB_CHECK_TRACE ? check_names[c] : "?";
}

/* The name of an OS as written in playbook keys. */
const char *playbook_os_name(enum pb_os os)
{
    return os < PB_NOS ? os_names[os] : "?";
}

/* The OS this binary was built for. */
enum pb_os playbook_host_os(void)
{
#if defined(_WIN32)
    return PB_OS_WINDOWS;
#elif defined(__APPLE__)
    return PB_OS_MACOS;
#else
    return PB_OS_LINUX;
#endif
}

/* The raw value of SECTION:KEY, or NULL. */
static const char *raw(const dictionary *dict, const char *section, const char *key)
{
    char full[512];
    snprintf(full, sizeof full, "%s:%s", section, key);
    return iniparser_getstring(dict, full, NULL);
}

/* A malloc'd copy of the first comma-separated item of LIST. */
static char *first_item(const char *list)
{
    size_t n = strcspn(list, ",");
    while (n && isspace((unsigned char)list[n - 1]))
        n--;
    return strndup(list, n);
}

static char *expand(const struct loader *ld, const char *s, enum pb_os os, int text, int depth);

/* Writes the value of variable NAME for OS into B; returns 0 if unknown.
 * A [vars] value is itself expanded, DEPTH levels deep at most. */
static int expand_var(const struct loader *ld, const char *name, enum pb_os os, struct buf *b,
                      int depth)
{
    const struct playbook *pb = ld->pb;
    char tmp[256];
    if (!strcmp(name, "port")) {
        snprintf(tmp, sizeof tmp, "%u", pb->nports ? pb->ports[0] : 0);
    } else if (!strcmp(name, "ports")) {
        size_t off = 0;
        tmp[0] = 0;
        for (size_t i = 0; i < pb->nports && off < sizeof tmp; i++)
            off += (size_t)snprintf(tmp + off, sizeof tmp - off, "%s%u", i ? "," : "", pb->ports[i]);
    } else if (!strcmp(name, "protocol") || !strcmp(name, "id")) {
        snprintf(tmp, sizeof tmp, "%s", name[0] == 'p' ? pb->protocol : pb->id);
    } else if (!strncmp(name, "service", 7) || !strncmp(name, "process", 7)) {
        char *const *table = name[1] == 'e' ? pb->service : pb->process;
        const char *suffix = name + 7;
        if (*suffix == '.') {
            for (os = 0; os < PB_NOS && strcmp(suffix + 1, os_names[os]); os++)
                ;
            if (os == PB_NOS)
                return 0;
        } else if (*suffix) {
            return 0;
        }
        char *first = table[os] ? first_item(table[os]) : NULL;
        snprintf(tmp, sizeof tmp, "%s", first ? first : "");
        free(first);
    } else {
        const char *v = raw(ld->dict, "vars", name);
        if (!v || depth >= 4)
            return 0;
        char *value = expand(ld, v, os, 0, depth + 1);
        snprintf(tmp, sizeof tmp, "%s", value ? value : "");
        free(value);
    }
    buf_add(b, tmp, strlen(tmp));
    return 1;
}

/* Expands ${name}, $$ and \\ in S for OS; in texts (TEXT set) "\n" becomes a newline. */
static char *expand(const struct loader *ld, const char *s, enum pb_os os, int text, int depth)
{
    struct buf b = { 0 };
    buf_add(&b, "", 0);
    while (*s) {
        if (s[0] == '$' && s[1] == '$') {
            buf_add(&b, "$", 1);
            s += 2;
        } else if (s[0] == '$' && s[1] == '{' && strchr(s, '}')) {
            const char *close = strchr(s, '}');
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(close - s - 2), s + 2);
            for (char *c = name; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            if (!expand_var(ld, name, os, &b, depth))
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
    return b.s;
}

/* The text of SECTION:KEY in the loader's language (else the file's), expanded; NULL if absent. */
static char *text(const struct loader *ld, const char *section, const char *key)
{
    char localized[300];
    snprintf(localized, sizeof localized, "%s[%s]", key, ld->lang);
    const char *v = strcmp(ld->lang, ld->deflang) ? raw(ld->dict, section, localized) : NULL;
    if (!v)
        v = raw(ld->dict, section, key);
    return v ? expand(ld, v, playbook_host_os(), 1, 0) : NULL;
}

/* Parses "445, 139" into PB's ports (already validated by playbook_check). */
static void parse_ports(struct playbook *pb, const char *list)
{
    for (const char *p = list; *p && pb->nports < PLAYBOOK_MAX_PORTS; ) {
        char *end;
        long port = strtol(p, &end, 10);
        if (end == p)
            break;
        pb->ports[pb->nports++] = (uint16_t)port;
        p = end + strspn(end, ", ");
    }
}

/* The OS whose service names a command of platform P uses. */
static enum pb_os platform_os(enum pb_platform p)
{
    return p == PB_LINUX ? PB_OS_LINUX : p == PB_MACOS ? PB_OS_MACOS : PB_OS_WINDOWS;
}

/* Fills one step from its section. */
static void load_step(const struct loader *ld, const char *section, struct pb_step *st)
{
    st->title = text(ld, section, "title");
    st->body = text(ld, section, "body");
    st->note = text(ld, section, "note");
    st->warning = text(ld, section, "warning");
    const char *check = raw(ld->dict, section, "check");
    for (int c = PB_CHECK_LISTENER; check && c <= PB_CHECK_TRACE; c++)
        if (!strcmp(check, check_names[c]))
            st->check = (enum pb_check)c;
    for (int k = 1;; k++) {
        char key[64];
        snprintf(key, sizeof key, "cmd.%d.run", k);
        const char *run = raw(ld->dict, section, key);
        if (!run)
            break;
        struct pb_command *cmds = realloc(st->commands, (size_t)k * sizeof *cmds);
        if (!cmds)
            break;
        st->commands = cmds;
        struct pb_command *c = &cmds[k - 1];
        snprintf(key, sizeof key, "cmd.%d.platform", k);
        const char *plat = raw(ld->dict, section, key);
        c->platform = PB_LINUX;
        for (int p = 0; plat && p < PB_NPLATFORMS; p++)
            if (!strcmp(plat, platform_names[p]))
                c->platform = (enum pb_platform)p;
        snprintf(key, sizeof key, "cmd.%d.label", k);
        c->label = text(ld, section, key);
        c->text = expand(ld, run, platform_os(c->platform), 0, 0);
        st->ncommands = (size_t)k;
    }
}

/* Splits a verdict list "a, b" into a malloc'd array. */
static void load_verdicts(const char *list, struct pb_scenario *sc)
{
    if (!list)
        return;
    char *copy = strdup(list);
    for (char *save = NULL, *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
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
            load_verdicts(raw(ld->dict, name, "verdicts"), &s[sc - 1]);
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

/* Loads PATH with texts in LANG; 0, or -1 with *cause ("file:line: message"). */
int playbook_load(const char *path, const char *lang, struct playbook *pb, char **cause)
{
    struct diag d;
    struct ini_scan scan;
    int err;
    memset(pb, 0, sizeof *pb);
    if (playbook_check_perms(path, cause) < 0)
        return -1;
    diag_init(&d, path);
    dictionary *dict = NULL;
    if (ini_scan_file(path, &scan, &d, &err) == 0 && d.n == 0)
        dict = playbook_ini_load(path, &d);
    if (dict)
        playbook_check(&scan, dict, &d);
    if (d.n) {
        *cause = diag_first(&d);
        diag_free(&d);
        ini_scan_free(&scan);
        if (dict)
            iniparser_freedict(dict);
        return -1;
    }
    diag_free(&d);

    const char *deflang = raw(dict, "playbook", "language");
    struct loader ld = { dict, pb, lang && *lang ? lang : "en", deflang ? deflang : "en" };
    pb->path = strdup(path);
    pb->lang = strdup(ld.lang);
    pb->id = strdup(raw(dict, "playbook", "id"));
    pb->protocol = strdup(raw(dict, "playbook", "protocol"));
    pb->version = strdup(raw(dict, "playbook", "version"));
    parse_ports(pb, raw(dict, "playbook", "ports"));
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
    load_scenarios(&ld, &scan, pb);
    ini_scan_free(&scan);
    iniparser_freedict(dict);
    return 0;
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
