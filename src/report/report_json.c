/* report_json.c: the report of analyze and watch (contract in report_json.h):
 * facts gathered from the engine's trackers, written as the DESIGN.md JSON
 * (jansson) or as text for people: verdict sentence, counts per class,
 * failing servers and clients, ICMP senders, and the ladder of one typical
 * failing attempt. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report_json.h"
#include "text.h"
#include "tracker.h"
#include "verdict.h"

#define REPORT_MAX_SERVERS 64
#define REPORT_MAX_CLIENTS 16
#define REPORT_MAX_ICMP    TRACKER_MAX_ICMP
#define TEXT_SERVERS 10
#define TEXT_CLIENTS 10

/* The flows object: total and one key per class (DESIGN.md names). */
static json_t *
flows_json(const struct hs_counts *c)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "total", json_integer((json_int_t)c->total));
    for (int i = 0; i < HS_NCLASSES; i++)
        json_object_set_new(o, capture_class_name((enum hs_class)i),
                            json_integer((json_int_t)c->by_class[i]));
    return o;
}

/* A string, or JSON null for NULL and "". */
static json_t *
str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

/* Builds the report object. */
json_t *
report_json_build(const struct report *r)
{
    json_t *o = json_object(), *a, *v;

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "playbook", json_string(r->playbook ? r->playbook : ""));
    a = json_array();
    for (size_t i = 0; i < r->nports; i++)
        json_array_append_new(a, json_integer(r->ports[i]));
    json_object_set_new(o, "ports", a);
    json_object_set_new(o, "packets", json_integer((json_int_t)r->packets));
    json_object_set_new(o, "flows", flows_json(&r->counts));

    v = json_object();
    json_object_set_new(v, "code", json_string(r->verdict_code ? r->verdict_code : "no_syn"));
    json_object_set_new(v, "scenario", str_or_null(r->scenario));
    json_object_set_new(v, "summary", json_string(r->summary ? r->summary : ""));
    if (r->vantage != NULL)
        json_object_set_new(v, "vantage", json_string(r->vantage));
    json_object_set_new(o, "verdict", v);

    a = json_array();
    for (size_t i = 0; i < r->nservers; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "address", json_string(r->servers[i].address));
        json_object_set_new(s, "port", json_integer(r->servers[i].port));
        json_object_set_new(s, "flows", flows_json(&r->servers[i].counts));
        json_array_append_new(a, s);
    }
    json_object_set_new(o, "servers", a);

    a = json_array();
    for (size_t i = 0; i < r->nicmp; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "address", json_string(r->icmp[i].address));
        json_object_set_new(s, "type", json_integer(r->icmp[i].type));
        json_object_set_new(s, "code", json_integer(r->icmp[i].code));
        json_object_set_new(s, "count", json_integer((json_int_t)r->icmp[i].count));
        json_array_append_new(a, s);
    }
    json_object_set_new(o, "unreachable_from", a);

    if (r->ncaptures > 0) {
        int truncated = 0;
        a = json_array();
        for (size_t i = 0; i < r->ncaptures; i++) {
            const struct report_capture *c = &r->captures[i];
            json_t *s = json_object();
            json_object_set_new(s, "name", json_string(c->name ? c->name : ""));
            json_object_set_new(s, "packets", json_integer((json_int_t)c->packets));
            json_object_set_new(s, "datalink", json_integer(c->datalink));
            if (c->vantage != NULL)
                json_object_set_new(s, "vantage", json_string(c->vantage));
            json_object_set_new(s, "truncated", json_boolean(c->truncated));
            json_object_set_new(s, "error", str_or_null(c->error));
            json_array_append_new(a, s);
            truncated |= c->truncated;
        }
        json_object_set_new(o, "captures", a);
        json_object_set_new(o, "truncated", json_boolean(truncated));
    }

    if (r->paths) {
        v = json_object();
        a = json_array();
        for (size_t i = 0; r->order != NULL && i < r->ncaptures; i++)
            json_array_append_new(a, json_string(r->order[i] ? r->order[i] : ""));
        json_object_set_new(v, "order", a);
        json_object_set_new(v, "matched", json_integer((json_int_t)r->matched));
        json_object_set_new(v, "path_drop", json_integer((json_int_t)r->path_drop));
        json_object_set_new(v, "return_path_drop", json_integer((json_int_t)r->return_path_drop));
        json_object_set_new(o, "path", v);
    }
    if (r->live) {
        json_object_set_new(o, "interface", json_string(r->interface ? r->interface : ""));
        json_object_set_new(o, "duration", json_real(r->duration));
        v = json_object();
        json_object_set_new(v, "kernel", json_integer((json_int_t)r->kernel_drops));
        json_object_set_new(v, "interface", json_integer((json_int_t)r->iface_drops));
        json_object_set_new(o, "drops", v);
    }
    return o;
}

