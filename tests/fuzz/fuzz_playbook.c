/* fuzz_playbook.c: libFuzzer target for the playbook loader and lint
 * (playbook.h) on arbitrary INI text.
 *
 * Each input is written to one file in a private temporary directory (mode
 * 0700, file 0600, so playbook_read() accepts it), then loaded with
 * the texts in English and in French (every string of a loaded playbook is
 * read, and playbook_free() must release it all: LeakSanitizer), then linted
 * with the problems written to /dev/null. The loader and lint share their
 * checks, so a file that loads must lint clean and a file that lints clean
 * must load: a disagreement aborts (a finding).
 *
 * Seeds: tests/fuzz/corpus/playbook, playbooks/, the shared ini corpus;
 * dictionary: tests/fuzz/corpus/playbook.dict. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "playbook.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4096];
static char path[4200];
static FILE *devnull;

/* Removes the temporary file and directory at exit. */
static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

/* Creates the private directory and opens /dev/null once per process. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tshoot-fuzz-playbook.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("fuzz_playbook: mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/playbook.ini", dir);
    devnull = fopen("/dev/null", "w");
    if (devnull == NULL) {
        perror("fuzz_playbook: /dev/null");
        exit(1);
    }
    atexit(cleanup);
    return 0;
}

/* Touches every string of a loaded playbook (an unterminated one is an ASan report). */
static size_t walk(const struct playbook *pb)
{
    size_t n = 0;
    const char *top[] = { pb->path, pb->id, pb->title, pb->protocol, pb->version,
                          pb->source, pb->intro, pb->lang };
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        n += top[i] ? strlen(top[i]) : 0;
    if (pb->nports > PLAYBOOK_MAX_PORTS)
        abort();
    for (int os = 0; os < PB_NOS; os++) {
        n += pb->service[os] ? strlen(pb->service[os]) : 0;
        n += pb->process[os] ? strlen(pb->process[os]) : 0;
    }
    for (size_t i = 0; i < pb->nscenarios; i++) {
        const struct pb_scenario *s = &pb->scenarios[i];
        n += strlen(s->id) + (s->title ? strlen(s->title) : 0) + (s->summary ? strlen(s->summary) : 0);
        for (size_t j = 0; j < s->nverdicts; j++) {
            n += strlen(s->verdicts[j]);
            if (playbook_scenario_for(pb, s->verdicts[j]) == NULL)
                abort();   /* a listed verdict must find a scenario */
        }
        for (size_t j = 0; j < s->nsteps; j++) {
            const struct pb_step *st = &s->steps[j];
            n += (st->title ? strlen(st->title) : 0) + (st->body ? strlen(st->body) : 0);
            n += (st->note ? strlen(st->note) : 0) + (st->warning ? strlen(st->warning) : 0);
            n += strlen(playbook_check_name(st->check));
            for (size_t k = 0; k < st->ncommands; k++) {
                const struct pb_command *c = &st->commands[k];
                n += strlen(playbook_platform_name(c->platform));
                n += (c->label ? strlen(c->label) : 0) + (c->text ? strlen(c->text) : 0);
            }
        }
    }
    return n;
}

/* One run: write the text, load it in two languages, lint it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    if (fclose(f) != 0)
        abort();

    static const char *const langs[] = { "en", "fr" };
    int loaded = 0;
    for (size_t i = 0; i < 2; i++) {
        struct playbook pb;
        char *cause = NULL;
        if (playbook_load(path, langs[i], &pb, &cause) == 0) {
            walk(&pb);
            playbook_free(&pb);
            loaded++;
        } else {
            if (cause == NULL || strlen(cause) == 0)
                abort();   /* a refusal always says why */
            free(cause);
        }
    }
    if (loaded == 1)
        abort();           /* the language changed whether the file loads */
    int problems = playbook_lint(path, devnull);
    if (problems < 0)
        abort();           /* the file is there and readable */
    if ((problems == 0) != (loaded == 2)) {
        fprintf(stderr, "fuzz_playbook: load %s but lint found %d problem(s)\n",
                loaded ? "succeeded" : "failed", problems);
        abort();
    }
    return 0;
}
