/* win_parse.c: the pure parts of the Windows probes. Each function takes
 * what a Windows API returned (recorded as the plain structs of probe_win.h)
 * and turns it into tshoot's results and sentences, so tests/windows/ can
 * check them with recorded values, under Wine or anywhere. No Win32 calls,
 * no global state.
 *
 * Sources of the rules modelled here:
 *   - IP Helper MIB_TCPROW_OWNER_PID / MIB_TCP6ROW_OWNER_PID: dwLocalPort
 *     holds the port in network byte order in its low 16 bits.
 *   - Windows Firewall with Advanced Security: an enabled block rule wins
 *     over any allow rule (authenticated bypass aside); with no matching
 *     rule the profile's default inbound action applies; "Block all incoming
 *     connections" overrides every allow rule. INetFwRule LocalPorts is "*",
 *     or a comma list of ports and ranges "a-b", or a keyword (RPC, ...).
 *   - Security audit events 5152 ("The Windows Filtering Platform has
 *     blocked a packet") and 5157 ("... has blocked a connection"): EventData
 *     fields ProcessId, Application, Direction (%%14592 inbound, %%14593
 *     outbound), SourceAddress, SourcePort, DestAddress, DestPort, Protocol,
 *     FilterRTID, LayerName, LayerRTID. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_parse.h"
#include "probe_win.h"

/* ---- lists, ports and addresses ------------------------------------------ */

/* Skips spaces and tabs. */
static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Reads a decimal port at *S; returns it, or -1 (S is moved past the digits). */
static long read_port(const char **s)
{
    const char *p = skip_ws(*s);
    if (!isdigit((unsigned char)*p))
        return -1;
    long v = 0;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (*p - '0');
        if (v > 65535)
            return -1;
        p++;
    }
    *s = skip_ws(p);
    return v;
}

/* 1 when PORT is in the firewall port list LIST. */
int win_ports_match(const char *list, uint16_t port)
{
    if (!list)
        return 0;
    const char *s = list;
    while (*s) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        char item[64];
        if (n < sizeof item) {
            memcpy(item, s, n);
            item[n] = '\0';
            const char *p = skip_ws(item);
            if (*p == '*' && *skip_ws(p + 1) == '\0')
                return 1;
            long lo = read_port(&p);
            if (lo >= 0) {
                long hi = lo;
                if (*p == '-') {
                    p++;
                    hi = read_port(&p);
                }
                if (hi >= lo && *p == '\0' && port >= lo && port <= hi)
                    return 1;
            }
        }
        if (!end)
            break;
        s = end + 1;
    }
    return 0;
}

/* The host-order port of a dwLocalPort value. */
uint16_t win_tcp_port(uint32_t dw_port)
{
    /* The DWORD's first two bytes in memory are the port, high byte first;
     * on a little-endian machine that is the value's low 16 bits swapped. */
    return (uint16_t)(((dw_port & 0xffu) << 8) | ((dw_port >> 8) & 0xffu));
}

