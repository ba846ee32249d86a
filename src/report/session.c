/* session.c: the session record and its two renderings, Markdown for a ticket
 * and JSON for tools, saved atomically side by side (see session.h). */
#include "session.h"

#include <jansson.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "privsep.h"
#include "probe_json.h"
#include "text.h"
#include "user_file.h"

static const char *const kind_names[] = { "visit", "done", "undone", "note", "copy" };

/* The default sessions directory: $XDG_STATE_HOME/tshoot/sessions, else in
 * the home directory: the sudo user's under sudo (sudo sets HOME to root's). */
char *session_dir(void)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char *dir = NULL;
    uid_t uid;
    gid_t gid;
    struct passwd *pw = user_file_sudo_ids(&uid, &gid) ? getpwuid(uid) : NULL;
    if (pw && pw->pw_dir && *pw->pw_dir)
        home = pw->pw_dir;
    int rc = xdg && *xdg ? asprintf(&dir, "%s/tshoot/sessions", xdg)
                         : asprintf(&dir, "%s/.local/state/tshoot/sessions", home && *home ? home : "/tmp");
    return rc < 0 ? NULL : dir;
}

/* Replaces characters that do not belong in a file name. */
static void safe_name(char *s)
{
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *s))
            *s = '_';
}

/* Starts a record for PB, with the report's base path. */
int session_init(struct session *s, const struct playbook *pb, const char *report, char **cause)
{
    struct utsname u;
    memset(s, 0, sizeof *s);
    s->pb = pb;
    s->started = time(NULL);
    if (gethostname(s->host, sizeof s->host - 1) < 0)
        snprintf(s->host, sizeof s->host, "unknown");
    if (uname(&u) == 0)
        snprintf(s->os, sizeof s->os, "%s %s %s", u.sysname, u.release, u.machine);
    char *dir = NULL;
    if (report) {
        size_t n = strlen(report);
        const char *ext = strrchr(report, '.');
        if (ext && (!strcmp(ext, ".md") || !strcmp(ext, ".json")))
            n = (size_t)(ext - report);
        s->base = strndup(report, n);
        char *copy = strdup(report);
        dir = copy ? strdup(dirname(copy)) : NULL;
        free(copy);
    } else {
        char stamp[32], host[64];
        dir = session_dir();
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", gmtime(&s->started));
        snprintf(host, sizeof host, "%s", s->host);
        safe_name(host);
        if (dir && asprintf(&s->base, "%s/%s-%s-%s", dir, stamp, host, pb->id) < 0)
            s->base = NULL;
    }
    int rc = dir && s->base ? user_file_mkdirs(dir, cause) : -1;
    if (rc < 0 && !*cause && asprintf(cause, "out of memory") < 0)
        *cause = NULL;
    free(dir);
    return rc;
}

/* Records an event now. */
void session_add(struct session *s, enum session_event_kind kind, size_t scenario, size_t step,
                 const char *text)
{
    if (s->nevents == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        struct session_event *e = realloc(s->events, cap * sizeof *e);
        if (!e)
            return;
        s->events = e;
        s->cap = cap;
    }
    s->events[s->nevents++] = (struct session_event){
        time(NULL), kind, scenario, step, text ? strdup(text) : NULL };
}

/* The last note given to a step, or NULL. */
const char *session_note(const struct session *s, size_t scenario, size_t step)
{
    for (size_t i = s->nevents; i-- > 0; )
        if (s->events[i].kind == SESSION_NOTE && s->events[i].scenario == scenario &&
            s->events[i].step == step)
            return s->events[i].text;
    return NULL;
}

/* When a step was last visited, done (or undone): 0 when never. */
static void step_times(const struct session *s, size_t sc, size_t st, time_t *visited, time_t *done)
{
    *visited = *done = 0;
    for (size_t i = 0; i < s->nevents; i++) {
        const struct session_event *e = &s->events[i];
        if (e->scenario != sc || e->step != st)
            continue;
        if (e->kind == SESSION_VISIT)
            *visited = e->at;
        else if (e->kind == SESSION_DONE)
            *done = e->at;
        else if (e->kind == SESSION_UNDONE)
            *done = 0;
    }
}

/* Formats T as ISO 8601 UTC into BUF. */
static const char *iso(time_t t, char *buf, size_t n)
{
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    return buf;
}

