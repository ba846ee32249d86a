/* capture.c: the capture engine's I/O side (contract in capture.h).
 *
 * One capture thread owns the pcap handle, the tracker and the evidence
 * dumper. It reads either a capture file (pcap or pcapng through
 * pcap_fopen_offline, "-" = standard input) or a live interface (pcap_create,
 * immediate mode, a 100 ms read timeout, an in-kernel BPF filter built from
 * the playbook's ports), feeds every record to tracker_frame(), and about
 * every 100 ms (and once more at the end) publishes a snapshot under a mutex
 * with a generation number and writes one byte to a notify pipe.
 * `analyze`, `watch` and the wizard all go through this one loop, so file
 * replays exercise the live logic.
 *
 * Evidence (`--write`): exactly the records tracker_frame() reports as
 * evidence (the SYNs, answers and ACKs of attempts, and the ICMP errors that
 * quote them) are written with pcap_dump() and flushed after each one with
 * pcap_dump_flush(). Decision: the file is written in place, not as F.tmp
 * renamed at close, so that it stays a readable pcap even when tshoot is
 * killed (SIGKILL, power cut) at any moment: at worst the record being
 * written is cut, which readers report as a truncated file.
 * Decision (issue 12): like `tcpdump -w`, an existing file of that name is
 * still replaced, so scripts can run `watch --write F` again and again, but
 * only the safe way: a new file (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) in the same
 * directory, renamed over the name (renameat) before the first record, so a
 * symlink or someone else's file at that name is replaced, never followed or
 * truncated (atomic_file_create()). Under sudo the file is created by a
 * process holding the user's identity (user_file_create()) and handed to
 * capture_run() as a stream (pcap_dump_fopen()), never opened by root.
 *
 * libpcap 1.10 traps handled here (DESIGN.md): records with caplen 0 or
 * len < caplen are passed to the decoder, which never reads past caplen;
 * pcap_datalink() (not the raw header field) gives the link type, and a link
 * type the decoder does not know is refused at open (exit 2); a pcapng file
 * whose interfaces change link type, like a truncated file, ends with a read
 * error: what was read is kept, the snapshot says so (error, truncated). */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "capture.h"
#include "decode.h"
#include "osdep.h"
#include "tracker.h"
#include "verdict.h"
#include "util.h"

#define PUBLISH_NS     100000000LL  /* snapshot period */
#define PENDING_US     1000000u     /* live: a lone SYN this young may still get its answer */
#define REPLAY_MAX_GAP_NS 5000000000LL /* --replay shortens longer silences to this */
#define FILE_BUFSIZE   (1 << 20)    /* stdio buffer for capture files */
#define LIVE_BUFSIZE   (4 << 20)    /* kernel ring for live captures */
#define LIVE_TIMEOUT_MS 100
#define MAX_LOCAL      64
#define PORTS_EXPR_MAX 1024

struct capture {
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct capture_snapshot snap;  /* the published one (under mu) */
    int done;                      /* the thread has ended (under mu) */
    int pipefd[2];
    atomic_int stop;
    int realtime;               /* replay a file at its own pace */
    int evidence_snaplen;       /* evidence records are cut to this (0: as captured) */
    uint64_t evidence_max;      /* bytes of evidence records at most (0: no limit) */
    uint64_t evidence_bytes;    /* written so far */
    int evidence_full;          /* the limit was reached: nothing more is written */
    int64_t replay_start_ns;    /* util_now_ns() when the replay began */
    int64_t replay_due_ns;      /* when the next packet is due, from the start */
    int64_t replay_last_ts;     /* the previous packet's time stamp, ns (0: none yet) */

    /* owned by the capture thread once it runs */
    pcap_t *p;
    FILE *in;
    char *inbuf;
    pcap_dumper_t *dumper;
    char *write_path;
    struct tracker *t;
    int dlt;
    int live;
    char *name;                    /* file or interface, for messages */
    uint8_t portmap[65536 / 8];
    struct ip_addr client, server;
    int has_client, has_server;
    struct ip_addr local[MAX_LOCAL];
    size_t nlocal;
    const char *(*scenario_for)(void *, const char *);
    void *scenario_arg;
    uint64_t packets, evidence;
    uint64_t file_size;
    struct timespec t0;
    uint64_t gen;
    uint64_t pub_packets;          /* packets at the last publish */
    uint64_t pub_drops;
    int64_t pub_ns;                /* time of the last publish */
    char error[256];
    int error_code;
    int truncated;
};

