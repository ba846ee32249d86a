/* cmd_new_playbook.c: `tshoot new-playbook NAME --port N`, which writes a
 * lint-clean skeleton for a new protocol: the header, both scenarios and the
 * usual listener, service, trace and firewall steps, with commands for the
 * four platforms, ready to be adapted. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

/* The skeleton; %1$s is the id, %2$s the protocol, %3$s the ports, %4$s the Linux service. */
static const char skeleton[] =
    "; %1$s: a tshoot playbook (format: playbooks/README.md). Check it with\n"
    "; `tshoot lint %1$s.ini` after each edit; add title[fr] = ... and the like\n"
    "; for each text to offer another language.\n"
    "[playbook]\n"
    "id = %1$s\n"
    "title = %2$s: the TCP handshake to port ${port} fails\n"
    "protocol = %2$s\n"
    "ports = %3$s\n"
    "version = 1\n"
    "language = en\n"
    "source = written with tshoot new-playbook (name the documentation you follow here)\n"
    "service.linux = %4$s\n"
    "process.linux = %4$s\n"
    "intro = Clients cannot open a TCP connection to ${protocol} on port ${port}. "
    "A capture shows the handshake failing.\\n\\nScenario 1: the SYN reaches the server and no "
    "SYN-ACK comes back. Scenario 2: the SYN never reaches the server.\n"
    "\n"
    "[scenario.1]\n"
    "title = The SYN reaches the server, no SYN-ACK\n"
    "summary = The server receives the SYN but does not answer it: nothing listens, the service "
    "is stopped, or a firewall on the server drops it.\n"
    "verdicts = syn_no_synack, refused, synack_no_ack\n"
    "\n"
    "[scenario.1.step.1]\n"
    "title = Is anything listening on TCP ${port}?\n"
    "body = Check that a program waits for connections on port ${port}, on every address and "
    "not only on loopback, and that it is ${process}.\n"
    "check = listener\n"
    "cmd.1.platform = cmd\n"
    "cmd.1.label = Sockets on port ${port} and their PID\n"
    "cmd.1.run = netstat -ano | findstr :${port}\n"
    "cmd.2.platform = powershell\n"
    "cmd.2.label = Listeners on port ${port}\n"
    "cmd.2.run = Get-NetTCPConnection -LocalPort ${port} -State Listen\n"
    "cmd.3.platform = linux\n"
    "cmd.3.label = Listeners on port ${port} with their process\n"
    "cmd.3.run = ss -ltnp 'sport = :${port}'\n"
    "cmd.4.platform = macos\n"
    "cmd.4.label = Listeners on port ${port} with their process\n"
    "cmd.4.run = sudo lsof -nP -iTCP:${port} -sTCP:LISTEN\n"
    "\n"
    "[scenario.1.step.2]\n"
    "title = Is the service running?\n"
    "body = A stopped service leaves nothing listening. Start it and read its log if it stops again.\n"
    "check = service\n"
    "cmd.1.platform = linux\n"
    "cmd.1.label = The service's state and last log lines\n"
    "cmd.1.run = systemctl status ${service}\n"
    "\n"
    "[scenario.1.step.3]\n"
    "title = Which rule drops the SYN?\n"
    "body = Trace the SYNs to port ${port} through the firewall while a client retries, and read "
    "which rule or policy decides.\n"
    "check = trace\n"
    "cmd.1.platform = cmd\n"
    "cmd.1.label = Start a Windows Filtering Platform capture, reproduce, then stop it\n"
    "cmd.1.run = netsh wfp capture start\n"
    "cmd.2.platform = linux\n"
    "cmd.2.label = Follow the nftables trace of marked packets\n"
    "cmd.2.run = nft monitor trace\n"
    "\n"
    "[scenario.1.step.4]\n"
    "title = Do the firewall's rules let port ${port} in?\n"
    "body = List the inbound rules for TCP ${port} and turn on logging of dropped packets.\n"
    "check = firewall\n"
    "cmd.1.platform = powershell\n"
    "cmd.1.label = Inbound rules and their port filters\n"
    "cmd.1.run = Get-NetFirewallRule -Direction Inbound -Enabled True | Get-NetFirewallPortFilter\n"
    "cmd.2.platform = linux\n"
    "cmd.2.label = The whole nftables ruleset with rule handles\n"
    "cmd.2.run = nft -a list ruleset\n"
    "\n"
    "[scenario.2]\n"
    "title = The SYN never reaches the server\n"
    "summary = The client sends the SYN and the server never sees it: a device on the path drops it.\n"
    "verdicts = path_drop, unreachable, return_path_drop\n"
    "\n"
    "[scenario.2.step.1]\n"
    "title = Capture at both ends at once\n"
    "body = Capture on the client and on the server while the client retries, then compare the "
    "two captures.\n"
    "check = capture\n"
    "cmd.1.platform = linux\n"
    "cmd.1.label = Capture the handshakes and ICMP errors\n"
    "cmd.1.run = tcpdump -ni any -w side.pcap 'tcp port ${port} or icmp or icmp6'\n"
    "cmd.2.platform = linux\n"
    "cmd.2.label = Compare both captures\n"
    "cmd.2.run = tshoot analyze -p ${id} client.pcap server.pcap\n"
    "\n"
    "[scenario.2.step.2]\n"
    "title = Find the device that drops it\n"
    "body = Capture on each device along the path, hop by hop, until the SYN goes missing.\n"
    "cmd.1.platform = powershell\n"
    "cmd.1.label = Test the port and show the route\n"
    "cmd.1.run = Test-NetConnection -ComputerName SERVER -Port ${port} -TraceRoute\n"
    "cmd.2.platform = linux\n"
    "cmd.2.label = A TCP traceroute to the port\n"
    "cmd.2.run = traceroute -T -p ${port} SERVER\n";

