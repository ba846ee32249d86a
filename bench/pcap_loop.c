/* pcap_loop.c: the benchmark's baseline, a bare pcap_next_ex() loop over a
 * capture file that touches nothing but the record headers.
 *   pcap_loop [-b] FILE     -b: read through a 1 MiB stdio buffer, as tshoot does */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Counts the records of FILE with pcap_next_ex() and nothing else. */
int
main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long long n = 0, bytes = 0;
    int big = argc > 2 && strcmp(argv[1], "-b") == 0;
    const char *path = argv[argc - 1];
    pcap_t *p;
    FILE *f;
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: pcap_loop [-b] FILE\n");
        return 2;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 2;
    }
    if (big)
        setvbuf(f, NULL, _IOFBF, 1 << 20);
    p = pcap_fopen_offline(f, errbuf);
    if (p == NULL) {
        fprintf(stderr, "%s: %s\n", path, errbuf);
        return 2;
    }
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        n++;
        bytes += h->caplen;
    }
    printf("%llu packets, %llu bytes\n", n, bytes);
    pcap_close(p);
    return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