/* The capture part of the JSON: counts, verdict and one failing attempt's ladder. */
static json_t *capture_json(const struct evidence *ev)
{
    const struct capture_snapshot *c = &ev->capture;
    if (!ev->have_capture)
        return json_pack("{s:o, s:o}", "source", probe_json_string(ev->capture_source), "error",
                         probe_json_string(ev->capture_error));
    json_t *flows = json_object();
    json_object_set_new(flows, "total", json_integer((json_int_t)c->counts.total));
    for (int k = 0; k < HS_NCLASSES; k++)
        json_object_set_new(flows, capture_class_name((enum hs_class)k),
                            json_integer((json_int_t)c->counts.by_class[k]));
    json_t *ladder = json_array();
    for (unsigned i = 0; i < c->nrecent; i++) {
        if (c->recent[i].cls == HS_ESTABLISHED)
            continue;
        for (unsigned l = 0; l < c->recent[i].nladder; l++)
            json_array_append_new(ladder, json_string(c->recent[i].ladder[l]));
        break;
    }
    return json_pack("{s:o, s:I, s:o, s:{s:s, s:s, s:s}, s:o, s:I, s:I}", "source", probe_json_string(ev->capture_source),
                     "packets", (json_int_t)c->packets, "flows", flows, "verdict", "code", c->verdict_code,
                     "scenario", c->scenario, "summary", c->summary, "ladder", ladder,
                     "kernel_drops", (json_int_t)c->kernel_drops, "interface_drops",
                     (json_int_t)c->iface_drops);
}

/* The whole session as JSON (new reference). */
static json_t *session_json(const struct session *s, const struct evidence *ev)
{
    char t1[32], t2[32];
    json_t *steps = json_array(), *events = json_array(), *checks = json_object();
    for (size_t sc = 0; sc < s->pb->nscenarios; sc++)
        for (size_t st = 0; st < s->pb->scenarios[sc].nsteps; st++) {
            time_t visited, done;
            step_times(s, sc, st, &visited, &done);
            const char *note = session_note(s, sc, st);
            json_t *o = json_pack("{s:s, s:I, s:s, s:b}", "scenario", s->pb->scenarios[sc].id,
                                  "step", (json_int_t)(st + 1), "title", s->pb->scenarios[sc].steps[st].title,
                                  "done", done != 0);
            json_object_set_new(o, "visited_at", visited ? json_string(iso(visited, t1, sizeof t1)) : json_null());
            json_object_set_new(o, "done_at", done ? json_string(iso(done, t1, sizeof t1)) : json_null());
            json_object_set_new(o, "note", note ? json_string(note) : json_null());
            json_array_append_new(steps, o);
        }
    for (size_t i = 0; i < s->nevents; i++) {
        const struct session_event *e = &s->events[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "at", iso(e->at, t1, sizeof t1), "kind",
                              kind_names[e->kind], "scenario", s->pb->scenarios[e->scenario].id,
                              "step", (json_int_t)(e->step + 1));
        if (e->text)
            json_object_set_new(o, e->kind == SESSION_COPY ? "command" : "text", json_string(e->text));
        json_array_append_new(events, o);
    }
    for (uint32_t id = 0; id < CHECK_NKINDS; id++)
        if (ev->have[id])
            json_object_set_new(checks, check_name(id), check_kind(id)->json(&ev->results[id]));
    return json_pack("{s:i, s:o, s:o, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:o, s:o, s:o, s:o}",
                     "tshoot_session", 1, "host", probe_json_string(s->host), "os", probe_json_string(s->os),
                     "started", iso(s->started, t1, sizeof t1), "saved", iso(time(NULL), t2, sizeof t2),
                     "playbook", "id", s->pb->id, "version", s->pb->version, "lang", s->pb->lang,
                     "title", s->pb->title, "capture", capture_json(ev), "checks", checks,
                     "steps", steps, "events", events);
}

/* Writes the check lines of the Markdown report. */
static void md_checks(FILE *f, const struct evidence *ev, struct text_vis *v)
{
    fprintf(f, "\n## Checks\n\n");
    for (uint32_t id = 0; id < CHECK_NKINDS; id++) {
        if (ev->have[id])
            check_kind(id)->markdown(f, &ev->results[id], v);
        else
            fprintf(f, "- %s: not checked\n", check_kind(id)->label);
    }
}

