/* verdict.c: capture-wide verdict, vantage inference and the matching of
 * attempts across captures of the same traffic (API in verdict.h).
 *
 * Vantage from TTLs: hosts start IPv4 TTLs / IPv6 hop limits at 64 (Linux,
 * macOS, BSD), 128 (Windows) or 255 (network gear, some Unix); each router
 * takes one off. A SYN still carrying an initial value was captured on the
 * client itself (or on its segment); a decremented SYN with an initial-valued
 * SYN-ACK was captured at the server; both decremented: on the path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict.h"

static const char *const code_names[VERDICT_NCODES] = {
    "no_syn", "handshake_ok", "syn_no_synack", "unreachable", "refused",
    "synack_no_ack", "path_drop", "return_path_drop"
};

/* The DESIGN.md name of a code. */
const char *
verdict_code_name(enum verdict_code code)
{
    return (unsigned)code < VERDICT_NCODES ? code_names[code] : "unknown";
}

/* Parses a code name. */
int
verdict_code_parse(const char *name)
{
    for (int i = 0; i < VERDICT_NCODES; i++)
        if (strcmp(name, code_names[i]) == 0)
            return i;
    return -1;
}

/* The name of a vantage. */
const char *
verdict_vantage_name(enum vantage v)
{
    switch (v) {
    case VANTAGE_CLIENT: return "client";
    case VANTAGE_PATH: return "path";
    case VANTAGE_SERVER: return "server";
    default: return "unknown";
    }
}

/* The verdict code of one attempt class. */
enum verdict_code
verdict_from_class(enum hs_class cls)
{
    switch (cls) {
    case HS_ESTABLISHED: return VERDICT_HANDSHAKE_OK;
    case HS_SYNACK_NO_ACK: return VERDICT_SYNACK_NO_ACK;
    case HS_REFUSED: return VERDICT_REFUSED;
    case HS_UNREACHABLE: return VERDICT_UNREACHABLE;
    case HS_SYN_NO_SYNACK: return VERDICT_SYN_NO_SYNACK;
    default: return VERDICT_NO_SYN;
    }
}

/* The capture-wide code from class counts (DESIGN.md order). */
enum verdict_code
verdict_from_counts(const struct hs_counts *c)
{
    if (c->total == 0)
        return VERDICT_NO_SYN;
    if (c->by_class[HS_SYN_NO_SYNACK])
        return VERDICT_SYN_NO_SYNACK;
    if (c->by_class[HS_UNREACHABLE])
        return VERDICT_UNREACHABLE;
    if (c->by_class[HS_REFUSED])
        return VERDICT_REFUSED;
    if (c->by_class[HS_SYNACK_NO_ACK])
        return VERDICT_SYNACK_NO_ACK;
    return VERDICT_HANDSHAKE_OK;
}

/* The initial TTL a TTL most likely started from. */
uint8_t
verdict_initial_ttl(uint8_t ttl, unsigned *hops)
{
    static const unsigned initial[] = { 32, 64, 128, 255 };
    unsigned init = 255;
    for (size_t i = 0; i < sizeof initial / sizeof initial[0]; i++)
        if (ttl <= initial[i]) {
            init = initial[i];
            break;
        }
    if (hops)
        *hops = init - ttl;
    return (uint8_t)init;
}

/* Sums a TTL histogram into packets at an initial value and the rest. */
static void
ttl_split(const uint64_t h[256], uint64_t *initial, uint64_t *decremented)
{
    *initial = *decremented = 0;
    for (unsigned i = 1; i < 256; i++) {
        unsigned hops;
        verdict_initial_ttl((uint8_t)i, &hops);
        if (hops == 0)
            *initial += h[i];
        else
            *decremented += h[i];
    }
}

/* 1 when A is one of the NLOCAL addresses at LOCAL. */
static int
is_local(const struct ip_addr *local, size_t nlocal, const struct ip_addr *a)
{
    for (size_t i = 0; i < nlocal; i++)
        if (decode_addr_equal(&local[i], a))
            return 1;
    return 0;
}

