/* tharness.h: the tiny test harness of tests/windows/ (cmocka is not built
 * for MinGW in Debian). CHECK* macros count and print failures with their
 * line; t_report() prints "NAME: N passed, N failed" and gives the exit
 * status. Header-only; each test program includes it once. */
#ifndef TSHOOT_THARNESS_H
#define TSHOOT_THARNESS_H

#include <stdio.h>
#include <string.h>

static int t_passed, t_failed;

/* Records one check. */
static void t_check(int ok, const char *what, const char *file, int line)
{
    if (ok) {
        t_passed++;
        return;
    }
    t_failed++;
    printf("FAIL %s:%d: %s\n", file, line, what);
    fflush(stdout);
}

#define CHECK(c) t_check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long t_a = (long long)(a), t_b = (long long)(b);                                      \
        t_check(t_a == t_b, #a " == " #b, __FILE__, __LINE__);                                     \
        if (t_a != t_b)                                                                            \
            printf("     got %lld, want %lld\n", t_a, t_b);                                        \
    } while (0)
#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *t_a = (a), *t_b = (b);                                                         \
        int t_ok = t_a && t_b && !strcmp(t_a, t_b);                                                \
        t_check(t_ok, #a " == " #b, __FILE__, __LINE__);                                           \
        if (!t_ok)                                                                                 \
            printf("     got \"%s\", want \"%s\"\n", t_a ? t_a : "(null)", t_b ? t_b : "(null)"); \
    } while (0)
#define CHECK_HAS(hay, needle)                                                                     \
    do {                                                                                           \
        const char *t_h = (hay), *t_n = (needle);                                                  \
        int t_ok = t_h && strstr(t_h, t_n) != NULL;                                                \
        t_check(t_ok, #hay " contains \"" #needle "\"", __FILE__, __LINE__);                       \
        if (!t_ok)                                                                                 \
            printf("     in \"%s\"\n", t_h ? t_h : "(null)");                                      \
    } while (0)

/* Prints the totals; the exit status: 0 when nothing failed. */
static int t_report(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, t_passed, t_failed);
    fflush(stdout);
    return t_failed ? 1 : 0;
}

#endif
