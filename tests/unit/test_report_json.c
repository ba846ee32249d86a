/* test_report_json.c: the JSON of analyze/watch against the DESIGN.md keys,
 * parsed back with jansson: every required key with its type, the class
 * names, null scenario, the live-only keys, and a report built from a real
 * tracker fed with hand-made frames (report_json_emit()), and the capture
 * engine that feeds the report: its kernel filter compiled for every link
 * type and run on hand-made frames, and a whole file through capture_start(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include "capture.h"
#include "decode.h"
#include "report_json.h"
#include "tracker.h"

static const char *const class_keys[] = {
    "established", "synack_no_ack", "refused", "unreachable", "syn_no_synack"
};

/* Renders R to a string through report_json_write() and parses it back. */
static json_t *
render(const struct report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char *cause = NULL;
    json_error_t err;
    json_t *o;

    assert_non_null(f);
    assert_int_equal(report_json_write(r, f, &cause), 0);
    fclose(f);
    o = json_loads(buf, 0, &err);
    if (o == NULL)
        fail_msg("JSON does not parse: %s at line %d\n%s", err.text, err.line, buf);
    free(buf);
    return o;
}

/* Checks a flows object: total and each class, integers equal to C. */
static void
check_flows(json_t *flows, const struct hs_counts *c)
{
    assert_true(json_is_object(flows));
    assert_true(json_is_integer(json_object_get(flows, "total")));
    assert_int_equal(json_integer_value(json_object_get(flows, "total")), c->total);
    for (int i = 0; i < HS_NCLASSES; i++) {
        json_t *v = json_object_get(flows, class_keys[i]);
        assert_non_null(v);
        assert_true(json_is_integer(v));
        assert_int_equal(json_integer_value(v), c->by_class[i]);
    }
}

/* The DESIGN.md example, key by key. */
static void
test_required_keys(void **state)
{
    (void)state;
    uint16_t ports[] = { 445 };
    struct report_server sv = { "10.0.0.1", 445, { 5, { 1, 0, 1, 1, 2 } } };
    struct report_icmp ic = { "10.0.0.254", 3, 13, 1 };
    struct report r;
    memset(&r, 0, sizeof r);
    r.playbook = "smb-tcp-handshake";
    r.ports = ports;
    r.nports = 1;
    r.packets = 2000000;
    r.counts = sv.counts;
    r.verdict_code = "syn_no_synack";
    r.scenario = "1";
    r.summary = "The SYN arrives and no SYN-ACK leaves.";
    r.servers = &sv;
    r.nservers = 1;
    r.icmp = &ic;
    r.nicmp = 1;

    json_t *o = render(&r);
    assert_string_equal(json_string_value(json_object_get(o, "playbook")), "smb-tcp-handshake");
    json_t *p = json_object_get(o, "ports");
    assert_true(json_is_array(p));
    assert_int_equal(json_array_size(p), 1);
    assert_int_equal(json_integer_value(json_array_get(p, 0)), 445);
    assert_int_equal(json_integer_value(json_object_get(o, "packets")), 2000000);
    check_flows(json_object_get(o, "flows"), &sv.counts);

    json_t *v = json_object_get(o, "verdict");
    assert_true(json_is_object(v));
    assert_string_equal(json_string_value(json_object_get(v, "code")), "syn_no_synack");
    assert_string_equal(json_string_value(json_object_get(v, "scenario")), "1");
    assert_string_equal(json_string_value(json_object_get(v, "summary")),
                        "The SYN arrives and no SYN-ACK leaves.");

    json_t *s = json_object_get(o, "servers");
    assert_true(json_is_array(s));
    assert_int_equal(json_array_size(s), 1);
    json_t *s0 = json_array_get(s, 0);
    assert_string_equal(json_string_value(json_object_get(s0, "address")), "10.0.0.1");
    assert_int_equal(json_integer_value(json_object_get(s0, "port")), 445);
    check_flows(json_object_get(s0, "flows"), &sv.counts);

    json_t *u = json_object_get(o, "unreachable_from");
    assert_true(json_is_array(u));
    json_t *u0 = json_array_get(u, 0);
    assert_string_equal(json_string_value(json_object_get(u0, "address")), "10.0.0.254");
    assert_int_equal(json_integer_value(json_object_get(u0, "type")), 3);
    assert_int_equal(json_integer_value(json_object_get(u0, "code")), 13);
    assert_int_equal(json_integer_value(json_object_get(u0, "count")), 1);

    /* not live: no watch keys */
    assert_null(json_object_get(o, "interface"));
    assert_null(json_object_get(o, "duration"));
    assert_null(json_object_get(o, "drops"));
    json_decref(o);
}