/* The DESIGN.md name of a class. */
const char *
capture_class_name(enum hs_class cls)
{
    static const char *const names[HS_NCLASSES] = {
        "established", "synack_no_ack", "refused", "unreachable", "syn_no_synack"
    };
    return (unsigned)cls < HS_NCLASSES ? names[cls] : "unknown";
}

/* Appends the ports expression ("tcp port 445 or tcp port 139") to BUF. */
static void
ports_expr(const uint16_t *ports, size_t nports, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < nports && off < len; i++) {
        int n = snprintf(buf + off, len - off, "%stcp port %u", i ? " or " : "",
                         (unsigned)ports[i]);
        if (n < 0)
            break;
        off += (size_t)n;
    }
}

/* Writes the BPF filter for DLT into BUF and checks that libpcap compiles it. */
int
capture_filter(int dlt, const uint16_t *ports, size_t nports, char *buf, size_t len,
               char **cause)
{
    char pe[PORTS_EXPR_MAX];
    char inner[PORTS_EXPR_MAX + 128];
    struct bpf_program prog;
    pcap_t *dead;
    int n;

    if (nports == 0) {
        util_set_cause(cause, "no port to capture");
        return -1;
    }
    ports_expr(ports, nports, pe, sizeof pe);
    /* ICMP type 3 / ICMPv6 type 1 (destination unreachable) only; an
     * ICMPv6 error carries no extension header before its ICMPv6 header. */
    snprintf(inner, sizeof inner,
             "%s or icmp[icmptype] == icmp-unreach or (icmp6 and ip6[40] == 1)", pe);
    /* libpcap's `vlan` moves the offsets for the rest of the expression,
       across `or` too: the second tag is tested inside the first. */
    if (dlt == DLT_EN10MB)
        n = snprintf(buf, len, "(%s) or (vlan and ((%s) or (vlan and (%s))))",
                     inner, inner, inner);
    else
        n = snprintf(buf, len, "%s", inner);
    if (n < 0 || (size_t)n >= len) {
        util_set_cause(cause, "capture filter too long");
        return -1;
    }
    dead = pcap_open_dead(dlt, CAPTURE_SNAPLEN);
    if (dead == NULL) {
        util_set_cause(cause, "pcap_open_dead failed");
        return -1;
    }
    if (pcap_compile(dead, &prog, buf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        util_set_cause(cause, "filter '%s' for link type %s: %s", buf,
                  pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?",
                  pcap_geterr(dead));
        pcap_close(dead);
        return -1;
    }
    pcap_freecode(&prog);
    pcap_close(dead);
    return 0;
}

/* Collects this machine's IPv4 and IPv6 addresses (the vantage of a live capture). */
static void
local_addresses(struct capture *c)
{
    struct ifaddrs *ifa, *i;

    c->nlocal = 0;
    if (getifaddrs(&ifa) != 0)
        return;
    for (i = ifa; i != NULL && c->nlocal < MAX_LOCAL; i = i->ifa_next) {
        struct ip_addr *a = &c->local[c->nlocal];
        if (i->ifa_addr == NULL)
            continue;
        memset(a, 0, sizeof *a);
        if (i->ifa_addr->sa_family == AF_INET) {
            a->family = 4;
            memcpy(a->a, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            a->family = 6;
            memcpy(a->a, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
        } else
            continue;
        c->nlocal++;
    }
    freeifaddrs(ifa);
}

/* Name of link type DLT for messages ("EN10MB", "239"). */
static const char *
dlt_name(int dlt, char *buf, size_t len)
{
    const char *n = pcap_datalink_val_to_name(dlt);
    if (n != NULL)
        snprintf(buf, len, "%s (%d)", n, dlt);
    else
        snprintf(buf, len, "%d", dlt);
    return buf;
}

/* Opens the capture file PATH ("-": standard input) without reading from it:
 * its records and header are read by capture_run(), after the privilege drop.
 * Returns 0 or -1 with *cause and *exit_code. */
static int
open_file(struct capture *c, const char *path, int *exit_code, char **cause)
{
    struct stat st;

    *exit_code = 2;
    if (strcmp(path, "-") == 0) {
        c->in = stdin;
        return 0;
    }
    c->in = fopen(path, "rb");
    if (c->in == NULL) {
        util_set_cause(cause, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fileno(c->in), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            util_set_cause(cause, "%s: is a directory", path);
            return -1;
        }
        if (S_ISREG(st.st_mode))
            c->file_size = (uint64_t)st.st_size;
    }
    c->inbuf = malloc(FILE_BUFSIZE);
    if (c->inbuf != NULL)
        setvbuf(c->in, c->inbuf, _IOFBF, FILE_BUFSIZE);
    return 0;
}

/* Reads the header of the capture file opened by open_file() and checks its
 * link type. Returns 0 or -1 with *cause (exit status 2). */
static int
read_file_header(struct capture *c, char **cause)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "", dn[64];

    c->p = pcap_fopen_offline(c->in, errbuf);
    if (c->p == NULL) {
        /* libpcap leaves the FILE open on failure: we close it in free_capture() */
        if (c->in == stdin)
            util_set_cause(cause, "standard input: %s", errbuf);
        else
            util_set_cause(cause, "%s: not a capture file libpcap can read: %s", c->name, errbuf);
        return -1;
    }
    c->in = NULL;   /* pcap_close() closes it now */
    c->dlt = pcap_datalink(c->p);
    if (!decode_dlt_supported(c->dlt)) {
        util_set_cause(cause, "%s: link type %s is not supported (Ethernet, Linux cooked, "
                  "BSD loopback and raw IP are)", c->name, dlt_name(c->dlt, dn, sizeof dn));
        return -1;
    }
    return 0;
}

/* The path of this executable, for the setcap advice. */
static void
self_path(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0)
        snprintf(buf, len, "$(which tshoot)");
    else
        buf[n] = '\0';
}

/* Opens the live interface of CFG. Returns 0 or -1 with *cause and *exit_code. */
static int
open_live(struct capture *c, const struct capture_config *cfg, int *exit_code, char **cause)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    char filter[4096], self[PATH_MAX];
    struct bpf_program prog;
    int rc;

    c->p = pcap_create(c->name, errbuf);
    if (c->p == NULL) {
        util_set_cause(cause, "%s: %s", c->name, errbuf);
        *exit_code = 3;
        return -1;
    }
    pcap_set_snaplen(c->p, cfg->snaplen > 0 ? cfg->snaplen : CAPTURE_SNAPLEN);
    pcap_set_immediate_mode(c->p, 1);
    pcap_set_timeout(c->p, LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(c->p, LIVE_BUFSIZE);
    if (strcmp(c->name, "any") != 0)
        pcap_set_promisc(c->p, 1);   /* as tcpdump does: see mirrored traffic too */
    rc = pcap_activate(c->p);
    if (rc < 0) {
        *exit_code = 3;
        switch (rc) {
        case PCAP_ERROR_PERM_DENIED:
            self_path(self, sizeof self);
            util_set_cause(cause, "%s: no permission to capture: run as root, or "
                      "setcap cap_net_raw,cap_net_admin=eip %s", c->name, self);
            break;
        case PCAP_ERROR_NO_SUCH_DEVICE:
            util_set_cause(cause, "%s: no such interface (see `ip link`; `any` captures on all)",
                      c->name);
            break;
        case PCAP_ERROR_IFACE_NOT_UP:
            util_set_cause(cause, "%s: the interface is down (ip link set %s up)", c->name, c->name);
            break;
        default:
            util_set_cause(cause, "%s: cannot capture: %s", c->name, pcap_geterr(c->p));
            break;
        }
        return -1;
    }
    c->dlt = pcap_datalink(c->p);
    if (capture_filter(c->dlt, cfg->ports, cfg->nports, filter, sizeof filter, cause) != 0) {
        *exit_code = 3;
        return -1;
    }
    if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        util_set_cause(cause, "%s: capture filter: %s", c->name, pcap_geterr(c->p));
        *exit_code = 3;
        return -1;
    }
    rc = pcap_setfilter(c->p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        util_set_cause(cause, "%s: capture filter: %s", c->name, pcap_geterr(c->p));
        *exit_code = 3;
        return -1;
    }
    local_addresses(c);
    return 0;
}

