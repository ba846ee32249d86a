/* probe_windows.h: checks that only Windows has, beside the common ones of
 * probe.h (which src/platform/windows/ implements too):
 *   - probe_wfp_drops: the Windows Filtering Platform's own record of the
 *     packets it dropped (Security log events 5152 and 5157), each mapped to
 *     the filter (firewall rule) that dropped it; the article's "which rule
 *     drops my SYN" question, the Windows way.
 *   - npcap_load: the capture runtime (Npcap's wpcap.dll), loaded at run time
 *     so that tshoot starts, checks and analyses files without it.
 * Plain data, no curses types; like probe.h, a probe never exits the program
 * and reports unknown with a reason instead. Compiled only by `make windows`
 * and the MSYS2 build. */
#ifndef TSHOOT_PROBE_WINDOWS_H
#define TSHOOT_PROBE_WINDOWS_H

#include <stddef.h>
#include <stdint.h>

#define WFP_MAX_DROPS 16

/* What the Security log says about drops to the ports. */
enum wfp_state {
    WFP_UNKNOWN,     /* the log could not be read: detail says why */
    WFP_NO_DROPS,    /* the log was read and holds no drop to the ports */
    WFP_DROPS,       /* drops found: drops[] */
    WFP_AUDIT_OFF    /* the log was read, no drop, and drop auditing is off */
};

/* One packet or connection the filtering platform blocked. */
struct wfp_drop {
    unsigned event_id;       /* 5152 (packet dropped) or 5157 (connection blocked) */
    char time[40];           /* the event's SystemTime, UTC, ISO 8601 */
    char direction[16];      /* inbound, outbound, or the raw value */
    char source[64];         /* the addresses and ports as the event names them */
    uint16_t sport;
    char dest[64];
    uint16_t dport;
    unsigned protocol;       /* IANA number: 6 TCP */
    char application[128];   /* the process image ("System" for SMB) */
    char layer[48];          /* layer name: Transport, Receive/Accept, ... */
    uint64_t filter_id;      /* FilterRTID: the run-time id of the filter */
    char filter_name[128];   /* that filter's display name, "" when unknown */
};

/* The result of probe_wfp_drops(). */
struct wfp_result {
    enum wfp_state state;
    struct wfp_drop drops[WFP_MAX_DROPS]; /* newest first */
    size_t ndrops;
    char summary[256];       /* one sentence for people */
    char detail[256];        /* why, when unknown or when a part failed */
    char hint[512];          /* how to turn drop auditing on, or the WFP trace */
    int lacks_privilege;     /* 1 when a step failed for want of Administrator */
};

/* Reads the Security log's drop events (5152, 5157) of the last MAX_AGE_S
 * seconds (0: all) whose local port is one of PORTS, newest first, and names
 * each one's filter through the WFP management API. Needs Administrator (the
 * Security log and the WFP engine); without it, or when auditing is off, the
 * result says so and HINT gives the auditpol and `netsh wfp capture` commands.
 * Blocks for as long as the event log takes; call from a worker thread. */
void probe_wfp_drops(const uint16_t *ports, size_t nports, unsigned max_age_s,
                     struct wfp_result *out);

/* The name of a WFP state: unknown, no_drops, drops, audit_off. */
const char *probe_wfp_state_name(enum wfp_state s);

/* Loads Npcap (System32\Npcap\wpcap.dll, or a WinPcap-compatible wpcap.dll on
 * the DLL search path) once. Returns 0, or -1 with *cause (malloc'd, the
 * caller frees) saying what is missing and where to download Npcap. Call from
 * the main thread before the capture thread starts. */
int npcap_load(char **cause);

/* The address of the loaded wpcap.dll's export NAME (e.g. "pcap_open_live"),
 * or NULL when Npcap is not loaded or lacks it. */
void *npcap_symbol(const char *name);

/* The full path of the wpcap.dll that npcap_load() loaded ("" before). */
const char *npcap_path(void);

/* Unloads wpcap.dll (safe when it is not loaded). */
void npcap_unload(void);

#endif
