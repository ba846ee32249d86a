/* arpa/inet.h for the MinGW build of the portable core (make windows): the
 * same functions (inet_ntop, inet_pton, htons...) come from Winsock. Only the
 * core files see this directory (WIN_CORE_DEFS in the Makefile). */
#ifndef TSHOOT_COMPAT_ARPA_INET_H
#define TSHOOT_COMPAT_ARPA_INET_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <winsock2.h>
#include <ws2tcpip.h>

#endif
