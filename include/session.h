/* session.h: the record of one wizard session, for tickets and hand-overs:
 * host, system, time, playbook and language; each step visited or marked done
 * with its time and the user's note; every check result with its evidence; the
 * capture verdict with its counts and the ladder of a failing attempt; the
 * commands copied. Saved as Markdown and JSON side by side, each written to a
 * temporary file and renamed, so a crash or a kill leaves the last save whole.
 * Only headers and verdicts: no packet payload ever goes into a report.
 * Owned by the main thread. */
#ifndef TSHOOT_SESSION_H
#define TSHOOT_SESSION_H

#include <stddef.h>
#include <time.h>

#include "evidence.h"
#include "playbook.h"

enum session_event_kind { SESSION_VISIT, SESSION_DONE, SESSION_UNDONE, SESSION_NOTE, SESSION_COPY };

struct session_event {
    time_t at;
    enum session_event_kind kind;
    size_t scenario, step;   /* indexes into the playbook */
    char *text;              /* the note or the command; NULL otherwise */
};

struct session {
    const struct playbook *pb;
    char host[64];
    char os[200];
    time_t started;
    char *base;              /* the report's path without extension */
    struct session_event *events;
    size_t nevents, cap;
};

/* Starts a record for PB. REPORT is --report's value or NULL for the default
 * $XDG_STATE_HOME/tshoot/sessions/DATE-HOST-ID. The report's directory is
 * created as the user (user_file.h), and refused when the user cannot write
 * it. Returns 0, or -1 with *cause. */
int session_init(struct session *s, const struct playbook *pb, const char *report, char **cause);

/* Records an event now (TEXT is copied; NULL when there is none). */
void session_add(struct session *s, enum session_event_kind kind, size_t scenario, size_t step,
                 const char *text);

/* The note of a step (the last one given), or NULL. */
const char *session_note(const struct session *s, size_t scenario, size_t step);

/* Writes BASE.md and BASE.json from the events and the evidence EV. Returns 0,
 * or -1 with *cause; the previous files stay whole on failure. */
int session_save(const struct session *s, const struct evidence *ev, char **cause);

/* Where the evidence capture goes: BASE.pcap (malloc'd). */
char *session_capture_path(const struct session *s);

/* The directory where sessions are saved by default (malloc'd). */
char *session_dir(void);

/* Releases the record. */
void session_free(struct session *s);

#endif
