/* parse_proc_net.c: one line of /proc/net/tcp or tcp6 (include/probe_parse_linux.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_parse_linux.h"

/* Parses one /proc/net/tcp{,6} line: "sl local rem st tx:rx tr:when retr uid timeout inode". */
int probe_parse_proc_net_tcp(const char *line, int v6, struct proc_tcp_entry *e)
{
    char local[64], rem[64];
    unsigned st, uid;
    unsigned long inode;
    memset(e, 0, sizeof *e);
    if (sscanf(line, " %*[0-9]: %63s %63s %x %*s %*s %*s %u %*s %lu", local, rem, &st, &uid,
               &inode) != 5)
        return -1;
    char *colon = strchr(local, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    unsigned port;
    if (sscanf(colon + 1, "%x", &port) != 1 || port > 65535)
        return -1;
    size_t hexlen = strlen(local);
    if (hexlen != (v6 ? 32u : 8u))
        return -1;
    /* The kernel prints each 32-bit word of the address with %08X in host byte order. */
    unsigned char bytes[16];
    for (size_t w = 0; w < hexlen / 8; w++) {
        char word[9];
        memcpy(word, local + w * 8, 8);
        word[8] = '\0';
        char *end;
        uint32_t v = (uint32_t)strtoul(word, &end, 16);
        if (*end)
            return -1;
        memcpy(bytes + w * 4, &v, 4);
    }
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, e->address, sizeof e->address))
        return -1;
    e->port = (uint16_t)port;
    e->state = st;
    e->uid = uid;
    e->inode = inode;
    return 0;
}
