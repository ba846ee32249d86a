/* npcap.c (Windows): loads the capture runtime at run time, so tshoot starts
 * without it and only live capture needs it. Npcap installs wpcap.dll and
 * Packet.dll in %SystemRoot%\System32\Npcap (not on the DLL search path,
 * unless installed in "WinPcap API-compatible mode"); its documentation asks
 * programs to SetDllDirectory() to that directory before loading wpcap.dll,
 * so that wpcap.dll finds Packet.dll there. This file does exactly that, then
 * falls back to a wpcap.dll on the normal search path (WinPcap-compatible
 * installs). It checks that the DLL is a libpcap (pcap_open_live and
 * pcap_lib_version are exported). The capture engine looks the functions up
 * with npcap_symbol(); this file does no capturing. Not thread-safe: load
 * once from the main thread before the capture thread starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win_sys.h"

static HMODULE wpcap;
static char wpcap_path[MAX_PATH * 3];

/* Writes the failure message for PATH and ERR. */
void win_npcap_cause(char *buf, size_t len, const char *path, const char *err)
{
    text_fmt(buf, len,
            "Npcap is not installed: cannot load %s (%s). Live capture needs it: download the installer from "
            "https://npcap.com/#download, run it as Administrator, then start tshoot again. The checks and "
            "`tshoot analyze FILE` work without it.",
            path, err);
}

/* Sets *CAUSE to a malloc'd copy of MSG. */
static void set_cause(char **cause, const char *msg)
{
    if (cause)
        *cause = strdup(msg);
}

/* Loads WPATH, records its path, and checks its exports; 0 or -1 with ERR text. */
static int try_load(const wchar_t *wpath, DWORD flags, char *err, size_t len)
{
    HMODULE h = LoadLibraryExW(wpath, NULL, flags);
    if (!h) {
        win_error_text(GetLastError(), err, len);
        return -1;
    }
    if (!GetProcAddress(h, "pcap_open_live") || !GetProcAddress(h, "pcap_lib_version")) {
        text_fmt(err, len, "it does not export pcap_open_live: not a libpcap");
        FreeLibrary(h);
        return -1;
    }
    wchar_t full[MAX_PATH * 2];
    DWORD n = GetModuleFileNameW(h, full, sizeof full / sizeof full[0]);
    if (n && n < sizeof full / sizeof full[0])
        win_utf8(full, wpcap_path, sizeof wpcap_path);
    else
        win_utf8(wpath, wpcap_path, sizeof wpcap_path);
    wpcap = h;
    return 0;
}

/* npcap_load() from DIR (UTF-8; NULL: System32\Npcap), then the search path with SEARCH. */
int win_npcap_load_dir(const char *dir, int search, char **cause)
{
    if (wpcap)
        return 0;
    wchar_t wdir[MAX_PATH];
    if (dir) {
        wchar_t *w = win_wide(dir);
        if (!w) {
            set_cause(cause, "out of memory");
            return -1;
        }
        wcsncpy(wdir, w, MAX_PATH - 1);
        wdir[MAX_PATH - 1] = L'\0';
        free(w);
    } else {
        UINT n = GetSystemDirectoryW(wdir, MAX_PATH - 8);
        if (!n || n >= MAX_PATH - 8) {
            char e[160], msg[512];
            win_npcap_cause(msg, sizeof msg, "System32\\Npcap\\wpcap.dll", win_error_text(GetLastError(), e, sizeof e));
            set_cause(cause, msg);
            return -1;
        }
        wcscat(wdir, L"\\Npcap");
    }
    wchar_t wfile[MAX_PATH + 16];
    _snwprintf(wfile, sizeof wfile / sizeof wfile[0], L"%ls\\wpcap.dll", wdir);
    wfile[sizeof wfile / sizeof wfile[0] - 1] = L'\0';
    char file8[MAX_PATH * 3], err[200];
    win_utf8(wfile, file8, sizeof file8);

    /* Packet.dll, which wpcap.dll imports, is found through the DLL directory. */
    SetDllDirectoryW(wdir);
    if (try_load(wfile, LOAD_WITH_ALTERED_SEARCH_PATH, err, sizeof err) == 0)
        return 0;
    SetDllDirectoryW(NULL);
    char err2[200];
    if (search && try_load(L"wpcap.dll", 0, err2, sizeof err2) == 0)
        return 0;
    char msg[640];
    win_npcap_cause(msg, sizeof msg, file8, err);
    set_cause(cause, msg);
    return -1;
}

/* Loads Npcap's wpcap.dll once. */
int npcap_load(char **cause)
{
    return win_npcap_load_dir(NULL, 1, cause);
}

/* The address of export NAME of the loaded wpcap.dll, or NULL. */
void *npcap_symbol(const char *name)
{
    if (!wpcap)
        return NULL;
    FARPROC p = GetProcAddress(wpcap, name);
    void *v;
    memcpy(&v, &p, sizeof v); /* function to object pointer, without the cast warning */
    return v;
}

/* The path of the loaded wpcap.dll, "" before npcap_load(). */
const char *npcap_path(void)
{
    return wpcap ? wpcap_path : "";
}

/* Unloads wpcap.dll. */
void npcap_unload(void)
{
    if (wpcap)
        FreeLibrary(wpcap);
    wpcap = NULL;
    wpcap_path[0] = '\0';
    SetDllDirectoryW(NULL);
}