/* Infers the vantage of one capture. */
enum vantage
verdict_vantage(const struct tracker *t, const struct ip_addr *local, size_t nlocal)
{
    if (local != NULL && nlocal > 0) {
        /* the bounded client and server tables, not every attempt: cheap enough
           for a snapshot every 100 ms */
        enum { N = 256 };
        struct tracker_client cl[N];
        struct tracker_server sv[N];
        uint64_t client = 0, server = 0;
        size_t nc = tracker_clients(t, cl, N), ns = tracker_servers(t, sv, N);
        for (size_t i = 0; i < nc; i++)
            if (is_local(local, nlocal, &cl[i].addr))
                client += cl[i].counts.total;
        for (size_t i = 0; i < ns; i++)
            if (is_local(local, nlocal, &sv[i].addr))
                server += sv[i].counts.total;
        if (client > server)
            return VANTAGE_CLIENT;
        if (server > 0)
            return VANTAGE_SERVER;
    }
    uint64_t syn[256], synack[256], si, sd, ai, ad;
    tracker_ttls(t, syn, synack);
    ttl_split(syn, &si, &sd);
    ttl_split(synack, &ai, &ad);
    if (si + sd == 0)
        return VANTAGE_UNKNOWN;
    if (si >= sd)
        return VANTAGE_CLIENT;
    if (ai + ad == 0 || ai >= ad)
        return VANTAGE_SERVER;   /* decremented SYNs, no SYN-ACK: further along */
    return VANTAGE_PATH;
}

/* Appends " (Scenario X)" style text when ID is set. */
static const char *
scen(const char *id, char *buf, size_t len, const char *fmt)
{
    if (id == NULL || id[0] == '\0')
        return "";
    snprintf(buf, len, fmt, id);
    return buf;
}

/* Extra facts a sentence may quote. */
struct facts {
    const char *s1;            /* scenario of the code */
    const char *s2;            /* scenario of a drop on the way (path_drop) */
    const struct tracker_icmp *icmp;   /* top ICMP sender, or NULL */
    int icmp_from_server;
    int rst_forged;
    uint16_t port;
};

/* Writes the sentence for CODE at vantage V. */
static void
sentence(enum verdict_code code, enum vantage v, const struct facts *f, char *buf, size_t len)
{
    char a[32], b[32], c[64], d[48];
    switch (code) {
    case VERDICT_NO_SYN:
        snprintf(buf, len, "No connection attempt (SYN) to the port was seen: start the "
                 "connection while the capture runs, and check the interface and filter.");
        break;
    case VERDICT_HANDSHAKE_OK:
        snprintf(buf, len, "Every TCP handshake completed: the path and the listener work; "
                 "look further up (authentication, the application).");
        break;
    case VERDICT_SYN_NO_SYNACK:
        if (v == VANTAGE_SERVER)
            snprintf(buf, len, "The SYN arrives and no SYN-ACK leaves: the server does not "
                     "answer%s.", scen(f->s1, a, sizeof a, ": Scenario %s"));
        else if (v == VANTAGE_CLIENT)
            snprintf(buf, len, "The SYN leaves and nothing comes back: either the server%s or "
                     "a device on the way%s; capture at the server to tell which.",
                     scen(f->s1, a, sizeof a, " (Scenario %s)"),
                     scen(f->s2, b, sizeof b, " (Scenario %s)"));
        else
            snprintf(buf, len, "SYNs pass this point and no SYN-ACK comes back: either the "
                     "server%s or a device further on%s; capture at the server to tell which.",
                     scen(f->s1, a, sizeof a, " (Scenario %s)"),
                     scen(f->s2, b, sizeof b, " (Scenario %s)"));
        break;
    case VERDICT_UNREACHABLE:
        if (f->icmp != NULL) {
            decode_addr_str(&f->icmp->addr, c, sizeof c);
            snprintf(buf, len, "The SYN is answered by ICMP%s %s (type %u code %u) from %s: %s "
                     "rejects the connection%s.",
                     f->icmp->addr.family == 6 ? "v6" : "",
                     decode_unreach_name(f->icmp->addr.family, f->icmp->code, d, sizeof d),
                     f->icmp->type, f->icmp->code, c,
                     f->icmp_from_server ? "the server's own firewall or stack"
                                         : "a router or firewall on the way",
                     scen(f->s1, a, sizeof a, ": Scenario %s"));
        } else {
            snprintf(buf, len, "The SYN is answered by an ICMP destination-unreachable: a device "
                     "rejects the connection%s.", scen(f->s1, a, sizeof a, ": Scenario %s"));
        }
        break;
    case VERDICT_REFUSED:
        if (f->rst_forged)
            snprintf(buf, len, "The SYN is answered by a RST whose TTL differs from the "
                     "server's other packets: a middlebox probably forges it%s.",
                     scen(f->s1, a, sizeof a, ": Scenario %s"));
        else
            snprintf(buf, len, "The SYN is answered by a RST: nothing listens on the port%s, or "
                     "a firewall rejects the connection%s.",
                     f->port ? (snprintf(c, sizeof c, " (%u)", f->port), c) : "",
                     scen(f->s1, a, sizeof a, ": Scenario %s"));
        break;
    case VERDICT_SYNACK_NO_ACK:
        if (v == VANTAGE_CLIENT)
            snprintf(buf, len, "The SYN-ACK arrives and the client never acknowledges it: the "
                     "client's own firewall or stack drops it%s.",
                     scen(f->s1, a, sizeof a, ": Scenario %s"));
        else
            snprintf(buf, len, "The server answers with a SYN-ACK and no ACK comes back: the "
                     "SYN-ACK is lost on the way back or the client drops it; capture at the "
                     "client to tell which%s.", scen(f->s1, a, sizeof a, " (Scenario %s)"));
        break;
    default:
        snprintf(buf, len, "%s", verdict_code_name(code));
        break;
    }
}

