/* evidence.h: what the checks and the capture have found so far, as plain data:
 * the wizard shows it and the session report writes it down. */
#ifndef TSHOOT_EVIDENCE_H
#define TSHOOT_EVIDENCE_H

#include "capture.h"
#include "probe.h"

struct evidence {
    int checking;                 /* checks are running */
    int have_listener, have_service, have_firewall;
    struct listener_result listener;
    struct service_result service;
    struct firewall_result firewall;
    int have_capture;
    struct capture_snapshot capture;
    char capture_source[128];     /* "any", "eth0", a file name, or "" when off */
    char capture_error[256];      /* why there is no capture */
};

#endif
