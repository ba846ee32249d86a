/* probe_firewall.c (Windows): whether Windows Firewall lets a TCP SYN to the
 * playbook's ports in, read through its COM API (INetFwPolicy2 from
 * CLSID_NetFwPolicy2, as `netsh advfirewall` and the MMC snap-in use it):
 * the current profile types, each one's enabled flag, "block all incoming
 * connections" and default inbound action, and every inbound rule for TCP
 * (or any protocol) covering one of the ports, including the File and
 * Printer Sharing group's SMB-In rules whether enabled or not. The decision
 * itself (block rules win over allow rules) is win_fw_evaluate() in
 * win_parse.c. The log settings per profile (LogDroppedPackets, LogFilePath,
 * LogFileSize) come from the registry: the group-policy key
 * HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall\<Profile>\Logging first,
 * then the local store under SharedAccess\Parameters\FirewallPolicy (where
 * the Private profile is called StandardProfile). Reading needs no
 * privilege. When COM fails (no firewall service, Wine) the state is unknown
 * with the HRESULT's text. Third-party firewalls are not seen here. */
#define COBJMACROS /* the C forms of the COM methods: INetFwPolicy2_get_Rules(p, ...) */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win_sys.h"

#include <initguid.h>
#include <ole2.h>
#include <oleauto.h>
#include <netfw.h>

/* Copies BSTR B as UTF-8 into BUF and frees it. */
static void take_bstr(BSTR b, char *buf, size_t len)
{
    win_utf8(b, buf, len);
    SysFreeString(b);
}

/* Reads the fields of COM rule R into W. */
static void read_rule(INetFwRule *r, struct win_fw_rule *w)
{
    BSTR b;
    VARIANT_BOOL vb;
    long l;
    NET_FW_RULE_DIRECTION dir;
    NET_FW_ACTION act;
    memset(w, 0, sizeof *w);
    if (SUCCEEDED(INetFwRule_get_Name(r, &b)) && b)
        take_bstr(b, w->name, sizeof w->name);
    if (SUCCEEDED(INetFwRule_get_Grouping(r, &b)) && b)
        take_bstr(b, w->group, sizeof w->group);
    if (SUCCEEDED(INetFwRule_get_LocalPorts(r, &b)) && b)
        take_bstr(b, w->local_ports, sizeof w->local_ports);
    if (SUCCEEDED(INetFwRule_get_RemoteAddresses(r, &b)) && b)
        take_bstr(b, w->remote, sizeof w->remote);
    if (SUCCEEDED(INetFwRule_get_ApplicationName(r, &b)) && b)
        take_bstr(b, w->app, sizeof w->app);
    if (SUCCEEDED(INetFwRule_get_ServiceName(r, &b)) && b)
        take_bstr(b, w->service, sizeof w->service);
    if (SUCCEEDED(INetFwRule_get_InterfaceTypes(r, &b)) && b)
        take_bstr(b, w->iftypes, sizeof w->iftypes);
    if (SUCCEEDED(INetFwRule_get_Enabled(r, &vb)))
        w->enabled = vb != VARIANT_FALSE;
    if (SUCCEEDED(INetFwRule_get_Direction(r, &dir)))
        w->direction = (int)dir;
    if (SUCCEEDED(INetFwRule_get_Action(r, &act)))
        w->action = (int)act;
    if (SUCCEEDED(INetFwRule_get_Protocol(r, &l)))
        w->protocol = l;
    if (SUCCEEDED(INetFwRule_get_Profiles(r, &l)))
        w->profiles = l;
}

