/* siphash.c: SipHash keys (API in siphash.h; the hash itself is inline
 * there): loading one from bytes, drawing one from the system. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#include <ntsecapi.h>   /* RtlGenRandom (advapi32) */
#else
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>
#endif

#include "siphash.h"

/* Loads a key from its bytes. */
void
siphash_key_set(struct siphash_key *k, const uint8_t bytes[SIPHASH_KEY_LEN])
{
    k->k0 = siphash_le64(bytes);
    k->k1 = siphash_le64(bytes + 8);
}

/* Sets *CAUSE to a copy of MSG (when CAUSE is not NULL). */
static void
set_cause(char **cause, const char *msg)
{
    if (cause != NULL)
        *cause = strdup(msg);
}

#ifdef _WIN32
/* Fills BUF with LEN random bytes from RtlGenRandom(). */
static int
random_bytes(uint8_t *buf, size_t len, char **cause)
{
    if (!RtlGenRandom(buf, (ULONG)len)) {
        set_cause(cause, "no random key for the flow table: RtlGenRandom() failed");
        return -1;
    }
    return 0;
}
#else
/* Fills BUF with LEN bytes of /dev/urandom; returns 0 or an errno value. */
static int
urandom_bytes(uint8_t *buf, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t got = 0;
    int err = 0;
    while (got < len && err == 0) {
        ssize_t r = read(fd, buf + got, len - got);
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

/* Fills BUF with LEN (<= 256) random bytes: getrandom(), else /dev/urandom. */
static int
random_bytes(uint8_t *buf, size_t len, char **cause)
{
    ssize_t r;
    do
        r = getrandom(buf, len, 0);
    while (r < 0 && errno == EINTR);
    if (r == (ssize_t)len)
        return 0;
    int gerr = r < 0 ? errno : EIO;
    int uerr = urandom_bytes(buf, len);
    if (uerr == 0)
        return 0;
    char msg[160];
    snprintf(msg, sizeof msg, "no random key for the flow table: getrandom: %s; /dev/urandom: %s",
             strerror(gerr), strerror(uerr));
    set_cause(cause, msg);
    return -1;
}
#endif

/* Draws a random key. */
int
siphash_key_random(struct siphash_key *k, char **cause)
{
    uint8_t b[SIPHASH_KEY_LEN];
    if (random_bytes(b, sizeof b, cause) < 0)
        return -1;
    siphash_key_set(k, b);
    return 0;
}
