/* tracker.c: the handshake tracker (API and semantics in tracker.h).
 *
 * Layout: a pool of CAPACITY attempt slots allocated once; an open-addressing
 * index (linear probing, power-of-two size >= 2 x capacity, backward-shift
 * deletion) maps a 4-tuple to the slot of its newest attempt; two
 * doubly-linked age lists (finished: terminal class or superseded; open: the
 * rest) give the eviction order. Servers and clients live in bounded
 * open-addressing tables; ICMP senders in a small array.
 *
 * Hostile input (spoofed SYNs with chosen sources): every table hashes with
 * SipHash-1-3 under a key drawn at random by tracker_new(), so nobody can
 * choose tuples that collide; and no entry sits more than PROBE_MAX cells
 * from its home cell, so even colliding tuples cost at most PROBE_MAX probes:
 * an attempt whose probe window is full evicts the oldest attempt of that
 * window (finished ones first), an endpoint whose window is full counts as a
 * table overflow. With a random key at load <= 1/2 a full window of 128
 * cells does not happen in practice, so what the tracker reports does not
 * depend on the key: nothing is ever iterated in hash order.
 *
 * Per packet: a 64 Kibit port bitmap rejects segments that touch none of the
 * configured ports before any hashing; then at most two index probes. No
 * allocation after tracker_new(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "siphash.h"
#include "tracker.h"

#define NONE UINT32_MAX
#define PROBE_MAX 128      /* cells an entry may sit past its home cell */

/* One attempt slot. */
/* One attempt slot: the hash and the 4-tuple (a.client, a.server, a.cport,
 * a.sport) sit in the first 64 bytes, and slots are 64-byte aligned and
 * padded, so a probe touches one cache line of the slot. */
struct slot {
    uint32_t hash;
    uint8_t used;
    uint8_t indexed;       /* reachable through the 4-tuple index */
    uint8_t list;          /* LIST_OPEN or LIST_DONE */
    uint8_t pad0;
    struct tracker_attempt a;
    uint32_t prev, next;   /* age list links */
    uint32_t server, client; /* endpoint table indices or NONE */
    uint8_t pad[256 - 8 - sizeof(struct tracker_attempt) - 16];
};

#define FILTER_BITS 18     /* 32 KiB "maybe indexed" bitmap, from the hash's high bits */

enum { LIST_OPEN, LIST_DONE };

/* An age list: oldest at head. */
struct list {
    uint32_t head, tail;
};

/* A server (address + port) or client (address, port 0) entry. */
struct endpoint {
    struct ip_addr addr;
    uint16_t port;
    uint8_t used;
    uint8_t ttl;           /* servers: TTL of their last SYN-ACK (0: none) */
    struct hs_counts counts;
};

/* A bounded endpoint table. */
struct eptable {
    struct endpoint *e;
    uint32_t *index;       /* entry + 1, 0 empty */
    uint32_t mask;
    uint32_t n, cap;
};

/* One entry of the recent-attempts ring. */
struct recent {
    uint64_t id;
    uint32_t slot;
    int copied;
    struct tracker_attempt copy;
};

struct tracker {
    uint8_t portmap[65536 / 8];
    struct siphash_key key;    /* of every hash: random per tracker */
    struct ip_addr only_client, only_server;   /* family 0: no filter */
    uint16_t ports[64];
    size_t nports;

    struct slot *slots;
    void *slots_raw;       /* what malloc returned (slots is it, 64-byte aligned) */
    uint64_t filter[(1u << FILTER_BITS) / 64];  /* bit set: the tuple may be indexed */
    uint32_t filter_adds;  /* insertions since the filter was rebuilt */
    uint32_t cap, nused, nfree_next;
    uint32_t free_head;    /* free slots chained through .next */
    uint32_t *index;       /* slot + 1, 0 empty */
    uint32_t mask;
    struct list lists[2];

    struct eptable servers, clients;
    struct tracker_icmp icmp[TRACKER_MAX_ICMP];
    size_t nicmp;

    struct hs_counts counts;
    struct tracker_stats stats;
    uint64_t next_id;
    uint64_t ttl_syn[256], ttl_synack[256];
    struct recent recent[TRACKER_RECENT];
    struct tracker_attempt exemplar[HS_NCLASSES]; /* last evicted of each class */
    int has_exemplar[HS_NCLASSES];
};

/* Folds a 64-bit hash to 32 bits. */
static inline uint32_t
fold(uint64_t h)
{
    return (uint32_t)(h ^ (h >> 32));
}

/* Hashes a 4-tuple (client first) under the tracker's key: SipHash-1-3 of
 * client address, server address, client port, server port (12 bytes for
 * IPv4, 36 for IPv6; constant lengths, so the hash is unrolled for each). */
static inline uint32_t
hash_tuple(const struct tracker *t, const struct ip_addr *c, const struct ip_addr *s,
           uint16_t cport, uint16_t sport)
{
    uint8_t msg[36];
    uint16_t ports[2] = { cport, sport };
    if (c->family == 6) {
        memcpy(msg, c->a, 16);
        memcpy(msg + 16, s->a, 16);
        memcpy(msg + 32, ports, 4);
        return fold(siphash13(&t->key, msg, 36));
    }
    memcpy(msg, c->a, 4);
    memcpy(msg + 4, s->a, 4);
    memcpy(msg + 8, ports, 4);
    return fold(siphash13(&t->key, msg, 12));
}

/* Hashes an endpoint (address and port) under KEY: 6 or 18 bytes. */
static uint32_t
hash_endpoint(const struct siphash_key *key, const struct ip_addr *a, uint16_t port)
{
    uint8_t msg[18];
    size_t n = a->family == 6 ? 16 : 4;
    memcpy(msg, a->a, n);
    memcpy(msg + n, &port, 2);
    return fold(siphash13(key, msg, n + 2));
}

