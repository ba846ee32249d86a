/* parse_nft_json.c: an nftables ruleset (`nft -j list ruleset`, read with
 * jansson) evaluated for a TCP SYN (include/probe_parse_linux.h).
 *
 * The evaluators (this one and parse_iptables.c) model one packet: a TCP SYN
 * (flags == syn) from another machine (not on lo; conntrack state new) to
 * PORT over IPv4 or IPv6. A match on something the model does not know (source address, a named interface, a
 * mark, an xt match) is "maybe": the rule is reported as conditional and the
 * evaluation goes on as if it did not match, i.e. for a client the rule does
 * not single out. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_fw.h"
#include "probe_parse.h"
#include "probe_parse_linux.h"
#include "text.h"

/* ---- nftables JSON ------------------------------------------------------- */

/* The packet being evaluated. */
struct pkt {
    uint16_t port;
    int family;              /* 4 or 6 */
};

/* A chain of the ruleset with its rules in order. */
struct nchain {
    const char *family, *table, *name, *hook, *type, *policy;
    long prio;
    int base;
    json_t **rules;
    size_t nrules, caprules;
};

/* The parsed ruleset. */
struct nruleset {
    json_t *root;
    struct nchain *chains;
    size_t nchains;
    json_t **sets;
    size_t nsets;
    const char *skip;
};

/* Evaluation state. */
struct neval {
    struct nruleset *rs;
    struct pkt pkt;
    struct fw_decision *d;
    int depth;
};

/* String member K of O, or "". */
static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Finds a chain by family, table and name. */
static struct nchain *find_chain(struct nruleset *rs, const char *fam, const char *table, const char *name)
{
    for (size_t i = 0; i < rs->nchains; i++) {
        struct nchain *c = &rs->chains[i];
        if (!strcmp(c->family, fam) && !strcmp(c->table, table) && !strcmp(c->name, name))
            return c;
    }
    return NULL;
}

/* Finds a named set's object. */
static json_t *find_set(struct nruleset *rs, const char *fam, const char *table, const char *name)
{
    for (size_t i = 0; i < rs->nsets; i++) {
        json_t *s = rs->sets[i];
        if (!strcmp(jstr(s, "family"), fam) && !strcmp(jstr(s, "table"), table) &&
            !strcmp(jstr(s, "name"), name))
            return s;
    }
    return NULL;
}

/* Writes the printable form of an nft JSON value (right-hand side) to BUF. */
static void nft_value_text(json_t *v, char *buf, size_t len)
{
    buf[0] = '\0';
    if (json_is_integer(v)) {
        text_fmt(buf, len, "%lld", (long long)json_integer_value(v));
    } else if (json_is_string(v)) {
        text_copy(buf, len, json_string_value(v));
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            char t[64];
            nft_value_text(e, t, sizeof t);
            text_append(buf, len, "%s%s", i ? "," : "", t);
        }
    } else if (json_is_object(v)) {
        json_t *x;
        if ((x = json_object_get(v, "set")) && json_is_array(x)) {
            text_append(buf, len, "{ ");
            size_t i;
            json_t *e;
            json_array_foreach(x, i, e) {
                char t[64];
                nft_value_text(e, t, sizeof t);
                text_append(buf, len, "%s%s", i ? ", " : "", t);
            }
            text_append(buf, len, " }");
        } else if ((x = json_object_get(v, "set"))) {
            nft_value_text(x, buf, len);
        } else if ((x = json_object_get(v, "range")) && json_array_size(x) == 2) {
            char a[32], b[32];
            nft_value_text(json_array_get(x, 0), a, sizeof a);
            nft_value_text(json_array_get(x, 1), b, sizeof b);
            text_fmt(buf, len, "%s-%s", a, b);
        } else if ((x = json_object_get(v, "prefix"))) {
            char a[64];
            nft_value_text(json_object_get(x, "addr"), a, sizeof a);
            text_fmt(buf, len, "%s/%lld", a, (long long)json_integer_value(json_object_get(x, "len")));
        } else if ((x = json_object_get(v, "payload"))) {
            const char *proto = jstr(x, "protocol");
            text_fmt(buf, len, "%s %s", !strcmp(proto, "th") ? "th" : proto, jstr(x, "field"));
        } else if ((x = json_object_get(v, "meta"))) {
            const char *k = jstr(x, "key");
            if (!strcmp(k, "iifname") || !strcmp(k, "oifname") || !strcmp(k, "iif") || !strcmp(k, "oif") ||
                !strcmp(k, "mark") || !strcmp(k, "nftrace"))
                text_copy(buf, len, k);
            else
                text_fmt(buf, len, "meta %s", k);
        } else if ((x = json_object_get(v, "ct"))) {
            text_fmt(buf, len, "ct %s", jstr(x, "key"));
        } else if ((x = json_object_get(v, "fib"))) {
            char f[48];
            nft_value_text(json_object_get(x, "flags"), f, sizeof f);
            text_fmt(buf, len, "fib %s %s", f, jstr(x, "result"));
        } else if ((x = json_object_get(v, "&")) && json_array_size(x) == 2) {
            char a[64], b[64] = "";
            nft_value_text(json_array_get(x, 0), a, sizeof a);
            json_t *mask = json_array_get(x, 1);
            if (json_is_array(mask)) {
                size_t i;
                json_t *e;
                json_array_foreach(mask, i, e) text_append(b, sizeof b, "%s%s", i ? " | " : "(", json_string_value(e) ? json_string_value(e) : "?");
                text_append(b, sizeof b, ")");
            } else {
                nft_value_text(mask, b, sizeof b);
            }
            text_fmt(buf, len, "%s & %s", a, b);
        } else if ((x = json_object_get(v, "elem"))) {
            nft_value_text(json_object_get(x, "val"), buf, len);
        } else {
            const char *k = json_object_iter_key(json_object_iter(v));
            text_copy(buf, len, k ? k : "?");
        }
    }
}

