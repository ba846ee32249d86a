/* fuzz_decode.c: libFuzzer target for the frame decoder, the handshake
 * tracker and the verdict built on them (decode.h, tracker.h, verdict.h).
 *
 * Input layout (all of it optional past byte 0; short inputs still run):
 *   byte 0      link type: index into link_types[] (modulo its size)
 *   byte 1      tracker sizes: bits 0-2 capacity, 3-4 servers, 5-6 clients
 *               (small tables so eviction and overflow paths are reached)
 *   then frames, each:
 *     byte      bits 0-1: which tracker sees it (0 A, 1 B, 2-3 both);
 *               bits 2-7: time step (see frame_delta())
 *     byte      wire length adjustment (see frame_wirelen())
 *     2 bytes   captured length, big-endian (cut to what is left)
 *     caplen bytes of frame
 * Each frame is copied to a buffer of exactly its captured length, so a read
 * past the end is an ASan report, then given to decode_frame(),
 * decode_frame_ports() (which must agree with it), decode_ip() and
 * tracker_frame(). Tracker A and B are then read through every accessor
 * and compared as two captures of the same traffic with verdict_paths().
 * Everything allocated is freed before the run returns (LeakSanitizer).
 *
 * Seeds: tests/fuzz/corpus/decode/ (frames cut from the shared corpus). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "decode.h"
#include "tracker.h"
#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The link types decode_frame() supports, plus one it does not. */
static const int link_types[] = {
    DECODE_DLT_EN10MB, DECODE_DLT_LINUX_SLL, DECODE_DLT_LINUX_SLL2, DECODE_DLT_NULL,
    DECODE_DLT_LOOP, DECODE_DLT_RAW_BSD, DECODE_DLT_RAW_OPENBSD, DECODE_DLT_LINKTYPE_RAW,
    DECODE_DLT_IPV4, DECODE_DLT_IPV6, 147 /* USER0: unsupported */
};
#define NLINK (sizeof link_types / sizeof link_types[0])

/* Attempt table sizes: small, so eviction is reached (the default 65536 costs
 * ~35 ms a run under ASan and exercises no other code). */
static const size_t capacities[8] = { 1, 2, 3, 4, 8, 16, 64, 256 };
static const size_t endpoints[4] = { 0, 1, 2, 4 };
static const uint16_t ports[] = { 445, 139 };

/* A scenario lookup like a playbook's: two codes map to scenarios. */
static const char *scenario_of(void *arg, const char *code)
{
    (void)arg;
    if (strcmp(code, "syn_no_synack") == 0)
        return "1";
    if (strcmp(code, "path_drop") == 0)
        return "2";
    return NULL;
}

/* Microseconds between this frame and the previous one (may go backwards). */
static int64_t frame_delta(uint8_t h)
{
    int64_t n = h >> 4;
    switch ((h >> 2) & 3) {
    case 0: return n;                       /* microseconds */
    case 1: return n * 100000;              /* 0.1 s steps: SYN retransmissions */
    case 2: return n * 600000000LL;         /* 10 min steps: saturating offsets */
    default: return -n * 1000000;           /* time going backwards */
    }
}

/* The wire length libpcap would report: larger, equal, smaller or zero. */
static uint32_t frame_wirelen(uint8_t w, uint32_t caplen)
{
    if (w == 0)
        return 0;
    if (w & 0x80)
        return caplen >> (w & 7);
    return caplen + w - 1;
}

/* Reads every accessor of tracker T so their copying code runs too. */
static void read_tracker(const struct tracker *t)
{
    struct hs_counts c;
    struct tracker_stats st;
    struct tracker_server srv[4];
    struct tracker_client cli[4];
    struct tracker_icmp icmp[4];
    struct tracker_attempt rec[TRACKER_RECENT], ex;
    uint64_t syn[256], synack[256];
    char ladder[CAPTURE_LADDER_LINES][TRACKER_LADDER_WIDTH];
    struct capture_attempt ca;
    char buf[64];

    tracker_counts(t, &c);
    tracker_stats(t, &st);
    tracker_servers(t, srv, 4);
    tracker_clients(t, cli, 4);
    tracker_icmp_senders(t, icmp, 4);
    tracker_ttls(t, syn, synack);
    size_t n = tracker_recent(t, rec, TRACKER_RECENT);
    for (size_t i = 0; i < n; i++) {
        tracker_ladder(&rec[i], ladder, CAPTURE_LADDER_LINES);
        tracker_to_capture(&rec[i], &ca);
        decode_addr_str(&rec[i].client, buf, sizeof buf);
    }
    for (int k = 0; k < HS_NCLASSES; k++)
        if (tracker_example(t, (enum hs_class)k, &ex) == 0)
            tracker_to_capture(&ex, &ca);
    for (uint32_t bit = 1; bit <= TRK_SUPERSEDED; bit <<= 1)
        (void)tracker_detail_name(bit);
}

/* tracker_each() callback: draws each attempt's ladder. */
static int each_attempt(const struct tracker_attempt *a, void *arg)
{
    char ladder[CAPTURE_LADDER_LINES][TRACKER_LADDER_WIDTH];
    (void)arg;
    tracker_ladder(a, ladder, CAPTURE_LADDER_LINES);
    return 0;
}

