/* checks.c: the table of the polled checks (checks.h) and each kind's forms.
 * The probes themselves are per OS under src/platform/<os>/ (probe.h). */
#include "checks.h"

#include <string.h>

#include "probe_json.h"
#include "probe_parse.h"

/* The checks' names, indexed by enum check_id. */
static const char *const names[CHECK_NKINDS] = { CHECK_KINDS(CHECK_NAME_) };

/* Fills an unknown result's summary and detail with WHY. */
static void unknown_text(char *summary, size_t slen, char *detail, size_t dlen, const char *why)
{
    snprintf(detail, dlen, "%s", why);
    snprintf(summary, slen, "unknown: %s", why);
}

/* Listener: runs probe_listener for the ports and the expected programs. */
static void listener_run(const struct check_input *in, struct check_result *out)
{
    probe_listener(in->ports, in->nports, in->process, &out->u.listener);
}

/* Listener: its state name. */
static const char *listener_state(const struct check_result *r)
{
    return probe_listener_state_name(r->u.listener.state);
}

/* Listener: whether something listens. */
static int listener_ok(const struct check_result *r)
{
    return r->u.listener.state == LISTENER_LISTENING;
}

/* Listener: nothing or only loopback listens, or an unexpected program owns the port. */
static int listener_problem(const struct check_result *r)
{
    const struct listener_result *l = &r->u.listener;
    int unexpected = 0;
    for (size_t i = 0; i < l->nsockets; i++)
        unexpected |= l->sockets[i].pid >= 0 && !l->sockets[i].expected_owner;
    return l->state == LISTENER_NOT_LISTENING || l->state == LISTENER_LOOPBACK_ONLY || unexpected;
}

/* Listener: unknown for want of a privilege. */
static int listener_lacks(const struct check_result *r)
{
    return r->u.listener.state == LISTENER_UNKNOWN && r->u.listener.lacks_privilege;
}

/* Listener: its summary. */
static const char *listener_summary(const struct check_result *r)
{
    return r->u.listener.summary;
}

/* Listener: its detail. */
static const char *listener_detail(const struct check_result *r)
{
    return r->u.listener.detail;
}

/* Listener: its JSON object. */
static json_t *listener_json(const struct check_result *r)
{
    return probe_json_listener(&r->u.listener);
}

/* Listener, for `check --json`: the scope: all (a wildcard socket), some
 * (specific addresses only, named in the summary; the state stays
 * "listening"), loopback, none. */
static void listener_scope(json_t *o, const struct check_result *r)
{
    const struct listener_result *l = &r->u.listener;
    int any = 0, specific = 0;
    for (size_t i = 0; i < l->nsockets; i++) {
        enum probe_scope sc = probe_parse_scope(l->sockets[i].address);
        any |= sc == PROBE_SCOPE_ANY;
        specific |= sc == PROBE_SCOPE_SPECIFIC;
    }
    const char *scope = l->state == LISTENER_UNKNOWN ? "unknown" : !l->nsockets ? "none" : any ? "all"
                      : specific ? "some" : "loopback";
    json_object_set_new(o, "scope", json_string(scope));
}

/* Listener: `check`'s lines, one per socket. */
static void listener_print(const struct check_result *r, size_t nports, struct text_vis *v)
{
    const struct listener_result *l = &r->u.listener;
    (void)nports;
    printf("Listener  %-14s %s\n", probe_listener_state_name(l->state), text_vis(v, l->summary));
    for (size_t i = 0; i < l->nsockets; i++) {
        const struct listener_socket *k = &l->sockets[i];
        if (k->pid >= 0)
            printf("          %s port %u: %s (pid %d, user %s)%s\n", text_vis(v, k->address), k->port,
                   text_vis(v, k->process), k->pid, text_vis(v, k->user), k->expected_owner ? "" : " UNEXPECTED");
        else
            printf("          %s port %u: owner unknown (user %s)\n", text_vis(v, k->address), k->port,
                   text_vis(v, k->user));
    }
    if (l->state == LISTENER_UNKNOWN || l->lacks_privilege)
        printf("          %s\n", text_vis(v, l->detail));
}

