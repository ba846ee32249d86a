/* checks.h: the registry of the polled machine checks. CHECK_KINDS below
 * gives each its id and the name a playbook step and the JSON use; one row
 * per kind in src/checks.c holds the rest the consumers need: the labels, the
 * probe that runs it, its state, whether it found a problem, and its text,
 * JSON and Markdown forms. The playbook loader
 * and lint, the privileged helper's protocol, the wizard's worker and status
 * panel, `tshoot check` and the session report iterate the table; adding a
 * check is its line in CHECK_KINDS below, its row in src/checks.c, one probe
 * per OS under src/platform/<os>/, and its tests. The capture and the live
 * trace are not polled checks (they stream), but a step may name them: they
 * follow the table in the step names (playbook.h). */
#ifndef TSHOOT_CHECKS_H
#define TSHOOT_CHECKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "probe.h"
#include "text.h"

/* The polled checks, in the order they run and are shown: X(ID, NAME), NAME
 * as written in playbooks and the JSON key. The names live here, not in the
 * rows, so that the playbook loader and lint (src/playbook.c) have them
 * without linking the probes. */
#define CHECK_KINDS(X) \
    X(CHECK_LISTENER, "listener") \
    X(CHECK_SERVICE, "service") \
    X(CHECK_FIREWALL, "firewall")

#define CHECK_ENUM_(id, name) id,
enum check_id { CHECK_KINDS(CHECK_ENUM_) CHECK_NKINDS };
#define CHECK_NAME_(id, name) name,

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

/* One kind of check (its name: check_name()). */
struct check_kind {
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

/* The name of check ID as written in playbooks and the JSON key ("?" when
 * there is no such check). */
const char *check_name(uint32_t id);

#endif
