/* test_win_parse.c: the pure parts of the Windows platform layer
 * (src/platform/windows/win_parse.c) fed with API results written down as
 * the APIs return them: GetExtendedTcpTable rows (ports in network byte
 * order), SCM status and configuration values, INetFwPolicy2 settings and
 * INetFwRule fields of a Windows Server's SMB rules, the firewall's registry
 * log values, and Security-log events 5152/5157 as EvtRender renders them.
 * Runs anywhere the layer builds (under Wine here). */
#include <stdlib.h>
#include <string.h>

#include "win_sys.h"
#include "tharness.h"

static const uint16_t P445[] = { 445 };
static const uint16_t P445_139[] = { 445, 139 };

/* Port lists of INetFwRule.LocalPorts. */
static void test_ports(void)
{
    CHECK(win_ports_match("445", 445));
    CHECK(win_ports_match("139,445", 445));
    CHECK(win_ports_match("139, 445 ", 445));
    CHECK(win_ports_match("*", 445));
    CHECK(win_ports_match("1-1024", 445));
    CHECK(win_ports_match("400-500,8080", 500));
    CHECK(!win_ports_match("1-100", 445));
    CHECK(!win_ports_match("4450", 445));
    CHECK(!win_ports_match("44", 445));
    CHECK(!win_ports_match("RPC", 445));
    CHECK(!win_ports_match("RPC-EPMap,IPHTTPS", 445));
    CHECK(!win_ports_match("", 445));
    CHECK(!win_ports_match(NULL, 445));
    CHECK(!win_ports_match("500-400", 450));
    CHECK(!win_ports_match("70000", 4464));
    CHECK(win_ports_match("5355,445-445", 445));
}

/* dwLocalPort and addresses as IP Helper returns them. */
static void test_rows(void)
{
    /* 445 = 0x01bd; in network order the bytes are 01 bd, read little-endian 0xbd01. */
    CHECK_INT(win_tcp_port(0xbd01), 445);
    CHECK_INT(win_tcp_port(0x8b00), 139);
    CHECK_INT(win_tcp_port(0xdeadbd01), 445); /* the high half is unspecified */
    char b[64];
    uint8_t any4[4] = { 0 }, lo4[4] = { 127, 0, 0, 1 }, a4[4] = { 192, 168, 1, 10 };
    CHECK_STR(win_addr_format(4, any4, b, sizeof b), "0.0.0.0");
    CHECK_STR(win_addr_format(4, lo4, b, sizeof b), "127.0.0.1");
    CHECK_STR(win_addr_format(4, a4, b, sizeof b), "192.168.1.10");
    uint8_t any6[16] = { 0 }, lo6[16] = { [15] = 1 };
    uint8_t doc6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    uint8_t ll6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x15, 0x5d, 0xff, 0xfe, 0x01, 0x02, 0x03 };
    uint8_t two6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0 };
    uint8_t one0[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 };
    uint8_t map6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 5 };
    CHECK_STR(win_addr_format(6, any6, b, sizeof b), "::");
    CHECK_STR(win_addr_format(6, lo6, b, sizeof b), "::1");
    CHECK_STR(win_addr_format(6, doc6, b, sizeof b), "2001:db8::1");
    CHECK_STR(win_addr_format(6, ll6, b, sizeof b), "fe80::215:5dff:fe01:203");
    CHECK_STR(win_addr_format(6, two6, b, sizeof b), "2001:db8:0:1::1:0");
    CHECK_STR(win_addr_format(6, one0, b, sizeof b), "2001:db8:0:1:1:1:1:1"); /* one zero group stays */
    CHECK_STR(win_addr_format(6, map6, b, sizeof b), "::ffff:10.0.0.5");
    CHECK_STR(win_basename("C:\\Windows\\System32\\svchost.exe"), "svchost.exe");
    CHECK_STR(win_basename("System"), "System");
    CHECK(win_in_list("System", "System"));
    CHECK(win_in_list("system", " System , smbd"));
    CHECK(win_in_list("smbd.exe", "System,smbd"));
    CHECK(win_in_list("smbd", "smbd.EXE"));
    CHECK(!win_in_list("svchost.exe", "System"));
    CHECK(!win_in_list("Sys", "System"));
    CHECK(!win_in_list("", "System"));
    CHECK(!win_in_list("System", NULL));
}