/* Releases everything C owns (the thread must have ended). */
static void
free_capture(struct capture *c)
{
    if (c->dumper != NULL) {
        pcap_dump_flush(c->dumper);
        pcap_dump_close(c->dumper);
    }
    if (c->p != NULL)
        pcap_close(c->p);
    if (c->in != NULL)
        fclose(c->in);
    free(c->inbuf);
    tracker_free(c->t);
    if (c->pipefd[0] >= 0)
        close(c->pipefd[0]);
    if (c->pipefd[1] >= 0)
        close(c->pipefd[1]);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cond);
    free(c->name);
    free(c->write_path);
    free(c);
}

/* Live: how many of the N most recent attempts are a lone SYN sent less than
 * PENDING_US ago, whose SYN-ACK, RST or ICMP answer may not be read yet. */
static uint64_t
pending_syns(const struct tracker_attempt *recent, size_t n)
{
    struct timespec now;
    uint64_t count = 0;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t now_us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
    for (size_t i = 0; i < n; i++)
        if (recent[i].cls == HS_SYN_NO_SYNACK && recent[i].syn_count == 1 &&
            recent[i].t_first + PENDING_US > now_us)
            count++;
    return count;
}

/* Builds the snapshot from the tracker and publishes it (capture thread). */
static void
publish(struct capture *c, int running)
{
    struct capture_snapshot s;
    struct tracker_attempt recent[CAPTURE_RECENT];
    struct verdict v;
    struct verdict_input vin;
    struct pcap_stat ps;
    struct timespec ts;
    size_t n;
    char one = 1;

    memset(&s, 0, sizeof s);
    s.running = running;
    s.packets = c->packets;
    s.evidence = c->evidence;
    s.evidence_full = c->evidence_full;
    s.datalink = c->dlt;
    tracker_counts(c->t, &s.counts);
    memset(&vin, 0, sizeof vin);
    vin.local = c->live ? c->local : NULL;
    vin.nlocal = c->live ? c->nlocal : 0;
    vin.scenario_for = c->scenario_for;
    vin.scenario_arg = c->scenario_arg;
    n = tracker_recent(c->t, recent, CAPTURE_RECENT);
    if (c->live && running)
        vin.pending = pending_syns(recent, n);
    verdict_compute(c->t, &vin, &v);
    snprintf(s.verdict_code, sizeof s.verdict_code, "%s", verdict_code_name(v.code));
    snprintf(s.scenario, sizeof s.scenario, "%s", v.scenario);
    snprintf(s.summary, sizeof s.summary, "%s", v.summary);
    if (c->live && c->p != NULL && pcap_stats(c->p, &ps) == 0) {
        s.kernel_drops = ps.ps_drop;
        s.iface_drops = ps.ps_ifdrop;
    }
    for (size_t i = 0; i < n; i++)
        tracker_to_capture(&recent[i], &s.recent[i]);
    s.nrecent = (unsigned)n;
    snprintf(s.error, sizeof s.error, "%s", c->error);
    s.error_code = c->error_code;
    s.truncated = c->truncated;
    s.file_size = c->file_size;
    if (!c->live && c->p != NULL && c->file_size > 0) {
        off_t pos = ftello(pcap_file(c->p));
        s.file_pos = pos > 0 ? (uint64_t)pos : 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s.elapsed = (double)(ts.tv_sec - c->t0.tv_sec) + (double)(ts.tv_nsec - c->t0.tv_nsec) / 1e9;

    pthread_mutex_lock(&c->mu);
    uint64_t gen = c->gen;
    if (c->gen == 0 || c->packets != c->pub_packets || !running ||
        s.kernel_drops + s.iface_drops != c->pub_drops || s.file_pos != c->snap.file_pos ||
        strcmp(s.summary, c->snap.summary) != 0)
        c->gen++;
    int changed = c->gen != gen;
    s.generation = c->gen;
    c->snap = s;
    if (!running) {
        c->done = 1;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->mu);
    c->pub_packets = c->packets;
    c->pub_drops = s.kernel_drops + s.iface_drops;
    c->pub_ns = util_now_ns();
    /* wake the consumer only for news: an idle live capture costs it nothing */
    if (changed && write(c->pipefd[1], &one, 1) < 0) {
        /* full pipe: the consumer has a wake-up pending already */
    }
}

/* 1 when the decoded packet belongs to the --client/--server selection. */
static int
selected(const struct capture *c, const struct decoded *d)
{
    const struct decoded_tcp *tcp = &d->tcp;
    if (d->result == DECODE_ICMP_UNREACH) {
        /* the quoted segment is the client's SYN: src client, dst server */
        if (c->has_client && !decode_addr_equal(&tcp->src, &c->client))
            return 0;
        if (c->has_server && !decode_addr_equal(&tcp->dst, &c->server))
            return 0;
        return 1;
    }
    if (c->has_client && !decode_addr_equal(&tcp->src, &c->client) &&
        !decode_addr_equal(&tcp->dst, &c->client))
        return 0;
    if (c->has_server && !decode_addr_equal(&tcp->src, &c->server) &&
        !decode_addr_equal(&tcp->dst, &c->server))
        return 0;
    return 1;
}

/* Feeds one record to the tracker; returns 1 when it was evidence. */
static int
feed(struct capture *c, const struct pcap_pkthdr *h, const u_char *data)
{
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
    struct decoded d;
    enum decode_result r;

    if (!c->has_client && !c->has_server)
        return tracker_frame(c->t, c->dlt, data, h->caplen, h->len, ts);
    r = decode_frame_ports(c->dlt, data, h->caplen, h->len, c->portmap, &d);
    if ((r != DECODE_TCP && r != DECODE_ICMP_UNREACH) || !selected(c, &d))
        return 0;
    return tracker_packet(c->t, &d, ts);
}

/* Records a read error of the input (capture thread). */
static void
read_error(struct capture *c)
{
    const char *e = pcap_geterr(c->p);
    if (c->live) {
        snprintf(c->error, sizeof c->error, "%s: capture stopped: %s", c->name, e);
        c->error_code = 3;
        return;
    }
    c->error_code = 2;
    if (strstr(e, "truncated") != NULL) {
        c->truncated = 1;
        snprintf(c->error, sizeof c->error,
                 "%s: the file is truncated after %llu packets (%s)", c->name,
                 (unsigned long long)c->packets, e);
    } else
        snprintf(c->error, sizeof c->error, "%s: read error after %llu packets: %s",
                 c->name, (unsigned long long)c->packets, e);
}

/* Writes one evidence record, cut to the evidence snap length, and flushes
 * it; stops writing (evidence_full) at the size limit. 1 when written, 0 when
 * the file is full, -1 on a write error (recorded in c->error). */
static int
dump_evidence(struct capture *c, const struct pcap_pkthdr *h, const u_char *data)
{
    struct pcap_pkthdr cut = *h;
    if (c->evidence_snaplen > 0 && cut.caplen > (bpf_u_int32)c->evidence_snaplen)
        cut.caplen = (bpf_u_int32)c->evidence_snaplen;
    if (c->evidence_max > 0 && c->evidence_bytes + 16 + cut.caplen > c->evidence_max) {
        c->evidence_full = 1;
        return 0;
    }
    pcap_dump((u_char *)c->dumper, &cut, data);
    c->evidence_bytes += 16 + cut.caplen;
    if (pcap_dump_flush(c->dumper) != 0) {
        snprintf(c->error, sizeof c->error, "%s: cannot write the evidence: %s",
                 c->write_path, strerror(errno));
        c->error_code = 2;
        return -1;
    }
    return 1;
}

/* Replay at the capture's own pace: waits until packet H is due (its offset
 * from the first packet, with each silence cut to REPLAY_MAX_GAP_NS), in
 * slices short enough to publish snapshots and to notice capture_interrupt(). */
static void
pace(struct capture *c, const struct pcap_pkthdr *h)
{
    int64_t ts = (int64_t)h->ts.tv_sec * 1000000000LL + (int64_t)h->ts.tv_usec * 1000LL;
    if (c->replay_last_ts == 0)
        c->replay_last_ts = ts;
    int64_t gap = ts > c->replay_last_ts ? ts - c->replay_last_ts : 0;
    c->replay_last_ts = ts;
    c->replay_due_ns += gap < REPLAY_MAX_GAP_NS ? gap : REPLAY_MAX_GAP_NS;
    for (;;) {
        int64_t now = util_now_ns() - c->replay_start_ns;
        if (now >= c->replay_due_ns || atomic_load_explicit(&c->stop, memory_order_relaxed))
            return;
        int64_t wait = c->replay_due_ns - now < PUBLISH_NS ? c->replay_due_ns - now : PUBLISH_NS;
        struct timespec d = { (time_t)(wait / 1000000000LL), (long)(wait % 1000000000LL) };
        nanosleep(&d, NULL);
        if (util_now_ns() - c->pub_ns >= PUBLISH_NS)
            publish(c, 1);
    }
}

/* The capture thread: reads until the end, an error or capture_interrupt(). */
static void *
capture_main(void *arg)
{
    struct capture *c = arg;
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;

    publish(c, 1);
    for (;;) {
        if (atomic_load_explicit(&c->stop, memory_order_relaxed))
            break;
        rc = pcap_next_ex(c->p, &h, &data);
        if (rc == 1) {
            if (c->realtime)
                pace(c, h);
            c->packets++;
            if (feed(c, h, data) && c->dumper != NULL && !c->evidence_full) {
                int written = dump_evidence(c, h, data);
                if (written < 0)
                    break;
                c->evidence += (uint64_t)written;
            }
            /* live: look at the clock on every packet (a slow trickle must
               still show within 100 ms); files: every 1024 records */
            if ((c->live || c->realtime || (c->packets & 1023) == 0) && util_now_ns() - c->pub_ns >= PUBLISH_NS)
                publish(c, 1);
            continue;
        }
        if (rc == 0) {                /* live read timeout */
            if (util_now_ns() - c->pub_ns >= PUBLISH_NS)
                publish(c, 1);
            continue;
        }
        /* end of file, pcap_breakloop(), or a read cut short by capture_interrupt() */
        if (rc == PCAP_ERROR_BREAK || atomic_load_explicit(&c->stop, memory_order_relaxed))
            break;
        read_error(c);
        break;
    }
    if (c->dumper != NULL)
        pcap_dump_flush(c->dumper);
    publish(c, 0);
    return NULL;
}

/* Opens the source of CFG: the live handle with its filter, or the capture file. */
struct capture *
capture_open(const struct capture_config *cfg, int *exit_code, char **cause)
{
    struct capture *c;
    struct tracker_config tc;
    char dn[64];
    int code = 2;

    if (exit_code == NULL)
        exit_code = &code;
    *exit_code = 2;
    if (cfg == NULL || cfg->nports == 0 || cfg->ports == NULL) {
        util_set_cause(cause, "no port to follow (the playbook names none)");
        return NULL;
    }
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, osdep_interrupt_setup);
    /* what live capture needs first (Windows: Npcap, loaded at run time so that
       without it tshoot still checks and lints) */
    char *prep_cause = NULL;
    if (osdep_capture_prepare(&prep_cause) < 0) {
        util_set_cause(cause, "%s", prep_cause ? prep_cause : "live capture is not possible here");
        free(prep_cause);
        *exit_code = 3;
        return NULL;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        util_set_cause(cause, "out of memory");
        return NULL;
    }
    c->pipefd[0] = c->pipefd[1] = -1;
    c->dlt = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cond, NULL);
    atomic_init(&c->stop, 0);
    clock_gettime(CLOCK_MONOTONIC, &c->t0);
    c->scenario_for = cfg->scenario_for;
    c->scenario_arg = cfg->scenario_arg;
    c->realtime = cfg->realtime && cfg->file != NULL;
    c->evidence_snaplen = cfg->evidence_snaplen;
    c->evidence_max = cfg->evidence_max;
    for (size_t i = 0; i < cfg->nports; i++)
        c->portmap[cfg->ports[i] >> 3] |= (uint8_t)(1u << (cfg->ports[i] & 7));
    if (cfg->client != NULL) {
        if (decode_addr_parse(cfg->client, &c->client) != 0) {
            util_set_cause(cause, "--client %s: not an IPv4 or IPv6 address", cfg->client);
            goto fail;
        }
        c->has_client = 1;
    }
    if (cfg->server != NULL) {
        if (decode_addr_parse(cfg->server, &c->server) != 0) {
            util_set_cause(cause, "--server %s: not an IPv4 or IPv6 address", cfg->server);
            goto fail;
        }
        c->has_server = 1;
    }

    memset(&tc, 0, sizeof tc);
    tc.ports = cfg->ports;
    tc.nports = cfg->nports;
    c->t = tracker_new(&tc, cause);
    if (c->t == NULL)
        goto fail;
    if (cfg->write_path != NULL && (c->write_path = strdup(cfg->write_path)) == NULL) {
        util_set_cause(cause, "out of memory");
        goto fail;
    }

    if (cfg->file != NULL) {
        c->name = strdup(strcmp(cfg->file, "-") == 0 ? "standard input" : cfg->file);
        if (c->name == NULL || open_file(c, cfg->file, exit_code, cause) != 0)
            goto fail;
    } else {
        c->live = 1;
        c->name = strdup(cfg->iface != NULL ? cfg->iface : "any");
        if (c->name == NULL || open_live(c, cfg, exit_code, cause) != 0)
            goto fail;
        if (!decode_dlt_supported(c->dlt)) {
            util_set_cause(cause, "%s: link type %s is not supported", c->name,
                      dlt_name(c->dlt, dn, sizeof dn));
            *exit_code = 3;
            goto fail;
        }
    }

    if (pipe(c->pipefd) != 0) {
        util_set_cause(cause, "pipe: %s", strerror(errno));
        *exit_code = 3;
        goto fail;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(c->pipefd[i], F_SETFL, fcntl(c->pipefd[i], F_GETFL) | O_NONBLOCK);
        fcntl(c->pipefd[i], F_SETFD, FD_CLOEXEC);
    }
    /* what a consumer sees before the thread's first publish */
    c->snap.running = 1;
    c->snap.datalink = c->dlt;
    c->snap.file_size = c->file_size;
    snprintf(c->snap.verdict_code, sizeof c->snap.verdict_code, "no_syn");
    return c;

