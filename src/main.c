/* main.c: picks the subcommand (the wizard when none is named) and runs it. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "sandbox.h"

#define TSHOOT_VERSION "0.1.0"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
};

static const struct command commands[] = {
    { "wizard", cmd_wizard, "[-p PLAYBOOK] [-i IFACE | -r FILE] [--lang LL]" },
    { "check", cmd_check, "[-p PLAYBOOK] [--json]" },
    { "analyze", cmd_analyze, "[-p PLAYBOOK] [--port N] [--client A] [--server A] [--json] FILE..." },
    { "watch", cmd_watch, "[-p PLAYBOOK] [-i IFACE] [--duration S] [--write F.pcap] [--json]" },
    { "report", cmd_report, "[--json] [SESSION]" },
    { "lint", cmd_lint, "PLAYBOOK..." },
    { "playbooks", cmd_playbooks, "" },
    { "new-playbook", cmd_new_playbook, "NAME --port N[,N...] [--protocol NAME] [--service NAME] [-o FILE]" },
};

/* Prints the usage of every subcommand to F. */
static void usage(FILE *f)
{
    fprintf(f, "usage:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  tshoot %-12s %s\n", commands[i].name, commands[i].usage);
    fprintf(f, "PLAYBOOK is an id (default smb-tcp-handshake) or a path.\n");
}

int main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("tshoot %s (seccomp sandbox: %s)\n", TSHOOT_VERSION, sandbox_state());
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-')
        return cmd_wizard(argc, argv);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tshoot: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