/* Whether S is a valid playbook id: a-z, 0-9 and '-'. */
static int valid_id(const char *s)
{
    return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

/* Whether S is a comma list of TCP ports. */
static int valid_ports(const char *s)
{
    char *copy = strdup(s), *save = NULL;
    int ok = copy != NULL;
    for (char *tok = copy ? strtok_r(copy, ", ", &save) : NULL; tok; tok = strtok_r(NULL, ", ", &save)) {
        char *end;
        long p = strtol(tok, &end, 10);
        ok &= *end == 0 && p >= 1 && p <= 65535;
    }
    free(copy);
    return ok;
}

/* Prints the usage. */
static int usage(FILE *f)
{
    fprintf(f, "usage: tshoot new-playbook NAME --port N[,N...] [--protocol NAME] [--service NAME] [-o FILE]\n");
    return 2;
}

/* tshoot new-playbook: writes NAME.ini (or -o FILE), never over an existing file. */
int cmd_new_playbook(int argc, char **argv)
{
    static const struct option opts[] = {
        { "port", required_argument, NULL, 'P' }, { "protocol", required_argument, NULL, 'r' },
        { "service", required_argument, NULL, 's' }, { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    const char *ports = NULL, *protocol = NULL, *service = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'P': ports = optarg; break;
        case 'r': protocol = optarg; break;
        case 's': service = optarg; break;
        case 'o': out = optarg; break;
        case 'h': usage(stdout); return 0;
        default: return usage(stderr);
        }
    }
    if (optind != argc - 1 || !ports)
        return usage(stderr);
    const char *id = argv[optind];
    if (!valid_id(id)) {
        fprintf(stderr, "tshoot: new-playbook: '%s' is not an id (a-z, 0-9 and '-')\n", id);
        return 2;
    }
    if (!valid_ports(ports)) {
        fprintf(stderr, "tshoot: new-playbook: --port '%s' is not a list of TCP ports (1-65535)\n", ports);
        return 2;
    }
    if (service && strpbrk(service, ";#\"'\\$\n")) {
        fprintf(stderr, "tshoot: new-playbook: --service '%s' holds a character a playbook value cannot\n", service);
        return 2;
    }
    char proto[64], path[1024];
    snprintf(proto, sizeof proto, "%s", protocol ? protocol : id);
    if (!protocol)
        for (char *p = proto; *p; p++)
            *p = (char)toupper((unsigned char)*p);
    if (strpbrk(proto, ";#\"'\\$\n")) {
        fprintf(stderr, "tshoot: new-playbook: --protocol '%s' holds a character a playbook value cannot\n", proto);
        return 2;
    }
    snprintf(path, sizeof path, "%s", out ? out : id);
    if (!out)
        strncat(path, ".ini", sizeof path - strlen(path) - 1);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "tshoot: new-playbook: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return errno == EEXIST ? 2 : 3;
    }
    fprintf(f, skeleton, id, proto, ports, service ? service : id);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0) {
        fprintf(stderr, "tshoot: new-playbook: %s: %s\n", path, strerror(errno));
        return 3;
    }
    printf("wrote %s: edit it, then run tshoot lint %s\n", path, path);
    return 0;
}