/* Writes a readable form of one rule's expressions, close to what nft prints. */
static void nft_rule_text(json_t *rule, char *buf, size_t len)
{
    buf[0] = '\0';
    json_t *expr = json_object_get(rule, "expr");
    size_t i;
    json_t *e;
    json_array_foreach(expr, i, e) {
        char t[200] = "";
        json_t *x;
        if ((x = json_object_get(e, "match"))) {
            char l[64], r[128];
            nft_value_text(json_object_get(x, "left"), l, sizeof l);
            nft_value_text(json_object_get(x, "right"), r, sizeof r);
            const char *op = jstr(x, "op");
            json_t *left = json_object_get(x, "left");
            int quote = json_is_object(json_object_get(left, "meta")) &&
                        strstr(jstr(json_object_get(left, "meta"), "key"), "name");
            if ((!strcmp(op, "==") && !json_object_get(left, "&")) || !strcmp(op, "in"))
                text_fmt(t, sizeof t, quote ? "%s \"%s\"" : "%s %s", l, r);
            else
                text_fmt(t, sizeof t, quote ? "%s %s \"%s\"" : "%s %s %s", l, op, r);
        } else if ((x = json_object_get(e, "counter"))) {
            if (json_is_object(x) && json_object_get(x, "packets"))
                text_fmt(t, sizeof t, "counter packets %lld bytes %lld",
                         (long long)json_integer_value(json_object_get(x, "packets")),
                         (long long)json_integer_value(json_object_get(x, "bytes")));
            else
                text_fmt(t, sizeof t, "counter");
        } else if ((x = json_object_get(e, "log"))) {
            const char *p = jstr(x, "prefix");
            if (*p)
                text_fmt(t, sizeof t, "log prefix \"%s\"", p);
            else
                text_fmt(t, sizeof t, "log");
        } else if ((x = json_object_get(e, "reject"))) {
            const char *ty = jstr(x, "type");
            const char *ex = jstr(x, "expr");
            if (*ty && *ex)
                text_fmt(t, sizeof t, "reject with %s %s", ty, ex);
            else if (*ty)
                text_fmt(t, sizeof t, "reject with %s", ty);
            else
                text_fmt(t, sizeof t, "reject");
        } else if ((x = json_object_get(e, "jump")) || (x = json_object_get(e, "goto"))) {
            text_fmt(t, sizeof t, "%s %s", json_object_get(e, "jump") ? "jump" : "goto", jstr(x, "target"));
        } else if ((x = json_object_get(e, "vmap"))) {
            char k[64];
            nft_value_text(json_object_get(x, "key"), k, sizeof k);
            text_fmt(t, sizeof t, "%s vmap { ", k);
            size_t j;
            json_t *pair;
            json_array_foreach(json_object_get(json_object_get(x, "data"), "set"), j, pair) {
                char kv[64];
                nft_value_text(json_array_get(pair, 0), kv, sizeof kv);
                json_t *vd = json_array_get(pair, 1);
                const char *w = json_object_iter_key(json_object_iter(vd));
                json_t *tg = json_object_get(json_object_get(vd, w ? w : ""), "target");
                text_append(t, sizeof t, "%s%s : %s%s%s", j ? ", " : "", kv, w ? w : "?", tg ? " " : "",
                       tg ? json_string_value(tg) : "");
            }
            text_append(t, sizeof t, " }");
        } else if ((x = json_object_get(e, "limit"))) {
            text_fmt(t, sizeof t, "limit rate %lld/%s", (long long)json_integer_value(json_object_get(x, "rate")),
                     jstr(x, "per"));
        } else {
            const char *k = json_object_iter_key(json_object_iter(e));
            text_copy(t, sizeof t, k ? k : "?");
        }
        text_append(buf, len, "%s%s", i ? " " : "", t);
    }
}

