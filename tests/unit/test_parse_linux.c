/* platform: linux (the parsers of Linux's tools; left out of the unknown platform build) */
/* test_parse_linux.c: the pure parsers of Linux's machine checks (src/platform/linux/parse_*.c)
 * fed with fixture text captured from real tools on Debian 12: /proc/net/tcp
 * and tcp6 lines, `nft -j list ruleset` JSON (nftables 1.0.6) for each rule
 * shape the evaluator knows, `iptables-save -c` (iptables 1.8.9, nf_tables
 * back end), `nft -a monitor trace` lines, ufw.conf and firewalld lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probe.h"
#include "probe_parse_linux.h"

/* Ruleset NFT_FILTER (nft -f):
 *   table inet filter {
 *     set smbports { type inet_service; flags interval; elements = { 139, 445, 1000-2000 } }
 *     chain input { type filter hook input priority 0; policy drop;
 *       iifname "lo" accept                                  # handle 4
 *       ct state established,related accept                 # handle 5
 *       ct state invalid drop                                # handle 6
 *       tcp dport { 22, 80 } counter accept                  # handle 8
 *       tcp dport @smbports counter jump smb                 # handle 9
 *       th dport 8000-8080 reject with tcp reset             # handle 10
 *       ip saddr 10.0.0.0/8 tcp dport 445 drop               # handle 11
 *       meta l4proto tcp tcp dport != 23 log prefix "x " counter   # handle 12
 *       tcp flags syn tcp dport 446 goto smb                 # handle 13
 *     }
 *     chain smb {
 *       tcp dport 445 log prefix "smb-drop " counter drop    # handle 14
 *       ip6 nexthdr tcp reject                               # handle 15
 *     }
 *   }
 *   table ip raw { chain pre { type filter hook prerouting priority -300; } }
 *
 * Ruleset NFT_VMAP:
 *   table inet fw {
 *     chain pre { type filter hook prerouting priority -150; policy accept; tcp dport 139 counter drop; }  # 3
 *     chain input { type filter hook input priority 0; policy accept;
 *       ct state vmap { established : accept, related : accept, invalid : drop }   # 6
 *       tcp dport vmap { 22 : accept, 23 : drop }                                   # 7
 *       meta nfproto ipv6 tcp dport 445 drop                                        # 8
 *       tcp flags & (syn | ack) == syn tcp dport 3389 reject                        # 9
 *       iifname "eth0" tcp dport 5000 drop                                          # 10
 *       tcp dport 5001 limit rate 5/second accept                                   # 11
 *       tcp dport 5001 drop                                                         # 12
 *     }
 *   }
 *   table ip only4 { chain in { type filter hook input priority 10; policy accept; tcp dport 446 drop; } }
 */
