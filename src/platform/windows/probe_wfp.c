/* probe_wfp.c (Windows): which filter of the Windows Filtering Platform drops
 * the SYNs, from the platform's own audit trail. With the audit subcategories
 * "Filtering Platform Packet Drop" and "Filtering Platform Connection" on
 * (failure), every blocked packet leaves event 5152 and every blocked
 * connection event 5157 in the Security log, with the run-time id of the
 * filter that blocked it (FilterRTID). This file queries those events for the
 * ports (EvtQuery with an XPath filter, EvtRender as XML, parsed by
 * win_event_parse()), names each filter with the WFP management API
 * (FwpmEngineOpen0, FwpmFilterGetById0: a Windows Firewall rule's filter
 * carries the rule's name), and asks the audit policy whether those
 * subcategories are on (AuditQuerySystemPolicy). The Security log, the
 * engine and the audit policy all need Administrator; each step that fails
 * says so in detail and leaves the others running. This is the Windows
 * counterpart of the nftables trace, so probe_trace() here points to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win_sys.h"

#include <ntsecapi.h>
#include <winevt.h>
#include <fwpmu.h>

/* Audit subcategory GUIDs (auditpol /list /subcategory:* /v). */
static const GUID AUDIT_PACKET_DROP = { 0x0cce9225, 0x69ae, 0x11d9, { 0xbe, 0xd3, 0x50, 0x50, 0x54, 0x50, 0x30, 0x30 } };
static const GUID AUDIT_CONNECTION = { 0x0cce9226, 0x69ae, 0x11d9, { 0xbe, 0xd3, 0x50, 0x50, 0x54, 0x50, 0x30, 0x30 } };

/* The name of a WFP state. */
const char *probe_wfp_state_name(enum wfp_state s)
{
    switch (s) {
    case WFP_NO_DROPS: return "no_drops";
    case WFP_DROPS: return "drops";
    case WFP_AUDIT_OFF: return "audit_off";
    default: return "unknown";
    }
}

/* 1 when failure auditing of packet drops or blocked connections is on, 0
 * when both are off, -1 when the policy cannot be read (*ERR set). */
static int audit_state(DWORD *err)
{
    GUID guids[2] = { AUDIT_PACKET_DROP, AUDIT_CONNECTION };
    AUDIT_POLICY_INFORMATION *info = NULL;
    if (!AuditQuerySystemPolicy(guids, 2, &info) || !info) {
        *err = GetLastError();
        return -1;
    }
    int on = (info[0].AuditingInformation & POLICY_AUDIT_EVENT_FAILURE) ||
             (info[1].AuditingInformation & POLICY_AUDIT_EVENT_FAILURE);
    AuditFree(info);
    return on;
}

/* Renders event EV as UTF-8 XML (malloc'd), or NULL. */
static char *render_xml(EVT_HANDLE ev)
{
    DWORD used = 0, props = 0;
    EvtRender(NULL, ev, EvtRenderEventXml, 0, NULL, &used, &props);
    if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || !used)
        return NULL;
    wchar_t *w = malloc(used);
    if (!w)
        return NULL;
    char *xml = NULL;
    if (EvtRender(NULL, ev, EvtRenderEventXml, used, w, &used, &props)) {
        size_t n = (size_t)used * 2 + 1; /* UTF-16 bytes -> at most 1.5x in UTF-8 */
        xml = malloc(n);
        if (xml)
            win_utf8(w, xml, n);
    }
    free(w);
    return xml;
}

/* Reads matching events into R; 0, or -1 with *ERR and *STEP. */
static int read_events(struct wfp_result *r, const uint16_t *ports, size_t nports, unsigned max_age_s, DWORD *err,
                       const char **step)
{
    char q8[1024];
    win_wfp_xpath(ports, nports, max_age_s, q8, sizeof q8);
    wchar_t *q = win_wide(q8);
    if (!q) {
        *err = ERROR_NOT_ENOUGH_MEMORY;
        *step = "memory";
        return -1;
    }
    EVT_HANDLE h = EvtQuery(NULL, L"Security", q, EvtQueryChannelPath | EvtQueryReverseDirection);
    free(q);
    if (!h) {
        *err = GetLastError();
        *step = "EvtQuery(Security)";
        return -1;
    }
    while (r->ndrops < WFP_MAX_DROPS) {
        EVT_HANDLE evs[8];
        DWORD got = 0;
        if (!EvtNext(h, 8, evs, 5000, 0, &got)) {
            DWORD e = GetLastError();
            if (e != ERROR_NO_MORE_ITEMS) {
                EvtClose(h);
                *err = e;
                *step = "EvtNext";
                return r->ndrops ? 0 : -1;
            }
            break;
        }
        for (DWORD i = 0; i < got; i++) {
            char *xml = render_xml(evs[i]);
            struct wfp_drop d;
            if (xml && r->ndrops < WFP_MAX_DROPS && win_event_parse(xml, &d) == 0 &&
                win_wfp_drop_matches(&d, ports, nports))
                r->drops[r->ndrops++] = d;
            free(xml);
            EvtClose(evs[i]);
        }
    }
    EvtClose(h);
    return 0;
}