/* Compares integer V with right-hand side R (number, range, set, @set); T_MAYBE when unknown. */
static enum tri nft_int_in(struct neval *ev, json_t *rule, long long v, json_t *r);

/* Whether element E (number, range, elem wrapper, string service) contains V. */
static enum tri nft_elem_has(struct neval *ev, json_t *rule, long long v, json_t *e)
{
    if (json_is_integer(e))
        return json_integer_value(e) == v ? T_YES : T_NO;
    if (json_is_object(e) && json_object_get(e, "elem"))
        return nft_elem_has(ev, rule, v, json_object_get(json_object_get(e, "elem"), "val"));
    if (json_is_object(e) && json_object_get(e, "range")) {
        json_t *rg = json_object_get(e, "range");
        json_t *a = json_array_get(rg, 0), *b = json_array_get(rg, 1);
        if (!json_is_integer(a) || !json_is_integer(b))
            return T_MAYBE;
        return v >= json_integer_value(a) && v <= json_integer_value(b) ? T_YES : T_NO;
    }
    if (json_is_string(e) || json_is_object(e))
        return nft_int_in(ev, rule, v, e);
    return T_MAYBE;
}

/* Whether V is among ELEMS: one element, or an array of them (a set's "elem"
 * list or an anonymous set); T_MAYBE when one of them cannot be told. */
static enum tri nft_elems_have(struct neval *ev, json_t *rule, long long v, json_t *elems)
{
    if (!json_is_array(elems))
        return nft_elem_has(ev, rule, v, elems);
    enum tri res = T_NO;
    size_t i;
    json_t *e;
    json_array_foreach(elems, i, e) {
        enum tri t = nft_elem_has(ev, rule, v, e);
        if (t == T_YES)
            return T_YES;
        if (t == T_MAYBE)
            res = T_MAYBE;
    }
    return res;
}

static enum tri nft_int_in(struct neval *ev, json_t *rule, long long v, json_t *r)
{
    if (json_is_integer(r) || (json_is_object(r) && (json_object_get(r, "range") || json_object_get(r, "elem"))))
        return nft_elem_has(ev, rule, v, r);
    if (json_is_string(r)) {
        const char *s = json_string_value(r);
        if (s[0] == '@') {
            json_t *set = find_set(ev->rs, jstr(rule, "family"), jstr(rule, "table"), s + 1);
            if (!set)
                return T_MAYBE;
            json_t *elem = json_object_get(set, "elem");
            return elem ? nft_elems_have(ev, rule, v, elem) : T_NO;
        }
        char *end;
        long long n = strtoll(s, &end, 10);
        if (!*end && end != s)
            return n == v ? T_YES : T_NO;
        /* A service name such as "microsoft-ds": only a few are known here. */
        static const struct { const char *name; int port; } svc[] = {
            { "microsoft-ds", 445 }, { "netbios-ssn", 139 }, { "ssh", 22 }, { "http", 80 },
            { "https", 443 }, { "domain", 53 },
        };
        for (size_t i = 0; i < sizeof svc / sizeof svc[0]; i++)
            if (!strcmp(s, svc[i].name))
                return svc[i].port == v ? T_YES : T_NO;
        return T_MAYBE;
    }
    json_t *set = json_object_get(r, "set");
    return set ? nft_elems_have(ev, rule, v, set) : T_MAYBE;
}