/* Writes the report as indented JSON. */
int
report_json_write(const struct report *r, FILE *out, char **cause)
{
    json_t *o = report_json_build(r);
    int rc;

    if (o == NULL) {
        if (cause != NULL)
            *cause = strdup("out of memory building the JSON report");
        return -1;
    }
    rc = json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (rc != 0 || fputc('\n', out) == EOF || fflush(out) != 0) {
        if (cause != NULL)
            *cause = strdup("cannot write the JSON report");
        return -1;
    }
    return 0;
}

/* The class a failure verdict code names, or -1 (handshake_ok, no_syn, paths). */
static int
class_of_code(const char *code)
{
    for (int i = 0; i < HS_NCLASSES; i++)
        if (!strcmp(capture_class_name((enum hs_class)i), code))
            return i;
    return -1;
}

/* "established 3, refused 1" for the non-zero classes of C into BUF. */
static const char *
counts_text(const struct hs_counts *c, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < HS_NCLASSES && off < len; i++) {
        if (c->by_class[i] == 0)
            continue;
        int n = snprintf(buf + off, len - off, "%s%s %llu", off ? ", " : "",
                         capture_class_name((enum hs_class)i),
                         (unsigned long long)c->by_class[i]);
        if (n < 0)
            break;
        off += (size_t)n;
    }
    return buf;
}

/* Everything the text needs beyond struct report. */
struct text_extra {
    struct tracker_client clients[REPORT_MAX_CLIENTS];
    size_t nclients;
    struct tracker_attempt example;
    int has_example;
    const char *example_code;
    const char *example_at;      /* the capture the ladder is drawn from, or NULL */
    const struct path_report *paths;
    const char *const *names;
    const char *scenario_title;
};

/* "addr:port", with brackets around an IPv6 address. */
static const char *
endpoint_text(const struct ip_addr *a, uint16_t port, char *buf, size_t len)
{
    char s[48];
    decode_addr_str(a, s, sizeof s);
    snprintf(buf, len, a->family == 6 ? "[%s]:%u" : "%s:%u", s, (unsigned)port);
    return buf;
}

/* Writes the text report; file and interface names and the playbook's words
 * in their visible form (a file name can hold a terminal escape). */
