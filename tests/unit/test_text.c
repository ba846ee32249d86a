/* test_text.c: unit tests of the visible form (src/text.c): what a hostile
 * process name, rule text or report line becomes before it reaches a
 * terminal, and that valid UTF-8 text passes unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "text.h"

/* Asserts that the visible form of IN (LEN bytes, FLAGS) is WANT. */
static void check(const char *in, size_t len, int flags, const char *want)
{
    char out[256];
    assert_string_equal(text_visible_n(out, sizeof out, in, len, flags), want);
    char *dup = text_visible_dup(in, len, flags);
    assert_non_null(dup);
    assert_string_equal(dup, want);
    free(dup);
}

/* Asserts the visible form of the string IN, no control kept. */
static void check_s(const char *in, const char *want)
{
    check(in, strlen(in), 0, want);
    assert_int_equal(text_has_controls(in, 0), strcmp(in, want) != 0);
}

/* ESC, a CSI sequence and an OSC title sequence with BEL. */
static void test_escape_sequences(void **state)
{
    (void)state;
    check_s("\x1b", "\\x1b");
    check_s("a\x1b[2J\x1b[31mred", "a\\x1b[2J\\x1b[31mred");
    check_s("\x1b]0;pwned\x07x", "\\x1b]0;pwned\\x07x");
}

/* An OSC 52 clipboard write hidden in a name. */
static void test_osc52(void **state)
{
    (void)state;
    check_s("smbd\x1b]52;c;cm0gLXJmIH4K\x07", "smbd\\x1b]52;c;cm0gLXJmIH4K\\x07");
}

/* C1 controls: CSI as UTF-8 (U+009B) and as a raw byte; NEL as UTF-8. */
static void test_c1(void **state)
{
    (void)state;
    check_s("a\xc2\x9b" "2Jb", "a\\xc2\\x9b2Jb");
    check_s("a\x9b" "2Jb", "a\\x9b2Jb");
    check_s("\xc2\x85", "\\xc2\\x85");
    check_s("\xc2\xa0nbsp", "\xc2\xa0nbsp");   /* U+00A0 is text, not C1 */
}

/* DEL, CR, BEL, and newline and tab unless the caller keeps them. */
static void test_c0_del(void **state)
{
    (void)state;
    check_s("a\x7f" "b", "a\\x7fb");
    check_s("fake\rline", "fake\\x0dline");
    check_s("\x07", "\\x07");
    check_s("one\ntwo\tx", "one\\x0atwo\\x09x");
    check("one\ntwo\tx", 9, TEXT_KEEP_NL, "one\ntwo\\x09x");
    check("one\ntwo\tx", 9, TEXT_KEEP_NL | TEXT_KEEP_TAB, "one\ntwo\tx");
    assert_false(text_has_controls("one\ntwo", TEXT_KEEP_NL));
    check("a\0b", 3, 0, "a\\x00b");
}

/* French, symbols and a 4-byte character pass unchanged. */
static void test_utf8_unchanged(void **state)
{
    (void)state;
    check_s("Étape : vérifier le pare-feu « ici » à 10 h", "Étape : vérifier le pare-feu « ici » à 10 h");
    check_s("→ … œ 😀", "→ … œ 😀");
}

/* Invalid UTF-8: a sequence cut at the end, overlong forms, surrogates. */
static void test_invalid_utf8(void **state)
{
    (void)state;
    check_s("caf\xc3", "caf\\xc3");
    check_s("x\xe2\x82", "x\\xe2\\x82");
    check_s("\xc0\xaf", "\\xc0\\xaf");           /* overlong '/' */
    check_s("\xe0\x80\x9b", "\\xe0\\x80\\x9b");   /* overlong CSI */
    check_s("\xed\xa0\x80", "\\xed\\xa0\\x80");   /* surrogate */
    check_s("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
    check_s("\xff\xfe", "\\xff\\xfe");
}

/* The output is cut before an escape that would not fit, and terminated. */
static void test_cut(void **state)
{
    (void)state;
    char out[6];
    assert_string_equal(text_visible(out, sizeof out, "ab\x1b" "cd"), "ab");
    assert_string_equal(text_visible(out, sizeof out, "é\x1b"), "é");
    assert_string_equal(text_visible(out, 3, "aé"), "a");
    assert_string_equal(text_visible(out, sizeof out, NULL), "");
}

/* text_put_visible writes the same form to a stream. */
static void test_put(void **state)
{
    (void)state;
    char buf[64] = { 0 };
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    text_put_visible(f, "# é\n\x1b[2J\n", 10, TEXT_KEEP_NL);
    fclose(f);
    assert_string_equal(buf, "# é\n\\x1b[2J\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_sequences), cmocka_unit_test(test_osc52),
        cmocka_unit_test(test_c1),               cmocka_unit_test(test_c0_del),
        cmocka_unit_test(test_utf8_unchanged),   cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_cut),              cmocka_unit_test(test_put),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