/* The index hash of a 4-tuple. */
uint32_t
tracker_tuple_hash(const struct tracker *t, const struct ip_addr *c, const struct ip_addr *s,
                   uint16_t cport, uint16_t sport)
{
    return hash_tuple(t, c, s, cport, sport);
}

/* Address equality without the function call. */
static inline int
addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* The smallest power of two >= N (N >= 1). */
static uint32_t
pow2(uint64_t n)
{
    uint32_t p = 1;
    while (p < n && p < (1u << 31))
        p <<= 1;
    return p;
}

/* Sets up an endpoint table of CAP entries. */
static int
eptable_init(struct eptable *t, size_t cap)
{
    t->cap = (uint32_t)cap;
    t->n = 0;
    t->mask = pow2(cap * 2) - 1;
    t->e = calloc(cap, sizeof *t->e);
    t->index = calloc((size_t)t->mask + 1, sizeof *t->index);
    return t->e && t->index ? 0 : -1;
}

/* Finds or adds the endpoint ADDR/PORT (hashed under KEY); NONE when the
 * table or the endpoint's probe window is full. */
static uint32_t
eptable_get(struct eptable *t, const struct siphash_key *key, const struct ip_addr *addr,
            uint16_t port)
{
    uint32_t i = hash_endpoint(key, addr, port) & t->mask;
    for (uint32_t d = 0;; d++, i = (i + 1) & t->mask) {
        if (d == PROBE_MAX)
            return NONE;
        uint32_t v = t->index[i];
        if (v == 0)
            break;
        struct endpoint *e = &t->e[v - 1];
        if (e->port == port && addr_eq(&e->addr, addr))
            return v - 1;
    }
    if (t->n >= t->cap)
        return NONE;
    uint32_t k = t->n++;
    t->e[k].addr = *addr;
    t->e[k].port = port;
    t->e[k].used = 1;
    t->index[i] = k + 1;
    return k;
}

/* Frees an endpoint table. */
static void
eptable_free(struct eptable *t)
{
    free(t->e);
    free(t->index);
}

/* Creates a tracker. */
struct tracker *
tracker_new(const struct tracker_config *cfg, char **cause)
{
    if (cfg == NULL || cfg->nports == 0 || cfg->ports == NULL) {
        if (cause)
            *cause = strdup("tracker: no server port to follow");
        return NULL;
    }
    struct tracker *t = calloc(1, sizeof *t);
    if (t == NULL)
        goto oom;
    if (siphash_key_random(&t->key, cause) < 0) {
        tracker_free(t);
        return NULL;
    }
    for (size_t i = 0; i < cfg->nports; i++) {
        uint16_t p = cfg->ports[i];
        t->portmap[p >> 3] |= (uint8_t)(1u << (p & 7));
        if (t->nports < sizeof t->ports / sizeof t->ports[0])
            t->ports[t->nports++] = p;
    }
    size_t cap = cfg->capacity ? cfg->capacity : TRACKER_DEFAULT_CAPACITY;
    if (cap > (1u << 28))
        cap = 1u << 28;
    t->cap = (uint32_t)cap;
    t->mask = pow2((uint64_t)cap * 2) - 1;
    /* not calloc: slots are written before use, so untouched pages stay unmapped */
    t->slots_raw = malloc(cap * sizeof *t->slots + 63);
    t->slots = (struct slot *)(((uintptr_t)t->slots_raw + 63) & ~(uintptr_t)63);
    t->index = calloc((size_t)t->mask + 1, sizeof *t->index);
    if (t->slots_raw == NULL || t->index == NULL)
        goto oom;
    t->free_head = NONE;
    t->nfree_next = 0;
    t->lists[0].head = t->lists[0].tail = NONE;
    t->lists[1].head = t->lists[1].tail = NONE;
    if (eptable_init(&t->servers, cfg->max_servers ? cfg->max_servers : TRACKER_DEFAULT_SERVERS) < 0 ||
        eptable_init(&t->clients, cfg->max_clients ? cfg->max_clients : TRACKER_DEFAULT_CLIENTS) < 0)
        goto oom;
    t->next_id = 1;
    return t;
oom:
    tracker_free(t);
    if (cause)
        *cause = strdup("tracker: out of memory");
    return NULL;
}

/* Sets the client / server address filters. */
void
tracker_set_filter(struct tracker *t, const struct ip_addr *client, const struct ip_addr *server)
{
    memset(&t->only_client, 0, sizeof t->only_client);
    memset(&t->only_server, 0, sizeof t->only_server);
    if (client != NULL)
        t->only_client = *client;
    if (server != NULL)
        t->only_server = *server;
}

/* Replaces the hash key (unit tests). */
void
tracker_set_hash_key(struct tracker *t, const uint8_t key[16])
{
    siphash_key_set(&t->key, key);
}

/* Frees a tracker. */
void
tracker_free(struct tracker *t)
{
    if (t == NULL)
        return;
    free(t->slots_raw);
    free(t->index);
    eptable_free(&t->servers);
    eptable_free(&t->clients);
    free(t);
}

/* 1 when PORT is configured. */
static inline int
port_on(const struct tracker *t, uint16_t port)
{
    return (t->portmap[port >> 3] >> (port & 7)) & 1;
}

/* 1 when PORT is one of the configured server ports. */
int
tracker_has_port(const struct tracker *t, uint16_t port)
{
    return port_on(t, port);
}

