/* test_probe_parse.c: the OS-neutral parts of the machine checks
 * (probe_parse.c): address scopes, comma lists and the listener verdict,
 * which every platform uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "probe.h"
#include "probe_parse.h"

/* Scopes and comma lists. */
static void test_scope_and_lists(void **state)
{
    (void)state;
    assert_int_equal(probe_parse_scope("0.0.0.0"), PROBE_SCOPE_ANY);
    assert_int_equal(probe_parse_scope("::"), PROBE_SCOPE_ANY);
    assert_int_equal(probe_parse_scope("127.0.0.53"), PROBE_SCOPE_LOOPBACK);
    assert_int_equal(probe_parse_scope("::1"), PROBE_SCOPE_LOOPBACK);
    assert_int_equal(probe_parse_scope("::ffff:127.0.0.1"), PROBE_SCOPE_LOOPBACK);
    assert_int_equal(probe_parse_scope("198.51.100.1"), PROBE_SCOPE_SPECIFIC);
    assert_true(probe_parse_in_list("smbd", "smbd,samba"));
    assert_true(probe_parse_in_list("samba", "smbd, samba "));
    assert_false(probe_parse_in_list("smb", "smbd,samba"));
    assert_false(probe_parse_in_list("smbd", NULL));
}

/* Adds a socket to a listener result. */
static void add_sock(struct listener_result *r, const char *addr, uint16_t port, int pid, const char *proc)
{
    struct listener_socket *s = &r->sockets[r->nsockets++];
    strcpy(s->address, addr);
    s->port = port;
    s->pid = pid;
    strcpy(s->process, proc);
}

/* Listening on all, some or loopback addresses, none, and a wrong owner. */
static void test_listener_verdict(void **state)
{
    (void)state;
    uint16_t port = 445;
    struct listener_result r;
    memset(&r, 0, sizeof r);
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_int_equal(r.state, LISTENER_NOT_LISTENING);
    assert_non_null(strstr(r.summary, "Nothing listens"));

    memset(&r, 0, sizeof r);
    add_sock(&r, "0.0.0.0", 445, 42, "smbd");
    add_sock(&r, "::", 445, 42, "smbd");
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_int_equal(r.state, LISTENER_LISTENING);
    assert_true(r.sockets[0].expected_owner);
    assert_non_null(strstr(r.summary, "all addresses"));

    memset(&r, 0, sizeof r);
    add_sock(&r, "127.0.0.1", 445, 42, "smbd");
    add_sock(&r, "::1", 445, 42, "smbd");
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_int_equal(r.state, LISTENER_LOOPBACK_ONLY);

    memset(&r, 0, sizeof r);
    add_sock(&r, "198.51.100.1", 445, 42, "smbd");
    add_sock(&r, "127.0.0.1", 445, 42, "smbd");
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_int_equal(r.state, LISTENER_LISTENING);
    assert_non_null(strstr(r.summary, "only on 198.51.100.1 and loopback"));

    memset(&r, 0, sizeof r);
    add_sock(&r, "0.0.0.0", 445, 7, "python3");
    probe_parse_listener_verdict(&r, &port, 1, "smbd,samba");
    assert_int_equal(r.state, LISTENER_LISTENING);
    assert_false(r.sockets[0].expected_owner);
    assert_non_null(strstr(r.summary, "python3 (pid 7), not the expected smbd,samba"));

    memset(&r, 0, sizeof r); /* owner unknown (no root): not called unexpected */
    add_sock(&r, "0.0.0.0", 445, -1, "");
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_null(strstr(r.summary, "not the expected"));
}

/* Compares names case-blind (a platform's own rule, as Windows' is). */
static int caseblind_in_list(const char *name, const char *list)
{
    return !strcasecmp(name, list);
}

/* The edges both platforms share: an owner needs a pid and a name, repeated
 * addresses are named once, the first known owner is named, and the
 * platform's name rule and "unreported" words are used. */
static void test_listener_verdict_edges(void **state)
{
    (void)state;
    uint16_t port = 445;
    struct listener_result r;
    memset(&r, 0, sizeof r); /* a pid whose name could not be read: unknown, not unexpected */
    add_sock(&r, "0.0.0.0", 445, 42, "");
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_false(r.sockets[0].expected_owner);
    assert_string_equal(r.summary, "Listening on TCP port 445 on all addresses (owner unknown: pid 42).");

    memset(&r, 0, sizeof r); /* two sockets on one address (SO_REUSEPORT) */
    add_sock(&r, "198.51.100.1", 445, 42, "smbd");
    add_sock(&r, "198.51.100.1", 445, 43, "smbd");
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_non_null(strstr(r.summary, "only on 198.51.100.1 (not on all addresses: clients must use this one)"));

    memset(&r, 0, sizeof r); /* the first socket's owner unknown, the second's known */
    add_sock(&r, "0.0.0.0", 445, -1, "");
    add_sock(&r, "::", 445, 42, "smbd");
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_string_equal(r.summary, "Listening on TCP port 445 on all addresses, owned by smbd (pid 42).");

    memset(&r, 0, sizeof r); /* POSIX: no owner known says nothing (the probe's detail does) */
    add_sock(&r, "0.0.0.0", 445, -1, "");
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_string_equal(r.summary, "Listening on TCP port 445 on all addresses.");

    static const struct listener_owners blind = { caseblind_in_list, "owner not reported" };
    probe_parse_listener_verdict_owners(&r, &port, 1, "smbd", &blind);
    assert_string_equal(r.summary, "Listening on TCP port 445 on all addresses (owner not reported).");
    memset(&r, 0, sizeof r);
    add_sock(&r, "0.0.0.0", 445, 42, "SMBD");
    probe_parse_listener_verdict_owners(&r, &port, 1, "smbd", &blind);
    assert_true(r.sockets[0].expected_owner);
    probe_parse_listener_verdict(&r, &port, 1, "smbd");
    assert_false(r.sockets[0].expected_owner);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scope_and_lists),
        cmocka_unit_test(test_listener_verdict),
        cmocka_unit_test(test_listener_verdict_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