/* Adds a row of the recorded table. */
static void add(struct listener_result *r, int fam, const uint8_t *addr, uint32_t dw_port, uint32_t pid,
                const char *proc)
{
    struct win_tcp_row row = { fam, { 0 }, 0, dw_port, pid };
    memcpy(row.addr, addr, fam == 4 ? 4 : 16);
    size_t before = r->nsockets;
    if (win_listener_add_row(r, &row, P445_139, 2) && proc)
        text_fmt(r->sockets[before].process, sizeof r->sockets[before].process, "%s", proc);
}

/* The listener verdict from recorded tables. */
static void test_listener(void)
{
    static const uint8_t any4[4] = { 0 }, lo4[4] = { 127, 0, 0, 1 }, a4[4] = { 192, 168, 1, 10 },
                         any6[16] = { 0 };
    struct listener_result r;

    /* A Windows Server: System (pid 4) on 0.0.0.0:445 and [::]:445, plus RPC on 135. */
    memset(&r, 0, sizeof r);
    add(&r, 4, any4, 0x8700, 1012, "svchost.exe"); /* 135: not ours */
    add(&r, 4, any4, 0xbd01, 4, "System");
    add(&r, 6, any6, 0xbd01, 4, "System");
    CHECK_INT(r.nsockets, 2);
    win_listener_verdict(&r, P445, 1, "System");
    CHECK_INT(r.state, LISTENER_LISTENING);
    CHECK_STR(r.sockets[0].address, "0.0.0.0");
    CHECK_STR(r.sockets[1].address, "::");
    CHECK_INT(r.sockets[0].port, 445);
    CHECK_INT(r.sockets[0].pid, 4);
    CHECK_INT(r.sockets[0].expected_owner, 1);
    CHECK_STR(r.summary, "Listening on TCP port 445 on all addresses, owned by System (pid 4).");

    /* Nothing on 445 (LanmanServer stopped): only 135. */
    memset(&r, 0, sizeof r);
    add(&r, 4, any4, 0x8700, 1012, "svchost.exe");
    win_listener_verdict(&r, P445, 1, "System");
    CHECK_INT(r.state, LISTENER_NOT_LISTENING);
    CHECK_STR(r.summary, "Nothing listens on TCP port 445.");

    /* Loopback only, by another program. */
    memset(&r, 0, sizeof r);
    add(&r, 4, lo4, 0xbd01, 5120, "smbproxy.exe");
    win_listener_verdict(&r, P445, 1, "System");
    CHECK_INT(r.state, LISTENER_LOOPBACK_ONLY);
    CHECK_INT(r.sockets[0].expected_owner, 0);
    CHECK_HAS(r.summary, "loopback only");
    CHECK_HAS(r.summary, "owned by smbproxy.exe (pid 5120), not the expected System");

    /* One address only; 139 missing of two ports; owner unknown. */
    memset(&r, 0, sizeof r);
    add(&r, 4, a4, 0xbd01, 4, NULL);
    win_listener_verdict(&r, P445_139, 2, "System");
    CHECK_INT(r.state, LISTENER_LISTENING);
    CHECK_HAS(r.summary, "only on 192.168.1.10");
    CHECK_HAS(r.summary, "owner unknown");
    CHECK_HAS(r.summary, "nothing on 139");
    CHECK_INT(r.sockets[0].expected_owner, 0);

    /* A row with pid 0: the owner was not reported (Wine). */
    memset(&r, 0, sizeof r);
    add(&r, 4, any4, 0xbd01, 0, NULL);
    win_listener_verdict(&r, P445, 1, "System");
    CHECK_INT(r.sockets[0].pid, -1);
    CHECK_INT(r.state, LISTENER_LISTENING);
    CHECK_STR(r.summary, "Listening on TCP port 445 on all addresses (owner not reported).");

    /* No expected owner: every owner is fine. */
    memset(&r, 0, sizeof r);
    add(&r, 4, any4, 0xbd01, 900, "smbd.exe");
    win_listener_verdict(&r, P445, 1, NULL);
    CHECK_INT(r.sockets[0].expected_owner, 1);
    CHECK_HAS(r.summary, "owned by smbd.exe (pid 900)");
}

