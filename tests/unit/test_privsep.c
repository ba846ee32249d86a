/* test_privsep.c: the requests the privileged helpers accept, and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "privsep.h"

/* A valid listener request for port 445 with an expected owner. */
static struct privsep_request good(void)
{
    struct privsep_request r;
    memset(&r, 0, sizeof r);
    r.op = PRIVSEP_LISTENER;
    r.nports = 1;
    r.ports[0] = 445;
    strcpy(r.names, "smbd, samba");
    return r;
}

/* Asserts that R is refused with a reason containing WANT. */
static void refused(const struct privsep_request *r, const char *want)
{
    char why[128] = "";
    assert_false(privsep_request_valid(r, why, sizeof why));
    assert_non_null(strstr(why, want));
}

/* Well-formed requests of each kind pass. */
static void valid_requests_pass(void **state)
{
    (void)state;
    char why[128];
    struct privsep_request r = good();
    assert_true(privsep_request_valid(&r, why, sizeof why));
    r.op = PRIVSEP_SERVICE;
    r.nports = 0;
    assert_true(privsep_request_valid(&r, why, sizeof why));
    r = good();
    r.op = PRIVSEP_TRACE;
    r.seconds = 30;
    assert_true(privsep_request_valid(&r, why, sizeof why));
    r = good();
    r.op = PRIVSEP_SAVE_JSON;
    r.length = 1000;
    assert_true(privsep_request_valid(&r, why, sizeof why));
}

/* Anything outside the fixed set is refused: paths, commands, bad numbers. */
static void anything_else_is_refused(void **state)
{
    (void)state;
    struct privsep_request r = good();
    r.op = 99;
    refused(&r, "unknown request");
    r = good();
    strcpy(r.names, "../../etc/shadow");
    refused(&r, "outside");
    r = good();
    strcpy(r.names, "smbd; rm -rf /");
    refused(&r, "outside");
    r = good();
    strcpy(r.names, "$(id)");
    refused(&r, "outside");
    r = good();
    r.op = PRIVSEP_SERVICE;
    strcpy(r.processes, "postgres`id`");
    refused(&r, "outside");
    r = good();
    memset(r.names, 'a', sizeof r.names);
    refused(&r, "not terminated");
    r = good();
    r.nports = 17;
    refused(&r, "port count");
    r = good();
    r.nports = 0;
    refused(&r, "port count");
    r = good();
    r.ports[0] = 0;
    refused(&r, "port 0");
    r = good();
    r.op = PRIVSEP_TRACE;
    r.seconds = 0;
    refused(&r, "duration");
    r.seconds = 100000;
    refused(&r, "duration");
    r = good();
    r.op = PRIVSEP_SAVE_MD;
    r.length = PRIVSEP_MAX_SAVE + 1;
    refused(&r, "too large");
    r = good();
    r.length = 5;
    refused(&r, "unexpected data");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_requests_pass),
        cmocka_unit_test(anything_else_is_refused),
    };
    return cmocka_run_group_tests_name("privsep", tests, NULL, NULL);
}
