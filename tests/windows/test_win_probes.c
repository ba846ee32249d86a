/* test_win_probes.c: the Windows probes against the real APIs (run under
 * Wine here, and as is on Windows). The test opens its own listeners (on
 * 127.0.0.1 and on 0.0.0.0, on free ports) and expects probe_listener() to
 * find them with the right port, pid and state; asks the service control
 * manager about services that exist (PlugPlay, running; RpcSs), about LanmanServer, and about
 * one that does not; and runs the firewall, Security-log and Npcap paths,
 * which must answer (known, or unknown with a reason) without crashing
 * where Wine lacks them. Prints each probe's sentence for the log. */
#include <stdlib.h>
#include <string.h>

#include "win_sys.h"
#include "tharness.h"

/* Opens a TCP listener on ADDR (IPv4 text) and a free port; returns the
 * socket, or INVALID_SOCKET, with the port in *PORT. */
static SOCKET listen_on(const char *addr, uint16_t *port)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET)
        return s;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, addr, &sa.sin_addr);
    sa.sin_port = 0;
    int len = sizeof sa;
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s, 4) != 0 ||
        getsockname(s, (struct sockaddr *)&sa, &len) != 0) {
        closesocket(s);
        return INVALID_SOCKET;
    }
    *port = ntohs(sa.sin_port);
    return s;
}

/* This program's file name ("test_win_probes.exe"). */
static void own_name(char *buf, size_t len)
{
    wchar_t w[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, w, MAX_PATH);
    char p[MAX_PATH * 3];
    win_utf8(n ? w : L"", p, sizeof p);
    text_fmt(buf, len, "%s", win_basename(p));
}

/* The listener probe finds our own sockets. */
static void test_listener(void)
{
    char me[128];
    own_name(me, sizeof me);
    uint16_t lo_port = 0, any_port = 0;
    SOCKET lo = listen_on("127.0.0.1", &lo_port);
    SOCKET any = listen_on("0.0.0.0", &any_port);
    CHECK(lo != INVALID_SOCKET);
    CHECK(any != INVALID_SOCKET);
    struct listener_result r;

    uint16_t p1[1] = { lo_port };
    probe_listener(p1, 1, "System", &r);
    printf("listener 127.0.0.1:%u -> state %d: %s [%s]\n", lo_port, r.state, r.summary, r.detail);
    CHECK_INT(r.state, LISTENER_LOOPBACK_ONLY);
    CHECK_INT(r.nsockets, 1);
    /* Wine reports pid 0 (no owner) for every socket: the owner checks need Windows. */
    int owners = r.nsockets && r.sockets[0].pid != -1;
    if (r.nsockets) {
        CHECK_STR(r.sockets[0].address, "127.0.0.1");
        CHECK_INT(r.sockets[0].port, lo_port);
        CHECK_INT(r.sockets[0].expected_owner, 0); /* we are not System */
        printf("  owner: pid %d, process \"%s\", user \"%s\"\n", r.sockets[0].pid, r.sockets[0].process,
               r.sockets[0].user);
        if (owners) {
            CHECK_INT(r.sockets[0].pid, (int)GetCurrentProcessId());
            CHECK_STR(r.sockets[0].process, me);
        } else {
            printf("  NOTE: owning pid not reported (Wine): owner checks skipped\n");
            CHECK_HAS(r.summary, "owner not reported");
            CHECK(r.detail[0] != '\0');
        }
    }
    CHECK_HAS(r.summary, "loopback only");

    uint16_t p2[1] = { any_port };
    probe_listener(p2, 1, me, &r);
    printf("listener 0.0.0.0:%u -> state %d: %s\n", any_port, r.state, r.summary);
    CHECK_INT(r.state, LISTENER_LISTENING);
    CHECK(r.nsockets >= 1);
    if (r.nsockets) {
        CHECK_STR(r.sockets[0].address, "0.0.0.0");
        CHECK_INT(r.sockets[0].port, any_port);
        if (owners)
            CHECK_INT(r.sockets[0].expected_owner, 1);
    }
    CHECK_HAS(r.summary, "on all addresses");

    /* The owner lookup itself, on this process (what a reported pid gets). */
    char proc[64], user[32];
    CHECK_INT(win_process_owner((int)GetCurrentProcessId(), proc, sizeof proc, user, sizeof user), 0);
    printf("owner of pid %lu: process \"%s\", user \"%s\"\n", (unsigned long)GetCurrentProcessId(), proc, user);
    CHECK_STR(proc, me);
    CHECK(user[0] != '\0');
    CHECK_INT(win_process_owner(4, proc, sizeof proc, user, sizeof user), 0);
    CHECK_STR(proc, "System");
    win_process_owner(-1, proc, sizeof proc, user, sizeof user);
    CHECK_STR(proc, "");

    /* Both ports at once, then neither once closed. */
    uint16_t both[2] = { lo_port, any_port };
    probe_listener(both, 2, NULL, &r);
    CHECK_INT(r.state, LISTENER_LISTENING);
    CHECK_INT(r.nsockets, 2);
    closesocket(lo);
    closesocket(any);
    probe_listener(both, 2, NULL, &r);
    printf("listener after close -> state %d: %s\n", r.state, r.summary);
    CHECK_INT(r.state, LISTENER_NOT_LISTENING);
    CHECK_INT(r.nsockets, 0);
}