/* Collects the relevant rules of POL into RULES; returns how many, or -1 with *HR. */
static long collect_rules(INetFwPolicy2 *pol, const uint16_t *ports, size_t nports, struct win_fw_rule *rules,
                          size_t max, HRESULT *hr)
{
    INetFwRules *all = NULL;
    IUnknown *unk = NULL;
    IEnumVARIANT *en = NULL;
    size_t n = 0;
    *hr = INetFwPolicy2_get_Rules(pol, &all);
    if (FAILED(*hr) || !all)
        return -1;
    *hr = INetFwRules_get__NewEnum(all, &unk);
    if (SUCCEEDED(*hr) && unk)
        *hr = IUnknown_QueryInterface(unk, &IID_IEnumVARIANT, (void **)&en);
    if (FAILED(*hr) || !en) {
        if (unk)
            IUnknown_Release(unk);
        INetFwRules_Release(all);
        return -1;
    }
    VARIANT v;
    ULONG got = 0;
    VariantInit(&v);
    while (IEnumVARIANT_Next(en, 1, &v, &got) == S_OK && got == 1) {
        INetFwRule *r = NULL;
        if (v.vt == VT_DISPATCH && v.pdispVal &&
            SUCCEEDED(IDispatch_QueryInterface(v.pdispVal, &IID_INetFwRule, (void **)&r)) && r) {
            struct win_fw_rule w;
            read_rule(r, &w);
            if (n < max && win_fw_rule_relevant(&w, ports, nports))
                rules[n++] = w;
            INetFwRule_Release(r);
        }
        VariantClear(&v);
    }
    IEnumVARIANT_Release(en);
    IUnknown_Release(unk);
    INetFwRules_Release(all);
    return (long)n;
}

/* Reads DWORD NAME under KEY into *V; 0 or -1. */
static int reg_dword(HKEY root, const wchar_t *key, const wchar_t *name, unsigned long *v)
{
    DWORD d = 0, size = sizeof d;
    if (RegGetValueW(root, key, name, RRF_RT_REG_DWORD, NULL, &d, &size) != ERROR_SUCCESS)
        return -1;
    *v = d;
    return 0;
}

/* Reads string NAME under KEY (unexpanded) into BUF as UTF-8; 0 or -1. */
static int reg_string(HKEY root, const wchar_t *key, const wchar_t *name, char *buf, size_t len)
{
    wchar_t w[MAX_PATH];
    DWORD size = sizeof w;
    if (RegGetValueW(root, key, name, RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND, NULL, w, &size) !=
        ERROR_SUCCESS)
        return -1;
    win_utf8(w, buf, len);
    return 0;
}

