/* checks.h: the registry of the polled machine checks. One row per kind in
 * src/checks.c holds everything the consumers need: the name a playbook step
 * and the JSON use, the labels, the probe that runs it, its state, whether it
 * found a problem, and its text, JSON and Markdown forms. The playbook loader
 * and lint, the privileged helper's protocol, the wizard's worker and status
 * panel, `tshoot check` and the session report iterate the table; adding a
 * check is one row here, one probe per OS under src/platform/<os>/, and its
 * tests. The capture and the live trace are not polled checks (they stream),
 * but a step may name them: they follow the table in the step names. */
#ifndef TSHOOT_CHECKS_H
#define TSHOOT_CHECKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "probe.h"
#include "text.h"

/* The polled checks, in the order they run and are shown. */
enum check_id { CHECK_LISTENER, CHECK_SERVICE, CHECK_FIREWALL, CHECK_NKINDS };

/* The step checks beyond the polled ones (a step's check is 0 for none,
 * 1 + a check_id, or one of these). */
enum { CHECK_STEP_CAPTURE = 1 + CHECK_NKINDS, CHECK_STEP_TRACE, CHECK_NSTEPS = CHECK_STEP_TRACE };

/* What a check is asked about: the playbook's ports and this OS's names. */
struct check_input {
    const uint16_t *ports;
    size_t nports;
    const char *service;   /* comma list of service names, NULL if none */
    const char *process;   /* comma list of expected programs, NULL if none */
};

/* The result of any check: ID says which member holds it. */
struct check_result {
    uint32_t id;
    union {
        struct listener_result listener;
        struct service_result service;
        struct firewall_result firewall;
    } u;
};

/* One kind of check. */
struct check_kind {
    const char *name;      /* as written in playbooks; the JSON key */
    const char *label;     /* English, in `check`'s text, the report and the panel */
    const char *label_fr;  /* the panel's French */
    int needs_ports;       /* a request must carry 1 to 16 ports */
    /* Runs the probe in this process (the privileged helper calls it too). */
    void (*run)(const struct check_input *in, struct check_result *out);
    /* DESIGN.md's state name of the result. */
    const char *(*state)(const struct check_result *r);
    /* Whether the state is the healthy one (the panel's colour). */
    int (*ok)(const struct check_result *r);
    /* Whether it found a problem (`check` exits 1). */
    int (*problem)(const struct check_result *r);
    /* Whether the state is unknown for want of a privilege (`check` exits 3). */
    int (*lacks_privilege)(const struct check_result *r);
    /* The one-sentence summary and the detail (why, when unknown). */
    const char *(*summary)(const struct check_result *r);
    const char *(*detail)(const struct check_result *r);
    /* DESIGN.md's JSON object (the report's and `check --json`'s). */
    json_t *(*json)(const struct check_result *r);
    /* Adds what only `check --json` shows to O (NULL: nothing). */
    void (*json_check)(json_t *o, const struct check_result *r);
    /* Prints `check`'s lines for people; NPORTS: how many ports were checked. */
    void (*print)(const struct check_result *r, size_t nports, struct text_vis *v);
    /* Writes the session report's Markdown lines. */
    void (*markdown)(FILE *f, const struct check_result *r, struct text_vis *v);
    /* Fills an unknown result whose helper did not answer, WHY as the cause. */
    void (*unknown)(struct check_result *r, const char *why);
};

/* The kind with id ID, or NULL when there is none (a request from outside). */
const struct check_kind *check_kind(uint32_t id);

/* The name of step check STEP as written in playbooks: "" for 0, "?" when
 * there is no such check. */
const char *check_step_name(int step);

/* The step check named NAME, or 0 when none is. */
int check_step_find(const char *name);

/* Fills NAMES with every step check's name and a NULL (CHECK_NSTEPS + 1 slots). */
void check_step_names(const char *names[CHECK_NSTEPS + 1]);

#endif
