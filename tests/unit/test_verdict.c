/* test_verdict.c: unit tests of the verdict (src/verdict.c): code order,
 * vantage inference from TTLs and local addresses, the sentences, and the
 * matching of attempts across captures (path_drop, return_path_drop, NAT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "verdict.h"

static const uint16_t PORT445[] = { 445 };

#define SEC 1000000ull
#define SYN TCPF_SYN
#define SA (TCPF_SYN | TCPF_ACK)
#define ACK TCPF_ACK

/* A tracker for port 445. */
static struct tracker *
mk(void)
{
    struct tracker_config cfg = { PORT445, 1, 0, 0, 0 };
    struct tracker *t = tracker_new(&cfg, NULL);
    assert_non_null(t);
    return t;
}

/* Feeds a TCP segment with a timestamp option TSVAL (0: no options). */
static void
seg(struct tracker *t, uint64_t ts, const char *src, uint16_t sp, const char *dst, uint16_t dp,
    uint32_t seq, uint32_t ack, uint8_t flags, uint8_t ttl, uint32_t tsval)
{
    struct decoded d;
    memset(&d, 0, sizeof d);
    d.result = DECODE_TCP;
    assert_int_equal(decode_addr_parse(src, &d.tcp.src), 0);
    assert_int_equal(decode_addr_parse(dst, &d.tcp.dst), 0);
    d.tcp.sport = sp;
    d.tcp.dport = dp;
    d.tcp.seq = seq;
    d.tcp.ack = ack;
    d.tcp.flags = flags;
    d.tcp.ttl = ttl;
    if (tsval) {
        d.tcp.opts.present = TCPO_MSS | TCPO_TS | TCPO_SACKPERM | TCPO_WSCALE;
        d.tcp.opts.tsval = tsval;
        d.tcp.opts.mss = 1460;
        d.tcp.opts.wscale = 7;
        d.tcp.opts.signature = 0xabcdef;
    }
    tracker_packet(t, &d, ts);
}

/* Feeds an ICMP admin-prohibited from SENDER quoting the SYN 192.168.1.10:1 ->
 * 10.0.0.5:445 with sequence number SEQ. */
static void
admin_prohibited(struct tracker *t, const char *sender, uint32_t seq)
{
    struct decoded d;
    memset(&d, 0, sizeof d);
    d.result = DECODE_ICMP_UNREACH;
    decode_addr_parse(sender, &d.icmp.sender);
    decode_addr_parse("192.168.1.10", &d.tcp.src);
    decode_addr_parse("10.0.0.5", &d.tcp.dst);
    d.icmp.type = 3;
    d.icmp.code = 13;
    d.tcp.sport = 1;
    d.tcp.dport = 445;
    d.tcp.seq = seq;
    tracker_packet(t, &d, 10);
}

/* A full handshake CLIENT:PORT -> SERVER:445 seen with TTLs SYN_TTL / SA_TTL. */
static void
handshake(struct tracker *t, uint64_t ts, const char *client, uint16_t port, const char *server,
          uint32_t isn, uint8_t syn_ttl, uint8_t sa_ttl)
{
    seg(t, ts, client, port, server, 445, isn, 0, SYN, syn_ttl, isn);
    seg(t, ts + 100, server, 445, client, port, isn * 3, isn + 1, SA, sa_ttl, 0);
    seg(t, ts + 200, client, port, server, 445, isn + 1, isn * 3 + 1, ACK, syn_ttl, 0);
}

/* Scenario lookup of the SMB playbook: syn_no_synack -> 1, path_drop -> 2. */
static const char *
scenario(void *arg, const char *code)
{
    (void)arg;
    if (strcmp(code, "syn_no_synack") == 0 || strcmp(code, "refused") == 0 ||
        strcmp(code, "synack_no_ack") == 0)
        return "1";
    if (strcmp(code, "path_drop") == 0 || strcmp(code, "unreachable") == 0)
        return "2";
    return NULL;
}