/* Writes the verdict sentence for CODE seen from V. */
char *
verdict_sentence(enum verdict_code code, enum vantage v, const char *scenario,
                 char *buf, size_t len)
{
    struct facts f = { 0 };
    f.s1 = scenario;
    if (len > 0)
        sentence(code, v, &f, buf, len);
    return buf;
}

/* Looks up the scenario of CODE through the caller's callback. */
static const char *
scenario_of(const struct verdict_input *in, enum verdict_code code)
{
    if (in == NULL || in->scenario_for == NULL)
        return NULL;
    return in->scenario_for(in->scenario_arg, verdict_code_name(code));
}

/* Fills the facts of one capture. */
static void
facts_of(const struct tracker *t, const struct verdict_input *in, enum verdict_code code,
         struct facts *f, struct tracker_icmp *icmp)
{
    struct tracker_attempt ex;
    memset(f, 0, sizeof *f);
    f->s1 = scenario_of(in, code);
    f->s2 = scenario_of(in, VERDICT_PATH_DROP);
    if (tracker_icmp_senders(t, icmp, 1) == 1) {
        f->icmp = icmp;
        if (tracker_example(t, HS_UNREACHABLE, &ex) == 0)
            f->icmp_from_server = decode_addr_equal(&ex.icmp_from, &ex.server);
    }
    /* an ICMP error from the server itself is the server refusing: it belongs
       where the playbook puts a refusal, not where it puts a device on the way */
    if (code == VERDICT_UNREACHABLE && f->icmp_from_server && scenario_of(in, VERDICT_REFUSED))
        f->s1 = scenario_of(in, VERDICT_REFUSED);
    if (tracker_example(t, HS_REFUSED, &ex) == 0) {
        f->rst_forged = (ex.detail & TRK_RST_TTL_MISMATCH) != 0;
        f->port = ex.sport;
    }
}

/* Computes the verdict of one capture. */
void
verdict_compute(const struct tracker *t, const struct verdict_input *in, struct verdict *out)
{
    struct hs_counts c;
    struct facts f;
    struct tracker_icmp icmp;

    memset(out, 0, sizeof *out);
    tracker_counts(t, &c);
    if (in && in->pending && in->pending <= c.by_class[HS_SYN_NO_SYNACK]) {
        c.by_class[HS_SYN_NO_SYNACK] -= in->pending;
        c.total -= in->pending;
    }
    out->code = verdict_from_counts(&c);
    out->vantage = verdict_vantage(t, in ? in->local : NULL, in ? in->nlocal : 0);
    facts_of(t, in, out->code, &f, &icmp);
    /* a SYN unanswered seen anywhere but at the server fits both scenarios:
       the sentence names both and no single scenario is claimed */
    if (f.s1 && !(out->code == VERDICT_SYN_NO_SYNACK && out->vantage != VANTAGE_SERVER))
        snprintf(out->scenario, sizeof out->scenario, "%s", f.s1);
    sentence(out->code, out->vantage, &f, out->summary, sizeof out->summary);
}