/* Reads the log settings of the three profiles into ST (policy, then local, then defaults). */
static void read_logging(struct win_fw_state *st)
{
    static const wchar_t *const policy[3] = {
        L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile\\Logging",
        L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\PrivateProfile\\Logging",
        L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\PublicProfile\\Logging" };
    static const wchar_t *const local[3] = {
        L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\DomainProfile\\Logging",
        L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\StandardProfile\\Logging",
        L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\PublicProfile\\Logging" };
    for (int p = 0; p < 3; p++) {
        struct win_fw_log *l = &st->log[p];
        unsigned long v;
        text_fmt(l->path, sizeof l->path, "%%systemroot%%\\system32\\LogFiles\\Firewall\\pfirewall.log");
        l->size_kb = 4096;
        const wchar_t *keys[2] = { local[p], policy[p] }; /* later wins */
        for (int k = 0; k < 2; k++) {
            int any = 0;
            if (reg_dword(HKEY_LOCAL_MACHINE, keys[k], L"LogDroppedPackets", &v) == 0) {
                l->log_dropped = v != 0;
                any = 1;
            }
            if (reg_dword(HKEY_LOCAL_MACHINE, keys[k], L"LogSuccessfulConnections", &v) == 0) {
                l->log_allowed = v != 0;
                any = 1;
            }
            if (reg_dword(HKEY_LOCAL_MACHINE, keys[k], L"LogFileSize", &v) == 0) {
                l->size_kb = v;
                any = 1;
            }
            if (reg_string(HKEY_LOCAL_MACHINE, keys[k], L"LogFilePath", l->path, sizeof l->path) == 0)
                any = 1;
            if (any && k == 1)
                l->from_policy = 1;
        }
    }
    st->have_log = 1;
}

/* Reports OUT unknown: STEP failed with HR. */
static void com_failed(struct firewall_result *out, const char *step, HRESULT hr)
{
    char e[160];
    out->state = FIREWALL_UNKNOWN;
    out->lacks_privilege = hr == E_ACCESSDENIED;
    text_fmt(out->detail, sizeof out->detail, "Windows Firewall COM API: %s failed: %s", step,
            win_error_text((unsigned long)hr, e, sizeof e));
    text_fmt(out->summary, sizeof out->summary,
            "Windows Firewall could not be read (is the Windows Defender Firewall service, mpssvc, running?).");
}

/* Whether Windows Firewall lets a TCP SYN to PORTS in, and the deciding rules. */
void probe_firewall(const uint16_t *ports, size_t nports, struct firewall_result *out)
{
    memset(out, 0, sizeof *out);
    text_fmt(out->backend, sizeof out->backend, "windows-firewall");
    struct win_fw_state st;
    memset(&st, 0, sizeof st);
    read_logging(&st);

    HRESULT hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    int uninit = SUCCEEDED(hr); /* RPC_E_CHANGED_MODE: the thread has COM already */
    if (FAILED(hr) && hr != RPC_E_CHANGED_MODE) {
        com_failed(out, "CoInitializeEx", hr);
        win_fw_logging_text(&st, out->logging, sizeof out->logging);
        return;
    }
    INetFwPolicy2 *pol = NULL;
    struct win_fw_rule *rules = NULL;
    hr = CoCreateInstance(&CLSID_NetFwPolicy2, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwPolicy2, (void **)&pol);
    if (FAILED(hr) || !pol) {
        com_failed(out, "CoCreateInstance(NetFwPolicy2)", hr);
        goto done;
    }
    long cur = 0;
    hr = INetFwPolicy2_get_CurrentProfileTypes(pol, &cur);
    if (FAILED(hr)) {
        com_failed(out, "get_CurrentProfileTypes", hr);
        goto done;
    }
    st.current = cur;
    for (int p = 0; p < 3; p++) {
        NET_FW_PROFILE_TYPE2 type = (NET_FW_PROFILE_TYPE2)(1 << p);
        VARIANT_BOOL vb = VARIANT_FALSE;
        NET_FW_ACTION act = NET_FW_ACTION_BLOCK;
        hr = INetFwPolicy2_get_FirewallEnabled(pol, type, &vb);
        if (FAILED(hr)) {
            com_failed(out, "get_FirewallEnabled", hr);
            goto done;
        }
        st.prof[p].enabled = vb != VARIANT_FALSE;
        vb = VARIANT_FALSE;
        if (SUCCEEDED(INetFwPolicy2_get_BlockAllInboundTraffic(pol, type, &vb)))
            st.prof[p].block_all = vb != VARIANT_FALSE;
        st.prof[p].default_block = 1; /* Windows' default when the call fails */
        if (SUCCEEDED(INetFwPolicy2_get_DefaultInboundAction(pol, type, &act)))
            st.prof[p].default_block = act == NET_FW_ACTION_BLOCK;
    }
    rules = calloc(WIN_FW_MAX_RULES, sizeof *rules);
    if (!rules) {
        com_failed(out, "calloc", E_OUTOFMEMORY);
        goto done;
    }
    long n = collect_rules(pol, ports, nports, rules, WIN_FW_MAX_RULES, &hr);
    if (n < 0) {
        com_failed(out, "get_Rules", hr);
        goto done;
    }
    win_fw_evaluate(&st, rules, (size_t)n, ports, nports, out);
done:
    win_fw_logging_text(&st, out->logging, sizeof out->logging);
    free(rules);
    if (pol)
        INetFwPolicy2_Release(pol);
    if (uninit)
        CoUninitialize();
}