/* Whether string value V is in R (a string, a list, or an anonymous set of strings). */
static enum tri nft_str_in(const char *v, json_t *r)
{
    if (json_is_string(r))
        return !strcmp(json_string_value(r), v) ? T_YES : T_NO;
    if (json_is_object(r) && json_object_get(r, "set"))
        return nft_str_in(v, json_object_get(r, "set"));
    if (json_is_array(r)) {
        size_t i;
        json_t *e;
        json_array_foreach(r, i, e) if (nft_str_in(v, e) == T_YES) return T_YES;
        return T_NO;
    }
    return T_MAYBE;
}

/* Applies a comparison operator to a membership result. */
static enum tri apply_op(const char *op, enum tri in)
{
    if (in == T_MAYBE)
        return T_MAYBE;
    if (!strcmp(op, "!="))
        return in == T_YES ? T_NO : T_YES;
    return in;
}

/* TCP flag bits by name. */
static int tcp_flag_bits(json_t *v)
{
    static const char *names[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
    if (json_is_integer(v))
        return (int)json_integer_value(v);
    if (json_is_string(v)) {
        for (int i = 0; i < 8; i++)
            if (!strcmp(json_string_value(v), names[i]))
                return 1 << i;
        return -1;
    }
    if (json_is_object(v) && json_object_get(v, "set"))
        v = json_object_get(v, "set");
    if (json_is_object(v) && json_object_get(v, "|"))
        v = json_object_get(v, "|");
    if (json_is_array(v)) {
        int bits = 0;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            int b = tcp_flag_bits(e);
            if (b < 0)
                return -1;
            bits |= b;
        }
        return bits;
    }
    return -1;
}

/* Evaluates one match expression against the packet. */
static enum tri nft_match(struct neval *ev, json_t *rule, json_t *m)
{
    const char *op = jstr(m, "op");
    json_t *left = json_object_get(m, "left"), *right = json_object_get(m, "right");
    json_t *x;
    int v4 = ev->pkt.family == 4;
    if ((x = json_object_get(left, "payload"))) {
        const char *proto = jstr(x, "protocol"), *field = jstr(x, "field");
        if (!strcmp(proto, "ip") || !strcmp(proto, "ip6")) {
            if ((!strcmp(proto, "ip")) != v4)
                return T_NO; /* an ip match never matches an IPv6 packet, and the reverse */
            if (!strcmp(field, "protocol") || !strcmp(field, "nexthdr"))
                return apply_op(op, json_is_integer(right) ? (json_integer_value(right) == 6 ? T_YES : T_NO)
                                                           : nft_str_in("tcp", right));
            return T_MAYBE; /* addresses, ttl, ... */
        }
        if (!strcmp(proto, "tcp") || !strcmp(proto, "th")) {
            if (!strcmp(field, "dport"))
                return apply_op(op, nft_int_in(ev, rule, ev->pkt.port, right));
            if (!strcmp(field, "flags")) {
                int bits = tcp_flag_bits(right);
                if (bits < 0)
                    return T_MAYBE;
                int flags = 0x02; /* syn */
                if (!strcmp(op, "in"))
                    return (flags & bits) ? T_YES : T_NO;
                if (!strcmp(op, "=="))
                    return flags == bits ? T_YES : T_NO;
                if (!strcmp(op, "!="))
                    return flags != bits ? T_YES : T_NO;
                return T_MAYBE;
            }
            return T_MAYBE;
        }
        if (!strcmp(proto, "udp") || !strcmp(proto, "sctp") || !strcmp(proto, "icmp") ||
            !strcmp(proto, "icmpv6") || !strcmp(proto, "udplite") || !strcmp(proto, "dccp"))
            return !strcmp(op, "!=") ? T_MAYBE : T_NO;
        return T_MAYBE;
    }
    if ((x = json_object_get(left, "&")) && json_array_size(x) == 2) {
        json_t *inner = json_object_get(json_array_get(x, 0), "payload");
        if (inner && !strcmp(jstr(inner, "field"), "flags")) {
            int mask = tcp_flag_bits(json_array_get(x, 1)), want = tcp_flag_bits(right);
            if (mask < 0 || want < 0)
                return T_MAYBE;
            int got = 0x02 & mask;
            if (!strcmp(op, "==") || !strcmp(op, "in"))
                return got == want || (!strcmp(op, "in") && (got & want)) ? T_YES : T_NO;
            if (!strcmp(op, "!="))
                return got != want ? T_YES : T_NO;
        }
        return T_MAYBE;
    }
    if ((x = json_object_get(left, "meta"))) {
        const char *k = jstr(x, "key");
        if (!strcmp(k, "iifname") || !strcmp(k, "iif")) {
            /* A SYN from another machine never arrives on lo. */
            if (json_is_string(right) && !strcmp(json_string_value(right), "lo"))
                return apply_op(op, T_NO);
            if (json_is_object(right) && nft_str_in("lo", right) == T_YES && !strcmp(op, "!="))
                return T_YES;
            return T_MAYBE;
        }
        if (!strcmp(k, "l4proto") || !strcmp(k, "protocol") || !strcmp(k, "nfproto")) {
            const char *val = !strcmp(k, "l4proto") ? "tcp" : !strcmp(k, "nfproto") ? (v4 ? "ipv4" : "ipv6")
                                                                                       : (v4 ? "ip" : "ip6");
            if (json_is_integer(right) && !strcmp(k, "l4proto"))
                return apply_op(op, json_integer_value(right) == 6 ? T_YES : T_NO);
            return apply_op(op, nft_str_in(val, right));
        }
        if (!strcmp(k, "pkttype"))
            return apply_op(op, nft_str_in("host", right));
        return T_MAYBE;
    }
    if ((x = json_object_get(left, "fib"))) {
        /* fib daddr type local (nft's addrtype): a SYN to this host is to a local address */
        json_t *flags = json_object_get(x, "flags");
        int daddr = nft_str_in("daddr", flags) == T_YES;
        if (daddr && !strcmp(jstr(x, "result"), "type")) {
            if (nft_str_in("local", right) == T_YES || nft_str_in("unicast", right) == T_YES)
                return apply_op(op, T_YES);
            return apply_op(op, T_NO);
        }
        return T_MAYBE;
    }
    if ((x = json_object_get(left, "ct"))) {
        const char *k = jstr(x, "key");
        if (!strcmp(k, "state")) {
            /* A first SYN is ct state new; "in" and "==" test membership of the bit. */
            enum tri in = nft_str_in("new", right);
            return apply_op(op, in);
        }
        return T_MAYBE;
    }
    return T_MAYBE;
}