/* Writes an address as text; IPv6 per RFC 5952 (longest zero run as "::"). */
char *win_addr_format(int family, const uint8_t *a, char *buf, size_t len)
{
    if (family == 4) {
        text_fmt(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return buf;
    }
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    /* IPv4-mapped ::ffff:a.b.c.d keeps the dotted form. */
    if (!w[0] && !w[1] && !w[2] && !w[3] && !w[4] && w[5] == 0xffff) {
        text_fmt(buf, len, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
        return buf;
    }
    int best = -1, bestlen = 1;
    for (int i = 0; i < 8;) {
        if (w[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !w[j])
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j;
    }
    char out[48] = "";
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            text_append(out, sizeof out, "::");
            i += bestlen - 1;
            continue;
        }
        size_t l = strlen(out);
        text_append(out, sizeof out, "%s%x", (l && out[l - 1] != ':') ? ":" : "", w[i]);
    }
    text_copy(buf, len, out);
    return buf;
}

/* The file name part of PATH. */
const char *win_basename(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            b = p + 1;
    return b;
}

/* Length of NAME without a trailing ".exe" (any case). */
static size_t stem_len(const char *name, size_t n)
{
    if (n > 4 && (name[n - 4] == '.') && tolower((unsigned char)name[n - 3]) == 'e' &&
        tolower((unsigned char)name[n - 2]) == 'x' && tolower((unsigned char)name[n - 1]) == 'e')
        return n - 4;
    return n;
}

/* 1 when NAME is one of the comma list LIST (case, spaces and ".exe" aside). */
int win_in_list(const char *name, const char *list)
{
    if (!name || !*name || !list)
        return 0;
    size_t nl = stem_len(name, strlen(name));
    const char *s = list;
    while (*s) {
        s = skip_ws(s);
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        n = stem_len(s, n);
        if (n && n == nl) {
            size_t i = 0;
            while (i < n && tolower((unsigned char)s[i]) == tolower((unsigned char)name[i]))
                i++;
            if (i == n)
                return 1;
        }
        if (!end)
            break;
        s = end + 1;
    }
    return 0;
}

/* ---- listener ------------------------------------------------------------ */

/* 1 when PORT is one of PORTS. */
static int wanted(const uint16_t *ports, size_t n, uint16_t port)
{
    for (size_t i = 0; i < n; i++)
        if (ports[i] == port)
            return 1;
    return 0;
}

/* Adds ROW to R when its port is wanted. */
int win_listener_add_row(struct listener_result *r, const struct win_tcp_row *row,
                         const uint16_t *ports, size_t nports)
{
    uint16_t port = win_tcp_port(row->dw_port);
    if (!wanted(ports, nports, port) || r->nsockets >= PROBE_MAX_SOCKETS)
        return 0;
    struct listener_socket *s = &r->sockets[r->nsockets++];
    memset(s, 0, sizeof *s);
    win_addr_format(row->family, row->addr, s->address, sizeof s->address);
    s->port = port;
    /* A listening socket is never the idle process's: pid 0 means the owner
     * was not reported (Wine does so for every socket). */
    s->pid = row->pid ? (int)row->pid : -1;
    return 1;
}

/* Sets state, expected owners and summary of R: the core verdict, with
 * Windows' names (case and ".exe" aside) and pid 0 said "not reported". */
void win_listener_verdict(struct listener_result *r, const uint16_t *ports, size_t nports,
                          const char *expected)
{
    static const struct listener_owners win = { win_in_list, "owner not reported" };
    probe_parse_listener_verdict_owners(r, ports, nports, expected, &win);
}

/* ---- service ------------------------------------------------------------- */

/* The tshoot state of an SCM service state (winsvc.h SERVICE_STOPPED = 1 ... SERVICE_PAUSED = 7). */
enum service_state win_service_state(unsigned long current_state)
{
    switch (current_state) {
    case 4: return SERVICE_RUNNING;          /* SERVICE_RUNNING */
    case 1: case 2: case 3:                  /* STOPPED, START_PENDING, STOP_PENDING */
    case 5: case 6: case 7:                  /* CONTINUE_PENDING, PAUSE_PENDING, PAUSED */
        return SERVICE_STOPPED;
    default: return SERVICE_UNKNOWN;
    }
}

/* The name of an SCM state, for sentences. */
static const char *scm_state_name(unsigned long s)
{
    static const char *names[] = { "in an unknown state", "stopped", "starting", "stopping",
                                   "running", "resuming", "pausing", "paused" };
    return s < sizeof names / sizeof names[0] ? names[s] : names[0];
}

/* The name of a start type (winsvc.h SERVICE_BOOT_START = 0 ... SERVICE_DISABLED = 4). */
const char *win_start_type_name(unsigned long start_type, int delayed)
{
    switch (start_type) {
    case 0: return "boot";
    case 1: return "system";
    case 2: return delayed ? "automatic (delayed)" : "automatic";
    case 3: return "manual";
    case 4: return "disabled";
    default: return "unknown";
    }
}

/* Fills R from a service's recorded status and configuration. */
void win_service_verdict(struct service_result *r, const char *name, unsigned long current_state,
                         unsigned long start_type, int delayed, const char *stopped_deps)
{
    text_copy(r->name, sizeof r->name, name);
    text_copy(r->manager, sizeof r->manager, "scm");
    r->state = win_service_state(current_state);
    const char *st = win_start_type_name(start_type, delayed);
    text_fmt(r->summary, sizeof r->summary, "%s is %s (start type %s)", name, scm_state_name(current_state), st);
    if (r->state == SERVICE_STOPPED) {
        if (start_type == 4)
            text_append(r->summary, sizeof r->summary,
                       ": enable and start it with `sc config %s start= auto` then `sc start %s`", name, name);
        else if (current_state == 7)
            text_append(r->summary, sizeof r->summary, ": paused, it takes no new connections; `sc continue %s`",
                       name);
        else if (current_state == 1)
            text_append(r->summary, sizeof r->summary, ": start it with `sc start %s`", name);
    }
    if (stopped_deps && *stopped_deps)
        text_append(r->summary, sizeof r->summary, "; not running: %s, which it depends on", stopped_deps);
    text_append(r->summary, sizeof r->summary, ".");
}

/* ---- firewall ------------------------------------------------------------ */

static const char *const PROFILE_NAMES[3] = { "Domain", "Private", "Public" };

/* 1 when RULE is inbound, TCP or any protocol, and covers one of PORTS. */
int win_fw_rule_relevant(const struct win_fw_rule *rule, const uint16_t *ports, size_t nports)
{
    if (rule->direction != 1 || (rule->protocol != 6 && rule->protocol != 256))
        return 0;
    for (size_t i = 0; i < nports; i++) {
        if (rule->protocol == 256 && (!rule->local_ports[0] || !strcmp(rule->local_ports, "*")))
            return 1;
        if (win_ports_match(rule->local_ports, ports[i]))
            return 1;
    }
    return 0;
}

/* 1 when RULE is in the File and Printer Sharing group (by its resource
 * reference @FirewallAPI.dll,-28502 or by its English name). */
int win_fw_rule_fps(const struct win_fw_rule *rule)
{
    return strstr(rule->group, "FirewallAPI.dll,-28502") != NULL ||
           strstr(rule->group, "File and Printer Sharing") != NULL;
}

/* Writes the profile names of MASK. */
char *win_fw_profiles_name(long mask, char *buf, size_t len)
{
    buf[0] = '\0';
    if ((mask & 7) == 7) {
        text_fmt(buf, len, "all profiles");
        return buf;
    }
    for (int i = 0; i < 3; i++)
        if (mask & (1L << i))
            text_append(buf, len, "%s%s", *buf ? ", " : "", PROFILE_NAMES[i]);
    if (!*buf)
        text_fmt(buf, len, "no profile");
    return buf;
}

/* 1 when RULE applies to some SYNs only (remote addresses, a program, a
 * service or an interface type): the kernel-mode SMB server is "System". */
static int rule_conditional(const struct win_fw_rule *r)
{
    if (r->remote[0] && strcmp(r->remote, "*") != 0)
        return 1;
    if (r->app[0] && !win_in_list(win_basename(r->app), "System"))
        return 1;
    if (r->service[0] && strcmp(r->service, "*") != 0)
        return 1;
    if (r->iftypes[0] && strcmp(r->iftypes, "All") != 0)
        return 1;
    return 0;
}

/* Fills a tshoot rule from a Windows one, for PORT, with VERDICT. */
static void to_rule(struct firewall_rule *o, const struct win_fw_rule *r, uint16_t port, const char *verdict)
{
    char prof[48];
    memset(o, 0, sizeof *o);
    win_fw_profiles_name(r->profiles, prof, sizeof prof);
    text_fmt(o->text, sizeof o->text, "%s: %s in TCP %s%s%s%s%s, %s, %s", r->name, r->action ? "allow" : "block",
            r->protocol == 256 ? "(any protocol)" : r->local_ports, r->remote[0] && strcmp(r->remote, "*") ? " from " : "",
            r->remote[0] && strcmp(r->remote, "*") ? r->remote : "", r->app[0] ? " program " : "", r->app[0] ? r->app : "",
            prof, r->enabled ? "enabled" : "disabled");
    text_fmt(o->table, sizeof o->table, "%s", r->group[0] ? r->group : "(no group)");
    text_fmt(o->chain, sizeof o->chain, "inbound %s", prof);
    o->handle = -1;
    text_copy(o->verdict, sizeof o->verdict, verdict);
    o->port = port;
    o->family = 0;
    o->conditional = r->enabled && rule_conditional(r);
}

/* Adds a rule to OUT unless it is there already (same text and port). */
static void add_rule(struct firewall_result *out, const struct firewall_rule *fr)
{
    for (size_t i = 0; i < out->nrules; i++)
        if (out->rules[i].port == fr->port && !strcmp(out->rules[i].text, fr->text))
            return;
    if (out->nrules < PROBE_MAX_RULES)
        out->rules[out->nrules++] = *fr;
}

/* The decision for one profile and one port. */
struct decision {
    int blocked;                        /* 1 blocked, 0 let in */
    const struct win_fw_rule *by;       /* the deciding rule, NULL for a default */
    const char *why;                    /* "block rule", "allow rule", "default", "block all", "off" */
};

/* Decides a SYN to PORT under profile index P. */
static struct decision decide(const struct win_fw_state *st, int p, const struct win_fw_rule *rules, size_t n,
                              uint16_t port)
{
    struct decision d = { 0, NULL, "off" };
    const struct win_fw_profile *pr = &st->prof[p];
    if (!pr->enabled)
        return d;
    if (pr->block_all) {
        d.blocked = 1;
        d.why = "block all";
        return d;
    }
    const struct win_fw_rule *allow = NULL, *block = NULL;
    uint16_t one[1] = { port };
    for (size_t i = 0; i < n; i++) {
        const struct win_fw_rule *r = &rules[i];
        if (!r->enabled || !(r->profiles & (1L << p)) || !win_fw_rule_relevant(r, one, 1) || rule_conditional(r))
            continue;
        if (r->action == 0 && !block)
            block = r;
        else if (r->action == 1 && !allow)
            allow = r;
    }
    if (block) {
        d.blocked = 1;
        d.by = block;
        d.why = "block rule";
    } else if (allow) {
        d.by = allow;
        d.why = "allow rule";
    } else {
        d.blocked = pr->default_block;
        d.why = "default";
    }
    return d;
}

/* Decides the firewall's verdict on a SYN to PORTS for each current profile. */
void win_fw_evaluate(const struct win_fw_state *st, const struct win_fw_rule *rules, size_t n,
                     const uint16_t *ports, size_t nports, struct firewall_result *out)
{
    out->state = FIREWALL_OPEN;
    text_copy(out->backend, sizeof out->backend, "windows-firewall");
    out->nrules = 0;
    out->summary[0] = out->detail[0] = '\0';
    long current = st->current & 7;
    char curnames[48], portlist[48] = "";
    if (!current)
        current = 7; /* not reported: consider every profile */
    win_fw_profiles_name(current, curnames, sizeof curnames);
    for (size_t i = 0; i < nports; i++)
        text_append(portlist, sizeof portlist, "%s%u", i ? "," : "", ports[i]);

    int any_on = 0;
    for (int p = 0; p < 3; p++)
        if ((current & (1L << p)) && st->prof[p].enabled)
            any_on = 1;
    if (!any_on) {
        text_fmt(out->summary, sizeof out->summary,
                "Windows Firewall is off for the current profile (%s): it lets TCP %s in.", curnames, portlist);
        text_fmt(out->detail, sizeof out->detail, "current profile: %s", curnames);
        return;
    }
    struct decision worst = { 0, NULL, "off" };
    int worst_p = -1;
    uint16_t worst_port = ports[0];
    const struct win_fw_rule *allowed_by = NULL;
    for (int p = 0; p < 3; p++) {
        if (!(current & (1L << p)))
            continue;
        for (size_t i = 0; i < nports; i++) {
            struct decision d = decide(st, p, rules, n, ports[i]);
            struct firewall_rule fr;
            if (d.by) {
                to_rule(&fr, d.by, ports[i], d.blocked ? "drop" : "accept");
                add_rule(out, &fr);
                if (!d.blocked && !allowed_by)
                    allowed_by = d.by;
            } else if (strcmp(d.why, "off") != 0) {
                memset(&fr, 0, sizeof fr);
                if (!strcmp(d.why, "block all"))
                    text_fmt(fr.text, sizeof fr.text, "%s profile: block all incoming connections, including allowed programs",
                            PROFILE_NAMES[p]);
                else
                    text_fmt(fr.text, sizeof fr.text, "%s profile: default inbound action %s", PROFILE_NAMES[p],
                            d.blocked ? "block" : "allow");
                text_copy(fr.table, sizeof fr.table, "profile");
                text_copy(fr.chain, sizeof fr.chain, PROFILE_NAMES[p]);
                fr.handle = -1;
                text_copy(fr.verdict, sizeof fr.verdict, d.blocked ? "policy-drop" : "policy-accept");
                fr.port = ports[i];
                add_rule(out, &fr);
            }
            if (d.blocked && worst_p < 0) {
                worst = d;
                worst_p = p;
                worst_port = ports[i];
            }
        }
    }
    /* Rules that decide only some SYNs, and disabled rules of the port (the
     * SMB-In rule of File and Printer Sharing, typically): shown, not deciding. */
    const struct win_fw_rule *fps_disabled = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct win_fw_rule *r = &rules[i];
        if (!win_fw_rule_relevant(r, ports, nports))
            continue;
        uint16_t port = ports[0];
        for (size_t k = 0; k < nports; k++) {
            uint16_t one[1] = { ports[k] };
            if (win_fw_rule_relevant(r, one, 1)) {
                port = ports[k];
                break;
            }
        }
        struct firewall_rule fr;
        if (!r->enabled) {
            if (win_fw_rule_fps(r) && r->action == 1 && !fps_disabled)
                fps_disabled = r;
            to_rule(&fr, r, port, "disabled");
        } else if (rule_conditional(r) && (r->profiles & current)) {
            to_rule(&fr, r, port, r->action ? "accept" : "drop");
        } else {
            continue;
        }
        add_rule(out, &fr);
    }
    if (worst_p >= 0) {
        out->state = FIREWALL_BLOCKED;
        if (worst.by)
            text_fmt(out->summary, sizeof out->summary,
                    "Windows Firewall (%s profile) blocks TCP %u: the block rule \"%s\" wins over any allow rule",
                    PROFILE_NAMES[worst_p], worst_port, worst.by->name);
        else if (!strcmp(worst.why, "block all"))
            text_fmt(out->summary, sizeof out->summary,
                    "Windows Firewall (%s profile) blocks TCP %u: \"Block all incoming connections\" is set",
                    PROFILE_NAMES[worst_p], worst_port);
        else
            text_fmt(out->summary, sizeof out->summary,
                    "Windows Firewall (%s profile) blocks TCP %u: no enabled inbound rule allows it and the default "
                    "inbound action is block",
                    PROFILE_NAMES[worst_p], worst_port);
        if (fps_disabled)
            text_append(out->summary, sizeof out->summary, "; the rule \"%s\" exists but is disabled", fps_disabled->name);
        text_append(out->summary, sizeof out->summary, ".");
    } else if (allowed_by) {
        text_fmt(out->summary, sizeof out->summary, "Windows Firewall (%s) lets TCP %s in: rule \"%s\".", curnames,
                portlist, allowed_by->name);
    } else {
        text_fmt(out->summary, sizeof out->summary,
                "Windows Firewall (%s) lets TCP %s in: the default inbound action is allow.", curnames, portlist);
    }
    text_fmt(out->detail, sizeof out->detail, "current profile: %s; %zu inbound rule%s about TCP %s", curnames, n,
            n == 1 ? "" : "s", portlist);
}

