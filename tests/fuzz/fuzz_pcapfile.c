/* fuzz_pcapfile.c: libFuzzer target for a whole capture file (pcap or
 * pcapng) as `tshoot analyze FILE` reads it.
 *
 * The input is written to a memory FILE (fmemopen) and opened with
 * pcap_fopen_offline(), so libpcap's own file parser runs on it too; every
 * record pcap_next_ex() returns is copied to a buffer of exactly its captured
 * length (a read past it is an ASan report) and given to tracker_frame() with
 * pcap_datalink()'s link type, the way the capture engine feeds its tracker;
 * at the end of the file (or on libpcap's error, a truncated file) the
 * verdict is computed and the tracker's readers run. The engine (capture.c)
 * exposes only capture_start() on a path with its thread, so this target
 * repeats its per-record loop rather than going through it.
 *
 * Seeds: the shared corpus (handshake, linktypes, malformed, pcapng, smb),
 * passed as extra corpus directories by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "decode.h"
#include "tracker.h"
#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t ports[] = { 445 };

/* Reads the tracker's results the way the report does. */
static void report(const struct tracker *t)
{
    struct hs_counts c;
    struct tracker_stats st;
    struct tracker_server srv[8];
    struct tracker_icmp icmp[8];
    struct tracker_attempt rec[TRACKER_RECENT], ex;
    struct capture_attempt ca;
    struct verdict v;

    tracker_counts(t, &c);
    tracker_stats(t, &st);
    if (st.packets < c.total)
        abort();   /* more attempts than packets: the counts are wrong */
    tracker_servers(t, srv, 8);
    tracker_icmp_senders(t, icmp, 8);
    size_t n = tracker_recent(t, rec, TRACKER_RECENT);
    for (size_t i = 0; i < n; i++)
        tracker_to_capture(&rec[i], &ca);
    for (int k = 0; k < HS_NCLASSES; k++)
        if (tracker_example(t, (enum hs_class)k, &ex) == 0)
            tracker_to_capture(&ex, &ca);
    verdict_compute(t, NULL, &v);
}

/* One run: the input as a capture file, every record through the tracker. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    if (size == 0)
        return 0;   /* fmemopen() refuses an empty buffer on older glibc */
    void *copy = malloc(size);
    if (copy == NULL)
        abort();
    memcpy(copy, data, size);
    FILE *f = fmemopen(copy, size, "rb");
    if (f == NULL)
        abort();
    pcap_t *p = pcap_fopen_offline(f, errbuf);
    if (p == NULL) {      /* not a capture file: libpcap leaves F to us */
        fclose(f);
        free(copy);
        return 0;
    }
    struct tracker_config cfg = { .ports = ports, .nports = 1, .capacity = 64 };
    char *cause = NULL;
    struct tracker *t = tracker_new(&cfg, &cause);
    if (t == NULL)
        abort();
    int dlt = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *pkt;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &pkt)) == 1) {
        uint32_t caplen = h->caplen;
        uint8_t *frame = malloc(caplen ? caplen : 1);
        if (frame == NULL)
            abort();
        memcpy(frame, pkt, caplen);
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        tracker_frame(t, dlt, frame, caplen, h->len, ts);
        free(frame);
    }
    if (rc == PCAP_ERROR)
        (void)pcap_geterr(p);   /* the engine reports it as a truncated file */
    report(t);
    tracker_free(t);
    pcap_close(p);              /* closes F */
    free(copy);
    return 0;
}
