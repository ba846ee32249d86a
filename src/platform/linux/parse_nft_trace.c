/* parse_nft_trace.c: `nft -a monitor trace` lines, and the follower that
 * turns them into one decision per packet (include/probe_parse_linux.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_parse_linux.h"
#include "text.h"

/* ---- nft monitor trace ----------------------------------------------------- */

/* Copies the word after KEY (e.g. "tcp dport ") in LINE into BUF; 0 when absent. */
static int word_after(const char *line, const char *key, char *buf, size_t len)
{
    const char *p = strstr(line, key);
    if (!p)
        return 0;
    p += strlen(key);
    size_t n = 0;
    if (*p == '"') {
        p++;
        while (p[n] && p[n] != '"')
            n++;
    } else {
        while (p[n] && p[n] != ' ')
            n++;
    }
    if (n >= len)
        n = len - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 1;
}

/* Parses "trace id ID FAMILY TABLE CHAIN (packet: ...|rule ... (verdict V)|policy P|verdict V)". */
enum trace_kind probe_parse_trace_line(const char *line, struct trace_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->handle = -1;
    int off = 0;
    if (sscanf(line, "trace id %15s %7s %63s %63s %n", ev->id, ev->family, ev->table, ev->chain, &off) != 4 ||
        off == 0)
        return TRACE_OTHER;
    const char *rest = line + off;
    char w[64];
    if (!strncmp(rest, "packet:", 7)) {
        if (!word_after(rest, "ip saddr ", ev->source, sizeof ev->source))
            word_after(rest, "ip6 saddr ", ev->source, sizeof ev->source);
        word_after(rest, "iif ", ev->iif, sizeof ev->iif);
        if (word_after(rest, "tcp sport ", w, sizeof w))
            ev->sport = (uint16_t)atoi(w);
        if (word_after(rest, "tcp dport ", w, sizeof w))
            ev->dport = (uint16_t)atoi(w);
        return TRACE_PACKET;
    }
    int unknown = !strncmp(rest, "unknown rule ", 13);    /* added after the monitor started */
    if (!strncmp(rest, "rule ", 5) || unknown) {
        const char *body = rest + (unknown ? 8 : 5);
        const char *vd = strstr(body, "(verdict ");
        size_t n = vd ? (size_t)(vd - body) : strlen(body);
        while (n > 0 && body[n - 1] == ' ')
            n--;
        char text[256];
        if (n >= sizeof text)
            n = sizeof text - 1;
        memcpy(text, body, n);
        text[n] = '\0';
        char *h = strstr(text, " # handle ");
        if (h) {
            ev->handle = atol(h + 10);
            *h = '\0';
        }
        if (unknown)
            ev->handle = strncmp(body, "handle ", 7) ? -1 : atol(body + 7);
        text_copy(ev->text, sizeof ev->text, unknown ? "a rule nft could not show (added after the trace began)" : text);
        if (vd) {
            char v[32] = "";
            sscanf(vd, "(verdict %31[a-z]", v);
            text_copy(ev->verdict, sizeof ev->verdict, v);
        }
        return TRACE_RULE;
    }
    if (!strncmp(rest, "policy ", 7)) {
        char v[16] = "";
        sscanf(rest + 7, "%15s", v);
        ev->verdict[0] = '\0';
        text_append(ev->verdict, sizeof ev->verdict, "policy-%s", v);
        text_fmt(ev->text, sizeof ev->text, "policy %s", v);
        return TRACE_POLICY;
    }
    if (!strncmp(rest, "verdict ", 8)) {
        char v[16] = "";
        sscanf(rest + 8, "%15s", v);
        text_copy(ev->verdict, sizeof ev->verdict, v);
        return TRACE_VERDICT;
    }
    return TRACE_OTHER;
}

/* Finds (or makes) the slot of trace ID in ST; -1 when full. */
static int trace_slot(struct trace_state *st, const char *id, int make)
{
    for (int i = 0; i < TRACE_PENDING; i++)
        if (st->used[i] && !strcmp(st->pkt[i].id, id))
            return i;
    if (!make)
        return -1;
    for (int i = 0; i < TRACE_PENDING; i++)
        if (!st->used[i]) {
            st->used[i] = 1;
            st->decided[i] = 0;
            st->ours[i] = 0;
            memset(&st->pkt[i], 0, sizeof st->pkt[i]);
            text_copy(st->pkt[i].id, sizeof st->pkt[i].id, id);
            st->pkt[i].handle = -1;
            return i;
        }
    return -1;
}

