/* probe_parse.c: pure parsers and evaluators behind the machine checks
 * (include/probe_parse.h): /proc/net/tcp lines, the listener verdict, an
 * nftables ruleset (JSON, jansson) and iptables-save text evaluated for a TCP
 * SYN, `nft monitor trace` lines, ufw.conf and firewalld lists. Also the state
 * names of the check JSON, shared by every platform.
 *
 * The evaluators model one packet: a TCP SYN (flags == syn) from another
 * machine (not on lo; conntrack state new) to PORT over IPv4 or IPv6. A match
 * on something the model does not know (source address, a named interface, a
 * mark, an xt match) is "maybe": the rule is reported as conditional and the
 * evaluation goes on as if it did not match, i.e. for a client the rule does
 * not single out. */
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif
#include <ctype.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_parse.h"
#include "text.h"

/* ---- state names --------------------------------------------------------- */

/* The JSON name of a listener state. */
const char *probe_listener_state_name(enum listener_state s)
{
    switch (s) {
    case LISTENER_LISTENING: return "listening";
    case LISTENER_NOT_LISTENING: return "not_listening";
    case LISTENER_LOOPBACK_ONLY: return "loopback_only";
    default: return "unknown";
    }
}

/* The JSON name of a service state. */
const char *probe_service_state_name(enum service_state s)
{
    switch (s) {
    case SERVICE_RUNNING: return "running";
    case SERVICE_STOPPED: return "stopped";
    case SERVICE_NOT_INSTALLED: return "not_installed";
    default: return "unknown";
    }
}

/* The JSON name of a firewall state. */
const char *probe_firewall_state_name(enum firewall_state s)
{
    switch (s) {
    case FIREWALL_OPEN: return "open";
    case FIREWALL_BLOCKED: return "blocked";
    default: return "unknown";
    }
}

/* The name of an evaluator verdict. */
const char *probe_parse_verdict_name(enum fw_verdict v)
{
    switch (v) {
    case FW_ACCEPT: return "accept";
    case FW_DROP: return "drop";
    case FW_REJECT: return "reject";
    default: return "none";
    }
}

/* ---- /proc/net/tcp ------------------------------------------------------- */

/* Parses one /proc/net/tcp{,6} line: "sl local rem st tx:rx tr:when retr uid timeout inode". */
int probe_parse_proc_net_tcp(const char *line, int v6, struct proc_tcp_entry *e)
{
    char local[64], rem[64];
    unsigned st, uid;
    unsigned long inode;
    memset(e, 0, sizeof *e);
    if (sscanf(line, " %*[0-9]: %63s %63s %x %*s %*s %*s %u %*s %lu", local, rem, &st, &uid,
               &inode) != 5)
        return -1;
    char *colon = strchr(local, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    unsigned port;
    if (sscanf(colon + 1, "%x", &port) != 1 || port > 65535)
        return -1;
    size_t hexlen = strlen(local);
    if (hexlen != (v6 ? 32u : 8u))
        return -1;
    /* The kernel prints each 32-bit word of the address with %08X in host byte order. */
    unsigned char bytes[16];
    for (size_t w = 0; w < hexlen / 8; w++) {
        char word[9];
        memcpy(word, local + w * 8, 8);
        word[8] = '\0';
        char *end;
        uint32_t v = (uint32_t)strtoul(word, &end, 16);
        if (*end)
            return -1;
        memcpy(bytes + w * 4, &v, 4);
    }
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, e->address, sizeof e->address))
        return -1;
    e->port = (uint16_t)port;
    e->state = st;
    e->uid = uid;
    e->inode = inode;
    return 0;
}

/* Whether ADDRESS is a wildcard, a loopback or one specific address. */
enum probe_scope probe_parse_scope(const char *a)
{
    if (!strcmp(a, "0.0.0.0") || !strcmp(a, "::") || !strcmp(a, "*"))
        return PROBE_SCOPE_ANY;
    if (!strncmp(a, "127.", 4) || !strcmp(a, "::1") || !strncmp(a, "::ffff:127.", 11))
        return PROBE_SCOPE_LOOPBACK;
    return PROBE_SCOPE_SPECIFIC;
}