/* Empty report: arrays present and empty, scenario null, code no_syn. */
static void
test_empty(void **state)
{
    (void)state;
    uint16_t ports[] = { 5985, 5986 };
    struct report r;
    memset(&r, 0, sizeof r);
    r.playbook = "winrm";
    r.ports = ports;
    r.nports = 2;
    r.verdict_code = "no_syn";
    r.scenario = "";
    r.summary = "No connection attempt.";
    json_t *o = render(&r);
    assert_int_equal(json_array_size(json_object_get(o, "ports")), 2);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(o, "ports"), 1)), 5986);
    assert_true(json_is_array(json_object_get(o, "servers")));
    assert_int_equal(json_array_size(json_object_get(o, "servers")), 0);
    assert_true(json_is_array(json_object_get(o, "unreachable_from")));
    assert_int_equal(json_array_size(json_object_get(o, "unreachable_from")), 0);
    json_t *v = json_object_get(o, "verdict");
    assert_true(json_is_null(json_object_get(v, "scenario")));
    assert_string_equal(json_string_value(json_object_get(v, "code")), "no_syn");
    struct hs_counts zero = { 0, { 0 } };
    check_flows(json_object_get(o, "flows"), &zero);
    json_decref(o);
}

/* watch adds interface, duration and drops. */
static void
test_live_keys(void **state)
{
    (void)state;
    uint16_t ports[] = { 445 };
    struct report r;
    memset(&r, 0, sizeof r);
    r.playbook = "smb-tcp-handshake";
    r.ports = ports;
    r.nports = 1;
    r.verdict_code = "handshake_ok";
    r.summary = "ok";
    r.live = 1;
    r.interface = "any";
    r.duration = 2.5;
    r.kernel_drops = 7;
    r.iface_drops = 1;
    json_t *o = render(&r);
    assert_string_equal(json_string_value(json_object_get(o, "interface")), "any");
    assert_true(json_is_number(json_object_get(o, "duration")));
    assert_true(json_number_value(json_object_get(o, "duration")) > 2.4);
    json_t *d = json_object_get(o, "drops");
    assert_true(json_is_object(d));
    assert_int_equal(json_integer_value(json_object_get(d, "kernel")), 7);
    assert_int_equal(json_integer_value(json_object_get(d, "interface")), 1);
    json_decref(o);
}

