/* probe_exec.c: runs the external programs the Linux probes read (nft,
 * iptables-save, rc-service, ufw, firewall-cmd) with fork/exec and an argv
 * vector, never through a shell, with a time limit and captured output. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_linux.h"
#include "util.h"

/* Finds PROG in PATH and the usual sbin directories. */
int probe_exec_find(const char *prog, char *buf, size_t len)
{
    if (strchr(prog, '/')) {
        snprintf(buf, len, "%s", prog);
        return access(buf, X_OK) == 0 ? 0 : -1;
    }
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/sbin:/usr/bin:/bin", path ? path : "");
    char *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        if (!*d)
            continue;
        snprintf(buf, len, "%s/%s", d, prog);
        if (access(buf, X_OK) == 0)
            return 0;
    }
    return -1;
}

/* Appends N bytes to a growing buffer; returns -1 when out of memory. */
static int buf_add(char **b, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t nc = (*cap ? *cap : 4096);
        while (nc < *len + n + 1)
            nc *= 2;
        char *p = realloc(*b, nc);
        if (!p)
            return -1;
        *b = p;
        *cap = nc;
    }
    memcpy(*b + *len, s, n);
    *len += n;
    (*b)[*len] = '\0';
    return 0;
}

/* Child side: stdin on /dev/null, stdout to OUTFD and stderr to ERRFD (-1:
 * /dev/null), every other descriptor closed (no socket, capture or pipe of
 * the caller leaks into the program), and killed when the thread that
 * started it dies. Returns -1 when that thread is already gone. */
int probe_exec_child_setup(int outfd, int errfd, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        return -1;
    int nul = open("/dev/null", O_RDWR);
    if (nul < 0)
        return -1;
    dup2(nul, 0);
    dup2(outfd >= 0 ? outfd : nul, 1);
    dup2(errfd >= 0 ? errfd : nul, 2);
    close_range(3, ~0U, 0);
    signal(SIGPIPE, SIG_DFL);
    return 0;
}

/* Forks and execs PATH with ARGV, stdout to OUTFD and stderr to ERRFD (-1: /dev/null). */
static pid_t spawn(const char *path, char *const argv[], int outfd, int errfd)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (probe_exec_child_setup(outfd, errfd, parent) == 0)
        execv(path, argv);
    _exit(127);
}

/* Runs ARGV and collects its output within TIMEOUT_MS. */
int probe_exec_run(char *const argv[], char **out, char **err, int timeout_ms)
{
    char path[512];
    if (out)
        *out = NULL;
    if (err)
        *err = NULL;
    if (probe_exec_find(argv[0], path, sizeof path) < 0)
        return PROBE_EXEC_NOTFOUND;
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) < 0)
        return PROBE_EXEC_FAILED;
    if (pipe2(pe, O_CLOEXEC) < 0) {
        close(po[0]);
        close(po[1]);
        return PROBE_EXEC_FAILED;
    }
    pid_t pid = spawn(path, argv, po[1], pe[1]);
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        return PROBE_EXEC_FAILED;
    }
    char *ob = NULL, *eb = NULL;
    size_t ol = 0, oc = 0, el = 0, ec = 0;
    int open_fds = 2, timed_out = 0;
    struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
    long long deadline = util_now_ms() + timeout_ms;
    while (open_fds > 0) {
        long long left = deadline - util_now_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        int r = poll(fds, 2, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[8192];
            ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                buf_add(&ob, &ol, &oc, chunk, (size_t)n);
            } else {
                buf_add(&eb, &el, &ec, chunk, (size_t)n);
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    if (timed_out)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!ob)
        buf_add(&ob, &ol, &oc, "", 0);
    if (!eb)
        buf_add(&eb, &el, &ec, "", 0);
    if (out)
        *out = ob;
    else
        free(ob);
    if (err)
        *err = eb;
    else
        free(eb);
    if (timed_out)
        return PROBE_EXEC_TIMEOUT;
    if (WIFEXITED(status))
        return WEXITSTATUS(status) == 127 ? PROBE_EXEC_FAILED : WEXITSTATUS(status);
    return PROBE_EXEC_FAILED;
}

/* Starts ARGV with its stdout on a pipe the caller reads. */
int probe_exec_spawn(char *const argv[], int *fd)
{
    char path[512];
    if (probe_exec_find(argv[0], path, sizeof path) < 0)
        return -1;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = spawn(path, argv, p[1], -1);
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    *fd = p[0];
    return (int)pid;
}

