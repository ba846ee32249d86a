/* ui_checks.h: runs the machine checks (probe.h) in a worker thread so that the
 * wizard never freezes; results are copied out under a mutex. */
#ifndef TSHOOT_UI_CHECKS_H
#define TSHOOT_UI_CHECKS_H

#include "playbook.h"
#include "ui_wizard.h"

struct checks;

/* Creates the worker state for playbook PB (not copied; must outlive it). */
struct checks *checks_new(const struct playbook *pb);

/* Starts a round of checks unless one is running; returns 0 if started. */
int checks_run(struct checks *c);

/* A descriptor readable when new results are there. */
int checks_notify_fd(const struct checks *c);

/* Copies the results so far into ST and empties the notify descriptor. */
void checks_collect(struct checks *c, struct evidence *st);

/* Waits for the running round and frees everything. */
void checks_free(struct checks *c);

#endif