/* DESIGN.md order of codes; names round-trip. */
static void
test_codes(void **state)
{
    (void)state;
    struct hs_counts c;
    memset(&c, 0, sizeof c);
    assert_int_equal(verdict_from_counts(&c), VERDICT_NO_SYN);
    c.total = 5;
    c.by_class[HS_ESTABLISHED] = 1;
    assert_int_equal(verdict_from_counts(&c), VERDICT_HANDSHAKE_OK);
    c.by_class[HS_SYNACK_NO_ACK] = 1;
    assert_int_equal(verdict_from_counts(&c), VERDICT_SYNACK_NO_ACK);
    c.by_class[HS_REFUSED] = 1;
    assert_int_equal(verdict_from_counts(&c), VERDICT_REFUSED);
    c.by_class[HS_UNREACHABLE] = 1;
    assert_int_equal(verdict_from_counts(&c), VERDICT_UNREACHABLE);
    c.by_class[HS_SYN_NO_SYNACK] = 1;
    assert_int_equal(verdict_from_counts(&c), VERDICT_SYN_NO_SYNACK);
    for (int i = 0; i < VERDICT_NCODES; i++)
        assert_int_equal(verdict_code_parse(verdict_code_name((enum verdict_code)i)), i);
    assert_string_equal(verdict_code_name(VERDICT_RETURN_PATH_DROP), "return_path_drop");
    assert_int_equal(verdict_code_parse("bogus"), -1);
    assert_string_equal(verdict_vantage_name(VANTAGE_SERVER), "server");
    assert_int_equal(verdict_from_class(HS_REFUSED), VERDICT_REFUSED);
}

/* Initial TTL guesses. */
static void
test_initial_ttl(void **state)
{
    (void)state;
    unsigned hops;
    assert_int_equal(verdict_initial_ttl(64, &hops), 64);
    assert_int_equal(hops, 0);
    assert_int_equal(verdict_initial_ttl(61, &hops), 64);
    assert_int_equal(hops, 3);
    assert_int_equal(verdict_initial_ttl(127, &hops), 128);
    assert_int_equal(hops, 1);
    assert_int_equal(verdict_initial_ttl(250, &hops), 255);
    assert_int_equal(hops, 5);
    assert_int_equal(verdict_initial_ttl(255, &hops), 255);
    assert_int_equal(hops, 0);
}

/* Vantage from TTLs and from local addresses. */
static void
test_vantage(void **state)
{
    (void)state;
    struct tracker *t = mk();
    assert_int_equal(verdict_vantage(t, NULL, 0), VANTAGE_UNKNOWN);
    seg(t, 0, "192.168.1.10", 1, "10.0.0.5", 445, 1, 0, SYN, 128, 0);
    assert_int_equal(verdict_vantage(t, NULL, 0), VANTAGE_CLIENT);
    tracker_free(t);

    t = mk();
    seg(t, 0, "192.168.1.10", 1, "10.0.0.5", 445, 1, 0, SYN, 125, 0);
    assert_int_equal(verdict_vantage(t, NULL, 0), VANTAGE_SERVER);   /* decremented, no answer */
    seg(t, 1, "10.0.0.5", 445, "192.168.1.10", 1, 9, 2, SA, 64, 0);
    assert_int_equal(verdict_vantage(t, NULL, 0), VANTAGE_SERVER);
    tracker_free(t);

    t = mk();
    seg(t, 0, "192.168.1.10", 1, "10.0.0.5", 445, 1, 0, SYN, 126, 0);
    seg(t, 1, "10.0.0.5", 445, "192.168.1.10", 1, 9, 2, SA, 62, 0);
    assert_int_equal(verdict_vantage(t, NULL, 0), VANTAGE_PATH);
    struct ip_addr local;
    decode_addr_parse("10.0.0.5", &local);
    assert_int_equal(verdict_vantage(t, &local, 1), VANTAGE_SERVER);
    decode_addr_parse("192.168.1.10", &local);
    assert_int_equal(verdict_vantage(t, &local, 1), VANTAGE_CLIENT);
    decode_addr_parse("172.16.0.1", &local);
    assert_int_equal(verdict_vantage(t, &local, 1), VANTAGE_PATH);
    tracker_free(t);
}

