/* probe_service.c: is the playbook's service (smbd, samba, ...) running?
 * systemd through its D-Bus API (sd-bus: Manager.GetUnit/LoadUnit, then the
 * unit's LoadState and ActiveState) when systemd is the init system; OpenRC
 * (`rc-service NAME status`) when /run/openrc exists; otherwise, as in most
 * containers, the process table (/proc/PID/comm), with "installed" meaning the
 * program is found in PATH or the sbin directories. The result names the
 * manager that answered. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "probe.h"
#include "probe_linux.h"
#include "probe_parse.h"

/* Copies a comma list's names into NAMES (at most MAX); returns how many. */
static size_t split_names(const char *list, char names[][64], size_t max)
{
    size_t n = 0;
    const char *p = list;
    while (p && *p && n < max) {
        while (*p == ',' || *p == ' ')
            p++;
        size_t l = strcspn(p, ", ");
        if (l > 0 && l < 64) {
            memcpy(names[n], p, l);
            names[n][l] = '\0';
            n++;
        }
        p += l;
    }
    return n;
}

/* Asks systemd about NAME.service: 1 loaded (state filled), 0 not found, -1 error. */
static int systemd_unit(sd_bus *bus, const char *name, char *active, size_t alen, char *sub, size_t slen,
                        char *err, size_t elen)
{
    char unit[96];
    text_fmt(unit, sizeof unit, "%s.service", name);
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "GetUnit", &e, &reply, "s", unit);
    if (r < 0) {
        sd_bus_error_free(&e);
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "LoadUnit", &e, &reply, "s", unit);
    }
    if (r < 0) {
        text_fmt(err, elen, "LoadUnit %s: %s", unit, e.message ? e.message : strerror(-r));
        sd_bus_error_free(&e);
        return -1;
    }
    const char *path = NULL;
    if (sd_bus_message_read(reply, "o", &path) < 0) {
        sd_bus_message_unref(reply);
        text_fmt(err, elen, "LoadUnit %s: bad reply", unit);
        return -1;
    }
    char *load = NULL, *act = NULL, *st = NULL;
    int ok = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                        "LoadState", &e, &load) >= 0 &&
             sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                        "ActiveState", &e, &act) >= 0 &&
             sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                        "SubState", &e, &st) >= 0;
    sd_bus_message_unref(reply);
    if (!ok) {
        text_fmt(err, elen, "%s properties: %s", unit, e.message ? e.message : "error");
        sd_bus_error_free(&e);
        free(load);
        free(act);
        free(st);
        return -1;
    }
    int found = strcmp(load, "not-found") != 0;
    text_fmt(active, alen, "%s%s", act, !strcmp(load, "masked") ? " (masked)" : "");
    text_fmt(sub, slen, "%s", st);
    free(load);
    free(act);
    free(st);
    return found;
}

/* The systemd answer for NAMES; 0 done, -1 when the bus cannot be used. */
static int via_systemd(char names[][64], size_t n, struct service_result *out)
{
    sd_bus *bus = NULL;
    int r = sd_bus_open_system(&bus);
    if (r < 0) {
        text_fmt(out->detail, sizeof out->detail, "cannot reach systemd on the system bus: %s", strerror(-r));
        return -1;
    }
    sd_bus_set_method_call_timeout(bus, 2000000);
    text_fmt(out->manager, sizeof out->manager, "systemd");
    for (size_t i = 0; i < n; i++) {
        char active[48] = "", sub[32] = "", err[200] = "";
        r = systemd_unit(bus, names[i], active, sizeof active, sub, sizeof sub, err, sizeof err);
        if (r < 0) {
            out->state = SERVICE_UNKNOWN;
            text_fmt(out->name, sizeof out->name, "%s", names[i]);
            text_fmt(out->detail, sizeof out->detail, "%s", err);
            out->lacks_privilege = strstr(err, "ccess denied") != NULL;
            text_fmt(out->summary, sizeof out->summary, "Cannot ask systemd about %s.service.", names[i]);
            sd_bus_flush_close_unref(bus);
            return 0;
        }
        if (r == 0)
            continue;
        text_fmt(out->name, sizeof out->name, "%s", names[i]);
        if (!strcmp(active, "active") || !strcmp(active, "reloading")) {
            out->state = SERVICE_RUNNING;
            text_fmt(out->summary, sizeof out->summary, "%s.service is %s (%s).", names[i], active, sub);
        } else {
            out->state = SERVICE_STOPPED;
            text_fmt(out->summary, sizeof out->summary, "%s.service is %s (%s): start it with systemctl start %s.",
                     names[i], active, sub, names[i]);
        }
        sd_bus_flush_close_unref(bus);
        return 0;
    }
    sd_bus_flush_close_unref(bus);
    out->state = SERVICE_NOT_INSTALLED;
    text_fmt(out->name, sizeof out->name, "%s", names[0]);
    text_fmt(out->summary, sizeof out->summary, "No unit %s.service is installed.", names[0]);
    return 0;
}

