/* platform: linux (libseccomp; left out of the unknown platform build) */
/* test_sandbox.c: the seccomp filter is really enforced. Each test forks a
 * child that starts a thread, enters the sandbox, and tries what the filter
 * forbids; the child's exit status carries the result back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "under_valgrind.h"

/* The Seccomp: field of /proc/self/task/TID/status for thread TID (0: the process). */
static int seccomp_mode(pid_t tid)
{
    char path[64], line[256];
    int mode = -1;
    if (tid)
        snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)tid);
    else
        snprintf(path, sizeof path, "/proc/self/status");
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Seccomp: %d", &mode) == 1)
            break;
    if (f)
        fclose(f);
    return mode;
}

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pid_t worker_tid;

/* A thread started before the filter: it waits on GATE, then reports its tid. */
static void *worker(void *arg)
{
    (void)arg;
    worker_tid = gettid();
    pthread_mutex_lock(&gate);
    pthread_mutex_unlock(&gate);
    return NULL;
}

/* In a child: enters the sandbox and returns the first failed expectation (0: none). */
static int child_checks(void)
{
    char *cause = NULL;
    pthread_t t;
    pthread_mutex_lock(&gate);
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 10;
    while (!__atomic_load_n(&worker_tid, __ATOMIC_SEQ_CST))
        usleep(1000);
    if (sandbox_enter(&cause) < 0)
        return 11;
    if (strcmp(sandbox_state(), "on"))
        return 12;
    if (seccomp_mode(0) != 2)
        return 13;
    if (seccomp_mode(worker_tid) != 2)    /* TSYNC: the older thread is filtered too */
        return 14;
    pthread_mutex_unlock(&gate);
    pthread_join(t, NULL);
    char *argv[] = { "true", NULL };
    errno = 0;
    if (execv("/bin/true", argv) == 0 || errno != EPERM)
        return 15;
    errno = 0;
    if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EPERM)
        return 16;
    if (socket(AF_INET6, SOCK_DGRAM, 0) >= 0 || socket(AF_NETLINK, SOCK_RAW, 0) >= 0 ||
        socket(AF_PACKET, SOCK_RAW, 0) >= 0)
        return 17;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)     /* what the helpers use still works */
        return 18;
    if (socket(AF_UNIX, SOCK_DGRAM, 0) < 0)
        return 19;
    pthread_t t2;                                         /* threads still start (clone3 falls back) */
    if (pthread_create(&t2, NULL, worker, NULL) != 0 || pthread_join(t2, NULL) != 0)
        return 20;
    if (unshare(CLONE_NEWUSER) == 0 || errno != EPERM)
        return 21;
    return 0;
}

/* The child enters the filter and every forbidden call fails with EPERM. */
static void exec_and_network_sockets_are_refused(void **state)
{
    (void)state;
    if (strcmp(sandbox_state(), "available") || under_valgrind()) {
        print_message("seccomp cannot be entered here (no kernel support, or valgrind): skipped\n");
        skip();
        return;
    }
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(child_checks());
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_string_equal(sandbox_state(), "available");    /* the parent is untouched */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exec_and_network_sockets_are_refused),
    };
    return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
