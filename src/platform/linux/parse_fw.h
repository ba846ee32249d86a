/* parse_fw.h: what the Linux firewall parsers share (private to
 * src/platform/linux/parse_*.c): three-valued matches, a chain's outcome and
 * iptables' port specs, which firewalld's lists use too. */
#ifndef TSHOOT_PARSE_FW_H
#define TSHOOT_PARSE_FW_H

#include <stdint.h>

/* Three-valued match result. */
enum tri { T_NO, T_YES, T_MAYBE };

/* What a rule or chain does with the packet. */
enum nres { N_CONTINUE, N_ACCEPT, N_DROP, N_REJECT, N_RETURN };

/* Whether PORT is in an iptables port spec ("445", "1000:2000", "139,445");
 * T_MAYBE for a service name. */
enum tri ipt_port_in(const char *spec, uint16_t port);

#endif