/* 1 when NAME is in the comma list LIST (spaces around names ignored). */
int probe_parse_in_list(const char *name, const char *list)
{
    if (!name || !*name || !list)
        return 0;
    size_t n = strlen(name);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *s = p;
        while (*p && *p != ',')
            p++;
        const char *e = p;
        while (e > s && e[-1] == ' ')
            e--;
        if ((size_t)(e - s) == n && !strncmp(s, name, n))
            return 1;
    }
    return 0;
}

/* Decides the listener state: all addresses, some only, loopback only, none, wrong owner. */
void probe_parse_listener_verdict(struct listener_result *r, const uint16_t *ports, size_t nports,
                                  const char *expected)
{
    int any = 0, loop = 0, specific = 0, unexpected = 0;
    char portlist[64] = "";
    for (size_t i = 0; i < nports; i++)
        text_append(portlist, sizeof portlist, "%s%u", i ? "," : "", ports[i]);
    char missing[64] = "";
    for (size_t p = 0; p < nports; p++) {
        int seen = 0;
        for (size_t i = 0; i < r->nsockets; i++)
            seen |= r->sockets[i].port == ports[p];
        if (!seen)
            text_append(missing, sizeof missing, "%s%u", *missing ? "," : "", ports[p]);
    }
    char specifics[128] = "", owners[128] = "";
    for (size_t i = 0; i < r->nsockets; i++) {
        struct listener_socket *s = &r->sockets[i];
        s->expected_owner = expected && *expected ? probe_parse_in_list(s->process, expected) : 1;
        if (s->pid >= 0 && !s->expected_owner) {
            unexpected = 1;
            if (!strstr(owners, s->process))
                text_append(owners, sizeof owners, "%s%s (pid %d)", *owners ? ", " : "", s->process, s->pid);
        }
        switch (probe_parse_scope(s->address)) {
        case PROBE_SCOPE_ANY: any = 1; break;
        case PROBE_SCOPE_LOOPBACK: loop = 1; break;
        default:
            specific = 1;
            text_append(specifics, sizeof specifics, "%s%s", *specifics ? ", " : "", s->address);
        }
    }
    r->summary[0] = '\0';
    if (r->nsockets == 0) {
        r->state = LISTENER_NOT_LISTENING;
        text_fmt(r->summary, sizeof r->summary, "Nothing listens on TCP port %s.", portlist);
        return;
    }
    if (any) {
        r->state = LISTENER_LISTENING;
        text_fmt(r->summary, sizeof r->summary, "Listening on TCP port %s on all addresses", portlist);
    } else if (specific) {
        r->state = LISTENER_LISTENING;
        r->summary[0] = '\0';
        text_append(r->summary, sizeof r->summary,
                 "Listening on TCP port %s only on %s%s (not on all addresses: clients must use %s)",
                 portlist, specifics, loop ? " and loopback" : "",
                 strchr(specifics, ',') ? "one of these" : "this one");
    } else {
        (void)loop;
        r->state = LISTENER_LOOPBACK_ONLY;
        text_fmt(r->summary, sizeof r->summary,
                 "Listening on TCP port %s on loopback only: other machines cannot connect", portlist);
    }
    if (r->nsockets > 0 && r->sockets[0].pid >= 0 && !unexpected)
        text_append(r->summary, sizeof r->summary, ", owned by %s (pid %d)", r->sockets[0].process,
               r->sockets[0].pid);
    if (unexpected)
        text_append(r->summary, sizeof r->summary, ", owned by %s, not the expected %s", owners, expected);
    if (*missing && nports > 1)
        text_append(r->summary, sizeof r->summary, "; nothing on %s", missing);
    text_append(r->summary, sizeof r->summary, ".");
}

/* ---- nftables JSON ------------------------------------------------------- */

/* Three-valued match result. */
enum tri { T_NO, T_YES, T_MAYBE };

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

enum nres { N_CONTINUE, N_ACCEPT, N_DROP, N_REJECT, N_RETURN };

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

/* ---- iptables-save ------------------------------------------------------- */

#define IPT_MAX_TOK 64

