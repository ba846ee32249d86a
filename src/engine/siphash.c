/* siphash.c: SipHash keys (API in siphash.h; the hash itself is inline
 * there): loading one from bytes, drawing one from the system (osdep_random()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "osdep.h"
#include "siphash.h"

/* Loads a key from its bytes. */
void
siphash_key_set(struct siphash_key *k, const uint8_t bytes[SIPHASH_KEY_LEN])
{
    k->k0 = siphash_le64(bytes);
    k->k1 = siphash_le64(bytes + 8);
}

/* Draws a random key. */
int
siphash_key_random(struct siphash_key *k, char **cause)
{
    uint8_t b[SIPHASH_KEY_LEN];
    char *why = NULL;
    if (osdep_random(b, sizeof b, &why) < 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "no random key for the flow table: %s", why ? why : "?");
        free(why);
        if (cause != NULL)
            *cause = strdup(msg);
        return -1;
    }
    siphash_key_set(k, b);
    return 0;
}
