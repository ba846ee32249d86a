/* sys/socket.h for MinGW-w64 (found through -Isrc/platform/windows/compat
 * when `make windows` compiles the portable core): Winsock declares
 * AF_INET, AF_INET6 and socklen_t. */
#ifndef TSHOOT_COMPAT_SYS_SOCKET_H
#define TSHOOT_COMPAT_SYS_SOCKET_H

#include <winsock2.h>
#include <ws2tcpip.h>

#endif