/* The sentence fits the vantage and names the scenarios. */
static void
test_sentences(void **state)
{
    (void)state;
    struct verdict_input in = { .scenario_for = scenario };
    struct verdict v;

    struct tracker *t = mk();
    verdict_compute(t, &in, &v);
    assert_int_equal(v.code, VERDICT_NO_SYN);
    assert_string_equal(v.scenario, "");
    assert_non_null(strstr(v.summary, "No connection attempt"));

    seg(t, 0, "192.168.1.10", 1, "10.0.0.5", 445, 1, 0, SYN, 64, 0);
    seg(t, SEC, "192.168.1.10", 1, "10.0.0.5", 445, 1, 0, SYN, 64, 0);
    verdict_compute(t, &in, &v);
    assert_int_equal(v.code, VERDICT_SYN_NO_SYNACK);
    assert_int_equal(v.vantage, VANTAGE_CLIENT);
    assert_string_equal(v.scenario, "");   /* both scenarios fit: none is claimed */
    assert_string_equal(v.summary, "The SYN leaves and nothing comes back: either the server "
                        "(Scenario 1) or a device on the way (Scenario 2); capture at the "
                        "server to tell which.");
    tracker_free(t);

    t = mk();
    seg(t, 0, "192.168.1.10", 1, "10.0.0.5", 445, 1, 0, SYN, 62, 0);
    handshake(t, 10, "192.168.1.11", 2, "10.0.0.5", 50, 62, 64);
    verdict_compute(t, &in, &v);
    assert_int_equal(v.code, VERDICT_SYN_NO_SYNACK);
    assert_int_equal(v.vantage, VANTAGE_SERVER);
    assert_non_null(strstr(v.summary, "The SYN arrives and no SYN-ACK leaves"));
    assert_non_null(strstr(v.summary, "Scenario 1"));
    assert_string_equal(v.scenario, "1");
    tracker_free(t);

    /* unreachable: who sent it, the code by name */
    t = mk();
    seg(t, 0, "192.168.1.10", 1, "10.0.0.5", 445, 1, 0, SYN, 64, 0);
    admin_prohibited(t, "203.0.113.1", 1);
    verdict_compute(t, &in, &v);
    assert_int_equal(v.code, VERDICT_UNREACHABLE);
    assert_string_equal(v.scenario, "2");
    assert_non_null(strstr(v.summary, "203.0.113.1"));
    assert_non_null(strstr(v.summary, "administratively prohibited"));
    assert_non_null(strstr(v.summary, "on the way"));
    tracker_free(t);

    /* the same ICMP error sent by the server itself: the server refuses,
       which the playbook files under refused (scenario 1), not a device on the way */
    t = mk();
    seg(t, 0, "192.168.1.10", 1, "10.0.0.5", 445, 1, 0, SYN, 64, 0);
    admin_prohibited(t, "10.0.0.5", 1);
    verdict_compute(t, &in, &v);
    assert_int_equal(v.code, VERDICT_UNREACHABLE);
    assert_string_equal(v.scenario, "1");
    assert_non_null(strstr(v.summary, "the server's own firewall"));
    tracker_free(t);

    /* refused; then all fine */
    t = mk();
    seg(t, 0, "192.168.1.10", 1, "10.0.0.5", 445, 1, 0, SYN, 64, 0);
    seg(t, 5, "10.0.0.5", 445, "192.168.1.10", 1, 0, 2, TCPF_RST | TCPF_ACK, 64, 0);
    verdict_compute(t, &in, &v);
    assert_int_equal(v.code, VERDICT_REFUSED);
    assert_non_null(strstr(v.summary, "RST"));
    assert_non_null(strstr(v.summary, "445"));
    tracker_free(t);

    t = mk();
    handshake(t, 0, "192.168.1.10", 1, "10.0.0.5", 10, 64, 63);
    verdict_compute(t, NULL, &v);
    assert_int_equal(v.code, VERDICT_HANDSHAKE_OK);
    tracker_free(t);

    char buf[256];
    verdict_sentence(VERDICT_SYNACK_NO_ACK, VANTAGE_CLIENT, "1", buf, sizeof buf);
    assert_non_null(strstr(buf, "client"));
}