/* Unlinks slot I from its age list. */
static void
list_unlink(struct tracker *t, uint32_t i)
{
    struct slot *s = &t->slots[i];
    struct list *l = &t->lists[s->list];
    if (s->prev != NONE)
        t->slots[s->prev].next = s->next;
    else
        l->head = s->next;
    if (s->next != NONE)
        t->slots[s->next].prev = s->prev;
    else
        l->tail = s->prev;
    s->prev = s->next = NONE;
}

/* Appends slot I to list L. */
static void
list_append(struct tracker *t, uint32_t i, int which)
{
    struct slot *s = &t->slots[i];
    struct list *l = &t->lists[which];
    s->list = (uint8_t)which;
    s->next = NONE;
    s->prev = l->tail;
    if (l->tail != NONE)
        t->slots[l->tail].next = i;
    else
        l->head = i;
    l->tail = i;
}

/* 1 when a tuple with hash H may be in the index (no false negatives). */
static inline int
filter_maybe(const struct tracker *t, uint32_t h)
{
    uint32_t b = h >> (32 - FILTER_BITS);
    return (t->filter[b >> 6] >> (b & 63)) & 1;
}

/* Marks hash H as possibly indexed. */
static inline void
filter_add(struct tracker *t, uint32_t h)
{
    uint32_t b = h >> (32 - FILTER_BITS);
    t->filter[b >> 6] |= (uint64_t)1 << (b & 63);
}

/* Rebuilds the filter from the indexed slots, so bits of evicted and
 * superseded tuples go away (every CAPACITY insertions: amortised O(1)). */
static void
filter_rebuild(struct tracker *t)
{
    memset(t->filter, 0, sizeof t->filter);
    for (uint32_t i = 0; i < t->nfree_next; i++)
        if (t->slots[i].used && t->slots[i].indexed)
            filter_add(t, t->slots[i].hash);
    t->filter_adds = 0;
}

/* Finds the indexed slot of a 4-tuple; NONE when absent. */
static inline uint32_t
index_find(const struct tracker *t, uint32_t h, const struct ip_addr *c, const struct ip_addr *s,
           uint16_t cport, uint16_t sport)
{
    if (!filter_maybe(t, h))
        return NONE;
    uint32_t i = h & t->mask;
    for (uint32_t d = 0; d < PROBE_MAX; d++, i = (i + 1) & t->mask) {
        uint32_t v = t->index[i];
        if (v == 0)
            return NONE;
        const struct slot *sl = &t->slots[v - 1];
        if (sl->hash == h && sl->a.cport == cport && sl->a.sport == sport &&
            addr_eq(&sl->a.client, c) && addr_eq(&sl->a.server, s))
            return v - 1;
    }
    return NONE;
}

/* The cell of the attempt to give up in the full probe window from HOME:
 * the oldest finished one, else the oldest. */
static uint32_t
window_victim(const struct tracker *t, uint32_t home)
{
    uint32_t best = home;
    for (uint32_t d = 1; d < PROBE_MAX; d++) {
        uint32_t i = (home + d) & t->mask;
        const struct slot *a = &t->slots[t->index[i] - 1], *b = &t->slots[t->index[best] - 1];
        int da = a->list == LIST_DONE, db = b->list == LIST_DONE;
        if (da != db ? da : a->a.id < b->a.id)
            best = i;
    }
    return best;
}

/* Removes slot K from the index (backward-shift deletion, Knuth 6.4 R). An
 * entry is never moved further from its home, and none sits PROBE_MAX or more
 * cells past it, so the scan for an entry to fill the hole stops there. */
static void
index_remove(struct tracker *t, uint32_t k)
{
    uint32_t i = t->slots[k].hash & t->mask, d = 0;
    while (t->index[i] != k + 1) {
        if (t->index[i] == 0 || ++d == PROBE_MAX)
            return;
        i = (i + 1) & t->mask;
    }
    t->slots[k].indexed = 0;
    for (;;) {
        t->index[i] = 0;
        uint32_t j = i;
        for (d = 1;; d++) {
            j = (j + 1) & t->mask;
            if (d == PROBE_MAX || t->index[j] == 0)
                return;
            uint32_t home = t->slots[t->index[j] - 1].hash & t->mask;
            /* move j back to the hole unless its home lies cyclically in (i, j] */
            if (((j - home) & t->mask) >= d)
                break;
        }
        t->index[i] = t->index[j];
        i = j;
    }
}

/* Drops the attempt in slot K from the table (its counts stay): unlinks and
 * unindexes it and remembers it as evicted. */
static void
evict_slot(struct tracker *t, uint32_t k)
{
    struct slot *s = &t->slots[k];
    list_unlink(t, k);
    if (s->indexed)
        index_remove(t, k);
    s->a.detail |= TRK_EVICTED;
    struct recent *r = &t->recent[s->a.id % TRACKER_RECENT];
    if (r->id == s->a.id && !r->copied) {
        r->copy = s->a;
        r->copied = 1;
    }
    t->exemplar[s->a.cls] = s->a;
    t->has_exemplar[s->a.cls] = 1;
    t->stats.evicted++;
    s->used = 0;
    t->nused--;
}

/* Inserts slot K into the index (its tuple is not there) within PROBE_MAX
 * cells of its home; when they are all taken, K takes the cell of the
 * window's victim, which is evicted and its slot freed. */
static void
index_insert(struct tracker *t, uint32_t k)
{
    uint32_t home = t->slots[k].hash & t->mask, i = home, d = 0;
    while (d < PROBE_MAX && t->index[i] != 0) {
        i = (i + 1) & t->mask;
        d++;
    }
    if (d == PROBE_MAX) {
        i = window_victim(t, home);
        uint32_t victim = t->index[i] - 1;
        t->slots[victim].indexed = 0;
        evict_slot(t, victim);
        t->slots[victim].next = t->free_head;
        t->free_head = victim;
    }
    t->index[i] = k + 1;
    t->slots[k].indexed = 1;
    if (++t->filter_adds > t->cap)
        filter_rebuild(t);   /* includes k */
    else
        filter_add(t, t->slots[k].hash);
}

