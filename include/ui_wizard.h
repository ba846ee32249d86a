/* ui_wizard.h: the wizard's state, shared by its screens. Only the main thread
 * touches it; background work (checks, capture) hands results over through
 * snapshots copied in wizard_refresh(). */
#ifndef TSHOOT_UI_WIZARD_H
#define TSHOOT_UI_WIZARD_H

#include <stddef.h>
#include <wchar.h>

#include "evidence.h"
#include "playbook.h"
#include "session.h"
#include "ui_trace.h"

/* Keys as the screens get them: a character, or a curses key code (KEY_LEFT...)
 * moved above the Unicode range so the two never mix. */
#define UI_FKEY(code) ((code) + 0x200000)

/* Which screen has the keys. */
enum wizard_screen { SCREEN_MAIN, SCREEN_HELP, SCREEN_NOTE, SCREEN_EXPLAIN };

struct checks;

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
    struct evidence status;
    struct session *session;      /* the record of this session */
    struct trace_view trace;      /* the firewall trace started with t */
    struct checks *checks;        /* the checks' worker (ui_checks.h) */
    struct trace_run *tracer;     /* the trace's worker (ui_trace.h) */
    char followed_scenario[8];    /* the evidence's scenario and verdict last shown */
    char followed_code[32];
    wchar_t note[200];            /* the note being typed (SCREEN_NOTE) */
    unsigned explain;             /* the attempt the explain overlay shows */
    size_t note_len;
};

/* Puts the main screen on the first scenario's first step. */
void screen_main_init(struct wizard *w);

/* Shows scenario I at its first step not done yet. */
void screen_main_show_scenario(struct wizard *w, size_t i);

/* Draws the main screen: header, steps, step text, status panel, footer. */
void screen_main_draw(struct wizard *w);

/* Handles a key on the main screen. */
void screen_main_key(struct wizard *w, int key);

/* Draws the help overlay over the main screen. */
void screen_help_draw(struct wizard *w);

/* Handles a key on the help overlay (any key closes it). */
void screen_help_key(struct wizard *w, int key);

/* Draws the one-line note editor over the footer. */
void screen_note_draw(struct wizard *w);

/* Handles a key in the note editor: Enter keeps the note, Esc drops it. */
void screen_note_key(struct wizard *w, int key);

/* Draws the explain overlay: the handshake's words, the verdict, a ladder. */
void screen_explain_draw(struct wizard *w);

/* Handles a key on the explain overlay: up/down pick the attempt, others close. */
void screen_explain_key(struct wizard *w, int key);

/* Saves the session report; with LOUD set, says where in the footer. */
void wizard_save(struct wizard *w, int loud);

/* The index of the scenario the capture evidence points to, or -1. */
int wizard_evidence_scenario(const struct wizard *w);

/* Starts the checks again in the background (key r). */
void wizard_run_checks(struct wizard *w);

/* Starts the firewall trace in the background (key t). */
void wizard_run_trace(struct wizard *w);

#endif
