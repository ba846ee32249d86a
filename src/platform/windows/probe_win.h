/* probe_win.h: private to src/platform/windows/. The pure parts of the
 * Windows probes (win_parse.c: port lists, addresses, the listener, service
 * and firewall verdicts, the firewall log settings, Security-log event XML)
 * take recorded API results as plain structs so that tests/windows/ can feed
 * them; the small Win32 helpers (win_util.c) convert strings and errors.
 * Nothing here includes windows.h except the helpers' wide-string types. */
#ifndef TSHOOT_PROBE_WIN_H
#define TSHOOT_PROBE_WIN_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "probe.h"
#include "probe_windows.h"
#include "text.h"

/* ---- strings and errors (win_util.c) ------------------------------------ */

/* Writes wide string W as UTF-8 into BUF of LEN bytes (truncated on a
 * character boundary); "" for NULL. Returns BUF. */
char *win_utf8(const wchar_t *w, char *buf, size_t len);

/* A malloc'd wide copy of UTF-8 S, or NULL when memory runs out. */
wchar_t *win_wide(const char *s);

/* The system's message for Win32 or HRESULT error ERR, in UTF-8, with its
 * number: "Access is denied. (error 5)". Returns BUF. */
char *win_error_text(unsigned long err, char *buf, size_t len);



/* ---- lists, ports and addresses (win_parse.c) ---------------------------- */

/* 1 when PORT is in a Windows Firewall port list: "445", "445,139",
 * "1-1024", "*" (spaces allowed); keywords such as "RPC" match nothing. */
int win_ports_match(const char *list, uint16_t port);

/* The host-order port of an IP Helper row's dwLocalPort (network byte order
 * in the low 16 bits, the rest unspecified). */
uint16_t win_tcp_port(uint32_t dw_port);

/* Writes an IPv4 (FAMILY 4, 4 bytes) or IPv6 (FAMILY 6, 16 bytes) address
 * as text (RFC 5952 for IPv6) into BUF (at least 46 bytes). Returns BUF. */
char *win_addr_format(int family, const uint8_t *addr, char *buf, size_t len);

/* The file name part of a Windows or POSIX path. */
const char *win_basename(const char *path);

/* 1 when process NAME is one of the comma list LIST, ignoring case, spaces
 * and a trailing ".exe" on either side ("System", "smbd" = "smbd.exe"). */
int win_in_list(const char *name, const char *list);

/* ---- listener ------------------------------------------------------------ */

/* One row of GetExtendedTcpTable(TCP_TABLE_OWNER_PID_LISTENER), as recorded. */
struct win_tcp_row {
    int family;              /* 4 or 6 */
    uint8_t addr[16];        /* dwLocalAddr bytes (network order) or ucLocalAddr */
    uint32_t scope_id;       /* IPv6 dwLocalScopeId */
    uint32_t dw_port;        /* dwLocalPort, network byte order */
    uint32_t pid;            /* dwOwningPid */
};

/* Adds ROW to R when its port is one of PORTS (the owner left unknown:
 * pid set, -1 for a row with pid 0; process and user ""). Returns 1 when added. */
int win_listener_add_row(struct listener_result *r, const struct win_tcp_row *row,
                         const uint16_t *ports, size_t nports);

/* The image name ("svchost.exe"; "System" for pid 4) and account
 * ("DOMAIN\\user") of process PID, "" where unknown (probe_listener.c).
 * Returns 1 when a part was refused for want of a privilege, else 0. */
int win_process_owner(int pid, char *process, size_t plen, char *user, size_t ulen);

/* Sets state, expected_owner and the summary of R from its sockets (owners
 * filled where known), PORTS and EXPECTED (comma list or NULL): the core's
 * probe_parse_listener_verdict_owners() with Windows' owner names. */
void win_listener_verdict(struct listener_result *r, const uint16_t *ports, size_t nports,
                          const char *expected);

/* ---- service ------------------------------------------------------------- */

/* The tshoot state of an SCM dwCurrentState (SERVICE_RUNNING = 4 ...). */
enum service_state win_service_state(unsigned long current_state);

/* "automatic", "automatic (delayed)", "manual", "disabled", "boot", "system". */
const char *win_start_type_name(unsigned long start_type, int delayed);

/* Fills R's state and summary for service NAME from its recorded status and
 * configuration; STOPPED_DEPS lists its dependencies that are not running
 * (", "-separated, "" when none). R->name and R->manager are set too. */
void win_service_verdict(struct service_result *r, const char *name, unsigned long current_state,
                         unsigned long start_type, int delayed, const char *stopped_deps);

/* ---- firewall ------------------------------------------------------------ */

#define WIN_FW_DOMAIN  1L   /* NET_FW_PROFILE2_DOMAIN */
#define WIN_FW_PRIVATE 2L   /* NET_FW_PROFILE2_PRIVATE */
#define WIN_FW_PUBLIC  4L   /* NET_FW_PROFILE2_PUBLIC */
#define WIN_FW_MAX_RULES 64 /* rules about the ports kept from the enumeration */