/* Adds DELTA to class CLS of a counts struct. */
static inline void
count_add(struct hs_counts *c, enum hs_class cls, int delta)
{
    c->by_class[cls] += (uint64_t)(int64_t)delta;
}

/* 1 when an attempt's class can no longer change much (eviction order). */
static inline int
slot_done(const struct slot *s)
{
    return s->a.cls == HS_ESTABLISHED || s->a.cls == HS_REFUSED ||
           s->a.cls == HS_UNREACHABLE || (s->a.detail & TRK_SUPERSEDED);
}

/* Recomputes the class of slot K from what it saw and updates every count. */
static void
slot_reclass(struct tracker *t, uint32_t k)
{
    struct slot *s = &t->slots[k];
    const struct tracker_attempt *a = &s->a;
    enum hs_class cls;
    if (a->ack_dt != TRACKER_NO_TIME)
        cls = HS_ESTABLISHED;
    else if (a->synack_count > 0)
        cls = HS_SYNACK_NO_ACK;
    else if (a->rst_dt != TRACKER_NO_TIME)
        cls = HS_REFUSED;
    else if (a->icmp_dt != TRACKER_NO_TIME)
        cls = HS_UNREACHABLE;
    else
        cls = HS_SYN_NO_SYNACK;
    if (cls == a->cls)
        return;
    count_add(&t->counts, a->cls, -1);
    count_add(&t->counts, cls, 1);
    if (s->server != NONE) {
        count_add(&t->servers.e[s->server].counts, a->cls, -1);
        count_add(&t->servers.e[s->server].counts, cls, 1);
    }
    if (s->client != NONE) {
        count_add(&t->clients.e[s->client].counts, a->cls, -1);
        count_add(&t->clients.e[s->client].counts, cls, 1);
    }
    s->a.cls = cls;
    int want = slot_done(s) ? LIST_DONE : LIST_OPEN;
    if (want != s->list) {
        list_unlink(t, k);
        list_append(t, k, want);
    }
}

/* Evicts the oldest finished attempt, else the oldest open one; returns its slot. */
static uint32_t
evict(struct tracker *t)
{
    uint32_t k = t->lists[LIST_DONE].head;
    if (k == NONE)
        k = t->lists[LIST_OPEN].head;
    evict_slot(t, k);
    return k;
}

/* Takes a free slot, evicting when the pool is full. */
static uint32_t
slot_alloc(struct tracker *t)
{
    uint32_t k;
    if (t->free_head != NONE) {
        k = t->free_head;
        t->free_head = t->slots[k].next;
    } else if (t->nfree_next < t->cap) {
        k = t->nfree_next++;
    } else {
        k = evict(t);
    }
    t->nused++;
    return k;
}

/* Saturating offset of TS from the attempt's first SYN. */
static inline uint32_t
rel(const struct tracker_attempt *a, uint64_t ts)
{
    if (ts <= a->t_first)
        return 0;
    uint64_t d = ts - a->t_first;
    return d >= TRACKER_NO_TIME ? TRACKER_NO_TIME - 1 : (uint32_t)d;
}

/* Starts a new attempt for the SYN in T. */
static void
attempt_start(struct tracker *t, const struct decoded_tcp *tcp, uint32_t h, uint64_t ts)
{
    uint32_t k = slot_alloc(t);
    struct slot *s = &t->slots[k];
    memset(s, 0, sizeof *s);
    struct tracker_attempt *a = &s->a;
    a->id = t->next_id++;
    a->client = tcp->src;
    a->server = tcp->dst;
    a->cport = tcp->sport;
    a->sport = tcp->dport;
    a->isn = tcp->seq;
    a->cls = HS_SYN_NO_SYNACK;
    a->t_first = ts;
    a->syn_count = 1;
    for (int i = 1; i < TRACKER_SYN_TIMES; i++)
        a->syn_dt[i] = TRACKER_NO_TIME;
    a->synack_dt = a->synack_last_dt = a->ack_dt = a->rst_dt = TRACKER_NO_TIME;
    a->challenge_dt = a->icmp_dt = TRACKER_NO_TIME;
    a->syn_ttl = tcp->ttl;
    a->syn_opts = tcp->opts;
    s->hash = h;
    s->used = 1;
    s->prev = s->next = NONE;
    s->server = eptable_get(&t->servers, &t->key, &a->server, a->sport);
    s->client = eptable_get(&t->clients, &t->key, &a->client, 0);
    if (s->server == NONE)
        t->stats.servers_overflow++;
    else {
        t->servers.e[s->server].counts.total++;
        count_add(&t->servers.e[s->server].counts, HS_SYN_NO_SYNACK, 1);
    }
    if (s->client == NONE)
        t->stats.clients_overflow++;
    else {
        t->clients.e[s->client].counts.total++;
        count_add(&t->clients.e[s->client].counts, HS_SYN_NO_SYNACK, 1);
    }
    t->counts.total++;
    count_add(&t->counts, HS_SYN_NO_SYNACK, 1);
    t->ttl_syn[tcp->ttl]++;
    list_append(t, k, LIST_OPEN);
    index_insert(t, k);
    struct recent *r = &t->recent[a->id % TRACKER_RECENT];
    r->id = a->id;
    r->slot = k;
    r->copied = 0;
}

/* 1 when the --client / --server filters let the attempt C -> S through. */
static inline int
wanted(const struct tracker *t, const struct ip_addr *c, const struct ip_addr *s)
{
    return (t->only_client.family == 0 || addr_eq(&t->only_client, c)) &&
           (t->only_server.family == 0 || addr_eq(&t->only_server, s));
}

