/* test_playbook.c: the playbook loader and lint, on the real SMB playbook and on
 * every class of bad input (each written to a temporary file by the test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lang.h"
#include "playbook.h"

#define SMB "playbooks/smb-tcp-handshake.ini"

static char tmpdir[] = "/tmp/tshoot-test-pb-XXXXXX";

/* Writes N bytes of TEXT to a new file in the test directory and returns its path. */
static char *write_file(const char *name, const char *text, size_t n)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
    return path;
}

/* Lints PATH into a string (malloc'd) and returns it; *count gets lint's result. */
static char *lint_text(const char *path, int *count)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    *count = playbook_lint(path, f);
    fclose(f);
    return out;
}

/* Asserts that lint finds at least one problem in TEXT and that one contains WANT. */
static void expect_problem(const char *text, const char *want)
{
    int n;
    char *path = write_file("bad.ini", text, strlen(text));
    char *out = lint_text(path, &n);
    if (!strstr(out, want))
        fail_msg("lint said:\n%s\nwanted: %s", out, want);
    assert_true(n >= 1);
    /* the loader refuses the same file, naming file and line */
    struct playbook pb;
    char *cause = NULL;
    assert_int_equal(playbook_load(path, "en", &pb, &cause), -1);
    assert_non_null(cause);
    assert_non_null(strstr(cause, "bad.ini"));
    free(cause);
    free(out);
}

/* A small valid playbook that the bad inputs are made from. */
static const char *const minimal =
    "[playbook]\nid = demo\ntitle = Demo ${port}\ntitle[fr] = Démo\nprotocol = X\nports = 80\nversion = 1\n"
    "[scenario.1]\ntitle = One\ntitle[fr] = Un\nsummary = S\nsummary[fr] = S\n"
    "[scenario.1.step.1]\ntitle = A\ntitle[fr] = A\nbody = B\nbody[fr] = B\n";

/* The SMB playbook loads in English with every part of the article. */
static void smb_loads_in_english(void **state)
{
    (void)state;
    struct playbook pb;
    char *cause = NULL;
    assert_int_equal(playbook_load(SMB, "en", &pb, &cause), 0);
    assert_string_equal(pb.id, "smb-tcp-handshake");
    assert_int_equal(pb.nports, 1);
    assert_int_equal(pb.ports[0], 445);
    assert_int_equal(pb.nscenarios, 2);
    assert_int_equal(pb.scenarios[0].nsteps, 4);
    assert_true(pb.scenarios[1].nsteps >= 1);
    assert_string_equal(pb.service[PB_OS_WINDOWS], "LanmanServer");
    assert_string_equal(pb.process[PB_OS_WINDOWS], "System");
    const struct pb_step *s1 = &pb.scenarios[0].steps[0];
    assert_int_equal(s1->check, PB_CHECK_LISTENER);
    int netstat = 0, linux_cmd = 0;
    for (size_t i = 0; i < s1->ncommands; i++) {
        assert_null(strstr(s1->commands[i].text, "${"));
        netstat |= strstr(s1->commands[i].text, "netstat -ano | findstr :445") != NULL;
        linux_cmd |= s1->commands[i].platform == PB_LINUX;
    }
    assert_true(netstat);
    assert_true(linux_cmd);
    /* every step of scenario 1 has commands for all four platforms */
    for (size_t st = 0; st < pb.scenarios[0].nsteps; st++) {
        int seen[PB_NPLATFORMS] = { 0 };
        for (size_t i = 0; i < pb.scenarios[0].steps[st].ncommands; i++)
            seen[pb.scenarios[0].steps[st].commands[i].platform] = 1;
        for (int p = 0; p < PB_NPLATFORMS; p++)
            assert_true(seen[p]);
    }
    assert_int_equal(pb.scenarios[0].steps[1].check, PB_CHECK_SERVICE);
    assert_int_equal(pb.scenarios[0].steps[2].check, PB_CHECK_TRACE);
    assert_int_equal(pb.scenarios[0].steps[3].check, PB_CHECK_FIREWALL);
    const struct pb_scenario *sc = playbook_scenario_for(&pb, "syn_no_synack");
    assert_non_null(sc);
    assert_string_equal(sc->id, "1");
    sc = playbook_scenario_for(&pb, "path_drop");
    assert_non_null(sc);
    assert_string_equal(sc->id, "2");
    playbook_free(&pb);
}

