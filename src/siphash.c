/* siphash.c: SipHash-c-d (API in siphash.h), written from the description in
 * section 2 of the paper: four 64-bit words of state initialised from the
 * key and the constants "somepseudorandomlygeneratedbytes"; each 8-byte
 * little-endian message word m is xored into v3, c SipRounds run, m is xored
 * into v0; the last word holds the remaining 0-7 bytes and the length mod
 * 256 in its top byte; then v2 ^= 0xff and d SipRounds, and the tag is
 * v0 ^ v1 ^ v2 ^ v3. */
#ifdef _WIN32
#define _CRT_RAND_S   /* rand_s() in stdlib.h */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>
#endif

#include "siphash.h"

/* Rotates X left by B bits. */
static inline uint64_t
rotl64(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

/* Reads 8 bytes as a little-endian word. */
static inline uint64_t
le64(const uint8_t *p)
{
    uint64_t w = 0;
    for (int i = 7; i >= 0; i--)
        w = (w << 8) | p[i];
    return w;
}

/* One SipRound (the paper's figure 2.1: add, rotate, xor on pairs of words). */
static inline void
sipround(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl64(v[1], 13);
    v[1] ^= v[0];
    v[0] = rotl64(v[0], 32);
    v[2] += v[3];
    v[3] = rotl64(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = rotl64(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = rotl64(v[1], 17);
    v[1] ^= v[2];
    v[2] = rotl64(v[2], 32);
}

/* Compresses one message word M with C rounds. */
static inline void
absorb(uint64_t v[4], uint64_t m, unsigned c)
{
    v[3] ^= m;
    for (unsigned i = 0; i < c; i++)
        sipround(v);
    v[0] ^= m;
}

/* SipHash-c-d of MSG. */
uint64_t
siphash(const struct siphash_key *k, const void *msg, size_t len, unsigned crounds,
        unsigned drounds)
{
    const uint8_t *p = msg;
    uint64_t v[4] = {
        k->k0 ^ 0x736f6d6570736575ull, k->k1 ^ 0x646f72616e646f6dull,
        k->k0 ^ 0x6c7967656e657261ull, k->k1 ^ 0x7465646279746573ull,
    };
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8)
        absorb(v, le64(p + i), crounds);
    uint64_t last = (uint64_t)(len & 0xff) << 56;
    for (size_t i = full; i < len; i++)
        last |= (uint64_t)p[i] << (8 * (i - full));
    absorb(v, last, crounds);
    v[2] ^= 0xff;
    for (unsigned i = 0; i < drounds; i++)
        sipround(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Loads a key from its bytes. */
void
siphash_key_set(struct siphash_key *k, const uint8_t bytes[SIPHASH_KEY_LEN])
{
    k->k0 = le64(bytes);
    k->k1 = le64(bytes + 8);
}

/* Sets *CAUSE to a copy of MSG (when CAUSE is not NULL). */
static void
set_cause(char **cause, const char *msg)
{
    if (cause != NULL)
        *cause = strdup(msg);
}

#ifdef _WIN32
/* Fills BUF with LEN random bytes from rand_s() (RtlGenRandom). */
static int
random_bytes(uint8_t *buf, size_t len, char **cause)
{
    for (size_t i = 0; i < len; i++) {
        unsigned int r;
        if (rand_s(&r) != 0) {
            set_cause(cause, "no random key for the flow table: rand_s() failed");
            return -1;
        }
        buf[i] = (uint8_t)r;
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