/* Service verdicts from recorded SCM values. */
static void test_service(void)
{
    struct service_result r;
    CHECK_INT(win_service_state(4), SERVICE_RUNNING);
    CHECK_INT(win_service_state(1), SERVICE_STOPPED);
    CHECK_INT(win_service_state(7), SERVICE_STOPPED);
    CHECK_INT(win_service_state(2), SERVICE_STOPPED);
    CHECK_INT(win_service_state(0), SERVICE_UNKNOWN);
    CHECK_STR(win_start_type_name(2, 0), "automatic");
    CHECK_STR(win_start_type_name(2, 1), "automatic (delayed)");
    CHECK_STR(win_start_type_name(3, 0), "manual");
    CHECK_STR(win_start_type_name(4, 0), "disabled");
    CHECK_STR(win_start_type_name(99, 0), "unknown");

    memset(&r, 0, sizeof r);
    win_service_verdict(&r, "LanmanServer", 4, 2, 0, "");
    CHECK_INT(r.state, SERVICE_RUNNING);
    CHECK_STR(r.manager, "scm");
    CHECK_STR(r.name, "LanmanServer");
    CHECK_STR(r.summary, "LanmanServer is running (start type automatic).");

    memset(&r, 0, sizeof r);
    win_service_verdict(&r, "LanmanServer", 1, 4, 0, "srv2, srvnet");
    CHECK_INT(r.state, SERVICE_STOPPED);
    CHECK_HAS(r.summary, "LanmanServer is stopped (start type disabled)");
    CHECK_HAS(r.summary, "sc config LanmanServer start= auto");
    CHECK_HAS(r.summary, "not running: srv2, srvnet");

    memset(&r, 0, sizeof r);
    win_service_verdict(&r, "LanmanServer", 1, 3, 0, "");
    CHECK_HAS(r.summary, "sc start LanmanServer");
    memset(&r, 0, sizeof r);
    win_service_verdict(&r, "LanmanServer", 7, 2, 0, "");
    CHECK_INT(r.state, SERVICE_STOPPED);
    CHECK_HAS(r.summary, "paused");
}

/* A rule as INetFwRule returns it. */
static struct win_fw_rule rule(const char *name, const char *group, const char *ports, int enabled, int action,
                               long profiles, const char *remote, const char *app)
{
    struct win_fw_rule r;
    memset(&r, 0, sizeof r);
    text_fmt(r.name, sizeof r.name, "%s", name);
    text_fmt(r.group, sizeof r.group, "%s", group);
    text_fmt(r.local_ports, sizeof r.local_ports, "%s", ports);
    text_fmt(r.remote, sizeof r.remote, "%s", remote);
    text_fmt(r.app, sizeof r.app, "%s", app);
    text_fmt(r.iftypes, sizeof r.iftypes, "All");
    r.enabled = enabled;
    r.direction = 1;
    r.action = action;
    r.protocol = 6;
    r.profiles = profiles;
    return r;
}

#define FPS "@FirewallAPI.dll,-28502"
#define ALLP 0x7fffffffL

