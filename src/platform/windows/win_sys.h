/* win_sys.h: private to src/platform/windows/ and tests/windows/. Includes
 * windows.h after probe.h and resolves their one clash: winsvc.h defines
 * SERVICE_RUNNING and SERVICE_STOPPED as macros, which would rewrite the
 * enum service_state constants of probe.h. Every Windows file includes this
 * instead of windows.h; the SCM values are available as WIN_SCM_*. */
#ifndef TSHOOT_WIN_SYS_H
#define TSHOOT_WIN_SYS_H

#include "probe.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

/* winsvc.h dwCurrentState values, under names that do not clash. */
#define WIN_SCM_STOPPED 0x1
#define WIN_SCM_RUNNING 0x4
#undef SERVICE_RUNNING
#undef SERVICE_STOPPED

#include "probe_win.h"

#endif