/* Builds a raw IPv4/TCP packet (DLT_RAW) with FLAGS into BUF; returns its length. */
static uint32_t
tcp4(uint8_t *buf, const uint8_t src[4], const uint8_t dst[4], uint16_t sport, uint16_t dport,
     uint32_t seq, uint32_t ack, uint8_t flags, uint8_t ttl)
{
    memset(buf, 0, 40);
    buf[0] = 0x45;
    buf[3] = 40;
    buf[8] = ttl;
    buf[9] = 6;
    memcpy(buf + 12, src, 4);
    memcpy(buf + 16, dst, 4);
    uint8_t *t = buf + 20;
    t[0] = (uint8_t)(sport >> 8); t[1] = (uint8_t)sport;
    t[2] = (uint8_t)(dport >> 8); t[3] = (uint8_t)dport;
    for (int i = 0; i < 4; i++) {
        t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    t[12] = 5 << 4;
    t[13] = flags;
    t[14] = 0xff;
    return 40;
}

/* A report from a real tracker: one refused and one established attempt. */
static void
test_emit_from_tracker(void **state)
{
    (void)state;
    static const uint8_t cl[4] = { 192, 0, 2, 10 }, sv[4] = { 198, 51, 100, 20 };
    uint16_t ports[] = { 445 };
    struct tracker_config tc = { ports, 1, 0, 0, 0 };
    char *cause = NULL;
    struct tracker *t = tracker_new(&tc, &cause);
    uint8_t pkt[64];
    uint32_t n;
    assert_non_null(t);

    n = tcp4(pkt, cl, sv, 40000, 445, 1000, 0, TCPF_SYN, 64);
    tracker_frame(t, DECODE_DLT_RAW_BSD, pkt, n, n, 1000000);
    n = tcp4(pkt, sv, cl, 445, 40000, 5000, 1001, TCPF_SYN | TCPF_ACK, 64);
    tracker_frame(t, DECODE_DLT_RAW_BSD, pkt, n, n, 1000100);
    n = tcp4(pkt, cl, sv, 40000, 445, 1001, 5001, TCPF_ACK, 64);
    tracker_frame(t, DECODE_DLT_RAW_BSD, pkt, n, n, 1000200);
    n = tcp4(pkt, cl, sv, 40001, 445, 2000, 0, TCPF_SYN, 64);
    tracker_frame(t, DECODE_DLT_RAW_BSD, pkt, n, n, 2000000);
    n = tcp4(pkt, sv, cl, 445, 40001, 0, 2001, TCPF_RST | TCPF_ACK, 64);
    tracker_frame(t, DECODE_DLT_RAW_BSD, pkt, n, n, 2000100);

    struct capture_snapshot snap;
    memset(&snap, 0, sizeof snap);
    snap.packets = 5;
    snap.datalink = DECODE_DLT_RAW_BSD;
    const struct tracker *trk[1] = { t };
    const char *names[1] = { "test.pcap" };
    struct report_source src;
    memset(&src, 0, sizeof src);
    src.playbook = "smb-tcp-handshake";
    src.ports = ports;
    src.nports = 1;
    src.trackers = trk;
    src.snaps = &snap;
    src.names = names;
    src.n = 1;

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = report_json_emit(&src, 1, f, &cause);
    fclose(f);
    assert_int_equal(rc, 1);      /* refused is a problem */
    json_error_t err;
    json_t *o = json_loads(buf, 0, &err);
    assert_non_null(o);
    struct hs_counts want = { 2, { 1, 0, 1, 0, 0 } };
    check_flows(json_object_get(o, "flows"), &want);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "verdict"), "code")),
                        "refused");
    assert_int_equal(json_integer_value(json_object_get(o, "packets")), 5);
    json_t *s0 = json_array_get(json_object_get(o, "servers"), 0);
    assert_string_equal(json_string_value(json_object_get(s0, "address")), "198.51.100.20");
    check_flows(json_object_get(s0, "flows"), &want);
    json_decref(o);
    free(buf);

    /* the text form says the same and names the example's class */
    buf = NULL;
    f = open_memstream(&buf, &len);
    rc = report_json_emit(&src, 0, f, &cause);
    fclose(f);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(buf, "code refused"));
    assert_non_null(strstr(buf, "A typical refused attempt: 192.0.2.10:40001 -> 198.51.100.20:445"));
    free(buf);
    tracker_free(t);
}

/* Runs the compiled FILTER for DLT on one frame; returns 1 when it matches. */
static int
filter_matches(int dlt, const char *filter, const uint8_t *frame, uint32_t len)
{
    pcap_t *dead = pcap_open_dead(dlt, 65535);
    struct bpf_program prog;
    struct pcap_pkthdr h;
    int m;
    assert_non_null(dead);
    assert_int_equal(pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN), 0);
    memset(&h, 0, sizeof h);
    h.caplen = h.len = len;
    m = pcap_offline_filter(&prog, &h, frame) != 0;
    pcap_freecode(&prog);
    pcap_close(dead);
    return m;
}

/* The kernel filter compiles for every link type the decoder knows, and on
 * Ethernet passes port 445 plain and behind one or two VLAN tags, ICMP and
 * ICMPv6 unreachables, and nothing else. */
