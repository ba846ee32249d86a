/* cmd_report.c: `tshoot report [FILE]`: lists the saved wizard sessions, or
 * prints one (its Markdown, or its JSON with --json). Whatever a file holds
 * (one written by an older version, or edited by hand) reaches the terminal in
 * its visible form: lines and tabs pass, no control sequence does. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "session.h"
#include "text.h"

/* Copies FILE to standard output in its visible form; 0, or 2 with a message
 * when it cannot be read. */
static int print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        struct text_vis v = { 0 };
        fprintf(stderr, "tshoot report: %s: %s\n", text_vis(&v, path), strerror(errno));
        text_vis_free(&v);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0)    /* whole lines: no UTF-8 character is split */
        text_put_visible(stdout, line, (size_t)n, TEXT_KEEP_NL | TEXT_KEEP_TAB);
    free(line);
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
        struct text_vis v = { 0 };
        printf("%-20s (unreadable: %s)\n", text_vis(&v, name), text_vis(&v, j ? "not a tshoot session" : err.text));
        text_vis_free(&v);
        json_decref(j);
        return;
    }
    json_unpack(j, "{s:{s:{s:s}}}", "capture", "verdict", "code", &code);
    size_t done = 0, i;
    json_t *st;
    json_array_foreach(steps, i, st)
        done += json_is_true(json_object_get(st, "done"));
    struct text_vis v = { 0 };
    char *session = strndup(name, strlen(name) - 5);
    printf("%-20s  %-16s %-22s %-15s %2zu/%-2zu  %s\n", text_vis(&v, started), text_vis(&v, host), text_vis(&v, pb),
           text_vis(&v, code ? code : "-"), done, json_array_size(steps), text_vis(&v, session));
    free(session);
    text_vis_free(&v);
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
        struct text_vis v = { 0 };
        printf("No saved sessions in %s.\n", text_vis(&v, dir));
        text_vis_free(&v);
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
    struct text_vis v = { 0 };
    printf("(in %s; tshoot report SESSION prints one)\n", text_vis(&v, dir));
    text_vis_free(&v);
    free(dir);
    return 0;
}
