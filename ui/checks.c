/* checks.c: the listener, service and firewall checks run one after the other
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

/* The worker: each check in turn, each result published as it comes. */
static void *run_checks(void *arg)
{
    struct checks *c = arg;
    const struct playbook *pb = c->pb;
    enum pb_os os = playbook_host_os();
    struct listener_result lr;
    struct service_result sr;
    struct firewall_result fr;

    privsep_listener(pb->ports, pb->nports, pb->process[os], &lr);
    pthread_mutex_lock(&c->lock);
    c->results.listener = lr;
    c->results.have_listener = 1;
    pthread_mutex_unlock(&c->lock);
    notify_pipe_wake(c->pipe[1]);

    privsep_service(pb->service[os] ? pb->service[os] : "", pb->process[os], &sr);
    pthread_mutex_lock(&c->lock);
    c->results.service = sr;
    c->results.have_service = 1;
    pthread_mutex_unlock(&c->lock);
    notify_pipe_wake(c->pipe[1]);

    privsep_firewall(pb->ports, pb->nports, &fr);
    pthread_mutex_lock(&c->lock);
    c->results.firewall = fr;
    c->results.have_firewall = 1;
    c->results.checking = 0;
    pthread_mutex_unlock(&c->lock);
    notify_pipe_wake(c->pipe[1]);
    return NULL;
}

/* Starts a round of checks unless one is running. */
int checks_run(struct checks *c)
{
    pthread_mutex_lock(&c->lock);
    int busy = c->results.checking;
    if (!busy) {
        c->results.checking = 1;
        c->results.have_listener = c->results.have_service = c->results.have_firewall = 0;
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
    st->have_listener = c->results.have_listener;
    st->have_service = c->results.have_service;
    st->have_firewall = c->results.have_firewall;
    st->listener = c->results.listener;
    st->service = c->results.service;
    st->firewall = c->results.firewall;
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