/* Client capture and server capture: a SYN lost between them. */
static void
test_path_drop(void **state)
{
    (void)state;
    struct tracker *cl = mk(), *sv = mk();
    /* attempts that make it, before and after: both captures running */
    handshake(cl, 0, "192.168.1.10", 1000, "10.0.0.5", 100, 64, 61);
    handshake(sv, 0, "192.168.1.10", 1000, "10.0.0.5", 100, 61, 64);
    /* the lost one, retransmitted */
    seg(cl, 5 * SEC, "192.168.1.10", 1001, "10.0.0.5", 445, 200, 0, SYN, 64, 200);
    seg(cl, 6 * SEC, "192.168.1.10", 1001, "10.0.0.5", 445, 200, 0, SYN, 64, 200);
    handshake(cl, 20 * SEC, "192.168.1.10", 1002, "10.0.0.5", 300, 64, 61);
    handshake(sv, 20 * SEC, "192.168.1.10", 1002, "10.0.0.5", 300, 61, 64);

    const struct tracker *ts[2] = { sv, cl };   /* given out of order */
    const char *names[2] = { "server.pcap", "client.pcap" };
    struct verdict_input in = { .scenario_for = scenario, .names = names };
    struct path_report r;
    char *cause = NULL;
    assert_int_equal(verdict_paths(ts, 2, &in, &r, &cause), 0);
    assert_int_equal(r.ncaptures, 2);
    assert_int_equal(r.order[0], 1);   /* client upstream */
    assert_int_equal(r.order[1], 0);
    assert_int_equal(r.vantage[1], VANTAGE_CLIENT);
    assert_int_equal(r.vantage[0], VANTAGE_SERVER);
    assert_int_equal(r.total, 3);
    assert_int_equal(r.matched, 2);
    assert_int_equal(r.by_code[VERDICT_PATH_DROP], 1);
    assert_int_equal(r.by_code[VERDICT_HANDSHAKE_OK], 2);
    assert_int_equal(r.verdict.code, VERDICT_PATH_DROP);
    assert_string_equal(r.verdict.scenario, "2");
    assert_non_null(strstr(r.verdict.summary, "seen at client.pcap and never reaches server.pcap"));
    assert_int_equal(r.nattempts, 3);
    assert_int_equal(r.attempts[1].code, VERDICT_PATH_DROP);
    assert_int_equal(r.attempts[1].last_seen, 1);
    assert_int_equal(r.attempts[1].a.syn_count, 2);
    assert_int_equal(r.attempts[1].syn_ttl[1], 64);
    verdict_paths_free(&r);

    /* a SYN after the server capture stopped is not a path drop */
    seg(cl, 60 * SEC, "192.168.1.10", 1003, "10.0.0.5", 445, 400, 0, SYN, 64, 0);
    assert_int_equal(verdict_paths(ts, 2, NULL, &r, &cause), 0);
    assert_int_equal(r.by_code[VERDICT_PATH_DROP], 1);
    assert_int_equal(r.by_code[VERDICT_SYN_NO_SYNACK], 1);
    assert_non_null(strstr(r.verdict.summary, "capture 2"));
    verdict_paths_free(&r);
    tracker_free(cl);
    tracker_free(sv);
}

/* Attempts a downstream capture evicted from its table are not path drops. */
static void
test_evicted_not_dropped(void **state)
{
    (void)state;
    struct tracker *cl = mk();
    struct tracker_config small = { PORT445, 1, 4, 0, 0 };
    struct tracker *sv = tracker_new(&small, NULL);
    assert_non_null(sv);
    for (uint32_t i = 0; i < 12; i++) {
        char c[32];
        snprintf(c, sizeof c, "192.168.1.%u", 10 + i);
        handshake(cl, i * SEC, c, (uint16_t)(1000 + i), "10.0.0.5", 100 + i, 64, 61);
        handshake(sv, i * SEC, c, (uint16_t)(1000 + i), "10.0.0.5", 100 + i, 61, 64);
    }
    const struct tracker *ts[2] = { cl, sv };
    struct path_report r;
    assert_int_equal(verdict_paths(ts, 2, NULL, &r, NULL), 0);
    assert_int_equal(r.total, 12);
    assert_int_equal(r.matched, 4);
    assert_int_equal(r.by_code[VERDICT_PATH_DROP], 0);
    assert_int_equal(r.verdict.code, VERDICT_HANDSHAKE_OK);
    verdict_paths_free(&r);
    tracker_free(cl);
    tracker_free(sv);
}

/* Two captures at the same point: the one that saw the ICMP error wins. */
static void
test_same_point_merge(void **state)
{
    (void)state;
    struct tracker *a = mk(), *b = mk();
    seg(a, 0, "192.168.1.10", 1, "10.0.0.5", 445, 7, 0, SYN, 64, 0);
    seg(b, 0, "192.168.1.10", 1, "10.0.0.5", 445, 7, 0, SYN, 64, 0);
    admin_prohibited(b, "203.0.113.1", 7);
    const struct tracker *ts[2] = { a, b };
    struct path_report r;
    assert_int_equal(verdict_paths(ts, 2, NULL, &r, NULL), 0);
    assert_int_equal(r.total, 1);
    assert_int_equal(r.verdict.code, VERDICT_UNREACHABLE);
    assert_non_null(strstr(r.verdict.summary, "203.0.113.1"));
    verdict_paths_free(&r);
    tracker_free(a);
    tracker_free(b);
}