/* One rule of the filter table. */
struct irule {
    char chain[64];
    char text[256];
    uint64_t packets;
    long pos;                     /* position in its chain, as `iptables -L --line-numbers` counts */
    char *tok[IPT_MAX_TOK];
    int ntok;
};

/* One chain of the filter table. */
struct ichain {
    char name[64];
    char policy[16];
    uint64_t packets;
};

/* The parsed filter table. */
struct itable {
    struct irule *rules;
    size_t nrules;
    struct ichain chains[64];
    size_t nchains;
    char *store;                  /* token storage */
};

/* Splits S into words, honouring double quotes and backslash escapes. */
static int ipt_split(char *s, char **tok, int max)
{
    int n = 0;
    char *w = s;
    while (*s && n < max) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        tok[n++] = w;
        int q = 0;
        while (*s && (q || (*s != ' ' && *s != '\t'))) {
            if (*s == '"') {
                q = !q;
                s++;
                continue;
            }
            if (*s == '\\' && s[1]) {
                s++;
            }
            *w++ = *s++;
        }
        if (*s)
            s++;
        *w++ = '\0';
    }
    return n;
}

/* Whether PORT is in an iptables port spec ("445", "1000:2000", "139,445"). */
static enum tri ipt_port_in(const char *spec, uint16_t port)
{
    char buf[256];
    text_copy(buf, sizeof buf, spec);
    char *save = NULL;
    for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(p, ':');
        char *end;
        long a = strtol(p, &end, 10);
        if (end == p && !colon)
            return T_MAYBE; /* a service name */
        long b = a;
        if (colon) {
            a = colon == p ? 0 : a;
            b = colon[1] ? strtol(colon + 1, NULL, 10) : 65535;
        }
        if (port >= a && port <= b)
            return T_YES;
    }
    return T_NO;
}

/* TCP flag bits of an iptables flag list ("SYN,ACK", "ALL", "NONE"). */
static int ipt_flags(const char *s)
{
    static const char *names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG" };
    if (!strcmp(s, "ALL"))
        return 0x3f;
    if (!strcmp(s, "NONE"))
        return 0;
    int bits = 0;
    char buf[128];
    text_copy(buf, sizeof buf, s);
    char *save = NULL;
    for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
        for (int i = 0; i < 6; i++)
            if (!strcmp(p, names[i]))
                bits |= 1 << i;
    return bits;
}

/* Negates a three-valued result when NEG. */
static enum tri neg_tri(enum tri t, int neg)
{
    if (!neg || t == T_MAYBE)
        return t;
    return t == T_YES ? T_NO : T_YES;
}

struct ieval {
    struct itable *t;
    uint16_t port;
    struct fw_decision *d;
    int depth;
};

static enum nres ipt_chain(struct ieval *ev, const char *chain);

/* Fills a firewall_rule from an iptables rule. */
static void ipt_fill(struct firewall_rule *fr, const struct irule *r, const char *verdict, uint16_t port)
{
    memset(fr, 0, sizeof *fr);
    text_copy(fr->text, sizeof fr->text, r->text);
    text_fmt(fr->table, sizeof fr->table, "filter");
    text_copy(fr->chain, sizeof fr->chain, r->chain);
    fr->handle = r->pos;
    text_copy(fr->verdict, sizeof fr->verdict, verdict);
    fr->packets = r->packets;
    fr->port = port;
}

