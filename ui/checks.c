/* checks.c: the checks of the table (checks.h) run one after the other
 * in a worker thread; each result is published as soon as it is known and the
 * main loop is woken through a pipe. Only the main thread draws. */
#include "ui_checks.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify_pipe.h"
#include "privsep.h"

struct checks {
    const struct playbook *pb;
    pthread_t thread;
    int started;                  /* a thread exists and must be joined */
    int pipe[2];
    pthread_mutex_t lock;
    struct evidence results; /* only the check fields are used */
};

/* Creates the worker state for playbook PB. */
struct checks *checks_new(const struct playbook *pb)
{
    struct checks *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->pb = pb;
    if (notify_pipe_open(c->pipe) < 0) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

/* The worker: each check of the table in turn, each result published as it comes. */
static void *run_checks(void *arg)
{
    struct checks *c = arg;
    const struct playbook *pb = c->pb;
    enum pb_os os = playbook_host_os();
    struct check_input in = { pb->ports, pb->nports, pb->service[os], pb->process[os] };
    struct check_result r;

    for (uint32_t id = 0; id < CHECK_NKINDS; id++) {
        privsep_check(id, &in, &r);
        pthread_mutex_lock(&c->lock);
        c->results.results[id] = r;
        c->results.have[id] = 1;
        c->results.checking = id + 1 < CHECK_NKINDS;
        pthread_mutex_unlock(&c->lock);
        notify_pipe_wake(c->pipe[1]);
    }
    return NULL;
}

/* Starts a round of checks unless one is running. */
int checks_run(struct checks *c)
{
    pthread_mutex_lock(&c->lock);
    int busy = c->results.checking;
    if (!busy) {
        c->results.checking = 1;
        memset(c->results.have, 0, sizeof c->results.have);
    }
    pthread_mutex_unlock(&c->lock);
    if (busy)
        return -1;
    if (c->started)
        pthread_join(c->thread, NULL);
    c->started = pthread_create(&c->thread, NULL, run_checks, c) == 0;
    if (!c->started) {
        pthread_mutex_lock(&c->lock);
        c->results.checking = 0;
        pthread_mutex_unlock(&c->lock);
        return -1;
    }
    notify_pipe_wake(c->pipe[1]);
    return 0;
}

/* A descriptor readable when new results are there. */
int checks_notify_fd(const struct checks *c)
{
    return c->pipe[0];
}

/* Copies the check results into ST and empties the notify descriptor. */
void checks_collect(struct checks *c, struct evidence *st)
{
    notify_pipe_drain(c->pipe[0]);
    pthread_mutex_lock(&c->lock);
    st->checking = c->results.checking;
    memcpy(st->have, c->results.have, sizeof st->have);
    memcpy(st->results, c->results.results, sizeof st->results);
    pthread_mutex_unlock(&c->lock);
}

/* Waits for the running round and frees everything. */
void checks_free(struct checks *c)
{
    if (!c)
        return;
    if (c->started)
        pthread_join(c->thread, NULL);
    close(c->pipe[0]);
    close(c->pipe[1]);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
