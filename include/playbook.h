/* playbook.h: the loaded form of a playbook INI file (format: playbooks/README.md). */
#ifndef TSHOOT_PLAYBOOK_H
#define TSHOOT_PLAYBOOK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checks.h"

#define PLAYBOOK_MAX_PORTS 16
#define PLAYBOOK_VAR_MAX 256                       /* bytes of a [vars] value, expanded */
#define PLAYBOOK_VAR_DEPTH 8                       /* [vars] values within values */
#define PLAYBOOK_EXPAND_WORK (8 * 1024 * 1024)     /* bytes read and written expanding one file */

/* Where a command is typed. */
enum pb_platform { PB_CMD, PB_POWERSHELL, PB_LINUX, PB_MACOS, PB_NPLATFORMS };

/* Operating systems that carry their own service and process names. */
enum pb_os { PB_OS_WINDOWS, PB_OS_LINUX, PB_OS_MACOS, PB_NOS };

/* The built-in check a step is bound to (a typed probe in C, never a shell
 * command): none, one of checks.h's table (1 + its id), the capture or the
 * trace. Their names: playbook_check_name(). */
enum pb_check { PB_CHECK_NONE, PB_CHECK_LISTENER = 1 + CHECK_LISTENER, PB_CHECK_SERVICE = 1 + CHECK_SERVICE,
                PB_CHECK_FIREWALL = 1 + CHECK_FIREWALL, PB_CHECK_CAPTURE = CHECK_STEP_CAPTURE,
                PB_CHECK_TRACE = CHECK_STEP_TRACE };

/* One command a step shows; label and text already expanded. */
struct pb_command {
    enum pb_platform platform;
    char *label;
    char *text;
};

/* One step: every string is in the chosen language, variables expanded;
 * '\n' separates lines and an empty line separates paragraphs. */
struct pb_step {
    char *title;
    char *body;
    char *note;     /* NULL when absent */
    char *warning;  /* NULL when absent */
    enum pb_check check;
    struct pb_command *commands;
    size_t ncommands;
};

/* A scenario: what the evidence looks like and the ordered steps to follow. */
struct pb_scenario {
    char *id;        /* "1", "2", ... */
    char *title;
    char *summary;
    char **verdicts; /* capture verdict codes that point to this scenario */
    size_t nverdicts;
    struct pb_step *steps;
    size_t nsteps;
};

/* A loaded playbook. Owned by the caller; release with playbook_free(). */
struct playbook {
    char *path;
    char *id;
    char *title;
    char *protocol;
    char *version;
    char *source;
    char *intro;
    char *lang;                       /* the language the texts were taken in */
    uint16_t ports[PLAYBOOK_MAX_PORTS];
    size_t nports;
    char *service[PB_NOS];            /* service names per OS (comma list), NULL if absent */
    char *process[PB_NOS];            /* expected listener owners per OS, NULL if absent */
    struct pb_scenario *scenarios;
    size_t nscenarios;
};

/* Loads PATH with texts in LANG (falling back to the file's own language),
 * reading it once and only when it is safe (playbook_check.h's playbook_read).
 * Returns 0, or -1 with *cause set to a malloc'd "file:line: message". */
int playbook_load(const char *path, const char *lang, struct playbook *pb, char **cause);

/* Reads PATH once and only when it is safe (playbook_read) into *TEXT
 * (malloc'd, NUL-terminated) and *N; 0, or -1 with *cause ("file: message"). */
int playbook_read_text(const char *path, char **text, size_t *n, char **cause);

/* Loads the N bytes TEXT read from PATH with texts in LANG, as playbook_load()
 * does; 0, or -1 with *cause set to a malloc'd "file:line: message". */
int playbook_load_text(const char *path, const char *text, size_t n, const char *lang, struct playbook *pb,
                       char **cause);

/* Releases everything a loaded playbook owns. */
void playbook_free(struct playbook *pb);

/* Resolves an id or a path to a readable file path (malloc'd), or NULL with *cause. */
char *playbook_resolve(const char *id_or_path, char **cause);

/* Calls FN for each playbook file in the search path, nearest first. */
void playbook_each_installed(void (*fn)(const char *dir, const char *file, void *arg), void *arg);

/* Writes every problem in PATH to OUT as "file:line: message".
 * Returns the number of problems, or -1 when the file cannot be read. */
int playbook_lint(const char *path, FILE *out);

/* The name of a platform, a check ("" for none, "?" for no such check) and
 * an OS as written in playbooks. */
const char *playbook_platform_name(enum pb_platform p);
const char *playbook_check_name(enum pb_check c);
const char *playbook_os_name(enum pb_os os);

/* The step check named NAME, or PB_CHECK_NONE when none is. */
enum pb_check playbook_check_find(const char *name);

/* Fills NAMES with every step check's name (the polled ones of checks.h,
 * then capture and trace) and a NULL. */
void playbook_check_names(const char *names[CHECK_NSTEPS + 1]);

/* The OS this binary was built for. */
enum pb_os playbook_host_os(void);

/* Finds the scenario that lists verdict CODE, or NULL. */
const struct pb_scenario *playbook_scenario_for(const struct playbook *pb, const char *code);

/* The id of the scenario that lists CODE, or NULL; PB is a struct playbook
 * (the shape of verdict.h's verdict_scenario_fn, for the capture engine). */
const char *playbook_scenario_id(void *pb, const char *code);

/* The title of the scenario with id ID, or NULL; PB is a struct playbook. */
const char *playbook_scenario_title(void *pb, const char *id);

#endif