/* Evaluates one rule; returns its verdict for the packet. */
static enum nres ipt_rule(struct ieval *ev, const struct irule *r)
{
    enum tri all = T_YES;
    const char *target = NULL, *log_prefix = "";
    int isgoto = 0;
    for (int i = 2; i < r->ntok; i++) {
        int neg = 0;
        const char *o = r->tok[i];
        if (!strcmp(o, "!") && i + 1 < r->ntok) {
            neg = 1;
            o = r->tok[++i];
        }
        const char *v = i + 1 < r->ntok ? r->tok[i + 1] : "";
        if (v[0] == '!' && !v[1] && i + 2 < r->ntok) { /* old syntax: --dport ! 445 */
            neg = 1;
            i++;
            v = r->tok[i + 1];
        }
        enum tri t = T_YES;
        if (!strcmp(o, "-j") || !strcmp(o, "--jump") || !strcmp(o, "-g") || !strcmp(o, "--goto")) {
            target = v;
            isgoto = o[1] == 'g' || !strcmp(o, "--goto");
            i++;
            continue;
        } else if (!strcmp(o, "--log-prefix")) {
            log_prefix = v;
            i++;
            continue;
        } else if (!strcmp(o, "-p") || !strcmp(o, "--protocol")) {
            t = !strcmp(v, "tcp") || !strcmp(v, "6") || !strcmp(v, "all") ? T_YES : T_NO;
            i++;
        } else if (!strcmp(o, "-i") || !strcmp(o, "--in-interface")) {
            t = !strcmp(v, "lo") || !strcmp(v, "lo+") ? T_NO : !strcmp(v, "+") ? T_YES : T_MAYBE;
            i++;
        } else if (!strcmp(o, "-s") || !strcmp(o, "--source") || !strcmp(o, "-d") || !strcmp(o, "--destination")) {
            t = !strcmp(v, "0.0.0.0/0") || !strcmp(v, "::/0") ? T_YES : T_MAYBE;
            i++;
        } else if (!strcmp(o, "-m") || !strcmp(o, "--match") || !strcmp(o, "--comment") ||
                   !strcmp(o, "--reject-with") || !strcmp(o, "--log-level")) {
            i++;
            continue;
        } else if (!strcmp(o, "--dport") || !strcmp(o, "--destination-port") || !strcmp(o, "--dports") ||
                   !strcmp(o, "--destination-ports")) {
            t = ipt_port_in(v, ev->port);
            i++;
        } else if (!strcmp(o, "--state") || !strcmp(o, "--ctstate")) {
            t = strstr(v, "NEW") ? T_YES : T_NO;
            i++;
        } else if (!strcmp(o, "--dst-type")) {
            /* addrtype: a SYN to this host is addressed to a LOCAL (unicast) address */
            t = strstr(v, "LOCAL") || strstr(v, "UNICAST") ? T_YES
              : strstr(v, "MULTICAST") || strstr(v, "BROADCAST") || strstr(v, "ANYCAST") ? T_NO : T_MAYBE;
            i++;
        } else if (!strcmp(o, "--src-type")) {
            /* the client is another machine: not LOCAL, and a unicast address */
            t = !strcmp(v, "LOCAL") ? T_NO : !strcmp(v, "UNICAST") ? T_YES : T_MAYBE;
            i++;
        } else if (!strcmp(o, "--syn")) {
            t = T_YES;
        } else if (!strcmp(o, "-f") || !strcmp(o, "--fragment")) {
            t = T_NO;
        } else if (!strcmp(o, "--tcp-flags") && i + 2 < r->ntok) {
            t = (0x02 & ipt_flags(v)) == ipt_flags(r->tok[i + 2]) ? T_YES : T_NO;
            i += 2;
        } else if (o[0] == '-') {
            t = T_MAYBE; /* a match this model does not know: source port, mark, recent, ... */
            if (v[0] && v[0] != '-' && strcmp(v, "!"))
                i++;
        } else {
            continue;
        }
        t = neg_tri(t, neg);
        if (t == T_NO)
            return N_CONTINUE;
        if (t == T_MAYBE)
            all = T_MAYBE;
    }
    if (!target)
        return N_CONTINUE;
    const char *word = !strcmp(target, "ACCEPT") ? "accept" : !strcmp(target, "DROP") ? "drop"
                     : !strcmp(target, "REJECT") ? "reject" : NULL;
    int is_chain = 0;
    for (size_t c = 0; c < ev->t->nchains; c++)
        is_chain |= !strcmp(ev->t->chains[c].name, target);
    if (all == T_MAYBE) {
        if ((word || is_chain) && ev->d->ncond < sizeof ev->d->cond / sizeof ev->d->cond[0]) {
            ipt_fill(&ev->d->cond[ev->d->ncond], r, word ? word : "jump", ev->port);
            ev->d->cond[ev->d->ncond++].conditional = 1;
        }
        return N_CONTINUE;
    }
    if (!strcmp(target, "LOG") || !strcmp(target, "NFLOG") || !strcmp(target, "ULOG")) {
        if (!ev->d->logged) {
            ev->d->logged = 1;
            text_copy(ev->d->log_prefix, sizeof ev->d->log_prefix, log_prefix);
        }
        return N_CONTINUE;
    }
    if (word) {
        ipt_fill(&ev->d->rule, r, word, ev->port);
        return word[0] == 'a' ? N_ACCEPT : word[0] == 'd' ? N_DROP : N_REJECT;
    }
    if (!strcmp(target, "RETURN"))
        return N_RETURN;
    if (is_chain && ev->depth < 16) {
        ev->depth++;
        enum nres res = ipt_chain(ev, target);
        ev->depth--;
        if (res == N_RETURN)
            res = N_CONTINUE;
        if (isgoto && res == N_CONTINUE)
            return N_RETURN;
        return res;
    }
    return N_CONTINUE; /* MARK, CT, TRACE and other non-terminating targets */
}

