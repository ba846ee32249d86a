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
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "atomic_file.h"
#include "sandbox.h"

#define TRACE_EVENT 1
#define TRACE_DONE 2
#define MAX_TRACE_SECONDS 300

static int checks_fd = -1, save_fd = -1;
static pid_t checks_pid = -1, save_pid = -1;
static pthread_mutex_t checks_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t save_lock = PTHREAD_MUTEX_INITIALIZER;

/* Reads exactly N bytes; 0, or -1 on EOF or error. */
static int read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Writes exactly N bytes; 0, or -1 on error. */
static int write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Whether R is a request the helpers accept. */
int privsep_request_valid(const struct privsep_request *r, char *why, size_t n)
{
    const char *bad = NULL;
    size_t len = strnlen(r->names, sizeof r->names);
    size_t plen = strnlen(r->processes, sizeof r->processes);
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-, ";
    if (r->op < PRIVSEP_LISTENER || r->op > PRIVSEP_SAVE_JSON)
        bad = "unknown request";
    else if (r->op <= PRIVSEP_TRACE && r->op != PRIVSEP_SERVICE &&
             (r->nports < 1 || r->nports > sizeof r->ports / sizeof r->ports[0]))
        bad = "bad port count";
    else if (r->op == PRIVSEP_TRACE && (r->seconds < 1 || r->seconds > MAX_TRACE_SECONDS))
        bad = "bad trace duration";
    else if (len == sizeof r->names || plen == sizeof r->processes)
        bad = "names not terminated";
    else if (strspn(r->names, allowed) != len || strspn(r->processes, allowed) != plen)
        bad = "names hold a character outside [A-Za-z0-9._@-, ]";
    else if ((r->op == PRIVSEP_SAVE_MD || r->op == PRIVSEP_SAVE_JSON) && r->length > PRIVSEP_MAX_SAVE)
        bad = "file too large";
    else if (r->op != PRIVSEP_SAVE_MD && r->op != PRIVSEP_SAVE_JSON && r->length != 0)
        bad = "unexpected data";
    for (uint32_t i = 0; !bad && r->op <= PRIVSEP_TRACE && i < r->nports; i++)
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
    if (write_full(fd, &kind, sizeof kind) == 0)
        write_full(fd, ev, sizeof *ev);
}

/* Helper side: sends a count and a message (the end of a trace, or a save's result). */
static void send_status(int fd, int32_t count, const char *cause)
{
    uint32_t len = cause ? (uint32_t)strlen(cause) : 0;
    write_full(fd, &count, sizeof count);
    write_full(fd, &len, sizeof len);
    if (len)
        write_full(fd, cause, len);
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
        write_full(w.stop[1], "", 1);
        pthread_join(watcher, NULL);
    }
    if (w.stop[0] >= 0) {
        close(w.stop[0]);
        close(w.stop[1]);
    }
    uint32_t kind = TRACE_DONE;
    write_full(fd, &kind, sizeof kind);
    send_status(fd, n, cause);
    free(cause);
}

/* Helper side: answers check requests until the socket closes. */
static void serve_checks(int fd)
{
    struct privsep_request r;
    char why[128];
    while (read_full(fd, &r, sizeof r) == 0 && privsep_request_valid(&r, why, sizeof why)) {
        if (r.op == PRIVSEP_LISTENER) {
            struct listener_result out;
            probe_listener(r.ports, r.nports, r.names[0] ? r.names : NULL, &out);
            write_full(fd, &out, sizeof out);
        } else if (r.op == PRIVSEP_SERVICE) {
            struct service_result out;
            probe_service(r.names, r.processes[0] ? r.processes : NULL, &out);
            write_full(fd, &out, sizeof out);
        } else if (r.op == PRIVSEP_FIREWALL) {
            struct firewall_result out;
            probe_firewall(r.ports, r.nports, &out);
            write_full(fd, &out, sizeof out);
        } else if (r.op == PRIVSEP_TRACE) {
            serve_trace(fd, &r);
        } else {
            break;
        }
    }
}

/* Helper side: saves report files to BASE.md and BASE.json, given to UID:GID
 * (the sudo user) unless UID is 0. */