/* 1 when PORT is set in the 65536-bit map PM. */
static int port_set(const uint8_t *pm, uint16_t port)
{
    return (pm[port >> 3] >> (port & 7)) & 1;
}

/* Decodes one frame on its own, with and without the port filter of
 * decode_frame_ports() (PORTMAP), and checks the two agree. */
static void decode_alone(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                         const uint8_t *portmap)
{
    struct decoded d, f;
    char buf[64];
    enum decode_result r = decode_frame(dlt, frame, caplen, wirelen, &d);
    if (r >= DECODE_NRESULTS || r != d.result)
        abort();
    enum decode_result rf = decode_frame_ports(dlt, frame, caplen, wirelen, portmap, &f);
    if (rf >= DECODE_NRESULTS || rf != f.result)
        abort();
    /* the filter may only turn a result into DECODE_OTHER_PORT, and never
     * for a segment to or from a port in the map */
    if (rf != DECODE_OTHER_PORT && rf != r)
        abort();
    if (rf == DECODE_OTHER_PORT && (r == DECODE_TCP || r == DECODE_ICMP_UNREACH) &&
        (port_set(portmap, d.tcp.sport) || port_set(portmap, d.tcp.dport)))
        abort();
    if (rf == DECODE_TCP && (f.tcp.sport != d.tcp.sport || f.tcp.dport != d.tcp.dport ||
                             f.tcp.seq != d.tcp.seq || f.tcp.flags != d.tcp.flags))
        abort();
    (void)decode_result_name(r);
    if (r == DECODE_TCP || r == DECODE_ICMP_UNREACH) {
        decode_addr_str(&d.tcp.src, buf, sizeof buf);
        decode_addr_str(&d.tcp.dst, buf, sizeof buf);
    }
    if (r == DECODE_ICMP_UNREACH) {
        decode_addr_str(&d.icmp.sender, buf, sizeof buf);
        (void)decode_unreach_name(d.ipver, d.icmp.code, buf, sizeof buf);
    }
    decode_ip(frame, caplen, &d);
}

/* One run: frames into two trackers, then every reader and the verdicts. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int dlt = link_types[data[0] % NLINK];
    uint8_t sizes = size > 1 ? data[1] : 0;
    struct tracker_config cfg = {
        .ports = ports, .nports = sizeof ports / sizeof ports[0],
        .capacity = capacities[sizes & 7],
        .max_servers = endpoints[(sizes >> 3) & 3],
        .max_clients = endpoints[(sizes >> 5) & 3],
    };
    char *cause = NULL;
    struct tracker *t[2];
    t[0] = tracker_new(&cfg, &cause);
    t[1] = tracker_new(&cfg, &cause);
    if (t[0] == NULL || t[1] == NULL)
        abort();   /* a valid config: only running out of memory fails */

    static uint8_t portmap[8192];
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        portmap[ports[i] >> 3] |= (uint8_t)(1u << (ports[i] & 7));

    uint64_t ts = 1700000000ULL * 1000000;
    size_t off = 2;
    while (off + 4 <= size) {
        uint8_t h = data[off], w = data[off + 1];
        uint32_t caplen = (uint32_t)data[off + 2] << 8 | data[off + 3];
        off += 4;
        if (caplen > size - off)
            caplen = (uint32_t)(size - off);
        uint8_t *frame = malloc(caplen ? caplen : 1);
        if (frame == NULL)
            abort();
        memcpy(frame, data + off, caplen);
        off += caplen;
        ts = (uint64_t)((int64_t)ts + frame_delta(h));
        uint32_t wirelen = frame_wirelen(w, caplen);
        decode_alone(dlt, frame, caplen, wirelen, portmap);
        if ((h & 3) != 1)
            tracker_frame(t[0], dlt, frame, caplen, wirelen, ts);
        if ((h & 3) != 0)
            tracker_frame(t[1], dlt, frame, caplen, wirelen, ts);
        free(frame);
    }

    struct ip_addr local[1];
    decode_addr_parse("10.0.0.1", &local[0]);
    struct verdict_input in = { .local = local, .nlocal = 1,
                                .scenario_for = scenario_of, .scenario_arg = NULL };
    struct verdict v;
    char sentence[512];
    for (int i = 0; i < 2; i++) {
        read_tracker(t[i]);
        tracker_each(t[i], each_attempt, NULL);
        verdict_compute(t[i], NULL, &v);
        verdict_compute(t[i], &in, &v);
        verdict_sentence(v.code, v.vantage, v.scenario, sentence, sizeof sentence);
    }
    const char *names[2] = { "upstream.pcap", "downstream.pcap" };
    struct verdict_input pin = { .scenario_for = scenario_of, .names = names };
    struct path_report rep;
    const struct tracker *const pair[2] = { t[0], t[1] };
    if (verdict_paths(pair, 2, &pin, &rep, &cause) == 0)
        verdict_paths_free(&rep);
    else
        free(cause);
    tracker_free(t[0]);
    tracker_free(t[1]);
    return 0;
}
