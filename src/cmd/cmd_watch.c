/* cmd_watch.c: `tshoot watch [-p PB] [-i IFACE] [--duration S] [--write F.pcap]
 * [--json]`: a live capture without the UI, through the same engine as the
 * wizard and `analyze` (capture.c). It runs until --duration elapses or
 * SIGINT/SIGTERM (Ctrl-C), then prints the verdict so far (text, or the
 * DESIGN.md JSON with "interface", "duration" and "drops"). While it runs, a
 * status line on stderr shows the counts when stderr is a terminal.
 * Exit status: 0 handshake_ok, 1 any other verdict (no_syn included, as in
 * analyze), 2 usage or bad playbook, 3 environment (permission, no such
 * interface, the capture failed). With --write, the evidence file is complete
 * at every moment (capture.c flushes each packet); an existing F is replaced
 * by a rename, never written through, and under sudo F is created by the
 * user, not root (user_file.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "commands.h"
#include "decode.h"
#include "playbook.h"
#include "privsep.h"
#include "report_json.h"
#include "text.h"
#include "tracker.h"
#include "user_file.h"

#define DEFAULT_PLAYBOOK "smb-tcp-handshake"
#define MAX_LOCAL 64

static volatile sig_atomic_t watch_signalled;

/* SIGINT/SIGTERM handler: asks the main loop to end. */
static void
watch_on_signal(int sig)
{
    (void)sig;
    watch_signalled = 1;
}

/* Prints the usage line to F. */
static void
watch_usage(FILE *f)
{
    fprintf(f, "usage: tshoot watch [-p PLAYBOOK] [-i IFACE] [--duration S] [--write F.pcap] "
               "[--json]\n");
}

/* Prints "tshoot watch: WHY" on stderr, WHY (it may name an interface or a
 * file) in its visible form. */
static void
watch_error(const char *why)
{
    struct text_vis v = { 0 };
    fprintf(stderr, "tshoot watch: %s\n", text_vis(&v, why));
    text_vis_free(&v);
}

