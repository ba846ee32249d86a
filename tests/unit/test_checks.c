/* test_checks.c: the table of checks (checks.h): every row complete, the step
 * names one list that the loader and lint both take from it, and the unknown
 * result a helper that does not answer leaves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "playbook.h"

#define SMB "playbooks/smb-tcp-handshake.ini"

/* Every row has a name (check_name), labels and every function but the optional
 * json_check; names are distinct. */
static void every_row_is_complete(void **state)
{
    (void)state;
    assert_null(check_kind(CHECK_NKINDS));
    assert_null(check_kind(UINT32_MAX));
    for (uint32_t id = 0; id < CHECK_NKINDS; id++) {
        const struct check_kind *k = check_kind(id);
        assert_non_null(k);
        assert_true(*check_name(id) && k->label && *k->label && k->label_fr && *k->label_fr);
        assert_true(k->run && k->state && k->ok && k->problem && k->lacks_privilege && k->summary &&
                    k->detail && k->json && k->print && k->markdown && k->unknown);
        for (uint32_t j = 0; j < id; j++)
            assert_string_not_equal(check_name(id), check_name(j));
    }
}

/* A step's check name maps to its number and back; "" and unknown names to none. */
static void step_names_round_trip(void **state)
{
    (void)state;
    for (int s = 1; s <= CHECK_NSTEPS; s++)
        assert_int_equal(playbook_check_find(playbook_check_name((enum pb_check)s)), s);
    for (uint32_t id = 0; id < CHECK_NKINDS; id++)
        assert_string_equal(playbook_check_name((enum pb_check)(1 + id)), check_name(id));
    assert_string_equal(check_name(CHECK_NKINDS), "?");
    assert_int_equal(playbook_check_find(""), PB_CHECK_NONE);
    assert_int_equal(playbook_check_find("Listener"), PB_CHECK_NONE);
    assert_int_equal(playbook_check_find(NULL), PB_CHECK_NONE);
    assert_string_equal(playbook_check_name(PB_CHECK_NONE), "");
    assert_string_equal(playbook_check_name((enum pb_check)(CHECK_NSTEPS + 1)), "?");
    assert_string_equal(playbook_check_name(PB_CHECK_LISTENER), "listener");
    assert_string_equal(playbook_check_name(PB_CHECK_SERVICE), "service");
    assert_string_equal(playbook_check_name(PB_CHECK_FIREWALL), "firewall");
    assert_string_equal(playbook_check_name(PB_CHECK_CAPTURE), "capture");
    assert_string_equal(playbook_check_name(PB_CHECK_TRACE), "trace");
}

/* The SMB playbook with its first "check = listener" replaced by "check = NAME"
 * written to a temporary file; returns its path (malloc'd). */
static char *smb_with_check(const char *name)
{
    FILE *in = fopen(SMB, "rb");
    assert_non_null(in);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[n] = 0;
    char *at = strstr(text, "check = listener\n");
    assert_non_null(at);
    char path[] = "/tmp/tshoot-test-checks-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "wb");
    fwrite(text, 1, (size_t)(at - text), out);
    fprintf(out, "check = %s\n", name);
    fputs(at + strlen("check = listener\n"), out);
    fclose(out);
    return strdup(path);
}

/* Lint and the loader agree on every name: each of the table's step names
 * passes both, bound to its number; a name outside it fails both. */
static void lint_and_loader_take_the_same_names(void **state)
{
    (void)state;
    FILE *null = fopen("/dev/null", "w");
    const char *names[] = { "bogus", "", "Listener", NULL };
    for (int s = 1; s <= CHECK_NSTEPS; s++) {
        char *path = smb_with_check(playbook_check_name((enum pb_check)s));
        struct playbook pb;
        char *cause = NULL;
        assert_int_equal(playbook_lint(path, null), 0);
        assert_int_equal(playbook_load(path, "en", &pb, &cause), 0);
        assert_int_equal(pb.scenarios[0].steps[0].check, s);
        playbook_free(&pb);
        unlink(path);
        free(path);
    }
    for (size_t i = 0; names[i]; i++) {
        char *path = smb_with_check(names[i]);
        struct playbook pb;
        char *cause = NULL;
        assert_true(playbook_lint(path, null) > 0);
        assert_int_equal(playbook_load(path, "en", &pb, &cause), -1);
        assert_non_null(strstr(cause, "unknown check"));
        free(cause);
        unlink(path);
        free(path);
    }
    fclose(null);
}

/* A check the helper did not answer is unknown, with the reason in its
 * summary and detail, and neither a problem nor a want of privilege. */
static void unanswered_check_is_unknown(void **state)
{
    (void)state;
    for (uint32_t id = 0; id < CHECK_NKINDS; id++) {
        const struct check_kind *k = check_kind(id);
        struct check_result r;
        memset(&r, 0, sizeof r);
        r.id = id;
        k->unknown(&r, "the checks helper stopped");
        assert_string_equal(k->state(&r), "unknown");
        assert_string_equal(k->summary(&r), "unknown: the checks helper stopped");
        assert_string_equal(k->detail(&r), "the checks helper stopped");
        assert_false(k->ok(&r));
        assert_false(k->problem(&r));
        assert_false(k->lacks_privilege(&r));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_is_complete),
        cmocka_unit_test(step_names_round_trip),
        cmocka_unit_test(lint_and_loader_take_the_same_names),
        cmocka_unit_test(unanswered_check_is_unknown),
    };
    return cmocka_run_group_tests_name("checks", tests, NULL, NULL);
}