/* Writes the current profiles' log settings. */
void win_fw_logging_text(const struct win_fw_state *st, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!st->have_log) {
        text_fmt(buf, len, "Firewall log settings unknown (registry not readable).");
        return;
    }
    long current = st->current & 7 ? st->current & 7 : 7;
    char on[48] = "", off[48] = "";
    const struct win_fw_log *first = NULL;
    for (int p = 0; p < 3; p++) {
        if (!(current & (1L << p)))
            continue;
        if (!first)
            first = &st->log[p];
        if (st->log[p].log_dropped)
            text_append(on, sizeof on, "%s%s", *on ? ", " : "", PROFILE_NAMES[p]);
        else
            text_append(off, sizeof off, "%s%s", *off ? ", " : "", PROFILE_NAMES[p]);
    }
    if (*on)
        text_append(buf, len, "Dropped packets are logged (%s) to %s (%lu KB%s)", on, first->path, first->size_kb,
                   first->from_policy ? ", set by group policy" : "");
    if (*off)
        text_append(buf, len, "%sDropped packets are not logged (%s): `netsh advfirewall set currentprofile logging "
                   "droppedconnections enable`, then read %s",
                   *buf ? "; " : "", off, first->path);
    text_append(buf, len, ".");
}

/* ---- Security log (WFP drops) -------------------------------------------- */