static const char NFT_FILTER[] =
    "{\"nftables\":[\n"
    "{\"metainfo\":{\"version\":\"1.0.6\",\"release_name\":\"Lester Gooch #5\",\"json_schema_version\":1}},\n"
    "{\"table\":{\"family\":\"inet\",\"name\":\"filter\",\"handle\":1}},\n"
    "{\"set\":{\"family\":\"inet\",\"name\":\"smbports\",\"table\":\"filter\",\"type\":\"inet_service\",\"handle\":3,\"flags\":[\"interval\"],\"elem\":[139,445,{\"range\":[1000,2000]}]}},\n"
    "{\"chain\":{\"family\":\"inet\",\"table\":\"filter\",\"name\":\"input\",\"handle\":1,\"type\":\"filter\",\"hook\":\"input\",\"prio\":0,\"policy\":\"drop\"}},\n"
    "{\"chain\":{\"family\":\"inet\",\"table\":\"filter\",\"name\":\"smb\",\"handle\":2}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":4,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"iifname\"}},\"right\":\"lo\"}},{\"accept\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":5,\"expr\":[{\"match\":{\"op\":\"in\",\"left\":{\"ct\":{\"key\":\"state\"}},\"right\":[\"established\",\"related\"]}},{\"accept\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":6,\"expr\":[{\"match\":{\"op\":\"in\",\"left\":{\"ct\":{\"key\":\"state\"}},\"right\":\"invalid\"}},{\"drop\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":8,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":{\"set\":[22,80]}}},{\"counter\":{\"packets\":0,\"bytes\":0}},{\"accept\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":9,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":\"@smbports\"}},{\"counter\":{\"packets\":0,\"bytes\":0}},{\"jump\":{\"target\":\"smb\"}}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":10,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":{\"range\":[8000,8080]}}},{\"reject\":{\"type\":\"tcp reset\"}}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":11,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}},\"right\":{\"prefix\":{\"addr\":\"10.0.0.0\",\"len\":8}}}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":445}},{\"drop\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":12,\"expr\":[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":23}},{\"log\":{\"prefix\":\"x \"}},{\"counter\":{\"packets\":0,\"bytes\":0}}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":13,\"expr\":[{\"match\":{\"op\":\"in\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"flags\"}},\"right\":\"syn\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":446}},{\"goto\":{\"target\":\"smb\"}}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"smb\",\"handle\":14,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":445}},{\"log\":{\"prefix\":\"smb-drop \"}},{\"counter\":{\"packets\":0,\"bytes\":0}},{\"drop\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"smb\",\"handle\":15,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip6\",\"field\":\"nexthdr\"}},\"right\":\"tcp\"}},{\"reject\":{\"type\":\"icmpv6\",\"expr\":\"port-unreachable\"}}]}},\n"
    "{\"table\":{\"family\":\"ip\",\"name\":\"raw\",\"handle\":2}},\n"
    "{\"chain\":{\"family\":\"ip\",\"table\":\"raw\",\"name\":\"pre\",\"handle\":1,\"type\":\"filter\",\"hook\":\"prerouting\",\"prio\":-300,\"policy\":\"accept\"}}\n"
    "]}";

static const char NFT_VMAP[] =
    "{\"nftables\":[\n"
    "{\"metainfo\":{\"version\":\"1.0.6\",\"release_name\":\"Lester Gooch #5\",\"json_schema_version\":1}},\n"
    "{\"table\":{\"family\":\"inet\",\"name\":\"fw\",\"handle\":1}},\n"
    "{\"chain\":{\"family\":\"inet\",\"table\":\"fw\",\"name\":\"pre\",\"handle\":1,\"type\":\"filter\",\"hook\":\"prerouting\",\"prio\":-150,\"policy\":\"accept\"}},\n"
    "{\"chain\":{\"family\":\"inet\",\"table\":\"fw\",\"name\":\"input\",\"handle\":2,\"type\":\"filter\",\"hook\":\"input\",\"prio\":0,\"policy\":\"accept\"}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"pre\",\"handle\":3,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":139}},{\"counter\":{\"packets\":0,\"bytes\":0}},{\"drop\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"input\",\"handle\":5,\"expr\":[{\"vmap\":{\"key\":{\"ct\":{\"key\":\"state\"}},\"data\":{\"set\":[[\"invalid\",{\"drop\":null}],[\"established\",{\"accept\":null}],[\"related\",{\"accept\":null}]]}}}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"input\",\"handle\":7,\"expr\":[{\"vmap\":{\"key\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"data\":{\"set\":[[22,{\"accept\":null}],[23,{\"drop\":null}]]}}}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"input\",\"handle\":8,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"nfproto\"}},\"right\":\"ipv6\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":445}},{\"drop\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"input\",\"handle\":9,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"&\":[{\"payload\":{\"protocol\":\"tcp\",\"field\":\"flags\"}},[\"syn\",\"ack\"]]},\"right\":\"syn\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":3389}},{\"reject\":{\"type\":\"icmpx\",\"expr\":\"port-unreachable\"}}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"input\",\"handle\":10,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"iifname\"}},\"right\":\"eth0\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":5000}},{\"drop\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"input\",\"handle\":11,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":5001}},{\"limit\":{\"rate\":5,\"burst\":5,\"per\":\"second\"}},{\"accept\":null}]}},\n"
    "{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"input\",\"handle\":12,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":5001}},{\"drop\":null}]}},\n"
    "{\"table\":{\"family\":\"ip\",\"name\":\"only4\",\"handle\":2}},\n"
    "{\"chain\":{\"family\":\"ip\",\"table\":\"only4\",\"name\":\"in\",\"handle\":1,\"type\":\"filter\",\"hook\":\"input\",\"prio\":10,\"policy\":\"accept\"}},\n"
    "{\"rule\":{\"family\":\"ip\",\"table\":\"only4\",\"chain\":\"in\",\"handle\":2,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":446}},{\"drop\":null}]}}\n"
    "]}";

static const char IPTABLES_SAVE[] =
    "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Nov 26 12:34:41 2026\n"
    "*filter\n"
    ":INPUT DROP [0:0]\n"
    ":FORWARD ACCEPT [0:0]\n"
    ":OUTPUT ACCEPT [0:0]\n"
    ":SMB - [0:0]\n"
    "[0:0] -A INPUT -i lo -j ACCEPT\n"
    "[0:0] -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
    "[0:0] -A INPUT -p tcp -m multiport --dports 139,445 -j SMB\n"
    "[0:0] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
    "[0:0] -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 8080 -j ACCEPT\n"
    "[0:0] -A SMB -p tcp -m tcp --dport 139 -j RETURN\n"
    "[0:0] -A SMB -j LOG --log-prefix \"smb-drop: \"\n"
    "[0:0] -A SMB -p tcp -j REJECT --reject-with tcp-reset\n"
    "[0:0] -A SMB -m comment --comment \"never reached\" -j ACCEPT\n"
    "COMMIT\n"
    "# Completed on Thu Nov 26 12:34:41 2026\n";

static const char TRACE_LINES[] =
    "trace id b1e4172a inet tshoot_trace pre packet: iif \"tsv0\" ether saddr aa:67:2e:da:05:92 ether daddr 46:59:62:9b:f9:ec ip saddr 198.51.100.2 ip daddr 198.51.100.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 56358 ip protocol tcp ip length 60 tcp sport 42914 tcp dport 445 tcp flags == syn tcp window 64240 \n"
    "trace id b1e4172a inet tshoot_trace pre rule tcp dport 445 meta nftrace set 1 # handle 2 (verdict continue)\n"
    "trace id b1e4172a inet tshoot_trace pre policy accept \n"
    "trace id b1e4172a ip raw pre packet: iif \"tsv0\" ether saddr aa:67:2e:da:05:92 ether daddr 46:59:62:9b:f9:ec ip saddr 198.51.100.2 ip daddr 198.51.100.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 56358 ip length 60 tcp sport 42914 tcp dport 445 tcp flags == syn tcp window 64240 \n"
    "trace id b1e4172a ip raw pre policy accept \n"
    "trace id b1e4172a inet filter input packet: iif \"tsv0\" ether saddr aa:67:2e:da:05:92 ether daddr 46:59:62:9b:f9:ec ip saddr 198.51.100.2 ip daddr 198.51.100.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 56358 ip protocol tcp ip length 60 tcp sport 42914 tcp dport 445 tcp flags == syn tcp window 64240 \n"
    "trace id b1e4172a inet filter input rule tcp dport @smbports counter packets 2 bytes 120 jump smb # handle 9 (verdict jump smb)\n"
    "trace id b1e4172a inet filter smb rule tcp dport 445 log prefix \"smb-drop \" counter packets 2 bytes 120 drop # handle 14 (verdict drop)\n";

/* iptables-nft's tables as they appear in nft JSON (abridged). */
static const char NFT_XT[] =
    "{\"nftables\":[{\"table\":{\"family\":\"ip\",\"name\":\"filter\",\"handle\":1}},"
    "{\"chain\":{\"family\":\"ip\",\"table\":\"filter\",\"name\":\"SMB\",\"handle\":1}},"
    "{\"chain\":{\"family\":\"ip\",\"table\":\"filter\",\"name\":\"INPUT\",\"handle\":2,\"type\":\"filter\","
    "\"hook\":\"input\",\"prio\":0,\"policy\":\"drop\"}},"
    "{\"chain\":{\"family\":\"inet\",\"table\":\"mine\",\"name\":\"input\",\"handle\":2,\"type\":\"filter\","
    "\"hook\":\"input\",\"prio\":0,\"policy\":\"accept\"}}]}";

/* Evaluates an nft fixture and checks verdict, chain and handle. */
static void expect_nft(const char *json, uint16_t port, int family, enum fw_verdict v, const char *chain,
                       long handle)
{
    struct fw_decision d;
    char *cause = NULL;
    assert_int_equal(probe_parse_nft_eval(json, port, family, "", &d, &cause), 0);
    assert_null(cause);
    assert_int_equal(d.verdict, v);
    assert_string_equal(d.rule.chain, chain);
    assert_int_equal(d.rule.handle, handle);
}

/* /proc/net/tcp and tcp6 lines become addresses, ports, states and inodes. */
static void test_proc_net_tcp(void **state)
{
    (void)state;
    struct proc_tcp_entry e;
    assert_int_equal(probe_parse_proc_net_tcp("  sl  local_address rem_address   st tx_queue", 0, &e), -1);
    assert_int_equal(probe_parse_proc_net_tcp(
        "   0: 016433C6:20FD 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 29652 1 "
        "000000006b41af84 100 0 0 10 0", 0, &e), 0);
    assert_string_equal(e.address, "198.51.100.1");
    assert_int_equal(e.port, 8445);
    assert_int_equal(e.state, PROC_TCP_LISTEN);
    assert_int_equal(e.inode, 29652);
    assert_int_equal(probe_parse_proc_net_tcp(
        "   1: 0100007F:01BD 0100007F:A2C4 01 00000000:00000000 00:00000000 00000000  1000        0 777 1 0", 0, &e), 0);
    assert_string_equal(e.address, "127.0.0.1");
    assert_int_equal(e.state, 1);
    assert_int_equal(e.uid, 1000);
    assert_int_equal(probe_parse_proc_net_tcp(
        "   0: 00000000000000000000000001000000:01BD 00000000000000000000000000000000:0000 0A 00000000:00000000 "
        "00:00000000 00000000     0        0 29650 1 0000000095e0b80e 100 0 0 10 0", 1, &e), 0);
    assert_string_equal(e.address, "::1");
    assert_int_equal(e.port, 445);
    assert_int_equal(probe_parse_proc_net_tcp(
        "   1: 00000000000000000000000000000000:008B 00000000000000000000000000000000:0000 0A 00000000:00000000 "
        "00:00000000 00000000     0        0 29651 1 000000003aaa970f 100 0 0 10 0", 1, &e), 0);
    assert_string_equal(e.address, "::");
    assert_int_equal(e.port, 139);
    /* a v4 line read as v6 is rejected, not misread */
    assert_int_equal(probe_parse_proc_net_tcp("   0: 016433C6:20FD 00000000:0000 0A 0:0 0:0 0 0 0 1", 1, &e), -1);
    assert_int_equal(probe_parse_proc_net_tcp("garbage", 0, &e), -1);
}

/* Every rule shape of NFT_FILTER: sets, jump, goto, ranges, th, ct state, lo, policy. */
static void test_nft_filter(void **state)
{
    (void)state;
    expect_nft(NFT_FILTER, 22, 4, FW_ACCEPT, "input", 8);          /* anonymous set */
    expect_nft(NFT_FILTER, 80, 6, FW_ACCEPT, "input", 8);
    expect_nft(NFT_FILTER, 445, 4, FW_DROP, "smb", 14);            /* named set, jump, drop */
    expect_nft(NFT_FILTER, 445, 6, FW_DROP, "smb", 14);
    expect_nft(NFT_FILTER, 139, 6, FW_REJECT, "smb", 15);          /* ip6 nexthdr only for IPv6 */
    expect_nft(NFT_FILTER, 139, 4, FW_DROP, "input", -1);          /* returns, then policy drop */
    expect_nft(NFT_FILTER, 1500, 4, FW_DROP, "input", -1);         /* range element of the set */
    expect_nft(NFT_FILTER, 8000, 4, FW_REJECT, "input", 10);       /* th dport range, reject */
    expect_nft(NFT_FILTER, 8081, 4, FW_DROP, "input", -1);
    expect_nft(NFT_FILTER, 446, 6, FW_REJECT, "smb", 15);          /* goto */
    expect_nft(NFT_FILTER, 446, 4, FW_DROP, "input", -1);          /* goto never returns: policy */

    struct fw_decision d;
    assert_int_equal(probe_parse_nft_eval(NFT_FILTER, 445, 4, "", &d, NULL), 0);
    assert_string_equal(d.rule.table, "inet filter");
    assert_string_equal(d.rule.verdict, "drop");
    assert_non_null(strstr(d.rule.text, "tcp dport 445 log prefix \"smb-drop \""));
    assert_non_null(strstr(d.rule.text, "drop"));
    assert_true(d.logged);
    assert_string_equal(d.log_prefix, "smb-drop ");

    /* the rule for 10.0.0.0/8 decides only some sources: reported, not applied */
    assert_int_equal(probe_parse_nft_eval(NFT_FILTER, 9000, 4, "", &d, NULL), 0);
    assert_int_equal(d.verdict, FW_DROP);
    assert_string_equal(d.rule.verdict, "policy-drop");
    assert_string_equal(d.rule.text, "policy drop");
    assert_true(d.logged);                                           /* handle 12 logs it */
    assert_string_equal(d.log_prefix, "x ");
    assert_int_equal(probe_parse_nft_eval(NFT_FILTER, 445, 4, "", &d, NULL), 0);
    assert_int_equal(d.ncond, 0);

    /* the raw table's prerouting chain (policy accept) does not decide */
    assert_int_equal(probe_parse_nft_eval(NFT_FILTER, 22, 4, "", &d, NULL), 0);
    assert_string_equal(d.rule.text, "tcp dport { 22, 80 } counter packets 0 bytes 0 accept");
}

/* A live trace's table (tshoot_trace_PID) only marks SYNs: the firewall check
 * looks past it, to no chain at all here. */
static void test_nft_ignores_trace_tables(void **state)
{
    (void)state;
    static const char json[] =
        "{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"tshoot_trace_77\",\"handle\":1}},"
        "{\"chain\":{\"family\":\"inet\",\"table\":\"tshoot_trace_77\",\"name\":\"pre\",\"handle\":1,"
        "\"type\":\"filter\",\"hook\":\"prerouting\",\"prio\":-350,\"policy\":\"accept\"}}]}";
    struct fw_decision d;
    assert_int_equal(probe_parse_nft_eval(json, 445, 4, "", &d, NULL), 0);
    assert_int_equal(d.verdict, FW_NONE);
}

/* NFT_VMAP: vmaps, prerouting, nfproto, masked flags, iifname and limit as conditions. */
static void test_nft_vmap(void **state)
{
    (void)state;
    expect_nft(NFT_VMAP, 139, 4, FW_DROP, "pre", 3);                /* prerouting chain first */
    expect_nft(NFT_VMAP, 22, 4, FW_ACCEPT, "input", 7);             /* vmap accept */
    expect_nft(NFT_VMAP, 23, 6, FW_DROP, "input", 7);               /* vmap drop */
    expect_nft(NFT_VMAP, 445, 6, FW_DROP, "input", 8);              /* meta nfproto ipv6 */
    expect_nft(NFT_VMAP, 445, 4, FW_ACCEPT, "in", -1);              /* only4 policy accept, last chain */
    expect_nft(NFT_VMAP, 3389, 4, FW_REJECT, "input", 9);           /* tcp flags & (syn|ack) == syn */
    expect_nft(NFT_VMAP, 446, 4, FW_DROP, "in", 2);                 /* ip table, IPv4 only */
    expect_nft(NFT_VMAP, 446, 6, FW_ACCEPT, "input", -1);

    struct fw_decision d;
    assert_int_equal(probe_parse_nft_eval(NFT_VMAP, 5000, 4, "", &d, NULL), 0);
    assert_int_equal(d.verdict, FW_ACCEPT);
    assert_int_equal(d.ncond, 1);                                    /* iifname "eth0": some SYNs */
    assert_int_equal(d.cond[0].handle, 10);
    assert_true(d.cond[0].conditional);
    assert_string_equal(d.cond[0].verdict, "drop");
    assert_int_equal(probe_parse_nft_eval(NFT_VMAP, 5001, 4, "", &d, NULL), 0);
    assert_int_equal(d.verdict, FW_DROP);                            /* beyond the rate limit */
    assert_int_equal(d.rule.handle, 12);
    assert_int_equal(d.cond[0].handle, 11);
    assert_int_equal(probe_parse_nft_eval(NFT_VMAP, 3389, 4, "", &d, NULL), 0);
    assert_string_equal(d.rule.text, "tcp flags & (syn | ack) == syn tcp dport 3389 reject with icmpx port-unreachable");
    assert_int_equal(probe_parse_nft_eval(NFT_VMAP, 22, 4, "", &d, NULL), 0);
    assert_string_equal(d.rule.text, "tcp dport vmap { 22 : accept, 23 : drop }");
    assert_false(d.logged);
}

/* Empty and broken rulesets; iptables-nft tables found and skipped. */
static void test_nft_edge(void **state)
{
    (void)state;
    struct fw_decision d;
    char *cause = NULL;
    assert_int_equal(probe_parse_nft_eval("{\"nftables\":[{\"metainfo\":{}}]}", 445, 4, "", &d, &cause), 0);
    assert_int_equal(d.verdict, FW_NONE);
    assert_int_equal(probe_parse_nft_eval("{\"nftables\": [", 445, 4, "", &d, &cause), -1);
    assert_non_null(cause);
    free(cause);
    cause = NULL;
    assert_int_equal(probe_parse_nft_eval("[]", 445, 4, "", &d, &cause), -1);
    free(cause);
    char buf[128];
    probe_parse_nft_xt_tables(NFT_XT, buf, sizeof buf);
    assert_string_equal(buf, "ip filter");
    assert_int_equal(probe_parse_nft_eval(NFT_XT, 445, 4, buf, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_ACCEPT);                          /* only inet mine is evaluated */
    assert_string_equal(d.rule.table, "inet mine");
    assert_int_equal(probe_parse_nft_eval(NFT_XT, 445, 4, "", &d, NULL), 0);
    assert_int_equal(d.verdict, FW_DROP);
}

/* IPTABLES_SAVE (iptables-nft):
 *   -P INPUT DROP; -A INPUT -i lo -j ACCEPT; ctstate RELATED,ESTABLISHED ACCEPT;
 *   -p tcp -m multiport --dports 139,445 -j SMB; --dport 22 ACCEPT; -s 10.0.0.0/8 --dport 8080 ACCEPT
 *   SMB: --dport 139 -j RETURN; -j LOG --log-prefix "smb-drop: "; -p tcp -j REJECT; comment ACCEPT */
static void test_iptables(void **state)
{
    (void)state;
    struct fw_decision d;
    assert_int_equal(probe_parse_iptables_eval(IPTABLES_SAVE, 445, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_REJECT);
    assert_string_equal(d.rule.chain, "SMB");
    assert_int_equal(d.rule.handle, 3);
    assert_string_equal(d.rule.table, "filter");
    assert_string_equal(d.rule.text, "-A SMB -p tcp -j REJECT --reject-with tcp-reset");
    assert_true(d.logged);
    assert_string_equal(d.log_prefix, "smb-drop: ");

    assert_int_equal(probe_parse_iptables_eval(IPTABLES_SAVE, 139, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_DROP);                            /* RETURN, then policy */
    assert_string_equal(d.rule.verdict, "policy-drop");
    assert_false(d.logged);

    assert_int_equal(probe_parse_iptables_eval(IPTABLES_SAVE, 22, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_ACCEPT);
    assert_int_equal(d.rule.handle, 4);

    assert_int_equal(probe_parse_iptables_eval(IPTABLES_SAVE, 8080, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_DROP);
    assert_int_equal(d.ncond, 1);
    assert_int_equal(d.cond[0].handle, 5);

    static const char legacy[] =
        "# Generated by iptables-save v1.8.9 (legacy)\n"
        "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 445 -j DROP\nCOMMIT\n"
        "*filter\n:INPUT ACCEPT [10:600]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:f2b - [0:0]\n"
        "[3:180] -A INPUT -p tcp -m tcp --dport 440:450 -j f2b\n"
        "[1:60] -A INPUT ! -p tcp -j DROP\n"
        "-A f2b -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m state --state NEW -g blocked\n"
        "-A f2b -j ACCEPT\n"
        ":blocked - [0:0]\n"
        "[7:420] -A blocked -p tcp -j DROP\n"
        "COMMIT\n";
    assert_int_equal(probe_parse_iptables_eval(legacy, 445, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_DROP);
    assert_string_equal(d.rule.chain, "blocked");
    assert_int_equal(d.rule.packets, 7);
    assert_int_equal(probe_parse_iptables_eval(legacy, 22, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_ACCEPT);
    assert_string_equal(d.rule.verdict, "policy-accept");
    assert_int_equal(d.rule.packets, 10);
    assert_int_equal(probe_parse_iptables_eval("", 445, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_NONE);
}

/* fib daddr type (nft) and addrtype (iptables, as ufw writes it). */
static void test_addrtype(void **state)
{
    (void)state;
    static const char fib[] =
        "{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"fibt\",\"handle\":3}},"
        "{\"chain\":{\"family\":\"inet\",\"table\":\"fibt\",\"name\":\"c\",\"handle\":1,\"type\":\"filter\","
        "\"hook\":\"input\",\"prio\":20,\"policy\":\"accept\"}},"
        "{\"rule\":{\"family\":\"inet\",\"table\":\"fibt\",\"chain\":\"c\",\"handle\":2,\"expr\":["
        "{\"match\":{\"op\":\"!=\",\"left\":{\"fib\":{\"result\":\"type\",\"flags\":[\"daddr\"]}},\"right\":\"local\"}},"
        "{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":447}},"
        "{\"drop\":null}]}},"
        "{\"rule\":{\"family\":\"inet\",\"table\":\"fibt\",\"chain\":\"c\",\"handle\":4,\"expr\":["
        "{\"match\":{\"op\":\"==\",\"left\":{\"fib\":{\"result\":\"type\",\"flags\":[\"daddr\"]}},"
        "\"right\":{\"set\":[\"broadcast\",\"multicast\"]}}},{\"drop\":null}]}},"
        "{\"rule\":{\"family\":\"inet\",\"table\":\"fibt\",\"chain\":\"c\",\"handle\":5,\"expr\":["
        "{\"match\":{\"op\":\"==\",\"left\":{\"fib\":{\"result\":\"type\",\"flags\":[\"daddr\"]}},"
        "\"right\":\"local\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},"
        "\"right\":448}},{\"reject\":null}]}}]}";
    expect_nft(fib, 447, 4, FW_ACCEPT, "c", -1);
    expect_nft(fib, 448, 4, FW_REJECT, "c", 5);
    struct fw_decision d;
    assert_int_equal(probe_parse_nft_eval(fib, 448, 4, "", &d, NULL), 0);
    assert_string_equal(d.rule.text, "fib daddr type local tcp dport 448 reject");

    /* the shape of ufw's chains (ufw 0.36, `ufw default deny`, `ufw allow 22/tcp`) */
    static const char ufw[] =
        "*filter\n:INPUT DROP [0:0]\n:ufw-before-input - [0:0]\n:ufw-not-local - [0:0]\n"
        ":ufw-user-input - [0:0]\n:ufw-after-input - [0:0]\n:ufw-skip-to-policy-input - [0:0]\n"
        ":ufw-logging-deny - [0:0]\n:ufw-after-logging-input - [0:0]\n"
        "-A INPUT -j ufw-before-input\n-A INPUT -j ufw-after-input\n-A INPUT -j ufw-after-logging-input\n"
        "-A ufw-before-input -i lo -j ACCEPT\n"
        "-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
        "-A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny\n"
        "-A ufw-before-input -m conntrack --ctstate INVALID -j DROP\n"
        "-A ufw-before-input -p udp -m udp --sport 67 --dport 68 -j ACCEPT\n"
        "-A ufw-before-input -j ufw-not-local\n"
        "-A ufw-before-input -j ufw-user-input\n"
        "-A ufw-not-local -m addrtype --dst-type LOCAL -j RETURN\n"
        "-A ufw-not-local -m addrtype --dst-type MULTICAST -j RETURN\n"
        "-A ufw-not-local -m limit --limit 3/min --limit-burst 10 -j ufw-logging-deny\n"
        "-A ufw-not-local -j DROP\n"
        "-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT\n"
        "-A ufw-after-input -p tcp -m tcp --dport 445 -j ufw-skip-to-policy-input\n"
        "-A ufw-after-logging-input -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix \"[UFW BLOCK] \"\n"
        "-A ufw-skip-to-policy-input -j DROP\n"
        "COMMIT\n";
    assert_int_equal(probe_parse_iptables_eval(ufw, 22, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_ACCEPT);
    assert_string_equal(d.rule.chain, "ufw-user-input");
    assert_int_equal(probe_parse_iptables_eval(ufw, 445, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_DROP);
    assert_string_equal(d.rule.chain, "ufw-skip-to-policy-input");
    assert_int_equal(probe_parse_iptables_eval(ufw, 8080, &d, NULL), 0);
    assert_int_equal(d.verdict, FW_DROP);
    assert_string_equal(d.rule.verdict, "policy-drop");
}

/* Trace lines: packet, rule with handle and verdict, policy. */
static void test_trace_lines(void **state)
{
    (void)state;
    struct trace_event ev;
    assert_int_equal(probe_parse_trace_line(
        "trace id b1e4172a inet filter smb rule tcp dport 445 log prefix \"smb-drop \" counter packets 2 bytes 120 "
        "drop # handle 14 (verdict drop)", &ev), TRACE_RULE);
    assert_string_equal(ev.id, "b1e4172a");
    assert_string_equal(ev.family, "inet");
    assert_string_equal(ev.table, "filter");
    assert_string_equal(ev.chain, "smb");
    assert_int_equal(ev.handle, 14);
    assert_string_equal(ev.verdict, "drop");
    assert_string_equal(ev.text, "tcp dport 445 log prefix \"smb-drop \" counter packets 2 bytes 120 drop");
    assert_int_equal(probe_parse_trace_line("trace id 0d6bba5b ip raw pre policy accept ", &ev), TRACE_POLICY);
    assert_string_equal(ev.verdict, "policy-accept");
    assert_int_equal(ev.handle, -1);
    assert_int_equal(probe_parse_trace_line(
        "trace id d62ee849 inet tshoot_trace pre packet: iif \"tsv0\" ether saddr aa:67:2e:da:05:92 ip saddr "
        "198.51.100.2 ip daddr 198.51.100.1 ip protocol tcp tcp sport 38486 tcp dport 445 tcp flags == syn", &ev),
        TRACE_PACKET);
    assert_string_equal(ev.iif, "tsv0");
    assert_string_equal(ev.source, "198.51.100.2");
    assert_int_equal(ev.sport, 38486);
    assert_int_equal(ev.dport, 445);
    assert_int_equal(probe_parse_trace_line("trace id 1 inet filter input verdict continue", &ev), TRACE_VERDICT);
    assert_int_equal(probe_parse_trace_line("something else", &ev), TRACE_OTHER);
}

/* Feeds a whole captured trace: one event per SYN with the dropping rule. */
static void test_trace_feed(void **state)
{
    (void)state;
    struct trace_state st;
    memset(&st, 0, sizeof st);
    st.ignore_table = "tshoot_trace";
    struct trace_event ev, got[8];
    int n = 0;
    char *copy = strdup(TRACE_LINES);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (probe_parse_trace_feed(&st, line, &ev) && n < 8)
            got[n++] = ev;
    while (probe_parse_trace_flush(&st, &ev) && n < 8)
        got[n++] = ev;
    free(copy);
    assert_int_equal(n, 1);
    assert_string_equal(got[0].table, "filter");
    assert_string_equal(got[0].chain, "smb");
    assert_int_equal(got[0].handle, 14);
    assert_string_equal(got[0].verdict, "drop");
    assert_int_equal(got[0].dport, 445);
    assert_string_equal(got[0].source, "198.51.100.2");

    /* an accepted SYN is reported when the next packet begins, or at the flush;
     * a policy drop ends its packet at once */
    static const char *lines[] = {
        "trace id aaaa0001 inet tshoot_trace pre packet: iif \"v0\" ip saddr 198.51.100.2 tcp sport 1 tcp dport 445",
        "trace id aaaa0001 inet tshoot_trace pre rule tcp dport 445 meta nftrace set 1 # handle 2 (verdict continue)",
        "trace id aaaa0001 inet tshoot_trace pre policy accept ",
        "trace id aaaa0001 inet filter input rule tcp dport 445 accept # handle 7 (verdict accept)",
        "trace id aaaa0002 inet tshoot_trace pre packet: iif \"v0\" ip saddr 198.51.100.3 tcp sport 2 tcp dport 445",
        "trace id aaaa0002 inet tshoot_trace pre rule tcp dport 445 meta nftrace set 1 # handle 2 (verdict continue)",
        "trace id aaaa0002 inet filter input policy drop ",
        "trace id aaaa0003 inet tshoot_trace pre packet: iif \"v0\" ip6 saddr 2001:db8::2 tcp sport 3 tcp dport 445",
        "trace id aaaa0003 inet tshoot_trace pre rule tcp dport 445 meta nftrace set 1 # handle 2 (verdict continue)",
        "trace id aaaa0003 inet filter input packet: iif \"v0\" ip6 saddr 2001:db8::2 tcp sport 3 tcp dport 445",
        "trace id aaaa0003 inet filter input rule tcp dport 445 reject # handle 9 (verdict drop)",
    };
    memset(&st, 0, sizeof st);
    st.ignore_table = "tshoot_trace";
    n = 0;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (probe_parse_trace_feed(&st, lines[i], &ev) && n < 8)
            got[n++] = ev;
    while (probe_parse_trace_flush(&st, &ev) && n < 8)
        got[n++] = ev;
    assert_int_equal(n, 3);
    assert_string_equal(got[0].id, "aaaa0001");
    assert_string_equal(got[0].verdict, "accept");
    assert_int_equal(got[0].handle, 7);
    assert_string_equal(got[1].id, "aaaa0002");
    assert_string_equal(got[1].verdict, "policy-drop");
    assert_string_equal(got[1].source, "198.51.100.3");
    assert_string_equal(got[2].verdict, "reject");
    assert_string_equal(got[2].source, "2001:db8::2");

    /* with no other chain at all, the SYN is reported accepted by nothing */
    memset(&st, 0, sizeof st);
    st.ignore_table = "tshoot_trace";
    assert_int_equal(probe_parse_trace_feed(&st, lines[0], &ev), 0);
    assert_int_equal(probe_parse_trace_feed(&st, lines[1], &ev), 0);
    assert_int_equal(probe_parse_trace_feed(&st, lines[2], &ev), 0);
    assert_int_equal(probe_parse_trace_flush(&st, &ev), 1);
    assert_string_equal(ev.verdict, "accept");
    assert_int_equal(ev.handle, -1);
    assert_non_null(strstr(ev.text, "nothing filters it"));
    assert_int_equal(probe_parse_trace_flush(&st, &ev), 0);
}

/* Two traces at once: each reports only the SYNs its own table's rule marked,
 * and the other trace's table decides nothing. */
static void test_trace_feed_concurrent(void **state)
{
    (void)state;
    static const char *lines[] = {
        /* a SYN to 22, marked by the other session's table only */
        "trace id bbbb0001 inet tshoot_trace_999 pre packet: iif \"v0\" ip saddr 198.51.100.2 tcp sport 5 tcp dport 22",
        "trace id bbbb0001 inet tshoot_trace_999 pre rule tcp dport 22 meta nftrace set 1 # handle 2 (verdict continue)",
        "trace id bbbb0001 inet tshoot_trace_999 pre policy accept ",
        "trace id bbbb0001 inet tshoot_trace_42 pre policy accept ",
        "trace id bbbb0001 inet filter input rule tcp dport 22 drop # handle 5 (verdict drop)",
        /* a SYN to 445, marked by ours (the other table saw it first but did not mark it) */
        "trace id bbbb0002 inet tshoot_trace_42 pre packet: iif \"v0\" ip saddr 198.51.100.2 tcp sport 6 tcp dport 445",
        "trace id bbbb0002 inet tshoot_trace_42 pre unknown rule handle 2 (verdict continue)",
        "trace id bbbb0002 inet tshoot_trace_42 pre policy accept ",
        "trace id bbbb0002 inet filter input rule tcp dport 445 drop # handle 6 (verdict drop)",
        /* a SYN to 22 again, accepted: still not ours */
        "trace id bbbb0003 inet tshoot_trace_999 pre packet: iif \"v0\" ip saddr 198.51.100.2 tcp sport 7 tcp dport 22",
        "trace id bbbb0003 inet tshoot_trace_999 pre rule tcp dport 22 meta nftrace set 1 # handle 2 (verdict continue)",
        "trace id bbbb0003 inet tshoot_trace_999 pre policy accept ",
    };
    struct trace_state st;
    memset(&st, 0, sizeof st);
    st.ignore_table = "tshoot_trace_42";
    struct trace_event ev, got[8];
    int n = 0;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (probe_parse_trace_feed(&st, lines[i], &ev) && n < 8)
            got[n++] = ev;
    while (probe_parse_trace_flush(&st, &ev) && n < 8)
        got[n++] = ev;
    assert_int_equal(n, 1);    /* nft shows a rule added after the monitor started as "unknown rule" */
    assert_string_equal(got[0].id, "bbbb0002");
    assert_int_equal(got[0].dport, 445);
    assert_int_equal(got[0].handle, 6);
    assert_string_equal(got[0].verdict, "drop");

    /* the other session sees its own two SYNs to 22, not ours */
    memset(&st, 0, sizeof st);
    st.ignore_table = "tshoot_trace_999";
    n = 0;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (probe_parse_trace_feed(&st, lines[i], &ev) && n < 8)
            got[n++] = ev;
    while (probe_parse_trace_flush(&st, &ev) && n < 8)
        got[n++] = ev;
    assert_int_equal(n, 2);
    assert_int_equal(got[0].dport, 22);
    assert_string_equal(got[0].verdict, "drop");
    assert_int_equal(got[1].dport, 22);
    assert_string_equal(got[1].verdict, "accept");
}

/* ufw.conf, firewalld lists and the merge of decisions. */
static void test_front_ends_and_merge(void **state)
{
    (void)state;
    int enabled;
    char level[16];
    probe_parse_ufw_conf("# /etc/ufw/ufw.conf\nENABLED=yes\nLOGLEVEL=medium\n", &enabled, level, sizeof level);
    assert_true(enabled);
    assert_string_equal(level, "medium");
    probe_parse_ufw_conf("ENABLED=no\n", &enabled, level, sizeof level);
    assert_false(enabled);
    assert_string_equal(level, "low");
    assert_true(probe_parse_firewalld_allows("dhcpv6-client samba ssh\n", "", 445));
    assert_false(probe_parse_firewalld_allows("ssh cockpit", "8080/tcp 445/udp", 445));
    assert_true(probe_parse_firewalld_allows("ssh", "400-500/tcp", 445));
    assert_true(probe_parse_firewalld_allows("", "139/tcp 445/tcp", 445));

    struct firewall_result r;
    memset(&r, 0, sizeof r);
    struct fw_decision d4, d6;
    assert_int_equal(probe_parse_nft_eval(NFT_FILTER, 445, 4, "", &d4, NULL), 0);
    assert_int_equal(probe_parse_nft_eval(NFT_FILTER, 445, 6, "", &d6, NULL), 0);
    probe_parse_firewall_merge(&r, &d4);
    probe_parse_firewall_merge(&r, &d6);
    assert_int_equal(r.state, FIREWALL_BLOCKED);
    assert_int_equal(r.nrules, 1);                                   /* the same rule decides both */
    assert_int_equal(r.rules[0].family, 0);
    assert_string_equal(probe_firewall_state_name(r.state), "blocked");
    assert_string_equal(probe_listener_state_name(LISTENER_LOOPBACK_ONLY), "loopback_only");
    assert_string_equal(probe_service_state_name(SERVICE_NOT_INSTALLED), "not_installed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proc_net_tcp),
        cmocka_unit_test(test_nft_filter),
        cmocka_unit_test(test_nft_vmap),
        cmocka_unit_test(test_nft_edge),
        cmocka_unit_test(test_iptables),
        cmocka_unit_test(test_addrtype),
        cmocka_unit_test(test_trace_lines),
        cmocka_unit_test(test_trace_feed),
        cmocka_unit_test(test_trace_feed_concurrent),
        cmocka_unit_test(test_nft_ignores_trace_tables),
        cmocka_unit_test(test_front_ends_and_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