static void
text_write(const struct report *r, const struct text_extra *x, FILE *out)
{
    char buf[256], e1[64], e2[64];
    size_t shown;
    struct text_vis v = { 0 };

    if (x->paths != NULL) {
        const struct path_report *p = x->paths;
        fprintf(out, "Captures, client side first:\n");
        for (size_t k = 0; k < p->ncaptures; k++) {
            size_t i = p->order[k];
            fprintf(out, "  %zu. %s: %llu packets, taken at the %s", k + 1, text_vis(&v, x->names[i]),
                    (unsigned long long)r->captures[i].packets,
                    verdict_vantage_name(p->vantage[i]));
            if (p->median_ttl[i])
                fprintf(out, " (SYN TTL %u)", p->median_ttl[i]);
            fprintf(out, "\n");
        }
        fprintf(out, "Attempts matched across captures: %llu of %llu\n",
                (unsigned long long)p->matched, (unsigned long long)p->total);
    } else if (r->ncaptures == 1) {
        int known = r->vantage != NULL && strcmp(r->vantage, "unknown") != 0;
        fprintf(out, "%s: %llu packets%s%s\n", text_vis(&v, r->captures[0].name),
                (unsigned long long)r->packets,
                known ? ", taken at the " : "", known ? r->vantage : "");
    }
    if (r->live)
        fprintf(out, "Interface %s, %.1f s, drops: %llu kernel, %llu interface\n",
                text_vis(&v, r->interface), r->duration, (unsigned long long)r->kernel_drops,
                (unsigned long long)r->iface_drops);

    fprintf(out, "\nVerdict: %s\n", text_vis(&v, r->summary));
    fprintf(out, "  code %s", r->verdict_code);
    if (r->scenario && r->scenario[0])
        fprintf(out, ", Scenario %s%s%s", text_vis(&v, r->scenario),
                x->scenario_title && x->scenario_title[0] ? ": " : "",
                text_vis(&v, x->scenario_title));
    fprintf(out, "\n\nAttempts to port");
    for (size_t i = 0; i < r->nports; i++)
        fprintf(out, "%s%u", i ? "," : " ", (unsigned)r->ports[i]);
    fprintf(out, ": %llu\n", (unsigned long long)r->counts.total);
    for (int i = 0; i < HS_NCLASSES; i++)
        fprintf(out, "  %-16s %llu\n", capture_class_name((enum hs_class)i),
                (unsigned long long)r->counts.by_class[i]);
    if (x->paths != NULL) {
        for (int c = VERDICT_PATH_DROP; c <= VERDICT_RETURN_PATH_DROP; c++)
            fprintf(out, "  %-16s %llu\n", verdict_code_name((enum verdict_code)c),
                    (unsigned long long)x->paths->by_code[c]);
    }

    shown = 0;
    for (size_t i = 0; i < r->nservers && shown < TEXT_SERVERS; i++) {
        const struct report_server *s = &r->servers[i];
        if (s->counts.total == s->counts.by_class[HS_ESTABLISHED])
            continue;
        if (shown++ == 0)
            fprintf(out, "\nFailing servers:\n");
        fprintf(out, "  %s%s%s:%u  %llu attempts: %s\n", strchr(s->address, ':') ? "[" : "",
                s->address, strchr(s->address, ':') ? "]" : "", (unsigned)s->port,
                (unsigned long long)s->counts.total, counts_text(&s->counts, buf, sizeof buf));
    }
    shown = 0;
    for (size_t i = 0; i < x->nclients && shown < TEXT_CLIENTS; i++) {
        const struct tracker_client *c = &x->clients[i];
        uint64_t failing = c->counts.total - c->counts.by_class[HS_ESTABLISHED];
        if (failing == 0)
            continue;
        if (shown++ == 0)
            fprintf(out, "\nFailing clients:\n");
        decode_addr_str(&c->addr, e1, sizeof e1);
        fprintf(out, "  %s  %llu of %llu attempts failed: %s\n", e1,
                (unsigned long long)failing, (unsigned long long)c->counts.total,
                counts_text(&c->counts, buf, sizeof buf));
    }
    if (r->nicmp > 0) {
        fprintf(out, "\nICMP errors from:\n");
        for (size_t i = 0; i < r->nicmp; i++) {
            const struct report_icmp *m = &r->icmp[i];
            int fam = strchr(m->address, ':') ? 6 : 4;
            fprintf(out, "  %s  %s type %u code %u (%s)  x%llu\n", m->address,
                    fam == 6 ? "ICMPv6" : "ICMP", m->type, m->code,
                    decode_unreach_name(fam, m->code, buf, sizeof buf),
                    (unsigned long long)m->count);
        }
    }
    if (x->has_example) {
        char lines[CAPTURE_LADDER_LINES][TRACKER_LADDER_WIDTH];
        unsigned n = tracker_ladder(&x->example, lines, CAPTURE_LADDER_LINES);
        fprintf(out, "\nA typical %s attempt: %s -> %s%s%s\n", x->example_code,
                endpoint_text(&x->example.client, x->example.cport, e1, sizeof e1),
                endpoint_text(&x->example.server, x->example.sport, e2, sizeof e2),
                x->example_at ? ", as seen at " : "", text_vis(&v, x->example_at));
        for (unsigned i = 0; i < n; i++)
            fprintf(out, "  %s\n", lines[i]);
        for (uint32_t f = 1; f != 0 && f <= TRK_SUPERSEDED; f <<= 1)
            if (x->example.detail & f)
                fprintf(out, "  note: %s\n", tracker_detail_name(f));
    }
    for (size_t i = 0; i < r->ncaptures; i++)
        if (r->captures[i].truncated)
            fprintf(out, "\nNote: %s is truncated; the report covers the %llu packets "
                    "before the cut.\n", text_vis(&v, r->captures[i].name),
                    (unsigned long long)r->captures[i].packets);
    text_vis_free(&v);
}

/* Merges ICMP senders of several captures: the same message seen by two
 * captures is one message, so counts are the maximum, not the sum. */