/* Writes the XPath query for drop events to PORTS. */
void win_wfp_xpath(const uint16_t *ports, size_t nports, unsigned max_age_s, char *buf, size_t len)
{
    buf[0] = '\0';
    text_append(buf, len, "*[System[(EventID=5152 or EventID=5157)");
    if (max_age_s)
        text_append(buf, len, " and TimeCreated[timediff(@SystemTime) <= %llu]",
                   (unsigned long long)max_age_s * 1000ull);
    text_append(buf, len, "]]");
    if (nports) {
        text_append(buf, len, " and *[EventData[");
        for (size_t i = 0; i < nports; i++)
            text_append(buf, len, "%sData[@Name='DestPort']='%u' or Data[@Name='SourcePort']='%u'", i ? " or " : "",
                       ports[i], ports[i]);
        text_append(buf, len, "]]");
    }
}

/* Decodes the five XML entities of S in place. */
static void unescape(char *s)
{
    static const struct { const char *ent; char c; } ents[] = {
        { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' } };
    char *w = s;
    for (const char *r = s; *r;) {
        int done = 0;
        if (*r == '&')
            for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
                size_t l = strlen(ents[i].ent);
                if (!strncmp(r, ents[i].ent, l)) {
                    *w++ = ents[i].c;
                    r += l;
                    done = 1;
                    break;
                }
            }
        if (!done)
            *w++ = *r++;
    }
    *w = '\0';
}

/* Copies the text between START (just past a '>') and the next '<' into BUF. */
static int copy_text(const char *start, char *buf, size_t len)
{
    const char *end = strchr(start, '<');
    if (!end)
        return -1;
    size_t n = (size_t)(end - start);
    if (n >= len)
        n = len - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
    unescape(buf);
    return 0;
}

/* Copies the text of <Data Name='NAME'>...</Data> into BUF. */
int win_event_data(const char *xml, const char *name, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    for (const char *p = strstr(xml, "<Data"); p; p = strstr(p + 5, "<Data")) {
        const char *gt = strchr(p, '>');
        if (!gt)
            return -1;
        const char *attr = strstr(p, "Name=");
        if (!attr || attr > gt)
            continue;
        char q = attr[5];
        if (q != '\'' && q != '"')
            continue;
        size_t nl = strlen(name);
        if (strncmp(attr + 6, name, nl) != 0 || attr[6 + nl] != q)
            continue;
        if (gt[-1] == '/') /* <Data Name='X'/>: empty */
            return 0;
        return copy_text(gt + 1, buf, len);
    }
    return -1;
}

/* The value of attribute ATTR of the first element TAG in XML. */
static int xml_attr(const char *xml, const char *tag, const char *attr, char *buf, size_t len)
{
    char open[48];
    text_fmt(open, sizeof open, "<%s", tag);
    const char *p = strstr(xml, open);
    if (!p)
        return -1;
    const char *gt = strchr(p, '>');
    char key[48];
    text_fmt(key, sizeof key, "%s=", attr);
    const char *a = strstr(p, key);
    if (!a || (gt && a > gt))
        return -1;
    a += strlen(key);
    char q = *a++;
    const char *end = strchr(a, q);
    if (!end)
        return -1;
    size_t n = (size_t)(end - a);
    if (n >= len)
        n = len - 1;
    memcpy(buf, a, n);
    buf[n] = '\0';
    return 0;
}

/* The text of the first element TAG (attributes allowed) in XML. */
static int xml_text(const char *xml, const char *tag, char *buf, size_t len)
{
    char open[48];
    text_fmt(open, sizeof open, "<%s", tag);
    size_t ol = strlen(open);
    for (const char *p = strstr(xml, open); p; p = strstr(p + 1, open)) {
        if (p[ol] != '>' && p[ol] != ' ')
            continue;
        const char *gt = strchr(p, '>');
        if (!gt || gt[-1] == '/')
            return -1;
        return copy_text(gt + 1, buf, len);
    }
    return -1;
}

/* Names the %%N insertion strings of the events (msobjs.dll's message table). */
static const char *insertion_name(const char *v)
{
    static const struct { const char *code, *name; } map[] = {
        { "%%14592", "inbound" },     { "%%14593", "outbound" },        { "%%14596", "IP Packet" },
        { "%%14597", "Transport" },   { "%%14609", "Listen" },          { "%%14610", "Receive/Accept" },
        { "%%14611", "Connect" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(v, map[i].code))
            return map[i].name;
    return v;
}

/* Reads a rendered 5152/5157 event into D. */
int win_event_parse(const char *xml, struct wfp_drop *d)
{
    char v[160];
    memset(d, 0, sizeof *d);
    if (xml_text(xml, "EventID", v, sizeof v) != 0)
        return -1;
    d->event_id = (unsigned)strtoul(v, NULL, 10);
    if (d->event_id != 5152 && d->event_id != 5157)
        return -1;
    xml_attr(xml, "TimeCreated", "SystemTime", d->time, sizeof d->time);
    if (win_event_data(xml, "Direction", v, sizeof v) == 0)
        text_copy(d->direction, sizeof d->direction, insertion_name(v));
    win_event_data(xml, "SourceAddress", d->source, sizeof d->source);
    win_event_data(xml, "DestAddress", d->dest, sizeof d->dest);
    if (win_event_data(xml, "SourcePort", v, sizeof v) == 0)
        d->sport = (uint16_t)strtoul(v, NULL, 10);
    if (win_event_data(xml, "DestPort", v, sizeof v) == 0)
        d->dport = (uint16_t)strtoul(v, NULL, 10);
    if (win_event_data(xml, "Protocol", v, sizeof v) == 0)
        d->protocol = (unsigned)strtoul(v, NULL, 10);
    win_event_data(xml, "Application", d->application, sizeof d->application);
    if (win_event_data(xml, "LayerName", v, sizeof v) == 0)
        text_copy(d->layer, sizeof d->layer, insertion_name(v));
    if (win_event_data(xml, "FilterRTID", v, sizeof v) == 0)
        d->filter_id = strtoull(v, NULL, 10);
    return 0;
}

/* 1 when D's source or destination port is one of PORTS. */
int win_wfp_drop_matches(const struct wfp_drop *d, const uint16_t *ports, size_t nports)
{
    return wanted(ports, nports, d->dport) || wanted(ports, nports, d->sport);
}

/* Fills R's state and summary from its drops and the audit setting. */
void win_wfp_verdict(struct wfp_result *r, const uint16_t *ports, size_t nports, unsigned max_age_s, int audit)
{
    char portlist[48] = "", age[32] = "";
    for (size_t i = 0; i < nports; i++)
        text_append(portlist, sizeof portlist, "%s%u", i ? "," : "", ports[i]);
    if (max_age_s)
        text_fmt(age, sizeof age, " in the last %u h", (max_age_s + 3599) / 3600);
    if (r->ndrops) {
        const struct wfp_drop *d = &r->drops[0];
        r->state = WFP_DROPS;
        text_fmt(r->summary, sizeof r->summary, "The filtering platform blocked %zu%s packet%s to TCP %s%s; newest %s %s:%u -> %s:%u by filter %llu",
                r->ndrops, r->ndrops >= WFP_MAX_DROPS ? "+" : "", r->ndrops == 1 ? "" : "s", portlist, age,
                d->time, d->source, d->sport, d->dest, d->dport, (unsigned long long)d->filter_id);
        if (d->filter_name[0])
            text_append(r->summary, sizeof r->summary, " \"%s\"", d->filter_name);
        text_append(r->summary, sizeof r->summary, ".");
        return;
    }
    if (audit == 0) {
        r->state = WFP_AUDIT_OFF;
        text_fmt(r->summary, sizeof r->summary,
                "Drop auditing is off, so the Security log cannot say which filter drops TCP %s: turn it on (see the hint) "
                "and try again.",
                portlist);
        return;
    }
    r->state = WFP_NO_DROPS;
    text_fmt(r->summary, sizeof r->summary, "The Security log holds no packet to TCP %s blocked by the filtering platform%s "
            "(events 5152, 5157)%s.",
            portlist, age, audit < 0 ? "; whether drop auditing is on is unknown" : "");
}

/* The auditpol and netsh wfp commands. */
const char *win_wfp_hint(void)
{
    return "As Administrator: auditpol /set /subcategory:\"Filtering Platform Packet Drop\" /failure:enable "
           "and auditpol /set /subcategory:\"Filtering Platform Connection\" /failure:enable (on a non-English "
           "Windows use the GUIDs {0CCE9225-69AE-11D9-BED3-505054503030} and {0CCE9226-69AE-11D9-BED3-505054503030}), "
           "then look for events 5152 and 5157. Or record a WFP trace: netsh wfp capture start, reproduce, netsh wfp "
           "capture stop (writes wfpdiag.cab).";
}