/* The value of a vmap key for the packet: an integer in *IV or a string in *SV. */
static int nft_key_value(struct neval *ev, json_t *key, long long *iv, const char **sv)
{
    json_t *x;
    if ((x = json_object_get(key, "payload")) && !strcmp(jstr(x, "field"), "dport") &&
        (!strcmp(jstr(x, "protocol"), "tcp") || !strcmp(jstr(x, "protocol"), "th"))) {
        *iv = ev->pkt.port;
        return 1;
    }
    if ((x = json_object_get(key, "ct")) && !strcmp(jstr(x, "key"), "state")) {
        *sv = "new";
        return 2;
    }
    if ((x = json_object_get(key, "meta")) && !strcmp(jstr(x, "key"), "l4proto")) {
        *sv = "tcp";
        return 2;
    }
    if ((x = json_object_get(key, "meta")) && !strcmp(jstr(x, "key"), "nfproto")) {
        *sv = ev->pkt.family == 4 ? "ipv4" : "ipv6";
        return 2;
    }
    if ((x = json_object_get(key, "meta")) && !strcmp(jstr(x, "key"), "iifname")) {
        return 0;
    }
    return 0;
}

static enum nres nft_chain(struct neval *ev, struct nchain *c);

/* Fills a firewall_rule from an nft rule object. */
static void nft_fill_rule(struct firewall_rule *fr, json_t *rule, const char *verdict, struct pkt *p)
{
    memset(fr, 0, sizeof *fr);
    nft_rule_text(rule, fr->text, sizeof fr->text);
    text_fmt(fr->table, sizeof fr->table, "%s %s", jstr(rule, "family"), jstr(rule, "table"));
    text_copy(fr->chain, sizeof fr->chain, jstr(rule, "chain"));
    json_t *h = json_object_get(rule, "handle");
    fr->handle = json_is_integer(h) ? (long)json_integer_value(h) : -1;
    text_copy(fr->verdict, sizeof fr->verdict, verdict);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(rule, "expr"), i, e) {
        json_t *c = json_object_get(e, "counter");
        if (c && json_is_integer(json_object_get(c, "packets")))
            fr->packets = (uint64_t)json_integer_value(json_object_get(c, "packets"));
    }
    fr->port = p->port;
    fr->family = p->family;
}

