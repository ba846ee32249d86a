/* test_privsep.c: the requests the privileged helpers accept, and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privsep.h"
#include "under_valgrind.h"

/* A valid listener request for port 445 with an expected owner. */
static struct privsep_request good(void)
{
    struct privsep_request r;
    memset(&r, 0, sizeof r);
    r.op = PRIVSEP_CHECK;
    r.check = CHECK_LISTENER;
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
    r.check = CHECK_SERVICE;
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
    r.check = CHECK_NKINDS;
    refused(&r, "unknown check");
    r.check = UINT32_MAX;
    refused(&r, "unknown check");
    r = good();
    r.op = 0;
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
    r.check = CHECK_SERVICE;
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

/* Every check of the table is a request the helper accepts, with ports when
 * its kind needs them, and refuses without them. */
static void every_check_of_the_table_passes(void **state)
{
    (void)state;
    char why[128];
    for (uint32_t id = 0; id < CHECK_NKINDS; id++) {
        struct privsep_request r = good();
        r.check = id;
        assert_true(privsep_request_valid(&r, why, sizeof why));
        r.nports = 0;
        assert_int_equal(privsep_request_valid(&r, why, sizeof why), !check_kind(id)->needs_ports);
    }
}

/* Whether the parser child cannot run here: as root under valgrind, it
 * cannot enter the seccomp filter, so it refuses to parse (skipped). */
static int parser_child_cannot_run(void)
{
    if (geteuid() != 0 || !under_valgrind())
        return 0;
    print_message("the parser child cannot enter seccomp under valgrind: skipped\n");
    skip();
    return 1;
}

/* A playbook loaded in two steps: as root, only its id and ports come back
 * from the parser child, then the rest; otherwise all of it at once. */
static void playbook_in_two_steps(void **state)
{
    struct playbook pb;
    struct privsep_playbook later;
    char *cause = NULL;
    (void)state;
    if (parser_child_cannot_run())
        return;
    assert_int_equal(privsep_playbook_load("playbooks/smb-tcp-handshake.ini", "en", &pb, &later, &cause), 0);
    assert_string_equal(pb.id, "smb-tcp-handshake");
    assert_int_equal(pb.nports, 1);
    assert_int_equal(pb.ports[0], 445);
    if (geteuid() == 0)
        assert_int_equal(pb.nscenarios, 0);    /* the id and ports only, so far */
    assert_int_equal(later.text != NULL, geteuid() == 0);
    assert_int_equal(privsep_playbook_finish(&later, &pb, &cause), 0);
    assert_null(later.text);
    assert_true(pb.nscenarios > 0);
    assert_string_equal(pb.id, "smb-tcp-handshake");
    assert_non_null(pb.title);
    playbook_free(&pb);
}

/* A playbook the parser refuses: -1 with its one-line "file: message". */
static void bad_playbook_names_its_line(void **state)
{
    char path[] = "/tmp/tshoot-test-privsep-XXXXXX";
    struct playbook pb;
    struct privsep_playbook later;
    char *cause = NULL;
    static const char text[] = "[playbook]\nid = x\ntitle = t\nprotocol = tcp\nversion = 1\nports = 0\n";
    (void)state;
    if (parser_child_cannot_run())
        return;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, sizeof text - 1), (int)(sizeof text - 1));
    close(fd);
    assert_int_equal(privsep_playbook_load(path, NULL, &pb, &later, &cause), -1);
    assert_null(later.text);
    assert_non_null(cause);
    assert_int_equal(strncmp(cause, path, strlen(path)), 0);
    assert_non_null(strstr(cause, "scenario"));
    assert_null(strchr(cause, '\n'));
    free(cause);
    playbook_free(&pb);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_requests_pass),
        cmocka_unit_test(anything_else_is_refused),
        cmocka_unit_test(every_check_of_the_table_passes),
        cmocka_unit_test(playbook_in_two_steps),
        cmocka_unit_test(bad_playbook_names_its_line),
    };
    return cmocka_run_group_tests_name("privsep", tests, NULL, NULL);
}
