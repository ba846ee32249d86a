/* ui_trace.h: the firewall trace started from the wizard (key t on a step bound
 * to the trace or firewall check): runs privsep_trace() in a worker thread for
 * a bounded time and keeps the decisions it reports for the screen. */
#ifndef TSHOOT_UI_TRACE_H
#define TSHOOT_UI_TRACE_H

#include <time.h>

#include "playbook.h"
#include "probe.h"

#define UI_TRACE_EVENTS 8

/* What the screen shows of a trace. */
struct trace_view {
    int running;              /* a trace is under way */
    int finished;             /* a trace has ended (its events stay) */
    time_t ends;              /* when the running trace stops */
    unsigned total;           /* decisions seen */
    struct trace_event events[UI_TRACE_EVENTS];   /* the latest ones, newest last */
    unsigned nevents;
    char error[256];
};

struct trace_run;

/* Creates the trace state for PB (not copied). */
struct trace_run *trace_run_new(const struct playbook *pb);

/* Starts a trace of SECONDS unless one runs; returns 0 if started. */
int trace_run_start(struct trace_run *t, unsigned seconds);

/* A descriptor readable when the trace has news. */
int trace_run_notify_fd(const struct trace_run *t);

/* Copies what the trace has found into V and empties the notify descriptor. */
void trace_run_collect(struct trace_run *t, struct trace_view *v);

/* Stops a running trace, waits for it and frees everything. */
void trace_run_free(struct trace_run *t);

#endif
