/* siphash.h: SipHash, the keyed pseudo-random function of Aumasson and
 * Bernstein ("SipHash: a fast short-input PRF", 2012), for hash tables that
 * hostile input must not be able to flood: without the key nobody can pick
 * inputs that collide. SipHash-c-d does c compression rounds per 8-byte
 * message word and d finalization rounds; SipHash-2-4 is the paper's
 * recommendation, SipHash-1-3 the faster variant hash tables use (Rust,
 * CPython). Output: the 64-bit value whose little-endian bytes are the
 * paper's 8-byte tag. Thread-safe (no state besides the arguments). */
#ifndef TSHOOT_SIPHASH_H
#define TSHOOT_SIPHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SIPHASH_KEY_LEN 16

/* A 128-bit key as the two little-endian words k0 (bytes 0-7), k1 (8-15). */
struct siphash_key {
    uint64_t k0, k1;
};

/* Loads a key from its 16 bytes. */
void siphash_key_set(struct siphash_key *k, const uint8_t bytes[SIPHASH_KEY_LEN]);

/* Draws an unpredictable key from the operating system (getrandom(), else
 * /dev/urandom; RtlGenRandom() on Windows). Returns 0, or -1 with *cause (malloc'd)
 * when no random source works: never a fixed key. */
int siphash_key_random(struct siphash_key *k, char **cause);

/* The hash, inline: the flow tracker runs it on every packet of a followed
 * port, and inlined with a constant length it costs half as much. Written
 * from section 2 of the paper: four 64-bit words of state initialised from
 * the key and the constants "somepseudorandomlygeneratedbytes"; each 8-byte
 * little-endian message word m is xored into v3, c SipRounds run, m is xored
 * into v0; the last word holds the remaining 0-7 bytes and the length mod
 * 256 in its top byte; then v2 ^= 0xff, d SipRounds, and the tag is
 * v0 ^ v1 ^ v2 ^ v3. siphash24() and siphash13() below are the API. */

/* Rotates X left by B bits. */
static inline uint64_t
siphash_rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

/* Reads 8 bytes as a little-endian word. */
static inline uint64_t
siphash_le64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* One SipRound (the paper's figure 2.1: add, rotate, xor on pairs of words). */
static inline void
siphash_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = siphash_rotl(v[1], 13);
    v[1] ^= v[0];
    v[0] = siphash_rotl(v[0], 32);
    v[2] += v[3];
    v[3] = siphash_rotl(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = siphash_rotl(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = siphash_rotl(v[1], 17);
    v[1] ^= v[2];
    v[2] = siphash_rotl(v[2], 32);
}

/* Compresses one message word M with C rounds. */
static inline void
siphash_absorb(uint64_t v[4], uint64_t m, unsigned c)
{
    v[3] ^= m;
    for (unsigned i = 0; i < c; i++)
        siphash_round(v);
    v[0] ^= m;
}

#if defined(__GNUC__)
#define SIPHASH_INLINE static inline __attribute__((always_inline))
#else
#define SIPHASH_INLINE static inline
#endif

/* SipHash-C-D of MSG; C and D are constants in the wrappers below, and LEN
 * is often one at the caller, so the compiler unrolls and folds it all. */
SIPHASH_INLINE uint64_t
siphash_cd(const struct siphash_key *k, const void *msg, size_t len, unsigned c, unsigned d)
{
    const uint8_t *p = msg;
    uint64_t v[4] = {
        k->k0 ^ 0x736f6d6570736575ull, k->k1 ^ 0x646f72616e646f6dull,
        k->k0 ^ 0x6c7967656e657261ull, k->k1 ^ 0x7465646279746573ull,
    };
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8)
        siphash_absorb(v, siphash_le64(p + i), c);
    uint8_t tail[8] = { 0 };
    memcpy(tail, p + full, len - full);
    tail[7] = (uint8_t)len;
    siphash_absorb(v, siphash_le64(tail), c);
    v[2] ^= 0xff;
    for (unsigned i = 0; i < d; i++)
        siphash_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* SipHash-2-4 of MSG. */
SIPHASH_INLINE uint64_t
siphash24(const struct siphash_key *k, const void *msg, size_t len)
{
    return siphash_cd(k, msg, len, 2, 4);
}

/* SipHash-1-3 of MSG. */
SIPHASH_INLINE uint64_t
siphash13(const struct siphash_key *k, const void *msg, size_t len)
{
    return siphash_cd(k, msg, len, 1, 3);
}

#endif