static size_t
merge_icmp(struct report_icmp *out, size_t n, size_t max, const struct tracker_icmp *in, size_t nin)
{
    for (size_t i = 0; i < nin; i++) {
        char addr[48];
        size_t j;
        decode_addr_str(&in[i].addr, addr, sizeof addr);
        for (j = 0; j < n; j++)
            if (!strcmp(out[j].address, addr) && out[j].type == in[i].type &&
                out[j].code == in[i].code)
                break;
        if (j == n) {
            if (n == max)
                continue;
            snprintf(out[n].address, sizeof out[n].address, "%s", addr);
            out[n].type = in[i].type;
            out[n].code = in[i].code;
            out[n].count = 0;
            n++;
        }
        if (in[i].count > out[j].count)
            out[j].count = in[i].count;
    }
    return n;
}

/* Adds attempt A (class CLS) to the server table of a multi-capture report. */
static size_t
add_server(struct report_server *sv, size_t n, size_t max, const struct tracker_attempt *a)
{
    char addr[48];
    size_t j;
    decode_addr_str(&a->server, addr, sizeof addr);
    for (j = 0; j < n; j++)
        if (sv[j].port == a->sport && !strcmp(sv[j].address, addr))
            break;
    if (j == n) {
        if (n == max)
            return n;
        memset(&sv[n], 0, sizeof sv[n]);
        snprintf(sv[n].address, sizeof sv[n].address, "%s", addr);
        sv[n].port = a->sport;
        n++;
    }
    sv[j].counts.total++;
    sv[j].counts.by_class[a->cls]++;
    return n;
}

/* Matches one attempt by its client port, server port and ISN (tracker_each). */
struct find_attempt {
    const struct tracker_attempt *want;
    struct tracker_attempt found;
    int ok;
};

/* tracker_each() callback of downstream_view(). */
static int
find_attempt_cb(const struct tracker_attempt *a, void *arg)
{
    struct find_attempt *f = arg;
    if (a->isn == f->want->isn && a->cport == f->want->cport && a->sport == f->want->sport) {
        f->found = *a;
        f->ok = 1;
        return 1;
    }
    return 0;
}

/* For a return_path_drop, draws the ladder from the most downstream capture
 * that saw the SYN-ACK (the server side: the SYN-ACKs leaving), not from the
 * client side where only SYNs show. */
static void
downstream_view(const struct report_source *src, const struct path_report *pr,
                const struct path_attempt *pa, struct text_extra *x)
{
    for (size_t k = pr->ncaptures; k-- > 0;) {
        size_t i = pr->order[k];
        struct find_attempt f = { &pa->a, { 0 }, 0 };
        if (!(pa->synack_seen & (1u << i)))
            continue;
        tracker_each(src->trackers[i], find_attempt_cb, &f);
        if (f.ok) {
            x->example = f.found;
            x->example_at = src->names[i];
        }
        return;
    }
}

