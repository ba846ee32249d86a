/* probe_trace.c: the live proof of which rule drops a SYN (the Linux
 * counterpart of a WFP capture). For a bounded time it adds its own table
 * `inet tshoot_trace_PID` (one prerouting chain at priority -350, before
 * conntrack and every usual chain, whose only rule sets nftrace on TCP SYNs to
 * the ports; empty `readyK` chains prove the monitor listens before that rule
 * goes in), follows `nft -a monitor`, and reports per SYN the rule or
 * policy that decided it (probe_parse_trace_feed), keeping only the SYNs its
 * own rule marked: traces by other tshoot processes at the same time, each with
 * its own table, neither see nor remove each other's. The table is removed on
 * every path: normal end, error, probe_trace_cleanup() from the caller's
 * SIGINT/SIGTERM handler; a table left by a process that died (kill -9) is
 * removed by the next trace once its PID is gone. The monitor dies with the
 * thread that started it (PR_SET_PDEATHSIG). Nothing else in the firewall is
 * touched. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"
#include "probe_linux.h"
#include "probe_parse_linux.h"
#include "util.h"

static volatile sig_atomic_t monitor_pid;  /* the `nft monitor` child, 0 when none */
static volatile sig_atomic_t table_added;  /* 1 while this process's trace table exists */
static volatile sig_atomic_t stop_flag;
static char nft_path[512] = "/usr/sbin/nft";
static char table_name[64];                /* tshoot_trace_PID, set before the table is added */

/* Asks a running trace to stop. */
void probe_trace_stop(void)
{
    stop_flag = 1;
}

/* Runs `nft delete table inet NAME` and waits for it; async-signal-safe. */
static void delete_table(char *name)
{
    char *argv_del[] = { "nft", "delete", "table", "inet", name, NULL };
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        if (probe_exec_child_setup(-1, -1, parent) == 0)
            execv(nft_path, argv_del);
        _exit(127);
    }
    if (pid > 0) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
}

/* Stops the monitor and deletes this process's trace table, if it added one,
 * using only async-signal-safe calls. */
void probe_trace_cleanup(void)
{
    pid_t m = (pid_t)monitor_pid;
    if (m > 0) {
        kill(m, SIGTERM);
        monitor_pid = 0;
    }
    if (table_added) {
        table_added = 0;
        delete_table(table_name);
    }
}

/* Removes the trace tables of tshoot processes that are gone (killed before
 * they could clean up): `inet tshoot_trace_PID` with no process PID. */
static void remove_stale_tables(void)
{
    char *argv[] = { "nft", "list", "tables", "inet", NULL };
    char *out = NULL;
    if (probe_exec_run(argv, &out, NULL, 5000) == 0) {
        char *save = NULL;
        for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char name[64], tail;
            int pid;
            if (sscanf(line, "table inet %63s", name) != 1 ||
                sscanf(name, PROBE_TRACE_TABLE_PREFIX "_%d%c", &pid, &tail) != 1 || pid <= 0)
                continue;
            if (kill(pid, 0) < 0 && errno == ESRCH)
                delete_table(name);
        }
    }
    free(out);
}

/* Runs `nft -- CMD`; 0, or -1 with *cause saying WHAT failed. */
static int nft_do(const char *cmd, const char *what, char **cause)
{
    char *argv[] = { "nft", "--", (char *)cmd, NULL };
    char *err = NULL;
    int rc = probe_exec_run(argv, NULL, &err, 5000);
    if (rc != 0) {
        if (err)
            err[strcspn(err, "\n")] = '\0';
        int perm = err && strstr(err, "Operation not permitted");
        util_set_cause(cause, "%s%s%.200s", perm ? "the live trace needs CAP_NET_ADMIN (run as root)" : what,
                       err && *err ? ": " : "", err ? err : "");
    }
    free(err);
    return rc == 0 ? 0 : -1;
}

/* Adds the trace table and its prerouting chain, with no rule yet. */
static int add_table(char **cause)
{
    char cmd[512];
    text_fmt(cmd, sizeof cmd,
             "add table inet %s ; "
             "add chain inet %s pre { type filter hook prerouting priority -350 ; policy accept ; }",
             table_name, table_name);
    table_added = 1;    /* from here on, cleanup removes it (a failed add leaves nothing to remove) */
    return nft_do(cmd, "nft could not add the trace table", cause);
}

/* Adds the rule that marks SYNs to PORTS for tracing. */
static int add_marking_rule(const uint16_t *ports, size_t nports, char **cause)
{
    char set[256] = "", cmd[512];
    for (size_t i = 0; i < nports; i++)
        text_fmt(set + strlen(set), sizeof set - strlen(set), "%s%u", i ? ", " : "", ports[i]);
    text_fmt(cmd, sizeof cmd,
             "add rule inet %s pre tcp dport { %s } tcp flags & (syn | ack) == syn meta nftrace set 1",
             table_name, set);
    return nft_do(cmd, "nft could not add the trace rule", cause);
}

