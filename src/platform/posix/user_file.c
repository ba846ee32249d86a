/* user_file.c: writing as the user who ran tshoot (see user_file.h). As root
 * with a sudo user, each operation runs in a child forked for it: the child
 * becomes the user, does the work with the safe opens of atomic_file.c, and
 * sends back its result, its message and (for a new file) the descriptor over
 * a socketpair (SCM_RIGHTS). */
#include "user_file.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"

#define MAX_CAUSE 1024

/* The sudo user, when this process is root and SUDO_UID/SUDO_GID are set. */
int user_file_sudo_ids(uid_t *uid, gid_t *gid)
{
    const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
    char *end;
    if (geteuid() != 0 || !su || !sg || !*su || !*sg)
        return 0;
    unsigned long u = strtoul(su, &end, 10);
    if (*end || u == 0 || u > UINT32_MAX - 1)
        return 0;
    unsigned long g = strtoul(sg, &end, 10);
    if (*end || g > UINT32_MAX - 1)
        return 0;
    *uid = (uid_t)u;
    *gid = (gid_t)g;
    return 1;
}

/* Turns this process into the sudo user for good. */
int user_file_become(char **cause)
{
    uid_t uid;
    gid_t gid;
    *cause = NULL;
    if (!user_file_sudo_ids(&uid, &gid))
        return 0;
    struct passwd *pw = getpwuid(uid);
    int groups = pw ? initgroups(pw->pw_name, gid) : setgroups(1, &gid);
    if (groups < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0 || setuid(0) == 0) {
        if (asprintf(cause, "cannot act as uid %u: %s", (unsigned)uid, strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
    return 0;
}

/* In the child that became the user: rewords a refusal (errno ERR) the
 * user's own rights caused, so it says why. */
static void explain_refusal(int err, char **cause)
{
    char *longer = NULL;
    if (!*cause || (err != EACCES && err != EPERM && err != EROFS))
        return;
    if (asprintf(&longer, "%s (tshoot writes as uid %u, who cannot write there without sudo)", *cause,
                 (unsigned)getuid()) < 0)
        return;
    free(*cause);
    *cause = longer;
}

/* Work done as the user: mkdir -p DIR, then check it can be written. */
static int do_mkdirs(const char *dir, char **cause)
{
    if (atomic_file_mkdirs(dir, 0700, cause) < 0)
        return -1;
    if (access(dir, W_OK | X_OK) < 0) {
        if (asprintf(cause, "%s: %s", dir, strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
    return 0;
}

/* Child side: becomes the user, runs FN on PATH and sends the result (the
 * descriptor too with SENDS_FD) over SOCK. Never returns. */
static _Noreturn void child_run(int sock, int (*fn)(const char *, char **), const char *path, int sends_fd)
{
    char *cause = NULL;
    int32_t rc = user_file_become(&cause) < 0 ? -1 : fn(path, &cause);
    if (rc < 0)
        explain_refusal(errno, &cause);
    char msg[MAX_CAUSE] = "";
    snprintf(msg, sizeof msg, "%s", cause ? cause : "");
    struct iovec iov[2] = { { &rc, sizeof rc }, { msg, sizeof msg } };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
    struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
    if (sends_fd && rc >= 0) {
        memset(&ctl, 0, sizeof ctl);
        m.msg_control = ctl.buf;
        m.msg_controllen = sizeof ctl.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &rc, sizeof(int));
    }
    _exit(sendmsg(sock, &m, 0) < 0);
}

/* Parent side: reads the child's answer from SOCK; the result (with
 * SENDS_FD, the received descriptor), or -1 with *cause. */
static int parent_read(int sock, const char *path, int sends_fd, char **cause)
{
    int32_t rc = -1;
    char msg[MAX_CAUSE];
    struct iovec iov[2] = { { &rc, sizeof rc }, { msg, sizeof msg } };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
    struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = ctl.buf,
                        .msg_controllen = sizeof ctl.buf };
    ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
    if (n != (ssize_t)(sizeof rc + sizeof msg)) {
        if (asprintf(cause, "%s: the process writing as the user did not answer", path) < 0)
            *cause = NULL;
        return -1;
    }
    msg[sizeof msg - 1] = 0;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    int got_fd = c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                 !(m.msg_flags & MSG_CTRUNC);
    if (got_fd)
        memcpy(&rc, CMSG_DATA(c), sizeof(int));
    else if (sends_fd && rc >= 0) {
        /* the number the child sent is its own descriptor, not ours */
        snprintf(msg, sizeof msg, "%s: the process writing as the user sent no file", path);
        rc = -1;
    }
    if (rc < 0 && asprintf(cause, "%s", msg[0] ? msg : path) < 0)
        *cause = NULL;
    return rc;
}

/* Runs FN(PATH) as the user: in a forked child when there is a sudo user,
 * else here. With SENDS_FD, FN's result is a descriptor that comes back. */
static int run_as_user(int (*fn)(const char *, char **), const char *path, int sends_fd, char **cause)
{
    uid_t uid;
    gid_t gid;
    int sv[2];
    *cause = NULL;
    if (!user_file_sudo_ids(&uid, &gid))
        return fn(path, cause);
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        if (asprintf(cause, "%s: %s", path, strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        child_run(sv[1], fn, path, sends_fd);
    }
    close(sv[1]);
    int rc = pid < 0 ? -1 : parent_read(sv[0], path, sends_fd, cause);
    if (pid < 0 && asprintf(cause, "%s: fork: %s", path, strerror(errno)) < 0)
        *cause = NULL;
    close(sv[0]);
    while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return rc;
}

/* Creates DIR and its parents as the user, refusing one they cannot write. */
int user_file_mkdirs(const char *dir, char **cause)
{
    return run_as_user(do_mkdirs, dir, 0, cause);
}

/* Creates PATH as a new file as the user and returns it as a stream. */
FILE *user_file_fopen(const char *path, char **cause)
{
    int fd = run_as_user(atomic_file_create, path, 1, cause);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
    if (fd >= 0 && !f) {
        if (asprintf(cause, "%s: %s", path, strerror(errno)) < 0)
            *cause = NULL;
        close(fd);
    }
    return f;
}
