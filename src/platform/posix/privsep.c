/* privsep.c: the privileged helpers and the drop of root (see privsep.h).
 * Framing: a fixed-size struct privsep_request, then for saves LENGTH bytes;
 * answers are fixed-size result structs, or for a trace a series of
 * (kind, event) frames ended by a (kind, count, cause) frame. */
#include "privsep.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "osdep.h"
#include "sandbox.h"
#include "user_file.h"
#include "util.h"

#define TRACE_EVENT 1
#define TRACE_DONE 2
#define MAX_TRACE_SECONDS 300
#define REPLY_MS 30000    /* the longest a check may take (nft, iptables, D-Bus each time out sooner) */
#define HELPER_STOPPED "the checks helper stopped"
#define HELPER_SLOW "the checks helper did not answer within 30 s"
#define HELPER_BAD "the checks helper sent a bad answer"
#define SAVER_STOPPED "the report helper stopped"
#define SAVER_SLOW "the report helper did not answer within 30 s"

static int checks_fd = -1, save_fd = -1;
static pid_t checks_pid = -1, save_pid = -1;
static int checks_gone;    /* the checks helper died or fell out of step */
static pthread_mutex_t checks_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t save_lock = PTHREAD_MUTEX_INITIALIZER;

/* Whether request R carries ports: a trace, or a check whose kind needs them. */
static int carries_ports(const struct privsep_request *r)
{
    const struct check_kind *k = check_kind(r->check);
    return r->op == PRIVSEP_TRACE || (r->op == PRIVSEP_CHECK && k && k->needs_ports);
}

/* Whether R is a request the helpers accept. */
int privsep_request_valid(const struct privsep_request *r, char *why, size_t n)
{
    const char *bad = NULL;
    size_t len = strnlen(r->names, sizeof r->names);
    size_t plen = strnlen(r->processes, sizeof r->processes);
    int save = r->op == PRIVSEP_SAVE_MD || r->op == PRIVSEP_SAVE_JSON;
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-, ";
    if (r->op != PRIVSEP_CHECK && r->op != PRIVSEP_TRACE && !save)
        bad = "unknown request";
    else if (r->op == PRIVSEP_CHECK && !check_kind(r->check))
        bad = "unknown check";
    else if (carries_ports(r) && (r->nports < 1 || r->nports > sizeof r->ports / sizeof r->ports[0]))
        bad = "bad port count";
    else if (r->op == PRIVSEP_TRACE && (r->seconds < 1 || r->seconds > MAX_TRACE_SECONDS))
        bad = "bad trace duration";
    else if (len == sizeof r->names || plen == sizeof r->processes)
        bad = "names not terminated";
    else if (strspn(r->names, allowed) != len || strspn(r->processes, allowed) != plen)
        bad = "names hold a character outside [A-Za-z0-9._@-, ]";
    else if (save && r->length > PRIVSEP_MAX_SAVE)
        bad = "file too large";
    else if (!save && r->length != 0)
        bad = "unexpected data";
    for (uint32_t i = 0; !bad && carries_ports(r) && i < r->nports; i++)
        if (r->ports[i] == 0)
            bad = "port 0";
    if (bad)
        snprintf(why, n, "%s", bad);
    return bad == NULL;
}

/* Helper side: sends one trace event back. */
static void send_event(const struct trace_event *ev, void *arg)
{
    int fd = *(int *)arg;
    uint32_t kind = TRACE_EVENT;
    if (util_write_full(fd, &kind, sizeof kind) == 0)
        util_write_full(fd, ev, sizeof *ev);
}

/* Helper side: sends a count and a message (the end of a trace, or a save's result). */
static void send_status(int fd, int32_t count, const char *cause)
{
    uint32_t len = cause ? (uint32_t)strlen(cause) : 0;
    util_write_full(fd, &count, sizeof count);
    util_write_full(fd, &len, sizeof len);
    if (len)
        util_write_full(fd, cause, len);
}

/* What the watcher of a trace waits on. */
struct watch {
    int sock;        /* the socket to the main process */
    int stop[2];     /* written when the trace is over */
};

