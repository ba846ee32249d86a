/* cmd_analyze.c: `tshoot analyze [-p PB] [--port N] [--client A] [--server A]
 * [--json] FILE...`: reads capture files through the same engine as a live
 * capture (capture.c), then prints the verdict, counts per class, failing
 * clients and servers, ICMP senders and a ladder of one typical failing
 * attempt, or the DESIGN.md JSON. Several files are captures of the same
 * traffic from several devices: their attempts are matched (verdict_paths()).
 *
 * Exit status (DESIGN.md): 0 when the capture shows working handshakes and no
 * failure (handshake_ok); 1 when a problem was diagnosed, and also for no_syn:
 * a capture without any attempt proves nothing works (like Test-NetConnection,
 * whose TcpTestSucceeded is only True on a completed connection), and it is
 * itself a finding (wrong capture point, wrong port, the client never tried);
 * 2 for usage errors and bad input, including a truncated or unreadable file
 * (the report of what was read is still printed); 3 for the environment.
 * Run as root (`ssh host tcpdump -w - | sudo tshoot analyze -`), it opens its
 * inputs and gives up root (privsep_drop()) before reading any of them; the
 * playbook is read as root and parsed as the user (privsep_playbook_load()). */
#include <getopt.h>
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
#include "verdict.h"

#define DEFAULT_PLAYBOOK "smb-tcp-handshake"
#define PROGRESS_AFTER 1.0   /* seconds before a progress line appears */

/* Prints the usage line to F. */
static void
analyze_usage(FILE *f)
{
    fprintf(f, "usage: tshoot analyze [-p PLAYBOOK] [--port N] [--client A] [--server A] "
               "[--json] FILE...   (FILE may be -)\n");
}

static volatile sig_atomic_t analyze_stop;

/* SIGINT/SIGTERM: stop reading (a stream from `ssh ... tcpdump -w -` may never
 * end) and report what was read. */
static void
analyze_on_signal(int sig)
{
    (void)sig;
    analyze_stop = 1;
}

/* Prints "tshoot analyze: WHY" on stderr, WHY (it may name a file) in its visible form. */
static void
analyze_error(const char *why)
{
    struct text_vis v = { 0 };
    fprintf(stderr, "tshoot analyze: %s\n", text_vis(&v, why));
    text_vis_free(&v);
}

/* Waits for capture C to end, drawing a progress line on stderr when it is a
 * terminal and the file takes long; a signal ends the read early. */
static void
analyze_wait(struct capture *c, const char *file, struct capture_snapshot *snap)
{
    int tty = isatty(STDERR_FILENO);
    struct text_vis v = { 0 };
    const char *name = text_vis(&v, file);   /* a file name may hold an escape */
    int shown = 0;
    struct pollfd pfd = { capture_notify_fd(c), POLLIN, 0 };
    struct timespec t0, now;

    clock_gettime(CLOCK_MONOTONIC, &t0);

    for (;;) {
        if (analyze_stop)
            capture_interrupt(c);
        if (poll(&pfd, 1, 200) > 0)
            capture_drain_notify(c);
        capture_snapshot(c, snap);
        if (!snap->running && snap->generation > 0)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (tty && (double)(now.tv_sec - t0.tv_sec) +
                   (double)(now.tv_nsec - t0.tv_nsec) / 1e9 >= PROGRESS_AFTER) {
            if (snap->file_size > 0)
                fprintf(stderr, "\r%s: %3.0f%%  %llu packets, %llu attempts ", name,
                        100.0 * (double)snap->file_pos / (double)snap->file_size,
                        (unsigned long long)snap->packets,
                        (unsigned long long)snap->counts.total);
            else
                fprintf(stderr, "\r%s: %llu packets, %llu attempts ", name,
                        (unsigned long long)snap->packets,
                        (unsigned long long)snap->counts.total);
            shown = 1;
        }
    }
    capture_wait(c, snap);
    if (shown)
        fprintf(stderr, "\r\033[K");
    text_vis_free(&v);
}

