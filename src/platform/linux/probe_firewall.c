/* probe_firewall.c: does the firewall let a TCP SYN to the playbook's ports in,
 * and which rule decides? Reads the nftables ruleset (`nft -j list ruleset`)
 * and iptables (`iptables-save -c`, `ip6tables-save -c`: the nft back end,
 * whose tables are then left out of the nft evaluation, and the legacy back
 * end when its tables exist), evaluates them for IPv4 and IPv6 with the pure
 * evaluators of parse_nft_json.c and parse_iptables.c (the ruleset comes through libnftables, loaded
 * with dlopen, when it is installed; TSHOOT_NFT_EXEC=1 forces the nft program), names the front end in charge (ufw, firewalld)
 * and says whether dropped SYNs would be logged and where. Reading rules needs
 * CAP_NET_ADMIN: without it the state is unknown with that reason. Nothing in
 * the firewall is changed here. */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "probe_linux.h"
#include "probe_parse_linux.h"

#define FW_TIMEOUT_MS 5000

/* Reads a small file into a malloc'd string, or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    if (buf)
        buf[fread(buf, 1, 65535, f)] = '\0';
    fclose(f);
    return buf;
}

/* 1 when a process called NAME runs (/proc/PID/comm; firewalld shows its script name). */
static int running(const char *name)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    struct dirent *de;
    int found = 0;
    while (!found && (de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        char path[64], comm[64] = "";
        text_fmt(path, sizeof path, "/proc/%.20s/comm", de->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        if (fgets(comm, sizeof comm, f))
            found = !strncmp(comm, name, strlen(name)) && (comm[strlen(name)] == '\n' || !comm[strlen(name)]);
        fclose(f);
    }
    closedir(d);
    return found;
}

/* Evaluates iptables-save text for each port and merges it; returns how many ports it blocks. */
static int eval_iptables(const char *prog, int family, const uint16_t *ports, size_t nports,
                         struct firewall_result *out, struct fw_decision *first_block, int *have_block,
                         int *logged_all, char *log_prefix, size_t plen)
{
    char *argv[] = { (char *)prog, "-c", NULL };
    char *text = NULL, *err = NULL;
    int rc = probe_exec_run(argv, &text, &err, FW_TIMEOUT_MS);
    int blocked = 0;
    if (rc == 0) {
        for (size_t i = 0; i < nports; i++) {
            struct fw_decision d;
            if (probe_parse_iptables_eval(text, ports[i], &d, NULL) < 0)
                continue;
            d.rule.family = family;
            for (size_t c = 0; c < d.ncond; c++)
                d.cond[c].family = family;
            probe_parse_firewall_merge(out, &d);
            if (d.verdict == FW_DROP || d.verdict == FW_REJECT) {
                blocked++;
                if (!*have_block) {
                    *first_block = d;
                    *have_block = 1;
                }
                if (d.logged && !*log_prefix)
                    text_fmt(log_prefix, plen, "%s", d.log_prefix);
                *logged_all &= d.logged;
            }
        }
    }
    free(text);
    free(err);
    return blocked;
}

/* The few libnftables calls used (libnftables.h, nftables 0.9.3 and later),
 * looked up at run time so that no -dev package is needed to build. */
#define NFT_CTX_OUTPUT_JSON (1u << 4)
struct nft_api {
    void *(*ctx_new)(uint32_t flags);
    int (*buffer_output)(void *ctx);
    int (*buffer_error)(void *ctx);
    void (*set_flags)(void *ctx, unsigned int flags);
    int (*run)(void *ctx, const char *cmd);
    const char *(*output)(void *ctx);
    const char *(*error)(void *ctx);
    void (*ctx_free)(void *ctx);
};

/* Loads libnftables once (the handle stays open); 0 when it is usable. */
static int nft_api_load(struct nft_api *a)
{
    static void *handle;
    if (!handle)
        handle = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        return -1;
    *(void **)&a->ctx_new = dlsym(handle, "nft_ctx_new");
    *(void **)&a->buffer_output = dlsym(handle, "nft_ctx_buffer_output");
    *(void **)&a->buffer_error = dlsym(handle, "nft_ctx_buffer_error");
    *(void **)&a->set_flags = dlsym(handle, "nft_ctx_output_set_flags");
    *(void **)&a->run = dlsym(handle, "nft_run_cmd_from_buffer");
    *(void **)&a->output = dlsym(handle, "nft_ctx_get_output_buffer");
    *(void **)&a->error = dlsym(handle, "nft_ctx_get_error_buffer");
    *(void **)&a->ctx_free = dlsym(handle, "nft_ctx_free");
    return a->ctx_new && a->buffer_output && a->buffer_error && a->set_flags && a->run && a->output &&
                   a->error && a->ctx_free
               ? 0
               : -1;
}

/* The ruleset as JSON: in process through libnftables when it is installed
 * (no process to start: the check stays fast on a loaded machine), else from
 * `nft -j list ruleset`. Returns 0, an exit status, or a PROBE_EXEC_ code;
 * *OUT and *ERR are malloc'd. */
static int nft_ruleset_json(char **out, char **err, const char **via)
{
    struct nft_api a;
    if (!getenv("TSHOOT_NFT_EXEC") && nft_api_load(&a) == 0) {
        void *ctx = a.ctx_new(0);
        if (ctx) {
            a.buffer_output(ctx);
            a.buffer_error(ctx);
            a.set_flags(ctx, NFT_CTX_OUTPUT_JSON);
            int rc = a.run(ctx, "list ruleset");
            const char *o = a.output(ctx), *e = a.error(ctx);
            *out = strdup(o ? o : "");
            *err = strdup(e ? e : "");
            a.ctx_free(ctx);
            *via = "libnftables";
            return rc == 0 ? 0 : 1;
        }
    }
    char *argv[] = { "nft", "-j", "list", "ruleset", NULL };
    *via = "nft -j list ruleset";
    return probe_exec_run(argv, out, err, FW_TIMEOUT_MS);
}

/* Which back end `iptables` is: the multi-call binary it links to (Debian's
 * alternatives), else what `iptables -V` says. */
static void iptables_variant(int *nft, int *legacy)
{
    char path[512], real[PATH_MAX];
    *nft = *legacy = 0;
    if (probe_exec_find("iptables", path, sizeof path) < 0)
        return;
    if (realpath(path, real)) {
        if (strstr(real, "xtables-nft")) {
            *nft = 1;
            return;
        }
        if (strstr(real, "xtables-legacy")) {
            *legacy = 1;
            return;
        }
    }
    char *argv[] = { "iptables", "-V", NULL };
    char *ver = NULL;
    if (probe_exec_run(argv, &ver, NULL, FW_TIMEOUT_MS) == 0 && ver) {
        *nft = strstr(ver, "nf_tables") != NULL;
        *legacy = strstr(ver, "legacy") != NULL;
    }
    free(ver);
}

/* Names ufw or firewalld when one is in charge, and fills the logging advice. */
static void front_ends(const uint16_t *ports, size_t nports, struct firewall_result *out, char *note, size_t nlen)
{
    char *conf = slurp("/etc/ufw/ufw.conf");
    if (conf) {
        int enabled = 0;
        char level[32];
        probe_parse_ufw_conf(conf, &enabled, level, sizeof level);
        free(conf);
        if (enabled) {
            char *argv[] = { "ufw", "status", NULL };
            char *text = NULL;
            int rc = probe_exec_run(argv, &text, NULL, FW_TIMEOUT_MS);
            int active = rc == 0 && text && strstr(text, "Status: active");
            free(text);
            if (active || rc != 0) {
                text_fmt(out->frontend, sizeof out->frontend, "ufw");
                if (!strcmp(level, "off"))
                    text_fmt(out->logging, sizeof out->logging,
                              "ufw logging is off: blocked SYNs are not logged (enable with: ufw logging low)");
                else
                    text_fmt(out->logging, sizeof out->logging,
                              "ufw logs blocked packets (logging %s): /var/log/ufw.log or journalctl -k | grep 'UFW BLOCK'",
                              level);
                text_fmt(note, nlen, " ufw is in charge (/etc/ufw/ufw.conf ENABLED=yes): change rules with ufw allow, not nft.");
                return;
            }
        }
    }
    if (!running("firewalld"))
        return;
    text_fmt(out->frontend, sizeof out->frontend, "firewalld");
    char *zone = NULL, *services = NULL, *fports = NULL, *denied = NULL;
    char *a1[] = { "firewall-cmd", "--get-default-zone", NULL };
    probe_exec_run(a1, &zone, NULL, FW_TIMEOUT_MS);
    if (zone)
        zone[strcspn(zone, "\n")] = '\0';
    char zarg[96];
    text_fmt(zarg, sizeof zarg, "--zone=%s", zone && *zone ? zone : "public");
    char *a2[] = { "firewall-cmd", zarg, "--list-services", NULL };
    char *a3[] = { "firewall-cmd", zarg, "--list-ports", NULL };
    char *a4[] = { "firewall-cmd", "--get-log-denied", NULL };
    probe_exec_run(a2, &services, NULL, FW_TIMEOUT_MS);
    probe_exec_run(a3, &fports, NULL, FW_TIMEOUT_MS);
    probe_exec_run(a4, &denied, NULL, FW_TIMEOUT_MS);
    int allows = 1;
    for (size_t i = 0; i < nports; i++)
        allows &= probe_parse_firewalld_allows(services, fports, ports[i]);
    if (services)
        services[strcspn(services, "\n")] = '\0';
    text_fmt(note, nlen, " firewalld is in charge: default zone %s allows services [%s]%s.",
              zone && *zone ? zone : "?", services ? services : "", allows ? "" : " (not samba: firewall-cmd --add-service=samba)");
    if (denied) {
        denied[strcspn(denied, "\n")] = '\0';
        if (!strcmp(denied, "off"))
            text_fmt(out->logging, sizeof out->logging,
                      "firewalld LogDenied=off: rejected SYNs are not logged (firewall-cmd --set-log-denied=all)");
        else
            text_fmt(out->logging, sizeof out->logging,
                      "firewalld logs denied packets (LogDenied=%s): journalctl -k | grep -E 'REJECT|DROP'", denied);
    }
    free(zone);
    free(services);
    free(fports);
    free(denied);
}

/* Checks the firewall for SYNs to PORTS. */
void probe_firewall(const uint16_t *ports, size_t nports, struct firewall_result *out)
{
    memset(out, 0, sizeof *out);
    char engines[64] = "";
    struct fw_decision first_block;
    int have_block = 0, logged_all = 1, saw_rules = 0;
    char log_prefix[64] = "";

    /* nftables */
    char *json = NULL, *err = NULL;
    const char *via = "";
    int rc = nft_ruleset_json(&json, &err, &via);
    char skip[256] = "";
    int nft_ok = rc == 0;
    if (err)
        err[strcspn(err, "\n")] = '\0'; /* nft's first line says it; the rest is detail */
    if (rc != 0 && rc != PROBE_EXEC_NOTFOUND) {
        int perm = err && (strstr(err, "Operation not permitted") || strstr(err, "ermission denied"));
        out->state = FIREWALL_UNKNOWN;
        out->lacks_privilege = perm;
        text_fmt(out->backend, sizeof out->backend, "nftables");
        if (perm)
            text_fmt(out->detail, sizeof out->detail,
                      "reading the nftables ruleset needs CAP_NET_ADMIN: run tshoot check as root (nft: %.120s)",
                      err);
        else
            text_fmt(out->detail, sizeof out->detail, "%s failed (%d): %.150s", via, rc, err ? err : "");
        text_fmt(out->summary, sizeof out->summary, "Cannot read the firewall rules.");
        free(json);
        free(err);
        return;
    }
    free(err);
    if (nft_ok) {
        probe_parse_nft_xt_tables(json, skip, sizeof skip);
        for (size_t i = 0; i < nports; i++)
            for (int fam = 4; fam <= 6; fam += 2) {
                struct fw_decision d;
                char *cause = NULL;
                if (probe_parse_nft_eval(json, ports[i], fam, skip, &d, &cause) < 0) {
                    text_fmt(out->detail, sizeof out->detail, "%s", cause ? cause : "nft JSON unreadable");
                    free(cause);
                    continue;
                }
                if (d.verdict != FW_NONE)
                    saw_rules = 1;
                probe_parse_firewall_merge(out, &d);
                if (d.verdict == FW_DROP || d.verdict == FW_REJECT) {
                    if (!have_block) {
                        first_block = d;
                        have_block = 1;
                    }
                    if (d.logged && !*log_prefix)
                        text_fmt(log_prefix, sizeof log_prefix, "%s", d.log_prefix);
                    logged_all &= d.logged;
                }
            }
        text_fmt(engines, sizeof engines, "nftables");
    }
    free(json);

    /* iptables: the nft back end's tables, and legacy tables if any are loaded */
    int ipt_nft = 0, ipt_legacy = 0;
    iptables_variant(&ipt_nft, &ipt_legacy);
    if (ipt_nft && *skip) {
        size_t before = out->nrules;
        if (strstr(skip, "ip "))
            eval_iptables("iptables-save", 4, ports, nports, out, &first_block, &have_block, &logged_all,
                          log_prefix, sizeof log_prefix);
        if (strstr(skip, "ip6 "))
            eval_iptables("ip6tables-save", 6, ports, nports, out, &first_block, &have_block, &logged_all,
                          log_prefix, sizeof log_prefix);
        saw_rules |= out->nrules > before;
        text_fmt(engines + strlen(engines), sizeof engines - strlen(engines), "%siptables-nft", *engines ? "+" : "");
    }
    char *names = slurp("/proc/net/ip_tables_names");
    char legacy_save[32] = "";
    if (ipt_legacy)
        text_fmt(legacy_save, sizeof legacy_save, "iptables-save");
    else if (names && *names) {
        char path[512];
        if (probe_exec_find("iptables-legacy-save", path, sizeof path) == 0)
            text_fmt(legacy_save, sizeof legacy_save, "iptables-legacy-save");
    }
    free(names);
    if (*legacy_save) {
        size_t before = out->nrules;
        eval_iptables(legacy_save, 4, ports, nports, out, &first_block, &have_block, &logged_all, log_prefix,
                      sizeof log_prefix);
        eval_iptables(ipt_legacy ? "ip6tables-save" : "ip6tables-legacy-save", 6, ports, nports, out, &first_block,
                      &have_block, &logged_all, log_prefix, sizeof log_prefix);
        saw_rules |= out->nrules > before;
        text_fmt(engines + strlen(engines), sizeof engines - strlen(engines), "%siptables-legacy",
                  *engines ? "+" : "");
    }
    if (!*engines) {
        out->state = FIREWALL_UNKNOWN;
        text_fmt(out->backend, sizeof out->backend, "none");
        text_fmt(out->detail, sizeof out->detail, "neither nft nor iptables is installed");
        text_fmt(out->summary, sizeof out->summary, "Cannot read the firewall rules.");
        return;
    }
    text_fmt(out->backend, sizeof out->backend, "%s", engines);

    char note[256] = "";
    front_ends(ports, nports, out, note, sizeof note);

    char portlist[64] = "";
    for (size_t i = 0; i < nports; i++)
        text_fmt(portlist + strlen(portlist), sizeof portlist - strlen(portlist), "%s%u", i ? "," : "", ports[i]);
    if (!saw_rules) {
        out->state = FIREWALL_OPEN;
        text_fmt(out->summary, sizeof out->summary,
                  "No firewall chain filters incoming packets (%s): TCP port %s is not blocked here.%s", engines,
                  portlist, note);
    } else if (out->state == FIREWALL_BLOCKED && have_block) {
        struct firewall_rule *r = &first_block.rule;
        int family = r->family;
        for (size_t i = 0; i < out->nrules; i++) /* the merged copy knows when it decides both families */
            if (!strcmp(out->rules[i].table, r->table) && !strcmp(out->rules[i].chain, r->chain) &&
                out->rules[i].handle == r->handle && !strcmp(out->rules[i].text, r->text))
                family = out->rules[i].family;
        text_fmt(out->summary, sizeof out->summary, "The firewall %ss TCP SYNs to port %u (%s): %s %s, %s%s.%s",
                  first_block.verdict == FW_REJECT ? "reject" : "drop", r->port,
                  family == 4 ? "IPv4" : family == 6 ? "IPv6" : "IPv4 and IPv6", r->table, r->chain,
                  r->handle >= 0 ? "rule " : "", r->text, note);
    } else {
        struct firewall_rule *r = out->nrules ? &out->rules[0] : NULL;
        text_fmt(out->summary, sizeof out->summary, "The firewall lets TCP SYNs to port %s in%s%s%s%s%s.%s", portlist,
                  r ? " (" : "", r ? r->table : "", r ? " " : "", r ? r->text : "", r ? ")" : "", note);
    }
    size_t ncond = 0;
    for (size_t i = 0; i < out->nrules; i++)
        ncond += out->rules[i].conditional;
    if (ncond)
        text_fmt(out->detail, sizeof out->detail,
                  "%zu rule(s) decide only for some sources or interfaces (marked conditional); the state is for a client they do not single out",
                  ncond);
    if (!*out->logging) {
        if (out->state != FIREWALL_BLOCKED)
            text_fmt(out->logging, sizeof out->logging, "nothing drops SYNs to port %s, so nothing to log", portlist);
        else if (*log_prefix || (logged_all && have_block))
            text_fmt(out->logging, sizeof out->logging,
                      "dropped SYNs are logged by a log rule%s%s%s: journalctl -k%s%s%s (or dmesg)",
                      *log_prefix ? " with prefix \"" : "", log_prefix, *log_prefix ? "\"" : "",
                      *log_prefix ? " | grep '" : "", log_prefix, *log_prefix ? "'" : "");
        else
            text_fmt(out->logging, sizeof out->logging,
                      "dropped SYNs are not logged (no log rule on their path); the live trace shows them");
    }
}