/* Executes a verdict object (accept, drop, reject, jump, goto, return, continue). */
static enum nres nft_verdict(struct neval *ev, json_t *rule, json_t *e, int *is_verdict)
{
    json_t *x;
    *is_verdict = 1;
    if (json_object_get(e, "accept"))
        return N_ACCEPT;
    if (json_object_get(e, "drop"))
        return N_DROP;
    if (json_object_get(e, "reject"))
        return N_REJECT;
    if (json_object_get(e, "return"))
        return N_RETURN;
    if (json_object_get(e, "continue"))
        return N_CONTINUE;
    int isgoto = 0;
    if ((x = json_object_get(e, "jump")) || ((x = json_object_get(e, "goto")) && (isgoto = 1))) {
        struct nchain *t = find_chain(ev->rs, jstr(rule, "family"), jstr(rule, "table"), jstr(x, "target"));
        if (!t || ev->depth > 16) {
            ev->d->unknown++;
            return N_CONTINUE;
        }
        ev->depth++;
        enum nres r = nft_chain(ev, t);
        ev->depth--;
        if (r == N_RETURN)
            r = N_CONTINUE;
        if (isgoto && r == N_CONTINUE)
            return N_RETURN; /* a goto never comes back: the caller's chain ends */
        return r;
    }
    *is_verdict = 0;
    return N_CONTINUE;
}

/* Records a rule that decides only some SYNs. */
static void add_cond(struct neval *ev, json_t *rule, const char *verdict)
{
    if (ev->d->ncond < sizeof ev->d->cond / sizeof ev->d->cond[0]) {
        struct firewall_rule *fr = &ev->d->cond[ev->d->ncond++];
        nft_fill_rule(fr, rule, verdict, &ev->pkt);
        fr->conditional = 1;
    }
}

/* Name of a verdict expression for conditional reports. */
static const char *verdict_word(json_t *e)
{
    if (json_object_get(e, "accept")) return "accept";
    if (json_object_get(e, "drop")) return "drop";
    if (json_object_get(e, "reject")) return "reject";
    if (json_object_get(e, "jump")) return "jump";
    if (json_object_get(e, "goto")) return "goto";
    if (json_object_get(e, "vmap")) return "vmap";
    return NULL;
}

/* Runs one rule: its matches in order, then its statements. */
static enum nres nft_rule(struct neval *ev, json_t *rule, int *decided)
{
    json_t *expr = json_object_get(rule, "expr");
    size_t i;
    json_t *e;
    int maybe = 0, logged = 0;
    char prefix[64] = "";
    *decided = 0;
    json_array_foreach(expr, i, e) {
        json_t *x;
        if ((x = json_object_get(e, "match"))) {
            enum tri t = nft_match(ev, rule, x);
            if (t == T_NO)
                return N_CONTINUE;
            if (t == T_MAYBE)
                maybe = 1;
            continue;
        }
        if (json_object_get(e, "xt")) {
            ev->d->unknown++;
            maybe = 1;
            continue;
        }
        if (json_object_get(e, "limit") || json_object_get(e, "quota")) {
            maybe = 1;
            continue;
        }
        if ((x = json_object_get(e, "log"))) {
            logged = 1;
            text_copy(prefix, sizeof prefix, jstr(x, "prefix"));
            continue;
        }
        const char *w = verdict_word(e);
        if (maybe) {
            if (w)
                add_cond(ev, rule, w);
            return N_CONTINUE;
        }
        if (logged && !ev->d->logged) {
            ev->d->logged = 1;
            text_copy(ev->d->log_prefix, sizeof ev->d->log_prefix, prefix);
        }
        if ((x = json_object_get(e, "vmap"))) {
            long long iv = 0;
            const char *sv = NULL;
            int kind = nft_key_value(ev, json_object_get(x, "key"), &iv, &sv);
            json_t *data = json_object_get(x, "data");
            json_t *set = json_object_get(data, "set");
            if (!kind || !json_is_array(set)) {
                add_cond(ev, rule, "vmap");
                return N_CONTINUE;
            }
            size_t j;
            json_t *pair;
            json_array_foreach(set, j, pair) {
                json_t *k = json_array_get(pair, 0), *vd = json_array_get(pair, 1);
                enum tri t = kind == 1 ? nft_elem_has(ev, rule, iv, k) : nft_str_in(sv, k);
                if (t == T_YES) {
                    int isv;
                    enum nres r = nft_verdict(ev, rule, vd, &isv);
                    if (r != N_CONTINUE || !isv)
                        *decided = r == N_ACCEPT || r == N_DROP || r == N_REJECT;
                    if (*decided)
                        nft_fill_rule(&ev->d->rule, rule, r == N_ACCEPT ? "accept" : r == N_DROP ? "drop" : "reject",
                                      &ev->pkt);
                    return r;
                }
            }
            continue;
        }
        int isv;
        enum nres r = nft_verdict(ev, rule, e, &isv);
        if (!isv)
            continue; /* counter, meta set, ... */
        if ((r == N_ACCEPT || r == N_DROP || r == N_REJECT) && !*decided && !(json_object_get(e, "jump") || json_object_get(e, "goto"))) {
            *decided = 1;
            nft_fill_rule(&ev->d->rule, rule, r == N_ACCEPT ? "accept" : r == N_DROP ? "drop" : "reject",
                          &ev->pkt);
        } else if (r == N_ACCEPT || r == N_DROP || r == N_REJECT) {
            *decided = 1; /* decided inside the jumped-to chain, which filled the rule */
        }
        return r;
    }
    return N_CONTINUE;
}