fail:
    free_capture(c);
    return NULL;
}

/* Reads a file's header, sets up the evidence dumper and starts the thread. */
int
capture_run(struct capture *c, FILE *evidence, int *exit_code, char **cause)
{
    int code = 2;

    if (exit_code == NULL)
        exit_code = &code;
    *exit_code = 2;
    if (!c->live && read_file_header(c, cause) != 0) {
        if (evidence != NULL)
            fclose(evidence);
        return -1;
    }
    if (evidence != NULL) {
        /* libpcap owns EVIDENCE from here, and closes it on a failed header
           write; a link type it refuses leaves it open (a leak on a path our
           link types never take, rather than a double fclose) */
        c->dumper = pcap_dump_fopen(c->p, evidence);
        if (c->dumper == NULL) {
            util_set_cause(cause, "%s: cannot write: %s", c->write_path ? c->write_path : "evidence",
                      pcap_geterr(c->p));
            return -1;
        }
        pcap_dump_flush(c->dumper);   /* the file header is on disk from now on */
    }
    pthread_mutex_lock(&c->mu);
    c->snap.datalink = c->dlt;
    pthread_mutex_unlock(&c->mu);
    c->replay_start_ns = util_now_ns();
    if (pthread_create(&c->thread, NULL, capture_main, c) != 0) {
        util_set_cause(cause, "cannot start the capture thread");
        *exit_code = 3;
        return -1;
    }
    c->started = 1;
    return 0;
}

