/* notify_pipe.h: the non-blocking pipe a worker thread writes a byte to so
 * that a loop sleeping in poll() wakes up (the self-pipe pattern). */
#ifndef TSHOOT_NOTIFY_PIPE_H
#define TSHOOT_NOTIFY_PIPE_H

/* Opens FDS as a non-blocking, close-on-exec pipe. Returns 0 or -1. */
int notify_pipe_open(int fds[2]);

/* Writes one byte to FD; a full pipe means a wake-up is pending already. */
void notify_pipe_wake(int fd);

/* Reads everything pending on FD. */
void notify_pipe_drain(int fd);

#endif