/* Windows Firewall decisions from recorded policies and rules. */
static void test_firewall(void)
{
    struct win_fw_state st;
    memset(&st, 0, sizeof st);
    st.current = WIN_FW_DOMAIN;
    for (int p = 0; p < 3; p++) {
        st.prof[p].enabled = 1;
        st.prof[p].default_block = 1;
    }
    struct firewall_result r;
    struct win_fw_rule rules[4];

    /* The SMB-In rule enabled: open. */
    rules[0] = rule("File and Printer Sharing (SMB-In)", FPS, "445", 1, 1, ALLP, "*", "System");
    rules[1] = rule("File and Printer Sharing (NB-Session-In)", FPS, "139", 1, 1, ALLP, "*", "System");
    CHECK(win_fw_rule_relevant(&rules[0], P445, 1));
    CHECK(!win_fw_rule_relevant(&rules[1], P445, 1));
    CHECK(win_fw_rule_fps(&rules[0]));
    memset(&r, 0, sizeof r);
    win_fw_evaluate(&st, rules, 1, P445, 1, &r);
    CHECK_INT(r.state, FIREWALL_OPEN);
    CHECK_STR(r.backend, "windows-firewall");
    CHECK_HAS(r.summary, "lets TCP 445 in: rule \"File and Printer Sharing (SMB-In)\"");
    CHECK_INT(r.nrules, 1);
    CHECK_STR(r.rules[0].verdict, "accept");
    CHECK_HAS(r.rules[0].text, "allow in TCP 445");
    CHECK_STR(r.rules[0].table, FPS);
    CHECK_INT(r.rules[0].handle, -1);
    CHECK_INT(r.rules[0].conditional, 0);

    /* The SMB-In rule disabled: the default inbound action blocks. */
    rules[0].enabled = 0;
    memset(&r, 0, sizeof r);
    win_fw_evaluate(&st, rules, 1, P445, 1, &r);
    CHECK_INT(r.state, FIREWALL_BLOCKED);
    CHECK_HAS(r.summary, "Windows Firewall (Domain profile) blocks TCP 445");
    CHECK_HAS(r.summary, "default inbound action is block");
    CHECK_HAS(r.summary, "\"File and Printer Sharing (SMB-In)\" exists but is disabled");
    CHECK_INT(r.nrules, 2);
    CHECK_STR(r.rules[0].verdict, "policy-drop");
    CHECK_STR(r.rules[1].verdict, "disabled");

    /* A block rule wins over the enabled allow rule. */
    rules[0].enabled = 1;
    rules[1] = rule("Block SMB from anywhere", "", "139,445", 1, 0, ALLP, "*", "");
    memset(&r, 0, sizeof r);
    win_fw_evaluate(&st, rules, 2, P445, 1, &r);
    CHECK_INT(r.state, FIREWALL_BLOCKED);
    CHECK_HAS(r.summary, "the block rule \"Block SMB from anywhere\" wins over any allow rule");
    CHECK_STR(r.rules[0].verdict, "drop");
    CHECK_HAS(r.rules[0].text, "Block SMB from anywhere: block in TCP 139,445");

    /* A block rule of another profile does not count. */
    rules[1].profiles = WIN_FW_PUBLIC;
    memset(&r, 0, sizeof r);
    win_fw_evaluate(&st, rules, 2, P445, 1, &r);
    CHECK_INT(r.state, FIREWALL_OPEN);

    /* The same rule, current profile Public: blocked. */
    st.current = WIN_FW_PUBLIC;
    memset(&r, 0, sizeof r);
    win_fw_evaluate(&st, rules, 2, P445, 1, &r);
    CHECK_INT(r.state, FIREWALL_BLOCKED);
    CHECK_HAS(r.summary, "(Public profile)");

    /* An allow rule limited to some remote addresses decides only for them. */
    st.current = WIN_FW_PRIVATE;
    rules[0] = rule("File and Printer Sharing (SMB-In)", FPS, "445", 1, 1, WIN_FW_PRIVATE | WIN_FW_PUBLIC,
                    "LocalSubnet", "System");
    memset(&r, 0, sizeof r);
    win_fw_evaluate(&st, rules, 1, P445, 1, &r);
    CHECK_INT(r.state, FIREWALL_BLOCKED);
    CHECK_INT(r.nrules, 2);
    CHECK_STR(r.rules[1].verdict, "accept");
    CHECK_INT(r.rules[1].conditional, 1);
    CHECK_HAS(r.rules[1].text, "from LocalSubnet");

    /* "Block all incoming connections". */
    rules[0].remote[0] = '*';
    rules[0].remote[1] = '\0';
    st.prof[1].block_all = 1;
    memset(&r, 0, sizeof r);
    win_fw_evaluate(&st, rules, 1, P445, 1, &r);
    CHECK_INT(r.state, FIREWALL_BLOCKED);
    CHECK_HAS(r.summary, "Block all incoming connections");
    st.prof[1].block_all = 0;

    /* Firewall off for the current profile. */
    st.prof[1].enabled = 0;
    memset(&r, 0, sizeof r);
    win_fw_evaluate(&st, rules, 0, P445, 1, &r);
    CHECK_INT(r.state, FIREWALL_OPEN);
    CHECK_HAS(r.summary, "off for the current profile (Private)");
    st.prof[1].enabled = 1;

    /* Default inbound action allow, no rule. */
    st.prof[1].default_block = 0;
    memset(&r, 0, sizeof r);
    win_fw_evaluate(&st, rules, 0, P445, 1, &r);
    CHECK_INT(r.state, FIREWALL_OPEN);
    CHECK_HAS(r.summary, "default inbound action is allow");

    /* Any-protocol rule with "*" ports; outbound and UDP rules are ignored. */
    struct win_fw_rule anyp = rule("Allow everything", "", "*", 1, 1, ALLP, "*", "");
    anyp.protocol = 256;
    CHECK(win_fw_rule_relevant(&anyp, P445, 1));
    anyp.direction = 2;
    CHECK(!win_fw_rule_relevant(&anyp, P445, 1));
    anyp.direction = 1;
    anyp.protocol = 17;
    CHECK(!win_fw_rule_relevant(&anyp, P445, 1));

    char b[64];
    CHECK_STR(win_fw_profiles_name(ALLP, b, sizeof b), "all profiles");
    CHECK_STR(win_fw_profiles_name(WIN_FW_DOMAIN | WIN_FW_PUBLIC, b, sizeof b), "Domain, Public");
}

