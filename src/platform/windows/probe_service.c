/* probe_service.c (Windows): the state of the playbook's service through the
 * service control manager: OpenSCManagerW, OpenServiceW, QueryServiceStatusEx
 * (running, stopped, paused...), QueryServiceConfigW (start type and
 * dependencies) and QueryServiceConfig2W (delayed automatic start). The first
 * installed name of the playbook's comma list is reported. Its dependencies
 * (for LanmanServer: SamSS and Srv2, and Srv2's SrvNet) are followed two
 * levels deep; those not running are named in the summary. A name the SCM
 * does not know (ERROR_SERVICE_DOES_NOT_EXIST) is not_installed. Needs no
 * privilege: SERVICE_QUERY_STATUS and SERVICE_QUERY_CONFIG are granted to
 * authenticated users for the built-in services. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win_sys.h"

#define MAX_DEPS 8

/* The configuration of service SVC (malloc'd), or NULL with *ERR. */
static QUERY_SERVICE_CONFIGW *query_config(SC_HANDLE svc, DWORD *err)
{
    DWORD need = 0;
    QueryServiceConfigW(svc, NULL, 0, &need);
    if (!need) {
        *err = GetLastError();
        return NULL;
    }
    QUERY_SERVICE_CONFIGW *cfg = malloc(need);
    if (cfg && !QueryServiceConfigW(svc, cfg, need, &need)) {
        *err = GetLastError();
        free(cfg);
        return NULL;
    }
    if (!cfg)
        *err = ERROR_NOT_ENOUGH_MEMORY;
    return cfg;
}

/* 1 when SVC's automatic start is delayed. */
static int delayed_start(SC_HANDLE svc)
{
    SERVICE_DELAYED_AUTO_START_INFO info = { 0 };
    DWORD need = 0;
    if (QueryServiceConfig2W(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, (BYTE *)&info, sizeof info, &need))
        return info.fDelayedAutostart != 0;
    return 0;
}

/* The dwCurrentState of SVC, or 0 with *ERR. */
static DWORD current_state(SC_HANDLE svc, DWORD *err)
{
    SERVICE_STATUS_PROCESS st;
    DWORD need = 0;
    if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&st, sizeof st, &need)) {
        *err = GetLastError();
        return 0;
    }
    return st.dwCurrentState;
}

/* Appends to STOPPED the dependencies of SVC (and theirs, DEPTH levels) that
 * are not running; SEEN holds the names already visited. */
static void check_deps(SC_HANDLE scm, SC_HANDLE svc, int depth, char *stopped, size_t len,
                       wchar_t seen[][64], size_t *nseen)
{
    DWORD err = 0;
    QUERY_SERVICE_CONFIGW *cfg = query_config(svc, &err);
    if (!cfg)
        return;
    for (const wchar_t *d = cfg->lpDependencies; d && *d; d += wcslen(d) + 1) {
        if (*d == SC_GROUP_IDENTIFIERW) /* "+Group": a load-order group, not a service */
            continue;
        int dup = 0;
        for (size_t i = 0; i < *nseen; i++)
            dup |= !_wcsicmp(seen[i], d);
        if (dup || *nseen >= MAX_DEPS)
            continue;
        wcsncpy(seen[*nseen], d, 63);
        seen[(*nseen)++][63] = L'\0';
        char name[64];
        win_utf8(d, name, sizeof name);
        SC_HANDLE dep = OpenServiceW(scm, d, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG);
        if (!dep) {
            if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST)
                text_append(stopped, len, "%s%s (not installed)", *stopped ? ", " : "", name);
            continue;
        }
        DWORD st = current_state(dep, &err);
        if (st && st != WIN_SCM_RUNNING)
            text_append(stopped, len, "%s%s", *stopped ? ", " : "", name);
        if (depth > 1)
            check_deps(scm, dep, depth - 1, stopped, len, seen, nseen);
        CloseServiceHandle(dep);
    }
    free(cfg);
}

/* Reports R unknown for NAME because STEP failed with ERR. */
static void unknown(struct service_result *r, const char *name, const char *step, DWORD err)
{
    char e[160];
    r->state = SERVICE_UNKNOWN;
    text_fmt(r->name, sizeof r->name, "%s", name);
    r->lacks_privilege = err == ERROR_ACCESS_DENIED;
    text_fmt(r->detail, sizeof r->detail, "%s failed: %s%s", step, win_error_text(err, e, sizeof e),
            r->lacks_privilege ? " (run as Administrator)" : "");
    text_fmt(r->summary, sizeof r->summary, "The state of %s could not be read.", name);
}

/* The state of the first installed service among NAMES (the SCM, which always
 * answers: PROCESSES is not needed here). */
void probe_service(const char *names, const char *processes, struct service_result *out)
{
    (void)processes;
    memset(out, 0, sizeof *out);
    text_fmt(out->manager, sizeof out->manager, "scm");
    char list[256];
    text_fmt(list, sizeof list, "%s", names ? names : "");
    char first[64];
    text_fmt(first, sizeof first, "%.*s", (int)strcspn(list, ","), list);
    text_fmt(out->name, sizeof out->name, "%s", first);
    if (!*first) {
        out->state = SERVICE_UNKNOWN;
        text_fmt(out->detail, sizeof out->detail, "the playbook names no Windows service (service.windows)");
        text_fmt(out->summary, sizeof out->summary, "No service to check.");
        return;
    }
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm) {
        unknown(out, first, "OpenSCManager", GetLastError());
        return;
    }
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        size_t l = strlen(tok);
        while (l && (tok[l - 1] == ' ' || tok[l - 1] == '\t'))
            tok[--l] = '\0';
        if (!l)
            continue;
        wchar_t *w = win_wide(tok);
        SC_HANDLE svc = w ? OpenServiceW(scm, w, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG) : NULL;
        DWORD err = w ? GetLastError() : ERROR_NOT_ENOUGH_MEMORY;
        free(w);
        if (!svc) {
            if (err == ERROR_SERVICE_DOES_NOT_EXIST)
                continue;
            unknown(out, tok, "OpenService", err);
            CloseServiceHandle(scm);
            return;
        }
        DWORD st = current_state(svc, &err);
        if (!st) {
            unknown(out, tok, "QueryServiceStatusEx", err);
            CloseServiceHandle(svc);
            CloseServiceHandle(scm);
            return;
        }
        QUERY_SERVICE_CONFIGW *cfg = query_config(svc, &err);
        DWORD start = cfg ? cfg->dwStartType : 0xffffffffu;
        free(cfg);
        char stopped[160] = "";
        wchar_t seen[MAX_DEPS][64];
        size_t nseen = 0;
        check_deps(scm, svc, 2, stopped, sizeof stopped, seen, &nseen);
        win_service_verdict(out, tok, st, start, start == SERVICE_AUTO_START && delayed_start(svc), stopped);
        CloseServiceHandle(svc);
        CloseServiceHandle(scm);
        return;
    }
    CloseServiceHandle(scm);
    out->state = SERVICE_NOT_INSTALLED;
    text_fmt(out->summary, sizeof out->summary, "%s is not installed (the service control manager does not know %s).",
            first, names);
}
