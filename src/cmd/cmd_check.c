/* cmd_check.c: `tshoot check [-p PLAYBOOK] [--json]`: runs the machine checks
 * (listener, service, firewall; include/probe.h) for the playbook's ports and
 * prints them for people or as DESIGN.md's JSON. Exit status: 1 when a check
 * found a problem (nothing or only loopback listening, an unexpected owner,
 * the service stopped or not installed, the firewall blocking), else 3 when a
 * check could not run for want of a privilege (stderr says which), else 0.
 *
 * A socket bound to some addresses only is state "listening" (DESIGN.md's set)
 * with "scope": "some" and the addresses named in the summary.
 *
 * Options beyond DESIGN.md, for scripts and tests: --port N (repeatable) uses
 * these ports instead of a playbook's (then --service and --process give the
 * names the playbook would), and --trace SECONDS also runs the live firewall
 * trace and lists the rule or policy that decided each SYN ("trace" in JSON).
 *
 * Run as root, it forks the privileged checks helper, gives up root at once
 * (privsep.h) and asks the helper for each check: the process that parses
 * the playbook, formats the JSON and prints is the invoking user's. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "playbook.h"
#include "probe.h"
#include "checks.h"
#include "privsep.h"
#include "text.h"
#include "sandbox.h"
#include "util.h"

/* What the command was asked for. */
struct check_opts {
    const char *playbook;
    int json;
    uint16_t ports[PLAYBOOK_MAX_PORTS];
    size_t nports;
    const char *service;
    const char *process;
    unsigned trace_seconds;
};

/* Results of the trace, collected by the callback. */
struct trace_list {
    struct trace_event ev[64];
    size_t n;
    int print;
};

/* Prints the usage line to stderr and returns 2. */
static int usage(const char *why)
{
    FILE *f = why ? stderr : stdout;
    if (why)
        fprintf(stderr, "tshoot check: %s\n", why);
    fprintf(f, "usage: tshoot check [-p PLAYBOOK] [--json] [--port N]... [--service NAMES] "
                    "[--process NAMES] [--trace SECONDS]\n");
    return why ? 2 : 0;
}

/* Parses the options into O; returns 1 for --help, -1 on a usage error with
 * the offending argument in *BAD. */
static int parse_opts(int argc, char **argv, struct check_opts *o, const char **bad)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        *bad = a;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            return 1;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if ((!strcmp(a, "-p") || !strcmp(a, "--playbook")) && v) {
            o->playbook = v;
            i++;
        } else if (!strcmp(a, "--port") && v) {
            char *end;
            long p = strtol(v, &end, 10);
            if (*end || p < 1 || p > 65535 || o->nports >= PLAYBOOK_MAX_PORTS)
                return -1;
            o->ports[o->nports++] = (uint16_t)p;
            i++;
        } else if (!strcmp(a, "--service") && v) {
            o->service = v;
            i++;
        } else if (!strcmp(a, "--process") && v) {
            o->process = v;
            i++;
        } else if (!strcmp(a, "--trace") && v) {
            char *end;
            long s = strtol(v, &end, 10);
            if (*end || s < 1 || s > 3600)
                return -1;
            o->trace_seconds = (unsigned)s;
            i++;
        } else {
            return -1;
        }
    }
    return 0;
}

/* Collects (and, for people, prints at once) one trace decision. */
static void on_trace(const struct trace_event *ev, void *arg)
{
    struct trace_list *l = arg;
    if (l->n < sizeof l->ev / sizeof l->ev[0])
        l->ev[l->n++] = *ev;
    if (l->print) {
        struct text_vis v = { 0 };
        printf("  SYN %s:%u -> port %u on %s: %s by %s %s %s", text_vis(&v, ev->source), ev->sport, ev->dport,
               *ev->iif ? text_vis(&v, ev->iif) : "?", text_vis(&v, ev->verdict), text_vis(&v, ev->family),
               text_vis(&v, ev->table), text_vis(&v, ev->chain));
        if (ev->handle >= 0)
            printf(" handle %ld: %s\n", ev->handle, text_vis(&v, ev->text));
        else
            printf(" (%s)\n", text_vis(&v, ev->text));
        text_vis_free(&v);
        fflush(stdout);
    }
}

/* Stops the trace and removes its table when the user interrupts: the
 * helper's (it sees the socket shut and removes it before it exits), or this
 * process's own when it traces without a helper. */