/* Listener: the report's lines. */
static void listener_markdown(FILE *f, const struct check_result *r, struct text_vis *v)
{
    const struct listener_result *l = &r->u.listener;
    fprintf(f, "- Listener: **%s**: %s\n", probe_listener_state_name(l->state), text_vis(v, l->summary));
    for (size_t i = 0; i < l->nsockets; i++) {
        const struct listener_socket *k = &l->sockets[i];
        fprintf(f, "  - %s port %u: %s (pid %d, user %s)%s\n", text_vis(v, k->address), k->port,
                text_vis(v, k->process), k->pid, text_vis(v, k->user),
                k->expected_owner ? "" : ", not the expected program");
    }
}

/* Listener: unknown, WHY the helper did not answer. */
static void listener_unknown(struct check_result *r, const char *why)
{
    struct listener_result *l = &r->u.listener;
    unknown_text(l->summary, sizeof l->summary, l->detail, sizeof l->detail, why);
}

/* Service: runs probe_service for the service names and the programs. */
static void service_run(const struct check_input *in, struct check_result *out)
{
    probe_service(in->service ? in->service : "", in->process, &out->u.service);
}

/* Service: its state name. */
static const char *service_state(const struct check_result *r)
{
    return probe_service_state_name(r->u.service.state);
}

/* Service: whether it runs. */
static int service_ok(const struct check_result *r)
{
    return r->u.service.state == SERVICE_RUNNING;
}

/* Service: stopped or not installed. */
static int service_problem(const struct check_result *r)
{
    return r->u.service.state == SERVICE_STOPPED || r->u.service.state == SERVICE_NOT_INSTALLED;
}

/* Service: unknown for want of a privilege. */
static int service_lacks(const struct check_result *r)
{
    return r->u.service.state == SERVICE_UNKNOWN && r->u.service.lacks_privilege;
}

/* Service: its summary. */
static const char *service_summary(const struct check_result *r)
{
    return r->u.service.summary;
}

/* Service: its detail. */
static const char *service_detail(const struct check_result *r)
{
    return r->u.service.detail;
}

/* Service: its JSON object. */
static json_t *service_json(const struct check_result *r)
{
    return probe_json_service(&r->u.service);
}

/* Service: `check`'s line. */
static void service_print(const struct check_result *r, size_t nports, struct text_vis *v)
{
    const struct service_result *s = &r->u.service;
    (void)nports;
    printf("Service   %-14s %s [%s]\n", probe_service_state_name(s->state), text_vis(v, s->summary),
           text_vis(v, s->manager));
    if (s->state == SERVICE_UNKNOWN)
        printf("          %s\n", text_vis(v, s->detail));
}

/* Service: the report's line. */
static void service_markdown(FILE *f, const struct check_result *r, struct text_vis *v)
{
    const struct service_result *s = &r->u.service;
    fprintf(f, "- Service %s: **%s** (%s): %s\n", text_vis(v, s->name), probe_service_state_name(s->state),
            text_vis(v, s->manager), text_vis(v, s->summary));
}

/* Service: unknown, WHY the helper did not answer. */
static void service_unknown(struct check_result *r, const char *why)
{
    struct service_result *s = &r->u.service;
    unknown_text(s->summary, sizeof s->summary, s->detail, sizeof s->detail, why);
}

/* Firewall: runs probe_firewall for the ports. */
static void firewall_run(const struct check_input *in, struct check_result *out)
{
    probe_firewall(in->ports, in->nports, &out->u.firewall);
}

/* Firewall: its state name. */
static const char *firewall_state(const struct check_result *r)
{
    return probe_firewall_state_name(r->u.firewall.state);
}

/* Firewall: whether it lets the SYNs in. */
static int firewall_ok(const struct check_result *r)
{
    return r->u.firewall.state == FIREWALL_OPEN;
}

/* Firewall: it blocks. */
static int firewall_problem(const struct check_result *r)
{
    return r->u.firewall.state == FIREWALL_BLOCKED;
}

/* Firewall: unknown for want of a privilege. */
static int firewall_lacks(const struct check_result *r)
{
    return r->u.firewall.state == FIREWALL_UNKNOWN && r->u.firewall.lacks_privilege;
}

