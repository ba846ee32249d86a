/* cmd_playbook.c: `tshoot lint` and `tshoot playbooks`, the commands for
 * playbook authors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lang.h"
#include "playbook.h"
#include "text.h"

/* tshoot lint PLAYBOOK...: 0 clean, 1 problems, 2 unreadable or usage. */
int cmd_lint(int argc, char **argv)
{
    int status = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: tshoot lint PLAYBOOK...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        char *cause;
        char *path = playbook_resolve(argv[i], &cause);
        if (!path) {
            fprintf(stderr, "tshoot: %s\n", cause ? cause : argv[i]);
            free(cause);
            status = 2;
            continue;
        }
        int n = playbook_lint(path, stdout);
        if (n < 0)
            status = 2;
        else if (n > 0 && status == 0)
            status = 1;
        free(path);
    }
    return status;
}

/* Prints one installed playbook: id, title, ports and where it is (each in
 * its visible form: any file in a playbook directory is listed). */
static void print_playbook(const char *dir, const char *file, void *arg)
{
    const char *lang = arg;
    char path[2048], *cause;
    struct playbook pb;
    struct text_vis v = { 0 };
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (playbook_load(path, lang, &pb, &cause) < 0) {
        printf("%-24s (does not load: %s)\n", text_vis(&v, file), text_vis(&v, cause ? cause : "?"));
        text_vis_free(&v);
        free(cause);
        return;
    }
    char ports[128] = "";
    size_t off = 0;
    for (size_t i = 0; i < pb.nports && off < sizeof ports; i++)
        off += (size_t)snprintf(ports + off, sizeof ports - off, "%s%u", i ? "," : "", pb.ports[i]);
    printf("%-24s %-8s %-40s %s\n", text_vis(&v, pb.id), ports, text_vis(&v, pb.title), text_vis(&v, path));
    text_vis_free(&v);
    playbook_free(&pb);
}

/* tshoot playbooks: lists what is installed, nearest first. */
int cmd_playbooks(int argc, char **argv)
{
    char lang[16];
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: tshoot playbooks\n");
        return 2;
    }
    lang_pick(NULL, lang, sizeof lang);
    printf("%-24s %-8s %-40s %s\n", "ID", "PORTS", "TITLE", "FILE");
    playbook_each_installed(print_playbook, lang);
    return 0;
}