/* ---- several captures ---- */

/* One attempt of one capture, while matching. */
struct rec {
    const struct tracker_attempt *a;
    unsigned cap;
    size_t group;
};

/* Collected attempts of one capture. */
struct coll {
    struct tracker_attempt *v;
    size_t n, cap;
};

/* tracker_each() callback: copies an attempt. */
static int
collect(const struct tracker_attempt *a, void *arg)
{
    struct coll *c = arg;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 256;
        struct tracker_attempt *nv = realloc(c->v, nc * sizeof *nv);
        if (nv == NULL)
            return 1;
        c->v = nv;
        c->cap = nc;
    }
    c->v[c->n++] = *a;
    return 0;
}

/* qsort order of records: ISN, then capture, then time. */
static int
cmp_rec(const void *x, const void *y)
{
    const struct rec *a = x, *b = y;
    if (a->a->isn != b->a->isn)
        return a->a->isn < b->a->isn ? -1 : 1;
    if (a->cap != b->cap)
        return a->cap < b->cap ? -1 : 1;
    if (a->a->t_first != b->a->t_first)
        return a->a->t_first < b->a->t_first ? -1 : 1;
    return 0;
}

/* 1 when two attempts have the same 4-tuple. */
static int
same_tuple(const struct tracker_attempt *a, const struct tracker_attempt *b)
{
    return a->cport == b->cport && a->sport == b->sport &&
           decode_addr_equal(&a->client, &b->client) && decode_addr_equal(&a->server, &b->server);
}

/* 1 when two SYNs with the same ISN look like one SYN rewritten by NAT:
 * same option layout, and the same TSval when both carry timestamps. */
static int
same_syn_nat(const struct tracker_attempt *a, const struct tracker_attempt *b)
{
    if (a->syn_opts.signature != b->syn_opts.signature)
        return 0;
    if ((a->syn_opts.present & TCPO_TS) && (b->syn_opts.present & TCPO_TS))
        return a->syn_opts.tsval == b->syn_opts.tsval;
    return (a->syn_opts.present & TCPO_TS) == (b->syn_opts.present & TCPO_TS);
}

/* How far a handshake got: the order in which tracker.c lets a class
 * override another. */
static int
progress(enum hs_class cls)
{
    switch (cls) {
    case HS_ESTABLISHED: return 4;
    case HS_SYNACK_NO_ACK: return 3;
    case HS_REFUSED: return 2;
    case HS_UNREACHABLE: return 1;
    default: return 0;
    }
}

/* Matching state of one group (one attempt seen by one or more captures). */
struct group {
    struct path_attempt pa;
    int cls[VERDICT_MAX_CAPTURES];   /* class per capture, -1 not seen */
    const struct tracker_attempt *att[VERDICT_MAX_CAPTURES];
    uint64_t t_first[VERDICT_MAX_CAPTURES];
    uint64_t t_min;                  /* earliest first SYN in any capture */
};

/* qsort order of groups: by earliest SYN. */
static int
cmp_group(const void *x, const void *y)
{
    const struct group *a = x, *b = y;
    if (a->t_min != b->t_min)
        return a->t_min < b->t_min ? -1 : 1;
    return a->pa.a.id < b->pa.a.id ? -1 : a->pa.a.id > b->pa.a.id;
}

/* The median of a TTL histogram (0 when empty). */
static unsigned
median_ttl(const uint64_t h[256])
{
    uint64_t n = 0, acc = 0;
    for (unsigned i = 0; i < 256; i++)
        n += h[i];
    if (n == 0)
        return 0;
    for (unsigned i = 0; i < 256; i++) {
        acc += h[i];
        if (acc * 2 >= n)
            return i;
    }
    return 0;
}

/* The display name of capture I. */
static const char *
cap_name(const struct verdict_input *in, size_t i, char *buf, size_t len)
{
    if (in != NULL && in->names != NULL && in->names[i] != NULL)
        return in->names[i];
    snprintf(buf, len, "capture %zu", i + 1);
    return buf;
}

