/* posix.c: the POSIX pieces of the platform seam shared by Linux and the
 * unknown platform (see posix.h and osdep.h): /dev/urandom, and the SIGUSR2
 * that cuts short the capture thread's read() of a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "osdep.h"
#include "../posix/posix.h"

/* Fills BUF with LEN bytes of /dev/urandom; returns 0 or an errno value. */
int posix_urandom(void *buf, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t got = 0;
    int err = 0;
    while (got < len && err == 0) {
        ssize_t r = read(fd, (char *)buf + got, len - got);
        if (r > 0)
            got += (size_t)r;
        else if (r == 0)
            err = EIO;
        else if (errno != EINTR)
            err = errno;
    }
    close(fd);
    return err;
}

/* SIGUSR2 only interrupts the capture thread's read(): no SA_RESTART. */
static void on_interrupt(int sig)
{
    (void)sig;
}

/* Installs the SIGUSR2 handler. */
void osdep_interrupt_setup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
}

/* Sends THREAD the SIGUSR2 that ends its read() with EINTR. */
void osdep_interrupt(pthread_t thread)
{
    pthread_kill(thread, SIGUSR2);
}
