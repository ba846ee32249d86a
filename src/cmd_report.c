/* cmd_report.c: `tshoot report [FILE]`: lists the saved wizard sessions, or
 * prints one (its Markdown, or its JSON with --json). */
#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "session.h"

/* Copies FILE to standard output; 0, or 2 with a message when it cannot be read. */
static int print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 2;
    }
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
}

/* Keeps *.json entries for scandir. */
static int is_json(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 5 && !strcmp(e->d_name + n - 5, ".json");
}

/* Orders names alphabetically, which is by start time for session files. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Prints one line about a saved session, read from its JSON. */
static void list_one(const char *dir, const char *name)
{
    char path[4096];
    json_error_t err;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_t *j = json_load_file(path, 0, &err);
    const char *started = NULL, *host = NULL, *pb = NULL, *code = NULL;
    json_t *steps = NULL;
    if (!j || json_unpack(j, "{s:s, s:s, s:{s:s}, s:o}", "started", &started, "host", &host, "playbook",
                          "id", &pb, "steps", &steps) < 0) {
        printf("%-20s (unreadable: %s)\n", name, j ? "not a tshoot session" : err.text);
        json_decref(j);
        return;
    }
    json_unpack(j, "{s:{s:{s:s}}}", "capture", "verdict", "code", &code);
    size_t done = 0, i;
    json_t *st;
    json_array_foreach(steps, i, st)
        done += json_is_true(json_object_get(st, "done"));
    printf("%-20s  %-16s %-22s %-15s %2zu/%-2zu  %.*s\n", started, host, pb, code ? code : "-", done,
           json_array_size(steps), (int)(strlen(name) - 5), name);
    json_decref(j);
}

/* tshoot report [--json] [FILE]: the list of sessions, or one of them. */
int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'j') {
            fprintf(stderr, "usage: tshoot report [--json] [SESSION]\n");
            return 2;
        }
        json = 1;
    }
    char *dir = session_dir();
    if (!dir)
        return 3;
    if (optind < argc) {
        const char *arg = argv[optind];
        const char *ext = strrchr(arg, '.');
        size_t n = ext && (!strcmp(ext, ".md") || !strcmp(ext, ".json")) ? (size_t)(ext - arg) : strlen(arg);
        char path[4096];
        snprintf(path, sizeof path, "%.*s.%s", (int)n, arg, json ? "json" : "md");
        if (access(path, R_OK) != 0 && !strchr(arg, '/'))
            snprintf(path, sizeof path, "%s/%.*s.%s", dir, (int)n, arg, json ? "json" : "md");
        free(dir);
        return print_file(path);
    }
    struct dirent **list;
    int count = scandir(dir, &list, is_json, by_name);
    if (count <= 0) {
        printf("No saved sessions in %s.\n", dir);
        free(dir);
        if (count == 0)
            free(list);
        return 0;
    }
    printf("%-20s  %-16s %-22s %-15s %-5s  %s\n", "STARTED", "HOST", "PLAYBOOK", "VERDICT", "DONE", "SESSION");
    for (int i = 0; i < count; i++) {
        list_one(dir, list[i]->d_name);
        free(list[i]);
    }
    free(list);
    printf("(in %s; tshoot report SESSION prints one)\n", dir);
    free(dir);
    return 0;
}