/* The SYN-ACK leaves the server and never reaches the client. */
static void
test_return_path_drop(void **state)
{
    (void)state;
    struct tracker *cl = mk(), *sv = mk();
    seg(cl, 0, "192.168.1.10", 1000, "10.0.0.5", 445, 100, 0, SYN, 128, 0);
    seg(cl, SEC, "192.168.1.10", 1000, "10.0.0.5", 445, 100, 0, SYN, 128, 0);
    seg(sv, 0, "192.168.1.10", 1000, "10.0.0.5", 445, 100, 0, SYN, 125, 0);
    seg(sv, 100, "10.0.0.5", 445, "192.168.1.10", 1000, 900, 101, SA, 64, 0);
    seg(sv, SEC, "192.168.1.10", 1000, "10.0.0.5", 445, 100, 0, SYN, 125, 0);
    seg(sv, SEC + 100, "10.0.0.5", 445, "192.168.1.10", 1000, 900, 101, SA, 64, 0);
    const struct tracker *ts[2] = { cl, sv };
    struct path_report r;
    assert_int_equal(verdict_paths(ts, 2, NULL, &r, NULL), 0);
    assert_int_equal(r.order[0], 0);
    assert_int_equal(r.total, 1);
    assert_int_equal(r.matched, 1);
    assert_int_equal(r.verdict.code, VERDICT_RETURN_PATH_DROP);
    assert_int_equal(r.attempts[0].synack_seen, 2);
    assert_int_equal(r.attempts[0].syn_seen, 3);
    assert_non_null(strstr(r.verdict.summary, "SYN-ACK leaves the server (seen at capture 2)"));
    verdict_paths_free(&r);
    tracker_free(cl);
    tracker_free(sv);
}

/* NAT rewrote the client address and port: matched by ISN, options and TSval. */
static void
test_nat_match(void **state)
{
    (void)state;
    struct tracker *cl = mk(), *sv = mk();
    handshake(cl, 0, "192.168.1.10", 50000, "10.0.0.5", 1234, 64, 60);
    handshake(sv, 0, "203.0.113.7", 61000, "10.0.0.5", 1234, 62, 64);
    /* same ISN, different TSval: another SYN, not matched */
    seg(sv, 10, "203.0.113.8", 61001, "10.0.0.5", 445, 1234, 0, SYN, 62, 77);
    const struct tracker *ts[2] = { cl, sv };
    struct path_report r;
    assert_int_equal(verdict_paths(ts, 2, NULL, &r, NULL), 0);
    assert_int_equal(r.total, 2);
    assert_int_equal(r.matched, 1);
    assert_int_equal(r.attempts[0].nat, 1);
    assert_int_equal(r.attempts[0].code, VERDICT_HANDSHAKE_OK);
    char a[64];
    assert_string_equal(decode_addr_str(&r.attempts[0].a.client, a, sizeof a), "192.168.1.10");
    verdict_paths_free(&r);

    char *cause = NULL;
    assert_int_equal(verdict_paths(ts, 0, NULL, &r, &cause), -1);
    assert_non_null(cause);
    free(cause);
    /* one capture: the single-capture code */
    assert_int_equal(verdict_paths(ts, 1, NULL, &r, NULL), 0);
    assert_int_equal(r.verdict.code, VERDICT_HANDSHAKE_OK);
    verdict_paths_free(&r);
    struct tracker *empty = mk();
    const struct tracker *e1[1] = { empty };
    assert_int_equal(verdict_paths(e1, 1, NULL, &r, NULL), 0);
    assert_int_equal(r.verdict.code, VERDICT_NO_SYN);
    verdict_paths_free(&r);
    tracker_free(empty);
    tracker_free(cl);
    tracker_free(sv);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_initial_ttl),
        cmocka_unit_test(test_vantage),
        cmocka_unit_test(test_sentences),
        cmocka_unit_test(test_path_drop),
        cmocka_unit_test(test_evicted_not_dropped),
        cmocka_unit_test(test_return_path_drop),
        cmocka_unit_test(test_same_point_merge),
        cmocka_unit_test(test_nat_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