/* Firewall: its summary. */
static const char *firewall_summary(const struct check_result *r)
{
    return r->u.firewall.summary;
}

/* Firewall: its detail. */
static const char *firewall_detail(const struct check_result *r)
{
    return r->u.firewall.detail;
}

/* Firewall: its JSON object. */
static json_t *firewall_json(const struct check_result *r)
{
    return probe_json_firewall(&r->u.firewall);
}

/* Firewall: `check`'s lines, one per deciding rule; the port of each when
 * NPORTS is more than one. */
static void firewall_print(const struct check_result *res, size_t nports, struct text_vis *v)
{
    const struct firewall_result *f = &res->u.firewall;
    printf("Firewall  %-14s %s [%s%s%s]\n", probe_firewall_state_name(f->state), text_vis(v, f->summary),
           text_vis(v, f->backend), *f->frontend ? ", " : "", text_vis(v, f->frontend));
    for (size_t i = 0; i < f->nrules; i++) {
        const struct firewall_rule *r = &f->rules[i];
        printf("          %s%s %s %s", r->conditional ? "(some sources) " : "", text_vis(v, r->verdict),
               text_vis(v, r->table), text_vis(v, r->chain));
        if (r->handle >= 0)
            printf(" handle %ld", r->handle);
        if (nports > 1)
            printf(" (port %u%s)", r->port, r->family == 4 ? ", IPv4" : r->family == 6 ? ", IPv6" : "");
        else if (r->family)
            printf(" (IPv%d)", r->family);
        printf(": %s", text_vis(v, r->text));
        if (r->packets)
            printf(" [%llu packets]", (unsigned long long)r->packets);
        printf("\n");
    }
    if (*f->detail)
        printf("          %s\n", text_vis(v, f->detail));
    if (*f->logging)
        printf("          logging: %s\n", text_vis(v, f->logging));
}

/* Firewall: the report's lines. */
static void firewall_markdown(FILE *f, const struct check_result *res, struct text_vis *v)
{
    const struct firewall_result *fw = &res->u.firewall;
    fprintf(f, "- Firewall: **%s** (%s): %s\n", probe_firewall_state_name(fw->state), text_vis(v, fw->backend),
            text_vis(v, fw->summary));
    for (size_t i = 0; i < fw->nrules; i++) {
        const struct firewall_rule *r = &fw->rules[i];
        fprintf(f, "  - %s in table %s, chain %s, handle %ld: `%s` (%llu packets)\n", text_vis(v, r->verdict),
                text_vis(v, r->table), text_vis(v, r->chain), r->handle, text_vis(v, r->text),
                (unsigned long long)r->packets);
    }
}

/* Firewall: unknown, WHY the helper did not answer. */
static void firewall_unknown(struct check_result *r, const char *why)
{
    struct firewall_result *f = &r->u.firewall;
    unknown_text(f->summary, sizeof f->summary, f->detail, sizeof f->detail, why);
}

/* The table, indexed by enum check_id. */
static const struct check_kind kinds[CHECK_NKINDS] = {
    [CHECK_LISTENER] = { "Listener", "Écoute", 1, listener_run, listener_state, listener_ok,
                         listener_problem, listener_lacks, listener_summary, listener_detail, listener_json,
                         listener_scope, listener_print, listener_markdown, listener_unknown },
    [CHECK_SERVICE] = { "Service", "Service", 0, service_run, service_state, service_ok,
                        service_problem, service_lacks, service_summary, service_detail, service_json, NULL,
                        service_print, service_markdown, service_unknown },
    [CHECK_FIREWALL] = { "Firewall", "Pare-feu", 1, firewall_run, firewall_state, firewall_ok,
                         firewall_problem, firewall_lacks, firewall_summary, firewall_detail, firewall_json, NULL,
                         firewall_print, firewall_markdown, firewall_unknown },
};

/* The kind with id ID, or NULL. */
const struct check_kind *check_kind(uint32_t id)
{
    return id < CHECK_NKINDS ? &kinds[id] : NULL;
}

/* The name of check ID. */
const char *check_name(uint32_t id)
{
    return id < CHECK_NKINDS ? names[id] : "?";
}