/* Names the filters of R's drops through the WFP engine; 0, or -1 with *ERR. */
static int name_filters(struct wfp_result *r, DWORD *err)
{
    HANDLE engine = NULL;
    DWORD rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &engine);
    if (rc != ERROR_SUCCESS || !engine) {
        *err = rc ? rc : ERROR_INVALID_HANDLE;
        return -1;
    }
    for (size_t i = 0; i < r->ndrops; i++) {
        FWPM_FILTER0 *f = NULL;
        if (FwpmFilterGetById0(engine, r->drops[i].filter_id, &f) == ERROR_SUCCESS && f) {
            win_utf8(f->displayData.name, r->drops[i].filter_name, sizeof r->drops[i].filter_name);
            FwpmFreeMemory0((void **)&f);
        }
    }
    FwpmEngineClose0(engine);
    return 0;
}

/* Drop events of the Security log for PORTS, each named by its filter. */
void probe_wfp_drops(const uint16_t *ports, size_t nports, unsigned max_age_s, struct wfp_result *out)
{
    memset(out, 0, sizeof *out);
    text_fmt(out->hint, sizeof out->hint, "%s", win_wfp_hint());
    DWORD aerr = 0;
    int audit = audit_state(&aerr);
    DWORD err = 0;
    const char *step = "";
    char e[160];
    if (read_events(out, ports, nports, max_age_s, &err, &step) != 0) {
        out->state = WFP_UNKNOWN;
        out->lacks_privilege = err == ERROR_ACCESS_DENIED;
        text_fmt(out->detail, sizeof out->detail, "%s failed: %s%s", step, win_error_text(err, e, sizeof e),
                out->lacks_privilege ? " (reading the Security log needs Administrator)" : "");
        if (audit == 0)
            text_append(out->detail, sizeof out->detail, "; drop auditing is off");
        text_fmt(out->summary, sizeof out->summary,
                "The Security log could not be read, so the filter that drops the SYNs is unknown.");
        return;
    }
    if (out->ndrops && name_filters(out, &err) != 0) {
        text_fmt(out->detail, sizeof out->detail, "filter names unknown: FwpmEngineOpen0 failed: %s%s",
                win_error_text(err, e, sizeof e), err == ERROR_ACCESS_DENIED ? " (needs Administrator)" : "");
        out->lacks_privilege |= err == ERROR_ACCESS_DENIED;
    }
    if (audit < 0 && !out->detail[0]) {
        text_fmt(out->detail, sizeof out->detail, "the audit policy could not be read: %s",
                win_error_text(aerr, e, sizeof e));
        out->lacks_privilege |= aerr == ERROR_ACCESS_DENIED || aerr == ERROR_PRIVILEGE_NOT_HELD;
    }
    win_wfp_verdict(out, ports, nports, max_age_s, audit);
}

/* The nftables live trace has no Windows form: probe_wfp_drops() reads the
 * filtering platform's record instead. */
int probe_trace(const uint16_t *ports, size_t nports, unsigned seconds,
                void (*on_event)(const struct trace_event *ev, void *arg), void *arg, char **cause)
{
    (void)ports;
    (void)nports;
    (void)seconds;
    (void)on_event;
    (void)arg;
    if (cause)
        *cause = strdup("the live firewall trace is nftables-only; on Windows the Security log's events 5152 and "
                        "5157 name the dropping filter (enable: auditpol /set /subcategory:\"Filtering Platform "
                        "Packet Drop\" /failure:enable), or use netsh wfp capture start/stop");
    return -1;
}

/* Nothing to stop on Windows. */
void probe_trace_stop(void)
{
}

/* Nothing to clean up on Windows. */
void probe_trace_cleanup(void)
{
}