/* A SYN (no ACK, no RST) from client to a configured port. */
static int
on_syn(struct tracker *t, const struct decoded_tcp *tcp, uint64_t ts)
{
    if (!wanted(t, &tcp->src, &tcp->dst))
        return 0;
    uint32_t h = hash_tuple(t, &tcp->src, &tcp->dst, tcp->sport, tcp->dport);
    uint32_t k = index_find(t, h, &tcp->src, &tcp->dst, tcp->sport, tcp->dport);
    if (k != NONE) {
        struct slot *s = &t->slots[k];
        if (s->a.isn == tcp->seq) {
            struct tracker_attempt *a = &s->a;
            if (a->syn_count < TRACKER_SYN_TIMES)
                a->syn_dt[a->syn_count] = rel(a, ts);
            a->syn_count++;
            if (tcp->opts.signature != a->syn_opts.signature)
                a->detail |= TRK_SYN_CHANGED;
            return 1;
        }
        /* A new ISN on a used 4-tuple: the old attempt is superseded. */
        index_remove(t, k);
        s->a.detail |= TRK_SUPERSEDED;
        t->stats.superseded++;
        if (s->list != LIST_DONE) {
            list_unlink(t, k);
            list_append(t, k, LIST_DONE);
        }
    }
    attempt_start(t, tcp, h, ts);
    return 1;
}

/* A non-SYN segment from the client side of slot K. */
static int
on_client(struct tracker *t, uint32_t k, const struct decoded_tcp *tcp, uint64_t ts)
{
    struct tracker_attempt *a = &t->slots[k].a;
    uint8_t f = tcp->flags;
    if (f & TCPF_RST) {
        if (a->ack_dt != TRACKER_NO_TIME)
            return 0;
        a->detail |= TRK_CLIENT_RST;
        return 1;
    }
    if ((f & (TCPF_SYN | TCPF_ACK)) == TCPF_ACK && a->synack_count > 0 &&
        a->ack_dt == TRACKER_NO_TIME && tcp->ack == a->server_isn + 1 &&
        tcp->seq == a->isn + 1) {
        a->ack_dt = rel(a, ts);
        slot_reclass(t, k);
        return 1;
    }
    return 0;
}

/* Checks a server RST's TTL against the server's other packets. */
static void
check_rst_ttl(struct tracker *t, uint32_t k)
{
    struct slot *s = &t->slots[k];
    struct tracker_attempt *a = &s->a;
    uint8_t ref = a->synack_ttl;
    if (ref == 0 && s->server != NONE)
        ref = t->servers.e[s->server].ttl;
    if (ref != 0 && a->rst_ttl != 0 && ref != a->rst_ttl)
        a->detail |= TRK_RST_TTL_MISMATCH;
}

/* A segment from the server side of slot K. */
static int
on_server(struct tracker *t, uint32_t k, const struct decoded_tcp *tcp, uint64_t ts)
{
    struct slot *s = &t->slots[k];
    struct tracker_attempt *a = &s->a;
    uint8_t f = tcp->flags;
    if ((f & (TCPF_SYN | TCPF_ACK | TCPF_RST)) == (TCPF_SYN | TCPF_ACK)) {
        if (tcp->ack != a->isn + 1)
            return 0;
        uint32_t dt = rel(a, ts);
        if (a->synack_count == 0) {
            a->server_isn = tcp->seq;
            a->synack_dt = dt;
            a->synack_ttl = tcp->ttl;
            t->ttl_synack[tcp->ttl]++;
            if (s->server != NONE)
                t->servers.e[s->server].ttl = tcp->ttl;
            if (a->rst_dt != TRACKER_NO_TIME)
                check_rst_ttl(t, k);
        } else {
            a->detail |= TRK_SYNACK_REPEATED;
        }
        a->synack_last_dt = dt;
        a->synack_count++;
        slot_reclass(t, k);
        return 1;
    }
    if (f & TCPF_RST) {
        if (a->ack_dt != TRACKER_NO_TIME || a->rst_dt != TRACKER_NO_TIME)
            return 0;
        if ((f & TCPF_ACK) && tcp->ack != a->isn + 1 &&
            !(a->synack_count > 0 && tcp->seq == a->server_isn + 1))
            return 0;   /* RFC 9293 3.10.7.3: not acceptable in SYN-SENT */
        a->rst_dt = rel(a, ts);
        a->rst_ttl = tcp->ttl;
        a->rst_flags = f;
        if (a->synack_count > 0)
            a->detail |= TRK_RST_AFTER_SYNACK;
        check_rst_ttl(t, k);
        slot_reclass(t, k);
        return 1;
    }
    if ((f & (TCPF_SYN | TCPF_ACK)) == TCPF_ACK && a->synack_count == 0) {
        if (a->challenge_dt == TRACKER_NO_TIME)
            a->challenge_dt = rel(a, ts);
        a->detail |= TRK_CHALLENGE_ACK;
        return 1;
    }
    return 0;
}

/* Counts an ICMP error from SENDER. */
static void
icmp_count(struct tracker *t, const struct ip_addr *sender, uint8_t type, uint8_t code)
{
    for (size_t i = 0; i < t->nicmp; i++) {
        struct tracker_icmp *e = &t->icmp[i];
        if (e->type == type && e->code == code && addr_eq(&e->addr, sender)) {
            e->count++;
            return;
        }
    }
    if (t->nicmp >= TRACKER_MAX_ICMP) {
        t->stats.icmp_overflow++;
        return;
    }
    struct tracker_icmp *e = &t->icmp[t->nicmp++];
    e->addr = *sender;
    e->type = type;
    e->code = code;
    e->count = 1;
}