/* Writes the capture part of the Markdown report. */
static void md_capture(FILE *f, const struct evidence *ev, struct text_vis *v)
{
    const struct capture_snapshot *c = &ev->capture;
    fprintf(f, "\n## Capture\n\n");
    if (!ev->have_capture) {
        fprintf(f, "No capture: %s\n", ev->capture_error[0] ? text_vis(v, ev->capture_error) : "not started");
        return;
    }
    fprintf(f, "Source: %s, %llu packets read.\n\n**%s** (`%s`%s%s)\n\n", text_vis(v, ev->capture_source),
            (unsigned long long)c->packets, text_vis(v, c->summary), text_vis(v, c->verdict_code), c->scenario[0] ? ", scenario " : "",
            text_vis(v, c->scenario));
    fprintf(f, "| attempts | established | synack_no_ack | refused | unreachable | syn_no_synack |\n");
    fprintf(f, "| ---: | ---: | ---: | ---: | ---: | ---: |\n| %llu", (unsigned long long)c->counts.total);
    for (int k = 0; k < HS_NCLASSES; k++)
        fprintf(f, " | %llu", (unsigned long long)c->counts.by_class[k]);
    fprintf(f, " |\n");
    if (c->kernel_drops + c->iface_drops)
        fprintf(f, "\n%llu packets were dropped (kernel %llu, interface %llu) before the capture saw "
                "them: the counts above are a floor.\n", (unsigned long long)(c->kernel_drops + c->iface_drops),
                (unsigned long long)c->kernel_drops, (unsigned long long)c->iface_drops);
    for (unsigned i = 0; i < c->nrecent; i++) {
        if (c->recent[i].cls == HS_ESTABLISHED)
            continue;
        fprintf(f, "\nOne failing attempt, %s to %s (%s):\n\n```\n", text_vis(v, c->recent[i].client), text_vis(v, c->recent[i].server),
                capture_class_name(c->recent[i].cls));
        for (unsigned l = 0; l < c->recent[i].nladder; l++)
            fprintf(f, "%s\n", text_vis(v, c->recent[i].ladder[l]));
        fprintf(f, "```\n");
        break;
    }
}

/* The whole session as Markdown (malloc'd), every string from the system,
 * the packets, the playbook or the user in its visible form. */
static char *session_markdown(const struct session *s, const struct evidence *ev, size_t *len)
{
    char *buf = NULL, t1[32], t2[32];
    struct text_vis v = { 0 };
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fprintf(f, "# tshoot session: %s\n\n", text_vis(&v, s->pb->title));
    fprintf(f, "- Host: %s (%s)\n- Started: %s, saved: %s\n- Playbook: %s version %s, language %s\n",
            text_vis(&v, s->host), text_vis(&v, s->os), iso(s->started, t1, sizeof t1), iso(time(NULL), t2, sizeof t2),
            text_vis(&v, s->pb->id), text_vis(&v, s->pb->version), text_vis(&v, s->pb->lang));
    md_capture(f, ev, &v);
    md_checks(f, ev, &v);
    fprintf(f, "\n## Steps\n\n");
    for (size_t sc = 0; sc < s->pb->nscenarios; sc++)
        for (size_t st = 0; st < s->pb->scenarios[sc].nsteps; st++) {
            time_t visited, done;
            step_times(s, sc, st, &visited, &done);
            const char *note = session_note(s, sc, st);
            if (!visited && !done && !note)
                continue;
            fprintf(f, "- [%c] Scenario %s, step %zu: %s", done ? 'x' : ' ', text_vis(&v, s->pb->scenarios[sc].id), st + 1,
                    text_vis(&v, s->pb->scenarios[sc].steps[st].title));
            if (done)
                fprintf(f, " (done %s)", iso(done, t1, sizeof t1));
            else if (visited)
                fprintf(f, " (seen %s)", iso(visited, t1, sizeof t1));
            fprintf(f, "\n");
            if (note)
                fprintf(f, "  - Note: %s\n", text_vis(&v, note));
        }
    int copied = 0;
    for (size_t i = 0; i < s->nevents; i++)
        if (s->events[i].kind == SESSION_COPY)
            fprintf(f, "%s- %s `%s`\n", copied++ ? "" : "\n## Commands copied\n\n",
                    iso(s->events[i].at, t1, sizeof t1), text_vis(&v, s->events[i].text));
    fclose(f);
    text_vis_free(&v);
    return buf;
}

/* Writes BASE.md and BASE.json atomically. */
int session_save(const struct session *s, const struct evidence *ev, char **cause)
{
    size_t mdlen = 0;
    *cause = NULL;
    char *md = session_markdown(s, ev, &mdlen);
    json_t *j = session_json(s, ev);
    char *js = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
    int rc = -1;
    if (md && js) {
        rc = privsep_save(s->base, "md", md, mdlen, cause);
        char *withnl = NULL;
        int n = rc == 0 ? asprintf(&withnl, "%s\n", js) : -1;
        if (rc == 0)
            rc = n < 0 ? -1 : privsep_save(s->base, "json", withnl, (size_t)n, cause);
        free(withnl);
    }
    if (rc < 0 && !*cause && asprintf(cause, "%s: out of memory", s->base) < 0)
        *cause = NULL;
    free(md);
    free(js);
    json_decref(j);
    return rc;
}

/* Where the evidence capture goes: BASE.pcap. */
char *session_capture_path(const struct session *s)
{
    char *p = NULL;
    return asprintf(&p, "%s.pcap", s->base) < 0 ? NULL : p;
}

/* Releases the record. */
void session_free(struct session *s)
{
    for (size_t i = 0; i < s->nevents; i++)
        free(s->events[i].text);
    free(s->events);
    free(s->base);
    memset(s, 0, sizeof *s);
}