/* Matches attempts across captures and classifies each. */
int
verdict_paths(const struct tracker *const *trackers, size_t n,
              const struct verdict_input *in, struct path_report *out, char **cause)
{
    struct coll coll[VERDICT_MAX_CAPTURES];
    struct rec *recs = NULL;
    struct group *groups = NULL;
    size_t nrec = 0, ngroups = 0;
    long score[VERDICT_MAX_CAPTURES];
    uint64_t cover_from[VERDICT_MAX_CAPTURES];
    struct tracker_stats st[VERDICT_MAX_CAPTURES];
    int pos[VERDICT_MAX_CAPTURES];

    memset(out, 0, sizeof *out);
    if (n == 0 || n > VERDICT_MAX_CAPTURES) {
        if (cause)
            *cause = strdup(n == 0 ? "no capture to match"
                                   : "too many captures to match (at most 16)");
        return -1;
    }
    memset(coll, 0, sizeof coll);
    out->ncaptures = n;
    for (size_t i = 0; i < n; i++) {
        uint64_t syn[256];
        tracker_each(trackers[i], collect, &coll[i]);
        nrec += coll[i].n;
        tracker_ttls(trackers[i], syn, NULL);
        out->median_ttl[i] = median_ttl(syn);
        out->vantage[i] = verdict_vantage(trackers[i], NULL, 0);
        tracker_stats(trackers[i], &st[i]);
        score[i] = 0;
    }
    /* A capture vouches for missing SYNs only over the time it ran and, when
       its table evicted attempts, only from its oldest attempt still known. */
    for (size_t i = 0; i < n; i++) {
        cover_from[i] = st[i].ts_first;
        if (st[i].evicted > 0 && coll[i].n > 0 && coll[i].v[0].t_first > cover_from[i])
            cover_from[i] = coll[i].v[0].t_first;
    }
    recs = malloc((nrec ? nrec : 1) * sizeof *recs);
    groups = calloc(nrec ? nrec : 1, sizeof *groups);
    if (recs == NULL || groups == NULL)
        goto oom;
    nrec = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < coll[i].n; j++)
            recs[nrec++] = (struct rec){ &coll[i].v[j], (unsigned)i, 0 };
    qsort(recs, nrec, sizeof *recs, cmp_rec);

    /* Group records with the same ISN: same 4-tuple first, else NAT-like. */
    for (size_t r0 = 0; r0 < nrec;) {
        size_t r1 = r0;
        while (r1 < nrec && recs[r1].a->isn == recs[r0].a->isn)
            r1++;
        size_t gfirst = ngroups;
        for (size_t r = r0; r < r1; r++) {
            const struct tracker_attempt *a = recs[r].a;
            unsigned ci = recs[r].cap;
            size_t g = SIZE_MAX;
            int nat = 0;
            for (size_t k = gfirst; k < ngroups && g == SIZE_MAX; k++)
                if (groups[k].cls[ci] < 0 && same_tuple(&groups[k].pa.a, a))
                    g = k;
            for (size_t k = gfirst; k < ngroups && g == SIZE_MAX; k++)
                if (groups[k].cls[ci] < 0 && same_syn_nat(&groups[k].pa.a, a)) {
                    g = k;
                    nat = 1;
                }
            if (g == SIZE_MAX) {
                g = ngroups++;
                struct group *ng = &groups[g];
                ng->pa.a = *a;
                ng->pa.last_seen = -1;
                ng->t_min = a->t_first;
                for (size_t i = 0; i < VERDICT_MAX_CAPTURES; i++)
                    ng->cls[i] = -1;
            }
            struct group *gr = &groups[g];
            gr->cls[ci] = (int)a->cls;
            gr->att[ci] = a;
            gr->t_first[ci] = a->t_first;
            gr->pa.syn_seen |= 1u << ci;
            if (a->synack_count > 0)
                gr->pa.synack_seen |= 1u << ci;
            gr->pa.syn_ttl[ci] = a->syn_ttl;
            gr->pa.nat |= nat;
            if (a->t_first < gr->t_min)
                gr->t_min = a->t_first;
        }
        r0 = r1;
    }

    /* Order the captures: in each group a higher TTL of the same SYN is upstream. */
    for (size_t g = 0; g < ngroups; g++) {
        const struct group *gr = &groups[g];
        for (size_t i = 0; i < n; i++) {
            if (gr->cls[i] < 0)
                continue;
            for (size_t j = 0; j < n; j++)
                if (j != i && gr->cls[j] >= 0)
                    score[i] += gr->pa.syn_ttl[i] > gr->pa.syn_ttl[j] ? 1
                              : gr->pa.syn_ttl[i] < gr->pa.syn_ttl[j] ? -1 : 0;
        }
    }
    for (size_t i = 0; i < n; i++)
        out->order[i] = i;
    for (size_t i = 1; i < n; i++) {   /* insertion sort: score, then median TTL */
        size_t x = out->order[i], j = i;
        while (j > 0) {
            size_t y = out->order[j - 1];
            int before = score[x] > score[y] ||
                         (score[x] == score[y] && out->median_ttl[x] > out->median_ttl[y]);
            if (!before)
                break;
            out->order[j] = y;
            j--;
        }
        out->order[j] = x;
    }
    for (size_t p = 0; p < n; p++)
        pos[out->order[p]] = (int)p;

    /* Classify each group. */
    for (size_t g = 0; g < ngroups; g++) {
        struct group *gr = &groups[g];
        struct path_attempt *pa = &gr->pa;
        int up = -1, down = -1;
        for (size_t p = 0; p < n; p++) {
            size_t i = out->order[p];
            if (gr->cls[i] >= 0) {
                if (up < 0)
                    up = (int)p;
                down = (int)p;
            }
        }
        size_t ui = out->order[up], di = out->order[down];
        pa->last_seen = (int)di;
        pa->a = *gr->att[ui];   /* as the most upstream capture saw it */
        /* the furthest any capture got (captures at the same point may
           differ, e.g. one saw the ICMP error and the other did not) */
        enum hs_class ucls = (enum hs_class)gr->cls[ui];
        for (size_t i = 0; i < n; i++)
            if (gr->cls[i] >= 0 && progress((enum hs_class)gr->cls[i]) > progress(ucls))
                ucls = (enum hs_class)gr->cls[i];
        pa->code = verdict_from_class(ucls);
        /* path_drop: silent loss upstream, a later capture running then lacks the SYN */
        if (ucls == HS_SYN_NO_SYNACK) {
            int missing = 0;
            for (size_t p = (size_t)down + 1; p < n && !missing; p++) {
                size_t i = out->order[p];
                uint64_t t0 = gr->t_first[ui];
                if (st[i].packets > 0 && t0 >= cover_from[i] && t0 <= st[i].ts_last)
                    missing = 1;
            }
            if (missing && !(pa->synack_seen & (1u << di)))
                pa->code = VERDICT_PATH_DROP;
        }
        /* return_path_drop: a SYN-ACK seen downstream, missing at a capture upstream of it */
        if (pa->code != VERDICT_PATH_DROP && pa->synack_seen) {
            int lowest_synack = -1;
            for (size_t p = 0; p < n; p++)
                if (pa->synack_seen & (1u << out->order[p])) {
                    lowest_synack = (int)p;
                    break;
                }
            for (int p = 0; p < lowest_synack; p++) {
                size_t i = out->order[p];
                if (gr->cls[i] >= 0) {
                    pa->code = VERDICT_RETURN_PATH_DROP;
                    break;
                }
            }
        }
        out->by_code[pa->code]++;
        if ((pa->syn_seen & (pa->syn_seen - 1)) != 0)   /* two bits or more */
            out->matched++;
    }
    out->total = ngroups;

    qsort(groups, ngroups, sizeof *groups, cmp_group);
    out->attempts = calloc(ngroups ? ngroups : 1, sizeof *out->attempts);
    if (out->attempts == NULL)
        goto oom;
    for (size_t g = 0; g < ngroups; g++)
        out->attempts[g] = groups[g].pa;
    out->nattempts = ngroups;

    /* Combined verdict. */
    static const enum verdict_code order[] = {
        VERDICT_PATH_DROP, VERDICT_RETURN_PATH_DROP, VERDICT_SYN_NO_SYNACK,
        VERDICT_UNREACHABLE, VERDICT_REFUSED, VERDICT_SYNACK_NO_ACK
    };
    struct verdict *v = &out->verdict;
    v->code = ngroups == 0 ? VERDICT_NO_SYN : VERDICT_HANDSHAKE_OK;
    for (size_t k = 0; k < sizeof order / sizeof order[0] && ngroups > 0; k++)
        if (out->by_code[order[k]]) {
            v->code = order[k];
            break;
        }
    const char *s = scenario_of(in, v->code);
    if (s)
        snprintf(v->scenario, sizeof v->scenario, "%s", s);
    v->vantage = out->vantage[out->order[n - 1]];
    const struct path_attempt *ex = NULL;
    for (size_t g = 0; g < out->nattempts && ex == NULL; g++)
        if (out->attempts[g].code == v->code)
            ex = &out->attempts[g];
    char n1[32], n2[32], sc[32];
    if (v->code == VERDICT_PATH_DROP && ex != NULL) {
        int p = pos[ex->last_seen];
        size_t next = out->order[(size_t)p + 1 < n ? (size_t)p + 1 : (size_t)p];
        snprintf(v->summary, sizeof v->summary,
                 "The SYN is seen at %s and never reaches %s: a device between them drops "
                 "it%s.", cap_name(in, (size_t)ex->last_seen, n1, sizeof n1),
                 cap_name(in, next, n2, sizeof n2), scen(s, sc, sizeof sc, ": Scenario %s"));
    } else if (v->code == VERDICT_RETURN_PATH_DROP && ex != NULL) {
        size_t from = 0, to = out->order[0];
        for (size_t p = 0; p < n; p++)
            if (ex->synack_seen & (1u << out->order[p])) {
                from = out->order[p];
                break;
            }
        for (size_t p = 0; p < n; p++)
            if (ex->syn_seen & (1u << out->order[p])) {
                to = out->order[p];
                break;
            }
        snprintf(v->summary, sizeof v->summary,
                 "The SYN-ACK leaves the server (seen at %s) and never reaches %s: the return "
                 "path drops it%s.", cap_name(in, from, n1, sizeof n1),
                 cap_name(in, to, n2, sizeof n2), scen(s, sc, sizeof sc, ": Scenario %s"));
    } else {
        struct facts f;
        struct tracker_icmp icmp;
        struct tracker_attempt tmp;
        static const enum hs_class cls_of[VERDICT_NCODES] = {
            [VERDICT_SYN_NO_SYNACK] = HS_SYN_NO_SYNACK, [VERDICT_UNREACHABLE] = HS_UNREACHABLE,
            [VERDICT_REFUSED] = HS_REFUSED, [VERDICT_SYNACK_NO_ACK] = HS_SYNACK_NO_ACK,
            [VERDICT_HANDSHAKE_OK] = HS_ESTABLISHED, [VERDICT_NO_SYN] = HS_ESTABLISHED,
        };
        size_t src = out->order[0];   /* the most upstream capture that saw the class */
        for (size_t p = 0; p < n; p++)
            if (tracker_example(trackers[out->order[p]], cls_of[v->code], &tmp) == 0) {
                src = out->order[p];
                break;
            }
        facts_of(trackers[src], in, v->code, &f, &icmp);
        /* an unanswered SYN is judged where it was last seen: only a capture at
           the server tells scenario 1 from a drop further on */
        if (v->code == VERDICT_SYN_NO_SYNACK && ex != NULL && ex->last_seen >= 0)
            v->vantage = out->vantage[ex->last_seen];
        v->scenario[0] = 0;
        if (f.s1 && !(v->code == VERDICT_SYN_NO_SYNACK && v->vantage != VANTAGE_SERVER))
            snprintf(v->scenario, sizeof v->scenario, "%s", f.s1);
        sentence(v->code, v->vantage, &f, v->summary, sizeof v->summary);
    }

    for (size_t i = 0; i < n; i++)
        free(coll[i].v);
    free(recs);
    free(groups);
    return 0;
oom:
    for (size_t i = 0; i < n; i++)
        free(coll[i].v);
    free(recs);
    free(groups);
    verdict_paths_free(out);
    if (cause)
        *cause = strdup("out of memory while matching captures");
    return -1;
}

/* Frees what verdict_paths() allocated. */
void
verdict_paths_free(struct path_report *r)
{
    if (r == NULL)
        return;
    free(r->attempts);
    r->attempts = NULL;
    r->nattempts = 0;
}