static void on_signal(int sig)
{
    privsep_end_helpers();
    probe_trace_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Adds the time a check took to its JSON object. */
static json_t *with_elapsed(json_t *o, double ms)
{
    json_object_set_new(o, "elapsed_ms", json_real(ms));
    return o;
}

/* Prints the results for people, every string from the system in its
 * visible form (a process name can hold terminal escapes). */
static void print_human(const struct check_opts *o, const char *pbid, const struct check_result *res)
{
    struct text_vis v = { 0 };
    printf("Checks for %s, TCP port", pbid ? text_vis(&v, pbid) : "the given ports");
    for (size_t i = 0; i < o->nports; i++)
        printf("%s%u", i ? "," : " ", o->ports[i]);
    printf("\n\n");
    for (uint32_t id = 0; id < CHECK_NKINDS; id++)
        check_kind(id)->print(&res[id], o->nports, &v);
    printf("Sandbox   %-14s %s\n", sandbox_state(), sandbox_detail());
    text_vis_free(&v);
}

/* The results as `check --json`'s object: the playbook, the ports, one
 * object per check (with the time it took) and the sandbox. */
static json_t *results_json(const struct check_opts *o, const char *pbid, const struct check_result *res,
                            const double *ms)
{
    json_t *ports = json_array();
    for (size_t i = 0; i < o->nports; i++)
        json_array_append_new(ports, json_integer(o->ports[i]));
    json_t *root = json_pack("{s:s?, s:o}", "playbook", pbid, "ports", ports);
    for (uint32_t id = 0; id < CHECK_NKINDS; id++) {
        const struct check_kind *k = check_kind(id);
        json_t *one = k->json(&res[id]);
        if (k->json_check)
            k->json_check(one, &res[id]);
        json_object_set_new(root, check_name(id), with_elapsed(one, ms[id]));
    }
    json_object_set_new(root, "sandbox", json_pack("{s:s, s:s}", "state", sandbox_state(), "detail",
                                                     sandbox_detail()));
    return root;
}

/* The exit status the results call for: 1 when a check found a problem, else
 * 3 when one could not run for want of a privilege (stderr says which), else 0. */
static int results_status(const struct check_result *res)
{
    char why[TEXT_VISIBLE_SIZE(256)];
    int problem = 0, priv = 0;
    for (uint32_t id = 0; id < CHECK_NKINDS; id++) {
        problem |= check_kind(id)->problem(&res[id]);
        priv |= check_kind(id)->lacks_privilege(&res[id]);
    }
    if (problem)
        return 1;
    for (uint32_t id = 0; priv && id < CHECK_NKINDS; id++)
        if (check_kind(id)->lacks_privilege(&res[id]))
            fprintf(stderr, "tshoot check: %s: %s\n", check_name(id),
                    text_visible(why, sizeof why, check_kind(id)->detail(&res[id])));
    return priv ? 3 : 0;
}

/* Prints "tshoot check: CAUSE" (or WHAT) on stderr, releases CAUSE and
 * returns STATUS. */
static int check_error(char *cause, const char *what, int status)
{
    char why[TEXT_VISIBLE_SIZE(256)];
    fprintf(stderr, "tshoot check: %s\n", text_visible(why, sizeof why, cause ? cause : what));
    free(cause);
    return status;
}

/* Reads the playbook O asks for (none with --port alone) into PB, setting
 * *HAVE_PB; when root, starts the privileged checks helper and gives up root
 * before the playbook is parsed in full (privsep.h), so that the rest (the
 * helper's answers, the JSON, the printing) runs as the user. 0, or an exit
 * status after a one-line error (PB then to be freed). */
static int load_as_user(const struct check_opts *o, struct playbook *pb, int *have_pb)
{
    struct privsep_playbook later;
    char *cause = NULL;
    memset(&later, 0, sizeof later);
    *have_pb = o->nports == 0 || o->playbook;
    if (*have_pb) {
        char *path = playbook_resolve(o->playbook ? o->playbook : "smb-tcp-handshake", &cause);
        int rc = path ? privsep_playbook_load(path, NULL, pb, &later, &cause) : -1;
        free(path);
        if (rc < 0)    /* -2: root could not be given up */
            return check_error(cause, "cannot load the playbook", rc == -2 ? 3 : 2);
    }
    if (privsep_start(NULL, &cause) < 0 || (privsep_active() && privsep_drop(&cause) < 0)) {
        privsep_playbook_free(&later);
        return check_error(cause, "cannot give up root", 3);
    }
    if (privsep_playbook_finish(&later, pb, &cause) < 0)
        return check_error(cause, "cannot load the playbook", 2);
    return 0;
}

/* Runs every check and prints the results; returns the exit status. */
int cmd_check(int argc, char **argv)
{
    struct check_opts o;
    memset(&o, 0, sizeof o);
    const char *bad = NULL;
    char why[TEXT_VISIBLE_SIZE(256)];
    int parsed = parse_opts(argc, argv, &o, &bad);
    if (parsed > 0)
        return usage(NULL);
    if (parsed < 0) {
        snprintf(why, sizeof why, "unknown option, or a bad or missing value: '%s'", bad);
        return usage(why);
    }
    struct playbook pb;
    memset(&pb, 0, sizeof pb);
    int have_pb = 0;
    const char *service = o.service, *process = o.process;
    int status = load_as_user(&o, &pb, &have_pb);
    if (status) {
        playbook_free(&pb);
        privsep_stop();
        return status;
    }
    if (have_pb) {
        if (o.nports == 0) {
            for (size_t i = 0; i < pb.nports && i < PLAYBOOK_MAX_PORTS; i++)
                o.ports[o.nports++] = pb.ports[i];
        }
        if (!service)
            service = pb.service[PB_OS_LINUX];
        if (!process)
            process = pb.process[PB_OS_LINUX];
    }
    if (o.nports == 0) {
        playbook_free(&pb);
        privsep_stop();
        return usage("the playbook names no port");
    }

    static struct check_result res[CHECK_NKINDS];    /* tens of KiB: not on the stack */
    double ms[CHECK_NKINDS];
    struct check_input in = { o.ports, o.nports, service, process };
    for (uint32_t id = 0; id < CHECK_NKINDS; id++) {
        double t0 = (util_now_ns() / 1e6);
        privsep_check(id, &in, &res[id]);
        ms[id] = (util_now_ns() / 1e6) - t0;
    }

    struct trace_list tl;
    memset(&tl, 0, sizeof tl);
    char *trace_cause = NULL;
    int traced = 0;
    if (o.trace_seconds) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        if (!o.json) {
            print_human(&o, have_pb ? pb.id : NULL, res);
            printf("\nTracing SYNs to the port for %u s (its own table inet tshoot_trace_PID, removed afterwards)...\n",
                   o.trace_seconds);
            fflush(stdout);
            tl.print = 1;
        }
        traced = privsep_trace(o.ports, o.nports, o.trace_seconds, on_trace, &tl, &trace_cause);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (!o.json) {
            if (traced < 0)
                printf("  trace failed: %s\n", text_visible(why, sizeof why, trace_cause ? trace_cause : "?"));
            else if (traced == 0)
                printf("  no SYN to the port arrived during the trace\n");
        }
    }

    privsep_stop();    /* every answer is in: the helper ends (and its trace table with it) */
    if (o.json) {
        json_t *root = results_json(&o, have_pb ? pb.id : NULL, res, ms);
        if (o.trace_seconds) {
            json_t *arr = json_array();
            for (size_t i = 0; i < tl.n; i++) {
                const struct trace_event *e = &tl.ev[i];
                json_t *x = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "id", e->id,
                                      "source", e->source, "sport", e->sport, "dport", e->dport, "interface", e->iif,
                                      "family", e->family, "table", e->table, "chain", e->chain, "handle",
                                      (json_int_t)e->handle, "verdict", e->verdict, "text", e->text);
                if (e->handle < 0)
                    json_object_set_new(x, "handle", json_null());
                json_array_append_new(arr, x);
            }
            json_object_set_new(root, "trace", arr);
            if (traced < 0)
                json_object_set_new(root, "trace_error", json_string(trace_cause ? trace_cause : "failed"));
        }
        char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text)
            puts(text);
        free(text);
        json_decref(root);
    } else if (!o.trace_seconds) {
        print_human(&o, have_pb ? pb.id : NULL, res);
    }
    free(trace_cause);
    if (have_pb)
        playbook_free(&pb);

    return results_status(res);
}