/* Marks packet I, which no chain outside the trace table decided, as accepted. */
static void trace_undecided(struct trace_state *st, int i)
{
    if (st->decided[i])
        return;
    struct trace_event *p = &st->pkt[i];
    text_copy(p->verdict, sizeof p->verdict, "accept");
    text_copy(p->text, sizeof p->text, "no chain besides the trace chain saw it: nothing filters it");
    p->handle = -1;
}

/* Whether packet I is one the caller's own trace marked. */
static int trace_mine(const struct trace_state *st, int i)
{
    return !st->ignore_table || st->ours[i];
}

/* Hands packet I out as final in OUT (1), or forgets it when another trace
 * marked it (0). */
static int trace_finish(struct trace_state *st, int i, struct trace_event *out)
{
    st->used[i] = 0;
    if (!trace_mine(st, i))
        return 0;
    trace_undecided(st, i);
    *out = st->pkt[i];
    return 1;
}

/* Copies the packet fields of EV into slot S, the first time only. */
static void trace_packet(struct trace_state *st, int s, const struct trace_event *ev)
{
    struct trace_event *p = &st->pkt[s];
    if (p->dport)
        return;
    text_copy(p->source, sizeof p->source, ev->source);
    text_copy(p->iif, sizeof p->iif, ev->iif);
    p->sport = ev->sport;
    p->dport = ev->dport;
}

/* Feeds one trace line; 1 when OUT holds a final decision. */
int probe_parse_trace_feed(struct trace_state *st, const char *line, struct trace_event *out)
{
    struct trace_event ev;
    enum trace_kind k = probe_parse_trace_line(line, &ev);
    if (k == TRACE_OTHER)
        return 0;
    /* Another packet's lines begin: an accepted packet before it is complete
     * (the kernel traces one packet from prerouting to input in one go). */
    int done = 0;
    for (int i = 0; i < TRACE_PENDING && !done; i++)
        if (st->used[i] && (st->decided[i] || st->pkt[i].dport) && strcmp(st->pkt[i].id, ev.id))
            done = trace_finish(st, i, out);
    int s = trace_slot(st, ev.id, 1);
    if (s < 0)
        return done;
    if (k == TRACE_PACKET) {
        trace_packet(st, s, &ev);
        return done;
    }
    if (st->ignore_table && k == TRACE_RULE && !strcmp(ev.table, st->ignore_table))
        st->ours[s] = 1;
    if (!strncmp(ev.table, PROBE_TRACE_TABLE_PREFIX, strlen(PROBE_TRACE_TABLE_PREFIX)))
        return done;
    const char *v = ev.verdict;
    int drop = !strcmp(v, "drop") || !strcmp(v, "policy-drop") || !strcmp(v, "reject");
    int accept = !strcmp(v, "accept") || !strcmp(v, "policy-accept");
    if (!drop && !accept)
        return done;
    struct trace_event *p = &st->pkt[s];
    text_copy(p->family, sizeof p->family, ev.family);
    text_copy(p->table, sizeof p->table, ev.table);
    text_copy(p->chain, sizeof p->chain, ev.chain);
    text_copy(p->verdict, sizeof p->verdict, v);
    text_copy(p->text, sizeof p->text, ev.text);
    p->handle = ev.handle;
    if (drop && strstr(ev.text, "reject"))
        text_fmt(p->verdict, sizeof p->verdict, "reject");
    st->decided[s] = 1;
    /* a drop is final, unless OUT is taken already: then the next line or the flush hands it out */
    return done ? done : drop ? trace_finish(st, s, out) : 0;
}

/* Returns one pending accepted packet. */
int probe_parse_trace_flush(struct trace_state *st, struct trace_event *out)
{
    for (int i = 0; i < TRACE_PENDING; i++)
        if (st->used[i] && (st->decided[i] || st->pkt[i].dport) && trace_finish(st, i, out))
            return 1;
    for (int i = 0; i < TRACE_PENDING; i++)
        st->used[i] = 0;
    return 0;
}
