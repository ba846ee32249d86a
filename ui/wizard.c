/* wizard.c: `tshoot wizard`: loads the playbook, opens the terminal, starts the
 * checks and the capture in the background, and runs the main loop: sleep in
 * poll() until a key, a resize, a signal or new evidence, then redraw. */
#include <curses.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "commands.h"
#include "lang.h"
#include "playbook.h"
#include "privsep.h"
#include "session.h"
#include "text.h"
#include "ui_checks.h"
#include "ui_term.h"
#include "ui_text.h"
#include "ui_wizard.h"
#include "user_file.h"

/* The index of the scenario the capture evidence points to, or -1. */
int wizard_evidence_scenario(const struct wizard *w)
{
    const struct evidence *st = &w->status;
    if (!st->have_capture || !st->capture.scenario[0])
        return -1;
    for (size_t i = 0; i < w->pb->nscenarios; i++)
        if (!strcmp(w->pb->scenarios[i].id, st->capture.scenario))
            return (int)i;
    return -1;
}


#define TRACE_SECONDS 30

/* Starts the firewall trace in the background (key t). */
void wizard_run_trace(struct wizard *w)
{
    if (w->tracer && trace_run_start(w->tracer, TRACE_SECONDS) == 0)
        trace_run_collect(w->tracer, &w->trace);
}

/* Saves the session report; with LOUD set, says where in the footer. */
void wizard_save(struct wizard *w, int loud)
{
    char *cause = NULL;
    if (session_save(w->session, &w->status, &cause) < 0)
        snprintf(w->message, sizeof w->message, "%s", cause ? cause : "cannot save the report");
    else if (loud)
        snprintf(w->message, sizeof w->message, "%s %s.md", ui_word(W_SAVED), w->session->base);
    free(cause);
}

/* Starts the checks again in the background (key r). */
void wizard_run_checks(struct wizard *w)
{
    if (w->checks && checks_run(w->checks) == 0)
        w->status.checking = 1;
}

/* Allocates the done flags, one per step of each scenario of W's playbook
 * (loaded in full). */
static int wizard_init(struct wizard *w)
{
    struct playbook *pb = w->pb;
    w->done = calloc(pb->nscenarios, sizeof *w->done);
    if (!w->done)
        return -1;
    for (size_t i = 0; i < pb->nscenarios; i++)
        if (!(w->done[i] = calloc(pb->scenarios[i].nsteps + 1, 1)))
            return -1;
    if (gethostname(w->host, sizeof w->host - 1) < 0)
        snprintf(w->host, sizeof w->host, "?");
    return 0;
}

/* Releases the done flags. */
static void wizard_free(struct wizard *w)
{
    for (size_t i = 0; w->done && i < w->pb->nscenarios; i++)
        free(w->done[i]);
    free(w->done);
}

/* The evidence capture beside the report: headers only (no payload leaves by
 * accident) unless --full-packets, and bounded so a flood cannot fill the disk. */
#define EVIDENCE_SNAPLEN 160
#define EVIDENCE_MAX_BYTES (8u << 20)

/* Shows why there is no capture in the panel. */
static void capture_failed(struct wizard *w, const char *cause)
{
    snprintf(w->status.capture_error, sizeof w->status.capture_error, "%s", cause ? cause : "no capture");
}

/* Opens the capture from FILE (at its own pace with REALTIME) or live on IFACE
 * (NULL: the system's default, capture_default_iface()), and as the user the
 * evidence file EVIDENCE, into *EV; nothing is read yet (capture_open()). On
 * failure the reason goes to the panel. */
static struct capture *open_capture(struct wizard *w, const char *iface, const char *file, int realtime,
                                    int full_packets, const char *evidence, FILE **ev)
{
    char defiface[64];
    char *cause = NULL;
    if (file == NULL && iface == NULL && (iface = capture_default_iface(defiface, sizeof defiface, &cause)) == NULL) {
        capture_failed(w, cause);
        free(cause);
        return NULL;
    }
    struct capture_config cfg = {
        .iface = file ? NULL : iface,
        .file = file,
        .ports = w->pb->ports,
        .nports = w->pb->nports,
        .write_path = evidence,
        .scenario_for = playbook_scenario_id,
        .scenario_arg = w->pb,
        .realtime = realtime,
        .evidence_snaplen = full_packets ? 0 : EVIDENCE_SNAPLEN,
        .evidence_max = EVIDENCE_MAX_BYTES,
    };
    int code;
    struct capture *c = capture_open(&cfg, &code, &cause);
    if (c && evidence && !(*ev = user_file_fopen(evidence, &cause))) {
        capture_stop(c);
        c = NULL;
    }
    if (c) {
        const char *src = file ? file : cfg.iface;
        const char *base = strrchr(src, '/');
        snprintf(w->status.capture_source, sizeof w->status.capture_source, "%s", base ? base + 1 : src);
    } else {
        capture_failed(w, cause);
    }
    free(cause);
    return c;
}