/* An ICMP/ICMPv6 destination unreachable quoting a segment to one of our ports. */
static int
on_icmp(struct tracker *t, const struct decoded *d, uint64_t ts)
{
    const struct decoded_tcp *q = &d->tcp;
    if (!port_on(t, q->dport) || !wanted(t, &q->src, &q->dst))
        return 0;
    icmp_count(t, &d->icmp.sender, d->icmp.type, d->icmp.code);
    uint32_t h = hash_tuple(t, &q->src, &q->dst, q->sport, q->dport);
    uint32_t k = index_find(t, h, &q->src, &q->dst, q->sport, q->dport);
    if (k == NONE || t->slots[k].a.isn != q->seq) {
        t->stats.orphans++;
        return 1;
    }
    struct tracker_attempt *a = &t->slots[k].a;
    if (a->icmp_dt != TRACKER_NO_TIME)
        return 1;
    a->icmp_dt = rel(a, ts);
    a->icmp_type = d->icmp.type;
    a->icmp_code = d->icmp.code;
    a->icmp_from = d->icmp.sender;
    if (a->synack_count > 0)
        a->detail |= TRK_ICMP_AFTER;
    slot_reclass(t, k);
    return 1;
}

/* Feeds one decoded packet. */
int
tracker_packet(struct tracker *t, const struct decoded *d, uint64_t ts_us)
{
    t->stats.packets++;
    if (t->stats.packets == 1)
        t->stats.ts_first = ts_us;
    t->stats.ts_last = ts_us;
    int used = 0;
    if (d->result == DECODE_TCP) {
        const struct decoded_tcp *tcp = &d->tcp;
        int to_srv = port_on(t, tcp->dport), from_srv = port_on(t, tcp->sport);
        if (!to_srv && !from_srv)
            return 0;
        uint8_t f = tcp->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST);
        if (to_srv && f == TCPF_SYN) {
            used = on_syn(t, tcp, ts_us);
        } else {
            uint32_t k = NONE;
            if (to_srv) {
                uint32_t h = hash_tuple(t, &tcp->src, &tcp->dst, tcp->sport, tcp->dport);
                k = index_find(t, h, &tcp->src, &tcp->dst, tcp->sport, tcp->dport);
                if (k != NONE)
                    used = on_client(t, k, tcp, ts_us);
            }
            if (k == NONE && from_srv) {
                uint32_t h = hash_tuple(t, &tcp->dst, &tcp->src, tcp->dport, tcp->sport);
                k = index_find(t, h, &tcp->dst, &tcp->src, tcp->dport, tcp->sport);
                if (k != NONE)
                    used = on_server(t, k, tcp, ts_us);
            }
            if (k == NONE)
                t->stats.orphans++;
        }
    } else if (d->result == DECODE_ICMP_UNREACH) {
        used = on_icmp(t, d, ts_us);
    }
    t->stats.used += (uint64_t)used;
    return used;
}

/* Decodes and feeds one frame. */
int
tracker_frame(struct tracker *t, int dlt, const uint8_t *data, uint32_t caplen,
              uint32_t wirelen, uint64_t ts_us)
{
    struct decoded d;
    enum decode_result r = decode_frame_ports(dlt, data, caplen, wirelen, t->portmap, &d);
    t->stats.by_result[r]++;
    if (r != DECODE_TCP && r != DECODE_ICMP_UNREACH) {
        t->stats.packets++;
        if (t->stats.packets == 1)
            t->stats.ts_first = ts_us;
        t->stats.ts_last = ts_us;
        return 0;
    }
    return tracker_packet(t, &d, ts_us);
}

/* Copies the class counts. */
void
tracker_counts(const struct tracker *t, struct hs_counts *out)
{
    *out = t->counts;
}

/* Copies the input counters. */
void
tracker_stats(const struct tracker *t, struct tracker_stats *out)
{
    *out = t->stats;
}

/* Number of failing attempts in C. */
static uint64_t
failures(const struct hs_counts *c)
{
    return c->total - c->by_class[HS_ESTABLISHED];
}

/* qsort order: most attempts first. */
static int
cmp_server(const void *x, const void *y)
{
    const struct tracker_server *a = x, *b = y;
    if (a->counts.total != b->counts.total)
        return a->counts.total > b->counts.total ? -1 : 1;
    return 0;
}

/* qsort order: most failures first, then most attempts. */
static int
cmp_client(const void *x, const void *y)
{
    const struct tracker_client *a = x, *b = y;
    uint64_t fa = failures(&a->counts), fb = failures(&b->counts);
    if (fa != fb)
        return fa > fb ? -1 : 1;
    if (a->counts.total != b->counts.total)
        return a->counts.total > b->counts.total ? -1 : 1;
    return 0;
}

/* qsort order: most frequent first. */
static int
cmp_icmp(const void *x, const void *y)
{
    const struct tracker_icmp *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return 0;
}

/* Sorts the N records of SIZE bytes in ALL (malloc'd; freed here) with CMP
 * and copies the first MAX to OUT; returns how many were copied. */
static size_t
copy_top(void *all, size_t n, size_t size, int (*cmp)(const void *, const void *), void *out,
         size_t max)
{
    qsort(all, n, size, cmp);
    if (n > max)
        n = max;
    memcpy(out, all, n * size);
    free(all);
    return n;
}

/* Copies the servers, most attempts first. */
size_t
tracker_servers(const struct tracker *t, struct tracker_server *out, size_t max)
{
    size_t n = t->servers.n;
    struct tracker_server *all = malloc((n ? n : 1) * sizeof *all);
    if (all == NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        all[i].addr = t->servers.e[i].addr;
        all[i].port = t->servers.e[i].port;
        all[i].counts = t->servers.e[i].counts;
    }
    return copy_top(all, n, sizeof *all, cmp_server, out, max);
}