static void serve_saves(int fd, const char *base, uid_t uid, gid_t gid)
{
    struct privsep_request r;
    char why[128];
    while (read_full(fd, &r, sizeof r) == 0 && privsep_request_valid(&r, why, sizeof why) &&
           (r.op == PRIVSEP_SAVE_MD || r.op == PRIVSEP_SAVE_JSON)) {
        char *data = malloc(r.length + 1), *path = NULL, *cause = NULL;
        if (!data || read_full(fd, data, r.length) < 0) {
            free(data);
            break;
        }
        int rc = -1;
        if (asprintf(&path, "%s.%s", base, r.op == PRIVSEP_SAVE_MD ? "md" : "json") >= 0) {
            rc = atomic_file_write(path, data, r.length, &cause);
            if (rc == 0 && uid != 0 && chown(path, uid, gid) < 0)
                rc = -1;
        }
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

/* The user root is given up for: SUDO_UID/SUDO_GID when set (returns 1),
 * else nobody (returns 0). */
static int target_ids(uid_t *uid, gid_t *gid)
{
    const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
    char *end;
    if (su && sg && *su && *sg) {
        unsigned long u = strtoul(su, &end, 10);
        if (!*end && u != 0) {
            unsigned long g = strtoul(sg, &end, 10);
            if (!*end) {
                *uid = (uid_t)u;
                *gid = (gid_t)g;
                return 1;
            }
        }
    }
    struct passwd *pw = getpwnam("nobody");
    *uid = pw ? pw->pw_uid : 65534;
    *gid = pw ? pw->pw_gid : 65534;
    return 0;
}

/* Forks one helper serving socket end FD; the other ends are closed in it. */
static pid_t fork_helper(int fd, int other1, int other2, const char *base)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    close(other1);
    if (other2 >= 0)
        close(other2);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    signal(SIGINT, SIG_IGN);    /* Ctrl-C is for the wizard, which then closes the socket */
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, on_helper_signal);
    signal(SIGPIPE, SIG_IGN);
    if (base) {
        uid_t uid = 0;
        gid_t gid = 0;
        if (!target_ids(&uid, &gid))
            uid = gid = 0;    /* root's own reports stay root's */
        serve_saves(fd, base, uid, gid);
    } else {
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
    checks_pid = fork_helper(cs[1], cs[0], ss[0], NULL);
    if (report_base)
        save_pid = fork_helper(ss[1], ss[0], cs[0], report_base);
    close(cs[1]);
    if (ss[1] >= 0)
        close(ss[1]);
    checks_fd = cs[0];
    save_fd = ss[0];
    if (checks_pid < 0 || (report_base && save_pid < 0)) {
        privsep_stop();
        if (asprintf(cause, "privilege separation: fork: %s", strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
    return 0;
}

/* Gives up root for good in this process. */
int privsep_drop(char **cause)
{
    uid_t uid;
    gid_t gid;
    *cause = NULL;
    if (geteuid() != 0)
        return 0;
    target_ids(&uid, &gid);
#ifdef __linux__
    for (int cap = 0; cap < 64; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
            break;
#endif
    if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
        if (asprintf(cause, "cannot give up root: %s", strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
#ifdef __linux__
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
#endif
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

/* Fills a request for the check helper. */
static void make_request(struct privsep_request *r, uint32_t op, const uint16_t *ports, size_t nports,
                         const char *names)
{
    memset(r, 0, sizeof *r);
    r->op = op;
    r->nports = (uint32_t)(nports < 16 ? nports : 16);
    if (ports)
        memcpy(r->ports, ports, r->nports * sizeof *ports);
    snprintf(r->names, sizeof r->names, "%s", names ? names : "");
}

/* Sends R to the check helper and reads an answer of N bytes into OUT; 0 or -1. */
static int ask(const struct privsep_request *r, void *out, size_t n)
{
    pthread_mutex_lock(&checks_lock);
    int rc = write_full(checks_fd, r, sizeof *r) == 0 && read_full(checks_fd, out, n) == 0 ? 0 : -1;
    pthread_mutex_unlock(&checks_lock);
    return rc;
}

/* Listening sockets, through the helper when there is one. */
void privsep_listener(const uint16_t *ports, size_t nports, const char *expected,
                      struct listener_result *out)
{
    struct privsep_request r;
    char why[128];
    make_request(&r, PRIVSEP_LISTENER, ports, nports, expected);
    if (!privsep_active() || !privsep_request_valid(&r, why, sizeof why)) {
        probe_listener(ports, nports, expected, out);
    } else if (ask(&r, out, sizeof *out) < 0) {
        memset(out, 0, sizeof *out);
        snprintf(out->detail, sizeof out->detail, "the privileged helper did not answer");
        snprintf(out->summary, sizeof out->summary, "unknown: %.200s", out->detail);
    }
}

/* The service state, through the helper when there is one. */
void privsep_service(const char *names, const char *processes, struct service_result *out)
{
    struct privsep_request r;
    char why[128];
    make_request(&r, PRIVSEP_SERVICE, NULL, 0, names);
    snprintf(r.processes, sizeof r.processes, "%s", processes ? processes : "");
    if (!privsep_active() || !privsep_request_valid(&r, why, sizeof why)) {
        probe_service(names, processes, out);
    } else if (ask(&r, out, sizeof *out) < 0) {
        memset(out, 0, sizeof *out);
        snprintf(out->detail, sizeof out->detail, "the privileged helper did not answer");
        snprintf(out->summary, sizeof out->summary, "unknown: %.200s", out->detail);
    }
}

/* The firewall's decision, through the helper when there is one. */
void privsep_firewall(const uint16_t *ports, size_t nports, struct firewall_result *out)
{
    struct privsep_request r;
    char why[128];
    make_request(&r, PRIVSEP_FIREWALL, ports, nports, NULL);
    if (!privsep_active() || !privsep_request_valid(&r, why, sizeof why)) {
        probe_firewall(ports, nports, out);
    } else if (ask(&r, out, sizeof *out) < 0) {
        memset(out, 0, sizeof *out);
        snprintf(out->detail, sizeof out->detail, "the privileged helper did not answer");
        snprintf(out->summary, sizeof out->summary, "unknown: %.200s", out->detail);
    }
}

/* Reads a (count, message) status frame; the count, or -1 with *cause. */
static int read_status(int fd, char **cause)
{
    int32_t count;
    uint32_t len;
    if (read_full(fd, &count, sizeof count) < 0 || read_full(fd, &len, sizeof len) < 0 || len > 4096) {
        if (asprintf(cause, "the privileged helper did not answer") < 0)
            *cause = NULL;
        return -1;
    }
    if (len) {
        char *msg = malloc(len + 1);
        if (msg && read_full(fd, msg, len) == 0) {
            msg[len] = 0;
            *cause = msg;
        } else {
            free(msg);
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
    make_request(&r, PRIVSEP_TRACE, ports, nports, NULL);
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
    if (write_full(checks_fd, &r, sizeof r) == 0) {
        uint32_t kind;
        struct trace_event ev;
        while (read_full(checks_fd, &kind, sizeof kind) == 0 && kind == TRACE_EVENT &&
               read_full(checks_fd, &ev, sizeof ev) == 0)
            on_event(&ev, arg);
        n = read_status(checks_fd, cause);
    }
    pthread_mutex_unlock(&checks_lock);
    if (n < 0 && !*cause && asprintf(cause, "the privileged helper did not answer") < 0)
        *cause = NULL;
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
    if (write_full(save_fd, &r, sizeof r) == 0 && write_full(save_fd, data, n) == 0)
        rc = read_status(save_fd, cause);
    pthread_mutex_unlock(&save_lock);
    if (rc < 0 && !*cause && asprintf(cause, "%s.%s: the privileged helper did not answer", base, ext) < 0)
        *cause = NULL;
    return rc < 0 ? -1 : 0;
}

/* Ends the helpers. The main process may no longer signal them (it gave up
 * root), so it shuts their sockets down: each helper sees the end of its
 * stream and exits, a trace under way is stopped by its watcher, and a thread
 * here still waiting on a socket sees the end of the stream too. */
void privsep_stop(void)
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