/* The log sentence from recorded registry values. */
static void test_logging(void)
{
    struct win_fw_state st;
    char buf[256];
    memset(&st, 0, sizeof st);
    win_fw_logging_text(&st, buf, sizeof buf);
    CHECK_HAS(buf, "unknown");
    st.have_log = 1;
    st.current = WIN_FW_DOMAIN;
    for (int p = 0; p < 3; p++) {
        text_fmt(st.log[p].path, sizeof st.log[p].path, "%s", "%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log");
        st.log[p].size_kb = 4096;
    }
    win_fw_logging_text(&st, buf, sizeof buf);
    CHECK_HAS(buf, "not logged (Domain)");
    CHECK_HAS(buf, "netsh advfirewall set currentprofile logging droppedconnections enable");
    CHECK_HAS(buf, "pfirewall.log");
    st.log[0].log_dropped = 1;
    st.log[0].size_kb = 16384;
    st.log[0].from_policy = 1;
    win_fw_logging_text(&st, buf, sizeof buf);
    CHECK_HAS(buf, "Dropped packets are logged (Domain)");
    CHECK_HAS(buf, "16384 KB, set by group policy");
    CHECK(strstr(buf, "not logged") == NULL);
}

/* An event 5152 as EvtRender(EvtRenderEventXml) returns it. */
static const char EV5152[] =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider "
    "Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/>"
    "<EventID>5152</EventID><Version>0</Version><Level>0</Level><Task>12809</Task><Opcode>0</Opcode>"
    "<Keywords>0x8010000000000000</Keywords><TimeCreated SystemTime='2019-12-25T09:14:07.4123456Z'/>"
    "<EventRecordID>1234567</EventRecordID><Correlation/><Execution ProcessID='4' ThreadID='88'/>"
    "<Channel>Security</Channel><Computer>FILESRV01.contoso.local</Computer><Security/></System>"
    "<EventData><Data Name='ProcessId'>0</Data><Data Name='Application'>-</Data>"
    "<Data Name='Direction'>%%14592</Data><Data Name='SourceAddress'>192.168.1.20</Data>"
    "<Data Name='SourcePort'>50123</Data><Data Name='DestAddress'>192.168.1.10</Data>"
    "<Data Name='DestPort'>445</Data><Data Name='Protocol'>6</Data><Data Name='FilterRTID'>87261</Data>"
    "<Data Name='LayerName'>%%14597</Data><Data Name='LayerRTID'>13</Data></EventData></Event>";