/* Helper side, during a trace: stops it when the main process hangs up. */
static void *watch_hangup(void *arg)
{
    struct watch *w = arg;
    struct pollfd p[2] = { { .fd = w->sock, .events = POLLRDHUP }, { .fd = w->stop[0], .events = POLLIN } };
    while (poll(p, 2, -1) < 0 && errno == EINTR)
        ;
    if (p[0].revents & (POLLRDHUP | POLLHUP | POLLERR))
        probe_trace_stop();
    return NULL;
}

/* Helper side: runs one trace, sending its events, stopped early if the main
 * process hangs up. */
static void serve_trace(int fd, const struct privsep_request *r)
{
    char *cause = NULL;
    struct watch w = { fd, { -1, -1 } };
    pthread_t watcher;
    int watching = pipe(w.stop) == 0 && pthread_create(&watcher, NULL, watch_hangup, &w) == 0;
    int n = probe_trace(r->ports, r->nports, r->seconds, send_event, &fd, &cause);
    if (watching) {
        util_write_full(w.stop[1], "", 1);
        pthread_join(watcher, NULL);
    }
    if (w.stop[0] >= 0) {
        close(w.stop[0]);
        close(w.stop[1]);
    }
    uint32_t kind = TRACE_DONE;
    util_write_full(fd, &kind, sizeof kind);
    send_status(fd, n, cause);
    free(cause);
}

/* Helper side: answers check requests until the socket closes. */
static void serve_checks(int fd)
{
    struct privsep_request r;
    char why[128];
    while (util_read_full(fd, &r, sizeof r) == 0 && privsep_request_valid(&r, why, sizeof why)) {
        if (r.op == PRIVSEP_CHECK) {
            struct check_result out;
            struct check_input in = { r.ports, r.nports, r.names[0] ? r.names : NULL,
                                      r.processes[0] ? r.processes : NULL };
            memset(&out, 0, sizeof out);
            out.id = r.check;
            check_kind(r.check)->run(&in, &out);
            util_write_full(fd, &out, sizeof out);
        } else if (r.op == PRIVSEP_TRACE) {
            serve_trace(fd, &r);
        } else {
            break;
        }
    }
}

/* Helper side: saves report files to BASE.md and BASE.json, as the user this
 * helper became (atomic_file.h: never through a symlink, 0600, renamed within
 * the directory). */
static void serve_saves(int fd, const char *base)
{
    struct privsep_request r;
    char why[128];
    while (util_read_full(fd, &r, sizeof r) == 0 && privsep_request_valid(&r, why, sizeof why) &&
           (r.op == PRIVSEP_SAVE_MD || r.op == PRIVSEP_SAVE_JSON)) {
        char *data = malloc(r.length + 1), *path = NULL, *cause = NULL;
        if (!data || util_read_full(fd, data, r.length) < 0) {
            free(data);
            break;
        }
        int rc = -1;
        if (asprintf(&path, "%s.%s", base, r.op == PRIVSEP_SAVE_MD ? "md" : "json") >= 0)
            rc = atomic_file_write(path, data, r.length, &cause);
        send_status(fd, rc, cause);
        free(cause);
        free(path);
        free(data);
    }
}

/* Stops a trace cleanly when the helper is told to end. */
static void on_helper_signal(int sig)
{
    probe_trace_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The user root is given up for: the sudo user when there is one (returns 1),
 * else nobody (returns 0). */
static int target_ids(uid_t *uid, gid_t *gid)
{
    if (user_file_sudo_ids(uid, gid))
        return 1;
    struct passwd *pw = getpwnam("nobody");
    *uid = pw ? pw->pw_uid : 65534;
    *gid = pw ? pw->pw_gid : 65534;
    return 0;
}

/* Helper side: stdin, stdout and stderr on /dev/null, and every other
 * descriptor but FD closed (the other helper's socket, the wizard's files), so
 * a helper that dies closes the only copy of its socket. Returns FD's number. */
static int keep_only(int fd)
{
    if (fd < 3)
        fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    osdep_close_fds_except(fd);
    return fd;
}

/* Forks one helper serving socket end FD: the checks helper, or the report
 * helper when BASE is set. */
static pid_t fork_helper(int fd, const char *base)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    fd = keep_only(fd);
    osdep_die_with_parent();
    signal(SIGINT, SIG_IGN);    /* Ctrl-C and Ctrl-\ are for the wizard, which then saves and closes the socket */
    signal(SIGQUIT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, on_helper_signal);
    signal(SIGPIPE, SIG_IGN);
    if (base) {
        char *cause = NULL;
        /* the report is the sudo user's: written with their identity, not
           root's (root without sudo is its own user: its reports stay root's) */
        if (user_file_become(&cause) == 0)
            serve_saves(fd, base);
        free(cause);
    } else {
        osdep_restrict_checks_helper();
        serve_checks(fd);
    }
    probe_trace_cleanup();
    _exit(0);
}