/* 1 when NAME appears as a process name (/proc/PID/comm); *PID gets the first. */
static int process_running(const char *name, int *pid)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    struct dirent *de;
    int found = 0;
    while (!found && (de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        char path[300], comm[64] = "";
        text_fmt(path, sizeof path, "/proc/%.20s/comm", de->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        if (fgets(comm, sizeof comm, f)) {
            comm[strcspn(comm, "\n")] = '\0';
            if (!strcmp(comm, name)) {
                found = 1;
                *pid = atoi(de->d_name);
            }
        }
        fclose(f);
    }
    closedir(d);
    return found;
}

/* 1 when NAME looks installed: a program in PATH/sbin or an init script. */
static int installed(const char *name)
{
    char path[512];
    if (probe_exec_find(name, path, sizeof path) == 0)
        return 1;
    text_fmt(path, sizeof path, "/etc/init.d/%s", name);
    return access(path, F_OK) == 0;
}

/* The OpenRC answer; 0 done, -1 when rc-service is missing. */
static int via_openrc(char names[][64], size_t n, struct service_result *out)
{
    text_fmt(out->manager, sizeof out->manager, "openrc");
    for (size_t i = 0; i < n; i++) {
        char *argv[] = { "rc-service", names[i], "status", NULL };
        char *text = NULL;
        int rc = probe_exec_run(argv, &text, NULL, 3000);
        free(text);
        if (rc == PROBE_EXEC_NOTFOUND)
            return -1;
        char script[128];
        text_fmt(script, sizeof script, "/etc/init.d/%s", names[i]);
        if (access(script, F_OK) != 0)
            continue;
        text_fmt(out->name, sizeof out->name, "%s", names[i]);
        if (rc == 0) {
            out->state = SERVICE_RUNNING;
            text_fmt(out->summary, sizeof out->summary, "%s is started (OpenRC).", names[i]);
        } else if (rc == 3) {
            out->state = SERVICE_STOPPED;
            text_fmt(out->summary, sizeof out->summary, "%s is stopped (OpenRC): rc-service %s start.", names[i],
                     names[i]);
        } else {
            out->state = SERVICE_UNKNOWN;
            text_fmt(out->detail, sizeof out->detail, "rc-service %s status exited %d", names[i], rc);
            text_fmt(out->summary, sizeof out->summary, "OpenRC gave no clear state for %s.", names[i]);
        }
        return 0;
    }
    out->state = SERVICE_NOT_INSTALLED;
    text_fmt(out->name, sizeof out->name, "%s", names[0]);
    text_fmt(out->summary, sizeof out->summary, "No OpenRC service %s is installed.", names[0]);
    return 0;
}

/* The process-table answer (no init system to ask): a service runs when a
 * process has its name, or one of the program names PROCS (NP of them). */
static void via_processes(char names[][64], size_t n, char procs[][64], size_t np,
                          struct service_result *out)
{
    text_fmt(out->manager, sizeof out->manager, "process-table");
    int first_installed = -1;
    for (size_t i = 0; i < n; i++) {
        int pid = -1;
        int r = process_running(names[i], &pid);
        if (r < 0) {
            out->state = SERVICE_UNKNOWN;
            text_fmt(out->detail, sizeof out->detail, "/proc is unreadable");
            return;
        }
        if (r > 0) {
            out->state = SERVICE_RUNNING;
            text_fmt(out->name, sizeof out->name, "%s", names[i]);
            text_fmt(out->summary, sizeof out->summary, "%s is running (pid %d; no init system, process table).",
                     names[i], pid);
            return;
        }
        if (first_installed < 0 && installed(names[i]))
            first_installed = (int)i;
    }
    for (size_t i = 0; i < np; i++) {
        int pid = -1;
        if (process_running(procs[i], &pid) > 0) {
            out->state = SERVICE_RUNNING;
            text_fmt(out->name, sizeof out->name, "%s", names[first_installed >= 0 ? first_installed : 0]);
            text_fmt(out->summary, sizeof out->summary,
                      "%s is running as %s (pid %d; no init system, process table).", out->name, procs[i], pid);
            return;
        }
    }
    if (first_installed >= 0) {
        out->state = SERVICE_STOPPED;
        text_fmt(out->name, sizeof out->name, "%s", names[first_installed]);
        text_fmt(out->summary, sizeof out->summary,
                 "%s is installed but not running (no init system; process table).", names[first_installed]);
        text_fmt(out->detail, sizeof out->detail, "neither systemd nor OpenRC manages services here");
    } else {
        out->state = SERVICE_NOT_INSTALLED;
        text_fmt(out->name, sizeof out->name, "%s", names[0]);
        text_fmt(out->summary, sizeof out->summary, "%s is not installed.", names[0]);
    }
}

/* Finds the state of the first installed service among NAMES. */
void probe_service(const char *names, const char *processes, struct service_result *out)
{
    memset(out, 0, sizeof *out);
    char list[8][64], procs[8][64];
    size_t n = split_names(names, list, 8);
    size_t np = processes ? split_names(processes, procs, 8) : 0;
    if (n == 0) {
        out->state = SERVICE_UNKNOWN;
        text_fmt(out->manager, sizeof out->manager, "none");
        text_fmt(out->detail, sizeof out->detail, "the playbook names no service for Linux");
        text_fmt(out->summary, sizeof out->summary, "No service to check.");
        return;
    }
    if (sd_booted() > 0 && via_systemd(list, n, out) == 0)
        return;
    if (access("/run/openrc", F_OK) == 0 && via_openrc(list, n, out) == 0)
        return;
    via_processes(list, n, procs, np, out);
}
