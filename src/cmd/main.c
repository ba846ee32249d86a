/* main.c: picks the subcommand (the wizard when none is named) and runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "privsep.h"
#include "sandbox.h"
#include "user_file.h"

#define TSHOOT_VERSION "0.1.0"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    int as_user;   /* needs no privilege: under sudo it runs as the sudo user from the start */
};

static const struct command commands[] = {
    { "wizard", cmd_wizard, "[-p PLAYBOOK] [-i IFACE | -r FILE] [--lang LL]", 0 },
    { "check", cmd_check, "[-p PLAYBOOK] [--json]", 0 },
    { "analyze", cmd_analyze, "[-p PLAYBOOK] [--port N] [--client A] [--server A] [--json] FILE...", 0 },
    { "watch", cmd_watch, "[-p PLAYBOOK] [-i IFACE] [--duration S] [--write F.pcap] [--json]", 0 },
    { "report", cmd_report, "[--json] [SESSION]", 1 },
    { "lint", cmd_lint, "PLAYBOOK...", 1 },
    { "playbooks", cmd_playbooks, "", 1 },
    { "new-playbook", cmd_new_playbook, "NAME --port N[,N...] [--protocol NAME] [--service NAME] [-o FILE]", 1 },
};

/* Runs command C; one that needs no privilege gives up root first when run
 * under sudo, so it reads and writes only what the sudo user could (as root
 * without sudo, root's own files stay within reach). */
static int run(const struct command *c, int argc, char **argv)
{
    uid_t uid;
    gid_t gid;
    char *cause = NULL;
    if (c->as_user && user_file_sudo_ids(&uid, &gid) && privsep_drop(&cause) < 0) {
        fprintf(stderr, "tshoot %s: %s\n", c->name, cause ? cause : "cannot give up root");
        free(cause);
        return 3;
    }
    return c->run(argc, argv);
}

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
            return run(&commands[i], argc - 1, argv + 1);
    fprintf(stderr, "tshoot: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