/* Forks the helpers when running as root. */
int privsep_start(const char *report_base, char **cause)
{
    int cs[2] = { -1, -1 }, ss[2] = { -1, -1 };
    *cause = NULL;
    if (geteuid() != 0 || checks_fd >= 0)
        return 0;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cs) < 0 ||
        (report_base && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ss) < 0)) {
        if (asprintf(cause, "privilege separation: %s", strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
    checks_pid = fork_helper(cs[1], NULL);
    if (report_base)
        save_pid = fork_helper(ss[1], report_base);
    close(cs[1]);
    if (ss[1] >= 0)
        close(ss[1]);
    checks_fd = cs[0];
    save_fd = ss[0];
    checks_gone = 0;
    if (checks_pid < 0 || (report_base && save_pid < 0)) {
        privsep_stop();
        if (asprintf(cause, "privilege separation: fork: %s", strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
    return 0;
}

/* Gives up root, or the file capabilities of a setcap install, for good in
 * this process: call it while this is the only thread, as capabilities and
 * no_new_privs are per thread and new threads inherit them. */
int privsep_drop(char **cause)
{
    uid_t uid;
    gid_t gid;
    *cause = NULL;
    if (geteuid() != 0 && osdep_holds_caps()) {
        osdep_drop_bounding();     /* as far as allowed: without CAP_SETPCAP, it stays */
        return osdep_lose_caps(cause);
    }
    if (geteuid() != 0)
        return 0;
    target_ids(&uid, &gid);
    osdep_drop_bounding();
    if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
        if (asprintf(cause, "cannot give up root: %s", strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
    if (osdep_lose_caps(cause) < 0)
        return -1;
    if (setuid(0) == 0 || geteuid() == 0) {
        if (asprintf(cause, "root could be taken back after dropping it: refusing to go on") < 0)
            *cause = NULL;
        return -1;
    }
    return sandbox_enter(cause);
}

/* Whether the helpers are running. */
int privsep_active(void)
{
    return checks_fd >= 0;
}

/* Fills a request for the check helper: OP, the ports, the service names
 * and the expected programs. */
static void make_request(struct privsep_request *r, uint32_t op, const uint16_t *ports, size_t nports,
                         const char *names, const char *processes)
{
    memset(r, 0, sizeof *r);
    r->op = op;
    r->nports = (uint32_t)(nports < 16 ? nports : 16);
    if (ports)
        memcpy(r->ports, ports, r->nports * sizeof *ports);
    snprintf(r->names, sizeof r->names, "%s", names ? names : "");
    snprintf(r->processes, sizeof r->processes, "%s", processes ? processes : "");
}

/* The checks helper is gone or out of step: no request goes to it any more,
 * and every later one fails at once with the same sentence. Called with
 * checks_lock held. */
static void checks_lost(void)
{
    checks_gone = 1;
    shutdown(checks_fd, SHUT_RDWR);
}

/* Reads exactly N bytes from helper socket FD before DEADLINE (monotonic ms);
 * 0, or -1 with *WHY saying whether the helper stopped or is too slow. */
static int read_within(int fd, void *buf, size_t n, long long deadline, const char **why)
{
    char *p = buf;
    int checks = fd == checks_fd;
    while (n) {
        long long left = deadline - util_now_ms();
        struct pollfd pf = { fd, POLLIN, 0 };
        int r = left > 0 ? poll(&pf, 1, left > 60000 ? 60000 : (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 && left <= 0) {
            *why = checks ? HELPER_SLOW : SAVER_SLOW;
            return -1;
        }
        if (r == 0)
            continue;
        ssize_t got = r < 0 ? -1 : read(fd, p, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            *why = checks ? HELPER_STOPPED : SAVER_STOPPED;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

/* Sends R to the checks helper; 0, or -1 with *WHY. Called with checks_lock held. */
static int send_request(const struct privsep_request *r, const char **why)
{
    const char *p = (const char *)r;
    size_t n = sizeof *r;
    *why = HELPER_STOPPED;
    while (n && !checks_gone) {
        ssize_t w = send(checks_fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return checks_gone ? -1 : 0;
}

/* Sends R to the check helper and reads an answer of N bytes into OUT within
 * REPLY_MS; 0, or -1 with *WHY. */
static int ask(const struct privsep_request *r, void *out, size_t n, const char **why)
{
    pthread_mutex_lock(&checks_lock);
    int rc = send_request(r, why) == 0 && read_within(checks_fd, out, n, util_now_ms() + REPLY_MS, why) == 0 ? 0 : -1;
    if (rc < 0)
        checks_lost();
    pthread_mutex_unlock(&checks_lock);
    return rc;
}

/* Runs check ID, through the helper when there is one. */
void privsep_check(uint32_t id, const struct check_input *in, struct check_result *out)
{
    struct privsep_request r;
    char why[128];
    const char *lost;
    make_request(&r, PRIVSEP_CHECK, in->ports, in->nports, in->service, in->process);
    r.check = id;
    memset(out, 0, sizeof *out);
    out->id = id;
    if (!privsep_active() || !privsep_request_valid(&r, why, sizeof why)) {
        check_kind(id)->run(in, out);
        return;
    }
    int rc = ask(&r, out, sizeof *out, &lost);
    if (rc == 0 && out->id != id) {
        rc = -1;
        lost = HELPER_BAD;
    }
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        out->id = id;
        check_kind(id)->unknown(out, lost);
    }
}

/* Reads a (count, message) status frame from FD before DEADLINE; the count,
 * or -1 with *cause. */
static int read_status(int fd, long long deadline, char **cause)
{
    int32_t count;
    uint32_t len;
    const char *why = "the privileged helper sent a bad answer";
    if (read_within(fd, &count, sizeof count, deadline, &why) < 0 ||
        read_within(fd, &len, sizeof len, deadline, &why) < 0 || len > 4096) {
        if (asprintf(cause, "%s", why) < 0)
            *cause = NULL;
        return -1;
    }
    if (len) {
        char *msg = malloc(len + 1);
        if (msg && read_within(fd, msg, len, deadline, &why) == 0) {
            msg[len] = 0;
            *cause = msg;
        } else {
            free(msg);
            if (asprintf(cause, "%s", why) < 0)
                *cause = NULL;
            return -1;
        }
    }
    return count;
}

/* The live trace, through the helper when there is one. */
int privsep_trace(const uint16_t *ports, size_t nports, unsigned seconds,
                  void (*on_event)(const struct trace_event *ev, void *arg), void *arg, char **cause)
{
    struct privsep_request r;
    char why[128];
    *cause = NULL;
    make_request(&r, PRIVSEP_TRACE, ports, nports, NULL, NULL);
    r.seconds = seconds;
    if (!privsep_active())
        return probe_trace(ports, nports, seconds, on_event, arg, cause);
    if (!privsep_request_valid(&r, why, sizeof why)) {
        if (asprintf(cause, "trace: %s", why) < 0)
            *cause = NULL;
        return -1;
    }
    pthread_mutex_lock(&checks_lock);
    int n = -1;
    const char *why_lost;
    long long deadline = util_now_ms() + (long long)seconds * 1000 + REPLY_MS;
    if (send_request(&r, &why_lost) == 0) {
        uint32_t kind;
        struct trace_event ev;
        int ok;
        while ((ok = read_within(checks_fd, &kind, sizeof kind, deadline, &why_lost) == 0) && kind == TRACE_EVENT &&
               (ok = read_within(checks_fd, &ev, sizeof ev, deadline, &why_lost) == 0))
            on_event(&ev, arg);
        if (ok && kind != TRACE_DONE)
            why_lost = HELPER_BAD;
        n = ok && kind == TRACE_DONE ? read_status(checks_fd, deadline, cause) : -1;
    }
    if (n < 0 && !*cause && asprintf(cause, "%s", why_lost) < 0)
        *cause = NULL;
    if (n < 0 && (!*cause || !strcmp(*cause, HELPER_STOPPED) || !strcmp(*cause, HELPER_SLOW) ||
                  !strcmp(*cause, HELPER_BAD)))
        checks_lost();    /* the helper, not the trace, failed */
    pthread_mutex_unlock(&checks_lock);
    return n;
}

/* Saves a report file, through the helper when there is one. */
int privsep_save(const char *base, const char *ext, const char *data, size_t n, char **cause)
{
    *cause = NULL;
    if (save_fd < 0) {
        char *path = NULL;
        if (asprintf(&path, "%s.%s", base, ext) < 0)
            return -1;
        int rc = atomic_file_write(path, data, n, cause);
        free(path);
        return rc;
    }
    struct privsep_request r;
    memset(&r, 0, sizeof r);
    r.op = strcmp(ext, "md") ? PRIVSEP_SAVE_JSON : PRIVSEP_SAVE_MD;
    r.length = (uint32_t)n;
    if (n > PRIVSEP_MAX_SAVE) {
        if (asprintf(cause, "%s.%s: larger than %d bytes", base, ext, PRIVSEP_MAX_SAVE) < 0)
            *cause = NULL;
        return -1;
    }
    pthread_mutex_lock(&save_lock);
    int rc = -1;
    if (util_write_full(save_fd, &r, sizeof r) == 0 && util_write_full(save_fd, data, n) == 0)
        rc = read_status(save_fd, util_now_ms() + REPLY_MS, cause);
    pthread_mutex_unlock(&save_lock);
    if (rc < 0 && !*cause && asprintf(cause, "%s.%s: the privileged helper did not answer", base, ext) < 0)
        *cause = NULL;
    return rc < 0 ? -1 : 0;
}

/* Shuts the helpers' sockets down and waits for them to exit, with
 * async-signal-safe calls only. */
void privsep_end_helpers(void)
{
    if (checks_fd >= 0)
        shutdown(checks_fd, SHUT_RDWR);
    if (save_fd >= 0)
        shutdown(save_fd, SHUT_RDWR);
    if (checks_pid > 0)
        waitpid(checks_pid, NULL, 0);
    if (save_pid > 0)
        waitpid(save_pid, NULL, 0);
    checks_pid = save_pid = -1;
}

/* Ends the helpers. The main process may no longer signal them (it gave up
 * root), so it shuts their sockets down: each helper sees the end of its
 * stream and exits, a trace under way is stopped by its watcher, and a thread
 * here still waiting on a socket sees the end of the stream too. */
void privsep_stop(void)
{
    privsep_end_helpers();
    pthread_mutex_lock(&checks_lock);
    if (checks_fd >= 0)
        close(checks_fd);
    checks_fd = -1;
    pthread_mutex_unlock(&checks_lock);
    pthread_mutex_lock(&save_lock);
    if (save_fd >= 0)
        close(save_fd);
    save_fd = -1;
    pthread_mutex_unlock(&save_lock);
}

/* What the playbook parser child sends back: this header, then IDLEN bytes of
 * the playbook's id (OK 1), or CAUSELEN bytes of the one-line error: the
 * playbook's (OK 0) or why root could not be given up (OK -1). */
struct parsed_head {
    int32_t ok;
    uint32_t nports;
    uint16_t ports[PLAYBOOK_MAX_PORTS];
    uint32_t idlen;
    uint32_t causelen;
};

#define PARSED_MAX_ID 256
#define PARSED_MAX_CAUSE 65536

/* Parser child: gives up root as privsep_drop() does, parses the N bytes TEXT
 * of PATH, sends the id and ports (or the error) on FD, and exits. */
static void parse_as_user(int fd, const char *path, const char *text, size_t n, const char *lang)
{
    struct parsed_head h;
    struct playbook pb;
    char *cause = NULL;
    fd = keep_only(fd);
    memset(&h, 0, sizeof h);
    if (privsep_drop(&cause) < 0)
        h.ok = -1;
    else if (playbook_load_text(path, text, n, lang, &pb, &cause) == 0) {
        h.ok = 1;
        h.nports = (uint32_t)pb.nports;
        memcpy(h.ports, pb.ports, sizeof h.ports);
        h.idlen = pb.id ? (uint32_t)strnlen(pb.id, PARSED_MAX_ID + 1) : 0;
    }
    const char *tail = h.ok == 1 ? pb.id : cause ? cause : "cannot load the playbook";
    size_t len = h.ok == 1 ? h.idlen : strnlen(tail, PARSED_MAX_CAUSE);
    h.causelen = h.ok == 1 ? 0 : (uint32_t)len;
    if (util_write_full(fd, &h, sizeof h) == 0 && len)
        util_write_full(fd, tail, len);
    _exit(0);
}

/* Whether H, from the parser child, is an answer to trust: the port count
 * within PLAYBOOK_MAX_PORTS, no port 0, an id of [a-z0-9-] or an error. */
static int parsed_valid(const struct parsed_head *h, const char *id)
{
    if (h->ok == 0 || h->ok == -1)
        return h->causelen > 0 && h->causelen <= PARSED_MAX_CAUSE && h->idlen == 0;
    if (h->ok != 1 || h->nports > PLAYBOOK_MAX_PORTS || h->causelen != 0 || h->idlen == 0 || h->idlen > PARSED_MAX_ID ||
        strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != h->idlen)
        return 0;
    for (uint32_t i = 0; i < h->nports; i++)
        if (h->ports[i] == 0)
            return 0;
    return 1;
}

/* Parent side: reads the parser child's answer from FD into PB (path, id and
 * ports only); 0, or -1 with *cause (the playbook's own error, or the child's
 * failure), or -2 with *cause when the child could not give up root. */
static int read_parsed(int fd, const char *path, struct playbook *pb, char **cause)
{
    struct parsed_head h;
    char *tail = NULL;
    int got = util_read_full(fd, &h, sizeof h) == 0;
    size_t len = got ? (size_t)h.idlen + h.causelen : 0;
    if (got && len <= PARSED_MAX_ID + PARSED_MAX_CAUSE && (tail = calloc(1, len + 1)) &&
        util_read_full(fd, tail, len) == 0 && parsed_valid(&h, tail)) {
        if (h.ok != 1) {
            *cause = tail;
            return h.ok == -1 ? -2 : -1;
        }
        pb->path = strdup(path);
        pb->id = tail;
        memcpy(pb->ports, h.ports, sizeof pb->ports);
        pb->nports = h.nports;
        return 0;
    }
    free(tail);
    if (asprintf(cause, "%s: the playbook parser (run without root) stopped or sent a bad answer", path) < 0)
        *cause = NULL;
    return -1;
}

/* Reads PATH as the caller; parses it as the user (a child when root). */
int privsep_playbook_load(const char *path, const char *lang, struct playbook *pb, struct privsep_playbook *later,
                          char **cause)
{
    int fds[2];
    memset(pb, 0, sizeof *pb);
    memset(later, 0, sizeof *later);
    *cause = NULL;
    if (playbook_read_text(path, &later->text, &later->len, cause) < 0)
        return -1;
    if (geteuid() != 0) {
        int rc = playbook_load_text(path, later->text, later->len, lang, pb, cause);
        privsep_playbook_free(later);
        return rc;
    }
    later->path = strdup(path);
    later->lang = lang ? strdup(lang) : NULL;
    pid_t pid = pipe2(fds, O_CLOEXEC) == 0 ? fork() : -1;
    if (pid == 0)
        parse_as_user(fds[1], path, later->text, later->len, lang);
    int rc = -1;
    if (pid > 0) {
        close(fds[1]);
        rc = read_parsed(fds[0], path, pb, cause);
        close(fds[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    } else if (asprintf(cause, "%s: cannot start the playbook parser: %s", path, strerror(errno)) < 0) {
        *cause = NULL;
    }
    if (rc < 0)
        privsep_playbook_free(later);
    return rc;
}

/* After privsep_drop(): parses the bytes kept in LATER fully into PB. */
int privsep_playbook_finish(struct privsep_playbook *later, struct playbook *pb, char **cause)
{
    struct playbook full;
    *cause = NULL;
    if (!later->text)
        return 0;
    int rc = playbook_load_text(later->path, later->text, later->len, later->lang, &full, cause);
    privsep_playbook_free(later);
    if (rc == 0) {
        playbook_free(pb);
        *pb = full;
    }
    return rc;
}

/* Releases what privsep_playbook_load() kept. */
void privsep_playbook_free(struct privsep_playbook *later)
{
    free(later->path);
    free(later->lang);
    free(later->text);
    memset(later, 0, sizeof *later);
}