/* Copies the clients, most failures first. */
size_t
tracker_clients(const struct tracker *t, struct tracker_client *out, size_t max)
{
    size_t n = t->clients.n;
    struct tracker_client *all = malloc((n ? n : 1) * sizeof *all);
    if (all == NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        all[i].addr = t->clients.e[i].addr;
        all[i].counts = t->clients.e[i].counts;
    }
    return copy_top(all, n, sizeof *all, cmp_client, out, max);
}

/* Copies the ICMP senders, most frequent first. */
size_t
tracker_icmp_senders(const struct tracker *t, struct tracker_icmp *out, size_t max)
{
    struct tracker_icmp all[TRACKER_MAX_ICMP];
    size_t n = t->nicmp;
    memcpy(all, t->icmp, n * sizeof *all);
    qsort(all, n, sizeof *all, cmp_icmp);
    if (n > max)
        n = max;
    memcpy(out, all, n * sizeof *all);
    return n;
}

/* The attempt with id ID from the recent ring, or NULL when forgotten. */
static const struct tracker_attempt *
recent_get(const struct tracker *t, uint64_t id)
{
    const struct recent *r = &t->recent[id % TRACKER_RECENT];
    if (r->id != id)
        return NULL;
    if (r->copied)
        return &r->copy;
    const struct slot *s = &t->slots[r->slot];
    if (!s->used || s->a.id != id)
        return NULL;
    return &s->a;
}

/* Copies the most recently started attempts, newest first. */
size_t
tracker_recent(const struct tracker *t, struct tracker_attempt *out, size_t max)
{
    size_t n = 0;
    if (max > TRACKER_RECENT)
        max = TRACKER_RECENT;
    for (uint64_t id = t->next_id - 1; id >= 1 && n < max && id + TRACKER_RECENT >= t->next_id; id--) {
        const struct tracker_attempt *a = recent_get(t, id);
        if (a != NULL)
            out[n++] = *a;
    }
    return n;
}

/* 1 when A is a better example than B (retransmissions, then newer). */
static int
better_example(const struct tracker_attempt *a, const struct tracker_attempt *b)
{
    if (b == NULL)
        return 1;
    int ra = a->syn_count > 1 || a->synack_count > 1, rb = b->syn_count > 1 || b->synack_count > 1;
    if (ra != rb)
        return ra > rb;
    return a->id > b->id;
}

/* Finds a typical attempt of class CLS. */
int
tracker_example(const struct tracker *t, enum hs_class cls, struct tracker_attempt *out)
{
    const struct tracker_attempt *best = NULL;
    uint32_t hi = t->nfree_next;
    for (uint32_t i = 0; i < hi; i++) {
        const struct slot *s = &t->slots[i];
        if (s->used && s->a.cls == cls && better_example(&s->a, best))
            best = &s->a;
    }
    if (best == NULL && (unsigned)cls < HS_NCLASSES && t->has_exemplar[cls])
        best = &t->exemplar[cls];
    if (best == NULL)
        return -1;
    *out = *best;
    return 0;
}

/* qsort order of slot pointers: by attempt id. */
static int
cmp_slot_id(const void *x, const void *y)
{
    const struct slot *a = *(const struct slot *const *)x, *b = *(const struct slot *const *)y;
    return a->a.id < b->a.id ? -1 : a->a.id > b->a.id;
}

/* Calls FN for every attempt in the table, in start order. */
void
tracker_each(const struct tracker *t, int (*fn)(const struct tracker_attempt *a, void *arg),
             void *arg)
{
    uint32_t hi = t->nfree_next;
    const struct slot **v = malloc(((size_t)t->nused + 1) * sizeof *v);
    size_t n = 0;
    if (v == NULL) {   /* unsorted fallback */
        for (uint32_t i = 0; i < hi; i++)
            if (t->slots[i].used && fn(&t->slots[i].a, arg))
                return;
        return;
    }
    for (uint32_t i = 0; i < hi && n <= t->nused; i++)
        if (t->slots[i].used)
            v[n++] = &t->slots[i];
    qsort(v, n, sizeof *v, cmp_slot_id);
    for (size_t i = 0; i < n; i++)
        if (fn(&v[i]->a, arg))
            break;
    free(v);
}

/* Copies the TTL histograms. */
void
tracker_ttls(const struct tracker *t, uint64_t syn[256], uint64_t synack[256])
{
    if (syn)
        memcpy(syn, t->ttl_syn, sizeof t->ttl_syn);
    if (synack)
        memcpy(synack, t->ttl_synack, sizeof t->ttl_synack);
}

/* One line of a ladder before sorting. */
struct event {
    uint32_t dt;
    int from_server;
    char label[16];
    char note[64];
};

/* Adds an event to a ladder under construction. */
static void
ev_add(struct event *ev, unsigned *n, unsigned max, uint32_t dt, int from_server,
       const char *label, const char *note)
{
    if (*n >= max || dt == TRACKER_NO_TIME)
        return;
    struct event *e = &ev[(*n)++];
    e->dt = dt;
    e->from_server = from_server;
    snprintf(e->label, sizeof e->label, "%s", label);
    snprintf(e->note, sizeof e->note, "%s", note ? note : "");
}

/* qsort order: by time, client side first on ties. */
static int
cmp_event(const void *x, const void *y)
{
    const struct event *a = x, *b = y;
    if (a->dt != b->dt)
        return a->dt < b->dt ? -1 : 1;
    return a->from_server - b->from_server;
}