/* The same playbook in French keeps its accents; an unknown language falls back to English. */
static void smb_loads_in_french_and_falls_back(void **state)
{
    (void)state;
    struct playbook fr, de, en;
    char *cause = NULL;
    assert_int_equal(playbook_load(SMB, "fr", &fr, &cause), 0);
    assert_int_equal(playbook_load(SMB, "de", &de, &cause), 0);
    assert_int_equal(playbook_load(SMB, "en", &en, &cause), 0);
    assert_string_not_equal(fr.title, en.title);
    assert_string_equal(de.title, en.title);
    assert_non_null(strstr(fr.scenarios[0].steps[0].body, "é"));
    /* commands are the same in every language */
    assert_string_equal(fr.scenarios[0].steps[0].commands[0].text,
                        en.scenarios[0].steps[0].commands[0].text);
    playbook_free(&fr);
    playbook_free(&de);
    playbook_free(&en);
}

/* Every playbook shipped in playbooks/ is lint-clean. */
static void shipped_playbooks_are_clean(void **state)
{
    (void)state;
    int n;
    char *out = lint_text(SMB, &n);
    if (n != 0)
        fail_msg("%s", out);
    free(out);
}

/* Variables, escapes and per-OS service names expand as documented. */
static void variables_and_escapes_expand(void **state)
{
    (void)state;
    const char *text =
        "[playbook]\nid = v\ntitle = T ${port}\nprotocol = P\nports = 5985, 5986\nversion = 1\n"
        "service.windows = WinRM, Other\nservice.linux = winrm\n"
        "[vars]\nhost = srv01\nkey = HKLM\\\\SYSTEM on ${port}\n"
        "[scenario.1]\ntitle = S\nsummary = line1\\nline2 costs $$5 on ${ports}\n"
        "[scenario.1.step.1]\ntitle = A\nbody = B ${host} ${key}\n"
        "cmd.1.platform = cmd\ncmd.1.label = L\ncmd.1.run = sc query ${service} \\\\\\\\${host}\\\\c$$\n"
        "cmd.2.platform = linux\ncmd.2.label = L\ncmd.2.run = systemctl status ${service}\\n\n";
    char *path = write_file("vars.ini", text, strlen(text));
    struct playbook pb;
    char *cause = NULL;
    if (playbook_load(path, "en", &pb, &cause) < 0)
        fail_msg("%s", cause);
    assert_string_equal(pb.title, "T 5985");
    assert_string_equal(pb.scenarios[0].summary, "line1\nline2 costs $5 on 5985,5986");
    /* [vars] values are expanded too (one backslash, ${port}) */
    assert_string_equal(pb.scenarios[0].steps[0].body, "B srv01 HKLM\\SYSTEM on 5985");
    assert_string_equal(pb.scenarios[0].steps[0].commands[0].text, "sc query WinRM \\\\srv01\\c$");
    assert_string_equal(pb.scenarios[0].steps[0].commands[1].text, "systemctl status winrm\\n");
    playbook_free(&pb);
}