/* Runs the rules of chain C in order. */
static enum nres nft_chain(struct neval *ev, struct nchain *c)
{
    for (size_t i = 0; i < c->nrules; i++) {
        int decided;
        enum nres r = nft_rule(ev, c->rules[i], &decided);
        if (r != N_CONTINUE)
            return r;
    }
    return N_CONTINUE;
}

/* Order of a hook on the input path. */
static int hook_rank(const char *hook)
{
    if (!strcmp(hook, "ingress")) return 0;
    if (!strcmp(hook, "prerouting")) return 1;
    if (!strcmp(hook, "input")) return 2;
    return -1;
}

/* Sort order of base chains: hook, then priority. */
static int chain_cmp(const void *a, const void *b)
{
    const struct nchain *x = *(struct nchain *const *)a, *y = *(struct nchain *const *)b;
    int hx = hook_rank(x->hook), hy = hook_rank(y->hook);
    if (hx != hy)
        return hx - hy;
    return x->prio < y->prio ? -1 : x->prio > y->prio;
}

/* 1 when table FAMILY NAME is listed in SKIP ("family name" comma list). */
static int skipped(const char *skip, const char *family, const char *table)
{
    char key[160];
    text_fmt(key, sizeof key, "%s %s", family, table);
    return probe_parse_in_list(key, skip);
}