/* Formats "addr:port" ("[v6]:port"). */
static void
endpoint_str(const struct ip_addr *a, uint16_t port, char *buf, size_t len)
{
    char s[46];   /* INET6_ADDRSTRLEN */
    decode_addr_str(a, s, sizeof s);
    if (a->family == 6)
        snprintf(buf, len, "[%s]:%u", s, port);
    else
        snprintf(buf, len, "%s:%u", s, port);
}

/* Draws a ladder diagram of A. */
unsigned
tracker_ladder(const struct tracker_attempt *a, char lines[][TRACKER_LADDER_WIDTH], unsigned max)
{
    struct event ev[TRACKER_SYN_TIMES + 8];
    unsigned n = 0, cap = sizeof ev / sizeof ev[0], out = 0;
    char note[64], c[64], s[64];

    if (max == 0)
        return 0;
    unsigned shown = a->syn_count < TRACKER_SYN_TIMES ? a->syn_count : TRACKER_SYN_TIMES;
    for (unsigned i = 0; i < shown; i++)
        ev_add(ev, &n, cap, a->syn_dt[i], 0, "SYN", i ? "(retransmission)" : NULL);
    if (a->syn_count > shown) {
        snprintf(note, sizeof note, "(%u more SYNs)", a->syn_count - shown);
        ev_add(ev, &n, cap, a->syn_dt[shown - 1], 0, "...", note);
    }
    ev_add(ev, &n, cap, a->challenge_dt, 1, "ACK", "(challenge ACK: stale connection)");
    ev_add(ev, &n, cap, a->synack_dt, 1, "SYN,ACK", NULL);
    if (a->synack_count > 1) {
        snprintf(note, sizeof note, "(repeated, %u SYN-ACKs)", a->synack_count);
        ev_add(ev, &n, cap, a->synack_last_dt, 1, "SYN,ACK", note);
    }
    ev_add(ev, &n, cap, a->ack_dt, 0, "ACK", "(established)");
    if (a->rst_dt != TRACKER_NO_TIME) {
        if (a->detail & TRK_RST_TTL_MISMATCH)
            snprintf(note, sizeof note, "(TTL %u: forged by a middlebox?)", a->rst_ttl);
        else
            note[0] = '\0';
        ev_add(ev, &n, cap, a->rst_dt, 1, (a->rst_flags & TCPF_ACK) ? "RST,ACK" : "RST", note);
    }
    if (a->icmp_dt != TRACKER_NO_TIME) {
        char from[46];
        decode_addr_str(&a->icmp_from, from, sizeof from);
        snprintf(note, sizeof note, "from %s", from);
        ev_add(ev, &n, cap, a->icmp_dt, 1,
               a->icmp_from.family == 6 ? "ICMPv6" : "ICMP", note);
    }
    qsort(ev, n, sizeof ev[0], cmp_event);

    endpoint_str(&a->client, a->cport, c, sizeof c);
    endpoint_str(&a->server, a->sport, s, sizeof s);
    snprintf(lines[out++], TRACKER_LADDER_WIDTH, "%-30.30s %.48s", c, s);
    for (unsigned i = 0; i < n && out < max; i++) {
        const struct event *e = &ev[i];
        double t = e->dt / 1e6;
        char when[16];
        snprintf(when, sizeof when, t < 0.001 ? "%.6f" : "%.4f", t);
        if (!e->from_server) {
            snprintf(lines[out++], TRACKER_LADDER_WIDTH, "%7.3f  %-8s------------->  %s",
                     t, e->label, e->note);
        } else if (e->label[0] == 'I') {
            char why[48];
            snprintf(lines[out++], TRACKER_LADDER_WIDTH, "         <~~~~~~~~~~~~~ %s %u/%u  %s  %s",
                     e->label, a->icmp_type, a->icmp_code, when, e->note);
            if (out < max)
                snprintf(lines[out++], TRACKER_LADDER_WIDTH, "                        (%s)",
                         decode_unreach_name(a->icmp_from.family, a->icmp_code, why, sizeof why));
        } else {
            snprintf(lines[out++], TRACKER_LADDER_WIDTH, "         <------------- %-8s %s  %s",
                     e->label, when, e->note);
        }
    }
    /* trim trailing blanks */
    for (unsigned i = 0; i < out; i++) {
        size_t l = strlen(lines[i]);
        while (l > 0 && lines[i][l - 1] == ' ')
            lines[i][--l] = '\0';
    }
    return out;
}

/* Fills the UI form of an attempt. */
void
tracker_to_capture(const struct tracker_attempt *a, struct capture_attempt *out)
{
    memset(out, 0, sizeof *out);
    endpoint_str(&a->client, a->cport, out->client, sizeof out->client);
    endpoint_str(&a->server, a->sport, out->server, sizeof out->server);
    out->cls = a->cls;
    out->syn_count = a->syn_count;
    out->nladder = tracker_ladder(a, out->ladder, CAPTURE_LADDER_LINES);
}

/* Names one detail flag. */
const char *
tracker_detail_name(uint32_t flag)
{
    switch (flag) {
    case TRK_SYNACK_REPEATED: return "synack repeated";
    case TRK_CHALLENGE_ACK: return "challenge ACK (stale connection on the server)";
    case TRK_RST_TTL_MISMATCH: return "RST TTL differs from the server's (forged by a middlebox?)";
    case TRK_RST_AFTER_SYNACK: return "RST after SYN-ACK";
    case TRK_CLIENT_RST: return "client reset";
    case TRK_SYN_CHANGED: return "retransmitted SYN changed its options";
    case TRK_EVICTED: return "evicted";
    case TRK_ICMP_AFTER: return "ICMP error after the server answered";
    case TRK_SUPERSEDED: return "4-tuple reused";
    default: return "?";
    }
}