/* Each class of bad input gets a file:line problem, and the loader refuses it. */
static void bad_inputs_are_reported(void **state)
{
    (void)state;
    char buf[4096];
    expect_problem("", "no [playbook] section");
    expect_problem("[playbook]\nid = x\n", "[playbook] has no 'title'");
    snprintf(buf, sizeof buf, "%s%s", minimal, "titel = typo\n");
    expect_problem(buf, "bad.ini:18: unknown key 'titel' (did you mean 'title'?)");
    snprintf(buf, sizeof buf, "%s%s", minimal, "check = listner\n");
    expect_problem(buf, "unknown check 'listner' (did you mean 'listener'?)");
    snprintf(buf, sizeof buf, "%s%s", minimal, "[scenario.1.step.1]\ntitle = A\nbody = B\n");
    expect_problem(buf, "duplicate section [scenario.1.step.1]");
    snprintf(buf, sizeof buf, "%s%s", minimal, "[scenario.1.step.3]\ntitle = A\nbody = B\n");
    expect_problem(buf, "step 3 of scenario 1 out of order: expected step 2");
    snprintf(buf, sizeof buf, "%s%s", minimal, "note = see ${nowhere}\n");
    expect_problem(buf, "undefined variable ${nowhere}");
    snprintf(buf, sizeof buf, "%s%s", minimal, "note = only English\n");
    expect_problem(buf, "'note' has no [fr] text");
    snprintf(buf, sizeof buf, "%s%s", minimal, "cmd.1.platform = linux\ncmd.1.run = ls; ls\n");
    expect_problem(buf, "the value is cut at ';': quote it");
    snprintf(buf, sizeof buf, "%s%s", minimal, "cmd.1.platform = linux\ncmd.1.run = ls\n");
    expect_problem(buf, "command 1 has no 'label'");
    snprintf(buf, sizeof buf, "%s%s", minimal, "cmd.1.platform = windows\ncmd.1.label = L\ncmd.1[fr].label = L\ncmd.1.run = x\n");
    expect_problem(buf, "unknown platform 'windows'");
    snprintf(buf, sizeof buf, "%s%s", minimal, "note = \"unterminated\n");
    expect_problem(buf, "unterminated \" quote");
    snprintf(buf, sizeof buf, "%s%s", minimal, "[scenario.1.stpe.2]\n");
    expect_problem(buf, "unknown section [scenario.1.stpe.2] (did you mean [scenario.N.step.N]?)");
    snprintf(buf, sizeof buf, "%s%s", minimal, "verdicts = syn_no_synak\n");
    expect_problem(buf, "(did you mean 'syn_no_synack'?)");
    snprintf(buf, sizeof buf, "%s%s", minimal, "[vars]\nloop = a${again}\nagain = ${loop}\n");
    expect_problem(buf, "bad.ini:19: variable ${loop} refers to itself");
    expect_problem("[playbook]\nid = x\ntitle = t\nprotocol = p\nports = 99999\nversion = 1\n",
                   "ports: '99999' is not a list of TCP ports");
}

/* Empty, binary, over-long-line, non-UTF-8 and huge files are refused with a reason. */
static void hostile_files_are_refused(void **state)
{
    (void)state;
    int n;
    char *out;

    out = lint_text(write_file("empty.ini", "", 0), &n);
    assert_true(n >= 1);
    free(out);

    out = lint_text(write_file("binary.ini", "[playbook]\n\0\x01\x02", 14), &n);
    assert_non_null(strstr(out, "binary.ini:2: binary data"));
    free(out);

    char *longline = malloc(3000);
    memset(longline, 'a', 2999);
    memcpy(longline, "title = ", 8);
    longline[2999] = 0;
    char *text;
    assert_true(asprintf(&text, "[playbook]\n%s\n", longline) > 0);
    out = lint_text(write_file("long.ini", text, strlen(text)), &n);
    assert_non_null(strstr(out, "long.ini:2: line too long"));
    free(out);
    free(text);
    free(longline);

    out = lint_text(write_file("latin1.ini", "[playbook]\ntitle = caf\xe9\n", 24), &n);
    assert_non_null(strstr(out, "latin1.ini:2: not valid UTF-8"));
    free(out);

    size_t big = 2 * 1024 * 1024;
    char *huge = malloc(big);
    for (size_t i = 0; i < big; i++)
        huge[i] = i % 64 == 63 ? '\n' : 'x';
    out = lint_text(write_file("huge.ini", huge, big), &n);
    assert_non_null(strstr(out, "larger than"));
    free(out);
    free(huge);

    out = lint_text("/nonexistent/tshoot.ini", &n);
    assert_int_equal(n, -1);
    assert_non_null(strstr(out, "No such file"));
    free(out);
}

/* The iniparser corpus (including the CVE-2023-33461 file) never crashes the loader. */
static void iniparser_corpus_is_handled(void **state)
{
    (void)state;
    static const char *const files[] = {
        "good/empty.ini", "good/gruezi.ini", "good/old.ini", "good/quotes.ini", "good/spaced.ini",
        "good/spaced2.ini", "good/twisted.ini", "good/utf8.ini", "bad/ends_well.ini",
        "bad/section-name-as-key-CVE-2023-33461.ini", "bad/twisted-errors.ini",
        "bad/twisted-ofkey.ini", "bad/twisted-ofval.ini", "bad/zero-byte-issue68.ini",
    };
    const char *corpus = getenv("TSHOOT_CORPUS") ? getenv("TSHOOT_CORPUS") : "../shared/corpus";
    char path[1024];
    snprintf(path, sizeof path, "%s/ini/good/empty.ini", corpus);
    if (access(path, R_OK) != 0)
        skip();
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct playbook pb;
        char *cause = NULL;
        int n;
        snprintf(path, sizeof path, "%s/ini/%s", corpus, files[i]);
        assert_int_equal(playbook_load(path, "en", &pb, &cause), -1);
        assert_non_null(strstr(cause, files[i]));
        free(cause);
        free(lint_text(path, &n));
        assert_true(n >= 1);
    }
}