static void
test_capture_filter(void **state)
{
    (void)state;
    static const int dlts[] = { DECODE_DLT_NULL, DECODE_DLT_EN10MB, DECODE_DLT_RAW_BSD,
                                DECODE_DLT_LOOP, DECODE_DLT_LINUX_SLL, DECODE_DLT_LINUX_SLL2,
                                DECODE_DLT_IPV4, DECODE_DLT_IPV6 };
    static const uint16_t ports[] = { 445, 139 };
    static const uint8_t cl[4] = { 192, 0, 2, 10 }, sv[4] = { 198, 51, 100, 20 };
    char f[4096], *cause = NULL;
    uint8_t fr[128];
    uint32_t n;

    for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
        if (capture_filter(dlts[i], ports, 2, f, sizeof f, &cause) != 0)
            fail_msg("link type %d: %s", dlts[i], cause);
    }
    assert_int_equal(capture_filter(DECODE_DLT_EN10MB, ports, 2, f, sizeof f, &cause), 0);
    assert_non_null(strstr(f, "vlan"));
    assert_int_equal(capture_filter(DECODE_DLT_EN10MB, ports, 0, f, sizeof f, &cause), -1);
    free(cause);
    assert_int_equal(capture_filter(DECODE_DLT_EN10MB, ports, 2, f, sizeof f, NULL), 0);

    /* Ethernet + IPv4 SYN to 445; then port 80; then one and two VLAN tags */
    memset(fr, 0, sizeof fr);
    fr[12] = 0x08;
    n = 14 + tcp4(fr + 14, cl, sv, 40000, 445, 1, 0, TCPF_SYN, 64);
    assert_true(filter_matches(DECODE_DLT_EN10MB, f, fr, n));
    tcp4(fr + 14, cl, sv, 40000, 80, 1, 0, TCPF_SYN, 64);
    assert_false(filter_matches(DECODE_DLT_EN10MB, f, fr, n));
    uint8_t v[128];
    memset(v, 0, sizeof v);
    v[12] = 0x81; v[14] = 0x00; v[15] = 100; v[16] = 0x08;
    n = 18 + tcp4(v + 18, cl, sv, 40000, 139, 1, 0, TCPF_SYN, 64);
    assert_true(filter_matches(DECODE_DLT_EN10MB, f, v, n));
    memset(v, 0, sizeof v);
    v[12] = 0x88; v[13] = 0xa8; v[15] = 200; v[16] = 0x81; v[19] = 100; v[20] = 0x08;
    n = 22 + tcp4(v + 22, sv, cl, 445, 40000, 1, 2, TCPF_SYN | TCPF_ACK, 64);
    assert_true(filter_matches(DECODE_DLT_EN10MB, f, v, n));

    /* ICMP destination unreachable (type 3) passes, echo (type 8) does not */
    memset(fr, 0, sizeof fr);
    fr[12] = 0x08;
    tcp4(fr + 14, sv, cl, 0, 0, 0, 0, 0, 64);
    fr[14 + 9] = 1;                       /* protocol ICMP */
    fr[14 + 20] = 3;
    fr[14 + 21] = 13;
    assert_true(filter_matches(DECODE_DLT_EN10MB, f, fr, 14 + 40));
    fr[14 + 20] = 8;
    assert_false(filter_matches(DECODE_DLT_EN10MB, f, fr, 14 + 40));

    /* raw IPv6 ICMPv6 destination unreachable (type 1) passes, NS (135) does not */
    assert_int_equal(capture_filter(DECODE_DLT_RAW_BSD, ports, 2, f, sizeof f, NULL), 0);
    memset(fr, 0, sizeof fr);
    fr[0] = 0x60; fr[5] = 8; fr[6] = 58; fr[7] = 64;
    fr[40] = 1;
    assert_true(filter_matches(DECODE_DLT_RAW_BSD, f, fr, 48));
    fr[40] = 135;
    assert_false(filter_matches(DECODE_DLT_RAW_BSD, f, fr, 48));
}

