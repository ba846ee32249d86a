/* fuzz_nftjson.c: libFuzzer target for the firewall probe's reader and
 * evaluator of `nft -j list ruleset` JSON (probe_parse_linux.h).
 *
 * The input, made a C string, goes through probe_parse_nft_xt_tables() (the
 * iptables-nft tables to leave out) and probe_parse_nft_eval() for a SYN to
 * port 445 over IPv4 with those tables skipped, over IPv6 with none skipped,
 * and to port 22 over IPv4; each decision is merged into one firewall result
 * as `tshoot check` does. Jumps, gotos, vmaps and sets are followed by the
 * evaluator, so loops in the ruleset must end (-timeout catches a hang, ASan
 * a stack overflow). Every text field must stay NUL-terminated.
 *
 * Seeds: tests/fuzz/corpus/nftjson (rulesets listed by nft 1.0.6 in a
 * scratch network namespace); dictionary: tests/fuzz/corpus/nftjson.dict. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "probe_parse_linux.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless BUF of LEN bytes holds a terminated string. */
static void terminated(const char *buf, size_t len)
{
    if (memchr(buf, 0, len) == NULL)
        abort();
}

/* Checks the text fields of one rule. */
static void check_rule(const struct firewall_rule *r)
{
    terminated(r->text, sizeof r->text);
    terminated(r->table, sizeof r->table);
    terminated(r->chain, sizeof r->chain);
    terminated(r->verdict, sizeof r->verdict);
}

/* One run: the input as a ruleset, evaluated three ways. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = malloc(size + 1);
    if (json == NULL)
        abort();
    memcpy(json, data, size);
    json[size] = 0;

    char skip[512];
    probe_parse_nft_xt_tables(json, skip, sizeof skip);
    terminated(skip, sizeof skip);

    static const struct { uint16_t port; int family; int use_skip; } cases[] = {
        { 445, 4, 1 }, { 445, 6, 0 }, { 22, 4, 1 },
    };
    struct firewall_result res;
    memset(&res, 0, sizeof res);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fw_decision d;
        char *cause = NULL;
        if (probe_parse_nft_eval(json, cases[i].port, cases[i].family,
                                 cases[i].use_skip ? skip : NULL, &d, &cause) < 0) {
            free(cause);
            continue;
        }
        if (d.verdict > FW_REJECT || d.ncond > sizeof d.cond / sizeof d.cond[0])
            abort();
        check_rule(&d.rule);
        for (size_t k = 0; k < d.ncond; k++)
            check_rule(&d.cond[k]);
        terminated(d.log_prefix, sizeof d.log_prefix);
        (void)probe_parse_verdict_name(d.verdict);
        probe_parse_firewall_merge(&res, &d);
    }
    if (res.nrules > PROBE_MAX_RULES)
        abort();
    free(json);
    return 0;
}