/* Waits until the monitor reading into FD has subscribed: it prints the
 * ruleset events of this process's table, so a chain `readyK` is added every
 * 100 ms (an event sent before it subscribed is lost to it) until the monitor
 * shows one, for at most 5 s. What it printed before carries no trace of
 * ours (nothing is marked yet) and is dropped, but for a line begun last,
 * which is left in BUF (*USED bytes) for the trace loop. 0, or -1 with *cause. */
static int wait_subscribed(int fd, char *buf, size_t size, size_t *used, char **cause)
{
    char mark[128];
    text_fmt(mark, sizeof mark, "add chain inet %s ready", table_name);
    *used = 0;
    for (int k = 1; k <= 50; k++) {
        char cmd[160];
        text_fmt(cmd, sizeof cmd, "add chain inet %s ready%d", table_name, k);
        if (nft_do(cmd, "nft could not add the trace table", cause) < 0)
            return -1;
        long long until = util_now_ms() + 100;
        for (long long left = 100; left > 0; left = until - util_now_ms()) {
            struct pollfd p = { fd, POLLIN, 0 };
            if (poll(&p, 1, (int)left) <= 0)
                continue;
            ssize_t n = read(fd, buf + *used, size - 1 - *used);
            if (n <= 0) {
                util_set_cause(cause, "nft monitor ended early");
                return -1;
            }
            *used += (size_t)n;
            buf[*used] = '\0';
            int seen = strstr(buf, mark) != NULL;
            char *last = strrchr(buf, '\n');
            size_t keep = last ? strlen(last + 1) : (*used == size - 1 ? 0 : *used);
            memmove(buf, buf + *used - keep, keep + 1);
            *used = keep;
            if (seen)
                return 0;
        }
    }
    util_set_cause(cause, "nft monitor did not start within 5 s");
    return -1;
}

/* Follows the kernel's verdicts on SYNs to PORTS for SECONDS. */
int probe_trace(const uint16_t *ports, size_t nports, unsigned seconds,
                void (*on_event)(const struct trace_event *ev, void *arg), void *arg, char **cause)
{
    if (cause)
        *cause = NULL;
    if (nports == 0) {
        util_set_cause(cause, "no port to trace");
        return -1;
    }
    if (probe_exec_find("nft", nft_path, sizeof nft_path) < 0) {
        util_set_cause(cause, "nft is not installed (the live trace needs nftables)");
        return -1;
    }
    stop_flag = 0;
    text_fmt(table_name, sizeof table_name, PROBE_TRACE_TABLE_PREFIX "_%d", (int)getpid());
    remove_stale_tables();
    /* every event, not only traces: its ruleset events show when it listens */
    char *margv[] = { "nft", "-a", "monitor", NULL };
    int fd = -1;
    int pid = probe_exec_spawn(margv, &fd);
    if (pid < 0) {
        util_set_cause(cause, "cannot start nft monitor: %s", strerror(errno));
        return -1;
    }
    monitor_pid = pid;
    char buf[16384];
    size_t used = 0;
    /* no SYN is marked before the monitor is known to listen */
    if (add_table(cause) < 0 || wait_subscribed(fd, buf, sizeof buf, &used, cause) < 0 ||
        add_marking_rule(ports, nports, cause) < 0) {
        close(fd);
        probe_trace_cleanup();
        waitpid(pid, NULL, 0);
        return -1;
    }
    struct trace_state st;
    memset(&st, 0, sizeof st);
    st.ignore_table = table_name;
    struct trace_event ev;
    int count = 0;
    long long deadline = util_now_ms() + (long long)seconds * 1000;
    int eof = 0;
    while (!stop_flag && !eof) {
        long long left = deadline - util_now_ms();
        if (left <= 0)
            break;
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, left > 200 ? 200 : (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
        if (n <= 0) {
            eof = 1;
            break;
        }
        used += (size_t)n;
        buf[used] = '\0';
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n'))) {
            *nl = '\0';
            if (probe_parse_trace_feed(&st, line, &ev)) {
                count++;
                if (on_event)
                    on_event(&ev, arg);
            }
            line = nl + 1;
        }
        used = strlen(line);
        memmove(buf, line, used + 1);
        if (used == sizeof buf - 1)
            used = 0; /* an absurdly long line: drop it */
    }
    close(fd);
    probe_trace_cleanup();
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    while (probe_parse_trace_flush(&st, &ev)) {
        count++;
        if (on_event)
            on_event(&ev, arg);
    }
    if (eof && count == 0 && !stop_flag) {
        util_set_cause(cause, "nft monitor ended early");
        return -1;
    }
    return count;
}
