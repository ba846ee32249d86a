/* platform: linux (the Linux implementation of the seam; left out of the unknown platform build) */
/* test_osdep.c: the platform seam as src/platform/linux/osdep.c implements
 * it (include/osdep.h): the names and defaults the core asks for, random
 * bytes, and, in forked children so the test process keeps its own state,
 * the helper steps privsep.c takes: closing descriptors, the parent-death
 * signal, the checks helper's four capabilities and the loss of them all.
 * The capability tests need root and skip otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "osdep.h"
#include "playbook.h"

/* CAP_DAC_READ_SEARCH (2), CAP_NET_ADMIN (12), CAP_NET_RAW (13), CAP_SYS_PTRACE (19). */
#define CHECKS_CAPS_MASK 0x83004ULL

/* Linux's names and defaults: "linux" for playbooks, the `any` device, link
 * type 12 as DLT_RAW. */
static void names_and_defaults(void **state)
{
    (void)state;
    assert_string_equal(osdep_os_name(), "linux");
    assert_int_equal(playbook_host_os(), PB_OS_LINUX);
    assert_string_equal(osdep_default_iface(), "any");
    char buf[32];
    char *cause = NULL;
    assert_non_null(capture_default_iface(buf, sizeof buf, &cause));
    assert_string_equal(buf, "any");
    assert_int_equal(osdep_dlt12_is_loop(), 0);
    assert_int_equal(osdep_capture_prepare(&cause), 0);
    assert_null(cause);
}

/* Two draws of random bytes differ and fill the buffer. */
static void random_bytes(void **state)
{
    (void)state;
    unsigned char a[64], b[64], zero[64];
    char *cause = NULL;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    memset(zero, 0, sizeof zero);
    assert_int_equal(osdep_random(a, sizeof a, &cause), 0);
    assert_int_equal(osdep_random(b, sizeof b, &cause), 0);
    assert_null(cause);
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a, zero, sizeof a);
}

/* Runs FN in a child and returns its exit status (-1: killed by a signal). */
static int in_child(int (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn());
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Child: opens descriptors below and above one to keep, closes all but it;
 * 0 when only it (and 0-2) is left open. */
static int close_all_but_one(void)
{
    int fds[6];
    for (int i = 0; i < 6; i++)
        if ((fds[i] = open("/dev/null", O_RDONLY)) < 0)
            return 2;
    osdep_close_fds_except(fds[2]);
    for (int i = 0; i < 6; i++) {
        int open_now = fcntl(fds[i], F_GETFD) >= 0;
        if (open_now != (i == 2))
            return 1;
    }
    return fcntl(1, F_GETFD) >= 0 ? 0 : 3;
}

/* Only the descriptor kept survives. */
static void close_fds(void **state)
{
    (void)state;
    assert_int_equal(in_child(close_all_but_one), 0);
}

/* Child (a subreaper): forks a grandchild that asks for the parent-death
 * signal and reports ready, lets the middle process die, and returns 0 when
 * the grandchild died of SIGTERM. */
static int orphan_gets_sigterm(void)
{
    int ready[2];
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || pipe(ready) < 0)
        return 2;
    pid_t mid = fork();
    if (mid == 0) {
        pid_t leaf = fork();
        if (leaf == 0) {
            osdep_die_with_parent();
            alarm(10);    /* without the signal: SIGALRM, never a process left behind */
            if (write(ready[1], &leaf, 1) != 1)
                _exit(4);
            pause();
            _exit(5);
        }
        char c;
        _exit(read(ready[0], &c, 1) == 1 ? 0 : 6);   /* the leaf is set up: die */
    }
    int st;
    if (mid < 0 || waitpid(mid, &st, 0) != mid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return 3;
    pid_t leaf = wait(&st);
    return leaf > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM ? 0 : 1;
}

/* A helper whose parent dies gets SIGTERM. */
static void die_with_parent(void **state)
{
    (void)state;
    assert_int_equal(in_child(orphan_gets_sigterm), 0);
}

/* The hex value of the /proc/self/status line KEY (e.g. "CapEff:"); -1 when absent. */
static long long status_field(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long long v = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0)
            v = strtoll(line + n, NULL, key[0] == 'C' ? 16 : 10);
    if (f)
        fclose(f);
    return v;
}

/* Child: narrows itself as the checks helper; 0 when exactly the four
 * capabilities are left in the effective, permitted and bounding sets, with
 * no_new_privs. */
static int narrowed_to_checks_caps(void)
{
    osdep_restrict_checks_helper();
    if (status_field("CapEff:") != (long long)CHECKS_CAPS_MASK ||
        status_field("CapPrm:") != (long long)CHECKS_CAPS_MASK)
        return 1;
    if (status_field("CapBnd:") != (long long)CHECKS_CAPS_MASK)
        return 2;
    return status_field("NoNewPrivs:") == 1 ? 0 : 3;
}

/* Child: loses every capability; 0 when none is held, the sets are empty
 * and no_new_privs is set. */
static int lost_all_caps(void)
{
    if (osdep_holds_caps() != 1)
        return 4;
    osdep_drop_bounding();
    char *cause = NULL;
    if (osdep_lose_caps(&cause) != 0)
        return 1;
    if (osdep_holds_caps() != 0 || status_field("CapEff:") != 0 || status_field("CapPrm:") != 0 ||
        status_field("CapBnd:") != 0)
        return 2;
    return status_field("NoNewPrivs:") == 1 ? 0 : 3;
}

/* Root: the checks helper keeps its four capabilities; a dropped process none. */
static void capabilities(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    assert_int_equal(in_child(narrowed_to_checks_caps), 0);
    assert_int_equal(in_child(lost_all_caps), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_defaults),
        cmocka_unit_test(random_bytes),
        cmocka_unit_test(close_fds),
        cmocka_unit_test(die_with_parent),
        cmocka_unit_test(capabilities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