/* A playbook others can write to, or in a directory they can write to, is refused. */
static void writable_playbooks_are_refused(void **state)
{
    (void)state;
    struct playbook pb;
    char *cause = NULL, dir[600], *path = write_file("perm.ini", minimal, strlen(minimal));
    assert_int_equal(playbook_load(path, "en", &pb, &cause), 0);
    playbook_free(&pb);
    assert_int_equal(chmod(path, 0666), 0);
    assert_int_equal(playbook_load(path, "en", &pb, &cause), -1);
    assert_non_null(strstr(cause, "can be written by other users"));
    free(cause);
    assert_int_equal(chmod(path, 0644), 0);
    snprintf(dir, sizeof dir, "%s", tmpdir);
    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(playbook_load(path, "en", &pb, &cause), -1);
    assert_non_null(strstr(cause, "its directory"));
    free(cause);
    assert_int_equal(chmod(dir, 01777), 0);   /* sticky, like /tmp: others cannot replace it */
    assert_int_equal(playbook_load(path, "en", &pb, &cause), 0);
    playbook_free(&pb);
    assert_int_equal(chmod(dir, 0700), 0);
}

/* Appends N references to ${NAME} to the string at *P. */
static void add_refs(char **p, const char *name, int n)
{
    for (int i = 0; i < n; i++)
        *p += sprintf(*p, "${%s}", name);
}

/* A 2 KB playbook whose [vars] fan out 100 ways on four levels (10^8 copies
 * when expanded naively: today's loader took minutes) is refused at once, with
 * the variables that grow past 256 bytes named at their lines. */
static void vars_bomb_is_refused_quickly(void **state)
{
    (void)state;
    char text[8192], *p = text;
    p += sprintf(p, "[playbook]\nid = bomb\ntitle = ");
    add_refs(&p, "a", 100);
    p += sprintf(p, "\nprotocol = X\nports = 80\nversion = 1\n[vars]\na = ");
    add_refs(&p, "b", 100);
    p += sprintf(p, "\nb = ");
    add_refs(&p, "c", 100);
    p += sprintf(p, "\nc = ");
    add_refs(&p, "d", 100);
    p += sprintf(p, "\nd = x\n[scenario.1]\ntitle = T\nsummary = S\n"
                    "[scenario.1.step.1]\ntitle = A\nbody = B\n");
    char *path = write_file("bomb.ini", text, strlen(text));
    clock_t start = clock();
    struct playbook pb;
    char *cause = NULL;
    assert_int_equal(playbook_load(path, "en", &pb, &cause), -1);
    if (!strstr(cause, "bomb.ini:9: value of ${b} expands beyond 256 bytes"))
        fail_msg("load said: %s", cause);
    free(cause);
    int n;
    char *out = lint_text(path, &n);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    if (!strstr(out, "bomb.ini:8: value of ${a} expands beyond 256 bytes") ||
        !strstr(out, "bomb.ini:9: value of ${b} expands beyond 256 bytes") || strstr(out, "${c}"))
        fail_msg("lint said:\n%s", out);
    assert_int_equal(n, 2);
    if (seconds > 1.0)
        fail_msg("loading and linting took %.1f s of CPU", seconds);
    free(out);
}

/* Control characters in a command, a title or a body (ESC of "ESC[201~", which
 * ends a bracketed paste, CR, DEL, a C1 CSI, a tab) are a lint error at their
 * line, and the loader refuses the file. */
static void control_characters_are_refused(void **state)
{
    (void)state;
    static const struct { const char *line, *want; } cases[] = {
        { "cmd.1.run = echo \x1b[201~rm -rf ~\n", "bad.ini:20: control character U+001B" },
        { "cmd.1.run = echo hi\rrm -rf ~\n", "bad.ini:20: control character U+000D" },
        { "cmd.1.run = ls \x7f\n", "bad.ini:20: control character U+007F" },
        { "cmd.1.run = ls \xc2\x9b" "201~\n", "bad.ini:20: control character U+009B" },
        { "cmd.1.run = ls\t-l\n", "bad.ini:20: a tab in a key or value" },
        { "title = \x1b[2J\x1b]0\x07 A\n", "bad.ini:20: control character U+001B" },
    };
    char buf[4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(buf, sizeof buf, "%scmd.1.platform = linux\ncmd.1.label = L\n%s", minimal, cases[i].line);
        expect_problem(buf, cases[i].want);
    }
}