/* Runs the rules of CHAIN in order. */
static enum nres ipt_chain(struct ieval *ev, const char *chain)
{
    for (size_t i = 0; i < ev->t->nrules; i++) {
        if (strcmp(ev->t->rules[i].chain, chain))
            continue;
        enum nres r = ipt_rule(ev, &ev->t->rules[i]);
        if (r != N_CONTINUE)
            return r;
    }
    return N_CONTINUE;
}

/* Evaluates iptables-save text for a SYN to PORT. */
int probe_parse_iptables_eval(const char *save, uint16_t port, struct fw_decision *d, char **cause)
{
    memset(d, 0, sizeof *d);
    d->rule.handle = -1;
    if (cause)
        *cause = NULL;
    struct itable t = { 0 };
    size_t cap = 0;
    size_t slen = strlen(save);
    t.store = malloc(slen * 2 + 64);
    if (!t.store)
        return -1;
    char *sp = t.store;
    int in_filter = 0;
    const char *p = save;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[4096];
        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, p, len);
        line[len] = '\0';
        p = nl ? nl + 1 : p + len;
        if (line[0] == '*') {
            in_filter = !strcmp(line, "*filter");
            continue;
        }
        if (!in_filter)
            continue;
        if (line[0] == ':') {
            if (t.nchains < sizeof t.chains / sizeof t.chains[0]) {
                struct ichain *c = &t.chains[t.nchains++];
                unsigned long long pk = 0, by = 0;
                c->policy[0] = '\0';
                if (sscanf(line + 1, "%63s %15s [%llu:%llu]", c->name, c->policy, &pk, &by) < 2)
                    t.nchains--;
                c->packets = pk;
            }
            continue;
        }
        unsigned long long pk = 0, by = 0;
        char *rl = line;
        if (line[0] == '[') {
            if (sscanf(line, "[%llu:%llu]", &pk, &by) != 2)
                continue;
            rl = strchr(line, ']') + 1;
            while (*rl == ' ')
                rl++;
        }
        if (strncmp(rl, "-A ", 3))
            continue;
        if (t.nrules == cap) {
            cap = cap ? cap * 2 : 32;
            t.rules = realloc(t.rules, cap * sizeof *t.rules);
        }
        struct irule *r = &t.rules[t.nrules++];
        memset(r, 0, sizeof *r);
        text_copy(r->text, sizeof r->text, rl);
        r->packets = pk;
        size_t rlen = strlen(rl);
        memcpy(sp, rl, rlen + 1);
        r->ntok = ipt_split(sp, r->tok, IPT_MAX_TOK);
        sp += rlen + 1;
        if (r->ntok < 2) {
            t.nrules--;
            continue;
        }
        text_copy(r->chain, sizeof r->chain, r->tok[1]);
        long pos = 0;
        for (size_t k = 0; k < t.nrules; k++)
            pos += !strcmp(t.rules[k].chain, r->chain);
        r->pos = pos;
    }
    struct ichain *input = NULL;
    for (size_t c = 0; c < t.nchains; c++)
        if (!strcmp(t.chains[c].name, "INPUT"))
            input = &t.chains[c];
    if (input) {
        struct ieval ev = { &t, port, d, 0 };
        enum nres r = ipt_chain(&ev, "INPUT");
        if (r == N_ACCEPT)
            d->verdict = FW_ACCEPT;
        else if (r == N_DROP)
            d->verdict = FW_DROP;
        else if (r == N_REJECT)
            d->verdict = FW_REJECT;
        else {
            int drop = !strcmp(input->policy, "DROP");
            d->verdict = drop ? FW_DROP : FW_ACCEPT;
            d->rule = (struct firewall_rule){ .handle = -1, .port = port, .packets = input->packets };
            text_fmt(d->rule.text, sizeof d->rule.text, ":INPUT %s (policy)", input->policy);
            text_fmt(d->rule.table, sizeof d->rule.table, "filter");
            text_fmt(d->rule.chain, sizeof d->rule.chain, "INPUT");
            text_fmt(d->rule.verdict, sizeof d->rule.verdict, "policy-%s", drop ? "drop" : "accept");
        }
    }
    free(t.rules);
    free(t.store);
    return 0;
}

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