/* Writes the report of SRC (JSON or text) and returns the exit status. */
int
report_json_emit(const struct report_source *src, int json, FILE *out, char **cause)
{
    struct report r;
    struct text_extra *x;
    struct report_server *servers;
    struct report_icmp *icmp;
    struct report_capture caps[VERDICT_MAX_CAPTURES];
    const char *order[VERDICT_MAX_CAPTURES];
    struct path_report pr;
    struct verdict v;
    struct verdict_input vin;
    int have_paths = 0, rc = -1, cls;

    if (src->n == 0 || src->n > VERDICT_MAX_CAPTURES) {
        if (cause)
            *cause = strdup("no capture to report on");
        return -1;
    }
    x = calloc(1, sizeof *x);
    servers = calloc(REPORT_MAX_SERVERS, sizeof *servers);
    icmp = calloc(REPORT_MAX_ICMP, sizeof *icmp);
    if (x == NULL || servers == NULL || icmp == NULL) {
        if (cause)
            *cause = strdup("out of memory");
        goto out;
    }
    memset(&r, 0, sizeof r);
    memset(&vin, 0, sizeof vin);
    memset(&pr, 0, sizeof pr);
    vin.local = src->local;
    vin.nlocal = src->nlocal;
    vin.scenario_for = src->scenario_for;
    vin.scenario_arg = src->scenario_arg;
    vin.names = src->names;
    r.playbook = src->playbook;
    r.ports = src->ports;
    r.nports = src->nports;
    for (size_t i = 0; i < src->n; i++) {
        const struct capture_snapshot *s = &src->snaps[i];
        r.packets += s->packets;
        caps[i].name = src->names[i];
        caps[i].packets = s->packets;
        caps[i].datalink = s->datalink;
        caps[i].truncated = s->truncated;
        caps[i].error = s->error;
        caps[i].vantage = NULL;
    }
    r.captures = caps;
    r.ncaptures = src->n;

    if (src->n == 1) {
        const struct tracker *t = src->trackers[0];
        struct tracker_server ts[REPORT_MAX_SERVERS];
        struct tracker_icmp ti[REPORT_MAX_ICMP];
        size_t n;

        verdict_compute(t, &vin, &v);
        tracker_counts(t, &r.counts);
        n = tracker_servers(t, ts, REPORT_MAX_SERVERS);
        for (size_t i = 0; i < n; i++) {
            decode_addr_str(&ts[i].addr, servers[i].address, sizeof servers[i].address);
            servers[i].port = ts[i].port;
            servers[i].counts = ts[i].counts;
        }
        r.nservers = n;
        n = tracker_icmp_senders(t, ti, REPORT_MAX_ICMP);
        for (size_t i = 0; i < n; i++) {
            decode_addr_str(&ti[i].addr, icmp[i].address, sizeof icmp[i].address);
            icmp[i].type = ti[i].type;
            icmp[i].code = ti[i].code;
            icmp[i].count = ti[i].count;
        }
        r.nicmp = n;
        x->nclients = tracker_clients(t, x->clients, REPORT_MAX_CLIENTS);
        cls = class_of_code(verdict_code_name(v.code));
        if (cls >= 0 && tracker_example(t, (enum hs_class)cls, &x->example) == 0) {
            x->has_example = 1;
            x->example_code = capture_class_name((enum hs_class)cls);
        }
        caps[0].vantage = verdict_vantage_name(v.vantage);
        r.vantage = verdict_vantage_name(v.vantage);
    } else {
        if (verdict_paths(src->trackers, src->n, &vin, &pr, cause) != 0)
            goto out;
        have_paths = 1;
        v = pr.verdict;
        for (size_t i = 0; i < pr.nattempts; i++) {
            const struct tracker_attempt *a = &pr.attempts[i].a;
            r.counts.total++;
            r.counts.by_class[a->cls]++;
            r.nservers = add_server(servers, r.nservers, REPORT_MAX_SERVERS, a);
            if (!x->has_example && pr.attempts[i].code == v.code && v.code != VERDICT_HANDSHAKE_OK) {
                x->example = *a;
                x->has_example = 1;
                x->example_code = verdict_code_name(v.code);
                if (v.code == VERDICT_RETURN_PATH_DROP)
                    downstream_view(src, &pr, &pr.attempts[i], x);
            }
        }
        for (size_t i = 0; i < src->n; i++) {
            struct tracker_icmp ti[REPORT_MAX_ICMP];
            size_t n = tracker_icmp_senders(src->trackers[i], ti, REPORT_MAX_ICMP);
            r.nicmp = merge_icmp(icmp, r.nicmp, REPORT_MAX_ICMP, ti, n);
            caps[i].vantage = verdict_vantage_name(pr.vantage[i]);
        }
        x->paths = &pr;
        x->names = src->names;
        r.vantage = NULL;
        for (size_t k = 0; k < pr.ncaptures; k++)
            order[k] = src->names[pr.order[k]];
        r.paths = 1;
        r.order = order;
        r.matched = pr.matched;
        r.path_drop = pr.by_code[VERDICT_PATH_DROP];
        r.return_path_drop = pr.by_code[VERDICT_RETURN_PATH_DROP];
    }
    r.verdict_code = verdict_code_name(v.code);
    r.scenario = v.scenario;
    r.summary = v.summary;
    r.servers = servers;
    r.icmp = icmp;
    if (src->live) {
        r.live = 1;
        r.interface = src->names[0];
        r.duration = src->duration;
        r.kernel_drops = src->snaps[0].kernel_drops;
        r.iface_drops = src->snaps[0].iface_drops;
    }
    x->scenario_title = src->scenario_title && v.scenario[0]
                        ? src->scenario_title(src->scenario_arg, v.scenario) : NULL;

    if (json) {
        if (report_json_write(&r, out, cause) != 0)
            goto out;
    } else {
        text_write(&r, x, out);
        if (fflush(out) != 0) {
            if (cause)
                *cause = strdup("cannot write the report");
            goto out;
        }
    }
    rc = v.code == VERDICT_HANDSHAKE_OK ? 0 : 1;
out:
    if (have_paths)
        verdict_paths_free(&pr);
    free(x);
    free(servers);
    free(icmp);
    return rc;
}