/* A file that gives other bytes on a second read (a FIFO fed twice: a valid
 * playbook, then, once the first reader is done, one without [playbook]) is
 * read once or refused: the old loader scanned the first text, parsed the
 * second and crashed in strdup(NULL). An alarm ends a loader that hangs. */
static void a_file_that_changes_is_read_once(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/fifo.ini", tmpdir);
    assert_int_equal(mkfifo(path, 0600), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        signal(SIGPIPE, SIG_IGN);
        const char *texts[2] = { minimal, "[other]\nx = 1\n" };
        for (int i = 0; i < 2; i++) {
            FILE *f = fopen(path, "w");
            if (!f)
                _exit(1);
            fputs(texts[i], f);
            fclose(f);
            usleep(200 * 1000);   /* the reader reads to the end and closes */
        }
        _exit(0);
    }
    struct playbook pb;
    char *cause = NULL;
    alarm(10);
    int rc = playbook_load(path, "en", &pb, &cause);
    alarm(0);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    unlink(path);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(cause, "fifo.ini: refused: the file is not a regular file"));
    free(cause);
}

/* A playbook given as a symbolic link is refused: only its real path is read. */
static void a_symlinked_playbook_is_refused(void **state)
{
    (void)state;
    char link[512];
    char *path = write_file("real.ini", minimal, strlen(minimal));
    snprintf(link, sizeof link, "%s/link.ini", tmpdir);
    assert_int_equal(symlink(path, link), 0);
    struct playbook pb;
    char *cause = NULL;
    assert_int_equal(playbook_load(link, "en", &pb, &cause), -1);
    assert_non_null(strstr(cause, "link.ini: refused: it is a symbolic link"));
    free(cause);
    unlink(link);
}

/* The language comes from --lang, then LC_ALL, LC_MESSAGES, LANG, else English. */
static void language_is_picked_like_gettext(void **state)
{
    (void)state;
    char l[16];
    setenv("LANG", "fr_FR.UTF-8", 1);
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    lang_pick(NULL, l, sizeof l);
    assert_string_equal(l, "fr");
    lang_pick("de", l, sizeof l);
    assert_string_equal(l, "de");
    setenv("LC_MESSAGES", "C", 1);
    lang_pick(NULL, l, sizeof l);
    assert_string_equal(l, "en");
    setenv("LC_ALL", "pt_BR", 1);
    lang_pick(NULL, l, sizeof l);
    assert_string_equal(l, "pt");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
    lang_pick(NULL, l, sizeof l);
    assert_string_equal(l, "en");
}

/* Ids resolve through ./playbooks; unknown ids say where they were looked for. */
static void ids_resolve(void **state)
{
    (void)state;
    char *cause = NULL;
    char *path = playbook_resolve("smb-tcp-handshake", &cause);
    assert_non_null(path);
    assert_string_equal(path, "playbooks/smb-tcp-handshake.ini");
    free(path);
    assert_null(playbook_resolve("no-such-playbook", &cause));
    assert_non_null(strstr(cause, "no playbook 'no-such-playbook'"));
    free(cause);
}

/* Creates the scratch directory. */
static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* Removes the scratch directory. */
static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(smb_loads_in_english),
        cmocka_unit_test(smb_loads_in_french_and_falls_back),
        cmocka_unit_test(shipped_playbooks_are_clean),
        cmocka_unit_test(variables_and_escapes_expand),
        cmocka_unit_test(bad_inputs_are_reported),
        cmocka_unit_test(hostile_files_are_refused),
        cmocka_unit_test(iniparser_corpus_is_handled),
        cmocka_unit_test(writable_playbooks_are_refused),
        cmocka_unit_test(vars_bomb_is_refused_quickly),
        cmocka_unit_test(control_characters_are_refused),
        cmocka_unit_test(a_file_that_changes_is_read_once),
        cmocka_unit_test(a_symlinked_playbook_is_refused),
        cmocka_unit_test(language_is_picked_like_gettext),
        cmocka_unit_test(ids_resolve),
    };
    return cmocka_run_group_tests_name("playbook", tests, setup, teardown);
}