/* Evaluates the ruleset JSON for a SYN to PORT. */
int probe_parse_nft_eval(const char *json, uint16_t port, int family, const char *skip,
                         struct fw_decision *d, char **cause)
{
    memset(d, 0, sizeof *d);
    d->rule.handle = -1;
    json_error_t jerr;
    json_t *root = json_loads(json, 0, &jerr);
    json_t *list = json_object_get(root, "nftables");
    if (!root || !json_is_array(list)) {
        if (cause && asprintf(cause, "nft JSON unreadable: %s (line %d)", root ? "no nftables array" : jerr.text,
                              jerr.line) < 0)
            *cause = NULL;
        json_decref(root);
        return -1;
    }
    struct nruleset rs = { .root = root, .skip = skip };
    size_t n = json_array_size(list);
    rs.chains = calloc(n + 1, sizeof *rs.chains);
    rs.sets = calloc(n + 1, sizeof *rs.sets);
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        json_t *x;
        if ((x = json_object_get(o, "chain"))) {
            struct nchain *c = &rs.chains[rs.nchains++];
            c->family = jstr(x, "family");
            c->table = jstr(x, "table");
            c->name = jstr(x, "name");
            c->hook = jstr(x, "hook");
            c->type = jstr(x, "type");
            c->policy = jstr(x, "policy");
            c->prio = (long)json_integer_value(json_object_get(x, "prio"));
            c->base = *c->hook != '\0';
        } else if ((x = json_object_get(o, "set")) || (x = json_object_get(o, "map"))) {
            rs.sets[rs.nsets++] = x;
        }
    }
    json_array_foreach(list, i, o) {
        json_t *x = json_object_get(o, "rule");
        if (!x)
            continue;
        struct nchain *c = find_chain(&rs, jstr(x, "family"), jstr(x, "table"), jstr(x, "chain"));
        if (!c)
            continue;
        if (c->nrules == c->caprules) {
            c->caprules = c->caprules ? c->caprules * 2 : 8;
            c->rules = realloc(c->rules, c->caprules * sizeof *c->rules);
        }
        c->rules[c->nrules++] = x;
    }
    struct nchain **base = calloc(rs.nchains + 1, sizeof *base);
    size_t nbase = 0;
    for (size_t k = 0; k < rs.nchains; k++) {
        struct nchain *c = &rs.chains[k];
        if (!c->base || hook_rank(c->hook) < 0 || !strcmp(c->type, "nat"))
            continue;
        if (skipped(skip, c->family, c->table))
            continue;
        if (!strncmp(c->table, PROBE_TRACE_TABLE_PREFIX, strlen(PROBE_TRACE_TABLE_PREFIX)))
            continue; /* a live trace's table only marks SYNs: it decides nothing */
        if (!strcmp(c->family, "inet") || !strcmp(c->family, "netdev") ||
            (!strcmp(c->family, "ip") && family == 4) || (!strcmp(c->family, "ip6") && family == 6))
            base[nbase++] = c;
    }
    qsort(base, nbase, sizeof *base, chain_cmp);
    struct neval ev = { .rs = &rs, .pkt = { port, family }, .d = d };
    d->verdict = FW_NONE;
    for (size_t k = 0; k < nbase; k++) {
        struct nchain *c = base[k];
        struct fw_decision before = *d;
        enum nres r = nft_chain(&ev, c);
        if (r == N_CONTINUE || r == N_RETURN) {
            int drop = !strcmp(c->policy, "drop");
            d->rule = (struct firewall_rule){ .handle = -1, .port = port, .family = family };
            text_fmt(d->rule.text, sizeof d->rule.text, "policy %s", drop ? "drop" : "accept");
            text_fmt(d->rule.table, sizeof d->rule.table, "%s %s", c->family, c->table);
            text_copy(d->rule.chain, sizeof d->rule.chain, c->name);
            text_fmt(d->rule.verdict, sizeof d->rule.verdict, "policy-%s", drop ? "drop" : "accept");
            if (drop) {
                d->verdict = FW_DROP;
                break;
            }
            /* A default-accept chain (often one with no rule for the port) passes it on;
             * remember it only when nothing else has decided. */
            if (before.verdict == FW_ACCEPT && before.rule.handle >= 0)
                d->rule = before.rule; /* an explicit accept rule says more than a later policy */
            d->verdict = FW_ACCEPT;
            continue;
        }
        if (r == N_ACCEPT) {
            d->verdict = FW_ACCEPT;
            continue; /* accept ends this base chain only; later ones still see the packet */
        }
        d->verdict = r == N_REJECT ? FW_REJECT : FW_DROP;
        break;
    }
    for (size_t k = 0; k < rs.nchains; k++)
        free(rs.chains[k].rules);
    free(rs.chains);
    free(rs.sets);
    free(base);
    json_decref(root);
    return 0;
}

/* Lists the tables that iptables-nft manages (chains named INPUT, FORWARD, ...). */
void probe_parse_nft_xt_tables(const char *json, char *buf, size_t len)
{
    buf[0] = '\0';
    json_t *root = json_loads(json, 0, NULL);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(root, "nftables"), i, o) {
        json_t *c = json_object_get(o, "chain");
        if (!c)
            continue;
        const char *name = jstr(c, "name");
        if (strcmp(name, "INPUT") && strcmp(name, "FORWARD") && strcmp(name, "OUTPUT") &&
            strcmp(name, "PREROUTING") && strcmp(name, "POSTROUTING"))
            continue;
        char key[160];
        text_fmt(key, sizeof key, "%s %s", jstr(c, "family"), jstr(c, "table"));
        if (!probe_parse_in_list(key, buf))
            text_append(buf, len, "%s%s", *buf ? "," : "", key);
    }
    json_decref(root);
}
