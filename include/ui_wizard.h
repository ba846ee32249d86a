/* ui_wizard.h: the wizard's state, shared by its screens. Only the main thread
 * touches it; background work (checks, capture) hands results over through
 * snapshots copied in wizard_refresh(). */
#ifndef TSHOOT_UI_WIZARD_H
#define TSHOOT_UI_WIZARD_H

#include <stddef.h>

#include "capture.h"
#include "playbook.h"
#include "probe.h"

/* Which screen has the keys. */
enum wizard_screen { SCREEN_MAIN, SCREEN_HELP };

/* What the checks and the capture have found so far (copied from the workers). */
struct wizard_status {
    int checking;                 /* checks are running */
    int have_listener, have_service, have_firewall;
    struct listener_result listener;
    struct service_result service;
    struct firewall_result firewall;
    int have_capture;
    struct capture_snapshot capture;
    char capture_source[128];     /* "any", "eth0", a file name, or "" when off */
    char capture_error[256];      /* why there is no capture */
};

struct wizard {
    struct playbook *pb;
    enum wizard_screen screen;
    size_t scenario;              /* index into pb->scenarios */
    size_t step;                  /* index into the scenario's steps */
    unsigned char **done;         /* done[scenario][step] */
    int scroll;                   /* first line of the step shown */
    size_t command;               /* the picked command of the step */
    char message[256];            /* shown in the footer until the next key */
    char host[64];
    int quit;
    struct wizard_status status;
};

/* Puts the main screen on the first scenario's first step. */
void screen_main_init(struct wizard *w);

/* Draws the main screen: header, steps, step text, status panel, footer. */
void screen_main_draw(struct wizard *w);

/* Handles a key on the main screen. */
void screen_main_key(struct wizard *w, int key);

/* Draws the help overlay over the main screen. */
void screen_help_draw(struct wizard *w);

/* Handles a key on the help overlay (any key closes it). */
void screen_help_key(struct wizard *w, int key);

/* The index of the scenario the capture evidence points to, or -1. */
int wizard_evidence_scenario(const struct wizard *w);

/* Starts the checks again in the background (key r). */
void wizard_run_checks(struct wizard *w);

#endif
