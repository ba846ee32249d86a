/* probe_listener.c: which TCP sockets listen on the playbook's ports (IPv4 and
 * IPv6) and who owns them. Sockets come from netlink sock_diag (INET_DIAG,
 * state LISTEN), or from /proc/net/tcp and tcp6 when netlink is unavailable;
 * (TSHOOT_LISTENER_PROCFS=1 forces the latter, for tests); owners from the
 * socket inodes behind /proc/PID/fd (reading other users'
 * fds needs root: without it owners stay unknown and the summary says so). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include "probe.h"
#include "probe_linux.h"
#include "probe_parse.h"
#include "probe_parse_linux.h"

/* A socket found before its owner is known. */
struct raw_sock {
    char address[64];
    uint16_t port;
    unsigned uid;
    unsigned long inode;
};

/* 1 when PORT is one of PORTS. */
static int wanted(const uint16_t *ports, size_t n, uint16_t port)
{
    for (size_t i = 0; i < n; i++)
        if (ports[i] == port)
            return 1;
    return 0;
}

/* Lists listening TCP sockets of FAMILY via sock_diag; -1 when netlink fails. */
static int diag_family(int family, const uint16_t *ports, size_t nports, struct raw_sock *out, size_t *n,
                       size_t max)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return -1;
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg;
    memset(&msg, 0, sizeof msg);
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.req.sdiag_family = (uint8_t)family;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = 1u << TCP_LISTEN;
    struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
    if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&nl, sizeof nl) < 0) {
        close(fd);
        return -1;
    }
    long buf[8192 / sizeof(long)];
    for (;;) {
        ssize_t len = recv(fd, buf, sizeof buf, 0);
        if (len < 0 && errno == EINTR)
            continue;
        if (len <= 0) {
            close(fd);
            return -1;
        }
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                close(fd);
                return 0;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                close(fd);
                return -1;
            }
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
                continue;
            struct inet_diag_msg *m = NLMSG_DATA(h);
            uint16_t port = ntohs(m->id.idiag_sport);
            if (!wanted(ports, nports, port) || *n >= max)
                continue;
            struct raw_sock *s = &out[(*n)++];
            inet_ntop(family, m->id.idiag_src, s->address, sizeof s->address);
            s->port = port;
            s->uid = m->idiag_uid;
            s->inode = m->idiag_inode;
        }
    }
}

/* Lists listening sockets from /proc/net/tcp{,6}; -1 when neither is readable. */
static int proc_family(int v6, const uint16_t *ports, size_t nports, struct raw_sock *out, size_t *n, size_t max)
{
    FILE *f = fopen(v6 ? "/proc/net/tcp6" : "/proc/net/tcp", "re");
    if (!f)
        return -1;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        struct proc_tcp_entry e;
        if (probe_parse_proc_net_tcp(line, v6, &e) < 0 || e.state != PROC_TCP_LISTEN)
            continue;
        if (!wanted(ports, nports, e.port) || *n >= max)
            continue;
        struct raw_sock *s = &out[(*n)++];
        memcpy(s->address, e.address, sizeof s->address);
        s->port = e.port;
        s->uid = e.uid;
        s->inode = e.inode;
    }
    fclose(f);
    return 0;
}

/* Finds the pid owning socket INODEs by scanning /proc/PID/fd; returns how many
 * fd directories could not be read (permission). */
static int find_owners(const struct raw_sock *socks, size_t n, int *pids)
{
    int denied = 0;
    size_t left = n;
    for (size_t i = 0; i < n; i++)
        pids[i] = -1;
    DIR *proc = opendir("/proc");
    if (!proc)
        return 1;
    struct dirent *de;
    while (left > 0 && (de = readdir(proc))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        char path[300];
        text_fmt(path, sizeof path, "/proc/%s/fd", de->d_name);
        DIR *fds = opendir(path);
        if (!fds) {
            denied += errno == EACCES;
            continue;
        }
        struct dirent *fe;
        while ((fe = readdir(fds))) {
            if (fe->d_name[0] == '.')
                continue;
            char target[64];
            ssize_t l = readlinkat(dirfd(fds), fe->d_name, target, sizeof target - 1);
            if (l < 9 || strncmp(target, "socket:[", 8))
                continue;
            target[l] = '\0';
            unsigned long ino = strtoul(target + 8, NULL, 10);
            for (size_t i = 0; i < n; i++)
                if (pids[i] < 0 && socks[i].inode == ino) {
                    pids[i] = atoi(de->d_name);
                    left--;
                }
        }
        closedir(fds);
    }
    closedir(proc);
    return denied;
}

/* Reads /proc/PID/comm into BUF. */
static void read_comm(int pid, char *buf, size_t len)
{
    char path[64];
    text_fmt(path, sizeof path, "/proc/%d/comm", pid);
    buf[0] = '\0';
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(buf, (int)len, f))
        buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

/* Looks up TCP listeners on PORTS and their owners. */
void probe_listener(const uint16_t *ports, size_t nports, const char *expected, struct listener_result *out)
{
    memset(out, 0, sizeof *out);
    struct raw_sock socks[PROBE_MAX_SOCKETS];
    size_t n = 0;
    const char *source = "netlink sock_diag";
    if (getenv("TSHOOT_LISTENER_PROCFS") || /* forces the fallback (tests) */
        diag_family(AF_INET, ports, nports, socks, &n, PROBE_MAX_SOCKETS) < 0 ||
        diag_family(AF_INET6, ports, nports, socks, &n, PROBE_MAX_SOCKETS) < 0) {
        n = 0;
        source = "/proc/net/tcp";
        int a = proc_family(0, ports, nports, socks, &n, PROBE_MAX_SOCKETS);
        int b = proc_family(1, ports, nports, socks, &n, PROBE_MAX_SOCKETS);
        if (a < 0 && b < 0) {
            out->state = LISTENER_UNKNOWN;
            text_fmt(out->detail, sizeof out->detail,
                     "netlink sock_diag failed and /proc/net/tcp is unreadable: %s", strerror(errno));
            text_fmt(out->summary, sizeof out->summary, "Cannot list listening sockets.");
            return;
        }
    }
    int pids[PROBE_MAX_SOCKETS];
    int denied = n ? find_owners(socks, n, pids) : 0;
    int unknown_owner = 0;
    for (size_t i = 0; i < n; i++) {
        struct listener_socket *s = &out->sockets[out->nsockets++];
        memcpy(s->address, socks[i].address, sizeof s->address);
        s->port = socks[i].port;
        s->pid = pids[i];
        if (s->pid >= 0)
            read_comm(s->pid, s->process, sizeof s->process);
        else
            unknown_owner = 1;
        struct passwd pw, *res = NULL;
        char pwbuf[1024];
        if (getpwuid_r(socks[i].uid, &pw, pwbuf, sizeof pwbuf, &res) == 0 && res)
            text_fmt(s->user, sizeof s->user, "%s", pw.pw_name);
        else
            text_fmt(s->user, sizeof s->user, "%u", socks[i].uid);
    }
    probe_parse_listener_verdict(out, ports, nports, expected);
    if (unknown_owner && denied) {
        out->lacks_privilege = 1;
        text_fmt(out->detail, sizeof out->detail,
                 "owner unknown: reading other users' /proc/PID/fd needs root (sockets from %s)", source);
    } else {
        text_fmt(out->detail, sizeof out->detail, "sockets from %s, owners from /proc/PID/fd", source);
    }
}
