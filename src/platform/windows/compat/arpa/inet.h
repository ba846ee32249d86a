/* arpa/inet.h for MinGW-w64 (found through -Isrc/platform/windows/compat
 * when `make windows` compiles the portable core): Winsock declares
 * inet_ntop(), inet_pton() and the byte-order functions. */
#ifndef TSHOOT_COMPAT_ARPA_INET_H
#define TSHOOT_COMPAT_ARPA_INET_H

#include <winsock2.h>
#include <ws2tcpip.h>

#endif
