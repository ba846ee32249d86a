/* parse_firewall.c: what the firewall evaluators share (verdict names, the
 * merge of their decisions into the check's result) and the front ends'
 * settings: ufw.conf and firewalld's zone lists (include/probe_parse_linux.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_fw.h"
#include "probe_parse_linux.h"
#include "text.h"

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
