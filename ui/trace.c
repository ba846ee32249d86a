/* trace.c: the firewall trace in a worker thread (see ui_trace.h). The trace
 * itself runs in the privileged helper when there is one; this thread only
 * waits for its events and hands them to the main loop through a pipe. */
#include "ui_trace.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify_pipe.h"
#include "privsep.h"

struct trace_run {
    const struct playbook *pb;
    pthread_t thread;
    int started;
    int pipe[2];
    unsigned seconds;
    pthread_mutex_t lock;
    struct trace_view view;
};

/* Creates the trace state for PB. */
struct trace_run *trace_run_new(const struct playbook *pb)
{
    struct trace_run *t = calloc(1, sizeof *t);
    if (!t || notify_pipe_open(t->pipe) < 0) {
        free(t);
        return NULL;
    }
    t->pb = pb;
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

/* Keeps one decision, dropping the oldest when the list is full. */
static void on_event(const struct trace_event *ev, void *arg)
{
    struct trace_run *t = arg;
    pthread_mutex_lock(&t->lock);
    struct trace_view *v = &t->view;
    if (v->nevents == UI_TRACE_EVENTS) {
        memmove(v->events, v->events + 1, (UI_TRACE_EVENTS - 1) * sizeof v->events[0]);
        v->nevents--;
    }
    v->events[v->nevents++] = *ev;
    v->total++;
    pthread_mutex_unlock(&t->lock);
    notify_pipe_wake(t->pipe[1]);
}

/* The worker: one trace, then the result. */
static void *run_trace(void *arg)
{
    struct trace_run *t = arg;
    char *cause = NULL;
    int n = privsep_trace(t->pb->ports, t->pb->nports, t->seconds, on_event, t, &cause);
    pthread_mutex_lock(&t->lock);
    t->view.running = 0;
    t->view.finished = 1;
    if (n < 0)
        snprintf(t->view.error, sizeof t->view.error, "%s", cause ? cause : "the trace failed");
    pthread_mutex_unlock(&t->lock);
    free(cause);
    notify_pipe_wake(t->pipe[1]);
    return NULL;
}

/* Starts a trace of SECONDS unless one runs. */
int trace_run_start(struct trace_run *t, unsigned seconds)
{
    pthread_mutex_lock(&t->lock);
    int busy = t->view.running;
    if (!busy) {
        memset(&t->view, 0, sizeof t->view);
        t->view.running = 1;
        t->view.ends = time(NULL) + (time_t)seconds;
        t->seconds = seconds;
    }
    pthread_mutex_unlock(&t->lock);
    if (busy)
        return -1;
    if (t->started)
        pthread_join(t->thread, NULL);
    t->started = pthread_create(&t->thread, NULL, run_trace, t) == 0;
    if (!t->started) {
        pthread_mutex_lock(&t->lock);
        t->view.running = 0;
        pthread_mutex_unlock(&t->lock);
        return -1;
    }
    return 0;
}

/* A descriptor readable when the trace has news. */
int trace_run_notify_fd(const struct trace_run *t)
{
    return t->pipe[0];
}

/* Copies the trace's state into V. */
void trace_run_collect(struct trace_run *t, struct trace_view *v)
{
    notify_pipe_drain(t->pipe[0]);
    pthread_mutex_lock(&t->lock);
    *v = t->view;
    pthread_mutex_unlock(&t->lock);
}

/* Stops a running trace, waits for it and frees everything. A trace in the
 * privileged helper is ended by privsep_stop(), which the caller runs first. */
void trace_run_free(struct trace_run *t)
{
    if (!t)
        return;
    probe_trace_stop();
    if (t->started)
        pthread_join(t->thread, NULL);
    close(t->pipe[0]);
    close(t->pipe[1]);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