/* The service control manager answers. */
static void test_service(void)
{
    struct service_result r;
    /* Plug and Play runs from boot on Windows and in a fresh Wine prefix. */
    probe_service("PlugPlay", NULL, &r);
    printf("service PlugPlay -> state %d: %s [%s] %s\n", r.state, r.summary, r.manager, r.detail);
    CHECK_INT(r.state, SERVICE_RUNNING);
    CHECK_STR(r.name, "PlugPlay");
    CHECK_STR(r.manager, "scm");
    CHECK_HAS(r.summary, "PlugPlay is running");

    /* RpcSs exists everywhere; Wine starts it on demand (stopped in a fresh prefix). */
    probe_service("RpcSs", NULL, &r);
    printf("service RpcSs -> state %d: %s\n", r.state, r.summary);
    CHECK(r.state == SERVICE_RUNNING || r.state == SERVICE_STOPPED);
    CHECK_HAS(r.summary, "start type");

    /* Wine 8 registers a LanmanServer (stopped, srvsvc.dll) but not srv2 or
     * srvnet; Windows has all three. Any answer but unknown will do. */
    probe_service("LanmanServer", NULL, &r);
    printf("service LanmanServer -> state %d: %s [%s] %s\n", r.state, r.summary, r.manager, r.detail);
    CHECK(r.state == SERVICE_RUNNING || r.state == SERVICE_STOPPED || r.state == SERVICE_NOT_INSTALLED);
    CHECK_STR(r.manager, "scm");
    CHECK(r.summary[0] != '\0');

    probe_service("TshootNoSuchService", NULL, &r);
    printf("service TshootNoSuchService -> state %d: %s\n", r.state, r.summary);
    CHECK_INT(r.state, SERVICE_NOT_INSTALLED);
    CHECK_STR(r.name, "TshootNoSuchService");
    CHECK_HAS(r.summary, "not installed");

    /* The first installed name of a comma list is reported. */
    probe_service("TshootNoSuchService, PlugPlay", NULL, &r);
    CHECK_INT(r.state, SERVICE_RUNNING);
    CHECK_STR(r.name, "PlugPlay");

    probe_service("", NULL, &r);
    CHECK_INT(r.state, SERVICE_UNKNOWN);
    CHECK(r.detail[0] != '\0');
}

/* The firewall answers: a decision, or unknown with a reason. */
static void test_firewall(void)
{
    uint16_t p[1] = { 445 };
    struct firewall_result r;
    probe_firewall(p, 1, &r);
    printf("firewall -> state %d: %s\n  detail: %s\n  logging: %s\n  rules: %zu\n", r.state, r.summary, r.detail,
           r.logging, r.nrules);
    CHECK_STR(r.backend, "windows-firewall");
    CHECK(r.state == FIREWALL_UNKNOWN || r.state == FIREWALL_OPEN || r.state == FIREWALL_BLOCKED);
    CHECK(r.summary[0] != '\0');
    CHECK(r.detail[0] != '\0');
    CHECK(r.logging[0] != '\0');
    CHECK(r.nrules <= PROBE_MAX_RULES);
    /* Called from a thread that has COM in another mode. */
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    probe_firewall(p, 1, &r);
    CHECK(r.summary[0] != '\0');
    CoUninitialize();
}

/* The Security log path answers: drops, none, or unknown with a reason. */
static void test_wfp(void)
{
    uint16_t p[1] = { 445 };
    struct wfp_result r;
    probe_wfp_drops(p, 1, 86400, &r);
    printf("wfp -> %s: %s\n  detail: %s\n", probe_wfp_state_name(r.state), r.summary, r.detail);
    CHECK(r.summary[0] != '\0');
    CHECK(r.ndrops <= WFP_MAX_DROPS);
    CHECK_HAS(r.hint, "auditpol");
    CHECK_HAS(r.hint, "netsh wfp capture");
    if (r.state == WFP_UNKNOWN)
        CHECK(r.detail[0] != '\0');

    char *cause = NULL;
    CHECK_INT(probe_trace(p, 1, 1, NULL, NULL, &cause), -1);
    CHECK(cause && strstr(cause, "5152"));
    free(cause);
    probe_trace_stop();
    probe_trace_cleanup();
}

/* The Npcap loader: a directory without it fails with the download hint;
 * the real load either works or says the same. */
static void test_npcap(void)
{
    char *cause = NULL;
    CHECK_INT(win_npcap_load_dir("C:\\tshoot-no-such-dir", 0, &cause), -1);
    CHECK(cause != NULL);
    if (cause) {
        printf("npcap (missing dir) -> %s\n", cause);
        CHECK_HAS(cause, "Npcap is not installed");
        CHECK_HAS(cause, "C:\\tshoot-no-such-dir\\wpcap.dll");
        CHECK_HAS(cause, "https://npcap.com/#download");
    }
    free(cause);
    CHECK(npcap_symbol("pcap_open_live") == NULL);
    CHECK_STR(npcap_path(), "");

    cause = NULL;
    int rc = npcap_load(&cause);
    if (rc == 0) {
        printf("npcap -> loaded %s\n", npcap_path());
        CHECK(npcap_symbol("pcap_open_live") != NULL);
        CHECK(npcap_symbol("tshoot_no_such_export") == NULL);
        CHECK(npcap_path()[0] != '\0');
        CHECK_INT(npcap_load(NULL), 0); /* twice is fine */
        const char *(*version)(void) = (const char *(*)(void))(uintptr_t)npcap_symbol("pcap_lib_version");
        CHECK(version != NULL);
        if (version)
            printf("  %s\n", version());
        npcap_unload();
        CHECK(npcap_symbol("pcap_open_live") == NULL);
    } else {
        printf("npcap -> %s\n", cause ? cause : "(no cause)");
        CHECK(cause && strstr(cause, "npcap.com"));
    }
    free(cause);
}

int main(void)
{
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        printf("WSAStartup failed\n");
        return 1;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    test_listener();
    test_service();
    test_firewall();
    test_wfp();
    test_npcap();
    WSACleanup();
    return t_report("test_win_probes");
}