/* Seconds on the monotonic clock. */
static double
watch_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* `tshoot watch`: captures live until the duration or a signal, then reports. */
int
cmd_watch(int argc, char **argv)
{
    static const struct option opts[] = {
        { "playbook", required_argument, NULL, 'p' },
        { "interface", required_argument, NULL, 'i' },
        { "duration", required_argument, NULL, 'd' },
        { "write", required_argument, NULL, 'w' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *pbname = DEFAULT_PLAYBOOK, *iface = NULL, *write_path = NULL;
    char defiface[128];
    double duration = 0, t0;
    int json = 0, opt, rc, code = 3, tty = isatty(STDERR_FILENO), status = 0;
    char *cause = NULL, *path;
    struct playbook pb;
    struct privsep_playbook later;
    struct capture *c;
    FILE *evidence = NULL;
    int dropped;
    struct capture_config cfg;
    struct capture_snapshot snap;
    struct sigaction sa, old_int, old_term;
    struct report_source src;
    struct ip_addr local[MAX_LOCAL];
    const struct tracker *trk;
    const char *names[1];

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "p:i:hw:", opts, NULL)) != -1) {
        switch (opt) {
        case 'p': pbname = optarg; break;
        case 'i': iface = optarg; break;
        case 'w': write_path = optarg; break;
        case 'j': json = 1; break;
        case 'd': {
            char *end;
            duration = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' || !(duration > 0) || !isfinite(duration)) {
                fprintf(stderr, "tshoot watch: --duration %s: not a number of seconds\n", optarg);
                return 2;
            }
            break;
        }
        case 'h': watch_usage(stdout); return 0;
        default:
            fprintf(stderr, "tshoot watch: unknown or incomplete option '%s'\n", argv[optind - 1]);
            watch_usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tshoot watch: unexpected argument '%s' (to read a file: tshoot analyze)\n",
                argv[optind]);
        return 2;
    }

    if (iface == NULL && (iface = capture_default_iface(defiface, sizeof defiface, &cause)) == NULL) {
        fprintf(stderr, "tshoot watch: %s\n", cause);
        free(cause);
        return 3;
    }

    memset(&pb, 0, sizeof pb);
    path = playbook_resolve(pbname, &cause);
    int loaded = path ? privsep_playbook_load(path, NULL, &pb, &later, &cause) : -1;
    if (loaded < 0) {
        fprintf(stderr, "tshoot watch: %s\n", cause ? cause : pbname);
        free(cause);
        free(path);
        return loaded == -2 ? 3 : 2;    /* -2: root could not be given up */
    }
    free(path);

    memset(&cfg, 0, sizeof cfg);
    cfg.iface = iface;
    cfg.ports = pb.ports;
    cfg.nports = pb.nports;
    cfg.write_path = write_path;
    cfg.scenario_for = playbook_scenario_id;
    cfg.scenario_arg = &pb;

    /* handlers first, so a Ctrl-C right after the start still gets a report */
    watch_signalled = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watch_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    /* root (or the setcap capabilities) opens the capture; the evidence file
       is created as the user; the drop comes before the capture thread, so
       nothing is decoded with privileges */
    c = capture_open(&cfg, &code, &cause);
    if (c == NULL) {
        watch_error(cause ? cause : iface);
        free(cause);
        rc = code;
        goto out_pb;
    }
    if (write_path != NULL && (evidence = user_file_fopen(write_path, &cause)) == NULL) {
        fprintf(stderr, "tshoot watch: %s\n", cause ? cause : write_path);
        free(cause);
        capture_stop(c);
        rc = 2;
        goto out_pb;
    }
    code = 3;
    dropped = privsep_drop(&cause) == 0;
    if (dropped && privsep_playbook_finish(&later, &pb, &cause) < 0) {
        dropped = 0;    /* the bytes the parser child accepted: only memory can fail */
        code = 2;
    }
    if (!dropped && evidence != NULL)
        fclose(evidence);          /* capture_run() never took it */
    if (!dropped || capture_run(c, evidence, &code, &cause) < 0) {
        fprintf(stderr, "tshoot watch: %s\n", cause ? cause : "cannot give up root");
        free(cause);
        capture_stop(c);
        rc = code;
        goto out_pb;
    }
    t0 = watch_now();
    /* as tcpdump's "listening on": always, once the filter is set, so a script
       can wait for this line before it sends traffic */
    struct text_vis v = { 0 };
    fprintf(stderr, "tshoot: listening on %s (ports of %s)%s%s%s\n", text_vis(&v, iface), text_vis(&v, pb.id),
            write_path ? ", evidence to " : "", write_path ? text_vis(&v, write_path) : "",
            tty ? "; Ctrl-C ends with the verdict" : "");
    for (;;) {
        struct pollfd pfd = { capture_notify_fd(c), POLLIN, 0 };
        int wait_ms = 200;
        if (duration > 0) {
            double left = duration - (watch_now() - t0);
            if (left <= 0)
                break;
            if (left * 1000 < wait_ms)
                wait_ms = (int)(left * 1000) + 1;
        }
        if (watch_signalled)
            break;
        if (poll(&pfd, 1, wait_ms) > 0)
            capture_drain_notify(c);
        capture_snapshot(c, &snap);
        if (!snap.running && snap.generation > 0)
            break;                         /* the capture ended on an error */
        if (tty)
            fprintf(stderr, "\r%.0f s  %llu packets  attempts %llu: %llu ok, %llu failed  %s ",
                    watch_now() - t0, (unsigned long long)snap.packets,
                    (unsigned long long)snap.counts.total,
                    (unsigned long long)snap.counts.by_class[HS_ESTABLISHED],
                    (unsigned long long)(snap.counts.total - snap.counts.by_class[HS_ESTABLISHED]),
                    snap.verdict_code);
    }
    if (tty)
        fprintf(stderr, "\r\033[K");
    capture_interrupt(c);
    capture_wait(c, &snap);
    trk = capture_tracker(c);
    names[0] = iface;

    memset(&src, 0, sizeof src);
    src.playbook = pb.id;
    src.ports = pb.ports;
    src.nports = pb.nports;
    src.trackers = &trk;
    src.snaps = &snap;
    src.names = names;
    src.n = 1;
    src.nlocal = capture_local(c, local, MAX_LOCAL);
    src.local = local;
    src.scenario_for = playbook_scenario_id;
    src.scenario_title = playbook_scenario_title;
    src.scenario_arg = &pb;
    src.live = 1;
    src.duration = watch_now() - t0;
    rc = report_json_emit(&src, json, stdout, &cause);
    if (rc < 0) {
        watch_error(cause ? cause : "cannot write the report");
        free(cause);
        rc = 2;
    }
    if (snap.error[0] != '\0') {
        watch_error(snap.error);
        status = snap.error_code ? snap.error_code : 3;
    }
    if (write_path != NULL && !json)
        fprintf(stderr, "tshoot: %llu evidence packets written to %s\n",
                (unsigned long long)snap.evidence, text_vis(&v, write_path));
    text_vis_free(&v);
    capture_stop(c);
    if (status != 0)
        rc = status;
out_pb:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    privsep_playbook_free(&later);
    playbook_free(&pb);
    return rc;
}