/* Starts the capture thread of C (after the privilege drop) with the evidence
 * stream EV; returns C, or NULL with the reason in the panel. */
static struct capture *run_capture(struct wizard *w, struct capture *c, FILE *ev)
{
    int code;
    char *cause = NULL;
    if (c && capture_run(c, ev, &code, &cause) < 0) {
        capture_failed(w, cause);
        capture_stop(c);
        c = NULL;
    }
    free(cause);
    return c;
}

/* When the evidence comes to point to a scenario (or to another one), shows
 * that scenario at its first step not done yet; whenever the verdict changes,
 * the footer says what it is now. */
static void follow_evidence(struct wizard *w)
{
    const struct capture_snapshot *c = &w->status.capture;
    int ev = wizard_evidence_scenario(w);
    if (ev < 0 || (!strcmp(w->followed_scenario, c->scenario) && !strcmp(w->followed_code, c->verdict_code)))
        return;
    if (strcmp(w->followed_scenario, c->scenario))
        screen_main_show_scenario(w, (size_t)ev);
    snprintf(w->followed_scenario, sizeof w->followed_scenario, "%s", c->scenario);
    snprintf(w->followed_code, sizeof w->followed_code, "%s", c->verdict_code);
    snprintf(w->message, sizeof w->message, "%s %s: %.200s", ui_word(W_EVIDENCE_POINTS),
             w->pb->scenarios[ev].id, c->summary);
}

/* Prints the wizard's usage. */
static void usage(FILE *f)
{
    fprintf(f, "usage: tshoot [wizard] [-p PLAYBOOK] [-i IFACE | -r FILE | --replay FILE] [--lang LL] "
               "[--report PATH] [--full-packets]\n");
}

/* Runs the loop until quit; returns the signal that ended it, or 0. */
static int wizard_loop(struct wizard *w, struct capture *cap)
{
    int fds[3], nfds = 0;
    if (w->checks)
        fds[nfds++] = checks_notify_fd(w->checks);
    if (w->tracer)
        fds[nfds++] = trace_run_notify_fd(w->tracer);
    if (cap)
        fds[nfds++] = capture_notify_fd(cap);
    while (!w->quit) {
        screen_main_draw(w);
        if (w->screen == SCREEN_HELP)
            screen_help_draw(w);
        else if (w->screen == SCREEN_NOTE)
            screen_note_draw(w);
        else if (w->screen == SCREEN_EXPLAIN)
            screen_explain_draw(w);
        refresh();
        /* a running trace redraws its countdown every second; else sleep until news */
        int what = term_wait(fds, nfds, w->trace.running ? 1000 : -1);
        if (what & TERM_QUIT)
            return term_quit_signal() ? term_quit_signal() : SIGHUP;
        if (w->tracer)
            trace_run_collect(w->tracer, &w->trace);
        if (what & TERM_EXTRA) {
            if (w->checks)
                checks_collect(w->checks, &w->status);
            if (cap) {
                capture_drain_notify(cap);
                capture_snapshot(cap, &w->status.capture);
                w->status.have_capture = 1;
                follow_evidence(w);
            }
        }
        wint_t wc;
        for (int r; !w->quit && (r = get_wch(&wc)) != ERR; ) {
            int key = r == KEY_CODE_YES ? UI_FKEY((int)wc) : (int)wc;
            if (key == UI_FKEY(KEY_RESIZE))
                continue;
            if (w->screen == SCREEN_HELP)
                screen_help_key(w, key);
            else if (w->screen == SCREEN_NOTE)
                screen_note_key(w, key);
            else if (w->screen == SCREEN_EXPLAIN)
                screen_explain_key(w, key);
            else
                screen_main_key(w, key);
        }
    }
    return 0;
}

