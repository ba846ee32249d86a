/* parse_iptables.c: `iptables-save -c` text evaluated for a TCP SYN, as the
 * nftables evaluator does (parse_nft_json.c has the packet model). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_fw.h"
#include "probe_parse_linux.h"
#include "text.h"

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
enum tri ipt_port_in(const char *spec, uint16_t port)
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
