/* notify_pipe.c: the self-pipe that wakes a poll() loop (see notify_pipe.h). */
#include "notify_pipe.h"

#include <fcntl.h>
#include <unistd.h>

/* Opens FDS as a non-blocking, close-on-exec pipe. */
int notify_pipe_open(int fds[2])
{
    if (pipe(fds) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

/* Writes one byte to FD. */
void notify_pipe_wake(int fd)
{
    if (write(fd, "", 1) < 0) {
        /* full: the reader has a wake-up pending already */
    }
}

/* Reads everything pending on FD. */
void notify_pipe_drain(int fd)
{
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}
