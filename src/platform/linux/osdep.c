/* osdep.c (Linux): the platform seam of osdep.h: getrandom(), prctl()
 * (parent-death signal, bounding set, no_new_privs), capget/capset and
 * close_range(); /dev/urandom and the SIGUSR2 interrupt are POSIX's
 * (src/platform/posix/). */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "osdep.h"
#include "../posix/posix.h"

/* What the checks helper and the nft/iptables it runs need: nftables and
 * netlink (NET_ADMIN), iptables-legacy's raw sockets (NET_RAW), and the
 * owners of sockets in other users' /proc/PID/fd (DAC_READ_SEARCH, SYS_PTRACE). */
#define CHECKS_CAPS ((1ULL << CAP_NET_ADMIN) | (1ULL << CAP_NET_RAW) | (1ULL << CAP_DAC_READ_SEARCH) | \
                     (1ULL << CAP_SYS_PTRACE))

/* Playbooks call this system "linux". */
const char *osdep_os_name(void)
{
    return "linux";
}

/* Fills BUF with LEN (<= 256) random bytes: getrandom(), else /dev/urandom. */
int osdep_random(void *buf, size_t len, char **cause)
{
    ssize_t r;
    do
        r = getrandom(buf, len, 0);
    while (r < 0 && errno == EINTR);
    if (r == (ssize_t)len)
        return 0;
    int gerr = r < 0 ? errno : EIO;
    int uerr = posix_urandom(buf, len);
    if (uerr == 0)
        return 0;
    if (asprintf(cause, "getrandom: %s; /dev/urandom: %s", strerror(gerr), strerror(uerr)) < 0)
        *cause = NULL;
    return -1;
}

/* Linux captures on every interface at once: the `any` pseudo-device. */
const char *osdep_default_iface(void)
{
    return "any";
}

/* Linux numbers DLT_RAW 12. */
int osdep_dlt12_is_loop(void)
{
    return 0;
}

/* libpcap is linked: nothing to load. */
int osdep_capture_prepare(char **cause)
{
    (void)cause;
    return 0;
}

/* Closes every descriptor above 2 but KEEP with close_range(). */
void osdep_close_fds_except(int keep)
{
    if (keep > 3)
        close_range(3, (unsigned)keep - 1, 0);
    close_range((unsigned)keep + 1, ~0U, 0);
}

/* SIGTERM when the parent dies (PR_SET_PDEATHSIG). */
void osdep_die_with_parent(void)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/* Drops from the bounding set every capability not in KEEP, as far as this
 * thread may (it takes CAP_SETPCAP). */
static void bound_to(unsigned long long keep)
{
    for (int cap = 0; cap < 64; cap++)
        if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
            break;
}

/* Keeps only CHECKS_CAPS, in this process's sets and in the bounding set its
 * children (still uid 0) inherit, with no_new_privs. */
void osdep_restrict_checks_helper(void)
{
    bound_to(CHECKS_CAPS);
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    d[0].effective = d[0].permitted = (uint32_t)CHECKS_CAPS;
    d[1].effective = d[1].permitted = (uint32_t)(CHECKS_CAPS >> 32);
    syscall(SYS_capset, &h, d);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* Empties the bounding set as far as this thread may. */
void osdep_drop_bounding(void)
{
    bound_to(0);
}

/* Reads (SET 0) or empties (SET 1) this thread's effective, permitted and
 * inheritable sets; with SET 0, whether any capability is held. -1 on error. */
static int capabilities(int set)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (set)
        return (int)syscall(SYS_capset, &h, d);
    if (syscall(SYS_capget, &h, d) < 0)
        return -1;
    return (d[0].effective | d[1].effective | d[0].permitted | d[1].permitted | d[0].inheritable |
            d[1].inheritable) != 0;
}

/* Whether this thread holds any capability. */
int osdep_holds_caps(void)
{
    return capabilities(0) == 1;
}

/* Clears the ambient, effective, permitted and inheritable sets and sets
 * no_new_privs, then checks that nothing is left. */
int osdep_lose_caps(char **cause)
{
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (capabilities(1) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || capabilities(0) != 0) {
        if (asprintf(cause, "cannot give up the capabilities: %s", strerror(errno)) < 0)
            *cause = NULL;
        return -1;
    }
    return 0;
}