/* `tshoot analyze`: reads capture files and reports (see the top of this file). */
int
cmd_analyze(int argc, char **argv)
{
    static const struct option opts[] = {
        { "playbook", required_argument, NULL, 'p' },
        { "port", required_argument, NULL, 'P' },
        { "client", required_argument, NULL, 'c' },
        { "server", required_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *pbname = DEFAULT_PLAYBOOK, *client = NULL, *server = NULL;
    uint16_t ports[PLAYBOOK_MAX_PORTS];
    size_t nports = 0, nfiles, nstdin = 0, nopen = 0;
    int json = 0, opt, rc = 2;
    char *cause = NULL, *path;
    struct playbook pb;
    struct privsep_playbook later;
    struct capture **caps = NULL;
    struct capture_snapshot *snaps = NULL;
    const struct tracker **trk = NULL;
    const char **names = NULL;
    struct report_source src;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'p': pbname = optarg; break;
        case 'P': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 65535) {
                fprintf(stderr, "tshoot analyze: --port %s: not a port number (1-65535)\n", optarg);
                return 2;
            }
            if (nports == PLAYBOOK_MAX_PORTS) {
                fprintf(stderr, "tshoot analyze: at most %d --port options\n", PLAYBOOK_MAX_PORTS);
                return 2;
            }
            ports[nports++] = (uint16_t)v;
            break;
        }
        case 'c': client = optarg; break;
        case 's': server = optarg; break;
        case 'j': json = 1; break;
        case 'h': analyze_usage(stdout); return 0;
        default:
            fprintf(stderr, "tshoot analyze: unknown or incomplete option '%s'\n", argv[optind - 1]);
            analyze_usage(stderr);
            return 2;
        }
    }
    nfiles = (size_t)(argc - optind);
    if (nfiles == 0) {
        fprintf(stderr, "tshoot analyze: no capture file given\n");
        analyze_usage(stderr);
        return 2;
    }
    if (nfiles > VERDICT_MAX_CAPTURES) {
        fprintf(stderr, "tshoot analyze: at most %d captures at once\n", VERDICT_MAX_CAPTURES);
        return 2;
    }
    for (size_t i = 0; i < nfiles; i++)
        nstdin += strcmp(argv[optind + (int)i], "-") == 0;
    if (nstdin > 1) {
        fprintf(stderr, "tshoot analyze: standard input (-) can be read only once\n");
        return 2;
    }

    memset(&pb, 0, sizeof pb);
    path = playbook_resolve(pbname, &cause);
    int loaded = path ? privsep_playbook_load(path, NULL, &pb, &later, &cause) : -1;
    if (loaded < 0) {
        analyze_error(cause ? cause : pbname);
        free(cause);
        free(path);
        return loaded == -2 ? 3 : 2;    /* -2: root could not be given up */
    }
    free(path);
    if (nports == 0) {
        memcpy(ports, pb.ports, pb.nports * sizeof ports[0]);
        nports = pb.nports;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = analyze_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    caps = calloc(nfiles, sizeof *caps);
    snaps = calloc(nfiles, sizeof *snaps);
    trk = calloc(nfiles, sizeof *trk);
    names = calloc(nfiles, sizeof *names);
    if (caps == NULL || snaps == NULL || trk == NULL || names == NULL) {
        fprintf(stderr, "tshoot analyze: out of memory\n");
        goto out;
    }
    /* every input is opened first (a root-only file too), then root is given
       up (to the sudo user or nobody) before a byte of them is read */
    for (nopen = 0; nopen < nfiles; nopen++) {
        struct capture_config cfg;
        int code = 2;
        memset(&cfg, 0, sizeof cfg);
        cfg.file = argv[optind + (int)nopen];
        cfg.ports = ports;
        cfg.nports = nports;
        cfg.client = client;
        cfg.server = server;
        cfg.scenario_for = playbook_scenario_id;
        cfg.scenario_arg = &pb;
        caps[nopen] = capture_open(&cfg, &code, &cause);
        if (caps[nopen] == NULL) {
            analyze_error(cause ? cause : cfg.file);
            free(cause);
            rc = code;
            goto out;
        }
    }
    if (privsep_drop(&cause) < 0) {
        fprintf(stderr, "tshoot analyze: %s\n", cause ? cause : "cannot give up root");
        free(cause);
        rc = 3;
        goto out;
    }
    if (privsep_playbook_finish(&later, &pb, &cause) < 0) {
        analyze_error(cause ? cause : pbname);
        free(cause);
        goto out;
    }
    for (size_t i = 0; i < nfiles; i++) {
        const char *file = argv[optind + (int)i];
        int code = 2;
        if (capture_run(caps[i], NULL, &code, &cause) < 0) {
            analyze_error(cause ? cause : file);
            free(cause);
            rc = code;
            goto out;
        }
        analyze_wait(caps[i], strcmp(file, "-") ? file : "standard input", &snaps[i]);
        trk[i] = capture_tracker(caps[i]);
        names[i] = file;
        if (analyze_stop) {          /* interrupted: report on what was read so far */
            fprintf(stderr, "tshoot analyze: interrupted: the report covers what was read\n");
            nfiles = i + 1;
            break;
        }
    }

    memset(&src, 0, sizeof src);
    src.playbook = pb.id;
    src.ports = ports;
    src.nports = nports;
    src.trackers = trk;
    src.snaps = snaps;
    src.names = names;
    src.n = nfiles;
    src.scenario_for = playbook_scenario_id;
    src.scenario_title = playbook_scenario_title;
    src.scenario_arg = &pb;
    rc = report_json_emit(&src, json, stdout, &cause);
    if (rc < 0) {
        analyze_error(cause ? cause : "cannot write the report");
        free(cause);
        rc = 2;
        goto out;
    }
    for (size_t i = 0; i < nfiles; i++)
        if (snaps[i].error[0] != '\0') {
            analyze_error(snaps[i].error);
            rc = snaps[i].error_code ? snaps[i].error_code : 2;
        }

out:
    for (size_t i = 0; caps != NULL && i < nopen; i++)
        capture_stop(caps[i]);
    free(caps);
    free(snaps);
    free(trk);
    free(names);
    privsep_playbook_free(&later);
    playbook_free(&pb);
    return rc;
}