/* Opens the source, the evidence file in this process, and starts the thread. */
struct capture *
capture_start(const struct capture_config *cfg, int *exit_code, char **cause)
{
    FILE *evidence = NULL;
    int fd, code = 2;
    struct capture *c = capture_open(cfg, exit_code ? exit_code : &code, cause);

    if (c == NULL)
        return NULL;
    if (cfg->write_path != NULL) {
        fd = atomic_file_create(cfg->write_path, cause);
        evidence = fd < 0 ? NULL : fdopen(fd, "wb");
        if (evidence == NULL) {
            if (fd >= 0) {
                close(fd);
                util_set_cause(cause, "%s: %s", cfg->write_path, strerror(errno));
            }
            if (exit_code != NULL)
                *exit_code = 2;
            capture_stop(c);
            return NULL;
        }
    }
    if (capture_run(c, evidence, exit_code, cause) != 0) {
        capture_stop(c);
        return NULL;
    }
    return c;
}

/* Copies the latest snapshot. */
void
capture_snapshot(struct capture *c, struct capture_snapshot *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->snap;
    pthread_mutex_unlock(&c->mu);
}

/* The notify descriptor. */
int
capture_notify_fd(const struct capture *c)
{
    return c->pipefd[0];
}

/* Empties the notify descriptor. */
void
capture_drain_notify(struct capture *c)
{
    char buf[64];
    while (read(c->pipefd[0], buf, sizeof buf) > 0)
        ;
}