/* tshoot wizard: the interactive walk through a playbook. */
int cmd_wizard(int argc, char **argv)
{
    static const struct option opts[] = {
        { "playbook", required_argument, NULL, 'p' }, { "interface", required_argument, NULL, 'i' },
        { "read", required_argument, NULL, 'r' }, { "lang", required_argument, NULL, 'L' },
        { "report", required_argument, NULL, 'R' }, { "replay", required_argument, NULL, 'P' },
        { "full-packets", no_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    const char *pbname = "smb-tcp-handshake", *iface = NULL, *file = NULL, *langopt = NULL;
    const char *report = NULL;
    int realtime = 0, full_packets = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:i:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pbname = optarg; break;
        case 'i': iface = optarg; break;
        case 'r': file = optarg; break;
        case 'L': langopt = optarg; break;
        case 'R': report = optarg; break;
        case 'P': file = optarg; realtime = 1; break;
        case 'F': full_packets = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || (iface && file)) {
        usage(stderr);
        return 2;
    }
    char lang[16], *cause = NULL;
    lang_pick(langopt, lang, sizeof lang);
    char *path = playbook_resolve(pbname, &cause);
    struct playbook pb;
    struct privsep_playbook later;
    int loaded = path ? privsep_playbook_load(path, lang, &pb, &later, &cause) : -1;
    if (loaded < 0) {
        fprintf(stderr, "tshoot: %s\n", cause ? cause : pbname);
        free(cause);
        free(path);
        return loaded == -2 ? 3 : 2;    /* -2: root could not be given up */
    }
    free(path);
    ui_text_set_lang(lang);

    struct wizard w = { 0 };
    struct session session;
    int status = 3, sig = 0;
    /* the report's directory is made (or refused) as the user, and the
       privileged helpers are forked, before anything else is open */
    int failed = session_init(&session, &pb, report, &cause) < 0 ? 2 : 0;
    if (!failed && (privsep_start(session.base, &cause) < 0 || term_open(&status, &cause) < 0))
        failed = status;
    if (failed) {
        struct text_vis cv = { 0 };
        fprintf(stderr, "tshoot: %s\n", text_vis(&cv, cause ? cause : "out of memory"));
        text_vis_free(&cv);
        free(cause);
        privsep_stop();
        wizard_free(&w);
        session_free(&session);
        privsep_playbook_free(&later);
        playbook_free(&pb);
        return failed;
    }
    w.session = &session;
    w.pb = &pb;    /* its id and ports until privsep_playbook_finish() */
    char *evidence = session_capture_path(&session);
    FILE *ev = NULL;
    struct capture *cap = open_capture(&w, iface, file, realtime, full_packets, evidence, &ev);
    free(evidence);
    /* the capture handle is open: root is not needed here any more, and the
       capture thread starts only now, so every thread decodes without it;
       the playbook is parsed in full, as the user, only now */
    int lost = privsep_drop(&cause) < 0 ? 3 : privsep_playbook_finish(&later, &pb, &cause) < 0 ? 2 : 0;
    if (lost || wizard_init(&w) < 0) {
        term_close();
        struct text_vis cv = { 0 };
        fprintf(stderr, "tshoot: %s\n", text_vis(&cv, cause ? cause : "out of memory"));
        exit(lost ? lost : 3);
    }
    screen_main_init(&w);
    cap = run_capture(&w, cap, ev);
    w.checks = checks_new(&pb);
    w.tracer = trace_run_new(&pb);
    wizard_run_checks(&w);
    sig = wizard_loop(&w, cap);
    term_close();
    wizard_save(&w, 1);        /* quitting, by key or by signal, writes the report */
    if (!sig)
        sig = term_quit_signal();   /* one that came while quitting still decides the status */
    struct text_vis v = { 0 };
    if (w.message[0])
        fprintf(stderr, "tshoot: %s\n", text_vis(&v, w.message));
    if (cap)
        capture_stop(cap);
    privsep_stop();
    trace_run_free(w.tracer);
    checks_free(w.checks);
    wizard_free(&w);
    session_free(&session);
    playbook_free(&pb);
    text_vis_free(&v);
    if (sig) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    return 0;
}