/* One profile's settings from INetFwPolicy2. */
struct win_fw_profile {
    int enabled;             /* get_FirewallEnabled */
    int block_all;           /* get_BlockAllInboundTraffic */
    int default_block;       /* get_DefaultInboundAction == NET_FW_ACTION_BLOCK */
};

/* One profile's log settings (registry; GPO values win over local ones). */
struct win_fw_log {
    int log_dropped;         /* LogDroppedPackets */
    int log_allowed;         /* LogSuccessfulConnections */
    char path[260];          /* LogFilePath (default %systemroot%\...\pfirewall.log) */
    unsigned long size_kb;   /* LogFileSize (default 4096) */
    int from_policy;         /* 1 when a group policy sets them */
};

/* The firewall as recorded: current profiles, their settings, log settings. */
struct win_fw_state {
    long current;                  /* get_CurrentProfileTypes: WIN_FW_* bits */
    struct win_fw_profile prof[3]; /* Domain, Private, Public */
    struct win_fw_log log[3];
    int have_log;                  /* 1 when log[] was read */
};

/* One INetFwRule, as recorded. */
struct win_fw_rule {
    char name[128];
    char group[128];         /* get_Grouping: "@FirewallAPI.dll,-28502" or a name */
    char local_ports[128];   /* "445", "*", "RPC" ... */
    char remote[128];        /* RemoteAddresses: "*" or a list */
    char app[160];           /* ApplicationName, "" when any */
    char service[64];        /* serviceName, "" when any */
    char iftypes[32];        /* InterfaceTypes: "All", "Lan" ... */
    int enabled;
    int direction;           /* 1 in, 2 out (NET_FW_RULE_DIRECTION) */
    int action;              /* 0 block, 1 allow (NET_FW_ACTION) */
    long protocol;           /* 6 TCP, 17 UDP, 256 any */
    long profiles;           /* WIN_FW_* bits, 0x7fffffff all */
};

/* 1 when RULE is an inbound rule for TCP (or any protocol) whose local ports
 * include one of PORTS: the rules worth keeping from the enumeration. */
int win_fw_rule_relevant(const struct win_fw_rule *rule, const uint16_t *ports, size_t nports);

/* 1 when RULE belongs to the File and Printer Sharing group. */
int win_fw_rule_fps(const struct win_fw_rule *rule);

/* Writes the profile names of MASK ("Domain, Private") into BUF. Returns BUF. */
char *win_fw_profiles_name(long mask, char *buf, size_t len);

/* Decides, as Windows Firewall does (block rules win over allow rules; no
 * rule: the profile's default inbound action), whether a TCP SYN to PORTS
 * gets in under each current profile; fills OUT's state, rules, summary and
 * detail (backend "windows-firewall"). */
void win_fw_evaluate(const struct win_fw_state *st, const struct win_fw_rule *rules, size_t n,
                     const uint16_t *ports, size_t nports, struct firewall_result *out);

/* Writes the log settings of the current profiles into BUF: whether dropped
 * packets are logged, the file, and the command that turns it on. */
void win_fw_logging_text(const struct win_fw_state *st, char *buf, size_t len);

/* ---- Security log (WFP drops) -------------------------------------------- */

/* Writes the event-log XPath query for events 5152/5157 whose source or
 * destination port is one of PORTS, at most MAX_AGE_S seconds old (0: any). */
void win_wfp_xpath(const uint16_t *ports, size_t nports, unsigned max_age_s, char *buf,
                   size_t len);

/* Copies the text of <Data Name='NAME'>...</Data> in event XML into BUF
 * (entities decoded). Returns 0, or -1 when absent. */
int win_event_data(const char *xml, const char *name, char *buf, size_t len);

/* Reads a rendered 5152/5157 event (EvtRenderEventXml) into D (filter_name
 * left ""). Returns 0, or -1 when it is not such an event. */
int win_event_parse(const char *xml, struct wfp_drop *d);

/* 1 when D concerns one of PORTS (either side). */
int win_wfp_drop_matches(const struct wfp_drop *d, const uint16_t *ports, size_t nports);

/* Fills R's summary (and state WFP_DROPS or WFP_NO_DROPS / WFP_AUDIT_OFF
 * from AUDIT: 1 on, 0 off, -1 unknown) from R->drops. */
void win_wfp_verdict(struct wfp_result *r, const uint16_t *ports, size_t nports,
                     unsigned max_age_s, int audit);

/* The hint: the auditpol commands that turn drop auditing on and the
 * `netsh wfp capture` alternative. */
const char *win_wfp_hint(void);

/* ---- Npcap (npcap.c) ------------------------------------------------------ */

/* Writes npcap_load()'s failure message for PATH (the DLL tried) and the
 * loader's error text ERR into BUF. */
void win_npcap_cause(char *buf, size_t len, const char *path, const char *err);

/* npcap_load() from directory DIR (UTF-8; NULL: System32\Npcap); with
 * SEARCH, falls back to a wpcap.dll on the DLL search path. */
int win_npcap_load_dir(const char *dir, int search, char **cause);

#endif
