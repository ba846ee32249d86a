/* fuzz_pcapfile.c: libFuzzer target for a whole capture file (pcap or
 * pcapng) as `tshoot analyze FILE` reads it.
 *
 * The input is written to a memory FILE (fmemopen) and opened with
 * pcap_fopen_offline(), so libpcap's own file parser runs on it too; every
 * record pcap_next_ex() returns is copied to a buffer of exactly its captured
 * length (a read past it is an ASan report) and given to tracker_frame() with
 * pcap_datalink()'s link type, the way the capture engine feeds its tracker;
 * at the end of the file (or on libpcap's error, a truncated file) the
 * verdict is computed and the tracker's readers run. That loop repeats the
 * engine's feed() (capture.c), whose reader is reachable only through
 * capture_start() on a path, with its thread.
 *
 * One input in 256 (by a hash of its bytes, ENGINE_EVERY) also goes through
 * the engine itself, as `tshoot analyze` runs it: written to a file in a
 * private temporary directory and read by capture_start() / capture_wait()
 * / capture_stop(), with --client 192.0.2.1, --server 198.51.100.1 and the
 * evidence pcap (--write) each chosen by a bit of the same hash. Not on
 * every input: the engine's tracker takes its default 65536 attempts, over
 * 100 ms a run under ASan and libFuzzer, against well under 1 ms here.
 *
 * Seeds: the shared corpus (handshake, linktypes, malformed, pcapng, smb)
 * and the golden captures (tests/golden), passed as extra corpus
 * directories by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "decode.h"
#include "tracker.h"
#include "verdict.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ENGINE_EVERY 256  /* the engine runs on inputs whose hash is 0 modulo this */

static const uint16_t ports[] = { 445 };
static char dir[4096], path[4200], evidence[4200];

/* Removes the temporary files and directory at exit. */
static void cleanup(void)
{
    unlink(path);
    unlink(evidence);
    rmdir(dir);
}

/* Creates the private directory for the engine's input and evidence files. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tshoot-fuzz-pcap.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("fuzz_pcapfile: mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/input.pcap", dir);
    snprintf(evidence, sizeof evidence, "%s/evidence.pcap", dir);
    atexit(cleanup);
    return 0;
}

/* FNV-1a of the input: chooses the inputs the engine reads, and its options. */
static uint32_t hash(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

/* Runs the capture engine on the input written to a file (see the top);
 * MODE bits: 1 --client, 2 --server, 4 --write. */
static void engine(const uint8_t *data, size_t size, uint8_t mode)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct capture_config cfg = {
        .file = path, .ports = ports, .nports = 1,
        .client = (mode & 1) ? "192.0.2.1" : NULL,
        .server = (mode & 2) ? "198.51.100.1" : NULL,
        .write_path = (mode & 4) ? evidence : NULL,
    };
    int code = 0;
    char *cause = NULL;
    struct capture *c = capture_start(&cfg, &code, &cause);
    if (c == NULL) {
        if (cause == NULL || (code != 2 && code != 3))
            abort();   /* a refusal says why, with a DESIGN.md exit status */
        free(cause);
        return;
    }
    struct capture_snapshot snap;
    capture_wait(c, &snap);
    if (snap.running || memchr(snap.error, 0, sizeof snap.error) == NULL ||
        memchr(snap.summary, 0, sizeof snap.summary) == NULL)
        abort();
    const struct tracker *t = capture_tracker(c);
    if (t == NULL)
        abort();   /* valid once capture_wait() returned */
    struct hs_counts counts;
    tracker_counts(t, &counts);
    if (counts.total != snap.counts.total)
        abort();   /* the final snapshot shows the final counts */
    capture_stop(c);
}

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
    uint32_t sel = hash(data, size);
    if (sel % ENGINE_EVERY == 0)
        engine(data, size, (uint8_t)(sel / ENGINE_EVERY));
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
