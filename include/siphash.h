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

#define SIPHASH_KEY_LEN 16

/* A 128-bit key as the two little-endian words k0 (bytes 0-7), k1 (8-15). */
struct siphash_key {
    uint64_t k0, k1;
};

/* Loads a key from its 16 bytes. */
void siphash_key_set(struct siphash_key *k, const uint8_t bytes[SIPHASH_KEY_LEN]);

/* Draws an unpredictable key from the operating system (getrandom(), else
 * /dev/urandom; rand_s() on Windows). Returns 0, or -1 with *cause (malloc'd)
 * when no random source works: never a fixed key. */
int siphash_key_random(struct siphash_key *k, char **cause);

/* SipHash-CROUNDS-DROUNDS of the LEN bytes at MSG under key K. */
uint64_t siphash(const struct siphash_key *k, const void *msg, size_t len, unsigned crounds,
                 unsigned drounds);

#endif