/* ---- front ends ------------------------------------------------------------ */

/* Reads ENABLED and LOGLEVEL from ufw.conf text. */
void probe_parse_ufw_conf(const char *text, int *enabled, char *loglevel, size_t len)
{
    *enabled = 0;
    if (len)
        text_fmt(loglevel, len, "low");
    const char *p = text;
    while (p && *p) {
        char line[256];
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        p = nl ? nl + 1 : NULL;
        char key[64], val[64];
        if (sscanf(line, " %63[A-Z_] = %63s", key, val) != 2)
            continue;
        char *v = val;
        size_t vl = strlen(v);
        if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
            v[vl - 1] = '\0';
            v++;
        }
        if (!strcmp(key, "ENABLED"))
            *enabled = !strcmp(v, "yes");
        else if (!strcmp(key, "LOGLEVEL") && len)
            text_copy(loglevel, len, v);
    }
}

/* Whether firewalld's services or ports allow PORT/tcp. */
int probe_parse_firewalld_allows(const char *services, const char *ports, uint16_t port)
{
    char buf[1024];
    text_copy(buf, sizeof buf, services ? services : "");
    char *save = NULL;
    for (char *w = strtok_r(buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
        if ((port == 445 || port == 139) && (!strcmp(w, "samba") || !strcmp(w, "samba-dc")))
            return 1;
    text_copy(buf, sizeof buf, ports ? ports : "");
    for (char *w = strtok_r(buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
        char *slash = strchr(w, '/');
        if (!slash || strcmp(slash + 1, "tcp"))
            continue;
        *slash = '\0';
        if (ipt_port_in(w, port) == T_YES)
            return 1;
        char *dash = strchr(w, '-');
        if (dash && port >= atoi(w) && port <= atoi(dash + 1))
            return 1;
    }
    return 0;
}

/* Adds a rule to R unless the same rule (table, chain, handle, text) is there. */
static void add_rule(struct firewall_result *r, const struct firewall_rule *fr)
{
    for (size_t i = 0; i < r->nrules; i++) {
        struct firewall_rule *o = &r->rules[i];
        if (!strcmp(o->table, fr->table) && !strcmp(o->chain, fr->chain) && o->handle == fr->handle &&
            !strcmp(o->text, fr->text)) {
            if (o->family != fr->family)
                o->family = 0;
            return;
        }
    }
    if (r->nrules < PROBE_MAX_RULES)
        r->rules[r->nrules++] = *fr;
}

/* Merges decision D into R: blocked wins over open; rules are deduplicated. */
void probe_parse_firewall_merge(struct firewall_result *r, const struct fw_decision *d)
{
    if (d->verdict == FW_NONE)
        return;
    add_rule(r, &d->rule);
    for (size_t i = 0; i < d->ncond; i++)
        add_rule(r, &d->cond[i]);
    if (d->verdict == FW_DROP || d->verdict == FW_REJECT)
        r->state = FIREWALL_BLOCKED;
    else if (r->state == FIREWALL_UNKNOWN)
        r->state = FIREWALL_OPEN;
}