/* Waits for the end of the capture thread and copies the final snapshot. */
void
capture_wait(struct capture *c, struct capture_snapshot *out)
{
    pthread_mutex_lock(&c->mu);
    while (!c->done)
        pthread_cond_wait(&c->cond, &c->mu);
    if (out != NULL)
        *out = c->snap;
    pthread_mutex_unlock(&c->mu);
}

/* Asks the capture thread to end. */
void
capture_interrupt(struct capture *c)
{
    atomic_store(&c->stop, 1);
    if (c->live && c->p != NULL)
        pcap_breakloop(c->p);
    else if (!c->live)
        osdep_interrupt(c->thread);   /* a read of a pipe that never ends */
}

/* The tracker, once the thread has ended. */
const struct tracker *
capture_tracker(const struct capture *c)
{
    const struct tracker *t = NULL;
    pthread_mutex_lock((pthread_mutex_t *)&c->mu);
    if (c->done)
        t = c->t;
    pthread_mutex_unlock((pthread_mutex_t *)&c->mu);
    return t;
}

/* The default live interface: the system's own (`any` on Linux), else the
 * first up one with an address. */
char *
capture_default_iface(char *buf, size_t len, char **cause)
{
    const char *own = osdep_default_iface();
    if (own != NULL) {
        snprintf(buf, len, "%s", own);
        return buf;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all, *d;

    if (pcap_findalldevs(&all, errbuf) != 0) {
        util_set_cause(cause, "cannot list the interfaces: %s", errbuf);
        return NULL;
    }
    for (d = all; d != NULL; d = d->next) {
        if ((d->flags & PCAP_IF_LOOPBACK) || !(d->flags & PCAP_IF_UP) || d->addresses == NULL)
            continue;
        snprintf(buf, len, "%s", d->name);
        pcap_freealldevs(all);
        return buf;
    }
    pcap_freealldevs(all);
    util_set_cause(cause, "no interface is up with an address (name one with -i)");
    return NULL;
}

/* This machine's addresses (live captures only). */
size_t
capture_local(const struct capture *c, struct ip_addr *out, size_t max)
{
    size_t n = c->live ? c->nlocal : 0;
    if (n > max)
        n = max;
    memcpy(out, c->local, n * sizeof *out);
    return n;
}

/* Stops the thread and frees the engine. */
void
capture_stop(struct capture *c)
{
    if (c == NULL)
        return;
    if (c->started) {
        capture_interrupt(c);
        pthread_join(c->thread, NULL);
    }
    free_capture(c);
}
