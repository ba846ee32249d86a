/* sandbox.c: the seccomp filter of the unprivileged process (see sandbox.h).
 * A deny list over a default of allow: the wizard and watch use ncurses,
 * libpcap on an already open handle, pipes, their helper socketpairs, threads
 * and files, so the filter names only what they never call. A denied call
 * fails with EPERM (so a bug shows as an error, not a crash); the calls that
 * only an attack would make kill the process. */
#include "sandbox.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

static int entered;

/* Calls that fail with EPERM. */
static const char *const denied[] = {
    "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2",
    "move_mount", "fsopen", "fsmount", "fsconfig", "open_tree", "pivot_root", "chroot", "bpf",
    "perf_event_open", "keyctl", "add_key", "request_key", "unshare", "setns", "userfaultfd",
    "open_by_handle_at", "name_to_handle_at", "swapon", "swapoff", "acct", "quotactl", "iopl",
    "ioperm", "io_uring_setup", "io_uring_enter", "io_uring_register", "personality",
    "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "sethostname", "setdomainname",
    "pidfd_getfd", "kcmp", "lookup_dcookie", "fanotify_init", "vhangup",
};

/* Calls that end the process at once. */
static const char *const fatal[] = {
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
};

/* clone() flags that would make a new namespace. */
static const unsigned long ns_flags[] = {
    CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP,
};

/* Adds ACTION for each of the N named calls known on this architecture. */
static int add_calls(scmp_filter_ctx ctx, uint32_t action, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int nr = seccomp_syscall_resolve_name(names[i]);
        if (nr == __NR_SCMP_ERROR)
            continue;
        int rc = seccomp_rule_add(ctx, action, nr, 0);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Refuses sockets and socket pairs of any family but AF_UNIX, clone() into a
 * new namespace, and clone3 (whose flags a filter cannot read: glibc then
 * falls back to clone). */
static int add_arg_rules(scmp_filter_ctx ctx)
{
    int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
                              SCMP_A0(SCMP_CMP_NE, AF_UNIX));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socketpair), 1,
                              SCMP_A0(SCMP_CMP_NE, AF_UNIX));
    for (size_t i = 0; rc == 0 && i < sizeof ns_flags / sizeof ns_flags[0]; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    return rc;
}

/* Enters the filter for every thread of the process. */
int sandbox_enter(char **cause)
{
    *cause = NULL;
    if (entered)
        return 0;
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
        return 0;    /* a kernel without seccomp: sandbox_state() says so */
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    int rc = ctx ? 0 : -ENOMEM;
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc == 0)
        rc = add_calls(ctx, SCMP_ACT_ERRNO(EPERM), denied, sizeof denied / sizeof denied[0]);
    if (rc == 0)
        rc = add_calls(ctx, SCMP_ACT_KILL_PROCESS, fatal, sizeof fatal / sizeof fatal[0]);
    if (rc == 0)
        rc = add_arg_rules(ctx);
    if (rc == 0)
        rc = seccomp_load(ctx);
    if (ctx)
        seccomp_release(ctx);
    if (rc != 0) {
        if (asprintf(cause, "cannot enter the seccomp sandbox: %s", strerror(-rc)) < 0)
            *cause = NULL;
        return -1;
    }
    entered = 1;
    return 0;
}

/* Whether this process runs under the filter, or could. */
const char *sandbox_state(void)
{
    if (entered)
        return "on";
    return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL ? "unavailable" : "available";
}

/* One sentence about sandbox_state(). */
const char *sandbox_detail(void)
{
    const char *s = sandbox_state();
    if (!strcmp(s, "on"))
        return "this process runs under the seccomp filter (no exec, no network sockets, no ptrace)";
    if (!strcmp(s, "available"))
        return "seccomp filter entered by the wizard, watch, analyze and check once root is dropped (no exec, no network sockets, no ptrace)";
    return "this kernel has no seccomp: the unprivileged process runs without a syscall filter";
}