/* An event 5157 with an application path holding an entity, double quotes. */
static const char EV5157[] =
    "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
    "<Provider Name=\"Microsoft-Windows-Security-Auditing\"/><EventID Qualifiers=\"\">5157</EventID>"
    "<Task>12810</Task><TimeCreated SystemTime=\"2019-12-25T09:15:00.0000000Z\"/></System><EventData>"
    "<Data Name=\"ProcessId\">4</Data><Data Name=\"Application\">\\device\\harddiskvolume2\\a&amp;b\\srv.exe</Data>"
    "<Data Name=\"Direction\">%%14592</Data><Data Name=\"SourceAddress\">10.0.0.5</Data>"
    "<Data Name=\"SourcePort\">445</Data><Data Name=\"DestAddress\">10.0.0.99</Data>"
    "<Data Name=\"DestPort\">51000</Data><Data Name=\"Protocol\">6</Data>"
    "<Data Name=\"FilterRTID\">18446744073709551615</Data><Data Name=\"LayerName\">%%14610</Data>"
    "<Data Name=\"LayerRTID\">44</Data><Data Name=\"RemoteUserID\">S-1-0-0</Data>"
    "<Data Name=\"RemoteMachineID\"/></EventData></Event>";

/* Security-log events and the WFP sentence. */
static void test_events(void)
{
    struct wfp_drop d;
    char v[64];
    CHECK_INT(win_event_parse(EV5152, &d), 0);
    CHECK_INT(d.event_id, 5152);
    CHECK_STR(d.time, "2019-12-25T09:14:07.4123456Z");
    CHECK_STR(d.direction, "inbound");
    CHECK_STR(d.source, "192.168.1.20");
    CHECK_INT(d.sport, 50123);
    CHECK_STR(d.dest, "192.168.1.10");
    CHECK_INT(d.dport, 445);
    CHECK_INT(d.protocol, 6);
    CHECK(d.filter_id == 87261);
    CHECK_STR(d.layer, "Transport");
    CHECK_STR(d.application, "-");
    CHECK(win_wfp_drop_matches(&d, P445, 1));

    CHECK_INT(win_event_parse(EV5157, &d), 0);
    CHECK_INT(d.event_id, 5157);
    CHECK_STR(d.application, "\\device\\harddiskvolume2\\a&b\\srv.exe");
    CHECK_STR(d.layer, "Receive/Accept");
    CHECK_INT(d.sport, 445);
    CHECK(d.filter_id == 18446744073709551615ull);
    CHECK(win_wfp_drop_matches(&d, P445, 1));
    CHECK_INT(win_event_data(EV5157, "RemoteMachineID", v, sizeof v), 0);
    CHECK_STR(v, "");
    CHECK_INT(win_event_data(EV5157, "NoSuchField", v, sizeof v), -1);
    CHECK_INT(win_event_data(EV5152, "Protocol", v, sizeof v), 0);
    CHECK_STR(v, "6");

    /* Other events and garbage are refused. */
    CHECK_INT(win_event_parse("<Event><System><EventID>4624</EventID></System></Event>", &d), -1);
    CHECK_INT(win_event_parse("", &d), -1);
    CHECK_INT(win_event_parse("<EventID>5152", &d), -1);
    CHECK_INT(win_event_parse("<Event><System><EventID>5152</EventID></System><EventData><Data Name='DestPort'>",
                              &d),
              0); /* cut short: what is there is read, no crash */

    char q[512];
    win_wfp_xpath(P445, 1, 86400, q, sizeof q);
    CHECK_STR(q, "*[System[(EventID=5152 or EventID=5157) and TimeCreated[timediff(@SystemTime) <= 86400000]]] and "
                 "*[EventData[Data[@Name='DestPort']='445' or Data[@Name='SourcePort']='445']]");
    win_wfp_xpath(P445_139, 2, 0, q, sizeof q);
    CHECK_HAS(q, "*[System[(EventID=5152 or EventID=5157)]]");
    CHECK_HAS(q, " or Data[@Name='DestPort']='139'");

    struct wfp_result r;
    memset(&r, 0, sizeof r);
    win_event_parse(EV5152, &r.drops[0]);
    text_fmt(r.drops[0].filter_name, sizeof r.drops[0].filter_name, "Block SMB from anywhere");
    r.ndrops = 1;
    win_wfp_verdict(&r, P445, 1, 86400, 1);
    CHECK_INT(r.state, WFP_DROPS);
    CHECK_HAS(r.summary, "blocked 1 packet to TCP 445 in the last 24 h");
    CHECK_HAS(r.summary, "192.168.1.20:50123 -> 192.168.1.10:445 by filter 87261 \"Block SMB from anywhere\"");

    memset(&r, 0, sizeof r);
    win_wfp_verdict(&r, P445, 1, 86400, 0);
    CHECK_INT(r.state, WFP_AUDIT_OFF);
    CHECK_HAS(r.summary, "auditing is off");
    memset(&r, 0, sizeof r);
    win_wfp_verdict(&r, P445, 1, 3600, -1);
    CHECK_INT(r.state, WFP_NO_DROPS);
    CHECK_HAS(r.summary, "in the last 1 h");
    CHECK_HAS(r.summary, "unknown");
    CHECK_HAS(win_wfp_hint(), "auditpol /set /subcategory:\"Filtering Platform Packet Drop\" /failure:enable");
    CHECK_HAS(win_wfp_hint(), "{0CCE9225-69AE-11D9-BED3-505054503030}");
    CHECK_HAS(win_wfp_hint(), "netsh wfp capture start");
    CHECK(strlen(win_wfp_hint()) < sizeof r.hint);
    CHECK_STR(probe_wfp_state_name(WFP_AUDIT_OFF), "audit_off");
    CHECK_STR(probe_wfp_state_name(WFP_UNKNOWN), "unknown");
}

/* The Npcap message. */
static void test_npcap_text(void)
{
    char b[512];
    win_npcap_cause(b, sizeof b, "C:\\Windows\\System32\\Npcap\\wpcap.dll", "The specified module could not be found");
    CHECK_HAS(b, "Npcap is not installed");
    CHECK_HAS(b, "C:\\Windows\\System32\\Npcap\\wpcap.dll");
    CHECK_HAS(b, "https://npcap.com/#download");
    CHECK_HAS(b, "tshoot analyze");
}

int main(void)
{
    test_ports();
    test_rows();
    test_listener();
    test_service();
    test_firewall();
    test_logging();
    test_events();
    test_npcap_text();
    return t_report("test_win_parse");
}