/* Writes a small pcap file (DLT_RAW: SYN, RST,ACK to 445) to PATH. */
static void
write_pcap(const char *path, int truncate_last)
{
    static const uint8_t cl[4] = { 192, 0, 2, 10 }, sv[4] = { 198, 51, 100, 20 };
    pcap_t *dead = pcap_open_dead(DECODE_DLT_RAW_BSD, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    struct pcap_pkthdr h;
    uint8_t pkt[64];
    assert_non_null(d);
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = 1700000000;
    h.caplen = h.len = tcp4(pkt, cl, sv, 40000, 445, 7, 0, TCPF_SYN, 64);
    pcap_dump((u_char *)d, &h, pkt);
    h.ts.tv_usec = 300;
    h.caplen = h.len = tcp4(pkt, sv, cl, 445, 40000, 0, 8, TCPF_RST | TCPF_ACK, 64);
    pcap_dump((u_char *)d, &h, pkt);
    pcap_dump_close(d);
    pcap_close(dead);
    if (truncate_last)
        assert_int_equal(truncate(path, 24 + 16 + 40 + 16 + 20), 0);
}

/* A whole file through the engine: capture_start(), wait, tracker, evidence. */
static void
test_capture_file(void **state)
{
    (void)state;
    char in[] = "/tmp/test_capture_in.XXXXXX", ev[] = "/tmp/test_capture_ev.XXXXXX";
    uint16_t ports[] = { 445 };
    struct capture_config cfg;
    struct capture_snapshot snap;
    struct hs_counts hc;
    char *cause = NULL;
    int code = 0, fd;

    fd = mkstemp(in);
    assert_true(fd >= 0);
    close(fd);
    fd = mkstemp(ev);
    assert_true(fd >= 0);
    close(fd);
    write_pcap(in, 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.file = in;
    cfg.ports = ports;
    cfg.nports = 1;
    cfg.write_path = ev;
    struct capture *c = capture_start(&cfg, &code, &cause);
    assert_non_null(c);
    capture_wait(c, &snap);
    assert_int_equal(snap.running, 0);
    assert_true(snap.generation > 0);
    assert_int_equal(snap.packets, 2);
    assert_int_equal(snap.evidence, 2);
    assert_string_equal(snap.verdict_code, "refused");
    assert_string_equal(snap.error, "");
    assert_non_null(capture_tracker(c));
    tracker_counts(capture_tracker(c), &hc);
    assert_int_equal(hc.by_class[HS_REFUSED], 1);
    capture_stop(c);

    /* the evidence file holds both packets */
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(ev, errbuf);
    struct pcap_pkthdr *h;
    const u_char *d;
    int n = 0;
    assert_non_null(p);
    while (pcap_next_ex(p, &h, &d) == 1)
        n++;
    pcap_close(p);
    assert_int_equal(n, 2);

    /* the wizard's evidence: records cut to the snap length (headers only),
       and the file stops growing at its limit (room here for one record) */
    cfg.evidence_snaplen = 30;
    cfg.evidence_max = 24 + 16 + 30;
    c = capture_start(&cfg, &code, &cause);
    assert_non_null(c);
    capture_wait(c, &snap);
    assert_int_equal(snap.evidence, 1);
    assert_int_equal(snap.evidence_full, 1);
    capture_stop(c);
    p = pcap_open_offline(ev, errbuf);
    assert_non_null(p);
    n = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        assert_true(h->caplen <= 30);
        assert_true(h->len > h->caplen);   /* the original length is kept */
        n++;
    }
    pcap_close(p);
    assert_int_equal(n, 1);
    cfg.evidence_snaplen = 0;
    cfg.evidence_max = 0;

    /* a cut file: what was read is kept, the snapshot says truncated */
    write_pcap(in, 1);
    cfg.write_path = NULL;
    c = capture_start(&cfg, &code, &cause);
    assert_non_null(c);
    capture_wait(c, &snap);
    assert_int_equal(snap.packets, 1);
    assert_int_equal(snap.truncated, 1);
    assert_int_equal(snap.error_code, 2);
    assert_non_null(strstr(snap.error, in));
    assert_string_equal(snap.verdict_code, "syn_no_synack");
    capture_stop(c);

    /* not a capture file: exit 2 and a reason naming it */
    fd = open(in, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "hello, world, not a pcap", 24), 24);
    close(fd);
    c = capture_start(&cfg, &code, &cause);
    assert_null(c);
    assert_int_equal(code, 2);
    assert_non_null(strstr(cause, in));
    free(cause);
    unlink(in);
    unlink(ev);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_required_keys),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_live_keys),
        cmocka_unit_test(test_emit_from_tracker),
        cmocka_unit_test(test_capture_filter),
        cmocka_unit_test(test_capture_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
